package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrStateMismatch says the redirect's state is not this request's: a
// stale browser tab or a forged redirect. No code is exchanged.
var ErrStateMismatch = errors.New("oauth: the sign-in answer does not belong to this sign-in (state mismatch), so it was not used; start the sign-in again")

// ErrConsentDenied says the user declined the consent page.
var ErrConsentDenied = errors.New("oauth: consent was denied")

// AuthorizeError is an error the authorization server sent back to the
// redirect URI (RFC 6749 §4.1.2.1), other than a denied consent.
type AuthorizeError struct {
	Code        string // invalid_scope, unauthorized_client, ...
	Description string
}

func (e *AuthorizeError) Error() string {
	msg := "oauth: the provider refused the sign-in: " + e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// AuthRequest is one authorization request's secrets: its state and PKCE
// verifier, and the redirect URI the code will come back to.
type AuthRequest struct {
	RedirectURI string
	State       string
	Verifier    string
}

// NewAuthRequest returns a request with a fresh random state and PKCE
// verifier for redirectURI.
func NewAuthRequest(redirectURI string) AuthRequest {
	return AuthRequest{RedirectURI: redirectURI, State: randomString(), Verifier: randomString()}
}

// randomString returns 256 random bits in unpadded base64url: 43
// characters, which is also a valid PKCE verifier (RFC 7636 §4.1).
func randomString() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Challenge returns the request's PKCE S256 code_challenge.
func (r AuthRequest) Challenge() string {
	sum := sha256.Sum256([]byte(r.Verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthURL returns the URL that starts the sign-in in a browser: the spec's
// authorize URL (keeping any query it has) with the request's parameters.
func (c *Client) AuthURL(r AuthRequest) (string, error) {
	u, err := url.Parse(c.spec.AuthURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("oauth: authorize URL %q is not an absolute URL", c.spec.AuthURL)
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", c.spec.ClientID)
	q.Set("redirect_uri", r.RedirectURI)
	q.Set("scope", strings.Join(c.spec.Scopes, " "))
	q.Set("state", r.State)
	q.Set("code_challenge", r.Challenge())
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Code checks the query of the redirect back from the authorization server
// and returns its code. State is checked first, so a forged redirect cannot
// even end the sign-in with a made-up error.
func (r AuthRequest) Code(q url.Values) (string, error) {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(r.State)) != 1 {
		return "", ErrStateMismatch
	}
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_description")
		if e == "access_denied" {
			if desc != "" {
				return "", fmt.Errorf("%w: %s", ErrConsentDenied, desc)
			}
			return "", ErrConsentDenied
		}
		return "", &AuthorizeError{Code: e, Description: desc}
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("oauth: the sign-in answer has neither a code nor an error")
	}
	return code, nil
}
