//go:build unix

package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// TestResumeAfterSIGKILL crashes a pull for real, twenty times: a child
// process (this test binary, see TestHelperPullProcess) pulls a medium
// organisation into a SQLite file and is killed with SIGKILL at seeded
// random points (after its k-th committed page, or after a random delay),
// then started again, until a run finishes. Afterwards the store must
// equal the sandbox's ground truth; no endpoint may have been restarted
// from zero (each resumed endpoint's first page after a kill is the page
// after its checkpoint); and the calls the sandbox served must stay
// within 10% of a clean pull's plus one per interruption.
func TestResumeAfterSIGKILL(t *testing.T) {
	const kills = 20
	size := "medium"
	if testing.Short() {
		size = "small"
	}
	ctx := context.Background()
	cfg := xsandbox.DefaultConfig()
	cfg.Seed, cfg.Size, cfg.Orgs, cfg.Start, cfg.TimeScale, cfg.LimitsOff = 11, size, 1, testStart, 0, true
	srv, err := xsandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	tenant := srv.World().Orgs[0].ID
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "datapull.key")
	if _, err := secrets.LoadOrCreateKey(keyPath); err != nil {
		t.Fatal(err)
	}

	// A clean pull, into a store of its own, is the yardstick: its calls
	// and its number of pages.
	clean := newPullerEnv(t, srv, hs.URL, filepath.Join(dir, "clean.db"), keyPath)
	before := meterCalls(t, hs.URL, tenant)
	cleanPages := 0
	cp, err := clean.app.Pull(ctx, clean.conns[0].ID, store.PullFull, func(ev pull.Event) {
		if ev.Kind == pull.PageStored {
			cleanPages++
		}
	})
	if err != nil || cp.Status != store.PullCompleted {
		t.Fatalf("clean pull: %v %s %s", err, cp.Status, cp.Error)
	}
	cleanCalls := meterDiff(meterCalls(t, hs.URL, tenant), before)

	// The crashing pull: the parent connects (so the sign-in is sealed in
	// the store with the key file's key); children do the pulling.
	dsn := filepath.Join(dir, "datapull.db")
	e := newPullerEnv(t, srv, hs.URL, dsn, keyPath)
	conn := e.conns[0]
	vars := map[string]string{envChild: "pull", envDSN: dsn, envKey: keyPath, envConn: strconv.FormatInt(conn.ID, 10),
		envNow: srv.Clock().Now().Format(time.RFC3339Nano), envMode: string(store.PullFull)}
	base := meterCalls(t, hs.URL, tenant)
	rng := rand.New(rand.NewPCG(20260630, 20))
	ks := killAndResume(t, e, conn.ID, vars, cleanPages, kills, rng)
	for _, d := range e.compareTruth(0) {
		t.Error(d)
	}
	crash := meterDiff(meterCalls(t, hs.URL, tenant), base)
	cleanN, crashN := sum(cleanCalls), sum(crash)
	limit := cleanN + cleanN/10 + int64(kills)
	t.Logf("clean pull: %d calls, %d pages; crashed %d times: %d calls (limit %d = clean + 10%% + %d), %d runs, %d resumed endpoints checked",
		cleanN, cleanPages, ks.killed, crashN, limit, kills, ks.runs, ks.resumedChecked)
	if crashN > limit {
		t.Errorf("%d calls over %d runs, more than %d (clean pull %d, +10%%, +1 per kill)", crashN, ks.runs, limit, cleanN)
	}
	logCallTable(t, cleanCalls, crash)
}

// newPullerEnv opens a store at dsn with the key file's sealer and the
// App Config the children use, and connects the sandbox's organisation.
func newPullerEnv(t *testing.T, srv *xsandbox.Server, url, dsn, keyPath string) *env {
	t.Helper()
	ctx := context.Background()
	a, st, err := openPuller(ctx, dsn, keyPath, srv.Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, srv: srv, url: url, st: st, app: a}
	if e.ws, err = st.CreateWorkspace(ctx, "Resume"); err != nil {
		t.Fatal(err)
	}
	e.conns = e.connect(srv.World().Orgs[0].ID)
	return e
}

