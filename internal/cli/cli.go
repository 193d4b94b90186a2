// Package cli implements datapull's subcommands. Each subcommand lives in its
// own file and receives its context, arguments and output streams from Main,
// so every command can be run and tested in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// command is one subcommand: its one-line summary and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env carries the process's output streams to a subcommand.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
}

// commands is the explicit list of subcommands; there is no init-time registration.
func commands() map[string]command {
	return map[string]command{
		"demo":        {"try DataPull end to end against the built-in sandbox Xero", runDemo},
		"connect":     {"sign in to a source (xero) and connect its accounts to a workspace", runConnect},
		"pull":        {"pull a connection's data (standard sync, or -full to re-pull all)", runPull},
		"sandbox":     {"serve the sandbox Xero emulator on 127.0.0.1", runSandbox},
		"workspace":   {"create, list, rename or delete workspaces", runWorkspace},
		"connections": {"list connections and how their last pull went", runConnections},
		"history":     {"list pulls, or show one pull's endpoint results and notes", runHistory},
		"export":      {"write an endpoint's raw records as NDJSON or CSV", runExport},
		"serve":       {"run the web app on 127.0.0.1, with pulls as background jobs", runServe},
	}
}

// errUsage marks an error whose message is already the whole story for the
// user (bad flags, unknown command); Main prints it without a stack of prefixes.
var errUsage = errors.New("usage")

// Main runs the subcommand named by args[0] and returns the process exit code:
// 0 on success, 2 for bad usage, 1 for any other failure.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &Env{Stdout: stdout, Stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "datapull: unknown command %q (run \"datapull help\" for the list)\n", args[0])
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "datapull %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "datapull %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("datapull pulls your own data from Xero and HubSpot into a local database.\n\nCommands:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %-12s %s\n", name, cmds[name].summary)
	}
	b.WriteString("\nRun \"datapull <command> -h\" for a command's flags.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns a flag set that reports errors to the caller instead of
// exiting, and prints its help to stderr.
func newFlagSet(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet("datapull "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses args and rejects stray positional arguments, turning
// any problem into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	_, err := parseArgs(fs, args, 0, "")
	return err
}
