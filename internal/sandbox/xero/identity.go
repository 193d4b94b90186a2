package xero

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// The OAuth clients every sandbox registers at start (the kit's, the same
// at every emulator). Real Xero issues a client per app; these stand in
// for DataPull's.
const (
	// PublicClientID is the native-app client ("Auth code with PKCE" in
	// Xero's developer portal): no secret, PKCE S256 required.
	PublicClientID = sandbox.PublicClientID
	// WebClientID is the confidential web-app client, which authenticates
	// at the token endpoint with HTTP Basic client_id:secret.
	WebClientID = sandbox.WebClientID
	// WebClientSecret is WebClientID's secret.
	WebClientSecret = sandbox.WebClientSecret
)

// DefaultRedirectURIs returns the redirect URIs both default clients accept.
// Being loopback URIs they match on any port (RFC 8252 §7.3), so a client
// listening on a free port needs no registration.
func DefaultRedirectURIs() []string { return sandbox.DefaultRedirectURIs() }

const (
	// authCodeTTL is how long a consent's code can be redeemed; Xero does
	// not publish its value, ten minutes is the RFC 6749 §4.1.2 maximum.
	authCodeTTL = 10 * time.Minute
	// connectionDateLayout is /connections' date format: ISO 8601 with seven
	// fractional digits and no zone, "2019-12-07T18:46:19.5165400".
	connectionDateLayout = "2006-01-02T15:04:05.0000000"
	// tokenExpiryLayout is the US-style timestamp in a TokenExpired detail.
	tokenExpiryLayout = "01/02/2006 15:04:05"
)

// grant is what a valid access token proves.
type grant struct {
	userID   string
	clientID string
	scopes   map[string]bool
	expires  time.Time
}

// identity is Xero's identity service: the OAuth server (the kit's core)
// plus what Xero keeps beside it, connections and consented scopes.
type identity struct {
	s    *Server
	auth *sandbox.AuthServer
	csrf *http.CrossOriginProtection

	mu       sync.RWMutex
	conns    []*tenantConnection // in the order they were made
	consents map[consentKey][]string
}

// consentKey names the scopes one user has granted one app. Xero's scopes
// are additive: consenting again adds to them, and only revocation clears
// them.
type consentKey struct{ userID, clientID string }

// tenantConnection is one tenant a user has connected to an app.
type tenantConnection struct {
	id          string
	authEventID string
	userID      string
	clientID    string
	org         *Org
	created     time.Time
	updated     time.Time
}

// connectionJSON is one element of GET /connections.
type connectionJSON struct {
	ID             string `json:"id"`
	AuthEventID    string `json:"authEventId"`
	TenantID       string `json:"tenantId"`
	TenantType     string `json:"tenantType"`
	TenantName     string `json:"tenantName"`
	CreatedDateUTC string `json:"createdDateUtc"`
	UpdatedDateUTC string `json:"updatedDateUtc"`
}

// tokenResponse is the token endpoint's answer. Xero also sends an OpenID
// id_token for the openid scope; the sandbox omits it, as the spec allows.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

func newIdentity(s *Server) *identity {
	auth := sandbox.NewAuthServer(s.clock, sandbox.OAuthConfig{
		AccessTokenTTL:      s.cfg.AccessTokenTTL,
		RefreshTokenTTL:     s.cfg.RefreshTokenTTL,
		RefreshGrace:        s.cfg.RefreshGrace,
		CodeTTL:             authCodeTTL,
		RotateRefreshTokens: true,
	})
	auth.RegisterDefaultClients()
	return &identity{
		s:        s,
		auth:     auth,
		csrf:     http.NewCrossOriginProtection(),
		consents: make(map[consentKey][]string),
	}
}

func (s *Server) identityRoutes(mux *http.ServeMux) {
	id := s.ident
	mux.HandleFunc(authorizePath, id.handleAuthorize)
	mux.HandleFunc("/connect/token", id.handleToken)
	mux.HandleFunc("/connect/revocation", id.handleRevocation)
	// The spec spells it /Connections, Xero's docs /connections; both work.
	for _, p := range []string{"/connections", "/Connections"} {
		mux.HandleFunc(p, id.handleConnections)
		mux.HandleFunc(p+"/{id}", id.handleConnection)
	}
}

