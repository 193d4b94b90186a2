package hubspot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/datapull/datapull/internal/sandbox/sandboxtest"
)

// allScopes is what a read-only reporting app asks for.
const allScopes = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read tickets " +
	"crm.objects.products.read crm.objects.line_items.read crm.objects.owners.read crm.objects.custom.read " +
	"crm.schemas.custom.read crm.schemas.contacts.read crm.schemas.companies.read crm.schemas.deals.read"

// testEnv is a sandbox HubSpot on a real loopback HTTP server.
type testEnv struct {
	srv    *Server
	base   string
	client *http.Client
}

// newTestEnv starts a demo-sized sandbox with a frozen clock, limits off
// and no search lag; edit adjusts the configuration first.
func newTestEnv(t testing.TB, edit func(*Config)) *testEnv {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Seed = 7
	cfg.Start = testStart
	cfg.TimeScale = 0
	cfg.LimitsOff = true
	cfg.SearchLag = 0
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

// portal returns the first portal and its id as a string.
func (e *testEnv) portal() (*Portal, string) {
	p := e.srv.World().Portals[0]
	return p, strconv.FormatInt(p.ID, 10)
}

type tokens struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int      `json:"expires_in"`
	HubID        int64    `json:"hub_id"`
	Scopes       []string `json:"scopes"`
}

// signIn installs the public client in the first portal through the
// consent form and the v1 token endpoint, with PKCE.
func (e *testEnv) signIn(t testing.TB, scope string) tokens {
	t.Helper()
	p, _ := e.portal()
	verifier, challenge := sandboxtest.PKCE()
	form := url.Values{
		"client_id": {PublicClientID}, "redirect_uri": {"http://127.0.0.1:9/callback"}, "scope": {scope},
		"state": {"st-1"}, "code_challenge": {challenge},
		"code_challenge_method": {"S256"}, "action": {"allow"}, "portal": {strconv.FormatInt(p.ID, 10)},
	}
	code := sandboxtest.Authorize(t, e.client, e.base+"/oauth/authorize", form)
	var tok tokens
	sandboxtest.Exchange(t, e.client, e.base+"/oauth/v1/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {PublicClientID}, "code": {code},
		"redirect_uri": {"http://127.0.0.1:9/callback"}, "code_verifier": {verifier},
	}, &tok)
	return tok
}

// do calls the API with a bearer token and returns the response with its body.
func (e *testEnv) do(t testing.TB, method, path, token string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, out
}

// getJSON calls GET and decodes a 200 answer into v.
func (e *testEnv) getJSON(t testing.TB, path, token string, v any) {
	t.Helper()
	resp, body := e.do(t, http.MethodGet, path, token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// admin posts a change list to the admin API.
func (e *testEnv) admin(t testing.TB, changes ...ChangeRequest) []Change {
	t.Helper()
	_, pid := e.portal()
	resp, body := e.do(t, http.MethodPost, "/_sandbox/portals/"+pid+"/changes", "", map[string]any{"changes": changes})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("changes: %d %s", resp.StatusCode, body)
	}
	var out struct{ Changes []Change }
	json.Unmarshal(body, &out)
	return out.Changes
}

// apiRecord is a record as the API answers it.
type apiRecord struct {
	ID                    string                      `json:"id"`
	Properties            map[string]*string          `json:"properties"`
	CreatedAt             string                      `json:"createdAt"`
	UpdatedAt             string                      `json:"updatedAt"`
	Archived              bool                        `json:"archived"`
	ArchivedAt            string                      `json:"archivedAt"`
	PropertiesWithHistory map[string][]map[string]any `json:"propertiesWithHistory"`
	Associations          map[string]struct {
		Results []struct{ ID, Type string }
		Paging  *struct{ Next struct{ After string } }
	} `json:"associations"`
}

// page is a list or search answer.
type page struct {
	Total   *int        `json:"total"`
	Results []apiRecord `json:"results"`
	Paging  *struct {
		Next struct {
			After string `json:"after"`
			Link  string `json:"link"`
		} `json:"next"`
	} `json:"paging"`
}

// hsError is HubSpot's error body.
type hsError struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	PolicyName    string              `json:"policyName"`
	Context       map[string][]string `json:"context"`
	Errors        []struct {
		Message string
		Code    string
		Context map[string][]string
	} `json:"errors"`
}

// wantError checks a response is HubSpot's JSON error with status and category.
func wantError(t testing.TB, resp *http.Response, body []byte, status int, category string) hsError {
	t.Helper()
	var e hsError
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if e.Status != "error" || e.CorrelationID == "" || e.Message == "" || e.Category != category {
		t.Fatalf("error body %s: want status error, a correlationId, a message and category %s", body, category)
	}
	return e
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
