package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// RawRecord is a record as stored: the provider's payload, byte for byte,
// with what the store knows about it.
type RawRecord struct {
	ConnectionID  int64
	Endpoint      string
	ID            string
	ModifiedAt    time.Time // zero when the provider gives none
	Status        provider.Status
	Payload       json.RawMessage
	PayloadHash   string // sha256 of Payload, hex
	ChangedPullID int64  // the pull that last inserted or changed it
	SeenPullID    int64  // the pull that last read it
}

// Record is r as the provider record it was stored from.
func (r RawRecord) Record() provider.Record {
	return provider.Record{ID: r.ID, ModifiedAt: r.ModifiedAt, Status: r.Status, Payload: r.Payload}
}

// PageCommit is one page of an endpoint to store, with the checkpoint that
// covers it.
type PageCommit struct {
	ConnectionID int64
	Endpoint     string
	PullID       int64
	Records      []provider.Record
	// Cursor is the endpoint's position after this page; nil (or empty)
	// leaves the saved checkpoint as it is.
	Cursor provider.Cursor
	// CursorAfter, if set, is called inside the transaction with what the
	// page did, and its answer is saved instead of Cursor: for a caller
	// whose checkpoint carries running counts (the pull engine), so the
	// counts and the rows they count commit together.
	CursorAfter func(PageCounts) provider.Cursor
	// FullSweepDone says this page ends a full read of the endpoint: the
	// checkpoint's LastFullAt is set to now, and every record the read did
	// not see (last seen before UnseenFrom) is set to UnseenStatus, in the
	// same transaction, so a crash cannot leave a finished read whose
	// missing records were never marked.
	FullSweepDone bool
	// UnseenFrom is the pull that began the full read (the page's own pull
	// unless the read was resumed by a later one); 0 means PullID.
	UnseenFrom int64
	// UnseenStatus is what an unseen record becomes; empty means deleted.
	UnseenStatus provider.Status
}

// PageCounts says what CommitPage did with a page's distinct records.
type PageCounts struct {
	Inserted  int64 // new to the endpoint
	Updated   int64 // payload, status or modified time changed
	Unchanged int64 // identical to what was stored
	Unseen    int64 // records a finished full read did not see, now marked
}

// Rows per statement. Many rows per statement save round trips (PostgreSQL)
// and statement steps (SQLite); these stay far below both dialects' limits
// on bound parameters (32766 and 65535).
const (
	upsertChunk = 100 // rows of 9 parameters
	lookupChunk = 500 // ids, SQLite
)

// rawRow is a record ready to write.
type rawRow struct {
	id       string
	modified time.Time // UTC, microseconds: what the database keeps
	status   provider.Status
	payload  string
	hash     string
}

// stored is what the store has of a record, to tell a change.
type stored struct {
	hash     string
	status   string
	modified time.Time
}

// CommitPage stores a page in one transaction: it upserts every record by
// (connection, endpoint, id), marks each as seen by the pull, and writes the
// checkpoint. Either all of it is committed or none of it. A record counts
// as updated when its payload hash, status or modified time differs from
// what is stored. When an id appears twice in a page the later copy is the
// one stored, and it counts once. The pull must be a running pull of the
// connection: a finished one is ErrPullNotRunning, and nothing is written.
func (s *Store) CommitPage(ctx context.Context, pc PageCommit) (PageCounts, error) {
	rows, err := checkPage(pc)
	if err != nil {
		return PageCounts{}, fmt.Errorf("store: commit page of %s: %w", pc.Endpoint, err)
	}
	var counts PageCounts
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkRunning(ctx, tx, pc.PullID, pc.ConnectionID); err != nil {
			return err
		}
		var err error
		counts, err = s.commitRows(ctx, tx, pc, rows)
		if err != nil {
			return err
		}
		if err := s.hookAt("rows"); err != nil {
			return err
		}
		if pc.FullSweepDone {
			from, status := pc.UnseenFrom, pc.UnseenStatus
			if from <= 0 {
				from = pc.PullID
			}
			if status == "" {
				status = provider.StatusDeleted
			}
			if counts.Unseen, err = s.markUnseen(ctx, tx, pc.ConnectionID, pc.Endpoint, from, pc.PullID, status); err != nil {
				return err
			}
		}
		cursor := pc.Cursor
		if pc.CursorAfter != nil {
			if cursor = pc.CursorAfter(counts); checkCursor(cursor) != nil {
				return checkCursor(cursor)
			}
		}
		if err := s.writeCheckpoint(ctx, tx, pc.ConnectionID, pc.Endpoint, cursor, pc.FullSweepDone); err != nil {
			return err
		}
		return s.hookAt("checkpoint")
	})
	if err != nil {
		return PageCounts{}, fmt.Errorf("store: commit page of %s: %w", pc.Endpoint, err)
	}
	return counts, nil
}

