package xero

import (
	"math"
	"time"
)

// Sales invoices and bills, and everything that settles them: payments
// (some partial, some deleted, some batched), credit notes, overpayments
// and prepayments, each applied in time order so that AmountDue,
// AmountPaid, AmountCredited, Status and FullyPaidOnDate agree with the
// records that settled them.

// docOdds are the per-invoice chances of the rarer settlement paths, set
// so that the size's counts come out about right.
type docOdds struct {
	linkedCredit, standaloneCredit, over, pre float64
}

func (g *generator) salesAndBills() {
	docs := float64(max(1, g.size.Invoices+g.size.Bills))
	odds := docOdds{
		linkedCredit:     0.6 * float64(g.size.CreditNotes) / docs / 0.9, // 90% of invoices get as far as authorised
		standaloneCredit: 0.4 * float64(g.size.CreditNotes) / docs,
		over:             float64(g.size.Overpayments) / docs / 0.8,
		pre:              float64(g.size.Prepayments) / docs / 0.9,
	}
	g.invoices = make([]*Invoice, 0, g.size.Invoices+g.size.Bills)
	g.payments = make([]*Payment, 0, (g.size.Invoices+g.size.Bills)*21/20)
	g.invoiceRun("ACCREC", g.size.Invoices, odds)
	g.invoiceRun("ACCPAY", g.size.Bills, odds)
}

// invoiceRun makes n invoices of one type in date order. One of them has
// its year mistyped (1963 or 1969), so clients meet negative /Date()/ values.
func (g *generator) invoiceRun(typ string, n int, odds docOdds) {
	list, typoYear := g.customers, 1963
	if typ == "ACCPAY" {
		list, typoYear = g.suppliers, 1969
	}
	// A few rare paths are forced from fixed positions on (at the first
	// base-currency invoice there), so that even the smallest organisation
	// shows each of them whatever the seed.
	forced := map[int]lifeMode{n / 5: lifeOverpayment, n / 4: lifeDeletedPayment, n * 2 / 5: lifePrepayment}
	var waiting []lifeMode
	for i, day := range g.sortedDays(n) {
		gc := g.contactFor(list, day)
		created := g.instant(day)
		inv := g.newInvoice(typ, gc, day)
		mode := lifeRandom
		if m, ok := forced[i]; ok && n >= 8 {
			waiting = append(waiting, m)
		}
		switch {
		case n < 8:
		case i == n/3:
			mode = lifeTypo
			g.mistypeYear(inv, typoYear, gc.terms)
		case i == n/2:
			mode = lifeVoided
		case i == n/2+1:
			mode = lifeDeleted
		case len(waiting) > 0 && gc.currency.rate == 1:
			mode, waiting = waiting[0], waiting[1:]
		}
		g.invoices = append(g.invoices, inv)
		g.invoiceLifecycle(inv, gc, created, mode, odds)
		if g.chance(odds.standaloneCredit) || i == n*3/5 {
			g.standaloneCreditNote(typ, gc, day, i == n*3/5)
		}
	}
}

// newInvoice makes an invoice or bill dated day with 1–5 lines.
func (g *generator) newInvoice(typ string, gc genContact, day MSDate) *Invoice {
	inv := &Invoice{Type: typ, InvoiceID: g.o.ids.next(), Contact: refOfContact(gc.c),
		CurrencyCode: gc.currency.code, CurrencyRate: rateOn(gc.currency, day), Reference: pick(g, references)}
	if typ == "ACCREC" {
		inv.InvoiceNumber = g.o.NextNumber("INV")
	} else {
		inv.InvoiceNumber = g.o.NextNumber("BILL")
	}
	inv.LineAmountTypes = g.lineAmountTypes(0.8, 0.15)
	inv.LineItems = g.lines(typ == "ACCREC", day, g.lineCount(), inv.LineAmountTypes)
	inv.SubTotal, inv.TotalTax, inv.Total = totals(inv.LineItems, inv.LineAmountTypes)
	inv.Date, inv.DateString = day, g.dayString(day)
	inv.DueDate = day + MSDate(gc.terms)*dayMs
	inv.DueDateString = g.dayString(inv.DueDate)
	return inv
}

