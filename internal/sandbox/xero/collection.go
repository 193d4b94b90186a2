package xero

import (
	"sort"
)

// Record is what every entity kept in a Collection provides.
type Record interface {
	// RecordID is the value of the entity's id field (InvoiceID, TaxType, Code, ...).
	RecordID() string
	// ChangeTime is the entity's change-tracking instant in Unix milliseconds:
	// UpdatedDateUTC, or CreatedDateUTC where the entity has no UpdatedDateUTC
	// (BankTransfers, Journals). If-Modified-Since filters on it.
	ChangeTime() int64
}

// Collection holds one endpoint's records of one organisation, kept in the
// order Xero lists them by default: change time ascending, then id. Keeping
// that order at all times makes If-Modified-Since a binary search and paging
// a slice, whatever the size of the organisation.
//
// A Collection is not safe for concurrent use; the Org's lock guards it.
type Collection[T Record] struct {
	items []T
	byID  map[string]T
}

// NewCollection returns an empty collection.
func NewCollection[T Record]() *Collection[T] {
	return &Collection[T]{byID: make(map[string]T)}
}

// Len reports the number of records.
func (c *Collection[T]) Len() int { return len(c.items) }

// Get returns the record with the given id.
func (c *Collection[T]) Get(id string) (T, bool) {
	r, ok := c.byID[id]
	return r, ok
}

// All returns the records in default order. The slice is shared: callers
// must not modify it and must not keep it past the Org's lock.
func (c *Collection[T]) All() []T { return c.items }

// Put inserts r, or replaces the record with the same id, and files it at
// its change time. Records are usually put with the newest change time, so
// this is an append in the common case.
func (c *Collection[T]) Put(r T) {
	id := r.RecordID()
	if old, ok := c.byID[id]; ok {
		c.removeAt(id, old.ChangeTime())
	}
	c.insert(r)
}

// Update applies edit to the record with the given id and refiles it at its
// new change time. Edits must go through Update (or Put) so that the order
// If-Modified-Since and paging rely on stays true.
func (c *Collection[T]) Update(id string, edit func(T)) bool {
	r, ok := c.byID[id]
	if !ok {
		return false
	}
	// Find the record's place before editing: once its change time moves,
	// the slice is no longer sorted around it and a search could miss it.
	i := c.searchAfter(r.ChangeTime(), id) - 1
	before := r.ChangeTime()
	edit(r)
	if r.ChangeTime() != before {
		c.items = append(c.items[:i], c.items[i+1:]...)
		c.insert(r)
	}
	return true
}

// Delete removes the record with the given id, as a hard delete does.
func (c *Collection[T]) Delete(id string) bool {
	r, ok := c.byID[id]
	if !ok {
		return false
	}
	c.removeAt(id, r.ChangeTime())
	delete(c.byID, id)
	return true
}

func (c *Collection[T]) insert(r T) {
	id := r.RecordID()
	c.byID[id] = r
	i := c.searchAfter(r.ChangeTime(), id)
	c.items = append(c.items, r)
	if i < len(c.items)-1 {
		copy(c.items[i+1:], c.items[i:])
		c.items[i] = r
	}
}

// removeAt takes the record filed at (ms, id) out of the ordered items.
func (c *Collection[T]) removeAt(id string, ms int64) {
	i := c.searchAfter(ms, id) - 1
	if i >= 0 && c.items[i].RecordID() == id {
		c.items = append(c.items[:i], c.items[i+1:]...)
		return
	}
	panic("xero: collection order broken: record " + id + " edited without Update")
}

// searchAfter returns the index of the first record ordered after
// (ms, id): a greater change time, or an equal one with a greater id.
func (c *Collection[T]) searchAfter(ms int64, id string) int {
	return sort.Search(len(c.items), func(i int) bool {
		t := c.items[i].ChangeTime()
		if t != ms {
			return t > ms
		}
		return c.items[i].RecordID() > id
	})
}

// Since returns the records whose change time is at or after ms, in default
// order. If-Modified-Since is inclusive at Xero's one-second precision, so
// callers pass the start of the requested second.
func (c *Collection[T]) Since(ms int64) []T {
	i := sort.Search(len(c.items), func(i int) bool { return c.items[i].ChangeTime() >= ms })
	return c.items[i:]
}

// Load replaces the collection's contents with items, sorting them once
// into default order. The generator uses it: Put is cheap only when records
// arrive in change-time order.
func (c *Collection[T]) Load(items []T) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.ChangeTime() != b.ChangeTime() {
			return a.ChangeTime() < b.ChangeTime()
		}
		return a.RecordID() < b.RecordID()
	})
	c.items = items
	c.byID = make(map[string]T, len(items))
	for _, r := range items {
		c.byID[r.RecordID()] = r
	}
}
