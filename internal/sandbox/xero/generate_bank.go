package xero

import (
	"strconv"
	"time"
)

// Bank transactions and transfers, manual journals, purchase orders,
// quotes and attachments.

// bankSide makes the bank transaction Xero shows for the bank side of an
// overpayment, prepayment or transfer (types *-OVERPAYMENT, *-PREPAYMENT,
// *-TRANSFER). It posts no journal: its source does.
func (g *generator) bankSide(typ string, bank *Account, contact ContactRef, day, at MSDate, total Money, lineAcct *Account, desc string) *BankTransaction {
	bt := &BankTransaction{BankTransactionID: g.o.ids.next(), Type: typ, Contact: contact, BankAccount: refOfAccount(bank),
		IsReconciled: g.reconciled(day), DateString: g.dayString(day), Date: day, CurrencyCode: g.base.code, CurrencyRate: 1,
		Status: "AUTHORISED", LineAmountTypes: "NoTax",
		LineItems: []LineItem{{LineItemID: g.o.ids.next(), Description: desc, Quantity: 1, UnitAmount: total,
			AccountCode: lineAcct.Code, AccountID: lineAcct.AccountID, TaxType: g.prof.noTax, LineAmount: total}},
		SubTotal: total, Total: total, UpdatedDateUTC: at}
	g.bankTxns = append(g.bankTxns, bt)
	return bt
}

// bankTransactions makes spend and receive money transactions, after the
// owner's capital and a loan that fund the business when history starts.
func (g *generator) bankTransactions() {
	scale := Money(max(1, g.size.Invoices))
	first := g.histStart
	g.fundingTxn("Capital introduced", g.equityIn, scale*40_000, first)
	g.fundingTxn("Business loan drawdown", g.loan, scale*15_000, first+dayMs)
	n := g.size.BankTransactions
	for i, day := range g.sortedDays(n) {
		g.bankTxn(day, i == n/2)
	}
}

func (g *generator) fundingTxn(desc string, acct *Account, amount Money, day MSDate) {
	at := g.instant(day)
	bt := &BankTransaction{BankTransactionID: g.o.ids.next(), Type: "RECEIVE", BankAccount: refOfAccount(g.banks[0]),
		IsReconciled: true, DateString: g.dayString(day), Date: day, Reference: desc, CurrencyCode: g.base.code,
		CurrencyRate: 1, Status: "AUTHORISED", LineAmountTypes: "NoTax",
		LineItems: []LineItem{{LineItemID: g.o.ids.next(), Description: desc, Quantity: 1, UnitAmount: amount,
			AccountCode: acct.Code, AccountID: acct.AccountID, TaxType: g.prof.noTax, LineAmount: amount}},
		SubTotal: amount, Total: amount, UpdatedDateUTC: at}
	g.bankTxns = append(g.bankTxns, bt)
	j, err := g.o.bankTransactionJournal(bt)
	g.pend(j, err, at)
}

