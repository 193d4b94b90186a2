package sandbox

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestAdminIndexAndExpireRoutes(t *testing.T) {
	a := &Admin{Clock: NewClock(time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), 0), Meter: NewMeter()}
	mux := http.NewServeMux()
	a.Routes(mux, AdminBase)
	a.IndexRoute(mux, AdminBase, func(c ClockState) any { return map[string]any{"clock": c, "tenants": 2} })
	expired := 0
	a.ExpireTokensRoute(mux, AdminBase, func() int { expired++; return 3 })
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)

	status, body := adminCall(t, http.MethodGet, hs.URL+"/_sandbox/", "")
	idx := decode[struct {
		Clock   ClockState
		Tenants int
	}](t, body)
	if status != 200 || idx.Tenants != 2 || !idx.Clock.Now.Equal(a.Clock.Now()) {
		t.Errorf("index: %d %s", status, body)
	}
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/_sandbox/", 405},
		{http.MethodGet, "/_sandbox/nowhere", 404},
		{http.MethodGet, "/_sandbox/tokens/expire", 405},
	} {
		if status, body := adminCall(t, tc.method, hs.URL+tc.path, ""); status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, status, body, tc.status)
		}
	}
	if expired != 0 {
		t.Fatalf("a refused request expired tokens")
	}
	status, body = adminCall(t, http.MethodPost, hs.URL+"/_sandbox/tokens/expire", "")
	if status != 200 || decode[map[string]int](t, body)["expired"] != 3 || expired != 1 {
		t.Errorf("expire: %d %s (called %d times)", status, body, expired)
	}
}
