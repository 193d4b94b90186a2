package pacer

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// t0 is where every fake clock starts.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// stepClock is a fake clock for one goroutine: Sleep moves the time on at
// once and remembers how long it was asked to wait.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newStepClock() *stepClock { return &stepClock{now: t0} }

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *stepClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// quietClock is a fake clock for many goroutines: time moves only when
// every taking part is asleep, and then straight to the earliest wake-up,
// so each sleeper wakes exactly when it asked, however the goroutines are
// scheduled. Participants that finish must call leave.
type quietClock struct {
	mu       sync.Mutex
	now      time.Time
	active   int
	sleepers []*sleeper
	asleep   chan struct{} // receives each time a goroutine falls asleep
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

func newQuietClock(participants int) *quietClock {
	return &quietClock{now: t0, active: participants, asleep: make(chan struct{}, 1)}
}

func (c *quietClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *quietClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	s := &sleeper{until: c.now.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.advance()
	c.mu.Unlock()
	select {
	case c.asleep <- struct{}{}:
	default: // nobody is listening for it
	}
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		if i := slices.Index(c.sleepers, s); i >= 0 {
			c.sleepers = slices.Delete(c.sleepers, i, i+1)
		}
		return ctx.Err()
	}
}

// leave says a participant is done.
func (c *quietClock) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	c.advance()
}

// advance moves time to the earliest wake-up while everyone sleeps. The
// caller holds c.mu.
func (c *quietClock) advance() {
	for len(c.sleepers) > 0 && len(c.sleepers) >= c.active {
		next := c.sleepers[0].until
		for _, s := range c.sleepers {
			if s.until.Before(next) {
				next = s.until
			}
		}
		if next.After(c.now) {
			c.now = next
		}
		c.sleepers = slices.DeleteFunc(c.sleepers, func(s *sleeper) bool {
			if s.until.After(c.now) {
				return false
			}
			close(s.wake)
			return true
		})
	}
}

// fakeTokens is a TokenSource whose tokens are "tok1", "tok2", ...: the
// refresh-owner semantics of internal/oauth, counted.
type fakeTokens struct {
	mu        sync.Mutex
	current   int
	refreshes atomic.Int64
	fail      error // returned by Refresh when set
}

func (f *fakeTokens) tok() string { return "tok" + string(rune('0'+f.current)) }

func (f *fakeTokens) Token(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current == 0 {
		f.current = 1
	}
	return f.tok(), nil
}

func (f *fakeTokens) Refresh(_ context.Context, stale string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return "", f.fail
	}
	if stale != f.tok() {
		return f.tok(), nil // someone else already refreshed
	}
	f.refreshes.Add(1)
	f.current++
	return f.tok(), nil
}

// invalidGrant is what internal/oauth returns when the token endpoint
// says invalid_grant.
func invalidGrant() error {
	return &provider.NeedsReauthError{Err: errors.New("oauth: token endpoint: invalid_grant")}
}

// identity is a Jitter that keeps backoffs exact.
func identity(d time.Duration) time.Duration { return d }

// newTransport builds a Transport for tests, on a fresh connection pool.
func newTransport(t testing.TB, cfg Config) *Transport {
	t.Helper()
	if cfg.Base == nil {
		base := &http.Transport{}
		t.Cleanup(base.CloseIdleConnections)
		cfg.Base = base
	}
	if cfg.Jitter == nil {
		cfg.Jitter = identity
	}
	return New(cfg)
}
