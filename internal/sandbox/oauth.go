package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// OAuth 2.0 error codes (RFC 6749 §4.1.2.1 and §5.2).
const (
	ErrCodeInvalidRequest          = "invalid_request"
	ErrCodeInvalidClient           = "invalid_client"
	ErrCodeInvalidGrant            = "invalid_grant"
	ErrCodeUnauthorizedClient      = "unauthorized_client"
	ErrCodeUnsupportedGrantType    = "unsupported_grant_type"
	ErrCodeInvalidScope            = "invalid_scope"
	ErrCodeAccessDenied            = "access_denied"
	ErrCodeUnsupportedResponseType = "unsupported_response_type"
)

// OAuthError is an OAuth 2.0 error as the standard names it. The kit returns
// it and each provider renders it in its own body shape (Xero's
// {"error":"invalid_grant"}, HubSpot's {"status":"BAD_REFRESH_TOKEN"}).
type OAuthError struct {
	Code        string
	Description string
}

func (e *OAuthError) Error() string {
	if e.Description == "" {
		return "oauth: " + e.Code
	}
	return "oauth: " + e.Code + ": " + e.Description
}

// Status is the HTTP status the token endpoint answers the error with: 401
// for a failed client authentication, 400 for everything else (RFC 6749 §5.2).
func (e *OAuthError) Status() int {
	if e.Code == ErrCodeInvalidClient {
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

func oauthErr(code, format string, args ...any) *OAuthError {
	return &OAuthError{Code: code, Description: fmt.Sprintf(format, args...)}
}

// Errors of the authorize step that must not be redirected: with an unknown
// client or an unregistered redirect URI, sending the user anywhere would
// make the server an open redirector (RFC 6749 §4.1.2.1).
var (
	ErrUnknownClient = errors.New("sandbox: oauth: unknown client_id")
	ErrRedirectURI   = errors.New("sandbox: oauth: redirect_uri is missing or not registered for this client")
)

// ErrTokenUnknown is Lookup's answer for an access token that was never
// issued, was revoked, or was forgotten long after it expired.
var ErrTokenUnknown = errors.New("sandbox: oauth: unknown access token")

// TokenExpiredError is Lookup's answer for an access token past its expiry.
type TokenExpiredError struct{ At time.Time }

func (e *TokenExpiredError) Error() string {
	return "sandbox: oauth: access token expired at " + e.At.UTC().Format(time.RFC3339)
}

// Client is an OAuth client registered with the server.
type Client struct {
	ID string
	// Name is shown on the consent page.
	Name string
	// Secret is empty for a public (native) client, which must use PKCE
	// instead of authenticating.
	Secret string
	// RedirectURIs are matched exactly, except that a loopback URI
	// (http://127.0.0.1, http://localhost, http://[::1]) matches on any port,
	// as RFC 8252 §7.3 asks, because a native app listens on a free port.
	RedirectURIs []string
}

// Public reports whether the client has no secret.
func (c Client) Public() bool { return c.Secret == "" }

// AllowsRedirect reports whether uri is one of the client's redirect URIs
// under the matching rule above.
func (c Client) AllowsRedirect(uri string) bool {
	if uri == "" {
		return false
	}
	for _, reg := range c.RedirectURIs {
		if uri == reg || loopbackMatch(reg, uri) {
			return true
		}
	}
	return false
}

// loopbackMatch reports whether requested differs from the registered
// loopback URI only in its port.
func loopbackMatch(registered, requested string) bool {
	ru, err := url.Parse(registered)
	if err != nil {
		return false
	}
	qu, err := url.Parse(requested)
	if err != nil {
		return false
	}
	host := ru.Hostname()
	return ru.Scheme == "http" && qu.Scheme == "http" && isLoopback(host) &&
		qu.Hostname() == host && qu.User == nil && qu.Fragment == "" &&
		qu.EscapedPath() == ru.EscapedPath() && qu.RawQuery == ru.RawQuery
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// OAuthConfig sets the server's lifetimes, all in provider time.
type OAuthConfig struct {
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is how long a refresh token lives unused; 0 means
	// forever (HubSpot's refresh tokens do not expire).
	RefreshTokenTTL time.Duration
	// RefreshGrace is how long a rotated-out refresh token still works, so a
	// client that lost the response to a refresh can retry (Xero: 30 minutes).
	RefreshGrace time.Duration
	// CodeTTL is the authorization code's lifetime (10 minutes if zero).
	CodeTTL time.Duration
	// RotateRefreshTokens makes every refresh return a new refresh token
	// (Xero); without it the same one is returned again (HubSpot).
	RotateRefreshTokens bool
}

// AuthServer is a provider-neutral OAuth 2.0 authorization server core:
// clients, authorization codes with PKCE, access tokens, and refresh tokens
// in families that rotate and can be revoked together. It keeps no HTTP
// routes: each provider parses requests and renders errors its own way.
// It is safe for concurrent use.
type AuthServer struct {
	clock *Clock
	cfg   OAuthConfig

	mu       sync.RWMutex
	clients  map[string]*Client
	codes    map[string]*authCode
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	families map[*family]struct{}
	minted   int // tokens minted since the last sweep
}

// CodeRequest is what an approved consent binds an authorization code to.
type CodeRequest struct {
	ClientID        string
	RedirectURI     string
	Challenge       string // PKCE S256 code_challenge; empty only for confidential clients
	ChallengeMethod string
	Subject         string // the user who consented
	Scopes          []string
	// Offline makes the code's token set include a refresh token (Xero
	// issues one only for offline_access).
	Offline bool
	// Payload is carried opaquely to every token of the set (Xero: the
	// consent's authEventId).
	Payload any
}

// Grant is what a token proves: who consented, for which client, to what.
type Grant struct {
	ClientID string
	Subject  string
	Scopes   []string
	// ScopeSet holds Scopes for lookups. It is shared: do not modify it.
	ScopeSet map[string]bool
	Payload  any
	// Expires is the access token's expiry.
	Expires time.Time
}

// TokenSet is a token endpoint's successful answer.
type TokenSet struct {
	AccessToken  string
	RefreshToken string // empty when the grant is not offline
	ExpiresIn    time.Duration
	Grant        Grant
}

type authCode struct {
	req     CodeRequest
	expires time.Time
	used    bool
	fam     *family // the token set the code was redeemed for
}

// family is one token set: the access and refresh tokens descended from one
// authorization code. Revoking any member kills them all.
type family struct {
	clientID, subject string
	scopes            []string
	scopeSet          map[string]bool
	payload           any
	offline           bool
	revoked           bool
	current           string    // the refresh token to use next
	previous          string    // the one it replaced, valid until previousUntil
	previousUntil     time.Time // end of the rotation grace period
	lastAccessExpiry  time.Time
}

type accessToken struct {
	fam     *family
	expires time.Time
}

type refreshToken struct {
	fam     *family
	expires time.Time // zero: never
}

// NewAuthServer returns a server with no clients whose lifetimes run on clock.
func NewAuthServer(clock *Clock, cfg OAuthConfig) *AuthServer {
	if cfg.CodeTTL <= 0 {
		cfg.CodeTTL = 10 * time.Minute
	}
	return &AuthServer{
		clock:    clock,
		cfg:      cfg,
		clients:  make(map[string]*Client),
		codes:    make(map[string]*authCode),
		access:   make(map[string]*accessToken),
		refresh:  make(map[string]*refreshToken),
		families: make(map[*family]struct{}),
	}
}

// RegisterClient adds a client, or replaces the one with the same id.
func (a *AuthServer) RegisterClient(c Client) error {
	if c.ID == "" {
		return errors.New("sandbox: oauth: register client: empty client id")
	}
	for _, u := range c.RedirectURIs {
		p, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("sandbox: oauth: register client %q: redirect URI: %w", c.ID, err)
		}
		if p.Scheme == "" || p.Host == "" || p.Fragment != "" {
			return fmt.Errorf("sandbox: oauth: register client %q: redirect URI %q must be absolute and have no fragment", c.ID, u)
		}
	}
	c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
	a.mu.Lock()
	a.clients[c.ID] = &c
	a.mu.Unlock()
	return nil
}

// Client returns the registered client with the given id.
func (a *AuthServer) Client(id string) (Client, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	c, ok := a.clients[id]
	if !ok {
		return Client{}, false
	}
	return *c, true
}

// CheckRedirect validates the two authorize parameters that decide whether
// errors may be redirected at all. It returns ErrUnknownClient or
// ErrRedirectURI, which the caller must show to the user, not redirect.
func (a *AuthServer) CheckRedirect(clientID, redirectURI string) (Client, error) {
	c, ok := a.Client(clientID)
	if !ok {
		return Client{}, ErrUnknownClient
	}
	if !c.AllowsRedirect(redirectURI) {
		return Client{}, ErrRedirectURI
	}
	return c, nil
}

// CheckChallenge validates the PKCE parameters of an authorize request:
// S256 only (plain would leak the verifier to anyone who sees the URL), and
// required of public clients, which have nothing else to prove who they are.
func CheckChallenge(c Client, challenge, method string) *OAuthError {
	switch {
	case challenge == "" && method == "":
		if c.Public() {
			return oauthErr(ErrCodeInvalidRequest, "code_challenge is required: this client must use PKCE")
		}
		return nil
	case challenge == "":
		return oauthErr(ErrCodeInvalidRequest, "code_challenge_method was sent without code_challenge")
	case method == "" || method == "plain":
		return oauthErr(ErrCodeInvalidRequest, "code_challenge_method must be S256 (plain is not supported)")
	case method != "S256":
		return oauthErr(ErrCodeInvalidRequest, "unsupported code_challenge_method %q", method)
	case len(challenge) != 43 || !isBase64URL(challenge):
		return oauthErr(ErrCodeInvalidRequest, "code_challenge must be the unpadded base64url SHA-256 of the code_verifier (43 characters)")
	}
	return nil
}

// S256Challenge returns the PKCE S256 code_challenge of a verifier.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ValidVerifier reports whether v is a well-formed PKCE code_verifier:
// 43–128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func ValidVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// IssueCode records an approved consent and returns its authorization code.
func (a *AuthServer) IssueCode(req CodeRequest) (string, error) {
	c, err := a.CheckRedirect(req.ClientID, req.RedirectURI)
	if err != nil {
		return "", err
	}
	if oe := CheckChallenge(c, req.Challenge, req.ChallengeMethod); oe != nil {
		return "", oe
	}
	req.Scopes = append([]string(nil), req.Scopes...)
	code := randomToken()
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.codes[code] = &authCode{req: req, expires: now.Add(a.cfg.CodeTTL)}
	a.sweepSometimesLocked(now)
	return code, nil
}

// AuthenticateClient identifies the client of a token or revocation request
// (whose form must be parseable): by HTTP Basic client_id:secret, or by
// client_id and client_secret in the body, or, for a public client, by
// client_id alone. A failure is an invalid_client OAuthError, except sending
// two methods at once, which is invalid_request.
func (a *AuthServer) AuthenticateClient(r *http.Request) (Client, error) {
	if err := r.ParseForm(); err != nil {
		return Client{}, oauthErr(ErrCodeInvalidRequest, "malformed form body")
	}
	id, secret, basic := r.BasicAuth()
	switch {
	case basic:
		// RFC 6749 §2.3.1: both halves are form-urlencoded before Base64.
		id, secret = formUnescape(id), formUnescape(secret)
		if r.PostForm.Get("client_secret") != "" {
			return Client{}, oauthErr(ErrCodeInvalidRequest, "use one client authentication method, not Basic and client_secret both")
		}
		if bodyID := r.PostForm.Get("client_id"); bodyID != "" && bodyID != id {
			return Client{}, oauthErr(ErrCodeInvalidClient, "client_id in the body differs from the Authorization header")
		}
	case r.Header.Get("Authorization") != "":
		return Client{}, oauthErr(ErrCodeInvalidClient, "unsupported or malformed Authorization header")
	default:
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return Client{}, oauthErr(ErrCodeInvalidClient, "client authentication is required")
	}
	c, ok := a.Client(id)
	if !ok {
		return Client{}, oauthErr(ErrCodeInvalidClient, "unknown client")
	}
	if c.Public() {
		if secret != "" {
			return Client{}, oauthErr(ErrCodeInvalidClient, "this client has no secret")
		}
		return c, nil
	}
	if !secretEqual(secret, c.Secret) {
		return Client{}, oauthErr(ErrCodeInvalidClient, "client authentication failed")
	}
	return c, nil
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// secretEqual compares in constant time; hashing first hides the length too.
func secretEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// ExchangeCode redeems an authorization code for a token set. The client
// must already be authenticated (AuthenticateClient). A code works once:
// presenting it again fails and revokes the token set it was redeemed for,
// as RFC 6749 §4.1.2 advises, since a second use means it leaked. A failed
// attempt (wrong verifier, say) does not use the code up.
func (a *AuthServer) ExchangeCode(clientID, code, redirectURI, verifier string) (TokenSet, error) {
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	ac := a.codes[code]
	switch {
	case ac == nil:
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "unknown authorization code")
	case ac.used:
		if ac.fam != nil {
			a.revokeLocked(ac.fam)
		}
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "authorization code has already been used")
	case !now.Before(ac.expires):
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "authorization code has expired")
	case ac.req.ClientID != clientID:
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "authorization code was issued to another client")
	case ac.req.RedirectURI != redirectURI:
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "redirect_uri does not match the authorization request")
	}
	if ac.req.Challenge != "" {
		if verifier == "" {
			return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "code_verifier is required")
		}
		got := S256Challenge(verifier)
		if !ValidVerifier(verifier) || subtle.ConstantTimeCompare([]byte(got), []byte(ac.req.Challenge)) != 1 {
			return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "code_verifier does not match the code_challenge")
		}
	}
	ac.used = true
	req := ac.req
	f := &family{
		clientID: req.ClientID,
		subject:  req.Subject,
		scopes:   req.Scopes,
		scopeSet: make(map[string]bool, len(req.Scopes)),
		payload:  req.Payload,
		offline:  req.Offline,
	}
	for _, s := range req.Scopes {
		f.scopeSet[s] = true
	}
	a.families[f] = struct{}{}
	ac.fam = f
	ts := a.mintAccessLocked(f, now)
	if f.offline {
		f.current = a.mintRefreshLocked(f, now)
		ts.RefreshToken = f.current
	}
	return ts, nil
}

