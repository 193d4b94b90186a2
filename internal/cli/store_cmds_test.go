package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"

	_ "modernc.org/sqlite" // to make a database that is SQLite but not DataPull's
)

// isolate points the default database location at a fresh directory, so a
// test that forgets -db can never touch the user's real data.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("DATAPULL_DB", "")
	t.Setenv("XDG_DATA_HOME", t.TempDir())
}

// fixture is a seeded database: workspace "Acme" with two Xero connections
// (one pulled twice, one never), and an empty workspace "Other".
type fixture struct {
	db         string // path of the SQLite file
	acme       store.Workspace
	other      store.Workspace
	demo, shop store.Connection
	pulls      []store.Pull // of demo, oldest first
	records    map[string][]provider.Record
}

// t0 is the fixture's clock start; times in output are derived from it.
var t0 = time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)

func seed(t *testing.T) *fixture {
	t.Helper()
	isolate(t)
	ctx := context.Background()
	f := &fixture{db: filepath.Join(t.TempDir(), "data", "datapull.db"), records: map[string][]provider.Record{}}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := t0
	st.SetClock(func() time.Time { return now })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.acme, err = st.CreateWorkspace(ctx, "Acme")
	must(err)
	f.other, err = st.CreateWorkspace(ctx, "Other")
	must(err)
	f.demo, err = st.CreateConnection(ctx, store.Connection{WorkspaceID: f.acme.ID, Source: "xero",
		AccountID: "0b7c6f5e-0000-4000-8000-000000000001", AccountName: "Demo Company (NZ)"})
	must(err)
	f.shop, err = st.CreateConnection(ctx, store.Connection{WorkspaceID: f.acme.ID, Source: "xero",
		AccountID: "0b7c6f5e-0000-4000-8000-000000000002", AccountName: "Corner Shop", Status: store.ConnectionNeedsReconnect})
	must(err)

	rng := rand.New(rand.NewPCG(7, 11))
	contact := func(i int) provider.Record {
		// Line breaks and markup in payloads test that exports keep one
		// record per line and the provider's text as it was.
		payload := fmt.Sprintf("{\n  \"ContactID\": \"c-%03d\",\n  \"Name\": \"<b>Contact %d</b> & Sons\",\n  \"Balance\": %d\n}", i, i, rng.IntN(10000))
		return provider.Record{ID: fmt.Sprintf("c-%03d", i), ModifiedAt: t0.Add(-time.Duration(i) * time.Hour),
			Status: provider.StatusActive, Payload: json.RawMessage(payload)}
	}
	for i := range 25 {
		f.records["contacts"] = append(f.records["contacts"], contact(i))
	}
	f.records["contacts"][3].Status = provider.StatusArchived
	for i := range 3 {
		// Reference data without a change time.
		f.records["currencies"] = append(f.records["currencies"], provider.Record{ID: []string{"EUR", "NZD", "USD"}[i],
			Status: provider.StatusActive, Payload: json.RawMessage(fmt.Sprintf(`{"Code":%q}`, []string{"EUR", "NZD", "USD"}[i]))})
	}

	// Pull 1: full, completed.
	p1, err := st.CreatePull(ctx, store.Pull{WorkspaceID: f.acme.ID, ConnectionID: f.demo.ID, Mode: store.PullFull})
	must(err)
	for _, ep := range []string{"contacts", "currencies"} {
		_, err := st.CommitPage(ctx, store.PageCommit{ConnectionID: f.demo.ID, Endpoint: ep, PullID: p1.ID,
			Records: f.records[ep], Cursor: provider.Cursor(`{"v":1}`), FullSweepDone: true})
		must(err)
	}
	must(st.SaveEndpointResult(ctx, store.EndpointResult{PullID: p1.ID, Endpoint: "contacts", Mode: provider.Full,
		Fetched: 25, Inserted: 25, Calls: 1, Bytes: 48_200, Duration: 1500 * time.Millisecond, Status: store.ResultOK, ProviderTotal: 25}))
	must(st.SaveEndpointResult(ctx, store.EndpointResult{PullID: p1.ID, Endpoint: "currencies", Mode: provider.Full,
		Fetched: 3, Inserted: 3, Calls: 1, Bytes: 120, Duration: 80 * time.Millisecond, Status: store.ResultOK, ProviderTotal: -1}))
	must(st.SaveEndpointResult(ctx, store.EndpointResult{PullID: p1.ID, Endpoint: "journals", Mode: provider.Full,
		Status: store.ResultSkipped, Reason: "not available for this account", ProviderTotal: -1}))
	_, err = st.AddNote(ctx, store.Note{PullID: p1.ID, Endpoint: "journals", Severity: store.SeverityWarning,
		Code: "not_available", Message: "Journals are not available for this account.",
		Action: "Reconnect with the accounting.journals.read scope."})
	must(err)
	now = t0.Add(4*time.Second + 200*time.Millisecond)
	must(st.FinishPull(ctx, p1.ID, store.PullOutcome{Status: store.PullCompleted, Calls: 3, Bytes: 48_320, Records: 28}))
	p1, err = st.Pull(ctx, p1.ID)
	must(err)

	// Pull 2: standard, stopped at a limit.
	now = t0.Add(time.Hour)
	p2, err := st.CreatePull(ctx, store.Pull{WorkspaceID: f.acme.ID, ConnectionID: f.demo.ID, Mode: store.PullStandard})
	must(err)
	must(st.SaveEndpointResult(ctx, store.EndpointResult{PullID: p2.ID, Endpoint: "contacts", Mode: provider.Incremental,
		Fetched: 0, Unchanged: 0, Calls: 1, Bytes: 60, Duration: 90 * time.Millisecond, Status: store.ResultWarning,
		Reason: "daily limit reached", ProviderTotal: -1}))
	now = t0.Add(time.Hour + 2*time.Second)
	must(st.FinishPull(ctx, p2.ID, store.PullOutcome{Status: store.PullStopped, Calls: 1, Bytes: 60,
		Error: "Xero's daily call limit for this organisation was reached"}))
	p2, err = st.Pull(ctx, p2.ID)
	must(err)
	f.pulls = []store.Pull{p1, p2}
	return f
}

