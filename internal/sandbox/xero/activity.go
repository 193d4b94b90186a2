package xero

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/sandbox"
)

// Simulated activity: a realistic mix of what a business does to its
// books in a day, made through the same domain operations as the admin
// API (mutate.go), so every simulated change keeps the books consistent.

// Simulate makes n random changes to an organisation at the clock's now
// and reports every record they touched, each change's own record first
// (so the list is longer than n: a payment also creates a Payment and a
// journal). The mix is mostly creates, updates and payments, with voids,
// deletes, archives, merges, deleted transfers and a few silent edits
// (reported with Silent set). The same data and seed give the same
// changes. Advance the clock between calls to spread activity over time.
func (s *Server) Simulate(tenantID string, n int, seed int64) ([]Change, error) {
	o := s.orgByTenant(tenantID)
	if o == nil {
		return nil, fmt.Errorf("xero sandbox: simulate: %w", sandbox.Missing("unknown tenant %q", tenantID))
	}
	if n < 0 {
		return nil, fmt.Errorf("xero sandbox: simulate: %w", sandbox.Refuse("number of changes must not be negative, got %d", n))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	sim := &simulator{m: newMutation(o, s.clock.Now()), rng: rand.New(rand.NewPCG(uint64(seed), 0x5349_4d55_4c41_5445))}
	defer sim.m.finish()
	ops := simOps()
	total := 0
	for _, op := range ops {
		total += op.weight
	}
	for done := 0; done < n; {
		op := pickOp(ops, sim.rng.IntN(total))
		req, ok := op.build(sim)
		if !ok {
			// Nothing to act on (no draft to delete, say): something
			// always possible instead.
			req = sim.newContact()
		}
		fn, err := lookupChange(&req)
		if err == nil {
			err = sim.m.do(fn, &req)
		}
		if err != nil {
			return sim.m.changes, fmt.Errorf("xero sandbox: simulate change %d (%s %s %s): %w", done+1, req.Op, req.Endpoint, req.ID, err)
		}
		done++
	}
	return sim.m.changes, nil
}

// simOp is one kind of simulated change and how often it happens.
type simOp struct {
	weight int
	build  func(*simulator) (ChangeRequest, bool) // false: nothing to act on
}

func pickOp(ops []simOp, r int) simOp {
	for _, op := range ops {
		if r < op.weight {
			return op
		}
		r -= op.weight
	}
	return ops[len(ops)-1]
}

// simOps is the mix, in changes per hundred.
func simOps() []simOp {
	return []simOp{
		{14, (*simulator).newInvoice},
		{9, (*simulator).updateInvoice},
		{15, (*simulator).payInvoice},
		{3, (*simulator).voidInvoice},
		{2, (*simulator).deleteInvoice},
		{3, (*simulator).newCreditNote},
		{1, (*simulator).voidCreditNote},
		{3, (*simulator).deletePayment},
		{8, (*simulator).newBankTransaction},
		{3, (*simulator).updateBankTransaction},
		{2, (*simulator).endBankTransaction},
		{3, (*simulator).newTransfer},
		{2, (*simulator).deleteTransfer},
		{5, (*simulator).newContactOp},
		{5, (*simulator).updateContact},
		{2, (*simulator).archiveContact},
		{1, (*simulator).restoreContact},
		{1, (*simulator).mergeContacts},
		{2, (*simulator).newManualJournal},
		{1, (*simulator).voidManualJournal},
		{2, (*simulator).newItem},
		{2, (*simulator).updateItem},
		{1, (*simulator).deleteItem},
		{1, (*simulator).newAccount},
		{1, (*simulator).archiveAccount},
		{3, (*simulator).newPurchaseOrder},
		{2, (*simulator).updatePurchaseOrder},
		{1, (*simulator).deletePurchaseOrder},
		{3, (*simulator).newQuote},
		{2, (*simulator).updateQuote},
		{1, (*simulator).deleteQuote},
		// The IMS-blind edits (X19): rare, as in life.
		{2, (*simulator).silentLineAccount},
		{1, (*simulator).silentDueDate},
		{1, (*simulator).silentBalances},
	}
}

// simulator draws changes from the organisation's current state.
type simulator struct {
	m   *mutation
	rng *rand.Rand
	seq int // numbers names and codes the simulation invents
}

// simPrefix marks the accounts and items the simulation creates, which
// are the only ones it archives or deletes, so the accounts and items its
// documents use stay available.
const simPrefix = "SIM"

// pickWhere draws a record that matches: it starts at a random position
// and walks the collection (in its deterministic default order) to the
// first match.
func pickWhere[T Record](rng *rand.Rand, c *Collection[T], ok func(T) bool) (T, bool) {
	items := c.All()
	var zero T
	if len(items) == 0 {
		return zero, false
	}
	start := rng.IntN(len(items))
	for i := range items {
		if r := items[(start+i)%len(items)]; ok(r) {
			return r, true
		}
	}
	return zero, false
}

// idOf is the id of a record pickWhere found, or "" if it found none.
func idOf[T Record](r T, ok bool) string {
	if !ok {
		return ""
	}
	return r.RecordID()
}

func fields(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("xero sandbox: simulate: encode fields: " + err.Error()) // only our own structs are encoded
	}
	return b
}

