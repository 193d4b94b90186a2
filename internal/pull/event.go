package pull

import (
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// EventKind says what an Event reports.
type EventKind string

// Event kinds, in the order a pull sends them.
const (
	PullStarted     EventKind = "pull_started"     // Pull, Resumed, Endpoints
	EndpointStarted EventKind = "endpoint_started" // Endpoint, Mode, Why
	PageStored      EventKind = "page_stored"      // Endpoint, Counts, Total
	EndpointDone    EventKind = "endpoint_done"    // Result
	NoteAdded       EventKind = "note"             // Note
	PullFinished    EventKind = "pull_finished"    // Pull
)

// Event is one step of a pull, for progress displays and the sync page.
// Counts are the current endpoint's figures so far; Totals the pull's.
type Event struct {
	Kind      EventKind             `json:"kind"`
	At        time.Time             `json:"at"`
	Pull      store.Pull            `json:"pull"`
	Resumed   bool                  `json:"resumed,omitempty"`
	Index     int                   `json:"index,omitempty"` // 1-based position of Endpoint
	Endpoints int                   `json:"endpoints"`       // how many the pull has
	Endpoint  string                `json:"endpoint,omitempty"`
	Mode      provider.Mode         `json:"mode,omitempty"`
	Why       string                `json:"why,omitempty"` // why this mode, in plain words
	Counts    Counts                `json:"counts"`
	Totals    Counts                `json:"totals"`
	Total     int64                 `json:"total"` // the provider's own count, -1 unknown
	Result    *store.EndpointResult `json:"result,omitempty"`
	Note      *store.Note           `json:"note,omitempty"`
}
