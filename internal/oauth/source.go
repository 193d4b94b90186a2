package oauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// RefreshEarly is how long before its expiry an access token is replaced,
// so a call started just before expiry does not arrive just after it.
const RefreshEarly = 2 * time.Minute

// persistTimeout bounds a Persist call, which runs even after the caller's
// context ends (see refreshOwned).
const persistTimeout = 30 * time.Second

// Persist stores a refreshed token set durably (sealed, in the store). It
// returns only once the set is safe: the TokenSource uses the new tokens
// only after it returns nil.
type Persist func(ctx context.Context, ts TokenSet) error

// TokenSource gives out one token set's access token and refreshes it. It
// is the refresh owner of that token set: at most one refresh runs at a
// time, and callers that asked meanwhile get its result. Safe for
// concurrent use. Its Token and Refresh methods are what the pacer needs.
type TokenSource struct {
	client  *Client
	persist Persist

	// owner is held for the whole of a refresh, network and persist
	// included. A channel rather than a mutex so waiting respects ctx.
	owner chan struct{}

	mu   sync.Mutex
	set  TokenSet
	dead error // the *provider.NeedsReauthError that ended this sign-in
}

// NewTokenSource returns the source for set, refreshed through c. persist
// is called with every refreshed set before its access token is handed
// out; nil means nothing is stored (tests, one-off commands).
//
// Persisting comes first for every provider, rotating or not: for Xero
// (OAuthSpec.RotatesRefreshTokens) it is what keeps the sign-in alive, and
// for the others one small write every half hour is not worth a second rule.
func NewTokenSource(c *Client, set TokenSet, persist Persist) *TokenSource {
	return &TokenSource{client: c, persist: persist, owner: make(chan struct{}, 1), set: set}
}

// TokenSet returns the current token set.
func (s *TokenSource) TokenSet() TokenSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set
}

// Token returns an access token that is not about to expire, refreshing
// first if needed.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	return s.refreshUnless(ctx, s.fresh)
}

// Refresh returns a new access token after stale, the one a provider just
// refused with 401. If another caller has already replaced stale, its
// replacement is returned without a second refresh.
func (s *TokenSource) Refresh(ctx context.Context, stale string) (string, error) {
	return s.refreshUnless(ctx, func(t TokenSet) bool { return t.AccessToken != stale && s.fresh(t) })
}

// fresh reports whether t's access token can be used now.
func (s *TokenSource) fresh(t TokenSet) bool {
	if t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || s.client.now().Add(RefreshEarly).Before(t.Expiry)
}

// refreshUnless returns the current access token if good accepts the
// current set, else becomes the owner and refreshes, checking good again
// once it is the owner, since the previous owner may have just done it.
func (s *TokenSource) refreshUnless(ctx context.Context, good func(TokenSet) bool) (string, error) {
	if tok, ok, err := s.current(good); ok {
		return tok, err
	}
	select {
	case s.owner <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("oauth: wait for token refresh: %w", ctx.Err())
	}
	defer func() { <-s.owner }()
	if tok, ok, err := s.current(good); ok {
		return tok, err
	}
	return s.refreshOwned(ctx)
}

// current returns the access token if good accepts the set, or the error
// that ended the sign-in; ok says either applies.
func (s *TokenSource) current(good func(TokenSet) bool) (tok string, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead != nil {
		return "", true, s.dead
	}
	if good(s.set) {
		return s.set.AccessToken, true, nil
	}
	return "", false, nil
}

// refreshOwned refreshes; the caller is the owner.
func (s *TokenSource) refreshOwned(ctx context.Context) (string, error) {
	old := s.TokenSet()
	if old.RefreshToken == "" {
		return "", s.kill(&provider.NeedsReauthError{Err: errors.New("oauth: the access token expired and the sign-in has no refresh token")})
	}
	next, err := s.client.Refresh(ctx, old.RefreshToken)
	if err != nil {
		var reauth *provider.NeedsReauthError
		if errors.As(err, &reauth) {
			return "", s.kill(err)
		}
		return "", err
	}
	if s.persist != nil {
		// The provider has already rotated the refresh token: saving the
		// new one matters more than the caller's cancellation, so it runs
		// to completion (bounded) even if ctx has ended.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), persistTimeout)
		err := s.persist(pctx, next)
		cancel()
		if err != nil {
			// Not stored, so not used: the stored (old) refresh token stays
			// the one to use, and the provider's grace period covers it.
			return "", fmt.Errorf("oauth: save refreshed tokens: %w", err)
		}
	}
	s.mu.Lock()
	s.set = next
	s.mu.Unlock()
	return next.AccessToken, nil
}

// kill records that the sign-in is gone, so later calls fail at once
// rather than asking the token endpoint again, and returns err.
func (s *TokenSource) kill(err error) error {
	s.mu.Lock()
	s.dead = err
	s.mu.Unlock()
	return err
}
