package xero

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

var identityStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	testRedirectURI  = "http://127.0.0.1:53682/callback" // any port on loopback
	testCodeVerifier = "sandbox-test-verifier-0123456789-abcdefghijklmnop"
	scopedPath       = "/_test/invoices" // an endpoint behind the real pipeline, needing an invoices scope
)

// idSandbox is a sandbox served over HTTP with a client that does not
// follow redirects, so tests read the authorize step's Location.
type idSandbox struct {
	s  *Server
	ts *httptest.Server
	hc *http.Client
}

func newIDSandbox(t *testing.T) *idSandbox {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Size = "demo"
	cfg.Start = identityStart
	cfg.TimeScale = 0
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ensureTestWorld(s)
	s.mux.HandleFunc(scopedPath, s.api("TestInvoices", scopeInvoices, func(c *call) (int, []byte, *apiError) {
		return http.StatusOK, []byte(`{"Tenant":"` + c.org.ID + `"}`), nil
	}))
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	hc := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &idSandbox{s: s, ts: ts, hc: hc}
}

// ensureTestWorld gives the sandbox users and organisations while the
// generator is not there to make them.
func ensureTestWorld(s *Server) {
	w := s.World()
	if len(w.Users) > 0 {
		return
	}
	a := &Org{ID: "0f1c2b3a-4d5e-4f60-8a71-92b3c4d5e6f7", Name: "Sandbox Trading Ltd"}
	b := &Org{ID: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Name: "Sandbox Services Ltd"}
	w.Orgs = append(w.Orgs, a, b)
	w.Users = append(w.Users,
		&User{ID: "user-1", Email: "ada@example.com", Name: "Ada", OrgIDs: []string{a.ID, b.ID}},
		&User{ID: "user-2", Email: "bo@example.com", Name: "Bo", OrgIDs: []string{b.ID}})
}

// multiOrgUser returns a user who can reach several organisations.
func (x *idSandbox) multiOrgUser(t *testing.T) *User {
	t.Helper()
	for _, u := range x.s.World().Users {
		if len(u.OrgIDs) > 1 {
			return u
		}
	}
	t.Fatal("no user reaches several organisations")
	return nil
}

// soloUser adds and returns a user who reaches one organisation.
func (x *idSandbox) soloUser() *User {
	w := x.s.World()
	u := &User{ID: "test-solo", Email: "solo@example.com", Name: "Solo", OrgIDs: []string{w.Orgs[0].ID}}
	w.Users = append(w.Users, u)
	return u
}

func authParams(clientID, scope, state string) url.Values {
	v := url.Values{
		"response_type": {"code"},
		"client_id":     {clientID},
		"redirect_uri":  {testRedirectURI},
		"scope":         {scope},
		"state":         {state},
	}
	if clientID == PublicClientID {
		v.Set("code_challenge", sandbox.S256Challenge(testCodeVerifier))
		v.Set("code_challenge_method", "S256")
	}
	return v
}

func (x *idSandbox) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := x.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (x *idSandbox) postForm(t *testing.T, path string, form url.Values, basic ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, x.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	return x.do(t, req)
}

// consent POSTs the consent form the way the demo does and returns where
// the user is sent.
func (x *idSandbox) consent(t *testing.T, params url.Values, userID, action string, tenants ...string) *url.URL {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("user", userID)
	form.Set("action", action)
	form["tenant"] = tenants
	resp, body := x.postForm(t, authorizePath, form)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent: %d %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// token calls /connect/token and decodes either answer.
func (x *idSandbox) token(t *testing.T, form url.Values, basic ...string) (int, tokenJSON, map[string]any) {
	t.Helper()
	resp, body := x.postForm(t, "/connect/token", form, basic...)
	if ct := resp.Header.Get("Content-Type"); ct != contentJSON {
		t.Fatalf("token endpoint content type %q: %s", ct, body)
	}
	var tok tokenJSON
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("token endpoint body %q: %v", body, err)
	}
	json.Unmarshal(body, &tok)
	return resp.StatusCode, tok, raw
}

// login runs the whole PKCE flow for user and returns the token set.
func (x *idSandbox) login(t *testing.T, userID, scope string, tenants ...string) tokenJSON {
	t.Helper()
	loc := x.consent(t, authParams(PublicClientID, scope, "s"), userID, "allow", tenants...)
	status, tok, raw := x.token(t, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {loc.Query().Get("code")},
		"redirect_uri":  {testRedirectURI},
		"client_id":     {PublicClientID},
		"code_verifier": {testCodeVerifier},
	})
	if status != http.StatusOK {
		t.Fatalf("code exchange: %d %v", status, raw)
	}
	return tok
}

