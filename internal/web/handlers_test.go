package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/oauth"
)

func oauthApprove(tenants ...string) oauth.LoginOptions {
	return oauth.LoginOptions{Opener: app.ApproveSandboxConsent(tenants...), Timeout: 30 * time.Second}
}

// do sends one request to the app without following redirects.
func (e *env) do(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *env) workspaceCount() int {
	e.t.Helper()
	wss, err := e.st.Workspaces(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return len(wss)
}

func TestSafetyRules(t *testing.T) {
	e := newEnv(t, envOptions{})
	create := url.Values{"name": {"Evil"}}
	cases := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"foreign Host (DNS rebinding)", map[string]string{"Host": "evil.example:80"}, http.StatusMisdirectedRequest},
		{"foreign Host on our port", map[string]string{"Host": "attacker.test" + e.url[strings.LastIndex(e.url, ":"):]}, http.StatusMisdirectedRequest},
		{"cross-site POST", map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cross-origin POST without fetch metadata", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"same-site but other origin", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.do("POST", "/workspaces", create, c.header)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, c.want, body)
			}
			if n := e.workspaceCount(); n != 0 {
				t.Fatalf("%d workspaces after a refused request, want 0", n)
			}
			if !strings.Contains(body, "data-problem") || strings.Contains(body, "Evil") {
				t.Fatalf("want a clear error page that lists nothing: %.400s", body)
			}
		})
	}
	t.Run("same-origin POST works", func(t *testing.T) {
		resp, body := e.do("POST", "/workspaces", create, map[string]string{"Origin": e.url, "Sec-Fetch-Site": "same-origin"})
		if resp.StatusCode != http.StatusSeeOther || e.workspaceCount() != 1 {
			t.Fatalf("status %d, %d workspaces: %.300s", resp.StatusCode, e.workspaceCount(), body)
		}
	})
	t.Run("headers and no inline script", func(t *testing.T) {
		inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+=|\sstyle=`)
		for _, p := range []string{"/workspaces", "/w/1/pull", "/help", "/help/notes", "/nope"} {
			resp, body := e.do("GET", p, nil, nil)
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP %q", p, csp)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: missing nosniff or frame denial", p)
			}
			if m := inline.FindString(body); m != "" {
				t.Errorf("%s: inline script or style %q", p, m)
			}
			if strings.Contains(body, "http://") && strings.Contains(body, "<link") && strings.Contains(body, `href="http`) {
				t.Errorf("%s: refers to an outside resource", p)
			}
		}
	})
}

func TestLoginWhenNotLoopback(t *testing.T) {
	e := newEnv(t, envOptions{})
	if _, err := New(Config{App: e.app, Jobs: e.jobs, Hub: e.hub, Addr: "192.0.2.10:8722"}); err == nil {
		t.Fatal("New accepted a non-loopback address without a login")
	}
	login, err := NewLogin("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	// The hash is stored, never the password.
	if strings.Contains(login.String(), "horse") {
		t.Fatal("the stored form holds the password")
	}
	if l2, err := parseLogin(login.String()); err != nil || !l2.Check("correct horse battery") || l2.Check("wrong") {
		t.Fatalf("stored login does not check the password: %v", err)
	}
	srv, err := New(Config{App: e.app, Jobs: e.jobs, Hub: e.hub, Addr: "192.0.2.10:8722", Instance: "abc", Login: login})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	send := func(method, path string, form url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		r := httptest.NewRequest(method, "http://192.0.2.10:8722"+path, body)
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := send("GET", "/workspaces", nil, nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Fatalf("GET without login: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := send("POST", "/workspaces", url.Values{"name": {"X"}}, nil); w.Code != http.StatusUnauthorized || e.workspaceCount() != 0 {
		t.Fatalf("POST without login: %d, %d workspaces", w.Code, e.workspaceCount())
	}
	if w := send("POST", "/login", url.Values{"password": {"wrong"}}, nil); w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 {
		t.Fatalf("wrong password: %d", w.Code)
	}
	w := send("POST", "/login", url.Values{"password": {"correct horse battery"}}, nil)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) != 1 {
		t.Fatalf("right password: %d, cookies %v", w.Code, cookies)
	}
	c := cookies[0]
	if c.Name != "datapull-abc-session" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v: want the instance's name, HttpOnly, SameSite=Strict", c)
	}
	if w := send("POST", "/workspaces", url.Values{"name": {"X"}}, c); w.Code != http.StatusSeeOther || e.workspaceCount() != 1 {
		t.Fatalf("POST with login: %d, %d workspaces", w.Code, e.workspaceCount())
	}
	if w := send("POST", "/workspaces", url.Values{"name": {"Y"}}, &http.Cookie{Name: c.Name, Value: "forged"}); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged session: %d", w.Code)
	}
}

