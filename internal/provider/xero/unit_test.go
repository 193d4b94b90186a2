package xero

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
)

// TestParseDate covers Xero's .NET dates, negative (pre-1970) values that
// crashed other connectors (X20), the informational offset, and the ISO
// forms of the identity API.
func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "/Date(1573755038314+0000)/", want: time.UnixMilli(1573755038314)},
		{in: "/Date(1439434356790)/", want: time.UnixMilli(1439434356790)},
		{in: "/Date(-174268800000+0000)/", want: time.Date(1964, 6, 24, 0, 0, 0, 0, time.UTC)},
		{in: "/Date(-1)/", want: time.UnixMilli(-1)},
		{in: "/Date(0+0000)/", want: time.Unix(0, 0)},
		// The offset is information only: the milliseconds are UTC.
		{in: "/Date(1573755038314-0500)/", want: time.UnixMilli(1573755038314)},
		{in: "2019-12-07T18:46:19.5165400", want: time.Date(2019, 12, 7, 18, 46, 19, 516540000, time.UTC)},
		{in: "2019-03-05T18:59:06Z", want: time.Date(2019, 3, 5, 18, 59, 6, 0, time.UTC)},
		{in: "/Date(12a)/", bad: true},
		{in: "/Date(1+00)/", bad: true},
		{in: "Date(1)", bad: true},
		{in: "", bad: true},
	}
	for _, c := range cases {
		got, err := api.ParseDate(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %v UTC", c.in, got, err, c.want)
		}
	}
}

// TestItemsKeepPayloadAndClassify checks a record's payload is its bytes
// exactly as received, its id and time come from the endpoint's fields
// (top level only), negative dates parse, an unreadable date leaves the
// time zero rather than failing, and a record without its id fails.
func TestItemsKeepPayloadAndClassify(t *testing.T) {
	raws := []json.RawMessage{
		json.RawMessage(`{ "InvoiceID" : "a",  "Contact":{"ContactID":"c","UpdatedDateUTC":"/Date(5+0000)/"}, "Status":"VOIDED", "UpdatedDateUTC":"/Date(-174268800000+0000)/" }`),
		json.RawMessage(`{"InvoiceID":"b","Status":"AUTHORISED","UpdatedDateUTC":"soon"}`),
	}
	items, err := entities()["invoices"].items(raws)
	if err != nil {
		t.Fatal(err)
	}
	if string(items[0].rec.Payload) != string(raws[0]) {
		t.Errorf("payload re-encoded: %s", items[0].rec.Payload)
	}
	if items[0].rec.ID != "a" || items[0].rec.Status != provider.StatusVoided ||
		!items[0].rec.ModifiedAt.Equal(time.Date(1964, 6, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("record 0 = %+v", items[0].rec)
	}
	if items[1].rec.Status != provider.StatusActive || !items[1].rec.ModifiedAt.IsZero() {
		t.Errorf("record 1 = %+v, want active with no time", items[1].rec)
	}
	contacts := []json.RawMessage{json.RawMessage(`{"ContactID":"x","ContactStatus":"ARCHIVED","UpdatedDateUTC":"/Date(1000)/"}`)}
	if items, err := entities()["contacts"].items(contacts); err != nil || items[0].rec.Status != provider.StatusArchived {
		t.Errorf("archived contact: %+v, %v", items, err)
	}
	if _, err := entities()["payments"].items(raws[:1]); err == nil || !strings.Contains(err.Error(), "PaymentID") {
		t.Errorf("record without PaymentID: err %v", err)
	}
	rates := []json.RawMessage{json.RawMessage(`{"Name":"GST","TaxType":"OUTPUT","Status":"DELETED"}`)}
	if items, err := entities()["tax_rates"].items(rates); err != nil || items[0].rec.ID != "OUTPUT" || items[0].rec.Status != provider.StatusDeleted {
		t.Errorf("tax rate: %+v, %v", items, err)
	}
}

// TestDecodeList checks the envelope decoder: the array under its key in
// any case, pagination wherever it sits, a null array, and the errors that
// must not pass for an empty page (X23).
func TestDecodeList(t *testing.T) {
	l, err := api.DecodeList(strings.NewReader(`{"Id":"x","Invoices":[{"InvoiceID":"a"} , {"InvoiceID":"b"}],"DateTimeUTC":"/Date(1000)/","pagination":{"page":2,"pageSize":2,"pageCount":3,"itemCount":5}}`), "invoices")
	if err != nil || len(l.Records) != 2 || l.Pagination.ItemCount != 5 || !l.ServerTime.Equal(time.UnixMilli(1000)) {
		t.Fatalf("DecodeList = %+v, %v", l, err)
	}
	if string(l.Records[0]) != `{"InvoiceID":"a"}` {
		t.Errorf("record bytes %s", l.Records[0])
	}
	if l, err := api.DecodeList(strings.NewReader(`{"Items":null}`), "Items"); err != nil || len(l.Records) != 0 {
		t.Errorf("null array: %+v, %v", l, err)
	}
	if _, err := api.DecodeList(strings.NewReader(`{"Status":"OK"}`), "Invoices"); !errors.Is(err, api.ErrNoArray) {
		t.Errorf("missing array: err %v, want ErrNoArray", err)
	}
	for _, bad := range []string{`{"Invoices":[{"InvoiceID":"a"}`, `[]`, `{"Invoices":{}}`, ``} {
		if _, err := api.DecodeList(strings.NewReader(bad), "Invoices"); err == nil {
			t.Errorf("DecodeList(%q): no error", bad)
		}
	}
}

// TestCursorResume checks where a pull starts from each kind of cursor,
// in each mode.
func TestCursorResume(t *testing.T) {
	since := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		cursor string
		mode   provider.Mode
		want   position
		err    bool
	}{
		{"first pull", ``, provider.Incremental, position{page: 1}, false},
		{"done, incremental", `{"v":1,"since":"2026-06-01T10:00:00Z","page":0}`, provider.Incremental, position{since: since, page: 1}, false},
		{"done, full ignores since", `{"v":1,"since":"2026-06-01T10:00:00Z","page":0}`, provider.Full, position{page: 1}, false},
		{"killed incremental, resumed", `{"v":1,"since":"2026-06-01T10:00:00Z","page":4,"maxSeen":"2026-06-02T00:00:00Z"}`, provider.Incremental,
			position{since: since, page: 4, maxSeen: since.Add(14 * time.Hour)}, false},
		{"killed incremental, full asked: start over", `{"v":1,"since":"2026-06-01T10:00:00Z","page":4}`, provider.Full, position{page: 1}, false},
		{"killed full read, full resumes", `{"v":1,"since":"","page":7}`, provider.Full, position{page: 7}, false},
		{"unknown version", `{"v":2,"since":"","page":7}`, provider.Incremental, position{}, true},
		{"no version", `{"since":"","page":7}`, provider.Incremental, position{}, true},
		{"garbage", `{"v":1,"since":"yesterday"}`, provider.Incremental, position{}, true},
	}
	for _, c := range cases {
		var cur listCursor
		err := decodeCursor(provider.Cursor(c.cursor), &cur)
		var got position
		if err == nil {
			got, err = cur.resume(c.mode)
		}
		if (err != nil) != c.err || !got.since.Equal(c.want.since) || got.page != c.want.page || !got.maxSeen.Equal(c.want.maxSeen) {
			t.Errorf("%s: %+v, %v; want %+v (error %v)", c.name, got, err, c.want, c.err)
		}
	}
}

