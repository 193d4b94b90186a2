package xero

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
)

// conn is one connected organisation: the engine's client (auth, pacing
// and retries already in its transport) and the tenant every call names.
type conn struct {
	hc     *http.Client
	api    string // the Accounting API root: https://api.xero.com/api.xro/2.0
	tenant string
}

// imsLayout is how If-Modified-Since is sent: second precision, UTC, no
// zone, the form Xero documents and other connectors use.
const imsLayout = "2006-01-02T15:04:05"

// list GETs one Accounting API list (path relative to the API root) and
// decodes its envelope, whose record array is under key. A non-zero since
// is sent as If-Modified-Since. endpoint names the DataPull endpoint the
// call serves, for the typed errors.
func (c *conn) list(ctx context.Context, endpoint, path, key string, q url.Values, since time.Time) (*api.List, error) {
	u := c.api + "/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Xero-Tenant-Id", c.tenant)
	if !since.IsZero() {
		req.Header.Set("If-Modified-Since", since.UTC().Format(imsLayout))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, transportError(err, endpoint)
	}
	defer closeBody(resp)
	if err := responseError(resp, endpoint); err != nil {
		return nil, err
	}
	l, err := api.DecodeList(resp.Body, key)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return l, nil
}

// getJSON GETs a tenantless identity URL (GET /connections) into v.
func getJSON(ctx context.Context, hc *http.Client, u, endpoint string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return transportError(err, endpoint)
	}
	defer closeBody(resp)
	if err := responseError(resp, endpoint); err != nil {
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// closeBody drains a little of what is left so the connection can be
// reused (a decoder stops at the closing brace, before a trailing newline),
// then closes.
func closeBody(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
}

// responseError turns a failed response into the error the engine acts on,
// or nil for a 2xx. The pacer has already retried what can be retried and
// refreshed the token once, so what arrives here is final:
//
//   - 401 AuthorizationUnsuccessful: the token lacks the endpoint's scope →
//     NotAvailableError, a note for the user rather than an empty table (X24).
//   - any other 401 (TokenExpired after a refresh, AuthenticationUnsuccessful)
//     → NeedsReauthError.
//   - 403: for journals, the plan or the sign-in does not include them
//     (tier-gated since 2026) → NotAvailableError; elsewhere the
//     organisation is no longer connected → NeedsReauthError.
//   - 429 → LimitReachedError, with the reset Retry-After gives.
//   - anything else → *provider.APIError with the Xero-Correlation-Id.
//
// Bodies are read as JSON only when they say they are: Xero's 404s and
// maintenance 503s are plain text and its edge errors HTML (G11).
func responseError(resp *http.Response, endpoint string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	isJSON := strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json")
	apiErr := &provider.APIError{
		Status:        resp.StatusCode,
		Body:          bodySummary(body, isJSON),
		CorrelationID: resp.Header.Get("Xero-Correlation-Id"),
	}
	if resp.Request != nil {
		apiErr.Method, apiErr.URL = resp.Request.Method, resp.Request.URL.String()
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		var p api.Problem
		if isJSON {
			json.Unmarshal(body, &p)
		}
		if p.Code() == "AuthorizationUnsuccessful" {
			return &provider.NotAvailableError{Endpoint: endpoint, Reason: scopeReason(endpoint), Err: apiErr}
		}
		return &provider.NeedsReauthError{Err: apiErr}
	case http.StatusForbidden:
		if endpoint == "journals" {
			return &provider.NotAvailableError{Endpoint: endpoint,
				Reason: "the sign-in did not grant journal access or the plan does not include journals", Err: apiErr}
		}
		return &provider.NeedsReauthError{Err: apiErr}
	case http.StatusTooManyRequests:
		return limitError(resp, apiErr)
	}
	return apiErr
}

// transportError reads an error of the client's transport. The pacer
// answers a 401 that a refresh cannot cure (AuthorizationUnsuccessful: the
// token lacks the scope) with an *APIError instead of a response; that is
// the same missing scope responseError turns into a note (X24).
func transportError(err error, endpoint string) error {
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
		return &provider.NotAvailableError{Endpoint: endpoint, Reason: scopeReason(endpoint), Err: err}
	}
	return err
}

// scopeReason says, in the user's words, why an endpoint answered
// AuthorizationUnsuccessful.
func scopeReason(endpoint string) string {
	if endpoint == "journals" {
		return "the sign-in did not grant journal access"
	}
	return "the sign-in did not grant access to " + strings.ReplaceAll(endpoint, "_", " ")
}

// limitError reads X-Rate-Limit-Problem ("day", "minute") and Retry-After.
func limitError(resp *http.Response, apiErr *provider.APIError) error {
	e := &provider.LimitReachedError{Limit: strings.ToLower(resp.Header.Get("X-Rate-Limit-Problem")), Err: apiErr}
	if e.Limit == "" {
		e.Limit = "rate"
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs >= 0 {
		e.Reset = time.Now().Add(time.Duration(secs) * time.Second)
	}
	return e
}

// bodySummary shortens an error body to what a log line needs: the
// problem's Detail or the exception's message for JSON, the title of an
// HTML page, else the start of the text.
func bodySummary(body []byte, isJSON bool) string {
	if isJSON {
		var p api.Problem
		var e api.Exception
		if json.Unmarshal(body, &e) == nil && e.Type != "" {
			return e.Summary()
		}
		if json.Unmarshal(body, &p) == nil && (p.Detail != "" || p.Title != "") {
			return strings.TrimSpace(p.Title + ": " + p.Detail)
		}
	}
	return provider.TextSummary(body)
}

// isNotFound reports whether err is Xero's 404.
func isNotFound(err error) bool {
	var e *provider.APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}
