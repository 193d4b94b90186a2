package pull

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/datapull/datapull/internal/pacer"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// endpoint reads one endpoint and records its result. It returns a stop
// reason when the whole pull must stop now (a spent allowance, a lost
// sign-in, ctx ended), and an error only when the store fails.
func (r *run) endpoint(ctx context.Context, s step) (string, error) {
	name := s.info.Name
	began := r.e.now()
	r.send(Event{Kind: EndpointStarted, Endpoint: name, Mode: s.mode, Why: s.why})
	c := newCommitter(ctx, r, &s)
	pullErr := s.ep.Pull(ctx, provider.PullRequest{Mode: s.mode, Cursor: s.cursor, Start: r.p.StartedAt}, c.emit)
	commitErr := c.close()

	res := store.EndpointResult{PullID: r.p.ID, Endpoint: name, Mode: s.mode, CheckpointBefore: s.saved,
		CheckpointAfter: c.cursor, ProviderTotal: c.total, Status: store.ResultOK}
	counts := c.counts
	counts.Calls, counts.Bytes = c.traffic()
	res.Fetched, res.Inserted, res.Updated, res.Unchanged, res.Deleted = counts.Fetched, counts.Inserted, counts.Updated, counts.Unchanged, counts.Deleted
	res.Calls, res.Bytes, res.Duration = counts.Calls, counts.Bytes, r.e.now().Sub(began)

	err := pullErr
	if commitErr != nil && !isCancel(ctx, commitErr) {
		err = commitErr
	}
	if err == nil && !c.finished {
		err = fmt.Errorf("%s: the connector stopped before its last page", name)
	}
	stop, notes := r.judge(ctx, &res, &s, c, err)
	notes = append(notes, dataNotes(s.ep)...)
	if errors.Is(commitErr, errStore) {
		// The store failed: nothing more can be recorded reliably.
		return "", commitErr
	}
	dctx := context.WithoutCancel(ctx)
	if err := r.e.st.SaveEndpointResult(dctx, res); err != nil {
		return "", fmt.Errorf("pull: %w", err)
	}
	r.totals.add(counts)
	r.send(Event{Kind: EndpointDone, Endpoint: name, Mode: s.mode, Counts: counts, Total: c.total, Result: &res})
	for _, n := range notes {
		n.Endpoint = name
		if err := r.note(dctx, n); err != nil {
			return "", err
		}
	}
	if stop == stopReauth {
		if err := r.e.st.SetConnectionStatus(dctx, r.t.Connection.ID, store.ConnectionNeedsReconnect); err != nil {
			return "", fmt.Errorf("pull: %w", err)
		}
	}
	return stop.reason(err), nil
}

// stopKind says why a pull stops before its last endpoint.
type stopKind int

const (
	noStop stopKind = iota
	stopCancel
	stopLimit
	stopWait
	stopReauth
)

func (k stopKind) reason(err error) string {
	switch k {
	case stopCancel:
		return "stopped before the end; the next sync resumes from the checkpoints"
	case stopLimit, stopWait, stopReauth:
		return err.Error()
	}
	return ""
}

