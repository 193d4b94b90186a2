package xero

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// admin calls the admin API and returns the status and body, which must
// be JSON (NDJSON for truth).
func (e *testEnv) admin(t testing.TB, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	ct := resp.Header.Get("Content-Type")
	switch {
	case ct == "application/x-ndjson" && resp.StatusCode == 200:
	case strings.HasPrefix(ct, "application/json") && json.Valid(b):
	default:
		t.Fatalf("%s %s: %d %q %.300s: want JSON", method, path, resp.StatusCode, ct, b)
	}
	return resp.StatusCode, b
}

// adminOK calls the admin API, fails unless it answers 200, and decodes
// the answer into v (if not nil).
func (e *testEnv) adminOK(t testing.TB, method, path, body string, v any) []byte {
	t.Helper()
	status, b := e.admin(t, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, status, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return b
}

// changesAnswer is POST .../changes' answer.
type changesAnswer struct {
	Changes []Change          `json:"changes"`
	Records []json.RawMessage `json:"records"`
	Error   string            `json:"error"`
	Applied []Change          `json:"applied"`
}

// imsHeader is an If-Modified-Since header for an instant, as Airbyte and
// Nango send it (no zone: UTC).
func imsHeader(t time.Time) http.Header {
	return http.Header{"If-Modified-Since": {t.UTC().Format("2006-01-02T15:04:05")}}
}

// ids lists the value of an id field of decoded records.
func ids(records []map[string]any, field string) map[string]bool {
	out := map[string]bool{}
	for _, r := range records {
		id, _ := r[field].(string)
		out[id] = true
	}
	return out
}

// changedIDs lists the ids of an endpoint's changes, silent ones apart.
func changedIDs(changes []Change, endpoint string) (visible, silent map[string]bool) {
	visible, silent = map[string]bool{}, map[string]bool{}
	for _, c := range changes {
		if c.Endpoint != endpoint {
			continue
		}
		if c.Silent {
			silent[c.ID] = true
		} else {
			visible[c.ID] = true
		}
	}
	return visible, silent
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// advance moves the clock on and signs in again, as access tokens last
// 30 provider minutes; it returns the clock's new now.
func (s *signedIn) advance(t *testing.T, d time.Duration) time.Time {
	t.Helper()
	now := s.srv.Clock().Advance(d)
	s.access = s.signIn(t, allReadScopes, "*").AccessToken
	return now
}

func TestAdminIndex(t *testing.T) {
	e := newTestEnv(t, nil)
	var idx adminIndex
	e.adminOK(t, http.MethodGet, "/_sandbox/", "", &idx)
	w := e.srv.World()
	if len(idx.Orgs) != len(w.Orgs) || len(idx.Users) != len(w.Users) || !idx.Clock.Now.Equal(testStart) {
		t.Fatalf("index %+v", idx)
	}
	for i, o := range w.Orgs {
		got := idx.Orgs[i]
		if got.ID != o.ID || got.Name != o.Name || got.Records["Invoices"] != o.Invoices.Len() ||
			got.Records["Journals"] != o.Journals.Len() || got.Total != o.RecordCount() || got.Offline {
			t.Errorf("org %d: %+v, want %s with %d records", i, got, o.Name, o.RecordCount())
		}
	}
	if idx.Users[0].Email != w.Users[0].Email || len(idx.Users[0].OrgIDs) != len(w.Orgs) {
		t.Errorf("users %+v", idx.Users)
	}
}

// TestAdminKitRoutes drives the clock, meter and faults through the Xero
// sandbox's own mount of the kit's routes.
func TestAdminKitRoutes(t *testing.T) {
	s := newSignedIn(t, nil)
	var clock sandbox.ClockState
	s.adminOK(t, http.MethodPost, "/_sandbox/clock", `{"advance":"36h"}`, &clock)
	if want := testStart.Add(36 * time.Hour); !clock.Now.Equal(want) || !s.srv.Clock().Now().Equal(want) {
		t.Errorf("clock at %v, want %v", clock.Now, want)
	}
	s.access = s.signIn(t, allReadScopes, "*").AccessToken
	s.adminOK(t, http.MethodPost, "/_sandbox/meter/reset", "", nil)
	s.list(t, "Invoices?page=1", "Invoices", nil)
	var rep sandbox.MeterReport
	s.adminOK(t, http.MethodGet, "/_sandbox/meter", "", &rep)
	if rep.Calls != 1 || len(rep.Usage) != 1 || rep.Usage[0].Endpoint != "Invoices" || rep.Usage[0].Tenant != s.tenant || rep.Bytes == 0 {
		t.Errorf("meter %+v, want one Invoices call", rep)
	}
	s.adminOK(t, http.MethodPut, "/_sandbox/faults", "Invoices:500@call=1", nil)
	if resp, _ := s.get(t, s.access, s.tenant, "Invoices?page=1", nil); resp.StatusCode != 500 {
		t.Errorf("after the fault profile: %d, want 500", resp.StatusCode)
	}
	var faults sandbox.FaultState
	s.adminOK(t, http.MethodGet, "/_sandbox/faults", "", &faults)
	if faults.Fired["500"] != 1 || faults.Profile != "Invoices:500@call=1" {
		t.Errorf("faults %+v", faults)
	}
}

// TestAdminTruth: every endpoint's truth is its collection, record for
// record in default order, whatever the Accounting API hides by default.
func TestAdminTruth(t *testing.T) {
	e := newTestEnv(t, nil)
	o := e.srv.World().Orgs[0]
	want := map[string]any{
		"Organisation": []*Organisation{o.Organisation}, "Accounts": o.Accounts.All(), "Contacts": o.Contacts.All(),
		"ContactGroups": o.ContactGroups.All(), "Invoices": o.Invoices.All(), "CreditNotes": o.CreditNotes.All(),
		"Payments": o.Payments.All(), "Overpayments": o.Overpayments.All(), "Prepayments": o.Prepayments.All(),
		"BankTransactions": o.BankTransactions.All(), "BankTransfers": o.BankTransfers.All(), "BatchPayments": o.BatchPayments.All(),
		"ManualJournals": o.ManualJournals.All(), "Journals": o.Journals.All(), "Items": o.Items.All(), "TaxRates": o.TaxRates.All(),
		"TrackingCategories": o.TrackingCategories.All(), "Currencies": o.Currencies.All(), "Users": o.Users.All(),
		"PurchaseOrders": o.PurchaseOrders.All(), "Quotes": o.Quotes.All(),
	}
	for _, src := range truthSources() {
		_, body := e.admin(t, http.MethodGet, "/_sandbox/tenants/"+o.ID+"/truth/"+strings.ToLower(src.name), "")
		var viaMethod bytes.Buffer
		if err := e.srv.Truth(strings.ToUpper(o.ID), src.name, &viaMethod); err != nil || !bytes.Equal(body, viaMethod.Bytes()) {
			t.Errorf("%s: Truth() differs from the route (%v)", src.name, err)
		}
		lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
		if src.name == "Attachments" {
			n := 0
			for _, list := range o.Attachments {
				n += len(list)
			}
			for _, l := range lines {
				var a struct{ ParentID, AttachmentID string }
				if json.Unmarshal(l, &a) != nil || len(o.Attachments[a.ParentID]) == 0 || a.AttachmentID == "" {
					t.Errorf("attachment line %s", l)
				}
			}
			if len(lines) != n || n == 0 {
				t.Errorf("Attachments: %d lines for %d attachments", len(lines), n)
			}
			continue
		}
		var expect bytes.Buffer
		recs, _ := json.Marshal(want[src.name])
		var raw []json.RawMessage
		json.Unmarshal(recs, &raw)
		for _, r := range raw {
			expect.Write(r)
			expect.WriteByte('\n')
		}
		if !bytes.Equal(body, expect.Bytes()) || len(raw) != src.count(o) || len(raw) == 0 {
			t.Errorf("%s: truth of %d lines differs from the %d records held", src.name, len(lines), len(raw))
		}
	}
	// The truth holds what default lists hide, and lines of every record.
	_, body := e.admin(t, http.MethodGet, "/_sandbox/tenants/"+o.ID+"/truth/Contacts", "")
	if !bytes.Contains(body, []byte(`"ContactStatus":"ARCHIVED"`)) {
		t.Errorf("Contacts truth has no archived contact")
	}
	_, body = e.admin(t, http.MethodGet, "/_sandbox/tenants/"+o.ID+"/truth/BankTransfers", "")
	if !bytes.Contains(body, []byte(`"Status":"DELETED"`)) {
		t.Errorf("BankTransfers truth has no deleted transfer")
	}
	if err := e.srv.Truth(o.ID, "Widgets", io.Discard); sandbox.AdminStatus(err) != 404 {
		t.Errorf("Truth of an unknown endpoint: %v", err)
	}
}

// TestAdminChangesVisibleWithIMS: records changed through the admin API
// are exactly what an incremental pull (If-Modified-Since) gets back.
func TestAdminChangesVisibleWithIMS(t *testing.T) {
	s := newSignedIn(t, nil)
	o := s.srv.World().Orgs[0]
	contact := find(t, o.Contacts, "an active contact", func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
	open := find(t, o.Invoices, "an open invoice", func(i *Invoice) bool { return i.Status == "AUTHORISED" && i.AmountDue > 0 && settled(i) })
	fresh := find(t, o.Invoices, "an unsettled invoice", func(i *Invoice) bool { return i.Status == "AUTHORISED" && !settled(i) })
	lastJournal := o.Journals.All()[o.Journals.Len()-1].JournalNumber

	now := s.advance(t, time.Hour)
	batch, _ := json.Marshal(map[string]any{"changes": []ChangeRequest{
		newInvoice(contact.ContactID, "ACCREC", "AUTHORISED"),
		{Op: OpPay, Endpoint: "Invoices", ID: open.InvoiceID},
		{Op: OpVoid, Endpoint: "Invoices", ID: fresh.InvoiceID},
		{Op: OpUpdate, Endpoint: "Contacts", ID: contact.ContactID, Record: record(map[string]string{"EmailAddress": "new@example.com"})},
		{Op: OpCreate, Endpoint: "BankTransactions", Record: record(map[string]any{"Type": "RECEIVE", "BankAccount": map[string]string{"Code": "090"},
			"LineItems": []map[string]any{{"Description": "Interest", "UnitAmount": 3.21, "AccountCode": "270"}}})},
	}})
	var ans changesAnswer
	s.adminOK(t, http.MethodPost, "/_sandbox/tenants/"+o.ID+"/changes", string(batch), &ans)
	if len(ans.Records) != 5 || !bytes.Contains(ans.Records[2], []byte(`"Status":"VOIDED"`)) {
		t.Fatalf("records %s", ans.Records)
	}

	for _, tc := range []struct{ endpoint, path, idField string }{
		{"Invoices", "Invoices", "InvoiceID"},
		{"Payments", "Payments", "PaymentID"},
		{"Contacts", "Contacts", "ContactID"},
		{"BankTransactions", "BankTransactions", "BankTransactionID"},
	} {
		want, _ := changedIDs(ans.Changes, tc.endpoint)
		got := ids(s.list(t, tc.path, tc.endpoint, imsHeader(now)).records, tc.idField)
		if !sameSet(got, want) || len(want) == 0 {
			t.Errorf("%s since the changes: got %v, want %v", tc.endpoint, got, want)
		}
	}
	journals := s.list(t, "Journals?offset="+strconv.FormatInt(lastJournal, 10), "Journals", nil).records
	if want, _ := changedIDs(ans.Changes, "Journals"); !sameSet(ids(journals, "JournalID"), want) || len(want) != 4 {
		t.Errorf("journals after %d: %d, want the %d posted", lastJournal, len(journals), len(want))
	}
}

// TestX19IMSBlindEdit: Xero leaves UpdatedDateUTC alone for some edits (a
// line's account recoded, the due date of a part-paid invoice), so an
// incremental pull by If-Modified-Since misses them; the truth and the
// journals (for the recode) show them.
func TestX19IMSBlindEdit(t *testing.T) {
	s := newSignedIn(t, nil)
	o := s.srv.World().Orgs[0]
	inv := find(t, o.Invoices, "an unpaid sales invoice", func(i *Invoice) bool {
		return i.Status == "AUTHORISED" && i.Type == "ACCREC" && !settled(i) && i.LineItems[0].AccountCode != "210"
	})
	lastJournal := o.Journals.All()[o.Journals.Len()-1].JournalNumber
	tenant := "/_sandbox/tenants/" + o.ID

	now := s.advance(t, time.Hour)
	var ans changesAnswer
	s.adminOK(t, http.MethodPost, tenant+"/changes",
		`{"op":"silent-edit","endpoint":"Invoices","id":"`+inv.InvoiceID+`","edit":"line-account","line":0,"accountCode":"210"}`, &ans)
	if !hasChange(ans.Changes, OpSilentEdit, "Invoices", inv.InvoiceID, true) {
		t.Fatalf("changes %v: want a silent edit", ans.Changes)
	}
	if got := s.list(t, "Invoices", "Invoices", imsHeader(now)).records; len(got) != 0 {
		t.Errorf("If-Modified-Since returned %d invoices after a silent recode, want none", len(got))
	}
	if truthInvoice(t, s.testEnv, o.ID, inv.InvoiceID).LineItems[0].AccountCode != "210" {
		t.Errorf("the truth does not show the recode")
	}
	journals := s.list(t, "Journals?offset="+strconv.FormatInt(lastJournal, 10), "Journals", nil).records
	if len(journals) != 2 || journals[0]["SourceID"] != inv.InvoiceID || journals[1]["SourceID"] != inv.InvoiceID {
		t.Errorf("journals after the recode: %v, want a reversal and a re-post of the invoice", journals)
	}

	// The due date of a part-paid invoice.
	s.adminOK(t, http.MethodPost, tenant+"/changes", `{"op":"pay","endpoint":"Invoices","id":"`+inv.InvoiceID+`","amount":1}`, nil)
	now = s.advance(t, time.Hour)
	s.adminOK(t, http.MethodPost, tenant+"/changes",
		`{"op":"silent-edit","endpoint":"Invoices","id":"`+inv.InvoiceID+`","edit":"due-date","dueDate":"2027-01-31"}`, nil)
	if got := s.list(t, "Invoices", "Invoices", imsHeader(now)).records; len(got) != 0 {
		t.Errorf("If-Modified-Since returned %d invoices after a silent due date, want none", len(got))
	}
	if got := truthInvoice(t, s.testEnv, o.ID, inv.InvoiceID); got.DueDateString != "2027-01-31T00:00:00" {
		t.Errorf("truth due date %s", got.DueDateString)
	}
	// A normal update of the same field is seen.
	now = s.advance(t, time.Hour)
	s.adminOK(t, http.MethodPost, tenant+"/changes", `{"op":"update","endpoint":"Invoices","id":"`+inv.InvoiceID+`","record":{"DueDate":"2027-02-28"}}`, nil)
	if got := s.list(t, "Invoices", "Invoices", imsHeader(now)).records; len(got) != 1 {
		t.Errorf("If-Modified-Since returned %d invoices after a normal update, want it", len(got))
	}
}

// truthInvoice reads one invoice from the truth route.
func truthInvoice(t *testing.T, e *testEnv, tenant, id string) Invoice {
	t.Helper()
	_, body := e.admin(t, http.MethodGet, "/_sandbox/tenants/"+tenant+"/truth/Invoices", "")
	for _, line := range bytes.Split(body, []byte("\n")) {
		var inv Invoice
		if json.Unmarshal(line, &inv) == nil && inv.InvoiceID == id {
			return inv
		}
	}
	t.Fatalf("invoice %s not in the truth", id)
	return Invoice{}
}

// TestAdminSoftDeletedTransfer: a deleted bank transfer keeps its
// CreatedDateUTC, so If-Modified-Since and the default list never show it
// go; includeDeleted=true and the truth do.
func TestAdminSoftDeletedTransfer(t *testing.T) {
	s := newSignedIn(t, nil)
	o := s.srv.World().Orgs[0]
	tenant := "/_sandbox/tenants/" + o.ID
	s.advance(t, time.Hour)
	var created changesAnswer
	s.adminOK(t, http.MethodPost, tenant+"/changes", `{"op":"create","endpoint":"BankTransfers","record":{"FromBankAccount":{"Code":"091"},"ToBankAccount":{"Code":"090"},"Amount":250}}`, &created)
	id := created.Changes[0].ID
	if got := ids(s.list(t, "BankTransfers", "BankTransfers", imsHeader(s.srv.Clock().Now())).records, "BankTransferID"); !got[id] || len(got) != 1 {
		t.Fatalf("a new transfer is not seen by If-Modified-Since: %v", got)
	}

	now := s.advance(t, time.Hour)
	var deleted changesAnswer
	s.adminOK(t, http.MethodPost, tenant+"/changes", `{"op":"delete","endpoint":"BankTransfers","id":"`+id+`"}`, &deleted)
	if !hasChange(deleted.Changes, OpDelete, "BankTransfers", id, true) {
		t.Errorf("changes %v: want the delete reported silent", deleted.Changes)
	}
	if got := s.list(t, "BankTransfers", "BankTransfers", imsHeader(now)).records; len(got) != 0 {
		t.Errorf("If-Modified-Since after the delete returned %d transfers, want none", len(got))
	}
	if ids(s.list(t, "BankTransfers", "BankTransfers", nil).records, "BankTransferID")[id] {
		t.Errorf("the default list shows the deleted transfer")
	}
	var found map[string]any
	for _, r := range s.list(t, "BankTransfers?includeDeleted=true", "BankTransfers", nil).records {
		if r["BankTransferID"] == id {
			found = r
		}
	}
	if found == nil || found["Status"] != "DELETED" {
		t.Errorf("includeDeleted=true: %v, want the transfer DELETED", found)
	}
	// Its bank sides do move: the only trace an incremental pull can see.
	sides := ids(s.list(t, "BankTransactions", "BankTransactions", imsHeader(now)).records, "BankTransactionID")
	if want, _ := changedIDs(deleted.Changes, "BankTransactions"); !sameSet(sides, want) || len(want) != 2 {
		t.Errorf("bank transactions since the delete: %v, want its two sides %v", sides, want)
	}
}

func TestAdminActivity(t *testing.T) {
	e := newTestEnv(t, nil)
	o := e.srv.World().Orgs[1]
	before := o.RecordCount()
	e.srv.Clock().Advance(time.Hour)
	var ans changesAnswer
	e.adminOK(t, http.MethodPost, "/_sandbox/tenants/"+o.ID+"/activity", `{"changes":60,"seed":3}`, &ans)
	if len(ans.Changes) < 60 || o.RecordCount() <= before {
		t.Errorf("activity: %d changes, %d records (was %d)", len(ans.Changes), o.RecordCount(), before)
	}
	checkBooks(t, o)
}

func TestAdminTenantControls(t *testing.T) {
	s := newSignedIn(t, nil)
	tenant := "/_sandbox/tenants/" + s.tenant

	var state struct {
		Tenant  string `json:"tenant"`
		Offline bool   `json:"offline"`
	}
	s.adminOK(t, http.MethodPost, tenant+"/offline", `{"offline":true}`, &state)
	if !state.Offline || state.Tenant != s.tenant || !s.srv.orgOffline(strings.ToUpper(s.tenant)) {
		t.Errorf("offline: %+v", state)
	}
	if resp, body := s.get(t, s.access, s.tenant, "Invoices", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("API call while the organisation is offline: %d %s", resp.StatusCode, body)
	}
	var idx adminIndex
	s.adminOK(t, http.MethodGet, "/_sandbox/", "", &idx)
	if !idx.Orgs[0].Offline || idx.Orgs[1].Offline {
		t.Errorf("index offline flags %v %v", idx.Orgs[0].Offline, idx.Orgs[1].Offline)
	}
	s.adminOK(t, http.MethodPost, tenant+"/offline", `{"offline":false}`, &state)
	if state.Offline || s.srv.orgOffline(s.tenant) {
		t.Errorf("back online: %+v", state)
	}

	var expired map[string]int
	s.adminOK(t, http.MethodPost, "/_sandbox/tokens/expire", "", &expired)
	if resp, _ := s.get(t, s.access, s.tenant, "Organisation", nil); expired["expired"] < 1 || resp.StatusCode != 401 {
		t.Errorf("expire: %v, then %d; want 401", expired, resp.StatusCode)
	}

	tok := s.signIn(t, allReadScopes, "*")
	var removed map[string]int
	s.adminOK(t, http.MethodPost, tenant+"/disconnect", "", &removed)
	if resp, _ := s.get(t, tok.AccessToken, s.tenant, "Organisation", nil); removed["removed"] < 1 || resp.StatusCode != 403 {
		t.Errorf("disconnect: %v, then %d; want 403", removed, resp.StatusCode)
	}
	other := s.srv.World().Orgs[1].ID
	if resp, _ := s.get(t, tok.AccessToken, other, "Organisation", nil); resp.StatusCode != 200 {
		t.Errorf("the other tenant after disconnecting one: %d", resp.StatusCode)
	}
	s.adminOK(t, http.MethodPost, "/_sandbox/users/"+s.srv.World().Users[0].ID+"/revoke", "", &removed)
	// Revocation kills the user's tokens too: 401 (or 403, were the token to live).
	if resp, _ := s.get(t, tok.AccessToken, other, "Organisation", nil); removed["removed"] < 1 || resp.StatusCode != 401 && resp.StatusCode != 403 {
		t.Errorf("revoke: %v, then %d; want 401 or 403", removed, resp.StatusCode)
	}
}

func TestAdminBadInput(t *testing.T) {
	e := newTestEnv(t, nil)
	o := e.srv.World().Orgs[0]
	tenant := "/_sandbox/tenants/" + o.ID
	paid := find(t, o.Invoices, "a paid invoice", func(i *Invoice) bool { return i.Status == "PAID" })
	unknown := "00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"unknown admin path", "GET", "/_sandbox/nope", "", 404},
		{"index by POST", "POST", "/_sandbox/", "", 405},
		{"truth of an unknown tenant", "GET", "/_sandbox/tenants/" + unknown + "/truth/Invoices", "", 404},
		{"truth of a tenant that is no id", "GET", "/_sandbox/tenants/acme/truth/Invoices", "", 404},
		{"truth of an unknown endpoint", "GET", tenant + "/truth/Widgets", "", 404},
		{"truth by POST", "POST", tenant + "/truth/Invoices", "", 405},
		{"changes by GET", "GET", tenant + "/changes", "", 405},
		{"changes to an unknown tenant", "POST", "/_sandbox/tenants/" + unknown + "/changes", `{"op":"void","endpoint":"Invoices","id":"x"}`, 404},
		{"malformed JSON", "POST", tenant + "/changes", `{"op":`, 400},
		{"trailing garbage", "POST", tenant + "/changes", `{"op":"void"} x`, 400},
		{"no change", "POST", tenant + "/changes", `{}`, 400},
		{"empty list", "POST", tenant + "/changes", `{"changes":[]}`, 400},
		{"one and a list", "POST", tenant + "/changes", `{"op":"void","endpoint":"Invoices","id":"x","changes":[{"op":"void"}]}`, 400},
		{"unknown argument", "POST", tenant + "/changes", `{"op":"void","endpoint":"Invoices","id":"x","colour":"red"}`, 400},
		{"unknown endpoint", "POST", tenant + "/changes", `{"op":"void","endpoint":"Widgets","id":"x"}`, 400},
		{"unknown op", "POST", tenant + "/changes", `{"op":"polish","endpoint":"Invoices","id":"x"}`, 400},
		{"unknown id", "POST", tenant + "/changes", `{"op":"void","endpoint":"Invoices","id":"` + unknown + `"}`, 404},
		{"void a paid invoice", "POST", tenant + "/changes", `{"op":"void","endpoint":"Invoices","id":"` + paid.InvoiceID + `"}`, 400},
		{"bad record field", "POST", tenant + "/changes", `{"op":"update","endpoint":"Invoices","id":"` + paid.InvoiceID + `","record":{"Colour":"red"}}`, 400},
		{"activity of none", "POST", tenant + "/activity", `{"changes":0}`, 400},
		{"activity of too many", "POST", tenant + "/activity", `{"changes":1000000}`, 400},
		{"activity by GET", "GET", tenant + "/activity", "", 405},
		{"offline without a value", "POST", tenant + "/offline", `{}`, 400},
		{"offline of an unknown tenant", "POST", "/_sandbox/tenants/" + unknown + "/offline", `{"offline":true}`, 404},
		{"disconnect an unknown tenant", "POST", "/_sandbox/tenants/" + unknown + "/disconnect", "", 404},
		{"revoke an unknown user", "POST", "/_sandbox/users/" + unknown + "/revoke", "", 404},
		{"expire by GET", "GET", "/_sandbox/tokens/expire", "", 405},
		{"clock backwards", "POST", "/_sandbox/clock", `{"to":"2000-01-01T00:00:00Z"}`, 400},
		{"bad fault profile", "PUT", "/_sandbox/faults", "Invoices:explode@call=1", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := orgJSON(t, o)
			status, body := e.admin(t, tc.method, tc.path, tc.body)
			var answer struct{ Error string }
			if status != tc.status || json.Unmarshal(body, &answer) != nil || answer.Error == "" {
				t.Errorf("%d %s, want %d with an error", status, body, tc.status)
			}
			if !bytes.Equal(before, orgJSON(t, o)) {
				t.Errorf("refused, but the organisation changed")
			}
		})
	}
	// A batch refused part-way names what it applied.
	status, body := e.admin(t, "POST", tenant+"/changes", `{"changes":[{"op":"update","endpoint":"Invoices","id":"`+paid.InvoiceID+
		`","record":{"Reference":"seen"}},{"op":"void","endpoint":"Invoices","id":"`+paid.InvoiceID+`"}]}`)
	var ans changesAnswer
	json.Unmarshal(body, &ans)
	if status != 400 || len(ans.Applied) != 1 || !strings.Contains(ans.Error, "change 2") {
		t.Errorf("part-applied batch: %d %s", status, body)
	}
}
