package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/datapull/datapull/internal/sandbox/hubspot"
	"github.com/datapull/datapull/internal/sandbox/xero"
)

// runSandbox serves the sandbox Xero and the sandbox HubSpot, each on its
// own loopback port, until the context is cancelled.
func runSandbox(ctx context.Context, env *Env, args []string) error {
	cfg := xero.DefaultConfig()
	hcfg := hubspot.DefaultConfig()
	fs := newFlagSet("sandbox", env)
	addr := fs.String("addr", "127.0.0.1:8721", "address of the sandbox Xero (loopback only by default)")
	hubAddr := fs.String("hubspot-addr", "127.0.0.1:8722", "address of the sandbox HubSpot; \"off\" serves Xero alone")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed for data, ids and faults")
	fs.StringVar(&cfg.Size, "size", cfg.Size, "data per organisation and portal: demo, small, medium or large")
	fs.IntVar(&cfg.Orgs, "orgs", cfg.Orgs, "number of Xero organisations")
	fs.IntVar(&hcfg.Portals, "portals", hcfg.Portals, "number of HubSpot portals")
	fs.Float64Var(&cfg.TimeScale, "time-scale", cfg.TimeScale, "provider seconds per wall-clock second (0 freezes the clock)")
	fs.IntVar(&cfg.DayLimit, "day-limit", cfg.DayLimit, "Xero calls per organisation per provider day")
	fs.IntVar(&cfg.MinuteLimit, "minute-limit", cfg.MinuteLimit, "Xero calls per organisation per provider minute")
	fs.BoolVar(&cfg.LimitsOff, "limits-off", false, "disable rate limits (headers are still sent)")
	fs.StringVar(&cfg.Faults, "faults", "", "Xero fault profile, e.g. \"Invoices:500@0.05,*:reset@call=7\"")
	fs.StringVar(&hcfg.Faults, "hubspot-faults", "", "HubSpot fault profile, e.g. \"contacts:502@0.05\"")
	fs.DurationVar(&hcfg.SearchLag, "search-lag", hcfg.SearchLag, "how long a HubSpot change takes to show in search")
	start := fs.String("start", "", "provider clock start, RFC 3339 (default: now)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *start != "" {
		t, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			return fmt.Errorf("%w: -start: want RFC 3339 such as 2026-01-31T09:00:00Z, got %q", errUsage, *start)
		}
		cfg.Start = t
	}
	hcfg.Seed, hcfg.Size, hcfg.TimeScale, hcfg.LimitsOff, hcfg.Start = cfg.Seed, cfg.Size, cfg.TimeScale, cfg.LimitsOff, cfg.Start
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := hcfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	began := time.Now()
	srv, err := xero.New(cfg)
	if err != nil {
		return err
	}
	servers := []*http.Server{}
	errc := make(chan error, 2)
	serve := func(addr string, h http.Handler) (string, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return "", fmt.Errorf("listen on %s: %w", addr, err)
		}
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		go func() { errc <- hs.Serve(ln) }()
		return "http://" + ln.Addr().String(), nil
	}
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, hs := range servers {
			hs.Shutdown(shutdown)
		}
	}()
	base, err := serve(*addr, srv.Handler())
	if err != nil {
		return err
	}
	out := env.Stdout
	fmt.Fprintf(out, "Sandbox Xero ready in %v (%s data, seed %d)\n", time.Since(began).Round(time.Millisecond), cfg.Size, cfg.Seed)
	fmt.Fprintf(out, "  sign-in:     %s/identity/connect/authorize\n", base)
	fmt.Fprintf(out, "  token:       %s/connect/token\n", base)
	fmt.Fprintf(out, "  API:         %s/api.xro/2.0/\n", base)
	fmt.Fprintf(out, "  admin:       %s/_sandbox/\n", base)
	for _, o := range srv.World().Orgs {
		fmt.Fprintf(out, "  organisation %s  %s\n", o.ID, o.Name)
	}
	if *hubAddr != "off" {
		if err := serveHubSpot(out, hcfg, *hubAddr, serve); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "Connect with: datapull connect xero -workspace W -sandbox "+base+"\nPress Ctrl+C to stop.")
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
	case <-ctx.Done():
	}
	return nil
}

// serveHubSpot starts the sandbox HubSpot and says where it is.
func serveHubSpot(out io.Writer, cfg hubspot.Config, addr string, serve func(string, http.Handler) (string, error)) error {
	began := time.Now()
	srv, err := hubspot.New(cfg)
	if err != nil {
		return err
	}
	base, err := serve(addr, srv.Handler())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Sandbox HubSpot ready in %v\n", time.Since(began).Round(time.Millisecond))
	fmt.Fprintf(out, "  sign-in:     %s/oauth/authorize\n", base)
	fmt.Fprintf(out, "  API:         %s/crm/v3/\n", base)
	fmt.Fprintf(out, "  admin:       %s/_sandbox/\n", base)
	for _, p := range srv.World().Portals {
		fmt.Fprintf(out, "  portal %d  %s (%s)\n", p.ID, p.Name, p.Domain)
	}
	return nil
}
