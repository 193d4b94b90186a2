package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/store"
)

// runPull pulls one connection and prints its report.
func runPull(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("pull", env)
	dsn := addDBFlag(fs)
	wsArg := fs.String("workspace", "", "workspace name or id (required)")
	connArg := fs.String("connection", "", "connection id, account id or account name (required)")
	full := fs.Bool("full", false, "re-pull all data instead of a standard (incremental) sync; uses more of the provider's allowance")
	asJSON := fs.Bool("json", false, "print progress as one JSON event per line")
	timeScale := fs.Float64("time-scale", 1, "for a sandbox started with -time-scale: its provider seconds per wall second, so its per-minute limits are paced at its speed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *wsArg == "" || *connArg == "" {
		return fmt.Errorf("%w: -workspace and -connection are required (see datapull connections)", errUsage)
	}
	if *timeScale <= 0 {
		return fmt.Errorf("%w: -time-scale must be positive", errUsage)
	}
	a, st, err := openApp(ctx, *dsn, app.Config{TimeScale: *timeScale})
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := findWorkspace(ctx, st, *wsArg)
	if err != nil {
		return err
	}
	conn, err := findConnection(ctx, st, ws, *connArg)
	if err != nil {
		return err
	}
	mode := store.PullStandard
	if *full {
		mode = store.PullFull
	}
	return pullAndReport(ctx, env.Stdout, a, conn, mode, *asJSON)
}

// pullAndReport runs a pull with a progress display, prints its report
// (not in JSON mode) and turns an unfinished outcome into an error.
func pullAndReport(ctx context.Context, w io.Writer, a *app.App, conn store.Connection, mode store.PullMode, asJSON bool) error {
	prog := newProgress(w, asJSON)
	p, err := a.Pull(ctx, conn.ID, mode, prog.event)
	var running *store.PullRunningError
	switch {
	case errors.As(err, &running):
		return fmt.Errorf("a pull of %s is already running (pull %d); wait for it to finish", accountLabel(conn), running.PullID)
	case err != nil:
		return err
	}
	if !asJSON {
		io.WriteString(w, "\n")
		if err := writePullReport(context.WithoutCancel(ctx), w, a.Store(), p.ID); err != nil {
			return err
		}
	}
	switch p.Status {
	case store.PullCompleted:
		return nil
	case store.PullStopped:
		return fmt.Errorf("pull %d stopped: %s", p.ID, oneLine(p.Error, 0))
	}
	return fmt.Errorf("pull %d %s: %s", p.ID, p.Status, oneLine(p.Error, 0))
}
