package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/jobs"
	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/store"
	"github.com/datapull/datapull/internal/web"
)

// defaultServeAddr is where `datapull serve` listens unless told: this
// machine only.
const defaultServeAddr = "127.0.0.1:8720"

// runServe starts the web app, with pulls running as background jobs on
// the same database, until the process is told to stop.
func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("serve", env)
	dsn := addDBFlag(fs)
	addr := fs.String("addr", defaultServeAddr, "address to listen on; anything but a loopback address requires a login password")
	noBrowser := fs.Bool("no-browser", false, "do not open the app in a browser")
	sandbox := fs.String("sandbox", "", "offer this sandbox provider's base URL in the connect form")
	timeScale := fs.Float64("time-scale", 1, "for a sandbox started with -time-scale: its provider seconds per wall second")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *timeScale <= 0 {
		return fmt.Errorf("%w: -time-scale must be positive", errUsage)
	}
	path, err := dbPath(*dsn)
	if err != nil {
		return err
	}
	a, st, err := openApp(ctx, path, app.Config{TimeScale: *timeScale})
	if err != nil {
		return err
	}
	defer st.Close()
	return serveApp(ctx, env, a, serveOptions{dsn: path, addr: *addr, noBrowser: *noBrowser, sandbox: *sandbox})
}

// serveOptions are serveApp's settings.
type serveOptions struct {
	dsn       string // the database, for River's own PostgreSQL pool and the cookie name
	addr      string
	noBrowser bool
	sandbox   string
}

// serveApp runs the web app over a until ctx ends. The demo ends with it
// too.
func serveApp(ctx context.Context, env *Env, a *app.App, o serveOptions) error {
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", o.addr, err)
	}
	defer ln.Close()
	bound := ln.Addr().String()
	host, port, _ := net.SplitHostPort(bound)

	var login *web.Login
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		if login, err = serveLogin(env); err != nil {
			return err
		}
	}
	hub := web.NewHub()
	runner, err := jobs.Open(ctx, jobs.Config{App: a, DSN: o.dsn, OnEvent: hub.Publish, Logger: logger})
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{App: a, Jobs: runner, Hub: hub, Addr: bound, Login: login, Sandbox: o.sandbox,
		Instance: instanceName(o.dsn, port), Logger: logger})
	if err != nil {
		runner.Stop(context.Background())
		return err
	}
	if err := runner.Start(ctx); err != nil {
		runner.Stop(context.Background())
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	url := "http://" + bound + "/"
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		url = "http://127.0.0.1:" + port + "/"
	}
	fmt.Fprintf(env.Stdout, "DataPull is running at %s (press Ctrl+C to stop).\n", url)
	if !o.noBrowser {
		if err := oauth.SystemOpener(ctx, url); err != nil {
			fmt.Fprintf(env.Stdout, "Could not open a browser (%v); open the address above yourself.\n", err)
		}
	}

	select {
	case <-ctx.Done():
	case err = <-served:
	}
	fmt.Fprintln(env.Stdout, "Stopping: running pulls save their progress and continue at the next start.")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Event streams never end by themselves, so Shutdown would wait out
	// its whole timeout for them; Close ends them at once. The running
	// pulls are stopped cleanly by the runner.
	hs.Close()
	srv.Close(sctx)
	if serr := runner.Stop(sctx); serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// serveLogin loads the login password's hash, or on first start sets the
// password ($DATAPULL_WEB_PASSWORD, else a random one shown once).
func serveLogin(env *Env) (*web.Login, error) {
	key, err := keyPath()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(filepath.Dir(key), "web-login")
	login, created, err := web.LoadOrCreateLogin(path, os.Getenv("DATAPULL_WEB_PASSWORD"))
	if err != nil {
		return nil, err
	}
	if created != "" && os.Getenv("DATAPULL_WEB_PASSWORD") == "" {
		fmt.Fprintf(env.Stdout, "This address is reachable from other computers, so DataPull asks for a password.\n"+
			"The password is: %s\n(only its hash is kept, in %s; delete that file to set a new one)\n", created, path)
	}
	return login, nil
}

// instanceName is a short name, stable for one database and port, that
// keeps this instance's cookies apart from another's on the same host.
func instanceName(dsn, port string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(dsn) + "\x00" + port))
	return hex.EncodeToString(sum[:4])
}

// dbPath is the -db value or the default database.
func dbPath(dsn string) (string, error) {
	if dsn != "" {
		return dsn, nil
	}
	return store.DefaultPath()
}