// Refresh trades a refresh token for a new token set. With rotation, the
// presented token becomes the previous one, still accepted for the grace
// period; presenting the previous one within it issues a fresh pair again
// and discards the current one, so two holders refreshing independently
// end with one of them holding a dead token, as on Xero. A token unused
// for RefreshTokenTTL has expired.
func (a *AuthServer) Refresh(clientID, token string) (TokenSet, error) {
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	rt := a.refresh[token]
	if rt == nil || rt.fam.revoked {
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "refresh token is unknown or has been revoked")
	}
	f := rt.fam
	if f.clientID != clientID {
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "refresh token was issued to another client")
	}
	if !rt.expires.IsZero() && !now.Before(rt.expires) {
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "refresh token has expired")
	}
	switch {
	case !a.cfg.RotateRefreshTokens:
		if a.cfg.RefreshTokenTTL > 0 {
			rt.expires = now.Add(a.cfg.RefreshTokenTTL)
		}
	case token == f.current:
		if f.previous != "" {
			delete(a.refresh, f.previous)
		}
		f.previous, f.previousUntil = token, now.Add(a.cfg.RefreshGrace)
		f.current = a.mintRefreshLocked(f, now)
	case token == f.previous && now.Before(f.previousUntil):
		delete(a.refresh, f.current)
		f.current = a.mintRefreshLocked(f, now)
	default:
		return TokenSet{}, oauthErr(ErrCodeInvalidGrant, "refresh token has been rotated and its grace period is over")
	}
	ts := a.mintAccessLocked(f, now)
	ts.RefreshToken = f.current
	return ts, nil
}