func (x *idSandbox) refresh(t *testing.T, rt string) (int, tokenJSON, map[string]any) {
	t.Helper()
	return x.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}})
}

// call makes a request with a bearer token (and a tenant, if given).
func (x *idSandbox) call(t *testing.T, method, path, authz, tenant string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, x.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if tenant != "" {
		req.Header.Set("Xero-Tenant-Id", tenant)
	}
	req.Header.Set("Accept", "application/json")
	return x.do(t, req)
}

func (x *idSandbox) connections(t *testing.T, access, query string) []connectionJSON {
	t.Helper()
	resp, body := x.call(t, http.MethodGet, "/connections"+query, "Bearer "+access, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /connections: %d %s", resp.StatusCode, body)
	}
	var out []connectionJSON
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("GET /connections body %s: %v", body, err)
	}
	return out
}

// wantProblem checks one of Xero's 401/403 problem bodies.
func wantProblem(t *testing.T, resp *http.Response, body []byte, status int, detail string) {
	t.Helper()
	var p struct {
		Type     any
		Title    string
		Status   int
		Detail   string
		Instance string
	}
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != contentJSON {
		t.Fatalf("got %d %q %s, want %d JSON", resp.StatusCode, resp.Header.Get("Content-Type"), body, status)
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != status || p.Detail != detail || p.Type != nil || p.Instance == "" {
		t.Fatalf("body %s, want Status %d Detail %q", body, status, detail)
	}
}

func wantOAuthError(t *testing.T, status int, raw map[string]any, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || raw["error"] != code {
		t.Fatalf("got %d %v, want %d error=%s", status, raw, wantStatus, code)
	}
}

func TestIdentityPKCEFlow(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	params := authParams(PublicClientID, "openid profile email accounting.transactions.read offline_access", "xyz-123")

	// The consent page: users, scopes in words, the organisation picker.
	resp, page := x.call(t, http.MethodGet, authorizePath+"?"+params.Encode(), "", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentHTML {
		t.Fatalf("consent page: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	html := string(page)
	for _, want := range []string{`name="user"`, `name="tenant"`, `type="checkbox"`, `name="action" value="allow"`, `name="action" value="deny"`,
		"View your business transactions", "Keep access while you are away", user.Name} {
		if !strings.Contains(html, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(html, testRedirectURI, ""), banned) {
			t.Errorf("consent page contains %q (no scripts, no external resources)", banned)
		}
	}
	// The inline stylesheet is allowed by its hash and nothing else is.
	css := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(html)
	sum := sha256.Sum256([]byte(css[1]))
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") ||
		!strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("CSP %q does not allow the page's stylesheet by hash", csp)
	}

	loc := x.consent(t, params, user.ID, "allow", user.OrgIDs...)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirectURI {
		t.Fatalf("redirected to %s", loc)
	}
	if loc.Query().Get("state") != "xyz-123" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect query %q: want code and state", loc.RawQuery)
	}
	status, tok, raw := x.token(t, url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {testRedirectURI},
		"client_id": {PublicClientID}, "code_verifier": {testCodeVerifier},
	})
	if status != http.StatusOK || tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 1800 ||
		tok.Scope != "openid profile email accounting.transactions.read offline_access" {
		t.Fatalf("token response %d %v", status, raw)
	}
	if _, ok := raw["id_token"]; ok {
		t.Error("id_token sent; the sandbox omits it")
	}
	conns := x.connections(t, tok.AccessToken, "")
	if len(conns) != len(user.OrgIDs) {
		t.Fatalf("%d connections, want %d", len(conns), len(user.OrgIDs))
	}
	for _, c := range conns {
		resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, c.TenantID)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("API call for %s: %d %s", c.TenantName, resp.StatusCode, body)
		}
	}
}

