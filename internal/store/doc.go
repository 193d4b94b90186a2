// Package store keeps DataPull's state in one database: SQLite by default (a
// single file, pure-Go driver, WAL) or PostgreSQL for teams, behind one
// *Store with the same methods and the same behaviour on both.
//
// What it holds: workspaces, connections and their sealed token sets, pulls
// with their endpoint results and notes, per-endpoint checkpoints, the raw
// records exactly as providers sent them, and an append-only usage ledger.
//
// The contract the engine relies on:
//
//   - CommitPage writes a page's records and the endpoint's checkpoint in one
//     transaction, so a checkpoint is durable exactly when the rows it covers
//     are (DESIGN.md convention 5). Checkpoints are written nowhere else,
//     except ResetCheckpoints for "re-pull all data".
//   - Records are upserted by (connection, endpoint, record id): reading a
//     record again is harmless and never makes a duplicate row.
//   - A full read keeps the old rows visible; MarkUnseen then marks, in one
//     statement, the rows the read did not see.
//   - Lookups that find nothing return an error wrapping ErrNotFound, never
//     a zero value with a nil error.
//
// The schema is created by embedded, numbered migrations per dialect
// (migrations/sqlite, migrations/postgres), recorded in schema_migrations.
// Open refuses a database that has tables but is not DataPull's, and a file
// that is not an SQLite database, without changing either.
package store
