package xero

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// TestErrorShapesBecomeTypedErrors has the sandbox answer with each of
// Xero's error shapes (its fault profile acts them out as Xero sends them)
// and checks what the connector makes of each: the typed error the engine
// acts on, the Xero-Correlation-Id kept, HTML and text bodies never parsed
// as JSON, and nothing emitted.
func TestErrorShapesBecomeTypedErrors(t *testing.T) {
	e := newEnv(t, envOptions{config: func(c *xsandbox.Config) {
		c.Faults = "Invoices:500@call=1,CreditNotes:502@call=1,Payments:maintenance@call=1,Overpayments:429-day@call=1," +
			"BankTransactions:429-minute@call=1,Prepayments:truncate@call=1,Quotes:org-offline@call=1," +
			"Users:token-expiry@call=1"
	}})
	apiError := func(status int, body string) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			var a *provider.APIError
			if !errors.As(err, &a) || a.Status != status {
				t.Fatalf("err %v, want an APIError %d", err, status)
			}
			if a.CorrelationID == "" || !strings.Contains(a.Body, body) || strings.Contains(a.Body, "<") {
				t.Errorf("APIError %+v: want correlation id and body %q", a, body)
			}
		}
	}
	limit := func(name string) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			var l *provider.LimitReachedError
			if !errors.As(err, &l) || l.Limit != name || l.Reset.IsZero() {
				t.Errorf("err %v, want a %s LimitReachedError with a reset time", err, name)
			}
		}
	}
	cases := []struct {
		endpoint string
		check    func(*testing.T, error)
	}{
		{"invoices", apiError(500, "An error occurred in Xero")},
		{"credit_notes", apiError(502, "502 Bad Gateway")},
		{"payments", apiError(503, "offline for maintenance")},
		{"quotes", apiError(503, "Organisation is offline")},
		{"overpayments", limit("day")},
		{"bank_transactions", limit("minute")},
		{"prepayments", func(t *testing.T, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err %v, want a decode error ending in unexpected EOF", err)
			}
		}},
		// Last: it expires every token.
		{"users", func(t *testing.T, err error) {
			var n *provider.NeedsReauthError
			if !errors.As(err, &n) {
				t.Errorf("err %v, want NeedsReauthError", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.endpoint, func(t *testing.T) {
			s, err := e.pull(c.endpoint, provider.Full, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if s.pages != 0 {
				t.Errorf("%d pages emitted", s.pages)
			}
			if !strings.HasPrefix(err.Error(), "xero: list "+c.endpoint+":") {
				t.Errorf("error %q lacks the xero: list %s: prefix", err, c.endpoint)
			}
			c.check(t, err)
		})
	}
}

// TestRevokedConsent has the user withdraw consent on the journals call:
// Xero then answers 403 everywhere. Journals say "not available" (403 is
// also how a plan without journals answers), every other endpoint "needs
// reconnect".
func TestRevokedConsent(t *testing.T) {
	e := newEnv(t, envOptions{config: func(c *xsandbox.Config) { c.Faults = "Journals:revoke@call=1" }})
	_, err := e.pull("journals", provider.Full, nil)
	if !provider.IsNotAvailable(err) {
		t.Errorf("journals: %v, want NotAvailableError", err)
	}
	_, err = e.pull("invoices", provider.Full, nil)
	var n *provider.NeedsReauthError
	if !errors.As(err, &n) {
		t.Errorf("invoices: %v, want NeedsReauthError", err)
	}
}

// TestBadRequestsAndNotFound reads Xero's 400 and 404 shapes straight off
// the sandbox: a HighVolumeException for an unpaged request of a large
// organisation, a ValidationException for a bad where, and the plain-text
// 404, which the attachments endpoint takes as "the parent is gone".
func TestBadRequestsAndNotFound(t *testing.T) {
	e := newEnv(t, envOptions{config: func(c *xsandbox.Config) { c.HighVolumeThreshold = 10 }})
	c := &conn{hc: e.hc, api: e.base.API + "/api.xro/2.0", tenant: e.tenant}
	ctx := context.Background()
	cases := []struct {
		path   string
		q      url.Values
		status int
		body   string
	}{
		{"Invoices", nil, 400, "HighVolumeException: Your request is not filtering Invoices efficiently"},
		{"Accounts", url.Values{"where": {`Status==`}}, 400, "ValidationException: A validation exception occurred ("},
		{"Invoices/00000000-0000-0000-0000-000000000001/Attachments", nil, 404, "The resource you're looking for cannot be found"},
	}
	for _, tc := range cases {
		_, err := c.list(ctx, "invoices", tc.path, "Invoices", tc.q, time.Time{})
		var a *provider.APIError
		if !errors.As(err, &a) || a.Status != tc.status || !strings.HasPrefix(a.Body, tc.body) || a.CorrelationID == "" {
			t.Errorf("%s: err %v, want HTTP %d %q with a correlation id", tc.path, err, tc.status, tc.body)
		}
	}
	ep := &attachmentsEndpoint{c: c}
	recs, err := ep.read(ctx, entities()["invoices"], "00000000-0000-0000-0000-000000000001")
	if err != nil || len(recs) != 0 {
		t.Errorf("attachments of a vanished parent: %d records, err %v; want none and no error", len(recs), err)
	}
}

// TestResponseErrorMapping covers the shapes the sandbox does not act out
// on demand: an invalid token, a 403 on journals and elsewhere, a 429
// without headers, an HTML page that claims to be JSON.
func TestResponseErrorMapping(t *testing.T) {
	problem := func(status int, detail string) string {
		return `{"Type":null,"Title":"x","Status":` + strconv.Itoa(status) + `,"Detail":"` + detail + `","Instance":"i","Extensions":{}}`
	}
	cases := []struct {
		name, endpoint string
		status         int
		ctype, body    string
		header         http.Header
		want           string // the typed error's kind
	}{
		{"invalid token", "invoices", 401, "application/json; charset=utf-8", problem(401, "AuthenticationUnsuccessful"), nil, "reauth"},
		{"expired token", "invoices", 401, "application/json; charset=utf-8", problem(401, "TokenExpired: token expired at 01/01/2001 00:00:00"), nil, "reauth"},
		{"scope", "items", 401, "application/json; charset=utf-8", problem(401, "AuthorizationUnsuccessful"), nil, "notavailable"},
		{"journals 403", "journals", 403, "application/json; charset=utf-8", problem(403, "AuthenticationUnsuccessful"), nil, "notavailable"},
		{"tenant 403", "invoices", 403, "application/json; charset=utf-8", problem(403, "AuthenticationUnsuccessful"), nil, "reauth"},
		{"429 bare", "invoices", 429, "text/html", "", nil, "limit"},
		{"html as json", "invoices", 502, "application/json", "<html><title>Bad gateway</title></html>", nil, "api"},
		{"text 404", "invoices", 404, "text/html; charset=utf-8", "The resource you're looking for cannot be found", nil, "api"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {tc.ctype}, "Xero-Correlation-Id": {"corr-1"}}
			resp := &http.Response{StatusCode: tc.status, Header: h, Body: io.NopCloser(strings.NewReader(tc.body)),
				Request: &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "api.xero.com", Path: "/x"}}}
			err := responseError(resp, tc.endpoint)
			var (
				reauth *provider.NeedsReauthError
				na     *provider.NotAvailableError
				lim    *provider.LimitReachedError
				a      *provider.APIError
			)
			got := "api"
			switch {
			case errors.As(err, &reauth):
				got = "reauth"
			case errors.As(err, &na):
				got = "notavailable"
			case errors.As(err, &lim):
				got = "limit"
			}
			if got != tc.want {
				t.Errorf("got %s (%v), want %s", got, err, tc.want)
			}
			if !errors.As(err, &a) || a.CorrelationID != "corr-1" {
				t.Errorf("%v: the APIError with the correlation id is not in the chain", err)
			}
			if tc.name == "html as json" && a != nil && a.Body != "Bad gateway" {
				t.Errorf("body %q, want the page's title", a.Body)
			}
		})
	}
}
