package xero

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/datapull/datapull/internal/sandbox"
)

// Server is a sandbox Xero: identity (OAuth, connections) and the
// Accounting API on the real paths, plus an admin API under /_sandbox/.
type Server struct {
	cfg    Config
	clock  *sandbox.Clock
	world  *World
	ident  *identity
	limits *limiter
	faults *sandbox.Faults
	meter  *sandbox.Meter
	mux    *http.ServeMux
	adm    adminState // what the admin API toggles (organisations offline)
}

// New generates the sandbox's organisations and returns a server ready to
// serve them.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := sandbox.StartTime(cfg.Start)
	faults, err := sandbox.ParseFaults(cfg.Faults, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("xero sandbox: %w", err)
	}
	world, err := Generate(cfg, start)
	if err != nil {
		return nil, fmt.Errorf("xero sandbox: generate: %w", err)
	}
	s := &Server{
		cfg:    cfg,
		clock:  sandbox.NewClock(start, cfg.TimeScale),
		world:  world,
		faults: faults,
		meter:  sandbox.NewMeter(),
		mux:    http.NewServeMux(),
		adm:    adminState{offline: map[string]bool{}},
	}
	s.ident = newIdentity(s)
	s.limits = newLimiter(s)
	s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Clock returns the provider clock, which tests advance.
func (s *Server) Clock() *sandbox.Clock { return s.clock }

// World returns the generated data.
func (s *Server) World() *World { return s.world }

func (s *Server) routes() {
	s.identityRoutes(s.mux)
	s.accountingRoutes(s.mux)
	s.adminRoutes(s.mux)
	// Anything else is Xero's plain-text 404.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		setCorrelationID(w)
		errNotFound().Send(w)
	})
}

// call is one Accounting API request after authentication and admission.
type call struct {
	r        *http.Request
	grant    *grant
	org      *Org
	instance string // the per-request id Xero puts in error bodies
}

// apiHandler serves one Accounting API endpoint for one organisation.
type apiHandler func(c *call) (status int, body []byte, err *apiError)

// api wraps an endpoint handler in Xero's request pipeline, in the order
// Xero's gateway applies it: authenticate the token, resolve the tenant,
// check the scope, admit under the rate limits, then serve (or fail as the
// fault profile says). Every response is metered.
func (s *Server) api(endpoint string, scopes scopeRule, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		instance := setCorrelationID(w)
		mw := s.meter.Wrap(w, r.Header.Get("Xero-Tenant-Id"), endpoint)
		defer mw.Done()
		w = mw
		if apiErr := s.serveAPI(w, r, endpoint, scopes, h, instance); apiErr != nil && apiErr != errHandled {
			apiErr.Send(w)
		}
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, endpoint string, scopes scopeRule, h apiHandler, instance string) *apiError {
	g, apiErr := s.ident.authenticate(r, instance)
	if apiErr != nil {
		return apiErr
	}
	org, apiErr := s.ident.connectedOrg(g, r.Header.Get("Xero-Tenant-Id"), instance)
	if apiErr != nil {
		return apiErr
	}
	if s.orgOffline(org.ID) {
		return errOrgOffline()
	}
	if !scopes.allows(g.scopes) {
		return errAuthorization(instance)
	}
	release, apiErr := s.limits.admit(w, org.ID)
	if apiErr != nil {
		return apiErr
	}
	defer release()
	if !acceptsJSON(r) {
		return errNotAcceptable()
	}
	c := &call{r: r, grant: g, org: org, instance: instance}
	switch apiErr := s.injectFault(w, c, endpoint); apiErr {
	case nil:
	case errTruncate:
		w = sandbox.TruncateBody(w)
	default:
		return apiErr
	}
	status, body, apiErr := h(c)
	if apiErr != nil {
		return apiErr
	}
	w.Header().Set("Content-Type", contentJSON)
	w.WriteHeader(status)
	w.Write(body)
	return nil
}

// acceptsJSON reports whether the request asked for JSON. Xero defaults to
// XML, so a client that forgets the header must notice.
func acceptsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if mt == "application/json" {
			return true
		}
	}
	return false
}

// setCorrelationID puts a fresh Xero-Correlation-Id on the response, with
// the cache headers Xero sends, and returns a fresh id for error bodies' Instance.
func setCorrelationID(w http.ResponseWriter) string {
	h := w.Header()
	h.Set("Xero-Correlation-Id", sandbox.NewUUID())
	h.Set("Cache-Control", "max-age=0, no-cache, no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Server", "nginx")
	return sandbox.NewUUID()
}
