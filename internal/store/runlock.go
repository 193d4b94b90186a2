package store

import (
	"context"
	"errors"
	"fmt"
)

// ErrConnectionBusy says another process (or another part of this one)
// holds the connection's run lock: it is pulling the connection now.
var ErrConnectionBusy = errors.New("another DataPull process is pulling this connection")

// runLockKey is the first half of the PostgreSQL advisory lock key of a
// connection's run lock ("DP"); the connection id is the second.
const runLockKey = 0x4450

// LockConnection takes the connection's run lock, which the pull engine
// holds for as long as it pulls the connection. It tells a pull that is
// running from one whose process died: the lock goes with the process
// (an advisory lock held on its own PostgreSQL session; an flock on a
// file beside the SQLite database), so a killed pull can be resumed at
// once, and a live one is never run twice. ErrConnectionBusy means it is
// held. release gives it back.
func (s *Store) LockConnection(ctx context.Context, connID int64) (release func(), err error) {
	if s.dialect == SQLite {
		return s.lockFile(connID)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lock connection %d: %w", connID, err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", runLockKey, int32(connID)).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: lock connection %d: %w", connID, err)
	}
	if !ok {
		conn.Close()
		return nil, ErrConnectionBusy
	}
	return func() {
		conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, $2)", runLockKey, int32(connID))
		conn.Close()
	}, nil
}
