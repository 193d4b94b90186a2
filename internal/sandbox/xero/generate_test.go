package xero

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// genStart is the fixed end of generated history in these tests.
var genStart = time.Date(2026, 5, 14, 9, 30, 15, 0, time.UTC)

var genDemo struct {
	once sync.Once
	w    *World
	err  error
}

// genDemoWorld returns a demo-sized world of three organisations (one of
// each country profile), generated once for the generator and ledger
// tests, which only read it.
func genDemoWorld(t *testing.T) *World {
	t.Helper()
	genDemo.once.Do(func() {
		cfg := DefaultConfig()
		cfg.Seed, cfg.Orgs = 7, 3
		genDemo.w, genDemo.err = Generate(cfg, genStart)
	})
	if genDemo.err != nil {
		t.Fatalf("generate: %v", genDemo.err)
	}
	return genDemo.w
}

// orgJSON serialises every collection of an organisation in default order.
func orgJSON(t *testing.T, o *Org) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, v := range []any{o.ID, o.Name, o.Organisation, o.Accounts.All(), o.Contacts.All(), o.ContactGroups.All(),
		o.Invoices.All(), o.CreditNotes.All(), o.Payments.All(), o.Overpayments.All(), o.Prepayments.All(),
		o.BankTransactions.All(), o.BankTransfers.All(), o.ManualJournals.All(), o.Journals.All(), o.Items.All(),
		o.TaxRates.All(), o.TrackingCategories.All(), o.Currencies.All(), o.Users.All(), o.PurchaseOrders.All(),
		o.Quotes.All(), o.BatchPayments.All(), o.Attachments} {
		if err := enc.Encode(v); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	}
	return buf.Bytes()
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed, cfg.Orgs = 42, 2
	a, err := Generate(cfg, genStart)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(cfg, genStart)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Orgs {
		ja, jb := orgJSON(t, a.Orgs[i]), orgJSON(t, b.Orgs[i])
		if !bytes.Equal(ja, jb) {
			t.Fatalf("org %d: two generations from the same seed differ", i)
		}
	}
	for i, u := range a.Users {
		if u.ID != b.Users[i].ID {
			t.Errorf("sign-in user %d: id %s then %s", i, u.ID, b.Users[i].ID)
		}
	}
	cfg.Seed = 43
	c, err := Generate(cfg, genStart)
	if err != nil {
		t.Fatal(err)
	}
	if c.Orgs[0].ID == a.Orgs[0].ID || bytes.Equal(orgJSON(t, c.Orgs[0]), orgJSON(t, a.Orgs[0])) {
		t.Error("another seed gave the same organisation")
	}
}

func TestGenerateSizes(t *testing.T) {
	tests := []struct {
		size     string
		min, max int
	}{
		{"demo", 2_500, 3_500},
		{"small", 17_000, 23_000},
		{"medium", 90_000, 115_000},
	}
	for _, tc := range tests {
		t.Run(tc.size, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Size, cfg.Orgs = tc.size, 1
			w, err := Generate(cfg, genStart)
			if err != nil {
				t.Fatal(err)
			}
			if n := w.Orgs[0].RecordCount(); n < tc.min || n > tc.max {
				t.Errorf("%s: %d records, want %d..%d", tc.size, n, tc.min, tc.max)
			}
		})
	}
}

func TestGenerateWorld(t *testing.T) {
	w := genDemoWorld(t)
	if len(w.Orgs) != 3 || len(w.Users) != 2 {
		t.Fatalf("%d orgs, %d users; want 3 and 2", len(w.Orgs), len(w.Users))
	}
	if got := len(w.Users[0].OrgIDs); got != 3 {
		t.Errorf("first user reaches %d organisations, want all 3", got)
	}
	if got := w.Users[1].OrgIDs; len(got) != 1 || got[0] != w.Orgs[0].ID {
		t.Errorf("second user reaches %v, want only the first organisation", got)
	}
	seen := map[string]bool{}
	for _, o := range w.Orgs {
		if w.Org(o.ID) != o || o.ID != o.Organisation.OrganisationID || o.Name != o.Organisation.Name {
			t.Errorf("org %s: lookup or identity mismatch", o.ID)
		}
		if seen[o.Organisation.Version] {
			t.Errorf("country profile %s used twice in three orgs", o.Organisation.Version)
		}
		seen[o.Organisation.Version] = true
		emails := map[string]bool{}
		for _, u := range o.Users.All() {
			emails[u.EmailAddress] = true
		}
		if !emails[w.Users[0].Email] {
			t.Errorf("org %s: sign-in user %s not among its Users", o.Name, w.Users[0].Email)
		}
	}
	if w.Org("no-such-tenant") != nil {
		t.Error("unknown tenant id found an organisation")
	}
}