// killAt says when to kill a child: after its pages-th committed page or
// after delay, whichever comes first; zero values mean never.
type killAt struct {
	pages int
	delay time.Duration
}

func (k killAt) String() string {
	if k.delay > 0 {
		return fmt.Sprintf("planned: after %s or %d pages", k.delay, k.pages)
	}
	return fmt.Sprintf("planned: after %d pages", k.pages)
}

// childRun is what one child run did.
type childRun struct {
	killed   bool             // it died of our SIGKILL
	finished string           // the pull's status, when it finished
	pages    int              // pages it committed (and printed)
	first    map[string]int64 // per endpoint, the page number of its first page in this run
	stderr   string
	err      error // it failed some other way
}

// killSeries is what killAndResume did: the runs it started, the kills it
// made and the interrupted endpoints it saw continue.
type killSeries struct{ runs, killed, resumedChecked int }

// killAndResume runs the puller child (vars) until a run finishes,
// killing it kills times at seeded points spread over the pages left of
// a clean pull's cleanPages (every fourth by time, which also lands in
// start-up, planning, commits and between endpoints). After each run it
// checks that every endpoint the kill interrupted continued from its
// checkpoint; at the end, that every kill was made, the last run
// completed and most kills left a continuation to check.
func killAndResume(t *testing.T, e *env, connID int64, vars map[string]string, cleanPages, kills int, rng *rand.Rand) killSeries {
	t.Helper()
	var ks killSeries
	var last *childRun
	for {
		ks.runs++
		if ks.runs > 3*kills {
			t.Fatalf("no run finished after %d runs", ks.runs-1)
		}
		states := e.endpointStates(connID)
		pullID := e.runningPull(connID)
		var k killAt
		if ks.killed < kills {
			// Spread the kills over what is left: at most remaining/(kills
			// left+1) pages each, so the pull cannot end before the last
			// kill, yet every part of it can be hit.
			left := cleanPages - committedPages(states, pullID)
			k.pages = 1 + rng.IntN(max(1, left/(kills-ks.killed+1)))
			if ks.killed%4 == 3 {
				k.delay = time.Duration(rng.IntN(60_000)) * time.Microsecond
			}
		}
		last = runPullChild(t, vars, k)
		if last.err != nil {
			t.Fatalf("run %d: %v\n%s", ks.runs, last.err, last.stderr)
		}
		ks.resumedChecked += checkContinued(t, ks.runs, states, pullID, last)
		if !last.killed || last.finished != "" {
			break // a run that said it finished is done, even if the kill then caught it
		}
		ks.killed++
		how := "by page count"
		if last.pages < k.pages {
			how = "by time"
		}
		t.Logf("run %d: killed %s after %d pages (%s)", ks.runs, how, last.pages, k)
	}
	if ks.killed != kills {
		t.Errorf("%d kills, want %d (the pull finished before its last kill)", ks.killed, kills)
	}
	if last.finished != string(store.PullCompleted) {
		t.Fatalf("last run finished %q, want completed\n%s", last.finished, last.stderr)
	}
	// Each page kill lands inside an endpoint, so most kills must have
	// left an unfinished endpoint whose continuation was checked.
	if ks.resumedChecked < kills/2 {
		t.Errorf("only %d resumed endpoints were checked after %d kills", ks.resumedChecked, kills)
	}
	return ks
}

