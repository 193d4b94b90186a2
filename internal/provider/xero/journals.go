package xero

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// journalsPerCall is the most journals one GET /Journals returns; there is
// no pageSize.
const journalsPerCall = 100

// journalsCursor is Journals' cursor, {"v":1,"offset":N}: the largest
// JournalNumber stored. Full is set on the pages of a full re-read in
// progress, so a Full pull that is killed resumes where it stopped rather
// than at zero.
type journalsCursor struct {
	V      int   `json:"v"`
	Offset int64 `json:"offset"`
	Full   bool  `json:"full,omitempty"`
}

// journalsEndpoint reads GET /Journals?offset=N: the journals numbered
// above N, oldest first, at most 100 a call. Journals are an append-only
// ledger, so the offset alone is the incremental position. They are
// optional: tier-gated since 2026 and missing from granular custom
// connections, so a refusal is a note (NotAvailableError), never an empty
// table (X24).
type journalsEndpoint struct{ c *conn }

// Info describes Journals.
func (j *journalsEndpoint) Info() provider.EndpointInfo {
	return provider.EndpointInfo{Name: "journals", Incremental: true,
		IncrementalHow: "offset by JournalNumber (journals never change)", Optional: true}
}

// Pull reads journals after the cursor's offset (from 0 in Full mode,
// unless continuing a full read), one call per page, each page's cursor
// the largest JournalNumber it held. It stops when a call returns fewer
// than 100 (X18).
func (j *journalsEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	var cur journalsCursor
	if err := decodeCursor(req.Cursor, &cur); err != nil {
		return fmt.Errorf("xero: journals: %w", err)
	}
	offset, full := cur.Offset, cur.Full
	if req.Mode == provider.Full && !cur.Full {
		offset, full = 0, true
	}
	e := entity{name: "journals", path: "Journals", idField: "JournalID", timeField: "CreatedDateUTC"}
	for {
		list, err := j.c.list(ctx, "journals", "Journals", "Journals", url.Values{"offset": {strconv.FormatInt(offset, 10)}}, time.Time{})
		if err != nil {
			return fmt.Errorf("xero: list journals from offset %d: %w", offset, err)
		}
		items, err := e.items(list.Records)
		if err != nil {
			return fmt.Errorf("xero: list journals from offset %d: %w", offset, err)
		}
		last := len(items) < journalsPerCall
		top := offset
		for _, it := range items {
			top = max(top, it.meta.JournalNumber)
		}
		if !last && top <= offset {
			// A full page that does not move the offset would be asked
			// for again forever (the offset loop of X18 and X22).
			return fmt.Errorf("xero: list journals from offset %d: JournalNumber did not rise past the offset", offset)
		}
		offset = top
		next := journalsCursor{V: cursorVersion, Offset: offset, Full: full && !last}
		if err := emit(ctx, provider.Page{Records: records(items), Cursor: encodeCursor(next), Done: last, Total: -1}); err != nil {
			return fmt.Errorf("xero: journals: %w", err)
		}
		if last {
			return nil
		}
	}
}
