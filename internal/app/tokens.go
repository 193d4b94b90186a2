package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// sealTokens encrypts a token set for the store.
func (a *App) sealTokens(ts oauth.TokenSet) ([]byte, error) {
	plain, err := json.Marshal(ts)
	if err != nil {
		return nil, err
	}
	return a.cfg.Sealer.Seal(plain)
}

// openTokens decrypts a stored token set.
func (a *App) openTokens(sealed []byte) (oauth.TokenSet, error) {
	plain, err := a.cfg.Sealer.Open(sealed)
	if err != nil {
		return oauth.TokenSet{}, err
	}
	var ts oauth.TokenSet
	if err := json.Unmarshal(plain, &ts); err != nil {
		return oauth.TokenSet{}, err
	}
	return ts, nil
}

// tokenSource returns the one token owner of the connection's token set.
// Every pull of every connection on that token set shares it, so a
// rotating refresh token is refreshed once and stored before use.
func (a *App) tokenSource(ctx context.Context, conn store.Connection, spec provider.OAuthSpec) (*oauth.TokenSource, error) {
	if conn.TokenSetID == 0 {
		return nil, &provider.NeedsReauthError{}
	}
	id := conn.TokenSetID
	return a.tokens.Get(ctx, strconv.FormatInt(id, 10), func(ctx context.Context) (*oauth.TokenSource, error) {
		row, err := a.st.TokenSet(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load sign-in: %w", err)
		}
		ts, err := a.openTokens(row.Sealed)
		if err != nil {
			return nil, fmt.Errorf("unlock sign-in (is this the machine and key file it was saved with?): %w", err)
		}
		persist := func(ctx context.Context, ts oauth.TokenSet) error {
			sealed, err := a.sealTokens(ts)
			if err != nil {
				return fmt.Errorf("seal refreshed sign-in: %w", err)
			}
			row.Sealed = sealed
			if _, err := a.st.SaveTokenSet(context.WithoutCancel(ctx), row); err != nil {
				return fmt.Errorf("save refreshed sign-in: %w", err)
			}
			return nil
		}
		return oauth.NewTokenSource(oauth.NewClient(spec, nil), ts, persist), nil
	})
}
