package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/sandbox/xero"
	"github.com/datapull/datapull/internal/store"
)

// sandboxFor serves a demo-sized sandbox Xero with two organisations,
// its real limits on a clock running sandboxScale times faster, for the commands to connect to; the key sealing sign-ins
// and the database live in the test's directory.
const (
	sandboxScale = 60
	scaleArg     = "60"
)

func sandboxFor(t *testing.T) (*xero.Server, string, string) {
	t.Helper()
	isolate(t)
	t.Setenv("DATAPULL_KEY", filepath.Join(t.TempDir(), "secret.key"))
	cfg := xero.DefaultConfig()
	cfg.Seed, cfg.Size, cfg.Orgs, cfg.TimeScale = 3, "demo", 2, sandboxScale
	cfg.Start = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	srv, err := xero.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, hs.URL, filepath.Join(t.TempDir(), "dp.db")
}

// TestConnectPullHistoryExport drives the commands a user runs, in order,
// against the sandbox: create a workspace, connect one of two
// organisations (the sign-in reaches both, so the choice is needed), pull,
// pull again as JSON, read the history, export.
func TestConnectPullHistoryExport(t *testing.T) {
	srv, url, db := sandboxFor(t)
	org := srv.World().Orgs[1]
	if code, _, errOut := run("workspace", "create", "-db", db, "Books"); code != 0 {
		t.Fatalf("workspace create: %s", errOut)
	}

	// Two organisations and no choice, not on a terminal: a clear error,
	// nothing connected.
	code, _, errOut := run("connect", "xero", "-db", db, "-workspace", "Books", "-sandbox", url, "-sandbox-approve")
	if code != 1 || !strings.Contains(errOut, "choose with -org") || !strings.Contains(errOut, org.Name) {
		t.Fatalf("connect without a choice: exit %d, %q", code, errOut)
	}
	if n := countConnections(t, db); n != 0 {
		t.Fatalf("%d connections after a failed connect, want 0", n)
	}

	code, out, errOut := run("connect", "xero", "-db", db, "-workspace", "Books", "-sandbox", url, "-sandbox-approve", "-org", org.Name)
	if code != 0 || !strings.Contains(out, "Connected xero \""+org.Name+"\"") {
		t.Fatalf("connect: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = run("pull", "-db", db, "-workspace", "Books", "-connection", org.Name, "-time-scale", scaleArg)
	if code != 0 || !strings.Contains(out, "standard, completed") || !strings.Contains(out, "invoices") {
		t.Fatalf("pull: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = run("pull", "-db", db, "-workspace", "Books", "-connection", org.Name, "-json", "-time-scale", scaleArg)
	if code != 0 {
		t.Fatalf("pull -json: exit %d: %s", code, errOut)
	}
	kinds := map[pull.EventKind]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var ev pull.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not a JSON event: %q: %v", sc.Text(), err)
		}
		kinds[ev.Kind]++
	}
	if kinds[pull.PullStarted] != 1 || kinds[pull.PullFinished] != 1 || kinds[pull.EndpointDone] < 20 {
		t.Fatalf("events %v", kinds)
	}

	if code, out, errOut = run("history", "-db", db, "-workspace", "Books"); code != 0 || strings.Count(out, "completed") != 2 {
		t.Fatalf("history: exit %d\n%s\n%s", code, out, errOut)
	}
	csvPath := filepath.Join(t.TempDir(), "inv.csv")
	if code, _, errOut = run("export", "-db", db, "-workspace", "Books", "-connection", org.Name, "-endpoint", "invoices", "-format", "csv", "-out", csvPath); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
}

// TestPullBadInput: unknown workspace or connection, missing and unknown
// flags: one line on stderr, a non-zero exit, no pull recorded.
func TestPullBadInput(t *testing.T) {
	_, url, db := sandboxFor(t)
	run("workspace", "create", "-db", db, "Books")
	if code, _, errOut := run("connect", "xero", "-db", db, "-workspace", "Books", "-sandbox", url, "-sandbox-approve", "-all"); code != 0 {
		t.Fatalf("connect: %s", errOut)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pull", "-db", db, "-workspace", "Nope", "-connection", "1"}, 1, "no workspace named"},
		{[]string{"pull", "-db", db, "-workspace", "Books", "-connection", "Nope"}, 1, "Nope"},
		{[]string{"pull", "-db", db, "-workspace", "Books"}, 2, "-connection are required"},
		{[]string{"pull", "-db", db, "-workspace", "Books", "-connection", "1", "-fast"}, 2, "-fast"},
		{[]string{"connect", "-db", db}, 2, "name the source"},
		{[]string{"connect", "myob", "-db", db, "-workspace", "Books"}, 2, "unknown source"},
		{[]string{"connect", "xero", "-db", db, "-workspace", "Books", "-sandbox-approve"}, 2, "only with -sandbox"},
	} {
		code, out, errOut := run(c.args...)
		wantOneLineError(t, c.args, code, out, errOut, c.code, c.want)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pulls, err := st.Pulls(context.Background(), 1, 0)
	if err != nil || len(pulls) != 0 {
		t.Fatalf("pulls after bad input: %d, %v", len(pulls), err)
	}
}

func countConnections(t *testing.T, db string) int {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	wss, err := st.Workspaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range wss {
		cs, err := st.Connections(context.Background(), ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		n += len(cs)
	}
	return n
}

// TestDemo runs the README's first command in-process and checks it tells
// its story: a sandbox, a workspace, an approved sign-in, a full pull,
// changes, and a standard sync that reads only changes.
func TestDemo(t *testing.T) {
	isolate(t)
	t.Setenv("DATAPULL_KEY", filepath.Join(t.TempDir(), "secret.key"))
	code, out, errOut := run("demo", "-changes", "20", "-no-serve")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"1. Started a sandbox Xero", "approves its consent page itself", "Pull 1 completed",
		"Made 20 changes", "Pull 2 completed", "incremental", "sandbox HubSpot", "Pull 3 completed", "The data is in"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
