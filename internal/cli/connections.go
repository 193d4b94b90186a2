package cli

import (
	"context"
	"fmt"

	"github.com/datapull/datapull/internal/store"
)

// runConnections lists connections, of one workspace or of all, with how
// their last pull went.
func runConnections(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("connections", env)
	db := addDBFlag(fs)
	wsArg := fs.String("workspace", "", "only this workspace's connections (name or id; default all)")
	if _, err := parseArgs(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	var wss []store.Workspace
	if *wsArg != "" {
		w, err := findWorkspace(ctx, st, *wsArg)
		if err != nil {
			return err
		}
		wss = []store.Workspace{w}
	} else {
		wss, err = st.Workspaces(ctx)
		if err != nil {
			return fmt.Errorf("list connections: %w", err)
		}
		if len(wss) == 0 {
			fmt.Fprintln(env.Stdout, "No workspaces yet. Create one with: datapull workspace create NAME")
			return nil
		}
	}

	tw := newTable(env.Stdout)
	rows := 0
	for _, w := range wss {
		conns, err := st.Connections(ctx, w.ID)
		if err != nil {
			return fmt.Errorf("list connections: %w", err)
		}
		for _, c := range conns {
			last, err := lastPull(ctx, st, c.ID)
			if err != nil {
				return err
			}
			if rows == 0 {
				fmt.Fprintln(tw, "ID\tWORKSPACE\tSOURCE\tACCOUNT\tSTATUS\tLAST PULL")
			}
			rows++
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, w.Name, c.Source, accountLabel(c), c.Status, last)
		}
	}
	if rows == 0 {
		if len(wss) == 1 {
			fmt.Fprintf(env.Stdout, "No connections in workspace %q. Connect one with: datapull connect xero -workspace %s\n",
				wss[0].Name, shellWord(wss[0].Name))
		} else {
			fmt.Fprintln(env.Stdout, "No connections yet. Connect one with: datapull connect xero -workspace NAME")
		}
		return nil
	}
	return tw.Flush()
}

// lastPull describes a connection's most recent pull: "completed 2026-01-31
// 09:00:05", "running since ...", or "never".
func lastPull(ctx context.Context, st *store.Store, connID int64) (string, error) {
	pulls, err := st.Pulls(ctx, connID, 1)
	if err != nil {
		return "", fmt.Errorf("last pull of connection %d: %w", connID, err)
	}
	if len(pulls) == 0 {
		return "never", nil
	}
	p := pulls[0]
	if p.Status == store.PullRunning {
		return "running since " + formatTime(p.StartedAt), nil
	}
	return fmt.Sprintf("%s %s", p.Status, formatTime(p.FinishedAt)), nil
}
