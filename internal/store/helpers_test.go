package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/testdb"
)

// forEachDialect runs fn against a fresh, migrated store of each dialect.
func forEachDialect(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	testdb.ForEach(t, func(t *testing.T, dsn string) {
		fn(t, openTest(t, dsn))
	})
}

// forEachDSN runs fn with the location of a fresh, empty database of each
// dialect, for tests of Open itself.
func forEachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	testdb.ForEach(t, fn)
}

func openTest(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sqliteDSNForTest(t testing.TB) string { return testdb.SQLite(t) }

func postgresDSNForTest(t testing.TB) string { return testdb.Postgres(t) }

// openAdmin opens a raw connection to a PostgreSQL database, to set up
// what Open is then shown.
func openAdmin(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// fixture is a workspace with one connection and a running pull.
type fixture struct {
	ws   Workspace
	conn Connection
	pull Pull
}

func newFixture(t testing.TB, s *Store, name string) fixture {
	t.Helper()
	ctx := context.Background()
	ws, err := s.CreateWorkspace(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := s.SaveTokenSet(ctx, TokenSet{Source: "xero", Subject: "user-" + name, Sealed: []byte("sealed")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateConnection(ctx, Connection{WorkspaceID: ws.ID, Source: "xero", AccountID: "tenant-" + name,
		AccountName: "Org " + name, TokenSetID: ts.ID})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{ws: ws, conn: c, pull: newPull(t, s, ws.ID, c.ID)}
}

func newPull(t testing.TB, s *Store, wsID, connID int64) Pull {
	t.Helper()
	p, err := s.CreatePull(context.Background(), Pull{WorkspaceID: wsID, ConnectionID: connID, Mode: PullStandard})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rec builds a record with a small JSON payload.
func rec(id string, version int, st provider.Status, mod time.Time) provider.Record {
	payload := fmt.Sprintf(`{"ID": %q, "Version": %d}`, id, version)
	return provider.Record{ID: id, ModifiedAt: mod, Status: st, Payload: json.RawMessage(payload)}
}

// countRows counts a table's rows matching where, through the raw database.
func countRows(t testing.TB, s *Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	if err := s.DB().QueryRow(s.Dialect().Rebind(q), args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
