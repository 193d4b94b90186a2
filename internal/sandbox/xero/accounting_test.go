package xero

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// listEnvelope is the part of a list response the tests read.
type listEnvelope struct {
	Pagination *pagination `json:"pagination"`
	records    []map[string]any
}

// decodeList decodes a list response's records under key.
func decodeList(t testing.TB, body []byte, key string) listEnvelope {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("response is not JSON: %v: %.200s", err, body)
	}
	var env listEnvelope
	if p, ok := raw["pagination"]; ok {
		env.Pagination = new(pagination)
		json.Unmarshal(p, env.Pagination)
	}
	if err := json.Unmarshal(raw[key], &env.records); err != nil {
		t.Fatalf("no %s array: %v: %.200s", key, err, body)
	}
	return env
}

// signedIn is a test environment with a token for every organisation.
type signedIn struct {
	*testEnv
	access string
	tenant string
}

func newSignedIn(t testing.TB, edit func(*Config)) signedIn {
	env := newTestEnv(t, edit)
	tok := env.signIn(t, allReadScopes, "*")
	return signedIn{testEnv: env, access: tok.AccessToken, tenant: env.srv.World().Orgs[0].ID}
}

func (s signedIn) list(t testing.TB, path, key string, header http.Header) listEnvelope {
	t.Helper()
	resp, body := s.get(t, s.access, s.tenant, path, header)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, body)
	}
	return decodeList(t, body, key)
}

func TestEnvelopeShape(t *testing.T) {
	s := newSignedIn(t, nil)
	resp, body := s.get(t, s.access, s.tenant, "Invoices?page=1", nil)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	for _, h := range []string{"Xero-Correlation-Id", "X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("response lacks %s", h)
		}
	}
	var env map[string]any
	json.Unmarshal(body, &env)
	if env["Status"] != "OK" || env["ProviderName"] != providerName {
		t.Errorf("envelope Status/ProviderName: %v %v", env["Status"], env["ProviderName"])
	}
	if d, _ := env["DateTimeUTC"].(string); !strings.HasPrefix(d, "/Date(") || strings.Contains(d, "+") {
		t.Errorf("DateTimeUTC %q: want /Date(ms)/ without offset", d)
	}
	if _, ok := env["pagination"]; !ok {
		t.Error("paged response lacks pagination")
	}
	_, body = s.get(t, s.access, s.tenant, "Accounts", nil)
	env = nil
	json.Unmarshal(body, &env)
	if _, ok := env["pagination"]; ok {
		t.Error("unpaged endpoint has pagination")
	}
}

// TestLineItemsOnlyWhenPaged: list calls without page return summaries;
// paged and single-record calls carry the lines (xero-api.md §3).
func TestLineItemsOnlyWhenPaged(t *testing.T) {
	s := newSignedIn(t, nil)
	for _, ep := range []struct{ name, lines, id string }{
		{"Invoices", "LineItems", "InvoiceID"},
		{"CreditNotes", "LineItems", "CreditNoteID"},
		{"BankTransactions", "LineItems", "BankTransactionID"},
		{"ManualJournals", "JournalLines", "ManualJournalID"},
		{"PurchaseOrders", "LineItems", "PurchaseOrderID"},
		{"Quotes", "LineItems", "QuoteID"},
	} {
		t.Run(ep.name, func(t *testing.T) {
			for _, r := range s.list(t, ep.name, ep.name, nil).records {
				if _, ok := r[ep.lines]; ok {
					t.Fatalf("unpaged %s carries %s", ep.name, ep.lines)
				}
			}
			paged := s.list(t, ep.name+"?page=1", ep.name, nil).records
			if len(paged) == 0 {
				t.Fatal("no records")
			}
			if _, ok := paged[0][ep.lines]; !ok {
				t.Fatalf("paged %s lacks %s", ep.name, ep.lines)
			}
			one := s.list(t, fmt.Sprintf("%s/%s", ep.name, paged[0][ep.id]), ep.name, nil).records
			if len(one) != 1 {
				t.Fatalf("single read returned %d records", len(one))
			}
			if _, ok := one[0][ep.lines]; !ok {
				t.Fatalf("single %s lacks %s", ep.name, ep.lines)
			}
		})
	}
}

