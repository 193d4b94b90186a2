package pull

import (
	"encoding/json"
	"fmt"

	"github.com/datapull/datapull/internal/provider"
)

// stateVersion versions the engine's checkpoint wrapper, like the
// connectors version their cursors (X9): an unknown version is an error,
// never a silent full pull.
const stateVersion = 1

// state is what the engine saves as an endpoint's checkpoint: the
// connector's cursor and enough about the read in progress to resume it.
//
//	{"v":1,"pull":12,"mode":"full","from":11,"done":false,"cursor":{…},"base":{…},"counts":{…}}
type state struct {
	V    int           `json:"v"`
	Pull int64         `json:"pull"` // the pull that committed the last page
	Mode provider.Mode `json:"mode"` // the mode of the read
	// From is the pull that began the read. A full read resumed by a later
	// pull spares the records From saw when it marks the unseen ones.
	From int64 `json:"from"`
	Done bool  `json:"done"` // the read's last page is committed
	// Cursor is the connector's position after the last committed page.
	Cursor provider.Cursor `json:"cursor,omitempty"`
	// Base is the cursor the last finished read ended with: where a new
	// incremental read starts when an unfinished one is abandoned.
	Base provider.Cursor `json:"base,omitempty"`
	// Counts are the read's figures so far, so a resumed read reports
	// all of its work, not only the part after the restart.
	Counts Counts `json:"counts"`
}

// Counts are what a read of one endpoint did.
type Counts struct {
	Pages     int64 `json:"pages"`
	Fetched   int64 `json:"fetched"`
	Inserted  int64 `json:"inserted"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Deleted   int64 `json:"deleted"` // marked deleted because a full read did not see them
	Calls     int64 `json:"calls"`
	Bytes     int64 `json:"bytes"`
}

func (c *Counts) add(o Counts) {
	c.Pages += o.Pages
	c.Fetched += o.Fetched
	c.Inserted += o.Inserted
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.Deleted += o.Deleted
	c.Calls += o.Calls
	c.Bytes += o.Bytes
}

// decodeState reads a saved checkpoint; nil or empty is the zero state of
// an endpoint never pulled.
func decodeState(raw provider.Cursor) (state, error) {
	var s state
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return state{}, fmt.Errorf("read checkpoint: %w", err)
	}
	if s.V != stateVersion {
		return state{}, fmt.Errorf("read checkpoint: version %d is not one this release knows (%d)", s.V, stateVersion)
	}
	return s, nil
}

func (s state) encode() provider.Cursor {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a struct of plain fields and raw JSON always encodes
	}
	return b
}