// TestGenerateStatuses checks that every organisation, even a demo one,
// shows the statuses and cases clients must handle.
func TestGenerateStatuses(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		counts := map[string]int{}
		add := func(kind, status string) { counts[kind+" "+status]++ }
		for _, c := range o.Contacts.All() {
			add("contact", c.ContactStatus)
			if c.MergedToContactID != "" {
				add("contact", "merged")
				if c.ContactStatus != "ARCHIVED" {
					t.Errorf("%s: merged contact %s is %s, want ARCHIVED", o.Name, c.ContactID, c.ContactStatus)
				}
				if _, ok := o.Contacts.Get(c.MergedToContactID); !ok {
					t.Errorf("%s: contact %s merged into unknown %s", o.Name, c.ContactID, c.MergedToContactID)
				}
			}
		}
		for _, r := range o.Invoices.All() {
			add("invoice "+r.Type, r.Status)
		}
		for _, r := range o.CreditNotes.All() {
			add("credit note", r.Status)
		}
		for _, r := range o.Payments.All() {
			add("payment", r.Status)
			if r.BatchPaymentID != "" {
				add("payment", "batched")
			}
		}
		for _, r := range o.BankTransactions.All() {
			add("bank transaction", r.Status)
			add("bank transaction", r.Type)
		}
		for _, r := range o.BankTransfers.All() {
			add("bank transfer", r.Status)
		}
		for _, r := range o.ManualJournals.All() {
			add("manual journal", r.Status)
		}
		for _, r := range o.Accounts.All() {
			add("account", r.Status)
		}
		for _, r := range o.Overpayments.All() {
			add("overpayment", r.Type)
		}
		for _, r := range o.Prepayments.All() {
			add("prepayment", r.Type)
		}
		for _, r := range o.BatchPayments.All() {
			add("batch", r.Type)
		}
		for _, r := range o.TrackingCategories.All() {
			add("tracking category", r.Status)
			for _, opt := range r.Options {
				add("tracking option", opt.Status)
			}
		}
		for _, r := range o.PurchaseOrders.All() {
			add("purchase order", r.Status)
		}
		for _, r := range o.Quotes.All() {
			add("quote", r.Status)
		}
		for _, want := range []string{
			"contact ACTIVE", "contact ARCHIVED", "contact GDPRREQUEST", "contact merged",
			"invoice ACCREC DRAFT", "invoice ACCREC AUTHORISED", "invoice ACCREC PAID", "invoice ACCREC VOIDED", "invoice ACCREC DELETED",
			"invoice ACCPAY AUTHORISED", "invoice ACCPAY PAID", "invoice ACCPAY VOIDED", "invoice ACCPAY DELETED",
			"credit note AUTHORISED", "credit note PAID",
			"payment AUTHORISED", "payment DELETED", "payment batched",
			"bank transaction AUTHORISED", "bank transaction DELETED", "bank transaction SPEND", "bank transaction RECEIVE",
			"bank transaction SPEND-TRANSFER", "bank transaction RECEIVE-TRANSFER",
			"bank transfer AUTHORISED", "bank transfer DELETED",
			"manual journal POSTED", "account ACTIVE", "account ARCHIVED",
			"overpayment RECEIVE-OVERPAYMENT", "prepayment RECEIVE-PREPAYMENT",
			"batch PAYBATCH", "batch RECBATCH",
			"tracking category ACTIVE", "tracking category ARCHIVED", "tracking option ARCHIVED",
			"purchase order DRAFT", "purchase order AUTHORISED", "purchase order BILLED",
			"quote SENT", "quote ACCEPTED", "quote DECLINED",
		} {
			if counts[want] == 0 {
				t.Errorf("%s: no %s", o.Name, want)
			}
		}
		if len(o.Attachments) == 0 {
			t.Errorf("%s: no attachments", o.Name)
		}
	}
}

