// Package pacer is the one place DataPull's outbound API calls are paced,
// retried and authorised. A Transport is an http.RoundTripper for one
// connected account (one Xero organisation, one HubSpot portal); the engine
// hands its Client to the connector, which then neither sleeps nor retries
// on its own (DESIGN convention 3).
//
// What a call goes through, in order:
//
//   - admission: a per-account cap on calls in progress (wait for a slot,
//     never fail), then a start time that keeps every window of
//     Policy.Window under Policy.Budget calls, under the shared app Budget
//     if any, and after any pause the provider asked for;
//   - the call, with the TokenSource's access token and, unless the caller
//     chose an encoding, gzip, so the bytes counted are the bytes that
//     crossed the wire;
//   - the whole body read into memory, so a body cut short is an error the
//     pacer can retry rather than a decode error in the connector;
//   - the provider's allowance headers, through Policy.Observe: a window
//     spent (0 remaining) pauses every later call of the account until the
//     window can have reset, instead of provoking a 429.
//
// What comes back:
//
//   - a response for every status the pacer does not own (2xx, 3xx, 4xx
//     other than 429 and, with a TokenSource, 401; 5xx other than
//     500/502/503/504), its body in memory;
//   - *provider.LimitReachedError for a 429 the policy calls a daily limit
//     (never retried), or for any 429 still refused after MaxAttempts;
//   - *provider.APIError for a 500/502/503/504 not retried or still failing
//     after MaxAttempts, and for a 401 the policy says is a missing scope
//     (no refresh: a new token has the same scopes);
//   - *provider.NeedsReauthError for a 401 that a refreshed token also gets;
//     the TokenSource's own errors (a NeedsReauthError for invalid_grant)
//     as they are;
//   - *WaitError when a wait would be longer than Policy.MaxWait, and
//     whatever a WaitHook returns, so a job can snooze rather than sleep;
//   - ctx.Err() as soon as the request's context ends, during any wait.
//
// The http.Client wraps these in *url.Error; errors.As finds them.
//
// Retries repeat only what is safe to repeat: GET, HEAD, OPTIONS and TRACE,
// and requests marked with RetrySafe or an Idempotency-Key /
// X-Idempotency-Key header (the stdlib's convention, which a connector can
// use without importing this package). A 401 or 429 is repeated whatever the
// method, as the provider refused it before doing anything.
package pacer
