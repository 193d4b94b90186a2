package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PullMode is how a pull was asked for.
type PullMode string

// Pull modes.
const (
	// PullStandard is incremental wherever the provider allows it.
	PullStandard PullMode = "standard"
	// PullFull is "re-pull all data".
	PullFull PullMode = "full"
)

// PullStatus is where a pull stands.
type PullStatus string

// Pull statuses.
const (
	PullRunning   PullStatus = "running"
	PullCompleted PullStatus = "completed"
	PullFailed    PullStatus = "failed"
	PullStopped   PullStatus = "stopped" // stopped cleanly: a limit, a cancel
	PullPartial   PullStatus = "partial" // finished, some endpoints failed
)

func (p PullStatus) finished() bool {
	switch p {
	case PullCompleted, PullFailed, PullStopped, PullPartial:
		return true
	}
	return false
}

// Pull is one run refreshing a connection's endpoints.
type Pull struct {
	ID           int64
	WorkspaceID  int64
	ConnectionID int64
	Mode         PullMode
	Status       PullStatus
	StartedAt    time.Time
	FinishedAt   time.Time // zero while running
	Calls        int64     // provider API calls
	Bytes        int64     // bytes downloaded
	Records      int64     // records fetched
	Error        string    // why it failed or stopped, for the user
}

// PullOutcome is how a pull ended.
type PullOutcome struct {
	Status     PullStatus // completed, failed, stopped or partial
	FinishedAt time.Time  // zero: now
	Calls      int64
	Bytes      int64
	Records    int64
	Error      string
}

// CreatePull starts a pull of a connection: status running, started at
// p.StartedAt or now. Only p.WorkspaceID, ConnectionID, Mode and StartedAt
// are read. If the connection already has a running pull the answer is a
// *PullRunningError naming it; the database enforces this, so two
// processes cannot both start one.
func (s *Store) CreatePull(ctx context.Context, p Pull) (Pull, error) {
	if p.Mode != PullStandard && p.Mode != PullFull {
		return Pull{}, fmt.Errorf("store: create pull: %w", invalid("pull mode", fmt.Sprintf("%q is not standard or full", p.Mode)))
	}
	if p.StartedAt.IsZero() {
		p.StartedAt = s.now()
	}
	p.StartedAt = p.StartedAt.UTC().Truncate(time.Microsecond)
	p.Status = PullRunning
	p.FinishedAt, p.Calls, p.Bytes, p.Records, p.Error = time.Time{}, 0, 0, 0, ""
	// Insert from the connection row, so that a connection of another
	// workspace inserts nothing and is reported as not found.
	id, err := s.insert(ctx, `INSERT INTO pulls (workspace_id, connection_id, mode, status, started_at)
		SELECT workspace_id, id, ?, ?, ? FROM connections WHERE id = ? AND workspace_id = ?
		RETURNING id`,
		string(p.Mode), string(p.Status), s.dialect.timeArg(p.StartedAt), p.ConnectionID, p.WorkspaceID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Pull{}, fmt.Errorf("store: create pull: connection %d in workspace %d: %w", p.ConnectionID, p.WorkspaceID, ErrNotFound)
	case violated(err) == uniqueConstraint:
		return Pull{}, fmt.Errorf("store: create pull: %w", s.runningError(ctx, p.ConnectionID))
	case err != nil:
		return Pull{}, fmt.Errorf("store: create pull: %w", err)
	}
	p.ID = id
	return p, nil
}

// runningError describes the running pull that blocked a new one.
func (s *Store) runningError(ctx context.Context, connID int64) error {
	running, ok, err := s.RunningPull(ctx, connID)
	if err != nil {
		return err
	}
	e := &PullRunningError{ConnectionID: connID}
	if ok {
		e.PullID = running.ID
	}
	return e
}

