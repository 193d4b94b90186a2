package sandbox

import (
	"testing"
	"time"
)

func TestRegisterDefaultClients(t *testing.T) {
	a := NewAuthServer(NewClock(oauthStart, 0), OAuthConfig{AccessTokenTTL: 30 * time.Minute})
	a.RegisterDefaultClients()
	pub, ok1 := a.Client(PublicClientID)
	web, ok2 := a.Client(WebClientID)
	if !ok1 || !ok2 || !pub.Public() || web.Secret != WebClientSecret {
		t.Fatalf("clients %+v %+v", pub, web)
	}
	for _, c := range []Client{pub, web} {
		if !c.AllowsRedirect("http://127.0.0.1:53682/callback") || c.AllowsRedirect("https://example.com/callback") {
			t.Errorf("%s: wrong redirect URIs %v", c.ID, c.RedirectURIs)
		}
	}
}
