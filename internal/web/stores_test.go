package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
	"github.com/datapull/datapull/internal/store"
	"github.com/datapull/datapull/internal/testdb"
)

// TestPullsOnEachStore runs the web app's pull path on SQLite and on
// PostgreSQL (River's riverpgxv5 driver on a pool of its own): Run sync
// queues a job, a second request while it runs is refused, the sync page
// shows the finished pull, Re-pull all data runs as a full pull, and a
// disconnected account cannot be pulled.
func TestPullsOnEachStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, dsn string) {
		// Slow calls, so the first pull is still running at the second request.
		e := newEnv(t, envOptions{dsn: dsn, xero: func(c *xsandbox.Config) { c.Faults = "*:slow=20ms@every=1" }})
		ctx := context.Background()
		ws := e.workspace("Acme")
		conn := e.connect(ws)
		pullPath := fmt.Sprintf("/connections/%d/pull", conn.ID)
		syncPath := fmt.Sprintf("/connections/%d/sync", conn.ID)

		resp, body := e.do("POST", pullPath, url.Values{"mode": {"standard"}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != syncPath {
			t.Fatalf("run sync: %d to %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		resp, body = e.do("POST", pullPath, url.Values{"mode": {"full"}, "confirm": {"yes"}}, nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already running") {
			t.Fatalf("second pull while one runs: %d: %.400s", resp.StatusCode, body)
		}
		if resp, body = e.do("GET", syncPath, nil, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-live="true"`) {
			t.Fatalf("sync page while the pull runs: %d, live: %v", resp.StatusCode, strings.Contains(body, `data-live="true"`))
		}

		p := e.waitPull(conn.ID, 60*time.Second)
		results, err := e.st.EndpointResults(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != store.PullCompleted || p.Mode != store.PullStandard || len(results) == 0 {
			t.Fatalf("pull %s (%s) with %d results: %s", p.Status, p.Mode, len(results), p.Error)
		}
		_, body = e.do("GET", syncPath, nil, nil)
		if !strings.Contains(body, `data-outcome>completed`) || strings.Count(body, "<tr data-endpoint=") != len(results) {
			t.Fatalf("the sync page does not show the completed pull and its %d results: %.600s", len(results), body)
		}
		if ps, _ := e.st.Pulls(ctx, conn.ID, 0); len(ps) != 1 {
			t.Fatalf("%d pulls, want 1: the refused request made one", len(ps))
		}

		resp, body = e.do("POST", pullPath, url.Values{"mode": {"full"}, "confirm": {"yes"}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("re-pull all data: %d: %.300s", resp.StatusCode, body)
		}
		if p := e.waitPull(conn.ID, 60*time.Second); p.Status != store.PullCompleted || p.Mode != store.PullFull {
			t.Fatalf("re-pull ended %s as %s: %s", p.Status, p.Mode, p.Error)
		}

		if resp, body = e.do("POST", fmt.Sprintf("/connections/%d/disconnect", conn.ID), nil, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disconnect: %d: %.300s", resp.StatusCode, body)
		}
		resp, body = e.do("POST", pullPath, url.Values{"mode": {"standard"}}, nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "disconnected") {
			t.Fatalf("pull of a disconnected account: %d: %.400s", resp.StatusCode, body)
		}
		if ps, _ := e.st.Pulls(ctx, conn.ID, 0); len(ps) != 2 {
			t.Fatalf("%d pulls, want 2", len(ps))
		}
	})
}