// RegisterClient adds an OAuth client (or replaces one with the same id),
// for code that needs its own redirect URIs or secret.
func (s *Server) RegisterClient(c sandbox.Client) error {
	if err := s.ident.auth.RegisterClient(c); err != nil {
		return fmt.Errorf("xero sandbox: %w", err)
	}
	return nil
}

// ExpireAccessTokens makes every access token issued so far expire now (the
// token-expiry fault): the next call with one gets 401 TokenExpired, and a
// refresh gets a working one. It reports how many it cut short.
func (s *Server) ExpireAccessTokens() int { return s.ident.auth.ExpireAccessTokens() }

// RevokeUser withdraws a user's consent to every app, as the user removing
// them under Connected Apps (the revoked-consent fault): all the user's
// token sets die, so refreshes get invalid_grant, and all the user's
// connections go. It reports how many connections it removed.
func (s *Server) RevokeUser(userID string) int {
	s.ident.auth.RevokeSubject("", userID)
	return s.ident.forget(func(c *tenantConnection) bool { return c.userID == userID }, func(k consentKey) bool { return k.userID == userID })
}

// DisconnectTenant removes every connection to one organisation, as its
// adviser disconnecting the app would. Tokens stay valid (they may reach
// other tenants, and /connections answers []), while calls for this tenant
// get 403. It reports how many connections it removed.
func (s *Server) DisconnectTenant(tenantID string) int {
	return s.ident.forget(func(c *tenantConnection) bool { return strings.EqualFold(c.org.ID, tenantID) }, nil)
}

// forget removes the connections (and consents) that match.
func (id *identity) forget(conn func(*tenantConnection) bool, consent func(consentKey) bool) int {
	id.mu.Lock()
	defer id.mu.Unlock()
	kept := id.conns[:0]
	for _, c := range id.conns {
		if !conn(c) {
			kept = append(kept, c)
		}
	}
	n := len(id.conns) - len(kept)
	clear(id.conns[len(kept):])
	id.conns = kept
	if consent != nil {
		for k := range id.consents {
			if consent(k) {
				delete(id.consents, k)
			}
		}
	}
	return n
}

// authenticate checks the request's bearer token.
func (id *identity) authenticate(r *http.Request, instance string) (*grant, *apiError) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, errAuthentication(instance)
	}
	g, err := id.auth.Lookup(token)
	var expired *sandbox.TokenExpiredError
	if errors.As(err, &expired) {
		return nil, errTokenExpired(expired.At.UTC().Format(tokenExpiryLayout), instance)
	}
	if err != nil {
		return nil, errAuthentication(instance)
	}
	return &grant{userID: g.Subject, clientID: g.ClientID, scopes: g.ScopeSet, expires: g.Expires}, nil
}

// bearerToken extracts the token of "Bearer <token>"; the scheme is
// case-insensitive (RFC 7235), the token one opaque word.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// connectedOrg resolves the xero-tenant-id header to an organisation this
// user has connected to this app. Tenant ids are GUIDs, which Xero compares
// without regard to case.
func (id *identity) connectedOrg(g *grant, tenantID, instance string) (*Org, *apiError) {
	tenantID = strings.TrimSpace(tenantID)
	if tenantID == "" {
		return nil, errForbiddenTenant(instance)
	}
	id.mu.RLock()
	defer id.mu.RUnlock()
	for _, c := range id.conns {
		if c.userID == g.userID && c.clientID == g.clientID && strings.EqualFold(c.org.ID, tenantID) {
			return c.org, nil
		}
	}
	return nil, errForbiddenTenant(instance)
}

