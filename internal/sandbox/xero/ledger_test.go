package xero

import (
	"errors"
	"testing"
	"time"
)

// journalSourceTypes is the spec's Journal.SourceType enum.
var journalSourceTypes = map[string]bool{
	"ACCREC": true, "ACCPAY": true, "ACCRECCREDIT": true, "ACCPAYCREDIT": true, "ACCRECPAYMENT": true,
	"ACCPAYPAYMENT": true, "ARCREDITPAYMENT": true, "APCREDITPAYMENT": true, "CASHREC": true, "CASHPAID": true,
	"TRANSFER": true, "ARPREPAYMENT": true, "APPREPAYMENT": true, "AROVERPAYMENT": true, "APOVERPAYMENT": true,
	"EXPCLAIM": true, "EXPPAYMENT": true, "MANJOURNAL": true, "PAYSLIP": true, "WAGEPAYABLE": true,
	"INTEGRATEDPAYROLLPE": true, "INTEGRATEDPAYROLLPT": true, "EXTERNALSPENDMONEY": true,
	"INTEGRATEDPAYROLLPTPAYMENT": true, "INTEGRATEDPAYROLLCN": true,
}

func TestLedgerJournalsBalance(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		for _, j := range o.Journals.All() {
			if len(j.JournalLines) < 2 || j.SourceID == "" || !journalSourceTypes[j.SourceType] {
				t.Fatalf("%s: journal %d: %d lines, source %q %q", o.Name, j.JournalNumber, len(j.JournalLines), j.SourceType, j.SourceID)
			}
			var sum Money
			for _, l := range j.JournalLines {
				sum += l.NetAmount
				if l.GrossAmount != l.NetAmount+l.TaxAmount {
					t.Errorf("%s: journal %d: gross %s != net %s + tax %s", o.Name, j.JournalNumber, l.GrossAmount, l.NetAmount, l.TaxAmount)
				}
				a, ok := o.Accounts.Get(l.AccountID)
				if !ok || a.Code != l.AccountCode || a.Type != l.AccountType || a.Name != l.AccountName || l.JournalLineID == "" {
					t.Errorf("%s: journal %d: line %+v does not match its account", o.Name, j.JournalNumber, l)
				}
			}
			if sum != 0 {
				t.Errorf("%s: journal %d (%s %s) is off by %s", o.Name, j.JournalNumber, j.SourceType, j.SourceID, sum)
			}
		}
	}
}

// scanBalances sums journal lines dated in [from, to] by account: the
// slow way, to check the ledger's running totals.
func scanBalances(o *Org, from, to MSDate) map[string]Money {
	out := map[string]Money{}
	for _, j := range o.Journals.All() {
		if j.JournalDate < from || j.JournalDate > to {
			continue
		}
		for _, l := range j.JournalLines {
			out[l.AccountID] += l.NetAmount
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}

func sameBalances(t *testing.T, what string, got, want map[string]Money) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d accounts, want %d", what, len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: account %s = %s, want %s", what, k, got[k], v)
		}
	}
}

func TestLedgerTrialBalance(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		tests := []struct {
			name string
			asOf time.Time
		}{
			{"at start", genStart},
			{"a year earlier", genStart.AddDate(-1, 0, 0)},
			{"before history", genStart.AddDate(-3, 0, 0)}, // only the pre-1970 typos
		}
		for _, tc := range tests {
			got := o.Balances(tc.asOf)
			var sum Money
			for _, v := range got {
				sum += v
			}
			if sum != 0 {
				t.Errorf("%s %s: trial balance sums to %s, want 0", o.Name, tc.name, sum)
			}
			sameBalances(t, o.Name+" "+tc.name, got, scanBalances(o, MSDate(-1<<62), DayOf(tc.asOf)))
		}
		from, to := genStart.AddDate(0, -6, 0), genStart.AddDate(0, -3, 0)
		sameBalances(t, o.Name+" movements", o.Movements(from, to), scanBalances(o, DayOf(from), DayOf(to)))
		if len(o.Movements(from, to)) == 0 {
			t.Errorf("%s: no movements in a quarter of history", o.Name)
		}
	}
}

