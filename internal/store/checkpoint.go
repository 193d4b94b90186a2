package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// Checkpoint is an endpoint's saved pull position for one connection.
// It is written only by CommitPage, together with the rows it covers, and
// cleared by ResetCheckpoints.
type Checkpoint struct {
	ConnectionID int64
	Endpoint     string
	Cursor       provider.Cursor // exactly the bytes committed; nil if only a sweep was recorded
	UpdatedAt    time.Time
	LastFullAt   time.Time // when a full read of the endpoint last completed; zero if never
}

const checkpointColumns = "connection_id, endpoint, cursor, updated_at, last_full_at"

func scanCheckpoint(row interface{ Scan(...any) error }) (Checkpoint, error) {
	var c Checkpoint
	var cursor sql.NullString
	var updated, full dbTime
	if err := row.Scan(&c.ConnectionID, &c.Endpoint, &cursor, &updated, &full); err != nil {
		return Checkpoint{}, err
	}
	if cursor.Valid {
		c.Cursor = provider.Cursor(cursor.String)
	}
	c.UpdatedAt, c.LastFullAt = updated.T, full.T
	return c, nil
}

// Checkpoint returns the endpoint's checkpoint; ok is false when it has none
// (never pulled, or reset), which is not an error.
func (s *Store) Checkpoint(ctx context.Context, connID int64, endpoint string) (Checkpoint, bool, error) {
	c, err := scanCheckpoint(s.db.QueryRowContext(ctx, s.q("SELECT "+checkpointColumns+
		" FROM checkpoints WHERE connection_id = ? AND endpoint = ?"), connID, endpoint))
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("store: checkpoint %s of connection %d: %w", endpoint, connID, err)
	}
	return c, true, nil
}

// Checkpoints lists a connection's checkpoints by endpoint (for the support
// bundle and the sync page).
func (s *Store) Checkpoints(ctx context.Context, connID int64) ([]Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+checkpointColumns+
		" FROM checkpoints WHERE connection_id = ? ORDER BY endpoint"), connID)
	if err != nil {
		return nil, fmt.Errorf("store: checkpoints of connection %d: %w", connID, err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: checkpoints of connection %d: %w", connID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: checkpoints of connection %d: %w", connID, err)
	}
	return out, nil
}

// ResetCheckpoints forgets the connection's checkpoints, of the given
// endpoints or, with none given, of all, so the next pull reads them from the
// start ("re-pull all data"). Raw records are kept. It returns how many
// checkpoints it removed.
func (s *Store) ResetCheckpoints(ctx context.Context, connID int64, endpoints ...string) (int64, error) {
	query := "DELETE FROM checkpoints WHERE connection_id = ?"
	args := []any{connID}
	if len(endpoints) > 0 {
		query += " AND endpoint IN (" + placeholders(len(endpoints)) + ")"
		for _, e := range endpoints {
			args = append(args, e)
		}
	}
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: reset checkpoints of connection %d: %w", connID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: reset checkpoints of connection %d: %w", connID, err)
	}
	return n, nil
}

// writeCheckpoint saves the cursor (when not nil) and the end of a full read
// (when full), inside CommitPage's transaction. A nil cursor keeps the one
// saved; full stamps last_full_at, otherwise it is kept.
func (s *Store) writeCheckpoint(ctx context.Context, tx *sql.Tx, connID int64, endpoint string, cursor provider.Cursor, full bool) error {
	if len(cursor) == 0 && !full {
		return nil
	}
	now := s.nowArg()
	var fullAt any
	if full {
		fullAt = now
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO checkpoints (connection_id, endpoint, cursor, updated_at, last_full_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (connection_id, endpoint) DO UPDATE SET
		cursor = COALESCE(excluded.cursor, checkpoints.cursor),
		updated_at = excluded.updated_at,
		last_full_at = COALESCE(excluded.last_full_at, checkpoints.last_full_at)`),
		connID, endpoint, nullString(cursor), now, fullAt)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}

// checkCursor refuses a cursor that is not JSON: cursors are versioned JSON
// by contract, and one that is not would be unreadable on the next pull.
func checkCursor(c provider.Cursor) error {
	if len(c) > 0 && !json.Valid(c) {
		return invalid("cursor", "is not valid JSON")
	}
	return nil
}

// placeholders is "?, ?, ..." for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
