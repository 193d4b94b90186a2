package hubspot

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// TestBadInput: malformed requests get HubSpot's status and JSON body
// shape, never a 5xx of ours.
func TestBadInput(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	tests := []struct {
		method, path, token string
		body                any
		status              int
		category            string
	}{
		{"GET", "/crm/v3/objects/contacts", "", nil, 401, "INVALID_AUTHENTICATION"},
		{"GET", "/crm/v3/objects/contacts", "not-a-token", nil, 401, "INVALID_AUTHENTICATION"},
		{"GET", "/crm/v3/objects/widgets", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v3/objects/contacts?limit=abc", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v3/objects/contacts?limit=0", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v3/objects/contacts?after=-4", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v3/objects/contacts?archived=maybe", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v3/owners?limit=x", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v4/objects/contacts/1/associations/companies?after=x", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"GET", "/crm/v4/objects/contacts/1/associations/companies", tok.AccessToken, nil, 404, "OBJECT_NOT_FOUND"},
		{"GET", "/crm/v4/objects/contacts/1/associations/robots", tok.AccessToken, nil, 400, "VALIDATION_ERROR"},
		{"POST", "/crm/v3/objects/contacts/batch/read", tok.AccessToken, "not json", 400, "VALIDATION_ERROR"},
		{"POST", "/crm/v4/associations/contacts/companies/batch/read", tok.AccessToken, `{"inputs":7}`, 400, "VALIDATION_ERROR"},
		{"POST", "/crm/v3/objects/contacts", tok.AccessToken, "{}", 405, "VALIDATION_ERROR"},
		{"DELETE", "/crm/v3/objects/contacts/1", tok.AccessToken, nil, 405, "VALIDATION_ERROR"},
		{"GET", "/crm/objects/2026-04/contacts", tok.AccessToken, nil, 404, "OBJECT_NOT_FOUND"},
		{"GET", "/crm/v9/whatever", tok.AccessToken, nil, 404, "OBJECT_NOT_FOUND"},
		{"GET", "/oauth/v1/access-tokens/unknown", "", nil, 404, "OBJECT_NOT_FOUND"},
	}
	for _, tc := range tests {
		resp, body := e.do(t, tc.method, tc.path, tc.token, tc.body)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, resp.StatusCode, tc.status, body)
			continue
		}
		wantError(t, resp, body, tc.status, tc.category)
		if resp.Header.Get("X-HubSpot-Correlation-Id") == "" {
			t.Errorf("%s %s: no X-HubSpot-Correlation-Id", tc.method, tc.path)
		}
	}
}

// TestRandomSearchBodiesNever5xx throws seeded random JSON at search and
// batch read: every answer is a 2xx or a 4xx in HubSpot's shape.
func TestRandomSearchBodiesNever5xx(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	rng := rand.New(rand.NewPCG(1, 2))
	props := []any{"email", "createdate", "hs_object_id", "lastmodifieddate", "lifecyclestage", "nope", "", 7, nil, "associations.company"}
	ops := []any{"EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "X", nil, 3}
	vals := []any{"1", "abc", "2026-01-01", "2026-01-01T00:00:00Z", 12, -1.5, nil, true, []any{"a"}, map[string]any{}}
	pick := func(s []any) any { return s[rng.IntN(len(s))] }
	for i := 0; i < 300; i++ {
		var groups []any
		for g := rng.IntN(3); g > 0; g-- {
			var fs []any
			for f := rng.IntN(4); f > 0; f-- {
				fs = append(fs, map[string]any{"propertyName": pick(props), "operator": pick(ops), "value": pick(vals), "highValue": pick(vals), "values": []any{pick(vals)}})
			}
			groups = append(groups, map[string]any{"filters": fs})
		}
		body := map[string]any{"filterGroups": groups, "limit": pick([]any{1, 10, 200, 500, -1, "5", nil}), "after": pick([]any{"0", "10", "x", 5, nil}),
			"sorts": pick([]any{nil, []any{"email"}, []any{map[string]any{"propertyName": pick(props), "direction": pick([]any{"ASCENDING", "UP"})}}, "bad"}),
			"query": pick([]any{"", "ava", 3})}
		for _, path := range []string{"/crm/v3/objects/contacts/search", "/crm/v3/objects/contacts/batch/read"} {
			resp, raw := e.do(t, http.MethodPost, path, tok.AccessToken, body)
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %s: %d %s", path, mustJSON(body), resp.StatusCode, raw)
			}
			if resp.StatusCode >= 400 {
				var he hsError
				if json.Unmarshal(raw, &he) != nil || he.Status != "error" || he.Category == "" {
					t.Fatalf("%s: %d body %s is not HubSpot's error shape", path, resp.StatusCode, raw)
				}
			}
		}
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	e := newTestEnv(t, nil)
	resp, body := e.do(t, http.MethodGet, "/nothing/here", "", nil)
	wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
	if !strings.Contains(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
}
