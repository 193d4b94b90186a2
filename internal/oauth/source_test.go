package oauth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// The pacer's view of a token source (internal/pacer declares its own).
var _ interface {
	Token(ctx context.Context) (string, error)
	Refresh(ctx context.Context, stale string) (string, error)
} = (*TokenSource)(nil)

// memStore is the store's part in these tests: it keeps the last persisted
// token set, as the sealed row in the database would.
type memStore struct {
	mu   sync.Mutex
	set  TokenSet
	fail func(TokenSet) error // when set, decides whether a save fails
	log  []string
}

func (m *memStore) persist(ctx context.Context, ts TokenSet) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		if err := m.fail(ts); err != nil {
			m.log = append(m.log, "persist failed")
			return err
		}
	}
	m.set = ts
	m.log = append(m.log, "persisted "+ts.AccessToken)
	return nil
}

func (m *memStore) stored() TokenSet {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.set
}

func TestTokenSourcePersistsBeforeUse(t *testing.T) {
	env := newSandbox(t)
	c := NewClient(env.spec(false), nil)
	first := env.signIn(t, c)
	store := &memStore{set: first}
	var src *TokenSource
	store.fail = func(ts TokenSet) error {
		// While it is being persisted, nobody has been given the new
		// access token yet.
		if src.TokenSet().AccessToken == ts.AccessToken {
			t.Error("the new token set was in use before Persist returned")
		}
		return nil
	}
	src = NewTokenSource(c, first, store.persist)

	tok, err := src.Refresh(context.Background(), first.AccessToken)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	saved := store.stored()
	if tok == first.AccessToken || tok != saved.AccessToken {
		t.Fatalf("Refresh returned %q; want the new token, which was persisted as %q", tok, saved.AccessToken)
	}
	if saved.RefreshToken == first.RefreshToken || saved.RefreshToken == "" {
		t.Fatal("the persisted set does not hold the rotated refresh token")
	}
	if src.TokenSet() != saved {
		t.Errorf("the source's set %+v differs from the persisted one %+v", src.TokenSet(), saved)
	}
	if _, status := env.connections(t, tok); status != http.StatusOK {
		t.Errorf("the refreshed access token gets %d", status)
	}
	// The persisted refresh token is the live one: a restart an hour later
	// (grace long over) still refreshes.
	env.srv.Clock().Advance(time.Hour)
	restarted := NewTokenSource(c, saved, nil)
	if _, err := restarted.Refresh(context.Background(), saved.AccessToken); err != nil {
		t.Fatalf("refresh with the persisted refresh token: %v", err)
	}
}

func TestTokenSourcePersistFailure(t *testing.T) {
	env := newSandbox(t)
	c := NewClient(env.spec(false), nil)
	first := env.signIn(t, c)
	boom := errors.New("disk full")
	var fails atomic.Int64
	store := &memStore{set: first, fail: func(TokenSet) error {
		if fails.Add(1) == 1 {
			return boom
		}
		return nil
	}}
	src := NewTokenSource(c, first, store.persist)

	tok, err := src.Refresh(context.Background(), first.AccessToken)
	if !errors.Is(err, boom) || tok != "" {
		t.Fatalf("Refresh = %q, %v; want no token and the persist error", tok, err)
	}
	if src.TokenSet() != first || store.stored() != first {
		t.Fatal("the unsaved token set was adopted")
	}
	// The provider rotated, but the stored (old) refresh token still works
	// within Xero's 30-minute grace.
	env.srv.Clock().Advance(10 * time.Minute)
	tok, err = src.Refresh(context.Background(), first.AccessToken)
	if err != nil {
		t.Fatalf("second Refresh with the old refresh token: %v", err)
	}
	if tok != store.stored().AccessToken {
		t.Error("the token returned is not the one persisted")
	}
	if _, status := env.connections(t, tok); status != http.StatusOK {
		t.Errorf("the new access token gets %d", status)
	}
}

// TestTokenSourceKilledBeforePersist: the process refreshes and dies before
// the new set is saved. The next start has only the stored, old set.
func TestTokenSourceKilledBeforePersist(t *testing.T) {
	for _, tc := range []struct {
		name       string
		downtime   time.Duration
		wantReauth bool
	}{
		{"restart within the grace period", 20 * time.Minute, false},
		{"restart after the grace period", 31 * time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSandbox(t)
			c := NewClient(env.spec(false), nil)
			stored := env.signIn(t, c)
			killed := errors.New("killed")
			dying := NewTokenSource(c, stored, func(context.Context, TokenSet) error { return killed })
			if _, err := dying.Refresh(context.Background(), stored.AccessToken); !errors.Is(err, killed) {
				t.Fatalf("refresh in the dying process: %v", err)
			}
			if env.tokenCalls.Load() != 2 { // the code exchange and the refresh
				t.Fatalf("%d token calls: the provider did not rotate", env.tokenCalls.Load())
			}

			env.srv.Clock().Advance(tc.downtime)
			store := &memStore{set: stored}
			next := NewTokenSource(c, stored, store.persist)
			tok, err := next.Refresh(context.Background(), stored.AccessToken)
			if tc.wantReauth {
				var reauth *provider.NeedsReauthError
				if !errors.As(err, &reauth) {
					t.Fatalf("err = %v, want *provider.NeedsReauthError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refresh after restart: %v", err)
			}
			if _, status := env.connections(t, tok); status != http.StatusOK {
				t.Errorf("the new access token gets %d", status)
			}
			if store.stored().AccessToken != tok {
				t.Error("the recovered token set was not persisted")
			}
		})
	}
}

