// Package testdb gives tests a fresh database of each dialect DataPull
// supports: a SQLite file in the test's temporary directory, and a new
// database on the PostgreSQL test server, dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultPostgres is the server tests use unless DATAPULL_TEST_POSTGRES
// names another; trust auth, as scripts/test.sh starts it.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ForEach runs fn with the location of a fresh, empty database of each
// dialect, as subtests "sqlite" and "postgres".
func ForEach(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite is a database file path in the test's temporary directory.
func SQLite(t testing.TB) string { return filepath.Join(t.TempDir(), "datapull.db") }

// Postgres creates an empty database on the test server and drops it when
// the test ends. An unreachable server skips the test, except under
// CI=true, where it fails: CI must not pass by testing nothing.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("DATAPULL_TEST_POSTGRES")
	if admin == "" {
		admin = DefaultPostgres
	}
	db, err := open(admin)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL test server: %v", err)
		}
		t.Skipf("PostgreSQL test server unreachable: %v; set DATAPULL_TEST_POSTGRES", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "dp_test_" + hex.EncodeToString(b)
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
		t.Fatalf("parse DATAPULL_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func open(dsn string) (*sql.DB, error) {
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