// judge sets the result's status from how the endpoint ended and returns
// the notes it deserves, and whether the pull must stop.
func (r *run) judge(ctx context.Context, res *store.EndpointResult, s *step, c *committer, err error) (stopKind, []store.Note) {
	var (
		notAvail *provider.NotAvailableError
		reauth   *provider.NeedsReauthError
		limit    *provider.LimitReachedError
		wait     *pacer.WaitError
	)
	kept := "Everything read so far is kept; the next sync continues from the last saved page."
	switch {
	case err == nil:
		return noStop, r.checkDone(ctx, res, s, c)
	case isCancel(ctx, err):
		res.Status, res.Reason = store.ResultWarning, "stopped before the end"
		return stopCancel, nil
	case errors.As(err, &notAvail):
		res.Status, res.Reason = store.ResultSkipped, "not available for this account: "+notAvail.Reason
		return noStop, []store.Note{{Severity: store.SeverityWarning, Code: "not_available",
			Message: fmt.Sprintf("%s is not available for this account: %s.", s.info.Name, notAvail.Reason),
			Action:  "If you need it, reconnect and grant access (or check the plan); other endpoints are unaffected."}}
	case errors.As(err, &reauth):
		res.Status, res.Reason = store.ResultFailed, "the sign-in no longer works"
		return stopReauth, []store.Note{{Severity: store.SeverityError, Code: "needs_reconnect",
			Message: "The provider no longer accepts this connection's sign-in (consent withdrawn, or the sign-in expired).",
			Action:  "Reconnect the account, then sync again. " + kept}}
	case errors.As(err, &wait):
		// Before the limit case: a short (minute) limit whose Retry-After
		// is longer than MaxWait comes as a WaitError wrapping the
		// LimitReachedError, and is a pause, not a spent allowance.
		res.Status, res.Reason = store.ResultWarning, "paused: "+wait.Error()
		return stopWait, []store.Note{{Severity: store.SeverityWarning, Code: "paused",
			Message: "The provider asked DataPull to wait longer than a sync waits (" + wait.Reason + ").",
			Action:  "Sync again after " + wait.Until.UTC().Format("2006-01-02 15:04 UTC") + ". " + kept}}
	case errors.As(err, &limit):
		res.Status, res.Reason = store.ResultWarning, "stopped: "+limit.Error()
		when := "when the provider's allowance returns"
		if !limit.Reset.IsZero() {
			when = "after " + limit.Reset.UTC().Format("2006-01-02 15:04 UTC")
		}
		return stopLimit, []store.Note{{Severity: store.SeverityWarning, Code: "limit_reached",
			Message: fmt.Sprintf("The provider's %s allowance is spent, so the sync stopped cleanly.", limit.Limit),
			Action:  "Sync again " + when + ". " + kept}}
	}
	r.failed++
	res.Status, res.Reason = store.ResultFailed, err.Error()
	return noStop, []store.Note{{Severity: store.SeverityError, Code: "endpoint_failed",
		Message: fmt.Sprintf("%s failed: %v", s.info.Name, err),
		Action:  "The next sync retries it from its checkpoint. If it keeps failing, send a support bundle. " + kept}}
}

// checkDone reconciles a finished read with the provider's own count
// (X23, X26) and says what a periodic sweep found (X19).
func (r *run) checkDone(ctx context.Context, res *store.EndpointResult, s *step, c *committer) []store.Note {
	var notes []store.Note
	if c.total >= 0 {
		have, what := c.counts.Fetched, "fetched"
		if s.mode == provider.Full {
			n, err := r.e.st.SeenCount(ctx, r.t.Connection.ID, s.info.Name, s.from)
			if err == nil {
				have, what = n, "stored"
			}
		}
		if have < c.total {
			res.Status, res.Reason = store.ResultWarning, fmt.Sprintf("provider counts %d records, %d %s", c.total, have, what)
			notes = append(notes, store.Note{Severity: store.SeverityWarning, Code: "count_mismatch",
				Message: fmt.Sprintf("%s: the provider counts %d records but this sync %s %d.", s.info.Name, c.total, what, have),
				Action:  "Run \"Re-pull all data\" for this connection; if the gap stays, send a support bundle."})
		}
	}
	sweep := s.mode == provider.Full && s.info.Incremental && len(s.prev.Base) > 0 && r.p.Mode == store.PullStandard
	if sweep && (c.counts.Updated > 0 || c.counts.Deleted > 0 || c.counts.Inserted > 0) {
		notes = append(notes, store.Note{Severity: store.SeverityInfo, Code: "sweep_recovered",
			Message: fmt.Sprintf("The periodic full read of %s found %d new, %d changed and %d deleted records that incremental syncs could not see; they are now up to date.",
				s.info.Name, c.counts.Inserted, c.counts.Updated, c.counts.Deleted),
			Action: "Nothing to do."})
	}
	return notes
}

// dataWarner is an endpoint that kept records whose values it could not
// read as their declared types (HubSpot's "123;456" in a number field:
// X12). The records are stored as sent; the user hears of it in a note.
type dataWarner interface{ DataWarnings() []string }

func dataNotes(ep provider.Endpoint) []store.Note {
	w, ok := ep.(dataWarner)
	if !ok {
		return nil
	}
	var notes []store.Note
	for _, msg := range w.DataWarnings() {
		notes = append(notes, store.Note{Severity: store.SeverityWarning, Code: "data_untyped",
			Message: msg + ".",
			Action:  "Nothing was lost: the values are kept exactly as the provider sent them. Fix the values or the property's type at the provider if reports need them typed."})
	}
	return notes
}