func (s *Store) hookAt(stage string) error {
	if s.hook == nil {
		return nil
	}
	return s.hook(stage)
}

// checkPage validates a page before any of it is written and turns its
// records into rows, one per distinct id.
func checkPage(pc PageCommit) ([]rawRow, error) {
	switch {
	case pc.ConnectionID <= 0:
		return nil, invalid("page", "has no connection")
	case strings.TrimSpace(pc.Endpoint) == "":
		return nil, invalid("page", "has no endpoint")
	case pc.PullID <= 0:
		return nil, invalid("page", "has no pull")
	}
	if err := checkCursor(pc.Cursor); err != nil {
		return nil, err
	}
	rows := make([]rawRow, 0, len(pc.Records))
	index := make(map[string]int, len(pc.Records))
	for _, r := range pc.Records {
		row, err := toRow(r)
		if err != nil {
			return nil, err
		}
		if i, dup := index[r.ID]; dup {
			rows[i] = row
			continue
		}
		index[r.ID] = len(rows)
		rows = append(rows, row)
	}
	return rows, nil
}

func toRow(r provider.Record) (rawRow, error) {
	switch {
	case r.ID == "":
		return rawRow{}, invalid("record", "has an empty id")
	case !validStatus(r.Status):
		return rawRow{}, invalid("record "+r.ID, fmt.Sprintf("status %q is not active, archived, deleted or voided", r.Status))
	case len(r.Payload) == 0:
		// The payload is not parsed again here: it comes from the
		// connector's JSON decoder, and a second parse would cost a fifth
		// of CommitPage's time. PostgreSQL's json column still refuses
		// text that is not JSON.
		return rawRow{}, invalid("record "+r.ID, "has an empty payload")
	}
	sum := sha256.Sum256(r.Payload)
	row := rawRow{id: r.ID, status: r.Status, payload: string(r.Payload), hash: hex.EncodeToString(sum[:])}
	if !r.ModifiedAt.IsZero() {
		row.modified = r.ModifiedAt.UTC().Truncate(time.Microsecond)
	}
	return row, nil
}

func validStatus(st provider.Status) bool {
	switch st {
	case provider.StatusActive, provider.StatusArchived, provider.StatusDeleted, provider.StatusVoided:
		return true
	}
	return false
}

// commitRows writes a page's rows and counts what changed. The counts come
// from reading the stored rows first; the upsert itself decides in SQL
// whether a row changed, so what is written does not depend on that read.
func (s *Store) commitRows(ctx context.Context, tx *sql.Tx, pc PageCommit, rows []rawRow) (PageCounts, error) {
	var counts PageCounts
	if len(rows) == 0 {
		return counts, nil
	}
	have, err := s.storedRows(ctx, tx, pc.ConnectionID, pc.Endpoint, rows)
	if err != nil {
		return counts, err
	}
	for _, r := range rows {
		old, ok := have[r.id]
		switch {
		case !ok:
			counts.Inserted++
		case old.hash != r.hash || old.status != string(r.status) || !old.modified.Equal(r.modified):
			counts.Updated++
		default:
			counts.Unchanged++
		}
	}
	if err := s.upsertRows(ctx, tx, pc, rows); err != nil {
		return counts, err
	}
	return counts, nil
}

// storedRows reads what is stored of the page's ids.
func (s *Store) storedRows(ctx context.Context, tx *sql.Tx, connID int64, endpoint string, rows []rawRow) (map[string]stored, error) {
	have := make(map[string]stored, len(rows))
	if s.dialect == Postgres {
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.id
		}
		if err := readStored(ctx, tx, storedRowsPostgres, []any{ids, connID, endpoint}, have); err != nil {
			return nil, fmt.Errorf("read stored rows: %w", err)
		}
		return have, nil
	}
	for start := 0; start < len(rows); start += lookupChunk {
		part := rows[start:min(start+lookupChunk, len(rows))]
		args := make([]any, 0, len(part)+2)
		args = append(args, connID, endpoint)
		for _, r := range part {
			args = append(args, r.id)
		}
		q := "SELECT record_id, payload_hash, status, modified_at FROM raw_records WHERE connection_id = ? AND endpoint = ? AND record_id IN (" +
			placeholders(len(part)) + ")"
		if err := readStored(ctx, tx, q, args, have); err != nil {
			return nil, fmt.Errorf("read stored rows: %w", err)
		}
	}
	return have, nil
}

