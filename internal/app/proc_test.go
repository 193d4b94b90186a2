package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"

	hsandbox "github.com/datapull/datapull/internal/sandbox/hubspot"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// Subprocess plumbing. Some tests need a second process: a puller that
// can be killed with SIGKILL (a crash no in-process test can fake), or a
// sandbox big enough that its memory must not count against the
// puller's. The test binary plays these roles itself: the parent re-runs
// os.Args[0] with -test.run naming one of the TestHelper… functions below
// and an environment variable saying which role to play. Run without that
// variable (the normal suite), the helpers return at once.

// Environment of a child process.
const (
	envChild = "DATAPULL_TEST_CHILD" // "pull" or "sandbox"
	envDSN   = "DATAPULL_TEST_DSN"
	envKey   = "DATAPULL_TEST_KEY" // path of the key file sealing the sign-in
	envConn  = "DATAPULL_TEST_CONNECTION"
	envNow   = "DATAPULL_TEST_NOW" // the frozen sandbox clock, RFC 3339
	envMode  = "DATAPULL_TEST_MODE"
	envSize  = "DATAPULL_TEST_SIZE"
	envSeed  = "DATAPULL_TEST_SEED"
	// envSource picks the sandbox child's provider: "hubspot", or Xero
	// when unset.
	envSource = "DATAPULL_TEST_SOURCE"
)

