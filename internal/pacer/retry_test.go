package pacer

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TestRetryOn429 proves a 429 short of a daily limit is waited out and
// repeated: for Retry-After in seconds or as an HTTP date, and with a
// doubling backoff when there is none. The wait is exactly what the
// provider asked, not also a pause for the spent minute it reports.
func TestRetryOn429(t *testing.T) {
	tests := []struct {
		name  string
		steps []http.HandlerFunc
		want  []time.Duration
	}{
		{"retry-after seconds", []http.HandlerFunc{
			reply(429, "", "Retry-After", "7"), ok}, []time.Duration{7 * time.Second}},
		{"retry-after http date", []http.HandlerFunc{
			reply(429, "", "Retry-After", t0.Add(30*time.Second).Format(http.TimeFormat)), ok}, []time.Duration{30 * time.Second}},
		{"no retry-after backs off", []http.HandlerFunc{
			reply(429, ""), reply(429, ""), reply(429, ""), ok}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"xero minute with its remaining at 0", []http.HandlerFunc{
			reply(429, rateLimitBody, "X-Rate-Limit-Problem", "minute", "Retry-After", "12", "X-MinLimit-Remaining", "0"), ok},
			[]time.Duration{12 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.steps...)
			clock := newStepClock()
			tr := newTransport(t, Config{Policy: Xero(), Clock: clock})
			resp, body, err := get(context.Background(), tr.Client(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("got %d %q, want 200 ok", resp.StatusCode, body)
			}
			if got := clock.slept(); !slices.Equal(got, tc.want) {
				t.Errorf("waits %v, want %v", got, tc.want)
			}
			if srv.count() != len(tc.want)+1 {
				t.Errorf("%d calls, want %d", srv.count(), len(tc.want)+1)
			}
		})
	}
}

// rateLimitBody is Xero's (sandbox's) 429 body, which says nothing useful.
const rateLimitBody = "oauth_problem=rate%20limit%20exceeded"

// TestRetry429GivesUp proves retries of a 429 stop at MaxAttempts with a
// LimitReachedError that keeps the last response.
func TestRetry429GivesUp(t *testing.T) {
	srv := newServer(t, reply(429, "slow down", "Retry-After", "1"))
	p := Xero()
	p.MaxAttempts = 3
	tr := newTransport(t, Config{Policy: p, Clock: newStepClock()})
	_, _, err := get(context.Background(), tr.Client(), srv.URL)
	var lim *provider.LimitReachedError
	if !errors.As(err, &lim) || lim.Limit != "rate" {
		t.Fatalf("err %v, want a rate LimitReachedError", err)
	}
	var apiErr *provider.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.Body != "slow down" {
		t.Errorf("the 429 is not kept: %#v", apiErr)
	}
	if srv.count() != 3 {
		t.Errorf("%d calls, want 3", srv.count())
	}
}

// TestDailyLimitStops proves a 429 the provider says is the daily limit is
// never retried and says when the allowance returns (X17).
func TestDailyLimitStops(t *testing.T) {
	tests := []struct {
		name      string
		policy    Policy
		answer    http.HandlerFunc
		wantReset time.Time
	}{
		{"xero day", Xero(), reply(429, rateLimitBody, "X-Rate-Limit-Problem", "day", "Retry-After", "3600", "X-DayLimit-Remaining", "0"),
			t0.Add(time.Hour)},
		{"hubspot DAILY", HubSpot(100), reply(429, `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`,
			"Content-Type", "application/json"), time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.answer, ok)
			clock := newStepClock()
			tr := newTransport(t, Config{Policy: tc.policy, Clock: clock})
			_, _, err := get(context.Background(), tr.Client(), srv.URL)
			var lim *provider.LimitReachedError
			if !errors.As(err, &lim) {
				t.Fatalf("err %v, want LimitReachedError", err)
			}
			if lim.Limit != LimitDay || !lim.Reset.Equal(tc.wantReset) {
				t.Errorf("limit %q reset %v, want day %v", lim.Limit, lim.Reset, tc.wantReset)
			}
			if srv.count() != 1 || len(clock.slept()) != 0 {
				t.Errorf("%d calls and waits %v: a daily limit must not be retried", srv.count(), clock.slept())
			}
		})
	}
}

// TestServerErrorsRetried proves 500/502/503/504, JSON, HTML or text, are
// repeated after a backoff or the Retry-After given.
func TestServerErrorsRetried(t *testing.T) {
	tests := []struct {
		name   string
		answer http.HandlerFunc
		want   time.Duration
	}{
		{"500 json", reply(500, `{"Title":"An error occurred","Status":500}`, "Content-Type", "application/json"), time.Second},
		{"502 html", reply(502, "<html><head><title>502 Bad Gateway</title></head></html>", "Content-Type", "text/html"), time.Second},
		{"503 retry-after", reply(503, "The Xero API is currently offline for maintenance", "Retry-After", "5"), 5 * time.Second},
		{"504", reply(504, ""), time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.answer, ok)
			clock := newStepClock()
			tr := newTransport(t, Config{Policy: Xero(), Clock: clock})
			resp, body, err := get(context.Background(), tr.Client(), srv.URL)
			if err != nil || resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("got %v %q, want 200 ok", err, body)
			}
			if got := clock.slept(); !slices.Equal(got, []time.Duration{tc.want}) {
				t.Errorf("waits %v, want [%v]", got, tc.want)
			}
		})
	}
}