// TestGenerateAttachments checks that attachments hang off records that
// say they have them, with the metadata Xero lists.
func TestGenerateAttachments(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		flagged := 0
		for _, inv := range o.Invoices.All() {
			if inv.HasAttachments {
				flagged++
				if len(o.Attachments[inv.InvoiceID]) == 0 {
					t.Errorf("%s: invoice %s has HasAttachments but no attachment", o.Name, inv.InvoiceID)
				}
			}
		}
		if flagged == 0 {
			t.Errorf("%s: no invoice has attachments", o.Name)
		}
		parents := map[string]int{}
		for parent := range o.Attachments {
			switch {
			case has(o.Accounts, parent):
				parents["Accounts"]++
			case has(o.Contacts, parent):
				parents["Contacts"]++
			case has(o.Invoices, parent):
				parents["Invoices"]++
			case has(o.CreditNotes, parent):
				parents["CreditNotes"]++
			case has(o.BankTransactions, parent):
				parents["BankTransactions"]++
			case has(o.BankTransfers, parent):
				parents["BankTransfers"]++
			case has(o.ManualJournals, parent):
				parents["ManualJournals"]++
			case has(o.PurchaseOrders, parent):
				parents["PurchaseOrders"]++
			case has(o.Quotes, parent):
				parents["Quotes"]++
			default:
				t.Errorf("%s: attachments of unknown record %s", o.Name, parent)
			}
		}
		for _, ep := range []string{"Accounts", "Contacts", "Invoices", "CreditNotes", "BankTransactions",
			"BankTransfers", "ManualJournals", "PurchaseOrders", "Quotes"} {
			if parents[ep] == 0 {
				t.Errorf("%s: no %s record has attachments", o.Name, ep)
			}
		}
		for parent, list := range o.Attachments {
			if n := len(list); n < 1 || n > 2 {
				t.Errorf("%s: %s has %d attachments, want 1 or 2", o.Name, parent, n)
			}
			for _, a := range list {
				if a.AttachmentID == "" || a.FileName == "" || a.MimeType == "" || a.ContentLength <= 0 ||
					!strings.Contains(a.Url, "/"+parent+"/Attachments/"+a.FileName) {
					t.Errorf("%s: incomplete attachment %+v", o.Name, a)
				}
			}
		}
	}
}

