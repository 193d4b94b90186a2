package xero

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The ledger derives Journals by double entry from every posted
// transaction, as Xero does: invoices and bills, credit notes, payments,
// overpayments, prepayments, bank transactions, bank transfers and manual
// journals. Journals are append-only; voiding or deleting a posted source
// posts a reversing journal dated like the original.
//
// The API, for the generator, the admin API and the report builders (all
// of it expects the caller to hold o.mu, for writing where it posts):
//
//	o.invoiceJournal(inv), o.creditNoteJournal(cn), o.paymentJournal(p),
//	o.overpaymentJournal(op, bank), o.prepaymentJournal(pp, bank),
//	o.bankTransactionJournal(bt), o.bankTransferJournal(bt),
//	o.manualJournalJournal(mj)   build an unposted journal for a source
//	o.post(j, at)                validate, number and file it
//	o.reverse(sourceID, date, at) post the reversal of a source's postings
//	o.Balances(asOf)             trial balance by AccountID from journals
//	o.Movements(from, to)        net movement by AccountID in a period
//	o.RefreshContactBalances(asOf) recompute Contact.Balances
//
// Sign convention: NetAmount is positive for a debit, negative for a
// credit, and a journal's NetAmounts sum to zero. Tax sits on the line it
// was charged on (TaxAmount, GrossAmount = NetAmount + TaxAmount) and is
// posted once more, as a net amount, to the tax account, so the tax
// account's balance is the tax owed.

// ledger is the organisation's running ledger state. Net movements are
// kept per account and journal date, so trial balances and period
// movements of a large organisation cost one pass over accounts × days
// instead of one over every journal line.
type ledger struct {
	lastNumber  int64
	lastCreated MSDate
	daily       map[string]map[MSDate]Money // AccountID → JournalDate → net
}

// errNoJournal reports a source that posts no journal of its own (a draft,
// or the bank side of an overpayment, prepayment or transfer).
var errNoJournal = errors.New("xero sandbox: ledger: source posts no journal")

// errNothingToReverse reports a source whose postings already net to zero.
var errNothingToReverse = errors.New("xero sandbox: ledger: nothing posted to reverse")

// nextJournalNumber returns the number after last, skipping 1 to 4
// numbers so that, as in Xero, JournalNumbers are never contiguous and
// clients cannot page by offset+100.
func nextJournalNumber(last int64) int64 {
	x := uint64(last) + 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	return last + 2 + int64(x%4)
}

// file numbers j, gives it and its lines ids, stamps CreatedDateUTC (at,
// or just after the previous journal so creation order follows numbering)
// and adds it to the running totals. It does not put j in o.Journals: the
// generator loads all journals at once, post puts one.
func (o *Org) file(j *Journal, at MSDate) {
	l := &o.ledger
	l.lastNumber = nextJournalNumber(l.lastNumber)
	if at <= l.lastCreated {
		at = l.lastCreated + 1
	}
	l.lastCreated = at
	j.JournalNumber, j.CreatedDateUTC = l.lastNumber, at
	j.JournalID = o.ids.next()
	if l.daily == nil {
		l.daily = make(map[string]map[MSDate]Money)
	}
	for i := range j.JournalLines {
		line := &j.JournalLines[i]
		line.JournalLineID = o.ids.next()
		days := l.daily[line.AccountID]
		if days == nil {
			days = make(map[MSDate]Money)
			l.daily[line.AccountID] = days
		}
		days[j.JournalDate] += line.NetAmount
	}
}

// post validates an unposted journal (known accounts, lines that balance),
// files it at time at and adds it to o.Journals. The caller holds o.mu.
func (o *Org) post(j *Journal, at time.Time) (*Journal, error) {
	if len(j.JournalLines) == 0 {
		return nil, fmt.Errorf("xero sandbox: ledger: post %s %s: no lines", j.SourceType, j.SourceID)
	}
	var sum Money
	for _, line := range j.JournalLines {
		if _, ok := o.Accounts.Get(line.AccountID); !ok {
			return nil, fmt.Errorf("xero sandbox: ledger: post %s %s: unknown account %q", j.SourceType, j.SourceID, line.AccountID)
		}
		sum += line.NetAmount
	}
	if sum != 0 {
		return nil, fmt.Errorf("xero sandbox: ledger: post %s %s: lines do not balance (off by %s)", j.SourceType, j.SourceID, sum)
	}
	o.file(j, MSDateOf(at))
	o.Journals.Put(j)
	return j, nil
}

