package xero

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox/sandboxtest"
)

// testStart is the provider clock's start in tests: fixed, so generated
// data is the same in every run.
var testStart = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

// allReadScopes is what a reporting app asks for: every read scope the
// sandbox serves, broad form, plus offline_access for a refresh token.
const allReadScopes = "openid profile email offline_access accounting.transactions.read accounting.contacts.read " +
	"accounting.settings.read accounting.reports.read accounting.journals.read accounting.attachments.read"

// testEnv is a sandbox Xero on a real loopback HTTP server, with a client
// that signs in through the consent form the way the demo does.
type testEnv struct {
	srv    *Server
	base   string
	client *http.Client
}

// newTestEnv starts a demo-sized sandbox with a frozen clock and limits
// off; edit adjusts the configuration first.
func newTestEnv(t testing.TB, edit func(*Config)) *testEnv {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Seed = 7
	cfg.Start = testStart
	cfg.TimeScale = 0
	cfg.LimitsOff = true
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, client := sandboxtest.Serve(t, srv.Handler())
	return &testEnv{srv: srv, base: base, client: client}
}

// tokens is a token endpoint answer.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

// signIn runs the authorization-code flow with PKCE as the first sandbox
// user, approving the consent form for the given tenants ("*" for all),
// and returns the token set.
func (e *testEnv) signIn(t testing.TB, scope string, tenants ...string) tokens {
	t.Helper()
	verifier, challenge := sandboxtest.PKCE()
	form := url.Values{
		"response_type":         {"code"},
		"client_id":             {PublicClientID},
		"redirect_uri":          {"http://127.0.0.1:9/callback"},
		"scope":                 {scope},
		"state":                 {"st-123"},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
		"action":                {"allow"},
	}
	form["tenant"] = tenants
	code := sandboxtest.Authorize(t, e.client, e.base+"/identity/connect/authorize", form)
	var tok tokens
	sandboxtest.Exchange(t, e.client, e.base+"/connect/token", url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {PublicClientID},
		"code":          {code},
		"redirect_uri":  {"http://127.0.0.1:9/callback"},
		"code_verifier": {verifier},
	}, &tok)
	return tok
}

// get calls the Accounting API (path relative to /api.xro/2.0/) for a
// tenant and returns the response with its body read.
func (e *testEnv) get(t testing.TB, access, tenant, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.base+"/api.xro/2.0/"+strings.TrimPrefix(path, "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	if tenant != "" {
		req.Header.Set("Xero-Tenant-Id", tenant)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp, body
}