// Lookup returns the grant behind a live access token, ErrTokenUnknown, or
// a *TokenExpiredError.
func (a *AuthServer) Lookup(accessToken string) (Grant, error) {
	now := a.clock.Now()
	a.mu.RLock()
	defer a.mu.RUnlock()
	at := a.access[accessToken]
	if at == nil || at.fam.revoked {
		return Grant{}, ErrTokenUnknown
	}
	if !now.Before(at.expires) {
		return Grant{}, &TokenExpiredError{At: at.expires}
	}
	return at.fam.grant(at.expires), nil
}

// LookupRefresh returns the grant behind a live refresh token, or
// ErrTokenUnknown (for token introspection; it does not count as a use).
func (a *AuthServer) LookupRefresh(token string) (Grant, error) {
	now := a.clock.Now()
	a.mu.RLock()
	defer a.mu.RUnlock()
	rt := a.refresh[token]
	if rt == nil || rt.fam.revoked || (!rt.expires.IsZero() && !now.Before(rt.expires)) {
		return Grant{}, ErrTokenUnknown
	}
	return rt.fam.grant(rt.fam.lastAccessExpiry), nil
}

// RevokeRefreshToken deletes one refresh token and nothing else: access
// tokens already issued from it keep working until they expire (HubSpot's
// documented revocation). It returns the token's grant and whether the
// token was live.
func (a *AuthServer) RevokeRefreshToken(token string) (Grant, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rt := a.refresh[token]
	if rt == nil || rt.fam.revoked {
		return Grant{}, false
	}
	delete(a.refresh, token)
	f := rt.fam
	if f.current == token {
		f.current = ""
	}
	if f.previous == token {
		f.previous = ""
	}
	return f.grant(time.Time{}), true
}