// storedRowsPostgres reads stored rows with one probe of the primary key per
// id, whatever the statistics say. While raw_records fills up during a first
// pull its statistics are stale, and PostgreSQL then plans an "IN (...)"
// list or a plain join as a scan of the whole endpoint, slower with every
// page. LIMIT 1 stops the planner from flattening the lateral subquery into
// such a join; the key is unique, so it changes no result.
const storedRowsPostgres = `SELECT k.id, r.payload_hash, r.status, r.modified_at FROM unnest($1::text[]) AS k(id)
	CROSS JOIN LATERAL (SELECT payload_hash, status, modified_at FROM raw_records
		WHERE connection_id = $2 AND endpoint = $3 AND record_id = k.id LIMIT 1) AS r`

func readStored(ctx context.Context, tx *sql.Tx, q string, args []any, into map[string]stored) error {
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var id string
		var st stored
		var mod dbTime
		if err := rs.Scan(&id, &st.hash, &st.status, &mod); err != nil {
			return err
		}
		st.modified = mod.T
		into[id] = st
	}
	return rs.Err()
}

const upsertHead = `INSERT INTO raw_records
	(connection_id, endpoint, record_id, modified_at, status, payload, payload_hash, changed_pull_id, seen_pull_id)
	VALUES `

// upsertTail updates a stored record in place: it is seen by this pull
// either way, and changed by it only when its hash, status or modified time
// differs. The conflict check probes the primary key, row by row, so no
// query plan is involved.
const upsertTail = `
	ON CONFLICT (connection_id, endpoint, record_id) DO UPDATE SET
	changed_pull_id = CASE
		WHEN raw_records.payload_hash <> excluded.payload_hash
			OR raw_records.status <> excluded.status
			OR raw_records.modified_at IS DISTINCT FROM excluded.modified_at
		THEN excluded.changed_pull_id ELSE raw_records.changed_pull_id END,
	modified_at = excluded.modified_at, status = excluded.status, payload = excluded.payload,
	payload_hash = excluded.payload_hash, seen_pull_id = excluded.seen_pull_id`

// upsertSQL is the upsert of n rows.
func (s *Store) upsertSQL(n int) string {
	var b strings.Builder
	b.Grow(len(upsertHead) + len(upsertTail) + n*30)
	b.WriteString(upsertHead)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(upsertTail)
	return s.q(b.String())
}

// upsertRows writes rows, upsertChunk at a time through one prepared
// statement, the remainder through one more.
func (s *Store) upsertRows(ctx context.Context, tx *sql.Tx, pc PageCommit, rows []rawRow) error {
	var full *sql.Stmt
	if len(rows) >= upsertChunk {
		var err error
		if full, err = tx.PrepareContext(ctx, s.upsertSQL(upsertChunk)); err != nil {
			return fmt.Errorf("prepare upsert: %w", err)
		}
		defer full.Close()
	}
	args := make([]any, 0, 9*upsertChunk)
	for start := 0; start < len(rows); start += upsertChunk {
		part := rows[start:min(start+upsertChunk, len(rows))]
		args = args[:0]
		for _, r := range part {
			args = append(args, pc.ConnectionID, pc.Endpoint, r.id, s.dialect.timeArg(r.modified),
				string(r.status), r.payload, r.hash, pc.PullID, pc.PullID)
		}
		var err error
		if len(part) == upsertChunk {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, s.upsertSQL(len(part)), args...)
		}
		if err != nil {
			return fmt.Errorf("upsert records: %w", err)
		}
	}
	return nil
}

