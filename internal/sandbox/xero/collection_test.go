package xero

import (
	"fmt"
	"testing"
)

type testRec struct {
	id string
	ms int64
}

func (r *testRec) RecordID() string  { return r.id }
func (r *testRec) ChangeTime() int64 { return r.ms }

// TestCollectionUpdateKeepsOrder edits records anywhere in the order and
// checks the collection stays sorted and complete.
func TestCollectionUpdateKeepsOrder(t *testing.T) {
	c := NewCollection[*testRec]()
	var items []*testRec
	for i := 0; i < 300; i++ {
		items = append(items, &testRec{id: fmt.Sprintf("r%03d", i), ms: int64(i / 3)})
	}
	c.Load(items)
	for k, i := range []int{100, 0, 299, 150, 7, 100} {
		id := fmt.Sprintf("r%03d", i)
		if !c.Update(id, func(r *testRec) { r.ms = int64(1000 + k) }) {
			t.Fatalf("update %s: not found", id)
		}
	}
	all := c.All()
	if len(all) != 300 {
		t.Fatalf("%d records after updates, want 300", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.ms > b.ms || a.ms == b.ms && a.id >= b.id {
			t.Fatalf("out of order at %d: %v then %v", i, a, b)
		}
	}
	if got := c.Since(1000); len(got) != 5 {
		t.Errorf("Since(1000) = %d records, want 5", len(got))
	}
}