// reverse posts, at time at and dated date, a journal that undoes what the
// source's journals posted so far (a void or delete is dated like the
// original in Xero, so reports of that period drop it). It returns
// errNothingToReverse when the source's postings already net to zero.
// It scans the journals: voids are rare and a scan of a million journals
// takes milliseconds.
func (o *Org) reverse(sourceID string, date MSDate, at time.Time) (*Journal, error) {
	type key struct{ account, taxType, tracking, desc string }
	type sum struct {
		line     JournalLine
		net, tax Money
	}
	sums := map[key]*sum{}
	var order []key
	var src *Journal
	for _, j := range o.Journals.All() {
		if j.SourceID != sourceID {
			continue
		}
		src = j
		for _, line := range j.JournalLines {
			k := key{line.AccountID, line.TaxType, trackingKey(line.TrackingCategories), line.Description}
			s := sums[k]
			if s == nil {
				s = &sum{line: line}
				sums[k] = s
				order = append(order, k)
			}
			s.net += line.NetAmount
			s.tax += line.TaxAmount
		}
	}
	var lines []JournalLine
	for _, k := range order {
		s := sums[k]
		if s.net == 0 && s.tax == 0 {
			continue
		}
		line := s.line
		line.NetAmount, line.TaxAmount, line.GrossAmount = -s.net, -s.tax, -s.net-s.tax
		lines = append(lines, line)
	}
	if src == nil || len(lines) == 0 {
		return nil, errNothingToReverse
	}
	return o.post(&Journal{JournalDate: date, Reference: src.Reference, SourceID: sourceID,
		SourceType: src.SourceType, JournalLines: lines}, at)
}

// reversal returns the unposted journal that undoes j, for the generator,
// which knows what it posted.
func reversal(j *Journal) *Journal {
	lines := make([]JournalLine, len(j.JournalLines))
	for i, line := range j.JournalLines {
		line.NetAmount, line.TaxAmount, line.GrossAmount = -line.NetAmount, -line.TaxAmount, -line.GrossAmount
		lines[i] = line
	}
	return &Journal{JournalDate: j.JournalDate, Reference: j.Reference, SourceID: j.SourceID,
		SourceType: j.SourceType, JournalLines: lines}
}

func trackingKey(t []TrackingRef) string {
	if len(t) == 0 {
		return ""
	}
	var b strings.Builder
	for _, r := range t {
		b.WriteString(r.TrackingOptionID)
		b.WriteByte(',')
	}
	return b.String()
}

// Balances returns every account's balance (net of debits and credits)
// from all journals dated on or before asOf's day, by AccountID. The
// balances sum to zero. The caller holds o.mu.
func (o *Org) Balances(asOf time.Time) map[string]Money {
	return o.sumDays(math.MinInt64, DayOf(asOf))
}

// Movements returns each account's net movement from journals dated in
// [from, to] (whole days, both inclusive), by AccountID: the figures of a
// profit and loss report. The caller holds o.mu.
func (o *Org) Movements(from, to time.Time) map[string]Money {
	return o.sumDays(DayOf(from), DayOf(to))
}

func (o *Org) sumDays(from, to MSDate) map[string]Money {
	out := make(map[string]Money, len(o.ledger.daily))
	for account, days := range o.ledger.daily {
		var total Money
		for d, net := range days {
			if d >= from && d <= to {
				total += net
			}
		}
		if total != 0 {
			out[account] = total
		}
	}
	return out
}

// jline is a journal line on account a: net and tax are signed (debit
// positive). The caller fills TaxName through o.taxName when taxType is set.
func (o *Org) jline(a *Account, net, tax Money, desc, taxType string, tracking []TrackingRef) JournalLine {
	line := JournalLine{AccountID: a.AccountID, AccountCode: a.Code, AccountType: a.Type, AccountName: a.Name,
		Description: desc, NetAmount: net, TaxAmount: tax, GrossAmount: net + tax, TrackingCategories: tracking}
	if taxType != "" {
		line.TaxType = taxType
		if r, ok := o.TaxRates.Get(taxType); ok {
			line.TaxName = r.Name
		}
	}
	return line
}