// mistypeYear moves an invoice's dates to the given year, as a user
// typing 63 for 23 would.
func (g *generator) mistypeYear(inv *Invoice, year, terms int) {
	t := inv.Date.Time()
	d := DayOf(time.Date(year, t.Month(), min(t.Day(), 28), 0, 0, 0, 0, time.UTC))
	inv.Date, inv.DateString = d, dayString(d)
	inv.DueDate = d + MSDate(terms)*dayMs
	inv.DueDateString = dayString(inv.DueDate)
}

func (g *generator) lineAmountTypes(exclusive, inclusive float64) string {
	r := g.rng.Float64()
	switch {
	case r < exclusive:
		return "Exclusive"
	case r < exclusive+inclusive:
		return "Inclusive"
	}
	return "NoTax"
}

// lineCount draws 1–5 lines, fewer more often.
func (g *generator) lineCount() int {
	r := g.rng.IntN(100)
	switch {
	case r < 45:
		return 1
	case r < 70:
		return 2
	case r < 85:
		return 3
	case r < 95:
		return 4
	}
	return 5
}

// lines makes n sales or purchase lines dated day.
func (g *generator) lines(sales bool, day MSDate, n int, lineAmountTypes string) []LineItem {
	out := make([]LineItem, n)
	for i := range out {
		li := &out[i]
		li.LineItemID = g.o.ids.next()
		li.Quantity = g.quantity()
		var acct *Account
		switch {
		case sales && g.chance(0.6):
			it := pick(g, g.itemsSold)
			li.ItemCode, li.Description, li.UnitAmount = it.Code, it.Name, it.SalesDetails.UnitPrice
			acct, li.TaxType = g.o.byCode[it.SalesDetails.AccountCode], it.SalesDetails.TaxType
		case sales:
			acct = pick(g, g.sales)
			li.Description, li.UnitAmount, li.TaxType = pick(g, serviceNames), g.amount(2_000, 300_000), acct.TaxType
		case g.chance(0.4):
			it := pick(g, g.itemsBought)
			li.ItemCode, li.Description, li.UnitAmount = it.Code, it.PurchaseDescription, it.PurchaseDetails.UnitPrice
			acct, li.TaxType = g.o.byCode[it.PurchaseDetails.AccountCode], it.PurchaseDetails.TaxType
		default:
			li.Description, acct = g.expense()
			li.UnitAmount, li.TaxType, li.Quantity = g.amount(1_000, 200_000), acct.TaxType, 1
		}
		if sales && g.chance(0.05) {
			li.TaxType = g.prof.zeroSales
		}
		if lineAmountTypes == "NoTax" {
			li.TaxType = g.prof.noTax
		}
		li.AccountCode, li.AccountID = acct.Code, acct.AccountID
		li.LineAmount = Money(math.Round(li.Quantity * float64(li.UnitAmount)))
		li.TaxAmount = g.taxFor(li.LineAmount, li.TaxType, lineAmountTypes)
		li.Tracking = g.tracking(day)
	}
	return out
}

// totals sums lines into SubTotal, TotalTax and Total: inclusive lines
// already hold their tax.
func totals(lines []LineItem, lineAmountTypes string) (sub, tax, total Money) {
	var sum Money
	for i := range lines {
		sum += lines[i].LineAmount
		tax += lines[i].TaxAmount
	}
	switch lineAmountTypes {
	case "Inclusive", "INCLUSIVE":
		return sum - tax, tax, sum
	}
	return sum, tax, sum + tax
}

