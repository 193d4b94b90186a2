package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TokenSet is what a sign-in yields and what the store keeps (sealed).
type TokenSet struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// Expiry is when the access token stops working; zero if the provider
	// did not say.
	Expiry time.Time `json:"expiry,omitzero"`
	// Scope is the space-separated scope the provider granted.
	Scope string `json:"scope,omitempty"`
}

// Scopes returns the granted scopes as a list.
func (t TokenSet) Scopes() []string { return strings.Fields(t.Scope) }

// TokenError is an OAuth error answer of a token or revocation endpoint
// (RFC 6749 §5.2), such as invalid_grant.
type TokenError struct {
	Status      int
	Code        string
	Description string
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("token endpoint: HTTP %d %s", e.Status, e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// Retry defaults for token endpoint calls.
const (
	defaultAttempts = 5
	// defaultMaxWait bounds one wait: a token endpoint that asks for longer
	// is down for longer than a pull should sit waiting on it.
	defaultMaxWait = 2 * time.Minute
	backoffBase    = time.Second
	backoffCap     = 30 * time.Second
	// maxBody bounds what is read of a token endpoint answer.
	maxBody = 1 << 20
)

// Client talks to one provider's token and revocation endpoints for one
// OAuth client (the ClientID and ClientSecret of its spec).
type Client struct {
	spec provider.OAuthSpec
	hc   *http.Client

	// Test seams; NewClient sets them to the real thing.
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	attempts int
	maxWait  time.Duration
}

// NewClient returns a Client for spec. hc makes the token endpoint calls;
// nil means a client with a 30-second timeout.
func NewClient(spec provider.OAuthSpec, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{
		spec:     spec,
		hc:       hc,
		now:      time.Now,
		sleep:    sleepCtx,
		attempts: defaultAttempts,
		maxWait:  defaultMaxWait,
	}
}

// Spec returns the OAuth spec the client was made for.
func (c *Client) Spec() provider.OAuthSpec { return c.spec }

// Exchange trades an authorization code for a token set (RFC 6749 §4.1.3,
// with the PKCE verifier of RFC 7636). r must be the request the code was
// issued for.
func (c *Client) Exchange(ctx context.Context, r AuthRequest, code string) (TokenSet, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {r.RedirectURI},
		"code_verifier": {r.Verifier},
	}
	// A code works once: if a response is lost after the server used it, a
	// repeat fails and may revoke the new token set (RFC 6749 §4.1.2). So
	// only answers that say the request was not processed are retried.
	ts, err := c.tokenCall(ctx, form, retryRefused, TokenSet{})
	if err != nil {
		return TokenSet{}, fmt.Errorf("oauth: exchange code: %w", err)
	}
	return ts, nil
}

// Refresh trades a refresh token for a new token set. When the provider
// sends no new refresh token, the old one is kept in the result. A refresh
// token the provider no longer accepts (invalid_grant: expired, revoked,
// rotated past its grace period) is a *provider.NeedsReauthError.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (TokenSet, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	// Repeating a refresh is safe: if the server rotated the token and the
	// answer was lost, the old token still works during the grace period
	// (Xero: 30 minutes) and yields a fresh pair.
	ts, err := c.tokenCall(ctx, form, retryIdempotent, TokenSet{RefreshToken: refreshToken})
	if err != nil {
		err = fmt.Errorf("oauth: refresh: %w", err)
		if isInvalidGrant(err) {
			return TokenSet{}, &provider.NeedsReauthError{Err: err}
		}
		return TokenSet{}, err
	}
	return ts, nil
}

// Revoke withdraws a refresh token (RFC 7009): on Xero this removes every
// connection the user made to the app.
func (c *Client) Revoke(ctx context.Context, refreshToken string) error {
	if c.spec.RevokeURL == "" {
		return errors.New("oauth: revoke: this provider has no revocation URL")
	}
	form := url.Values{"token": {refreshToken}, "token_type_hint": {"refresh_token"}}
	a, err := c.post(ctx, c.spec.RevokeURL, form, retryIdempotent)
	if err != nil {
		return fmt.Errorf("oauth: revoke: %w", err)
	}
	if a.status/100 != 2 {
		return fmt.Errorf("oauth: revoke: %w", a.failure(c.spec.RevokeURL))
	}
	return nil
}

// Revoke withdraws a refresh token at spec's revocation URL with a default
// HTTP client.
func Revoke(ctx context.Context, spec provider.OAuthSpec, refreshToken string) error {
	return NewClient(spec, nil).Revoke(ctx, refreshToken)
}

