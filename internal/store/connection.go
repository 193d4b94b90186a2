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

// ConnectionStatus says whether a connection can be pulled.
type ConnectionStatus string

// Connection statuses.
const (
	ConnectionActive         ConnectionStatus = "active"
	ConnectionNeedsReconnect ConnectionStatus = "needs_reconnect"
	ConnectionDisconnected   ConnectionStatus = "disconnected"
)

func (c ConnectionStatus) valid() bool {
	switch c {
	case ConnectionActive, ConnectionNeedsReconnect, ConnectionDisconnected:
		return true
	}
	return false
}

// Connection is one authorised provider account (a Xero organisation, a
// HubSpot portal) in one workspace.
type Connection struct {
	ID          int64
	WorkspaceID int64
	Source      string
	AccountID   string // the provider's tenant or hub id
	AccountName string
	TokenSetID  int64 // 0: none (disconnected)
	BaseURLs    provider.BaseURLs
	Extra       map[string]string
	Status      ConnectionStatus
	CreatedAt   time.Time
}

// baseURLsJSON is how BaseURLs are kept: a small JSON object.
type baseURLsJSON struct {
	Auth  string `json:"auth"`
	Token string `json:"token"`
	API   string `json:"api"`
}

// CreateConnection records a connection; Status defaults to active. The
// same account in the same workspace twice is ErrExists; an unknown
// workspace or token set is ErrNotFound.
func (s *Store) CreateConnection(ctx context.Context, c Connection) (Connection, error) {
	if c.Status == "" {
		c.Status = ConnectionActive
	}
	if err := validateConnection(c); err != nil {
		return Connection{}, fmt.Errorf("store: create connection: %w", err)
	}
	urls, err := json.Marshal(baseURLsJSON(c.BaseURLs))
	if err != nil {
		return Connection{}, fmt.Errorf("store: create connection: %w", err)
	}
	if c.Extra == nil {
		c.Extra = map[string]string{}
	}
	extra, err := json.Marshal(c.Extra)
	if err != nil {
		return Connection{}, fmt.Errorf("store: create connection: %w", err)
	}
	c.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	c.ID, err = s.insert(ctx, `INSERT INTO connections
		(workspace_id, source, account_id, account_name, token_set_id, base_urls, extra, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.WorkspaceID, c.Source, c.AccountID, c.AccountName, nullID(c.TokenSetID),
		string(urls), string(extra), string(c.Status), s.dialect.timeArg(c.CreatedAt))
	switch violated(err) {
	case uniqueConstraint:
		return Connection{}, fmt.Errorf("store: create connection: %s account %s in workspace %d: %w", c.Source, c.AccountID, c.WorkspaceID, ErrExists)
	case foreignKeyConstraint:
		return Connection{}, fmt.Errorf("store: create connection: workspace %d or token set %d: %w", c.WorkspaceID, c.TokenSetID, ErrNotFound)
	}
	if err != nil {
		return Connection{}, fmt.Errorf("store: create connection: %w", err)
	}
	return c, nil
}

func validateConnection(c Connection) error {
	switch {
	case strings.TrimSpace(c.Source) == "":
		return invalid("connection source", "must not be empty")
	case strings.TrimSpace(c.AccountID) == "":
		return invalid("connection account id", "must not be empty")
	case !c.Status.valid():
		return invalid("connection status", fmt.Sprintf("%q is not active, needs_reconnect or disconnected", c.Status))
	}
	return nil
}

const connectionColumns = `id, workspace_id, source, account_id, account_name, token_set_id,
	base_urls, extra, status, created_at`

func scanConnection(row interface{ Scan(...any) error }) (Connection, error) {
	var c Connection
	var tokenSet sql.NullInt64
	var urls, extra, status string
	var created dbTime
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.Source, &c.AccountID, &c.AccountName, &tokenSet,
		&urls, &extra, &status, &created); err != nil {
		return Connection{}, err
	}
	var u baseURLsJSON
	if err := json.Unmarshal([]byte(urls), &u); err != nil {
		return Connection{}, fmt.Errorf("connection %d base urls: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(extra), &c.Extra); err != nil {
		return Connection{}, fmt.Errorf("connection %d extra: %w", c.ID, err)
	}
	c.TokenSetID = tokenSet.Int64
	c.BaseURLs = provider.BaseURLs(u)
	c.Status = ConnectionStatus(status)
	c.CreatedAt = created.T
	return c, nil
}

// Connections lists a workspace's connections by source and account name.
func (s *Store) Connections(ctx context.Context, workspaceID int64) ([]Connection, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+connectionColumns+
		" FROM connections WHERE workspace_id = ? ORDER BY source, account_name, id"), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: list connections of workspace %d: %w", workspaceID, err)
	}
	defer rows.Close()
	var out []Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list connections of workspace %d: %w", workspaceID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list connections of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// Connection returns the connection with the given id.
func (s *Store) Connection(ctx context.Context, id int64) (Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, s.q("SELECT "+connectionColumns+" FROM connections WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, fmt.Errorf("store: connection %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Connection{}, fmt.Errorf("store: connection %d: %w", id, err)
	}
	return c, nil
}

// ConnectionByAccount returns a workspace's connection to one provider
// account, to tell a reconnect from a new connection.
func (s *Store) ConnectionByAccount(ctx context.Context, workspaceID int64, source, accountID string) (Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, s.q("SELECT "+connectionColumns+
		" FROM connections WHERE workspace_id = ? AND source = ? AND account_id = ?"), workspaceID, source, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, fmt.Errorf("store: %s account %s in workspace %d: %w", source, accountID, workspaceID, ErrNotFound)
	}
	if err != nil {
		return Connection{}, fmt.Errorf("store: %s account %s in workspace %d: %w", source, accountID, workspaceID, err)
	}
	return c, nil
}

// SetConnectionStatus changes a connection's status (a revoked consent
// makes it needs_reconnect).
func (s *Store) SetConnectionStatus(ctx context.Context, id int64, status ConnectionStatus) error {
	if !status.valid() {
		return fmt.Errorf("store: set connection %d status: %w", id, invalid("connection status", fmt.Sprintf("%q is not active, needs_reconnect or disconnected", status)))
	}
	if err := mustAffect(s.exec(ctx, "UPDATE connections SET status = ? WHERE id = ?", string(status), id)); err != nil {
		return fmt.Errorf("store: set connection %d status: %w", id, err)
	}
	return nil
}

// SetConnectionTokenSet points a connection at another token set (after a
// reconnect); 0 detaches it. A token set no longer used by any connection is
// deleted.
func (s *Store) SetConnectionTokenSet(ctx context.Context, id, tokenSetID int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		old, err := s.tokenSetsOf(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		err = mustAffect(tx.ExecContext(ctx, s.q("UPDATE connections SET token_set_id = ? WHERE id = ?"), nullID(tokenSetID), id))
		if violated(err) == foreignKeyConstraint {
			return fmt.Errorf("token set %d: %w", tokenSetID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return s.dropUnusedTokenSets(ctx, tx, old)
	})
	if err != nil {
		return fmt.Errorf("store: set connection %d token set: %w", id, err)
	}
	return nil
}

// DeleteConnection deletes a connection with its pulls, checkpoints and raw
// records, and its token set if no other connection shares it.
func (s *Store) DeleteConnection(ctx context.Context, id int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		tokens, err := s.tokenSetsOf(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if err := mustAffect(tx.ExecContext(ctx, s.q("DELETE FROM connections WHERE id = ?"), id)); err != nil {
			return err
		}
		return s.dropUnusedTokenSets(ctx, tx, tokens)
	})
	if err != nil {
		return fmt.Errorf("store: delete connection %d: %w", id, err)
	}
	return nil
}