// snapshot is every file under dir with its bytes, to prove that a failed
// command changed nothing on disk.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if w, ok := after[k]; !ok {
			t.Errorf("%s: %s was removed", what, k)
		} else if w != v {
			t.Errorf("%s: %s changed (%d bytes, was %d)", what, k, len(w), len(v))
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: %s was created", what, k)
		}
	}
}

// wantOneLineError checks the shape every failure must have: the exit
// code, exactly one line on stderr holding want, and nothing on stdout.
func wantOneLineError(t *testing.T, args []string, code int, stdout, stderr string, wantCode int, want string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("datapull %q: exit %d, want %d (stderr %q)", args, code, wantCode, stderr)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("datapull %q: stderr is not exactly one line: %q", args, stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("datapull %q: stderr %q does not say %q", args, stderr, want)
	}
	if stdout != "" {
		t.Errorf("datapull %q: wrote to stdout on failure: %q", args, stdout)
	}
}

func TestWorkspaceCommands(t *testing.T) {
	f := seed(t)
	db := f.db

	code, out, errs := run("workspace", "create", "-db", db, "  Beta Books ")
	if code != 0 || !strings.Contains(out, `Created workspace "Beta Books"`) || errs != "" {
		t.Fatalf("create: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if !strings.Contains(out, "datapull connect xero -workspace 'Beta Books'") {
		t.Errorf("create does not say what to do next: %q", out)
	}
	// Flags may follow the name.
	if code, out, errs = run("workspace", "create", "Gamma", "-db", db); code != 0 {
		t.Fatalf("create with the flag last: exit %d, %q %q", code, out, errs)
	}

	code, out, _ = run("workspace", "list", "-db", db)
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var names []string
	for _, l := range lines[1:] {
		names = append(names, strings.Fields(l)[1])
	}
	if !strings.HasPrefix(lines[0], "ID") || !slices.Equal(names, []string{"Acme", "Beta", "Gamma", "Other"}) {
		t.Errorf("list: %q", out)
	}
	if !strings.Contains(lines[1], " 2 ") {
		t.Errorf("list: Acme should show 2 connections: %q", lines[1])
	}

	if code, out, errs = run("workspace", "rename", "-db", db, "beta books", "Beta Ltd"); code != 0 || !strings.Contains(out, `to "Beta Ltd"`) {
		t.Fatalf("rename: exit %d, %q %q", code, out, errs)
	}
	// By id, and a change of letter case only.
	if code, _, errs = run("workspace", "rename", "-db", db, fmt.Sprint(f.other.ID), "OTHER"); code != 0 {
		t.Fatalf("rename by id: exit %d, %q", code, errs)
	}

	// Delete refuses without -yes and says what would go.
	before := snapshot(t, filepath.Dir(db))
	args := []string{"workspace", "delete", "-db", db, "acme"}
	code, out, errs = run(args...)
	wantOneLineError(t, args, code, out, errs, 1, `workspace "Acme" holds 2 connections, 2 pulls and 28 records; nothing was deleted: run again with -yes`)
	sameSnapshot(t, "delete without -yes", before, snapshot(t, filepath.Dir(db)))

	if code, out, errs = run("workspace", "delete", "acme", "-db", db, "-yes"); code != 0 || !strings.Contains(out, `Deleted workspace "Acme" with 2 connections, 2 pulls and 28 records`) {
		t.Fatalf("delete -yes: exit %d, %q %q", code, out, errs)
	}
	code, out, _ = run("workspace", "list", "-db", db)
	if code != 0 || strings.Contains(out, "Acme") || !strings.Contains(out, "Beta Ltd") || !strings.Contains(out, "OTHER") {
		t.Errorf("list after delete and renames: %q", out)
	}
	code, out, _ = run("connections", "-db", db)
	if code != 0 || !strings.Contains(out, "No connections yet") {
		t.Errorf("connections after deleting the only ones: exit %d %q", code, out)
	}
}

func TestWorkspaceListEmptyAndDefaultLocation(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "new", "place")
	t.Setenv("DATAPULL_DB", filepath.Join(dir, "dp.db"))
	code, out, errs := run("workspace", "list")
	if code != 0 || !strings.Contains(out, "No workspaces yet") {
		t.Fatalf("exit %d, %q %q", code, out, errs)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory from $DATAPULL_DB: %v, mode %v; want created 0700", err, fi)
	}
	if _, err := os.Stat(filepath.Join(dir, "dp.db")); err != nil {
		t.Errorf("database not created where $DATAPULL_DB says: %v", err)
	}
}

