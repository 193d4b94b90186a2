package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is DataPull's database, SQLite or PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	path    string // the SQLite file; "" for PostgreSQL

	// writeSlot queues this process's SQLite write transactions. SQLite has
	// one writer at a time; waiting in line here is fair and immediate,
	// where writers left to busy_timeout poll the file lock with growing
	// sleeps. busy_timeout still covers other processes. nil for PostgreSQL,
	// which has row locks.
	writeSlot chan struct{}

	// hook, set only by tests, is called at named points inside
	// CommitPage's transaction; an error from it aborts the commit, which
	// is how the tests prove a failed page leaves nothing behind.
	hook func(stage string) error
}

// Open opens the database dsn names, creating and migrating it as needed:
// "postgres://..." or "postgresql://..." is PostgreSQL; "sqlite:PATH",
// "file:PATH" or a plain path is an SQLite file (created with its directory
// when missing). A file that is not SQLite, or a database that has tables but
// not ours, is refused with ErrForeignDatabase and left as it was.
func Open(ctx context.Context, dsn string) (*Store, error) {
	dsn = strings.TrimSpace(dsn)
	switch {
	case dsn == "":
		return nil, errors.New("store: open: no database given")
	case IsPostgres(dsn):
		return openPostgres(ctx, dsn)
	default:
		return openSQLite(ctx, SQLitePath(dsn))
	}
}

// IsPostgres reports whether Open takes dsn for a PostgreSQL URL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLitePath is the file Open takes a non-PostgreSQL dsn for: dsn without
// a "sqlite:" or "file:" scheme (and a "//" after it), taken literally, with
// no URI parameters. Callers that check the file's directory first use it
// so they agree with Open.
func SQLitePath(dsn string) string {
	for _, scheme := range []string{"sqlite:", "file:"} {
		if rest, ok := strings.CutPrefix(dsn, scheme); ok {
			if strings.HasPrefix(rest, "///") {
				rest = rest[2:]
			}
			return rest
		}
	}
	return dsn
}

// sqliteMagic is how every SQLite 3 database file begins.
var sqliteMagic = []byte("SQLite format 3\x00")

func openSQLite(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := ensureWritableDir(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	existing, err := checkSQLiteFile(abs)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	if existing {
		// Look before configuring: journal_mode=WAL rewrites the file
		// header, so a foreign database must be refused by a connection
		// that sets nothing.
		if err := inspectSQLite(ctx, abs); err != nil {
			return nil, fmt.Errorf("store: open %s: %w", abs, err)
		}
	}
	db, err := sql.Open("sqlite", sqliteDSN(abs,
		"_pragma=busy_timeout(10000)",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		// Takes effect only when the file is created. Raw payloads of 1-2
		// KB and more fill 4 KB pages two at a time; 16 KB pages cut the
		// page writes of a commit and overflow pages for large records.
		"_pragma=page_size(16384)",
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// that reads and then writes waits in busy_timeout instead of
		// failing with SQLITE_BUSY when another process wrote meanwhile.
		"_txlock=immediate",
	))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	// Readers run beside the one writer in WAL mode; a handful of
	// connections is plenty for one process.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &Store{db: db, dialect: SQLite, now: time.Now, path: abs, writeSlot: make(chan struct{}, 1)}
	if err := s.start(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	return s, nil
}

// sqliteDSN builds a URI filename for the driver, escaping the path so that
// a '?' or '#' in it stays part of the name.
func sqliteDSN(path string, params ...string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:/C:/...
	}
	u := url.URL{Path: p}
	return "file:" + u.EscapedPath() + "?" + strings.Join(params, "&")
}

// checkSQLiteFile reports whether path holds a database already; a file of
// any other kind is ErrForeignDatabase. An empty file is a new database, as
// SQLite itself treats it.
func checkSQLiteFile(path string) (existing bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.IsDir():
		return false, fmt.Errorf("%w: it is a directory", ErrForeignDatabase)
	case fi.Size() == 0:
		return false, nil
	}
	// Opened for writing, as SQLite will, so a read-only file fails here
	// with a plain message rather than on the first write.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Errorf("database file is not writable: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return false, fmt.Errorf("%w: the file is not an SQLite database", ErrForeignDatabase)
	}
	return true, nil
}

