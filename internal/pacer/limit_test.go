package pacer

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TestConcurrencyCap proves 20 goroutines sharing one Transport never have
// more than MaxConcurrent calls in progress, and do reach it.
func TestConcurrencyCap(t *testing.T) {
	const callers, each, limit = 20, 3, 5
	var inFlight, peak atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		// Stay a moment, or until the cap is broken, so that calls overlap
		// and the peak measures the pacer, not the scheduler.
		for deadline := time.Now().Add(50 * time.Millisecond); inFlight.Load() <= limit && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		ok(w, r)
	})
	tr := newTransport(t, Config{Policy: Policy{MaxConcurrent: limit}})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range callers {
		wg.Go(func() {
			for range each {
				if _, _, err := get(context.Background(), tr.Client(), srv.URL); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 || srv.count() != callers*each {
		t.Fatalf("%d failed, %d calls: a full cap must wait, not fail", failed.Load(), srv.count())
	}
	if p := peak.Load(); p != limit {
		t.Errorf("peak %d calls in progress, want %d", p, limit)
	}
}

// sendLog is a base transport that notes when each request is sent.
type sendLog struct {
	clock Clock
	base  http.RoundTripper
	mu    sync.Mutex
	times []time.Time
}

func (s *sendLog) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.times = append(s.times, s.clock.Now())
	s.mu.Unlock()
	return s.base.RoundTrip(r)
}

// maxInWindow is the most of times (sorted) that fall in any window
// [t, t+w) (checking from each time suffices).
func maxInWindow(times []time.Time, w time.Duration) int {
	most := 0
	for i, start := range times {
		j := i
		for j < len(times) && times[j].Before(start.Add(w)) {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

// TestBudgetNeverExceeded proves 20 goroutines making 200 calls on a
// budget of 10 a second never send more than 10 in any second, measured
// on a fake clock, and run at the allowance: the last call goes at 19 s.
func TestBudgetNeverExceeded(t *testing.T) {
	const callers, each, budget = 20, 10, 10
	srv := newServer(t, ok)
	clock := newQuietClock(callers)
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	log := &sendLog{clock: clock, base: base}
	tr := newTransport(t, Config{Policy: Policy{Budget: budget, Window: time.Second}, Clock: clock, Base: log})
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			defer clock.leave()
			for range each {
				if _, _, err := get(context.Background(), tr.Client(), srv.URL); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	times := slices.SortedFunc(slices.Values(log.times), time.Time.Compare)
	if n := maxInWindow(times, time.Second); n > budget {
		t.Errorf("%d calls in one second, budget %d", n, budget)
	}
	if last := times[len(times)-1].Sub(t0); last != 19*time.Second {
		t.Errorf("last call at %v, want 19s: the budget should be used in full", last)
	}
}

// TestSharedBudgetBooking proves, for random arrivals at two accounts that
// share an app budget, that no window of either account's budget or of the
// app's holds more calls than it allows.
func TestSharedBudgetBooking(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	app := NewBudget(7, time.Minute)
	p := Policy{Budget: 5, Window: time.Minute}
	gates := []*gate{newGate(p, app), newGate(p, app)}
	booked := make([][]time.Time, len(gates))
	now := t0
	for range 3000 {
		// Mostly bursts far over the budgets, now and then a lull.
		gap := time.Duration(rng.IntN(3000)) * time.Millisecond
		if rng.IntN(50) == 0 {
			gap = time.Duration(rng.IntN(600)) * time.Second
		}
		now = now.Add(gap)
		i := rng.IntN(len(gates))
		b, ok := gates[i].book(now, 0)
		if !ok || b.at.Before(now) {
			t.Fatalf("booking %v at %v", b, now)
		}
		booked[i] = append(booked[i], b.at)
	}
	all := slices.SortedFunc(slices.Values(slices.Concat(booked...)), time.Time.Compare)
	if n := maxInWindow(all, time.Minute); n != 7 {
		t.Errorf("app: %d calls in one minute, want at most 7 and the full budget used", n)
	}
	for i, times := range booked {
		if n := maxInWindow(times, time.Minute); n > 5 {
			t.Errorf("account %d: %d calls in one minute, budget 5", i, n)
		}
	}
}

// TestAllowanceSpentPauses proves that when a response says the window's
// allowance is spent, the next call waits until the window can have reset
// instead of provoking a 429; and that the allowance is kept for the
// Usage page.
func TestAllowanceSpentPauses(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		spent  http.HandlerFunc
		want   Allowance
	}{
		{"xero minute", Policy{Observe: Xero().Observe}, reply(200, "ok", "X-MinLimit-Remaining", "0", "X-DayLimit-Remaining", "4321", "X-AppMinLimit-Remaining", "9000"),
			Allowance{Remaining: 0, Limit: -1, Window: time.Minute, AppRemaining: 9000, DayRemaining: 4321, DayLimit: -1}},
		{"xero app minute", Policy{Observe: Xero().Observe}, reply(200, "ok", "X-MinLimit-Remaining", "17", "X-AppMinLimit-Remaining", "0"),
			Allowance{Remaining: 17, Limit: -1, Window: time.Minute, AppRemaining: 0, DayRemaining: -1, DayLimit: -1}},
		{"hubspot ten seconds", HubSpot(0), reply(200, "ok", "X-HubSpot-RateLimit-Remaining", "0", "X-HubSpot-RateLimit-Max", "100", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
			Allowance{Remaining: 0, Limit: 100, Window: 10 * time.Second, AppRemaining: -1, DayRemaining: -1, DayLimit: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newStepClock()
			var second time.Time
			srv := newServer(t, tc.spent, func(w http.ResponseWriter, r *http.Request) {
				second = clock.Now()
				ok(w, r)
			})
			tr := newTransport(t, Config{Policy: tc.policy, Clock: clock})
			for range 2 {
				if resp, _, err := get(context.Background(), tr.Client(), srv.URL); err != nil || resp.StatusCode != 200 {
					t.Fatalf("%v %v", resp, err)
				}
				if len(clock.slept()) == 0 {
					a, ok := tr.Allowance()
					tc.want.Seen = t0
					if !ok || a != tc.want {
						t.Errorf("allowance %+v, want %+v", a, tc.want)
					}
				}
			}
			if d := second.Sub(t0); d != tc.want.Window {
				t.Errorf("second call after %v, want %v", d, tc.want.Window)
			}
		})
	}
}

// TestStaleSpentReportIgnored proves a response from a call that started
// before a pause ended does not pause the account again: it speaks of the
// window the pause already waited out.
func TestStaleSpentReportIgnored(t *testing.T) {
	clock := newStepClock()
	tr := newTransport(t, Config{Policy: Xero(), Clock: clock})
	spent := &http.Response{Header: http.Header{"X-Minlimit-Remaining": {"0"}}}
	tr.observe(spent, t0, true) // pauses until t0+1m
	tr.observe(spent, t0.Add(-time.Second), true)
	clock.Sleep(context.Background(), 2*time.Minute)
	tr.observe(spent, t0.Add(30*time.Second), true) // began during the pause
	if end := tr.gate.pauseEnd(); !end.Equal(t0.Add(time.Minute)) {
		t.Errorf("pause ends %v, want %v", end, t0.Add(time.Minute))
	}
	tr.observe(spent, t0.Add(time.Minute), true) // began after it
	if end := tr.gate.pauseEnd(); !end.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("pause ends %v, want %v", end, t0.Add(3*time.Minute))
	}
}

// TestCancelDuringWait proves every kind of wait ends promptly with the
// context's error when the context is cancelled.
func TestCancelDuringWait(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		steps  []http.HandlerFunc
		before int // calls made before the one cancelled
	}{
		{"retry-after", Xero(), []http.HandlerFunc{reply(429, "", "Retry-After", "30")}, 0},
		{"backoff", Xero(), []http.HandlerFunc{reply(503, "")}, 0},
		{"budget", Policy{Budget: 1, Window: time.Hour}, []http.HandlerFunc{ok}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.steps...)
			clock := newQuietClock(2) // the caller and this test, which never sleeps
			tr := newTransport(t, Config{Policy: tc.policy, Clock: clock})
			for range tc.before {
				if _, _, err := get(context.Background(), tr.Client(), srv.URL); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, _, err := get(ctx, tr.Client(), srv.URL)
				errc <- err
			}()
			<-clock.asleep
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err %v, want context.Canceled", err)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("the call did not return after cancel")
			}
		})
	}
}

// TestCancelWaitingForSlot proves a call waiting for a free slot under the
// concurrency cap also stops at cancel.
func TestCancelWaitingForSlot(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		ok(w, r)
	})
	defer close(release)
	tr := newTransport(t, Config{Policy: Policy{MaxConcurrent: 1}})
	go get(context.Background(), tr.Client(), srv.URL)
	for srv.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := get(ctx, tr.Client(), srv.URL)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("err %v after %v, want the deadline promptly", err, time.Since(start))
	}
}

