package xero

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

const faultsTestTenant = "6f1d2e4c-0000-4000-8000-00000000000a"

// faultsTestCall returns a call as the pipeline hands it to injectFault.
func faultsTestCall(r *http.Request) *call {
	if r == nil {
		r = httptest.NewRequest(http.MethodGet, "/api.xro/2.0/Invoices", nil)
	}
	return &call{r: r, grant: &grant{userID: "user-1", clientID: PublicClientID},
		org: &Org{ID: faultsTestTenant}, instance: "instance-1"}
}

func TestFaultResponses(t *testing.T) {
	tests := []struct {
		kind        string
		status      int
		contentType string
		body        string // the body, or a part of it
		header      map[string]string
	}{
		{"429-minute", 429, contentHTML, rateLimitBody,
			map[string]string{"X-Rate-Limit-Problem": "minute", "Retry-After": "60", "X-MinLimit-Remaining": "0"}},
		{"429-day", 429, contentHTML, rateLimitBody,
			map[string]string{"X-Rate-Limit-Problem": "day", "Retry-After": strconv.Itoa(14 * 3600), "X-DayLimit-Remaining": "0"}},
		{"500", 500, contentJSON, `"Detail":"An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status."`, nil},
		{"502", 502, contentHTML, "<center><h1>502 Bad Gateway</h1></center>", nil},
		{"503", 503, contentHTML, "<title>503 Service Unavailable</title>", nil},
		{"504", 504, contentHTML, "<h1>504 Gateway Timeout</h1>", nil},
		{"maintenance", 503, contentText, "The Xero API is currently offline for maintenance", nil},
		{"org-offline", 503, contentText, "Organisation is offline", nil},
		{"token-expiry", 401, contentJSON, `"Detail":"TokenExpired: token expired at 03/02/2026 10:00:00"`, nil},
		{"revoke", 403, contentJSON, `"Detail":"AuthenticationUnsuccessful"`, nil},
		// A recorder cannot be hijacked: reset falls back to the edge's 502.
		{"reset", 502, contentHTML, "<h1>502 Bad Gateway</h1>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			s := newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:" + tt.kind + "@1" })
			rec := httptest.NewRecorder()
			apiErr := s.injectFault(rec, faultsTestCall(nil), "Invoices")
			if apiErr == nil {
				t.Fatal("no fault")
			}
			apiErr.Send(rec)
			res := rec.Result()
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if body := rec.Body.String(); !strings.Contains(body, tt.body) {
				t.Errorf("body %q, want it to contain %q", body, tt.body)
			}
			if tt.contentType == contentJSON && !json.Valid(rec.Body.Bytes()) {
				t.Errorf("body is not JSON: %s", rec.Body)
			}
			for k, v := range tt.header {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.status == 401 || tt.status == 403 || tt.status == 500 {
				var p struct{ Instance string }
				json.Unmarshal(rec.Body.Bytes(), &p)
				if p.Instance != "instance-1" {
					t.Errorf("Instance %q, want the call's", p.Instance)
				}
			}
			if got := s.faults.Fired()[tt.kind]; got != 1 {
				t.Errorf("Fired[%s] = %d, want 1", tt.kind, got)
			}
		})
	}
}

