// Package pull is DataPull's pull engine: it refreshes one connection's
// endpoints into the store and says what it did.
//
// For each endpoint the engine decides a mode (incremental where the
// endpoint supports it, full on a first pull, on "re-pull all data" and
// when a periodic sweep is due), hands the connector the saved cursor, and
// commits every page the connector emits, records and checkpoint together,
// in one transaction. The saved checkpoint wraps the connector's opaque
// cursor with the engine's own state (see state), which is what lets a
// killed pull resume: an endpoint finished by the pull is skipped, an
// unfinished read continues from its last committed page in the mode it
// began in, and a full read marks the records it did not see only when its
// last page commits.
//
// The engine neither retries nor sleeps: the connector's HTTP client (the
// pacer) does. It turns the typed errors of package provider into endpoint
// results and notes: an endpoint the account cannot read is a note, a spent
// allowance or a lost sign-in stops the pull cleanly with every checkpoint
// kept, and any other failure fails that endpoint alone.
package pull
