package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// fakeSearch serves POST /crm/v3/objects/contacts/search over ids,
// honouring hs_object_id GT numerically and sorting by id, pageSize a
// page, with a next cursor while more remain. It fails the test if the
// same query comes twice (a client that does not move on).
func fakeSearch(t *testing.T, ids []int64, pageSize int) (*httptest.Server, *[]string) {
	t.Helper()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var asked []string
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			FilterGroups []struct {
				Filters []searchFilter `json:"filters"`
			} `json:"filterGroups"`
			After string `json:"after"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		var gt int64 = -1
		for _, f := range body.FilterGroups[0].Filters {
			if f.PropertyName == "hs_object_id" && f.Operator == "GT" {
				gt, _ = strconv.ParseInt(f.Value, 10, 64)
			}
		}
		key := fmt.Sprint(gt, body.After)
		if seen[key] {
			t.Errorf("the same search was asked twice: id > %d", gt)
			http.Error(w, "loop", http.StatusBadRequest)
			return
		}
		seen[key] = true
		asked = append(asked, strconv.FormatInt(gt, 10))
		var res []string
		for _, id := range ids {
			if id > gt && len(res) < pageSize {
				res = append(res, fmt.Sprintf(`{"id":"%d","properties":{"hs_object_id":"%d"}}`, id, id))
			}
		}
		more := len(res) == pageSize && ids[len(ids)-1] > gt
		out := `{"total":` + strconv.Itoa(len(ids)) + `,"results":[` + strings.Join(res, ",") + `]`
		if more {
			out += `,"paging":{"next":{"after":"` + strconv.Itoa(pageSize) + `"}}`
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, out+"}")
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

// X2: ids of 1 to 12 digits across page boundaries. A client comparing
// them as strings ("9" > "10") restarts from the wrong id and loops or
// skips; ids are numbers here.
func TestSearchIDsMixedLengths(t *testing.T) {
	ids := []int64{7, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999999999, 100000000000, 100000000001}
	srv, asked := fakeSearch(t, ids, 2)
	c := &conn{hc: srv.Client(), api: srv.URL}
	typ := objType{Name: "contacts", Path: "contacts", ModProp: "lastmodifieddate"}
	var got []string
	var last int64
	rd := &recordReader{}
	for more := true; more; {
		var page []string
		var err error
		page, last, more, err = c.searchIDs(context.Background(), "contacts", typ, 0, 1, last, rd)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
	}
	want := make([]string, len(ids))
	for i, id := range ids {
		want[i] = strconv.FormatInt(id, 10)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("read %v, want %v (queries from %v)", got, want, *asked)
	}

	// Naive (Airbyte's search pagination before PR 79666): the restart
	// point is the page's largest id compared as a string, so a page
	// holding 99 and 100 restarts from 99 and asks for 100 again (a loop,
	// or duplicates). The fixture must hold such a page, or this test
	// proves nothing.
	misread := 0
	for i := 0; i < len(want); i += 2 {
		page := want[i:min(i+2, len(want))]
		if slices.Max(page) != page[len(page)-1] {
			misread++
		}
	}
	if misread == 0 {
		t.Error("X2 trap not armed: no page's largest id differs when compared as a string")
	}
}

// X9: a cursor this release did not write is an error, never a silent
// full pull; one written by this version (v1) resumes its window, looking
// back from where it ended.
func TestCursorVersions(t *testing.T) {
	if _, err := decodeCursor(provider.Cursor(`{"v":2,"types":{}}`)); err == nil {
		t.Error("a version 2 cursor was accepted")
	}
	// Naive (the state migrations of Airbyte #60858): decoding the saved
	// JSON without looking at its version takes a cursor of another
	// format without a word, and resumes from whatever it makes of it.
	var naive objCursor
	if err := json.Unmarshal([]byte(`{"v":2,"types":{}}`), &naive); err != nil {
		t.Errorf("X9 trap not armed: plain decoding refused the version 2 cursor by itself: %v", err)
	}
	// As the first release saved it, byte for byte.
	saved := provider.Cursor(`{"v":1,"types":{"contacts":{"since":1751284800000,"archivedScan":1751284800000}}}`)
	cur, err := decodeCursor(saved)
	if err != nil {
		t.Fatal(err)
	}
	src := New()
	start := time.UnixMilli(1751284800000).Add(10 * time.Minute).UnixMilli()
	beginRead(cur, []objType{{Name: "contacts"}}, provider.Incremental, start, src)
	tc := cur.Types["contacts"]
	if tc.Phase != phaseSearch || tc.From != 1751284800000-DefaultLookback.Milliseconds() || tc.Until != start {
		t.Errorf("resumed as phase %q window [%d, %d], want a search from the saved end less the lookback", tc.Phase, tc.From, tc.Until)
	}
	if tc.Scan {
		t.Error("an archived scan 10 minutes after the last one, with an hourly schedule")
	}
}

// A property list that fits in a URL is sent there; one that does not
// goes to batch read (X11).
func TestPropPlan(t *testing.T) {
	var few, many []property
	for i := 0; i < 20; i++ {
		few = append(few, property{Name: fmt.Sprintf("p%d", i)})
	}
	for i := 0; i < 900; i++ {
		many = append(many, property{Name: fmt.Sprintf("dp_custom_%04d_procurement_marketing_original_renewal", i)})
	}
	if !newPropPlan(few).inURL || newPropPlan(many).inURL {
		t.Error("the plan puts the wrong list in the URL")
	}
}

// Null properties are dropped, everything else kept byte for byte (X12).
func TestReadRecordKeepsValuesAsSent(t *testing.T) {
	raw := `{"id":"5","properties":{"a":null,"n":"12;34","q":"x\"y","z":null},"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z","archived":false}`
	r, err := readRecord([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"5","properties":{"n":"12;34","q":"x\"y"},"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z","archived":false}`
	if string(r.Payload) != want {
		t.Errorf("payload\n%s\nwant\n%s", r.Payload, want)
	}
	var w warnings
	w.check("contacts", r, newPropPlan([]property{{Name: "n", Type: "number"}, {Name: "q", Type: "string"}}))
	if l := w.list(); len(l) != 1 || !strings.Contains(l[0], `"n"`) {
		t.Errorf("warnings %v, want one about n", l)
	}
}
