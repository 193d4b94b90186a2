package oauth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/sandbox/xero"
)

// The sandbox Xero is the ground truth for these tests: a real OAuth
// server with PKCE, rotating refresh tokens and Xero's 30-minute grace.

// sandboxStart is the sandbox clock's fixed start, so runs are repeatable.
var sandboxStart = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

const sandboxScopes = "openid offline_access accounting.settings.read accounting.transactions.read"

// sandboxEnv is a sandbox Xero on a loopback server whose token endpoint
// calls are counted.
type sandboxEnv struct {
	srv        *xero.Server
	base       string
	tokenCalls atomic.Int64
}

func newSandbox(t *testing.T) *sandboxEnv {
	t.Helper()
	cfg := xero.DefaultConfig()
	cfg.Start = sandboxStart
	cfg.TimeScale = 0 // frozen: only Advance moves provider time
	cfg.LimitsOff = true
	srv, err := xero.New(cfg)
	if err != nil {
		t.Fatalf("xero.New: %v", err)
	}
	env := &sandboxEnv{srv: srv}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/connect/token" {
			env.tokenCalls.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	env.base = hs.URL
	return env
}

// spec is the sandbox's OAuth spec for the public (PKCE) client, or for
// the web client with its secret.
func (e *sandboxEnv) spec(web bool) provider.OAuthSpec {
	s := provider.OAuthSpec{
		AuthURL:              e.base + "/identity/connect/authorize",
		TokenURL:             e.base + "/connect/token",
		RevokeURL:            e.base + "/connect/revocation",
		ClientID:             xero.PublicClientID,
		Scopes:               strings.Fields(sandboxScopes),
		RotatesRefreshTokens: true,
	}
	if web {
		s.ClientID, s.ClientSecret = xero.WebClientID, xero.WebClientSecret
	}
	return s
}

// consentPage is what a consent Opener saw at the end of the redirects:
// the loopback listener's page.
type consentPage struct {
	status int
	body   string
	err    error
}

// consentOpener acts as the browser: it GETs the consent page, then POSTs
// the consent form with action (allow or deny) for every organisation, as
// the comment in sandbox/xero/consent.go describes, and follows the
// redirect to the loopback listener. What it ends on goes to pages.
func consentOpener(action string, pages chan<- consentPage) Opener {
	return func(ctx context.Context, authURL string) error {
		page := runConsent(ctx, authURL, action)
		pages <- page
		return nil
	}
}

func runConsent(ctx context.Context, authURL, action string) consentPage {
	// A browser lives on after Login returns: its requests must not end
	// with Login's context.
	ctx = context.WithoutCancel(ctx)
	hc := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return consentPage{err: err}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "wants access") {
		return consentPage{status: resp.StatusCode, body: string(b)}
	}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("action", action)
	form.Set("tenant", "*")
	u.RawQuery = ""
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = hc.Do(req)
	if err != nil {
		return consentPage{err: err}
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	return consentPage{status: resp.StatusCode, body: string(b)}
}

// signIn runs the whole loopback flow against the sandbox and returns the
// token set.
func (e *sandboxEnv) signIn(t *testing.T, c *Client) TokenSet {
	t.Helper()
	pages := make(chan consentPage, 1)
	ts, err := c.Login(context.Background(), LoginOptions{Opener: consentOpener("allow", pages), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	<-pages
	return ts
}

// connections calls GET /connections with token and returns the tenant ids
// and the HTTP status.
func (e *sandboxEnv) connections(t *testing.T, token string) ([]string, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.base+"/connections", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode
	}
	var conns []struct {
		TenantID string `json:"tenantId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&conns); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range conns {
		ids = append(ids, c.TenantID)
	}
	return ids, resp.StatusCode
}

// organisation calls GET /api.xro/2.0/Organisation for tenant and returns
// the status.
func (e *sandboxEnv) organisation(ctx context.Context, token, tenant string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/api.xro/2.0/Organisation", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Xero-Tenant-Id", tenant)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
