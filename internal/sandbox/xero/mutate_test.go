package xero

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// mutFixture is one organisation of a fresh demo sandbox with a frozen
// clock, changed through Apply as the admin API changes it.
type mutFixture struct {
	srv *Server
	o   *Org
}

func newMutFixture(t testing.TB) *mutFixture {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Seed, cfg.Orgs, cfg.Start, cfg.TimeScale = 7, 1, testStart, 0
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &mutFixture{srv: srv, o: srv.World().Orgs[0]}
}

// apply advances the clock a minute (so a bump is visible against any
// earlier change), applies the changes, fails the test if any is
// refused, and checks the books still hold. It returns the changes and
// the instant they were made at.
func (f *mutFixture) apply(t *testing.T, reqs ...ChangeRequest) ([]Change, MSDate) {
	t.Helper()
	now := f.srv.Clock().Advance(time.Minute)
	changes, err := f.srv.Apply(f.o.ID, reqs...)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	checkBooks(t, f.o)
	return changes, MSDateOf(now)
}

// refused applies a change that must be refused with status and checks
// that nothing changed.
func (f *mutFixture) refused(t *testing.T, status int, req ChangeRequest) {
	t.Helper()
	before := orgJSON(t, f.o)
	f.srv.Clock().Advance(time.Minute)
	changes, err := f.srv.Apply(f.o.ID, req)
	var ce *sandbox.ChangeError
	if !errors.As(err, &ce) || ce.Status != status || len(changes) != 0 {
		t.Fatalf("%s %s: err %v, changes %v; want a %d refusal", req.Op, req.Endpoint, err, changes, status)
	}
	if !bytes.Equal(before, orgJSON(t, f.o)) {
		t.Errorf("%s %s refused (%v) but the organisation changed", req.Op, req.Endpoint, err)
	}
}