// MarkUnseen ends a full read: every record of the endpoint that pullID did
// not see, and that is not already in status, is set to status (deleted) and
// counted as changed by pullID. Until it runs, old rows stay as they were.
// It returns how many records it marked.
//
// Pull ids only grow, so "not seen by pullID" is taken as "last seen before
// pullID": a record stamped by a later pull is spared too.
func (s *Store) MarkUnseen(ctx context.Context, connID int64, endpoint string, pullID int64, status provider.Status) (int64, error) {
	if !validStatus(status) {
		return 0, fmt.Errorf("store: mark unseen %s: %w", endpoint, invalid("record status", fmt.Sprintf("%q is not active, archived, deleted or voided", status)))
	}
	var n int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.markUnseen(ctx, tx, connID, endpoint, pullID, pullID, status)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: mark unseen %s of connection %d: %w", endpoint, connID, err)
	}
	return n, nil
}

// markUnseen sets every record of the endpoint last seen before from to
// status, stamped as changed by pullID.
func (s *Store) markUnseen(ctx context.Context, tx *sql.Tx, connID int64, endpoint string, from, pullID int64, status provider.Status) (int64, error) {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE raw_records SET status = ?, changed_pull_id = ?
		WHERE connection_id = ? AND endpoint = ? AND seen_pull_id < ? AND status <> ?`),
		string(status), pullID, connID, endpoint, from, string(status))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SeenCount is how many records of the endpoint were seen by pull from or
// a later one: after a full read begun by from, what the provider listed.
func (s *Store) SeenCount(ctx context.Context, connID int64, endpoint string, from int64) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM raw_records
		WHERE connection_id = ? AND endpoint = ? AND seen_pull_id >= ?`), connID, endpoint, from).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count seen %s of connection %d: %w", endpoint, connID, err)
	}
	return n, nil
}

const rawColumns = "connection_id, endpoint, record_id, modified_at, status, payload, payload_hash, changed_pull_id, seen_pull_id"

func scanRaw(row interface{ Scan(...any) error }) (RawRecord, error) {
	var r RawRecord
	var mod dbTime
	var status string
	var payload []byte
	if err := row.Scan(&r.ConnectionID, &r.Endpoint, &r.ID, &mod, &status, &payload, &r.PayloadHash,
		&r.ChangedPullID, &r.SeenPullID); err != nil {
		return RawRecord{}, err
	}
	r.ModifiedAt, r.Status, r.Payload = mod.T, provider.Status(status), json.RawMessage(payload)
	return r, nil
}

// RawRecords calls fn with each record of the endpoint in record-id order
// (by bytes), streaming: memory does not grow with the endpoint. An error
// from fn stops the walk and is returned as it is.
func (s *Store) RawRecords(ctx context.Context, connID int64, endpoint string, fn func(RawRecord) error) error {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+rawColumns+
		" FROM raw_records WHERE connection_id = ? AND endpoint = ? ORDER BY record_id"), connID, endpoint)
	if err != nil {
		return fmt.Errorf("store: raw records %s of connection %d: %w", endpoint, connID, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRaw(rows)
		if err != nil {
			return fmt.Errorf("store: raw records %s of connection %d: %w", endpoint, connID, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: raw records %s of connection %d: %w", endpoint, connID, err)
	}
	return nil
}

// RawRecord returns one stored record.
func (s *Store) RawRecord(ctx context.Context, connID int64, endpoint, id string) (RawRecord, error) {
	r, err := scanRaw(s.db.QueryRowContext(ctx, s.q("SELECT "+rawColumns+
		" FROM raw_records WHERE connection_id = ? AND endpoint = ? AND record_id = ?"), connID, endpoint, id))
	if errors.Is(err, sql.ErrNoRows) {
		return RawRecord{}, fmt.Errorf("store: raw record %s/%s of connection %d: %w", endpoint, id, connID, ErrNotFound)
	}
	if err != nil {
		return RawRecord{}, fmt.Errorf("store: raw record %s/%s of connection %d: %w", endpoint, id, connID, err)
	}
	return r, nil
}

// RawCount is how many records the endpoint has, in any status.
func (s *Store) RawCount(ctx context.Context, connID int64, endpoint string) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM raw_records WHERE connection_id = ? AND endpoint = ?"),
		connID, endpoint).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count raw records %s of connection %d: %w", endpoint, connID, err)
	}
	return n, nil
}

// Endpoints lists the endpoints of a connection that have raw records.
func (s *Store) Endpoints(ctx context.Context, connID int64) ([]string, error) {
	out, err := s.names(ctx, s.db, s.q("SELECT DISTINCT endpoint FROM raw_records WHERE connection_id = ? ORDER BY endpoint"), connID)
	if err != nil {
		return nil, fmt.Errorf("store: endpoints of connection %d: %w", connID, err)
	}
	return out, nil
}
