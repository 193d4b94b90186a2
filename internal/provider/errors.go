package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// NotAvailableError says an endpoint cannot be read by this account: a scope
// not granted, a plan or tier without it (Xero Journals), a feature turned
// off. The engine records a note and moves on; it is not a failed pull.
type NotAvailableError struct {
	Endpoint string
	Reason   string // plain words for the user: "the sign-in did not grant journal access"
	Err      error
}

func (e *NotAvailableError) Error() string {
	return fmt.Sprintf("%s not available for this account: %s", e.Endpoint, e.Reason)
}

func (e *NotAvailableError) Unwrap() error { return e.Err }

// NeedsReauthError says the account's sign-in no longer works (refresh
// token expired or revoked, consent withdrawn): the user must reconnect.
type NeedsReauthError struct{ Err error }

func (e *NeedsReauthError) Error() string { return "needs reconnect: " + errString(e.Err) }

func (e *NeedsReauthError) Unwrap() error { return e.Err }

// LimitReachedError says a provider allowance is spent (Xero's daily call
// limit): the pull stops cleanly, checkpoints saved, and can resume at Reset.
type LimitReachedError struct {
	Limit string    // "day", "minute", ...
	Reset time.Time // when the provider says the allowance returns; zero if unknown
	Err   error
}

func (e *LimitReachedError) Error() string {
	if e.Reset.IsZero() {
		return fmt.Sprintf("provider %s limit reached", e.Limit)
	}
	return fmt.Sprintf("provider %s limit reached until %s", e.Limit, e.Reset.UTC().Format(time.RFC3339))
}

func (e *LimitReachedError) Unwrap() error { return e.Err }

// APIError is an unexpected provider answer, kept with what support needs.
type APIError struct {
	Status        int
	Method, URL   string
	Body          string // the start of the body, for the log
	CorrelationID string // the provider's request id (Xero-Correlation-Id, ...)
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.Status)
	if e.CorrelationID != "" {
		msg += " (correlation id " + e.CorrelationID + ")"
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// IsNotAvailable reports whether err says the endpoint is not available.
func IsNotAvailable(err error) bool {
	var e *NotAvailableError
	return errors.As(err, &e)
}

func errString(err error) string {
	if err == nil {
		return "sign-in no longer valid"
	}
	return err.Error()
}

// htmlTitle finds an HTML page's title, which is all an edge error page
// (a gateway's 502, a CDN's 524) says.
var htmlTitle = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// TextSummary shortens an error body that is not the provider's JSON to
// what a log line needs: an HTML page's title, else the start of the text.
func TextSummary(body []byte) string {
	if m := htmlTitle.FindSubmatch(body); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