// record marshals a record's fields for a ChangeRequest.
func record(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// find returns the first record in default order that matches.
func find[T Record](t *testing.T, c *Collection[T], what string, ok func(T) bool) T {
	t.Helper()
	for _, r := range c.All() {
		if ok(r) {
			return r
		}
	}
	t.Fatalf("no %s in the fixture", what)
	var zero T
	return zero
}

func get[T Record](t *testing.T, c *Collection[T], id string) T {
	t.Helper()
	r, ok := c.Get(id)
	if !ok {
		t.Fatalf("record %s is gone", id)
	}
	return r
}

// checkBooks checks the invariants every change must keep: collections in
// default order, every journal balanced, the trial balance from journals
// summing to zero and equal to the ledger's running totals, invoices and
// credit notes settled by what pays and credits them, voided and deleted
// sources netting to zero.
func checkBooks(t *testing.T, o *Org) {
	t.Helper()
	o.mu.RLock()
	defer o.mu.RUnlock()
	checkOrder(t, "Invoices", o.Invoices)
	checkOrder(t, "Contacts", o.Contacts)
	checkOrder(t, "Payments", o.Payments)
	checkOrder(t, "BankTransactions", o.BankTransactions)
	checkOrder(t, "BankTransfers", o.BankTransfers)
	checkOrder(t, "Journals", o.Journals)
	checkOrder(t, "Items", o.Items)
	checkOrder(t, "Accounts", o.Accounts)
	checkOrder(t, "CreditNotes", o.CreditNotes)
	checkOrder(t, "ManualJournals", o.ManualJournals)
	checkOrder(t, "PurchaseOrders", o.PurchaseOrders)
	checkOrder(t, "Quotes", o.Quotes)

	var prev *Journal
	for _, j := range o.Journals.All() {
		var sum Money
		for _, l := range j.JournalLines {
			sum += l.NetAmount
			if l.GrossAmount != l.NetAmount+l.TaxAmount {
				t.Fatalf("journal %d: gross %s != net %s + tax %s", j.JournalNumber, l.GrossAmount, l.NetAmount, l.TaxAmount)
			}
		}
		if sum != 0 || len(j.JournalLines) < 2 || j.SourceID == "" {
			t.Fatalf("journal %d (%s %s): %d lines off by %s", j.JournalNumber, j.SourceType, j.SourceID, len(j.JournalLines), sum)
		}
		if prev != nil && (j.JournalNumber <= prev.JournalNumber || j.CreatedDateUTC <= prev.CreatedDateUTC) {
			t.Fatalf("journal %d created %d after journal %d created %d", j.JournalNumber, j.CreatedDateUTC, prev.JournalNumber, prev.CreatedDateUTC)
		}
		prev = j
	}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tb := o.Balances(far)
	var total Money
	for _, v := range tb {
		total += v
	}
	if total != 0 {
		t.Fatalf("trial balance sums to %s", total)
	}
	if want := scanBalances(o, MSDate(-1<<62), DayOf(far)); !reflect.DeepEqual(tb, want) {
		t.Fatalf("running trial balance differs from the journals: %v vs %v", tb, want)
	}

	net := sourceNet(o)
	paid := map[string]Money{}
	for _, p := range o.Payments.All() {
		switch {
		case p.Status == "AUTHORISED" && p.Invoice.InvoiceID != "":
			paid[p.Invoice.InvoiceID] += p.Amount
		case p.Status == "DELETED" && !netsToZero(net[p.PaymentID]):
			t.Fatalf("deleted payment %s still posts %v", p.PaymentID, net[p.PaymentID])
		}
	}
	for _, inv := range o.Invoices.All() {
		var listed Money
		for _, p := range inv.Payments {
			listed += p.Amount
		}
		if listed != inv.AmountPaid || paid[inv.InvoiceID] != inv.AmountPaid {
			t.Fatalf("%s: AmountPaid %s, listed %s, payments %s", inv.InvoiceNumber, inv.AmountPaid, listed, paid[inv.InvoiceID])
		}
		sub, tax, tot := totals(inv.LineItems, inv.LineAmountTypes)
		if sub != inv.SubTotal || tax != inv.TotalTax || tot != inv.Total {
			t.Fatalf("%s: totals %s/%s/%s, lines say %s/%s/%s", inv.InvoiceNumber, inv.SubTotal, inv.TotalTax, inv.Total, sub, tax, tot)
		}
		switch inv.Status {
		case "VOIDED", "DELETED":
			if inv.AmountDue != 0 || inv.AmountPaid != 0 || !netsToZero(net[inv.InvoiceID]) {
				t.Fatalf("%s %s: due %s, paid %s, posts %v", inv.InvoiceNumber, inv.Status, inv.AmountDue, inv.AmountPaid, net[inv.InvoiceID])
			}
		default:
			if inv.AmountDue != inv.Total-inv.AmountPaid-inv.AmountCredited || inv.AmountDue < 0 {
				t.Fatalf("%s: AmountDue %s != Total %s - paid %s - credited %s", inv.InvoiceNumber, inv.AmountDue, inv.Total, inv.AmountPaid, inv.AmountCredited)
			}
		}
		switch inv.Status {
		case "AUTHORISED", "PAID":
			if (inv.Status == "PAID") != (inv.AmountDue == 0) || (inv.Status == "PAID") != (inv.FullyPaidOnDate != 0) {
				t.Fatalf("%s: %s with AmountDue %s, FullyPaidOnDate %d", inv.InvoiceNumber, inv.Status, inv.AmountDue, inv.FullyPaidOnDate)
			}
			if netsToZero(net[inv.InvoiceID]) {
				t.Fatalf("%s %s posts nothing", inv.InvoiceNumber, inv.Status)
			}
		case "DRAFT", "SUBMITTED":
			if _, ok := net[inv.InvoiceID]; ok {
				t.Fatalf("%s %s posted a journal", inv.InvoiceNumber, inv.Status)
			}
		}
	}
	for _, cn := range o.CreditNotes.All() {
		var used Money
		for _, a := range cn.Allocations {
			used += a.Amount
		}
		for _, p := range cn.Payments {
			used += p.Amount
		}
		if posted(cn.Status) && (cn.RemainingCredit != cn.Total-used || (cn.Status == "PAID") != (cn.RemainingCredit == 0)) {
			t.Fatalf("credit note %s %s: remaining %s of %s, used %s", cn.CreditNoteNumber, cn.Status, cn.RemainingCredit, cn.Total, used)
		}
		if (cn.Status == "VOIDED" || cn.Status == "DELETED") && (cn.RemainingCredit != 0 || !netsToZero(net[cn.CreditNoteID])) {
			t.Fatalf("credit note %s %s keeps credit or postings", cn.CreditNoteNumber, cn.Status)
		}
	}
	for _, bt := range o.BankTransactions.All() {
		if (bt.Type == "SPEND" || bt.Type == "RECEIVE") && bt.Status != "AUTHORISED" && !netsToZero(net[bt.BankTransactionID]) {
			t.Fatalf("bank transaction %s %s still posts", bt.BankTransactionID, bt.Status)
		}
	}
	for _, tr := range o.BankTransfers.All() {
		if (tr.Status == "DELETED") != netsToZero(net[tr.BankTransferID]) {
			t.Fatalf("bank transfer %s %s posts %v", tr.BankTransferID, tr.Status, net[tr.BankTransferID])
		}
	}
}

// checkOrder checks a collection is in default order and indexed.
func checkOrder[T Record](t *testing.T, name string, c *Collection[T]) {
	t.Helper()
	items := c.All()
	for i, r := range items {
		if got, ok := c.Get(r.RecordID()); !ok || any(got) != any(r) {
			t.Fatalf("%s: record %s not indexed", name, r.RecordID())
		}
		if i > 0 {
			p := items[i-1]
			if p.ChangeTime() > r.ChangeTime() || p.ChangeTime() == r.ChangeTime() && p.RecordID() >= r.RecordID() {
				t.Fatalf("%s out of order at %d: %s (%d) before %s (%d)", name, i, p.RecordID(), p.ChangeTime(), r.RecordID(), r.ChangeTime())
			}
		}
	}
	if len(c.byID) != len(items) {
		t.Fatalf("%s: %d indexed, %d listed", name, len(c.byID), len(items))
	}
}

// has reports whether changes include (op, endpoint, id) with the given silence.
func hasChange(changes []Change, op, endpoint, id string, silent bool) bool {
	for _, c := range changes {
		if c.Op == op && c.Endpoint == endpoint && c.ID == id && c.Silent == silent {
			return true
		}
	}
	return false
}

// journalsOf counts the changes that created journals.
func journalsOf(changes []Change) int {
	n := 0
	for _, c := range changes {
		if c.Endpoint == "Journals" && c.Op == OpCreate {
			n++
		}
	}
	return n
}

func TestMutateContacts(t *testing.T) {
	f := newMutFixture(t)
	o := f.o
	changes, at := f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "contacts",
		Record: record(map[string]string{"Name": "Kowhai Trading", "EmailAddress": "hello@kowhai.example.com"})})
	if len(changes) != 1 || changes[0].Op != OpCreate || changes[0].Endpoint != "Contacts" {
		t.Fatalf("create: changes %v", changes)
	}
	c := get(t, o.Contacts, changes[0].ID)
	if c.Name != "Kowhai Trading" || c.ContactStatus != "ACTIVE" || c.UpdatedDateUTC != at {
		t.Errorf("created %+v at %d", c, at)
	}

	other := find(t, o.Contacts, "an active contact", func(x *Contact) bool { return x.ContactStatus == "ACTIVE" && x.ContactID != c.ContactID })
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "Contacts", ID: c.ContactID, Record: record(map[string]string{"Name": other.Name})})
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "Contacts", ID: c.ContactID, Record: record(map[string]string{"Nickname": "x"})})

	_, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "Contacts", ID: c.ContactID, Record: record(map[string]string{"Website": "https://kowhai.example.com"})})
	if c = get(t, o.Contacts, c.ContactID); c.Website != "https://kowhai.example.com" || c.UpdatedDateUTC != at {
		t.Errorf("update: website %q at %d, want bumped to %d", c.Website, c.UpdatedDateUTC, at)
	}
	_, at = f.apply(t, ChangeRequest{Op: OpArchive, Endpoint: "Contacts", ID: c.ContactID})
	if c = get(t, o.Contacts, c.ContactID); c.ContactStatus != "ARCHIVED" || c.UpdatedDateUTC != at {
		t.Errorf("archive: %s at %d", c.ContactStatus, c.UpdatedDateUTC)
	}
	f.refused(t, 400, ChangeRequest{Op: OpArchive, Endpoint: "Contacts", ID: c.ContactID})
	// A document cannot be raised for an archived contact.
	f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "Quotes", Record: record(map[string]any{
		"Contact": map[string]string{"ContactID": c.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 10, "AccountCode": "200"}}})})
	_, at = f.apply(t, ChangeRequest{Op: OpRestore, Endpoint: "Contacts", ID: c.ContactID})
	if c = get(t, o.Contacts, c.ContactID); c.ContactStatus != "ACTIVE" || c.UpdatedDateUTC != at {
		t.Errorf("restore: %s at %d", c.ContactStatus, c.UpdatedDateUTC)
	}

	changes, at = f.apply(t, ChangeRequest{Op: OpMerge, Endpoint: "Contacts", ID: c.ContactID, Into: other.ContactID})
	merged, survivor := get(t, o.Contacts, c.ContactID), get(t, o.Contacts, other.ContactID)
	if merged.ContactStatus != "ARCHIVED" || merged.MergedToContactID != other.ContactID || merged.UpdatedDateUTC != at || survivor.UpdatedDateUTC != at {
		t.Errorf("merge: merged %s→%q at %d, survivor at %d; want both at %d", merged.ContactStatus, merged.MergedToContactID, merged.UpdatedDateUTC, survivor.UpdatedDateUTC, at)
	}
	if !hasChange(changes, OpMerge, "Contacts", c.ContactID, false) || !hasChange(changes, OpUpdate, "Contacts", other.ContactID, false) {
		t.Errorf("merge changes %v", changes)
	}
	f.refused(t, 400, ChangeRequest{Op: OpRestore, Endpoint: "Contacts", ID: c.ContactID})
	f.refused(t, 400, ChangeRequest{Op: OpMerge, Endpoint: "Contacts", ID: other.ContactID, Into: other.ContactID})
	f.refused(t, 404, ChangeRequest{Op: OpArchive, Endpoint: "Contacts", ID: "00000000-0000-4000-8000-000000000000"})
}

