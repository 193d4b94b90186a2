package hubspot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// The OAuth clients every sandbox registers at start (the kit's, the same
// at every emulator). Real HubSpot issues a client per app; these stand in
// for DataPull's.
const (
	// PublicClientID is a native-app client with no secret, which must use
	// PKCE (S256). HubSpot documents only confidential apps; the sandbox
	// offers this one so a desktop client need not ship a secret.
	PublicClientID = sandbox.PublicClientID
	// WebClientID is the confidential client, which sends client_secret.
	WebClientID = sandbox.WebClientID
	// WebClientSecret is WebClientID's secret.
	WebClientSecret = sandbox.WebClientSecret
)

// appIDs are the app ids introspection reports for the default clients.
var appIDs = map[string]int64{PublicClientID: 1111111, WebClientID: 1111112}

// DefaultRedirectURIs returns the redirect URIs both default clients
// accept; being loopback URIs they match on any port (RFC 8252 §7.3).
func DefaultRedirectURIs() []string { return sandbox.DefaultRedirectURIs() }

// tokenPayload is what a token set carries besides the kit's grant: the
// portal the app was installed in and the user who installed it.
type tokenPayload struct {
	portalID int64
	userID   int64
	email    string
}

// grant is what a valid access token (or private app token) proves.
type grant struct {
	portal   *Portal
	userID   int64
	email    string
	clientID string
	scopes   []string
	scopeSet map[string]bool
	private  bool // a private app's static token: daily headers are sent
	expires  int64
}

func (g *grant) hasAny(scopes []string) bool {
	if g.private {
		return true
	}
	for _, s := range scopes {
		if g.scopeSet[s] {
			return true
		}
	}
	return false
}

// identity is HubSpot's OAuth service over the kit's non-rotating core:
// refreshing returns the same refresh token, and refresh tokens do not expire.
type identity struct {
	s       *Server
	auth    *sandbox.AuthServer
	csrf    *http.CrossOriginProtection
	private map[string]*Portal
}

func newIdentity(s *Server) *identity {
	auth := sandbox.NewAuthServer(s.clock, sandbox.OAuthConfig{AccessTokenTTL: s.cfg.AccessTokenTTL})
	auth.RegisterDefaultClients()
	id := &identity{s: s, auth: auth, csrf: http.NewCrossOriginProtection(), private: map[string]*Portal{}}
	for _, p := range s.world.Portals {
		id.private[PrivateAppToken(s.cfg.Seed, p.ID)] = p
	}
	return id
}

// PrivateAppToken returns the static access token of the sandbox's private
// app in a portal: it never expires, carries every scope, and gets the
// daily rate-limit headers OAuth calls do not.
func PrivateAppToken(seed, portalID int64) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(seed, 10) + "/" + strconv.FormatInt(portalID, 10)))
	h := hex.EncodeToString(sum[:16])
	return "pat-na1-" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// RegisterClient adds an OAuth client (or replaces one with the same id).
func (s *Server) RegisterClient(c sandbox.Client) error { return s.ident.auth.RegisterClient(c) }

// ExpireAccessTokens makes every access token expire now and reports how
// many it cut short: the next call with one gets 401 EXPIRED_AUTHENTICATION.
func (s *Server) ExpireAccessTokens() int { return s.ident.auth.ExpireAccessTokens() }

// Uninstall removes the app from a portal: every token set for it dies, so
// calls get 401 and refreshes BAD_REFRESH_TOKEN. It reports how many.
func (s *Server) Uninstall(portalID int64) int {
	return s.ident.auth.RevokeSubject("", strconv.FormatInt(portalID, 10))
}

// authenticate checks the request's bearer token.
func (id *identity) authenticate(r *http.Request, now int64) (*grant, *apiError) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, errNoCredentials()
	}
	if p := id.private[token]; p != nil {
		return &grant{portal: p, clientID: "private-app", private: true}, nil
	}
	g, err := id.auth.Lookup(token)
	var expired *sandbox.TokenExpiredError
	if errors.As(err, &expired) {
		return nil, errExpired(expired.At.UnixMilli(), now)
	}
	if err != nil {
		return nil, errNoCredentials()
	}
	return id.grantOf(g)
}

