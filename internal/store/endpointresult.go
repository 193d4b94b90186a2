package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// ResultStatus is how one endpoint of a pull went.
type ResultStatus string

// Endpoint result statuses.
const (
	ResultOK      ResultStatus = "ok"
	ResultWarning ResultStatus = "warning"
	ResultFailed  ResultStatus = "failed"
	ResultSkipped ResultStatus = "skipped"
)

func (r ResultStatus) valid() bool {
	switch r {
	case ResultOK, ResultWarning, ResultFailed, ResultSkipped:
		return true
	}
	return false
}

// EndpointResult is what one pull did to one endpoint, for the sync page.
type EndpointResult struct {
	PullID    int64
	Endpoint  string
	Mode      provider.Mode // incremental or full
	Fetched   int64
	Inserted  int64
	Updated   int64
	Deleted   int64 // marked deleted, archived or voided by this pull
	Unchanged int64
	Calls     int64
	Bytes     int64
	Duration  time.Duration
	// CheckpointBefore and CheckpointAfter are the endpoint's cursors at
	// the start and end; nil when there was none.
	CheckpointBefore provider.Cursor
	CheckpointAfter  provider.Cursor
	Status           ResultStatus
	Reason           string // why it is not ok, in plain words
	ProviderTotal    int64  // the provider's own count; -1 when unknown
}

// SaveEndpointResult records an endpoint's result, replacing an earlier one
// for the same pull and endpoint (results are saved as the endpoint goes).
func (s *Store) SaveEndpointResult(ctx context.Context, r EndpointResult) error {
	switch {
	case strings.TrimSpace(r.Endpoint) == "":
		return fmt.Errorf("store: save endpoint result: %w", invalid("endpoint", "must not be empty"))
	case !r.Status.valid():
		return fmt.Errorf("store: save endpoint result: %w", invalid("endpoint result status", fmt.Sprintf("%q is not ok, warning, failed or skipped", r.Status)))
	}
	_, err := s.exec(ctx, `INSERT INTO endpoint_results
		(pull_id, endpoint, mode, fetched, inserted, updated, deleted, unchanged, calls, bytes,
		 duration_ns, checkpoint_before, checkpoint_after, status, reason, provider_total)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (pull_id, endpoint) DO UPDATE SET
		mode = excluded.mode, fetched = excluded.fetched, inserted = excluded.inserted,
		updated = excluded.updated, deleted = excluded.deleted, unchanged = excluded.unchanged,
		calls = excluded.calls, bytes = excluded.bytes, duration_ns = excluded.duration_ns,
		checkpoint_before = excluded.checkpoint_before, checkpoint_after = excluded.checkpoint_after,
		status = excluded.status, reason = excluded.reason, provider_total = excluded.provider_total`,
		r.PullID, r.Endpoint, string(r.Mode), r.Fetched, r.Inserted, r.Updated, r.Deleted, r.Unchanged,
		r.Calls, r.Bytes, int64(r.Duration), nullString(r.CheckpointBefore), nullString(r.CheckpointAfter),
		string(r.Status), r.Reason, r.ProviderTotal)
	if violated(err) == foreignKeyConstraint {
		err = fmt.Errorf("pull %d: %w", r.PullID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: save endpoint result %s of pull %d: %w", r.Endpoint, r.PullID, err)
	}
	return nil
}

// EndpointResults lists a pull's endpoint results in the order they were
// first saved.
func (s *Store) EndpointResults(ctx context.Context, pullID int64) ([]EndpointResult, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT pull_id, endpoint, mode, fetched, inserted, updated, deleted,
		unchanged, calls, bytes, duration_ns, checkpoint_before, checkpoint_after, status, reason, provider_total
		FROM endpoint_results WHERE pull_id = ? ORDER BY id`), pullID)
	if err != nil {
		return nil, fmt.Errorf("store: endpoint results of pull %d: %w", pullID, err)
	}
	defer rows.Close()
	var out []EndpointResult
	for rows.Next() {
		var r EndpointResult
		var mode, status string
		var dur int64
		var before, after []byte
		if err := rows.Scan(&r.PullID, &r.Endpoint, &mode, &r.Fetched, &r.Inserted, &r.Updated, &r.Deleted,
			&r.Unchanged, &r.Calls, &r.Bytes, &dur, &before, &after, &status, &r.Reason, &r.ProviderTotal); err != nil {
			return nil, fmt.Errorf("store: endpoint results of pull %d: %w", pullID, err)
		}
		r.Mode, r.Status, r.Duration = provider.Mode(mode), ResultStatus(status), time.Duration(dur)
		r.CheckpointBefore, r.CheckpointAfter = provider.Cursor(before), provider.Cursor(after)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: endpoint results of pull %d: %w", pullID, err)
	}
	return out, nil
}