// newInvoice is a create request for a base-currency invoice of one
// 10.00 × 3 line on account 200 (sales) or 429 (expenses).
func newInvoice(contactID, typ, status string) ChangeRequest {
	code := "200"
	if typ == "ACCPAY" {
		code = "429"
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "Invoices", Record: record(map[string]any{
		"Type": typ, "Status": status, "Contact": map[string]string{"ContactID": contactID}, "Reference": "test",
		"Date": "2026-06-29", "DueDate": "2026-07-29",
		"LineItems": []map[string]any{{"Description": "Widgets", "Quantity": 3, "UnitAmount": 10, "AccountCode": code}},
	})}
}

func TestMutateInvoices(t *testing.T) {
	f := newMutFixture(t)
	o := f.o
	contact := find(t, o.Contacts, "an active contact", func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
	ar := o.sysAcct.receivable.AccountID

	// Create authorised: posted, due in full.
	journals := o.Journals.Len()
	changes, at := f.apply(t, newInvoice(contact.ContactID, "ACCREC", "AUTHORISED"))
	inv := get(t, o.Invoices, changes[0].ID)
	rate, _ := o.TaxRates.Get(inv.LineItems[0].TaxType)
	wantTax := taxOn(3000, rate, "Exclusive")
	if inv.Status != "AUTHORISED" || inv.SubTotal != 3000 || inv.TotalTax != wantTax || inv.AmountDue != inv.Total ||
		inv.UpdatedDateUTC != at || inv.UpdatedDateUTCString != utcString(at) || inv.InvoiceNumber == "" || inv.Date != DayOf(time.Date(2026, 6, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("created %+v", inv)
	}
	if o.Journals.Len() != journals+1 || journalsOf(changes) != 1 || sourceNet(o)[inv.InvoiceID][ar] != inv.Total {
		t.Errorf("create posted %d journals, receivable %s; want 1 for %s", o.Journals.Len()-journals, sourceNet(o)[inv.InvoiceID][ar], inv.Total)
	}

	// Update the reference: bumped, nothing posted.
	changes, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID, Record: record(map[string]string{"Reference": "PO 77"})})
	if inv = get(t, o.Invoices, inv.InvoiceID); inv.Reference != "PO 77" || inv.UpdatedDateUTC != at || journalsOf(changes) != 0 {
		t.Errorf("reference update: %q at %d, %d journals", inv.Reference, inv.UpdatedDateUTC, journalsOf(changes))
	}

	// Update the lines of the authorised invoice: reversed and re-posted.
	changes, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID, Record: record(map[string]any{
		"LineItems": []map[string]any{{"Description": "More widgets", "Quantity": 5, "UnitAmount": 20, "AccountCode": "200"}}})})
	inv = get(t, o.Invoices, inv.InvoiceID)
	if inv.SubTotal != 10000 || inv.AmountDue != inv.Total || inv.UpdatedDateUTC != at || journalsOf(changes) != 2 || sourceNet(o)[inv.InvoiceID][ar] != inv.Total {
		t.Errorf("line update: subtotal %s, due %s of %s, %d journals, receivable %s", inv.SubTotal, inv.AmountDue, inv.Total, journalsOf(changes), sourceNet(o)[inv.InvoiceID][ar])
	}

	// Pay in part, then the rest.
	_, at = f.apply(t, ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: inv.InvoiceID, Amount: ptr(Money(4000)), Account: "091"})
	inv = get(t, o.Invoices, inv.InvoiceID)
	if inv.AmountPaid != 4000 || inv.AmountDue != inv.Total-4000 || inv.Status != "AUTHORISED" || inv.UpdatedDateUTC != at || len(inv.Payments) != 1 {
		t.Errorf("part payment: paid %s, due %s, %s", inv.AmountPaid, inv.AmountDue, inv.Status)
	}
	p := get(t, o.Payments, inv.Payments[0].PaymentID)
	if p.Account.Code != "091" || p.Status != "AUTHORISED" || p.UpdatedDateUTC != at || p.PaymentType != "ACCRECPAYMENT" || sourceNet(o)[p.PaymentID][ar] != -4000 {
		t.Errorf("payment %+v", p)
	}
	f.refused(t, 400, ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: inv.InvoiceID, Amount: ptr(inv.AmountDue + 1)})
	f.refused(t, 400, ChangeRequest{Op: OpVoid, Endpoint: "Invoices", ID: inv.InvoiceID})
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID, Record: record(map[string]any{
		"LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200"}}})})
	payDay := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	changes, at = f.apply(t, ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: inv.InvoiceID, Date: ptr(MSDateOf(payDay))})
	inv = get(t, o.Invoices, inv.InvoiceID)
	if inv.Status != "PAID" || inv.AmountDue != 0 || inv.FullyPaidOnDate != DayOf(payDay) || !hasChange(changes, OpPay, "Invoices", inv.InvoiceID, false) {
		t.Errorf("full payment: %s due %s fully paid %d", inv.Status, inv.AmountDue, inv.FullyPaidOnDate)
	}
	f.refused(t, 400, ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: inv.InvoiceID})

	// Delete the second payment: the invoice reopens.
	last := inv.Payments[1].PaymentID
	changes, at = f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "Payments", ID: last})
	inv, p = get(t, o.Invoices, inv.InvoiceID), get(t, o.Payments, last)
	if p.Status != "DELETED" || p.UpdatedDateUTC != at || inv.Status != "AUTHORISED" || inv.FullyPaidOnDate != 0 || inv.AmountPaid != 4000 ||
		inv.UpdatedDateUTC != at || len(inv.Payments) != 1 || journalsOf(changes) != 1 {
		t.Errorf("payment delete: payment %s, invoice %s paid %s due %s", p.Status, inv.Status, inv.AmountPaid, inv.AmountDue)
	}
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "Payments", ID: last})
	reconciled := find(t, o.Payments, "a reconciled payment", func(p *Payment) bool { return p.IsReconciled && p.BatchPaymentID == "" && p.Status == "AUTHORISED" })
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "Payments", ID: reconciled.PaymentID})

	// A draft: approve it (posts), then a second draft deleted.
	changes, _ = f.apply(t, newInvoice(contact.ContactID, "ACCPAY", "DRAFT"))
	draft := get(t, o.Invoices, changes[0].ID)
	if draft.Status != "DRAFT" || journalsOf(changes) != 0 || draft.InvoiceNumber[:4] != "BILL" {
		t.Errorf("draft bill %s %s, %d journals", draft.InvoiceNumber, draft.Status, journalsOf(changes))
	}
	f.refused(t, 400, ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: draft.InvoiceID})
	changes, _ = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: draft.InvoiceID, Record: record(map[string]string{"Status": "AUTHORISED"})})
	if draft = get(t, o.Invoices, draft.InvoiceID); draft.Status != "AUTHORISED" || journalsOf(changes) != 1 {
		t.Errorf("approved %s with %d journals", draft.Status, journalsOf(changes))
	}
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: draft.InvoiceID, Record: record(map[string]string{"Status": "DRAFT"})})
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "Invoices", ID: draft.InvoiceID})

	// Void the approved bill: reversed.
	changes, at = f.apply(t, ChangeRequest{Op: OpVoid, Endpoint: "Invoices", ID: draft.InvoiceID})
	if draft = get(t, o.Invoices, draft.InvoiceID); draft.Status != "VOIDED" || draft.AmountDue != 0 || draft.UpdatedDateUTC != at || journalsOf(changes) != 1 {
		t.Errorf("void: %s due %s", draft.Status, draft.AmountDue)
	}
	f.refused(t, 400, ChangeRequest{Op: OpVoid, Endpoint: "Invoices", ID: draft.InvoiceID})
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: draft.InvoiceID, Record: record(map[string]string{"Reference": "x"})})

	changes, _ = f.apply(t, newInvoice(contact.ContactID, "ACCREC", "SUBMITTED"))
	_, at = f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "Invoices", ID: changes[0].ID})
	if del := get(t, o.Invoices, changes[0].ID); del.Status != "DELETED" || del.AmountDue != 0 || del.UpdatedDateUTC != at {
		t.Errorf("delete: %s due %s", del.Status, del.AmountDue)
	}

	// Bad creates change nothing.
	bad := []struct {
		name   string
		fields map[string]any
	}{
		{"no type", map[string]any{"Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200"}}}},
		{"no lines", map[string]any{"Type": "ACCREC", "Contact": map[string]string{"ContactID": contact.ContactID}}},
		{"bank account line", map[string]any{"Type": "ACCREC", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "090"}}}},
		{"archived account", map[string]any{"Type": "ACCREC", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "290"}}}},
		{"unknown tax", map[string]any{"Type": "ACCREC", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200", "TaxType": "NOPE"}}}},
		{"negative total", map[string]any{"Type": "ACCREC", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": -5, "AccountCode": "200"}}}},
		{"paid status", map[string]any{"Type": "ACCREC", "Status": "PAID", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200"}}}},
		{"foreign without rate", map[string]any{"Type": "ACCREC", "CurrencyCode": "USD", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200"}}}},
		{"duplicate sales number", map[string]any{"Type": "ACCREC", "InvoiceNumber": "INV-0001", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200"}}}},
		{"due before date", map[string]any{"Type": "ACCREC", "Date": "2026-06-10", "DueDate": "2026-06-01", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"UnitAmount": 1, "AccountCode": "200"}}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "Invoices", Record: record(tc.fields)})
		})
	}
}

func TestMutateCreditNotesAndBank(t *testing.T) {
	f := newMutFixture(t)
	o := f.o
	contact := find(t, o.Contacts, "an active contact", func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
	lines := []map[string]any{{"Description": "Refund", "UnitAmount": 50, "AccountCode": "200"}}

	changes, at := f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "CreditNotes", Record: record(map[string]any{
		"Type": "ACCRECCREDIT", "Status": "AUTHORISED", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": lines})})
	cn := get(t, o.CreditNotes, changes[0].ID)
	if cn.Status != "AUTHORISED" || cn.RemainingCredit != cn.Total || cn.UpdatedDateUTC != at || journalsOf(changes) != 1 {
		t.Errorf("credit note %+v", cn)
	}
	changes, at = f.apply(t, ChangeRequest{Op: OpVoid, Endpoint: "CreditNotes", ID: cn.CreditNoteID})
	if cn = get(t, o.CreditNotes, cn.CreditNoteID); cn.Status != "VOIDED" || cn.RemainingCredit != 0 || cn.UpdatedDateUTC != at || journalsOf(changes) != 1 {
		t.Errorf("voided credit note %s remaining %s", cn.Status, cn.RemainingCredit)
	}
	used := find(t, o.CreditNotes, "an allocated credit note", func(c *CreditNote) bool { return c.Status == "PAID" && len(c.Allocations) > 0 })
	f.refused(t, 400, ChangeRequest{Op: OpVoid, Endpoint: "CreditNotes", ID: used.CreditNoteID})
	changes, _ = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "CreditNotes", Record: record(map[string]any{
		"Type": "ACCPAYCREDIT", "Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": lines})})
	_, at = f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "CreditNotes", ID: changes[0].ID})
	if d := get(t, o.CreditNotes, changes[0].ID); d.Status != "DELETED" || d.RemainingCredit != 0 || d.UpdatedDateUTC != at {
		t.Errorf("deleted credit note %s", d.Status)
	}

	// Spend money: create, recode its lines, void.
	changes, at = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "BankTransactions", Record: record(map[string]any{
		"Type": "SPEND", "BankAccount": map[string]string{"Code": "090"}, "LineAmountTypes": "Inclusive",
		"LineItems": []map[string]any{{"Description": "Stationery", "UnitAmount": 23, "AccountCode": "461"}}})})
	bt := get(t, o.BankTransactions, changes[0].ID)
	bank := o.AccountByCode("090").AccountID
	if bt.Total != 2300 || bt.Status != "AUTHORISED" || bt.UpdatedDateUTC != at || sourceNet(o)[bt.BankTransactionID][bank] != -2300 {
		t.Errorf("spend money %+v", bt)
	}
	changes, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "BankTransactions", ID: bt.BankTransactionID, Record: record(map[string]any{
		"LineItems": []map[string]any{{"Description": "Stationery", "UnitAmount": 41, "AccountCode": "453"}}})})
	if bt = get(t, o.BankTransactions, bt.BankTransactionID); bt.Total != 4100 || bt.UpdatedDateUTC != at || journalsOf(changes) != 2 || sourceNet(o)[bt.BankTransactionID][bank] != -4100 {
		t.Errorf("recoded spend money: total %s, %d journals", bt.Total, journalsOf(changes))
	}
	_, at = f.apply(t, ChangeRequest{Op: OpVoid, Endpoint: "BankTransactions", ID: bt.BankTransactionID})
	if bt = get(t, o.BankTransactions, bt.BankTransactionID); bt.Status != "VOIDED" || bt.UpdatedDateUTC != at {
		t.Errorf("voided spend money: %s", bt.Status)
	}
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "BankTransactions", ID: bt.BankTransactionID})
	side := find(t, o.BankTransactions, "a transfer's bank side", func(b *BankTransaction) bool { return b.Type == "SPEND-TRANSFER" })
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "BankTransactions", ID: side.BankTransactionID})
	rec := find(t, o.BankTransactions, "a reconciled spend", func(b *BankTransaction) bool { return b.Type == "SPEND" && b.Status == "AUTHORISED" && b.IsReconciled })
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "BankTransactions", ID: rec.BankTransactionID})

	// A transfer: created, then soft-deleted without moving CreatedDateUTC.
	changes, at = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "BankTransfers", Record: record(map[string]any{
		"FromBankAccount": map[string]string{"Code": "090"}, "ToBankAccount": map[string]string{"Code": "091"}, "Amount": 500})})
	tr := get(t, o.BankTransfers, changes[0].ID)
	if tr.CreatedDateUTC != at || tr.Amount != 50000 || tr.FromBankTransactionID == "" || len(changes) != 4 {
		t.Errorf("transfer %+v, changes %v", tr, changes)
	}
	created := tr.CreatedDateUTC
	changes, at = f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "BankTransfers", ID: tr.BankTransferID})
	tr = get(t, o.BankTransfers, tr.BankTransferID)
	out := get(t, o.BankTransactions, tr.FromBankTransactionID)
	if tr.Status != "DELETED" || tr.CreatedDateUTC != created || out.Status != "DELETED" || out.UpdatedDateUTC != at {
		t.Errorf("deleted transfer %s created %d (was %d), side %s at %d", tr.Status, tr.CreatedDateUTC, created, out.Status, out.UpdatedDateUTC)
	}
	if !hasChange(changes, OpDelete, "BankTransfers", tr.BankTransferID, true) || journalsOf(changes) != 1 {
		t.Errorf("transfer delete changes %v: want it silent, with a reversal", changes)
	}
	f.refused(t, 400, ChangeRequest{Op: OpDelete, Endpoint: "BankTransfers", ID: tr.BankTransferID})
	f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "BankTransfers", Record: record(map[string]any{
		"FromBankAccount": map[string]string{"Code": "090"}, "ToBankAccount": map[string]string{"Code": "200"}, "Amount": 5})})
}

