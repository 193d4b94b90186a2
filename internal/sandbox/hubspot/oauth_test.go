package hubspot

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestConsentPageShowsScopesAndPortals(t *testing.T) {
	e := newTestEnv(t, nil)
	q := url.Values{"client_id": {WebClientID}, "redirect_uri": {"http://localhost:5000/callback"}, "scope": {"oauth crm.objects.deals.read"}, "state": {"x"}}
	resp, body := e.do(t, http.MethodGet, "/oauth/authorize?"+q.Encode(), "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("consent page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, p := range e.srv.World().Portals {
		if !strings.Contains(string(body), strconv.FormatInt(p.ID, 10)) {
			t.Errorf("consent page does not offer portal %d", p.ID)
		}
	}
	for _, want := range []string{"View deals", "crm.objects.deals.read", `name="portal"`, `value="allow"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
}

func TestConsentRefusals(t *testing.T) {
	e := newTestEnv(t, nil)
	portal := strconv.FormatInt(e.srv.World().Portals[0].ID, 10)
	// form is an allowed install in the first portal with one field
	// changed ("" removes it).
	form := func(k, v string) url.Values {
		f := url.Values{"client_id": {WebClientID}, "redirect_uri": {"http://127.0.0.1:7/callback"}, "scope": {"oauth"},
			"state": {"s"}, "portal": {portal}, "action": {"allow"}}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name      string
		form      url.Values
		status    int
		locError  string // error= in the redirect, when redirected
		pageWords string
	}{
		{"unknown client", form("client_id", "nope"), 400, "", "not registered"},
		{"unregistered redirect", form("redirect_uri", "https://evil.example/cb"), 400, "", "redirect_uri"},
		{"no scope", form("scope", ""), 302, "invalid_scope", ""},
		{"unknown scope", form("scope", "oauth sudo"), 302, "invalid_scope", ""},
		{"public client without PKCE", form("client_id", PublicClientID), 302, "invalid_request", ""},
		{"deny sends nothing back", form("action", "deny"), 200, "", "not connected"},
		{"no action", form("action", ""), 400, "", "Connect app or Cancel"},
		{"foreign portal", form("portal", "1"), 400, "", "cannot install"},
		{"no portal for a user with several", form("portal", ""), 400, "", "Choose the account"},
		{"allowed", form("state", "s"), 302, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.form(t, "/oauth/authorize", tc.form)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status == 302 {
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if loc.Query().Get("error") != tc.locError || loc.Query().Get("state") != "s" || (tc.locError == "") != (loc.Query().Get("code") != "") {
					t.Fatalf("redirect %q, want error=%q with state", resp.Header.Get("Location"), tc.locError)
				}
			}
			if tc.pageWords != "" && !strings.Contains(string(body), tc.pageWords) {
				t.Fatalf("page lacks %q: %s", tc.pageWords, body)
			}
		})
	}
}

// TestTokenLifecycle covers the token endpoints (v1, v3 and dated): the
// code exchange, 30-minute tokens, refresh returning the same refresh
// token, expiry as HubSpot's 401 and the RFC 6749 + HubSpot error shape.
func TestTokenLifecycle(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	if tok.ExpiresIn != 1800 || tok.HubID != p.ID || tok.RefreshToken == "" || len(tok.Scopes) < 5 {
		t.Fatalf("token answer %+v: want expires_in 1800, hub_id %d, a refresh token and scopes", tok, p.ID)
	}
	for _, ver := range []string{"v1", "v3", "2026-03", "2026-09"} {
		resp, body := e.form(t, "/oauth/"+ver+"/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}, "refresh_token": {tok.RefreshToken}})
		var next tokens
		json.Unmarshal(body, &next)
		if resp.StatusCode != 200 || next.RefreshToken != tok.RefreshToken || next.AccessToken == "" || next.AccessToken == tok.AccessToken {
			t.Fatalf("%s refresh: %d %s; want a new access token and the same refresh token", ver, resp.StatusCode, body)
		}
	}
	// 30 minutes later the first token has expired.
	e.srv.Clock().Advance(31 * time.Minute)
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts", tok.AccessToken, nil)
	he := wantError(t, resp, body, 401, "EXPIRED_AUTHENTICATION")
	if !strings.Contains(he.Message, "expired 60 second(s) ago") || len(he.Context["expire time"]) != 1 {
		t.Fatalf("expired message %q context %v", he.Message, he.Context)
	}
	errs := []struct {
		name   string
		path   string
		form   url.Values
		status int
		hs     string
	}{
		{"bad refresh token", "/oauth/v1/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}, "refresh_token": {"nope"}}, 400, "BAD_REFRESH_TOKEN"},
		{"bad code", "/oauth/v3/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {PublicClientID}, "code": {"x"}, "redirect_uri": {"http://127.0.0.1/callback"}}, 400, "BAD_AUTH_CODE"},
		{"unknown client", "/oauth/v1/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"who"}, "refresh_token": {"x"}}, 400, "BAD_CLIENT_ID"},
		{"bad secret", "/oauth/v1/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {WebClientID}, "client_secret": {"no"}, "refresh_token": {"x"}}, 400, "BAD_CLIENT_SECRET"},
		{"no grant type", "/oauth/v1/token", url.Values{"client_id": {PublicClientID}}, 400, "BAD_GRANT_TYPE"},
		{"client credentials", "/oauth/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {PublicClientID}}, 400, "BAD_GRANT_TYPE"},
	}
	for _, tc := range errs {
		resp, body := e.form(t, tc.path, tc.form)
		var got map[string]string
		json.Unmarshal(body, &got)
		if resp.StatusCode != tc.status || got["status"] != tc.hs || got["error"] == "" || got["message"] == "" {
			t.Errorf("%s: %d %s, want %d with status %s and error", tc.name, resp.StatusCode, body, tc.status, tc.hs)
		}
	}
	if resp, _ := e.do(t, http.MethodGet, "/oauth/v1/token", "", nil); resp.StatusCode != 405 {
		t.Errorf("GET token: %d, want 405", resp.StatusCode)
	}
	if resp, _ := e.do(t, http.MethodPost, "/oauth/v2/token", "", nil); resp.StatusCode != 404 {
		t.Errorf("POST /oauth/v2/token: %d, want 404", resp.StatusCode)
	}
	// v1 also reads its parameters from the query string.
	resp, body = e.form(t, "/oauth/v1/token?grant_type=refresh_token&client_id="+PublicClientID+"&refresh_token="+url.QueryEscape(tok.RefreshToken), url.Values{})
	if resp.StatusCode != 200 {
		t.Fatalf("v1 with query parameters: %d %s", resp.StatusCode, body)
	}
}

func (e *testEnv) form(t testing.TB, path string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	resp, err := e.client.PostForm(e.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestIntrospectionAndRevocation(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	var info map[string]any
	e.getJSON(t, "/oauth/v1/access-tokens/"+tok.AccessToken, "", &info)
	if info["hub_id"] != float64(p.ID) || info["hub_domain"] != p.Domain || info["user"] == "" || info["expires_in"] != float64(1800) || info["token_type"] != "access" {
		t.Fatalf("access token info %v", info)
	}
	e.getJSON(t, "/oauth/v1/refresh-tokens/"+tok.RefreshToken, "", &info)
	if info["hub_id"] != float64(p.ID) || info["token_type"] != "refresh" || info["client_id"] != PublicClientID {
		t.Fatalf("refresh token info %v", info)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		use  string
	}{
		{"spec form", url.Values{"token": {tok.AccessToken}}, "access_token"},
		{"guide form", url.Values{"token_type_hint": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, "refresh_token"},
		{"unknown", url.Values{"token": {"nope"}}, ""},
	} {
		tc.form.Set("client_id", PublicClientID)
		resp, body := e.form(t, "/oauth/v3/token/introspect", tc.form)
		var got map[string]any
		json.Unmarshal(body, &got)
		active := tc.use != ""
		if resp.StatusCode != 200 || got["active"] != active || (active && (got["token_use"] != tc.use || got["hub_id"] != float64(p.ID))) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
		}
	}
	// v1 DELETE revokes the refresh token only: the access token works on.
	if resp, body := e.do(t, http.MethodDelete, "/oauth/v1/refresh-tokens/"+tok.RefreshToken, "", nil); resp.StatusCode != 204 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	resp, body := e.form(t, "/oauth/v1/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}, "refresh_token": {tok.RefreshToken}})
	if resp.StatusCode != 400 || !strings.Contains(string(body), "BAD_REFRESH_TOKEN") {
		t.Fatalf("refresh after revoke: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, http.MethodGet, "/crm/v3/objects/contacts", tok.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("access token after revoking the refresh token: %d, want 200", resp.StatusCode)
	}
	// v3 revoke answers 200 for any token.
	tok2 := e.signIn(t, allScopes)
	for _, tkn := range []string{tok2.RefreshToken, "unknown"} {
		if resp, body := e.form(t, "/oauth/2026-03/token/revoke", url.Values{"client_id": {PublicClientID}, "token": {tkn}}); resp.StatusCode != 200 {
			t.Fatalf("v3 revoke %s: %d %s", tkn, resp.StatusCode, body)
		}
	}
	// Uninstalling the app kills every token of the portal.
	tok3 := e.signIn(t, allScopes)
	if n := e.srv.Uninstall(p.ID); n == 0 {
		t.Fatal("uninstall revoked nothing")
	}
	resp, body = e.do(t, http.MethodGet, "/crm/v3/objects/contacts", tok3.AccessToken, nil)
	wantError(t, resp, body, 401, "INVALID_AUTHENTICATION")
}

// TestMissingScopes: a token without the object's scope gets the real 403
// with the scopes that would do.
func TestMissingScopes(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, "oauth crm.objects.contacts.read")
	if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts", tok.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("contacts: %d %s", resp.StatusCode, body)
	}
	for path, scope := range map[string]string{
		"/crm/v3/objects/deals":                         "crm.objects.deals.read",
		"/crm/v3/objects/tickets":                       "tickets",
		"/crm/v3/owners":                                "crm.objects.owners.read",
		"/crm/v3/schemas":                               "crm.schemas.custom.read",
		"/crm/v4/objects/contacts/1/associations/deals": "crm.objects.deals.read",
	} {
		resp, body := e.do(t, http.MethodGet, path, tok.AccessToken, nil)
		he := wantError(t, resp, body, 403, "MISSING_SCOPES")
		if len(he.Errors) != 1 || !strings.Contains(strings.Join(he.Errors[0].Context["requiredGranularScopes"], " "), scope) {
			t.Errorf("%s: 403 body %s does not list %s", path, body, scope)
		}
	}
}

func TestPrivateAppTokenGetsDailyHeaders(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.LimitsOff = false })
	p, _ := e.portal()
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/companies", PrivateAppToken(7, p.ID), nil)
	if resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Daily") != "625000" || resp.Header.Get("X-HubSpot-RateLimit-Daily-Remaining") != "624999" {
		t.Fatalf("private app call: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	tok := e.signIn(t, allScopes)
	resp, _ = e.do(t, http.MethodGet, "/crm/v3/objects/companies", tok.AccessToken, nil)
	if resp.Header.Get("X-HubSpot-RateLimit-Daily") != "" || resp.Header.Get("X-HubSpot-RateLimit-Max") != "110" {
		t.Fatalf("OAuth call headers %v: want no daily headers and Max 110", resp.Header)
	}
}
