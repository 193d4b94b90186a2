package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFiles holds the numbered schema changes, one folder per dialect.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered schema change: migrations/<dialect>/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// firstMigration is the name migration 1 is recorded under; finding it is
// how Open knows a schema_migrations table is ours and not another tool's.
const firstMigration = "init"

// migrationLockKey is the PostgreSQL advisory lock held while migrating, so
// that processes opening one database at once apply each migration once.
// It is "datapull" in ASCII.
const migrationLockKey int64 = 0x6461746170756c6c

// loadMigrations reads the dialect's migrations in version order.
func loadMigrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		m.sql = string(body)
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations of %s: expected version %d, found %d", d, i+1, m.version)
		}
	}
	return ms, nil
}

func parseMigrationName(file string) (migration, error) {
	base, ok := strings.CutSuffix(file, ".sql")
	num, name, ok2 := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil || v <= 0 || name == "" {
		return migration{}, fmt.Errorf("migration file %q is not named NNNN_name.sql", file)
	}
	return migration{version: v, name: name}, nil
}

// querier is what inspecting the schema needs: a *sql.DB, *sql.Conn or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// txBeginner is a *sql.DB or a *sql.Conn.
type txBeginner interface {
	querier
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// migrate applies, in order and each in its own transaction, the migrations
// the database lacks. PostgreSQL migrations run under an advisory lock; on
// SQLite the BEGIN IMMEDIATE of each transaction does the same job, and
// each transaction checks again what is applied once it holds the lock.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return err
	}
	var db txBeginner = s.db
	if s.dialect == Postgres {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		// Unlock even when ctx is done; a lost session frees the lock too.
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
		}()
		db = conn
	}
	applied, err := s.inspect(ctx, db)
	if err != nil {
		return err
	}
	if err := checkNotNewer(applied, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := s.apply(ctx, db, m); err != nil {
			return fmt.Errorf("migrate: %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// checkNotNewer refuses a database migrated past what this program knows.
func checkNotNewer(applied map[int]bool, ms []migration) error {
	for v := range applied {
		if v > len(ms) {
			return fmt.Errorf("%w: it is at version %d, this program knows up to %d", ErrSchemaTooNew, v, len(ms))
		}
	}
	return nil
}

// apply runs one migration and records it, unless another process did it
// first.
func (s *Store) apply(ctx context.Context, db txBeginner, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	applied, err := s.inspect(ctx, tx)
	if err != nil {
		return err
	}
	if applied[m.version] {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, s.nowArg())
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return tx.Commit()
}

// inspect returns the migrations a database has applied: none for an empty
// database; ErrForeignDatabase when it has tables but is not ours.
func (s *Store) inspect(ctx context.Context, q querier) (map[int]bool, error) {
	tables, err := s.names(ctx, q, s.tablesQuery())
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	if len(tables) == 0 {
		return map[int]bool{}, nil
	}
	if !slices.Contains(tables, "schema_migrations") {
		return nil, fmt.Errorf("%w: it has tables (%s) but no schema_migrations table", ErrForeignDatabase, abbreviate(tables))
	}
	cols, err := s.names(ctx, q, s.columnsQuery(), "schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	for _, c := range []string{"version", "name", "applied_at"} {
		if !slices.Contains(cols, c) {
			return nil, fmt.Errorf("%w: its schema_migrations table belongs to another tool", ErrForeignDatabase)
		}
	}
	return s.appliedMigrations(ctx, q)
}

func (s *Store) appliedMigrations(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version, name FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	ours := false
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
		ours = ours || (v == 1 && name == firstMigration)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	if !ours {
		return nil, fmt.Errorf("%w: its schema_migrations table belongs to another tool", ErrForeignDatabase)
	}
	return applied, nil
}

func (s *Store) tablesQuery() string {
	if s.dialect == Postgres {
		return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
	}
	return "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
}

func (s *Store) columnsQuery() string {
	if s.dialect == Postgres {
		return "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1"
	}
	return "SELECT name FROM pragma_table_info(?)"
}

// names runs a query that returns one text column.
func (s *Store) names(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// abbreviate lists a few names for an error message.
func abbreviate(names []string) string {
	const show = 3
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}