func TestMutateJournalsItemsAccountsOrders(t *testing.T) {
	f := newMutFixture(t)
	o := f.o
	mjLines := func(debit, credit float64) []map[string]any {
		return []map[string]any{{"LineAmount": debit, "AccountCode": "477"}, {"LineAmount": -credit, "AccountCode": "825"}}
	}
	f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "ManualJournals", Record: record(map[string]any{"Narration": "Accrued wages", "JournalLines": mjLines(100, 99)})})
	changes, at := f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "ManualJournals", Record: record(map[string]any{"Narration": "Accrued wages", "JournalLines": mjLines(100, 100)})})
	mj := get(t, o.ManualJournals, changes[0].ID)
	if mj.Status != "POSTED" || mj.UpdatedDateUTC != at || journalsOf(changes) != 1 || sourceNet(o)[mj.ManualJournalID][o.AccountByCode("477").AccountID] != 10000 {
		t.Errorf("manual journal %+v", mj)
	}
	_, at = f.apply(t, ChangeRequest{Op: OpVoid, Endpoint: "ManualJournals", ID: mj.ManualJournalID})
	if mj = get(t, o.ManualJournals, mj.ManualJournalID); mj.Status != "VOIDED" || mj.UpdatedDateUTC != at || !netsToZero(sourceNet(o)[mj.ManualJournalID]) {
		t.Errorf("voided manual journal %s", mj.Status)
	}

	changes, at = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "Items", Record: record(map[string]any{"Code": "NEW-1", "Name": "Teapot",
		"SalesDetails": map[string]any{"UnitPrice": 42.5, "AccountCode": "200"}})})
	it := get(t, o.Items, changes[0].ID)
	if !it.IsSold || it.IsPurchased || it.SalesDetails.UnitPrice != 4250 || it.UpdatedDateUTC != at {
		t.Errorf("item %+v", it)
	}
	f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "Items", Record: record(map[string]any{"Code": "new-1", "Name": "Dup"})})
	// A line by item code takes the item's price and account.
	contact := find(t, o.Contacts, "an active contact", func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
	changes, _ = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "Quotes", Record: record(map[string]any{
		"Contact": map[string]string{"ContactID": contact.ContactID}, "LineItems": []map[string]any{{"ItemCode": "NEW-1", "Quantity": 2}}})})
	q := get(t, o.Quotes, changes[0].ID)
	if q.LineItems[0].LineAmount != 8500 || q.LineItems[0].AccountCode != "200" || q.LineAmountTypes != "EXCLUSIVE" || q.Status != "DRAFT" {
		t.Errorf("quote line from item: %+v", q.LineItems[0])
	}
	_, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "Items", ID: it.ItemID, Record: record(map[string]any{"Name": "Big teapot"})})
	if it = get(t, o.Items, it.ItemID); it.Name != "Big teapot" || it.UpdatedDateUTC != at {
		t.Errorf("updated item %+v", it)
	}
	f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "Items", ID: it.ItemID})
	if _, ok := o.Items.Get(it.ItemID); ok {
		t.Errorf("deleted item still there")
	}

	changes, at = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "Accounts", Record: record(map[string]any{"Code": "455", "Name": "Software", "Type": "OVERHEADS"})})
	a := get(t, o.Accounts, changes[0].ID)
	if o.AccountByCode("455") != a || a.Class != "EXPENSE" || a.Status != "ACTIVE" || a.UpdatedDateUTC != at {
		t.Errorf("account %+v", a)
	}
	f.apply(t, newInvoice(contact.ContactID, "ACCREC", "AUTHORISED"), ChangeRequest{Op: OpCreate, Endpoint: "BankTransactions", Record: record(map[string]any{
		"Type": "SPEND", "BankAccount": map[string]string{"Code": "090"}, "LineItems": []map[string]any{{"UnitAmount": 99, "AccountCode": "455"}}})})
	_, at = f.apply(t, ChangeRequest{Op: OpArchive, Endpoint: "Accounts", ID: a.AccountID})
	if a = get(t, o.Accounts, a.AccountID); a.Status != "ARCHIVED" || a.UpdatedDateUTC != at {
		t.Errorf("archived account %s", a.Status)
	}
	f.refused(t, 400, ChangeRequest{Op: OpArchive, Endpoint: "Accounts", ID: o.sysAcct.receivable.AccountID})
	f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "Accounts", Record: record(map[string]any{"Code": "200", "Name": "Again", "Type": "REVENUE"})})
	f.refused(t, 400, ChangeRequest{Op: OpCreate, Endpoint: "Accounts", Record: record(map[string]any{"Code": "456", "Name": "Odd", "Type": "WHATEVER"})})

	changes, at = f.apply(t, ChangeRequest{Op: OpCreate, Endpoint: "PurchaseOrders", Record: record(map[string]any{
		"Contact": map[string]string{"ContactID": contact.ContactID}, "DeliveryDate": "2026-07-14",
		"LineItems": []map[string]any{{"Description": "Paper", "Quantity": 10, "UnitAmount": 5, "AccountCode": "300"}}})})
	po := get(t, o.PurchaseOrders, changes[0].ID)
	if po.Status != "DRAFT" || po.SubTotal != 5000 || po.UpdatedDateUTC != at || po.DeliveryDateString != "2026-07-14T00:00:00" || journalsOf(changes) != 0 {
		t.Errorf("purchase order %+v", po)
	}
	_, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "PurchaseOrders", ID: po.PurchaseOrderID, Record: record(map[string]any{"Status": "AUTHORISED", "Reference": "urgent"})})
	if po = get(t, o.PurchaseOrders, po.PurchaseOrderID); po.Status != "AUTHORISED" || po.Reference != "urgent" || po.UpdatedDateUTC != at {
		t.Errorf("updated purchase order %s %q", po.Status, po.Reference)
	}
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "PurchaseOrders", ID: po.PurchaseOrderID, Record: record(map[string]any{"Status": "DRAFT"})})
	_, at = f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "PurchaseOrders", ID: po.PurchaseOrderID})
	if po = get(t, o.PurchaseOrders, po.PurchaseOrderID); po.Status != "DELETED" || po.UpdatedDateUTC != at {
		t.Errorf("deleted purchase order %s", po.Status)
	}
	_, at = f.apply(t, ChangeRequest{Op: OpUpdate, Endpoint: "Quotes", ID: q.QuoteID, Record: record(map[string]any{"Status": "SENT", "Title": "Teapots"})})
	if q = get(t, o.Quotes, q.QuoteID); q.Status != "SENT" || q.Title != "Teapots" || q.UpdatedDateUTC != at {
		t.Errorf("updated quote %s %q", q.Status, q.Title)
	}
	f.refused(t, 400, ChangeRequest{Op: OpUpdate, Endpoint: "Quotes", ID: q.QuoteID, Record: record(map[string]any{"Status": "INVOICED"})})
	f.apply(t, ChangeRequest{Op: OpDelete, Endpoint: "Quotes", ID: q.QuoteID})
	if q = get(t, o.Quotes, q.QuoteID); q.Status != "DELETED" {
		t.Errorf("deleted quote %s", q.Status)
	}
}