// invoiceLifecycle gives an invoice its status and history: some stay
// drafts, some drafts are deleted, some authorised invoices are voided,
// and the rest are authorised and settled as time allows.
func (g *generator) invoiceLifecycle(inv *Invoice, gc genContact, created MSDate, mode lifeMode, odds docOdds) {
	inv.UpdatedDateUTC = created
	inv.SentToContact = inv.Type == "ACCREC" && g.chance(0.7)
	r := g.rng.Float64()
	switch mode {
	case lifeTypo, lifeDeletedPayment, lifeOverpayment, lifePrepayment:
		r = 1
	case lifeVoided:
		r = 0.07
	case lifeDeleted:
		r = 0.05
	}
	switch {
	case r < 0.03:
		inv.Status, inv.SentToContact = "DRAFT", false
	case r < 0.04:
		inv.Status, inv.SentToContact = "SUBMITTED", false
	case r < 0.06:
		inv.Status, inv.SentToContact = "DRAFT", false
		if at := g.later(created, 1, 20); at != 0 {
			inv.Status, inv.UpdatedDateUTC = "DELETED", at
		}
	case r < 0.08:
		inv.Status = "AUTHORISED"
		j, err := g.o.invoiceJournal(inv)
		posted := g.pend(j, err, created)
		if at := g.later(created, 1, 30); at != 0 && posted != nil {
			inv.Status, inv.UpdatedDateUTC = "VOIDED", at
			g.pend(reversal(posted), nil, at)
		} else {
			g.settleInvoice(inv, gc, created, lifeRandom, odds)
		}
	default:
		inv.Status = "AUTHORISED"
		j, err := g.o.invoiceJournal(inv)
		g.pend(j, err, created)
		g.settleInvoice(inv, gc, created, mode, odds)
	}
	inv.settle(inv.Date)
}

// lifeMode forces an invoice down one of the rare paths of its lifecycle.
type lifeMode int

const (
	lifeRandom         lifeMode = iota
	lifeTypo                    // dated in the wrong century, authorised and paid
	lifeVoided                  // authorised, then voided
	lifeDeleted                 // a draft, then deleted
	lifeDeletedPayment          // paid, the payment deleted, then paid again
	lifeOverpayment             // settled by an overpayment
	lifePrepayment              // settled in part by a prepayment
)

// settleInvoice applies, in time order, what settles an authorised
// invoice: a prepayment made before it, a credit note, then payments (or
// an overpayment) around its due date. Events after the start of the
// sandbox have not happened, which leaves recent invoices outstanding.
func (g *generator) settleInvoice(inv *Invoice, gc genContact, created MSDate, mode lifeMode, odds docOdds) {
	inv.settle(inv.Date)
	mustPay := mode == lifeTypo || mode == lifeDeletedPayment
	realDay := created - created%dayMs // the typo invoice's real day
	foreign := inv.CurrencyRate != 1
	if mode == lifePrepayment || !foreign && !mustPay && g.chance(odds.pre) {
		g.prepaymentFor(inv, realDay, created)
	}
	if !foreign && mode == lifeRandom && inv.AmountDue > 0 && g.chance(odds.linkedCredit) {
		if at := g.later(created, 2, 25); at != 0 {
			g.creditNoteFor(inv, at)
		}
	}
	if inv.AmountDue == 0 {
		return
	}
	if mode == lifeRandom && g.chance(0.025) {
		return // never paid: a bad debt that ages
	}
	payDay := max(realDay, realDay+MSDate(gc.terms+g.rng.IntN(36)-12)*dayMs)
	if mustPay {
		payDay = realDay + 10*dayMs
	}
	if mode == lifeDeletedPayment || !foreign && !mustPay && g.chance(0.015) && g.happened(payDay) {
		// Paid, then the payment was deleted (wrong account, say), then paid again.
		p := g.newPayment(inv, inv.AmountDue, payDay, false)
		if del := g.later(p.UpdatedDateUTC, 1, 6); del != 0 {
			j := g.pendingOf(p.PaymentID)
			p.Status, p.UpdatedDateUTC = "DELETED", del
			g.pend(reversal(j), nil, del)
			inv.UpdatedDateUTC = max(inv.UpdatedDateUTC, del)
			payDay = DayOf(del.Time()) + MSDate(1+g.rng.IntN(10))*dayMs
		} else {
			g.applyPayment(inv, p)
		}
	}
	if mode == lifeOverpayment {
		payDay = realDay + 10*dayMs
	}
	if (mode == lifeOverpayment || !foreign && !mustPay && g.chance(odds.over)) && g.happened(payDay) && inv.AmountDue > 0 {
		g.overpaymentFor(inv, payDay)
		payDay += MSDate(7+g.rng.IntN(30)) * dayMs
	}
	if !foreign && mode == lifeRandom && inv.AmountDue > 100 && g.chance(0.1) && g.happened(payDay) {
		part := Money(float64(inv.AmountDue) * (0.3 + 0.4*g.rng.Float64()))
		g.applyPayment(inv, g.newPayment(inv, part, payDay, true))
		payDay += MSDate(7+g.rng.IntN(40)) * dayMs
	}
	if inv.AmountDue > 0 && g.happened(payDay) {
		g.applyPayment(inv, g.newPayment(inv, inv.AmountDue, payDay, !foreign))
	}
}

