package hubspot

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// pageBody is a batch answer of n records with props properties each, a
// few set and the rest null, as HubSpot sends them.
func pageBody(rng *rand.Rand, first, n, props int) []byte {
	var b strings.Builder
	b.WriteString(`{"status":"COMPLETE","results":[`)
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","properties":{`, first+r)
		for p := range props {
			if p > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"dp_custom_%04d_procurement_marketing"`, p)
			switch rng.IntN(20) {
			case 0:
				fmt.Fprintf(&b, `: "v%d \"q\" \\ é"`, rng.IntN(1000))
			case 1:
				b.WriteString(`:""`)
			default:
				b.WriteString(`:null`)
			}
		}
		fmt.Fprintf(&b, `},"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:0%dZ","archived":false}`, r%10)
	}
	b.WriteString(`],"paging":{"next":{"after":"abc"}}}`)
	return []byte(b.String())
}

// withoutNulls is what encoding/json makes of a record less its null
// properties: the reference the hand-written reader must agree with.
func withoutNulls(t *testing.T, raw []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for k, v := range props {
			if v == nil {
				delete(props, k)
			}
		}
	}
	return m
}

// Records read from a page are the page's records less their nulls, and
// stay intact when the reader's buffers take the next page.
func TestRecordReaderPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var rd recordReader
	var kept []*crmRecord
	var want []map[string]any
	for pg := range 3 {
		body := append(rd.body[:0], pageBody(rng, pg*10+1, 10, 50)...)
		rd.body = body
		var raw struct{ Results []json.RawMessage }
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		for _, r := range raw.Results {
			want = append(want, withoutNulls(t, r))
		}
		recs, next, total, err := rd.page(body)
		if err != nil {
			t.Fatal(err)
		}
		if next != "abc" || total != -1 || len(recs) != 10 {
			t.Fatalf("page %d: next %q total %d, %d records", pg, next, total, len(recs))
		}
		kept = append(kept, recs...)
		clear(body) // the next call reuses it
	}
	for i, r := range kept {
		var got map[string]any
		if err := json.Unmarshal(r.Payload, &got); err != nil {
			t.Fatalf("record %d: %v: %s", i, err, r.Payload)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("record %d:\n%s\nwant %v", i, r.Payload, want[i])
		}
		if r.ID != fmt.Sprint(i+1) || !strings.HasPrefix(r.UpdatedAt, "2026-01-02") {
			t.Errorf("record %d read as id %q updated %q", i, r.ID, r.UpdatedAt)
		}
		props := want[i]["properties"].(map[string]any)
		if len(r.props) != len(props) {
			t.Errorf("record %d: %d set properties, want %d", i, len(r.props), len(props))
		}
		for name, v := range props {
			if got, ok := r.value(name); !ok || got != v {
				t.Errorf("record %d: %s = %q, want %q", i, name, got, v)
			}
		}
	}
}

// Fields come out in the API's order whatever order they arrive in; an
// escaped property name is read as its text; a record that cannot be
// read is left out with an error, the rest of the page kept.
func TestRecordReaderOddRecords(t *testing.T) {
	body := []byte(`{"results":[
		{"archived":true,"properties":{"a\u0062":"1","c":null},"id":"7","extra":[1,{"x":"}"}]},
		{"properties":{"a":"1"}},
		{"id":"8","properties":{"a":{"nested":1}}},
		{"id":"9","properties":null}
	],"total":3}`)
	var rd recordReader
	recs, _, total, err := rd.page(body)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(recs) != 2 {
		t.Fatalf("total %d, %d records, want 3 and 2", total, len(recs))
	}
	if want := `{"id":"7","properties":{"a\u0062":"1"},"archived":true,"extra":[1,{"x":"}"}]}`; string(recs[0].Payload) != want {
		t.Errorf("payload\n%s\nwant\n%s", recs[0].Payload, want)
	}
	if v, ok := recs[0].value("ab"); !ok || v != "1" || !recs[0].Archived {
		t.Errorf("ab = %q %v, archived %v", v, ok, recs[0].Archived)
	}
	if string(recs[1].Payload) != `{"id":"9","properties":{}}` {
		t.Errorf("null properties read as %s", recs[1].Payload)
	}
	if errs := rd.takeErrors(); len(errs) != 2 {
		t.Errorf("errors %v, want two (no id; an object value)", errs)
	}
	if _, _, _, err := rd.page([]byte(`{"results":[{"id":"1"`)); err == nil {
		t.Error("a cut-off body was read")
	}
}

// BenchmarkRecordPage reads a batch answer of 100 contacts with 900
// properties (about 60 KB each), as the default sandbox portal sends.
//
//	go test -run '^$' -bench RecordPage ./internal/provider/hubspot/
func BenchmarkRecordPage(b *testing.B) {
	body := pageBody(rand.New(rand.NewPCG(1, 1)), 1, 100, 900)
	var rd recordReader
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		recs, _, _, err := rd.page(body)
		if err != nil || len(recs) != 100 {
			b.Fatal(err, len(recs))
		}
	}
}
