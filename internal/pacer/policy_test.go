package pacer

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// TestRetryAfterHeader proves both forms of Retry-After and what is
// ignored.
func TestRetryAfterHeader(t *testing.T) {
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{t0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{t0.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"99999999999999", maxRetryAfterSecs * time.Second, true},
	}
	for _, tc := range tests {
		got, ok := RetryAfter(&http.Response{Header: header("Retry-After", tc.value)}, t0)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Retry-After %q: %v %v, want %v %v", tc.value, got, ok, tc.want, tc.wantOK)
		}
	}
}

// TestBackoff proves the doubling, its cap, and that jitter keeps a wait
// between half and all of it.
func TestBackoff(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 8; n++ {
		got = append(got, backoff(n, time.Second, time.Minute))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("backoffs %v, want %v seconds", got, want)
		}
	}
	for range 1000 {
		if j := equalJitter(10 * time.Second); j < 5*time.Second || j > 10*time.Second {
			t.Fatalf("jitter %v out of [5s, 10s]", j)
		}
	}
}

// TestRedactURL proves error URLs keep what helps and lose credentials.
func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://api.xero.com/api.xro/2.0/Invoices?page=2":              "https://api.xero.com/api.xro/2.0/Invoices?page=2",
		"https://u:p@api.example.com/x":                                 "https://api.example.com/x",
		"https://api.hubapi.com/crm/v3/objects/deals?hapikey=s&limit=1": "https://api.hubapi.com/crm/v3/objects/deals?hapikey=REDACTED&limit=1",
		"https://h/cb?code=abc&state=xyz":                               "https://h/cb?code=REDACTED&state=xyz",
		"https://h/x?access_token=t&client_secret=s":                    "https://h/x?access_token=REDACTED&client_secret=REDACTED",
	}
	for in, want := range tests {
		u, _ := url.Parse(in)
		if got := redactURL(u); got != want {
			t.Errorf("redactURL(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestXeroHooks proves the Xero policy reads its headers and bodies.
func TestXeroHooks(t *testing.T) {
	p := Xero()
	a := p.Observe(&http.Response{Header: header("X-DayLimit-Remaining", "4999", "X-MinLimit-Remaining", "59", "X-AppMinLimit-Remaining", "9999")})
	want := Allowance{Remaining: 59, Limit: -1, Window: time.Minute, AppRemaining: 9999, DayRemaining: 4999, DayLimit: -1}
	if a != want {
		t.Errorf("allowance %+v, want %+v", a, want)
	}
	if a := p.Observe(&http.Response{Header: header()}); a.reported() {
		t.Errorf("no headers reported %+v", a)
	}
	for value, want := range map[string]string{"day": "day", "Daily": "day", "minute": "minute", "Minute": "minute", "": ""} {
		if got := p.LimitKind(&http.Response{Header: header("X-Rate-Limit-Problem", value)}, nil); got != want {
			t.Errorf("X-Rate-Limit-Problem %q: %q, want %q", value, got, want)
		}
	}
	for body, want := range map[string]bool{
		`{"Title":"Unauthorized","Status":401,"Detail":"AuthorizationUnsuccessful"}`:            true,
		`{"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at 01/01"}`: false,
		`{"Title":"Unauthorized","Status":401,"Detail":"AuthenticationUnsuccessful"}`:           false,
		`AuthorizationUnsuccessful`: true,
		`<html>401</html>`:          false,
	} {
		if got := p.MissingScope(nil, []byte(body)); got != want {
			t.Errorf("MissingScope(%s) = %v, want %v", body, got, want)
		}
	}
}

// TestHubSpotHooks proves the HubSpot policy reads its headers, its 429
// body's policyName and its Retry-After guesses.
func TestHubSpotHooks(t *testing.T) {
	p := HubSpot(190)
	if p.Budget != 190 || p.Window != 10*time.Second {
		t.Errorf("budget %d per %v", p.Budget, p.Window)
	}
	h := header("X-HubSpot-RateLimit-Max", "150", "X-HubSpot-RateLimit-Remaining", "149",
		"X-HubSpot-RateLimit-Interval-Milliseconds", "10000", "X-HubSpot-RateLimit-Daily", "500000", "X-HubSpot-RateLimit-Daily-Remaining", "498677")
	want := Allowance{Remaining: 149, Limit: 150, Window: 10 * time.Second, AppRemaining: -1, DayRemaining: 498677, DayLimit: 500000}
	if a := p.Observe(&http.Response{Header: h}); a != want {
		t.Errorf("allowance %+v, want %+v", a, want)
	}
	for body, want := range map[string]string{
		`{"status":"error","policyName":"DAILY"}`:                "day",
		`{"status":"error","policyName":"TEN_SECONDLY_ROLLING"}`: "ten_secondly_rolling",
		`<html>`: "",
	} {
		if got := p.LimitKind(nil, []byte(body)); got != want {
			t.Errorf("LimitKind(%s) = %q, want %q", body, got, want)
		}
	}
	tests := []struct {
		status int
		h      http.Header
		want   time.Duration
		ok     bool
	}{
		{429, header("Retry-After", "2"), 2 * time.Second, true},
		{429, header("Retry-After", "2500"), 2500 * time.Millisecond, true},
		{429, header("X-HubSpot-RateLimit-Remaining", "0", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), 10 * time.Second, true},
		{429, header(), 0, false},
		{503, header("Retry-After", "2500"), 2500 * time.Second, true},
	}
	for _, tc := range tests {
		got, ok := p.RetryAfter(&http.Response{StatusCode: tc.status, Header: tc.h}, t0)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%d %v: %v %v, want %v %v", tc.status, tc.h, got, ok, tc.want, tc.ok)
		}
	}
}
