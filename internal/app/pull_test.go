package app

import (
	"testing"

	"github.com/datapull/datapull/internal/store"
	"github.com/datapull/datapull/internal/testdb"
)

// TestFullPullEqualsTruth: after a full pull of a medium organisation,
// every endpoint's raw records equal the sandbox's ground truth, on both
// databases; a second, standard sync changes nothing.
func TestFullPullEqualsTruth(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, dsn string) {
		size := "medium"
		if testing.Short() {
			size = "demo"
		}
		e := newEnv(t, envOptions{dsn: dsn, size: size})
		p := e.pull(0, store.PullFull)
		if p.Status != store.PullCompleted {
			t.Fatalf("pull %s: %s; notes %+v", p.Status, p.Error, e.notes(p))
		}
		for _, d := range e.compareTruth(0) {
			t.Error(d)
		}
		t.Logf("full pull: %d records, %d calls, %d bytes", p.Records, p.Calls, p.Bytes)

		again := e.pull(0, store.PullStandard)
		if again.Status != store.PullCompleted {
			t.Fatalf("standard sync %s: %s", again.Status, again.Error)
		}
		for name, r := range e.results(again) {
			if r.Inserted != 0 || r.Updated != 0 || r.Deleted != 0 {
				t.Errorf("%s: no-change sync inserted %d, updated %d, deleted %d", name, r.Inserted, r.Updated, r.Deleted)
			}
		}
		for _, d := range e.compareTruth(0) {
			t.Error(d)
		}
	})
}
