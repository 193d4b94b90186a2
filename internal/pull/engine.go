package pull

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// Engine runs pulls into one store. Safe for concurrent use: pulls of
// different connections may run at once; the store refuses a second
// running pull of one connection.
type Engine struct {
	st  *store.Store
	now func() time.Time
}

// Options adjust an Engine.
type Options struct {
	// Now is the engine's clock: a pull's start (which bounds every
	// cursor) and durations. Nil means time.Now. Give the store the same
	// clock (Store.SetClock), so sweeps and starts agree.
	Now func() time.Time
}

// New returns an engine writing to st.
func New(st *store.Store, opts Options) *Engine {
	e := &Engine{st: st, now: opts.Now}
	if e.now == nil {
		e.now = time.Now
	}
	return e
}

// Traffic is what a connection's HTTP client has sent and received so far.
type Traffic struct{ Calls, Bytes int64 }

// Target is one connection, opened: its endpoints built on a client that
// carries its token through the pacer.
type Target struct {
	Connection store.Connection
	Endpoints  []provider.Endpoint
	// Traffic reads the client's counters (pacer Stats); nil counts nothing.
	Traffic func() Traffic
}

// Request is what to pull.
type Request struct {
	Mode store.PullMode // standard or full
	// OnEvent, if set, is told of every step, one event at a time (from
	// the pull's goroutines); it must return quickly.
	OnEvent func(Event)
}

// Run pulls the target's connection. It holds the connection's run lock
// meanwhile (a pull of it elsewhere is a *store.PullRunningError). If the
// connection has a running pull nobody holds the lock of (the process
// running it was killed), Run resumes that pull instead of starting
// another, and req.Mode is ignored.
//
// A pull that stops early (a spent allowance, a lost sign-in, ctx ended)
// or loses an endpoint is still a pull: Run returns it, finished, with a
// nil error, and its status, results and notes say what happened. The
// error is for what kept the pull from being recorded at all (the store
// failing, a running pull of the connection elsewhere).
func (e *Engine) Run(ctx context.Context, t Target, req Request) (store.Pull, error) {
	if req.Mode == "" {
		req.Mode = store.PullStandard
	}
	conn := t.Connection
	release, err := e.st.LockConnection(ctx, conn.ID)
	if errors.Is(err, store.ErrConnectionBusy) {
		running, _, _ := e.st.RunningPull(ctx, conn.ID)
		return store.Pull{}, &store.PullRunningError{ConnectionID: conn.ID, PullID: running.ID}
	}
	if err != nil {
		return store.Pull{}, fmt.Errorf("pull: %w", err)
	}
	defer release()
	p, resumed, err := e.start(ctx, conn, req.Mode)
	if err != nil {
		return store.Pull{}, err
	}
	r := &run{e: e, t: t, p: p, onEvent: req.OnEvent, traffic: t.Traffic}
	if r.traffic == nil {
		r.traffic = func() Traffic { return Traffic{} }
	}
	r.startTraffic = r.traffic()
	steps, err := e.plan(ctx, p, t)
	if err != nil {
		return r.finish(context.WithoutCancel(ctx), store.PullFailed, err.Error())
	}
	done, err := e.st.EndpointResults(ctx, p.ID)
	if err != nil {
		return store.Pull{}, fmt.Errorf("pull: %w", err)
	}
	for _, res := range done {
		r.totals.add(countsOf(res))
	}
	r.endpoints = len(steps)
	r.send(Event{Kind: PullStarted, Resumed: resumed})
	return r.steps(ctx, steps)
}

// start resumes the connection's running pull or creates one.
func (e *Engine) start(ctx context.Context, conn store.Connection, mode store.PullMode) (store.Pull, bool, error) {
	p, ok, err := e.st.RunningPull(ctx, conn.ID)
	if err != nil {
		return store.Pull{}, false, fmt.Errorf("pull: %w", err)
	}
	if ok {
		return p, true, nil
	}
	p, err = e.st.CreatePull(ctx, store.Pull{WorkspaceID: conn.WorkspaceID, ConnectionID: conn.ID,
		Mode: mode, StartedAt: e.now()})
	if err != nil {
		return store.Pull{}, false, fmt.Errorf("pull: %w", err)
	}
	return p, false, nil
}