func TestIdentityBasicAuthFlow(t *testing.T) {
	x := newIDSandbox(t)
	solo := x.soloUser()
	// A confidential client needs no PKCE; one organisation needs no tenant field.
	loc := x.consent(t, authParams(WebClientID, "accounting.invoices.read", "st"), solo.ID, "allow")
	code := loc.Query().Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}}

	tests := []struct {
		name       string
		basic      []string
		wantStatus int
		wantError  string
	}{
		{"wrong secret", []string{WebClientID, "nope"}, 401, "invalid_client"},
		{"no authentication", nil, 401, "invalid_client"},
		{"unknown client", []string{"someone", WebClientSecret}, 401, "invalid_client"},
		{"public client cannot take it", []string{PublicClientID, ""}, 400, "invalid_grant"},
		{"right secret", []string{WebClientID, WebClientSecret}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, tok, raw := x.token(t, form, tt.basic...)
			if tt.wantError != "" {
				wantOAuthError(t, status, raw, tt.wantStatus, tt.wantError)
				return
			}
			if status != 200 || tok.RefreshToken != "" || tok.Scope != "accounting.invoices.read" {
				t.Fatalf("token response %d %v (no offline_access: no refresh token)", status, raw)
			}
			resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, solo.OrgIDs[0])
			if resp.StatusCode != 200 {
				t.Fatalf("API call: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestIdentityAuthorizeErrors(t *testing.T) {
	x := newIDSandbox(t)
	tests := []struct {
		name      string
		edit      func(url.Values)
		wantError string // "" with page true: an HTML error page
		page      bool
	}{
		{name: "unknown client", edit: func(v url.Values) { v.Set("client_id", "nobody") }, page: true},
		{name: "missing client", edit: func(v url.Values) { v.Del("client_id") }, page: true},
		{name: "foreign redirect", edit: func(v url.Values) { v.Set("redirect_uri", "https://evil.example/callback") }, page: true},
		{name: "missing redirect", edit: func(v url.Values) { v.Del("redirect_uri") }, page: true},
		{name: "other loopback path", edit: func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:1/elsewhere") }, page: true},
		{name: "missing response_type", edit: func(v url.Values) { v.Del("response_type") }, wantError: "invalid_request"},
		{name: "implicit flow", edit: func(v url.Values) { v.Set("response_type", "token") }, wantError: "unsupported_response_type"},
		{name: "unknown scope", edit: func(v url.Values) { v.Set("scope", "openid accounting.everything") }, wantError: "invalid_scope"},
		{name: "restricted scope", edit: func(v url.Values) { v.Set("scope", "paymentservices") }, wantError: "invalid_scope"},
		{name: "read form of a read-only scope", edit: func(v url.Values) { v.Set("scope", "accounting.journals") }, wantError: "invalid_scope"},
		{name: "no scope", edit: func(v url.Values) { v.Del("scope") }, wantError: "invalid_scope"},
		{name: "plain PKCE", edit: func(v url.Values) { v.Set("code_challenge", testCodeVerifier); v.Set("code_challenge_method", "plain") }, wantError: "invalid_request"},
		{name: "no PKCE for a public client", edit: func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := authParams(PublicClientID, "openid accounting.contacts.read", "state-"+tt.name)
			tt.edit(params)
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				var resp *http.Response
				var body []byte
				if method == http.MethodGet {
					resp, body = x.call(t, method, authorizePath+"?"+params.Encode(), "", "")
				} else {
					form := url.Values{"action": {"allow"}, "tenant": {"*"}}
					for k, v := range params {
						form[k] = v
					}
					resp, body = x.postForm(t, authorizePath, form)
				}
				if tt.page {
					if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
						t.Fatalf("%s: %d Location=%q: want an HTML error page, never a redirect", method, resp.StatusCode, resp.Header.Get("Location"))
					}
					continue
				}
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != tt.wantError || loc.Query().Get("state") != "state-"+tt.name || loc.Query().Has("code") {
					t.Fatalf("%s: %d %q %s: want redirect with error=%s and the state", method, resp.StatusCode, loc, body, tt.wantError)
				}
			}
		})
	}

	t.Run("no state sent, none returned", func(t *testing.T) {
		params := authParams(PublicClientID, "accounting.contacts.read", "")
		params.Del("state")
		loc := x.consent(t, params, x.multiOrgUser(t).ID, "allow", "*")
		if loc.Query().Has("state") || loc.Query().Get("code") == "" {
			t.Fatalf("redirect %s", loc)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		resp, _ := x.call(t, http.MethodPut, authorizePath, "", "")
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("PUT authorize: %d", resp.StatusCode)
		}
	})
}

