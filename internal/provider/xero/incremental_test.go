package xero

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// The sandbox's admin API (POST /_sandbox/tenants/{t}/changes) had not
// landed when these tests were written, so they change the sandbox's data
// directly, under the gate's lock, as an edit in Xero would: new values and
// a new UpdatedDateUTC, refiled in the collection's order.

// changeSet edits the organisation an hour after the sandbox's start and
// returns, per endpoint, the ids whose change If-Modified-Since can see,
// and the ids it cannot (a soft-deleted bank transfer keeps its
// CreatedDateUTC).
func changeSet(srv *xsandbox.Server, o *xsandbox.Org) (visible, blind map[string][]string) {
	now := srv.Clock().Advance(time.Hour)
	ms, str := xsandbox.MSDateOf(now), now.UTC().Format(time.RFC3339)
	visible, blind = map[string][]string{}, map[string][]string{}
	pick := func(ids []string, n int) []string { return ids[len(ids)/3 : len(ids)/3+n] }

	var inv []string
	for _, r := range o.Invoices.All() {
		inv = append(inv, r.InvoiceID)
	}
	for i, id := range pick(inv, 4) {
		refile(o.Invoices, id, func(r *xsandbox.Invoice) {
			r.Reference, r.UpdatedDateUTC, r.UpdatedDateUTCString = "changed", ms, str
			if i == 3 {
				r.Status = "VOIDED"
			}
		})
		visible["invoices"] = append(visible["invoices"], id)
	}
	created := *o.Invoices.All()[0]
	created.InvoiceID, created.InvoiceNumber, created.UpdatedDateUTC, created.UpdatedDateUTCString = o.NewID(), o.NextNumber("INV"), ms, str
	o.Invoices.Put(&created)
	visible["invoices"] = append(visible["invoices"], created.InvoiceID)

	first := func(ids []string) string { return ids[len(ids)/2] }
	var ids []string
	collect := func(id string) { ids = append(ids, id) }

	ids = nil
	for _, r := range o.Contacts.All() {
		collect(r.ContactID)
	}
	refile(o.Contacts, first(ids), func(r *xsandbox.Contact) { r.ContactStatus, r.UpdatedDateUTC = "ARCHIVED", ms })
	visible["contacts"] = []string{first(ids)}

	ids = nil
	for _, r := range o.CreditNotes.All() {
		collect(r.CreditNoteID)
	}
	refile(o.CreditNotes, first(ids), func(r *xsandbox.CreditNote) {
		r.Reference, r.UpdatedDateUTC, r.UpdatedDateUTCString = "changed", ms, str
	})
	visible["credit_notes"] = []string{first(ids)}

	ids = nil
	for _, r := range o.Payments.All() {
		collect(r.PaymentID)
	}
	refile(o.Payments, first(ids), func(r *xsandbox.Payment) { r.Status, r.UpdatedDateUTC, r.UpdatedDateUTCString = "DELETED", ms, str })
	visible["payments"] = []string{first(ids)}

	ids = nil
	for _, r := range o.Overpayments.All() {
		collect(r.OverpaymentID)
	}
	refile(o.Overpayments, first(ids), func(r *xsandbox.Overpayment) {
		r.Reference, r.UpdatedDateUTC, r.UpdatedDateUTCString = "changed", ms, str
	})
	visible["overpayments"] = []string{first(ids)}

	ids = nil
	for _, r := range o.Prepayments.All() {
		collect(r.PrepaymentID)
	}
	refile(o.Prepayments, first(ids), func(r *xsandbox.Prepayment) {
		r.Reference, r.UpdatedDateUTC, r.UpdatedDateUTCString = "changed", ms, str
	})
	visible["prepayments"] = []string{first(ids)}

	ids = nil
	for _, r := range o.BankTransactions.All() {
		collect(r.BankTransactionID)
	}
	refile(o.BankTransactions, first(ids), func(r *xsandbox.BankTransaction) { r.Status, r.UpdatedDateUTC = "VOIDED", ms })
	visible["bank_transactions"] = []string{first(ids)}

	ids = nil
	for _, r := range o.ManualJournals.All() {
		collect(r.ManualJournalID)
	}
	refile(o.ManualJournals, first(ids), func(r *xsandbox.ManualJournal) { r.Status, r.UpdatedDateUTC = "VOIDED", ms })
	visible["manual_journals"] = []string{first(ids)}

	ids = nil
	for _, r := range o.Items.All() {
		collect(r.ItemID)
	}
	refile(o.Items, ids[0], func(r *xsandbox.Item) { r.Name, r.UpdatedDateUTC = "Changed item", ms })
	o.Items.Delete(ids[1]) // a hard delete: only a full sweep notices
	visible["items"] = []string{ids[0]}

	ids = nil
	for _, r := range o.Accounts.All() {
		collect(r.AccountID)
	}
	refile(o.Accounts, first(ids), func(r *xsandbox.Account) { r.Status, r.UpdatedDateUTC = "ARCHIVED", ms })
	visible["accounts"] = []string{first(ids)}

	ids = nil
	for _, r := range o.Users.All() {
		collect(r.UserID)
	}
	refile(o.Users, first(ids), func(r *xsandbox.OrgUser) { r.FirstName, r.UpdatedDateUTC = "Changed", ms })
	visible["users"] = []string{first(ids)}

	ids = nil
	for _, r := range o.PurchaseOrders.All() {
		collect(r.PurchaseOrderID)
	}
	refile(o.PurchaseOrders, first(ids), func(r *xsandbox.PurchaseOrder) { r.Reference, r.UpdatedDateUTC = "changed", ms })
	visible["purchase_orders"] = []string{first(ids)}

	ids = nil
	for _, r := range o.Quotes.All() {
		collect(r.QuoteID)
	}
	refile(o.Quotes, first(ids), func(r *xsandbox.Quote) { r.Title, r.UpdatedDateUTC = "Changed", ms })
	visible["quotes"] = []string{first(ids)}

	ids = nil
	for _, r := range o.BatchPayments.All() {
		collect(r.BatchPaymentID)
	}
	refile(o.BatchPayments, first(ids), func(r *xsandbox.BatchPayment) { r.Reference, r.UpdatedDateUTC = "changed", ms })
	visible["batch_payments"] = []string{first(ids)}

	ids = nil
	for _, r := range o.BankTransfers.All() {
		if r.Status != "DELETED" {
			collect(r.BankTransferID)
		}
	}
	// A soft delete keeps CreatedDateUTC, the transfer's only date.
	refile(o.BankTransfers, first(ids), func(r *xsandbox.BankTransfer) { r.Status = "DELETED" })
	blind["bank_transfers"] = []string{first(ids)}
	newTransfer := *o.BankTransfers.All()[0]
	newTransfer.BankTransferID, newTransfer.CreatedDateUTC, newTransfer.Status = o.NewID(), ms, "AUTHORISED"
	o.BankTransfers.Put(&newTransfer)
	visible["bank_transfers"] = []string{newTransfer.BankTransferID}
	return visible, blind
}