func TestLoginFileKeepsOnlyAHash(t *testing.T) {
	path := t.TempDir() + "/web-login"
	l, shown, err := LoadOrCreateLogin(path, "")
	if err != nil || len(shown) < 16 || !l.Check(shown) {
		t.Fatalf("first start: %v, password %q", err, shown)
	}
	l2, again, err := LoadOrCreateLogin(path, "")
	if err != nil || again != "" || !l2.Check(shown) {
		t.Fatalf("second start: %v, shown %q", err, again)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t, envOptions{})
	ws := e.workspace("Acme")
	conn := e.connect(ws)
	long := strings.Repeat("x", 101)
	cases := []struct {
		name, method, path string
		form               url.Values
		want               int
	}{
		{"unknown workspace", "GET", "/w/999/pull", nil, 404},
		{"workspace id not a number", "GET", "/w/abc/pull", nil, 404},
		{"unknown source", "GET", fmt.Sprintf("/w/%d/pull?source=nope", ws.ID), nil, 404},
		{"unknown connection", "GET", "/connections/999/sync", nil, 404},
		{"negative id", "GET", "/connections/-1/sync", nil, 404},
		{"unknown pull", "GET", "/pulls/999", nil, 404},
		{"pull of unknown connection", "POST", "/connections/999/pull", url.Values{"mode": {"standard"}}, 404},
		{"unknown pull mode", "POST", fmt.Sprintf("/connections/%d/pull", conn.ID), url.Values{"mode": {"everything"}}, 400},
		{"empty workspace name", "POST", "/workspaces", url.Values{"name": {"  "}}, 400},
		{"over-long workspace name", "POST", "/workspaces", url.Values{"name": {long}}, 400},
		{"duplicate workspace name", "POST", "/workspaces", url.Values{"name": {"acme"}}, 409},
		{"rename to empty", "POST", fmt.Sprintf("/workspaces/%d/rename", ws.ID), url.Values{"name": {""}}, 400},
		{"rename unknown", "POST", "/workspaces/999/rename", url.Values{"name": {"B"}}, 404},
		{"delete without the name", "POST", fmt.Sprintf("/workspaces/%d/delete", ws.ID), url.Values{"confirm": {"acme"}}, 400},
		{"connect an unknown source", "POST", fmt.Sprintf("/w/%d/connect", ws.ID), url.Values{"source": {"salesforce"}}, 400},
		{"connect with a bad sandbox address", "POST", fmt.Sprintf("/w/%d/connect", ws.ID), url.Values{"source": {"xero"}, "sandbox": {"ftp://x"}}, 400},
		{"callback with no flow", "GET", "/callback?state=forged&code=abc", nil, 400},
		{"callback without state", "GET", "/callback?code=abc", nil, 400},
		{"unknown sign-in", "GET", "/connect/nope", nil, 404},
		{"pick on unknown sign-in", "POST", "/connect/nope/pick", url.Values{"account": {"x"}}, 404},
		{"form too large", "POST", "/workspaces", url.Values{"name": {strings.Repeat("y", maxForm+10)}}, 400},
		{"unknown help topic", "GET", "/help/nope", nil, 404},
		{"disconnect unknown", "POST", "/connections/999/disconnect", nil, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.do(c.method, c.path, c.form, nil)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %.400s", resp.StatusCode, c.want, body)
			}
			if !strings.Contains(body, "data-problem") {
				t.Fatalf("no clear message: %.400s", body)
			}
		})
	}
	// Nothing changed: one workspace, its name, one connection, no pull, no job.
	wss, _ := e.st.Workspaces(context.Background())
	if len(wss) != 1 || wss[0].Name != "Acme" {
		t.Fatalf("workspaces changed: %+v", wss)
	}
	conns, _ := e.st.Connections(context.Background(), ws.ID)
	if len(conns) != 1 {
		t.Fatalf("%d connections, want 1", len(conns))
	}
	if ps, _ := e.st.Pulls(context.Background(), conn.ID, 0); len(ps) != 0 {
		t.Fatalf("%d pulls after bad input, want 0", len(ps))
	}
	if _, queued, _ := e.jobs.Active(context.Background(), conn.ID); queued {
		t.Fatal("a pull job was queued by bad input")
	}
}

// A sign-in whose answer never comes (the window was closed) ends with a
// message once it times out, and leaves nothing behind.
func TestAbandonedSignIn(t *testing.T) {
	e := newEnv(t, envOptions{flowLimit: 300 * time.Millisecond})
	ws := e.workspace("Acme")
	resp, body := e.do("POST", fmt.Sprintf("/w/%d/connect", ws.ID), url.Values{"source": {"xero"}, "sandbox": {e.xeroURL}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: %d %.300s", resp.StatusCode, body)
	}
	flowURL := resp.Header.Get("Location")
	_, body = e.do("GET", flowURL, nil, nil)
	if !strings.Contains(body, `data-flow="waiting"`) || !strings.Contains(body, e.xeroURL+"/identity/connect/authorize?") {
		t.Fatalf("flow page does not lead to the sandbox's sign-in: %.600s", body)
	}
	time.Sleep(400 * time.Millisecond)
	_, body = e.do("GET", flowURL, nil, nil)
	if !strings.Contains(body, "was the window closed?") || !strings.Contains(body, "nothing was connected") {
		t.Fatalf("no clear message after the sign-in was abandoned: %.800s", body)
	}
	if conns, _ := e.st.Connections(context.Background(), ws.ID); len(conns) != 0 {
		t.Fatalf("%d connections after an abandoned sign-in", len(conns))
	}
}