func TestLedgerJournalNumbering(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		js := o.Journals.All()
		if len(js) < 100 {
			t.Fatalf("%s: only %d journals", o.Name, len(js))
		}
		for i := 1; i < len(js); i++ {
			prev, cur := js[i-1], js[i]
			if cur.JournalNumber-prev.JournalNumber < 2 {
				t.Errorf("%s: journal numbers %d then %d: want a gap", o.Name, prev.JournalNumber, cur.JournalNumber)
			}
			if cur.CreatedDateUTC <= prev.CreatedDateUTC {
				t.Errorf("%s: journal %d created at %d, not after %d", o.Name, cur.JournalNumber, cur.CreatedDateUTC, prev.CreatedDateUTC)
			}
		}
	}
}

// TestLedgerInvoiceSettlement checks that invoices, payments, credit
// notes, overpayments, prepayments and batches settle one another.
func TestLedgerInvoiceSettlement(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		paid := map[string]Money{}
		for _, p := range o.Payments.All() {
			if p.Status == "AUTHORISED" && p.Invoice.InvoiceID != "" {
				paid[p.Invoice.InvoiceID] += p.Amount
			}
		}
		credited := map[string]Money{}
		allocs := func(list []Allocation) (sum Money) {
			for _, a := range list {
				credited[a.Invoice.InvoiceID] += a.Amount
				sum += a.Amount
			}
			return sum
		}
		for _, cn := range o.CreditNotes.All() {
			var refunds Money
			for _, p := range cn.Payments {
				refunds += p.Amount
			}
			used := allocs(cn.Allocations) + refunds
			switch cn.Status {
			case "AUTHORISED", "PAID":
				if cn.RemainingCredit != cn.Total-used || (cn.Status == "PAID") != (cn.RemainingCredit == 0) {
					t.Errorf("%s: credit note %s %s: remaining %s, total %s, used %s", o.Name, cn.CreditNoteNumber, cn.Status, cn.RemainingCredit, cn.Total, used)
				}
			}
		}
		for _, op := range o.Overpayments.All() {
			if used := allocs(op.Allocations); op.RemainingCredit != op.Total-used || (op.Status == "PAID") != (op.RemainingCredit == 0) {
				t.Errorf("%s: overpayment %s %s: remaining %s, total %s, allocated %s", o.Name, op.OverpaymentID, op.Status, op.RemainingCredit, op.Total, used)
			}
		}
		for _, pp := range o.Prepayments.All() {
			if used := allocs(pp.Allocations); pp.RemainingCredit != pp.Total-used || (pp.Status == "PAID") != (pp.RemainingCredit == 0) {
				t.Errorf("%s: prepayment %s %s: remaining %s, total %s, allocated %s", o.Name, pp.PrepaymentID, pp.Status, pp.RemainingCredit, pp.Total, used)
			}
		}
		for _, inv := range o.Invoices.All() {
			var listed Money
			for _, p := range inv.Payments {
				listed += p.Amount
			}
			if paid[inv.InvoiceID] != inv.AmountPaid || listed != inv.AmountPaid {
				t.Errorf("%s: %s: AmountPaid %s, payments %s, listed %s", o.Name, inv.InvoiceNumber, inv.AmountPaid, paid[inv.InvoiceID], listed)
			}
			if credited[inv.InvoiceID] != inv.AmountCredited {
				t.Errorf("%s: %s: AmountCredited %s, allocations %s", o.Name, inv.InvoiceNumber, inv.AmountCredited, credited[inv.InvoiceID])
			}
			switch inv.Status {
			case "VOIDED", "DELETED":
				if inv.AmountDue != 0 || inv.AmountPaid != 0 || inv.AmountCredited != 0 {
					t.Errorf("%s: %s %s still owes or holds money", o.Name, inv.InvoiceNumber, inv.Status)
				}
			default:
				if inv.AmountDue != inv.Total-inv.AmountPaid-inv.AmountCredited {
					t.Errorf("%s: %s: AmountDue %s != Total %s - paid %s - credited %s", o.Name, inv.InvoiceNumber,
						inv.AmountDue, inv.Total, inv.AmountPaid, inv.AmountCredited)
				}
				if inv.AmountDue < 0 {
					t.Errorf("%s: %s overpaid: AmountDue %s", o.Name, inv.InvoiceNumber, inv.AmountDue)
				}
			}
			if inv.Status == "AUTHORISED" || inv.Status == "PAID" {
				if (inv.Status == "PAID") != (inv.AmountDue == 0) || (inv.Status == "PAID") != (inv.FullyPaidOnDate != 0) {
					t.Errorf("%s: %s: status %s with AmountDue %s, FullyPaidOnDate %d", o.Name, inv.InvoiceNumber, inv.Status, inv.AmountDue, inv.FullyPaidOnDate)
				}
			} else if inv.AmountPaid != 0 || inv.FullyPaidOnDate != 0 {
				t.Errorf("%s: %s %s has payments", o.Name, inv.InvoiceNumber, inv.Status)
			}
			var sub, tax Money
			for _, li := range inv.LineItems {
				sub += li.LineAmount
				tax += li.TaxAmount
			}
			if inv.TotalTax != tax || (inv.LineAmountTypes == "Inclusive" && inv.Total != sub) || (inv.LineAmountTypes != "Inclusive" && inv.Total != sub+tax) {
				t.Errorf("%s: %s totals do not add up from its lines", o.Name, inv.InvoiceNumber)
			}
		}
		members := map[string]Money{}
		for _, p := range o.Payments.All() {
			if p.BatchPaymentID != "" {
				members[p.BatchPaymentID] += p.Amount
			}
		}
		for _, b := range o.BatchPayments.All() {
			var sum Money
			for _, p := range b.Payments {
				sum += p.Amount
			}
			if sum != b.TotalAmount || members[b.BatchPaymentID] != b.TotalAmount {
				t.Errorf("%s: batch %s total %s, lines %s, member payments %s", o.Name, b.BatchPaymentID, b.TotalAmount, sum, members[b.BatchPaymentID])
			}
		}
	}
}

