package sandbox

import (
	"math"
	"sync"
	"time"
)

// Clock is the provider's clock. It runs Scale times faster than the wall
// clock from Start, and Advance moves it forward at once, so a test can live
// through a provider minute in a second, or through midnight in no time.
// A Scale of 0 freezes it: only Advance moves it.
type Clock struct {
	mu     sync.Mutex
	start  time.Time // provider time at wallStart
	wall   time.Time // wall time at which start was provider time
	scale  float64
	offset time.Duration // sum of Advance calls
	last   time.Time     // last value returned, to keep Now monotonic
	now    func() time.Time
}

// StartTime is when an emulator's clock starts, as every emulator's Config
// promises: start, or when that is zero the wall clock's now, truncated to
// the second.
func StartTime(start time.Time) time.Time {
	if start.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return start
}

// NewClock returns a clock that reads start now and runs scale times faster
// than the wall clock.
func NewClock(start time.Time, scale float64) *Clock {
	return newClockWith(start, scale, time.Now)
}

func newClockWith(start time.Time, scale float64, wallNow func() time.Time) *Clock {
	if scale < 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		scale = 1
	}
	return &Clock{start: start.UTC(), wall: wallNow(), scale: scale, now: wallNow}
}

// Now returns the provider time. It never goes backwards.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	elapsed := c.now().Sub(c.wall)
	t := c.start.Add(time.Duration(float64(elapsed)*c.scale) + c.offset)
	if t.Before(c.last) {
		t = c.last
	}
	c.last = t
	return t
}

// Advance moves the provider clock forward by d (negative d is ignored:
// provider time never runs backwards).
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.offset += d
	}
	return c.nowLocked()
}

// Scale reports how many provider seconds pass per wall-clock second.
func (c *Clock) Scale() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.scale
}

// WallDuration converts a provider-time duration into the wall-clock time a
// client must wait for it to pass. With a frozen clock the wait is reported
// unchanged, as nothing but Advance will make it pass.
func (c *Clock) WallDuration(d time.Duration) time.Duration {
	s := c.Scale()
	if s == 0 {
		return d
	}
	return time.Duration(float64(d) / s)
}

// RetryAfterSeconds returns the whole number of wall-clock seconds, at least
// one, that a client should wait for provider duration d to pass, as sent in
// a Retry-After header.
func (c *Clock) RetryAfterSeconds(d time.Duration) int {
	w := c.WallDuration(d)
	secs := int(math.Ceil(w.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return secs
}
