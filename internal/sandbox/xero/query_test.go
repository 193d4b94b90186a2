package xero

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseIfModifiedSince(t *testing.T) {
	ms := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	tests := []struct {
		header string
		want   int64
		ok     bool
		err    bool
	}{
		{header: "", ok: false},
		{header: "   ", ok: false},
		// The three forms clients send (xero-api.md §3).
		{header: "Thu, 01 Jan 2020 00:00:00 GMT", want: ms("2020-01-01T00:00:00Z"), ok: true},
		{header: "2020-02-06T12:17:43.202-08:00", want: ms("2020-02-06T20:17:43Z"), ok: true},
		{header: "2020-02-06T20:17:43", want: ms("2020-02-06T20:17:43Z"), ok: true},
		// Variants of them.
		{header: "2020-02-06T20:17:43Z", want: ms("2020-02-06T20:17:43Z"), ok: true},
		{header: "2020-02-06T20:17:43.999Z", want: ms("2020-02-06T20:17:43Z"), ok: true},
		{header: "2020-02-06T20:17:43.5", want: ms("2020-02-06T20:17:43Z"), ok: true},
		{header: "2020-02-06T22:17:43+0200", want: ms("2020-02-06T20:17:43Z"), ok: true},
		{header: "2020-02-06 20:17:43", want: ms("2020-02-06T20:17:43Z"), ok: true},
		{header: "2020-02-06", want: ms("2020-02-06T00:00:00Z"), ok: true},
		{header: "  Thu, 01 Jan 2020 10:00:00 +0100 ", want: ms("2020-01-01T09:00:00Z"), ok: true},
		{header: "Thursday, 01-Jan-20 00:00:00 GMT", want: ms("2020-01-01T00:00:00Z"), ok: true},
		// Truncation rounds pre-1970 instants down too.
		{header: "1965-06-01T00:00:00.500Z", want: ms("1965-06-01T00:00:00Z"), ok: true},
		// Not dates.
		{header: "yesterday", err: true},
		{header: "2020-13-01T00:00:00", err: true},
		{header: "1580000000", err: true},
		{header: "/Date(1580000000000)/", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			got, ok, err := parseIfModifiedSince(tt.header)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if ok != tt.ok || got != tt.want {
				t.Errorf("got (%d, %v), want (%d, %v)", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestIfModifiedSinceInclusiveSecond proves that, with Collection.Since,
// If-Modified-Since is inclusive at one-second precision: passing back a
// record's UpdatedDateUTC returns that record again, and every record of
// the same second.
func TestIfModifiedSinceInclusiveSecond(t *testing.T) {
	second := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixMilli()
	c := NewCollection[*qtRecord]()
	for i, off := range []int64{-1, 0, 202, 999, 1000} {
		c.Put(&qtRecord{InvoiceID: qtID(i), UpdatedDateUTC: MSDate(second + off)})
	}
	tests := []struct {
		header string
		want   []int
	}{
		{"2024-05-01T12:00:00.202Z", []int{1, 2, 3, 4}},
		{"2024-05-01T12:00:00.999", []int{1, 2, 3, 4}},
		{"Wed, 01 May 2024 12:00:00 GMT", []int{1, 2, 3, 4}},
		{"2024-05-01T12:00:01Z", []int{4}},
		{"2024-05-01T11:59:59.999Z", []int{0, 1, 2, 3, 4}},
		{"2024-05-01T12:00:02Z", nil},
	}
	for _, tt := range tests {
		ms, ok, err := parseIfModifiedSince(tt.header)
		if err != nil || !ok {
			t.Fatalf("%s: %v", tt.header, err)
		}
		ids := []string{}
		for _, r := range c.Since(ms) {
			ids = append(ids, r.InvoiceID)
		}
		want := []string{}
		for _, n := range tt.want {
			want = append(want, qtID(n))
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: got %v, want %v", tt.header, ids, want)
		}
	}
}

// TestIfModifiedSinceBadHeader proves an unparseable header is a 400
// ValidationException that names the header, not a silent full pull.
func TestIfModifiedSinceBadHeader(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/api.xro/2.0/Invoices", nil)
	if _, ok, apiErr := ifModifiedSince(r); ok || apiErr != nil {
		t.Fatalf("no header: ok=%v err=%v", ok, apiErr)
	}
	r.Header.Set("If-Modified-Since", "2020-02-06T12:17:43Z")
	if ms, ok, apiErr := ifModifiedSince(r); !ok || apiErr != nil || ms != 1580991463000 {
		t.Fatalf("good header: %d %v %v", ms, ok, apiErr)
	}
	r.Header.Set("If-Modified-Since", "last tuesday")
	_, ok, apiErr := ifModifiedSince(r)
	if ok || apiErr == nil {
		t.Fatal("bad header accepted")
	}
	if apiErr.Status != http.StatusBadRequest || !strings.Contains(string(apiErr.Body), `"ValidationException"`) ||
		!strings.Contains(string(apiErr.Body), `If-Modified-Since \"last tuesday\" is not a date`) {
		t.Errorf("got %d %s", apiErr.Status, apiErr.Body)
	}
}

func TestParsePaging(t *testing.T) {
	maxInt := int(^uint(0) >> 1)
	tests := []struct {
		query    string
		sizeOK   bool
		page     int
		pageSize int
		paged    bool
		badParam string // non-empty: a 400 naming this parameter
	}{
		{query: "", sizeOK: true},
		{query: "page=", sizeOK: true},
		{query: "pageSize=50", sizeOK: true},
		{query: "page=1", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=2&pageSize=1000", sizeOK: true, page: 2, pageSize: 1000, paged: true},
		{query: "page=3&pageSize=7", sizeOK: true, page: 3, pageSize: 7, paged: true},
		{query: "page=+4", sizeOK: true, page: 4, pageSize: 100, paged: true},
		{query: "page=%201%20", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=0", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=-3", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=1&pageSize=5000", sizeOK: true, page: 1, pageSize: 1000, paged: true},
		{query: "page=1&pageSize=1001", sizeOK: true, page: 1, pageSize: 1000, paged: true},
		{query: "page=1&pageSize=0", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=1&pageSize=-5", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=1&pageSize=", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "page=1&pageSize=99999999999999999999", sizeOK: true, page: 1, pageSize: 1000, paged: true},
		{query: "page=99999999999999999999", sizeOK: true, page: maxInt, pageSize: 100, paged: true},
		{query: "page=-99999999999999999999", sizeOK: true, page: 1, pageSize: 100, paged: true},
		{query: "Page=3&PAGESIZE=50", sizeOK: true, page: 3, pageSize: 50, paged: true},
		{query: "page=2&page=5", sizeOK: true, page: 2, pageSize: 100, paged: true},
		{query: "page=abc", sizeOK: true, badParam: "page"},
		{query: "page=1.5", sizeOK: true, badParam: "page"},
		{query: "page=1&pageSize=x", sizeOK: true, badParam: "pageSize"},
		{query: "page=1&pageSize=10.0", sizeOK: true, badParam: "pageSize"},
		// Quotes and LinkedTransactions: pageSize is not a parameter there.
		{query: "page=2&pageSize=1000", sizeOK: false, page: 2, pageSize: 100, paged: true},
		{query: "page=2&pageSize=abc", sizeOK: false, page: 2, pageSize: 100, paged: true},
		{query: "pageSize=1000", sizeOK: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.query, tt.sizeOK), func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			page, size, paged, apiErr := parsePaging(q, tt.sizeOK)
			if tt.badParam != "" {
				if apiErr == nil || apiErr.Status != http.StatusBadRequest ||
					!strings.Contains(string(apiErr.Body), "is not valid for "+tt.badParam+".") {
					t.Fatalf("want a 400 for %s, got %v", tt.badParam, apiErr)
				}
				return
			}
			if apiErr != nil {
				t.Fatalf("error %v", apiErr)
			}
			if page != tt.page || size != tt.pageSize || paged != tt.paged {
				t.Errorf("got (%d, %d, %v), want (%d, %d, %v)", page, size, paged, tt.page, tt.pageSize, tt.paged)
			}
		})
	}
}

func TestPageOf(t *testing.T) {
	items := make([]int, 250)
	for i := range items {
		items[i] = i
	}
	maxInt := int(^uint(0) >> 1)
	tests := []struct {
		page, size int
		first, n   int
	}{
		{1, 100, 0, 100},
		{2, 100, 100, 100},
		{3, 100, 200, 50},
		{4, 100, 0, 0},
		{maxInt, 100, 0, 0},
		{maxInt, maxInt, 0, 0},
		{1, 1000, 0, 250},
		{2, 1000, 0, 0},
		{250, 1, 249, 1},
		{0, 100, 0, 0},
		{1, 0, 0, 0},
	}
	for _, tt := range tests {
		got := pageOf(items, tt.page, tt.size)
		if len(got) != tt.n || tt.n > 0 && got[0] != tt.first {
			t.Errorf("pageOf(page %d, size %d): %d items from %v, want %d from %d", tt.page, tt.size, len(got), got[:min(1, len(got))], tt.n, tt.first)
		}
	}
	if got := pageOf([]int(nil), 1, 100); len(got) != 0 {
		t.Errorf("page of nothing: %v", got)
	}
	counts := []struct{ n, size, want int }{{250, 100, 3}, {200, 100, 2}, {1, 100, 1}, {0, 100, 0}, {1000, 1000, 1}, {1001, 1000, 2}, {5, 0, 0}}
	for _, c := range counts {
		if got := pageCount(c.n, c.size); got != c.want {
			t.Errorf("pageCount(%d, %d) = %d, want %d", c.n, c.size, got, c.want)
		}
	}
}

func TestListParams(t *testing.T) {
	q, _ := url.ParseQuery("InvoiceNumbers=INV-1,%20INV-2%20,,INV-1&invoicenumbers=INV-3&Statuses=AUTHORISED")
	if got, want := listParam(q, "InvoiceNumbers"), []string{"INV-1", "INV-2", "INV-3"}; !slices.Equal(got, want) {
		t.Errorf("InvoiceNumbers: got %v, want %v", got, want)
	}
	if got := listParam(q, "Statuses"); !slices.Equal(got, []string{"AUTHORISED"}) {
		t.Errorf("Statuses: got %v", got)
	}
	if got := listParam(q, "IDs"); got != nil {
		t.Errorf("absent list: got %v", got)
	}

	id := "8138A266-FB42-49B2-A104-041C7A6B3F0D"
	canon := strings.ToLower(id)
	q = url.Values{"IDs": {id + ",{" + canon + "}," + strings.ReplaceAll(canon, "-", "") + ", " + qtID(7)}}
	got, apiErr := guidListParam(q, "IDs")
	if apiErr != nil || !slices.Equal(got, []string{canon, qtID(7)}) {
		t.Errorf("IDs: got %v, %v", got, apiErr)
	}

	q = url.Values{"ContactIDs": {qtID(1) + ",not-a-guid"}}
	if _, apiErr := guidListParam(q, "ContactIDs"); apiErr == nil || apiErr.Status != http.StatusBadRequest ||
		!strings.Contains(string(apiErr.Body), "'not-a-guid' in ContactIDs is not a valid GUID") {
		t.Errorf("bad GUID: %v", apiErr)
	}

	list := func(n int) url.Values {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = qtID(i)
		}
		return url.Values{"IDs": {strings.Join(ids, ",")}}
	}
	if got, apiErr := guidListParam(list(maxListIDs), "IDs"); apiErr != nil || len(got) != maxListIDs {
		t.Errorf("%d IDs: %d, %v", maxListIDs, len(got), apiErr)
	}
	if _, apiErr := guidListParam(list(maxListIDs+1), "IDs"); apiErr == nil || apiErr.Status != http.StatusNotFound ||
		apiErr.ContentType != contentHTML {
		t.Errorf("%d IDs: want Xero's text 404, got %v", maxListIDs+1, apiErr)
	}
	if tooManyIDs(50) || !tooManyIDs(51) {
		t.Error("tooManyIDs threshold is not 50")
	}
}

func TestParseGUID(t *testing.T) {
	const canon = "8138a266-fb42-49b2-a104-041c7a6b3f0d"
	tests := []struct {
		in string
		ok bool
	}{
		{canon, true},
		{strings.ToUpper(canon), true},
		{"{" + canon + "}", true},
		{"(" + canon + ")", true},
		{"8138a266fb4249b2a104041c7a6b3f0d", true},
		{"  " + canon + " ", true},
		{"", false},
		{"8138a266-fb42-49b2-a104-041c7a6b3f0", false},
		{"8138a266-fb42-49b2-a104-041c7a6b3f0g", false},
		{"8138a266+fb42-49b2-a104-041c7a6b3f0d", false},
		{"{" + canon + ")", false},
		{"8138a266-fb42-49b2-a104041c7a6b3f0d0", false},
	}
	for _, tt := range tests {
		got, ok := parseGUID(tt.in)
		if ok != tt.ok || ok && got != canon {
			t.Errorf("parseGUID(%q) = %q, %v", tt.in, got, ok)
		}
	}
}

func TestOrder(t *testing.T) {
	tests := []struct {
		order string
		want  []int
	}{
		{"Total", []int{4, 3, 1, 2, 5}},
		{"Total ASC", []int{4, 3, 1, 2, 5}},
		{"Total DESC", []int{5, 2, 1, 3, 4}},
		{"total descending", []int{5, 2, 1, 3, 4}},
		{"  Total   desc  ", []int{5, 2, 1, 3, 4}},
		{"Date", []int{4, 1, 2, 5, 3}},
		// Ties broken by the next key, then by RecordID.
		{"Type", []int{2, 5, 1, 3, 4}},
		{"Type DESC", []int{1, 3, 4, 2, 5}},
		{"Type DESC, Total DESC", []int{1, 3, 4, 5, 2}},
		{"Type,Date DESC", []int{5, 2, 3, 1, 4}},
		{"Status, InvoiceID DESC", []int{5, 1, 3, 2, 4}},
		{"AmountDue", []int{2, 3, 4, 1, 5}},
		// Nulls first ascending, last descending; strings ignore case first.
		{"Contact.Name", []int{3, 1, 4, 2, 5}},
		{"contact.name DESC", []int{5, 2, 4, 1, 3}},
		{"DueDate", []int{2, 3, 4, 5, 1}},
		{"IsDiscounted", []int{1, 3, 4, 5, 2}},
		{"HasAttachments DESC", []int{2, 1, 3, 4, 5}},
		{"Reference DESC", []int{1, 2, 3, 4, 5}},
		{"UpdatedDateUTC", []int{5, 4, 3, 2, 1}},
	}
	recs := qtFixtures()
	before := slices.Clone(recs)
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			got, apiErr := orderRecords(recs, tt.order)
			if apiErr != nil {
				t.Fatalf("orderRecords: %v", apiErr)
			}
			ids := []string{}
			for _, r := range got {
				ids = append(ids, r.InvoiceID)
			}
			if want := qtIDs(tt.want...); !slices.Equal(ids, want) {
				t.Errorf("got %v, want %v", ids, want)
			}
		})
	}
	if !slices.Equal(recs, before) {
		t.Error("ordering modified the input slice")
	}
	if got, _ := orderRecords(recs, "  "); &got[0] != &recs[0] {
		t.Error("a blank order copied the slice")
	}
}

func TestOrderErrors(t *testing.T) {
	tests := []struct{ order, want string }{
		{"Foo", "No property or field 'Foo' exists in type 'qtRecord'"},
		{"Contact.Foo DESC", "No property or field 'Foo' exists in type 'qtContact'"},
		{"Status.Length", "No property or field 'Length' exists in type 'String'"},
		{"Total UP", `"UP" is not ASC or DESC`},
		{"Total DESC extra", "want Field [ASC|DESC]"},
		{"Total,", "want Field [ASC|DESC]"},
		{",Total", "want Field [ASC|DESC]"},
		{"LineItems", "'qtLine[]', which cannot be ordered"},
		{"Contact", "'qtContact', which cannot be ordered"},
		{"Secret", "No property or field 'Secret'"},
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			_, apiErr := orderRecords(qtFixtures(), tt.order)
			if apiErr == nil {
				t.Fatal("no error")
			}
			var body struct {
				Type     string
				Elements []struct{ ValidationErrors []struct{ Message string } }
			}
			if err := json.Unmarshal(apiErr.Body, &body); err != nil || apiErr.Status != http.StatusBadRequest || body.Type != "ValidationException" {
				t.Fatalf("got %d %s", apiErr.Status, apiErr.Body)
			}
			if msg := body.Elements[0].ValidationErrors[0].Message; !strings.Contains(msg, tt.want) {
				t.Errorf("message %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

// TestOrderDeterministic proves equal keys come out in RecordID order
// whatever the input order, so two calls page identically.
func TestOrderDeterministic(t *testing.T) {
	recs := qtBig(2000, 7)
	keys, err := parseOrder("Status DESC, Contact.Name", reflect.TypeFor[*qtRecord]())
	if err != nil {
		t.Fatal(err)
	}
	a := sortRecords(recs, keys)
	shuffled := slices.Clone(recs)
	slices.Reverse(shuffled)
	b := sortRecords(shuffled, keys)
	if !slices.Equal(a, b) {
		t.Fatal("order depends on input order")
	}
	for i := 1; i < len(a); i++ {
		x, y := a[i-1], a[i]
		if x.Status == y.Status && x.Contact.Name == y.Contact.Name && x.InvoiceID > y.InvoiceID {
			t.Fatalf("tie not broken by id at %d: %s > %s", i, x.InvoiceID, y.InvoiceID)
		}
	}
}

func TestCompareFold(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "B", -1},
		{"B", "a", 1},
		{"abc", "ABC", 1}, // equal ignoring case; then exact: 'A' < 'a'
		{"ABC", "abc", -1},
		{"abc", "abc", 0},
		{"ab", "abc", -1},
		{"Ärger", "ärger", -1},
		{"Zebra", "äpfel", -1},
		{"", "", 0},
		{"", "a", -1},
	}
	for _, tt := range tests {
		if got := compareFold(tt.a, tt.b); got != tt.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// BenchmarkOrder100k measures ordering a large organisation's 100,000
// records by two keys.
func BenchmarkOrder100k(b *testing.B) {
	recs := qtBig(100_000, 1)
	keys, err := parseOrder("Contact.Name, Date DESC", reflect.TypeFor[*qtRecord]())
	if err != nil {
		b.Fatal(err)
	}
	loops := 0
	for b.Loop() {
		sortRecords(recs, keys)
		loops++
	}
	b.ReportMetric(float64(len(recs))*float64(loops)/b.Elapsed().Seconds(), "records/s")
}