// pendingOf returns the last queued journal of a source.
func (g *generator) pendingOf(sourceID string) *Journal {
	for i := len(g.pending) - 1; i >= 0; i-- {
		if g.pending[i].SourceID == sourceID {
			return g.pending[i]
		}
	}
	return nil
}

// newPayment makes a payment of an invoice on day and posts it; it is not
// yet applied to the invoice. Batchable payments may join the day's batch.
func (g *generator) newPayment(inv *Invoice, amount Money, day MSDate, batchable bool) *Payment {
	bank := g.banks[0]
	if g.chance(0.15) {
		bank = g.banks[1]
	}
	p := &Payment{PaymentID: g.o.ids.next(), Date: day, Amount: amount, BankAmount: toBase(amount, inv.CurrencyRate),
		CurrencyRate: inv.CurrencyRate, Reference: pick(g, paymentReferences), Status: "AUTHORISED",
		PaymentType: "ACCRECPAYMENT", HasAccount: true, Account: refOfAccount(bank), Invoice: refOfInvoice(inv)}
	if inv.Type == "ACCPAY" {
		p.PaymentType = "ACCPAYPAYMENT"
	}
	p.IsReconciled = g.reconciled(day)
	at := g.instant(day)
	batchOdds := 0.1
	if inv.Type == "ACCPAY" {
		batchOdds = 0.3
	}
	if batchable && day > inv.UpdatedDateUTC-inv.UpdatedDateUTC%dayMs && g.chance(batchOdds) {
		b := g.batchFor(day, bank, inv.Type)
		at = b.UpdatedDateUTC
		p.BatchPaymentID, p.IsReconciled = b.BatchPaymentID, b.IsReconciled
		b.Payments = append(b.Payments, BatchPaymentLine{PaymentID: p.PaymentID, Amount: amount, BankAmount: p.BankAmount, Invoice: p.Invoice})
		b.TotalAmount += amount
	}
	p.UpdatedDateUTC = at
	g.payments = append(g.payments, p)
	j, err := g.o.paymentJournal(p)
	g.pend(j, err, at)
	return p
}

// applyPayment settles an invoice by a payment.
func (g *generator) applyPayment(inv *Invoice, p *Payment) {
	inv.AmountPaid += p.Amount
	inv.Payments = append(inv.Payments, PaymentSummary{PaymentID: p.PaymentID, Date: p.Date, Amount: p.Amount,
		Reference: p.Reference, CurrencyRate: p.CurrencyRate})
	inv.settle(p.Date)
	inv.UpdatedDateUTC = max(inv.UpdatedDateUTC, p.UpdatedDateUTC)
}

// reconciled says whether a bank line of day has been reconciled by now:
// most old ones, few recent ones.
func (g *generator) reconciled(day MSDate) bool {
	if day < g.startDay-14*dayMs {
		return g.chance(0.93)
	}
	return g.chance(0.3)
}

