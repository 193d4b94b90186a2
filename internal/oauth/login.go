package oauth

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// DefaultLoginTimeout is how long Login waits for the browser to come back.
// An authorization code lives 10 minutes at most (RFC 6749 §4.1.2), and a
// user who has not finished in 5 has most likely closed the window.
const DefaultLoginTimeout = 5 * time.Minute

// CallbackPath is the redirect URI's path on the loopback listener.
const CallbackPath = "/callback"

// ErrLoginTimeout says no answer came back to the loopback listener in
// time, most often because the browser window was closed.
var ErrLoginTimeout = errors.New("oauth: no sign-in answer came back in time (was the browser window closed?)")

// LoginOptions adjust Login. The zero value listens on a free port, opens
// the system browser and prints nothing.
type LoginOptions struct {
	// Addr is the loopback host:port to listen on; empty means
	// 127.0.0.1:0, a free port, which RFC 8252 §7.3 providers accept.
	// Give a fixed port for a provider that registers exact redirect URIs.
	Addr string
	// Opener shows the authorize URL; nil means SystemOpener.
	Opener Opener
	// Out receives the authorize URL and notes for the user; nil discards.
	Out io.Writer
	// Timeout bounds the wait for the browser; 0 means DefaultLoginTimeout.
	Timeout time.Duration
}

// Login signs the user in with the loopback flow of RFC 8252: it listens
// on the loopback interface, opens the authorize URL (and prints it to
// opt.Out), waits for the redirect to /callback, checks its state, trades
// the code for tokens with the PKCE verifier, and shows the browser a page
// saying how it went.
func (c *Client) Login(ctx context.Context, opt LoginOptions) (TokenSet, error) {
	ln, err := listenLoopback(opt.Addr)
	if err != nil {
		return TokenSet{}, err
	}
	defer ln.Close()
	req := NewAuthRequest(redirectURI(ln, opt.Addr))
	authURL, err := c.AuthURL(req)
	if err != nil {
		return TokenSet{}, err
	}

	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrLoginTimeout)
	defer cancel()

	cb := &callback{ctx: ctx, client: c, req: req, done: make(chan loginResult, 1)}
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer shutdown(ctx, srv)

	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	fmt.Fprintf(out, "Opening your browser to sign in. If it does not open, visit this address in a browser on this computer:\n\n  %s\n\n", authURL)
	opened := startOpener(ctx, opt.Opener, authURL)
	for {
		select {
		case err := <-opened:
			opened = nil // a nil channel is never ready again
			if err != nil {
				fmt.Fprintf(out, "Could not open a browser (%v); open the address above yourself.\n", err)
			}
		case res := <-cb.done:
			return res.tokens, res.err
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), ErrLoginTimeout) {
				return TokenSet{}, fmt.Errorf("%w: waited %s: %w", ErrLoginTimeout, timeout, context.DeadlineExceeded)
			}
			return TokenSet{}, fmt.Errorf("oauth: sign-in cancelled: %w", ctx.Err())
		}
	}
}

// redirectURI is the callback URL on ln. It names the host as addr did,
// so a provider that registered "localhost" gets "localhost".
func redirectURI(ln net.Listener, addr string) string {
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if addr != "" {
		host, _, _ = net.SplitHostPort(addr)
	}
	return "http://" + net.JoinHostPort(host, port) + CallbackPath
}

// listenLoopback listens on addr, which must be a loopback address:
// anything else would let other machines answer the sign-in.
func listenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("oauth: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("oauth: listen address %q is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("oauth: listen for the sign-in answer: %w", err)
	}
	return ln, nil
}

// startOpener runs the opener on its own goroutine, so one that blocks
// (or follows the whole flow, as a test's does) cannot stall the wait.
func startOpener(ctx context.Context, open Opener, url string) <-chan error {
	if open == nil {
		open = SystemOpener
	}
	ch := make(chan error, 1)
	go func() { ch <- open(ctx, url) }()
	return ch
}

// shutdown stops the listener after the last page has been written.
func shutdown(ctx context.Context, srv *http.Server) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if srv.Shutdown(sctx) != nil {
		srv.Close()
	}
}

type loginResult struct {
	tokens TokenSet
	err    error
}

// callback serves the redirect URI. The first answer that is a sign-in
// answer (has state, code or error) decides the sign-in; the exchange runs
// in its handler so the page can tell the user the real outcome.
type callback struct {
	ctx     context.Context
	client  *Client
	req     AuthRequest
	claimed atomic.Bool
	done    chan loginResult
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != CallbackPath {
		http.NotFound(w, r) // favicon.ico and the like
		return
	}
	q := r.URL.Query()
	if !q.Has("state") && !q.Has("code") && !q.Has("error") {
		writePage(w, http.StatusBadRequest, "This is not a sign-in answer.", "")
		return
	}
	if !cb.claimed.CompareAndSwap(false, true) {
		writePage(w, http.StatusConflict, "This sign-in has already finished.", "You can close this window.")
		return
	}
	res := cb.finish(q)
	if res.err != nil {
		writePage(w, http.StatusBadRequest, "Sign-in failed.", res.err.Error()+" You can close this window and try again from DataPull.")
	} else {
		writePage(w, http.StatusOK, "Signed in to DataPull.", "You can close this window.")
	}
	// The page goes out before Login learns the outcome and shuts the
	// listener down.
	http.NewResponseController(w).Flush()
	cb.done <- res
}

// finish checks the answer and exchanges its code. It uses the sign-in's
// context, not the request's: a browser that gives up on the page must not
// cut the exchange short.
func (cb *callback) finish(q url.Values) loginResult {
	code, err := cb.req.Code(q)
	if err != nil {
		return loginResult{err: err}
	}
	ts, err := cb.client.Exchange(cb.ctx, cb.req, code)
	return loginResult{tokens: ts, err: err}
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>DataPull sign-in</title></head>
<body><h1>{{.Title}}</h1>{{if .Text}}<p>{{.Text}}</p>{{end}}</body></html>
`))

// writePage shows the user a small page that loads nothing.
func writePage(w http.ResponseWriter, status int, title, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	// No Referer: the address bar still holds the code.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	pageTemplate.Execute(w, struct{ Title, Text string }{title, text})
}
