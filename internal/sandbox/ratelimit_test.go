package sandbox

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// limitStep is one moment in a rate-limit scenario: move the frozen clock
// on by advance, make one call (or only peek), and expect a decision.
type limitStep struct {
	name      string
	advance   time.Duration
	key       string
	peek      bool
	allowed   bool
	remaining int
	resetIn   time.Duration
}

type limitAllower interface {
	Allow(key string) Decision
	Peek(key string) Decision
}

func runLimitSteps(t *testing.T, clock *Clock, lim limitAllower, steps []limitStep) {
	t.Helper()
	for i, st := range steps {
		clock.Advance(st.advance)
		key := st.key
		if key == "" {
			key = "a"
		}
		var d Decision
		if st.peek {
			d = lim.Peek(key)
		} else {
			d = lim.Allow(key)
		}
		if d.Allowed != st.allowed || d.Remaining != st.remaining || d.ResetIn != st.resetIn {
			t.Fatalf("step %d (%s): got allowed=%v remaining=%d resetIn=%v, want %v %d %v",
				i, st.name, d.Allowed, d.Remaining, d.ResetIn, st.allowed, st.remaining, st.resetIn)
		}
	}
}

func TestFixedWindowBoundaries(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 10, 0, 30, 0, time.UTC), 0)
	w := NewFixedWindow(clock, 3, time.Minute)
	runLimitSteps(t, clock, w, []limitStep{
		{name: "peek before any call counts nothing", peek: true, allowed: true, remaining: 3, resetIn: time.Minute},
		{name: "first call opens the window", allowed: true, remaining: 2, resetIn: time.Minute},
		{name: "second", advance: 10 * time.Second, allowed: true, remaining: 1, resetIn: 50 * time.Second},
		{name: "third spends it", allowed: true, remaining: 0, resetIn: 50 * time.Second},
		{name: "fourth refused", allowed: false, remaining: 0, resetIn: 50 * time.Second},
		{name: "other key has its own window", key: "b", allowed: true, remaining: 2, resetIn: time.Minute},
		{name: "peek while spent", peek: true, allowed: false, remaining: 0, resetIn: 50 * time.Second},
		{name: "a millisecond before the end", advance: 50*time.Second - time.Millisecond, allowed: false, remaining: 0, resetIn: time.Millisecond},
		// The window opened at 10:00:30, so it ends at 10:01:30, not on a
		// minute boundary; the next one opens at the next call.
		{name: "at the end a fresh window", advance: time.Millisecond, allowed: true, remaining: 2, resetIn: time.Minute},
		{name: "key b's window (opened at 10:00:40) is still its own", key: "b", allowed: true, remaining: 1, resetIn: 10 * time.Second},
		{name: "the new window runs from that call", advance: 45 * time.Second, allowed: true, remaining: 1, resetIn: 15 * time.Second},
		{name: "key b reset at 10:01:40", key: "b", allowed: true, remaining: 2, resetIn: time.Minute},
	})
}

func TestFixedWindowRefusalsAndPeeksAreNotCounted(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), 0)
	w := NewFixedWindow(clock, 2, time.Minute)
	for range 5 {
		w.Peek("a")
	}
	if d := w.Allow("a"); d.Remaining != 1 {
		t.Fatalf("after 5 peeks and a call: remaining %d, want 1", d.Remaining)
	}
	w.Allow("a")
	for range 10 {
		if d := w.Allow("a"); d.Allowed {
			t.Fatal("call beyond the limit allowed")
		}
	}
	w.SetLimit(4)
	if d := w.Allow("a"); !d.Allowed || d.Remaining != 1 {
		t.Fatalf("after raising the limit to 4: %+v, want allowed with 1 left (refusals not counted)", d)
	}
	w.Reset()
	if d := w.Peek("a"); d.Remaining != 4 {
		t.Fatalf("after Reset: remaining %d, want 4", d.Remaining)
	}
}