// bankTxn makes one spend or receive transaction; deleted forces it to be
// deleted later, so every organisation has one.
func (g *generator) bankTxn(day MSDate, deleted bool) {
	spend := g.chance(0.65)
	bank := g.banks[0]
	if spend && g.chance(0.25) {
		bank = g.card
	} else if g.chance(0.1) {
		bank = g.banks[1]
	}
	bt := &BankTransaction{BankTransactionID: g.o.ids.next(), Type: "RECEIVE", BankAccount: refOfAccount(bank),
		IsReconciled: g.reconciled(day), DateString: g.dayString(day), Date: day, CurrencyCode: g.base.code,
		CurrencyRate: 1, Status: "AUTHORISED"}
	if spend {
		bt.Type = "SPEND"
		bt.LineAmountTypes = g.lineAmountTypes(0.35, 0.6)
		if g.chance(0.8) {
			bt.Contact = refOfContact(g.contactFor(g.suppliers, day).c)
		}
	} else {
		bt.LineAmountTypes = g.lineAmountTypes(0.5, 0.4)
		if g.chance(0.6) {
			bt.Contact = refOfContact(g.contactFor(g.customers, day).c)
		}
	}
	n := 1 + g.rng.IntN(3)
	bt.LineItems = make([]LineItem, n)
	for i := range bt.LineItems {
		li := &bt.LineItems[i]
		li.LineItemID, li.Quantity = g.o.ids.next(), 1
		var acct *Account
		switch r := g.rng.IntN(100); {
		case spend && r < 5:
			acct, li.Description, li.UnitAmount = g.wages, "Wages", g.amount(50_000, 600_000)
		case spend && r < 12:
			acct, li.Description, li.UnitAmount = g.o.byCode["404"], "Bank fees", g.amount(500, 5_000)
		case spend && r < 15:
			acct, li.Description, li.UnitAmount = g.drawings, "Owner drawings", g.amount(20_000, 300_000)
		case spend:
			li.Description, acct = g.expense()
			li.UnitAmount = g.amount(500, 150_000)
		case r < 45:
			acct, li.Description, li.UnitAmount = g.otherIncome, "Interest received", g.amount(100, 20_000)
		default:
			acct = pick(g, g.sales)
			li.Description, li.UnitAmount = pick(g, serviceNames), g.amount(2_000, 200_000)
		}
		li.AccountCode, li.AccountID, li.TaxType = acct.Code, acct.AccountID, acct.TaxType
		if bt.LineAmountTypes == "NoTax" {
			li.TaxType = g.prof.noTax
		}
		li.LineAmount = li.UnitAmount
		li.TaxAmount = g.taxFor(li.LineAmount, li.TaxType, bt.LineAmountTypes)
		li.Tracking = g.tracking(day)
	}
	bt.SubTotal, bt.TotalTax, bt.Total = totals(bt.LineItems, bt.LineAmountTypes)
	bt.Reference = pick(g, references)
	at := g.instant(day)
	bt.UpdatedDateUTC = at
	g.bankTxns = append(g.bankTxns, bt)
	j, err := g.o.bankTransactionJournal(bt)
	posted := g.pend(j, err, at)
	switch {
	case g.chance(0.03) || deleted:
		if del := g.later(at, 1, 20); del != 0 && posted != nil {
			bt.Status, bt.UpdatedDateUTC = "DELETED", del
			g.pend(reversal(posted), nil, del)
		}
	case !bt.IsReconciled && g.chance(0.1): // edited later (a corrected reference)
		if edit := g.later(at, 1, 40); edit != 0 {
			bt.UpdatedDateUTC = edit
		}
	}
}

// bankTransfers moves money between the bank accounts: to savings and
// back, and card repayments. Some transfers are deleted later, which
// reverses their journal but leaves CreatedDateUTC, their only change
// field, where it was.
func (g *generator) bankTransfers() {
	g.transfers = make([]*BankTransfer, 0, g.size.BankTransfers)
	n := g.size.BankTransfers
	for i, day := range g.sortedDays(n) {
		from, to, ref := g.banks[0], g.banks[1], "To savings"
		switch r := g.rng.IntN(10); {
		case r < 3:
			from, to, ref = g.banks[1], g.banks[0], "From savings"
		case r < 6:
			to, ref = g.card, "Card repayment"
		}
		amount := g.amount(10_000, 2_000_000)
		at := g.instant(day)
		out := g.bankSide("SPEND-TRANSFER", from, ContactRef{}, day, at, amount, to, "Transfer to "+to.Name)
		in := g.bankSide("RECEIVE-TRANSFER", to, ContactRef{}, day, at, amount, from, "Transfer from "+from.Name)
		tr := &BankTransfer{BankTransferID: g.o.ids.next(), CreatedDateUTC: at, DateString: g.dayString(day), Date: day,
			Status: "AUTHORISED", FromBankAccount: refOfAccount(from), ToBankAccount: refOfAccount(to), Amount: amount,
			CurrencyRate: 1, FromBankTransactionID: out.BankTransactionID, ToBankTransactionID: in.BankTransactionID,
			FromIsReconciled: out.IsReconciled, ToIsReconciled: in.IsReconciled, Reference: ref}
		g.transfers = append(g.transfers, tr)
		j, err := g.o.bankTransferJournal(tr)
		posted := g.pend(j, err, at)
		if g.chance(0.06) || i == n/2 { // one at least, whatever the seed
			if del := g.later(at, 1, 30); del != 0 && posted != nil {
				tr.Status = "DELETED"
				out.Status, out.UpdatedDateUTC = "DELETED", del
				in.Status, in.UpdatedDateUTC = "DELETED", del
				g.pend(reversal(posted), nil, del)
			}
		}
	}
}

