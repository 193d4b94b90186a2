package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

func TestLoginSandbox(t *testing.T) {
	for _, tc := range []struct {
		name string
		web  bool
	}{
		{"public client with PKCE", false},
		{"web client with secret", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSandbox(t)
			c := NewClient(env.spec(tc.web), nil)
			var out bytes.Buffer
			pages := make(chan consentPage, 1)
			before := time.Now()
			ts, err := c.Login(context.Background(), LoginOptions{
				Opener:  consentOpener("allow", pages),
				Out:     &out,
				Timeout: 10 * time.Second,
			})
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			page := <-pages
			if page.err != nil || page.status != http.StatusOK || !strings.Contains(page.body, "You can close this window") {
				t.Errorf("browser ended on %d %q (%v), want the close-this-window page", page.status, page.body, page.err)
			}
			if ts.AccessToken == "" || ts.RefreshToken == "" {
				t.Fatalf("token set lacks tokens: %+v", ts)
			}
			if d := ts.Expiry.Sub(before); d < 29*time.Minute || d > 31*time.Minute {
				t.Errorf("expiry %v after start, want about 30 minutes", d)
			}
			for _, s := range strings.Fields(sandboxScopes) {
				if !strings.Contains(" "+ts.Scope+" ", " "+s+" ") {
					t.Errorf("scope %q missing from %q", s, ts.Scope)
				}
			}
			if !strings.Contains(out.String(), env.base+"/identity/connect/authorize?") {
				t.Errorf("the authorize URL was not printed: %q", out.String())
			}
			tenants, status := env.connections(t, ts.AccessToken)
			if status != http.StatusOK || len(tenants) != 2 {
				t.Errorf("GET /connections with the new token: %d, %d tenants; want 200 and both organisations", status, len(tenants))
			}
		})
	}
}

func TestLoginDenied(t *testing.T) {
	env := newSandbox(t)
	pages := make(chan consentPage, 1)
	_, err := NewClient(env.spec(false), nil).Login(context.Background(), LoginOptions{
		Opener:  consentOpener("deny", pages),
		Timeout: 10 * time.Second,
	})
	if !errors.Is(err, ErrConsentDenied) {
		t.Fatalf("err = %v, want ErrConsentDenied", err)
	}
	if !strings.Contains(err.Error(), "consent was denied") {
		t.Errorf("error %q does not say consent was denied", err)
	}
	page := <-pages
	if page.status != http.StatusBadRequest || !strings.Contains(page.body, "consent was denied") {
		t.Errorf("browser page %d %q, want it to say consent was denied", page.status, page.body)
	}
	if n := env.tokenCalls.Load(); n != 0 {
		t.Errorf("%d token endpoint calls after a denied consent, want 0", n)
	}
}

// fakeIdP is a hand-written authorization server: its authorize endpoint
// redirects straight back with a code, and its token endpoint checks the
// exchange the way a strict server would and records what it got.
type fakeIdP struct {
	t          *testing.T
	srv        *httptest.Server
	secret     string
	tokenCalls atomic.Int64

	mu        sync.Mutex
	authQuery url.Values
	tokenForm url.Values
	basicUser string
	basicPass string
}

