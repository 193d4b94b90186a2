package hubspot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
)

// conn is one connected portal: the engine's client (auth, pacing and
// retries already in its transport) and the API root.
type conn struct {
	hc       *http.Client
	api      string // https://api.hubapi.com
	pageSize int
	meta     meta
}

// get GETs path?q and returns the body of a 2xx; endpoint names the
// DataPull endpoint for the typed errors.
func (c *conn) get(ctx context.Context, endpoint, path string, q url.Values) ([]byte, error) {
	return c.getInto(ctx, endpoint, path, q, nil)
}

// getInto is get reading the body into dst's storage when it is large
// enough: the record reads reuse one buffer for every page, since their
// records are copied out (compacted) before the next call.
func (c *conn) getInto(ctx context.Context, endpoint, path string, q url.Values, dst []byte) ([]byte, error) {
	u := c.api + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	a, err := c.doStatus(req, endpoint, dst)
	return a.body, err
}

func (c *conn) getJSON(ctx context.Context, endpoint, path string, q url.Values, v any) error {
	body, err := c.get(ctx, endpoint, path, q)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// post POSTs a JSON body. Searches and batch reads change nothing, so
// they carry an Idempotency-Key (derived from the body: the same read is
// the same request), which tells the pacer they are safe to repeat.
// A 207 (some ids not found) is a success whose errors the caller reads.
func (c *conn) post(ctx context.Context, endpoint, path string, q url.Values, body any) ([]byte, int, error) {
	return c.postInto(ctx, endpoint, path, q, body, nil)
}

// postInto is post reading the body into dst's storage (see getInto).
func (c *conn) postInto(ctx context.Context, endpoint, path string, q url.Values, body any, dst []byte) ([]byte, int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, 0, err
	}
	u := c.api + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return nil, 0, err
	}
	sum := sha256.Sum256(append([]byte(u), b...))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", hex.EncodeToString(sum[:16]))
	out, err := c.doStatus(req, endpoint, dst)
	return out.body, out.status, err
}

type answer struct {
	body   []byte
	status int
}

func (c *conn) do(req *http.Request, endpoint string) ([]byte, error) {
	a, err := c.doStatus(req, endpoint, nil)
	return a.body, err
}

func (c *conn) doStatus(req *http.Request, endpoint string, dst []byte) (answer, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, transportError(err, endpoint)
	}
	defer resp.Body.Close()
	if err := responseError(resp, endpoint); err != nil {
		return answer{}, err
	}
	// The pacer has read the body into memory already and says how long
	// it is; reading it into a buffer of that size copies it once, and
	// into dst allocates nothing.
	var body []byte
	if n := resp.ContentLength; n >= 0 && n < 1<<30 {
		if int64(cap(dst)) >= n {
			body = dst[:n]
		} else {
			body = make([]byte, n)
		}
		_, err = io.ReadFull(resp.Body, body)
	} else {
		buf := bytes.NewBuffer(dst[:0])
		_, err = buf.ReadFrom(resp.Body)
		body = buf.Bytes()
	}
	if err != nil {
		return answer{}, fmt.Errorf("read %s: %w", redact(req.URL), err)
	}
	return answer{body: body, status: resp.StatusCode}, nil
}

// introspect asks the token endpoint who an access token belongs to.
func (c *conn) introspect(ctx context.Context, clientID, token string) (*tokenInfo, error) {
	form := url.Values{"client_id": {clientID}, "token": {token}, "token_type_hint": {"access_token"}, "access_token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api+"/oauth/v3/token/introspect", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	body, err := c.do(req, "account")
	if err != nil {
		return nil, err
	}
	var ti tokenInfo
	if err := json.Unmarshal(body, &ti); err != nil {
		return nil, fmt.Errorf("decode introspection: %w", err)
	}
	return &ti, nil
}

// hsError is HubSpot's error body (hubspot-api.md §6); every field is
// optional.
type hsError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	Category      string `json:"category"`
	SubCategory   string `json:"subCategory"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
	Errors        []struct {
		Message string              `json:"message"`
		Context map[string][]string `json:"context"`
	} `json:"errors"`
}

// responseError turns a failed response into the error the engine acts
// on, or nil for a 2xx. The pacer has already retried what can be retried
// (429s that pass, 5xx, a 401 after one refresh), so what arrives is final:
//
//   - 403 MISSING_SCOPES → NotAvailableError: a note naming the scope,
//     never an empty table (X24);
//   - 401 → NeedsReauthError (a refreshed token was refused too);
//   - 429 DAILY → LimitReachedError; 477 (portal migrating) → a
//     LimitReachedError with its Retry-After as the reset;
//   - anything else → *provider.APIError with the correlation id.
//
// Bodies are read as JSON only when they say so: HubSpot's 502/504/524
// pages are HTML (gotcha 10).
func responseError(resp *http.Response, endpoint string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	isJSON := strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json")
	var he hsError
	if isJSON {
		json.Unmarshal(body, &he)
	}
	apiErr := &provider.APIError{Status: resp.StatusCode, Body: bodySummary(body, he, isJSON),
		CorrelationID: resp.Header.Get("X-HubSpot-Correlation-Id")}
	if apiErr.CorrelationID == "" {
		apiErr.CorrelationID = he.CorrelationID
	}
	if resp.Request != nil {
		apiErr.Method, apiErr.URL = resp.Request.Method, redact(resp.Request.URL)
	}
	switch {
	case resp.StatusCode == http.StatusForbidden && (he.Category == "MISSING_SCOPES" || !isJSON || he.Category == ""):
		return &provider.NotAvailableError{Endpoint: endpoint, Reason: scopeReason(endpoint, he), Err: apiErr}
	case resp.StatusCode == http.StatusUnauthorized:
		return &provider.NeedsReauthError{Err: apiErr}
	case resp.StatusCode == http.StatusTooManyRequests:
		lim := &provider.LimitReachedError{Limit: strings.ToLower(he.PolicyName), Err: apiErr}
		if strings.EqualFold(he.PolicyName, "DAILY") {
			lim.Limit = "day"
		}
		if lim.Limit == "" {
			lim.Limit = "rate"
		}
		return lim
	case resp.StatusCode == 477:
		lim := &provider.LimitReachedError{Limit: "portal migration", Err: apiErr}
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
			lim.Reset = time.Now().Add(time.Duration(secs) * time.Second)
		}
		return lim
	}
	return apiErr
}

// transportError reads an error of the client's transport: the pacer's
// typed errors pass through as they are.
func transportError(err error, endpoint string) error {
	var apiErr *provider.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden {
		return &provider.NotAvailableError{Endpoint: endpoint, Reason: "the sign-in did not grant access", Err: err}
	}
	return err
}

// scopeReason says, in the user's words, what a 403 lacks.
func scopeReason(endpoint string, he hsError) string {
	for _, e := range he.Errors {
		if s := e.Context["requiredGranularScopes"]; len(s) > 0 {
			return "the sign-in did not grant one of the scopes " + strings.Join(s, ", ")
		}
	}
	return "the sign-in did not grant access to " + strings.ReplaceAll(endpoint, "_", " ")
}

// bodySummary is HubSpot's category and message, else the text's summary.
func bodySummary(body []byte, he hsError, isJSON bool) string {
	if isJSON && (he.Message != "" || he.Category != "") {
		return strings.TrimSpace(he.Category + ": " + he.Message)
	}
	return provider.TextSummary(body)
}

// redact drops the query from a URL for errors: long property lists help
// nobody in a log line.
func redact(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}