func TestIdentityConsentForm(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	params := authParams(PublicClientID, "accounting.contacts.read", "st-deny")

	t.Run("deny", func(t *testing.T) {
		loc := x.consent(t, params, user.ID, "deny")
		if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-deny" || loc.Query().Has("code") {
			t.Fatalf("deny redirect %s", loc)
		}
		if n := len(x.s.ident.conns); n != 0 {
			t.Fatalf("%d connections after a denied consent", n)
		}
	})

	tests := []struct {
		name    string
		user    string
		action  string
		tenants []string
		want    string // on the page shown again with 400
	}{
		{"no action", user.ID, "", []string{"*"}, "Choose Allow access or Cancel"},
		{"no organisation picked", user.ID, "allow", nil, "Pick at least one organisation"},
		{"organisation out of reach", user.ID, "allow", []string{"00000000-0000-0000-0000-000000000000"}, "cannot connect organisation"},
		{"unknown user", "nobody", "allow", []string{"*"}, "There is no sandbox user nobody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"user": {tt.user}, "action": {tt.action}, "tenant": tt.tenants}
			for k, v := range params {
				form[k] = v
			}
			resp, body := x.postForm(t, authorizePath, form)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.want) || resp.Header.Get("Location") != "" {
				t.Fatalf("%d, page lacks %q", resp.StatusCode, tt.want)
			}
		})
	}

	t.Run("switch user on the page", func(t *testing.T) {
		solo := x.soloUser()
		q := authParams(PublicClientID, "accounting.contacts.read", "s")
		q.Set("user", solo.ID)
		resp, body := x.call(t, http.MethodGet, authorizePath+"?"+q.Encode(), "", "")
		page := string(body)
		if resp.StatusCode != 200 || strings.Contains(page, `type="checkbox"`) || !strings.Contains(page, `value="`+solo.ID+`" selected`) {
			t.Fatalf("page for a one-organisation user: %d, picker shown or user not selected", resp.StatusCode)
		}
	})

	t.Run("cross-site POST refused", func(t *testing.T) {
		form := url.Values{"user": {user.ID}, "action": {"allow"}, "tenant": {"*"}}
		for k, v := range params {
			form[k] = v
		}
		req, _ := http.NewRequest(http.MethodPost, x.ts.URL+authorizePath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, _ := x.do(t, req)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site consent: %d", resp.StatusCode)
		}
	})
}

func TestIdentityTokenErrors(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	newCode := func() string {
		return x.consent(t, authParams(PublicClientID, "accounting.invoices.read offline_access", "s"), user.ID, "allow", "*").Query().Get("code")
	}
	exchange := func(code, verifier, redirect string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
			"client_id": {PublicClientID}, "code_verifier": {verifier}}
	}
	tests := []struct {
		name       string
		form       url.Values
		advance    time.Duration
		wantStatus int
		wantError  string
	}{
		{"wrong verifier", exchange(newCode(), testCodeVerifier+"-wrong", testRedirectURI), 0, 400, "invalid_grant"},
		{"missing verifier", exchange(newCode(), "", testRedirectURI), 0, 400, "invalid_grant"},
		{"other redirect", exchange(newCode(), testCodeVerifier, "http://127.0.0.1:9/callback"), 0, 400, "invalid_grant"},
		{"unknown code", exchange("not-a-code", testCodeVerifier, testRedirectURI), 0, 400, "invalid_grant"},
		{"expired code", exchange(newCode(), testCodeVerifier, testRedirectURI), 11 * time.Minute, 400, "invalid_grant"},
		{"missing code", url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {testRedirectURI}, "client_id": {PublicClientID}}, 0, 400, "invalid_request"},
		{"missing grant_type", url.Values{"client_id": {PublicClientID}}, 0, 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {PublicClientID}}, 0, 400, "unsupported_grant_type"},
		{"missing refresh_token", url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}}, 0, 400, "invalid_request"},
		{"unknown refresh_token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {PublicClientID}}, 0, 400, "invalid_grant"},
		{"no client", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, 0, 401, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x.s.Clock().Advance(tt.advance)
			status, _, raw := x.token(t, tt.form)
			wantOAuthError(t, status, raw, tt.wantStatus, tt.wantError)
		})
	}

	t.Run("code reuse", func(t *testing.T) {
		form := exchange(newCode(), testCodeVerifier, testRedirectURI)
		status, tok, raw := x.token(t, form)
		if status != 200 {
			t.Fatalf("first use: %d %v", status, raw)
		}
		status, _, raw = x.token(t, form)
		wantOAuthError(t, status, raw, 400, "invalid_grant")
		// A replayed code means it leaked: the token set it bought dies.
		resp, body := x.call(t, http.MethodGet, "/connections", "Bearer "+tok.AccessToken, "")
		wantProblem(t, resp, body, 401, "AuthenticationUnsuccessful")
	})

	t.Run("bad requests are never a 500", func(t *testing.T) {
		reqs := []struct {
			method, ctype, body string
			wantStatus          int
		}{
			{http.MethodGet, "", "", 405},
			{http.MethodPut, "application/x-www-form-urlencoded", "grant_type=refresh_token", 405},
			{http.MethodPost, "application/json", `{"grant_type":"refresh_token"}`, 401},
			{http.MethodPost, "application/x-www-form-urlencoded", "%%%", 400},
			{http.MethodPost, "application/x-www-form-urlencoded", "client_id=" + strings.Repeat("a", 70<<10), 400},
		}
		for _, rq := range reqs {
			req, _ := http.NewRequest(rq.method, x.ts.URL+"/connect/token", strings.NewReader(rq.body))
			if rq.ctype != "" {
				req.Header.Set("Content-Type", rq.ctype)
			}
			resp, body := x.do(t, req)
			var raw map[string]any
			if resp.StatusCode != rq.wantStatus || json.Unmarshal(body, &raw) != nil || raw["error"] == nil {
				t.Errorf("%s %s %.40q: %d %s, want %d with a JSON error", rq.method, rq.ctype, rq.body, resp.StatusCode, body, rq.wantStatus)
			}
		}
	})
}

