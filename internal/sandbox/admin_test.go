package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// adminServer serves the kit's admin routes under /_sandbox over a real
// loopback server, with a frozen clock.
func adminServer(t *testing.T, faults string) (*Admin, string) {
	t.Helper()
	f, err := ParseFaults(faults, 1)
	if err != nil {
		t.Fatal(err)
	}
	a := &Admin{Clock: NewClock(time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), 0), Meter: NewMeter(), Faults: f}
	mux := http.NewServeMux()
	a.Routes(mux, "/_sandbox")
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return a, hs.URL
}

// adminCall sends a request and returns the status and body; the body
// must be JSON.
func adminCall(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !json.Valid(b) {
		t.Fatalf("%s %s: %d with %q body %q, want JSON", method, url, resp.StatusCode, ct, b)
	}
	return resp.StatusCode, b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestAdminClock(t *testing.T) {
	a, base := adminServer(t, "")
	start := a.Clock.Now()
	tests := []struct {
		name, method, body string
		status             int
		want               time.Time // zero: unchanged
	}{
		{"read", http.MethodGet, "", 200, start},
		{"advance", http.MethodPost, `{"advance":"90m"}`, 200, start.Add(90 * time.Minute)},
		{"to", http.MethodPost, `{"to":"2026-07-02T09:00:00Z"}`, 200, time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)},
		{"to the past", http.MethodPost, `{"to":"2026-07-01T09:00:00Z"}`, 400, time.Time{}},
		{"negative advance", http.MethodPost, `{"advance":"-1h"}`, 400, time.Time{}},
		{"both", http.MethodPost, `{"advance":"1h","to":"2027-01-01T00:00:00Z"}`, 400, time.Time{}},
		{"neither", http.MethodPost, `{}`, 400, time.Time{}},
		{"bad duration", http.MethodPost, `{"advance":"soon"}`, 400, time.Time{}},
		{"unknown field", http.MethodPost, `{"advanse":"1h"}`, 400, time.Time{}},
		{"malformed", http.MethodPost, `{"advance":`, 400, time.Time{}},
		{"wrong method", http.MethodDelete, "", 405, time.Time{}},
	}
	for _, tc := range tests {
		before := a.Clock.Now()
		status, body := adminCall(t, tc.method, base+"/_sandbox/clock", tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d %s, want %d", tc.name, status, body, tc.status)
			continue
		}
		if tc.status != 200 {
			if !strings.Contains(string(body), `"error"`) || !a.Clock.Now().Equal(before) {
				t.Errorf("%s: body %s, clock %v (was %v): want an error and no change", tc.name, body, a.Clock.Now(), before)
			}
			continue
		}
		got := decode[ClockState](t, body)
		if !got.Now.Equal(tc.want) || got.UnixMs != tc.want.UnixMilli() || !a.Clock.Now().Equal(tc.want) {
			t.Errorf("%s: clock at %v (%d), want %v", tc.name, got.Now, got.UnixMs, tc.want)
		}
	}
}

func TestAdminMeterReset(t *testing.T) {
	a, base := adminServer(t, "")
	serve := func(tenant, endpoint string, status int, body string) {
		mw := a.Meter.Wrap(httptest.NewRecorder(), tenant, endpoint)
		mw.WriteHeader(status)
		mw.Write([]byte(body))
		mw.Done()
	}
	serve("t1", "Invoices", 200, "12345")
	serve("t1", "Invoices", 429, "")
	serve("t2", "Contacts", 200, "123")

	_, body := adminCall(t, http.MethodGet, base+"/_sandbox/meter", "")
	rep := decode[MeterReport](t, body)
	if rep.Calls != 3 || rep.Bytes != 8 || len(rep.Usage) != 2 {
		t.Fatalf("meter: %+v, want 3 calls, 8 bytes, 2 counters", rep)
	}
	if u := rep.Usage[0]; u.Tenant != "t1" || u.Endpoint != "Invoices" || u.Calls != 2 || u.Statuses[429] != 1 {
		t.Errorf("first counter %+v", u)
	}
	status, body := adminCall(t, http.MethodPost, base+"/_sandbox/meter/reset", "")
	if status != 200 || decode[MeterReport](t, body).Calls != 3 {
		t.Errorf("reset: %d %s, want the counters as they were", status, body)
	}
	_, body = adminCall(t, http.MethodGet, base+"/_sandbox/meter", "")
	if rep := decode[MeterReport](t, body); rep.Calls != 0 || len(rep.Usage) != 0 {
		t.Errorf("after reset: %+v, want nothing", rep)
	}
	if status, _ := adminCall(t, http.MethodGet, base+"/_sandbox/meter/reset", ""); status != 405 {
		t.Errorf("GET reset: %d, want 405", status)
	}
}

func TestAdminFaults(t *testing.T) {
	a, base := adminServer(t, "Invoices:500@call=1")
	_, body := adminCall(t, http.MethodGet, base+"/_sandbox/faults", "")
	if got := decode[FaultState](t, body); got.Profile != "Invoices:500@call=1" {
		t.Errorf("profile %q from the config", got.Profile)
	}
	tests := []struct {
		name, body string
		status     int
		profile    string
	}{
		{"set", "Journals:429-minute@every=10x3, *:slow=250ms@0.5", 200, "Journals:429-minute@every=10x3,*:slow=250ms@0.5"},
		{"as a JSON string", `"Contacts:504@call=2"`, 200, "Contacts:504@call=2"},
		{"unknown kind", "Invoices:teapot@call=1", 400, "Contacts:504@call=2"},
		{"bad trigger", "Invoices:500@always", 400, "Contacts:504@call=2"},
		{"clear", "", 200, ""},
	}
	for _, tc := range tests {
		status, body := adminCall(t, http.MethodPut, base+"/_sandbox/faults", tc.body)
		if status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
		}
		if got := a.Faults.Spec(); got != tc.profile {
			t.Errorf("%s: profile %q, want %q", tc.name, got, tc.profile)
		}
	}
	a.Faults.Set("Invoices:503@call=2")
	a.Faults.Decide("Invoices")
	a.Faults.Decide("Invoices")
	_, body = adminCall(t, http.MethodGet, base+"/_sandbox/faults", "")
	if got := decode[FaultState](t, body); got.Fired["503"] != 1 || got.Profile != "Invoices:503@call=2" {
		t.Errorf("after two calls: %+v, want one 503 fired", got)
	}
	if status, _ := adminCall(t, http.MethodPost, base+"/_sandbox/faults", "x"); status != 405 {
		t.Errorf("POST faults: %d, want 405", status)
	}
}