// runPullChild runs the puller child once, killing it as k says.
func runPullChild(t *testing.T, vars map[string]string, k killAt) *childRun {
	t.Helper()
	cmd := childCommand("TestHelperPullProcess", vars)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	r := &childRun{first: map[string]int64{}}
	if k.delay > 0 {
		timer := time.AfterFunc(k.delay, func() { cmd.Process.Kill() })
		defer timer.Stop()
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "page":
			n, _ := strconv.ParseInt(f[2], 10, 64)
			if _, ok := r.first[f[1]]; !ok {
				r.first[f[1]] = n
			}
			r.pages++
			if r.pages == k.pages {
				cmd.Process.Kill() // SIGKILL: no deferred code, no flush, no goodbye
			}
		case len(f) == 2 && f[0] == "finished":
			r.finished = f[1]
		}
	}
	werr := cmd.Wait()
	r.stderr = stderr.String()
	var exit *exec.ExitError
	switch {
	case werr == nil:
	case errors.As(werr, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		} else {
			r.err = werr
		}
	default:
		r.err = werr
	}
	return r
}

// engineState is the part of the engine's checkpoint wrapper (pull.state)
// this test reads: which pull committed the endpoint's last page, whether
// the read is done, and how many pages it has.
type engineState struct {
	Pull   int64 `json:"pull"`
	Done   bool  `json:"done"`
	Counts struct {
		Pages int64 `json:"pages"`
	} `json:"counts"`
}

func (e *env) endpointStates(connID int64) map[string]engineState {
	e.t.Helper()
	cps, err := e.st.Checkpoints(context.Background(), connID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]engineState{}
	for _, cp := range cps {
		var s engineState
		if len(cp.Cursor) > 0 {
			if err := json.Unmarshal(cp.Cursor, &s); err != nil {
				e.t.Fatalf("%s: checkpoint %s: %v", cp.Endpoint, cp.Cursor, err)
			}
		}
		out[cp.Endpoint] = s
	}
	return out
}

// runningPull is the id of the connection's running pull, 0 if none.
func (e *env) runningPull(connID int64) int64 {
	e.t.Helper()
	p, ok, err := e.st.RunningPull(context.Background(), connID)
	if err != nil {
		e.t.Fatal(err)
	}
	if !ok {
		return 0
	}
	return p.ID
}

// committedPages is how many pages the running pull has committed.
func committedPages(states map[string]engineState, pullID int64) int {
	n := 0
	for _, s := range states {
		if pullID != 0 && s.Pull == pullID {
			n += int(s.Counts.Pages)
		}
	}
	return n
}

// checkContinued holds a run's first page of each endpoint to the
// checkpoints the run started from: an endpoint the killed run left
// unfinished must go on with the page after its checkpoint (restarting
// it from zero would start again at page 1); any other starts at page 1.
// It returns how many resumed endpoints it checked.
func checkContinued(t *testing.T, run int, states map[string]engineState, pullID int64, r *childRun) int {
	t.Helper()
	checked := 0
	names := make([]string, 0, len(r.first))
	for name := range r.first {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		got := r.first[name]
		s := states[name]
		switch {
		case pullID != 0 && s.Pull == pullID && s.Done:
			t.Errorf("run %d: %s was finished by this pull, yet read again (first page %d)", run, name, got)
		case pullID != 0 && s.Pull == pullID && s.Counts.Pages > 0:
			checked++
			if want := s.Counts.Pages + 1; got != want {
				t.Errorf("run %d: %s had %d pages committed; its first page after the kill is page %d, want %d (continuing from the checkpoint)",
					run, name, s.Counts.Pages, got, want)
			}
		default:
			if got != 1 {
				t.Errorf("run %d: %s began fresh but its first page is page %d", run, name, got)
			}
		}
	}
	return checked
}

// logCallTable logs calls per Accounting API path: clean pull and crashed one.
func logCallTable(t *testing.T, clean, crash map[string]int64) {
	t.Helper()
	var paths []string
	for p := range clean {
		paths = append(paths, p)
	}
	for p := range crash {
		if _, ok := clean[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %8s %8s\n", "path", "clean", "crashed")
	for _, p := range paths {
		fmt.Fprintf(&b, "%-28s %8d %8d\n", p, clean[p], crash[p])
	}
	t.Logf("calls per path\n%s", b.String())
}