// lineAccount resolves a line's account by AccountID, else by AccountCode.
func (o *Org) lineAccount(id, code string) (*Account, error) {
	if id != "" {
		if a, ok := o.Accounts.Get(id); ok {
			return a, nil
		}
	}
	if a := o.byCode[code]; a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("xero sandbox: ledger: unknown account %q (code %q)", id, code)
}

// toBase converts an amount in a document's currency to the base currency
// at the document's rate (units of the document's currency per unit of
// base currency, as Xero's CurrencyRate is).
func toBase(m Money, rate float64) Money {
	if rate == 1 || rate <= 0 {
		return m
	}
	return Money(math.Round(float64(m) / rate))
}

// lineNetTax splits a line into its amount before tax and its tax, in the
// document's currency.
func lineNetTax(li *LineItem, lineAmountTypes string) (net, tax Money) {
	switch strings.ToUpper(lineAmountTypes) {
	case "INCLUSIVE":
		return li.LineAmount - li.TaxAmount, li.TaxAmount
	case "NOTAX":
		return li.LineAmount, 0
	default:
		return li.LineAmount, li.TaxAmount
	}
}

// documentJournal is the journal of a document with lines: each line on its
// own account, the tax on the tax account and the total on the control
// account (receivable, payable or bank). sign is −1 when the lines are
// credits (sales, money received), +1 when they are debits.
func (o *Org) documentJournal(sourceType, sourceID, reference string, date MSDate, items []LineItem,
	lineAmountTypes string, rate float64, sign Money, control *Account) (*Journal, error) {
	lines := make([]JournalLine, 0, len(items)+2)
	var netSum, taxSum Money
	for i := range items {
		li := &items[i]
		a, err := o.lineAccount(li.AccountID, li.AccountCode)
		if err != nil {
			return nil, fmt.Errorf("xero sandbox: ledger: %s %s line %d: %w", sourceType, sourceID, i+1, err)
		}
		net, tax := lineNetTax(li, lineAmountTypes)
		net, tax = toBase(net, rate), toBase(tax, rate)
		lines = append(lines, o.jline(a, sign*net, sign*tax, li.Description, li.TaxType, li.Tracking))
		netSum += net
		taxSum += tax
	}
	if taxSum != 0 {
		lines = append(lines, o.jline(o.sysAcct.tax, sign*taxSum, 0, "", "", nil))
	}
	lines = append(lines, o.jline(control, -sign*(netSum+taxSum), 0, "", "", nil))
	return &Journal{JournalDate: date, Reference: reference, SourceID: sourceID, SourceType: sourceType, JournalLines: lines}, nil
}

// invoiceJournal builds the journal of an authorised invoice (ACCREC:
// receivable debited, revenue and tax credited) or bill (ACCPAY: the
// mirror image). Drafts post nothing: it returns errNoJournal.
func (o *Org) invoiceJournal(inv *Invoice) (*Journal, error) {
	if inv.Status != "AUTHORISED" && inv.Status != "PAID" {
		return nil, errNoJournal
	}
	sign, control := Money(-1), o.sysAcct.receivable
	if inv.Type == "ACCPAY" {
		sign, control = 1, o.sysAcct.payable
	}
	return o.documentJournal(inv.Type, inv.InvoiceID, inv.Reference, inv.Date, inv.LineItems,
		inv.LineAmountTypes, inv.CurrencyRate, sign, control)
}

// creditNoteJournal builds the journal of an authorised credit note, the
// mirror image of an invoice's.
func (o *Org) creditNoteJournal(cn *CreditNote) (*Journal, error) {
	if cn.Status != "AUTHORISED" && cn.Status != "PAID" {
		return nil, errNoJournal
	}
	sign, control := Money(1), o.sysAcct.receivable
	if cn.Type == "ACCPAYCREDIT" {
		sign, control = -1, o.sysAcct.payable
	}
	return o.documentJournal(cn.Type, cn.CreditNoteID, cn.Reference, cn.Date, cn.LineItems,
		cn.LineAmountTypes, cn.CurrencyRate, sign, control)
}

