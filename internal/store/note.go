package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Severity is how much a note needs the user.
type Severity string

// Note severities.
const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

func (s Severity) valid() bool {
	return s == SeverityInfo || s == SeverityWarning || s == SeverityError
}

// Note is something about a pull that needs the user's attention: a missing
// scope, an endpoint the account cannot use, a limit hit, counts that do not
// reconcile. Every note says what the user can do.
type Note struct {
	ID        int64
	PullID    int64
	Endpoint  string // "" for the pull as a whole
	Severity  Severity
	Code      string // stable, for programs and tests: "not_available", "limit_reached"
	Message   string // what happened
	Action    string // what the user can do about it
	CreatedAt time.Time
}

// AddNote records a note on a pull and returns it with its ID and time.
func (s *Store) AddNote(ctx context.Context, n Note) (Note, error) {
	switch {
	case !n.Severity.valid():
		return Note{}, fmt.Errorf("store: add note: %w", invalid("note severity", fmt.Sprintf("%q is not info, warning or error", n.Severity)))
	case strings.TrimSpace(n.Message) == "":
		return Note{}, fmt.Errorf("store: add note: %w", invalid("note message", "must not be empty"))
	}
	n.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	id, err := s.insert(ctx, `INSERT INTO notes (pull_id, endpoint, severity, code, message, action, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.PullID, n.Endpoint, string(n.Severity), n.Code, n.Message, n.Action, s.dialect.timeArg(n.CreatedAt))
	if violated(err) == foreignKeyConstraint {
		err = fmt.Errorf("pull %d: %w", n.PullID, ErrNotFound)
	}
	if err != nil {
		return Note{}, fmt.Errorf("store: add note to pull %d: %w", n.PullID, err)
	}
	n.ID = id
	return n, nil
}

// Notes lists a pull's notes in the order they were added.
func (s *Store) Notes(ctx context.Context, pullID int64) ([]Note, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, pull_id, endpoint, severity, code, message, action, created_at
		FROM notes WHERE pull_id = ? ORDER BY id`), pullID)
	if err != nil {
		return nil, fmt.Errorf("store: notes of pull %d: %w", pullID, err)
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		var n Note
		var sev string
		var at dbTime
		if err := rows.Scan(&n.ID, &n.PullID, &n.Endpoint, &sev, &n.Code, &n.Message, &n.Action, &at); err != nil {
			return nil, fmt.Errorf("store: notes of pull %d: %w", pullID, err)
		}
		n.Severity, n.CreatedAt = Severity(sev), at.T
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: notes of pull %d: %w", pullID, err)
	}
	return out, nil
}