// tokenJSON is a token endpoint answer, success or error. status and
// message are HubSpot's older error fields.
type tokenJSON struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	RefreshToken     string `json:"refresh_token"`
	ExpiresIn        int64  `json:"expires_in"`
	Scope            string `json:"scope"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           string `json:"status"`
	Message          string `json:"message"`
}

// tokenCall posts form to the token endpoint and reads a token set; base
// supplies what the answer may leave out (the refresh token on a refresh).
func (c *Client) tokenCall(ctx context.Context, form url.Values, retry retryRule, base TokenSet) (TokenSet, error) {
	start := c.now()
	a, err := c.post(ctx, c.spec.TokenURL, form, retry)
	if err != nil {
		return TokenSet{}, err
	}
	var tj tokenJSON
	jsonErr := json.Unmarshal(a.body, &tj)
	if a.status/100 != 2 || tj.Error != "" {
		return TokenSet{}, a.failure(c.spec.TokenURL)
	}
	switch {
	case jsonErr != nil:
		return TokenSet{}, fmt.Errorf("token endpoint answer is not JSON: %w", jsonErr)
	case tj.AccessToken == "":
		return TokenSet{}, errors.New("token endpoint answer has no access_token")
	case tj.TokenType != "" && !strings.EqualFold(tj.TokenType, "bearer"):
		return TokenSet{}, fmt.Errorf("token endpoint issued a %q token, want bearer", tj.TokenType)
	}
	ts := base
	ts.AccessToken = tj.AccessToken
	ts.Expiry = time.Time{}
	if tj.RefreshToken != "" {
		ts.RefreshToken = tj.RefreshToken
	}
	if tj.ExpiresIn > 0 {
		// Counted from before the request, so network time can only make
		// the token look older than it is, never younger.
		ts.Expiry = start.Add(time.Duration(tj.ExpiresIn) * time.Second)
	}
	if tj.Scope != "" {
		ts.Scope = tj.Scope
	}
	return ts, nil
}

func isInvalidGrant(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.Code == "invalid_grant"
}

// answer is one HTTP answer, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// failure turns an unsuccessful answer into a *TokenError when it carries
// an OAuth error, else a *provider.APIError.
func (a answer) failure(endpoint string) error {
	var tj tokenJSON
	if json.Unmarshal(a.body, &tj) == nil {
		code, desc := tj.Error, tj.ErrorDescription
		if code == "" && tj.Status == "BAD_REFRESH_TOKEN" {
			code, desc = "invalid_grant", tj.Message
		}
		if code != "" {
			return &TokenError{Status: a.status, Code: code, Description: desc}
		}
	}
	body := strings.TrimSpace(string(a.body))
	if len(body) > 256 {
		body = body[:256]
	}
	return &provider.APIError{
		Status:        a.status,
		Method:        http.MethodPost,
		URL:           endpoint,
		Body:          body,
		CorrelationID: correlationID(a.header),
	}
}

// correlationID returns the request id a provider puts on its answers, for
// support.
func correlationID(h http.Header) string {
	for _, name := range []string{"Xero-Correlation-Id", "X-Hubspot-Correlation-Id", "X-Request-Id"} {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// retryRule says whether an attempt's outcome may be repeated.
type retryRule func(status int, netErr error) bool

// retryRefused repeats only answers that say the request was not acted on.
func retryRefused(status int, netErr error) bool {
	return netErr == nil && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable)
}

// retryIdempotent repeats rate limiting, server errors and network errors.
func retryIdempotent(status int, netErr error) bool {
	if netErr != nil {
		return true
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// post sends form to endpoint with the client's authentication, retrying
// what retry allows with backoff, honouring Retry-After. It returns the
// last answer, whatever its status.
func (c *Client) post(ctx context.Context, endpoint string, form url.Values, retry retryRule) (answer, error) {
	for attempt := 1; ; attempt++ {
		a, err := c.postOnce(ctx, endpoint, form)
		if ctx.Err() != nil {
			return answer{}, ctx.Err()
		}
		if attempt >= c.attempts || !retry(a.status, err) {
			return a, err
		}
		wait := c.retryWait(a, attempt)
		if wait > c.maxWait {
			if err != nil {
				return a, err
			}
			return a, nil // the caller reports the answer, which says why
		}
		if err := c.sleep(ctx, wait); err != nil {
			return answer{}, err
		}
	}
}

func (c *Client) postOnce(ctx context.Context, endpoint string, form url.Values) (answer, error) {
	form = cloneValues(form)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return answer{}, err
	}
	if c.spec.ClientSecret != "" {
		// RFC 6749 §2.3.1: each half is form-encoded before Base64.
		req.SetBasicAuth(url.QueryEscape(c.spec.ClientID), url.QueryEscape(c.spec.ClientSecret))
	} else {
		form.Set("client_id", c.spec.ClientID)
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// A cut-off answer is a network error: the status alone may say
		// success for a token we never fully received.
		return answer{}, fmt.Errorf("read answer: %w", err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// retryWait is how long to wait before the next attempt: what Retry-After
// says, else exponential backoff with jitter.
func (c *Client) retryWait(a answer, attempt int) time.Duration {
	if d, ok := parseRetryAfter(a.header.Get("Retry-After"), c.now()); ok {
		return d
	}
	d := backoffBase << (attempt - 1)
	if d > backoffCap || d <= 0 {
		d = backoffCap
	}
	// Half fixed, half random, so callers that failed together spread out.
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