// TestGenerateNegativeDates checks that pre-1970 dates exist and are
// written as negative /Date()/ values.
func TestGenerateNegativeDates(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		var found []*Invoice
		for _, inv := range o.Invoices.All() {
			if inv.Date < 0 {
				found = append(found, inv)
			}
		}
		if len(found) < 2 {
			t.Fatalf("%s: %d invoices dated before 1970, want at least 2", o.Name, len(found))
		}
		b, err := json.Marshal(found[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"Date":"/Date(-`)) || !bytes.Contains(b, []byte(`"DateString":"19`)) {
			t.Errorf("%s: pre-1970 invoice serialised as %s", o.Name, b)
		}
		journal := false
		for _, j := range o.Journals.All() {
			journal = journal || (j.SourceID == found[0].InvoiceID && j.JournalDate < 0)
		}
		if !journal {
			t.Errorf("%s: no journal dated before 1970 for invoice %s", o.Name, found[0].InvoiceID)
		}
	}
}

// TestGenerateBeforeStart checks that all of history, every change time
// and every dated event, lies at or before the start, and change-time
// companions agree with their instants.
func TestGenerateBeforeStart(t *testing.T) {
	end := MSDateOf(genStart)
	for _, o := range genDemoWorld(t).Orgs {
		check := func(kind, id string, ms int64, dates ...MSDate) {
			if ms > int64(end) {
				t.Errorf("%s: %s %s changed at %v, after start %v", o.Name, kind, id, MSDate(ms).Time(), genStart)
			}
			for _, d := range dates {
				if d > end {
					t.Errorf("%s: %s %s dated %v, after start", o.Name, kind, id, d.Time())
				}
			}
		}
		each(o.Accounts, func(r *Account) { check("account", r.AccountID, r.ChangeTime()) })
		each(o.Contacts, func(r *Contact) { check("contact", r.ContactID, r.ChangeTime()) })
		each(o.Items, func(r *Item) { check("item", r.ItemID, r.ChangeTime()) })
		each(o.Users, func(r *OrgUser) { check("user", r.UserID, r.ChangeTime()) })
		each(o.Invoices, func(r *Invoice) {
			check("invoice", r.InvoiceID, r.ChangeTime(), r.Date, r.FullyPaidOnDate)
			if r.UpdatedDateUTCString != utcString(r.UpdatedDateUTC) || r.DateString != dayString(r.Date) || r.DueDateString != dayString(r.DueDate) {
				t.Errorf("%s: invoice %s string companions disagree with dates", o.Name, r.InvoiceID)
			}
		})
		each(o.CreditNotes, func(r *CreditNote) { check("credit note", r.CreditNoteID, r.ChangeTime(), r.Date) })
		each(o.Payments, func(r *Payment) {
			check("payment", r.PaymentID, r.ChangeTime(), r.Date)
			if r.UpdatedDateUTCString != utcString(r.UpdatedDateUTC) {
				t.Errorf("%s: payment %s UpdatedDateUTCString %q", o.Name, r.PaymentID, r.UpdatedDateUTCString)
			}
		})
		each(o.Overpayments, func(r *Overpayment) { check("overpayment", r.OverpaymentID, r.ChangeTime(), r.Date) })
		each(o.Prepayments, func(r *Prepayment) { check("prepayment", r.PrepaymentID, r.ChangeTime(), r.Date) })
		each(o.BankTransactions, func(r *BankTransaction) { check("bank transaction", r.BankTransactionID, r.ChangeTime(), r.Date) })
		each(o.BankTransfers, func(r *BankTransfer) { check("bank transfer", r.BankTransferID, r.ChangeTime(), r.Date) })
		each(o.ManualJournals, func(r *ManualJournal) { check("manual journal", r.ManualJournalID, r.ChangeTime(), r.Date) })
		each(o.Journals, func(r *Journal) { check("journal", r.JournalID, r.ChangeTime(), r.JournalDate) })
		each(o.PurchaseOrders, func(r *PurchaseOrder) { check("purchase order", r.PurchaseOrderID, r.ChangeTime(), r.Date) })
		each(o.Quotes, func(r *Quote) { check("quote", r.QuoteID, r.ChangeTime(), r.Date) })
		each(o.BatchPayments, func(r *BatchPayment) { check("batch payment", r.BatchPaymentID, r.ChangeTime(), r.Date) })
		check("organisation", o.ID, o.Organisation.ChangeTime())
	}
}

func has[T Record](c *Collection[T], id string) bool {
	_, ok := c.Get(id)
	return ok
}

func each[T Record](c *Collection[T], f func(T)) {
	for _, r := range c.All() {
		f(r)
	}
}

// TestGenerateSummaries checks the documented way list calls drop lines.
func TestGenerateSummaries(t *testing.T) {
	o := genDemoWorld(t).Orgs[0]
	inv := o.Invoices.All()[0]
	if s := inv.summary(); s.LineItems != nil || s.InvoiceID != inv.InvoiceID || len(inv.LineItems) == 0 {
		t.Error("invoice summary must drop LineItems and leave the record intact")
	}
	bt := o.BankTransactions.All()[0]
	if s := bt.summary(); s.LineItems != nil || len(bt.LineItems) == 0 {
		t.Error("bank transaction summary must drop LineItems")
	}
	mj := o.ManualJournals.All()[0]
	if s := mj.summary(); s.JournalLines != nil || len(mj.JournalLines) == 0 {
		t.Error("manual journal summary must drop JournalLines")
	}
	var summaries []any
	for _, r := range o.CreditNotes.All() {
		summaries = append(summaries, r.summary())
	}
	for _, r := range o.Overpayments.All() {
		summaries = append(summaries, r.summary())
	}
	for _, r := range o.Prepayments.All() {
		summaries = append(summaries, r.summary())
	}
	for _, r := range o.PurchaseOrders.All() {
		summaries = append(summaries, r.summary())
	}
	for _, r := range o.Quotes.All() {
		summaries = append(summaries, r.summary())
	}
	for _, r := range o.BankTransactions.All() {
		summaries = append(summaries, r.summary())
	}
	for _, v := range summaries {
		b, _ := json.Marshal(v)
		if bytes.Contains(b, []byte(`"LineItems"`)) {
			t.Errorf("summary still carries LineItems: %.200s", b)
		}
	}
	for _, g := range o.ContactGroups.All() {
		if g.summary().Contacts != nil {
			t.Error("contact group summary must drop Contacts")
		}
	}
}

func TestGenerateRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"unknown size", func(c *Config) { c.Size = "huge" }},
		{"no organisations", func(c *Config) { c.Orgs = 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.edit(&cfg)
			if _, err := Generate(cfg, genStart); err == nil {
				t.Error("want an error")
			}
		})
	}
}
