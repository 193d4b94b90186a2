package hubspot

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// limiter applies HubSpot's rate limits (hubspot-api.md §5): a rolling
// ten-second burst per app and portal, a daily limit per portal that resets
// at midnight in the portal's time zone, search's own few requests per
// second per portal with no headers at all, and the associations
// endpoints' own ten-second burst. A refused call counts in no window.
type limiter struct {
	s   *Server
	off bool
	lim limits

	mu     sync.Mutex
	burst  *sandbox.RollingWindow
	assoc  *sandbox.RollingWindow
	search *sandbox.RollingWindow
	daily  map[int64]*dayCount
}

// dayCount is a portal's calls on one local calendar day.
type dayCount struct {
	day string
	n   int
}

const burstWindow = 10 * time.Second

func newLimiter(s *Server) *limiter {
	lim := s.cfg.effectiveLimits()
	return &limiter{
		s: s, off: s.cfg.LimitsOff, lim: lim,
		burst:  sandbox.NewRollingWindow(s.clock, lim.burst, burstWindow),
		assoc:  sandbox.NewRollingWindow(s.clock, lim.assocBurst, burstWindow),
		search: sandbox.NewRollingWindow(s.clock, lim.searchPerSecond, time.Second),
		daily:  map[int64]*dayCount{},
	}
}

// admit decides whether a call may proceed and, except for search, puts
// the X-HubSpot-RateLimit-* headers on the response either way.
func (l *limiter) admit(w http.ResponseWriter, kind limitKind, c *call) *apiError {
	p := c.portal
	now := l.s.clock.Now()
	day := now.In(p.Loc).Format("2006-01-02")
	key := c.grant.clientID + "/" + strconv.FormatInt(p.ID, 10)
	window := l.burst
	switch kind {
	case limitSearch:
		window, key = l.search, strconv.FormatInt(p.ID, 10)
	case limitAssoc:
		window = l.assoc
	}

	l.mu.Lock()
	dc := l.daily[p.ID]
	if dc == nil || dc.day != day {
		dc = &dayCount{day: day}
		l.daily[p.ID] = dc
	}
	burst := window.Peek(key)
	policy := ""
	switch {
	case dc.n >= l.lim.daily:
		policy = "DAILY"
	case !burst.Allowed && kind == limitSearch:
		policy = "SECONDLY"
	case !burst.Allowed:
		policy = "TEN_SECONDLY_ROLLING"
	}
	if policy == "" || l.off {
		policy = ""
		// With LimitsOff a full window stays full, and uncounted.
		burst = window.Allow(key)
		dc.n++
	}
	dailyLeft := max(l.lim.daily-dc.n, 0)
	l.mu.Unlock()

	if kind != limitSearch {
		h := w.Header()
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(burst.Limit))
		h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(burst.Remaining))
		// The per-second headers are deprecated but still sent (§5.2).
		h.Set("X-HubSpot-RateLimit-Secondly", strconv.Itoa(max(burst.Limit/10, 1)))
		h.Set("X-HubSpot-RateLimit-Secondly-Remaining", strconv.Itoa(max(burst.Remaining/10, 0)))
		if c.grant.private {
			// The daily headers are not sent for OAuth-authorised calls.
			h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(l.lim.daily))
			h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(dailyLeft))
		}
	}
	switch policy {
	case "DAILY":
		return errRateLimit("DAILY", "You have reached your daily limit.")
	case "SECONDLY":
		return errRateLimit("SECONDLY", "You have reached your secondly limit.")
	case "TEN_SECONDLY_ROLLING":
		return errRateLimit("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
	}
	return nil
}

// injected429 is the 429 a fault profile asks for. Unlike the limiter's
// own refusals, which carry no Retry-After (HubSpot documents none for
// REST 429s), an injected one carries Retry-After in wall seconds until
// the window would free, so a client meets both kinds (X14).
func (l *limiter) injected429(policy string, c *call) *apiError {
	var e *apiError
	wait := burstWindow
	if policy == "DAILY" {
		e = errRateLimit("DAILY", "You have reached your daily limit.")
		local := l.s.clock.Now().In(c.portal.Loc)
		y, m, d := local.Date()
		wait = time.Date(y, m, d+1, 0, 0, 0, 0, c.portal.Loc).Sub(local)
	} else {
		e = errRateLimit("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
	}
	e.Header = http.Header{"Retry-After": {strconv.Itoa(l.s.clock.RetryAfterSeconds(wait))}}
	return e
}
