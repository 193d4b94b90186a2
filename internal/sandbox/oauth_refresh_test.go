package sandbox

import (
	"errors"
	"testing"
)

// TestRevokeRefreshTokenOnly: HubSpot's revocation deletes the refresh
// token and nothing else; LookupRefresh sees it until then.
func TestRevokeRefreshTokenOnly(t *testing.T) {
	a, _ := newTestAuth(t, false)
	ts := login(t, a, "portal-1", true)
	if g, err := a.LookupRefresh(ts.RefreshToken); err != nil || g.Subject != "portal-1" {
		t.Fatalf("LookupRefresh: %+v, %v", g, err)
	}
	if _, err := a.LookupRefresh(ts.AccessToken); !errors.Is(err, ErrTokenUnknown) {
		t.Fatalf("LookupRefresh of an access token: %v", err)
	}
	if _, ok := a.RevokeRefreshToken(ts.RefreshToken); !ok {
		t.Fatal("RevokeRefreshToken: not live")
	}
	if _, ok := a.RevokeRefreshToken(ts.RefreshToken); ok {
		t.Fatal("RevokeRefreshToken twice: still live")
	}
	if _, err := a.Refresh("native", ts.RefreshToken); err == nil {
		t.Fatal("refresh with a revoked refresh token worked")
	}
	if _, err := a.LookupRefresh(ts.RefreshToken); !errors.Is(err, ErrTokenUnknown) {
		t.Fatalf("LookupRefresh after revoke: %v", err)
	}
	if _, err := a.Lookup(ts.AccessToken); err != nil {
		t.Fatalf("access token after revoking the refresh token: %v", err)
	}
}