func TestTokenSourceConcurrentRefresh(t *testing.T) {
	env := newSandbox(t)
	c := NewClient(env.spec(false), nil)
	first := env.signIn(t, c)
	before := env.tokenCalls.Load()
	store := &memStore{set: first}
	src := NewTokenSource(c, first, store.persist)

	const n = 10
	toks := make([]string, n)
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			// Each caller saw a 401 with the first access token.
			toks[i], errs[i] = src.Refresh(context.Background(), first.AccessToken)
		}()
	}
	start.Done()
	done.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if toks[i] != toks[0] || toks[i] == first.AccessToken {
			t.Fatalf("caller %d got %q, caller 0 %q", i, toks[i], toks[0])
		}
	}
	if calls := env.tokenCalls.Load() - before; calls != 1 {
		t.Fatalf("%d token endpoint calls for %d concurrent refreshes, want 1", calls, n)
	}
	if len(store.log) != 1 {
		t.Errorf("persisted %d times, want once: %v", len(store.log), store.log)
	}
}

func TestTokenSourceNeedsReauth(t *testing.T) {
	t.Run("revoked consent", func(t *testing.T) {
		env := newSandbox(t)
		c := NewClient(env.spec(false), nil)
		first := env.signIn(t, c)
		tenants, _ := env.connections(t, first.AccessToken)
		user := env.srv.World().Users[0].ID
		if env.srv.RevokeUser(user) != len(tenants) {
			t.Fatal("RevokeUser removed no connections")
		}
		src := NewTokenSource(c, first, nil)
		_, err := src.Refresh(context.Background(), first.AccessToken)
		var reauth *provider.NeedsReauthError
		var te *TokenError
		if !errors.As(err, &reauth) || !errors.As(err, &te) || te.Code != "invalid_grant" {
			t.Fatalf("err = %v, want *provider.NeedsReauthError around invalid_grant", err)
		}
		// The sign-in is gone: asking again does not call the provider.
		calls := env.tokenCalls.Load()
		if _, err := src.Token(context.Background()); !errors.As(err, &reauth) {
			t.Fatalf("Token after reauth: %v", err)
		}
		if env.tokenCalls.Load() != calls {
			t.Error("a dead sign-in called the token endpoint again")
		}
	})
	t.Run("expired without a refresh token", func(t *testing.T) {
		c := NewClient(provider.OAuthSpec{TokenURL: "http://127.0.0.1:9/never"}, nil)
		src := NewTokenSource(c, TokenSet{AccessToken: "a", Expiry: time.Now().Add(-time.Minute)}, nil)
		var reauth *provider.NeedsReauthError
		if _, err := src.Token(context.Background()); !errors.As(err, &reauth) {
			t.Fatalf("err = %v, want *provider.NeedsReauthError", err)
		}
	})
}

// countingTokenServer answers every refresh with a fresh token.
func countingTokenServer(t *testing.T, expiresIn int) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		io.WriteString(w, tokenJSONFor("at-"+strconv.FormatInt(i, 10), "rt", expiresIn))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestTokenSourceRefreshesBeforeExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		set         TokenSet
		wantRefresh bool
	}{
		{"10 minutes left", TokenSet{AccessToken: "at-0", RefreshToken: "rt", Expiry: now.Add(10 * time.Minute)}, false},
		{"just over the margin", TokenSet{AccessToken: "at-0", RefreshToken: "rt", Expiry: now.Add(RefreshEarly + time.Second)}, false},
		{"inside the margin", TokenSet{AccessToken: "at-0", RefreshToken: "rt", Expiry: now.Add(RefreshEarly - time.Second)}, true},
		{"expired", TokenSet{AccessToken: "at-0", RefreshToken: "rt", Expiry: now.Add(-time.Hour)}, true},
		{"no expiry known", TokenSet{AccessToken: "at-0", RefreshToken: "rt"}, false},
		{"no access token", TokenSet{RefreshToken: "rt"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := countingTokenServer(t, 1800)
			c := NewClient(provider.OAuthSpec{TokenURL: srv.URL, ClientID: "id"}, nil)
			c.now = func() time.Time { return now }
			src := NewTokenSource(c, tc.set, nil)
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if refreshed := calls.Load() == 1; refreshed != tc.wantRefresh || (tok == "at-0") == tc.wantRefresh {
				t.Fatalf("token %q after %d calls; want refresh %v", tok, calls.Load(), tc.wantRefresh)
			}
			if tc.wantRefresh && !src.TokenSet().Expiry.Equal(now.Add(30*time.Minute)) {
				t.Errorf("new expiry %v, want now+30m", src.TokenSet().Expiry)
			}
		})
	}
}

func TestTokenSourceRefreshReturnsNewerToken(t *testing.T) {
	srv, calls := countingTokenServer(t, 1800)
	c := NewClient(provider.OAuthSpec{TokenURL: srv.URL, ClientID: "id"}, nil)
	src := NewTokenSource(c, TokenSet{AccessToken: "at-0", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)}, nil)
	a, err := src.Refresh(context.Background(), "at-0")
	if err != nil || a == "at-0" {
		t.Fatalf("Refresh = %q, %v", a, err)
	}
	// A late 401 for the token already replaced does not refresh again.
	b, err := src.Refresh(context.Background(), "at-0")
	if err != nil || b != a || calls.Load() != 1 {
		t.Fatalf("late Refresh = %q, %v after %d calls; want %q and one call", b, err, calls.Load(), a)
	}
}

func TestTokenSourceWaitRespectsContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, tokenJSONFor("at-1", "rt", 1800))
	}))
	defer srv.Close()
	defer close(release)
	c := NewClient(provider.OAuthSpec{TokenURL: srv.URL, ClientID: "id"}, nil)
	src := NewTokenSource(c, TokenSet{RefreshToken: "rt"}, nil)
	go src.Token(context.Background()) // the owner, stuck on the network
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := src.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the waiter's deadline", err)
	}
}
