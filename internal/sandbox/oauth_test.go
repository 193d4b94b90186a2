package sandbox

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

var oauthStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	testRedirect = "http://127.0.0.1/callback"
	testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier"
)

func newTestAuth(t *testing.T, rotate bool) (*AuthServer, *Clock) {
	t.Helper()
	clock := NewClock(oauthStart, 0)
	a := NewAuthServer(clock, OAuthConfig{
		AccessTokenTTL:      30 * time.Minute,
		RefreshTokenTTL:     60 * 24 * time.Hour,
		RefreshGrace:        30 * time.Minute,
		RotateRefreshTokens: rotate,
	})
	for _, c := range []Client{
		{ID: "native", RedirectURIs: []string{testRedirect, "http://localhost/cb", "http://[::1]/cb"}},
		{ID: "web", Secret: "s3cret", RedirectURIs: []string{"https://app.example/cb"}},
		{ID: "odd", Secret: "p@ss:w rd%", RedirectURIs: []string{"https://app.example/cb"}},
	} {
		if err := a.RegisterClient(c); err != nil {
			t.Fatal(err)
		}
	}
	return a, clock
}

// login issues a code to the native client and redeems it.
func login(t *testing.T, a *AuthServer, subject string, offline bool) TokenSet {
	t.Helper()
	code, err := a.IssueCode(CodeRequest{
		ClientID: "native", RedirectURI: testRedirect,
		Challenge: S256Challenge(testVerifier), ChallengeMethod: "S256",
		Subject: subject, Scopes: []string{"a", "b"}, Offline: offline, Payload: "event-1",
	})
	if err != nil {
		t.Fatalf("IssueCode: %v", err)
	}
	ts, err := a.ExchangeCode("native", code, testRedirect, testVerifier)
	if err != nil {
		t.Fatalf("ExchangeCode: %v", err)
	}
	return ts
}

func wantOAuthCode(t *testing.T, err error, code string) {
	t.Helper()
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != code {
		t.Fatalf("error = %v, want OAuth %s", err, code)
	}
}