// Revoke kills the token set that token (a refresh or access token) belongs
// to, if it was issued to clientID, and returns its grant. Unknown tokens
// are not an error (RFC 7009 §2.2): the caller answers 200 either way.
func (a *AuthServer) Revoke(clientID, token string) (Grant, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var f *family
	if rt := a.refresh[token]; rt != nil {
		f = rt.fam
	} else if at := a.access[token]; at != nil {
		f = at.fam
	}
	if f == nil || f.revoked || f.clientID != clientID {
		return Grant{}, false
	}
	a.revokeLocked(f)
	return f.grant(time.Time{}), true
}

// RevokeSubject kills every token set of subject issued to clientID (to any
// client if clientID is empty) and reports how many it killed.
func (a *AuthServer) RevokeSubject(clientID, subject string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for f := range a.families {
		if !f.revoked && f.subject == subject && (clientID == "" || f.clientID == clientID) {
			a.revokeLocked(f)
			n++
		}
	}
	return n
}

// ExpireAccessTokens makes every live access token expire now, as a fault
// that strikes mid-run, and reports how many it cut short.
func (a *AuthServer) ExpireAccessTokens() int {
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, at := range a.access {
		if at.expires.After(now) {
			at.expires = now
			n++
		}
	}
	return n
}

func (f *family) grant(expires time.Time) Grant {
	return Grant{
		ClientID: f.clientID,
		Subject:  f.subject,
		Scopes:   f.scopes,
		ScopeSet: f.scopeSet,
		Payload:  f.payload,
		Expires:  expires,
	}
}

