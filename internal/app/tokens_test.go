package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/store"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// TestTokenCases is issue 3's token "Done when" (X15, X16, X17): expiry
// mid-pull, a rotated refresh token surviving a killed process, two
// organisations of one sign-in pulled at once, revoked consent, and the
// daily limit.
func TestTokenCases(t *testing.T) {
	t.Run("access token expires mid-pull", testExpiryMidPull)
	t.Run("rotated refresh token survives a restart", testRotatedThenRestart)
	t.Run("two organisations of one sign-in at once", testTwoOrgsAtOnce)
	t.Run("revoked consent", testRevokedConsent)
	t.Run("daily limit", testDailyLimit)
}

func reportDuration(t *testing.T) {
	began := time.Now()
	t.Cleanup(func() { t.Logf("took %v", time.Since(began).Round(time.Millisecond)) })
}

// (a) Every access token dies while invoices are being read: the pacer
// refreshes once and the pull ends equal to the truth.
func testExpiryMidPull(t *testing.T) {
	reportDuration(t)
	e := newEnv(t, envOptions{app: func(c *Config) { c.PageSize = 100 }})
	calls0, ok0 := e.tokenCalls()
	p := e.pullWith(0, store.PullFull, onFirstPage("invoices", func() {
		if e.srv.ExpireAccessTokens() == 0 {
			t.Error("no access token to expire")
		}
	}))
	if p.Status != store.PullCompleted {
		t.Fatalf("pull %s (%s); notes %+v", p.Status, p.Error, e.notes(p))
	}
	e.requireTruth(t, 0)
	calls, ok := e.tokenCalls()
	if calls-calls0 != 1 || ok-ok0 != 1 {
		t.Errorf("%d token calls (%d ok) during the pull, want one refresh", calls-calls0, ok-ok0)
	}
}

// (b) A pull refreshes (Xero rotates the refresh token) and the process
// dies right after. A new process (a new App: a fresh token registry on
// the same store and key) must find the rotated token stored, after the
// old one's grace period is over. As a control, the token set stored
// before the rotation, put back, no longer works: the test would catch a
// rotated token that was not persisted.
func testRotatedThenRestart(t *testing.T) {
	reportDuration(t)
	e := newEnv(t, envOptions{app: func(c *Config) { c.PageSize = 100 }})
	ctx := context.Background()
	conn := e.conns[0]
	original, err := e.st.TokenSet(ctx, conn.TokenSetID)
	if err != nil {
		t.Fatal(err)
	}

	calls0, ok0 := e.tokenCalls()
	kill, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	expired := false
	p, err := e.app.Pull(kill, conn.ID, store.PullFull, func(ev pull.Event) {
		if ev.Kind != pull.PageStored {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case !expired && ev.Endpoint == "invoices":
			e.srv.ExpireAccessTokens()
			expired = true
		case expired:
			// Pages are stored one behind the reads, so a page stored
			// now may have been read before the expiry: wait for the
			// refresh. Once it has happened, the rotated token is
			// stored (before its use), and the process dies now.
			if _, ok := e.tokenCalls(); ok > ok0 {
				cancel()
			}
		}
	})
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if p.Status != store.PullStopped {
		t.Fatalf("killed pull %s (%s), want stopped", p.Status, p.Error)
	}
	if calls, ok := e.tokenCalls(); calls-calls0 != 1 || ok-ok0 != 1 {
		t.Fatalf("%d token calls (%d ok) before the kill, want one refresh", calls-calls0, ok-ok0)
	}
	rotated, err := e.st.TokenSet(ctx, conn.TokenSetID)
	if err != nil {
		t.Fatal(err)
	}
	if string(rotated.Sealed) == string(original.Sealed) {
		t.Fatal("the refreshed token set was not stored")
	}

	// Past the old refresh token's grace, every access token dead.
	e.srv.Clock().Advance(31 * time.Minute)
	e.srv.ExpireAccessTokens()
	restarted := restartApp(t, e)
	p, err = restarted.Pull(ctx, conn.ID, store.PullStandard, nil)
	if err != nil {
		t.Fatalf("Pull after restart: %v", err)
	}
	if p.Status != store.PullCompleted {
		t.Fatalf("pull after restart %s (%s); notes %+v", p.Status, p.Error, e.notes(p))
	}
	e.requireTruth(t, 0)

	// The control: the pre-rotation set is refused by now.
	if _, err := e.st.SaveTokenSet(ctx, original); err != nil {
		t.Fatal(err)
	}
	e.srv.ExpireAccessTokens()
	p, err = restartApp(t, e).Pull(ctx, conn.ID, store.PullStandard, nil)
	if err != nil {
		t.Fatalf("Pull with the old token set: %v", err)
	}
	if p.Status != store.PullStopped || !e.hasNote(p, "needs_reconnect") {
		t.Errorf("with the token set from before the rotation: pull %s, notes %v; want stopped with needs_reconnect", p.Status, e.noteCodes(p))
	}
}