// connect records an approved consent: each chosen organisation gets a
// connection (one already there keeps its id and creation date and moves
// updatedDateUtc), all under a new authEventId, and the requested scopes
// join those granted before. It returns the scopes the token set carries.
func (id *identity) connect(userID, clientID, authEventID string, orgs []*Org, requested []string) []string {
	now := id.s.clock.Now().UTC()
	id.mu.Lock()
	defer id.mu.Unlock()
	for _, o := range orgs {
		var found *tenantConnection
		for _, c := range id.conns {
			if c.userID == userID && c.clientID == clientID && c.org == o {
				found = c
				break
			}
		}
		if found == nil {
			found = &tenantConnection{id: sandbox.NewUUID(), userID: userID, clientID: clientID, org: o, created: now}
			id.conns = append(id.conns, found)
		}
		found.authEventID, found.updated = authEventID, now
	}
	key := consentKey{userID, clientID}
	scopes := append([]string(nil), requested...)
	seen := make(map[string]bool, len(scopes))
	for _, sc := range scopes {
		seen[sc] = true
	}
	for _, sc := range id.consents[key] {
		if !seen[sc] {
			scopes = append(scopes, sc)
		}
	}
	id.consents[key] = scopes
	return scopes
}

// handleToken is POST /connect/token.
func (id *identity) handleToken(w http.ResponseWriter, r *http.Request) {
	setCorrelationID(w)
	mw := id.s.meter.Wrap(w, "", "identity/token")
	defer mw.Done()
	resp, apiErr := id.token(mw, r)
	if apiErr != nil {
		apiErr.Send(mw)
		return
	}
	writeIdentityJSON(mw, http.StatusOK, resp)
}

func (id *identity) token(w http.ResponseWriter, r *http.Request) (*tokenResponse, *apiError) {
	client, apiErr := id.tokenClient(w, r)
	if apiErr != nil {
		return nil, apiErr
	}
	form := r.PostForm
	var ts sandbox.TokenSet
	var err error
	switch form.Get("grant_type") {
	case "":
		return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "grant_type is required")
	case "authorization_code":
		code, redirect := form.Get("code"), form.Get("redirect_uri")
		if code == "" || redirect == "" {
			return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "code and redirect_uri are required")
		}
		ts, err = id.auth.ExchangeCode(client.ID, code, redirect, form.Get("code_verifier"))
	case "refresh_token":
		rt := form.Get("refresh_token")
		if rt == "" {
			return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "refresh_token is required")
		}
		ts, err = id.auth.Refresh(client.ID, rt)
	default:
		return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeUnsupportedGrantType, "")
	}
	if err != nil {
		return nil, fromOAuth(err)
	}
	return &tokenResponse{
		AccessToken:  ts.AccessToken,
		ExpiresIn:    int64(ts.ExpiresIn / time.Second),
		TokenType:    "Bearer",
		RefreshToken: ts.RefreshToken,
		Scope:        strings.Join(ts.Grant.Scopes, " "),
	}, nil
}

// tokenClient does what the token and revocation endpoints share: POST
// only, a bounded form body, client authentication.
func (id *identity) tokenClient(w http.ResponseWriter, r *http.Request) (sandbox.Client, *apiError) {
	if r.Method != http.MethodPost {
		e := oauthError(http.StatusMethodNotAllowed, sandbox.ErrCodeInvalidRequest, "this endpoint accepts POST only")
		e.Header = http.Header{"Allow": {http.MethodPost}}
		return sandbox.Client{}, e
	}
	r.Body = http.MaxBytesReader(w, r.Body, sandbox.MaxFormBody)
	client, err := id.auth.AuthenticateClient(r)
	if err != nil {
		return sandbox.Client{}, fromOAuth(err)
	}
	return client, nil
}

// fromOAuth renders a kit error in Xero's {"error":...} shape. Xero gives
// invalid_client bare, and an error_description only sometimes; the sandbox
// describes everything but invalid_client, to help whoever reads it.
func fromOAuth(err error) *apiError {
	var oe *sandbox.OAuthError
	if !errors.As(err, &oe) {
		return oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "")
	}
	if oe.Code == sandbox.ErrCodeInvalidClient {
		return oauthError(oe.Status(), oe.Code, "")
	}
	return oauthError(oe.Status(), oe.Code, oe.Description)
}

