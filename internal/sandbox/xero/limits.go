package xero

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// The X-Rate-Limit-Problem values. Xero is seen to send "minute" and "day"
// (xero-api.md §7); the values for the app-wide minute and the concurrency
// limit are unverified, so "appminute" and "concurrent" are our choice.
const (
	problemMinute     = "minute"
	problemDay        = "day"
	problemAppMinute  = "appminute"
	problemConcurrent = "concurrent"
)

// appKey names the one app the sandbox counts app-wide calls for: admit is
// not told which client called, and every client of a sandbox counts as the
// same app.
const appKey = "app"

// rateLimitBody is the 429 body. Xero documents none for OAuth 2.0 apps;
// the only sample (pyxero's tests, marked unconfirmed) is the OAuth 1.0-era
// form-encoded text served as text/html, so we send that, and clients must
// key off the status and headers only, never the body.
const rateLimitBody = "oauth_problem=rate%20limit%20exceeded&oauth_problem_advice=please%20wait%20before%20retrying%20the%20xero%20api"

// limiter applies Xero's rate limits: per tenant, ConcurrentMax calls in
// progress, MinuteLimit calls per provider minute (fixed windows opened by
// each tenant's first call, so tenants reset at different times) and
// DayLimit per provider day (resetting at provider midnight UTC); per app,
// AppMinuteLimit per minute across tenants.
//
// A refused call consumes no allowance in any window: the real API's
// behaviour is unknown, and a client that backs off correctly loses
// nothing either way.
type limiter struct {
	clock *sandbox.Clock
	off   bool

	// mu makes "check every limit, then count in all of them" one step, so
	// a call refused by one limit is counted in none and two concurrent
	// calls cannot both take the last unit of a window.
	mu         sync.Mutex
	day        *sandbox.FixedWindow
	minute     *sandbox.FixedWindow
	appMinute  *sandbox.FixedWindow
	concurrent *sandbox.Concurrency
}

func newLimiter(s *Server) *limiter {
	return &limiter{
		clock:      s.clock,
		off:        s.cfg.LimitsOff,
		day:        sandbox.NewDailyWindow(s.clock, s.cfg.DayLimit),
		minute:     sandbox.NewFixedWindow(s.clock, s.cfg.MinuteLimit, time.Minute),
		appMinute:  sandbox.NewFixedWindow(s.clock, s.cfg.AppMinuteLimit, time.Minute),
		concurrent: sandbox.NewConcurrency(s.cfg.ConcurrentMax),
	}
}

// admit decides whether a tenant's call may proceed, and puts the three
// X-*Limit-Remaining headers on the response either way, before the handler
// writes. The caller must call release when the call is done.
//
// Limits are checked from the longest wait to the shortest: day, app
// minute, tenant minute, then concurrency. A client is thus told about the
// limit it must really wait for: with both the day and the minute spent it
// hears "day" and stops until tomorrow, rather than "minute" and a retry
// that is refused again. Concurrency comes last because it frees within a
// call's time.
//
// With LimitsOff nothing is refused but calls are still counted, so the
// headers still fall (to 0, where they stay until the window resets).
func (l *limiter) admit(w http.ResponseWriter, tenantID string) (release func(), err *apiError) {
	l.mu.Lock()
	day := l.day.Peek(tenantID)
	app := l.appMinute.Peek(appKey)
	minute := l.minute.Peek(tenantID)
	problem, wait := "", time.Duration(0)
	switch {
	case !day.Allowed:
		problem, wait = problemDay, day.ResetIn
	case !app.Allowed:
		problem, wait = problemAppMinute, app.ResetIn
	case !minute.Allowed:
		problem, wait = problemMinute, minute.ResetIn
	}
	release = func() {}
	if problem == "" || l.off {
		conc, rel := l.concurrent.Acquire(tenantID)
		if conc.Allowed || l.off {
			release = rel
			problem = ""
			// Under mu the peeks still hold, so these count the call
			// wherever there is room (with LimitsOff, a full window stays
			// full and uncounted).
			day = l.day.Allow(tenantID)
			app = l.appMinute.Allow(appKey)
			minute = l.minute.Allow(tenantID)
		} else {
			problem = problemConcurrent
		}
	}
	l.mu.Unlock()

	h := w.Header()
	h.Set("X-DayLimit-Remaining", strconv.Itoa(day.Remaining))
	h.Set("X-MinLimit-Remaining", strconv.Itoa(minute.Remaining))
	h.Set("X-AppMinLimit-Remaining", strconv.Itoa(app.Remaining))
	if problem != "" {
		return release, l.tooMany(problem, wait)
	}
	return release, nil
}

// appHeaders puts X-AppMinLimit-Remaining on a tenantless response. Calls
// that name no tenant (GET /connections, the identity endpoints) carry only
// this header, as Xero's do, and are neither counted against the app minute
// nor refused by it: Xero documents no limit for them.
func (l *limiter) appHeaders(w http.ResponseWriter) {
	w.Header().Set("X-AppMinLimit-Remaining", strconv.Itoa(l.appMinute.Peek(appKey).Remaining))
}

// tooMany is the 429 for problem. Minute, day and app-minute refusals carry
// Retry-After: the wall seconds until the window resets. Concurrency
// refusals carry none, as no window resets: a slot frees when one of the
// tenant's calls finishes (whether Xero sends one there is unverified).
func (l *limiter) tooMany(problem string, wait time.Duration) *apiError {
	h := http.Header{}
	h.Set("X-Rate-Limit-Problem", problem)
	if problem != problemConcurrent {
		h.Set("Retry-After", strconv.Itoa(l.clock.RetryAfterSeconds(wait)))
	}
	return &apiError{Status: http.StatusTooManyRequests, ContentType: contentHTML,
		Body: []byte(rateLimitBody), Header: h}
}

// injected429 is the 429 a fault profile asks for, exactly as if tenantID
// had spent its minute or day: same headers, a Retry-After to the real
// reset of that window (a whole window when none is open), and the spent
// limit's remaining header at 0. The call was admitted before the fault
// fired, so, unlike a real refusal, it has been counted.
func (l *limiter) injected429(w http.ResponseWriter, problem, tenantID string) *apiError {
	if problem == problemDay {
		w.Header().Set("X-DayLimit-Remaining", "0")
		return l.tooMany(problem, l.day.Peek(tenantID).ResetIn)
	}
	w.Header().Set("X-MinLimit-Remaining", "0")
	return l.tooMany(problemMinute, l.minute.Peek(tenantID).ResetIn)
}
