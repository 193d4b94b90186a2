package hubspot

// The search index. HubSpot's search is eventually consistent: "it may take
// a few moments for newly created or updated CRM objects to appear in
// search results" (hubspot-api.md §3.4). The sandbox keeps, per record, the
// version search sees (Record.Indexed) apart from the live one, and a queue
// of versions waiting to be indexed, each due SearchLag after its change.
// Search drains what is due before it runs, so with a frozen clock nothing
// becomes searchable until the admin API moves the clock.

// pendingIndex is a version waiting to reach search.
type pendingIndex struct {
	at  int64 // provider ms when search sees it
	rec *Record
	v   *Version
}

// publish queues rec's live version for search, visible lagMs from now (at
// once when lagMs is 0). The caller holds the portal's write lock.
func (t *ObjectType) publish(rec *Record, now, lagMs int64) {
	if lagMs <= 0 {
		rec.Indexed = rec.Live
		t.searchEpoch++
		return
	}
	t.pending = append(t.pending, pendingIndex{at: now + lagMs, rec: rec, v: rec.Live})
}

// due reports whether a queued version has reached search by now. The
// caller holds the portal's lock, for reading at least.
func (t *ObjectType) due(now int64) bool {
	return len(t.pending) > 0 && t.pending[0].at <= now
}

// drain indexes every version due by now, in the order the changes were
// made. The caller holds the portal's write lock.
func (t *ObjectType) drain(now int64) {
	i := 0
	for i < len(t.pending) && t.pending[i].at <= now {
		e := t.pending[i]
		e.rec.Indexed = e.v
		i++
	}
	if i == 0 {
		return
	}
	t.searchEpoch++
	rest := copy(t.pending, t.pending[i:])
	clear(t.pending[rest:])
	t.pending = t.pending[:rest]
}

// flush indexes everything at once (the admin API's way to end the lag).
func (t *ObjectType) flush() {
	for _, e := range t.pending {
		e.rec.Indexed = e.v
	}
	if len(t.pending) > 0 {
		t.searchEpoch++
	}
	clear(t.pending)
	t.pending = t.pending[:0]
}