func newFakeIdP(t *testing.T, secret string) *fakeIdP {
	f := &fakeIdP{t: t, secret: secret}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.authQuery = r.URL.Query()
		f.mu.Unlock()
		q := r.URL.Query()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {"the-code"}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		f.tokenCalls.Add(1)
		r.ParseForm()
		f.mu.Lock()
		f.tokenForm = r.PostForm
		f.basicUser, f.basicPass, _ = r.BasicAuth()
		auth := f.authQuery
		f.mu.Unlock()
		if auth == nil || r.PostForm.Get("code") != "the-code" ||
			r.PostForm.Get("redirect_uri") != auth.Get("redirect_uri") ||
			s256(r.PostForm.Get("code_verifier")) != auth.Get("code_challenge") {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at-1","token_type":"Bearer","expires_in":1800,"refresh_token":"rt-1","scope":"a b"}`)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func s256(verifier string) string {
	return AuthRequest{Verifier: verifier}.Challenge()
}

func (f *fakeIdP) spec() provider.OAuthSpec {
	id := "client id"
	return provider.OAuthSpec{
		AuthURL:      f.srv.URL + "/authorize?prompt=consent",
		TokenURL:     f.srv.URL + "/token",
		ClientID:     id,
		ClientSecret: f.secret,
		Scopes:       []string{"a", "b"},
	}
}

// browserOpener follows the authorize URL and its redirects like a browser.
func browserOpener(pages chan<- consentPage) Opener {
	return func(ctx context.Context, u string) error {
		req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			pages <- consentPage{err: err}
			return nil
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		pages <- consentPage{status: resp.StatusCode, body: string(b)}
		return nil
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestLoginAuthorizeRequestAndExchange(t *testing.T) {
	port := freePort(t)
	for _, tc := range []struct {
		name, secret, addr string
		wantRedirect       string // "" means 127.0.0.1 on any port
	}{
		{name: "public client, free port"},
		{name: "secret via Basic, fixed port", secret: "s&cret x", addr: fmt.Sprintf("127.0.0.1:%d", port),
			wantRedirect: fmt.Sprintf("http://127.0.0.1:%d/callback", port)},
		{name: "localhost kept", addr: "localhost:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t, tc.secret)
			pages := make(chan consentPage, 1)
			ts, err := NewClient(idp.spec(), nil).Login(context.Background(), LoginOptions{
				Addr: tc.addr, Opener: browserOpener(pages), Timeout: 10 * time.Second,
			})
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			<-pages
			if ts.AccessToken != "at-1" || ts.RefreshToken != "rt-1" || ts.Scope != "a b" {
				t.Errorf("token set %+v", ts)
			}
			idp.mu.Lock()
			defer idp.mu.Unlock()
			q, form := idp.authQuery, idp.tokenForm
			for k, want := range map[string]string{
				"response_type": "code", "client_id": "client id", "scope": "a b",
				"code_challenge_method": "S256", "prompt": "consent",
			} {
				if got := q.Get(k); got != want {
					t.Errorf("authorize %s = %q, want %q", k, got, want)
				}
			}
			if len(q.Get("state")) < 43 || len(q.Get("code_challenge")) != 43 {
				t.Errorf("state %q or challenge %q too short", q.Get("state"), q.Get("code_challenge"))
			}
			redirect := q.Get("redirect_uri")
			switch {
			case tc.wantRedirect != "" && redirect != tc.wantRedirect:
				t.Errorf("redirect_uri = %q, want %q", redirect, tc.wantRedirect)
			case tc.addr == "localhost:0" && !strings.HasPrefix(redirect, "http://localhost:"):
				t.Errorf("redirect_uri = %q, want localhost", redirect)
			case tc.addr == "" && !strings.HasPrefix(redirect, "http://127.0.0.1:"):
				t.Errorf("redirect_uri = %q, want 127.0.0.1", redirect)
			}
			if !strings.HasSuffix(redirect, "/callback") {
				t.Errorf("redirect_uri %q does not end in /callback", redirect)
			}
			if form.Get("grant_type") != "authorization_code" {
				t.Errorf("grant_type = %q", form.Get("grant_type"))
			}
			if tc.secret != "" {
				wantUser, wantPass := url.QueryEscape("client id"), url.QueryEscape(tc.secret)
				if idp.basicUser != wantUser || idp.basicPass != wantPass || form.Has("client_secret") || form.Has("client_id") {
					t.Errorf("client auth: Basic %q:%q, form %v; want form-encoded Basic only", idp.basicUser, idp.basicPass, form)
				}
			} else if form.Get("client_id") != "client id" || idp.basicUser != "" {
				t.Errorf("public client: form client_id %q, Basic %q", form.Get("client_id"), idp.basicUser)
			}
		})
	}
}

func TestLoginStateMismatch(t *testing.T) {
	idp := newFakeIdP(t, "")
	pages := make(chan consentPage, 1)
	forged := func(ctx context.Context, authURL string) error {
		u, _ := url.Parse(authURL)
		back, _ := url.Parse(u.Query().Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {"the-code"}, "state": {"not-the-state"}}.Encode()
		return browserOpener(pages)(ctx, back.String())
	}
	_, err := NewClient(idp.spec(), nil).Login(context.Background(), LoginOptions{Opener: forged, Timeout: 10 * time.Second})
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
	if n := idp.tokenCalls.Load(); n != 0 {
		t.Errorf("%d token endpoint calls after a state mismatch, want 0", n)
	}
	page := <-pages
	if page.status != http.StatusBadRequest || !strings.Contains(page.body, "Sign-in failed") {
		t.Errorf("browser page %d %q", page.status, page.body)
	}
}

func TestLoginTimeout(t *testing.T) {
	idp := newFakeIdP(t, "")
	var redirect string
	closedWindow := func(ctx context.Context, authURL string) error {
		u, _ := url.Parse(authURL)
		redirect = u.Query().Get("redirect_uri")
		return nil // the user closed the window: nothing comes back
	}
	start := time.Now()
	_, err := NewClient(idp.spec(), nil).Login(context.Background(), LoginOptions{Opener: closedWindow, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLoginTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrLoginTimeout and DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "browser window closed") {
		t.Errorf("error %q does not suggest the window was closed", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Login took %v to time out after 200ms", d)
	}
	// The listener is gone: a late answer cannot reach anything.
	if resp, err := http.Get(redirect + "?code=x&state=y"); err == nil {
		resp.Body.Close()
		t.Errorf("the loopback listener still answers after the timeout")
	}
}

func TestLoginCancelled(t *testing.T) {
	idp := newFakeIdP(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancelOpener := func(context.Context, string) error { cancel(); return nil }
	_, err := NewClient(idp.spec(), nil).Login(ctx, LoginOptions{Opener: cancelOpener, Timeout: 10 * time.Second})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrLoginTimeout) {
		t.Fatalf("err = %v, want Canceled and not a timeout", err)
	}
}

func TestLoginOpenerFailsSoft(t *testing.T) {
	env := newSandbox(t)
	pages := make(chan consentPage, 1)
	// No browser opens, and the user pastes the printed URL into one.
	noBrowser := func(ctx context.Context, authURL string) error {
		go func() { pages <- runConsent(ctx, authURL, "allow") }()
		return errors.New("no graphical display")
	}
	var out bytes.Buffer
	ts, err := NewClient(env.spec(false), nil).Login(context.Background(), LoginOptions{Opener: noBrowser, Out: &out, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	<-pages
	if ts.AccessToken == "" {
		t.Fatal("no access token")
	}
	if !strings.Contains(out.String(), "Could not open a browser (no graphical display)") {
		t.Errorf("output %q does not tell the user the browser did not open", out.String())
	}
}

func TestLoginRefusesNonLoopback(t *testing.T) {
	c := NewClient(provider.OAuthSpec{AuthURL: "http://example.invalid/a"}, nil)
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if _, err := c.Login(context.Background(), LoginOptions{Addr: addr, Opener: func(context.Context, string) error { return nil }}); err == nil {
			t.Errorf("Login listened on %q", addr)
		}
	}
}

func TestAuthRequestCode(t *testing.T) {
	r := AuthRequest{State: "s1"}
	var ae *AuthorizeError
	for _, tc := range []struct {
		name  string
		query string
		code  string
		check func(error) bool
	}{
		{"ok", "state=s1&code=c1", "c1", nil},
		{"wrong state", "state=s2&code=c1", "", func(e error) bool { return errors.Is(e, ErrStateMismatch) }},
		{"no state", "code=c1", "", func(e error) bool { return errors.Is(e, ErrStateMismatch) }},
		{"forged denial", "state=s2&error=access_denied", "", func(e error) bool { return errors.Is(e, ErrStateMismatch) }},
		{"denied", "state=s1&error=access_denied", "", func(e error) bool { return errors.Is(e, ErrConsentDenied) }},
		{"other error", "state=s1&error=invalid_scope&error_description=nope", "", func(e error) bool {
			return errors.As(e, &ae) && ae.Code == "invalid_scope" && ae.Description == "nope"
		}},
		{"no code", "state=s1", "", func(e error) bool { return e != nil && strings.Contains(e.Error(), "neither a code nor an error") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			code, err := r.Code(q)
			if tc.check == nil {
				if err != nil || code != tc.code {
					t.Fatalf("Code = %q, %v; want %q", code, err, tc.code)
				}
				return
			}
			if !tc.check(err) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestNewAuthRequestIsRandomAndValidPKCE(t *testing.T) {
	a, b := NewAuthRequest("x"), NewAuthRequest("x")
	if a.State == b.State || a.Verifier == b.Verifier || a.State == a.Verifier {
		t.Fatal("state and verifier are not fresh random values")
	}
	if len(a.Verifier) < 43 || len(a.Verifier) > 128 || strings.Trim(a.Verifier,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~") != "" {
		t.Fatalf("verifier %q is not a valid RFC 7636 verifier", a.Verifier)
	}
	// RFC 7636 appendix B's example.
	ex := AuthRequest{Verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}
	if got := ex.Challenge(); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("Challenge = %s", got)
	}
}

func TestOpenCommand(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	const u = "https://login.example/authorize?a=1&b=2"
	for _, tc := range []struct {
		goos    string
		env     map[string]string
		name    string
		wantErr bool
	}{
		{"darwin", nil, "open", false},
		{"windows", nil, "rundll32", false},
		{"linux", map[string]string{"DISPLAY": ":0"}, "xdg-open", false},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "xdg-open", false},
		{"freebsd", map[string]string{"DISPLAY": ":0"}, "xdg-open", false},
		{"linux", nil, "", true},
	} {
		name, args, err := openCommand(tc.goos, u, env(tc.env))
		if (err != nil) != tc.wantErr || name != tc.name {
			t.Errorf("%s %v: %q %v %v", tc.goos, tc.env, name, args, err)
			continue
		}
		if err == nil && args[len(args)-1] != u {
			t.Errorf("%s: the URL is not passed whole: %v", tc.goos, args)
		}
	}
}

// tokenJSONFor is a token endpoint success body.
func tokenJSONFor(access, refresh string, expiresIn int) string {
	b, _ := json.Marshal(map[string]any{"access_token": access, "refresh_token": refresh, "expires_in": expiresIn, "token_type": "Bearer"})
	return string(b)
}
