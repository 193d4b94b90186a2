package hubspot

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFaults acts out each fault kind on a data endpoint as HubSpot shows
// that failure.
func TestFaults(t *testing.T) {
	tests := []struct {
		profile    string
		status     int
		category   string // JSON error category; "" for an HTML body
		retryAfter string
		nextStatus int // the call after
	}{
		{"deals:429-minute@call=1", 429, "RATE_LIMITS", "10", 200},
		{"deals:429-day@call=1", 429, "RATE_LIMITS", "68400", 200}, // 05:00 in Phoenix: 19 h to its midnight
		{"deals:500@call=1", 500, "INTERNAL_ERROR", "", 200},
		{"deals:502@call=1", 502, "", "", 200},
		{"deals:503@call=1", 503, "", "", 200},
		{"deals:504@call=1", 504, "", "", 200},
		{"deals:524@call=1", 524, "", "", 200},
		{"deals:maintenance@call=1", 503, "", "", 200},
		{"deals:423@call=1", 423, "LOCKED", "2", 200},
		{"deals:477@call=1", 477, "MIGRATION_IN_PROGRESS", "60", 200},
		{"deals:token-expiry@call=1", 401, "EXPIRED_AUTHENTICATION", "", 401},
		{"deals:revoke@call=1", 401, "INVALID_AUTHENTICATION", "", 401},
		{"deals:slow=20ms@call=1", 200, "", "", 200},
		{"contacts:500@call=1", 200, "", "", 200}, // another endpoint's fault
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			e := newTestEnv(t, func(c *Config) { c.Faults = tc.profile })
			tok := e.signIn(t, allScopes)
			resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil)
			switch {
			case tc.status == 200:
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, body)
				}
			case tc.category == "":
				if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html>") {
					t.Fatalf("%d %q %s, want %d HTML", resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.status)
				}
			default:
				he := wantError(t, resp, body, tc.status, tc.category)
				if tc.status == 429 && (he.PolicyName == "" || !strings.Contains(tc.profile, map[string]string{"DAILY": "day", "TEN_SECONDLY_ROLLING": "minute"}[he.PolicyName])) {
					t.Fatalf("policy %q for %s", he.PolicyName, tc.profile)
				}
			}
			if got := resp.Header.Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil); resp.StatusCode != tc.nextStatus {
				t.Fatalf("next call: %d %s, want %d", resp.StatusCode, body, tc.nextStatus)
			}
		})
	}
}

func TestFaultTruncateAndReset(t *testing.T) {
	for _, kind := range []string{"truncate", "reset"} {
		e := newTestEnv(t, func(c *Config) { c.Faults = "companies:" + kind + "@call=1" })
		tok := e.signIn(t, allScopes)
		req, _ := http.NewRequest(http.MethodGet, e.base+"/crm/v3/objects/companies?limit=50", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		// A fresh connection: Go's client retries a GET whose reused
		// connection was reset before any response, which would hide it.
		fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := fresh.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Fatalf("%s: the call succeeded", kind)
		}
		if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/companies", tok.AccessToken, nil); resp.StatusCode != 200 {
			t.Fatalf("%s: next call %d %s", kind, resp.StatusCode, body)
		}
	}
}

// TestX3ShortPageKeepsCursor: a short (or empty) page still carries the
// next cursor, and following it loses nothing.
func TestX3ShortPageKeepsCursor(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Faults = "contacts:short-page@every=2,contacts/search:short-page@every=3" })
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	live := 0
	for _, r := range p.Type("contacts").Records {
		if !r.Live.Archived {
			live++
		}
	}
	shortSeen := false
	var pg page
	e.getJSON(t, "/crm/v3/objects/contacts?limit=20", tok.AccessToken, &pg)
	n := len(pg.Results)
	for pg.Paging != nil {
		after := pg.Paging.Next.After
		pg = page{}
		e.getJSON(t, "/crm/v3/objects/contacts?limit=20&after="+after, tok.AccessToken, &pg)
		if len(pg.Results) < 20 && pg.Paging != nil {
			shortSeen = true
		}
		n += len(pg.Results)
	}
	if !shortSeen || n != live {
		t.Fatalf("list: short page seen %v, %d of %d records", shortSeen, n, live)
	}
	ids, total := e.searchAll(t, "contacts", tok.AccessToken, map[string]any{"limit": 30})
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if total != live || len(ids) != live || len(seen) != live {
		t.Fatalf("search: %d ids (%d distinct), total %d, want %d", len(ids), len(seen), total, live)
	}
}

// TestX14TokenEndpoint429: the token endpoint can refuse with 429 too,
// with Retry-After; the next refresh works.
func TestX14TokenEndpoint429(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Faults = "token:429-minute@call=2" })
	tok := e.signIn(t, allScopes) // call 1
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}, "refresh_token": {tok.RefreshToken}}
	resp, body := e.form(t, "/oauth/v1/token", form)
	he := wantError(t, resp, body, 429, "RATE_LIMITS")
	if he.PolicyName != "TEN_SECONDLY_ROLLING" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("token 429: %s %v", body, resp.Header)
	}
	if resp, body := e.form(t, "/oauth/v1/token", form); resp.StatusCode != 200 {
		t.Fatalf("refresh after 429: %d %s", resp.StatusCode, body)
	}
}

// TestFaultsAreSeeded: a probability rule fails the same calls for a seed.
func TestFaultsAreSeeded(t *testing.T) {
	run := func() string {
		e := newTestEnv(t, func(c *Config) { c.Faults = "owners:502@0.3" })
		tok := e.signIn(t, allScopes)
		var b strings.Builder
		for i := 0; i < 40; i++ {
			resp, _ := e.do(t, http.MethodGet, "/crm/v3/owners", tok.AccessToken, nil)
			if resp.StatusCode == 502 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Fatalf("runs differ or never/always fail: %s vs %s", a, b)
	}
}
