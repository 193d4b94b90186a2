package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/store"
)

// addDBFlag adds the -db flag every command that reads or writes the store
// shares. An empty value means store.DefaultPath.
func addDBFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "database: a SQLite file path or a postgres:// URL (default $DATAPULL_DB or the user data directory)")
}

// parseArgs parses the flags of one of the store commands, which may come
// before, between or after its positional arguments (`workspace delete
// Acme -yes`; the flag package alone stops at the first argument), and
// checks that there are want positional arguments, what describing them.
// After "--" everything is positional, so a name may begin with "-".
//
// A bad flag becomes one usage error, which Main prints as one line,
// instead of the flag package's message followed by the whole help; -h
// still prints the help.
func parseArgs(fs *flag.FlagSet, args []string, want int, what string) ([]string, error) {
	name := strings.TrimPrefix(fs.Name(), "datapull ")
	var pos []string
	for {
		if err := parseQuietly(fs, args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v (see datapull %s -h)", errUsage, err, name)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) == want:
		return pos, nil
	case want == 0:
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	case len(pos) > want:
		return nil, fmt.Errorf("%w: %s takes %s, got %d arguments; put a name with spaces in quotes", errUsage, name, what, len(pos))
	}
	return nil, fmt.Errorf("%w: %s takes %s", errUsage, name, what)
}

// parseQuietly is fs.Parse with the flag package's own printing of errors
// and help turned off, except for the help that -h asks for.
func parseQuietly(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		if fs.Usage != nil {
			fs.Usage()
		} else {
			fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
			fs.PrintDefaults()
		}
	}
	return err
}

// openStore opens the database dsn names (the default location when dsn is
// empty) and turns the ways that can fail into one line the user can act on.
// When it fails it leaves the disk as it found it: directories it created
// for a new SQLite file are removed again.
func openStore(ctx context.Context, dsn string) (*store.Store, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, fmt.Errorf("cannot find the user data directory (%v); choose a database with -db or DATAPULL_DB", err)
		}
		dsn = p
	}
	if store.IsPostgres(dsn) {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			return nil, explainOpenError(redactDSN(dsn), "database", err)
		}
		return st, nil
	}
	path, err := filepath.Abs(store.SQLitePath(dsn))
	if err != nil {
		return nil, fmt.Errorf("cannot use database path %q: %v", dsn, err)
	}
	undo, err := prepareDataDir(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	// The path is passed with its scheme so that a file whose own name
	// begins with "file:" is not stripped a second time.
	st, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		undo()
		return nil, explainOpenError(path, "file", err)
	}
	return st, nil
}

// redactDSN is a PostgreSQL URL without its password, fit for an error.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}

