package pacer

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TokenSource gives the pacer an account's access tokens
// (internal/oauth.TokenSource is one).
type TokenSource interface {
	// Token returns a token that is not about to expire.
	Token(ctx context.Context) (string, error)
	// Refresh returns a token other than stale, the one a provider has just
	// refused; when another caller has already replaced stale it returns
	// that replacement, so concurrent 401s cause one refresh. An error
	// wrapping *provider.NeedsReauthError means the sign-in is gone.
	Refresh(ctx context.Context, stale string) (string, error)
}

// Config is what New needs. Only Policy matters to behaviour; the rest
// have working defaults.
type Config struct {
	Policy Policy
	// Tokens, if set, authorises every request with a bearer token.
	Tokens TokenSource
	// App is a budget shared by every account of the same app, if any.
	App *Budget
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Clock defaults to the wall clock.
	Clock Clock
	// OnWait, if set, is told of every timed wait and may refuse it.
	OnWait WaitHook
	// Jitter randomises a backoff; nil means keep half, randomise half.
	// Tests pass the identity to make waits exact.
	Jitter func(time.Duration) time.Duration
}

// Transport paces, authorises and retries the calls of one account. Safe
// for concurrent use; share one per account, not one per goroutine, or
// the account's limits are not shared either.
type Transport struct {
	policy Policy
	tokens TokenSource
	base   http.RoundTripper
	clock  Clock
	onWait WaitHook
	jitter func(time.Duration) time.Duration
	gate   *gate
	stats  counters
	// bufs recycles response body buffers: a body is handed back when
	// the caller closes it, so a pull of multi-megabyte pages does not
	// allocate (and zero) a fresh buffer for each.
	bufs sync.Pool

	mu        sync.Mutex
	allowance Allowance
	seen      bool
}

// New returns a Transport for one account.
func New(cfg Config) *Transport {
	t := &Transport{
		policy: cfg.Policy.withDefaults(),
		tokens: cfg.Tokens,
		base:   cfg.Base,
		clock:  cfg.Clock,
		onWait: cfg.OnWait,
		jitter: cfg.Jitter,
	}
	if t.base == nil {
		t.base = http.DefaultTransport
	}
	if t.clock == nil {
		t.clock = realClock{}
	}
	if t.jitter == nil {
		t.jitter = equalJitter
	}
	t.gate = newGate(t.policy, cfg.App)
	return t
}

// Client returns an *http.Client whose every call goes through t.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// Stats returns what t has done so far.
func (t *Transport) Stats() Stats { return t.stats.snapshot() }

// Allowance returns what the provider last said about the account's
// allowance; ok is false until a response has said anything.
func (t *Transport) Allowance() (a Allowance, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.allowance, t.seen
}

// RoundTrip sends req under the account's limits, retrying what can be
// retried; see the package documentation for what it returns.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := &call{t: t, req: req, ctx: req.Context(), safe: retrySafe(req), replay: replayable(req)}
	defer c.closeUnsent()
	return c.run()
}

// call is one RoundTrip: its request and what its attempts have learnt.
type call struct {
	t            *Transport
	req          *http.Request
	ctx          context.Context
	safe, replay bool
	token        string
	refreshed    bool
	bodySent     bool // req.Body has been handed to the base transport
}

// result is one attempt's outcome: a response with its body read, or the
// error that cut it short.
type result struct {
	resp  *http.Response
	body  []byte
	err   error
	start time.Time
}

// verdict is what to do after an attempt.
type verdict struct {
	retry bool
	resp  *http.Response
	err   error
}

func done(resp *http.Response, err error) verdict { return verdict{resp: resp, err: err} }

var again = verdict{retry: true}

func (c *call) run() (*http.Response, error) {
	if c.t.tokens != nil {
		tok, err := c.t.tokens.Token(c.ctx)
		if err != nil {
			return nil, fmt.Errorf("pacer: token: %w", err)
		}
		c.token = tok
	}
	for attempt := 1; ; attempt++ {
		r, err := c.attempt(attempt)
		if err != nil {
			return nil, err
		}
		v := c.judge(r, attempt)
		if !v.retry {
			return v.resp, v.err
		}
	}
}