var narrations = []string{
	"Accrued wages", "Income tax provision", "Prepaid insurance", "Reclassify expenses", "Year-end accrual",
	"Correct coding error", "Accrued audit fee", "Recognise prepaid rent",
}

// manualJournalsGen makes a depreciation journal for every month of
// history and the size's count of other journals (accruals,
// reclassifications, provisions), some drafts, deleted or voided.
func (g *generator) manualJournalsGen() {
	monthly := Money(max(1, g.size.Invoices)) * 60
	for m := g.histStart.Time(); ; {
		end := time.Date(m.Year(), m.Month()+1, 0, 0, 0, 0, 0, time.UTC) // last day of m's month
		m = end.AddDate(0, 0, 1)
		at := g.instant(DayOf(m)) + MSDate(g.rng.IntN(2))*dayMs
		if at >= g.startDay {
			break
		}
		d := DayOf(end)
		g.manualJournal("Depreciation for "+end.Format("January 2006"), d, at, []ManualJournalLine{
			g.mjLine(g.depreciation, monthly, "Monthly depreciation", nil),
			g.mjLine(g.accumDep, -monthly, "Monthly depreciation", nil),
		})
	}
	for _, day := range g.sortedDays(g.size.ManualJournals) {
		amount := g.amount(5_000, 500_000)
		var lines []ManualJournalLine
		switch g.rng.IntN(4) {
		case 0:
			lines = []ManualJournalLine{g.mjLine(g.wages, amount, "Accrued wages", g.tracking(day)), g.mjLine(g.payeLiab, -amount, "Accrued wages", nil)}
		case 1:
			lines = []ManualJournalLine{g.mjLine(g.o.byCode["505"], amount, "Provision", nil), g.mjLine(g.o.byCode["830"], -amount, "Provision", nil)}
		case 2:
			i := g.rng.IntN(len(g.expenses))
			a, b := g.expenses[i], g.expenses[(i+1+g.rng.IntN(len(g.expenses)-1))%len(g.expenses)]
			lines = []ManualJournalLine{g.mjLine(a, amount, "Reclassify", g.tracking(day)), g.mjLine(b, -amount, "Reclassify", nil)}
		default:
			half := amount / 2
			lines = []ManualJournalLine{g.mjLine(g.o.byCode["620"], amount, "Prepaid", nil),
				g.mjLine(g.o.byCode["433"], -half, "Prepaid", nil), g.mjLine(g.o.byCode["469"], -(amount - half), "Prepaid", nil)}
		}
		mj := g.manualJournal(pick(g, narrations), day, g.instant(day), lines)
		r := g.rng.Float64()
		switch {
		case r < 0.05:
			mj.Status = "DRAFT"
		case r < 0.08:
			mj.Status = "DRAFT"
			if del := g.later(mj.UpdatedDateUTC, 1, 20); del != 0 {
				mj.Status, mj.UpdatedDateUTC = "DELETED", del
			}
		}
		if mj.Status != "POSTED" {
			continue
		}
		j, err := g.o.manualJournalJournal(mj)
		posted := g.pend(j, err, mj.UpdatedDateUTC)
		if r < 0.12 {
			if void := g.later(mj.UpdatedDateUTC, 1, 30); void != 0 && posted != nil {
				mj.Status, mj.UpdatedDateUTC = "VOIDED", void
				g.pend(reversal(posted), nil, void)
			}
		}
	}
}

func (g *generator) mjLine(a *Account, amount Money, desc string, tracking []TrackingRef) ManualJournalLine {
	return ManualJournalLine{LineAmount: amount, AccountCode: a.Code, AccountID: a.AccountID, Description: desc,
		TaxType: g.prof.noTax, Tracking: tracking}
}

