package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// ConnectRequest is a sign-in to connect accounts to a workspace.
type ConnectRequest struct {
	WorkspaceID int64
	Source      string
	// Sandbox, if set, is the base URL of a sandbox provider to connect
	// instead of the real one.
	Sandbox string
	Login   oauth.LoginOptions
	// Pick chooses which of the accounts the sign-in reaches to connect
	// (a Xero sign-in can reach several organisations); nil connects all.
	Pick func([]provider.Account) ([]provider.Account, error)
}

// ErrNothingChosen says the user picked no account: nothing was connected.
var ErrNothingChosen = errors.New("no account was chosen, so nothing was connected")

// Connect signs the user in through the browser and connects the accounts
// they pick. One token set is stored (sealed) for the sign-in and shared
// by its connections. An account already connected to the workspace gets
// the new sign-in (a reconnect). If anything fails, nothing is left half
// made: no token set without a connection.
func (a *App) Connect(ctx context.Context, req ConnectRequest) ([]store.Connection, error) {
	if _, err := a.st.Workspace(ctx, req.WorkspaceID); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	base, err := a.BaseURLs(req.Source, req.Sandbox)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	src, err := a.source(req.Source, base)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	client := oauth.NewClient(src.OAuth(base), nil)
	ts, err := client.Login(ctx, req.Login)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", req.Source, err)
	}
	accounts, latest, err := a.accounts(ctx, req.Source, src, client, base, ts)
	if err != nil {
		return nil, err
	}
	chosen := accounts
	if req.Pick != nil {
		if chosen, err = req.Pick(accounts); err != nil {
			return nil, fmt.Errorf("connect %s: %w", req.Source, err)
		}
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("connect %s: %w", req.Source, ErrNothingChosen)
	}
	return a.saveConnections(context.WithoutCancel(ctx), req, base, latest, chosen)
}

// saveConnections stores the sign-in and a connection per chosen account.
func (a *App) saveConnections(ctx context.Context, req ConnectRequest, base provider.BaseURLs, ts oauth.TokenSet, chosen []provider.Account) ([]store.Connection, error) {
	sealed, err := a.sealTokens(ts)
	if err != nil {
		return nil, fmt.Errorf("connect: seal sign-in: %w", err)
	}
	row, err := a.st.SaveTokenSet(ctx, store.TokenSet{Source: req.Source, Subject: chosen[0].ID, Sealed: sealed})
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	var out []store.Connection
	var replaced []int64
	for _, acc := range chosen {
		c, err := a.st.ConnectionByAccount(ctx, req.WorkspaceID, req.Source, acc.ID)
		switch {
		case err == nil:
			if err = a.st.SetConnectionTokenSet(ctx, c.ID, row.ID); err == nil {
				err = a.st.SetConnectionStatus(ctx, c.ID, store.ConnectionActive)
			}
			if c.TokenSetID != 0 {
				replaced = append(replaced, c.TokenSetID)
			}
			c.TokenSetID, c.Status = row.ID, store.ConnectionActive
		case errors.Is(err, store.ErrNotFound):
			c, err = a.st.CreateConnection(ctx, store.Connection{WorkspaceID: req.WorkspaceID, Source: req.Source,
				AccountID: acc.ID, AccountName: acc.Name, TokenSetID: row.ID, BaseURLs: base, Extra: acc.Extra})
		}
		if err != nil {
			if len(out) == 0 {
				a.st.DeleteTokenSet(ctx, row.ID) // unused: nothing half made
			}
			return out, fmt.Errorf("connect %s %q: %w", req.Source, acc.Name, err)
		}
		out = append(out, c)
	}
	for _, id := range replaced {
		a.tokens.Forget(strconv.FormatInt(id, 10))
		a.st.DeleteTokenSet(ctx, id) // refused while another connection still uses it
	}
	return out, nil
}
