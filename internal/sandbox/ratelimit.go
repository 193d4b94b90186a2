package sandbox

import (
	"sync"
	"time"
)

// Decision is a rate limiter's answer about one call.
type Decision struct {
	// Allowed says whether the call fits.
	Allowed bool
	// Limit is the allowance of the window (or the concurrency cap).
	Limit int
	// Remaining is how many more calls fit after this decision: after the
	// call for Allow and Acquire when it was allowed, as things stand for
	// Peek and for refusals (a refused call consumes nothing).
	Remaining int
	// ResetIn is the provider time until the limit frees capacity: for a
	// fixed window, until it resets (a window a call would open now counts
	// its whole length); for a rolling window, until the oldest counted call
	// leaves it (0 when none is counted); 0 for concurrency, which frees
	// as calls finish.
	ResetIn time.Duration
}

// FixedWindow counts calls per key in fixed windows of provider time. A
// window either opens at the first call after the previous one ended, so
// keys reset at different moments (Xero's per-tenant minute), or is the
// calendar day in UTC (Xero's daily limit, which resets at provider
// midnight). Refused calls are not counted.
type FixedWindow struct {
	clock  *Clock
	length time.Duration
	daily  bool

	mu     sync.Mutex
	limit  int
	counts map[string]*fixedCount
}

type fixedCount struct {
	start time.Time
	n     int
}

// NewFixedWindow returns a limiter of limit calls per key in windows of
// length provider time, each opened by the first call after the last one
// closed. A length below one nanosecond is taken as one second.
func NewFixedWindow(clock *Clock, limit int, length time.Duration) *FixedWindow {
	if length <= 0 {
		length = time.Second
	}
	return &FixedWindow{clock: clock, length: length, limit: limit, counts: make(map[string]*fixedCount)}
}

// NewDailyWindow returns a limiter of limit calls per key per provider
// calendar day, which resets at midnight UTC for every key at once.
func NewDailyWindow(clock *Clock, limit int) *FixedWindow {
	return &FixedWindow{clock: clock, length: 24 * time.Hour, daily: true, limit: limit, counts: make(map[string]*fixedCount)}
}

// Allow counts the call if it fits in key's window and says so.
func (f *FixedWindow) Allow(key string) Decision {
	return f.decide(key, true)
}

// Peek says what Allow would decide, without counting anything; its
// Remaining does not include the call asked about.
func (f *FixedWindow) Peek(key string) Decision {
	return f.decide(key, false)
}

func (f *FixedWindow) decide(key string, take bool) Decision {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.current(key, now)
	d := Decision{Allowed: c.n < f.limit, Limit: f.limit, ResetIn: c.start.Add(f.length).Sub(now)}
	if d.Allowed && take {
		c.n++
		f.counts[key] = c
	}
	d.Remaining = max(f.limit-c.n, 0)
	return d
}

// current returns key's window as it stands at now: a fresh one (not yet
// stored) when none is open.
func (f *FixedWindow) current(key string, now time.Time) *fixedCount {
	start := now
	if f.daily {
		// Truncate counts from the zero time, which is midnight UTC, so
		// this is the start of the provider's UTC day.
		start = now.Truncate(24 * time.Hour)
	}
	if c, ok := f.counts[key]; ok && now.Before(c.start.Add(f.length)) {
		return c
	}
	return &fixedCount{start: start}
}

// SetLimit changes the allowance; windows already open keep their counts.
func (f *FixedWindow) SetLimit(n int) {
	f.mu.Lock()
	f.limit = n
	f.mu.Unlock()
}

// Reset forgets every key's window.
func (f *FixedWindow) Reset() {
	f.mu.Lock()
	f.counts = make(map[string]*fixedCount)
	f.mu.Unlock()
}

// RollingWindow counts calls per key over the last length of provider time
// (HubSpot's ten-second burst limit works this way). Refused calls are not
// counted. It keeps one timestamp per counted call, so memory per key is
// bounded by the limit.
type RollingWindow struct {
	clock  *Clock
	length time.Duration

	mu    sync.Mutex
	limit int
	calls map[string][]time.Time // oldest first
}

// NewRollingWindow returns a limiter of limit calls per key in any span of
// length provider time. A length below one nanosecond is taken as one second.
func NewRollingWindow(clock *Clock, limit int, length time.Duration) *RollingWindow {
	if length <= 0 {
		length = time.Second
	}
	return &RollingWindow{clock: clock, length: length, limit: limit, calls: make(map[string][]time.Time)}
}

// Allow counts the call if it fits in key's window and says so.
func (r *RollingWindow) Allow(key string) Decision {
	return r.decide(key, true)
}

// Peek says what Allow would decide, without counting anything.
func (r *RollingWindow) Peek(key string) Decision {
	return r.decide(key, false)
}

func (r *RollingWindow) decide(key string, take bool) Decision {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	calls := r.trim(key, now)
	d := Decision{Allowed: len(calls) < r.limit, Limit: r.limit}
	if d.Allowed && take {
		calls = append(calls, now)
		r.calls[key] = calls
	}
	d.Remaining = max(r.limit-len(calls), 0)
	if len(calls) > 0 {
		d.ResetIn = calls[0].Add(r.length).Sub(now)
	}
	return d
}

// trim drops key's calls that have left the window: a call made at t
// counts until t+length.
func (r *RollingWindow) trim(key string, now time.Time) []time.Time {
	calls := r.calls[key]
	i := 0
	for i < len(calls) && !now.Before(calls[i].Add(r.length)) {
		i++
	}
	calls = calls[i:]
	if len(calls) == 0 {
		delete(r.calls, key)
		return nil
	}
	r.calls[key] = calls
	return calls
}

// SetLimit changes the allowance; calls already counted stay counted.
func (r *RollingWindow) SetLimit(n int) {
	r.mu.Lock()
	r.limit = n
	r.mu.Unlock()
}

// Reset forgets every key's calls.
func (r *RollingWindow) Reset() {
	r.mu.Lock()
	r.calls = make(map[string][]time.Time)
	r.mu.Unlock()
}

// Concurrency caps the calls in progress per key. Beyond the cap it refuses
// rather than queues, as providers do: the client must slow down.
type Concurrency struct {
	mu       sync.Mutex
	limit    int
	inFlight map[string]int
}

// NewConcurrency returns a limiter of limit calls in progress per key.
func NewConcurrency(limit int) *Concurrency {
	return &Concurrency{limit: limit, inFlight: make(map[string]int)}
}

// Acquire takes a slot for key if one is free. The release function frees
// it; it is safe to call more than once and is a no-op when the call was
// refused.
func (c *Concurrency) Acquire(key string) (Decision, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.inFlight[key]
	d := Decision{Allowed: n < c.limit, Limit: c.limit}
	if !d.Allowed {
		d.Remaining = 0
		return d, func() {}
	}
	c.inFlight[key] = n + 1
	d.Remaining = c.limit - n - 1
	var once sync.Once
	return d, func() { once.Do(func() { c.release(key) }) }
}

func (c *Concurrency) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight[key] <= 1 {
		delete(c.inFlight, key) // keeps the map as small as the calls in progress
		return
	}
	c.inFlight[key]--
}

// InFlight returns how many of key's calls are in progress.
func (c *Concurrency) InFlight(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inFlight[key]
}

// SetMax changes the cap; calls in progress are not interrupted.
func (c *Concurrency) SetMax(n int) {
	c.mu.Lock()
	c.limit = n
	c.mu.Unlock()
}
