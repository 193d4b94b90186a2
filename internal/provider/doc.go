// Package provider defines what a source (Xero, HubSpot, ...) gives the pull
// engine: a catalogue of endpoints, how to sign in, which accounts a sign-in
// reaches, and, for one connected account, endpoints that stream pages of
// records with the cursor to save once each page is stored.
//
// The contract, which every connector and the engine rely on:
//
//   - A connector never stores anything. It hands the engine pages through
//     Emit; the engine commits a page's records and its cursor in one
//     transaction, so a cursor is durable exactly when the rows it covers are.
//   - A cursor never moves past PullRequest.Start, the pull's start time: a
//     record changed while the pull runs is read again by the next pull.
//   - Boundaries overlap rather than gap: re-reading a record is harmless
//     (the engine upserts by id), missing one is not.
//   - Every HTTP call goes through the *http.Client the engine hands the
//     connector, whose transport is the pacer: it applies rate limits, honours
//     Retry-After, retries what is safe to retry and refreshes tokens. A
//     connector does not sleep or retry on its own.
//   - Provider behaviour a user must act on (a missing scope, an endpoint the
//     account cannot use, a limit reached) is returned as a typed error from
//     this package, never swallowed into an empty result.
//
// Optional abilities are separate small interfaces found by type assertion.
package provider
