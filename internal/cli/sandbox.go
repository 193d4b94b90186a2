package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/datapull/datapull/internal/sandbox/xero"
)

// runSandbox serves the sandbox Xero until the context is cancelled.
func runSandbox(ctx context.Context, env *Env, args []string) error {
	cfg := xero.DefaultConfig()
	fs := newFlagSet("sandbox", env)
	addr := fs.String("addr", "127.0.0.1:8721", "address to listen on (loopback only by default)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed for data, ids and faults")
	fs.StringVar(&cfg.Size, "size", cfg.Size, "data per organisation: demo, small, medium or large")
	fs.IntVar(&cfg.Orgs, "orgs", cfg.Orgs, "number of organisations")
	fs.Float64Var(&cfg.TimeScale, "time-scale", cfg.TimeScale, "provider seconds per wall-clock second (0 freezes the clock)")
	fs.IntVar(&cfg.DayLimit, "day-limit", cfg.DayLimit, "calls per organisation per provider day")
	fs.IntVar(&cfg.MinuteLimit, "minute-limit", cfg.MinuteLimit, "calls per organisation per provider minute")
	fs.BoolVar(&cfg.LimitsOff, "limits-off", false, "disable rate limits (headers are still sent)")
	fs.StringVar(&cfg.Faults, "faults", "", "fault profile, e.g. \"Invoices:500@0.05,*:reset@call=7\"")
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
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	began := time.Now()
	srv, err := xero.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(env.Stdout, "Sandbox Xero ready in %v (%s data, seed %d)\n", time.Since(began).Round(time.Millisecond), cfg.Size, cfg.Seed)
	fmt.Fprintf(env.Stdout, "  sign-in:     %s/identity/connect/authorize\n", base)
	fmt.Fprintf(env.Stdout, "  token:       %s/connect/token\n", base)
	fmt.Fprintf(env.Stdout, "  API:         %s/api.xro/2.0/\n", base)
	fmt.Fprintf(env.Stdout, "  admin:       %s/_sandbox/\n", base)
	for _, o := range srv.World().Orgs {
		fmt.Fprintf(env.Stdout, "  organisation %s  %s\n", o.ID, o.Name)
	}
	fmt.Fprintln(env.Stdout, "Press Ctrl+C to stop.")

	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
