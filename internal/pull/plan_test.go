package pull

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// planEndpoint is an endpoint that is only planned, never pulled.
type planEndpoint struct{ info provider.EndpointInfo }

func (e planEndpoint) Info() provider.EndpointInfo { return e.info }

func (e planEndpoint) Pull(context.Context, provider.PullRequest, provider.Emit) error {
	panic("plan tests never pull")
}

var (
	planStart     = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	planListed    = planEndpoint{provider.EndpointInfo{Name: "invoices", Incremental: true, SweepEvery: 7 * 24 * time.Hour}}
	planReference = planEndpoint{provider.EndpointInfo{Name: "currencies"}}
	planNoSweep   = planEndpoint{provider.EndpointInfo{Name: "payments", Incremental: true}}
)

// planCheckpoint is a saved checkpoint holding st, last read in full at lastFull.
func planCheckpoint(st state, lastFull time.Time) store.Checkpoint {
	return store.Checkpoint{Endpoint: "invoices", Cursor: st.encode(), LastFullAt: lastFull}
}

func TestPlan(t *testing.T) {
	base := json.RawMessage(`{"v":1,"since":"2026-06-30T12:00:00Z"}`)
	mid := json.RawMessage(`{"v":1,"page":3}`)
	counts := Counts{Pages: 3, Fetched: 2500, Inserted: 2400, Updated: 100, Calls: 3, Bytes: 9000}
	standard := store.Pull{ID: 12, Mode: store.PullStandard, StartedAt: planStart}
	full := store.Pull{ID: 12, Mode: store.PullFull, StartedAt: planStart}
	recently := planStart.Add(-24 * time.Hour)
	finished := state{V: stateVersion, Pull: 11, Mode: provider.Incremental, From: 11, Done: true, Cursor: base, Base: base}

	tests := []struct {
		name   string
		p      store.Pull
		ep     provider.Endpoint
		cp     store.Checkpoint
		skip   bool
		mode   provider.Mode
		cursor provider.Cursor
		from   int64
		counts Counts
		why    string // a word the reason must contain
	}{
		{name: "first pull is full", p: standard, ep: planListed, cp: store.Checkpoint{},
			mode: provider.Full, from: 12, why: "first pull"},
		{name: "re-pull all data is full", p: full, ep: planListed, cp: planCheckpoint(finished, recently),
			mode: provider.Full, from: 12, why: "re-pull"},
		{name: "planReference endpoint is full every sync", p: standard, ep: planReference,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 11, Mode: provider.Full, From: 11, Done: true, Cursor: base, Base: base}, recently),
			mode: provider.Full, from: 12, why: "every sync"},
		{name: "incremental from the last finished read", p: standard, ep: planListed, cp: planCheckpoint(finished, recently),
			mode: provider.Incremental, cursor: base, from: 12, why: "changes since"},
		{name: "sweep due", p: standard, ep: planListed, cp: planCheckpoint(finished, planStart.Add(-7*24*time.Hour)),
			mode: provider.Full, from: 12, why: "sweep"},
		{name: "sweep due when never read in full", p: standard, ep: planListed, cp: planCheckpoint(finished, time.Time{}),
			mode: provider.Full, from: 12, why: "sweep"},
		{name: "no sweep interval never sweeps", p: standard, ep: planNoSweep, cp: planCheckpoint(finished, planStart.Add(-365*24*time.Hour)),
			mode: provider.Incremental, cursor: base, from: 12, why: "changes since"},
		{name: "endpoint this pull finished is skipped", p: standard, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 12, Mode: provider.Incremental, From: 12, Done: true, Cursor: base, Base: base, Counts: counts}, recently),
			skip: true},
		{name: "unfinished read of this pull continues with its counts", p: standard, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 12, Mode: provider.Incremental, From: 12, Cursor: mid, Base: base, Counts: counts}, recently),
			mode: provider.Incremental, cursor: mid, from: 12, counts: counts, why: "continuing"},
		{name: "unfinished full read of this pull continues with its counts", p: full, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 12, Mode: provider.Full, From: 12, Cursor: mid, Base: base, Counts: counts}, recently),
			mode: provider.Full, cursor: mid, from: 12, counts: counts, why: "continuing"},
		{name: "unfinished full read of an earlier pull continues under a standard pull, From kept", p: standard, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 10, Mode: provider.Full, From: 9, Cursor: mid, Base: base, Counts: counts}, recently),
			mode: provider.Full, cursor: mid, from: 9, why: "pull 9"},
		{name: "unfinished first read of an earlier pull continues", p: standard, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 10, Mode: provider.Full, From: 10, Cursor: mid, Counts: counts}, time.Time{}),
			mode: provider.Full, cursor: mid, from: 10, why: "continuing"},
		{name: "unfinished incremental read of an earlier pull continues under a standard pull", p: standard, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 10, Mode: provider.Incremental, From: 10, Cursor: mid, Base: base, Counts: counts}, recently),
			mode: provider.Incremental, cursor: mid, from: 10, why: "continuing"},
		{name: "unfinished incremental read abandoned when a full is wanted", p: full, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 12, Mode: provider.Incremental, From: 12, Cursor: mid, Base: base, Counts: counts}, recently),
			mode: provider.Full, from: 12, why: "re-pull"},
		{name: "unfinished incremental read abandoned when the sweep is due", p: standard, ep: planListed,
			cp:   planCheckpoint(state{V: stateVersion, Pull: 10, Mode: provider.Incremental, From: 10, Cursor: mid, Base: base, Counts: counts}, planStart.Add(-8*24*time.Hour)),
			mode: provider.Full, from: 12, why: "sweep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := plan(tt.p, tt.ep, tt.cp)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if s.skip != tt.skip {
				t.Fatalf("skip = %v, want %v", s.skip, tt.skip)
			}
			if string(s.saved) != string(tt.cp.Cursor) {
				t.Errorf("saved = %s, want the checkpoint as it was (%s)", s.saved, tt.cp.Cursor)
			}
			if tt.skip {
				return
			}
			if s.mode != tt.mode {
				t.Errorf("mode = %s, want %s (why %q)", s.mode, tt.mode, s.why)
			}
			if string(s.cursor) != string(tt.cursor) {
				t.Errorf("cursor = %s, want %s", s.cursor, tt.cursor)
			}
			if s.from != tt.from {
				t.Errorf("from = %d, want %d", s.from, tt.from)
			}
			if s.counts != tt.counts {
				t.Errorf("counts = %+v, want %+v", s.counts, tt.counts)
			}
			if !strings.Contains(s.why, tt.why) {
				t.Errorf("why = %q, want it to say %q", s.why, tt.why)
			}
		})
	}
}

// TestPlanRefusesUnknownState: a checkpoint this release cannot read is
// an error naming the endpoint, never a silent full pull (X9).
func TestPlanRefusesUnknownState(t *testing.T) {
	p := store.Pull{ID: 3, Mode: store.PullStandard, StartedAt: planStart}
	for _, raw := range []string{`{"v":2,"pull":1,"mode":"full","done":true}`, `{"v":0}`, `{"since":"2026-06-30T12:00:00Z"}`, `not json`} {
		_, err := plan(p, planListed, store.Checkpoint{Endpoint: "invoices", Cursor: json.RawMessage(raw)})
		if err == nil {
			t.Errorf("%s: plan accepted it", raw)
			continue
		}
		if !strings.Contains(err.Error(), "invoices") {
			t.Errorf("%s: error %q does not name the endpoint", raw, err)
		}
	}
}
