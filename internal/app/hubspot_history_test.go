package app

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"

	hsandbox "github.com/datapull/datapull/internal/sandbox/hubspot"
)

// histItem is one value of a property's history, as the API and the
// truth write it.
type histItem struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
}

// dealStageTruth is the truth's dealstage history per deal id.
func (e *hsEnv) dealStageTruth() map[string][]histItem {
	e.t.Helper()
	out := map[string][]histItem{}
	for _, d := range e.truth("history/deals") {
		if d["property"] != "dealstage" {
			continue
		}
		b, _ := json.Marshal(d["history"])
		var h []histItem
		if err := json.Unmarshal(b, &h); err != nil {
			e.t.Fatalf("truth history of deal %v: %v", d["id"], err)
		}
		out[d["id"].(string)] = h
	}
	return out
}

// storedDealStages is deal_stage_history's stored records that are not
// deleted, by id.
func (e *hsEnv) storedDealStages() map[string][]histItem {
	e.t.Helper()
	out := map[string][]histItem{}
	for id, r := range e.stored("deal_stage_history") {
		if r.Status == provider.StatusDeleted {
			continue
		}
		var doc struct {
			ID       string     `json:"id"`
			Property string     `json:"property"`
			History  []histItem `json:"history"`
		}
		if err := json.Unmarshal(r.Payload, &doc); err != nil {
			e.t.Fatalf("stored history %s: %v", id, err)
		}
		if doc.ID != id || doc.Property != "dealstage" {
			e.t.Errorf("stored history %s: id %q property %q", id, doc.ID, doc.Property)
		}
		out[id] = doc.History
	}
	return out
}

// compareDealStages returns how the stored stage histories differ from
// the truth's; timestamps are compared as instants.
func compareDealStages(got, want map[string][]histItem) []string {
	var diffs []string
	same := func(a, b histItem) bool {
		ta, errA := time.Parse(time.RFC3339Nano, a.Timestamp)
		tb, errB := time.Parse(time.RFC3339Nano, b.Timestamp)
		return a.Value == b.Value && a.SourceType == b.SourceType && errA == nil && errB == nil && ta.Equal(tb)
	}
	for id, w := range want {
		g, ok := got[id]
		switch {
		case !ok:
			diffs = append(diffs, "missing deal "+id)
		case len(g) != len(w):
			diffs = append(diffs, fmt.Sprintf("deal %s: %d history items, want %d", id, len(g), len(w)))
		default:
			for i := range w {
				if !same(g[i], w[i]) {
					diffs = append(diffs, fmt.Sprintf("deal %s item %d: %+v, want %+v", id, i, g[i], w[i]))
					break
				}
			}
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			diffs = append(diffs, "extra deal "+id)
		}
	}
	return diffs
}

// requireDealStages holds the store to the truth (compareTruth includes
// the stage histories), first making sure there is history to compare.
func (e *hsEnv) requireDealStages(when string) {
	e.t.Helper()
	if len(e.dealStageTruth()) == 0 {
		e.t.Fatalf("%s: the truth has no dealstage history", when)
	}
	e.requireTruth(when)
}

// TestHubSpotDealStageHistory: a first pull stores every deal's dealstage
// history equal to the truth (listed 50 a page at most, live and
// archived deals); a stage change is then picked up by a standard sync,
// read incrementally, and the new history is stored.
func TestHubSpotDealStageHistory(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	p := e.pull(store.PullStandard)
	if p.Status != store.PullCompleted {
		t.Fatalf("first pull %s: %s", p.Status, p.Error)
	}
	if r, ok := e.results(p)["deal_stage_history"]; !ok {
		t.Fatal("no result for deal_stage_history")
	} else {
		if r.Mode != provider.Full {
			t.Errorf("first read %s, want full", r.Mode)
		}
		if n := int64(len(e.ids("deals", false))); r.ProviderTotal != n {
			t.Errorf("provider total %d, want the live deals' count %d", r.ProviderTotal, n)
		}
	}
	for _, n := range e.notes(p) {
		if n.Endpoint == "deal_stage_history" {
			t.Errorf("note on the first pull: %s: %s", n.Code, n.Message)
		}
	}
	e.requireDealStages("after the first pull")
	deals := len(e.ids("deals", false)) + len(e.ids("deals", true))
	if got := len(e.storedDealStages()); got != deals {
		t.Errorf("%d deals with a stored history, want one per deal (%d)", got, deals)
	}

	// Move a deal with a stage history back to its first stage.
	var id, stage string
	var before int
	for did, h := range e.dealStageTruth() {
		if len(h) >= 2 && h[0].Value != h[len(h)-1].Value && (id == "" || did < id) {
			id, stage, before = did, h[len(h)-1].Value, len(h)
		}
	}
	if id == "" {
		t.Fatal("no deal has moved between stages in the sandbox")
	}
	e.advance(10 * time.Minute)
	e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpUpdate, Type: "deals", ID: id, Properties: map[string]string{"dealstage": stage}})
	e.advance(time.Minute)
	p = e.pull(store.PullStandard)
	if p.Status != store.PullCompleted {
		t.Fatalf("sync %s: %s", p.Status, p.Error)
	}
	if r := e.results(p)["deal_stage_history"]; r.Mode != provider.Incremental {
		t.Errorf("sync read %s, want incremental", r.Mode)
	}
	got := e.storedDealStages()[id]
	if len(got) != before+1 || got[0].Value != stage {
		t.Errorf("deal %s after the sync: %+v, want %d items, newest %q", id, got, before+1, stage)
	}
	e.requireDealStages("after the stage change")
}
