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
	r, err := Open(context.Background(), Config{App: a, PollInterval: 50 * time.Millisecond})
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
func TestKilledAppResumes(t *testing.T) {
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

	dsn := testdb.SQLite(t)
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
	r, err := Open(ctx, Config{App: a, PollInterval: 50 * time.Millisecond, RecoverEvery: 200 * time.Millisecond})
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
	src, err := a.Catalog("xero")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range src {
		if strings.HasPrefix(info.Name, "report_") {
			continue
		}
		got := map[string]provider.Record{}
		st.RawRecords(ctx, conn.ID, info.Name, func(rec store.RawRecord) error {
			got[rec.ID] = rec.Record()
			return nil
		})
		if diffs := apitruth.Compare(got, apitruth.Records(org, info.Name)); len(diffs) > 0 {
			t.Errorf("%s: %d differences from the sandbox, first: %s", info.Name, len(diffs), diffs[0])
		}
	}
}
