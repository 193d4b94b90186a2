package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenSet is one provider sign-in's tokens, sealed (encrypted) by the
// caller; the store never sees them in the clear. Several connections may
// share one: a Xero user's sign-in reaches several organisations.
type TokenSet struct {
	ID        int64
	Source    string // "xero", "hubspot"
	Subject   string // the provider user the tokens belong to
	Sealed    []byte
	UpdatedAt time.Time
}

// SaveTokenSet inserts ts when ts.ID is 0, else replaces the token set with
// that id (ErrNotFound if there is none). It returns ts with its ID and
// UpdatedAt set. A rotated refresh token must be saved here before it is
// used, so the caller saves and checks the error first.
func (s *Store) SaveTokenSet(ctx context.Context, ts TokenSet) (TokenSet, error) {
	switch {
	case strings.TrimSpace(ts.Source) == "":
		return TokenSet{}, fmt.Errorf("store: save token set: %w", invalid("token set source", "must not be empty"))
	case len(ts.Sealed) == 0:
		return TokenSet{}, fmt.Errorf("store: save token set: %w", invalid("token set", "has no sealed tokens"))
	}
	ts.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	at := s.dialect.timeArg(ts.UpdatedAt)
	if ts.ID == 0 {
		id, err := s.insert(ctx,
			"INSERT INTO token_sets (source, subject, sealed, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
			ts.Source, ts.Subject, ts.Sealed, at)
		if err != nil {
			return TokenSet{}, fmt.Errorf("store: save token set: %w", err)
		}
		ts.ID = id
		return ts, nil
	}
	err := mustAffect(s.exec(ctx,
		"UPDATE token_sets SET source = ?, subject = ?, sealed = ?, updated_at = ? WHERE id = ?",
		ts.Source, ts.Subject, ts.Sealed, at, ts.ID))
	if err != nil {
		return TokenSet{}, fmt.Errorf("store: save token set %d: %w", ts.ID, err)
	}
	return ts, nil
}

// TokenSet returns the token set with the given id.
func (s *Store) TokenSet(ctx context.Context, id int64) (TokenSet, error) {
	var ts TokenSet
	var at dbTime
	err := s.db.QueryRowContext(ctx, s.q("SELECT id, source, subject, sealed, updated_at FROM token_sets WHERE id = ?"), id).
		Scan(&ts.ID, &ts.Source, &ts.Subject, &ts.Sealed, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return TokenSet{}, fmt.Errorf("store: token set %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return TokenSet{}, fmt.Errorf("store: token set %d: %w", id, err)
	}
	ts.UpdatedAt = at.T
	return ts, nil
}

// DeleteTokenSet deletes a token set that no connection uses; one in use is
// refused with a *ValidationError.
func (s *Store) DeleteTokenSet(ctx context.Context, id int64) error {
	err := mustAffect(s.exec(ctx, "DELETE FROM token_sets WHERE id = ?", id))
	if violated(err) == foreignKeyConstraint {
		err = invalid("token set", "still used by a connection")
	}
	if err != nil {
		return fmt.Errorf("store: delete token set %d: %w", id, err)
	}
	return nil
}

// tokenSetsOf lists the token sets of the connections matching where, before
// they are deleted.
func (s *Store) tokenSetsOf(ctx context.Context, tx *sql.Tx, where string, arg any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, s.q("SELECT DISTINCT token_set_id FROM connections WHERE token_set_id IS NOT NULL AND "+where), arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// dropUnusedTokenSets deletes those of ids no connection uses any more, so
// deleting connections does not leave their sign-ins behind. Token sets not
// yet attached to a connection (a sign-in in progress) are not touched.
func (s *Store) dropUnusedTokenSets(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for _, id := range ids {
		_, err := tx.ExecContext(ctx, s.q(
			"DELETE FROM token_sets WHERE id = ? AND NOT EXISTS (SELECT 1 FROM connections WHERE token_set_id = ?)"), id, id)
		if err != nil {
			return fmt.Errorf("drop unused token set %d: %w", id, err)
		}
	}
	return nil
}