// childCommand is the test binary re-run as a child playing role, running
// only the named helper test.
func childCommand(helper string, vars map[string]string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.count=1", "-test.timeout=30m")
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// TestHelperPullProcess is the puller child of TestResumeAfterSIGKILL: it
// opens the store and the key file the parent made, builds an App with
// the parent's Config, and pulls the connection, printing a line to
// stdout for every event the parent watches (unbuffered, so the parent
// sees each page as soon as it is committed):
//
//	start <endpoint> <mode>
//	page <endpoint> <pages of the read so far>
//	finished <status>
func TestHelperPullProcess(t *testing.T) {
	if os.Getenv(envChild) != "pull" {
		return // not a child: nothing to do in the normal suite
	}
	if err := childPull(); err != nil {
		fmt.Fprintln(os.Stderr, "child pull:", err)
		os.Exit(3)
	}
}

func childPull() error {
	ctx := context.Background()
	now, err := time.Parse(time.RFC3339Nano, os.Getenv(envNow))
	if err != nil {
		return fmt.Errorf("%s: %w", envNow, err)
	}
	connID, err := strconv.ParseInt(os.Getenv(envConn), 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", envConn, err)
	}
	clock := func() time.Time { return now }
	a, st, err := openPuller(ctx, os.Getenv(envDSN), os.Getenv(envKey), clock)
	if err != nil {
		return err
	}
	defer st.Close()
	out := os.Stdout
	p, err := a.Pull(ctx, connID, store.PullMode(os.Getenv(envMode)), func(ev pull.Event) {
		switch ev.Kind {
		case pull.EndpointStarted:
			fmt.Fprintf(out, "start %s %s\n", ev.Endpoint, ev.Mode)
		case pull.PageStored:
			fmt.Fprintf(out, "page %s %d\n", ev.Endpoint, ev.Counts.Pages)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "finished %s\n", p.Status)
	return nil
}

// openPuller opens the store at dsn and the sealer of the key file at
// keyPath, and builds the App both the resume test's parent and its
// children use: the same Config on both sides (limits off, so unpaced;
// the default sweep interval; the frozen sandbox clock).
func openPuller(ctx context.Context, dsn, keyPath string, now func() time.Time) (*App, *store.Store, error) {
	key, err := secrets.ReadKey(keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read key: %w", err)
	}
	sealer, err := secrets.NewAESGCM(key)
	if err != nil {
		return nil, nil, fmt.Errorf("sealer: %w", err)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	st.SetClock(now)
	a, err := New(Config{Store: st, Sealer: sealer, Now: now, Unpaced: true})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return a, st, nil
}

// TestHelperSandboxProcess is a sandbox Xero child: it generates one
// organisation of the given size (limits off, clock frozen at testStart),
// serves it on a loopback port, prints "ready <url> <tenant>" and serves
// until its stdin closes. The large organisation takes about 1 GB, which
// must not count against a puller whose memory is being measured.
func TestHelperSandboxProcess(t *testing.T) {
	if os.Getenv(envChild) != "sandbox" {
		return
	}
	if err := childSandbox(); err != nil {
		fmt.Fprintln(os.Stderr, "child sandbox:", err)
		os.Exit(3)
	}
}

func childSandbox() error {
	seed, err := childSeed()
	if err != nil {
		return err
	}
	if os.Getenv(envSource) == "hubspot" {
		// One portal set up as newHSEnv sets its sandbox up (limits off,
		// clock frozen at testStart, exact search); its tenant is the
		// portal id.
		cfg := hsandbox.DefaultConfig()
		cfg.Size, cfg.Portals, cfg.Start, cfg.TimeScale, cfg.LimitsOff, cfg.SearchLag = os.Getenv(envSize), 1, testStart, 0, true, 0
		if seed != 0 {
			cfg.Seed = seed
		}
		srv, err := hsandbox.New(cfg)
		if err != nil {
			return err
		}
		return serveChild(srv.Handler(), strconv.FormatInt(srv.World().Portals[0].ID, 10))
	}
	cfg := xsandbox.DefaultConfig()
	cfg.Size, cfg.Orgs, cfg.Start, cfg.TimeScale, cfg.LimitsOff = os.Getenv(envSize), 1, testStart, 0, true
	if seed != 0 {
		cfg.Seed = seed
	}
	srv, err := xsandbox.New(cfg)
	if err != nil {
		return err
	}
	return serveChild(srv.Handler(), srv.World().Orgs[0].ID)
}

// childSeed is the seed the parent asked for, 0 when it named none.
func childSeed() (int64, error) {
	s := os.Getenv(envSeed)
	if s == "" {
		return 0, nil
	}
	seed, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", envSeed, err)
	}
	return seed, nil
}

// serveChild serves a sandbox on a free loopback port, says where and
// which tenant on stdout, and serves until the parent closes our stdin
// (when it is done, or dies).
func serveChild(h http.Handler, tenant string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, h)
	fmt.Printf("ready http://%s %s\n", ln.Addr(), tenant)
	bufio.NewReader(os.Stdin).ReadString(0)
	return nil
}

// sandboxProcess is a sandbox child the parent talks to over HTTP.
type sandboxProcess struct {
	URL, Tenant string
}

// startSandboxProcess starts a sandbox child and waits until it serves.
// It is stopped when the test ends.
func startSandboxProcess(tb testing.TB, size string, seed int64) sandboxProcess {
	tb.Helper()
	return startSandboxProcessOf(tb, "xero", size, seed)
}

// startSandboxProcessOf is startSandboxProcess for either provider's
// sandbox ("xero" or "hubspot").
func startSandboxProcessOf(tb testing.TB, source, size string, seed int64) sandboxProcess {
	tb.Helper()
	cmd := childCommand("TestHelperSandboxProcess", map[string]string{envChild: "sandbox", envSize: size,
		envSeed: strconv.FormatInt(seed, 10), envSource: source})
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start sandbox child: %v", err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "ready" {
			go func() { // keep the pipe drained
				for sc.Scan() {
				}
			}()
			return sandboxProcess{URL: f[1], Tenant: f[2]}
		}
	}
	cmd.Process.Kill()
	tb.Fatalf("sandbox child never got ready: %s", stderr.String())
	return sandboxProcess{}
}

// meterCalls reads a sandbox's meter over its admin API: calls per
// Accounting API path ("Invoices", "Invoices/Attachments", "Journals",
// "Reports/TrialBalance", ...) for one tenant. The identity calls
// (tenant-less) are not the pull's allowance and are left out.
func meterCalls(tb testing.TB, baseURL, tenant string) map[string]int64 {
	tb.Helper()
	out := map[string]int64{}
	for ep, u := range meterUsage(tb, baseURL, tenant) {
		out[ep] += u.Calls
	}
	return out
}

// meterDiff is after minus before, without the zero entries.
func meterDiff(after, before map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
