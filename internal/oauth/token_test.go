package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// step is one scripted token endpoint answer.
type step struct {
	status int
	header map[string]string
	body   string
	hangUp bool // close the connection without answering
}

// scriptedServer answers the token endpoint from a script, then repeats
// the last step; it records the forms it received.
type scriptedServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	steps []step
	forms []url.Values
	basic []string
}

func newScripted(t *testing.T, steps ...step) *scriptedServer {
	s := &scriptedServer{steps: steps}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		s.mu.Lock()
		i := min(len(s.forms), len(s.steps)-1)
		s.forms = append(s.forms, r.PostForm)
		u, p, _ := r.BasicAuth()
		s.basic = append(s.basic, u+":"+p)
		st := s.steps[i]
		s.mu.Unlock()
		if st.hangUp {
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
			return
		}
		for k, v := range st.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(st.status)
		io.WriteString(w, st.body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scriptedServer) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.forms)
}

// testClient returns a client for s whose sleeps are recorded, not slept.
func testClient(s *scriptedServer, secret string) (*Client, *[]time.Duration) {
	c := NewClient(provider.OAuthSpec{
		TokenURL: s.srv.URL + "/token", RevokeURL: s.srv.URL + "/revoke",
		ClientID: "id", ClientSecret: secret,
	}, nil)
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	c.now = func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }
	return c, &slept
}

var ok200 = step{status: 200, body: tokenJSONFor("new-at", "new-rt", 1800)}

func TestTokenEndpointRetries(t *testing.T) {
	date := time.Date(2026, 1, 1, 12, 0, 7, 0, time.UTC).Format(http.TimeFormat)
	for _, tc := range []struct {
		name      string
		steps     []step
		calls     int
		wantSleep []time.Duration // exact waits; nil means only count them
		wantErr   func(error) bool
	}{
		{name: "429 with Retry-After seconds", calls: 2,
			steps:     []step{{status: 429, header: map[string]string{"Retry-After": "3"}}, ok200},
			wantSleep: []time.Duration{3 * time.Second}},
		{name: "429 with Retry-After date", calls: 2,
			steps:     []step{{status: 429, header: map[string]string{"Retry-After": date}}, ok200},
			wantSleep: []time.Duration{7 * time.Second}},
		{name: "503 then 502 HTML then success", calls: 3,
			steps: []step{{status: 503}, {status: 502, body: "<html>Bad Gateway</html>"}, ok200}},
		{name: "connection dropped", calls: 2, steps: []step{{hangUp: true}, ok200}},
		{name: "429 for ever", calls: defaultAttempts,
			steps: []step{{status: 429, header: map[string]string{"Retry-After": "1"}, body: "slow down"}},
			wantErr: func(err error) bool {
				var ae *provider.APIError
				return errors.As(err, &ae) && ae.Status == 429 && ae.Body == "slow down"
			}},
		{name: "Retry-After too long", calls: 1,
			steps: []step{{status: 429, header: map[string]string{"Retry-After": "3600"}}},
			wantErr: func(err error) bool {
				var ae *provider.APIError
				return errors.As(err, &ae) && ae.Status == 429
			}},
		{name: "400 is not retried", calls: 1,
			steps: []step{{status: 400, body: `{"error":"invalid_request"}`}},
			wantErr: func(err error) bool {
				var te *TokenError
				return errors.As(err, &te) && te.Code == "invalid_request"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t, tc.steps...)
			c, slept := testClient(s, "")
			ts, err := c.Refresh(context.Background(), "old-rt")
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
			} else if err != nil || ts.AccessToken != "new-at" {
				t.Fatalf("Refresh = %+v, %v", ts, err)
			}
			if s.calls() != tc.calls {
				t.Errorf("%d calls, want %d", s.calls(), tc.calls)
			}
			if len(*slept) != tc.calls-1 {
				t.Errorf("slept %v, want %d waits", *slept, tc.calls-1)
			}
			for i, want := range tc.wantSleep {
				if (*slept)[i] != want {
					t.Errorf("wait %d = %v, want %v", i, (*slept)[i], want)
				}
			}
			for i, d := range *slept {
				if d <= 0 || d > backoffCap {
					t.Errorf("wait %d = %v out of range", i, d)
				}
			}
		})
	}
}

func TestExchangeRetriesOnlyRefusals(t *testing.T) {
	// A 500 may mean the code was used: repeating it could revoke the
	// tokens it was exchanged for.
	s := newScripted(t, step{status: 500}, ok200)
	c, _ := testClient(s, "")
	if _, err := c.Exchange(context.Background(), AuthRequest{RedirectURI: "http://127.0.0.1:1/callback", Verifier: "v"}, "code"); err == nil {
		t.Fatal("Exchange succeeded through a 500")
	}
	if s.calls() != 1 {
		t.Fatalf("%d calls after a 500, want 1", s.calls())
	}
	s = newScripted(t, step{status: 429, header: map[string]string{"Retry-After": "1"}}, ok200)
	c, _ = testClient(s, "")
	if _, err := c.Exchange(context.Background(), AuthRequest{}, "code"); err != nil || s.calls() != 2 {
		t.Fatalf("Exchange after a 429: %v in %d calls", err, s.calls())
	}
}