// TestNextSince checks the cursor never passes the pull's start (X6), is
// truncated to the second (X7: the boundary is re-read, not missed), and
// stays put when nothing was seen.
func TestNextSince(t *testing.T) {
	prev := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	start := time.Date(2026, 6, 30, 12, 0, 0, 500, time.UTC)
	seen := time.Date(2026, 6, 20, 8, 30, 15, 999_000_000, time.UTC)
	if got := nextSince(prev, seen, start); !got.Equal(seen.Truncate(time.Second)) {
		t.Errorf("got %v, want the second of the newest record", got)
	}
	if got := nextSince(prev, start.Add(time.Hour), start); !got.Equal(start.Truncate(time.Second)) {
		t.Errorf("got %v, want the pull's start", got)
	}
	if got := nextSince(prev, time.Time{}, start); !got.Equal(prev) {
		t.Errorf("got %v, want the previous since when nothing was seen", got)
	}
	old := time.Date(1964, 6, 24, 0, 0, 0, 900_000_000, time.UTC)
	if got := nextSince(time.Time{}, old, start); !got.Equal(old.Truncate(time.Second)) || got.Nanosecond() != 0 {
		t.Errorf("pre-1970: got %v", got)
	}
}

// TestFinancialYearMonths checks the months reported for the financial
// year that contains today.
func TestFinancialYearMonths(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 15, 0, 0, 0, time.UTC) }
	cases := []struct {
		endDay, endMonth int
		today            time.Time
		first, last      string
	}{
		{31, 12, day(2026, 6, 30), "2026-01", "2026-06"},
		{31, 3, day(2026, 6, 30), "2026-04", "2026-06"},
		{31, 3, day(2026, 3, 31), "2025-04", "2026-03"},
		{30, 6, day(2026, 6, 30), "2025-07", "2026-06"},
		{30, 6, day(2026, 7, 1), "2026-07", "2026-07"},
		{29, 2, day(2026, 3, 1), "2026-03", "2026-03"},
		{29, 2, day(2028, 2, 29), "2027-03", "2028-02"},
		{0, 0, day(2026, 5, 5), "2026-01", "2026-05"}, // unset: calendar year
	}
	for _, c := range cases {
		ms := financialYearMonths(c.endDay, c.endMonth, c.today)
		if len(ms) == 0 || ms[0].Format(monthID) != c.first || ms[len(ms)-1].Format(monthID) != c.last || len(ms) > 12 {
			t.Errorf("year end %d/%d, today %s: %d months %v, want %s..%s", c.endDay, c.endMonth, c.today.Format(time.DateOnly), len(ms), ms, c.first, c.last)
		}
	}
}