// closeUnsent closes a request body the base transport never received, as
// a RoundTripper must close it even when it fails.
func (c *call) closeUnsent() {
	if !c.bodySent && c.req.Body != nil {
		c.req.Body.Close()
	}
}

// attempt waits for admission, sends the request (for the n-th time) and
// reads the whole body. Errors are final (the context ended, a wait refused); a failed
// send is reported in the result for judge.
func (c *call) attempt(n int) (result, error) {
	release, err := c.t.admit(c.ctx, c.req)
	if err != nil {
		return result{}, err
	}
	defer release()
	r, gz, err := c.prepare()
	if err != nil {
		return result{}, err
	}
	res := result{start: c.t.clock.Now()}
	c.t.stats.calls.Add(1)
	if n > 1 {
		c.t.stats.retries.Add(1)
	}
	resp, err := c.t.base.RoundTrip(r)
	if err != nil {
		res.err = err
		return res, nil
	}
	if res.body, res.err = c.t.readBody(resp, gz); res.err != nil {
		return res, nil
	}
	resp.Body = &recycledBody{Reader: bytes.NewReader(res.body), buf: res.body, pool: &c.t.bufs}
	resp.ContentLength = int64(len(res.body))
	res.resp = resp
	_, hasRA := c.t.policy.RetryAfter(resp, res.start)
	// A 429's Retry-After says exactly when the window resets; a spent
	// allowance on the same response would only guess at it.
	c.t.observe(resp, res.start, !(resp.StatusCode == http.StatusTooManyRequests && hasRA))
	return res, nil
}

