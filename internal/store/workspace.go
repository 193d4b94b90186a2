package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxWorkspaceName is the longest workspace name, in characters.
const MaxWorkspaceName = 100

// Workspace is a named container of pulled data; every connection, pull and
// raw record belongs to one.
type Workspace struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// CleanWorkspaceName returns name trimmed, or a *ValidationError when it is
// empty, longer than MaxWorkspaceName characters or holds control
// characters. Names are unique regardless of letter case.
func CleanWorkspaceName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalid("workspace name", "must not be empty")
	case !utf8.ValidString(name):
		return "", invalid("workspace name", "must be valid UTF-8 text")
	case utf8.RuneCountInString(name) > MaxWorkspaceName:
		return "", invalid("workspace name", fmt.Sprintf("must be at most %d characters", MaxWorkspaceName))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalid("workspace name", "must not contain control characters such as tabs or line breaks")
	}
	return name, nil
}

// nameKey is what makes two workspace names the same name.
func nameKey(name string) string { return strings.ToLower(name) }

// CreateWorkspace creates a workspace. A name already in use (in any letter
// case) is ErrExists.
func (s *Store) CreateWorkspace(ctx context.Context, name string) (Workspace, error) {
	name, err := CleanWorkspaceName(name)
	if err != nil {
		return Workspace{}, fmt.Errorf("store: create workspace: %w", err)
	}
	w := Workspace{Name: name, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	w.ID, err = s.insert(ctx,
		"INSERT INTO workspaces (name, name_key, created_at) VALUES (?, ?, ?) RETURNING id",
		name, nameKey(name), s.dialect.timeArg(w.CreatedAt))
	if violated(err) == uniqueConstraint {
		return Workspace{}, fmt.Errorf("store: create workspace %q: %w", name, ErrExists)
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("store: create workspace %q: %w", name, err)
	}
	return w, nil
}

const workspaceColumns = "id, name, created_at"

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var w Workspace
	var created dbTime
	err := row.Scan(&w.ID, &w.Name, &created)
	w.CreatedAt = created.T
	return w, err
}

// Workspaces lists every workspace by name.
func (s *Store) Workspaces(ctx context.Context) ([]Workspace, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+workspaceColumns+" FROM workspaces ORDER BY name_key, id")
	if err != nil {
		return nil, fmt.Errorf("store: list workspaces: %w", err)
	}
	defer rows.Close()
	var out []Workspace
	for rows.Next() {
		w, err := scanWorkspace(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list workspaces: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list workspaces: %w", err)
	}
	return out, nil
}

// Workspace returns the workspace with the given id.
func (s *Store) Workspace(ctx context.Context, id int64) (Workspace, error) {
	w, err := scanWorkspace(s.db.QueryRowContext(ctx, s.q("SELECT "+workspaceColumns+" FROM workspaces WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Workspace{}, fmt.Errorf("store: workspace %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("store: workspace %d: %w", id, err)
	}
	return w, nil
}

// WorkspaceByName returns the workspace with the given name, matched after
// trimming and regardless of letter case.
func (s *Store) WorkspaceByName(ctx context.Context, name string) (Workspace, error) {
	key := nameKey(strings.TrimSpace(name))
	w, err := scanWorkspace(s.db.QueryRowContext(ctx, s.q("SELECT "+workspaceColumns+" FROM workspaces WHERE name_key = ?"), key))
	if errors.Is(err, sql.ErrNoRows) {
		return Workspace{}, fmt.Errorf("store: workspace %q: %w", strings.TrimSpace(name), ErrNotFound)
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("store: workspace %q: %w", name, err)
	}
	return w, nil
}

// RenameWorkspace gives a workspace a new name, under the rules of
// CreateWorkspace. Changing only the letter case of its own name is allowed.
func (s *Store) RenameWorkspace(ctx context.Context, id int64, name string) error {
	name, err := CleanWorkspaceName(name)
	if err != nil {
		return fmt.Errorf("store: rename workspace %d: %w", id, err)
	}
	err = mustAffect(s.exec(ctx, "UPDATE workspaces SET name = ?, name_key = ? WHERE id = ?", name, nameKey(name), id))
	switch {
	case violated(err) == uniqueConstraint:
		return fmt.Errorf("store: rename workspace %d to %q: %w", id, name, ErrExists)
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("store: rename workspace %d: %w", id, err)
	case err != nil:
		return fmt.Errorf("store: rename workspace %d: %w", id, err)
	}
	return nil
}

// DeleteWorkspace deletes a workspace and everything in it: connections,
// pulls with their results and notes, checkpoints and raw records. Token
// sets left unused by its connections go too. The usage ledger stays, so
// allowances are still counted.
func (s *Store) DeleteWorkspace(ctx context.Context, id int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		tokens, err := s.tokenSetsOf(ctx, tx, "workspace_id = ?", id)
		if err != nil {
			return err
		}
		if err := mustAffect(tx.ExecContext(ctx, s.q("DELETE FROM workspaces WHERE id = ?"), id)); err != nil {
			return err
		}
		return s.dropUnusedTokenSets(ctx, tx, tokens)
	})
	if err != nil {
		return fmt.Errorf("store: delete workspace %d: %w", id, err)
	}
	return nil
}