// TestPagingEveryRecordOnce (X22): walking pages by the server's
// pageCount returns every record exactly once, a page past the end is
// empty, pageSize caps at 1000 and Quotes ignore pageSize.
func TestPagingEveryRecordOnce(t *testing.T) {
	s := newSignedIn(t, nil)
	org := s.srv.World().Orgs[0]
	seen := map[string]int{}
	first := s.list(t, "Invoices?page=1&pageSize=37", "Invoices", nil)
	pg := first.Pagination
	if pg == nil || pg.PageSize != 37 || pg.ItemCount != org.Invoices.Len() || pg.PageCount != (org.Invoices.Len()+36)/37 {
		t.Fatalf("pagination %+v for %d invoices", pg, org.Invoices.Len())
	}
	for page := 1; page <= pg.PageCount; page++ {
		for _, r := range s.list(t, fmt.Sprintf("Invoices?page=%d&pageSize=37", page), "Invoices", nil).records {
			seen[r["InvoiceID"].(string)]++
		}
	}
	if len(seen) != org.Invoices.Len() {
		t.Errorf("pages held %d distinct invoices, want %d", len(seen), org.Invoices.Len())
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("invoice %s on %d pages", id, n)
		}
	}
	past := s.list(t, fmt.Sprintf("Invoices?page=%d&pageSize=37", pg.PageCount+1), "Invoices", nil)
	if len(past.records) != 0 || past.Pagination.Page != pg.PageCount+1 {
		t.Errorf("page past the end: %d records, pagination %+v", len(past.records), past.Pagination)
	}
	if big := s.list(t, "Invoices?page=1&pageSize=5000", "Invoices", nil); big.Pagination.PageSize != maxPageSize {
		t.Errorf("pageSize=5000 served as %d, want %d", big.Pagination.PageSize, maxPageSize)
	}
	if q := s.list(t, "Quotes?page=1&pageSize=1000", "Quotes", nil); q.Pagination.PageSize != defaultPageSize {
		t.Errorf("Quotes took pageSize: served %d per page, want %d", q.Pagination.PageSize, defaultPageSize)
	}
}