// ensureWritableDir creates dir if needed and proves files can be created in
// it. SQLite needs that for its -wal and -shm files even when the database
// exists, and would otherwise fail later with "unable to open database file".
func ensureWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".datapull-probe-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// inspectSQLite refuses an existing SQLite file that is not ours, through a
// connection that only reads.
func inspectSQLite(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", sqliteDSN(path, "_pragma=busy_timeout(10000)", "_query_only=1"))
	if err != nil {
		return err
	}
	defer db.Close()
	s := &Store{db: db, dialect: SQLite}
	_, err = s.inspect(ctx, db)
	return err
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	where := redactDSN(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", where, err)
	}
	// pgx prepares and caches every statement, and after five runs
	// PostgreSQL may switch a cached statement to a generic plan made while
	// raw_records was small: a plan that then scans the whole endpoint on
	// every page. Custom plans are re-made for each query with the table as
	// it is; our queries are small, so planning them costs little.
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", where, err)
	}
	s := &Store{db: db, dialect: Postgres, now: time.Now}
	if err := s.start(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", where, err)
	}
	return s, nil
}

// redactDSN is dsn without its password, for error messages and logs.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres database"
	}
	return u.Redacted()
}

// start checks the connection works and brings the schema up to date.
func (s *Store) start(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return err
	}
	if s.dialect == SQLite {
		if err := s.enableWAL(ctx); err != nil {
			return err
		}
	}
	return s.migrate(ctx)
}

// enableWAL switches the file to write-ahead logging, which then sticks to
// the file for every later connection. It is done once here rather than in
// each connection's DSN because the switch needs the file to itself and
// SQLite answers SQLITE_BUSY at once, without waiting in busy_timeout, when
// another process is opening the same file; so it is retried for a while.
func (s *Store) enableWAL(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var mode string
		err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("journal mode is %s", mode)
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return fmt.Errorf("enable WAL: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// DB is the underlying database, for packages that run their own SQL on
// DataPull's data (facts, dashboards). Write queries with ? and pass them
// through Dialect().Rebind.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect says which database the store is using.
func (s *Store) Dialect() Dialect { return s.dialect }

// SetClock makes the store stamp times (created, updated, committed) from
// now instead of the wall clock: for tests and the sandbox's scaled time.
// Call it before the store is shared.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// q rebinds a query for the store's dialect.
func (s *Store) q(query string) string { return s.dialect.Rebind(query) }

// nowArg is the current time as a query argument.
func (s *Store) nowArg() any { return s.dialect.timeArg(s.now()) }

// withTx runs fn in a transaction and commits it if fn succeeds. Every write
// goes through here, so SQLite writers queue in writeSlot.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.writeSlot != nil {
		select {
		case s.writeSlot <- struct{}{}:
			defer func() { <-s.writeSlot }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the transaction is abandoned; fn's error is the one to report
		return err
	}
	return tx.Commit()
}

// exec runs one write statement in its own transaction.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, s.q(query), args...)
		return err
	})
	return res, err
}

// insert runs an INSERT ... RETURNING id in its own transaction.
func (s *Store) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(query), args...).Scan(&id)
	})
	return id, err
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// DefaultPath is where DataPull keeps its database when not told otherwise:
// $DATAPULL_DB if set (any location Open accepts), else datapull.db under
// the user's data directory ($XDG_DATA_HOME/datapull, or
// ~/.local/share/datapull; the platform's equivalent on macOS and Windows).
func DefaultPath() (string, error) {
	return defaultPath(os.Getenv, os.UserHomeDir, runtime.GOOS)
}

func defaultPath(getenv func(string) string, home func() (string, error), goos string) (string, error) {
	if v := strings.TrimSpace(getenv("DATAPULL_DB")); v != "" {
		return v, nil
	}
	dir, err := dataDir(getenv, home, goos)
	if err != nil {
		return "", fmt.Errorf("store: default path: %w", err)
	}
	return filepath.Join(dir, "datapull", "datapull.db"), nil
}

// dataDir is the user's data directory. XDG_DATA_HOME counts only when
// absolute, as the XDG spec says.
func dataDir(getenv func(string) string, home func() (string, error), goos string) (string, error) {
	if v := getenv("XDG_DATA_HOME"); v != "" && filepath.IsAbs(v) {
		return v, nil
	}
	if goos == "windows" {
		if v := getenv("LocalAppData"); v != "" {
			return v, nil
		}
	}
	h, err := home()
	if err != nil {
		return "", err
	}
	if goos == "darwin" {
		return filepath.Join(h, "Library", "Application Support"), nil
	}
	return filepath.Join(h, ".local", "share"), nil
}