func TestConnectionsCommand(t *testing.T) {
	f := seed(t)
	code, out, errs := run("connections", "-db", f.db)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID  WORKSPACE  SOURCE  ACCOUNT") {
		t.Fatalf("connections: %q", out)
	}
	// Ordered by source and account name: Corner Shop, then Demo Company.
	wantShop := fmt.Sprintf("%d   Acme       xero    Corner Shop", f.shop.ID)
	if !strings.HasPrefix(lines[1], wantShop) || !strings.Contains(lines[1], "needs_reconnect") || !strings.HasSuffix(lines[1], "never") {
		t.Errorf("shop row %q", lines[1])
	}
	wantDemo := "stopped " + formatTime(f.pulls[1].FinishedAt)
	if !strings.Contains(lines[2], "Demo Company (NZ)") || !strings.Contains(lines[2], "active") || !strings.HasSuffix(lines[2], wantDemo) {
		t.Errorf("demo row %q, want it to end %q", lines[2], wantDemo)
	}

	code, out, _ = run("connections", "-db", f.db, "-workspace", "other")
	if code != 0 || !strings.Contains(out, `No connections in workspace "Other"`) || !strings.Contains(out, "datapull connect xero -workspace Other") {
		t.Errorf("empty workspace: exit %d %q", code, out)
	}
	code, out, _ = run("connections", "-db", f.db, "-workspace", fmt.Sprint(f.acme.ID))
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("by workspace id: exit %d %q", code, out)
	}
}