// paymentJournal builds the journal of a payment: the bank against the
// receivable or payable, for BankAmount (the base-currency amount).
func (o *Org) paymentJournal(p *Payment) (*Journal, error) {
	bank, ok := o.Accounts.Get(p.Account.AccountID)
	if !ok {
		return nil, fmt.Errorf("xero sandbox: ledger: payment %s: unknown account %q", p.PaymentID, p.Account.AccountID)
	}
	var control *Account
	in := true // money into the bank
	switch p.PaymentType {
	case "ACCRECPAYMENT":
		control = o.sysAcct.receivable
	case "ACCPAYPAYMENT":
		control, in = o.sysAcct.payable, false
	case "ARCREDITPAYMENT":
		control, in = o.sysAcct.receivable, false
	case "APCREDITPAYMENT":
		control = o.sysAcct.payable
	default:
		return nil, fmt.Errorf("xero sandbox: ledger: payment %s: unsupported type %q", p.PaymentID, p.PaymentType)
	}
	amount := p.BankAmount
	if !in {
		amount = -amount
	}
	return &Journal{JournalDate: p.Date, Reference: p.Reference, SourceID: p.PaymentID, SourceType: p.PaymentType,
		JournalLines: []JournalLine{
			o.jline(bank, amount, 0, "", "", nil),
			o.jline(control, -amount, 0, "", "", nil),
		}}, nil
}

// overpaymentJournal builds the journal of an overpayment received into
// (or paid from) bank: the money sits in the receivable (payable) account
// until allocated, so allocations post nothing.
func (o *Org) overpaymentJournal(op *Overpayment, bank *Account) (*Journal, error) {
	if op.Type == "SPEND-OVERPAYMENT" {
		return o.creditMoneyJournal("APOVERPAYMENT", op.OverpaymentID, op.Reference, op.Date, toBase(op.Total, op.CurrencyRate), bank, false), nil
	}
	return o.creditMoneyJournal("AROVERPAYMENT", op.OverpaymentID, op.Reference, op.Date, toBase(op.Total, op.CurrencyRate), bank, true), nil
}

// prepaymentJournal builds the journal of a prepayment, as overpaymentJournal does.
func (o *Org) prepaymentJournal(pp *Prepayment, bank *Account) (*Journal, error) {
	if pp.Type == "SPEND-PREPAYMENT" {
		return o.creditMoneyJournal("APPREPAYMENT", pp.PrepaymentID, pp.Reference, pp.Date, toBase(pp.Total, pp.CurrencyRate), bank, false), nil
	}
	return o.creditMoneyJournal("ARPREPAYMENT", pp.PrepaymentID, pp.Reference, pp.Date, toBase(pp.Total, pp.CurrencyRate), bank, true), nil
}

func (o *Org) creditMoneyJournal(sourceType, id, reference string, date MSDate, amount Money, bank *Account, received bool) *Journal {
	control := o.sysAcct.receivable
	if !received {
		control, amount = o.sysAcct.payable, -amount
	}
	return &Journal{JournalDate: date, Reference: reference, SourceID: id, SourceType: sourceType,
		JournalLines: []JournalLine{
			o.jline(bank, amount, 0, "", "", nil),
			o.jline(control, -amount, 0, "", "", nil),
		}}
}

// bankTransactionJournal builds the journal of a RECEIVE (CASHREC) or
// SPEND (CASHPAID) bank transaction. The other types are the bank side of
// an overpayment, prepayment or transfer, which post their own journals:
// for them it returns errNoJournal.
func (o *Org) bankTransactionJournal(bt *BankTransaction) (*Journal, error) {
	bank, ok := o.Accounts.Get(bt.BankAccount.AccountID)
	if !ok {
		return nil, fmt.Errorf("xero sandbox: ledger: bank transaction %s: unknown account %q", bt.BankTransactionID, bt.BankAccount.AccountID)
	}
	switch bt.Type {
	case "RECEIVE":
		return o.documentJournal("CASHREC", bt.BankTransactionID, bt.Reference, bt.Date, bt.LineItems,
			bt.LineAmountTypes, bt.CurrencyRate, -1, bank)
	case "SPEND":
		return o.documentJournal("CASHPAID", bt.BankTransactionID, bt.Reference, bt.Date, bt.LineItems,
			bt.LineAmountTypes, bt.CurrencyRate, 1, bank)
	}
	return nil, errNoJournal
}

