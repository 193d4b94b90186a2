package app

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/sandbox"
	"github.com/datapull/datapull/internal/sandbox/xero/apitruth"
	"github.com/datapull/datapull/internal/store"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// Helpers of the engine's end-to-end tests (rounds, faults, tokens). They
// add to env (env_test.go) what those tests need: every difference from
// the ground truth with its endpoint and id (compareTruth stops at a few
// and says them in words), row counts, saved engine states, the sandbox's
// fault and meter counters.

// truthDiff is one way a stored record differs from the sandbox's.
type truthDiff struct {
	endpoint, id, what string
	// derivedOnly says the payloads differ only in fields Xero derives
	// from other records without moving the record's change time (a
	// contact's Balances): If-Modified-Since cannot see the change, so
	// only the next full sweep can bring it.
	derivedOnly bool
}

func (d truthDiff) String() string { return d.endpoint + " " + d.id + ": " + d.what }

// derivedContactFields are the Contact fields xero-api.md §3 says move
// without UpdatedDateUTC.
var derivedContactFields = []string{"Balances", "IsSupplier", "IsCustomer"}

// truthDiffs holds every endpoint's stored records of connection i to the
// sandbox's ground truth, as compareTruth does, and returns every
// difference. Call it while no pull or change is in flight.
func (e *env) truthDiffs(i int) []truthDiff {
	e.t.Helper()
	ctx := context.Background()
	conn := e.conns[i]
	org := e.srv.World().Org(conn.AccountID)
	var diffs []truthDiff
	for _, info := range e.app.mustSource(conn).Catalog() {
		name := info.Name
		if strings.HasPrefix(name, "report_") {
			if n, _ := e.st.RawCount(ctx, conn.ID, name); n == 0 {
				diffs = append(diffs, truthDiff{endpoint: name, what: "no report stored"})
			}
			continue
		}
		got := map[string]store.RawRecord{}
		if err := e.st.RawRecords(ctx, conn.ID, name, func(r store.RawRecord) error {
			got[r.ID] = r
			return nil
		}); err != nil {
			e.t.Fatal(err)
		}
		held := map[string]bool{}
		for _, w := range apitruth.Records(org, name) {
			held[w.ID] = true
			g, ok := got[w.ID]
			d := truthDiff{endpoint: name, id: w.ID}
			switch {
			case !ok:
				d.what = "missing"
			case !g.ModifiedAt.Equal(w.ModifiedAt):
				d.what = "modified " + g.ModifiedAt.String() + ", want " + w.ModifiedAt.String()
			case g.Status != w.Status:
				d.what = "status " + string(g.Status) + ", want " + string(w.Status)
			default:
				c, err := apitruth.Canon(g.Payload)
				if err == nil && c == w.Payload {
					continue
				}
				d.what = "payload differs"
				d.derivedOnly = name == "contacts" && sameWithout(g.Payload, w.Payload, derivedContactFields)
			}
			diffs = append(diffs, d)
		}
		for id, r := range got {
			if !held[id] && r.Status != provider.StatusDeleted {
				diffs = append(diffs, truthDiff{endpoint: name, id: id, what: "gone from the sandbox but stored as " + string(r.Status)})
			}
		}
	}
	return diffs
}

// sameWithout reports whether two JSON objects are equal once the named
// top-level fields are dropped from both.
func sameWithout(a json.RawMessage, b string, drop []string) bool {
	strip := func(raw []byte) (string, bool) {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return "", false
		}
		for _, f := range drop {
			delete(m, f)
		}
		out, err := json.Marshal(m)
		if err != nil {
			return "", false
		}
		c, err := apitruth.Canon(out)
		return c, err == nil
	}
	x, ok1 := strip(a)
	y, ok2 := strip([]byte(b))
	return ok1 && ok2 && x == y
}

// requireTruth fails the test for every difference from the ground truth.
func (e *env) requireTruth(t testing.TB, i int) {
	t.Helper()
	diffs := e.truthDiffs(i)
	for _, d := range diffs[:min(len(diffs), 20)] {
		t.Error(d)
	}
	if len(diffs) > 20 {
		t.Errorf("… and %d more differences", len(diffs)-20)
	}
}

// blindSet holds, per DataPull endpoint, the records changed in ways
// If-Modified-Since cannot show (silent edits, soft-deleted transfers,
// hard-deleted items): a standard sync may miss them until the sweep.
type blindSet map[string]map[string]bool

func (b blindSet) add(changes []xsandbox.Change) {
	for _, c := range changes {
		name := endpointName(c.Endpoint)
		// A hard delete leaves nothing to list: only a full read notices.
		if c.Silent || (c.Op == xsandbox.OpDelete && name == "items") {
			if b[name] == nil {
				b[name] = map[string]bool{}
			}
			b[name][c.ID] = true
		}
	}
}

func (b blindSet) has(d truthDiff) bool { return b[d.endpoint][d.id] }