func TestHistoryCommand(t *testing.T) {
	f := seed(t)
	code, out, errs := run("history", "-db", f.db, "-workspace", "ACME")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("history: %q", out)
	}
	for _, col := range []string{"ID", "CONNECTION", "MODE", "STATUS", "STARTED", "DURATION", "RECORDS", "CALLS", "BYTES", "ERROR"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	// Newest first.
	p1, p2 := f.pulls[0], f.pulls[1]
	for i, want := range [][]string{
		{fmt.Sprint(p2.ID), "Demo Company (NZ)", "standard", "stopped", formatTime(p2.StartedAt), "2s", "0", "1", "60 B", "Xero's daily call limit"},
		{fmt.Sprint(p1.ID), "Demo Company (NZ)", "full", "completed", formatTime(p1.StartedAt), "4.2s", "28", "3", "48.3 KB"},
	} {
		row := lines[1+i]
		if !strings.HasPrefix(row, want[0]+" ") {
			t.Errorf("row %d is %q, want pull %s", i, row, want[0])
		}
		for _, w := range want[1:] {
			if !strings.Contains(row, w) {
				t.Errorf("row %q lacks %q", row, w)
			}
		}
	}
	if !strings.Contains(lines[3], "datapull history -workspace Acme -pull ID") {
		t.Errorf("no hint to see one pull: %q", lines[3])
	}

	code, out, _ = run("history", "-db", f.db, "-workspace", "Acme", "-connection", "demo company (nz)", "-limit", "1")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "stopped") || strings.Contains(out, "completed") {
		t.Errorf("-limit 1: exit %d %q", code, out)
	}
	code, out, _ = run("history", "-db", f.db, "-workspace", "Acme", "-connection", "Corner Shop")
	if code != 0 || !strings.Contains(out, "No pulls yet") {
		t.Errorf("connection never pulled: exit %d %q", code, out)
	}

	// One pull: its endpoint results with totals, and its notes.
	code, out, errs = run("history", "-db", f.db, "-workspace", "Acme", "-pull", fmt.Sprint(p1.ID))
	if code != 0 || errs != "" {
		t.Fatalf("-pull: exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		fmt.Sprintf("Pull %d of Demo Company (NZ) (xero): full, completed, started %s, took 4.2s", p1.ID, formatTime(p1.StartedAt)),
		"ENDPOINT", "FETCHED", "INSERTED", "UPDATED", "DELETED", "UNCHANGED", "CALLS", "BYTES", "DURATION", "STATUS", "REASON",
		"Downloaded 48.3 KB in 3 calls, 28 records fetched.",
		"Notes:\n  warning journals: Journals are not available for this account.\n          what to do: Reconnect with the accounting.journals.read scope.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-pull output lacks %q:\n%s", want, out)
		}
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if fs := strings.Fields(l); len(fs) > 0 {
			rows[fs[0]] = fs
		}
	}
	for ep, want := range map[string][]string{
		"contacts":   {"contacts", "full", "25", "25", "0", "0", "0", "1", "48.2", "KB", "1.5s", "ok"},
		"currencies": {"currencies", "full", "3", "3", "0", "0", "0", "1", "120", "B", "80ms", "ok"},
		"journals":   {"journals", "full", "0", "0", "0", "0", "0", "0", "0", "B", "0s", "skipped", "not", "available", "for", "this", "account"},
		"TOTAL":      {"TOTAL", "28", "28", "0", "0", "0", "2", "48.3", "KB", "4.2s"},
	} {
		if !slices.Equal(rows[ep], want) {
			t.Errorf("row %s is %q, want %q", ep, rows[ep], want)
		}
	}

	code, out, _ = run("history", "-db", f.db, "-workspace", "Acme", "-pull", fmt.Sprint(p2.ID))
	if code != 0 || !strings.Contains(out, "Error: Xero's daily call limit") || !strings.Contains(out, "daily limit reached") || !strings.Contains(out, "Notes: none.") {
		t.Errorf("-pull of the stopped pull: exit %d\n%s", code, out)
	}
}

// TestWritePullReportOfRunningPull: pull prints the report too, possibly
// for a pull whose totals are not final.
func TestWritePullReportOfRunningPull(t *testing.T) {
	f := seed(t)
	ctx := context.Background()
	st, err := store.Open(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.CreatePull(ctx, store.Pull{WorkspaceID: f.acme.ID, ConnectionID: f.shop.ID, Mode: store.PullStandard})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writePullReport(ctx, &b, st, p.ID); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "standard, running,") || !strings.Contains(out, "took running") || strings.Contains(out, "Downloaded") ||
		!strings.Contains(out, "No endpoint results recorded.") {
		t.Errorf("report of a running pull:\n%s", out)
	}
	if err := writePullReport(ctx, &b, st, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("report of an unknown pull: %v, want ErrNotFound", err)
	}
}