// sourceNet sums a source's journals by account.
func sourceNet(o *Org) map[string]map[string]Money {
	out := map[string]map[string]Money{}
	for _, j := range o.Journals.All() {
		m := out[j.SourceID]
		if m == nil {
			m = map[string]Money{}
			out[j.SourceID] = m
		}
		for _, l := range j.JournalLines {
			m[l.AccountID] += l.NetAmount
		}
	}
	return out
}

func netsToZero(m map[string]Money) bool {
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// TestLedgerSourcesPosted checks which sources post and that voids and
// deletes are reversed rather than removed.
func TestLedgerSourcesPosted(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		net := sourceNet(o)
		ar, ap := o.sysAcct.receivable.AccountID, o.sysAcct.payable.AccountID
		for _, inv := range o.Invoices.All() {
			m, posted := net[inv.InvoiceID]
			switch inv.Status {
			case "DRAFT", "SUBMITTED", "DELETED":
				if posted {
					t.Errorf("%s: %s %s posted a journal", o.Name, inv.Status, inv.InvoiceNumber)
				}
			case "VOIDED":
				if !posted || !netsToZero(m) {
					t.Errorf("%s: voided %s: journals %v, want posted and reversed", o.Name, inv.InvoiceNumber, m)
				}
			default:
				want, acct := inv.Total, ar
				if inv.Type == "ACCPAY" {
					want, acct = -inv.Total, ap
				}
				if inv.CurrencyRate == 1 && m[acct] != want {
					t.Errorf("%s: %s posted %s to its control account, want %s", o.Name, inv.InvoiceNumber, m[acct], want)
				}
			}
		}
		for _, p := range o.Payments.All() {
			m, posted := net[p.PaymentID]
			if !posted || (p.Status == "DELETED") != netsToZero(m) {
				t.Errorf("%s: payment %s %s: journals %v", o.Name, p.PaymentID, p.Status, m)
			}
		}
		for _, tr := range o.BankTransfers.All() {
			m, posted := net[tr.BankTransferID]
			if !posted || (tr.Status == "DELETED") != netsToZero(m) {
				t.Errorf("%s: transfer %s %s: journals %v", o.Name, tr.BankTransferID, tr.Status, m)
			}
		}
		for _, bt := range o.BankTransactions.All() {
			m, posted := net[bt.BankTransactionID]
			switch bt.Type {
			case "SPEND", "RECEIVE":
				if !posted || (bt.Status == "DELETED") != netsToZero(m) {
					t.Errorf("%s: bank transaction %s %s: journals %v", o.Name, bt.BankTransactionID, bt.Status, m)
				}
			default:
				if posted {
					t.Errorf("%s: %s bank transaction %s posted its own journal", o.Name, bt.Type, bt.BankTransactionID)
				}
			}
		}
		for _, mj := range o.ManualJournals.All() {
			m, posted := net[mj.ManualJournalID]
			if posted != (mj.Status == "POSTED" || mj.Status == "VOIDED") || (mj.Status == "VOIDED") != (posted && netsToZero(m)) {
				t.Errorf("%s: manual journal %s %s: journals %v", o.Name, mj.ManualJournalID, mj.Status, m)
			}
		}
	}
}