// restartApp returns a new App on e's store and key, as a restarted process
// would have: nothing shared with e.app but the database.
func restartApp(t *testing.T, e *env) *App {
	t.Helper()
	a, err := New(e.app.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// (c) One Xero user's sign-in reaches two organisations; both are pulled
// at once with every access token dead. One refresh serves both: a second
// refresh with the same (rotated away) token would leave one of them with
// a dead sign-in once the grace period is over.
func testTwoOrgsAtOnce(t *testing.T) {
	reportDuration(t)
	e := newEnv(t, envOptions{tenants: []string{"*"}}) // every organisation the user reaches
	if len(e.conns) != 2 || e.conns[0].TokenSetID != e.conns[1].TokenSetID {
		t.Fatalf("connections %+v, want two on one token set", e.conns)
	}
	e.srv.ExpireAccessTokens()
	calls0, ok0 := e.tokenCalls()
	pulls := make([]store.Pull, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range e.conns {
		wg.Go(func() {
			pulls[i], errs[i] = e.app.Pull(context.Background(), e.conns[i].ID, store.PullFull, nil)
		})
	}
	wg.Wait()
	for i, p := range pulls {
		if errs[i] != nil {
			t.Fatalf("organisation %d: %v", i, errs[i])
		}
		if p.Status != store.PullCompleted {
			t.Fatalf("organisation %d: pull %s (%s); notes %+v", i, p.Status, p.Error, e.notes(p))
		}
		e.requireTruth(t, i)
	}
	calls, ok := e.tokenCalls()
	if calls-calls0 != 1 || ok-ok0 != 1 {
		t.Errorf("%d token calls (%d ok) for two pulls on one sign-in, want one refresh", calls-calls0, ok-ok0)
	}

	// After the grace period, the one stored token still serves both.
	e.srv.Clock().Advance(31 * time.Minute)
	e.srv.ExpireAccessTokens()
	for i := range e.conns {
		if p := e.pull(i, store.PullStandard); p.Status != store.PullCompleted {
			t.Errorf("organisation %d after the grace period: %s (%s); notes %v", i, p.Status, p.Error, e.noteCodes(p))
		}
	}
}

// (d) The user withdraws consent mid-pull: the pull stops with
// needs_reconnect, the connection says so and refuses to pull; after a
// new sign-in the next sync goes on from the checkpoints.
func testRevokedConsent(t *testing.T) {
	reportDuration(t)
	e := newEnv(t, envOptions{app: func(c *Config) { c.PageSize = 100 }})
	ctx := context.Background()
	p := e.pullWith(0, store.PullFull, onFirstPage("invoices", func() {
		if e.revokeAll() == 0 {
			t.Error("revoking removed no connection")
		}
	}))
	if p.Status != store.PullStopped {
		t.Errorf("pull %s (%s), want stopped", p.Status, p.Error)
	}
	if !e.hasNote(p, "needs_reconnect") {
		t.Fatalf("notes %v, want needs_reconnect", e.noteCodes(p))
	}
	conn, err := e.st.Connection(ctx, e.conns[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Status != store.ConnectionNeedsReconnect {
		t.Errorf("connection %s, want %s", conn.Status, store.ConnectionNeedsReconnect)
	}
	states := e.savedStates(t, 0)
	if st := states["invoices"]; st.Done || st.Counts.Pages < 1 {
		t.Errorf("invoices: checkpoint %s, want the pages read before the revocation kept", st.raw)
	}
	before := e.storedIDs(t, 0)
	var nr *NeedsReconnectError
	if _, err := e.app.Pull(ctx, conn.ID, store.PullStandard, nil); !errors.As(err, &nr) {
		t.Fatalf("pull of a connection needing reconnect: %v, want a NeedsReconnectError", err)
	}

	e.conns = e.connect(conn.AccountID)
	if e.conns[0].ID != conn.ID {
		t.Fatalf("reconnecting made connection %d, want %d again", e.conns[0].ID, conn.ID)
	}
	again := e.pull(0, store.PullStandard)
	if again.Status != store.PullCompleted {
		t.Fatalf("sync after reconnecting %s (%s); notes %+v", again.Status, again.Error, e.notes(again))
	}
	if res := e.results(again)["invoices"]; string(res.CheckpointBefore) != states["invoices"].raw {
		t.Errorf("invoices: read from %s, want the checkpoint kept (%s)", res.CheckpointBefore, states["invoices"].raw)
	}
	e.requireTruth(t, 0)
	requireKept(t, before, e.storedIDs(t, 0))
}

// (e) The sandbox's real daily limit, small: the pull stops cleanly when
// the day is spent, keeps its checkpoints, and after the sandbox's
// midnight the next sync finishes the job without re-reading what was
// done: no endpoint starts over.
func testDailyLimit(t *testing.T) {
	reportDuration(t)
	// A clean full pull of the demo organisation at 100 a page takes
	// about 107 calls, the last 47 of them attachments (one per parent);
	// 90 stops it in the middle of those, and leaves enough of the next
	// day for the rest plus the standard sync of what was finished.
	const dayLimit = 90
	e := newEnv(t, envOptions{
		config: func(c *xsandbox.Config) {
			c.LimitsOff, c.TimeScale, c.DayLimit = false, 0, dayLimit
			// Only the day is under test: the frozen clock would never
			// end a minute.
			c.MinuteLimit, c.AppMinuteLimit = 1_000_000, 1_000_000
		},
		app: func(c *Config) {
			c.Unpaced, c.PageSize, c.MaxWait = false, 100, 5*time.Second
			c.TimeScale = 1000 // the pacer's own minute budget, in wall time
		},
	})
	p := e.pull(0, store.PullStandard)
	if p.Status != store.PullStopped {
		t.Fatalf("pull %s (%s), want stopped by the daily limit; notes %v", p.Status, p.Error, e.noteCodes(p))
	}
	var stopped string
	for _, n := range e.notes(p) {
		if n.Code == "limit_reached" {
			stopped = n.Endpoint
		}
	}
	if stopped == "" {
		t.Fatalf("notes %v, want limit_reached", e.noteCodes(p))
	}
	states := e.savedStates(t, 0)
	if st := states[stopped]; st.Done || st.Counts.Pages < 1 {
		t.Errorf("%s: checkpoint %s, want the pages read before the limit kept", stopped, st.raw)
	}
	done := 0
	for _, st := range states {
		if st.Done && st.Pull == p.ID {
			done++
		}
	}
	t.Logf("stopped in %s after %d calls, %d endpoints finished", stopped, p.Calls, done)
	if done == 0 {
		t.Error("no endpoint finished before the limit")
	}
	before := e.storedIDs(t, 0)

	// Still the same day: refused at once, nothing lost.
	if p := e.pull(0, store.PullStandard); p.Status != store.PullStopped || !e.hasNote(p, "limit_reached") {
		t.Errorf("sync on the spent day: %s, notes %v; want stopped with limit_reached", p.Status, e.noteCodes(p))
	}
	states = e.savedStates(t, 0)

	e.srv.Clock().Advance(13 * time.Hour) // 12:00 → past midnight UTC
	again := e.pull(0, store.PullStandard)
	if again.Status != store.PullCompleted {
		t.Fatalf("sync after midnight %s (%s); notes %+v", again.Status, again.Error, e.notes(again))
	}
	e.requireTruth(t, 0)
	requireKept(t, before, e.storedIDs(t, 0))

	catalog := map[string]provider.EndpointInfo{}
	for _, info := range e.app.mustSource(e.conns[0]).Catalog() {
		catalog[info.Name] = info
	}
	for name, res := range e.results(again) {
		st, ok := states[name]
		switch {
		case !ok || !catalog[name].Incremental:
			// Not reached before the limit, or read whole every sync.
		case !st.Done:
			if string(res.CheckpointBefore) != st.raw || res.Mode != st.Mode {
				t.Errorf("%s: read %s from %s, want the unfinished %s read continued from %s", name, res.Mode, res.CheckpointBefore, st.Mode, st.raw)
			}
		case res.Mode != provider.Incremental:
			t.Errorf("%s: finished before the limit but read %s after it", name, res.Mode)
		}
	}
	if total := e.results(again)[stopped].Fetched + states[stopped].Counts.Fetched; total < int64(len(e.storedIDs(t, 0)[stopped])) {
		t.Errorf("%s: %d records fetched over both days, fewer than the %d stored", stopped, total, len(e.storedIDs(t, 0)[stopped]))
	}
}