// prepare makes the request for one attempt: a copy (a RoundTripper must
// not change its caller's), with the body rewound, the token and, unless
// the caller chose an encoding, gzip, so that the bytes counted are those
// that crossed the wire; gz says the pacer must then undo it.
func (c *call) prepare() (r *http.Request, gz bool, err error) {
	r = c.req.Clone(c.ctx)
	if c.bodySent && c.req.Body != nil && c.req.Body != http.NoBody {
		b, err := c.req.GetBody()
		if err != nil {
			return nil, false, fmt.Errorf("pacer: rewind request body: %w", err)
		}
		r.Body = b
	}
	c.bodySent = true
	if c.token != "" && !crossOrigin(c.req) {
		r.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.Header.Get("Accept-Encoding") == "" && r.Method != http.MethodHead {
		r.Header.Set("Accept-Encoding", "gzip")
		gz = true
	}
	return r, gz, nil
}

// crossOrigin reports whether req is a redirect away from the host the
// caller first asked: the token is for the provider's API, not for
// wherever it redirects (a file store's signed URL).
func crossOrigin(req *http.Request) bool {
	first := req
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return first.URL.Host != req.URL.Host || first.URL.Scheme != req.URL.Scheme
}

// judge decides, from one attempt, whether to retry (having waited as
// needed) or what to return.
func (c *call) judge(r result, attempt int) verdict {
	if r.err != nil {
		return c.failed(r, attempt)
	}
	switch code := r.resp.StatusCode; {
	case code == http.StatusUnauthorized && c.t.tokens != nil:
		return c.unauthorised(r)
	case code == http.StatusTooManyRequests:
		return c.tooMany(r, attempt)
	case retryStatus(code):
		return c.serverError(r, attempt)
	}
	return done(r.resp, nil)
}

// failed handles a send or body read that did not complete: the provider
// may have acted on the request, so only a safe one is repeated.
func (c *call) failed(r result, attempt int) verdict {
	if err := c.ctx.Err(); err != nil {
		return done(nil, err)
	}
	err := fmt.Errorf("pacer: %s %s: %w", c.req.Method, redactURL(c.req.URL), r.err)
	if !c.safe || !c.replay || attempt >= c.t.policy.MaxAttempts {
		return done(nil, err)
	}
	if werr := c.t.wait(c.ctx, c.t.clock.Now().Add(c.backoff(attempt)), "retry after a failed call", err); werr != nil {
		return done(nil, werr)
	}
	return again
}

// unauthorised refreshes the token once and repeats the call; a 401 for a
// missing scope is returned at once, as a new token has the same scopes.
func (c *call) unauthorised(r result) verdict {
	apiErr := c.t.apiError(c.req, r.resp, r.body)
	if ms := c.t.policy.MissingScope; ms != nil && ms(r.resp, r.body) {
		return done(nil, apiErr)
	}
	if c.refreshed {
		return done(nil, &provider.NeedsReauthError{Err: apiErr})
	}
	c.t.stats.refreshes.Add(1)
	tok, err := c.t.tokens.Refresh(c.ctx, c.token)
	if err != nil {
		if cerr := c.ctx.Err(); cerr != nil {
			return done(nil, cerr)
		}
		return done(nil, fmt.Errorf("pacer: refresh token: %w", err))
	}
	c.token, c.refreshed = tok, true
	if !c.replay {
		return done(nil, fmt.Errorf("pacer: token refreshed but the request body cannot be sent again: %w", apiErr))
	}
	return again
}

// tooMany handles a 429. A daily limit ends the call; any other pauses the
// whole account (its other calls would be refused too) for Retry-After, or
// a backoff when the provider names no wait, and repeats.
func (c *call) tooMany(r result, attempt int) verdict {
	now := c.t.clock.Now()
	kind := ""
	if lk := c.t.policy.LimitKind; lk != nil {
		kind = lk(r.resp, r.body)
	}
	lim := &provider.LimitReachedError{Limit: kind, Err: c.t.apiError(c.req, r.resp, r.body)}
	if lim.Limit == "" {
		lim.Limit = "rate"
	}
	ra, hasRA := c.t.policy.RetryAfter(r.resp, now)
	if hasRA {
		lim.Reset = now.Add(ra)
	}
	if kind == LimitDay || attempt >= c.t.policy.MaxAttempts || !c.replay {
		return done(nil, lim)
	}
	reason := fmt.Sprintf("provider %s limit: Retry-After", lim.Limit)
	if !hasRA {
		ra = c.backoff(attempt)
		reason = fmt.Sprintf("provider %s limit: backoff", lim.Limit)
	}
	until := now.Add(ra)
	c.t.gate.pause(until, reason)
	if mw := c.t.policy.MaxWait; mw > 0 && ra > mw {
		return done(nil, &WaitError{Until: until, Reason: reason, Err: lim})
	}
	return again // admission waits out the pause
}

// serverError handles a 500/502/503/504: repeated after a wait if the
// request is safe to repeat.
func (c *call) serverError(r result, attempt int) verdict {
	apiErr := c.t.apiError(c.req, r.resp, r.body)
	if !c.safe || !c.replay || attempt >= c.t.policy.MaxAttempts {
		return done(nil, apiErr)
	}
	now := c.t.clock.Now()
	d, ok := c.t.policy.RetryAfter(r.resp, now)
	if !ok {
		d = c.backoff(attempt)
	}
	if err := c.t.wait(c.ctx, now.Add(d), fmt.Sprintf("retry after HTTP %d", r.resp.StatusCode), apiErr); err != nil {
		return done(nil, err)
	}
	return again
}

// backoff is the jittered wait after the attempt-th attempt failed.
func (c *call) backoff(attempt int) time.Duration {
	p := c.t.policy
	return c.t.jitter(backoff(attempt, p.BaseBackoff, p.MaxBackoff))
}

// admit waits for a slot among the account's calls in progress and then
// for the start time the limits allow. The returned func frees the slot.
func (t *Transport) admit(ctx context.Context, req *http.Request) (release func(), err error) {
	release = func() {}
	if t.gate.slots != nil {
		select {
		case t.gate.slots <- struct{}{}:
			release = func() { <-t.gate.slots }
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The slot is held while waiting for the start time: a slot taken after
	// booking could start the call later than the budgets recorded.
	b, ok := t.gate.bookFor(t.clock.Now(), t.policy.MaxWait, req)
	if !ok {
		release()
		return nil, &WaitError{Until: b.at, Reason: b.reason}
	}
	if err := t.wait(ctx, b.at, b.reason, nil); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// wait sleeps until until, unless that is further off than MaxWait (a
// *WaitError) or the WaitHook refuses (its error). cause is what asked for
// the wait, kept in a WaitError.
func (t *Transport) wait(ctx context.Context, until time.Time, reason string, cause error) error {
	d := until.Sub(t.clock.Now())
	if d <= 0 {
		return nil
	}
	if mw := t.policy.MaxWait; mw > 0 && d > mw {
		return &WaitError{Until: until, Reason: reason, Err: cause}
	}
	if t.onWait != nil {
		if err := t.onWait(ctx, Wait{Until: until, Duration: d, Reason: reason}); err != nil {
			return err
		}
	}
	t.stats.waits.Add(1)
	t.stats.waited.Add(int64(d))
	return t.clock.Sleep(ctx, d)
}

// maxPrealloc bounds the buffer allocated up front from a Content-Length,
// which a broken server could set to anything.
const maxPrealloc = 64 << 20

// readBody reads and closes resp's body, counting its bytes as received.
// gz says the pacer asked for gzip, so it must also undo it.
func (t *Transport) readBody(resp *http.Response, gz bool) ([]byte, error) {
	defer resp.Body.Close()
	var into []byte
	if b, ok := t.bufs.Get().(*[]byte); ok {
		into = (*b)[:0]
	}
	body, err := readAllInto(into, resp.Body, resp.ContentLength)
	t.stats.bytes.Add(int64(len(body)))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if gz && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		if body, err = gunzip(body); err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.Uncompressed = true
	}
	return body, nil
}

// readAll is io.ReadAll starting from the size the response announced
// (plus one byte, so that reading the end allocates nothing more).
func readAll(r io.Reader, size int64) ([]byte, error) { return readAllInto(nil, r, size) }

// readAllInto is readAll into b's storage when it is large enough.
func readAllInto(b []byte, r io.Reader, size int64) ([]byte, error) {
	n := 512
	if size > 0 {
		n = int(min(size, maxPrealloc)) + 1
	}
	if cap(b) < n {
		b = make([]byte, 0, n)
	}
	for {
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			// Double: append grows large slices by only a quarter, which
			// for a multi-megabyte body of unknown length (gzip, chunked)
			// allocates and copies several times its size.
			b = append(make([]byte, 0, 2*cap(b)), b...)
		}
	}
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	// JSON compresses about tenfold; start near there and double.
	return readAll(zr, int64(len(b))*8)
}

// observe keeps the allowance a response reports and, when a window is
// spent, pauses the account until that window can have reset, so that the
// next call is not a certain 429. start is when the call began.
func (t *Transport) observe(resp *http.Response, start time.Time, pauseIfSpent bool) {
	if t.policy.Observe == nil {
		return
	}
	a := t.policy.Observe(resp)
	if !a.reported() {
		return
	}
	a.Seen = t.clock.Now()
	t.mu.Lock()
	t.allowance, t.seen = a, true
	t.mu.Unlock()
	// A call that began before the last pause ended may be reporting the
	// window that pause already waited out.
	if !pauseIfSpent || !a.spent() || start.Before(t.gate.pauseEnd()) {
		return
	}
	w := a.Window
	if w <= 0 {
		w = t.policy.Window
	}
	if w <= 0 {
		w = time.Minute
	}
	t.gate.pause(a.Seen.Add(w), "provider allowance spent")
}

// recycledBody is a response body in memory whose buffer goes back to
// the Transport's pool on Close; reading after Close finds nothing, as
// with any closed body.
type recycledBody struct {
	*bytes.Reader
	buf  []byte
	pool *sync.Pool
}

func (b *recycledBody) Close() error {
	if b.buf != nil {
		b.Reader.Reset(nil)
		buf := b.buf[:0]
		b.pool.Put(&buf)
		b.buf = nil
	}
	return nil
}