// TestServerErrorGivesAPIError proves a 5xx that outlasts MaxAttempts
// becomes an APIError with what support needs, and no secret of the URL.
func TestServerErrorGivesAPIError(t *testing.T) {
	page := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("x", 1000) + "</body></html>"
	srv := newServer(t, reply(502, page, "Content-Type", "text/html", "Xero-Correlation-Id", "corr-42"))
	p := Xero()
	p.MaxAttempts = 3
	clock := newStepClock()
	tr := newTransport(t, Config{Policy: p, Clock: clock})
	_, _, err := get(context.Background(), tr.Client(), srv.URL+"/api.xro/2.0/Invoices?page=2&access_token=hunter2")
	var apiErr *provider.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %v, want APIError", err)
	}
	if apiErr.Status != 502 || apiErr.Method != "GET" || apiErr.CorrelationID != "corr-42" {
		t.Errorf("got %+v", apiErr)
	}
	if !strings.HasPrefix(apiErr.Body, "<html><head><title>502") || len(apiErr.Body) > bodyStart+len("…") {
		t.Errorf("body %q: want the start of the page", apiErr.Body)
	}
	if strings.Contains(apiErr.URL, "hunter2") || !strings.Contains(apiErr.URL, "page=2") {
		t.Errorf("url %q: want the query without the token", apiErr.URL)
	}
	if srv.count() != 3 || !slices.Equal(clock.slept(), []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("%d calls, waits %v", srv.count(), clock.slept())
	}
}

// TestBrokenResponsesRetried proves a connection closed without an answer
// and a body cut short are retried, the latter because the pacer reads the
// whole body before returning.
func TestBrokenResponsesRetried(t *testing.T) {
	for name, broken := range map[string]http.HandlerFunc{"connection reset": reset, "truncated body": truncated} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, broken, reply(200, `{"Invoices":[]}`))
			// No connection reuse: the stdlib would retry a reused
			// connection's failure itself, hiding it from the pacer.
			base := &http.Transport{DisableKeepAlives: true}
			tr := newTransport(t, Config{Policy: Xero(), Clock: newStepClock(), Base: base})
			resp, body, err := get(context.Background(), tr.Client(), srv.URL)
			if err != nil || resp.StatusCode != 200 || body != `{"Invoices":[]}` {
				t.Fatalf("got %v %q", err, body)
			}
			if st := tr.Stats(); srv.count() != 2 || st.Calls != 2 || st.Retries != 1 {
				t.Errorf("%d calls at the server, stats %+v: want 2 calls, 1 retry", srv.count(), st)
			}
		})
	}
}

// TestUnsafeRequests proves a request the provider may have acted on is
// repeated only when it is safe: GET, or a POST marked by context or by an
// idempotency-key header; a 429 was refused before anything happened, so
// it is repeated whatever the method. A repeated body arrives whole.
func TestUnsafeRequests(t *testing.T) {
	const body = `{"filterGroups":[]}`
	tests := []struct {
		name     string
		method   string
		ctx      func(context.Context) context.Context
		header   map[string][]string
		first    http.HandlerFunc
		wantHits int
	}{
		{"POST 503 unmarked", "POST", nil, nil, reply(503, "busy"), 1},
		{"PUT 503 unmarked", "PUT", nil, nil, reply(503, "busy"), 1},
		{"POST reset unmarked", "POST", nil, nil, reset, 1},
		{"POST 503 marked by context", "POST", RetrySafe, nil, reply(503, "busy"), 2},
		{"POST reset marked by context", "POST", RetrySafe, nil, reset, 2},
		{"POST 503 with X-Idempotency-Key", "POST", nil, map[string][]string{"X-Idempotency-Key": nil}, reply(503, "busy"), 2},
		{"POST 429 unmarked", "POST", nil, nil, reply(429, "", "Retry-After", "1"), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.first, ok)
			tr := newTransport(t, Config{Policy: HubSpot(100), Clock: newStepClock(), Base: &http.Transport{DisableKeepAlives: true}})
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx(ctx)
			}
			resp, _, err := do(ctx, tr.Client(), tc.method, srv.URL, body, tc.header)
			if srv.count() != tc.wantHits {
				t.Fatalf("%d calls, want %d", srv.count(), tc.wantHits)
			}
			if tc.wantHits == 1 && err == nil {
				t.Fatalf("got %d, want an error", resp.StatusCode)
			}
			if tc.wantHits == 2 && (err != nil || resp.StatusCode != 200) {
				t.Fatalf("got %v, want 200 after a retry", err)
			}
			for i, h := range srv.seen() {
				if h.body != body {
					t.Errorf("call %d carried body %q, want %q", i+1, h.body, body)
				}
			}
		})
	}
}
