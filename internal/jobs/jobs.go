package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/store"
)

// Config is what Open needs.
type Config struct {
	App *app.App
	// DSN is the store's PostgreSQL URL; River needs a pgx pool of its
	// own there. Unused for SQLite, where River shares the store's handle.
	DSN string
	// OnEvent hears every event of every pull the jobs run; it must
	// return quickly. Nil hears nothing.
	OnEvent func(pull.Event)
	// Workers is how many pulls run at once; 0 means 4.
	Workers int
	// PollInterval is how often an idle worker looks for new jobs where
	// the database cannot notify it (SQLite); 0 means River's default.
	PollInterval time.Duration
	// Logger receives River's own log and ours; nil discards them.
	Logger *slog.Logger
	// RecoverEvery is how often to look for pulls a dead process left
	// running, after the look at Start; 0 means 15 seconds.
	RecoverEvery time.Duration
}

// unfinished lists the states in which a pull job is unfinished, and so
// unique per connection.
func unfinished() []rivertype.JobState {
	return []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
		rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}
}

// PullArgs is a pull job: ids and the mode, never tokens.
type PullArgs struct {
	WorkspaceID  int64          `json:"workspace_id" river:"unique"`
	ConnectionID int64          `json:"connection_id" river:"unique"`
	Mode         store.PullMode `json:"mode"`
}

// Kind is River's name for pull jobs.
func (PullArgs) Kind() string { return "pull" }

// InsertOpts makes pull jobs unique per workspace + connection while
// unfinished; the mode is left out, so a re-pull cannot queue beside a sync.
func (PullArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished()}}
}

// ErrAlreadyQueued says the connection already has an unfinished pull job.
var ErrAlreadyQueued = errors.New("a pull is already running for this connection")

// queue is the part of a River client Runner uses; it hides the client's
// transaction type, which differs between the SQLite and pgx drivers.
type queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

// Runner queues and works pull jobs.
type Runner struct {
	app          *app.App
	st           *store.Store
	q            queue
	log          *slog.Logger
	recoverEvery time.Duration
	close        func()
	stopWatch    context.CancelFunc
}

// Open migrates River's tables into the store's database (River keeps its
// own migration table, river_migration, apart from ours) and returns a
// Runner ready to Start.
func Open(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.App == nil {
		return nil, errors.New("jobs: an app is required")
	}
	st := cfg.App.Store()
	r := &Runner{app: cfg.App, st: st, close: func() {}, stopWatch: func() {}, recoverEvery: cfg.RecoverEvery}
	if r.recoverEvery <= 0 {
		r.recoverEvery = 15 * time.Second
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &pullWorker{app: cfg.App, onEvent: cfg.OnEvent})
	n := cfg.Workers
	if n <= 0 {
		n = 4
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r.log = logger
	rc := &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}},
		Workers:           workers,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, river.FetchCooldownDefault),
		Logger:            logger,
		// Pulls run as long as they need: the engine stops them itself on
		// limits, and a provider wait long enough to matter ends the pull
		// with a note rather than holding a worker.
		JobTimeout: -1,
	}
	var err error
	switch st.Dialect() {
	case store.SQLite:
		r.q, err = newQueue(ctx, riversqlite.New(st.DB()), rc)
	default:
		var pool *pgxpool.Pool
		if pool, err = pgxpool.New(ctx, cfg.DSN); err != nil {
			return nil, fmt.Errorf("jobs: connect: %w", err)
		}
		r.close = pool.Close
		r.q, err = newQueue(ctx, riverpgxv5.New(pool), rc)
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// newQueue migrates River's schema up and makes a client over driver.
func newQueue[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg *river.Config) (queue, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("jobs: migrate: %w", err)
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return c, nil
}

// Start recovers what a dead process left behind, then starts working.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.recover(ctx); err != nil {
		return err
	}
	if err := r.q.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.stopWatch = cancel
	go r.watch(wctx, r.recoverEvery)
	return nil
}

// Stop stops taking jobs and cancels the running pulls, which stop
// cleanly at their last committed page and are queued again for the next
// start. It waits for them until ctx ends.
func (r *Runner) Stop(ctx context.Context) error {
	r.stopWatch()
	err := r.q.StopAndCancel(ctx)
	r.close()
	if err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Enqueue queues a pull of a connection. ErrAlreadyQueued (with the
// existing job's id) says one is already queued or running.
func (r *Runner) Enqueue(ctx context.Context, connID int64, mode store.PullMode) (int64, error) {
	conn, err := r.st.Connection(ctx, connID)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue: %w", err)
	}
	if mode != store.PullStandard && mode != store.PullFull {
		return 0, fmt.Errorf("jobs: enqueue: unknown pull mode %q", mode)
	}
	res, err := r.q.Insert(ctx, PullArgs{WorkspaceID: conn.WorkspaceID, ConnectionID: conn.ID, Mode: mode}, nil)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue: %w", err)
	}
	if res.UniqueSkippedAsDuplicate {
		return res.Job.ID, ErrAlreadyQueued
	}
	return res.Job.ID, nil
}

// Job is an unfinished pull job, for the screens.
type Job struct {
	ID           int64
	ConnectionID int64
	Mode         store.PullMode
	State        rivertype.JobState
	Queued       time.Time
	Attempted    time.Time // when a worker last took it; zero if never
}

// Active returns the unfinished pull job of a connection, if it has one.
func (r *Runner) Active(ctx context.Context, connID int64) (Job, bool, error) {
	jobs, err := r.list(ctx, unfinished()...)
	if err != nil {
		return Job{}, false, err
	}
	for _, j := range jobs {
		if j.ConnectionID == connID {
			return j, true, nil
		}
	}
	return Job{}, false, nil
}

// list lists the pull jobs in the given states.
func (r *Runner) list(ctx context.Context, states ...rivertype.JobState) ([]Job, error) {
	params := river.NewJobListParams().Kinds(PullArgs{}.Kind()).States(states...).First(10000)
	res, err := r.q.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, row := range res.Jobs {
		var a PullArgs
		if err := json.Unmarshal(row.EncodedArgs, &a); err != nil {
			continue // not ours to read; River reports it when it runs
		}
		out = append(out, Job{ID: row.ID, ConnectionID: a.ConnectionID, Mode: a.Mode, State: row.State, Queued: row.CreatedAt,
			Attempted: deref(row.AttemptedAt)})
	}
	return out, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
