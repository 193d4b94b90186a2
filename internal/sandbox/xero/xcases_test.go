package xero

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Xero cases of shared/reference/connector-failure-modes.md that the
// sandbox must reproduce, end to end over HTTP. X18 (journals by offset),
// X19 (IMS-blind edits), X20 (negative dates), X21 (high-volume orgs) and
// X22 (paging from the server's counts) are TestJournalsByOffset,
// TestX19IMSBlindEdit, TestNegativeDates and TestMSDateParsing,
// TestHighVolumeOrganisation and TestPagingEveryRecordOnce.

// refresh redeems a refresh token and returns the status and answer.
func (e *testEnv) refresh(t testing.TB, token string) (int, tokens, string) {
	t.Helper()
	resp, err := e.client.PostForm(e.base+"/connect/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {PublicClientID}, "refresh_token": {token},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	json.NewDecoder(resp.Body).Decode(&raw)
	var tok tokens
	json.Unmarshal(raw, &tok)
	return resp.StatusCode, tok, string(raw)
}

// TestX16RefreshTokenIsSingleUse: a Xero refresh token rotates on use. A
// client that loses the answer (killed between refresh and persist) can
// reuse the old token for 30 minutes, never after; two holders of one
// token set that refresh independently end with one of them dead.
func TestX16RefreshTokenIsSingleUse(t *testing.T) {
	env := newTestEnv(t, nil)
	first := env.signIn(t, allReadScopes, "*")

	status, second, _ := env.refresh(t, first.RefreshToken)
	if status != http.StatusOK || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh: %d, rotated=%v", status, second.RefreshToken != first.RefreshToken)
	}
	// The answer was "lost": the old token still works within the grace.
	env.srv.Clock().Advance(29 * time.Minute)
	status, third, _ := env.refresh(t, first.RefreshToken)
	if status != http.StatusOK {
		t.Fatalf("old refresh token within the 30-minute grace: %d", status)
	}
	// After the grace, the old token is dead with invalid_grant.
	env.srv.Clock().Advance(2 * time.Minute)
	if status, _, body := env.refresh(t, first.RefreshToken); status != http.StatusBadRequest || !strings.Contains(body, `"invalid_grant"`) {
		t.Fatalf("old refresh token after the grace: %d %s", status, body)
	}
	// The newest token works; the one it superseded is dead.
	if status, _, _ := env.refresh(t, third.RefreshToken); status != http.StatusOK {
		t.Fatalf("newest refresh token: %d", status)
	}

	// Two workers refresh one token set at once, each keeping its own
	// answer: only one line of descent survives the next round.
	tok := env.signIn(t, allReadScopes, "*")
	var wg sync.WaitGroup
	got := make([]tokens, 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, got[i], _ = env.refresh(t, tok.RefreshToken)
		}()
	}
	wg.Wait()
	env.srv.Clock().Advance(31 * time.Minute) // past every grace
	alive := 0
	for _, g := range got {
		if status, _, _ := env.refresh(t, g.RefreshToken); status == http.StatusOK {
			alive++
		}
	}
	if alive != 1 {
		t.Errorf("after two independent refreshes, %d of 2 token lines still refresh; want exactly 1", alive)
	}
}

