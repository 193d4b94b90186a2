package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/pacer"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// ConnectFlow is a sign-in whose answer comes back to a page of the web
// app rather than to a loopback listener of its own: BeginConnect makes
// the authorize URL, the web app sends the browser there, and its callback
// hands the answer to Finish. Nothing is stored until Save, so a sign-in
// that is denied, forged or abandoned leaves nothing behind.
type ConnectFlow struct {
	WorkspaceID int64
	Source      string

	app     *App
	base    provider.BaseURLs
	src     provider.Source
	client  *oauth.Client
	req     oauth.AuthRequest
	authURL string
	tokens  oauth.TokenSet
}

// BeginConnect starts a sign-in to source (against a sandbox when sandbox
// is its base URL) for workspaceID, answered at redirectURI.
func (a *App) BeginConnect(ctx context.Context, workspaceID int64, source, sandbox, redirectURI string) (*ConnectFlow, error) {
	if _, err := a.st.Workspace(ctx, workspaceID); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	base, err := a.BaseURLs(source, sandbox)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	src, err := a.source(source, base)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	client := oauth.NewClient(src.OAuth(base), nil)
	req := oauth.NewAuthRequest(redirectURI)
	authURL, err := client.AuthURL(req)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", source, err)
	}
	return &ConnectFlow{WorkspaceID: workspaceID, Source: source, app: a, base: base, src: src,
		client: client, req: req, authURL: authURL}, nil
}

// AuthURL is where to send the browser to sign in.
func (f *ConnectFlow) AuthURL() string { return f.authURL }

// State is the sign-in's state parameter, which names the flow in the
// answer's query.
func (f *ConnectFlow) State() string { return f.req.State }

// Finish checks the provider's answer (state first, then a denial or an
// error), trades its code for tokens and lists the accounts the sign-in
// reaches, for the user to pick from.
func (f *ConnectFlow) Finish(ctx context.Context, answer url.Values) ([]provider.Account, error) {
	code, err := f.req.Code(answer)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", f.Source, err)
	}
	ts, err := f.client.Exchange(ctx, f.req, code)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", f.Source, err)
	}
	accounts, latest, err := f.app.accounts(ctx, f.Source, f.src, f.client, f.base, ts)
	if err != nil {
		return nil, err
	}
	f.tokens = latest
	return accounts, nil
}

// Save connects the chosen accounts (from Finish's list) to the workspace.
func (f *ConnectFlow) Save(ctx context.Context, chosen []provider.Account) ([]store.Connection, error) {
	if len(chosen) == 0 {
		return nil, fmt.Errorf("connect %s: %w", f.Source, ErrNothingChosen)
	}
	if f.tokens.RefreshToken == "" && f.tokens.AccessToken == "" {
		return nil, fmt.Errorf("connect %s: the sign-in has not finished", f.Source)
	}
	req := ConnectRequest{WorkspaceID: f.WorkspaceID, Source: f.Source}
	return f.app.saveConnections(context.WithoutCancel(ctx), req, f.base, f.tokens, chosen)
}

// accounts lists the accounts a fresh sign-in reaches, through a pacer of
// its own, and returns the tokens as they are after (the call may rotate
// them).
func (a *App) accounts(ctx context.Context, source string, src provider.Source, client *oauth.Client, base provider.BaseURLs, ts oauth.TokenSet) ([]provider.Account, oauth.TokenSet, error) {
	latest := ts
	tsrc := oauth.NewTokenSource(client, ts, func(_ context.Context, t oauth.TokenSet) error { latest = t; return nil })
	tr := pacer.New(pacer.Config{Policy: a.policy(source), Tokens: tsrc, Base: a.cfg.HTTP})
	accounts, err := src.Accounts(ctx, base, tr.Client())
	if err != nil {
		return nil, latest, fmt.Errorf("connect %s: list accounts: %w", source, err)
	}
	if len(accounts) == 0 {
		return nil, latest, fmt.Errorf("connect %s: the sign-in reaches no account", source)
	}
	nameFromToken(ctx, src, base, latest.AccessToken, accounts)
	return accounts, latest, nil
}

// SignIn says what Disconnect did with the sign-in at the provider.
type SignIn string

const (
	SignInRevoked     SignIn = "revoked"     // withdrawn at the provider
	SignInShared      SignIn = "shared"      // kept: another connection still uses it
	SignInNone        SignIn = "none"        // the connection had no sign-in left
	SignInUnsupported SignIn = "unsupported" // the provider has no revocation endpoint
	SignInFailed      SignIn = "failed"      // the provider did not take the revocation
)

// DisconnectResult is what Disconnect did beyond detaching the connection.
type DisconnectResult struct {
	SignIn SignIn
	// Err is why the revocation failed (SignInFailed); it did not stop
	// the disconnect.
	Err error
}

// revokeTimeout bounds the call to the provider's revocation endpoint:
// disconnecting must not hang on an unreachable provider.
const revokeTimeout = 15 * time.Second

