package pull

import (
	"fmt"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// step is one endpoint's part of a pull, as planned.
type step struct {
	ep     provider.Endpoint
	info   provider.EndpointInfo
	saved  provider.Cursor // the checkpoint as it was, for the result
	prev   state
	skip   bool // the pull already finished this endpoint (a resumed pull)
	mode   provider.Mode
	why    string
	cursor provider.Cursor // what the connector is given
	from   int64           // the pull that began the read
	counts Counts          // the read's figures before this run
}

// plan decides how pull p reads one endpoint, from its checkpoint cp.
//
// An unfinished read (a killed or stopped pull) is continued from its last
// committed page, in its own mode, unless the pull wants a full read and
// the unfinished one is incremental: then the full read starts over, since
// only a full read can tell deletes. Otherwise the endpoint is read in
// full on its first pull, on "re-pull all data", when it has no
// incremental read at all, and when its periodic sweep is due; else
// incrementally from the last finished read's cursor.
func plan(p store.Pull, ep provider.Endpoint, cp store.Checkpoint) (step, error) {
	s := step{ep: ep, info: ep.Info(), saved: cp.Cursor, from: p.ID}
	prev, err := decodeState(cp.Cursor)
	if err != nil {
		return step{}, fmt.Errorf("%s: %w", s.info.Name, err)
	}
	s.prev = prev
	if prev.Pull == p.ID && prev.Done {
		s.skip = true
		return s, nil
	}
	s.mode, s.why = wantMode(p, s.info, prev, cp)
	unfinished := prev.Pull != 0 && !prev.Done
	if unfinished && (prev.Mode == s.mode || prev.Mode == provider.Full) {
		s.mode, s.cursor, s.from = prev.Mode, prev.Cursor, prev.From
		s.why = fmt.Sprintf("continuing the %s read pull %d began", prev.Mode, prev.From)
		if prev.Pull == p.ID {
			s.counts = prev.Counts
		}
		return s, nil
	}
	if s.mode == provider.Incremental {
		s.cursor = prev.Base
	}
	return s, nil
}

// wantMode is the mode a fresh read of the endpoint would use, and why.
func wantMode(p store.Pull, info provider.EndpointInfo, prev state, cp store.Checkpoint) (provider.Mode, string) {
	switch {
	case p.Mode == store.PullFull:
		return provider.Full, "re-pull all data"
	case !info.Incremental:
		return provider.Full, "read in full every sync (no incremental read)"
	case len(prev.Base) == 0:
		return provider.Full, "first pull"
	case info.SweepEvery > 0 && (cp.LastFullAt.IsZero() || p.StartedAt.Sub(cp.LastFullAt) >= info.SweepEvery):
		return provider.Full, fmt.Sprintf("periodic full sweep (every %s) for deletes and edits incremental reads cannot see", humanDuration(info.SweepEvery))
	}
	return provider.Incremental, "changes since the last sync"
}