// TestLedgerSubledgersTie checks that the receivable and payable balances
// from journals equal what the documents say is owed: invoices due, less
// credit not yet used. Foreign-currency invoices may differ by rounding.
func TestLedgerSubledgersTie(t *testing.T) {
	for _, o := range genDemoWorld(t).Orgs {
		var ar, ap Money
		foreign := 0
		for _, inv := range o.Invoices.All() {
			if inv.Status != "AUTHORISED" && inv.Status != "PAID" {
				continue
			}
			if inv.CurrencyRate != 1 {
				foreign++
			}
			if inv.Type == "ACCREC" {
				ar += toBase(inv.AmountDue, inv.CurrencyRate)
			} else {
				ap -= toBase(inv.AmountDue, inv.CurrencyRate)
			}
		}
		for _, cn := range o.CreditNotes.All() {
			if cn.Status == "AUTHORISED" {
				if cn.Type == "ACCRECCREDIT" {
					ar -= cn.RemainingCredit
				} else {
					ap += cn.RemainingCredit
				}
			}
		}
		for _, op := range o.Overpayments.All() {
			if op.Type == "RECEIVE-OVERPAYMENT" {
				ar -= op.RemainingCredit
			} else {
				ap += op.RemainingCredit
			}
		}
		for _, pp := range o.Prepayments.All() {
			if pp.Type == "RECEIVE-PREPAYMENT" {
				ar -= pp.RemainingCredit
			} else {
				ap += pp.RemainingCredit
			}
		}
		bal := o.Balances(genStart)
		tolerance := Money(3 * foreign)
		if d := bal[o.sysAcct.receivable.AccountID] - ar; d > tolerance || d < -tolerance {
			t.Errorf("%s: receivable %s from journals, %s from documents", o.Name, bal[o.sysAcct.receivable.AccountID], ar)
		}
		if d := bal[o.sysAcct.payable.AccountID] - ap; d > tolerance || d < -tolerance {
			t.Errorf("%s: payable %s from journals, %s from documents", o.Name, bal[o.sysAcct.payable.AccountID], ap)
		}
		var outstanding Money
		for _, c := range o.Contacts.All() {
			if c.Balances != nil {
				outstanding += c.Balances.AccountsReceivable.Outstanding
				if c.Balances.AccountsReceivable.Overdue > c.Balances.AccountsReceivable.Outstanding {
					t.Errorf("%s: contact %s overdue more than outstanding", o.Name, c.Name)
				}
			}
		}
		if outstanding <= 0 {
			t.Errorf("%s: no receivables outstanding at start", o.Name)
		}
	}
}