func TestFaultOnlyOnMatchingCalls(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:500@call=2" })
	var got []bool
	for _, ep := range []string{"Invoices", "Contacts", "Contacts", "Invoices", "Invoices"} {
		got = append(got, s.injectFault(httptest.NewRecorder(), faultsTestCall(nil), ep) != nil)
	}
	if want := []bool{false, false, false, true, false}; !equalBools(got, want) {
		t.Fatalf("faults on %v, want %v", got, want)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultRevokeDropsConnections(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:revoke@1" })
	c := faultsTestCall(nil)
	s.ident.connect(c.grant.userID, c.grant.clientID, "auth-event-1", []*Org{c.org}, []string{"accounting.transactions.read"})
	if _, apiErr := s.ident.connectedOrg(c.grant, faultsTestTenant, ""); apiErr != nil {
		t.Fatal("setup: tenant not connected")
	}
	if apiErr := s.injectFault(httptest.NewRecorder(), c, "Invoices"); apiErr == nil || apiErr.Status != http.StatusForbidden {
		t.Fatalf("revoke fault: %v, want 403", apiErr)
	}
	if _, apiErr := s.ident.connectedOrg(c.grant, faultsTestTenant, ""); apiErr == nil {
		t.Fatal("tenant still connected after the revoke fault: later calls must get 403 too")
	}
}

func TestFaultSlow(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:slow=30ms@1" })
	began := time.Now()
	if apiErr := s.injectFault(httptest.NewRecorder(), faultsTestCall(nil), "Invoices"); apiErr != nil {
		t.Fatalf("slow returned %d: the call must go on", apiErr.Status)
	}
	if d := time.Since(began); d < 30*time.Millisecond {
		t.Fatalf("slow=30ms delayed %v", d)
	}

	// A client that gives up ends the wait.
	s = newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:slow=1m@1" })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := httptest.NewRequest(http.MethodGet, "/api.xro/2.0/Invoices", nil).WithContext(ctx)
	began = time.Now()
	s.injectFault(httptest.NewRecorder(), faultsTestCall(r), "Invoices")
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("slow ignored the cancelled request for %v", d)
	}
}

// faultsTestServer serves one endpoint the way serveAPI does after
// authentication, admission included, with the sentinel handling server.go
// needs: errHandled writes nothing, errTruncate serves through
// sandbox.TruncateBody.
func faultsTestServer(t *testing.T, s *Server, body []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mw := s.meter.Wrap(w, faultsTestTenant, "Invoices")
		defer mw.Done()
		w = mw
		serve := func() *apiError {
			release, apiErr := s.limits.admit(w, faultsTestTenant)
			if apiErr != nil {
				return apiErr
			}
			defer release()
			switch apiErr := s.injectFault(w, faultsTestCall(r), "Invoices"); apiErr {
			case nil:
			case errTruncate:
				w = sandbox.TruncateBody(w)
			default:
				return apiErr
			}
			w.Header().Set("Content-Type", contentJSON)
			w.WriteHeader(http.StatusOK)
			w.Write(body)
			return nil
		}
		if apiErr := serve(); apiErr != nil && apiErr != errHandled {
			apiErr.Send(w)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFaultResetClosesConnection(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:reset@call=2" })
	srv := faultsTestServer(t, s, []byte(`{"Invoices":[]}`))
	// A fresh connection per request, so the client's transport cannot
	// quietly retry the reset request on a new one.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for i := 1; i <= 3; i++ {
		res, err := client.Get(srv.URL)
		if i == 2 {
			if err == nil {
				res.Body.Close()
				t.Fatalf("call 2: got status %d, want the connection reset", res.StatusCode)
			}
			t.Logf("call 2: %v", err)
			continue
		}
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("call %d: status %d", i, res.StatusCode)
		}
	}
}

func TestFaultTruncateCutsBody(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.Faults = "Invoices:truncate@1" })
	body := []byte(`{"Id":"x","Status":"OK","Invoices":[` + strings.Repeat(`{"InvoiceID":"00000000-0000-0000-0000-000000000000"},`, 40) + `{}]}`)
	srv := faultsTestServer(t, s, body)
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != contentJSON {
		t.Fatalf("status %d, Content-Type %q: want the headers of a good response", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.ContentLength != int64(len(body)) {
		t.Fatalf("Content-Length %d, want the full %d", res.ContentLength, len(body))
	}
	if res.Header.Get("X-MinLimit-Remaining") != "59" {
		t.Fatalf("X-MinLimit-Remaining %q: the limit headers must still be there", res.Header.Get("X-MinLimit-Remaining"))
	}
	got, err := io.ReadAll(res.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the body: %v, want io.ErrUnexpectedEOF", err)
	}
	if len(got) != len(body)/2 || json.Valid(got) {
		t.Fatalf("read %d bytes (valid JSON: %v), want the first %d", len(got), json.Valid(got), len(body)/2)
	}
	if u := s.meter.Snapshot(); len(u) != 1 || u[0].Bytes != int64(len(body)/2) {
		t.Fatalf("meter %+v, want the half body counted", u)
	}
}