// handleRevocation is POST /connect/revocation: revoking a refresh token
// kills the user's token sets for this app and removes all the user's
// connections to it. Unknown tokens get 200 too (RFC 7009 §2.2).
func (id *identity) handleRevocation(w http.ResponseWriter, r *http.Request) {
	setCorrelationID(w)
	mw := id.s.meter.Wrap(w, "", "identity/revocation")
	defer mw.Done()
	client, apiErr := id.tokenClient(mw, r)
	if apiErr != nil {
		apiErr.Send(mw)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "token is required").Send(mw)
		return
	}
	if g, ok := id.auth.Revoke(client.ID, token); ok {
		id.auth.RevokeSubject(client.ID, g.Subject)
		key := consentKey{g.Subject, client.ID}
		id.forget(func(c *tenantConnection) bool { return c.userID == g.Subject && c.clientID == client.ID },
			func(k consentKey) bool { return k == key })
	}
	mw.WriteHeader(http.StatusOK)
}

// handleConnections is GET /connections: the bare array of this user's
// connections to this app, optionally those of one consent (?authEventId=).
func (id *identity) handleConnections(w http.ResponseWriter, r *http.Request) {
	instance := setCorrelationID(w)
	mw := id.s.meter.Wrap(w, "", "identity/connections")
	defer mw.Done()
	id.s.limits.appHeaders(mw) // tenantless: only the app-wide allowance (xero-api.md §1.4)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		errNotFound().Send(mw) // Xero's gateway routes by method: no route is its 404
		return
	}
	g, apiErr := id.authenticate(r, instance)
	if apiErr != nil {
		apiErr.Send(mw)
		return
	}
	event := strings.TrimSpace(r.URL.Query().Get("authEventId"))
	out := make([]connectionJSON, 0, 4)
	id.mu.RLock()
	for _, c := range id.conns {
		if c.userID != g.userID || c.clientID != g.clientID || (event != "" && !strings.EqualFold(c.authEventID, event)) {
			continue
		}
		out = append(out, connectionJSON{
			ID:             c.id,
			AuthEventID:    c.authEventID,
			TenantID:       c.org.ID,
			TenantType:     "ORGANISATION",
			TenantName:     c.org.Name,
			CreatedDateUTC: c.created.Format(connectionDateLayout),
			UpdatedDateUTC: c.updated.Format(connectionDateLayout),
		})
	}
	id.mu.RUnlock()
	writeIdentityJSON(mw, http.StatusOK, out)
}

// handleConnection is DELETE /connections/{id}. It takes the connection id:
// a tenantId or authEventId there is the classic mistake, which Xero
// answers with 403 AuthenticationUnsuccessful, not 404.
func (id *identity) handleConnection(w http.ResponseWriter, r *http.Request) {
	instance := setCorrelationID(w)
	mw := id.s.meter.Wrap(w, "", "identity/connections")
	defer mw.Done()
	if r.Method != http.MethodDelete {
		errNotFound().Send(mw)
		return
	}
	g, apiErr := id.authenticate(r, instance)
	if apiErr != nil {
		apiErr.Send(mw)
		return
	}
	if apiErr := id.disconnect(g, r.PathValue("id"), instance); apiErr != nil {
		apiErr.Send(mw)
		return
	}
	mw.WriteHeader(http.StatusNoContent)
}

func (id *identity) disconnect(g *grant, connID, instance string) *apiError {
	id.mu.Lock()
	defer id.mu.Unlock()
	wrongKind := false
	for i, c := range id.conns {
		if c.userID != g.userID || c.clientID != g.clientID {
			continue
		}
		if strings.EqualFold(c.id, connID) {
			id.conns = append(id.conns[:i], id.conns[i+1:]...)
			return nil
		}
		if strings.EqualFold(c.org.ID, connID) || strings.EqualFold(c.authEventID, connID) {
			wrongKind = true
		}
	}
	if wrongKind {
		return errForbiddenTenant(instance)
	}
	return errNotFound()
}

// writeJSON writes a 200-style JSON answer of the identity endpoints.
func writeIdentityJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		errServer(sandbox.NewUUID()).Send(w) // only our own structs get here
		return
	}
	w.Header().Set("Content-Type", contentJSON)
	w.WriteHeader(status)
	w.Write(b)
}
