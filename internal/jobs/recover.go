package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/datapull/datapull/internal/store"
)

// orphanAge is how long a job must have been running, with its
// connection's run lock free, before it is taken for a dead process's: a
// live worker takes the lock a moment after River hands it the job.
const orphanAge = 2 * time.Second

// watch runs recover every interval until ctx ends, for jobs that were
// too fresh to judge at start and for workers of other processes (on
// PostgreSQL) that die while this one runs.
func (r *Runner) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.recover(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("recovering interrupted pulls", "err", err)
			}
		}
	}
}

// recover requeues the pulls a dead process left running. River would
// rescue such a job only after RescueStuckJobsAfter (an hour by default,
// and any shorter value would rerun long live pulls); the run lock tells
// at once whether its process is gone, so a killed app resumes its pull
// the moment it starts again.
func (r *Runner) recover(ctx context.Context) error {
	running, err := r.list(ctx, rivertype.JobStateRunning)
	if err != nil {
		return err
	}
	queued := map[int64]bool{}
	for _, j := range running {
		queued[j.ConnectionID] = true
		if time.Since(j.Attempted) < orphanAge {
			continue // looked at again on the next round
		}
		dead, err := r.lockFree(ctx, j.ConnectionID)
		if err != nil {
			return err
		}
		if !dead {
			continue
		}
		// River has no call that hands a running job back (JobRetry leaves
		// running jobs alone), so this is the one place we write its table.
		if _, err := r.st.DB().ExecContext(ctx, r.st.Dialect().Rebind(
			"UPDATE river_job SET state = 'available' WHERE id = ? AND state = 'running'"), j.ID); err != nil {
			return fmt.Errorf("jobs: requeue pull job %d: %w", j.ID, err)
		}
	}
	others, err := r.list(ctx, unfinished()...)
	if err != nil {
		return err
	}
	for _, j := range others {
		queued[j.ConnectionID] = true
	}
	return r.requeueRunningPulls(ctx, queued)
}

// requeueRunningPulls queues a job for every connection whose pull was
// left running without one (a killed CLI pull, a job lost with its
// database row), so starting the app finishes it.
func (r *Runner) requeueRunningPulls(ctx context.Context, queued map[int64]bool) error {
	wss, err := r.st.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("jobs: recover: %w", err)
	}
	for _, ws := range wss {
		conns, err := r.st.Connections(ctx, ws.ID)
		if err != nil {
			return fmt.Errorf("jobs: recover: %w", err)
		}
		for _, c := range conns {
			if queued[c.ID] || c.Status != store.ConnectionActive {
				continue
			}
			p, ok, err := r.st.RunningPull(ctx, c.ID)
			if err != nil {
				return fmt.Errorf("jobs: recover: %w", err)
			}
			if !ok {
				continue
			}
			dead, err := r.lockFree(ctx, c.ID)
			if err != nil || !dead {
				continue // someone is pulling it now
			}
			if _, err := r.Enqueue(ctx, c.ID, p.Mode); err != nil && !errors.Is(err, ErrAlreadyQueued) {
				return err
			}
		}
	}
	return nil
}

// lockFree reports whether nobody holds the connection's run lock.
func (r *Runner) lockFree(ctx context.Context, connID int64) (bool, error) {
	release, err := r.st.LockConnection(ctx, connID)
	if errors.Is(err, store.ErrConnectionBusy) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: recover: %w", err)
	}
	release()
	return true, nil
}