// Disconnect detaches a connection from its sign-in: it keeps its pulled
// data and history and cannot be pulled until reconnected. When no other
// connection uses its sign-in, the token set is deleted and the sign-in is
// withdrawn at the provider too. On Xero a revocation drops every
// connection the user made to the app, so a sign-in is also kept while
// another connection reaches the same account at the same provider. A
// failed revocation is reported in the result, not as an error: the
// connection is disconnected here either way.
func (a *App) Disconnect(ctx context.Context, connID int64) (DisconnectResult, error) {
	conn, err := a.st.Connection(ctx, connID)
	if err != nil {
		return DisconnectResult{}, fmt.Errorf("disconnect: %w", err)
	}
	res := DisconnectResult{SignIn: SignInNone}
	var refresh string
	if conn.TokenSetID != 0 {
		shared, err := a.sharesSignIn(ctx, conn)
		if err != nil {
			return DisconnectResult{}, fmt.Errorf("disconnect: %w", err)
		}
		res.SignIn = SignInShared
		if !shared {
			// Read before detaching, which deletes the token set; the store
			// holds the latest token (refreshed tokens are stored before use).
			row, err := a.st.TokenSet(ctx, conn.TokenSetID)
			if err != nil {
				return DisconnectResult{}, fmt.Errorf("disconnect: %w", err)
			}
			ts, err := a.openTokens(row.Sealed)
			if err != nil {
				res.SignIn, res.Err = SignInFailed, fmt.Errorf("unlock sign-in: %w", err)
			} else {
				refresh = ts.RefreshToken
			}
		}
	}
	if err := a.st.SetConnectionTokenSet(ctx, connID, 0); err != nil {
		return DisconnectResult{}, fmt.Errorf("disconnect: %w", err)
	}
	if err := a.st.SetConnectionStatus(ctx, connID, store.ConnectionDisconnected); err != nil {
		return DisconnectResult{}, fmt.Errorf("disconnect: %w", err)
	}
	a.mu.Lock()
	delete(a.transports, connID)
	a.mu.Unlock()
	if conn.TokenSetID != 0 {
		a.tokens.Forget(strconv.FormatInt(conn.TokenSetID, 10))
	}
	if refresh != "" {
		res.SignIn, res.Err = a.revoke(ctx, conn, refresh)
	}
	return res, nil
}

// sharesSignIn reports whether another connection, in any workspace, uses
// conn's token set or reaches the same account at the same provider.
func (a *App) sharesSignIn(ctx context.Context, conn store.Connection) (bool, error) {
	wss, err := a.st.Workspaces(ctx)
	if err != nil {
		return false, err
	}
	for _, ws := range wss {
		conns, err := a.st.Connections(ctx, ws.ID)
		if err != nil {
			return false, err
		}
		for _, c := range conns {
			if c.ID == conn.ID || c.TokenSetID == 0 {
				continue
			}
			if c.TokenSetID == conn.TokenSetID ||
				(c.Source == conn.Source && c.AccountID == conn.AccountID && c.BaseURLs == conn.BaseURLs) {
				return true, nil
			}
		}
	}
	return false, nil
}

// revoke withdraws a refresh token at the connection's provider.
func (a *App) revoke(ctx context.Context, conn store.Connection, refresh string) (SignIn, error) {
	src, err := a.source(conn.Source, conn.BaseURLs)
	if err != nil {
		return SignInFailed, err
	}
	spec := src.OAuth(conn.BaseURLs)
	if spec.RevokeURL == "" {
		return SignInUnsupported, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
	defer cancel()
	var hc *http.Client
	if a.cfg.HTTP != nil {
		hc = &http.Client{Transport: a.cfg.HTTP, Timeout: revokeTimeout}
	}
	if err := oauth.NewClient(spec, hc).Revoke(rctx, refresh); err != nil {
		return SignInFailed, err
	}
	return SignInRevoked, nil
}

// Catalog lists a source's endpoints, for the screens that describe it.
func (a *App) Catalog(source string) ([]provider.EndpointInfo, error) {
	src, err := a.source(source, provider.BaseURLs{})
	if err != nil {
		return nil, err
	}
	return src.Catalog(), nil
}

// tokenAccounter is a source that can say more about the account a token
// belongs to than its account listing does (HubSpot: the hub domain, from
// token introspection).
type tokenAccounter interface {
	AccountForToken(ctx context.Context, base provider.BaseURLs, hc *http.Client, accessToken string) (provider.Account, error)
}

// nameFromToken gives the listed accounts the names and details token
// introspection knows, where the source offers it; failing that, the
// listing's own names stand.
func nameFromToken(ctx context.Context, src provider.Source, base provider.BaseURLs, token string, accounts []provider.Account) {
	ta, ok := src.(tokenAccounter)
	if !ok {
		return
	}
	acc, err := ta.AccountForToken(ctx, base, &http.Client{Timeout: 30 * time.Second}, token)
	if err != nil {
		return
	}
	for i := range accounts {
		if accounts[i].ID != acc.ID {
			continue
		}
		accounts[i].Name = acc.Name
		if accounts[i].Extra == nil {
			accounts[i].Extra = map[string]string{}
		}
		for k, v := range acc.Extra {
			accounts[i].Extra[k] = v
		}
	}
}
