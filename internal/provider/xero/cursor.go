package xero

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// Cursors are JSON with a version, so a later release can read what this
// one saved; a version it does not know is an error, never a silent full
// pull or, worse, a skip (X9).
const cursorVersion = 1

// listCursor is the cursor of a list endpoint:
//
//	{"v":1,"since":"2026-06-30T12:00:00Z","page":3,"maxSeen":"…"}
//
// While a pull is in progress, page is the next page to read (at least 1)
// and since stays the If-Modified-Since the read began with, so a killed
// pull resumes at that page. Once the endpoint is done, page is 0 and since
// is where the next pull starts. ManualJournals add at and skip, their
// position inside an advancing If-Modified-Since (see scanAdvance).
type listCursor struct {
	V       int      `json:"v"`
	Since   string   `json:"since"`
	Page    int      `json:"page"`
	MaxSeen string   `json:"maxSeen,omitempty"`
	At      string   `json:"at,omitempty"`
	Skip    []string `json:"skip,omitempty"`
}

// decodeCursor reads a saved cursor into c; a nil or empty cursor (a
// first pull) leaves c as it is.
func decodeCursor(raw provider.Cursor, c any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var v struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("read cursor: %w", err)
	}
	if v.V != cursorVersion {
		return fmt.Errorf("read cursor: version %d is not one this release knows (%d)", v.V, cursorVersion)
	}
	if err := json.Unmarshal(raw, c); err != nil {
		return fmt.Errorf("read cursor: %w", err)
	}
	return nil
}

func encodeCursor(c any) provider.Cursor {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // only our own cursor structs get here
	}
	return b
}

// resume decides where a pull in mode starts from c: the position,
// including the newest change time already seen by the pages before it.
//
// An in-progress cursor (page > 0) is continued so no page is read twice;
// a Full pull continues one only if it was itself a full read (empty
// since), since the pages of an incremental read are a different listing.
// A Full pull otherwise starts at page 1 without If-Modified-Since.
func (c listCursor) resume(mode provider.Mode) (position, error) {
	since, err := parseCursorTime(c.Since)
	if err != nil {
		return position{}, err
	}
	inProgress := c.Page > 0
	switch {
	case mode == provider.Full && !(inProgress && since.IsZero()):
		return position{page: 1}, nil
	case !inProgress:
		return position{since: since, page: 1}, nil
	}
	at, err := parseCursorTime(c.At)
	if err != nil {
		return position{}, err
	}
	maxSeen, err := parseCursorTime(c.MaxSeen)
	if err != nil {
		return position{}, err
	}
	return position{since: since, page: c.Page, at: at, skip: c.Skip, maxSeen: maxSeen}, nil
}

// progressCursor is the cursor saved with a page that is not the last.
func progressCursor(next position) listCursor {
	return listCursor{V: cursorVersion, Since: formatCursorTime(next.since), Page: next.page,
		MaxSeen: formatCursorTime(next.maxSeen), At: formatCursorTime(next.at), Skip: next.skip}
}

// doneCursor is the cursor saved with an endpoint's last page.
func doneCursor(since time.Time) listCursor {
	return listCursor{V: cursorVersion, Since: formatCursorTime(since)}
}

// nextSince is where the next incremental read starts: the newest change
// time seen, but never past the pull's start (X6: a record changed while
// the pull ran is read again next time), truncated to the second because
// If-Modified-Since is second-precise and inclusive, so the boundary
// record is re-read (and upserted) rather than missed (X7).
//
// When nothing was seen the previous position stands. Moving it to the
// pull's start instead would trust our clock against Xero's: a record
// Xero stamps a few seconds "before" our start, because the clocks
// differ, would then be skipped. Change times come from Xero's clock.
func nextSince(prev, maxSeen, start time.Time) time.Time {
	if maxSeen.IsZero() {
		return prev
	}
	s := maxSeen
	if !start.IsZero() && start.Before(s) {
		s = start
	}
	return s.UTC().Truncate(time.Second)
}

func parseCursorTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("read cursor: time %q: %w", s, err)
	}
	return t.UTC(), nil
}

func formatCursorTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
