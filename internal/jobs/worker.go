package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/store"
)

// busySnooze is how long a job waits when another process is pulling its
// connection (a CLI pull): it tries again after, rather than failing.
const busySnooze = 10 * time.Second

// pullWorker is the thin adapter from a pull job to app.Pull.
type pullWorker struct {
	river.WorkerDefaults[PullArgs]
	app     *app.App
	onEvent func(pull.Event)
}

func (w *pullWorker) Work(ctx context.Context, job *river.Job[PullArgs]) error {
	_, err := w.app.Pull(ctx, job.Args.ConnectionID, job.Args.Mode, w.onEvent)
	var running *store.PullRunningError
	var reconnect *app.NeedsReconnectError
	switch {
	case err == nil && ctx.Err() != nil:
		// The app is stopping: the pull stopped at its last committed
		// page. Run the job again at the next start, where the next pull
		// continues the unfinished reads from their checkpoints.
		return river.JobSnooze(0)
	case err == nil:
		return nil
	case errors.As(err, &running):
		return river.JobSnooze(busySnooze)
	case errors.As(err, &reconnect), errors.Is(err, store.ErrNotFound):
		// Trying again cannot help until the user acts; the sync page
		// says what to do.
		return river.JobCancel(err)
	}
	return fmt.Errorf("jobs: pull connection %d: %w", job.Args.ConnectionID, err)
}
