package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/sandbox/hubspot"
	"github.com/datapull/datapull/internal/sandbox/xero"
	"github.com/datapull/datapull/internal/store"
)

// demoTimeScale runs the demo sandbox's clock ten times faster than the
// wall clock, so Xero's 60-calls-a-minute limit paces the demo visibly
// but briefly.
const demoTimeScale = 10

// runDemo shows DataPull end to end against the sandbox Xero, in one
// process: sign-in through the real OAuth flow, a full pull, changes in
// the organisation, and a standard sync that picks up just those.
func runDemo(ctx context.Context, env *Env, args []string) (err error) {
	fs := newFlagSet("demo", env)
	dsn := fs.String("db", "", "database for the demo (default: demo.db in the user data directory, recreated each run)")
	size := fs.String("size", "demo", "sandbox data size: demo, small or medium")
	changes := fs.Int("changes", 40, "how many changes to make in the sandbox between the two pulls")
	noServe := fs.Bool("no-serve", false, "exit at the end instead of serving the web app with the demo workspace")
	addr := fs.String("addr", defaultServeAddr, "where the web app listens at the end")
	noBrowser := fs.Bool("no-browser", false, "serve the web app without opening a browser")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	out := env.Stdout
	path, err := demoDatabase(*dsn)
	if err != nil {
		return err
	}

	// 1. The sandbox Xero, in this process, on a free loopback port.
	cfg := xero.DefaultConfig()
	cfg.Size, cfg.TimeScale = *size, demoTimeScale
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	srv, err := xero.New(cfg)
	if err != nil {
		return err
	}
	base, stop, err := serveSandbox(srv.Handler())
	if err != nil {
		return err
	}
	defer stop()
	org := srv.World().Orgs[0]
	fmt.Fprintf(out, "1. Started a sandbox Xero at %s (%s data; its clock runs %dx, so its 60-calls-a-minute limit is felt but brief).\n",
		base, cfg.Size, demoTimeScale)

	// 2. A workspace in the demo database.
	a, st, err := openApp(ctx, path, app.Config{TimeScale: demoTimeScale})
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := demoWorkspace(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "2. Created workspace %q in %s.\n", ws.Name, path)

	// 3. Connect through the real OAuth flow.
	fmt.Fprintf(out, "3. Connecting %q through Xero's sign-in (authorization code with PKCE). This is the sandbox,\n"+
		"   so DataPull approves its consent page itself; with real Xero you approve it in your browser.\n", org.Name)
	conns, err := a.Connect(ctx, app.ConnectRequest{WorkspaceID: ws.ID, Source: "xero", Sandbox: base,
		Login: oauth.LoginOptions{Opener: app.ApproveSandboxConsent(org.ID), Timeout: time.Minute}})
	if err != nil {
		return err
	}
	conn := conns[0]

	// 4. A full pull.
	fmt.Fprintf(out, "4. Pulling everything (first pull: every endpoint in full).\n")
	if err := pullAndReport(ctx, out, a, conn, store.PullStandard, false); err != nil {
		return err
	}

	// 5. Changes in the organisation, as a day of bookkeeping would make.
	srv.Clock().Advance(time.Hour)
	made, err := srv.Simulate(org.ID, *changes, 1)
	if err != nil {
		return err
	}
	srv.Clock().Advance(time.Minute)
	fmt.Fprintf(out, "\n5. Made %d changes in the sandbox organisation: %s.\n", *changes, summariseChanges(made))

	// 6. A standard sync: only what changed.
	fmt.Fprintf(out, "6. Standard sync: incremental where Xero allows it, so only the changes are read.\n")
	if err := pullAndReport(ctx, out, a, conn, store.PullStandard, false); err != nil {
		return err
	}
	// 7. A HubSpot portal too, through its own sign-in.
	if err := demoHubSpot(ctx, out, a, ws, *size); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe data is in %s (workspace %q, connection %d). Try:\n", path, ws.Name, conn.ID)
	defer func() {
		if !*noServe {
			fmt.Fprintf(out, "\n8. Serving the web app with the demo workspace; the sandbox keeps running beside it.\n")
			err = serveApp(ctx, env, a, serveOptions{dsn: path, addr: *addr, noBrowser: *noBrowser, sandbox: base})
		}
	}()
	fmt.Fprintf(out, "  go run ./cmd/datapull history -db %s -workspace %s\n", shellWord(path), shellWord(ws.Name))
	fmt.Fprintf(out, "  go run ./cmd/datapull export -db %s -workspace %s -connection %d -endpoint invoices -format csv -out invoices.csv\n",
		shellWord(path), shellWord(ws.Name), conn.ID)
	return nil
}

// demoDatabase is the demo's database: the one asked for, or demo.db in
// the data directory, removed first so each demo starts clean. Only that
// file (and its WAL, shared-memory and lock companions) is removed.
func demoDatabase(dsn string) (string, error) {
	if dsn != "" {
		return dsn, nil
	}
	def, err := store.DefaultPath()
	if err != nil {
		return "", err
	}
	path := filepath.Join(filepath.Dir(def), "demo.db")
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-locks"} {
		if err := os.RemoveAll(p); err != nil {
			return "", fmt.Errorf("remove the previous demo database: %w", err)
		}
	}
	return path, nil
}

// demoWorkspace creates "Demo", or "Demo 2", "Demo 3"... when a database
// given with -db already has one.
func demoWorkspace(ctx context.Context, st *store.Store) (store.Workspace, error) {
	for i := 1; ; i++ {
		name := "Demo"
		if i > 1 {
			name = fmt.Sprintf("Demo %d", i)
		}
		ws, err := st.CreateWorkspace(ctx, name)
		if !errors.Is(err, store.ErrExists) {
			return ws, err
		}
	}
}

// serveSandbox serves h on a free loopback port until stop is called.
func serveSandbox(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// summariseChanges counts the sandbox's changes by operation and endpoint.
func summariseChanges(made []xero.Change) string {
	counts := map[string]int{}
	for _, c := range made {
		counts[c.Op+" "+c.Endpoint]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// demoHubSpot starts the sandbox HubSpot, connects its first portal to ws
// through HubSpot's sign-in (approving the sandbox's consent page) and
// pulls it.
func demoHubSpot(ctx context.Context, out io.Writer, a *app.App, ws store.Workspace, size string) error {
	cfg := hubspot.DefaultConfig()
	cfg.Size, cfg.TimeScale = size, demoTimeScale
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	srv, err := hubspot.New(cfg)
	if err != nil {
		return err
	}
	base, stop, err := serveSandbox(srv.Handler())
	if err != nil {
		return err
	}
	// The sandbox must outlive the web app the demo may serve at the end;
	// it stops with the process.
	_ = stop
	portal := srv.World().Portals[0]
	fmt.Fprintf(out, "\n7. Started a sandbox HubSpot at %s and connecting portal %d (%s) through HubSpot's sign-in, approved the same way.\n",
		base, portal.ID, portal.Domain)
	conns, err := a.Connect(ctx, app.ConnectRequest{WorkspaceID: ws.ID, Source: "hubspot", Sandbox: base,
		Login: oauth.LoginOptions{Opener: app.ApproveSandboxPortal(strconv.FormatInt(portal.ID, 10)), Timeout: time.Minute}})
	if err != nil {
		return err
	}
	return pullAndReport(ctx, out, a, conns[0], store.PullStandard, false)
}
