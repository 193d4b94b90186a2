package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

var (
	t0 = time.Date(2025, 5, 1, 9, 30, 0, 123456000, time.UTC)
	t1 = t0.Add(time.Hour)
)

// TestCommitPageCounts: a page's records are counted as inserted, updated
// (payload, status or modified time changed) or unchanged; an id twice in a
// page counts once and the later copy is stored.
func TestCommitPageCounts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		active := provider.StatusActive
		steps := []struct {
			name string
			recs []provider.Record
			want PageCounts
		}{
			{"insert", []provider.Record{rec("a", 1, active, t0), rec("b", 1, active, t0), rec("c", 1, active, time.Time{})},
				PageCounts{Inserted: 3}},
			{"same again", []provider.Record{rec("a", 1, active, t0), rec("b", 1, active, t0), rec("c", 1, active, time.Time{})},
				PageCounts{Unchanged: 3}},
			{"payload changed", []provider.Record{rec("a", 2, active, t0)}, PageCounts{Updated: 1}},
			{"status changed", []provider.Record{rec("b", 1, provider.StatusVoided, t0)}, PageCounts{Updated: 1}},
			{"modified time changed", []provider.Record{rec("c", 1, active, t1)}, PageCounts{Updated: 1}},
			{"duplicates of a new id", []provider.Record{rec("d", 1, active, t0), rec("d", 2, active, t1), rec("e", 1, active, t0)},
				PageCounts{Inserted: 2}},
			{"duplicate of an unchanged id, later copy changed", []provider.Record{rec("e", 1, active, t0), rec("e", 9, active, t0)},
				PageCounts{Updated: 1}},
			{"duplicate of an unchanged id, both the same", []provider.Record{rec("a", 2, active, t0), rec("a", 2, active, t0)},
				PageCounts{Unchanged: 1}},
			{"empty page", nil, PageCounts{}},
		}
		for i, st := range steps {
			got, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID, Records: st.recs})
			if err != nil {
				t.Fatalf("%d %s: %v", i, st.name, err)
			}
			if got != st.want {
				t.Errorf("%d %s: counts %+v, want %+v", i, st.name, got, st.want)
			}
		}
		if n, _ := s.RawCount(ctx, f.conn.ID, "invoices"); n != 5 {
			t.Fatalf("RawCount = %d, want 5 (no duplicate rows)", n)
		}
		d, err := s.RawRecord(ctx, f.conn.ID, "invoices", "d")
		if err != nil {
			t.Fatal(err)
		}
		want := rec("d", 2, active, t1)
		if !d.ModifiedAt.Equal(want.ModifiedAt) || string(d.Payload) != string(want.Payload) {
			t.Errorf("duplicate id stored %s @ %v, want the later copy", d.Payload, d.ModifiedAt)
		}
		b, _ := s.RawRecord(ctx, f.conn.ID, "invoices", "b")
		if b.Status != provider.StatusVoided {
			t.Errorf("b status %s", b.Status)
		}
		c, _ := s.RawRecord(ctx, f.conn.ID, "invoices", "c")
		if !c.ModifiedAt.Equal(t1) {
			t.Errorf("c modified %v, want %v (microseconds kept)", c.ModifiedAt, t1)
		}
	})
}

// TestCommitPagePullStamps: changed_pull_id moves only when a record
// changes; seen_pull_id moves whenever a pull reads it.
func TestCommitPagePullStamps(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		commit := func(pullID int64, recs ...provider.Record) {
			t.Helper()
			if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "contacts", PullID: pullID, Records: recs}); err != nil {
				t.Fatal(err)
			}
		}
		commit(f.pull.ID, rec("a", 1, provider.StatusActive, t0), rec("b", 1, provider.StatusActive, t0))
		s.FinishPull(ctx, f.pull.ID, PullOutcome{Status: PullCompleted})
		p2 := newPull(t, s, f.ws.ID, f.conn.ID)
		commit(p2.ID, rec("a", 1, provider.StatusActive, t0), rec("b", 2, provider.StatusActive, t0))
		a, _ := s.RawRecord(ctx, f.conn.ID, "contacts", "a")
		b, _ := s.RawRecord(ctx, f.conn.ID, "contacts", "b")
		if a.ChangedPullID != f.pull.ID || a.SeenPullID != p2.ID {
			t.Errorf("unchanged a: changed %d seen %d, want %d %d", a.ChangedPullID, a.SeenPullID, f.pull.ID, p2.ID)
		}
		if b.ChangedPullID != p2.ID || b.SeenPullID != p2.ID {
			t.Errorf("updated b: changed %d seen %d, want %d %d", b.ChangedPullID, b.SeenPullID, p2.ID, p2.ID)
		}
	})
}

