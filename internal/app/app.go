// Package app wires DataPull's parts into the operations its commands and
// web pages offer: connect an account, pull a connection. It owns the
// things one process must share: the store, the token owners (one per
// token set, so a Xero user's organisations share one refresh), the
// app-wide call budgets, and the list of sources.
package app

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/pacer"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/hubspot"
	"github.com/datapull/datapull/internal/provider/xero"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/secrets"
	"github.com/datapull/datapull/internal/store"
)

// SandboxClientID is the public client the sandbox providers know (the
// Xero and HubSpot sandboxes' PublicClientID).
const SandboxClientID = "datapull-sandbox"

// hubspotBurst is a public HubSpot app's burst limit per portal.
const hubspotBurst = 110

// Config is what New needs.
type Config struct {
	Store  *store.Store
	Sealer secrets.Sealer
	// TimeScale is the provider's seconds per wall second: 1 for the real
	// providers, more for a time-scaled sandbox, whose per-minute limits
	// then pass faster. 0 means 1.
	TimeScale float64
	// MaxWait is the longest the pacer sleeps at once before the pull
	// stops with a note instead; 0 means no cap.
	MaxWait time.Duration
	// HTTP is the base transport for provider calls; nil means the default.
	HTTP http.RoundTripper
	// Now is the clock for pulls; nil means time.Now.
	Now func() time.Time
	// SweepEvery overrides the connectors' periodic full read interval
	// when positive.
	SweepEvery time.Duration
	// PageSize overrides the Xero page size when positive (tests).
	PageSize int
	// Unpaced turns the pacer's budgets and its reading of allowance
	// headers off, for a sandbox serving with its limits off (throughput
	// benchmarks, tests): that sandbox still counts calls in its headers,
	// which would otherwise pause every minute. Retries stay on.
	Unpaced bool
}

// App is one DataPull process's shared state. Safe for concurrent use.
type App struct {
	cfg    Config
	st     *store.Store
	engine *pull.Engine
	tokens oauth.Registry

	mu         sync.Mutex
	budgets    map[string]*pacer.Budget // app-wide budgets, by source
	transports map[int64]accountTransport
}

// accountTransport is the pacer of one connection, kept across pulls: a
// provider's per-account window outlives a pull, so a pull starting right
// after another must see the calls the first one spent.
type accountTransport struct {
	tokenSetID int64
	base       provider.BaseURLs
	tr         *pacer.Transport
}

// New returns an App over cfg's store.
func New(cfg Config) (*App, error) {
	if cfg.Store == nil || cfg.Sealer == nil {
		return nil, fmt.Errorf("app: a store and a sealer are required")
	}
	if cfg.TimeScale <= 0 {
		cfg.TimeScale = 1
	}
	return &App{cfg: cfg, st: cfg.Store, engine: pull.New(cfg.Store, pull.Options{Now: cfg.Now}),
		budgets: map[string]*pacer.Budget{}, transports: map[int64]accountTransport{}}, nil
}

// Store is the app's store.
func (a *App) Store() *store.Store { return a.st }

// Sources names the sources DataPull can connect, in display order.
func Sources() []string { return []string{"xero", "hubspot"} }

// source returns the named source for the given hosts: against a sandbox
// (hosts other than the real ones) it signs in as the sandbox's client.
func (a *App) source(name string, base provider.BaseURLs) (provider.Source, error) {
	switch name {
	case "xero":
		opts := []xero.Option{}
		if a.cfg.SweepEvery > 0 {
			opts = append(opts, xero.WithSweepEvery(a.cfg.SweepEvery))
		}
		if a.cfg.PageSize > 0 {
			opts = append(opts, xero.WithPageSize(a.cfg.PageSize))
		}
		src := xero.New(opts...)
		if base != (provider.BaseURLs{}) && base != src.DefaultBaseURLs() {
			src = xero.New(append(opts, xero.WithClientID(SandboxClientID))...)
		}
		return src, nil
	case "hubspot":
		opts := []hubspot.Option{}
		if a.cfg.SweepEvery > 0 {
			opts = append(opts, hubspot.WithSweepEvery(a.cfg.SweepEvery))
		}
		if a.cfg.PageSize > 0 && a.cfg.PageSize < 100 {
			opts = append(opts, hubspot.WithPageSize(a.cfg.PageSize))
		}
		src := hubspot.New(opts...)
		if base != (provider.BaseURLs{}) && base != src.DefaultBaseURLs() {
			src = hubspot.New(append(opts, hubspot.WithClientID(SandboxClientID))...)
		}
		return src, nil
	}
	return nil, fmt.Errorf("unknown source %q (known: xero, hubspot)", name)
}

// BaseURLs returns the hosts of a source: its real ones, or a sandbox's
// when sandbox is a URL (every host is then the sandbox).
func (a *App) BaseURLs(sourceName, sandbox string) (provider.BaseURLs, error) {
	if sandbox != "" {
		return provider.BaseURLs{Auth: sandbox, Token: sandbox, API: sandbox}, nil
	}
	src, err := a.source(sourceName, provider.BaseURLs{})
	if err != nil {
		return provider.BaseURLs{}, err
	}
	return src.DefaultBaseURLs(), nil
}

// policy is the pacer policy of a source, its windows scaled to the
// provider's clock.
func (a *App) policy(source string) pacer.Policy {
	var p pacer.Policy
	switch source {
	case "xero":
		p = pacer.Xero()
	case "hubspot":
		// A public (marketplace) app: 110 calls per ten seconds per
		// installing portal (hubspot-api.md §5.1); the headers correct it.
		p = pacer.HubSpot(hubspotBurst)
	}
	p.Window = scale(p.Window, a.cfg.TimeScale)
	lanes := make([]pacer.Lane, len(p.Lanes))
	for i, l := range p.Lanes {
		l.Window = scale(l.Window, a.cfg.TimeScale)
		lanes[i] = l
	}
	p.Lanes = lanes
	p.MaxWait = a.cfg.MaxWait
	if observe, s := p.Observe, a.cfg.TimeScale; observe != nil && s != 1 {
		// The headers speak of the provider's windows (Xero's minute);
		// a time-scaled sandbox's pass faster on the wall clock.
		p.Observe = func(resp *http.Response) pacer.Allowance {
			al := observe(resp)
			al.Window = scale(al.Window, s)
			return al
		}
	}
	if a.cfg.Unpaced {
		p.Budget, p.Observe, p.Lanes = 0, nil, nil
	}
	return p
}

// appBudget is the budget every account of a source shares (Xero's
// 10,000 calls a minute per app), made once.
func (a *App) appBudget(source string) *pacer.Budget {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.budgets[source]; ok {
		return b
	}
	var b *pacer.Budget
	if source == "xero" && !a.cfg.Unpaced {
		b = pacer.NewBudget(10000, scale(time.Minute, a.cfg.TimeScale))
	}
	a.budgets[source] = b
	return b
}

func scale(d time.Duration, s float64) time.Duration {
	if d <= 0 || s == 1 {
		return d
	}
	return time.Duration(float64(d) / s)
}
