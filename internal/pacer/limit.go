package pacer

import (
	"net/http"
	"sync"
	"time"
)

// Budget lets at most Calls calls start in any window of Window length. It
// keeps the start times of the last Calls calls, so it runs at the full
// allowance (a burst, then one call each time the oldest leaves the window)
// but never over it, in any window, sliding or fixed. A token bucket would
// be simpler but lets up to twice its size through in one window.
//
// One Budget may be shared by the Transports of every account of an app
// (Xero's 10,000 calls a minute across organisations); each Transport keeps
// its own for the per-account budget. Safe for concurrent use.
type Budget struct {
	calls  int
	window time.Duration

	mu     sync.Mutex
	starts []time.Time // start times in order, a ring once it holds calls entries
	next   int         // index of the oldest entry once the ring is full
}

// NewBudget returns a budget of calls per window, or nil (no limit) when
// either is not positive.
func NewBudget(calls int, window time.Duration) *Budget {
	if calls <= 0 || window <= 0 {
		return nil
	}
	// The ring grows as calls are made: a budget far larger than an
	// account ever uses should not cost its full size up front.
	return &Budget{calls: calls, window: window, starts: make([]time.Time, 0, min(calls, 1024))}
}

// earliest is the first time at or after t that a call may start. Starts
// are kept in order (no call is booked before an earlier-booked one): the
// oldest of the last calls entries is then plainly the one that frees the
// next slot, and callers are served first come, first served.
// The caller holds b.mu.
func (b *Budget) earliest(t time.Time) time.Time {
	n := len(b.starts)
	if n == 0 {
		return t
	}
	if last := b.starts[(b.next+n-1)%n]; last.After(t) {
		t = last
	}
	if n == b.calls {
		if free := b.starts[b.next].Add(b.window); free.After(t) {
			t = free
		}
	}
	return t
}

// record books a call start at t, which is not before any booked start.
// The caller holds b.mu.
func (b *Budget) record(t time.Time) {
	if len(b.starts) < b.calls {
		b.starts = append(b.starts, t)
		return
	}
	b.starts[b.next] = t
	b.next = (b.next + 1) % b.calls
}

// gate is one account's admission: the cap on calls in progress, its own
// budget, the shared app budget and any pause the provider asked for.
type gate struct {
	slots chan struct{} // nil when there is no cap
	own   *Budget
	app   *Budget
	lanes []lane

	mu          sync.Mutex
	pausedUntil time.Time
	pauseReason string
}

// lane is a Policy.Lane with its budget.
type lane struct {
	match  func(*http.Request) bool
	budget *Budget
	exempt bool
}

// laneOf returns the lane req belongs to, if any.
func (g *gate) laneOf(req *http.Request) *lane {
	for i := range g.lanes {
		if req != nil && g.lanes[i].match(req) {
			return &g.lanes[i]
		}
	}
	return nil
}

func newGate(p Policy, app *Budget) *gate {
	g := &gate{own: NewBudget(p.Budget, p.Window), app: app}
	for _, l := range p.Lanes {
		if l.Match != nil {
			g.lanes = append(g.lanes, lane{match: l.Match, budget: NewBudget(l.Budget, l.Window), exempt: l.Exempt})
		}
	}
	if p.MaxConcurrent > 0 {
		g.slots = make(chan struct{}, p.MaxConcurrent)
	}
	return g
}

// pause holds every later call until at least until.
func (g *gate) pause(until time.Time, reason string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.pausedUntil) {
		g.pausedUntil, g.pauseReason = until, reason
	}
}

// pauseEnd is when the current (or last) pause ends.
func (g *gate) pauseEnd() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pausedUntil
}

// booking is a start time a call has been given, and why it is not now.
type booking struct {
	at     time.Time
	reason string
}

// book gives a call the earliest start at or after now that every limit
// allows, and records it in the budgets, unless it is later than
// now+maxWait (maxWait > 0), when nothing is recorded and ok is false.
//
// The pause and both budgets are read and written under their locks at
// once (gate, own, app: always in that order, so Transports sharing the
// app budget cannot deadlock): booking with each in turn would record a
// start in one budget that another then moves later, and a budget that
// believes a call started earlier than it did lets the next one through
// too soon.
func (g *gate) book(now time.Time, maxWait time.Duration) (b booking, ok bool) {
	return g.bookFor(now, maxWait, nil)
}

// bookFor is book for one request, which may belong to a lane.
func (g *gate) bookFor(now time.Time, maxWait time.Duration, req *http.Request) (b booking, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	own := g.own
	var laneBudget *Budget
	if l := g.laneOf(req); l != nil {
		laneBudget = l.budget
		if l.exempt {
			own = nil
		}
	}
	for _, bud := range []*Budget{laneBudget, own, g.app} {
		if bud != nil {
			bud.mu.Lock()
			defer bud.mu.Unlock()
		}
	}
	b.at = now
	if g.pausedUntil.After(b.at) {
		b.at, b.reason = g.pausedUntil, g.pauseReason
	}
	if laneBudget != nil {
		if t := laneBudget.earliest(b.at); t.After(b.at) {
			b.at, b.reason = t, "call budget of this kind of call"
		}
	}
	if own != nil {
		if t := own.earliest(b.at); t.After(b.at) {
			b.at, b.reason = t, "account call budget"
		}
	}
	if g.app != nil {
		if t := g.app.earliest(b.at); t.After(b.at) {
			b.at, b.reason = t, "app call budget"
		}
	}
	if maxWait > 0 && b.at.Sub(now) > maxWait {
		return b, false
	}
	if laneBudget != nil {
		laneBudget.record(b.at)
	}
	if own != nil {
		own.record(b.at)
	}
	if g.app != nil {
		g.app.record(b.at)
	}
	return b, true
}
