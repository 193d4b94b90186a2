package jobs

import (
	"context"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/sandbox/xero/apitruth"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"
	"github.com/datapull/datapull/internal/testdb"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// The child process of TestKilledAppResumes: it works pull jobs until it
// is killed. It runs only when the parent starts it.
func TestChildWorker(t *testing.T) {
	dsn, key := os.Getenv("DATAPULL_TEST_CHILD_DB"), os.Getenv("DATAPULL_TEST_CHILD_KEY")
	if dsn == "" {
		return // not the child: nothing to do
	}
	a, _ := openApp(t, dsn, key)
	r, err := Open(context.Background(), Config{App: a, DSN: dsn, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}

func openApp(t *testing.T, dsn, keyHex string) (*app.App, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, _ := hex.DecodeString(keyHex)
	sealer, err := secrets.NewAESGCM(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{Store: st, Sealer: sealer, Unpaced: true})
	if err != nil {
		t.Fatal(err)
	}
	return a, st
}

// TestKilledAppResumes kills the process running a pull job mid-pull
// (SIGKILL: no clean stop) and starts a runner again: the same pull
// resumes from its checkpoints and ends with the sandbox's data exactly.
// It runs on SQLite (River's riversqlite driver on the store's handle) and
// on PostgreSQL (riverpgxv5 on a pool of its own, advisory run locks).
func TestKilledAppResumes(t *testing.T) {
	testdb.ForEach(t, killedAppResumes)
}

func killedAppResumes(t *testing.T, dsn string) {
	ctx := context.Background()
	cfg := xsandbox.DefaultConfig()
	cfg.Seed, cfg.Size, cfg.LimitsOff = 11, "demo", true
	cfg.Faults = "*:slow=25ms@every=1" // long enough a pull to kill it halfway
	xs, err := xsandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(xs.Handler())
	defer hs.Close()

	keyHex := strings.Repeat("ab", 32)
	a, st := openApp(t, dsn, keyHex)
	ws, err := st.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	org := xs.World().Orgs[0]
	conns, err := a.Connect(ctx, app.ConnectRequest{WorkspaceID: ws.ID, Source: "xero", Sandbox: hs.URL,
		Login: oauth.LoginOptions{Opener: app.ApproveSandboxConsent(org.ID), Timeout: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	conn := conns[0]
	r, err := Open(ctx, Config{App: a, DSN: dsn, PollInterval: 50 * time.Millisecond, RecoverEvery: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Enqueue(ctx, conn.ID, store.PullStandard); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Enqueue(ctx, conn.ID, store.PullFull); err != ErrAlreadyQueued {
		t.Fatalf("a second pull job was queued: %v", err)
	}

	child := exec.Command(os.Args[0], "-test.run=^TestChildWorker$", "-test.count=1")
	child.Env = append(os.Environ(), "DATAPULL_TEST_CHILD_DB="+dsn, "DATAPULL_TEST_CHILD_KEY="+keyHex)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	// Kill it once a few endpoints are stored and more remain.
	var running store.Pull
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("the child never got a few endpoints into the pull")
		}
		p, ok, err := st.RunningPull(ctx, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if rs, _ := st.EndpointResults(ctx, p.ID); len(rs) >= 4 {
				running = p
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	if p, _ := st.Pull(ctx, running.ID); p.Status != store.PullRunning {
		t.Fatalf("the killed pull is %s, want still running", p.Status)
	}

	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Stop(context.Background())
	deadline = time.Now().Add(90 * time.Second)
	for {
		p, err := st.Pull(ctx, running.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != store.PullRunning {
			if p.Status != store.PullCompleted {
				t.Fatalf("resumed pull ended %s: %s", p.Status, p.Error)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed pull was not resumed to the end")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ps, _ := st.Pulls(ctx, conn.ID, 0); len(ps) != 1 {
		t.Fatalf("%d pulls, want the one resumed", len(ps))
	}
	// The same final data as an uninterrupted pull: the sandbox's own.
	compareTruth(t, a, st, conn.ID, org)
}

// TestStoppedRunnerResumes stops a runner mid-pull (a clean stop: the
// pull ends "stopped" at its last committed page and its job is queued
// again) and opens a new one on the same database, whose pull continues
// the unfinished reads to the sandbox's data, on SQLite and on PostgreSQL.
func TestStoppedRunnerResumes(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		cfg := xsandbox.DefaultConfig()
		cfg.Seed, cfg.Size, cfg.LimitsOff = 12, "demo", true
		cfg.Faults = "*:slow=20ms@every=1"
		xs, err := xsandbox.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(xs.Handler())
		defer hs.Close()
		a, st := openApp(t, dsn, strings.Repeat("cd", 32))
		ws, err := st.CreateWorkspace(ctx, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		org := xs.World().Orgs[0]
		conns, err := a.Connect(ctx, app.ConnectRequest{WorkspaceID: ws.ID, Source: "xero", Sandbox: hs.URL,
			Login: oauth.LoginOptions{Opener: app.ApproveSandboxConsent(org.ID), Timeout: 30 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		conn := conns[0]

		r, err := Open(ctx, Config{App: a, DSN: dsn, PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Enqueue(ctx, conn.ID, store.PullFull); err != nil {
			t.Fatal(err)
		}
		running := waitEndpoints(t, st, conn.ID, 3)
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := r.Stop(sctx); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if p, _ := st.Pull(ctx, running.ID); p.Status != store.PullStopped {
			t.Fatalf("the pull is %s after a clean stop, want stopped", p.Status)
		}

		r2, err := Open(ctx, Config{App: a, DSN: dsn, PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if _, queued, err := r2.Active(ctx, conn.ID); err != nil || !queued {
			t.Fatalf("no pull job left queued for the next start (err %v)", err)
		}
		if err := r2.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer r2.Stop(context.Background())
		var next store.Pull
		deadline := time.Now().Add(60 * time.Second)
		for next.ID == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no pull started after the restart")
			}
			if ps, _ := st.Pulls(ctx, conn.ID, 1); len(ps) == 1 && ps[0].ID != running.ID {
				next = ps[0]
			}
			time.Sleep(20 * time.Millisecond)
		}
		if p := waitDone(t, st, next.ID); p.Status != store.PullCompleted || p.Mode != store.PullFull {
			t.Fatalf("the pull after the restart ended %s as %s: %s", p.Status, p.Mode, p.Error)
		}
		if ps, _ := st.Pulls(ctx, conn.ID, 0); len(ps) != 2 {
			t.Fatalf("%d pulls, want the stopped one and the one that finished it", len(ps))
		}
		compareTruth(t, a, st, conn.ID, org)
	})
}

// waitEndpoints waits until the connection's running pull has stored n
// endpoint results, and returns it.
func waitEndpoints(t *testing.T, st *store.Store, connID int64, n int) store.Pull {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		p, ok, err := st.RunningPull(ctx, connID)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if rs, _ := st.EndpointResults(ctx, p.ID); len(rs) >= n {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the pull never got %d endpoints in", n)
	return store.Pull{}
}

// waitDone waits for a pull to stop running.
func waitDone(t *testing.T, st *store.Store, pullID int64) store.Pull {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		p, err := st.Pull(context.Background(), pullID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != store.PullRunning {
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("pull %d did not finish", pullID)
	return store.Pull{}
}

// compareTruth checks the connection's stored records against the
// sandbox organisation's own, endpoint by endpoint (reports aside).
func compareTruth(t *testing.T, a *app.App, st *store.Store, connID int64, org *xsandbox.Org) {
	t.Helper()
	ctx := context.Background()
	src, err := a.Catalog("xero")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range src {
		if strings.HasPrefix(info.Name, "report_") {
			continue
		}
		got := map[string]provider.Record{}
		st.RawRecords(ctx, connID, info.Name, func(rec store.RawRecord) error {
			got[rec.ID] = rec.Record()
			return nil
		})
		if diffs := apitruth.Compare(got, apitruth.Records(org, info.Name)); len(diffs) > 0 {
			t.Errorf("%s: %d differences from the sandbox, first: %s", info.Name, len(diffs), diffs[0])
		}
	}
}