// manualJournal makes a manual journal; monthly ones (depreciation) are
// posted here, the caller posts the others after choosing their status.
func (g *generator) manualJournal(narration string, day, at MSDate, lines []ManualJournalLine) *ManualJournal {
	mj := &ManualJournal{ManualJournalID: g.o.ids.next(), Narration: narration, Date: day, Status: "POSTED",
		LineAmountTypes: "NoTax", ShowOnCashBasisReports: true, UpdatedDateUTC: at, JournalLines: lines}
	g.manualJournals = append(g.manualJournals, mj)
	if len(lines) == 2 && lines[0].AccountID == g.depreciation.AccountID {
		mj.ShowOnCashBasisReports = false
		j, err := g.o.manualJournalJournal(mj)
		g.pend(j, err, at)
	}
	return mj
}

// purchaseOrdersGen makes purchase orders; they post nothing.
func (g *generator) purchaseOrdersGen() {
	n := g.size.PurchaseOrders
	g.purchaseOrders = make([]*PurchaseOrder, 0, n)
	// Fixed positions force each status at least once, whatever the seed.
	forced := map[int]int{n / 3: 60, n / 2: 5, n - 1: 30} // BILLED, DRAFT, AUTHORISED
	for i, day := range g.sortedDays(n) {
		gc := g.contactFor(g.suppliers, day)
		at := g.instant(day)
		po := &PurchaseOrder{PurchaseOrderID: g.o.ids.next(), PurchaseOrderNumber: g.o.NextNumber("PO"),
			Reference: pick(g, references), Contact: refOfContact(gc.c), DateString: g.dayString(day), Date: day,
			LineAmountTypes: "Exclusive", CurrencyCode: g.base.code, CurrencyRate: 1, UpdatedDateUTC: at}
		delivery := day + MSDate(5+g.rng.IntN(26))*dayMs
		po.DeliveryDate, po.DeliveryDateString = delivery, g.dayString(delivery)
		if g.chance(0.5) {
			po.AttentionTo = gc.c.FirstName
		}
		po.LineItems = g.lines(false, day, g.lineCount(), po.LineAmountTypes)
		po.SubTotal, po.TotalTax, po.Total = totals(po.LineItems, po.LineAmountTypes)
		r := g.rng.IntN(100)
		if f, ok := forced[i]; ok {
			r = f
		}
		switch {
		case r < 10:
			po.Status = "DRAFT"
		case r < 18:
			po.Status = "SUBMITTED"
		case r < 25:
			po.Status = "DRAFT"
			if del := g.later(at, 1, 20); del != 0 {
				po.Status, po.UpdatedDateUTC = "DELETED", del
			}
		default:
			po.Status, po.SentToContact = "AUTHORISED", true
			if r >= 55 {
				if billed := g.later(at, 5, 40); billed != 0 {
					po.Status, po.UpdatedDateUTC = "BILLED", billed
				}
			}
		}
		g.purchaseOrders = append(g.purchaseOrders, po)
	}
}

// quotesGen makes quotes to customers; they post nothing.
func (g *generator) quotesGen() {
	n := g.size.Quotes
	g.quotes = make([]*Quote, 0, n)
	forced := map[int]int{n / 3: 20, n/3 + 1: 40, n / 2: 70, n - 1: 90} // DECLINED, ACCEPTED, INVOICED, SENT
	for i, day := range g.sortedDays(n) {
		gc := g.contactFor(g.customers, day)
		at := g.instant(day)
		expiry := day + 30*dayMs
		q := &Quote{QuoteID: g.o.ids.next(), QuoteNumber: g.o.NextNumber("QU"), Reference: pick(g, references),
			Terms: "Valid for 30 days from the date of issue.", Contact: refOfContact(gc.c), Date: day,
			DateString: g.dayString(day), ExpiryDate: expiry, ExpiryDateString: g.dayString(expiry),
			CurrencyCode: g.base.code, CurrencyRate: 1, Title: pick(g, quoteTitles),
			Summary: "Quote " + strconv.Itoa(i+1) + " for " + gc.c.Name, UpdatedDateUTC: at, LineAmountTypes: "EXCLUSIVE"}
		q.LineItems = g.lines(true, day, g.lineCount(), q.LineAmountTypes)
		q.SubTotal, q.TotalTax, q.Total = totals(q.LineItems, q.LineAmountTypes)
		r := g.rng.IntN(100)
		if f, ok := forced[i]; ok {
			r = f
		}
		switch {
		case r < 10:
			q.Status = "DRAFT"
		case r < 15:
			q.Status = "DRAFT"
			if del := g.later(at, 1, 20); del != 0 {
				q.Status, q.UpdatedDateUTC = "DELETED", del
			}
		default:
			q.Status = "SENT"
			if decided := g.later(at, 2, 30); decided != 0 {
				q.UpdatedDateUTC = decided
				switch {
				case r < 35:
					q.Status = "DECLINED"
				case r < 60:
					q.Status = "ACCEPTED"
				case r < 85:
					q.Status = "INVOICED"
				}
			}
		}
		g.quotes = append(g.quotes, q)
	}
}