// TestCommitPageAtomic: when a commit fails part-way (an injected error
// after the rows or after the checkpoint, a context cancelled mid-way),
// neither its rows nor its checkpoint remain, and the previous checkpoint
// and rows are intact.
func TestCommitPageAtomic(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		prev := provider.Cursor(`{"v":1,"page":1}`)
		if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID,
			Records: []provider.Record{rec("keep", 1, provider.StatusActive, t0)}, Cursor: prev}); err != nil {
			t.Fatal(err)
		}
		injected := errors.New("injected failure")
		cases := []struct {
			name  string
			hook  func(cancel context.CancelFunc) func(string) error
			check func(error) bool
		}{
			{"error after rows", func(context.CancelFunc) func(string) error {
				return func(stage string) error {
					if stage == "rows" {
						return injected
					}
					return nil
				}
			}, func(err error) bool { return errors.Is(err, injected) }},
			{"error after checkpoint", func(context.CancelFunc) func(string) error {
				return func(stage string) error {
					if stage == "checkpoint" {
						return injected
					}
					return nil
				}
			}, func(err error) bool { return errors.Is(err, injected) }},
			{"context cancelled after rows", func(cancel context.CancelFunc) func(string) error {
				return func(stage string) error {
					if stage == "rows" {
						cancel()
					}
					return nil
				}
			}, func(err error) bool { return err != nil }},
		}
		for _, tc := range cases {
			cctx, cancel := context.WithCancel(ctx)
			s.hook = tc.hook(cancel)
			recs := make([]provider.Record, 250) // more than one upsert statement
			for i := range recs {
				recs[i] = rec(fmt.Sprintf("new-%03d", i), 1, provider.StatusActive, t0)
			}
			recs = append(recs, rec("keep", 2, provider.StatusActive, t1))
			_, err := s.CommitPage(cctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID,
				Records: recs, Cursor: provider.Cursor(`{"v":1,"page":2}`), FullSweepDone: true})
			s.hook = nil
			cancel()
			if !tc.check(err) {
				t.Fatalf("%s: error %v", tc.name, err)
			}
			if n, _ := s.RawCount(ctx, f.conn.ID, "invoices"); n != 1 {
				t.Errorf("%s: %d rows after a failed commit, want 1", tc.name, n)
			}
			keep, _ := s.RawRecord(ctx, f.conn.ID, "invoices", "keep")
			if !keep.ModifiedAt.Equal(t0) {
				t.Errorf("%s: the failed commit changed an existing row", tc.name)
			}
			cp, ok, err := s.Checkpoint(ctx, f.conn.ID, "invoices")
			if err != nil || !ok || string(cp.Cursor) != string(prev) || !cp.LastFullAt.IsZero() {
				t.Errorf("%s: checkpoint %+v, %v, %v; want the previous one", tc.name, cp, ok, err)
			}
		}
		// The store still works after the failures.
		if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID,
			Records: []provider.Record{rec("after", 1, provider.StatusActive, t0)}}); err != nil {
			t.Fatalf("commit after failures: %v", err)
		}
	})
}