func TestMutateSilentEdits(t *testing.T) {
	f := newMutFixture(t)
	o := f.o
	inv := find(t, o.Invoices, "an authorised invoice", func(i *Invoice) bool {
		return i.Status == "AUTHORISED" && i.Type == "ACCREC" && i.CurrencyRate == 1 && !settled(i) && len(i.LineItems) > 0 && i.LineItems[0].AccountCode != "210"
	})
	updated, journals := inv.UpdatedDateUTC, o.Journals.Len()
	changes, at := f.apply(t, ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: EditLineAccount, Line: 0, AccountCode: "210"})
	inv = get(t, o.Invoices, inv.InvoiceID)
	if inv.UpdatedDateUTC != updated || inv.LineItems[0].AccountCode != "210" || inv.LineItems[0].AccountID != o.AccountByCode("210").AccountID {
		t.Errorf("recode: updated %d (was %d), line on %s", inv.UpdatedDateUTC, updated, inv.LineItems[0].AccountCode)
	}
	if !hasChange(changes, OpSilentEdit, "Invoices", inv.InvoiceID, true) || o.Journals.Len() != journals+2 {
		t.Errorf("recode changes %v, %d new journals; want a silent change and a reversal and re-post", changes, o.Journals.Len()-journals)
	}
	if newest := o.Journals.All()[o.Journals.Len()-1]; newest.SourceID != inv.InvoiceID || newest.CreatedDateUTC < at {
		t.Errorf("newest journal from %s created %d, want the invoice's, at or after %d", newest.SourceID, newest.CreatedDateUTC, at)
	}
	if sourceNet(o)[inv.InvoiceID][o.AccountByCode("210").AccountID] == 0 {
		t.Errorf("the ledger did not move the line's amount to 210")
	}

	// Due date: only on a partially paid invoice, without a bump.
	f.refused(t, 400, ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: EditDueDate, DueDate: ptr(inv.DueDate + dayMs)})
	f.apply(t, ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: inv.InvoiceID, Amount: ptr(inv.AmountDue / 2)})
	inv = get(t, o.Invoices, inv.InvoiceID)
	updated = inv.UpdatedDateUTC
	due := inv.DueDate + 10*dayMs
	changes, _ = f.apply(t, ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: EditDueDate, DueDate: &due})
	if inv = get(t, o.Invoices, inv.InvoiceID); inv.DueDate != due || inv.DueDateString != dayString(due) || inv.UpdatedDateUTC != updated || journalsOf(changes) != 0 {
		t.Errorf("silent due date: %d (%s) updated %d (was %d)", inv.DueDate, inv.DueDateString, inv.UpdatedDateUTC, updated)
	}

	// Balances: a month on, overdue amounts grow; no contact is bumped.
	stamps := map[string]MSDate{}
	for _, c := range o.Contacts.All() {
		stamps[c.ContactID] = c.UpdatedDateUTC
	}
	f.srv.Clock().Advance(30 * 24 * time.Hour)
	changes, _ = f.apply(t, ChangeRequest{Op: OpSilentEdit, Endpoint: "Contacts", Edit: EditBalances})
	if len(changes) == 0 {
		t.Errorf("a month later no contact's balances moved")
	}
	for _, ch := range changes {
		if !ch.Silent || ch.Endpoint != "Contacts" {
			t.Errorf("balances change %+v, want silent Contacts", ch)
		}
	}
	for _, c := range o.Contacts.All() {
		if c.UpdatedDateUTC != stamps[c.ContactID] {
			t.Errorf("contact %s bumped by a balances refresh", c.Name)
		}
	}
	f.refused(t, 400, ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: "colour"})
	f.refused(t, 400, ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: EditLineAccount, Line: 9, AccountCode: "200"})
}

