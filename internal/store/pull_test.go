package store

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TestPullLifecycle: one running pull per connection (a second is a
// *PullRunningError naming the first), an outcome is written once, history
// is newest first.
func TestPullLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		_, err := s.CreatePull(ctx, Pull{WorkspaceID: f.ws.ID, ConnectionID: f.conn.ID, Mode: PullFull})
		var running *PullRunningError
		if !errors.As(err, &running) || running.PullID != f.pull.ID {
			t.Fatalf("second pull: %v, want *PullRunningError for pull %d", err, f.pull.ID)
		}
		got, ok, err := s.RunningPull(ctx, f.conn.ID)
		if err != nil || !ok || got.ID != f.pull.ID {
			t.Fatalf("RunningPull = %+v, %v, %v", got, ok, err)
		}
		end := time.Date(2025, 3, 4, 5, 6, 7, 891011000, time.UTC)
		out := PullOutcome{Status: PullPartial, FinishedAt: end, Calls: 12, Bytes: 3456, Records: 789, Error: "journals: no access"}
		if err := s.FinishPull(ctx, f.pull.ID, out); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishPull(ctx, f.pull.ID, out); !errors.Is(err, ErrPullNotRunning) {
			t.Fatalf("finishing twice: %v, want ErrPullNotRunning", err)
		}
		if err := s.FinishPull(ctx, 999, out); !errors.Is(err, ErrNotFound) {
			t.Fatalf("finishing an unknown pull: %v, want ErrNotFound", err)
		}
		var ve *ValidationError
		if err := s.FinishPull(ctx, f.pull.ID, PullOutcome{Status: PullRunning}); !errors.As(err, &ve) {
			t.Fatalf("finish as running: %v, want *ValidationError", err)
		}
		p, err := s.Pull(ctx, f.pull.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := f.pull
		want.Status, want.FinishedAt, want.Calls, want.Bytes, want.Records, want.Error = PullPartial, end, 12, 3456, 789, "journals: no access"
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("Pull = %+v\nwant %+v", p, want)
		}
		if _, ok, _ := s.RunningPull(ctx, f.conn.ID); ok {
			t.Fatal("finished pull still running")
		}
		second := newPull(t, s, f.ws.ID, f.conn.ID)
		list, err := s.Pulls(ctx, f.conn.ID, 1)
		if err != nil || len(list) != 1 || list[0].ID != second.ID {
			t.Fatalf("Pulls(limit 1) = %+v, %v", list, err)
		}
		if list, _ := s.Pulls(ctx, f.conn.ID, 0); len(list) != 2 {
			t.Fatalf("Pulls(all) has %d", len(list))
		}
		other, _ := s.CreateWorkspace(ctx, "other")
		if _, err := s.CreatePull(ctx, Pull{WorkspaceID: other.ID, ConnectionID: f.conn.ID, Mode: PullStandard}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("pull of a connection through another workspace: %v, want ErrNotFound", err)
		}
		if _, err := s.Pull(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown pull: %v, want ErrNotFound", err)
		}
	})
}

// TestCreatePullRace: of several goroutines starting a pull of one
// connection at once, exactly one wins.
func TestCreatePullRace(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		if err := s.FinishPull(ctx, f.pull.ID, PullOutcome{Status: PullCompleted}); err != nil {
			t.Fatal(err)
		}
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.CreatePull(ctx, Pull{WorkspaceID: f.ws.ID, ConnectionID: f.conn.ID, Mode: PullStandard})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			var running *PullRunningError
			switch {
			case err == nil:
				won++
			case !errors.As(err, &running):
				t.Errorf("loser got %v, want *PullRunningError", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d pulls started, want 1", won)
		}
	})
}