func (id *identity) grantOf(g sandbox.Grant) (*grant, *apiError) {
	pl, ok := g.Payload.(tokenPayload)
	p := id.s.world.Portal(pl.portalID)
	if !ok || p == nil {
		return nil, errNoCredentials()
	}
	return &grant{portal: p, userID: pl.userID, email: pl.email, clientID: g.ClientID, scopes: g.Scopes,
		scopeSet: g.ScopeSet, expires: g.Expires.UnixMilli()}, nil
}

func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

func (s *Server) oauthRoutes() {
	id := s.ident
	s.mux.HandleFunc("/oauth/authorize", id.handleAuthorize)
	s.mux.HandleFunc("/oauth/{ver}/token", id.handleToken)
	s.mux.HandleFunc("/oauth/{ver}/token/introspect", id.handleIntrospect)
	s.mux.HandleFunc("/oauth/{ver}/token/revoke", id.handleRevoke)
	s.mux.HandleFunc("/oauth/v1/access-tokens/{token}", id.handleAccessTokenInfo)
	s.mux.HandleFunc("/oauth/v1/refresh-tokens/{token}", id.handleRefreshToken)
}

// oauthVersion reports whether ver is a token endpoint version: v1, v3 or
// a date-based one; v1 alone also reads parameters from the query string.
func oauthVersion(ver string, v1 bool) bool {
	return (v1 && ver == "v1") || ver == "v3" || dateVersion.MatchString(ver)
}

// oauthError is the token endpoints' error: RFC 6749's fields plus
// HubSpot's status and message, kept for backward compatibility (§1.2).
func oauthError(status int, code, hsStatus, message string) *apiError {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": message,
		"status": hsStatus, "message": message, "correlationId": sandbox.NewUUID()})
	return &apiError{Status: status, ContentType: contentJSON, Body: b}
}

// writeOAuth meters and writes an OAuth endpoint's answer.
func (id *identity) writeOAuth(w http.ResponseWriter, endpoint string, status int, v any, apiErr *apiError) {
	w.Header().Set("X-HubSpot-Correlation-Id", sandbox.NewUUID())
	mw := id.s.meter.Wrap(w, "", endpoint)
	defer mw.Done()
	if apiErr != nil {
		apiErr.Send(mw)
		return
	}
	if v == nil {
		mw.WriteHeader(status)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		errInternal().Send(mw)
		return
	}
	mw.Header().Set("Content-Type", contentJSON)
	mw.WriteHeader(status)
	mw.Write(b)
}

// handleToken is POST /oauth/v1/token, /oauth/v3/token and /oauth/{date}/token.
func (id *identity) handleToken(w http.ResponseWriter, r *http.Request) {
	ver := r.PathValue("ver")
	if !oauthVersion(ver, true) {
		id.writeOAuth(w, "token", 0, nil, errNoRoute(r.URL.Path))
		return
	}
	if kind, arg, ok := id.s.faults.Decide("token"); ok {
		switch e := id.s.tokenFault(w, r, kind, arg); e {
		case nil:
		case errHandled:
			return
		default:
			id.writeOAuth(w, "token", 0, nil, e)
			return
		}
	}
	resp, apiErr := id.token(w, r, ver)
	id.writeOAuth(w, "token", http.StatusOK, resp, apiErr)
}

// tokenResponse is the token endpoint's answer (§1.1).
type tokenResponse struct {
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token"`
	AccessToken  string   `json:"access_token"`
	ExpiresIn    int64    `json:"expires_in"`
	HubID        int64    `json:"hub_id"`
	UserID       int64    `json:"user_id,omitempty"`
	Scopes       []string `json:"scopes"`
	TokenUse     string   `json:"token_use,omitempty"`
}