// TestIfModifiedSince: the header filters on UpdatedDateUTC at one-second
// precision, inclusive, in every format clients send; endpoints that do
// not honour it ignore it.
func TestIfModifiedSince(t *testing.T) {
	s := newSignedIn(t, nil)
	org := s.srv.World().Orgs[0]
	all := org.Invoices.All()
	pivot := all[len(all)/2].UpdatedDateUTC.Time()
	sec := pivot.Truncate(time.Second)
	want := 0
	for _, inv := range all {
		if !inv.UpdatedDateUTC.Time().Before(sec) {
			want++
		}
	}
	for _, h := range []string{
		sec.Format("2006-01-02T15:04:05"),
		sec.Format(http.TimeFormat),
		pivot.Format("2006-01-02T15:04:05.000Z07:00"),
		pivot.In(time.FixedZone("", -8*3600)).Format("2006-01-02T15:04:05.000-07:00"),
	} {
		got := s.list(t, "Invoices?page=1&pageSize=1000", "Invoices", http.Header{"If-Modified-Since": {h}})
		if got.Pagination.ItemCount != want {
			t.Errorf("If-Modified-Since %q: %d invoices, want %d (inclusive at the second)", h, got.Pagination.ItemCount, want)
		}
		// The pivot record itself (a boundary row) is always returned again.
		found := false
		for _, r := range got.records {
			found = found || r["InvoiceID"] == all[len(all)/2].InvoiceID
		}
		if !found && got.Pagination.PageCount == 1 {
			t.Errorf("If-Modified-Since %q: boundary invoice not returned", h)
		}
	}
	future := http.Header{"If-Modified-Since": {testStart.Add(time.Hour).Format(http.TimeFormat)}}
	if n := len(s.list(t, "Invoices", "Invoices", future).records); n != 0 {
		t.Errorf("future If-Modified-Since returned %d invoices", n)
	}
	if n := len(s.list(t, "TaxRates", "TaxRates", future).records); n != org.TaxRates.Len() {
		t.Errorf("TaxRates honoured If-Modified-Since: %d of %d", n, org.TaxRates.Len())
	}
	resp, body := s.get(t, s.access, s.tenant, "Invoices", http.Header{"If-Modified-Since": {"yesterday"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "ValidationException") {
		t.Errorf("bad If-Modified-Since: %d %s", resp.StatusCode, body)
	}
}

// TestHiddenUnlessAsked: archived contacts, archived tracking categories
// and deleted bank transfers appear only when asked for.
func TestHiddenUnlessAsked(t *testing.T) {
	s := newSignedIn(t, nil)
	org := s.srv.World().Orgs[0]
	count := func(path, key, field, value string) (n, with int) {
		for _, r := range s.list(t, path, key, nil).records {
			n++
			if r[field] == value {
				with++
			}
		}
		return n, with
	}
	n, archived := count("Contacts", "Contacts", "ContactStatus", "ARCHIVED")
	nAll, archivedAll := count("Contacts?includeArchived=true", "Contacts", "ContactStatus", "ARCHIVED")
	if archived != 0 || archivedAll == 0 || nAll != org.Contacts.Len() || n != nAll-archivedAll {
		t.Errorf("Contacts: %d (%d archived) by default, %d (%d archived) with includeArchived, %d held", n, archived, nAll, archivedAll, org.Contacts.Len())
	}
	n, deleted := count("BankTransfers", "BankTransfers", "Status", "DELETED")
	nAll, deletedAll := count("BankTransfers?includeDeleted=true", "BankTransfers", "Status", "DELETED")
	if deleted != 0 || deletedAll == 0 || nAll != org.BankTransfers.Len() || n != nAll-deletedAll {
		t.Errorf("BankTransfers: %d (%d deleted) by default, %d (%d deleted) with includeDeleted", n, deleted, nAll, deletedAll)
	}
	n, archived = count("TrackingCategories", "TrackingCategories", "Status", "ARCHIVED")
	_, archivedAll = count("TrackingCategories?includeArchived=true", "TrackingCategories", "Status", "ARCHIVED")
	if archived != 0 || archivedAll == 0 {
		t.Errorf("TrackingCategories: %d archived by default, %d with includeArchived", archived, archivedAll)
	}
}

// TestWhereOrderAndListFilters covers the common filters clients send.
func TestWhereOrderAndListFilters(t *testing.T) {
	s := newSignedIn(t, nil)
	org := s.srv.World().Orgs[0]
	authorised := 0
	for _, inv := range org.Invoices.All() {
		if inv.Status == "AUTHORISED" && inv.Type == "ACCREC" {
			authorised++
		}
	}
	got := s.list(t, "Invoices?page=1&pageSize=1000&where="+url.QueryEscape(`Status=="AUTHORISED" AND Type=="ACCREC"`), "Invoices", nil)
	if got.Pagination.ItemCount != authorised {
		t.Errorf("where Status/Type: %d, want %d", got.Pagination.ItemCount, authorised)
	}
	byStatus := s.list(t, "Invoices?page=1&pageSize=1000&Statuses=AUTHORISED&where="+url.QueryEscape(`Type=="ACCREC"`), "Invoices", nil)
	if byStatus.Pagination.ItemCount != authorised {
		t.Errorf("Statuses + where: %d, want %d", byStatus.Pagination.ItemCount, authorised)
	}
	desc := s.list(t, "Invoices?page=1&order="+url.QueryEscape("UpdatedDateUTC DESC"), "Invoices", nil).records
	all := org.Invoices.All()
	if desc[0]["InvoiceID"] != all[len(all)-1].InvoiceID {
		t.Errorf("order=UpdatedDateUTC DESC: first %v, want the newest %v", desc[0]["InvoiceID"], all[len(all)-1].InvoiceID)
	}
	ids := []string{all[3].InvoiceID, strings.ToUpper(all[7].InvoiceID)}
	if n := len(s.list(t, "Invoices?IDs="+strings.Join(ids, ","), "Invoices", nil).records); n != 2 {
		t.Errorf("IDs=two ids: %d invoices", n)
	}
	many := make([]string, maxListIDs+1)
	for i := range many {
		many[i] = all[i].InvoiceID
	}
	if resp, _ := s.get(t, s.access, s.tenant, "Invoices?IDs="+strings.Join(many, ","), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("over-long IDs list: %d, want Xero's 404", resp.StatusCode)
	}
}

// TestJournalsByOffset (X18): journals come 100 at a time after an
// exclusive offset, numbered with gaps; a loop on the largest number seen
// reads every journal once, while repeating offset=0 returns the same 100.
func TestJournalsByOffset(t *testing.T) {
	s := newSignedIn(t, nil)
	org := s.srv.World().Orgs[0]
	seen := map[string]bool{}
	offset, calls, gaps := 0.0, 0, 0
	for {
		got := s.list(t, fmt.Sprintf("Journals?offset=%.0f", offset), "Journals", nil).records
		calls++
		if len(got) > journalsPerCall {
			t.Fatalf("%d journals in one call, max %d", len(got), journalsPerCall)
		}
		for _, j := range got {
			n := j["JournalNumber"].(float64)
			if n <= offset {
				t.Fatalf("offset %.0f returned journal %.0f: offset must be exclusive", offset, n)
			}
			if n > offset+1 {
				gaps++
			}
			offset = n
			seen[j["JournalID"].(string)] = true
		}
		if len(got) < journalsPerCall {
			break
		}
	}
	if len(seen) != org.Journals.Len() {
		t.Errorf("offset loop read %d journals, org has %d", len(seen), org.Journals.Len())
	}
	if gaps == 0 {
		t.Error("JournalNumbers are contiguous; Xero's have gaps")
	}
	a := s.list(t, "Journals", "Journals", nil).records
	b := s.list(t, "Journals", "Journals", nil).records
	if a[0]["JournalID"] != b[0]["JournalID"] || len(a) != journalsPerCall {
		t.Error("without offset, every call should return the same first 100")
	}
	one := s.list(t, fmt.Sprintf("Journals/%.0f", a[5]["JournalNumber"]), "Journals", nil).records
	if len(one) != 1 || one[0]["JournalID"] != a[5]["JournalID"] {
		t.Fatalf("Journals/{number} returned %v", one)
	}
	if _, ok := one[0]["SourceID"]; ok {
		t.Error("single journal carries SourceID; Xero omits it")
	}
}

// TestHighVolumeOrganisation (X21): above the threshold, unpaged requests
// for a paged endpoint get the 400 HighVolumeException; paged ones work.
func TestHighVolumeOrganisation(t *testing.T) {
	s := newSignedIn(t, func(c *Config) { c.HighVolumeThreshold = 50 })
	resp, body := s.get(t, s.access, s.tenant, "Invoices", nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"ErrorNumber":51`) ||
		!strings.Contains(string(body), "not filtering Invoices efficiently") {
		t.Fatalf("unpaged on a high-volume org: %d %s", resp.StatusCode, body)
	}
	if resp, _ := s.get(t, s.access, s.tenant, "Invoices?page=1&pageSize=1000", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("paged on a high-volume org: %d", resp.StatusCode)
	}
}

// TestNegativeDates (X20): pre-1970 dates are served as negative /Date()/.
func TestNegativeDates(t *testing.T) {
	s := newSignedIn(t, nil)
	found := false
	for _, path := range []string{"Invoices?page=1&pageSize=1000", "Contacts?page=1&pageSize=1000&includeArchived=true"} {
		_, body := s.get(t, s.access, s.tenant, path, nil)
		found = found || strings.Contains(string(body), `"/Date(-`)
	}
	if !found {
		t.Error("no negative /Date(-…)/ value served; clients must meet one")
	}
}

// TestBadInputNeverOurError: malformed requests get Xero's status and
// body shape, and never a 5xx of the sandbox's own.
func TestBadInputNeverOurError(t *testing.T) {
	s := newSignedIn(t, nil)
	cases := []struct {
		method, path string
		header       http.Header
		status       int
		contentType  string
	}{
		{"GET", "NoSuchEndpoint", nil, 404, contentHTML},
		{"GET", "Invoices/not-an-id", nil, 404, contentHTML},
		{"GET", "Invoices/00000000-0000-0000-0000-000000000000", nil, 404, contentHTML},
		{"GET", "Invoices/a/b/c", nil, 404, contentHTML},
		{"GET", "Invoices?page=abc", nil, 400, contentJSON},
		{"GET", "Invoices?pageSize=-5&page=1", nil, 200, contentJSON},
		{"GET", "Invoices?where=" + url.QueryEscape(`Status==`), nil, 400, contentJSON},
		{"GET", "Invoices?where=" + url.QueryEscape(`NoField=="x"`), nil, 400, contentJSON},
		{"GET", "Invoices?order=" + url.QueryEscape("Total SIDEWAYS"), nil, 400, contentJSON},
		{"GET", "Invoices?IDs=nope", nil, 400, contentJSON},
		{"GET", "Journals?offset=x", nil, 400, contentJSON},
		{"GET", "PurchaseOrders?DateFrom=31/12/2025", nil, 400, contentJSON},
		{"GET", "Reports/NoSuchReport", nil, 404, contentHTML},
		{"GET", "Reports/TrialBalance?date=notadate", nil, 400, contentJSON},
		{"POST", "Invoices", nil, 501, "text/xml; charset=utf-8"},
		{"DELETE", "Invoices", nil, 501, "text/xml; charset=utf-8"},
		{"GET", "Invoices", http.Header{"Accept": {"application/xml"}}, 406, contentText},
		{"GET", "Invoices", http.Header{"Authorization": {"Bearer nope"}}, 401, contentJSON},
		{"GET", "Invoices", http.Header{"Authorization": {"Basic Zm9vOmJhcg=="}}, 401, contentJSON},
		{"GET", "Invoices", http.Header{"Xero-Tenant-Id": {"not-a-tenant"}}, 403, contentJSON},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, s.base+"/api.xro/2.0/"+c.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.access)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Xero-Tenant-Id", s.tenant)
			for k, v := range c.header {
				req.Header[k] = v
			}
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != c.contentType {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), c.status, c.contentType)
			}
		})
	}
}
