package web

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/datapull/datapull/internal/pull"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
	"github.com/datapull/datapull/internal/store"
)

// eventTimes records when the hub received each event of one connection's
// pulls, by the sequence number the hub gave it.
type eventTimes struct {
	mu     sync.Mutex
	connID int64
	at     map[int64]map[int64]time.Time // pull → seq → received
}

// wrap returns an OnEvent that notes the time and then publishes. The
// lock is held across Publish, so the seq read back is this event's.
func (et *eventTimes) wrap(h *Hub) func(pull.Event) {
	return func(ev pull.Event) {
		et.mu.Lock()
		defer et.mu.Unlock()
		now := time.Now()
		h.Publish(ev)
		p, _ := h.Latest(ev.Pull.ConnectionID)
		if et.at[p.PullID] == nil {
			et.at[p.PullID] = map[int64]time.Time{}
		}
		et.at[p.PullID][p.Seq] = now
	}
}

// TestSyncPageLatencyMediumOrg pulls the medium sandbox organisation
// (limits off, unpaced) with its sync page open in Chromium, and checks
// that every engine event reaches the page within a second: the lag of an
// event is from the hub receiving it to the page applying the first state
// that includes it (the hub sends a watcher only its latest state, so
// events that come close together are applied together).
func TestSyncPageLatencyMediumOrg(t *testing.T) {
	et := &eventTimes{at: map[int64]map[int64]time.Time{}}
	e := newEnv(t, envOptions{publish: et.wrap, xero: func(c *xsandbox.Config) {
		c.Size, c.Orgs = "medium", 1
	}})
	ctx := context.Background()
	ws := e.workspace("Medium Ltd")
	conn := e.connect(ws)

	b := newBrowser(t, e.url)
	// The page keeps a trace of when it applied each state only when the
	// document starts with window.datapullTrace set.
	if _, err := chromedp.Call(b.ctx, cdppage.AddScriptToEvaluateOnNewDocument,
		cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: "window.datapullTrace = [];"}); err != nil {
		t.Fatalf("install the trace: %v", err)
	}
	start := time.Now()
	b.run("run sync", chromedp.Navigate(e.url+"/w/"+itoa(ws.ID)+"/pull?conn="+itoa(conn.ID)),
		chromedp.Click(chromedp.CSS("[data-run-sync]")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	b.waitText("[data-outcome]", "completed")
	b.shot("latency-medium-completed")
	p := e.waitPull(conn.ID, 30*time.Second)
	elapsed := time.Since(start)
	if p.Status != store.PullCompleted {
		t.Fatalf("the pull ended %s: %s", p.Status, p.Error)
	}

	// Each trace entry is [seq, applied at (Unix ms)], in the order applied.
	trace := eval[[][2]int64](b, `window.datapullTrace`)
	et.mu.Lock()
	received := et.at[p.ID]
	et.mu.Unlock()
	if len(trace) == 0 || len(received) == 0 {
		t.Fatalf("%d states applied, %d events received: nothing to measure", len(trace), len(received))
	}
	last := int64(len(received))
	if trace[len(trace)-1][0] != last {
		t.Fatalf("the page's last state covers event %d of %d: some never arrived", trace[len(trace)-1][0], last)
	}
	// Events up to the first state applied happened before the page was
	// watching (it got them as its opening state): they measure the page
	// load, not an update.
	var lags []int64
	covered := trace[0][0]
	for _, tr := range trace[1:] {
		seq, applied := tr[0], tr[1]
		for s := covered + 1; s <= seq; s++ {
			got, ok := received[s]
			if !ok {
				t.Fatalf("the hub has no receipt time for event %d", s)
			}
			lags = append(lags, applied-got.UnixMilli())
		}
		covered = max(covered, seq)
	}
	if len(lags) < 100 {
		t.Fatalf("only %d events measured while the page watched; want the bulk of the pull's %d", len(lags), last)
	}
	slices.Sort(lags)
	maxLag, p95 := lags[len(lags)-1], lags[(len(lags)*95+99)/100-1]
	t.Logf("medium org: %d records, %d calls, %d engine events (%d measured), %d page updates, pull + page %s; lag max %d ms, p95 %d ms, median %d ms",
		p.Records, p.Calls, last, len(lags), len(trace), elapsed.Round(time.Millisecond), maxLag, p95, lags[len(lags)/2])
	if maxLag >= 1000 {
		t.Fatalf("the slowest sync page update was applied %d ms after the engine's event, want under 1000", maxLag)
	}
	if rs, _ := e.st.EndpointResults(ctx, p.ID); len(rs) == 0 {
		t.Fatal("no endpoint results stored")
	}
}