func TestOAuthRedirectMatching(t *testing.T) {
	c := Client{ID: "x", RedirectURIs: []string{"http://127.0.0.1/callback", "http://localhost/cb", "http://[::1]/cb", "https://app.example/cb"}}
	tests := []struct {
		uri  string
		want bool
	}{
		{"http://127.0.0.1/callback", true},
		{"http://127.0.0.1:53682/callback", true}, // any port on loopback (RFC 8252)
		{"http://localhost:8080/cb", true},
		{"http://[::1]:9000/cb", true},
		{"https://app.example/cb", true},
		{"https://app.example:8443/cb", false}, // ports matter off loopback
		{"http://127.0.0.1:53682/other", false},
		{"http://127.0.0.1:53682/callback?x=1", false},
		{"http://127.0.0.1:53682/callback#frag", false},
		{"http://localhost:53682/callback", false}, // host must be the registered one
		{"https://127.0.0.1:53682/callback", false},
		{"http://user@127.0.0.1:1/callback", false},
		{"http://127.0.0.2:53682/callback", false},
		{"", false},
		{"::not a url", false},
	}
	for _, tt := range tests {
		if got := c.AllowsRedirect(tt.uri); got != tt.want {
			t.Errorf("AllowsRedirect(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
}

func TestOAuthCheckChallenge(t *testing.T) {
	public, confidential := Client{ID: "p"}, Client{ID: "c", Secret: "s"}
	good := S256Challenge(testVerifier)
	tests := []struct {
		name              string
		c                 Client
		challenge, method string
		wantErr           bool
	}{
		{"public S256", public, good, "S256", false},
		{"public without PKCE", public, "", "", true},
		{"confidential without PKCE", confidential, "", "", false},
		{"confidential S256", confidential, good, "S256", false},
		{"plain refused", public, testVerifier, "plain", true},
		{"method defaults to plain", public, good, "", true},
		{"lower-case method", public, good, "s256", true},
		{"method without challenge", public, "", "S256", true},
		{"short challenge", public, "abc", "S256", true},
		{"bad characters", public, strings.Repeat("+", 43), "S256", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckChallenge(tt.c, tt.challenge, tt.method)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckChallenge = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && err.Code != ErrCodeInvalidRequest {
				t.Fatalf("code = %s, want invalid_request", err.Code)
			}
		})
	}
}

func TestOAuthAuthenticateClient(t *testing.T) {
	a, _ := newTestAuth(t, true)
	tests := []struct {
		name       string
		basic      [2]string // user, password; empty user: no header
		header     string    // raw Authorization header, overrides basic
		body       string
		wantClient string
		wantCode   string
	}{
		{name: "basic", basic: [2]string{"web", "s3cret"}, wantClient: "web"},
		{name: "basic url-encoded", basic: [2]string{"odd", "p@ss:w rd%"}, wantClient: "odd"},
		{name: "basic and same body client_id", basic: [2]string{"web", "s3cret"}, body: "client_id=web", wantClient: "web"},
		{name: "body secret", body: "client_id=web&client_secret=s3cret", wantClient: "web"},
		{name: "public by id", body: "client_id=native", wantClient: "native"},
		{name: "public basic, empty secret", basic: [2]string{"native", ""}, wantClient: "native"},
		{name: "wrong secret", basic: [2]string{"web", "nope"}, wantCode: ErrCodeInvalidClient},
		{name: "confidential without secret", body: "client_id=web", wantCode: ErrCodeInvalidClient},
		{name: "public with a secret", body: "client_id=native&client_secret=x", wantCode: ErrCodeInvalidClient},
		{name: "unknown client", basic: [2]string{"who", "x"}, wantCode: ErrCodeInvalidClient},
		{name: "no client", body: "grant_type=x", wantCode: ErrCodeInvalidClient},
		{name: "two methods", basic: [2]string{"web", "s3cret"}, body: "client_secret=s3cret", wantCode: ErrCodeInvalidRequest},
		{name: "ids differ", basic: [2]string{"web", "s3cret"}, body: "client_id=native", wantCode: ErrCodeInvalidClient},
		{name: "bearer header", header: "Bearer abc", body: "client_id=native", wantCode: ErrCodeInvalidClient},
		{name: "malformed basic", header: "Basic !!!", wantCode: ErrCodeInvalidClient},
		{name: "bad form", body: "client_id=%zz", wantCode: ErrCodeInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic[0] != "" {
				r.SetBasicAuth(url.QueryEscape(tt.basic[0]), url.QueryEscape(tt.basic[1]))
			}
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			c, err := a.AuthenticateClient(r)
			if tt.wantCode != "" {
				wantOAuthCode(t, err, tt.wantCode)
				return
			}
			if err != nil || c.ID != tt.wantClient {
				t.Fatalf("AuthenticateClient = %q, %v; want %q", c.ID, err, tt.wantClient)
			}
		})
	}
}

func TestOAuthCodeExchange(t *testing.T) {
	a, clock := newTestAuth(t, true)
	issue := func() string {
		code, err := a.IssueCode(CodeRequest{ClientID: "native", RedirectURI: testRedirect,
			Challenge: S256Challenge(testVerifier), ChallengeMethod: "S256", Subject: "u1", Scopes: []string{"a"}, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	tests := []struct {
		name                     string
		client, redirect, verify string
		advance                  time.Duration
	}{
		{"wrong verifier", "native", testRedirect, testVerifier + "x", 0},
		{"missing verifier", "native", testRedirect, "", 0},
		{"malformed verifier", "native", testRedirect, "short", 0},
		{"other client", "web", testRedirect, testVerifier, 0},
		{"other redirect", "native", "http://127.0.0.1:9/callback", testVerifier, 0},
		{"expired", "native", testRedirect, testVerifier, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := issue()
			clock.Advance(tt.advance)
			_, err := a.ExchangeCode(tt.client, code, tt.redirect, tt.verify)
			wantOAuthCode(t, err, ErrCodeInvalidGrant)
		})
	}
	if _, err := a.ExchangeCode("native", "no-such-code", testRedirect, testVerifier); err == nil {
		t.Fatal("unknown code accepted")
	}

	t.Run("failed attempt does not use the code up", func(t *testing.T) {
		code := issue()
		if _, err := a.ExchangeCode("native", code, testRedirect, "wrong-"+testVerifier); err == nil {
			t.Fatal("wrong verifier accepted")
		}
		if _, err := a.ExchangeCode("native", code, testRedirect, testVerifier); err != nil {
			t.Fatalf("right verifier after a wrong one: %v", err)
		}
	})

	t.Run("reuse fails and revokes the token set", func(t *testing.T) {
		code := issue()
		ts, err := a.ExchangeCode("native", code, testRedirect, testVerifier)
		if err != nil {
			t.Fatal(err)
		}
		if g, err := a.Lookup(ts.AccessToken); err != nil || g.Subject != "u1" || !g.ScopeSet["a"] {
			t.Fatalf("Lookup = %+v, %v", g, err)
		}
		_, err = a.ExchangeCode("native", code, testRedirect, testVerifier)
		wantOAuthCode(t, err, ErrCodeInvalidGrant)
		if _, err := a.Lookup(ts.AccessToken); !errors.Is(err, ErrTokenUnknown) {
			t.Fatalf("access token after code reuse: %v, want ErrTokenUnknown", err)
		}
		_, err = a.Refresh("native", ts.RefreshToken)
		wantOAuthCode(t, err, ErrCodeInvalidGrant)
	})
}

func TestOAuthRefreshRotation(t *testing.T) {
	a, clock := newTestAuth(t, true)
	ts := login(t, a, "u1", true)
	if ts.RefreshToken == "" || ts.ExpiresIn != 30*time.Minute || ts.Grant.Payload != "event-1" {
		t.Fatalf("login = %+v", ts)
	}
	r0 := ts.RefreshToken
	t1, err := a.Refresh("native", r0)
	if err != nil || t1.RefreshToken == r0 || t1.AccessToken == ts.AccessToken {
		t.Fatalf("first refresh = %+v, %v: want a new pair", t1, err)
	}
	// Lost response: r0 is still good within the grace period, and what it
	// returns replaces t1's refresh token, which is dead from then on.
	clock.Advance(29 * time.Minute)
	t2, err := a.Refresh("native", r0)
	if err != nil {
		t.Fatalf("previous token within grace: %v", err)
	}
	_, err = a.Refresh("native", t1.RefreshToken)
	wantOAuthCode(t, err, ErrCodeInvalidGrant)
	clock.Advance(2 * time.Minute)
	_, err = a.Refresh("native", r0)
	wantOAuthCode(t, err, ErrCodeInvalidGrant)
	t3, err := a.Refresh("native", t2.RefreshToken)
	if err != nil {
		t.Fatalf("current token: %v", err)
	}
	_, err = a.Refresh("web", t3.RefreshToken)
	wantOAuthCode(t, err, ErrCodeInvalidGrant)

	// Idle expiry: the newest token dies RefreshTokenTTL after it was issued.
	clock.Advance(60*24*time.Hour - time.Second)
	t4, err := a.Refresh("native", t3.RefreshToken)
	if err != nil {
		t.Fatalf("refresh a second before idle expiry: %v", err)
	}
	clock.Advance(60 * 24 * time.Hour)
	_, err = a.Refresh("native", t4.RefreshToken)
	wantOAuthCode(t, err, ErrCodeInvalidGrant)
}

func TestOAuthNonRotatingRefresh(t *testing.T) {
	a, clock := newTestAuth(t, false)
	ts := login(t, a, "u1", true)
	for i := 0; i < 3; i++ {
		clock.Advance(50 * 24 * time.Hour) // each use restarts the idle clock
		next, err := a.Refresh("native", ts.RefreshToken)
		if err != nil || next.RefreshToken != ts.RefreshToken {
			t.Fatalf("refresh %d = %q, %v: want the same refresh token back", i, next.RefreshToken, err)
		}
	}
}

func TestOAuthOfflineOnly(t *testing.T) {
	a, _ := newTestAuth(t, true)
	if ts := login(t, a, "u1", false); ts.RefreshToken != "" {
		t.Fatalf("refresh token issued without offline access")
	}
}

func TestOAuthAccessExpiryAndRevocation(t *testing.T) {
	a, clock := newTestAuth(t, true)
	ts := login(t, a, "u1", true)
	clock.Advance(30 * time.Minute)
	var expired *TokenExpiredError
	if _, err := a.Lookup(ts.AccessToken); !errors.As(err, &expired) || !expired.At.Equal(oauthStart.Add(30*time.Minute)) {
		t.Fatalf("Lookup after TTL = %v, want expiry at +30m", err)
	}
	fresh, err := a.Refresh("native", ts.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.ExpireAccessTokens(); n != 1 {
		t.Fatalf("ExpireAccessTokens = %d, want 1", n)
	}
	if _, err := a.Lookup(fresh.AccessToken); !errors.As(err, &expired) {
		t.Fatalf("Lookup after ExpireAccessTokens = %v", err)
	}
	other := login(t, a, "u1", true)
	if _, ok := a.Revoke("web", other.RefreshToken); ok {
		t.Fatal("another client revoked the token")
	}
	if g, ok := a.Revoke("native", other.RefreshToken); !ok || g.Subject != "u1" {
		t.Fatalf("Revoke = %+v, %v", g, ok)
	}
	if _, err := a.Lookup(other.AccessToken); !errors.Is(err, ErrTokenUnknown) {
		t.Fatalf("access token of a revoked set: %v", err)
	}
	// The first set is a different family: RevokeSubject takes it too.
	if n := a.RevokeSubject("native", "u1"); n != 1 {
		t.Fatalf("RevokeSubject = %d, want 1", n)
	}
	_, err = a.Refresh("native", fresh.RefreshToken)
	wantOAuthCode(t, err, ErrCodeInvalidGrant)
}

// Two holders of one refresh token refreshing at once (X16): every call
// succeeds within the grace period, but only one resulting refresh token
// survives, so the losers' next refresh fails.
func TestOAuthConcurrentRefresh(t *testing.T) {
	a, _ := newTestAuth(t, true)
	ts := login(t, a, "u1", true)
	const n = 16
	results := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := a.Refresh("native", ts.RefreshToken)
			if err != nil {
				t.Errorf("concurrent refresh: %v", err)
				return
			}
			results[i] = got.RefreshToken
			a.Lookup(got.AccessToken)
		}()
	}
	wg.Wait()
	alive := 0
	for _, r := range results {
		if _, err := a.Refresh("native", r); err == nil {
			alive++
		}
	}
	if alive != 1 {
		t.Fatalf("%d of %d rotated refresh tokens still work, want exactly 1", alive, n)
	}
}

func TestOAuthSweep(t *testing.T) {
	a, clock := newTestAuth(t, true)
	first := login(t, a, "u1", false)
	clock.Advance(61 * 24 * time.Hour)
	for range sweepEvery {
		login(t, a, "u2", false)
	}
	a.mu.RLock()
	_, kept := a.access[first.AccessToken]
	n := len(a.access)
	a.mu.RUnlock()
	if kept || n > sweepEvery+1 {
		t.Fatalf("after a sweep: old token kept %v, %d access tokens", kept, n)
	}
}

func TestOAuthRegisterClient(t *testing.T) {
	a, _ := newTestAuth(t, true)
	for _, c := range []Client{
		{},
		{ID: "x", RedirectURIs: []string{"/relative"}},
		{ID: "x", RedirectURIs: []string{"http://127.0.0.1/cb#frag"}},
	} {
		if err := a.RegisterClient(c); err == nil {
			t.Errorf("RegisterClient(%+v) accepted", c)
		}
	}
	if _, err := a.CheckRedirect("nope", testRedirect); !errors.Is(err, ErrUnknownClient) {
		t.Errorf("CheckRedirect(unknown) = %v", err)
	}
	if _, err := a.CheckRedirect("native", "https://evil.example/cb"); !errors.Is(err, ErrRedirectURI) {
		t.Errorf("CheckRedirect(evil) = %v", err)
	}
}

func TestOAuthScopeList(t *testing.T) {
	got := strings.Join(ScopeList("  openid  b a\tb openid "), ",")
	if got != "openid,b,a" {
		t.Fatalf("ScopeList = %q", got)
	}
	if !ValidVerifier(testVerifier) || ValidVerifier(strings.Repeat("a", 42)) || ValidVerifier(strings.Repeat("a", 129)) || ValidVerifier(strings.Repeat("a", 42)+"=") {
		t.Fatal("ValidVerifier misjudges lengths or characters")
	}
	// RFC 7636 Appendix B's example.
	if got := S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("S256Challenge = %s", got)
	}
}