// endpointName is the DataPull name of a Xero endpoint ("BankTransfers"
// → "bank_transfers").
func endpointName(xero string) string {
	var sb strings.Builder
	for i, r := range xero {
		if unicode.IsUpper(r) && i > 0 {
			sb.WriteByte('_')
		}
		sb.WriteRune(unicode.ToLower(r))
	}
	return sb.String()
}

// pullWith runs a pull of connection i with an event callback and fails
// the test if it errs.
func (e *env) pullWith(i int, mode store.PullMode, onEvent func(pull.Event)) store.Pull {
	e.t.Helper()
	p, err := e.app.Pull(context.Background(), e.conns[i].ID, mode, onEvent)
	if err != nil {
		e.t.Fatalf("Pull: %v", err)
	}
	return p
}

// storedIDs returns every stored record id of connection i, by endpoint,
// and fails the test if an endpoint holds an id twice or its count
// disagrees with its rows.
func (e *env) storedIDs(t testing.TB, i int) map[string]map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn := e.conns[i]
	names, err := e.st.Endpoints(ctx, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, name := range names {
		ids := map[string]bool{}
		rows := 0
		if err := e.st.RawRecords(ctx, conn.ID, name, func(r store.RawRecord) error {
			rows++
			if ids[r.ID] {
				t.Errorf("%s: record %s stored twice", name, r.ID)
			}
			ids[r.ID] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		n, err := e.st.RawCount(ctx, conn.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(ids)) || rows != len(ids) {
			t.Errorf("%s: %d rows counted, %d read, %d distinct ids", name, n, rows, len(ids))
		}
		out[name] = ids
	}
	return out
}

// requireKept fails the test if a record stored before is gone now.
func requireKept(t testing.TB, before, after map[string]map[string]bool) {
	t.Helper()
	for name, ids := range before {
		lost := 0
		for id := range ids {
			if !after[name][id] {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("%s: %d of %d stored records were lost", name, lost, len(ids))
		}
	}
}

// savedState is the engine's checkpoint of one endpoint, as saved (see
// internal/pull state.go); the tests read it to see that reads resume.
type savedState struct {
	Pull   int64           `json:"pull"`
	Mode   provider.Mode   `json:"mode"`
	From   int64           `json:"from"`
	Done   bool            `json:"done"`
	Cursor json.RawMessage `json:"cursor"`
	Counts pull.Counts     `json:"counts"`
	raw    string
}

// savedStates returns connection i's saved checkpoints by endpoint.
func (e *env) savedStates(t testing.TB, i int) map[string]savedState {
	t.Helper()
	cps, err := e.st.Checkpoints(context.Background(), e.conns[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]savedState{}
	for _, cp := range cps {
		var s savedState
		if len(cp.Cursor) > 0 {
			if err := json.Unmarshal(cp.Cursor, &s); err != nil {
				t.Fatalf("%s: checkpoint %s: %v", cp.Endpoint, cp.Cursor, err)
			}
		}
		s.raw = string(cp.Cursor)
		out[cp.Endpoint] = s
	}
	return out
}

// noteCodes lists a pull's note codes.
func (e *env) noteCodes(p store.Pull) []string {
	var codes []string
	for _, n := range e.notes(p) {
		codes = append(codes, n.Code)
	}
	return codes
}

func (e *env) hasNote(p store.Pull, code string) bool { return slices.Contains(e.noteCodes(p), code) }

// noteFor returns the pull's note with code about endpoint.
func (e *env) noteFor(p store.Pull, code, endpoint string) (store.Note, bool) {
	for _, n := range e.notes(p) {
		if n.Code == code && n.Endpoint == endpoint {
			return n, true
		}
	}
	return store.Note{}, false
}

// faultsFired reads how many faults of each kind the sandbox has acted out.
func (e *env) faultsFired() map[string]int64 {
	e.t.Helper()
	var st sandbox.FaultState
	e.adminGet("/_sandbox/faults", &st)
	return st.Fired
}

// tokenCalls reads how many calls the sandbox's token endpoint has
// answered, and how many of them with 200.
func (e *env) tokenCalls() (calls, ok int64) {
	e.t.Helper()
	var rep sandbox.MeterReport
	e.adminGet("/_sandbox/meter", &rep)
	for _, u := range rep.Usage {
		if u.Tenant == "" && u.Endpoint == "identity/token" {
			calls += u.Calls
			ok += u.Statuses[http.StatusOK]
		}
	}
	return calls, ok
}

func (e *env) adminGet(path string, v any) {
	e.t.Helper()
	resp, err := http.Get(e.url + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
}

// revokeAll withdraws every sandbox user's consent (the sign-in a test
// connects with is one of them).
func (e *env) revokeAll() int {
	n := 0
	for _, u := range e.srv.World().Users {
		n += e.srv.RevokeUser(u.ID)
	}
	return n
}

// onFirstPage returns an event callback that runs fn once, after the
// first page of endpoint is stored.
func onFirstPage(endpoint string, fn func()) func(pull.Event) {
	var once sync.Once
	return func(ev pull.Event) {
		if ev.Kind == pull.PageStored && ev.Endpoint == endpoint {
			once.Do(fn)
		}
	}
}
