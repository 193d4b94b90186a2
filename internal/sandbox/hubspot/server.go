package hubspot

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/datapull/datapull/internal/sandbox"
)

// Server is a sandbox HubSpot: OAuth and the CRM APIs on the real paths
// (v3/v4 and the date-versioned aliases), plus an admin API under /_sandbox/.
type Server struct {
	cfg    Config
	clock  *sandbox.Clock
	world  *World
	ident  *identity
	limits *limiter
	faults *sandbox.Faults
	meter  *sandbox.Meter
	mux    *http.ServeMux
	cache  *searchCache
	lagMs  atomic.Int64 // the search lag in provider ms; the admin API can change it
	bodies sync.Pool    // *[]byte response buffers, reused across calls (see call.body)
}

// New generates the sandbox's portals and returns a server ready to serve them.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := sandbox.StartTime(cfg.Start)
	faults, err := sandbox.ParseFaults(cfg.Faults, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("hubspot sandbox: %w", err)
	}
	world, err := Generate(cfg, start)
	if err != nil {
		return nil, fmt.Errorf("hubspot sandbox: generate: %w", err)
	}
	s := &Server{
		cfg:    cfg,
		clock:  sandbox.NewClock(start, cfg.TimeScale),
		world:  world,
		faults: faults,
		meter:  sandbox.NewMeter(),
		mux:    http.NewServeMux(),
		cache:  newSearchCache(16),
	}
	s.lagMs.Store(cfg.SearchLag.Milliseconds())
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

// nowMs is the provider clock's now in Unix milliseconds.
func (s *Server) nowMs() int64 { return s.clock.Now().UnixMilli() }

// limitKind says which rate limits a route is subject to.
type limitKind int

const (
	limitGeneral limitKind = iota // the ten-second burst and the daily limit
	limitSearch                   // search's own per-second limit (and daily), no headers
	limitAssoc                    // the associations endpoints' own burst (and daily)
)

// call is one CRM API request as it goes through the pipeline.
type call struct {
	r         *http.Request
	grant     *grant
	portal    *Portal
	typ       *ObjectType // the path's object type, when it has one
	toTyp     *ObjectType // an associations path's other type
	endpoint  string      // the meter's and fault profile's name for it
	shortPage bool        // the short-page fault fired: serve fewer records
	truncate  bool        // the truncate fault fired: cut the body short
	now       int64
	bodies    *sync.Pool // the server's response buffers
	pooled    bool       // the body came from bodies, and goes back after the write
}

// maxPooledBody is the largest response buffer kept for reuse: a page of
// 100 contacts with 900 properties is about 6 MB.
const maxPooledBody = 32 << 20

// body returns an empty response buffer of at least n bytes' capacity,
// reused from earlier calls. Pages are built into it and written once;
// building each in a fresh buffer grown by doubling cost the sandbox a
// fifth of its CPU time in a full pull.
func (c *call) body(n int) []byte {
	c.pooled = true
	if bp, ok := c.bodies.Get().(*[]byte); ok && cap(*bp) >= n {
		return (*bp)[:0]
	}
	return make([]byte, 0, n)
}

// prepFunc resolves what a request is about (object type, endpoint name)
// and names the scopes any one of which it needs. It runs after the token
// is known, before rate limits and faults.
type prepFunc func(c *call) (scopes []string, err *apiError)

// apiHandler serves one request.
type apiHandler func(c *call) (status int, body []byte, err *apiError)

// api wraps an endpoint in HubSpot's request pipeline: the method, the
// request line's length, the token, the scopes, the rate limits, then
// serve (or fail as the fault profile says). Every response is metered.
func (s *Server) api(method string, kind limitKind, endpoint string, prep prepFunc, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-HubSpot-Correlation-Id", sandbox.NewUUID())
		c := &call{r: r, endpoint: endpoint, now: s.nowMs(), bodies: &s.bodies}
		status, body, apiErr := s.serveAPI(w, c, method, kind, prep, h)
		if c.endpoint == "" {
			// Refused before the path was resolved (no token, say).
			c.endpoint = r.URL.Path
		}
		tenant := ""
		if c.portal != nil {
			tenant = strconv.FormatInt(c.portal.ID, 10)
		}
		mw := s.meter.Wrap(w, tenant, c.endpoint)
		defer mw.Done()
		switch {
		case apiErr == errHandled:
		case apiErr != nil:
			apiErr.Send(mw)
		default:
			var out http.ResponseWriter = mw
			if c.truncate {
				out = sandbox.TruncateBody(mw)
			}
			out.Header().Set("Content-Type", contentJSON)
			out.WriteHeader(status)
			out.Write(body)
			if c.pooled && cap(body) <= maxPooledBody {
				body = body[:0]
				s.bodies.Put(&body)
			}
		}
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, c *call, method string, kind limitKind, prep prepFunc, h apiHandler) (int, []byte, *apiError) {
	r := c.r
	if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
		return 0, nil, errMethod(method)
	}
	if len(r.RequestURI) > s.cfg.MaxURILength {
		return 0, nil, htmlError(http.StatusRequestURITooLong)
	}
	if v := r.PathValue("ver"); v != "" && !dateVersion.MatchString(v) {
		return 0, nil, errNoRoute(r.URL.Path)
	}
	g, apiErr := s.ident.authenticate(r, c.now)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	c.grant, c.portal = g, g.portal
	scopes, apiErr := prep(c)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if len(scopes) > 0 && !g.hasAny(scopes) {
		return 0, nil, errMissingScopes(scopes)
	}
	if apiErr := s.limits.admit(w, kind, c); apiErr != nil {
		return 0, nil, apiErr
	}
	if apiErr := s.injectFault(w, c); apiErr != nil {
		return 0, nil, apiErr
	}
	return h(c)
}

// dateVersion matches HubSpot's date-based API versions, released each
// March and September (2026-03, 2026-09).
var dateVersion = regexp.MustCompile(`^20[2-9][0-9]-(03|09)$`)

// typed is the prepFunc of a route whose path names an object type in
// {type}: it resolves the type and names the endpoint after it.
func typed(suffix string, scopes func(*ObjectType) []string) prepFunc {
	return func(c *call) ([]string, *apiError) {
		name := c.r.PathValue("type")
		c.portal.mu.RLock()
		t := c.portal.Type(name)
		c.portal.mu.RUnlock()
		if t == nil {
			c.endpoint = name + suffix
			return nil, errUnknownType(name)
		}
		c.typ = t
		c.endpoint = t.Name + suffix
		return scopes(t), nil
	}
}

func recordScopes(t *ObjectType) []string { return t.Scopes }
func schemaScopes(t *ObjectType) []string { return t.SchemaScopes }

// fixed is the prepFunc of a route about no object type.
func fixed(scopes ...string) prepFunc {
	return func(*call) ([]string, *apiError) { return scopes, nil }
}

func (s *Server) routes() {
	s.oauthRoutes()
	s.objectRoutes()
	s.metadataRoutes()
	s.associationRoutes()
	s.adminRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-HubSpot-Correlation-Id", sandbox.NewUUID())
		mw := s.meter.Wrap(w, "", "unknown")
		defer mw.Done()
		errNoRoute(r.URL.Path).Send(mw)
	})
}

// both registers a handler on a legacy path and its date-versioned alias
// (the alias has {ver} where the version goes).
func (s *Server) both(legacy, dated string, h http.HandlerFunc) {
	s.mux.HandleFunc(legacy, h)
	s.mux.HandleFunc(dated, h)
}
