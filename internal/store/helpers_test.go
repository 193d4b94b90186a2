package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/datapull/datapull/internal/provider"
)

// defaultTestPostgres is the server the store's tests use unless
// DATAPULL_TEST_POSTGRES names another; trust auth, as scripts/test.sh starts it.
const defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// forEachDialect runs fn against a fresh, migrated store of each dialect.
func forEachDialect(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	forEachDSN(t, func(t *testing.T, dsn string) {
		fn(t, openTest(t, dsn))
	})
}

// forEachDSN runs fn with the location of a fresh, empty database of each
// dialect, for tests of Open itself.
func forEachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteDSNForTest(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresDSNForTest(t)) })
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

func sqliteDSNForTest(t testing.TB) string {
	return filepath.Join(t.TempDir(), "datapull.db")
}

// postgresDSNForTest creates an empty database on the test server and drops
// it when the test ends. An unreachable server skips the test, except under
// CI=true, where it fails: CI must not pass by testing nothing.
func postgresDSNForTest(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("DATAPULL_TEST_POSTGRES")
	if admin == "" {
		admin = defaultTestPostgres
	}
	db, err := openAdmin(admin)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL test server %s: %v", redactDSN(admin), err)
		}
		t.Skipf("PostgreSQL test server unreachable (%s): %v; set DATAPULL_TEST_POSTGRES", redactDSN(admin), err)
	}
	name := "dp_test_" + randomHex(t, 6)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		db.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", redactDSN(admin), err)
	}
	u.Path = "/" + name
	return u.String()
}

func openAdmin(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
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