// TestCommitPageRefusesBadInput: a page with an invalid record or cursor,
// for an unknown connection, or under a pull that is not a running pull of
// its connection, writes nothing.
func TestCommitPageRefusesBadInput(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		other := newFixture(t, s, "other")
		done := f.pull
		if err := s.FinishPull(ctx, done.ID, PullOutcome{Status: PullCompleted}); err != nil {
			t.Fatal(err)
		}
		f.pull = newPull(t, s, f.ws.ID, f.conn.ID)
		good := rec("ok", 1, provider.StatusActive, t0)
		cases := []struct {
			name string
			pc   PageCommit
			want func(error) bool
		}{
			{"empty payload", PageCommit{Records: []provider.Record{good, {ID: "x", Status: provider.StatusActive}}}, isValidation},
			{"empty id", PageCommit{Records: []provider.Record{good, {Status: provider.StatusActive, Payload: json.RawMessage(`{}`)}}}, isValidation},
			{"unknown status", PageCommit{Records: []provider.Record{good, {ID: "x", Status: "gone", Payload: json.RawMessage(`{}`)}}}, isValidation},
			{"cursor not JSON", PageCommit{Records: []provider.Record{good}, Cursor: provider.Cursor("since=2025")}, isValidation},
			{"no endpoint", PageCommit{Endpoint: " ", Records: []provider.Record{good}}, isValidation},
			{"unknown connection", PageCommit{ConnectionID: 999, Records: []provider.Record{good}, Cursor: provider.Cursor(`{}`)},
				func(err error) bool { return errors.Is(err, ErrNotFound) }},
			{"pull of another connection", PageCommit{PullID: other.pull.ID, Records: []provider.Record{good}, Cursor: provider.Cursor(`{}`)},
				func(err error) bool { return errors.Is(err, ErrNotFound) }},
			{"finished pull", PageCommit{PullID: done.ID, Records: []provider.Record{good}, Cursor: provider.Cursor(`{}`)},
				func(err error) bool { return errors.Is(err, ErrPullNotRunning) }},
		}
		for _, tc := range cases {
			pc := tc.pc
			if pc.ConnectionID == 0 {
				pc.ConnectionID = f.conn.ID
			}
			if pc.Endpoint == "" {
				pc.Endpoint = "invoices"
			}
			if pc.PullID == 0 {
				pc.PullID = f.pull.ID
			}
			if _, err := s.CommitPage(ctx, pc); !tc.want(err) {
				t.Errorf("%s: error %v", tc.name, err)
			}
		}
		if n := countRows(t, s, "raw_records", ""); n != 0 {
			t.Errorf("%d rows written by refused pages", n)
		}
		if n := countRows(t, s, "checkpoints", ""); n != 0 {
			t.Errorf("%d checkpoints written by refused pages", n)
		}
	})
}

func isValidation(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}

