package hubspot

import (
	"encoding/json"
	"fmt"

	"github.com/datapull/datapull/internal/provider"
)

// Cursors are JSON with a version, so a later release can read what this
// one saved; a version it does not know is an error, never a silent full
// pull or, worse, a skip (X9).
const cursorVersion = 1

// Phases of one type's read.
const (
	phaseLive     = "live"     // list, live records
	phaseArchived = "archived" // list, archived=true
	phaseSearch   = "search"   // search window, then batch read
	phaseDone     = "done"     // finished in this read
)

// objCursor is the cursor of an object or association endpoint: one entry
// per type it reads (one, or a portal's custom objects).
//
//	{"v":1,"mode":"incremental","types":{"contacts":{"since":1751284800000,"archivedScan":…,
//	 "phase":"search","from":…,"until":…,"lastId":"4021"}}}
//
// Between reads every type's phase is empty and since is where the next
// window starts (before the lookback). During a read, phase and its
// position (after for lists, lastId inside a search window) say where a
// killed pull resumes: at the page after the last one committed.
type objCursor struct {
	V     int                    `json:"v"`
	Mode  provider.Mode          `json:"mode,omitempty"`
	Types map[string]*typeCursor `json:"types"`
}

type typeCursor struct {
	Since        int64  `json:"since,omitempty"`        // ms
	ArchivedScan int64  `json:"archivedScan,omitempty"` // ms: when archived records were last scanned in full
	Phase        string `json:"phase,omitempty"`
	After        string `json:"after,omitempty"`
	From         int64  `json:"from,omitempty"`
	Until        int64  `json:"until,omitempty"`
	LastID       int64  `json:"lastId,string,omitempty"`
	Scan         bool   `json:"scan,omitempty"` // this incremental read scans archived records too
	Total        int64  `json:"total,omitempty"`
}

func decodeCursor(raw provider.Cursor) (*objCursor, error) {
	c := &objCursor{V: cursorVersion, Types: map[string]*typeCursor{}}
	if len(raw) == 0 || string(raw) == "null" {
		return c, nil
	}
	var v struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("read cursor: %w", err)
	}
	if v.V != cursorVersion {
		return nil, fmt.Errorf("read cursor: version %d is not one this release knows (%d)", v.V, cursorVersion)
	}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("read cursor: %w", err)
	}
	if c.Types == nil {
		c.Types = map[string]*typeCursor{}
	}
	return c, nil
}

// inProgress reports whether c is a read that has not finished.
func (c *objCursor) inProgress() bool {
	for _, t := range c.Types {
		if t.Phase != "" {
			return true
		}
	}
	return false
}

func (c *objCursor) encode() provider.Cursor {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a struct of plain fields always encodes
	}
	return b
}
