package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/store"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// faultCase is one fault of the sandbox's profile and what a pull must
// make of it.
type faultCase struct {
	kind    string
	profile string        // the sandbox's fault profile: triggers that stop by themselves
	scale   float64       // the sandbox's time scale; 0 freezes its clock
	maxWait time.Duration // the longest the pacer waits at once; 0 means 5 s
	// note is the note the first pull must stop with ("" means it must
	// finish with data equal to the truth), and stopped the endpoint it
	// stops in.
	note    string
	stopped string
	// clear is what lets the next sync through: the clock past the
	// limit's reset, a new sign-in.
	clear func(e *env)
}

// TestFaultProfile is issue 3's fourth "Done when": for every fault kind
// of the sandbox, a pull ends either in data equal to the ground truth or
// in a named note with its checkpoints kept; the next sync, once the fault
// has passed, ends equal to the truth, resuming what the first pull left;
// no record is ever stored twice and nothing committed is lost.
//
// The faults fire in invoices' second call (or a little later), so a
// first page is committed when they strike. Waits are kept short: MaxWait
// turns a long provider wait into a "paused" stop, and the sandbox's
// Retry-After is in wall seconds.
func TestFaultProfile(t *testing.T) {
	pastMidnight := func(e *env) { e.srv.Clock().Advance(13 * time.Hour) }
	// The pause the pacer keeps for the connection is in wall time (the
	// sandbox's Retry-After is), at most the whole second it rounds to.
	waitOut := func(e *env) { time.Sleep(1100 * time.Millisecond) }
	reconnect := func(e *env) { e.conns = e.connect(e.conns[0].AccountID) }
	cases := []faultCase{
		{kind: "500", profile: "Invoices:500@calls=2-3"},
		{kind: "502", profile: "Journals:502@calls=2-3"},
		{kind: "503", profile: "BankTransactions:503@calls=2-3"},
		{kind: "504", profile: "Contacts:504@calls=1-2"},
		{kind: "reset", profile: "Invoices:reset@calls=2-3"},
		{kind: "slow", profile: "Payments:slow=300ms@calls=1-3"},
		{kind: "truncate", profile: "Invoices:truncate@calls=2-3,Journals:truncate@call=2"},
		// Time-scaled, Xero's minute passes in a wall second: the pacer
		// waits out Retry-After and carries on.
		{kind: "429-minute", profile: "Invoices:429-minute@calls=2-3", scale: 60},
		// A Retry-After longer than a sync waits: it stops, paused, and
		// the next sync, once the wait is over, goes on from the checkpoint.
		{kind: "429-minute", profile: "Invoices:429-minute@call=2x1", scale: 60, maxWait: 500 * time.Millisecond,
			note: "paused", stopped: "invoices", clear: waitOut},
		{kind: "429-day", profile: "Invoices:429-day@call=2x1", note: "limit_reached", stopped: "invoices", clear: pastMidnight},
		// Every other call, so the call after a refresh goes through (a
		// token refused twice in one call means the sign-in is gone).
		{kind: "token-expiry", profile: "Invoices:token-expiry@every=2x2"},
		{kind: "org-offline", profile: "BankTransactions:org-offline@calls=1-2"},
		{kind: "maintenance", profile: "Journals:maintenance@calls=2-3"},
		{kind: "revoke", profile: "Invoices:revoke@call=2x1", note: "needs_reconnect", stopped: "invoices", clear: reconnect},
	}
	for _, tc := range cases {
		name := tc.kind
		if tc.note != "" {
			name += "/" + tc.note
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			began := time.Now()
			testFault(t, tc)
			t.Logf("%s took %v", tc.profile, time.Since(began).Round(time.Millisecond))
		})
	}
}