// attachments gives a few records of each kind that supports them one or
// two files, and sets their HasAttachments: at least one record of each
// kind, so every attachments endpoint has something to serve.
func (g *generator) attachments() {
	g.o.byCode["090"].HasAttachments = true
	g.attach("Accounts", g.o.byCode["090"].AccountID)
	// Contacts and transfers hidden from default lists (archived, deleted)
	// get none, so the ones that have some are easy to find.
	attachSome(g, "Contacts", g.contacts, 0.02, func(c *Contact) string {
		if c.ContactStatus != "ACTIVE" {
			return ""
		}
		c.HasAttachments = true
		return c.ContactID
	})
	attachSome(g, "Invoices", g.invoices, 0.04, func(r *Invoice) string { r.HasAttachments = true; return r.InvoiceID })
	attachSome(g, "CreditNotes", g.creditNotes, 0.05, func(r *CreditNote) string { r.HasAttachments = true; return r.CreditNoteID })
	attachSome(g, "BankTransactions", g.bankTxns, 0.03, func(r *BankTransaction) string {
		if r.Type != "SPEND" && r.Type != "RECEIVE" {
			return ""
		}
		r.HasAttachments = true
		return r.BankTransactionID
	})
	attachSome(g, "BankTransfers", g.transfers, 0.03, func(r *BankTransfer) string {
		if r.Status != "AUTHORISED" {
			return ""
		}
		r.HasAttachments = true
		return r.BankTransferID
	})
	attachSome(g, "ManualJournals", g.manualJournals, 0.05, func(r *ManualJournal) string { r.HasAttachments = true; return r.ManualJournalID })
	attachSome(g, "PurchaseOrders", g.purchaseOrders, 0.04, func(r *PurchaseOrder) string { r.HasAttachments = true; return r.PurchaseOrderID })
	attachSome(g, "Quotes", g.quotes, 0.04, func(r *Quote) string { r.HasAttachments = true; return r.QuoteID })
}

// attachSome attaches files to records of one endpoint with the given odds,
// and to the first eligible record from the middle on if chance gave none.
// mark flags a record and returns its id, or "" if it cannot have attachments.
func attachSome[T any](g *generator, endpoint string, records []T, odds float64, mark func(T) string) {
	some := false
	for _, r := range records {
		if g.chance(odds) {
			if id := mark(r); id != "" {
				g.attach(endpoint, id)
				some = true
			}
		}
	}
	for i := len(records) / 2; !some && i < len(records)+len(records)/2; i++ {
		if id := mark(records[i%len(records)]); id != "" {
			g.attach(endpoint, id)
			some = true
		}
	}
}

func (g *generator) attach(endpoint, parentID string) {
	online := endpoint == "Invoices" || endpoint == "CreditNotes"
	n := 1 + g.rng.IntN(2)
	list := make([]*Attachment, 0, n)
	for i := range n {
		f := pick(g, attachmentFiles)
		name := f.name
		if i > 0 {
			name = strconv.Itoa(i+1) + "-" + name
		}
		list = append(list, &Attachment{AttachmentID: g.o.ids.next(), FileName: name,
			Url:      attachmentBase + endpoint + "/" + parentID + "/Attachments/" + name,
			MimeType: f.mime, ContentLength: 20_000 + g.rng.Int64N(3_000_000), IncludeOnline: online && g.chance(0.5)})
	}
	g.o.Attachments[parentID] = list
}