func TestExportNDJSON(t *testing.T) {
	f := seed(t)
	out := filepath.Join(t.TempDir(), "contacts.ndjson")
	code, stdout, errs := run("export", "-db", f.db, "-workspace", "acme", "-connection", fmt.Sprint(f.demo.ID),
		"-endpoint", "Contacts", "-format", "ndjson", "-out", out)
	if code != 0 || errs != "" || !strings.Contains(stdout, "Exported 25 records of contacts from Demo Company (NZ) to "+out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkNDJSON(t, b, f.records["contacts"], f.pulls[0].ID)
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v, want 0600 (it is the business's own data)", fi.Mode().Perm())
	}

	// To stdout, the summary goes to stderr; records without a change
	// time have modified_at null.
	code, stdout, errs = run("export", "-db", f.db, "-workspace", "acme", "-connection", "0B7C6F5E-0000-4000-8000-000000000001",
		"-endpoint", "currencies", "-out", "-")
	if code != 0 || !strings.Contains(errs, "Exported 3 records of currencies") {
		t.Fatalf("to stdout: exit %d, stderr %q", code, errs)
	}
	checkNDJSON(t, []byte(stdout), f.records["currencies"], f.pulls[0].ID)
	if !strings.Contains(stdout, `{"id":"EUR","modified_at":null,"status":"active","pull_id":1,"payload":{"Code":"EUR"}}`+"\n") {
		t.Errorf("currencies line: %q", stdout)
	}
}

// checkNDJSON checks that b holds exactly want, one record per line, in
// record-id order, with each payload equal to the stored one.
func checkNDJSON(t *testing.T, b []byte, want []provider.Record, pullID int64) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b provider.Record) int { return strings.Compare(a.ID, b.ID) })
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), b)
	}
	for i, line := range lines {
		var got struct {
			ID         string          `json:"id"`
			ModifiedAt *time.Time      `json:"modified_at"`
			Status     string          `json:"status"`
			PullID     int64           `json:"pull_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v: %q", i, err, line)
		}
		w := want[i]
		var compact bytes.Buffer
		if err := json.Compact(&compact, w.Payload); err != nil {
			t.Fatal(err)
		}
		switch {
		case got.ID != w.ID, got.Status != string(w.Status), got.PullID != pullID:
			t.Errorf("line %d: %+v, want id %s status %s pull %d", i, got, w.ID, w.Status, pullID)
		case !bytes.Equal(got.Payload, compact.Bytes()):
			t.Errorf("line %d payload %s, want %s (compacted, not escaped)", i, got.Payload, compact.Bytes())
		case w.ModifiedAt.IsZero() != (got.ModifiedAt == nil),
			got.ModifiedAt != nil && !got.ModifiedAt.Equal(w.ModifiedAt):
			t.Errorf("line %d modified_at %v, want %v", i, got.ModifiedAt, w.ModifiedAt)
		}
	}
}

func TestExportCSV(t *testing.T) {
	f := seed(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "contacts.CSV") // the format follows the extension
	if err := os.WriteFile(out, []byte("an older export"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := run("export", "-db", f.db, "-workspace", "Acme", "-connection", "demo company (nz)", "-endpoint", "contacts", "-out", out)
	if code != 0 || errs != "" || !strings.Contains(stdout, "(csv,") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errs)
	}
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(f.records["contacts"])
	slices.SortFunc(want, func(a, b provider.Record) int { return strings.Compare(a.ID, b.ID) })
	if len(rows) != len(want)+1 || !slices.Equal(rows[0], []string{"id", "modified_at", "status", "pull_id", "payload"}) {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	for i, w := range want {
		r := rows[i+1]
		wantRow := []string{w.ID, w.ModifiedAt.UTC().Format(time.RFC3339Nano), string(w.Status), fmt.Sprint(f.pulls[0].ID), string(w.Payload)}
		if !slices.Equal(r, wantRow) {
			t.Errorf("row %d: %q, want %q", i, r, wantRow)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("export left extra files: %v", entries)
	}
}

// TestExportFailureLeavesNothing: a failed write removes its temporary
// file and leaves an earlier export at the path as it was.
func TestExportFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.ndjson")
	if err := os.WriteFile(path, []byte("previous\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	_, _, err := writeFileAtomically(path, func(w io.Writer) (int64, error) {
		if _, err := io.WriteString(w, strings.Repeat("half a record ", 10000)); err != nil {
			return 0, err
		}
		return 3, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "previous\n" {
		t.Errorf("earlier export changed to %d bytes", len(b))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("failed export left files: %v", entries)
	}

	n, size, err := writeFileAtomically(path, func(w io.Writer) (int64, error) {
		_, err := io.WriteString(w, "new\n")
		return 1, err
	})
	if b, _ := os.ReadFile(path); err != nil || n != 1 || size != 4 || string(b) != "new\n" {
		t.Errorf("successful write: n %d size %d err %v, file %q", n, size, err, b)
	}
}

func TestFindWorkspaceAndConnection(t *testing.T) {
	f := seed(t)
	ctx := context.Background()
	st, err := store.Open(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A workspace named like another's id is found by its name.
	numeric, err := st.CreateWorkspace(ctx, fmt.Sprint(f.other.ID))
	if err != nil {
		t.Fatal(err)
	}
	for arg, want := range map[string]int64{"acme": f.acme.ID, " ACME ": f.acme.ID, fmt.Sprint(f.acme.ID): f.acme.ID,
		fmt.Sprint(f.other.ID): numeric.ID, "other": f.other.ID} {
		w, err := findWorkspace(ctx, st, arg)
		if err != nil || w.ID != want {
			t.Errorf("findWorkspace(%q) = %d, %v; want %d", arg, w.ID, err, want)
		}
	}
	if _, err := findWorkspace(ctx, st, "nope"); !errors.Is(err, store.ErrNotFound) || err.Error() != `no workspace named "nope" (see datapull workspace list)` {
		t.Errorf("unknown workspace: %v", err)
	}

	// Two connections sharing an account name make that name ambiguous.
	twin, err := st.CreateConnection(ctx, store.Connection{WorkspaceID: f.acme.ID, Source: "hubspot", AccountID: "4242", AccountName: "corner shop"})
	if err != nil {
		t.Fatal(err)
	}
	for arg, want := range map[string]int64{fmt.Sprint(f.demo.ID): f.demo.ID, "DEMO COMPANY (NZ)": f.demo.ID,
		"0b7c6f5e-0000-4000-8000-000000000002": f.shop.ID, "4242": twin.ID} {
		c, err := findConnection(ctx, st, f.acme, arg)
		if err != nil || c.ID != want {
			t.Errorf("findConnection(%q) = %d, %v; want %d", arg, c.ID, err, want)
		}
	}
	_, err = findConnection(ctx, st, f.acme, "Corner Shop")
	if err == nil || !strings.Contains(err.Error(), "ambiguous") ||
		!strings.Contains(err.Error(), fmt.Sprintf("%d (xero Corner Shop", f.shop.ID)) || !strings.Contains(err.Error(), fmt.Sprintf("%d (hubspot corner shop", twin.ID)) {
		t.Errorf("ambiguous name: %v", err)
	}
	// A connection of another workspace is not found by its id.
	if _, err := findConnection(ctx, st, f.other, fmt.Sprint(f.demo.ID)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("connection of another workspace: %v", err)
	}
}

// TestBadInput: every kind of bad input ends with one clear line on stderr,
// a non-zero exit, and the database exactly as it was.
func TestBadInput(t *testing.T) {
	f := seed(t)
	db := f.db
	outFile := filepath.Join(filepath.Dir(db), "out.csv")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"workspace", "create", "-db", db, "acme"}, 1, `a workspace named "acme" already exists as "Acme"`},
		{[]string{"workspace", "create", "-db", db, "Acme"}, 1, `a workspace named "Acme" already exists (see datapull workspace list)`},
		{[]string{"workspace", "rename", "-db", db, "other", "ACME"}, 1, `a workspace named "ACME" already exists as "Acme"`},
		{[]string{"workspace", "rename", "-db", db, "nope", "x"}, 1, `no workspace named "nope" (see datapull workspace list)`},
		{[]string{"workspace", "delete", "-db", db, "-yes", "nope"}, 1, `no workspace named "nope"`},
		{[]string{"connections", "-db", db, "-workspace", "nope"}, 1, `no workspace named "nope"`},
		{[]string{"history", "-db", db, "-workspace", "nope"}, 1, `no workspace named "nope"`},
		{[]string{"history", "-db", db, "-workspace", "acme", "-connection", "nope"}, 1, `no connection "nope" in workspace "Acme" (see datapull connections -workspace Acme)`},
		{[]string{"history", "-db", db, "-workspace", "other", "-pull", "1"}, 1, `no pull 1 in workspace "Other"`},
		{[]string{"history", "-db", db, "-workspace", "acme", "-pull", "99"}, 1, `no pull 99 in workspace "Acme"`},
		{[]string{"export", "-db", db, "-workspace", "nope", "-connection", "1", "-endpoint", "contacts", "-out", outFile}, 1, `no workspace named "nope"`},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "nope", "-endpoint", "contacts", "-out", outFile}, 1, `no connection "nope"`},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-endpoint", "invoices", "-out", outFile}, 1,
			`connection "Demo Company (NZ)" has no endpoint "invoices"; it has: contacts, currencies`},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "corner shop", "-endpoint", "invoices", "-out", outFile}, 1,
			`connection "Corner Shop" has no records yet; pull it first: datapull pull -workspace Acme -connection 2`},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-endpoint", "contacts", "-out", filepath.Join(filepath.Dir(db), "missing", "x.csv")}, 1,
			"no such file or directory; nothing was written"},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-endpoint", "contacts", "-out", db}, 1, "is the database itself"},

		// Malformed: exit 2, before the database is opened.
		{[]string{"workspace"}, 2, "want one of: workspace create NAME"},
		{[]string{"workspace", "frob"}, 2, `unknown workspace command "frob"`},
		{[]string{"workspace", "create", "-db", db}, 2, "workspace create takes one workspace name"},
		{[]string{"workspace", "create", "-db", db, "Two", "Words"}, 2, "put a name with spaces in quotes"},
		{[]string{"workspace", "create", "-db", db, "   "}, 2, "invalid workspace name: must not be empty"},
		{[]string{"workspace", "rename", "-db", db, "acme", "tab\there"}, 2, "control characters"},
		{[]string{"workspace", "list", "-db", db, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"workspace", "rename", "-db", db, "acme"}, 2, "workspace rename takes a workspace and its new name"},
		{[]string{"workspace", "delete", "-db", db, "-force", "acme"}, 2, "flag provided but not defined: -force"},
		{[]string{"connections", "-db", db, "-nope"}, 2, "flag provided but not defined: -nope (see datapull connections -h)"},
		{[]string{"connections", "-db", db, "stray"}, 2, `unexpected argument "stray"`},
		{[]string{"history", "-db", db}, 2, "-workspace is required"},
		{[]string{"history", "-db", db, "-workspace", "acme", "-limit", "abc"}, 2, `invalid value "abc" for flag -limit`},
		{[]string{"history", "-db", db, "-workspace", "acme", "-limit", "-1"}, 2, "-limit must be 0 (all) or more"},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-endpoint", "contacts"}, 2, "-out is required"},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-out", "-"}, 2, "-endpoint is required"},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-endpoint", "contacts", "-format", "xml", "-out", "-"}, 2, `-format must be ndjson or csv, got "xml"`},
		{[]string{"export", "-db", db, "-workspace", "acme", "-connection", "1", "-endpoint", "contacts", "-out", t.TempDir()}, 2, "is a directory"},
	}
	for _, c := range cases {
		before := snapshot(t, filepath.Dir(db))
		code, stdout, stderr := run(c.args...)
		wantOneLineError(t, c.args, code, stdout, stderr, c.code, c.want)
		sameSnapshot(t, strings.Join(c.args, " "), before, snapshot(t, filepath.Dir(db)))
	}
}

// TestNotOurDatabase: a file that is not ours, in three shapes, is refused
// with one line, and left byte for byte as it was, with nothing beside it.
func TestNotOurDatabase(t *testing.T) {
	isolate(t)
	ctx := context.Background()

	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}

	// SQLite, but another program's.
	other := filepath.Join(t.TempDir(), "other.sqlite")
	odb, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada')"); err != nil {
		t.Fatal(err)
	}
	odb.Close()

	// DataPull's, from a newer release.
	newer := filepath.Join(t.TempDir(), "newer.db")
	st, err := store.Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', '2030-01-01T00:00:00.000000Z')"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	for _, c := range []struct {
		path, want string
	}{
		{text, text + " is not a DataPull database (the file is not an SQLite database); choose another file with -db"},
		{other, other + " is not a DataPull database (it has tables (customers) but no schema_migrations table); choose another file with -db"},
		{newer, newer + " was written by a newer DataPull (it is at version 999"},
		{"sqlite:" + text, text + " is not a DataPull database"},
	} {
		for _, args := range [][]string{
			{"workspace", "list", "-db", c.path},
			{"workspace", "create", "-db", c.path, "Acme"},
			{"history", "-db", c.path, "-workspace", "Acme"},
			{"export", "-db", c.path, "-workspace", "Acme", "-connection", "1", "-endpoint", "x", "-out", "-"},
		} {
			dir := filepath.Dir(strings.TrimPrefix(c.path, "sqlite:"))
			before := snapshot(t, dir)
			code, stdout, stderr := run(args...)
			wantOneLineError(t, args, code, stdout, stderr, 1, c.want)
			sameSnapshot(t, strings.Join(args, " "), before, snapshot(t, dir))
		}
	}
	// The same through $DATAPULL_DB, with no -db.
	t.Setenv("DATAPULL_DB", text)
	code, stdout, stderr := run("workspace", "list")
	wantOneLineError(t, []string{"workspace", "list"}, code, stdout, stderr, 1, text+" is not a DataPull database")
	if b, _ := os.ReadFile(text); string(b) != "hello" {
		t.Errorf("file changed to %q", b)
	}
}

// TestUnreachablePostgres: a PostgreSQL URL that cannot be reached is one
// line, without the password.
func TestUnreachablePostgres(t *testing.T) {
	isolate(t)
	// Port 1 on loopback refuses at once; no server is needed.
	dsn := "postgres://datapull:hunter2@127.0.0.1:1/datapull?connect_timeout=5"
	args := []string{"workspace", "list", "-db", dsn}
	code, stdout, stderr := run(args...)
	wantOneLineError(t, args, code, stdout, stderr, 1, "cannot open database postgres://datapull:xxxxx@127.0.0.1:1/datapull")
	if strings.Contains(stderr, "hunter2") {
		t.Errorf("the password is in the error: %q", stderr)
	}
}

// canWriteDespiteMode reports whether this process writes into a 0500
// directory anyway, as root does.
func canWriteDespiteMode(t *testing.T) bool {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// TestUnwritableDataDirectory: a data directory that cannot be written is
// one clear line, and nothing is created, neither the file nor directories
// on the way to it.
func TestUnwritableDataDirectory(t *testing.T) {
	isolate(t)
	root := t.TempDir()

	type attempt struct {
		name    string
		setup   func() (args []string, dataDir string)
		because string
	}
	var attempts []attempt
	if !canWriteDespiteMode(t) {
		attempts = append(attempts, attempt{"read-only directory", func() ([]string, string) {
			ro := filepath.Join(root, "ro")
			if err := os.Mkdir(ro, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(ro, 0o700) })
			return []string{"-db", filepath.Join(ro, "sub", "datapull.db")}, filepath.Join(ro, "sub")
		}, "permission denied"})
	} else {
		// Root writes through any mode bits; a path through a regular file
		// fails for everyone, and takes the same road through openStore.
		t.Log("running as root: a read-only mode does not stop writes, so a file stands in for the directory")
	}
	attempts = append(attempts,
		attempt{"file as directory", func() ([]string, string) {
			file := filepath.Join(root, "plain-file")
			if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"-db", filepath.Join(file, "deeper", "datapull.db")}, filepath.Join(file, "deeper")
		}, "not a directory"},
		attempt{"/dev/null", func() ([]string, string) {
			return []string{"-db", "/dev/null/datapull.db"}, "/dev/null"
		}, "not a directory"},
		attempt{"default location under a file", func() ([]string, string) {
			file := filepath.Join(root, "xdg-file")
			if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("XDG_DATA_HOME", file)
			return nil, filepath.Join(file, "datapull")
		}, "not a directory"},
	)
	for _, a := range attempts {
		dbArgs, dataDir := a.setup()
		for _, cmd := range []struct{ words, rest []string }{
			{[]string{"workspace", "create"}, []string{"Acme"}},
			{[]string{"workspace", "list"}, nil},
			{[]string{"connections"}, nil},
			{[]string{"history"}, []string{"-workspace", "Acme"}},
		} {
			args := slices.Concat(cmd.words, dbArgs, cmd.rest)
			before := snapshot(t, root)
			code, stdout, stderr := run(args...)
			want := fmt.Sprintf("cannot write to data directory %s: %s; choose another place with -db or DATAPULL_DB", dataDir, a.because)
			wantOneLineError(t, args, code, stdout, stderr, 1, want)
			sameSnapshot(t, a.name+": "+strings.Join(args, " "), before, snapshot(t, root))
		}
	}
}

// TestOpenStoreRemovesWhatItCreated: when opening fails after directories
// were made for a new file, they go again.
func TestOpenStoreRemovesWhatItCreated(t *testing.T) {
	isolate(t)
	root := t.TempDir()
	target := filepath.Join(root, "a", "b", "datapull.db")
	undo, err := prepareDataDir(filepath.Dir(target))
	if err != nil {
		t.Fatal(err)
	}
	undo()
	if _, err := os.Stat(filepath.Join(root, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("undo left %s/a: %v", root, err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}

	// A cancelled open fails inside the store, after the directories for
	// a new file were made.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := openStore(ctx, target); err == nil {
		st.Close()
		t.Fatal("opened with a cancelled context")
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a failed open left %v", entries)
	}

	// A directory where the database file should be.
	if err := os.MkdirAll(target, 0o700); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	_, err = openStore(context.Background(), target)
	if err == nil || !strings.Contains(err.Error(), target+" is not a DataPull database (it is a directory)") {
		t.Errorf("open a directory: %v", err)
	}
	sameSnapshot(t, "open a directory", before, snapshot(t, root))
}

func TestFormatBytesAndCounts(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1.00 KB", 1500: "1.50 KB", 48_320: "48.3 KB", 999_499: "999 KB",
		999_999: "1.00 MB", 23_456_789: "23.5 MB", 118_000_000: "118 MB", 1_020_000_000: "1.02 GB", 5e12: "5.00 TB",
	} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
}
