package store

import (
	"errors"
	"fmt"
)

// ErrNotFound says the workspace, connection, pull or record asked for does
// not exist. Errors wrapping it name what was looked for.
var ErrNotFound = errors.New("not found")

// ErrExists says a unique value is already taken: a workspace name, a
// connection to the same account in the same workspace.
var ErrExists = errors.New("already exists")

// ErrForeignDatabase says the database is not DataPull's: a file that is not
// SQLite, or a database with tables but without our migrations table. Open
// changes nothing when it returns it.
var ErrForeignDatabase = errors.New("not a DataPull database")

// ErrPullNotRunning says a pull has already finished: its outcome is
// written, and no more pages may be committed under it. A worker that gets
// it has been overtaken (its pull was finished for it) and must stop.
var ErrPullNotRunning = errors.New("pull is not running")

// ErrSchemaTooNew says the database was migrated by a newer DataPull than
// this one; opening it could misread data, so Open refuses.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// ValidationError says a value given to the store breaks a rule (an empty
// or over-long workspace name, an unknown status). It is the caller's input
// that is wrong, so it is safe to show the message to the user as it is.
type ValidationError struct {
	Field   string // what was checked: "workspace name", "connection status"
	Problem string // plain words: "must not be empty"
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Problem)
}

// PullRunningError says a connection already has a running pull; only one
// may run at a time. PullID is the running one, for a link to it.
type PullRunningError struct {
	ConnectionID int64
	PullID       int64
}

func (e *PullRunningError) Error() string {
	return fmt.Sprintf("a pull is already running for connection %d (pull %d)", e.ConnectionID, e.PullID)
}

func invalid(field, problem string) error {
	return &ValidationError{Field: field, Problem: problem}
}
