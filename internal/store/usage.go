package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UsageEntry is one line of the append-only usage ledger: what a pull (or
// part of one) cost against a source's allowances.
type UsageEntry struct {
	ID           int64
	PullID       int64
	ConnectionID int64
	Source       string
	At           time.Time // zero: now
	Calls        int64
	Bytes        int64
	Records      int64
}

// UsageTotals sums the ledger over a period.
type UsageTotals struct {
	Pulls   int64 // distinct pulls
	Calls   int64
	Bytes   int64
	Records int64
}

// AppendUsage adds an entry to the ledger. Entries are never changed or
// deleted, not even with their workspace, so allowances stay counted.
func (s *Store) AppendUsage(ctx context.Context, e UsageEntry) (UsageEntry, error) {
	if strings.TrimSpace(e.Source) == "" {
		return UsageEntry{}, fmt.Errorf("store: append usage: %w", invalid("usage source", "must not be empty"))
	}
	if e.Calls < 0 || e.Bytes < 0 || e.Records < 0 {
		return UsageEntry{}, fmt.Errorf("store: append usage: %w", invalid("usage", "counts must not be negative"))
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	id, err := s.insert(ctx, `INSERT INTO usage_ledger (pull_id, connection_id, source, at, calls, bytes, records)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.PullID, e.ConnectionID, e.Source, s.dialect.timeArg(e.At), e.Calls, e.Bytes, e.Records)
	if err != nil {
		return UsageEntry{}, fmt.Errorf("store: append usage: %w", err)
	}
	e.ID = id
	return e, nil
}

// Usage sums a source's ledger entries with from <= At < to. A zero from
// or to leaves that end of the period open.
func (s *Store) Usage(ctx context.Context, source string, from, to time.Time) (UsageTotals, error) {
	query := `SELECT COUNT(DISTINCT pull_id), COALESCE(SUM(calls), 0), COALESCE(SUM(bytes), 0),
		COALESCE(SUM(records), 0) FROM usage_ledger WHERE source = ?`
	args := []any{source}
	if !from.IsZero() {
		query += " AND at >= ?"
		args = append(args, s.dialect.timeArg(from))
	}
	if !to.IsZero() {
		query += " AND at < ?"
		args = append(args, s.dialect.timeArg(to))
	}
	var t UsageTotals
	err := s.db.QueryRowContext(ctx, s.q(query), args...).Scan(&t.Pulls, &t.Calls, &t.Bytes, &t.Records)
	if err != nil {
		return UsageTotals{}, fmt.Errorf("store: usage of %s: %w", source, err)
	}
	return t, nil
}
