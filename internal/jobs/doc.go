// Package jobs runs pulls in the background as River jobs, on the same
// database as the store (SQLite or PostgreSQL).
//
// The contract:
//   - A job's args carry ids only (workspace, connection) and the mode;
//     the worker loads the rest and calls app.Pull. Tokens never enter
//     the queue.
//   - A pull job is unique per workspace + connection while it is
//     unfinished (available, scheduled, pending, retryable or running):
//     Enqueue of a second reports ErrAlreadyQueued with the first job.
//   - A pull interrupted by a stop or a crash resumes when the app starts
//     again: the engine continues a connection's `running` pull from its
//     checkpoints by itself; Start makes the River job of a process that
//     died available again (its connection's run lock, which dies with the
//     process, tells a dead process from a live one), and queues a job for
//     any running pull that has none.
//   - Progress goes to Config.OnEvent, one pull.Event at a time.
package jobs