// TestMaxWait proves a wait longer than MaxWait returns a WaitError saying
// when to come back, for a provider's Retry-After, for a pause it caused
// and for the budget, and that a WaitHook can refuse any wait.
func TestMaxWait(t *testing.T) {
	t.Run("retry-after then the pause it leaves", func(t *testing.T) {
		srv := newServer(t, reply(429, "", "X-Rate-Limit-Problem", "minute", "Retry-After", "120"), ok)
		p := Xero()
		p.MaxWait = time.Minute
		tr := newTransport(t, Config{Policy: p, Clock: newStepClock()})
		for range 2 {
			_, _, err := get(context.Background(), tr.Client(), srv.URL)
			var we *WaitError
			if !errors.As(err, &we) || !we.Until.Equal(t0.Add(2*time.Minute)) {
				t.Fatalf("err %v, want a WaitError until %v", err, t0.Add(2*time.Minute))
			}
		}
		if srv.count() != 1 {
			t.Errorf("%d calls: the paused account must not call again", srv.count())
		}
	})
	t.Run("budget", func(t *testing.T) {
		srv := newServer(t, ok)
		tr := newTransport(t, Config{Policy: Policy{Budget: 1, Window: time.Minute, MaxWait: 10 * time.Second}, Clock: newStepClock()})
		get(context.Background(), tr.Client(), srv.URL)
		_, _, err := get(context.Background(), tr.Client(), srv.URL)
		var we *WaitError
		if !errors.As(err, &we) || !we.Until.Equal(t0.Add(time.Minute)) || srv.count() != 1 {
			t.Fatalf("err %v after %d calls, want a WaitError until %v", err, srv.count(), t0.Add(time.Minute))
		}
		// Refusing to wait used none of the budget.
		if _, ok := tr.gate.book(t0.Add(time.Minute), 0); !ok {
			t.Error("slot lost")
		}
	})
	t.Run("hook refuses", func(t *testing.T) {
		srv := newServer(t, reply(503, "", "Retry-After", "5"), ok)
		snooze := errors.New("snooze")
		var seen []Wait
		hook := func(_ context.Context, w Wait) error {
			seen = append(seen, w)
			return snooze
		}
		tr := newTransport(t, Config{Policy: Xero(), Clock: newStepClock(), OnWait: hook})
		_, _, err := get(context.Background(), tr.Client(), srv.URL)
		if !errors.Is(err, snooze) {
			t.Fatalf("err %v, want the hook's", err)
		}
		want := []Wait{{Until: t0.Add(5 * time.Second), Duration: 5 * time.Second, Reason: "retry after HTTP 503"}}
		if !slices.Equal(seen, want) {
			t.Errorf("hook saw %+v, want %+v", seen, want)
		}
	})
}

// TestWaitErrorKeepsCause proves a WaitError for a 429 still says which
// limit asked for it.
func TestWaitErrorKeepsCause(t *testing.T) {
	srv := newServer(t, reply(429, "", "X-Rate-Limit-Problem", "minute", "Retry-After", "600"))
	p := Xero()
	p.MaxWait = time.Minute
	tr := newTransport(t, Config{Policy: p, Clock: newStepClock()})
	_, _, err := get(context.Background(), tr.Client(), srv.URL)
	var lim *provider.LimitReachedError
	if !errors.As(err, &lim) || lim.Limit != "minute" {
		t.Errorf("err %v, want the minute limit inside", err)
	}
}
