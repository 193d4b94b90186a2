package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
	"github.com/datapull/datapull/internal/store"
)

// chromium finds Debian's Chromium (scripts/test.sh installs it). There
// is no skip: a machine without it fails this test.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: install Debian's chromium package (scripts/test.sh does)")
	return ""
}

// artifacts is where screenshots go: $DATAPULL_ARTIFACTS, else the test's
// temporary directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("DATAPULL_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

type browser struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("headless", "new"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, dir: artifacts(t), base: base}
}

// run runs actions with a deadline, failing the test with what step.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		dctx, dcancel := context.WithTimeout(b.ctx, 3*time.Second)
		defer dcancel()
		loc, _ := chromedp.Run(dctx, chromedp.Location())
		body, _ := chromedp.Run(dctx, chromedp.Text(chromedp.CSS("body")))
		b.shot("failed-" + strings.ReplaceAll(step, " ", "-"))
		b.t.Fatalf("%s: %v (at %s: %.500s)", step, err, loc, body)
	}
}

// shot saves a full-page screenshot as a test artifact.
func (b *browser) shot(name string) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644)
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("failed-read")
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitText waits until sel's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		var err error
		got, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(got, want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.shot("failed-wait")
	b.t.Fatalf("%s never showed %q (last: %q)", sel, want, got)
}