// FinishPull records how a running pull ended. An outcome is written once:
// a finished pull is ErrPullNotRunning, an unknown one ErrNotFound.
func (s *Store) FinishPull(ctx context.Context, id int64, o PullOutcome) error {
	if !o.Status.finished() {
		return fmt.Errorf("store: finish pull %d: %w", id, invalid("pull status", fmt.Sprintf("%q is not completed, failed, stopped or partial", o.Status)))
	}
	at := o.FinishedAt
	if at.IsZero() {
		at = s.now()
	}
	err := mustAffect(s.exec(ctx, `UPDATE pulls SET status = ?, finished_at = ?, calls = ?, bytes = ?, records = ?, error = ?
		WHERE id = ? AND status = 'running'`,
		string(o.Status), s.dialect.timeArg(at), o.Calls, o.Bytes, o.Records, o.Error, id))
	if errors.Is(err, ErrNotFound) {
		if _, perr := s.Pull(ctx, id); perr == nil {
			err = ErrPullNotRunning
		}
	}
	if err != nil {
		return fmt.Errorf("store: finish pull %d: %w", id, err)
	}
	return nil
}

// checkRunning fences CommitPage: pages go in only under a running pull of
// their connection, so a worker whose pull was finished for it (taken for
// dead) cannot write behind the one that took over. On PostgreSQL the row is
// share-locked until commit, so FinishPull waits for a page in flight.
func (s *Store) checkRunning(ctx context.Context, tx *sql.Tx, pullID, connID int64) error {
	query := "SELECT status FROM pulls WHERE id = ? AND connection_id = ?"
	if s.dialect == Postgres {
		query += " FOR SHARE"
	}
	var status string
	err := tx.QueryRowContext(ctx, s.q(query), pullID, connID).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("pull %d of connection %d: %w", pullID, connID, ErrNotFound)
	case err != nil:
		return fmt.Errorf("check pull %d: %w", pullID, err)
	case PullStatus(status) != PullRunning:
		return fmt.Errorf("pull %d (%s): %w", pullID, status, ErrPullNotRunning)
	}
	return nil
}

const pullColumns = `id, workspace_id, connection_id, mode, status, started_at, finished_at,
	calls, bytes, records, error`

func scanPull(row interface{ Scan(...any) error }) (Pull, error) {
	var p Pull
	var mode, status string
	var started, finished dbTime
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.ConnectionID, &mode, &status, &started, &finished,
		&p.Calls, &p.Bytes, &p.Records, &p.Error)
	p.Mode, p.Status = PullMode(mode), PullStatus(status)
	p.StartedAt, p.FinishedAt = started.T, finished.T
	return p, err
}

// Pull returns the pull with the given id.
func (s *Store) Pull(ctx context.Context, id int64) (Pull, error) {
	p, err := scanPull(s.db.QueryRowContext(ctx, s.q("SELECT "+pullColumns+" FROM pulls WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Pull{}, fmt.Errorf("store: pull %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Pull{}, fmt.Errorf("store: pull %d: %w", id, err)
	}
	return p, nil
}

// Pulls lists a connection's most recent pulls, newest first; limit <= 0
// means all.
func (s *Store) Pulls(ctx context.Context, connectionID int64, limit int) ([]Pull, error) {
	query := "SELECT " + pullColumns + " FROM pulls WHERE connection_id = ? ORDER BY id DESC"
	args := []any{connectionID}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: pulls of connection %d: %w", connectionID, err)
	}
	defer rows.Close()
	var out []Pull
	for rows.Next() {
		p, err := scanPull(rows)
		if err != nil {
			return nil, fmt.Errorf("store: pulls of connection %d: %w", connectionID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pulls of connection %d: %w", connectionID, err)
	}
	return out, nil
}

// RunningPull returns the connection's running pull, if it has one.
func (s *Store) RunningPull(ctx context.Context, connectionID int64) (Pull, bool, error) {
	p, err := scanPull(s.db.QueryRowContext(ctx, s.q("SELECT "+pullColumns+
		" FROM pulls WHERE connection_id = ? AND status = 'running'"), connectionID))
	if errors.Is(err, sql.ErrNoRows) {
		return Pull{}, false, nil
	}
	if err != nil {
		return Pull{}, false, fmt.Errorf("store: running pull of connection %d: %w", connectionID, err)
	}
	return p, true, nil
}