func (id *identity) token(w http.ResponseWriter, r *http.Request, ver string) (*tokenResponse, *apiError) {
	client, apiErr := id.tokenClient(w, r, ver == "v1")
	if apiErr != nil {
		return nil, apiErr
	}
	form := r.PostForm
	var ts sandbox.TokenSet
	var err error
	badGrant := "BAD_AUTH_CODE"
	switch form.Get("grant_type") {
	case "authorization_code":
		code, redirect := form.Get("code"), form.Get("redirect_uri")
		if code == "" || redirect == "" {
			return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "BAD_AUTH_CODE", "missing or invalid code or redirect_uri")
		}
		ts, err = id.auth.ExchangeCode(client.ID, code, redirect, form.Get("code_verifier"))
	case "refresh_token":
		badGrant = "BAD_REFRESH_TOKEN"
		rt := form.Get("refresh_token")
		if rt == "" {
			return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "BAD_REFRESH_TOKEN", "missing refresh token")
		}
		ts, err = id.auth.Refresh(client.ID, rt)
	case "":
		return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "BAD_GRANT_TYPE", "missing grant_type")
	default:
		return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeUnsupportedGrantType, "BAD_GRANT_TYPE", "unsupported grant_type "+form.Get("grant_type"))
	}
	if err != nil {
		var oe *sandbox.OAuthError
		msg := "refresh token is invalid, expired or revoked"
		if badGrant == "BAD_AUTH_CODE" {
			msg = "auth code is invalid, expired or already used"
			if errors.As(err, &oe) {
				msg = oe.Description
			}
		}
		return nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidGrant, badGrant, msg)
	}
	pl, _ := ts.Grant.Payload.(tokenPayload)
	resp := &tokenResponse{TokenType: "bearer", RefreshToken: ts.RefreshToken, AccessToken: ts.AccessToken,
		ExpiresIn: int64(ts.ExpiresIn / time.Second), HubID: pl.portalID, Scopes: ts.Grant.Scopes}
	if ver != "v1" {
		resp.UserID, resp.TokenUse = pl.userID, "access_token"
	}
	return resp, nil
}

// tokenClient does what the token, introspection and revocation endpoints
// share: POST only, a bounded form body, client authentication. v1 also
// takes its parameters from the query string.
func (id *identity) tokenClient(w http.ResponseWriter, r *http.Request, v1 bool) (sandbox.Client, *apiError) {
	if r.Method != http.MethodPost {
		return sandbox.Client{}, errMethod(http.MethodPost)
	}
	r.Body = http.MaxBytesReader(w, r.Body, sandbox.MaxFormBody)
	if err := r.ParseForm(); err != nil {
		return sandbox.Client{}, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "BAD_REQUEST", "malformed form body")
	}
	if v1 {
		for k, v := range r.URL.Query() {
			if r.PostForm.Get(k) == "" {
				r.PostForm[k] = v
			}
		}
	}
	client, err := id.auth.AuthenticateClient(r)
	if err != nil {
		status := "BAD_CLIENT_SECRET"
		if _, known := id.auth.Client(r.PostForm.Get("client_id")); !known {
			status = "BAD_CLIENT_ID"
		}
		return sandbox.Client{}, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidClient, status, "client authentication failed")
	}
	return client, nil
}

// tokenInfo is the v1 access- and refresh-token metadata and the v3
// introspection answer (§1.4).
type tokenInfo struct {
	Active        *bool    `json:"active,omitempty"`
	Token         string   `json:"token"`
	User          string   `json:"user"`
	HubDomain     string   `json:"hub_domain"`
	Scopes        []string `json:"scopes"`
	HubID         int64    `json:"hub_id"`
	AppID         int64    `json:"app_id"`
	ClientID      string   `json:"client_id,omitempty"`
	ExpiresIn     *int64   `json:"expires_in,omitempty"`
	UserID        int64    `json:"user_id"`
	TokenType     string   `json:"token_type"`
	TokenUse      string   `json:"token_use,omitempty"`
	PrivateDistro *bool    `json:"is_private_distribution,omitempty"`
}

func (id *identity) info(token string, g sandbox.Grant, access bool) *tokenInfo {
	pl, _ := g.Payload.(tokenPayload)
	p := id.s.world.Portal(pl.portalID)
	ti := &tokenInfo{Token: token, User: pl.email, Scopes: g.Scopes, HubID: pl.portalID,
		AppID: appIDs[g.ClientID], UserID: pl.userID, TokenType: "refresh"}
	if p != nil {
		ti.HubDomain = p.Domain
	}
	if access {
		left := int64(max(g.Expires.Sub(id.s.clock.Now()), 0) / time.Second)
		ti.ExpiresIn, ti.TokenType = &left, "access"
	}
	return ti
}