func testFault(t *testing.T, tc faultCase) {
	e := newEnv(t, envOptions{
		config: func(c *xsandbox.Config) { c.Faults, c.TimeScale = tc.profile, tc.scale },
		app: func(c *Config) {
			c.PageSize, c.MaxWait = 100, 5*time.Second
			if tc.maxWait > 0 {
				c.MaxWait = tc.maxWait
			}
			if tc.scale > 0 {
				c.TimeScale = tc.scale
			}
		},
	})
	ctx := context.Background()
	p := e.pull(0, store.PullStandard)
	fired := e.faultsFired()[tc.kind]
	if fired == 0 {
		t.Fatalf("the fault never fired (pull %s)", p.Status)
	}
	t.Logf("first pull: %s after %d %s faults; notes %v", p.Status, fired, tc.kind, e.noteCodes(p))
	before := e.storedIDs(t, 0)
	states := e.savedStates(t, 0)

	if tc.note == "" {
		if p.Status != store.PullCompleted {
			t.Fatalf("pull %s (%s); notes %v", p.Status, p.Error, e.notes(p))
		}
		e.requireTruth(t, 0)
	} else {
		if p.Status != store.PullStopped {
			t.Errorf("pull %s (%s), want stopped", p.Status, p.Error)
		}
		if _, ok := e.noteFor(p, tc.note, tc.stopped); !ok {
			t.Fatalf("no %s note about %s; notes %+v", tc.note, tc.stopped, e.notes(p))
		}
		// The page committed before the fault is kept, with its
		// checkpoint, so the next sync goes on from there.
		st := states[tc.stopped]
		if st.Done || st.Counts.Pages < 1 || st.Pull != p.ID {
			t.Errorf("%s: checkpoint %s, want the first page of pull %d committed and the read unfinished", tc.stopped, st.raw, p.ID)
		}
		if n := len(before[tc.stopped]); int64(n) != st.Counts.Fetched || n == 0 {
			t.Errorf("%s: %d records stored, checkpoint counts %d fetched", tc.stopped, n, st.Counts.Fetched)
		}
		if tc.note == "needs_reconnect" {
			conn, err := e.st.Connection(ctx, e.conns[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if conn.Status != store.ConnectionNeedsReconnect {
				t.Errorf("connection %s, want %s", conn.Status, store.ConnectionNeedsReconnect)
			}
			var nr *NeedsReconnectError
			if _, err := e.app.Pull(ctx, e.conns[0].ID, store.PullStandard, nil); !errors.As(err, &nr) {
				t.Errorf("pull before reconnecting: %v, want a NeedsReconnectError", err)
			}
		}
		tc.clear(e)
	}

	again := e.pull(0, store.PullStandard)
	if again.Status != store.PullCompleted {
		t.Fatalf("sync after the fault: %s (%s); notes %+v", again.Status, again.Error, e.notes(again))
	}
	e.requireTruth(t, 0)
	requireKept(t, before, e.storedIDs(t, 0))
	if tc.note != "" {
		// The stopped read went on from its checkpoint, not from zero.
		res := e.results(again)[tc.stopped]
		if string(res.CheckpointBefore) != states[tc.stopped].raw || res.Mode != states[tc.stopped].Mode {
			t.Errorf("%s: the next sync read %s from %s, want the %s read continued from %s",
				tc.stopped, res.Mode, res.CheckpointBefore, states[tc.stopped].Mode, states[tc.stopped].raw)
		}
		// A full read by page costs at most one page more than the records
		// left: the newest-first catch-up re-reads its boundary second.
		before, after := states[tc.stopped].Counts.Fetched, res.Fetched
		total := int64(len(e.storedIDs(t, 0)[tc.stopped]))
		if after < total-before || after > total-before+100 || after >= total {
			t.Errorf("%s: %d fetched before the fault and %d after, %d records in all: want the rest of the read, at most a page more",
				tc.stopped, before, after, total)
		}
	}
	if left := e.faultsFired()[tc.kind]; left != fired {
		t.Errorf("the fault fired %d more times in the second sync; the profile should have run out", left-fired)
	}
}
