package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"
)

// appliedRows reads schema_migrations as version -> name and applied_at.
func appliedRows(t *testing.T, s *Store) map[int]string {
	t.Helper()
	rows, err := s.DB().Query("SELECT version, name, applied_at FROM schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var name string
		var at dbTime
		if err := rows.Scan(&v, &name, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = name + "@" + at.T.String()
	}
	return out
}

// TestMigrationsAppliedOnceAndRecorded: a fresh database gets every
// migration, recorded in schema_migrations; opening it again applies nothing.
func TestMigrationsAppliedOnceAndRecorded(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		s := openTest(t, dsn)
		ms, err := loadMigrations(s.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		first := appliedRows(t, s)
		if len(first) != len(ms) {
			t.Fatalf("recorded %d migrations, have %d", len(first), len(ms))
		}
		for _, m := range ms {
			if !strings.HasPrefix(first[m.version], m.name+"@") {
				t.Errorf("version %d recorded as %q, want name %q", m.version, first[m.version], m.name)
			}
		}
		s.Close()
		again := openTest(t, dsn)
		if got := appliedRows(t, again); !mapsEqual(got, first) {
			t.Errorf("reopening changed schema_migrations:\n got %v\nwant %v", got, first)
		}
	})
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestMigrationsMatchAcrossDialects: both dialects have the same numbered
// migrations, so a version means the same schema on both.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := loadMigrations(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []migration) (out []string) {
		for _, m := range ms {
			out = append(out, m.name)
		}
		return out
	}
	if !slices.Equal(names(lite), names(pg)) {
		t.Fatalf("sqlite migrations %v, postgres %v", names(lite), names(pg))
	}
	if lite[0].name != firstMigration {
		t.Fatalf("migration 1 is %q, Open recognises our databases by %q", lite[0].name, firstMigration)
	}
}

// TestConcurrentOpenAppliesOnce: processes opening one new database at once
// (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) all succeed and
// apply each migration once.
func TestConcurrentOpenAppliesOnce(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		stores := make([]*Store, n)
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
			defer stores[i].Close()
		}
		ms, _ := loadMigrations(stores[0].Dialect())
		if got := countRows(t, stores[0], "schema_migrations", ""); got != int64(len(ms)) {
			t.Fatalf("schema_migrations has %d rows, want %d", got, len(ms))
		}
	})
}

// TestOpenRefusesForeignSQLite: a text file, or an SQLite database of some
// other program, is refused with ErrForeignDatabase and left byte for byte
// as it was, with no -wal or -shm file beside it.
func TestOpenRefusesForeignSQLite(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"text file", func(t *testing.T, path string) {
			writeFile(t, path, "name,amount\nacme,10\n")
		}},
		{"short file", func(t *testing.T, path string) { writeFile(t, path, "SQLite") }},
		{"sqlite with other tables", func(t *testing.T, path string) {
			sqliteExec(t, path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
				"INSERT INTO customers (name) VALUES ('acme')")
		}},
		{"sqlite with another tool's schema_migrations", func(t *testing.T, path string) {
			sqliteExec(t, path, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, dirty BOOLEAN)",
				"INSERT INTO schema_migrations VALUES (1, false)")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrForeignDatabase) {
				t.Fatalf("error %v, want ErrForeignDatabase", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("the file was changed")
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				if _, err := os.Stat(path + suffix); err == nil {
					t.Errorf("%s left behind", suffix)
				}
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want just the file", len(entries))
			}
		})
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sqliteExec makes an SQLite database as another program would.
func sqliteExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenRefusesForeignPostgres: a PostgreSQL database with someone else's
// tables is refused and gets no table of ours.
func TestOpenRefusesForeignPostgres(t *testing.T) {
	dsn := postgresDSNForTest(t)
	db, err := openAdmin(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE customers (id int PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dsn)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, ErrForeignDatabase) {
		t.Fatalf("error %v, want ErrForeignDatabase", err)
	}
	var tables int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 1 {
		t.Errorf("database has %d tables after a refused Open, want 1", tables)
	}
}

// TestOpenRefusesNewerSchema: a database migrated by a newer DataPull is
// refused rather than misread.
func TestOpenRefusesNewerSchema(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		s := openTest(t, dsn)
		if _, err := s.DB().Exec(s.Dialect().Rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
			999, "future", s.nowArg()); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := Open(context.Background(), dsn)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("error %v, want ErrSchemaTooNew", err)
		}
	})
}