// TestLedgerPostAndReverse drives the API the admin API uses: post a new
// invoice's journal, reverse it, and refuse journals that cannot be posted.
func TestLedgerPostAndReverse(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Orgs = 1
	w, err := Generate(cfg, genStart)
	if err != nil {
		t.Fatal(err)
	}
	o := w.Orgs[0]
	sales, ar := o.AccountByCode("200"), o.sysAcct.receivable
	last := o.Journals.All()[o.Journals.Len()-1]
	before := o.Balances(genStart.AddDate(1, 0, 0))

	inv := &Invoice{Type: "ACCREC", InvoiceID: o.NewID(), InvoiceNumber: o.NextNumber("INV"), Status: "AUTHORISED",
		LineAmountTypes: "Exclusive", CurrencyCode: o.Organisation.BaseCurrency, CurrencyRate: 1, Date: DayOf(genStart),
		LineItems: []LineItem{{LineItemID: o.NewID(), Description: "Widget", Quantity: 2, UnitAmount: 5_000,
			AccountCode: sales.Code, TaxType: sales.TaxType, LineAmount: 10_000, TaxAmount: 1_500}}}
	inv.SubTotal, inv.TotalTax, inv.Total = totals(inv.LineItems, inv.LineAmountTypes)
	j, err := o.invoiceJournal(inv)
	if err != nil {
		t.Fatal(err)
	}
	at := genStart.Add(time.Hour)
	posted, err := o.post(j, at)
	if err != nil {
		t.Fatal(err)
	}
	if posted.JournalNumber <= last.JournalNumber+1 || posted.CreatedDateUTC != MSDateOf(at) || o.Journals.All()[o.Journals.Len()-1] != posted {
		t.Errorf("posted journal %d at %d after %d at %d", posted.JournalNumber, posted.CreatedDateUTC, last.JournalNumber, last.CreatedDateUTC)
	}
	after := o.Balances(genStart.AddDate(1, 0, 0))
	if d := after[ar.AccountID] - before[ar.AccountID]; d != inv.Total {
		t.Errorf("receivable moved by %s, want %s", d, inv.Total)
	}
	if d := after[sales.AccountID] - before[sales.AccountID]; d != -inv.SubTotal {
		t.Errorf("sales moved by %s, want %s", d, -inv.SubTotal)
	}

	// An earlier time than the last journal still files after it.
	rev, err := o.reverse(inv.InvoiceID, inv.Date, genStart.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rev.JournalNumber <= posted.JournalNumber || rev.CreatedDateUTC <= posted.CreatedDateUTC || rev.SourceType != "ACCREC" {
		t.Errorf("reversal %d (%s) created %d, after %d created %d", rev.JournalNumber, rev.SourceType, rev.CreatedDateUTC, posted.JournalNumber, posted.CreatedDateUTC)
	}
	sameBalances(t, "after reversal", o.Balances(genStart.AddDate(1, 0, 0)), before)
	if _, err := o.reverse(inv.InvoiceID, inv.Date, at); !errors.Is(err, errNothingToReverse) {
		t.Errorf("second reversal: %v, want errNothingToReverse", err)
	}
	if _, err := o.reverse(o.NewID(), inv.Date, at); !errors.Is(err, errNothingToReverse) {
		t.Errorf("reversal of an unknown source: %v, want errNothingToReverse", err)
	}

	n := o.Journals.Len()
	bad := []struct {
		name string
		j    *Journal
	}{
		{"no lines", &Journal{SourceType: "MANJOURNAL", SourceID: o.NewID()}},
		{"unbalanced", &Journal{SourceType: "MANJOURNAL", SourceID: o.NewID(), JournalLines: []JournalLine{
			o.jline(sales, 100, 0, "", "", nil), o.jline(ar, -99, 0, "", "", nil)}}},
		{"unknown account", &Journal{SourceType: "MANJOURNAL", SourceID: o.NewID(), JournalLines: []JournalLine{
			{AccountID: "00000000-0000-4000-8000-000000000000", NetAmount: 100}, o.jline(ar, -100, 0, "", "", nil)}}},
	}
	for _, tc := range bad {
		if _, err := o.post(tc.j, at); err == nil {
			t.Errorf("%s: posted", tc.name)
		}
	}
	if o.Journals.Len() != n {
		t.Errorf("refused journals changed the ledger: %d journals, want %d", o.Journals.Len(), n)
	}
	draft := *inv
	draft.Status = "DRAFT"
	if _, err := o.invoiceJournal(&draft); !errors.Is(err, errNoJournal) {
		t.Errorf("draft invoice journal: %v, want errNoJournal", err)
	}
}
