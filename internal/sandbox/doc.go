// Package sandbox is the kit shared by DataPull's provider emulators: a
// scalable clock, fixed-window rate limiting, deterministic fault injection,
// an OAuth 2.0 authorization server and per-endpoint traffic counters, and
// the parts of a request pipeline, consent page and admin API that are the
// same at every provider (canned responses, the wire-level faults, the
// consent form's plumbing, the admin index and changes routes' framing).
// What differs between providers (error bodies, limits, the order of the
// gateway's checks, what a page shows) stays in each emulator.
//
// The emulators built on it (sandbox/xero, sandbox/hubspot) are the ground
// truth for every connector test, the engine of the demo and a product
// feature of their own (`datapull sandbox`). They must never import
// connector code (internal/provider/...), so that one misunderstanding of a
// provider's API cannot hide on both sides of a test.
//
// Time in the kit is always provider time, read from a Clock. Durations
// handed back to clients for waiting (Retry-After) are converted to wall
// time, so a client that honours them waits exactly as long as the scaled
// clock needs.
package sandbox