func isCancel(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ctx.Err()))
}

// errStore marks a failure of the store while committing.
var errStore = errors.New("store")

// committer stores an endpoint's pages in order, one page behind the
// connector: while page n commits, the connector already fetches page
// n+1, so the network and the database work at once. Pages still commit
// one at a time, in order, each with its checkpoint, so a crash loses at
// most the pages not yet committed, which the checkpoint then re-reads.
type committer struct {
	ctx    context.Context
	r      *run
	s      *step
	jobs   chan provider.Page
	done   chan struct{}
	before Traffic

	mu       sync.Mutex
	err      error
	counts   Counts // the read's figures, runs before this one included
	total    int64
	cursor   provider.Cursor // the checkpoint last committed
	finished bool
	sentLast bool
}

func newCommitter(ctx context.Context, r *run, s *step) *committer {
	c := &committer{ctx: ctx, r: r, s: s, jobs: make(chan provider.Page, 1), done: make(chan struct{}),
		before: r.traffic(), counts: s.counts, total: -1, cursor: s.saved}
	go c.loop()
	return c
}

// emit is the provider.Emit the connector is given.
func (c *committer) emit(ctx context.Context, p provider.Page) error {
	if c.sentLast {
		return fmt.Errorf("%s: a page after the last page", c.s.info.Name)
	}
	if err := c.failed(); err != nil {
		return err
	}
	c.sentLast = p.Done
	select {
	case c.jobs <- p:
		return nil
	case <-c.done:
		return c.failed()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *committer) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// close waits for the queued pages and returns the first failure.
func (c *committer) close() error {
	close(c.jobs)
	<-c.done
	return c.failed()
}

func (c *committer) loop() {
	defer close(c.done)
	for p := range c.jobs {
		if err := c.commit(p); err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
	}
}

// traffic is the read's calls and bytes so far.
func (c *committer) traffic() (calls, bytes int64) {
	now := c.r.traffic()
	return c.s.counts.Calls + now.Calls - c.before.Calls, c.s.counts.Bytes + now.Bytes - c.before.Bytes
}

func (c *committer) commit(p provider.Page) error {
	s, r := c.s, c.r
	next := c.counts
	next.Pages++
	next.Fetched += int64(len(p.Records))
	next.Calls, next.Bytes = c.traffic()
	st := state{V: stateVersion, Pull: r.p.ID, Mode: s.mode, From: s.from, Done: p.Done, Cursor: p.Cursor, Base: s.prev.Base}
	if p.Done {
		st.Base = p.Cursor
	}
	var saved provider.Cursor
	pc, err := r.e.st.CommitPage(c.ctx, store.PageCommit{
		ConnectionID: r.t.Connection.ID, Endpoint: s.info.Name, PullID: r.p.ID, Records: p.Records,
		FullSweepDone: p.Done && s.mode == provider.Full, UnseenFrom: s.from,
		CursorAfter: func(pc store.PageCounts) provider.Cursor {
			st.Counts = next
			st.Counts.Inserted += pc.Inserted
			st.Counts.Updated += pc.Updated
			st.Counts.Unchanged += pc.Unchanged
			st.Counts.Deleted += pc.Unseen
			saved = st.encode()
			return saved
		},
	})
	if err != nil {
		if isCancel(c.ctx, err) {
			return err
		}
		return fmt.Errorf("%w: %w", errStore, err)
	}
	if len(p.Records) > 0 && pc.Inserted+pc.Updated+pc.Unchanged == 0 {
		return fmt.Errorf("%s: %w", s.info.Name, errStoredNothing)
	}
	c.mu.Lock()
	c.counts = st.Counts
	c.cursor = saved
	if p.Total >= 0 {
		c.total = p.Total
	}
	c.finished = p.Done
	counts, total := c.counts, c.total
	c.mu.Unlock()
	totals := r.totals
	totals.add(counts)
	r.send(Event{Kind: PageStored, Endpoint: s.info.Name, Mode: s.mode, Counts: counts, Totals: totals, Total: total})
	return nil
}