// TestMarkUnseen: after a full read, records the pull did not see become
// deleted and count as changed by it; records already deleted, and other
// endpoints and connections, are left alone; a record seen again comes back.
func TestMarkUnseen(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		g := newFixture(t, s, "g")
		act := provider.StatusActive
		commit := func(conn, pull int64, endpoint string, recs ...provider.Record) PageCounts {
			t.Helper()
			c, err := s.CommitPage(ctx, PageCommit{ConnectionID: conn, Endpoint: endpoint, PullID: pull, Records: recs})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		commit(f.conn.ID, f.pull.ID, "contacts", rec("a", 1, act, t0), rec("b", 1, act, t0), rec("c", 1, act, t0),
			rec("old", 1, provider.StatusDeleted, t0))
		commit(f.conn.ID, f.pull.ID, "items", rec("i", 1, act, t0))
		commit(g.conn.ID, g.pull.ID, "contacts", rec("b", 1, act, t0))
		s.FinishPull(ctx, f.pull.ID, PullOutcome{Status: PullCompleted})

		full := newPull(t, s, f.ws.ID, f.conn.ID)
		commit(f.conn.ID, full.ID, "contacts", rec("a", 1, act, t0), rec("c", 1, act, t0))
		// Until MarkUnseen, the unseen row is as it was.
		if b, _ := s.RawRecord(ctx, f.conn.ID, "contacts", "b"); b.Status != act {
			t.Fatalf("b changed before MarkUnseen: %s", b.Status)
		}
		n, err := s.MarkUnseen(ctx, f.conn.ID, "contacts", full.ID, provider.StatusDeleted)
		if err != nil || n != 1 {
			t.Fatalf("MarkUnseen = %d, %v; want 1", n, err)
		}
		b, _ := s.RawRecord(ctx, f.conn.ID, "contacts", "b")
		if b.Status != provider.StatusDeleted || b.ChangedPullID != full.ID {
			t.Errorf("b = %s changed by %d, want deleted by %d", b.Status, b.ChangedPullID, full.ID)
		}
		old, _ := s.RawRecord(ctx, f.conn.ID, "contacts", "old")
		if old.ChangedPullID != f.pull.ID {
			t.Errorf("an already deleted record was marked again")
		}
		for _, other := range []struct {
			conn     int64
			endpoint string
			id       string
		}{{f.conn.ID, "items", "i"}, {g.conn.ID, "contacts", "b"}} {
			r, _ := s.RawRecord(ctx, other.conn, other.endpoint, other.id)
			if r.Status != act {
				t.Errorf("%d/%s/%s marked %s", other.conn, other.endpoint, other.id, r.Status)
			}
		}
		if n, _ := s.MarkUnseen(ctx, f.conn.ID, "contacts", full.ID, provider.StatusDeleted); n != 0 {
			t.Errorf("second MarkUnseen marked %d", n)
		}
		// A full read resumed by a later pull: records stamped by either
		// are spared when the read's first pull ends it.
		s.FinishPull(ctx, full.ID, PullOutcome{Status: PullStopped})
		resumed := newPull(t, s, f.ws.ID, f.conn.ID)
		commit(f.conn.ID, resumed.ID, "contacts", rec("c", 1, act, t0))
		if n, _ := s.MarkUnseen(ctx, f.conn.ID, "contacts", full.ID, provider.StatusDeleted); n != 0 {
			t.Errorf("MarkUnseen after a resumed read marked %d records seen by the later pull", n)
		}
		if c, _ := s.RawRecord(ctx, f.conn.ID, "contacts", "c"); c.Status != act {
			t.Errorf("c seen by the resumed pull is %s", c.Status)
		}
		if c := commit(f.conn.ID, resumed.ID, "contacts", rec("b", 1, act, t0)); c.Updated != 1 {
			t.Errorf("a deleted record seen again counts %+v, want updated", c)
		}
		if _, err := s.MarkUnseen(ctx, f.conn.ID, "contacts", full.ID, "gone"); !isValidation(err) {
			t.Errorf("bad status: %v", err)
		}
	})
}