// batchFor returns the open batch of a day, bank account and invoice type,
// starting one if there is none (or the last one is full).
func (g *generator) batchFor(day MSDate, bank *Account, invType string) *BatchPayment {
	typ := "RECBATCH"
	if invType == "ACCPAY" {
		typ = "PAYBATCH"
	}
	k := batchKey{day: day, bank: bank.AccountID, typ: typ}
	if b := g.openBatches[k]; b != nil && len(b.Payments) < 12 {
		return b
	}
	ref := "Deposit"
	if typ == "PAYBATCH" {
		ref = "Supplier payment run"
	}
	b := &BatchPayment{BatchPaymentID: g.o.ids.next(), Account: refOfAccount(bank), Reference: ref,
		DateString: g.dayString(day), Date: day, Type: typ, Status: "AUTHORISED",
		IsReconciled: g.reconciled(day), UpdatedDateUTC: g.instant(day)}
	g.openBatches[k] = b
	g.batches = append(g.batches, b)
	return b
}

// creditNoteFor raises a credit note against an invoice at instant at and
// allocates it to the invoice.
func (g *generator) creditNoteFor(inv *Invoice, at MSDate) {
	day := at - at%dayMs
	frac := [4]float64{0.1, 0.25, 0.5, 1}[g.rng.IntN(4)]
	src := &inv.LineItems[0]
	li := LineItem{LineItemID: g.o.ids.next(), Description: "Credit: " + src.Description, Quantity: 1,
		AccountCode: src.AccountCode, AccountID: src.AccountID, TaxType: src.TaxType, Tracking: src.Tracking}
	target := Money(float64(inv.AmountDue) * frac)
	rate := g.taxRates[src.TaxType]
	li.LineAmount = target
	if inv.LineAmountTypes == "Exclusive" && rate != nil {
		li.LineAmount = Money(roundDiv(int64(target)*10_000, 10_000+rate.basisPoints))
	}
	for {
		li.TaxAmount = g.taxFor(li.LineAmount, li.TaxType, inv.LineAmountTypes)
		if _, _, total := totals([]LineItem{li}, inv.LineAmountTypes); total <= inv.AmountDue {
			break
		}
		li.LineAmount--
	}
	if li.LineAmount <= 0 {
		return
	}
	li.UnitAmount = li.LineAmount
	typ := "ACCRECCREDIT"
	if inv.Type == "ACCPAY" {
		typ = "ACCPAYCREDIT"
	}
	cn := g.newCreditNote(typ, inv.Contact, day, at, inv.LineAmountTypes, []LineItem{li})
	cn.Reference = inv.InvoiceNumber
	cn.Status = "AUTHORISED"
	j, err := g.o.creditNoteJournal(cn)
	g.pend(j, err, at)
	applied := min(cn.Total, inv.AmountDue)
	cn.Allocations = []Allocation{{AllocationID: g.o.ids.next(), Amount: applied, Date: day, Invoice: refOfInvoice(inv)}}
	cn.RemainingCredit -= applied
	if cn.RemainingCredit == 0 {
		cn.Status, cn.FullyPaidOnDate = "PAID", day
	}
	inv.AmountCredited += applied
	inv.CreditNotes = append(inv.CreditNotes, CreditSummary{CreditNoteID: cn.CreditNoteID, CreditNoteNumber: cn.CreditNoteNumber,
		Date: day, AppliedAmount: applied, Total: cn.Total})
	inv.settle(day)
	inv.UpdatedDateUTC = max(inv.UpdatedDateUTC, at)
}

func (g *generator) newCreditNote(typ string, contact ContactRef, day, at MSDate, lineAmountTypes string, lines []LineItem) *CreditNote {
	cn := &CreditNote{CreditNoteID: g.o.ids.next(), CreditNoteNumber: g.o.NextNumber("CN"), Type: typ, Contact: contact,
		DateString: g.dayString(day), Date: day, LineAmountTypes: lineAmountTypes, LineItems: lines,
		UpdatedDateUTC: at, CurrencyCode: g.base.code, CurrencyRate: 1}
	cn.SubTotal, cn.TotalTax, cn.Total = totals(lines, lineAmountTypes)
	cn.RemainingCredit = cn.Total
	g.creditNotes = append(g.creditNotes, cn)
	return cn
}

