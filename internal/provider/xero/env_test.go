package xero

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// The tests run the connector against the sandbox Xero over real HTTP:
// the sandbox is the ground truth, and it shares no code with the
// connector, so one misreading of Xero cannot hide on both sides.

// testStart is the sandbox clock's start: fixed, so the generated data is
// the same in every run.
var testStart = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

// env is a sandbox Xero behind a gate, signed in, with one organisation
// opened through the connector.
type env struct {
	t      testing.TB
	srv    *xsandbox.Server
	gate   *gate
	base   provider.BaseURLs
	hc     *http.Client
	src    *Source
	tenant string
	org    *xsandbox.Org
	eps    map[string]provider.Endpoint
}

// envOptions adjust an env before it starts.
type envOptions struct {
	config func(*xsandbox.Config)
	// world edits the generated data before the server serves anything.
	world  func(*xsandbox.Server)
	source []Option
	scopes []string // nil: the source's own
}

// newEnv starts a demo-sized sandbox (frozen clock, limits off), signs in
// as its first user with the source's scopes, and opens the first
// organisation.
func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	cfg := xsandbox.DefaultConfig()
	cfg.Seed = 7
	cfg.Size = "demo"
	cfg.Start = testStart
	cfg.TimeScale = 0
	cfg.LimitsOff = true
	// Tests move the clock by hours; token expiry is the pacer's business.
	cfg.AccessTokenTTL = 7 * 24 * time.Hour
	if o.config != nil {
		o.config(&cfg)
	}
	srv, err := xsandbox.New(cfg)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if o.world != nil {
		o.world(srv)
	}
	g := &gate{h: srv.Handler()}
	hs := httptest.NewServer(g)
	t.Cleanup(hs.Close)

	src := New(append([]Option{WithClientID(xsandbox.PublicClientID)}, o.source...)...)
	base := provider.BaseURLs{Auth: hs.URL, Token: hs.URL, API: hs.URL}
	scopes := o.scopes
	if scopes == nil {
		scopes = src.OAuth(base).Scopes
	}
	token := signIn(t, src.OAuth(base), scopes)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: bearer{token: token}}

	accounts, err := src.Accounts(context.Background(), base, hc)
	if err != nil || len(accounts) == 0 {
		t.Fatalf("Accounts: %v, %d accounts", err, len(accounts))
	}
	e := &env{t: t, srv: srv, gate: g, base: base, hc: hc, src: src, tenant: accounts[0].ID,
		org: srv.World().Org(accounts[0].ID), eps: map[string]provider.Endpoint{}}
	if e.org == nil {
		t.Fatalf("account %q is no sandbox organisation", accounts[0].ID)
	}
	eps, err := src.Open(base, accounts[0], hc)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for _, ep := range eps {
		e.eps[ep.Info().Name] = ep
	}
	g.reset()
	return e
}

// bearer adds the access token to every request, as the engine's pacer
// would.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// signIn approves the sandbox's consent form for every organisation, as
// the demo does, and redeems the code with PKCE.
func signIn(t testing.TB, spec provider.OAuthSpec, scopes []string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var b [32]byte
	rand.Read(b[:])
	verifier := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(verifier))
	const redirect = "http://127.0.0.1:9/callback"
	resp, err := client.PostForm(spec.AuthURL, url.Values{
		"response_type": {"code"}, "client_id": {spec.ClientID}, "redirect_uri": {redirect},
		"scope": {strings.Join(scopes, " ")}, "state": {"st"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"action": {"allow"}, "tenant": {"*"},
	})
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("consent: %d to %q, want a redirect with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = client.PostForm(spec.TokenURL, url.Values{
		"grant_type": {"authorization_code"}, "client_id": {spec.ClientID}, "code": {loc.Query().Get("code")},
		"redirect_uri": {redirect}, "code_verifier": {verifier},
	})
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, err %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// gate serialises every request to the sandbox and logs the Accounting
// API ones. Holding one lock across each request lets a test edit the
// sandbox's data between (or just before) requests without racing the
// handlers that read it; the connector calls one at a time anyway.
type gate struct {
	h      http.Handler
	mu     sync.Mutex
	log    []string              // "GET /api.xro/2.0/Invoices?page=2… IMS=…"
	before func(r *http.Request) // runs under the lock before a request is served
	after  func(r *http.Request) // runs under the lock after a request is served
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/api.xro/2.0/") {
		g.log = append(g.log, requestKey(r))
	}
	if g.before != nil {
		g.before(r)
	}
	g.h.ServeHTTP(w, r)
	if g.after != nil {
		g.after(r)
	}
}

// requestKey identifies a request: path, query and If-Modified-Since.
func requestKey(r *http.Request) string {
	k := r.URL.Path
	if r.URL.RawQuery != "" {
		k += "?" + r.URL.RawQuery
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		k += " IMS=" + ims
	}
	return k
}

// do runs f under the gate's lock, so it may read or edit the sandbox's
// data.
func (g *gate) do(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f()
}

// calls returns the requests logged since the last reset.
func (g *gate) calls() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.log)
}

func (g *gate) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = nil
}

// sink stands in for the engine: it stores pages by record id, keeps the
// cursor of the last stored page, and can refuse a page to simulate a pull
// killed before it was stored.
type sink struct {
	recs    map[string]provider.Record
	seen    map[string]int // how many times each id was emitted
	pages   int
	cursor  provider.Cursor
	done    bool
	total   int64
	failAt  int // refuse the failAt-th page (1-based); 0 never
	afterFn func(page int)
}

var errKilled = errors.New("killed before the page was stored")

func newSink() *sink {
	return &sink{recs: map[string]provider.Record{}, seen: map[string]int{}, total: -1}
}

func (s *sink) emit(_ context.Context, p provider.Page) error {
	if s.done {
		return errors.New("page emitted after the Done page")
	}
	if s.failAt > 0 && s.pages+1 == s.failAt {
		return errKilled
	}
	s.pages++
	for _, r := range p.Records {
		s.recs[r.ID] = r
		s.seen[r.ID]++
	}
	s.cursor, s.done = p.Cursor, p.Done
	if p.Total >= 0 {
		s.total = p.Total
	}
	if s.afterFn != nil {
		s.afterFn(s.pages)
	}
	return nil
}

// pull runs one endpoint into a fresh sink.
func (e *env) pull(name string, mode provider.Mode, cursor provider.Cursor) (*sink, error) {
	e.t.Helper()
	s := newSink()
	err := e.pullInto(s, name, mode, cursor)
	return s, err
}

func (e *env) pullInto(s *sink, name string, mode provider.Mode, cursor provider.Cursor) error {
	e.t.Helper()
	ep, ok := e.eps[name]
	if !ok {
		e.t.Fatalf("no endpoint %q", name)
	}
	err := ep.Pull(context.Background(), provider.PullRequest{Mode: mode, Cursor: cursor, Start: e.srv.Clock().Now()}, s.emit)
	if err == nil && !s.done {
		e.t.Errorf("%s: Pull returned without a Done page", name)
	}
	return err
}