func TestIdentityRefresh(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	clock := x.s.Clock()
	tok := x.login(t, user.ID, "accounting.invoices.read offline_access", "*")

	// Rotation: each refresh returns a new pair that works.
	status, t1, raw := x.refresh(t, tok.RefreshToken)
	if status != 200 || t1.RefreshToken == tok.RefreshToken || t1.AccessToken == tok.AccessToken || t1.Scope != tok.Scope || t1.ExpiresIn != 1800 {
		t.Fatalf("refresh: %d %v", status, raw)
	}
	if resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+t1.AccessToken, user.OrgIDs[0]); resp.StatusCode != 200 {
		t.Fatalf("refreshed access token: %d %s", resp.StatusCode, body)
	}
	// The previous refresh token still works within the 30-minute grace,
	// returning a fresh pair again.
	clock.Advance(29 * time.Minute)
	status, t2, raw := x.refresh(t, tok.RefreshToken)
	if status != 200 || t2.RefreshToken == t1.RefreshToken {
		t.Fatalf("previous token within grace: %d %v", status, raw)
	}
	// After the grace period it is dead.
	clock.Advance(2 * time.Minute)
	status, _, raw = x.refresh(t, tok.RefreshToken)
	wantOAuthError(t, status, raw, 400, "invalid_grant")

	// 60 days unused: the refresh token expires.
	status, t3, raw := x.refresh(t, t2.RefreshToken)
	if status != 200 {
		t.Fatalf("current token: %d %v", status, raw)
	}
	clock.Advance(60*24*time.Hour - time.Minute)
	status, t4, raw := x.refresh(t, t3.RefreshToken)
	if status != 200 {
		t.Fatalf("refresh after 59 days 23:59: %d %v", status, raw)
	}
	clock.Advance(60 * 24 * time.Hour)
	status, _, raw = x.refresh(t, t4.RefreshToken)
	wantOAuthError(t, status, raw, 400, "invalid_grant")
}

func TestIdentityAccessTokenExpiry(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	tok := x.login(t, user.ID, "accounting.invoices offline_access", "*")
	x.s.Clock().Advance(30*time.Minute - time.Second)
	if resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, user.OrgIDs[0]); resp.StatusCode != 200 {
		t.Fatalf("a second before expiry: %d %s", resp.StatusCode, body)
	}
	x.s.Clock().Advance(time.Second)
	resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, user.OrgIDs[0])
	wantProblem(t, resp, body, 401, "TokenExpired: token expired at 03/02/2026 09:30:00")
	resp, body = x.call(t, http.MethodGet, "/connections", "Bearer "+tok.AccessToken, "")
	wantProblem(t, resp, body, 401, "TokenExpired: token expired at 03/02/2026 09:30:00")

	// The token-expiry fault: every token dies at once, a refresh mends it.
	_, fresh, _ := x.refresh(t, tok.RefreshToken)
	x.s.Clock().Advance(5 * time.Minute)
	if n := x.s.ExpireAccessTokens(); n != 1 {
		t.Fatalf("ExpireAccessTokens = %d, want 1", n)
	}
	resp, body = x.call(t, http.MethodGet, scopedPath, "Bearer "+fresh.AccessToken, user.OrgIDs[0])
	wantProblem(t, resp, body, 401, "TokenExpired: token expired at 03/02/2026 09:35:00")
	_, again, _ := x.refresh(t, fresh.RefreshToken)
	if resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+again.AccessToken, user.OrgIDs[0]); resp.StatusCode != 200 {
		t.Fatalf("after refresh: %d %s", resp.StatusCode, body)
	}
}

