package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/sandbox"
	"github.com/datapull/datapull/internal/sandbox/xero/apitruth"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"
	"github.com/datapull/datapull/internal/testdb"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// The app's tests run everything for real: the sandbox Xero over HTTP, the
// OAuth flow through its consent page, the pacer, the connector, the
// engine and a SQLite or PostgreSQL store. The sandbox is the ground truth.

var testStart = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

type env struct {
	t     testing.TB
	srv   *xsandbox.Server
	url   string
	st    *store.Store
	app   *App
	ws    store.Workspace
	conns []store.Connection
}

type envOptions struct {
	dsn     string // "" means a SQLite file
	size    string // "" means demo
	config  func(*xsandbox.Config)
	app     func(*Config)
	tenants []string // organisations to approve; nil means the first
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	cfg := xsandbox.DefaultConfig()
	cfg.Seed, cfg.Size, cfg.Start, cfg.TimeScale, cfg.LimitsOff = 7, "demo", testStart, 0, true
	if o.size != "" {
		cfg.Size = o.size
	}
	if o.config != nil {
		o.config(&cfg)
	}
	srv, err := xsandbox.New(cfg)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &env{t: t, srv: srv, url: hs.URL}
	e.st, e.app, e.ws = newTestApp(t, o.dsn, srv.Clock().Now, cfg.LimitsOff, o.app)
	tenants := o.tenants
	if tenants == nil {
		tenants = []string{srv.World().Orgs[0].ID}
	}
	e.conns = e.connect(tenants...)
	return e
}

// newTestApp is a store (SQLite in a temporary directory when dsn is
// empty), an app on it with a random sealing key, tuned by tune when it
// is not nil, and a workspace "Test".
func newTestApp(t testing.TB, dsn string, now func() time.Time, unpaced bool, tune func(*Config)) (*store.Store, *App, store.Workspace) {
	t.Helper()
	st := openStore(t, dsn, now)
	key := make([]byte, 32)
	rand.Read(key)
	sealer, err := secrets.NewAESGCM(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Sealer: sealer, Now: now, Unpaced: unpaced}
	if tune != nil {
		tune(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.CreateWorkspace(context.Background(), "Test")
	if err != nil {
		t.Fatal(err)
	}
	return st, a, ws
}

func openStore(t testing.TB, dsn string, now func() time.Time) *store.Store {
	t.Helper()
	if dsn == "" {
		dsn = testdb.SQLite(t)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetClock(now)
	return st
}

// connect signs in through the sandbox's consent page, approving tenants.
func (e *env) connect(tenants ...string) []store.Connection {
	e.t.Helper()
	conns, err := e.app.Connect(context.Background(), ConnectRequest{WorkspaceID: e.ws.ID, Source: "xero", Sandbox: e.url,
		Login: oauth.LoginOptions{Opener: ApproveSandboxConsent(tenants...), Timeout: 30 * time.Second}})
	if err != nil {
		e.t.Fatalf("Connect: %v", err)
	}
	return conns
}

// pull runs a pull of connection i and fails the test if it errs.
func (e *env) pull(i int, mode store.PullMode) store.Pull {
	e.t.Helper()
	p, err := e.app.Pull(context.Background(), e.conns[i].ID, mode, nil)
	if err != nil {
		e.t.Fatalf("Pull: %v", err)
	}
	return p
}

// compareTruth holds every endpoint's stored records of connection i to
// the sandbox's ground truth: each record the sandbox holds must be stored
// equal (id, change time, status, payload), and a stored record the
// sandbox no longer holds must be marked deleted. It returns the
// differences, at most a few per endpoint.
func (e *env) compareTruth(i int) []string {
	e.t.Helper()
	ctx := context.Background()
	conn := e.conns[i]
	org := e.srv.World().Org(conn.AccountID)
	var diffs []string
	for _, info := range e.app.mustSource(conn).Catalog() {
		if strings.HasPrefix(info.Name, "report_") {
			if n, _ := e.st.RawCount(ctx, conn.ID, info.Name); n == 0 {
				diffs = append(diffs, info.Name+": no report stored")
			}
			continue
		}
		got := map[string]provider.Record{}
		err := e.st.RawRecords(ctx, conn.ID, info.Name, func(r store.RawRecord) error {
			got[r.ID] = r.Record()
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
		want := apitruth.Records(org, info.Name)
		held := map[string]bool{}
		for _, w := range want {
			held[w.ID] = true
		}
		for id, r := range got {
			if !held[id] {
				if r.Status != provider.StatusDeleted {
					diffs = append(diffs, info.Name+": "+id+" is gone from the sandbox but stored as "+string(r.Status))
				}
				delete(got, id)
			}
		}
		for _, d := range apitruth.Compare(got, want) {
			diffs = append(diffs, info.Name+": "+d)
		}
	}
	return diffs
}

func (a *App) mustSource(conn store.Connection) provider.Source {
	src, err := a.source(conn.Source, conn.BaseURLs)
	if err != nil {
		panic(err)
	}
	return src
}

// results maps a pull's endpoint results by endpoint.
func (e *env) results(p store.Pull) map[string]store.EndpointResult { return pullResults(e.t, e.st, p) }

func (e *env) notes(p store.Pull) []store.Note { return pullNotes(e.t, e.st, p) }

// pullResults maps a pull's endpoint results by endpoint.
func pullResults(t testing.TB, st *store.Store, p store.Pull) map[string]store.EndpointResult {
	t.Helper()
	rs, err := st.EndpointResults(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.EndpointResult{}
	for _, r := range rs {
		out[r.Endpoint] = r
	}
	return out
}

// pullNotes is a pull's notes.
func pullNotes(t testing.TB, st *store.Store, p store.Pull) []store.Note {
	t.Helper()
	ns, err := st.Notes(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// meterReport reads a sandbox's meter over its admin API: every tenant's
// usage per endpoint.
func meterReport(tb testing.TB, baseURL string) []sandbox.Usage {
	tb.Helper()
	resp, err := http.Get(baseURL + "/_sandbox/meter")
	if err != nil {
		tb.Fatalf("read meter: %v", err)
	}
	defer resp.Body.Close()
	var rep sandbox.MeterReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		tb.Fatalf("read meter: %v", err)
	}
	return rep.Usage
}

// meterUsage is a sandbox's meter for one tenant, by endpoint.
func meterUsage(tb testing.TB, baseURL, tenant string) map[string]sandbox.Usage {
	tb.Helper()
	out := map[string]sandbox.Usage{}
	for _, u := range meterReport(tb, baseURL) {
		if u.Tenant == tenant {
			out[u.Endpoint] = u
		}
	}
	return out
}