func TestMutateBadRequests(t *testing.T) {
	f := newMutFixture(t)
	inv := find(t, f.o.Invoices, "an invoice", func(*Invoice) bool { return true })
	tests := []struct {
		name   string
		status int
		req    ChangeRequest
	}{
		{"unknown endpoint", 400, ChangeRequest{Op: OpCreate, Endpoint: "Widgets", Record: record(map[string]any{})}},
		{"unknown op", 400, ChangeRequest{Op: "frobnicate", Endpoint: "Invoices", ID: inv.InvoiceID}},
		{"op the endpoint lacks", 400, ChangeRequest{Op: OpVoid, Endpoint: "Contacts", ID: inv.InvoiceID}},
		{"no id", 400, ChangeRequest{Op: OpVoid, Endpoint: "Invoices"}},
		{"no record", 400, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID}},
		{"record not an object", 400, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID, Record: json.RawMessage(`[1]`)}},
		{"unknown field", 400, ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID, Record: json.RawMessage(`{"Colour":"red"}`)}},
		{"unknown id", 404, ChangeRequest{Op: OpVoid, Endpoint: "Invoices", ID: "not-an-id"}},
		{"merge without into", 400, ChangeRequest{Op: OpMerge, Endpoint: "Contacts", ID: inv.Contact.ContactID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { f.refused(t, tc.status, tc.req) })
	}
	if _, err := f.srv.Apply("00000000-0000-4000-8000-000000000000"); sandbox.AdminStatus(err) != 404 {
		t.Errorf("unknown tenant: %v", err)
	}
	// A batch stops at the refused change; the ones before it stay.
	contact := find(t, f.o.Contacts, "an active contact", func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
	changes, err := f.srv.Apply(f.o.ID, ChangeRequest{Op: OpUpdate, Endpoint: "Contacts", ID: contact.ContactID, Record: record(map[string]string{"Website": "https://a.example.com"})},
		ChangeRequest{Op: OpVoid, Endpoint: "Invoices", ID: "not-an-id"})
	if err == nil || len(changes) != 1 || get(t, f.o.Contacts, contact.ContactID).Website != "https://a.example.com" {
		t.Errorf("batch: %v, %v", changes, err)
	}
}