// TestCheckpointRoundTrip: a cursor comes back byte for byte; a nil cursor
// leaves it; a finished full read stamps LastFullAt and keeps the cursor;
// ResetCheckpoints forgets the ones asked for.
func TestCheckpointRoundTrip(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		clock := t0
		s.SetClock(func() time.Time { return clock })
		if _, ok, err := s.Checkpoint(ctx, f.conn.ID, "invoices"); ok || err != nil {
			t.Fatalf("checkpoint before any commit: %v, %v", ok, err)
		}
		cursor := provider.Cursor("{ \"v\" : 1,\n\t\"since\": \"2025-05-01T09:30:00.1234567Z\", \"name\": \"Café \\u00e9 ✓\", \"n\": 1.50 }")
		commit := func(c provider.Cursor, full bool) {
			t.Helper()
			if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID,
				Cursor: c, FullSweepDone: full}); err != nil {
				t.Fatal(err)
			}
		}
		commit(cursor, false)
		cp, ok, err := s.Checkpoint(ctx, f.conn.ID, "invoices")
		if err != nil || !ok || string(cp.Cursor) != string(cursor) || !cp.UpdatedAt.Equal(t0) || !cp.LastFullAt.IsZero() {
			t.Fatalf("checkpoint = %+v (%q), %v, %v", cp, cp.Cursor, ok, err)
		}
		clock = t1
		commit(nil, false)
		if cp2, _, _ := s.Checkpoint(ctx, f.conn.ID, "invoices"); !cp2.UpdatedAt.Equal(t0) {
			t.Errorf("a nil cursor touched the checkpoint: %+v", cp2)
		}
		commit(nil, true)
		cp, _, _ = s.Checkpoint(ctx, f.conn.ID, "invoices")
		if string(cp.Cursor) != string(cursor) || !cp.LastFullAt.Equal(t1) {
			t.Errorf("after a full sweep: %+v, want cursor kept and LastFullAt %v", cp, t1)
		}
		clock = t1.Add(time.Minute)
		commit(provider.Cursor(`{"v":2}`), false)
		cp, _, _ = s.Checkpoint(ctx, f.conn.ID, "invoices")
		if string(cp.Cursor) != `{"v":2}` || !cp.LastFullAt.Equal(t1) {
			t.Errorf("a later page lost LastFullAt: %+v", cp)
		}
		// A sweep of an endpoint that never had a cursor.
		if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "items", PullID: f.pull.ID, FullSweepDone: true}); err != nil {
			t.Fatal(err)
		}
		if cp, ok, _ := s.Checkpoint(ctx, f.conn.ID, "items"); !ok || cp.Cursor != nil || cp.LastFullAt.IsZero() {
			t.Errorf("sweep-only checkpoint = %+v, %v", cp, ok)
		}
		all, err := s.Checkpoints(ctx, f.conn.ID)
		if err != nil || len(all) != 2 || all[0].Endpoint != "invoices" || all[1].Endpoint != "items" {
			t.Fatalf("Checkpoints = %+v, %v", all, err)
		}
		if n, err := s.ResetCheckpoints(ctx, f.conn.ID, "items"); n != 1 || err != nil {
			t.Fatalf("reset items = %d, %v", n, err)
		}
		if n, err := s.ResetCheckpoints(ctx, f.conn.ID); n != 1 || err != nil {
			t.Fatalf("reset all = %d, %v", n, err)
		}
		if _, ok, _ := s.Checkpoint(ctx, f.conn.ID, "invoices"); ok {
			t.Error("checkpoint survived reset")
		}
		if n, _ := s.RawCount(ctx, f.conn.ID, "invoices"); n != 0 {
			t.Fatal("unexpected rows")
		}
	})
}

// TestConcurrentCommitPage: two goroutines committing pages of different
// endpoints at once both succeed (on SQLite, writers queue rather than fail
// with "database is locked") and every row and checkpoint lands.
func TestConcurrentCommitPage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		endpoints := []string{"invoices", "contacts"}
		const pages, perPage = 15, 200
		var wg sync.WaitGroup
		errs := make([]error, len(endpoints))
		for i, ep := range endpoints {
			wg.Go(func() {
				for p := range pages {
					recs := make([]provider.Record, perPage)
					for j := range recs {
						recs[j] = rec(fmt.Sprintf("%s-%05d", ep, p*perPage+j), 1, provider.StatusActive, t0)
					}
					c, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: ep, PullID: f.pull.ID,
						Records: recs, Cursor: provider.Cursor(fmt.Sprintf(`{"page":%d}`, p))})
					if err != nil {
						errs[i] = err
						return
					}
					if c.Inserted != perPage {
						errs[i] = fmt.Errorf("page %d inserted %d", p, c.Inserted)
						return
					}
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", endpoints[i], err)
			}
		}
		for _, ep := range endpoints {
			if n, _ := s.RawCount(ctx, f.conn.ID, ep); n != pages*perPage {
				t.Errorf("%s has %d rows, want %d", ep, n, pages*perPage)
			}
			cp, _, _ := s.Checkpoint(ctx, f.conn.ID, ep)
			if want := fmt.Sprintf(`{"page":%d}`, pages-1); string(cp.Cursor) != want {
				t.Errorf("%s checkpoint %s, want %s", ep, cp.Cursor, want)
			}
		}
	})
}

