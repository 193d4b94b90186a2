// Package web is DataPull's local web app: workspaces, API Pull (choose a
// workspace, a source and an account, then sync), connecting accounts
// through the provider's own sign-in, the live sync page, pull history and
// help. Pulls run as jobs (package jobs); their progress reaches the
// browser as server-sent events.
//
// Everything it serves is embedded: templates parsed once, static files
// under a content-hash path, no CDN, no inline script.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/jobs"
	"github.com/datapull/datapull/internal/store"
)

// Config is what New needs.
type Config struct {
	App  *app.App
	Jobs *jobs.Runner
	// Hub carries pull progress to the sync pages; give the same hub's
	// Publish to jobs.Config.OnEvent.
	Hub *Hub
	// Addr is the address the server listens on (host:port, port
	// resolved): it decides the Host names accepted, whether a login is
	// needed, and the sign-in's redirect URI.
	Addr string
	// Instance names this instance (a few letters, stable across restarts
	// of the same database and port) so its cookies do not mix with those
	// of another DataPull on the same host.
	Instance string
	// Login is the password check for a non-loopback address; New refuses
	// such an address without one.
	Login *Login
	// Sandbox is the base URL of a sandbox provider to offer in the
	// connect form (the demo sets it); empty offers none by default.
	Sandbox string
	// FlowTimeout is how long a sign-in may take before it is dropped as
	// abandoned; 0 means 10 minutes, an authorization code's longest life.
	FlowTimeout time.Duration
	// Logger receives request errors; nil discards them.
	Logger *slog.Logger
}

// Server is the web app. Make it with New.
type Server struct {
	cfg      Config
	app      *app.App
	st       *store.Store
	jobs     *jobs.Runner
	hub      *Hub
	pages    *pages
	static   *staticFiles
	log      *slog.Logger
	loopback bool
	cookie   string // the session cookie's name, unique to the instance

	mu       sync.Mutex
	flows    map[string]*flow // sign-ins in progress, by id
	sessions map[string]time.Time
}

// New returns the web app for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.App == nil || cfg.Jobs == nil || cfg.Hub == nil {
		return nil, errors.New("web: an app, a job runner and a hub are required")
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("web: address %q: %w", cfg.Addr, err)
	}
	loopback := isLoopbackHost(host)
	if !loopback && cfg.Login == nil {
		return nil, fmt.Errorf("web: %s is not a loopback address, so a login password is required", cfg.Addr)
	}
	if cfg.FlowTimeout <= 0 {
		cfg.FlowTimeout = 10 * time.Minute
	}
	if cfg.Instance == "" {
		cfg.Instance = "local"
	}
	st, err := newStatic()
	if err != nil {
		return nil, err
	}
	p, err := parsePages(st)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, app: cfg.App, st: cfg.App.Store(), jobs: cfg.Jobs, hub: cfg.Hub, pages: p, static: st,
		log: logger, loopback: loopback, cookie: "datapull-" + cfg.Instance + "-session",
		flows: map[string]*flow{}, sessions: map[string]time.Time{}}, nil
}

// Handler is the app's whole HTTP handler, safety checks included.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", s.static)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("POST /logout", s.logout)

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /workspaces", s.workspaces)
	mux.HandleFunc("POST /workspaces", s.createWorkspace)
	mux.HandleFunc("GET /workspaces/switch", s.switchWorkspace)
	mux.HandleFunc("POST /workspaces/{ws}/rename", s.renameWorkspace)
	mux.HandleFunc("GET /workspaces/{ws}/delete", s.confirmDeleteWorkspace)
	mux.HandleFunc("POST /workspaces/{ws}/delete", s.deleteWorkspace)

	mux.HandleFunc("GET /w/{ws}/pull", s.apiPull)
	mux.HandleFunc("POST /w/{ws}/connect", s.startConnect)
	mux.HandleFunc("GET /connect/{flow}", s.flowPage)
	mux.HandleFunc("POST /connect/{flow}/pick", s.pickAccounts)
	mux.HandleFunc("POST /connect/{flow}/cancel", s.cancelFlow)
	mux.HandleFunc("GET /callback", s.callback)

	mux.HandleFunc("POST /connections/{conn}/pull", s.runPull)
	mux.HandleFunc("GET /connections/{conn}/repull", s.confirmRepull)
	mux.HandleFunc("POST /connections/{conn}/reconnect", s.reconnect)
	mux.HandleFunc("GET /connections/{conn}/disconnect", s.confirmDisconnect)
	mux.HandleFunc("POST /connections/{conn}/disconnect", s.disconnect)
	mux.HandleFunc("GET /connections/{conn}/sync", s.syncPage)
	mux.HandleFunc("GET /connections/{conn}/events", s.events)
	mux.HandleFunc("GET /connections/{conn}/history", s.history)
	mux.HandleFunc("GET /pulls/{pull}", s.pullPage)

	mux.HandleFunc("GET /help", s.help)
	mux.HandleFunc("GET /help/{topic}", s.help)
	mux.HandleFunc("/", s.notFound)
	return s.protect(mux)
}

// isLoopbackHost reports whether host names this machine only.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redirectURI is where the provider sends the sign-in's answer: this
// server's /callback on a loopback name, which the providers accept on
// any port (RFC 8252 §7.3).
func (s *Server) redirectURI() string {
	_, port, _ := net.SplitHostPort(s.cfg.Addr)
	return "http://127.0.0.1:" + port + "/callback"
}

// Close drops the sign-ins in progress.
func (s *Server) Close(context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flows = map[string]*flow{}
}