// plan plans every endpoint of the target, in the connector's order.
func (e *Engine) plan(ctx context.Context, p store.Pull, t Target) ([]step, error) {
	cps, err := e.st.Checkpoints(ctx, t.Connection.ID)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	byName := make(map[string]store.Checkpoint, len(cps))
	for _, cp := range cps {
		byName[cp.Endpoint] = cp
	}
	steps := make([]step, 0, len(t.Endpoints))
	for _, ep := range t.Endpoints {
		s, err := plan(p, ep, byName[ep.Info().Name])
		if err != nil {
			return nil, fmt.Errorf("pull: plan: %w", err)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// run is one Run in progress.
type run struct {
	e                *Engine
	t                Target
	p                store.Pull
	onEvent          func(Event)
	traffic          func() Traffic
	startTraffic     Traffic
	endpoints, index int
	totals           Counts // finished endpoints of the pull
	failed           int
}

// steps runs the planned endpoints in order and finishes the pull.
func (r *run) steps(ctx context.Context, steps []step) (store.Pull, error) {
	for i, s := range steps {
		r.index = i + 1
		if s.skip {
			continue
		}
		stop, err := r.endpoint(ctx, s)
		if err != nil {
			return r.finish(context.WithoutCancel(ctx), store.PullFailed, err.Error())
		}
		if stop != "" {
			return r.finish(context.WithoutCancel(ctx), store.PullStopped, stop)
		}
	}
	if r.failed > 0 {
		return r.finish(ctx, store.PullPartial, fmt.Sprintf("%d endpoint(s) failed; the next sync retries them from their checkpoints", r.failed))
	}
	return r.finish(ctx, store.PullCompleted, "")
}

// finish records the pull's outcome and its usage. Its totals are the sum
// of its endpoint results, so a resumed pull counts its earlier runs too;
// the usage ledger gets what this run itself spent.
func (r *run) finish(ctx context.Context, status store.PullStatus, reason string) (store.Pull, error) {
	results, err := r.e.st.EndpointResults(ctx, r.p.ID)
	if err != nil {
		return store.Pull{}, fmt.Errorf("pull: finish: %w", err)
	}
	var sum Counts
	for _, res := range results {
		sum.add(countsOf(res))
	}
	if err := r.e.st.FinishPull(ctx, r.p.ID, store.PullOutcome{Status: status, FinishedAt: r.e.now(),
		Calls: sum.Calls, Bytes: sum.Bytes, Records: sum.Fetched, Error: reason}); err != nil {
		return store.Pull{}, fmt.Errorf("pull: finish: %w", err)
	}
	spent := r.spent()
	if _, err := r.e.st.AppendUsage(ctx, store.UsageEntry{PullID: r.p.ID, ConnectionID: r.p.ConnectionID,
		Source: r.t.Connection.Source, Calls: spent.Calls, Bytes: spent.Bytes, Records: sum.Fetched}); err != nil {
		return store.Pull{}, fmt.Errorf("pull: finish: %w", err)
	}
	p, err := r.e.st.Pull(ctx, r.p.ID)
	if err != nil {
		return store.Pull{}, fmt.Errorf("pull: finish: %w", err)
	}
	r.p = p
	r.send(Event{Kind: PullFinished})
	return p, nil
}

// spent is the traffic of this run so far.
func (r *run) spent() Traffic {
	now := r.traffic()
	return Traffic{Calls: now.Calls - r.startTraffic.Calls, Bytes: now.Bytes - r.startTraffic.Bytes}
}

func (r *run) send(ev Event) {
	if r.onEvent == nil {
		return
	}
	ev.At, ev.Pull, ev.Endpoints = r.e.now(), r.p, r.endpoints
	if ev.Index == 0 && ev.Kind != PullStarted && ev.Kind != PullFinished {
		ev.Index = r.index
	}
	if ev.Totals == (Counts{}) {
		ev.Totals = r.totals
	}
	r.onEvent(ev)
}

// note records a note on the pull and tells the listener.
func (r *run) note(ctx context.Context, n store.Note) error {
	n.PullID = r.p.ID
	saved, err := r.e.st.AddNote(ctx, n)
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	r.send(Event{Kind: NoteAdded, Endpoint: n.Endpoint, Note: &saved})
	return nil
}

func countsOf(res store.EndpointResult) Counts {
	return Counts{Fetched: res.Fetched, Inserted: res.Inserted, Updated: res.Updated,
		Unchanged: res.Unchanged, Deleted: res.Deleted, Calls: res.Calls, Bytes: res.Bytes}
}

// humanDuration writes a sweep interval as people say it.
func humanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 24*time.Hour:
		if d == 7*24*time.Hour {
			return "week"
		}
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Hour == 0 && d >= time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

var errStoredNothing = errors.New("the provider sent records but none were stored (X23)")
