// Package apitruth is the sandbox Xero's ground truth as the Accounting
// API lists it: for each DataPull endpoint, every record the sandbox holds,
// with the id, change time and lifecycle state a faithful client must
// store, and its payload as the list call serialises it. Tests of the
// connector, the engine and the commands compare what they stored with it.
// It reads the organisation's collections directly: call it while no
// request or change is in flight.
package apitruth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/datapull/datapull/internal/provider"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// Record is what a pulled record must equal.
type Record struct {
	ID         string
	ModifiedAt time.Time
	Status     provider.Status
	Payload    string // canonical JSON
}

// Records is the ground truth of a list endpoint or of journals, read from
// the sandbox's collections. Call it under the gate's lock.
func Records(o *xsandbox.Org, endpoint string) []Record {
	switch endpoint {
	case "organisation":
		return fromRecords([]*xsandbox.Organisation{o.Organisation}, false, nil)
	case "accounts":
		return fromRecords(o.Accounts.All(), true, nil)
	case "contacts":
		return fromRecords(o.Contacts.All(), true, nil)
	case "contact_groups":
		// Lists carry no member lists (GET /ContactGroups/{id} does).
		return fromRecords(o.ContactGroups.All(), false, func(m map[string]any) { delete(m, "Contacts") })
	case "invoices":
		return fromRecords(o.Invoices.All(), true, nil)
	case "credit_notes":
		return fromRecords(o.CreditNotes.All(), true, nil)
	case "payments":
		return fromRecords(o.Payments.All(), true, nil)
	case "overpayments":
		return fromRecords(o.Overpayments.All(), true, nil)
	case "prepayments":
		return fromRecords(o.Prepayments.All(), true, nil)
	case "bank_transactions":
		return fromRecords(o.BankTransactions.All(), true, nil)
	case "bank_transfers":
		return fromRecords(o.BankTransfers.All(), true, nil)
	case "manual_journals":
		return fromRecords(o.ManualJournals.All(), true, nil)
	case "journals":
		return fromRecords(o.Journals.All(), true, nil)
	case "items":
		return fromRecords(o.Items.All(), true, nil)
	case "tax_rates":
		return fromRecords(o.TaxRates.All(), false, nil)
	case "tracking_categories":
		return fromRecords(o.TrackingCategories.All(), false, nil)
	case "currencies":
		return fromRecords(o.Currencies.All(), false, nil)
	case "users":
		return fromRecords(o.Users.All(), true, nil)
	case "purchase_orders":
		return fromRecords(o.PurchaseOrders.All(), true, nil)
	case "quotes":
		return fromRecords(o.Quotes.All(), true, nil)
	case "batch_payments":
		return fromRecords(o.BatchPayments.All(), true, nil)
	case "attachments":
		return attachmentTruth(o)
	}
	panic("truth: no endpoint " + endpoint)
}

// fromRecords serialises sandbox records. dated says the record has a
// change time (UpdatedDateUTC, or CreatedDateUTC where it has no other);
// shape edits the JSON as the list call shapes it.
func fromRecords[T xsandbox.Record](rs []T, dated bool, shape func(map[string]any)) []Record {
	out := make([]Record, 0, len(rs))
	for _, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		m := decodeMap(b)
		if shape != nil {
			shape(m)
		}
		tr := Record{ID: r.RecordID(), Status: truthStatus(m), Payload: mustCanon(m)}
		if dated {
			tr.ModifiedAt = time.UnixMilli(r.ChangeTime()).UTC()
		}
		out = append(out, tr)
	}
	return out
}

// attachmentTruth is every attachment of every record that says it has some.
func attachmentTruth(o *xsandbox.Org) []Record {
	var out []Record
	add := func(entity, id string, has bool) {
		if !has {
			return
		}
		for _, a := range o.Attachments[id] {
			b, _ := json.Marshal(a)
			out = append(out, Record{ID: entity + "/" + id + "/" + a.AttachmentID, Status: provider.StatusActive, Payload: mustCanon(decodeMap(b))})
		}
	}
	for _, r := range o.Invoices.All() {
		add("Invoices", r.InvoiceID, r.HasAttachments)
	}
	for _, r := range o.CreditNotes.All() {
		add("CreditNotes", r.CreditNoteID, r.HasAttachments)
	}
	for _, r := range o.BankTransactions.All() {
		add("BankTransactions", r.BankTransactionID, r.HasAttachments)
	}
	for _, r := range o.Contacts.All() {
		add("Contacts", r.ContactID, r.HasAttachments)
	}
	for _, r := range o.ManualJournals.All() {
		add("ManualJournals", r.ManualJournalID, r.HasAttachments)
	}
	for _, r := range o.PurchaseOrders.All() {
		add("PurchaseOrders", r.PurchaseOrderID, r.HasAttachments)
	}
	for _, r := range o.Quotes.All() {
		add("Quotes", r.QuoteID, r.HasAttachments)
	}
	for _, r := range o.Accounts.All() {
		add("Accounts", r.AccountID, r.HasAttachments)
	}
	for _, r := range o.BankTransfers.All() {
		add("BankTransfers", r.BankTransferID, r.HasAttachments)
	}
	return out
}

// truthStatus maps the record's own status word, written out here apart
// from the connector's mapping so a slip in one shows against the other.
func truthStatus(m map[string]any) provider.Status {
	word, _ := m["Status"].(string)
	if cs, ok := m["ContactStatus"].(string); ok {
		word = cs
	}
	switch word {
	case "DELETED":
		return provider.StatusDeleted
	case "VOIDED":
		return provider.StatusVoided
	case "ARCHIVED":
		return provider.StatusArchived
	}
	return provider.StatusActive
}

func decodeMap(b []byte) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(err)
	}
	return m
}

// Canon returns JSON in canonical form (sorted keys, no whitespace,
// numbers as written), so payloads compare by content, not by layout.
func Canon(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	return mustCanon(v), nil
}

func mustCanon(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Compare reports how pulled records differ from the truth, at most a
// few lines.
func Compare(got map[string]provider.Record, want []Record) []string {
	var diffs []string
	wantIDs := map[string]bool{}
	for _, w := range want {
		wantIDs[w.ID] = true
		g, ok := got[w.ID]
		switch {
		case !ok:
			diffs = append(diffs, "missing "+w.ID)
		case !g.ModifiedAt.Equal(w.ModifiedAt):
			diffs = append(diffs, fmt.Sprintf("%s: modified %v, want %v", w.ID, g.ModifiedAt, w.ModifiedAt))
		case g.Status != w.Status:
			diffs = append(diffs, fmt.Sprintf("%s: status %q, want %q", w.ID, g.Status, w.Status))
		default:
			c, err := Canon(g.Payload)
			if err != nil || c != w.Payload {
				diffs = append(diffs, fmt.Sprintf("%s: payload differs (err %v)\n got %.300s\nwant %.300s", w.ID, err, c, w.Payload))
			}
		}
	}
	var extra []string
	for id := range got {
		if !wantIDs[id] {
			extra = append(extra, "unexpected "+id)
		}
	}
	sort.Strings(extra)
	diffs = append(diffs, extra...)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], fmt.Sprintf("… and %d more", len(diffs)-5))
	}
	return diffs
}