func (a *AuthServer) revokeLocked(f *family) {
	f.revoked = true
	delete(a.refresh, f.current)
	delete(a.refresh, f.previous)
}

func (a *AuthServer) mintAccessLocked(f *family, now time.Time) TokenSet {
	tok := randomToken()
	exp := now.Add(a.cfg.AccessTokenTTL)
	a.access[tok] = &accessToken{fam: f, expires: exp}
	f.lastAccessExpiry = exp
	a.sweepSometimesLocked(now)
	return TokenSet{AccessToken: tok, ExpiresIn: a.cfg.AccessTokenTTL, Grant: f.grant(exp)}
}

func (a *AuthServer) mintRefreshLocked(f *family, now time.Time) string {
	tok := randomToken()
	rt := &refreshToken{fam: f}
	if a.cfg.RefreshTokenTTL > 0 {
		rt.expires = now.Add(a.cfg.RefreshTokenTTL)
	}
	a.refresh[tok] = rt
	return tok
}

// sweepEvery is how many mints pass between sweeps of dead entries, so a
// long-running sandbox does not grow without bound and no call pays for a
// sweep often.
const sweepEvery = 256

func (a *AuthServer) sweepSometimesLocked(now time.Time) {
	a.minted++
	if a.minted < sweepEvery {
		return
	}
	a.minted = 0
	a.sweepLocked(now)
}

// sweepLocked forgets what can no longer matter. Expired access tokens are
// kept for as long as a refresh token lives, so a client coming back still
// hears "expired" (and refreshes) rather than "unknown".
func (a *AuthServer) sweepLocked(now time.Time) {
	keep := a.cfg.RefreshTokenTTL
	if keep <= 0 {
		keep = 24 * time.Hour
	}
	for k, c := range a.codes {
		if now.After(c.expires) {
			delete(a.codes, k)
		}
	}
	for k, at := range a.access {
		if at.fam.revoked || now.After(at.expires.Add(keep)) {
			delete(a.access, k)
		}
	}
	for k, rt := range a.refresh {
		if rt.fam.revoked || (!rt.expires.IsZero() && now.After(rt.expires)) {
			delete(a.refresh, k)
		}
	}
	for f := range a.families {
		_, live := a.refresh[f.current]
		if f.revoked || (!live && now.After(f.lastAccessExpiry.Add(keep))) {
			delete(a.families, f)
		}
	}
}

// randomToken returns an opaque 256-bit token.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ScopeList splits a space-separated scope parameter, dropping duplicates
// and keeping the first-seen order.
func ScopeList(param string) []string {
	fields := strings.Fields(param)
	seen := make(map[string]bool, len(fields))
	out := fields[:0]
	for _, s := range fields {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