// prepareDataDir creates dir (0700) when missing and proves a file can be
// created in it, as SQLite must for its -wal and -shm files. The returned
// undo removes the directories it created, for when opening fails later.
func prepareDataDir(dir string) (undo func(), err error) {
	// Note which ancestors are missing now, deepest first, so that undo
	// removes exactly those and nothing that was there before.
	var created []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	undo = func() {
		for _, d := range created {
			_ = os.Remove(d) // only empty directories go; a failure leaves one behind, harmlessly
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		undo()
		return nil, cannotWrite(dir, err)
	}
	probe, err := os.CreateTemp(dir, ".datapull-probe-*")
	if err != nil {
		undo()
		return nil, cannotWrite(dir, err)
	}
	name := probe.Name()
	probe.Close()
	if err := os.Remove(name); err != nil {
		undo()
		return nil, cannotWrite(dir, err)
	}
	return undo, nil
}

func cannotWrite(dir string, err error) error {
	return fmt.Errorf("cannot write to data directory %s: %s; choose another place with -db or DATAPULL_DB", dir, osReason(err))
}

// osReason is the operating system's words for err ("permission denied"),
// without the path and operation that the caller already names.
func osReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// explainOpenError rewrites store.Open's error as one line that says what is
// wrong with the database at where and what to do. kind is "file" or
// "database", as the user would call it.
func explainOpenError(where, kind string, err error) error {
	switch {
	case errors.Is(err, store.ErrForeignDatabase):
		return fmt.Errorf("%s is not a DataPull database%s; choose another %s with -db", where, detailAfter(err, store.ErrForeignDatabase), kind)
	case errors.Is(err, store.ErrSchemaTooNew):
		return fmt.Errorf("%s was written by a newer DataPull%s; upgrade DataPull or choose another %s with -db", where, detailAfter(err, store.ErrSchemaTooNew), kind)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot write to database %s %s: %s; choose another %s with -db", kind, where, osReason(err), kind)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("opening database %s: cancelled", where)
	}
	// Drop the store's own prefixes, which repeat where, and fold a
	// driver's multi-line message (pgx lists each address it tried).
	detail := oneLine(err.Error(), 0)
	if i := strings.LastIndex(detail, where+": "); i >= 0 {
		detail = detail[i+len(where)+2:]
	}
	return fmt.Errorf("cannot open database %s: %s", where, detail)
}

// detailAfter returns the store's explanation that follows sentinel in
// err's message, as " (explanation)", or "" when there is none. The store
// words these for people ("the file is not an SQLite database").
func detailAfter(err, sentinel error) string {
	_, rest, ok := strings.Cut(err.Error(), sentinel.Error()+": ")
	if !ok || rest == "" {
		return ""
	}
	return " (" + rest + ")"
}

// lookupError says a workspace or connection the user named does not exist.
// Its message is the whole story; it unwraps to store.ErrNotFound so callers
// can tell it from a database failure.
type lookupError struct{ msg string }

func (e *lookupError) Error() string { return e.msg }
func (e *lookupError) Unwrap() error { return store.ErrNotFound }

// findWorkspace finds the workspace arg names: its name in any letter case,
// or its numeric id. A name wins over an id, so a workspace called "2024"
// is found by its name even if another has id 2024.
func findWorkspace(ctx context.Context, st *store.Store, arg string) (store.Workspace, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return store.Workspace{}, &lookupError{"no workspace given (see datapull workspace list)"}
	}
	w, err := st.WorkspaceByName(ctx, arg)
	if err == nil {
		return w, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Workspace{}, fmt.Errorf("find workspace %q: %w", arg, err)
	}
	if id, perr := strconv.ParseInt(arg, 10, 64); perr == nil && id > 0 {
		w, err := st.Workspace(ctx, id)
		if err == nil {
			return w, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.Workspace{}, fmt.Errorf("find workspace %q: %w", arg, err)
		}
	}
	return store.Workspace{}, &lookupError{fmt.Sprintf("no workspace named %q (see datapull workspace list)", arg)}
}

// findConnection finds the connection of ws that arg names: its numeric id,
// or its account id or account name in any letter case. An id match wins;
// a name shared by several connections is an error that lists them.
func findConnection(ctx context.Context, st *store.Store, ws store.Workspace, arg string) (store.Connection, error) {
	arg = strings.TrimSpace(arg)
	hint := fmt.Sprintf("see datapull connections -workspace %s", shellWord(ws.Name))
	if arg == "" {
		return store.Connection{}, &lookupError{fmt.Sprintf("no connection given (%s)", hint)}
	}
	conns, err := st.Connections(ctx, ws.ID)
	if err != nil {
		return store.Connection{}, fmt.Errorf("find connection %q: %w", arg, err)
	}
	if id, perr := strconv.ParseInt(arg, 10, 64); perr == nil {
		for _, c := range conns {
			if c.ID == id {
				return c, nil
			}
		}
	}
	var matches []store.Connection
	for _, c := range conns {
		if strings.EqualFold(c.AccountID, arg) || strings.EqualFold(c.AccountName, arg) {
			matches = append(matches, c)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return store.Connection{}, &lookupError{fmt.Sprintf("no connection %q in workspace %q (%s)", arg, ws.Name, hint)}
	}
	choices := make([]string, len(matches))
	for i, c := range matches {
		choices[i] = fmt.Sprintf("%d (%s %s, account %s)", c.ID, c.Source, accountLabel(c), c.AccountID)
	}
	return store.Connection{}, fmt.Errorf("connection %q is ambiguous in workspace %q: it could be %s; choose one by id",
		arg, ws.Name, strings.Join(choices, ", "))
}

// accountLabel is how a connection is named to the user: the account's
// name, or its id when the provider gave no name.
func accountLabel(c store.Connection) string {
	if strings.TrimSpace(c.AccountName) != "" {
		return c.AccountName
	}
	return c.AccountID
}

// shellWord quotes s for a command the user may copy, only when it needs it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