// TestEndpointResultsAndNotes: results round-trip every field and are
// replaced per endpoint; notes keep their order; bad values are refused.
func TestEndpointResultsAndNotes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		first := EndpointResult{PullID: f.pull.ID, Endpoint: "invoices", Mode: provider.Incremental, Fetched: 10,
			Inserted: 4, Updated: 3, Deleted: 2, Unchanged: 1, Calls: 5, Bytes: 6000, Duration: 1500 * time.Millisecond,
			CheckpointBefore: provider.Cursor(`{"v":1,"since":"2025-01-01T00:00:00Z"}`),
			CheckpointAfter:  provider.Cursor(`{"v":1,"since":"2025-02-01T00:00:00Z"}`),
			Status:           ResultOK, ProviderTotal: -1}
		second := EndpointResult{PullID: f.pull.ID, Endpoint: "journals", Mode: provider.Full, Status: ResultSkipped,
			Reason: "not available for this account", ProviderTotal: 0}
		for _, r := range []EndpointResult{first, second} {
			if err := s.SaveEndpointResult(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		first.Fetched, first.Status, first.Reason = 11, ResultWarning, "count mismatch"
		if err := s.SaveEndpointResult(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err := s.EndpointResults(ctx, f.pull.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, []EndpointResult{first, second}) {
			t.Fatalf("EndpointResults = %+v\nwant %+v", got, []EndpointResult{first, second})
		}
		var ve *ValidationError
		if err := s.SaveEndpointResult(ctx, EndpointResult{PullID: f.pull.ID, Endpoint: "x", Status: "great"}); !errors.As(err, &ve) {
			t.Fatalf("bad status: %v", err)
		}
		if err := s.SaveEndpointResult(ctx, EndpointResult{PullID: 999, Endpoint: "x", Status: ResultOK}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown pull: %v, want ErrNotFound", err)
		}

		n1, err := s.AddNote(ctx, Note{PullID: f.pull.ID, Endpoint: "journals", Severity: SeverityWarning,
			Code: "not_available", Message: "Journals are not available for this account.", Action: "Ask your Xero adviser for journal access."})
		if err != nil {
			t.Fatal(err)
		}
		n2, err := s.AddNote(ctx, Note{PullID: f.pull.ID, Severity: SeverityError, Code: "limit", Message: "Daily limit reached.", Action: "Wait."})
		if err != nil {
			t.Fatal(err)
		}
		notes, err := s.Notes(ctx, f.pull.ID)
		if err != nil || !reflect.DeepEqual(notes, []Note{n1, n2}) {
			t.Fatalf("Notes = %+v, %v", notes, err)
		}
		if _, err := s.AddNote(ctx, Note{PullID: f.pull.ID, Severity: "fatal", Message: "m"}); !errors.As(err, &ve) {
			t.Fatalf("bad severity: %v", err)
		}
		if _, err := s.AddNote(ctx, Note{PullID: 999, Severity: SeverityInfo, Message: "m"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("note on unknown pull: %v, want ErrNotFound", err)
		}
	})
}

// TestUsageLedger: totals sum a source's entries in [from, to), count
// distinct pulls, and leave other sources out.
func TestUsageLedger(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		entries := []UsageEntry{
			{PullID: 1, ConnectionID: 1, Source: "xero", At: day.Add(-time.Nanosecond * 1000), Calls: 100, Bytes: 1, Records: 1},
			{PullID: 2, ConnectionID: 1, Source: "xero", At: day, Calls: 3, Bytes: 30, Records: 300},
			{PullID: 2, ConnectionID: 1, Source: "xero", At: day.Add(time.Hour), Calls: 4, Bytes: 40, Records: 400},
			{PullID: 3, ConnectionID: 2, Source: "xero", At: day.Add(23 * time.Hour), Calls: 5, Bytes: 50, Records: 500},
			{PullID: 4, ConnectionID: 3, Source: "hubspot", At: day.Add(time.Hour), Calls: 9, Bytes: 9, Records: 9},
			{PullID: 5, ConnectionID: 1, Source: "xero", At: day.Add(24 * time.Hour), Calls: 7, Bytes: 7, Records: 7},
		}
		for _, e := range entries {
			got, err := s.AppendUsage(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID == 0 {
				t.Fatal("no id")
			}
		}
		tot, err := s.Usage(ctx, "xero", day, day.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if want := (UsageTotals{Pulls: 2, Calls: 12, Bytes: 120, Records: 1200}); tot != want {
			t.Fatalf("Usage = %+v, want %+v", tot, want)
		}
		all, err := s.Usage(ctx, "xero", time.Time{}, time.Time{})
		if err != nil || all.Calls != 119 || all.Pulls != 4 {
			t.Fatalf("open-ended Usage = %+v, %v", all, err)
		}
		var ve *ValidationError
		if _, err := s.AppendUsage(ctx, UsageEntry{Source: "xero", Calls: -1}); !errors.As(err, &ve) {
			t.Fatalf("negative calls: %v", err)
		}
	})
}