// handleAccessTokenInfo is GET /oauth/v1/access-tokens/{token}.
func (id *identity) handleAccessTokenInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		id.writeOAuth(w, "access-token-info", 0, nil, errMethod(http.MethodGet))
		return
	}
	token := r.PathValue("token")
	g, err := id.auth.Lookup(token)
	if err != nil {
		id.writeOAuth(w, "access-token-info", 0, nil, errNotFound("Token not found or expired", ""))
		return
	}
	id.writeOAuth(w, "access-token-info", http.StatusOK, id.info(token, g, true), nil)
}

// handleRefreshToken is GET and DELETE /oauth/v1/refresh-tokens/{token}.
// Deleting revokes the refresh token only: access tokens already issued
// keep working until they expire (§1.5).
func (id *identity) handleRefreshToken(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	switch r.Method {
	case http.MethodGet:
		g, err := id.auth.LookupRefresh(token)
		if err != nil {
			id.writeOAuth(w, "refresh-token-info", 0, nil, errNotFound("Token not found", ""))
			return
		}
		ti := id.info(token, g, false)
		ti.ClientID = g.ClientID
		id.writeOAuth(w, "refresh-token-info", http.StatusOK, ti, nil)
	case http.MethodDelete:
		if _, ok := id.auth.RevokeRefreshToken(token); !ok {
			id.writeOAuth(w, "revoke", 0, nil, errNotFound("Token not found", ""))
			return
		}
		id.writeOAuth(w, "revoke", http.StatusNoContent, nil, nil)
	default:
		id.writeOAuth(w, "refresh-token-info", 0, nil, errMethod("GET, DELETE"))
	}
}

// handleIntrospect is POST /oauth/v3/token/introspect (and dated). The
// spec's form names the token "token"; the guide sends it under a field
// named by token_type_hint. Both work (§1.4).
func (id *identity) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	if !oauthVersion(r.PathValue("ver"), false) {
		id.writeOAuth(w, "introspect", 0, nil, errNoRoute(r.URL.Path))
		return
	}
	client, apiErr := id.tokenClient(w, r, false)
	if apiErr != nil {
		id.writeOAuth(w, "introspect", 0, nil, apiErr)
		return
	}
	form := r.PostForm
	hint := form.Get("token_type_hint")
	token := form.Get("token")
	if token == "" && (hint == "access_token" || hint == "refresh_token") {
		token = form.Get(hint)
	}
	if token == "" {
		id.writeOAuth(w, "introspect", 0, nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "BAD_REQUEST", "missing token"))
		return
	}
	yes, no := true, false
	if g, err := id.auth.Lookup(token); err == nil && hint != "refresh_token" && g.ClientID == client.ID {
		ti := id.info(token, g, true)
		ti.Active, ti.ClientID, ti.TokenUse, ti.TokenType, ti.PrivateDistro = &yes, g.ClientID, "access_token", "Bearer", &no
		id.writeOAuth(w, "introspect", http.StatusOK, ti, nil)
		return
	}
	if g, err := id.auth.LookupRefresh(token); err == nil && g.ClientID == client.ID {
		ti := id.info(token, g, false)
		ti.Active, ti.ClientID, ti.TokenUse, ti.TokenType, ti.PrivateDistro = &yes, g.ClientID, "refresh_token", "Bearer", &no
		id.writeOAuth(w, "introspect", http.StatusOK, ti, nil)
		return
	}
	id.writeOAuth(w, "introspect", http.StatusOK, map[string]bool{"active": false}, nil)
}

// handleRevoke is POST /oauth/v3/token/revoke (and dated): it deletes the
// refresh token; unknown tokens are not an error (RFC 7009 §2.2).
func (id *identity) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if !oauthVersion(r.PathValue("ver"), false) {
		id.writeOAuth(w, "revoke", 0, nil, errNoRoute(r.URL.Path))
		return
	}
	client, apiErr := id.tokenClient(w, r, false)
	if apiErr != nil {
		id.writeOAuth(w, "revoke", 0, nil, apiErr)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		token = r.PostForm.Get("refresh_token")
	}
	if token == "" {
		id.writeOAuth(w, "revoke", 0, nil, oauthError(http.StatusBadRequest, sandbox.ErrCodeInvalidRequest, "BAD_REQUEST", "missing token"))
		return
	}
	if g, err := id.auth.LookupRefresh(token); err == nil && g.ClientID == client.ID {
		id.auth.RevokeRefreshToken(token)
	}
	id.writeOAuth(w, "revoke", http.StatusOK, nil, nil)
}
