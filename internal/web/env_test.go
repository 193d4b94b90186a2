package web

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/jobs"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"
	"github.com/datapull/datapull/internal/testdb"

	hsandbox "github.com/datapull/datapull/internal/sandbox/hubspot"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// The web tests run everything for real: the sandbox providers over HTTP,
// the OAuth flow through their consent pages, River jobs on a SQLite
// store (or PostgreSQL, where a test asks), and the app served on
// 127.0.0.1.

var testStart = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

type env struct {
	t       testing.TB
	xero    *xsandbox.Server
	xeroURL string
	xeroSrv *httptest.Server
	sealer  secrets.Sealer
	hubURL  string
	st      *store.Store
	app     *app.App
	hub     *Hub
	jobs    *jobs.Runner
	srv     *Server
	url     string // the app, http://127.0.0.1:port
}

type envOptions struct {
	xero      func(*xsandbox.Config)
	hubspot   bool
	flowLimit time.Duration
	login     *Login
	addr      string // listen address; "" is 127.0.0.1:0
	dsn       string // the store; "" is a fresh SQLite file
	// publish, when set, makes the jobs' OnEvent out of the hub's
	// Publish (to watch events on their way in); nil uses Publish as is.
	publish func(*Hub) func(pull.Event)
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	cfg := xsandbox.DefaultConfig()
	cfg.Seed, cfg.Size, cfg.Start, cfg.TimeScale, cfg.LimitsOff, cfg.Orgs = 7, "demo", testStart, 0, true, 2
	if o.xero != nil {
		o.xero(&cfg)
	}
	xs, err := xsandbox.New(cfg)
	if err != nil {
		t.Fatalf("xero sandbox: %v", err)
	}
	xhs := httptest.NewServer(xs.Handler())
	t.Cleanup(xhs.Close)
	e := &env{t: t, xero: xs, xeroURL: xhs.URL, xeroSrv: xhs}
	if o.hubspot {
		hcfg := hsandbox.DefaultConfig()
		hcfg.Seed, hcfg.Start, hcfg.TimeScale, hcfg.LimitsOff, hcfg.SearchLag = 3, testStart, 0, true, 0
		hs, err := hsandbox.New(hcfg)
		if err != nil {
			t.Fatalf("hubspot sandbox: %v", err)
		}
		hhs := httptest.NewServer(hs.Handler())
		t.Cleanup(hhs.Close)
		e.hubURL = hhs.URL
	}

	dsn := o.dsn
	if dsn == "" {
		dsn = testdb.SQLite(t)
	}
	e.st, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { e.st.Close() })
	e.st.SetClock(xs.Clock().Now)
	key := make([]byte, 32)
	rand.Read(key)
	sealer, err := secrets.NewAESGCM(key)
	if err != nil {
		t.Fatal(err)
	}
	e.sealer = sealer
	if e.app, err = app.New(app.Config{Store: e.st, Sealer: sealer, Now: xs.Clock().Now, Unpaced: true}); err != nil {
		t.Fatal(err)
	}
	e.hub = NewHub()
	onEvent := e.hub.Publish
	if o.publish != nil {
		onEvent = o.publish(e.hub)
	}
	e.jobs, err = jobs.Open(ctx, jobs.Config{App: e.app, DSN: dsn, OnEvent: onEvent, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("jobs: %v", err)
	}
	if err := e.jobs.Start(ctx); err != nil {
		t.Fatalf("jobs: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e.jobs.Stop(sctx)
	})

	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = New(Config{App: e.app, Jobs: e.jobs, Hub: e.hub, Addr: ln.Addr().String(), Instance: "test",
		Login: o.login, Sandbox: xhs.URL, FlowTimeout: o.flowLimit,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		ln.Close()
		t.Fatalf("web: %v", err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: e.srv.Handler()}}
	hs.Start()
	t.Cleanup(hs.CloseClientConnections)
	t.Cleanup(hs.Close)
	e.url = hs.URL
	return e
}

// workspace makes a workspace straight in the store.
func (e *env) workspace(name string) store.Workspace {
	e.t.Helper()
	ws, err := e.st.CreateWorkspace(context.Background(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return ws
}

// connect connects the first sandbox organisation to ws without a browser.
func (e *env) connect(ws store.Workspace) store.Connection {
	e.t.Helper()
	conns, err := e.app.Connect(context.Background(), app.ConnectRequest{WorkspaceID: ws.ID, Source: "xero", Sandbox: e.xeroURL,
		Login: oauthApprove(e.xero.World().Orgs[0].ID)})
	if err != nil {
		e.t.Fatalf("connect: %v", err)
	}
	return conns[0]
}

// waitPull waits for the connection's latest pull to finish.
func (e *env) waitPull(connID int64, timeout time.Duration) store.Pull {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		_, queued, err := e.jobs.Active(context.Background(), connID)
		if err != nil {
			e.t.Fatal(err)
		}
		ps, err := e.st.Pulls(context.Background(), connID, 1)
		if err != nil {
			e.t.Fatal(err)
		}
		if !queued && len(ps) == 1 && ps[0].Status != store.PullRunning {
			return ps[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("connection %d: no finished pull within %s", connID, timeout)
	return store.Pull{}
}