func TestSimulateKeepsBooks(t *testing.T) {
	f := newMutFixture(t)
	before := map[string]int{"Invoices": f.o.Invoices.Len(), "Journals": f.o.Journals.Len()}
	now := f.srv.Clock().Advance(time.Hour)
	changes, err := f.srv.Simulate(f.o.ID, 500, 11)
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	checkBooks(t, f.o)
	at := MSDateOf(now)
	ops := map[string]int{}
	for _, c := range changes {
		ops[c.Op+" "+c.Endpoint]++
		if c.Silent {
			ops["silent"]++
		}
	}
	for _, want := range []string{"create Invoices", "update Invoices", "pay Invoices", "void Invoices", "create Payments",
		"delete Payments", "create BankTransactions", "delete BankTransfers", "create Contacts", "archive Contacts",
		"merge Contacts", "create Journals", "silent-edit Invoices", "silent", "create Quotes", "create PurchaseOrders"} {
		if ops[want] == 0 {
			t.Errorf("500 simulated changes made no %q: %v", want, ops)
		}
	}
	if f.o.Invoices.Len() <= before["Invoices"] || f.o.Journals.Len() <= before["Journals"] {
		t.Errorf("no invoices or journals added")
	}
	// Every change that is not silent moved its record's change time to
	// now (the deleted items excepted: they are gone).
	gone := map[string]bool{}
	for _, c := range changes {
		if c.Endpoint == "Items" && c.Op == OpDelete {
			gone[c.ID] = true
		}
	}
	for _, c := range changes {
		if c.Silent || gone[c.ID] {
			continue
		}
		if ct, ok := changeTimeOf(f.o, c.Endpoint, c.ID); !ok || ct < int64(at) {
			t.Errorf("%s %s %s: change time %d, want at least %d", c.Op, c.Endpoint, c.ID, ct, at)
		}
	}
}