// standaloneCreditNote raises a credit note not tied to an invoice: some
// stay drafts or are deleted or voided, some are refunded in cash, the
// rest keep their credit for later (as keep forces).
func (g *generator) standaloneCreditNote(invType string, gc genContact, day MSDate, keep bool) {
	typ := "ACCRECCREDIT"
	if invType == "ACCPAY" {
		typ = "ACCPAYCREDIT"
	}
	at := g.instant(day)
	lat := g.lineAmountTypes(0.85, 0.1)
	cn := g.newCreditNote(typ, refOfContact(gc.c), day, at, lat, g.lines(invType == "ACCREC", day, 1+g.rng.IntN(2), lat))
	r := g.rng.Float64()
	if keep {
		r = 1
	}
	switch {
	case r < 0.05:
		cn.Status = "DRAFT"
	case r < 0.08:
		cn.Status = "DELETED"
		if del := g.later(at, 1, 15); del != 0 {
			cn.UpdatedDateUTC = del
		} else {
			cn.Status = "DRAFT"
		}
	default:
		cn.Status = "AUTHORISED"
		j, err := g.o.creditNoteJournal(cn)
		posted := g.pend(j, err, at)
		if r < 0.11 {
			if void := g.later(at, 1, 30); void != 0 {
				cn.Status, cn.UpdatedDateUTC, cn.RemainingCredit = "VOIDED", void, 0
				g.pend(reversal(posted), nil, void)
			}
		} else if g.chance(0.35) && !keep {
			if paid := g.later(at, 3, 40); paid != 0 {
				g.refund(cn, paid)
			}
		}
	}
	if cn.Status == "DELETED" {
		cn.RemainingCredit = 0
	}
}

// refund pays out a credit note's remaining credit at instant at.
func (g *generator) refund(cn *CreditNote, at MSDate) {
	day := at - at%dayMs
	bank := g.banks[0]
	p := &Payment{PaymentID: g.o.ids.next(), Date: day, Amount: cn.RemainingCredit, BankAmount: cn.RemainingCredit,
		CurrencyRate: 1, Reference: "Refund", IsReconciled: g.reconciled(day), Status: "AUTHORISED",
		PaymentType: "ARCREDITPAYMENT", UpdatedDateUTC: at, HasAccount: true, Account: refOfAccount(bank),
		CreditNote: CreditNoteRef{CreditNoteID: cn.CreditNoteID, CreditNoteNumber: cn.CreditNoteNumber, Type: cn.Type, Contact: cn.Contact}}
	if cn.Type == "ACCPAYCREDIT" {
		p.PaymentType = "APCREDITPAYMENT"
	}
	g.payments = append(g.payments, p)
	j, err := g.o.paymentJournal(p)
	g.pend(j, err, at)
	cn.Payments = append(cn.Payments, PaymentSummary{PaymentID: p.PaymentID, Date: day, Amount: p.Amount, Reference: p.Reference, CurrencyRate: 1})
	cn.RemainingCredit = 0
	cn.Status, cn.FullyPaidOnDate, cn.UpdatedDateUTC = "PAID", day, at
}

// controlFor returns the receivable or payable account of an invoice type.
func (g *generator) controlFor(invType string) *Account {
	if invType == "ACCPAY" {
		return g.o.sysAcct.payable
	}
	return g.o.sysAcct.receivable
}

// moneyLines is the single line of an overpayment or prepayment: the
// amount held on the receivable or payable account.
func (g *generator) moneyLines(invType string, total Money, desc string) []LineItem {
	acct := g.controlFor(invType)
	return []LineItem{{LineItemID: g.o.ids.next(), Description: desc, Quantity: 1, UnitAmount: total,
		AccountCode: acct.Code, AccountID: acct.AccountID, TaxType: g.prof.noTax, LineAmount: total}}
}