// TestBrowserFlows clicks through the app in a real Chromium, against the
// sandboxes' real consent pages: workspace, Xero connect with an
// organisation picked out of two, a denied consent, a sync watched to the
// end with a reload mid-pull and a refused second pull, re-pull all data,
// and a HubSpot portal connected and synced.
func TestBrowserFlows(t *testing.T) {
	// Every provider call is a little slow, so a pull lasts long enough
	// to reload its page and to ask for a second one meanwhile.
	e := newEnv(t, envOptions{hubspot: true, xero: func(c *xsandbox.Config) { c.Faults = "*:slow=40ms@every=1" }})
	b := newBrowser(t, e.url)
	ctx := context.Background()

	// Workspaces: none yet, so the app opens on the workspaces page.
	b.run("open the app", chromedp.Navigate(e.url), chromedp.WaitVisible(chromedp.CSS("#new-name")))
	b.shot("01-workspaces-empty")
	b.run("create a workspace", chromedp.SendKeys(chromedp.CSS("#new-name"), "Acme Books"),
		chromedp.Submit(chromedp.CSS("#new-name")), chromedp.WaitVisible(chromedp.CSS("#step-source")))
	b.shot("02-api-pull-new-workspace")
	wss, _ := e.st.Workspaces(ctx)
	if len(wss) != 1 || wss[0].Name != "Acme Books" {
		t.Fatalf("workspaces %+v", wss)
	}
	ws := wss[0]

	// Deny consent at the sandbox: a clear message, nothing connected.
	b.run("start connect", chromedp.Click(chromedp.CSS("[data-connect]")),
		chromedp.WaitVisible(chromedp.CSS(`button[value="deny"]`)))
	b.shot("03-xero-consent")
	b.run("deny consent", chromedp.Click(chromedp.CSS(`button[value="deny"]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-flow-problem]")))
	if msg := b.text("[data-flow-problem]"); !strings.Contains(msg, "declined") || !strings.Contains(msg, "nothing was connected") {
		t.Fatalf("denied consent says %q", msg)
	}
	b.shot("04-consent-denied")
	if conns, _ := e.st.Connections(ctx, ws.ID); len(conns) != 0 {
		t.Fatalf("%d connections after a denied consent", len(conns))
	}

	// Connect: allow both organisations at the sandbox, pick one here.
	orgs := e.xero.World().Orgs
	b.run("connect again", chromedp.Click(chromedp.CSS("[data-connect]")),
		chromedp.WaitVisible(chromedp.CSS(`button[value="allow"]`)))
	if n := eval[int](b, `(function(){var c=document.querySelectorAll('input[name="tenant"]');c.forEach(function(x){x.checked=true});return c.length})()`); n != 2 {
		t.Fatalf("the consent page offers %d organisations, want 2", n)
	}
	b.run("allow both", chromedp.Click(chromedp.CSS(`button[value="allow"]`)), chromedp.WaitVisible(chromedp.CSS("[data-pick]")))
	b.shot("05-pick-organisation")
	if n := b.text("fieldset"); !strings.Contains(n, orgs[0].Name) || !strings.Contains(n, orgs[1].Name) {
		t.Fatalf("picker lists %q, want both organisations", n)
	}
	b.run("pick the second organisation", chromedp.Click(chromedp.CSS("#acc-1")), chromedp.Click(chromedp.CSS("[data-pick]")),
		chromedp.WaitVisible(chromedp.CSS("[data-flow-done]")))
	b.shot("06-connected")
	conns, _ := e.st.Connections(ctx, ws.ID)
	if len(conns) != 1 || conns[0].AccountID != orgs[1].ID {
		t.Fatalf("connections %+v, want only %s", conns, orgs[1].Name)
	}
	conn := conns[0]

	// Run sync, reload mid-pull, ask for a second pull meanwhile.
	b.run("run sync", chromedp.Click(chromedp.CSS("[data-run-sync]")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	b.waitText(`[data-p="status"]`, "running")
	b.waitText(`[data-p="current"]`, "_")
	b.shot("07-sync-running")
	b.run("reload mid-pull", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#progress")))
	if st := b.text(`[data-p="status"]`); st != "running" {
		t.Fatalf("after a reload mid-pull the status is %q", st)
	}
	var done int
	if n, err := strconv.Atoi(b.text(`[data-p="done"]`)); err == nil {
		done = n
	}
	b.shot("08-sync-reloaded")
	b.run("second pull while one runs", chromedp.Navigate(e.url+"/w/"+itoa(ws.ID)+"/pull?conn="+itoa(conn.ID)),
		chromedp.Click(chromedp.CSS("[data-run-sync]")), chromedp.WaitVisible(chromedp.CSS("[data-problem]")))
	if msg := b.text("[data-problem]"); !strings.Contains(msg, "already running") {
		t.Fatalf("second pull says %q", msg)
	}
	b.shot("09-second-pull-refused")
	b.run("follow the link to the running pull", chromedp.Click(chromedp.CSS("a.button")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	b.waitText("[data-outcome]", "completed")
	if got, _ := strconv.Atoi(b.text(`[data-p="done"]`)); got < done || got == 0 {
		t.Fatalf("datasets done went from %d to %d", done, got)
	}
	b.shot("10-sync-completed")
	rows := eval[int](b, `document.querySelectorAll("[data-results] tbody tr").length`)
	p := e.waitPull(conn.ID, 10*time.Second)
	results, _ := e.st.EndpointResults(ctx, p.ID)
	if p.Status != store.PullCompleted || rows != len(results) || rows == 0 {
		t.Fatalf("pull %s with %d results; the page shows %d rows", p.Status, len(results), rows)
	}
	if ps, _ := e.st.Pulls(ctx, conn.ID, 0); len(ps) != 1 {
		t.Fatalf("%d pulls, want 1: the second request must not have made one", len(ps))
	}
	lag := eval[string](b, `document.body.dataset.sseLagMax || ""`)
	if ms, err := strconv.Atoi(lag); err != nil || ms >= 1000 {
		t.Fatalf("slowest sync page update arrived %q ms after the engine's event, want under 1000", lag)
	} else {
		t.Logf("slowest sync page update: %d ms after the engine's event", ms)
	}

	// Re-pull all data, after confirming.
	b.run("re-pull", chromedp.Navigate(e.url+"/w/"+itoa(ws.ID)+"/pull?conn="+itoa(conn.ID)),
		chromedp.Click(chromedp.CSS("[data-repull]")), chromedp.WaitVisible(chromedp.CSS("[data-confirm-repull]")))
	if txt := b.text("main"); !strings.Contains(txt, "more of the provider's daily allowance") {
		t.Fatalf("the confirmation does not say it uses more allowance: %.300s", txt)
	}
	b.shot("11-repull-confirm")
	b.run("confirm re-pull", chromedp.Click(chromedp.CSS("[data-confirm-repull]")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	b.waitText("[data-outcome]", "completed")
	b.shot("12-repull-completed")
	if p := e.waitPull(conn.ID, 10*time.Second); p.Mode != store.PullFull {
		t.Fatalf("re-pull ran as %s", p.Mode)
	}

	// HubSpot: connect a sandbox portal through its consent page and sync it.
	b.run("choose HubSpot", chromedp.Navigate(e.url+"/w/"+itoa(ws.ID)+"/pull?source=hubspot"),
		chromedp.WaitVisible(chromedp.CSS("[data-connect]")),
		chromedp.SetValue(chromedp.CSS("#sandbox"), e.hubURL),
		chromedp.Click(chromedp.CSS("[data-connect]")),
		chromedp.WaitVisible(chromedp.CSS(`button[value="allow"]`)))
	b.shot("13-hubspot-consent")
	b.run("allow HubSpot", chromedp.Click(chromedp.CSS(`button[value="allow"]`)), chromedp.WaitVisible(chromedp.CSS("[data-flow-done]")))
	b.shot("14-hubspot-connected")
	b.run("sync HubSpot", chromedp.Click(chromedp.CSS("[data-run-sync]")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	b.waitText("[data-outcome]", "completed")
	b.shot("15-hubspot-synced")

	// History, help, and a narrow window.
	b.run("history", chromedp.Navigate(e.url+"/connections/"+itoa(conn.ID)+"/history"), chromedp.WaitVisible(chromedp.CSS("table")))
	b.shot("16-history")
	b.run("help", chromedp.Navigate(e.url+"/help/notes"), chromedp.WaitVisible(chromedp.CSS("#limit_reached")))
	b.shot("17-help-notes")
	b.run("narrow", chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.url+"/w/"+itoa(ws.ID)+"/pull?conn="+itoa(conn.ID)),
		chromedp.WaitVisible(chromedp.CSS("[data-run-sync]")))
	overflow := eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`)
	b.shot("18-api-pull-narrow")
	if overflow {
		t.Error("API Pull scrolls sideways at 390px")
	}
	t.Logf("screenshots in %s", b.dir)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
