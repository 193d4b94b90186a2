package pull

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/datapull/datapull/internal/provider"
)

func TestStateRoundTrip(t *testing.T) {
	in := state{V: stateVersion, Pull: 12, Mode: provider.Full, From: 11, Done: false,
		Cursor: json.RawMessage(`{"v":1,"page":4}`), Base: json.RawMessage(`{"v":1,"since":"2026-06-30T12:00:00Z"}`),
		Counts: Counts{Pages: 4, Fetched: 4000, Inserted: 3900, Updated: 50, Unchanged: 50, Deleted: 2, Calls: 5, Bytes: 123456}}
	out, err := decodeState(in.encode())
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if out.V != in.V || out.Pull != in.Pull || out.Mode != in.Mode || out.From != in.From || out.Done != in.Done ||
		string(out.Cursor) != string(in.Cursor) || string(out.Base) != string(in.Base) || out.Counts != in.Counts {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
}

// TestStateWireForm pins the saved form: checkpoints outlive releases, so
// a renamed field would strand every saved read (X9).
func TestStateWireForm(t *testing.T) {
	st := state{V: 1, Pull: 12, Mode: provider.Incremental, From: 12, Done: true,
		Cursor: json.RawMessage(`{"a":1}`), Base: json.RawMessage(`{"a":1}`), Counts: Counts{Pages: 1, Fetched: 2}}
	want := `{"v":1,"pull":12,"mode":"incremental","from":12,"done":true,"cursor":{"a":1},"base":{"a":1},` +
		`"counts":{"pages":1,"fetched":2,"inserted":0,"updated":0,"unchanged":0,"deleted":0,"calls":0,"bytes":0}}`
	if got := string(st.encode()); got != want {
		t.Errorf("encode:\n got %s\nwant %s", got, want)
	}
	// A state saved by this release's first version reads back.
	old := `{"v":1,"pull":7,"mode":"full","from":6,"done":false,"cursor":{"page":2},"counts":{"pages":2,"fetched":2000}}`
	s, err := decodeState(json.RawMessage(old))
	if err != nil {
		t.Fatalf("decode %s: %v", old, err)
	}
	if s.Pull != 7 || s.From != 6 || s.Mode != provider.Full || s.Done || string(s.Cursor) != `{"page":2}` ||
		len(s.Base) != 0 || s.Counts.Pages != 2 || s.Counts.Fetched != 2000 {
		t.Errorf("decoded %+v", s)
	}
}

func TestDecodeStateEmpty(t *testing.T) {
	for _, raw := range []provider.Cursor{nil, {}, json.RawMessage("null")} {
		s, err := decodeState(raw)
		if err != nil {
			t.Errorf("%q: %v", raw, err)
		}
		if s.Pull != 0 || s.Done || len(s.Base) != 0 || len(s.Cursor) != 0 {
			t.Errorf("%q: got %+v, want the zero state", raw, s)
		}
	}
}

func TestDecodeStateRefuses(t *testing.T) {
	for _, tt := range []struct{ raw, says string }{
		{`{"v":2,"pull":1}`, "version 2"},
		{`{"pull":1,"mode":"full"}`, "version 0"}, // a bare connector cursor saved before the wrapper
		{`{"v":1,`, "read checkpoint"},
		{`"incremental"`, "read checkpoint"},
	} {
		_, err := decodeState(json.RawMessage(tt.raw))
		if err == nil {
			t.Errorf("%s: accepted", tt.raw)
			continue
		}
		if !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: error %q, want it to say %q", tt.raw, err, tt.says)
		}
	}
}

func TestCountsAdd(t *testing.T) {
	c := Counts{Pages: 1, Fetched: 2, Inserted: 3, Updated: 4, Unchanged: 5, Deleted: 6, Calls: 7, Bytes: 8}
	c.add(Counts{Pages: 10, Fetched: 20, Inserted: 30, Updated: 40, Unchanged: 50, Deleted: 60, Calls: 70, Bytes: 80})
	if want := (Counts{Pages: 11, Fetched: 22, Inserted: 33, Updated: 44, Unchanged: 55, Deleted: 66, Calls: 77, Bytes: 88}); c != want {
		t.Errorf("add = %+v, want %+v", c, want)
	}
}