// overpaymentFor receives (or pays) more than an invoice's due on day:
// usually the whole due plus some, leaving credit on the overpayment;
// sometimes less than due, which the overpayment then covers in full.
func (g *generator) overpaymentFor(inv *Invoice, day MSDate) {
	at := g.instant(day)
	total := inv.AmountDue + g.amount(500, 50_000)
	if g.chance(0.4) {
		total = Money(float64(inv.AmountDue) * (0.3 + 0.5*g.rng.Float64()))
	}
	if total <= 0 {
		return
	}
	typ, bankType := "RECEIVE-OVERPAYMENT", "RECEIVE-OVERPAYMENT"
	if inv.Type == "ACCPAY" {
		typ, bankType = "SPEND-OVERPAYMENT", "SPEND-OVERPAYMENT"
	}
	op := &Overpayment{OverpaymentID: g.o.ids.next(), Type: typ, Reference: "Overpayment " + inv.InvoiceNumber,
		Contact: inv.Contact, DateString: g.dayString(day), Date: day, Status: "AUTHORISED", LineAmountTypes: "NoTax",
		LineItems: g.moneyLines(inv.Type, total, "Overpayment"), SubTotal: total, Total: total,
		UpdatedDateUTC: at, CurrencyCode: inv.CurrencyCode, CurrencyRate: 1, RemainingCredit: total}
	bank := g.banks[0]
	j, err := g.o.overpaymentJournal(op, bank)
	g.pend(j, err, at)
	side := g.bankSide(bankType, bank, op.Contact, day, at, total, g.controlFor(inv.Type), "Overpayment")
	side.OverpaymentID = op.OverpaymentID
	applied := min(total, inv.AmountDue)
	op.Allocations = []Allocation{{AllocationID: g.o.ids.next(), Amount: applied, Date: day, Invoice: refOfInvoice(inv)}}
	op.RemainingCredit -= applied
	if op.RemainingCredit == 0 {
		op.Status = "PAID"
	}
	g.overpayments = append(g.overpayments, op)
	inv.AmountCredited += applied
	inv.Overpayments = append(inv.Overpayments, CreditSummary{OverpaymentID: op.OverpaymentID, Date: day, AppliedAmount: applied, Total: total})
	inv.settle(day)
	inv.UpdatedDateUTC = max(inv.UpdatedDateUTC, at)
}

// prepaymentFor receives (or pays) money days before an invoice exists and
// allocates it when the invoice is raised at instant created.
func (g *generator) prepaymentFor(inv *Invoice, realDay, created MSDate) {
	day := max(g.histStart, realDay-MSDate(3+g.rng.IntN(18))*dayMs)
	at := g.instant(day)
	if at >= created {
		return
	}
	total := Money(float64(inv.AmountDue) * (0.3 + 0.6*g.rng.Float64()))
	if g.chance(0.35) {
		total = inv.AmountDue + g.amount(500, 30_000)
	}
	if total <= 0 {
		return
	}
	typ := "RECEIVE-PREPAYMENT"
	if inv.Type == "ACCPAY" {
		typ = "SPEND-PREPAYMENT"
	}
	pp := &Prepayment{PrepaymentID: g.o.ids.next(), Type: typ, Reference: "Deposit " + inv.InvoiceNumber,
		Contact: inv.Contact, DateString: g.dayString(day), Date: day, Status: "AUTHORISED", LineAmountTypes: "NoTax",
		LineItems: g.moneyLines(inv.Type, total, "Prepayment"), SubTotal: total, Total: total,
		CurrencyCode: inv.CurrencyCode, CurrencyRate: 1, RemainingCredit: total}
	bank := g.banks[0]
	j, err := g.o.prepaymentJournal(pp, bank)
	g.pend(j, err, at)
	side := g.bankSide(typ, bank, pp.Contact, day, at, total, g.controlFor(inv.Type), "Prepayment")
	side.PrepaymentID = pp.PrepaymentID
	// Allocated when the invoice is raised, which updates the prepayment.
	applied := min(total, inv.AmountDue)
	allocDay := realDay
	pp.Allocations = []Allocation{{AllocationID: g.o.ids.next(), Amount: applied, Date: allocDay, Invoice: refOfInvoice(inv)}}
	pp.RemainingCredit -= applied
	if pp.RemainingCredit == 0 {
		pp.Status = "PAID"
	}
	pp.UpdatedDateUTC = created
	g.prepayments = append(g.prepayments, pp)
	inv.AmountCredited += applied
	inv.Prepayments = append(inv.Prepayments, CreditSummary{PrepaymentID: pp.PrepaymentID, Date: allocDay, AppliedAmount: applied, Total: total})
	inv.settle(allocDay)
}