func TestDailyWindowResetsAtMidnightUTC(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC), 0)
	w := NewDailyWindow(clock, 2)
	runLimitSteps(t, clock, w, []limitStep{
		{name: "first call", allowed: true, remaining: 1, resetIn: time.Minute},
		{name: "second", allowed: true, remaining: 0, resetIn: time.Minute},
		{name: "refused until midnight", advance: 30 * time.Second, allowed: false, remaining: 0, resetIn: 30 * time.Second},
		{name: "a second before midnight", advance: 29 * time.Second, allowed: false, remaining: 0, resetIn: time.Second},
		{name: "midnight: a new day", advance: time.Second, allowed: true, remaining: 1, resetIn: 24 * time.Hour},
		// A day opened at 00:00:05 still ends at midnight, not 24 h later.
		{name: "same day", advance: 5 * time.Second, allowed: true, remaining: 0, resetIn: 24*time.Hour - 5*time.Second},
		{name: "next evening still spent", advance: 23 * time.Hour, allowed: false, remaining: 0, resetIn: time.Hour - 5*time.Second},
		{name: "first call of a quiet day", advance: 48 * time.Hour, allowed: true, remaining: 1, resetIn: time.Hour - 5*time.Second},
	})
}

func TestRollingWindow(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), 0)
	w := NewRollingWindow(clock, 3, 10*time.Second)
	runLimitSteps(t, clock, w, []limitStep{
		{name: "empty peek", peek: true, allowed: true, remaining: 3, resetIn: 0},
		{name: "t=0", allowed: true, remaining: 2, resetIn: 10 * time.Second},
		{name: "t=4", advance: 4 * time.Second, allowed: true, remaining: 1, resetIn: 6 * time.Second},
		{name: "t=8", advance: 4 * time.Second, allowed: true, remaining: 0, resetIn: 2 * time.Second},
		{name: "t=8 refused until the t=0 call leaves", allowed: false, remaining: 0, resetIn: 2 * time.Second},
		{name: "t=10 the t=0 call left", advance: 2 * time.Second, allowed: true, remaining: 0, resetIn: 4 * time.Second},
		{name: "t=10 full again", allowed: false, remaining: 0, resetIn: 4 * time.Second},
		{name: "t=13.999 still full", advance: 4*time.Second - time.Millisecond, allowed: false, remaining: 0, resetIn: time.Millisecond},
		{name: "t=14", advance: time.Millisecond, allowed: true, remaining: 0, resetIn: 4 * time.Second},
		{name: "t=60 all gone", advance: 46 * time.Second, peek: true, allowed: true, remaining: 3, resetIn: 0},
		{name: "other key untouched", key: "b", allowed: true, remaining: 2, resetIn: 10 * time.Second},
	})
}

func TestConcurrency(t *testing.T) {
	c := NewConcurrency(2)
	d1, rel1 := c.Acquire("a")
	d2, rel2 := c.Acquire("a")
	d3, rel3 := c.Acquire("a")
	if !d1.Allowed || d1.Remaining != 1 || !d2.Allowed || d2.Remaining != 0 {
		t.Fatalf("first two: %+v %+v, want allowed with 1 then 0 left", d1, d2)
	}
	if d3.Allowed || d3.Remaining != 0 || d3.Limit != 2 {
		t.Fatalf("third: %+v, want refused (not queued)", d3)
	}
	rel3() // releasing a refused call frees nothing
	if n := c.InFlight("a"); n != 2 {
		t.Fatalf("in flight after releasing the refused call: %d, want 2", n)
	}
	if d, rel := c.Acquire("b"); !d.Allowed {
		t.Fatal("another key refused")
	} else {
		rel()
	}
	rel1()
	rel1() // idempotent
	if n := c.InFlight("a"); n != 1 {
		t.Fatalf("in flight after one release (twice): %d, want 1", n)
	}
	if d, _ := c.Acquire("a"); !d.Allowed {
		t.Fatal("slot not freed by release")
	}
	rel2()
	c.SetMax(5)
	if d, _ := c.Acquire("a"); !d.Allowed || d.Remaining != 3 {
		t.Fatalf("after SetMax(5) with 1 in flight: %+v, want 3 left", d)
	}
}

func TestConcurrencyUnderContention(t *testing.T) {
	c := NewConcurrency(5)
	var ok atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 64 {
		wg.Go(func() {
			<-start
			if d, _ := c.Acquire("tenant"); d.Allowed {
				ok.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok.Load() != 5 {
		t.Fatalf("%d of 64 simultaneous calls admitted, want exactly 5", ok.Load())
	}
}