// TestOpenUnwritableLocation: a database in a directory that cannot be
// written is a clear error, and nothing is created.
func TestOpenUnwritableLocation(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	writeFile(t, notDir, "x")

	readOnly := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(readOnly, 0o555); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
		skip             bool
	}{
		{"parent is a file", filepath.Join(notDir, "datapull.db"), "create directory", false},
		// Permission bits do not bind root, so this case runs only for
		// other users; the /proc case covers root.
		{"read-only directory", filepath.Join(readOnly, "datapull.db"), "not writable", writable(readOnly)},
		{"read-only file system", "/proc/datapull.db", "not writable", runtime.GOOS != "linux" || writable("/proc")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("this user can write there")
			}
			s, err := Open(context.Background(), tc.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q, want it to name %s and say %q", err, tc.path, tc.want)
			}
			if _, err := os.Stat(tc.path); err == nil {
				t.Error("the database file was created")
			}
		})
	}
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// TestOpenDSNForms: each way of naming an SQLite file reaches the same file.
func TestOpenDSNForms(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/data/dp.db", "/data/dp.db"},
		{"dp.db", "dp.db"},
		{"sqlite:/data/dp.db", "/data/dp.db"},
		{"sqlite:///data/dp.db", "/data/dp.db"},
		{"sqlite:dp.db", "dp.db"},
		{"file:/data/dp.db", "/data/dp.db"},
		{"file:///data/dp.db", "/data/dp.db"},
		{"/data/odd?name#.db", "/data/odd?name#.db"},
	}
	for _, tc := range cases {
		if got := SQLitePath(tc.in); got != tc.want {
			t.Errorf("SQLitePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A path with URI-special characters is a file of that exact name.
	dir := t.TempDir()
	path := filepath.Join(dir, "odd?name#%20.db")
	s := openTest(t, "sqlite:"+path)
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file not created under its exact name: %v", err)
	}
}

// TestDefaultPath: DATAPULL_DB wins, then XDG_DATA_HOME (when absolute),
// then the home directory's data folder.
func TestDefaultPath(t *testing.T) {
	home := func() (string, error) { return "/home/u", nil }
	cases := []struct {
		name string
		env  map[string]string
		goos string
		want string
	}{
		{"override", map[string]string{"DATAPULL_DB": "postgres://db/x", "XDG_DATA_HOME": "/xdg"}, "linux", "postgres://db/x"},
		{"xdg", map[string]string{"XDG_DATA_HOME": "/xdg"}, "linux", "/xdg/datapull/datapull.db"},
		{"relative xdg ignored", map[string]string{"XDG_DATA_HOME": "rel"}, "linux", "/home/u/.local/share/datapull/datapull.db"},
		{"home", nil, "linux", "/home/u/.local/share/datapull/datapull.db"},
		{"macos", nil, "darwin", "/home/u/Library/Application Support/datapull/datapull.db"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := defaultPath(func(k string) string { return tc.env[k] }, home, tc.goos)
			if err != nil {
				t.Fatal(err)
			}
			if got != filepath.FromSlash(tc.want) && got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := defaultPath(func(string) string { return "" }, func() (string, error) { return "", errors.New("no home") }, "linux"); err == nil {
		t.Error("no error without a home directory")
	}
}

// TestRebind: ? becomes $n for PostgreSQL, except inside quotes.
func TestRebind(t *testing.T) {
	cases := []struct {
		d       Dialect
		in, out string
	}{
		{SQLite, "a = ? AND b = ?", "a = ? AND b = ?"},
		{Postgres, "a = ? AND b = ?", "a = $1 AND b = $2"},
		{Postgres, "a = '?' AND b = ?", "a = '?' AND b = $1"},
		{Postgres, "no params", "no params"},
	}
	for _, tc := range cases {
		if got := tc.d.Rebind(tc.in); got != tc.out {
			t.Errorf("%s.Rebind(%q) = %q, want %q", tc.d, tc.in, got, tc.out)
		}
	}
}

// TestSQLitePragmas: the SQLite file runs in WAL mode with foreign keys on
// and synchronous=NORMAL on every connection.
func TestSQLitePragmas(t *testing.T) {
	s := openTest(t, sqliteDSNForTest(t))
	ctx := context.Background()
	// Hold two connections at once so the pool's second one is checked too.
	c1, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for _, c := range []*sql.Conn{c1, c2} {
		var mode string
		var fk, syncMode, busy, pageSize int
		c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
		c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode)
		c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
		c.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize)
		if mode != "wal" || fk != 1 || syncMode != 1 || busy < 1000 || pageSize != 16384 {
			t.Errorf("journal_mode=%s foreign_keys=%d synchronous=%d busy_timeout=%d page_size=%d", mode, fk, syncMode, busy, pageSize)
		}
	}
}