// TestConcurrentCommitPageTwoStores: two Stores on one SQLite file (two
// processes, in effect) commit at once; busy_timeout and BEGIN IMMEDIATE
// make the second wait instead of failing.
func TestConcurrentCommitPageTwoStores(t *testing.T) {
	path := sqliteDSNForTest(t)
	a := openTest(t, path)
	b := openTest(t, path)
	f := newFixture(t, a, "w")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*Store{a, b} {
		wg.Go(func() {
			for p := range 10 {
				recs := make([]provider.Record, 300)
				for j := range recs {
					recs[j] = rec(fmt.Sprintf("%d-%d-%d", i, p, j), 1, provider.StatusActive, t0)
				}
				if _, err := s.CommitPage(context.Background(), PageCommit{ConnectionID: f.conn.ID,
					Endpoint: fmt.Sprintf("ep%d", i), PullID: f.pull.ID, Records: recs, Cursor: provider.Cursor(`{}`)}); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	if n := countRows(t, a, "raw_records", ""); n != 6000 {
		t.Fatalf("%d rows, want 6000", n)
	}
}

// TestRawRecordsStream: records stream in byte order of their ids with
// payloads exactly as committed; an error from the callback stops the walk;
// Endpoints lists endpoints with rows.
func TestRawRecordsStream(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "w")
		ids := []string{"b", "B", "a", "10", "9", "é", "a-1", "Z", "_"}
		rng := rand.New(rand.NewPCG(1, 2))
		shuffled := slices.Clone(ids)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		var recs []provider.Record
		for _, id := range shuffled {
			// Spacing and key order a provider might send, which must survive.
			recs = append(recs, provider.Record{ID: id, Status: provider.StatusActive, ModifiedAt: t0,
				Payload: json.RawMessage(fmt.Sprintf("{ \"z\":1,  \"ID\" : %q, \"amount\": 10.50 }", id))})
		}
		if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "contacts", PullID: f.pull.ID, Records: recs}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "accounts", PullID: f.pull.ID,
			Records: []provider.Record{rec("x", 1, provider.StatusActive, t0)}}); err != nil {
			t.Fatal(err)
		}
		var got []string
		err := s.RawRecords(ctx, f.conn.ID, "contacts", func(r RawRecord) error {
			want := fmt.Sprintf("{ \"z\":1,  \"ID\" : %q, \"amount\": 10.50 }", r.ID)
			if string(r.Payload) != want {
				t.Errorf("%s payload %s, want %s", r.ID, r.Payload, want)
			}
			if r.Record().ID != r.ID || len(r.PayloadHash) != 64 {
				t.Errorf("%s: record %+v", r.ID, r)
			}
			got = append(got, r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(ids)
		slices.Sort(want) // Go sorts strings by bytes
		if !slices.Equal(got, want) {
			t.Errorf("order %q, want %q", got, want)
		}
		stop := errors.New("stop")
		seen := 0
		err = s.RawRecords(ctx, f.conn.ID, "contacts", func(RawRecord) error { seen++; return stop })
		if !errors.Is(err, stop) || seen != 1 {
			t.Errorf("callback error: %v after %d records", err, seen)
		}
		eps, err := s.Endpoints(ctx, f.conn.ID)
		if err != nil || !slices.Equal(eps, []string{"accounts", "contacts"}) {
			t.Errorf("Endpoints = %v, %v", eps, err)
		}
		if _, err := s.RawRecord(ctx, f.conn.ID, "contacts", "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown record: %v", err)
		}
	})
}

// TestPostgresLookupProbesKey: on a table without statistics, as during a
// first pull, the read of stored rows still probes the primary key per id
// instead of scanning the endpoint (which made each page slower than the
// last).
func TestPostgresLookupProbesKey(t *testing.T) {
	s := openTest(t, postgresDSNForTest(t))
	f := newFixture(t, s, "w")
	ctx := context.Background()
	for p := range 5 {
		recs := make([]provider.Record, 1000)
		for i := range recs {
			recs[i] = rec(fmt.Sprintf("%d-%04d", p, i), 1, provider.StatusActive, t0)
		}
		if _, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID, Records: recs}); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("9-%04d", i)
	}
	rows, err := s.DB().QueryContext(ctx, "EXPLAIN "+storedRowsPostgres, ids, f.conn.ID, "invoices")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	text := fmt.Sprint(plan)
	if !strings.Contains(text, "Nested Loop") || !strings.Contains(text, "record_id = k.id") {
		t.Fatalf("stored rows are not read by key probes:\n%s", strings.Join(plan, "\n"))
	}
}