func TestIdentityRevocation(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	first := x.login(t, user.ID, "accounting.invoices.read offline_access", user.OrgIDs[0])
	second := x.login(t, user.ID, "accounting.invoices.read offline_access", user.OrgIDs[1])
	if n := len(x.connections(t, second.AccessToken, "")); n != 2 {
		t.Fatalf("%d connections before revocation, want 2", n)
	}
	revoke := func(form url.Values, basic ...string) (*http.Response, []byte) {
		return x.postForm(t, "/connect/revocation", form, basic...)
	}
	if resp, _ := revoke(url.Values{"token": {first.RefreshToken}}); resp.StatusCode != 401 {
		t.Fatalf("revocation without client auth: %d", resp.StatusCode)
	}
	if resp, _ := revoke(url.Values{"client_id": {PublicClientID}}); resp.StatusCode != 400 {
		t.Fatalf("revocation without token: %d", resp.StatusCode)
	}
	if resp, _ := revoke(url.Values{"token": {"unknown"}, "client_id": {PublicClientID}}); resp.StatusCode != 200 {
		t.Fatalf("revoking an unknown token: %d, want 200 (RFC 7009)", resp.StatusCode)
	}
	if resp, body := revoke(url.Values{"token": {first.RefreshToken}, "client_id": {PublicClientID}}); resp.StatusCode != 200 {
		t.Fatalf("revocation: %d %s", resp.StatusCode, body)
	}
	// Every token set of the user for this app dies, with every connection.
	for _, tok := range []tokenJSON{first, second} {
		status, _, raw := x.refresh(t, tok.RefreshToken)
		wantOAuthError(t, status, raw, 400, "invalid_grant")
		resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, user.OrgIDs[0])
		wantProblem(t, resp, body, 401, "AuthenticationUnsuccessful")
	}
	again := x.login(t, user.ID, "accounting.invoices.read", user.OrgIDs[1])
	if conns := x.connections(t, again.AccessToken, ""); len(conns) != 1 || conns[0].TenantID != user.OrgIDs[1] {
		t.Fatalf("connections after revoking and consenting to one tenant: %+v", conns)
	}
	// Consent starts over: the scopes from before revocation are gone.
	if again.Scope != "accounting.invoices.read" || again.RefreshToken != "" {
		t.Fatalf("token after revocation: scope %q refresh %q", again.Scope, again.RefreshToken)
	}
}

