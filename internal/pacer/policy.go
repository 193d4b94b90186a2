package pacer

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults for a Policy's zero fields.
const (
	DefaultMaxAttempts = 8
	DefaultBaseBackoff = time.Second
	DefaultMaxBackoff  = 60 * time.Second
)

// LimitDay is the LimitKind of a 429 that spent a daily allowance: it is
// never retried, since waiting hours inside a call helps nobody.
const LimitDay = "day"

// Policy is what the pacer knows of one provider. The hooks read the
// provider's own headers and bodies; everything else is provider-neutral.
// Durations are wall-clock time: for a time-scaled sandbox, scale them.
type Policy struct {
	// MaxConcurrent caps the calls of one account in progress at once
	// (Xero: 5). Callers over the cap wait for a slot. 0 means no cap.
	MaxConcurrent int
	// Budget calls may start in any Window (Xero: 60 per minute; HubSpot:
	// 100 or 190 per 10 s). 0 means no budget.
	Budget int
	Window time.Duration
	// Lanes are calls with an allowance of their own (HubSpot search: 5 a
	// second, outside the ten-second burst). A call a lane matches books
	// in the lane's budget and, unless the lane is Exempt, in Budget too.
	Lanes []Lane

	// MaxAttempts bounds the attempts of one call, retries included.
	MaxAttempts int
	// BaseBackoff is the first retry's wait when the provider names none;
	// each later one doubles, up to MaxBackoff, with jitter.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// MaxWait, if set, is the longest the pacer sleeps at once; a longer
	// wait returns a *WaitError instead.
	MaxWait time.Duration

	// CorrelationHeader names the header holding the provider's request id
	// (Xero-Correlation-Id), kept in errors for support.
	CorrelationHeader string

	// Observe reads the allowance headers of a response. Fields it cannot
	// fill stay negative (start from NoAllowance); nil means the provider
	// sends none.
	Observe func(resp *http.Response) Allowance
	// LimitKind names the limit a 429 hit ("day", "minute", ...); LimitDay
	// stops without retrying. nil or "" means a short-lived limit.
	LimitKind func(resp *http.Response, body []byte) string
	// MissingScope reports whether a 401 says the token lacks the scope
	// (Xero AuthorizationUnsuccessful): refreshing would not help.
	MissingScope func(resp *http.Response, body []byte) bool
	// RetryAfter reads how long a response asks the client to wait; nil
	// means the standard Retry-After header (seconds or an HTTP date).
	RetryAfter func(resp *http.Response, now time.Time) (time.Duration, bool)
}

// Lane is a class of calls with its own budget.
type Lane struct {
	Match  func(*http.Request) bool
	Budget int
	Window time.Duration
	Exempt bool // not counted in the policy's Budget
}

// withDefaults fills the zero fields that must have a value.
func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseBackoff <= 0 {
		p.BaseBackoff = DefaultBaseBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.MaxBackoff < p.BaseBackoff {
		p.MaxBackoff = p.BaseBackoff
	}
	if p.RetryAfter == nil {
		p.RetryAfter = RetryAfter
	}
	return p
}

// Allowance is what a provider last said about an account's allowance,
// for pacing and for the Usage page. Negative counts are not reported.
type Allowance struct {
	Seen time.Time // when the response carrying it arrived (set by the pacer)

	// Remaining calls of Limit in the current short window of Window
	// (Xero's minute, HubSpot's ten seconds).
	Remaining, Limit int
	Window           time.Duration
	// AppRemaining is what is left of an app-wide window shared by every
	// account (Xero's 10,000 a minute); it is as long as Window.
	AppRemaining int
	// DayRemaining of DayLimit calls today.
	DayRemaining, DayLimit int
}

// NoAllowance returns an Allowance that reports nothing, for Observe
// hooks to start from.
func NoAllowance() Allowance {
	return Allowance{Remaining: -1, Limit: -1, AppRemaining: -1, DayRemaining: -1, DayLimit: -1}
}

// reported says whether a carries anything at all.
func (a Allowance) reported() bool {
	return a.Remaining >= 0 || a.Limit >= 0 || a.AppRemaining >= 0 || a.DayRemaining >= 0 || a.DayLimit >= 0
}

// spent says whether a short window has nothing left.
func (a Allowance) spent() bool { return a.Remaining == 0 || a.AppRemaining == 0 }

// HeaderInt reads a non-negative integer header, or -1 when it is absent
// or not a number.
func HeaderInt(h http.Header, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// maxRetryAfterSecs bounds a Retry-After: a year is longer than any real
// provider reset.
const maxRetryAfterSecs = 365 * 24 * 3600

// RetryAfter reads the standard Retry-After header: delay-seconds or an
// HTTP date (RFC 9110 §10.2.3). A date in the past means no wait.
func RetryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// A value past any real reset would overflow a Duration.
		return time.Duration(min(secs, maxRetryAfterSecs)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