func TestTokenEndpointRetryStopsOnCancel(t *testing.T) {
	s := newScripted(t, step{status: 503})
	c := NewClient(provider.OAuthSpec{TokenURL: s.srv.URL, ClientID: "id"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Refresh(ctx, "rt")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
}

func TestRefreshAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		step   step
		check  func(TokenSet) bool
		reauth bool
		errHas string
	}{
		{name: "rotated", step: ok200,
			check: func(ts TokenSet) bool { return ts.RefreshToken == "new-rt" && ts.AccessToken == "new-at" }},
		{name: "no new refresh token keeps the old",
			step:  step{status: 200, body: `{"access_token":"a","token_type":"bearer","expires_in":60}`},
			check: func(ts TokenSet) bool { return ts.RefreshToken == "old-rt" }},
		{name: "no expires_in leaves expiry unknown",
			step:  step{status: 200, body: `{"access_token":"a"}`},
			check: func(ts TokenSet) bool { return ts.Expiry.IsZero() }},
		{name: "Xero invalid_grant", reauth: true, errHas: "invalid_grant",
			step: step{status: 400, body: `{"error":"invalid_grant"}`}},
		{name: "HubSpot BAD_REFRESH_TOKEN", reauth: true, errHas: "invalid_grant",
			step: step{status: 400, body: `{"status":"BAD_REFRESH_TOKEN","message":"refresh token is invalid"}`}},
		{name: "invalid_client is not a reauth", errHas: "invalid_client",
			step: step{status: 401, body: `{"error":"invalid_client"}`}},
		{name: "error in a 200", reauth: true, errHas: "invalid_grant",
			step: step{status: 200, body: `{"error":"invalid_grant"}`}},
		{name: "not JSON", errHas: "not JSON", step: step{status: 200, body: "<html>"}},
		{name: "no access token", errHas: "no access_token", step: step{status: 200, body: `{}`}},
		{name: "MAC token", errHas: "want bearer", step: step{status: 200, body: `{"access_token":"a","token_type":"mac"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t, tc.step)
			c, _ := testClient(s, "")
			ts, err := c.Refresh(context.Background(), "old-rt")
			var reauth *provider.NeedsReauthError
			if got := errors.As(err, &reauth); got != tc.reauth {
				t.Errorf("NeedsReauth = %v (err %v), want %v", got, err, tc.reauth)
			}
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.errHas)
				}
				return
			}
			if err != nil || !tc.check(ts) {
				t.Fatalf("Refresh = %+v, %v", ts, err)
			}
			if f := s.forms[0]; f.Get("grant_type") != "refresh_token" || f.Get("refresh_token") != "old-rt" || f.Get("client_id") != "id" {
				t.Errorf("form %v", f)
			}
		})
	}
}

func TestRevokeSandbox(t *testing.T) {
	env := newSandbox(t)
	c := NewClient(env.spec(true), nil)
	ts := env.signIn(t, c)
	if err := Revoke(context.Background(), env.spec(true), ts.RefreshToken); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if _, status := env.connections(t, ts.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("GET /connections after revoke: %d, want 401", status)
	}
	var reauth *provider.NeedsReauthError
	if _, err := c.Refresh(context.Background(), ts.RefreshToken); !errors.As(err, &reauth) {
		t.Errorf("refresh after revoke: %v, want NeedsReauth", err)
	}
}

func TestRevokeRequest(t *testing.T) {
	s := newScripted(t, step{status: 503}, step{status: 200})
	c, _ := testClient(s, "sec")
	if err := c.Revoke(context.Background(), "rt-1"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if s.calls() != 2 {
		t.Errorf("%d calls, want a retry after 503", s.calls())
	}
	if f := s.forms[1]; f.Get("token") != "rt-1" || f.Get("token_type_hint") != "refresh_token" {
		t.Errorf("form %v", f)
	}
	if s.basic[1] != "id:sec" {
		t.Errorf("Basic auth %q", s.basic[1])
	}
	s = newScripted(t, step{status: 400, body: `{"error":"unsupported_token_type"}`})
	c, _ = testClient(s, "")
	var te *TokenError
	if err := c.Revoke(context.Background(), "x"); !errors.As(err, &te) {
		t.Errorf("err = %v, want a TokenError", err)
	}
	if err := NewClient(provider.OAuthSpec{}, nil).Revoke(context.Background(), "x"); err == nil {
		t.Error("Revoke without a revocation URL succeeded")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestTokenSetJSON pins the stored form: the store seals this JSON, so a
// change here must stay readable.
func TestTokenSetJSON(t *testing.T) {
	ts := TokenSet{AccessToken: "a", RefreshToken: "r", Expiry: time.Date(2026, 6, 30, 12, 30, 0, 0, time.UTC), Scope: "x y"}
	b, err := json.Marshal(ts)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"access_token":"a","refresh_token":"r","expiry":"2026-06-30T12:30:00Z","scope":"x y"}`
	if string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	if got := ts.Scopes(); len(got) != 2 || got[1] != "y" {
		t.Errorf("Scopes = %v", got)
	}
	empty, _ := json.Marshal(TokenSet{AccessToken: "a"})
	if string(empty) != `{"access_token":"a"}` {
		t.Errorf("zero fields not omitted: %s", empty)
	}
}
