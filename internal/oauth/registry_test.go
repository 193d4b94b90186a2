package oauth

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

func TestRegistryOneSourcePerTokenSet(t *testing.T) {
	var reg Registry
	c := NewClient(provider.OAuthSpec{}, nil)
	var opens atomic.Int64
	open := func(context.Context) (*TokenSource, error) {
		opens.Add(1)
		time.Sleep(10 * time.Millisecond) // loading and unsealing take a while
		return NewTokenSource(c, TokenSet{AccessToken: "a"}, nil), nil
	}
	const n = 20
	got := make([]*TokenSource, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src, err := reg.Get(context.Background(), "user-1", open)
			if err != nil {
				t.Error(err)
			}
			got[i] = src
		}()
	}
	wg.Wait()
	for i := range n {
		if got[i] == nil || got[i] != got[0] {
			t.Fatalf("Get %d returned a different TokenSource", i)
		}
	}
	if opens.Load() != 1 {
		t.Fatalf("open called %d times for one token set, want 1", opens.Load())
	}
	other, _ := reg.Get(context.Background(), "user-2", open)
	if other == got[0] {
		t.Fatal("two token sets share a TokenSource")
	}
	reg.Forget("user-1")
	again, _ := reg.Get(context.Background(), "user-1", open)
	if again == got[0] {
		t.Fatal("Forget did not drop the TokenSource")
	}
}

func TestRegistryFailedOpenIsRetried(t *testing.T) {
	var reg Registry
	boom := errors.New("store unavailable")
	if _, err := reg.Get(context.Background(), "u", func(context.Context) (*TokenSource, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	src, err := reg.Get(context.Background(), "u", func(context.Context) (*TokenSource, error) {
		return NewTokenSource(NewClient(provider.OAuthSpec{}, nil), TokenSet{}, nil), nil
	})
	if err != nil || src == nil {
		t.Fatalf("second Get = %v, %v", src, err)
	}
}

// TestTwoOrganisationsOneUser runs two pulls, one per organisation of the
// same Xero user, at once. Their access tokens expire mid-pull; both pulls
// recover through the one shared TokenSource with a single refresh, and
// the rotated refresh token is never used twice.
func TestTwoOrganisationsOneUser(t *testing.T) {
	env := newSandbox(t)
	c := NewClient(env.spec(false), nil)
	first := env.signIn(t, c)
	tenants, _ := env.connections(t, first.AccessToken)
	if len(tenants) != 2 {
		t.Fatalf("the user reaches %d organisations, want 2", len(tenants))
	}
	store := &memStore{set: first}
	var reg Registry
	open := func(context.Context) (*TokenSource, error) {
		return NewTokenSource(c, store.stored(), store.persist), nil
	}
	before := env.tokenCalls.Load()

	const calls = 20
	var expired sync.Once
	var wg sync.WaitGroup
	srcs := make([]*TokenSource, len(tenants))
	for i, tenant := range tenants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			src, err := reg.Get(ctx, "token-set-1", open)
			if err != nil {
				t.Error(err)
				return
			}
			srcs[i] = src
			for j := range calls {
				if j == calls/2 {
					expired.Do(func() { env.srv.ExpireAccessTokens() })
				}
				if err := pacedCall(ctx, env, src, tenant); err != nil {
					t.Errorf("organisation %d call %d: %v", i, j, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if srcs[0] != srcs[1] {
		t.Fatal("the two pulls of one user got different TokenSources")
	}
	if n := env.tokenCalls.Load() - before; n != 1 {
		t.Fatalf("%d token endpoint calls, want exactly 1 refresh", n)
	}
	if store.stored().AccessToken != srcs[0].TokenSet().AccessToken {
		t.Error("the refreshed set in use is not the one stored")
	}
}

// pacedCall does what the pacer does for one call: send with the current
// token; on 401, Refresh with the token that failed and send again once.
func pacedCall(ctx context.Context, env *sandboxEnv, src *TokenSource, tenant string) error {
	tok, err := src.Token(ctx)
	if err != nil {
		return err
	}
	status, err := env.organisation(ctx, tok, tenant)
	if err != nil {
		return err
	}
	if status == http.StatusUnauthorized {
		if tok, err = src.Refresh(ctx, tok); err != nil {
			return err
		}
		if status, err = env.organisation(ctx, tok, tenant); err != nil {
			return err
		}
	}
	if status != http.StatusOK {
		return errors.New("status " + http.StatusText(status))
	}
	return nil
}
