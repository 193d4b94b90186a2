// Package oauth signs a desktop user in to a provider and keeps the
// resulting tokens usable.
//
//   - Client.Login runs the loopback authorization-code flow of RFC 8252
//     with state and PKCE S256: it listens on 127.0.0.1, opens the
//     authorize URL in the browser (and prints it), waits for the redirect
//     to /callback, checks state, and exchanges the code.
//   - TokenSource hands the pacer access tokens and refreshes them: one
//     refresh at a time, a little before expiry or when the pacer reports a
//     401, and the new token set is persisted before its access token is
//     used, because a rotated refresh token (Xero) that is lost is a sign-in
//     lost (connector failure mode X16).
//   - Registry makes one TokenSource per stored token set. A Xero token set
//     belongs to a user and reaches all that user's organisations; two
//     copies refreshed independently invalidate each other (xero-api.md G1),
//     so every pull of that user's organisations must share one owner.
//
// Token endpoint calls do not go through the pacer (the pacer calls the
// TokenSource), so Client retries them itself: 429 and 503 always, honouring
// Retry-After, other 5xx and network errors only where repeating is safe.
package oauth