func (s *simulator) chance(p float64) bool { return s.rng.Float64() < p }

func (s *simulator) next() string {
	s.seq++
	return strconv.Itoa(s.seq)
}

// recentDay is a day in the last week: most activity is about now.
func (s *simulator) recentDay() *MSDate {
	return ptr(s.m.today - MSDate(s.rng.IntN(7))*dayMs)
}

// money draws an amount between lo and hi cents.
func (s *simulator) money(lo, hi int64) Money { return Money(lo + s.rng.Int64N(hi-lo+1)) }

// accountOf draws an active account lines can be coded to, of one class.
func (s *simulator) accountOf(class string) (*Account, bool) {
	return pickWhere(s.rng, s.m.o.Accounts, func(a *Account) bool {
		return a.Class == class && a.Status == "ACTIVE" && a.Type != "BANK" && a.SystemAccount == "" && a.Type != "DEPRECIATN"
	})
}

func (s *simulator) activeContact() (*Contact, bool) {
	return pickWhere(s.rng, s.m.o.Contacts, func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
}

// lines draws 1–3 lines for sales (revenue accounts) or purchases
// (expense accounts).
func (s *simulator) lines(sales bool) ([]lineInput, bool) {
	class := "EXPENSE"
	if sales {
		class = "REVENUE"
	}
	n := 1 + s.rng.IntN(3)
	out := make([]lineInput, 0, n)
	for range n {
		a, ok := s.accountOf(class)
		if !ok {
			return nil, false
		}
		desc := serviceNames[s.rng.IntN(len(serviceNames))]
		if !sales {
			desc = productAdjectives[s.rng.IntN(len(productAdjectives))] + " " + productNouns[s.rng.IntN(len(productNouns))]
		}
		out = append(out, lineInput{Description: desc, Quantity: ptr(float64(1 + s.rng.IntN(5))),
			UnitAmount: ptr(s.money(1_000, 300_000)), AccountCode: a.Code})
	}
	return out, true
}

func (s *simulator) lineAmountTypes() *string {
	switch r := s.rng.IntN(10); {
	case r < 7:
		return ptr("Exclusive")
	case r < 9:
		return ptr("Inclusive")
	}
	return ptr("NoTax")
}

func (s *simulator) reference() *string {
	return ptr(references[s.rng.IntN(len(references))] + " " + s.next())
}

// --- invoices, credit notes, payments --------------------------------------

func (s *simulator) newInvoice() (ChangeRequest, bool) {
	c, ok := s.activeContact()
	if !ok {
		return ChangeRequest{}, false
	}
	sales := s.chance(0.6)
	lines, ok := s.lines(sales)
	if !ok {
		return ChangeRequest{}, false
	}
	typ, status := "ACCPAY", "AUTHORISED"
	if sales {
		typ = "ACCREC"
	}
	switch r := s.rng.IntN(20); {
	case r < 4:
		status = "DRAFT"
	case r < 5:
		status = "SUBMITTED"
	}
	date := s.recentDay()
	return ChangeRequest{Op: OpCreate, Endpoint: "Invoices", Record: fields(invoiceFields{Type: &typ,
		Contact: &ContactRef{ContactID: c.ContactID}, Date: date, DueDate: ptr(*date + MSDate(7+s.rng.IntN(30))*dayMs),
		Reference: s.reference(), Status: &status, LineAmountTypes: s.lineAmountTypes(), LineItems: &lines})}, true
}

func (s *simulator) updateInvoice() (ChangeRequest, bool) {
	inv, ok := pickWhere(s.rng, s.m.o.Invoices, func(inv *Invoice) bool {
		return inv.Status != "VOIDED" && inv.Status != "DELETED" && inv.CurrencyRate == 1
	})
	if !ok {
		return ChangeRequest{}, false
	}
	f := invoiceFields{Reference: s.reference()}
	switch {
	case (inv.Status == "DRAFT" || inv.Status == "SUBMITTED") && s.chance(0.5):
		f.Status = ptr("AUTHORISED")
	case !settled(inv) && s.chance(0.4):
		lines, ok := s.lines(inv.Type == "ACCREC")
		if ok {
			f.LineItems = &lines
		}
	case inv.Status == "AUTHORISED" && s.chance(0.5):
		f.DueDate = ptr(inv.DueDate + 14*dayMs)
	}
	return ChangeRequest{Op: OpUpdate, Endpoint: "Invoices", ID: inv.InvoiceID, Record: fields(f)}, true
}

func (s *simulator) payInvoice() (ChangeRequest, bool) {
	inv, ok := pickWhere(s.rng, s.m.o.Invoices, func(inv *Invoice) bool { return inv.Status == "AUTHORISED" && inv.AmountDue > 0 })
	if !ok {
		return ChangeRequest{}, false
	}
	req := ChangeRequest{Op: OpPay, Endpoint: "Invoices", ID: inv.InvoiceID, Reference: "Payment " + s.next()}
	if inv.AmountDue > 100 && s.chance(0.25) {
		req.Amount = ptr(inv.AmountDue * Money(30+s.rng.IntN(40)) / 100)
	}
	return req, true
}

func (s *simulator) voidInvoice() (ChangeRequest, bool) {
	inv, ok := pickWhere(s.rng, s.m.o.Invoices, func(inv *Invoice) bool { return inv.Status == "AUTHORISED" && !settled(inv) })
	return ChangeRequest{Op: OpVoid, Endpoint: "Invoices", ID: idOf(inv, ok)}, ok
}

func (s *simulator) deleteInvoice() (ChangeRequest, bool) {
	inv, ok := pickWhere(s.rng, s.m.o.Invoices, func(inv *Invoice) bool { return inv.Status == "DRAFT" || inv.Status == "SUBMITTED" })
	return ChangeRequest{Op: OpDelete, Endpoint: "Invoices", ID: idOf(inv, ok)}, ok
}

func (s *simulator) newCreditNote() (ChangeRequest, bool) {
	c, ok := s.activeContact()
	if !ok {
		return ChangeRequest{}, false
	}
	sales := s.chance(0.6)
	lines, ok := s.lines(sales)
	if !ok {
		return ChangeRequest{}, false
	}
	typ, status := "ACCPAYCREDIT", "AUTHORISED"
	if sales {
		typ = "ACCRECCREDIT"
	}
	if s.chance(0.2) {
		status = "DRAFT"
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "CreditNotes", Record: fields(creditNoteFields{Type: &typ,
		Contact: &ContactRef{ContactID: c.ContactID}, Date: s.recentDay(), Reference: s.reference(), Status: &status,
		LineAmountTypes: s.lineAmountTypes(), LineItems: ptr(lines[:1])})}, true
}

func (s *simulator) voidCreditNote() (ChangeRequest, bool) {
	cn, ok := pickWhere(s.rng, s.m.o.CreditNotes, func(cn *CreditNote) bool { return cn.Status == "AUTHORISED" && !creditUsed(cn) })
	return ChangeRequest{Op: OpVoid, Endpoint: "CreditNotes", ID: idOf(cn, ok)}, ok
}

func (s *simulator) deletePayment() (ChangeRequest, bool) {
	p, ok := pickWhere(s.rng, s.m.o.Payments, func(p *Payment) bool {
		return p.Status == "AUTHORISED" && p.BatchPaymentID == "" && !p.IsReconciled
	})
	return ChangeRequest{Op: OpDelete, Endpoint: "Payments", ID: idOf(p, ok)}, ok
}

// --- bank ----------------------------------------------------------------------

func (s *simulator) bank() (*Account, bool) {
	return pickWhere(s.rng, s.m.o.Accounts, func(a *Account) bool { return a.Type == "BANK" && a.Status == "ACTIVE" })
}

func (s *simulator) newBankTransaction() (ChangeRequest, bool) {
	bank, ok := s.bank()
	if !ok {
		return ChangeRequest{}, false
	}
	receive := s.chance(0.35)
	lines, ok := s.lines(receive)
	if !ok {
		return ChangeRequest{}, false
	}
	f := bankTransactionFields{Type: ptr("SPEND"), BankAccount: &AccountRef{Code: bank.Code}, Date: s.recentDay(),
		Reference: s.reference(), LineAmountTypes: s.lineAmountTypes(), LineItems: &lines}
	if receive {
		f.Type = ptr("RECEIVE")
	}
	if c, ok := s.activeContact(); ok && s.chance(0.7) {
		f.Contact = &ContactRef{ContactID: c.ContactID}
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "BankTransactions", Record: fields(f)}, true
}

func spendOrReceive(bt *BankTransaction) bool {
	return (bt.Type == "SPEND" || bt.Type == "RECEIVE") && bt.Status == "AUTHORISED"
}

func (s *simulator) updateBankTransaction() (ChangeRequest, bool) {
	bt, ok := pickWhere(s.rng, s.m.o.BankTransactions, spendOrReceive)
	if !ok {
		return ChangeRequest{}, false
	}
	f := bankTransactionFields{Reference: s.reference()}
	if !bt.IsReconciled && s.chance(0.5) {
		if lines, ok := s.lines(bt.Type == "RECEIVE"); ok {
			f.LineItems = &lines
		}
	}
	return ChangeRequest{Op: OpUpdate, Endpoint: "BankTransactions", ID: bt.BankTransactionID, Record: fields(f)}, true
}

func (s *simulator) endBankTransaction() (ChangeRequest, bool) {
	bt, ok := pickWhere(s.rng, s.m.o.BankTransactions, func(bt *BankTransaction) bool { return spendOrReceive(bt) && !bt.IsReconciled })
	op := OpDelete
	if s.chance(0.3) {
		op = OpVoid
	}
	return ChangeRequest{Op: op, Endpoint: "BankTransactions", ID: idOf(bt, ok)}, ok
}

func (s *simulator) newTransfer() (ChangeRequest, bool) {
	from, ok1 := s.bank()
	to, ok2 := s.bank()
	if !ok1 || !ok2 || from == to {
		return ChangeRequest{}, false
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "BankTransfers", Record: fields(bankTransferFields{
		FromBankAccount: &AccountRef{Code: from.Code}, ToBankAccount: &AccountRef{Code: to.Code},
		Amount: ptr(s.money(10_000, 2_000_000)), Date: s.recentDay(), Reference: s.reference()})}, true
}

func (s *simulator) deleteTransfer() (ChangeRequest, bool) {
	tr, ok := pickWhere(s.rng, s.m.o.BankTransfers, func(tr *BankTransfer) bool {
		return tr.Status == "AUTHORISED" && !tr.FromIsReconciled && !tr.ToIsReconciled
	})
	return ChangeRequest{Op: OpDelete, Endpoint: "BankTransfers", ID: idOf(tr, ok)}, ok
}

// --- contacts ----------------------------------------------------------------

// newContact is the change that is always possible: a contact with a
// name no other contact has.
func (s *simulator) newContact() ChangeRequest {
	base := companyFirst[s.rng.IntN(len(companyFirst))] + " " + companySecond[s.rng.IntN(len(companySecond))]
	name := base + " " + s.next()
	for s.nameTaken(name) {
		name = base + " " + s.next()
	}
	first, last := firstNames[s.rng.IntN(len(firstNames))], lastNames[s.rng.IntN(len(lastNames))]
	return ChangeRequest{Op: OpCreate, Endpoint: "Contacts", Record: fields(contactFields{Name: &name,
		FirstName: &first, LastName: &last, EmailAddress: ptr(lower(first) + "@" + domainOf(name))})}
}

func (s *simulator) nameTaken(name string) bool {
	for _, c := range s.m.o.Contacts.All() {
		if strings.EqualFold(c.Name, name) {
			return true
		}
	}
	return false
}

func (s *simulator) newContactOp() (ChangeRequest, bool) { return s.newContact(), true }

func (s *simulator) updateContact() (ChangeRequest, bool) {
	c, ok := pickWhere(s.rng, s.m.o.Contacts, func(c *Contact) bool { return c.ContactStatus == "ACTIVE" })
	if !ok {
		return ChangeRequest{}, false
	}
	f := contactFields{EmailAddress: ptr("accounts" + s.next() + "@" + domainOf(c.Name))}
	if s.chance(0.3) {
		f.Website = ptr("https://www." + domainOf(c.Name))
	}
	return ChangeRequest{Op: OpUpdate, Endpoint: "Contacts", ID: c.ContactID, Record: fields(f)}, true
}

func (s *simulator) archiveContact() (ChangeRequest, bool) {
	c, ok := pickWhere(s.rng, s.m.o.Contacts, func(c *Contact) bool { return c.ContactStatus == "ACTIVE" && c.Balances == nil })
	return ChangeRequest{Op: OpArchive, Endpoint: "Contacts", ID: idOf(c, ok)}, ok
}

func (s *simulator) restoreContact() (ChangeRequest, bool) {
	c, ok := pickWhere(s.rng, s.m.o.Contacts, func(c *Contact) bool { return c.ContactStatus == "ARCHIVED" && c.MergedToContactID == "" })
	return ChangeRequest{Op: OpRestore, Endpoint: "Contacts", ID: idOf(c, ok)}, ok
}

func (s *simulator) mergeContacts() (ChangeRequest, bool) {
	from, ok1 := pickWhere(s.rng, s.m.o.Contacts, func(c *Contact) bool { return c.ContactStatus == "ACTIVE" && c.Balances == nil })
	into, ok2 := s.activeContact()
	if !ok1 || !ok2 || from == into {
		return ChangeRequest{}, false
	}
	return ChangeRequest{Op: OpMerge, Endpoint: "Contacts", ID: from.ContactID, Into: into.ContactID}, true
}

// --- manual journals, items, accounts ------------------------------------------

func (s *simulator) newManualJournal() (ChangeRequest, bool) {
	debit, ok1 := s.accountOf("EXPENSE")
	credit, ok2 := s.accountOf("LIABILITY")
	if !ok1 || !ok2 {
		return ChangeRequest{}, false
	}
	amount := s.money(5_000, 500_000)
	narration := narrations[s.rng.IntN(len(narrations))]
	return ChangeRequest{Op: OpCreate, Endpoint: "ManualJournals", Record: fields(manualJournalFields{
		Narration: &narration, Date: s.recentDay(), JournalLines: []manualJournalLine{
			{LineAmount: amount, AccountCode: debit.Code, Description: narration},
			{LineAmount: -amount, AccountCode: credit.Code, Description: narration},
		}})}, true
}

func (s *simulator) voidManualJournal() (ChangeRequest, bool) {
	mj, ok := pickWhere(s.rng, s.m.o.ManualJournals, func(mj *ManualJournal) bool { return mj.Status == "POSTED" })
	return ChangeRequest{Op: OpVoid, Endpoint: "ManualJournals", ID: idOf(mj, ok)}, ok
}

func (s *simulator) newItem() (ChangeRequest, bool) {
	code := simPrefix + "-" + s.next()
	for s.m.o.itemByCode(code) != nil {
		code = simPrefix + "-" + s.next()
	}
	name := productAdjectives[s.rng.IntN(len(productAdjectives))] + " " + productNouns[s.rng.IntN(len(productNouns))]
	sales, ok := s.accountOf("REVENUE")
	if !ok {
		return ChangeRequest{}, false
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "Items", Record: fields(itemFields{Code: &code, Name: &name,
		Description: &name, SalesDetails: &ItemDetails{UnitPrice: s.money(1_000, 250_000), AccountCode: sales.Code}})}, true
}

func (s *simulator) updateItem() (ChangeRequest, bool) {
	it, ok := pickWhere(s.rng, s.m.o.Items, func(it *Item) bool { return it.IsSold })
	if !ok {
		return ChangeRequest{}, false
	}
	details := it.SalesDetails
	details.UnitPrice = details.UnitPrice * Money(95+s.rng.IntN(15)) / 100
	return ChangeRequest{Op: OpUpdate, Endpoint: "Items", ID: it.ItemID, Record: fields(itemFields{SalesDetails: &details})}, true
}

func (s *simulator) deleteItem() (ChangeRequest, bool) {
	it, ok := pickWhere(s.rng, s.m.o.Items, func(it *Item) bool { return strings.HasPrefix(it.Code, simPrefix+"-") })
	return ChangeRequest{Op: OpDelete, Endpoint: "Items", ID: idOf(it, ok)}, ok
}

func (s *simulator) newAccount() (ChangeRequest, bool) {
	code := simPrefix + s.next()
	for s.m.o.byCode[code] != nil {
		code = simPrefix + s.next()
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "Accounts", Record: fields(accountFields{Code: &code,
		Name: ptr("Simulated expenses " + code), Type: ptr("OVERHEADS")})}, true
}

func (s *simulator) archiveAccount() (ChangeRequest, bool) {
	a, ok := pickWhere(s.rng, s.m.o.Accounts, func(a *Account) bool { return a.Status == "ACTIVE" && strings.HasPrefix(a.Code, simPrefix) })
	return ChangeRequest{Op: OpArchive, Endpoint: "Accounts", ID: idOf(a, ok)}, ok
}

// --- purchase orders and quotes ------------------------------------------------

func (s *simulator) newPurchaseOrder() (ChangeRequest, bool) {
	c, ok := s.activeContact()
	if !ok {
		return ChangeRequest{}, false
	}
	lines, ok := s.lines(false)
	if !ok {
		return ChangeRequest{}, false
	}
	date := s.recentDay()
	status := []string{"DRAFT", "SUBMITTED", "AUTHORISED"}[s.rng.IntN(3)]
	return ChangeRequest{Op: OpCreate, Endpoint: "PurchaseOrders", Record: fields(purchaseOrderFields{
		Contact: &ContactRef{ContactID: c.ContactID}, Date: date, DeliveryDate: ptr(*date + 14*dayMs),
		Reference: s.reference(), Status: &status, LineItems: &lines})}, true
}

func (s *simulator) updatePurchaseOrder() (ChangeRequest, bool) {
	po, ok := pickWhere(s.rng, s.m.o.PurchaseOrders, func(po *PurchaseOrder) bool { return po.Status != "BILLED" && po.Status != "DELETED" })
	if !ok {
		return ChangeRequest{}, false
	}
	f := purchaseOrderFields{Reference: s.reference()}
	if next := purchaseOrderSteps[po.Status]; len(next) > 0 && s.chance(0.5) {
		f.Status = ptr(next[len(next)-1])
	}
	return ChangeRequest{Op: OpUpdate, Endpoint: "PurchaseOrders", ID: po.PurchaseOrderID, Record: fields(f)}, true
}

func (s *simulator) deletePurchaseOrder() (ChangeRequest, bool) {
	po, ok := pickWhere(s.rng, s.m.o.PurchaseOrders, func(po *PurchaseOrder) bool { return po.Status == "DRAFT" || po.Status == "SUBMITTED" })
	return ChangeRequest{Op: OpDelete, Endpoint: "PurchaseOrders", ID: idOf(po, ok)}, ok
}

func (s *simulator) newQuote() (ChangeRequest, bool) {
	c, ok := s.activeContact()
	if !ok {
		return ChangeRequest{}, false
	}
	lines, ok := s.lines(true)
	if !ok {
		return ChangeRequest{}, false
	}
	status := "SENT"
	if s.chance(0.3) {
		status = "DRAFT"
	}
	return ChangeRequest{Op: OpCreate, Endpoint: "Quotes", Record: fields(quoteFields{Contact: &ContactRef{ContactID: c.ContactID},
		Date: s.recentDay(), Reference: s.reference(), Title: ptr(quoteTitles[s.rng.IntN(len(quoteTitles))]),
		Status: &status, LineItems: &lines})}, true
}

func (s *simulator) updateQuote() (ChangeRequest, bool) {
	q, ok := pickWhere(s.rng, s.m.o.Quotes, func(q *Quote) bool { return q.Status != "INVOICED" && q.Status != "DELETED" })
	if !ok {
		return ChangeRequest{}, false
	}
	f := quoteFields{Reference: s.reference()}
	if next := quoteSteps[q.Status]; len(next) > 0 && s.chance(0.6) {
		f.Status = ptr(next[s.rng.IntN(len(next))])
	}
	return ChangeRequest{Op: OpUpdate, Endpoint: "Quotes", ID: q.QuoteID, Record: fields(f)}, true
}

func (s *simulator) deleteQuote() (ChangeRequest, bool) {
	q, ok := pickWhere(s.rng, s.m.o.Quotes, func(q *Quote) bool { return q.Status == "DRAFT" || q.Status == "DECLINED" })
	return ChangeRequest{Op: OpDelete, Endpoint: "Quotes", ID: idOf(q, ok)}, ok
}

// --- silent edits (X19) ----------------------------------------------------------

func (s *simulator) silentLineAccount() (ChangeRequest, bool) {
	inv, ok := pickWhere(s.rng, s.m.o.Invoices, func(inv *Invoice) bool { return posted(inv.Status) && len(inv.LineItems) > 0 })
	if !ok {
		return ChangeRequest{}, false
	}
	line := s.rng.IntN(len(inv.LineItems))
	old, ok := s.m.o.Accounts.Get(inv.LineItems[line].AccountID)
	if !ok {
		return ChangeRequest{}, false
	}
	to, ok := pickWhere(s.rng, s.m.o.Accounts, func(a *Account) bool {
		return a.Class == old.Class && a.AccountID != old.AccountID && a.Status == "ACTIVE" && a.Type != "BANK" && a.SystemAccount == ""
	})
	if !ok {
		return ChangeRequest{}, false
	}
	return ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: EditLineAccount, Line: line, AccountCode: to.Code}, true
}

func (s *simulator) silentDueDate() (ChangeRequest, bool) {
	inv, ok := pickWhere(s.rng, s.m.o.Invoices, func(inv *Invoice) bool {
		return inv.Status == "AUTHORISED" && settled(inv) && inv.AmountDue > 0
	})
	if !ok {
		return ChangeRequest{}, false
	}
	return ChangeRequest{Op: OpSilentEdit, Endpoint: "Invoices", ID: inv.InvoiceID, Edit: EditDueDate,
		DueDate: ptr(inv.DueDate + MSDate(7+s.rng.IntN(21))*dayMs)}, true
}

func (s *simulator) silentBalances() (ChangeRequest, bool) {
	return ChangeRequest{Op: OpSilentEdit, Endpoint: "Contacts", Edit: EditBalances}, true
}