// TestCatalogAndOAuth checks the catalogue (names, order, what is
// incremental, swept, optional) and the sign-in settings and options.
func TestCatalogAndOAuth(t *testing.T) {
	src := New()
	var names []string
	for _, info := range src.Catalog() {
		names = append(names, info.Name)
		switch {
		case slices.Contains([]string{"organisation", "contact_groups", "tax_rates", "tracking_categories", "currencies"}, info.Name),
			strings.HasPrefix(info.Name, "report_"):
			if info.Incremental || info.SweepEvery != 0 {
				t.Errorf("%s: %+v, want a full read every pull", info.Name, info)
			}
		case info.Name == "journals":
			if !info.Incremental || !info.Optional || info.SweepEvery != 0 {
				t.Errorf("journals: %+v, want incremental, optional, never swept", info)
			}
		default:
			if !info.Incremental || info.IncrementalHow == "" || info.SweepEvery != 7*24*time.Hour {
				t.Errorf("%s: %+v, want incremental with a weekly sweep", info.Name, info)
			}
		}
	}
	want := []string{"organisation", "accounts", "contacts", "contact_groups", "invoices", "credit_notes", "payments",
		"overpayments", "prepayments", "bank_transactions", "bank_transfers", "manual_journals", "journals", "items",
		"tax_rates", "tracking_categories", "currencies", "users", "purchase_orders", "quotes", "batch_payments",
		"report_trial_balance", "report_profit_and_loss", "report_balance_sheet", "attachments"}
	if !slices.Equal(names, want) {
		t.Errorf("catalogue %v\nwant %v", names, want)
	}

	spec := src.OAuth(src.DefaultBaseURLs())
	if spec.AuthURL != "https://login.xero.com/identity/connect/authorize" || spec.TokenURL != "https://identity.xero.com/connect/token" ||
		spec.RevokeURL != "https://identity.xero.com/connect/revocation" || spec.ClientID != "datapull" ||
		spec.ClientSecret != "" || !spec.RotatesRefreshTokens {
		t.Errorf("OAuth = %+v", spec)
	}
	if !slices.Contains(spec.Scopes, "offline_access") || !slices.Contains(spec.Scopes, "accounting.invoices.read") ||
		slices.Contains(spec.Scopes, "accounting.transactions.read") {
		t.Errorf("granular scopes by default: %v", spec.Scopes)
	}
	broad := New(WithBroadScopes(true), WithClientID("other"), WithSweepEvery(time.Hour)).OAuth(provider.BaseURLs{Auth: "http://a/", Token: "http://t"})
	if !slices.Contains(broad.Scopes, "accounting.transactions.read") || slices.Contains(broad.Scopes, "accounting.invoices.read") ||
		broad.ClientID != "other" || broad.AuthURL != "http://a/identity/connect/authorize" {
		t.Errorf("broad: %+v", broad)
	}
	if got := New(WithSweepEvery(time.Hour)).Catalog()[1].SweepEvery; got != time.Hour {
		t.Errorf("WithSweepEvery: %v", got)
	}
	if got := New(WithPageSize(5000)).pageSize; got != MaxPageSize {
		t.Errorf("WithPageSize(5000) = %d, want %d", got, MaxPageSize)
	}
	if _, err := src.Open(src.DefaultBaseURLs(), provider.Account{}, nil); err == nil {
		t.Error("Open without a tenant id: no error")
	}
}