// changeTimeOf looks up a record's change time by endpoint and id.
func changeTimeOf(o *Org, endpoint, id string) (int64, bool) {
	look := func(r Record, ok bool) (int64, bool) {
		if !ok {
			return 0, false
		}
		return r.ChangeTime(), true
	}
	switch endpoint {
	case "Invoices":
		return look(o.Invoices.Get(id))
	case "Contacts":
		return look(o.Contacts.Get(id))
	case "CreditNotes":
		return look(o.CreditNotes.Get(id))
	case "Payments":
		return look(o.Payments.Get(id))
	case "BankTransactions":
		return look(o.BankTransactions.Get(id))
	case "BankTransfers":
		return look(o.BankTransfers.Get(id))
	case "ManualJournals":
		return look(o.ManualJournals.Get(id))
	case "Journals":
		return look(o.Journals.Get(id))
	case "Items":
		return look(o.Items.Get(id))
	case "Accounts":
		return look(o.Accounts.Get(id))
	case "PurchaseOrders":
		return look(o.PurchaseOrders.Get(id))
	case "Quotes":
		return look(o.Quotes.Get(id))
	}
	return 0, false
}

func TestSimulateDeterministic(t *testing.T) {
	run := func(seed int64) ([]Change, []byte) {
		f := newMutFixture(t)
		f.srv.Clock().Advance(time.Hour)
		changes, err := f.srv.Simulate(f.o.ID, 200, seed)
		if err != nil {
			t.Fatalf("simulate: %v", err)
		}
		return changes, orgJSON(t, f.o)
	}
	a, aJSON := run(5)
	b, bJSON := run(5)
	if !reflect.DeepEqual(a, b) || !bytes.Equal(aJSON, bJSON) {
		t.Errorf("the same seed gave different changes or data")
	}
	c, _ := run(6)
	if reflect.DeepEqual(a, c) {
		t.Errorf("seeds 5 and 6 gave the same changes")
	}
	if len(a) < 200 {
		t.Errorf("%d changes reported for 200", len(a))
	}
}