// TestIncrementalReturnsChangesWithBoundaryOverlap pulls every
// incremental list endpoint in full, changes the sandbox (updates, voids,
// deletes, archives, creates), then pulls incrementally from the saved
// cursors. Each incremental pull must return exactly the records changed
// plus the boundary overlap (records of the cursor's own second, which
// If-Modified-Since returns again because it is inclusive at one-second
// precision), each equal to the sandbox's, within ceil(changes/1000)+1
// calls. What If-Modified-Since cannot see (a soft-deleted bank transfer,
// a hard-deleted item) is left to the full sweep, which then finds it.
func TestIncrementalReturnsChangesWithBoundaryOverlap(t *testing.T) {
	e := newEnv(t, envOptions{})
	names := []string{"accounts", "contacts", "invoices", "credit_notes", "payments", "overpayments", "prepayments",
		"bank_transactions", "bank_transfers", "manual_journals", "items", "users", "purchase_orders", "quotes", "batch_payments"}
	cursors := map[string]provider.Cursor{}
	for _, name := range names {
		s, err := e.pull(name, provider.Full, nil)
		if err != nil {
			t.Fatalf("%s: full pull: %v", name, err)
		}
		cursors[name] = s.cursor
		if info := e.eps[name].Info(); !info.Incremental || info.SweepEvery != DefaultSweepEvery {
			t.Errorf("%s: info %+v, want incremental with a weekly sweep", name, info)
		}
	}
	var visible, blind map[string][]string
	e.gate.do(func() { visible, blind = changeSet(e.srv, e.org) })

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var cur listCursor
			json.Unmarshal(cursors[name], &cur)
			since, err := parseCursorTime(cur.Since)
			if err != nil || since.IsZero() {
				t.Fatalf("cursor %s: no since", cursors[name])
			}
			e.gate.reset()
			s, err := e.pull(name, provider.Incremental, cursors[name])
			if err != nil {
				t.Fatal(err)
			}
			calls := len(e.gate.calls())

			var all, want []truthRecord
			e.gate.do(func() { all = truth(e.org, name) })
			for _, r := range all {
				if !r.ModifiedAt.Before(since) {
					want = append(want, r)
				}
			}
			for _, d := range compare(s.recs, want) {
				t.Error(d)
			}
			overlap := 0
			for id, r := range s.recs {
				if slices.Contains(visible[name], id) {
					continue
				}
				overlap++
				if !r.ModifiedAt.Before(since.Add(time.Second)) {
					t.Errorf("%s returned but neither changed nor in the boundary second %s (modified %s)", id, since, r.ModifiedAt)
				}
			}
			for _, id := range visible[name] {
				if _, ok := s.recs[id]; !ok {
					t.Errorf("changed record %s not returned", id)
				}
			}
			for _, id := range blind[name] {
				if _, ok := s.recs[id]; ok {
					t.Errorf("%s returned although If-Modified-Since cannot see its change", id)
				}
			}
			if limit := (len(visible[name])+MaxPageSize-1)/MaxPageSize + 1; calls > limit {
				t.Errorf("%d calls for %d changes, want at most %d", calls, len(visible[name]), limit)
			}
			t.Logf("%d changed, %d boundary overlap, %d calls", len(visible[name]), overlap, calls)
		})
	}

	t.Run("sweep", func(t *testing.T) {
		// The weekly sweep (a Full pull) finds what incremental reads cannot.
		s, err := e.pull("bank_transfers", provider.Full, cursors["bank_transfers"])
		if err != nil {
			t.Fatal(err)
		}
		id := blind["bank_transfers"][0]
		if r, ok := s.recs[id]; !ok || r.Status != provider.StatusDeleted {
			t.Errorf("sweep: soft-deleted transfer %s is %+v, want status deleted", id, r.Status)
		}
		items, err := e.pull("items", provider.Full, cursors["items"])
		if err != nil {
			t.Fatal(err)
		}
		var want []truthRecord
		e.gate.do(func() { want = truth(e.org, "items") })
		if len(items.recs) != len(want) {
			t.Errorf("sweep: %d items, want %d (the hard-deleted one absent, for the engine to mark)", len(items.recs), len(want))
		}
	})
}