// bankTransferJournal builds the journal of a transfer: the receiving
// account debited, the sending one credited.
func (o *Org) bankTransferJournal(bt *BankTransfer) (*Journal, error) {
	from, ok1 := o.Accounts.Get(bt.FromBankAccount.AccountID)
	to, ok2 := o.Accounts.Get(bt.ToBankAccount.AccountID)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("xero sandbox: ledger: bank transfer %s: unknown bank account", bt.BankTransferID)
	}
	return &Journal{JournalDate: bt.Date, Reference: bt.Reference, SourceID: bt.BankTransferID, SourceType: "TRANSFER",
		JournalLines: []JournalLine{
			o.jline(to, bt.Amount, 0, "", "", nil),
			o.jline(from, -bt.Amount, 0, "", "", nil),
		}}, nil
}

// manualJournalJournal builds the journal of a POSTED manual journal: each
// line as entered (LineAmount positive for debits); any tax is posted to
// the tax account too. Other statuses post nothing (errNoJournal).
func (o *Org) manualJournalJournal(mj *ManualJournal) (*Journal, error) {
	if mj.Status != "POSTED" {
		return nil, errNoJournal
	}
	lines := make([]JournalLine, 0, len(mj.JournalLines)+1)
	var taxSum Money
	for i := range mj.JournalLines {
		ml := &mj.JournalLines[i]
		a, err := o.lineAccount(ml.AccountID, ml.AccountCode)
		if err != nil {
			return nil, fmt.Errorf("xero sandbox: ledger: manual journal %s line %d: %w", mj.ManualJournalID, i+1, err)
		}
		net := ml.LineAmount
		if strings.EqualFold(mj.LineAmountTypes, "Inclusive") {
			net -= ml.TaxAmount
		}
		lines = append(lines, o.jline(a, net, ml.TaxAmount, ml.Description, ml.TaxType, ml.Tracking))
		taxSum += ml.TaxAmount
	}
	if taxSum != 0 {
		lines = append(lines, o.jline(o.sysAcct.tax, taxSum, 0, "", "", nil))
	}
	return &Journal{JournalDate: mj.Date, Reference: mj.Narration, SourceID: mj.ManualJournalID,
		SourceType: "MANJOURNAL", JournalLines: lines}, nil
}

// RefreshContactBalances recomputes every contact's Balances (outstanding
// and overdue receivables and payables in base currency, from authorised
// invoices and bills) as of asOf, and IsCustomer/IsSupplier. As in Xero,
// these derived fields never move a contact's UpdatedDateUTC. The caller
// holds o.mu for writing.
func (o *Org) RefreshContactBalances(asOf time.Time) {
	type totals struct {
		ar, arOver, ap, apOver Money
		customer, supplier     bool
	}
	day := DayOf(asOf)
	byContact := make(map[string]*totals, o.Contacts.Len())
	for _, inv := range o.Invoices.All() {
		if inv.Status != "AUTHORISED" && inv.Status != "PAID" {
			continue
		}
		t := byContact[inv.Contact.ContactID]
		if t == nil {
			t = &totals{}
			byContact[inv.Contact.ContactID] = t
		}
		due := toBase(inv.AmountDue, inv.CurrencyRate)
		overdue := inv.DueDate < day
		if inv.Type == "ACCREC" {
			t.customer = true
			t.ar += due
			if overdue {
				t.arOver += due
			}
		} else {
			t.supplier = true
			t.ap += due
			if overdue {
				t.apOver += due
			}
		}
	}
	for _, c := range o.Contacts.All() {
		t := byContact[c.ContactID]
		if t == nil {
			c.Balances = nil
			continue
		}
		c.IsCustomer, c.IsSupplier = t.customer, t.supplier
		c.Balances = &Balances{
			AccountsReceivable: BalanceDetail{Outstanding: t.ar, Overdue: t.arOver},
			AccountsPayable:    BalanceDetail{Outstanding: t.ap, Overdue: t.apOver},
		}
	}
}