// TestX17MinuteVersusDayLimit: the 429s say which limit was hit, so a
// client can wait a minute for one and stop for the day on the other.
func TestX17MinuteVersusDayLimit(t *testing.T) {
	s := newSignedIn(t, func(c *Config) { c.LimitsOff = false; c.DayLimit = 100; c.MinuteLimit = 3 })
	for i := 0; i < 3; i++ {
		if resp, _ := s.get(t, s.access, s.tenant, "Currencies", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("call %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, _ := s.get(t, s.access, s.tenant, "Currencies", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-Rate-Limit-Problem") != "minute" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("4th call in a minute: %d problem=%q retry-after=%q", resp.StatusCode, resp.Header.Get("X-Rate-Limit-Problem"), resp.Header.Get("Retry-After"))
	}

	d := newSignedIn(t, func(c *Config) { c.LimitsOff = false; c.DayLimit = 2 })
	d.get(t, d.access, d.tenant, "Currencies", nil)
	d.get(t, d.access, d.tenant, "Currencies", nil)
	resp, _ = d.get(t, d.access, d.tenant, "Currencies", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-Rate-Limit-Problem") != "day" {
		t.Fatalf("3rd call of a 2-call day: %d problem=%q", resp.StatusCode, resp.Header.Get("X-Rate-Limit-Problem"))
	}
	if resp.Header.Get("X-DayLimit-Remaining") != "0" {
		t.Errorf("X-DayLimit-Remaining %q after the day's allowance", resp.Header.Get("X-DayLimit-Remaining"))
	}
	// The day resets at the provider's midnight.
	now := d.srv.Clock().Now()
	d.srv.Clock().Advance(now.Truncate(24*time.Hour).Add(24*time.Hour).Sub(now) + time.Second)
	fresh := d.signIn(t, allReadScopes, "*") // the old access token expired on the way
	if resp, _ := d.get(t, fresh.AccessToken, d.tenant, "Currencies", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after midnight: %d", resp.StatusCode)
	}
}

// TestMSDateParsing (X20): every form of .NET date Xero sends parses, and
// the sandbox writes negative pre-1970 values.
func TestMSDateParsing(t *testing.T) {
	for in, want := range map[string]int64{
		"/Date(1573755038314+0000)/": 1573755038314,
		"/Date(1439434356790)/":      1439434356790,
		"/Date(-174268800000+0000)/": -174268800000,
		"/Date(0+0000)/":             0,
		"/Date(1573755038314+1300)/": 1573755038314,
		"/Date(1573755038314-0500)/": 1573755038314,
	} {
		if got, ok := ParseMSDate(in); !ok || got != want {
			t.Errorf("ParseMSDate(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "/Date()/", "/Date(abc)/", "Date(1)", "/Date(1+00)/"} {
		if _, ok := ParseMSDate(bad); ok {
			t.Errorf("ParseMSDate(%q) accepted", bad)
		}
	}
	b, _ := json.Marshal(MSDate(-174268800000))
	if string(b) != `"/Date(-174268800000+0000)/"` {
		t.Errorf("MSDate(-174268800000) marshals as %s", b)
	}
	m, _ := json.Marshal(Money(-12345))
	if string(m) != "-123.45" {
		t.Errorf("Money(-12345) marshals as %s", m)
	}
}

// TestFaultProfileOverHTTP drives a fault profile through the whole
// pipeline: each scheduled call fails the way its kind says, the others
// succeed, and the same seed fails the same calls again.
func TestFaultProfileOverHTTP(t *testing.T) {
	profile := "Invoices:500@call=2,Invoices:reset@call=3,Invoices:truncate@call=4,Invoices:504@call=5," +
		"Invoices:429-minute@call=6,Invoices:org-offline@call=7,Invoices:token-expiry@call=8"
	s := newSignedIn(t, func(c *Config) { c.Faults = profile })
	type outcome struct {
		status int
		ctype  string
		err    bool
	}
	want := []outcome{
		{200, contentJSON, false},
		{500, contentJSON, false},
		{0, "", true},            // connection reset
		{200, contentJSON, true}, // body cut short
		{504, contentHTML, false},
		{429, "", false},
		{503, contentText, false},
		{401, contentJSON, false},
	}
	// A fresh connection per call: Go's transport silently retries a GET
	// whose reused connection was reset, which would hide the reset fault.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	for i, w := range want {
		req, _ := http.NewRequest(http.MethodGet, s.base+"/api.xro/2.0/Invoices?page=1", nil)
		req.Header.Set("Authorization", "Bearer "+s.access)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Xero-Tenant-Id", s.tenant)
		resp, err := client.Do(req)
		var got outcome
		if err != nil {
			got.err = true
		} else {
			got.status, got.ctype = resp.StatusCode, resp.Header.Get("Content-Type")
			var v any
			if json.NewDecoder(resp.Body).Decode(&v) != nil && resp.StatusCode == 200 {
				got.err = true
			}
			resp.Body.Close()
		}
		if w.status == 429 {
			got.ctype = ""
		}
		if got != w {
			t.Errorf("call %d: got %+v, want %+v", i+1, got, w)
		}
	}
}
