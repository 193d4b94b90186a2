package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/datapull/datapull/internal/store"
)

// workspaceUsage lists the workspace subcommands, for a usage error.
const workspaceUsage = "want one of: workspace create NAME, workspace list, workspace rename NAME NEW-NAME, workspace delete NAME -yes"

// runWorkspace dispatches `datapull workspace create|list|rename|delete`.
func runWorkspace(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, workspaceUsage)
	}
	switch args[0] {
	case "create":
		return runWorkspaceCreate(ctx, env, args[1:])
	case "list", "ls":
		return runWorkspaceList(ctx, env, args[1:])
	case "rename":
		return runWorkspaceRename(ctx, env, args[1:])
	case "delete", "rm":
		return runWorkspaceDelete(ctx, env, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(env.Stderr, "Usage: "+strings.TrimPrefix(workspaceUsage, "want one of: "))
		return flag.ErrHelp
	}
	return fmt.Errorf("%w: unknown workspace command %q; %s", errUsage, args[0], workspaceUsage)
}

func runWorkspaceCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("workspace create", env)
	db := addDBFlag(fs)
	pos, err := parseArgs(fs, args, 1, "one workspace name")
	if err != nil {
		return err
	}
	name, err := store.CleanWorkspaceName(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := st.CreateWorkspace(ctx, name)
	switch {
	case errors.Is(err, store.ErrExists):
		return existsError(ctx, st, name)
	case err != nil:
		return fmt.Errorf("create workspace %q: %w", name, err)
	}
	fmt.Fprintf(env.Stdout, "Created workspace %q (id %d).\n", w.Name, w.ID)
	fmt.Fprintf(env.Stdout, "Next: datapull connect xero -workspace %s\n", shellWord(w.Name))
	return nil
}

func runWorkspaceList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("workspace list", env)
	db := addDBFlag(fs)
	if _, err := parseArgs(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	wss, err := st.Workspaces(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	if len(wss) == 0 {
		fmt.Fprintln(env.Stdout, "No workspaces yet. Create one with: datapull workspace create NAME")
		return nil
	}
	tw := newTable(env.Stdout)
	fmt.Fprintln(tw, "ID\tNAME\tCONNECTIONS\tCREATED")
	for _, w := range wss {
		conns, err := st.Connections(ctx, w.ID)
		if err != nil {
			return fmt.Errorf("list workspaces: %w", err)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", w.ID, w.Name, len(conns), formatTime(w.CreatedAt))
	}
	return tw.Flush()
}

func runWorkspaceRename(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("workspace rename", env)
	db := addDBFlag(fs)
	pos, err := parseArgs(fs, args, 2, "a workspace and its new name")
	if err != nil {
		return err
	}
	name, err := store.CleanWorkspaceName(pos[1])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := findWorkspace(ctx, st, pos[0])
	if err != nil {
		return err
	}
	err = st.RenameWorkspace(ctx, w.ID, name)
	switch {
	case errors.Is(err, store.ErrExists):
		return existsError(ctx, st, name)
	case err != nil:
		return fmt.Errorf("rename workspace %q: %w", w.Name, err)
	}
	fmt.Fprintf(env.Stdout, "Renamed workspace %q to %q.\n", w.Name, name)
	return nil
}

func runWorkspaceDelete(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("workspace delete", env)
	db := addDBFlag(fs)
	yes := fs.Bool("yes", false, "delete without asking: the workspace, its connections, pulls and records")
	pos, err := parseArgs(fs, args, 1, "one workspace name")
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := findWorkspace(ctx, st, pos[0])
	if err != nil {
		return err
	}
	c, err := countWorkspace(ctx, st, w)
	if err != nil {
		return err
	}
	if !*yes {
		// Deleting throws away pulled data that may cost allowance to pull
		// again, so it is never done without being asked for by name.
		return fmt.Errorf("workspace %q holds %s; nothing was deleted: run again with -yes to delete it and all of that",
			w.Name, c)
	}
	if err := st.DeleteWorkspace(ctx, w.ID); err != nil {
		return fmt.Errorf("delete workspace %q: %w", w.Name, err)
	}
	fmt.Fprintf(env.Stdout, "Deleted workspace %q with %s.\n", w.Name, c)
	return nil
}

// existsError says name is taken, naming the workspace that has it: names
// are unique in any letter case, so it may be written differently.
func existsError(ctx context.Context, st *store.Store, name string) error {
	if w, err := st.WorkspaceByName(ctx, name); err == nil && w.Name != name {
		return fmt.Errorf("a workspace named %q already exists as %q (names ignore letter case; see datapull workspace list)", name, w.Name)
	}
	return fmt.Errorf("a workspace named %q already exists (see datapull workspace list)", name)
}

// workspaceCounts is what deleting a workspace would remove.
type workspaceCounts struct {
	connections, pulls, records int64
}

func (c workspaceCounts) String() string {
	return fmt.Sprintf("%s, %s and %s",
		plural(c.connections, "connection"), plural(c.pulls, "pull"), plural(c.records, "record"))
}

func countWorkspace(ctx context.Context, st *store.Store, w store.Workspace) (workspaceCounts, error) {
	var c workspaceCounts
	conns, err := st.Connections(ctx, w.ID)
	if err != nil {
		return c, fmt.Errorf("count workspace %q: %w", w.Name, err)
	}
	c.connections = int64(len(conns))
	for _, conn := range conns {
		pulls, err := st.Pulls(ctx, conn.ID, 0)
		if err != nil {
			return c, fmt.Errorf("count workspace %q: %w", w.Name, err)
		}
		c.pulls += int64(len(pulls))
		endpoints, err := st.Endpoints(ctx, conn.ID)
		if err != nil {
			return c, fmt.Errorf("count workspace %q: %w", w.Name, err)
		}
		for _, e := range endpoints {
			n, err := st.RawCount(ctx, conn.ID, e)
			if err != nil {
				return c, fmt.Errorf("count workspace %q: %w", w.Name, err)
			}
			c.records += n
		}
	}
	return c, nil
}

// plural is "1 record", "2,345 records".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return formatCount(n) + " " + noun + "s"
}