func TestIdentityConnections(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	tok := x.login(t, user.ID, "accounting.invoices.read", "*")

	resp, body := x.call(t, http.MethodGet, "/connections", "Bearer "+tok.AccessToken, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != contentJSON || body[0] != '[' {
		t.Fatalf("GET /connections: %d %q %s: want a bare JSON array", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var raw []map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	date := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$`)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	fields := []string{"authEventId", "createdDateUtc", "id", "tenantId", "tenantName", "tenantType", "updatedDateUtc"}
	for _, c := range raw {
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, fields) {
			t.Fatalf("tenantConnection fields %v, want %v", keys, fields)
		}
		if c["tenantType"] != "ORGANISATION" || !date.MatchString(c["createdDateUtc"].(string)) || !date.MatchString(c["updatedDateUtc"].(string)) ||
			!uuid.MatchString(c["id"].(string)) || !uuid.MatchString(c["authEventId"].(string)) {
			t.Fatalf("tenantConnection %v", c)
		}
	}
	conns := x.connections(t, tok.AccessToken, "")
	if conns[0].CreatedDateUTC != "2026-03-02T09:00:00.0000000" {
		t.Fatalf("createdDateUtc %q, want the provider clock's time", conns[0].CreatedDateUTC)
	}
	if alias := x.connections(t, tok.AccessToken, "?authEventId="+conns[0].AuthEventID); len(alias) != len(conns) {
		t.Fatalf("filter by the consent's authEventId: %d of %d", len(alias), len(conns))
	}

	// Consenting again to one tenant keeps its connection, moves
	// updatedDateUtc and gives it the new consent's authEventId.
	x.s.Clock().Advance(time.Hour + 1234567*time.Nanosecond)
	again := x.login(t, user.ID, "accounting.invoices.read", conns[0].TenantID)
	after := x.connections(t, again.AccessToken, "")
	if len(after) != len(conns) || after[0].ID != conns[0].ID || after[0].CreatedDateUTC != conns[0].CreatedDateUTC ||
		after[0].UpdatedDateUTC != "2026-03-02T10:00:00.0012345" || after[0].AuthEventID == conns[0].AuthEventID {
		t.Fatalf("after re-consent %+v, before %+v", after, conns)
	}
	if only := x.connections(t, again.AccessToken, "?authEventId="+after[0].AuthEventID); len(only) != 1 {
		t.Fatalf("authEventId filter after re-consent: %d connections, want 1", len(only))
	}
	resp, body = x.call(t, http.MethodGet, "/Connections?authEventId=00000000-0000-0000-0000-000000000000", "Bearer "+again.AccessToken, "")
	if resp.StatusCode != 200 || string(body) != "[]" {
		t.Fatalf("/Connections with no match: %d %s, want 200 []", resp.StatusCode, body)
	}
	// Another user's connections are not this token's.
	other := x.soloUser()
	otherTok := x.login(t, other.ID, "accounting.invoices.read")
	if n := len(x.connections(t, otherTok.AccessToken, "")); n != 1 {
		t.Fatalf("solo user sees %d connections, want 1", n)
	}
}

func TestIdentityDeleteConnection(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	tok := x.login(t, user.ID, "accounting.invoices.read", "*")
	conns := x.connections(t, tok.AccessToken, "")
	gone, kept := conns[0], conns[1]
	bearer := "Bearer " + tok.AccessToken

	tests := []struct {
		name, id   string
		wantStatus int
	}{
		{"tenantId instead of id", gone.TenantID, 403},
		{"authEventId instead of id", gone.AuthEventID, 403},
		{"unknown id", "6f1d1f3e-0000-4000-8000-000000000000", 404},
		{"not a uuid", "nonsense", 404},
		{"tenantConnection id", gone.ID, 204},
		{"already deleted", gone.ID, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := x.call(t, http.MethodDelete, "/connections/"+tt.id, bearer, "")
			switch tt.wantStatus {
			case 403:
				wantProblem(t, resp, body, 403, "AuthenticationUnsuccessful")
			case 404:
				if resp.StatusCode != 404 || string(body) != "The resource you're looking for cannot be found" {
					t.Fatalf("%d %q, want Xero's plain-text 404", resp.StatusCode, body)
				}
			default:
				if resp.StatusCode != tt.wantStatus || len(body) != 0 {
					t.Fatalf("%d %q, want %d", resp.StatusCode, body, tt.wantStatus)
				}
			}
		})
	}
	resp, body := x.call(t, http.MethodGet, scopedPath, bearer, gone.TenantID)
	wantProblem(t, resp, body, 403, "AuthenticationUnsuccessful")
	if resp, body := x.call(t, http.MethodGet, scopedPath, bearer, kept.TenantID); resp.StatusCode != 200 {
		t.Fatalf("other tenant after disconnecting one: %d %s", resp.StatusCode, body)
	}
	if n := len(x.connections(t, tok.AccessToken, "")); n != 1 {
		t.Fatalf("%d connections left, want 1", n)
	}
	if n := x.s.DisconnectTenant(kept.TenantID); n != 1 {
		t.Fatalf("DisconnectTenant = %d, want 1", n)
	}
	resp, body = x.call(t, http.MethodGet, "/connections", bearer, "")
	if resp.StatusCode != 200 || string(body) != "[]" {
		t.Fatalf("no connections left but a valid token: %d %s, want 200 []", resp.StatusCode, body)
	}
	if resp, _ := x.call(t, http.MethodGet, "/connections/"+kept.ID, bearer, ""); resp.StatusCode != 404 {
		t.Fatalf("GET /connections/{id}: %d, want 404 (no such route)", resp.StatusCode)
	}
}

func TestIdentityScopes(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	tests := []struct {
		scope      string
		wantStatus int
	}{
		{"accounting.contacts.read", 401},
		{"accounting.settings accounting.reports.read", 401},
		{"accounting.invoices.read", 200},
		{"accounting.invoices", 200},
		{"accounting.transactions.read", 200},
		{"accounting.transactions", 200},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			x.s.RevokeUser(user.ID) // scopes are additive: start each case afresh
			tok := x.login(t, user.ID, tt.scope, "*")
			resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, user.OrgIDs[0])
			if tt.wantStatus == 401 {
				wantProblem(t, resp, body, 401, "AuthorizationUnsuccessful")
			} else if resp.StatusCode != tt.wantStatus {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		})
	}

	t.Run("consent again adds scopes", func(t *testing.T) {
		x.s.RevokeUser(user.ID)
		x.login(t, user.ID, "accounting.contacts.read offline_access", "*")
		tok := x.login(t, user.ID, "accounting.invoices.read", "*")
		if tok.Scope != "accounting.invoices.read accounting.contacts.read offline_access" || tok.RefreshToken == "" {
			t.Fatalf("second consent: scope %q refresh %q", tok.Scope, tok.RefreshToken)
		}
	})
}

func TestIdentityBearerAndTenant(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	tok := x.login(t, user.ID, "accounting.invoices.read", "*")
	tenant := user.OrgIDs[0]
	tests := []struct {
		name, authz, tenant string
		wantStatus          int
		wantDetail          string
	}{
		{"no header", "", tenant, 401, "AuthenticationUnsuccessful"},
		{"scheme only", "Bearer", tenant, 401, "AuthenticationUnsuccessful"},
		{"basic", "Basic " + tok.AccessToken, tenant, 401, "AuthenticationUnsuccessful"},
		{"two words", "Bearer " + tok.AccessToken + " extra", tenant, 401, "AuthenticationUnsuccessful"},
		{"unknown token", "Bearer abc.def.ghi", tenant, 401, "AuthenticationUnsuccessful"},
		{"tab separator", "Bearer\t" + tok.AccessToken, tenant, 401, "AuthenticationUnsuccessful"},
		{"lower-case scheme", "bearer " + tok.AccessToken, tenant, 200, ""},
		{"upper-case tenant id", "Bearer " + tok.AccessToken, strings.ToUpper(tenant), 200, ""},
		{"missing tenant", "Bearer " + tok.AccessToken, "", 403, "AuthenticationUnsuccessful"},
		{"unknown tenant", "Bearer " + tok.AccessToken, "00000000-0000-0000-0000-000000000000", 403, "AuthenticationUnsuccessful"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, x.ts.URL+scopedPath, nil)
			req.Header["Authorization"] = []string{tt.authz}
			if tt.authz == "" {
				req.Header.Del("Authorization")
			}
			if tt.tenant != "" {
				req.Header.Set("Xero-Tenant-Id", tt.tenant)
			}
			req.Header.Set("Accept", "application/json")
			resp, body := x.do(t, req)
			if tt.wantStatus == 200 {
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, body)
				}
				return
			}
			wantProblem(t, resp, body, tt.wantStatus, tt.wantDetail)
		})
	}

	t.Run("a tenant connected to another app", func(t *testing.T) {
		loc := x.consent(t, authParams(WebClientID, "accounting.invoices.read", "s"), user.ID, "allow", user.OrgIDs[1])
		status, web, raw := x.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {testRedirectURI}}, WebClientID, WebClientSecret)
		if status != 200 {
			t.Fatalf("web client login: %d %v", status, raw)
		}
		resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+web.AccessToken, user.OrgIDs[0])
		wantProblem(t, resp, body, 403, "AuthenticationUnsuccessful")
		if resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+web.AccessToken, user.OrgIDs[1]); resp.StatusCode != 200 {
			t.Fatalf("web client, its own tenant: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("a tenant connected by another user", func(t *testing.T) {
		solo := x.soloUser()
		soloTok := x.login(t, solo.ID, "accounting.invoices.read")
		for _, o := range x.s.World().Orgs {
			if o.ID == solo.OrgIDs[0] {
				continue
			}
			resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+soloTok.AccessToken, o.ID)
			wantProblem(t, resp, body, 403, "AuthenticationUnsuccessful")
		}
	})
}

func TestIdentityRevokeUserHook(t *testing.T) {
	x := newIDSandbox(t)
	user := x.multiOrgUser(t)
	tok := x.login(t, user.ID, "accounting.invoices.read offline_access", "*")
	if n := x.s.RevokeUser(user.ID); n != len(user.OrgIDs) {
		t.Fatalf("RevokeUser removed %d connections, want %d", n, len(user.OrgIDs))
	}
	status, _, raw := x.refresh(t, tok.RefreshToken)
	wantOAuthError(t, status, raw, 400, "invalid_grant")
	resp, body := x.call(t, http.MethodGet, scopedPath, "Bearer "+tok.AccessToken, user.OrgIDs[0])
	wantProblem(t, resp, body, 401, "AuthenticationUnsuccessful")
}

// Odd requests to every identity path: Xero-shaped answers, never a 500.
func TestIdentityNeverA500(t *testing.T) {
	x := newIDSandbox(t)
	paths := []string{"/connect/token", "/connect/revocation", "/connections", "/Connections", "/connections/x", authorizePath,
		authorizePath + "?client_id=%zz", authorizePath + "?" + strings.Repeat("a=b&", 500)}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions}
	bodies := []string{"", "%", "client_id=" + PublicClientID, `{"json":true}`}
	for _, p := range paths {
		for _, m := range methods {
			for _, b := range bodies {
				req, _ := http.NewRequest(m, x.ts.URL+p, strings.NewReader(b))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "Bearer nope")
				resp, body := x.do(t, req)
				if resp.StatusCode >= 500 {
					t.Errorf("%s %.60s body %q: %d %s", m, p, b, resp.StatusCode, body)
				}
			}
		}
	}
	if n := x.s.meter.Snapshot(); len(n) == 0 {
		t.Error("identity calls were not metered")
	}
}
