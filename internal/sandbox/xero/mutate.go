package xero

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// Domain operations: the changes the admin API (and Simulate) make to an
// organisation, each keeping the books as Xero keeps them. A posted
// document that changes reverses its journal and posts a new one; a void
// or delete posts a reversal dated like the original; a payment settles
// its invoice and posts its own journal. Every change validates all it
// needs before touching anything, so a refused change changes nothing.
//
// Every normal change sets UpdatedDateUTC (and UpdatedDateUTCString) to
// the clock's now, which moves the record to the end of its collection.
// The silent edits are the changes real Xero makes without moving
// UpdatedDateUTC (xero-api.md §3, connector-failure-modes.md X19); they
// happen only when asked for by name, and are reported with Silent set.

// Ops a ChangeRequest can name.
const (
	OpCreate     = "create"
	OpUpdate     = "update"
	OpVoid       = "void"
	OpDelete     = "delete"
	OpArchive    = "archive"
	OpRestore    = "restore"
	OpMerge      = "merge"
	OpPay        = "pay"
	OpSilentEdit = "silent-edit"
)

// Silent edits, named by ChangeRequest.Edit.
const (
	// EditLineAccount recodes one line of an authorised invoice to another
	// account. The ledger re-posts (new journals, with new CreatedDateUTC)
	// but the invoice's UpdatedDateUTC stays, as in Xero (X19).
	EditLineAccount = "line-account"
	// EditDueDate moves the due date of a partially paid invoice without
	// moving UpdatedDateUTC: the edit posts no journal (xero-api.md §3).
	EditDueDate = "due-date"
	// EditBalances recomputes every contact's Balances as of now; derived
	// fields never move a contact's UpdatedDateUTC.
	EditBalances = "balances"
)

// Change is one record a change touched: its endpoint, its id and what
// happened to it. Silent means the change left the record's change time
// (UpdatedDateUTC, or CreatedDateUTC where there is none) where it was, so
// If-Modified-Since cannot see it.
type Change struct {
	Op       string `json:"op"`
	Endpoint string `json:"endpoint"`
	ID       string `json:"id"`
	Silent   bool   `json:"silent"`
}

// ChangeRequest asks for one change, as POST
// /_sandbox/tenants/{tenant}/changes takes it:
//
//	{"op":"void","endpoint":"Invoices","id":"…"}
//	{"op":"create","endpoint":"Invoices","record":{"Type":"ACCREC","Contact":{"ContactID":"…"},
//	  "Status":"AUTHORISED","LineItems":[{"Description":"Consulting","Quantity":2,"UnitAmount":150,"AccountCode":"200"}]}}
//	{"op":"pay","endpoint":"Invoices","id":"…","amount":100.5,"date":"2026-07-01","account":"090"}
//	{"op":"silent-edit","endpoint":"Invoices","id":"…","edit":"line-account","line":0,"accountCode":"210"}
//
// Record fields are spelt as the Accounting API spells them; amounts,
// taxes and ids that follow from others (LineAmount, TaxAmount, totals)
// are computed, and dates take "2026-07-01", RFC 3339 or "/Date(ms)/".
type ChangeRequest struct {
	Op       string `json:"op"`
	Endpoint string `json:"endpoint"`
	ID       string `json:"id,omitempty"`
	// Record holds the fields of a create or update.
	Record json.RawMessage `json:"record,omitempty"`
	// Into is the contact that survives a merge (ID is the one merged away).
	Into string `json:"into,omitempty"`
	// Amount (default: all that is due), Date (default: today), Account (a
	// bank account's code or id; default: the main bank account) and
	// Reference describe the payment of a pay.
	Amount    *Money  `json:"amount,omitempty"`
	Date      *MSDate `json:"date,omitempty"`
	Account   string  `json:"account,omitempty"`
	Reference string  `json:"reference,omitempty"`
	// Edit names a silent edit (EditLineAccount, EditDueDate,
	// EditBalances); Line (0-based), AccountCode and DueDate are its
	// arguments.
	Edit        string  `json:"edit,omitempty"`
	Line        int     `json:"line,omitempty"`
	AccountCode string  `json:"accountCode,omitempty"`
	DueDate     *MSDate `json:"dueDate,omitempty"`
}

// changeFunc applies one change to m's organisation.
type changeFunc func(m *mutation, req *ChangeRequest) error

// changeTable lists, per endpoint, the ops the sandbox can apply.
var changeTable = map[string]map[string]changeFunc{
	"Accounts": {OpCreate: createAccount, OpArchive: archiveAccount, OpRestore: restoreAccount},
	"Contacts": {OpCreate: createContact, OpUpdate: updateContact, OpArchive: archiveContact,
		OpRestore: restoreContact, OpMerge: mergeContacts, OpSilentEdit: silentContacts},
	"Invoices": {OpCreate: createInvoice, OpUpdate: updateInvoice, OpVoid: voidInvoice,
		OpDelete: deleteInvoice, OpPay: payInvoice, OpSilentEdit: silentInvoice},
	"CreditNotes":      {OpCreate: createCreditNote, OpUpdate: updateCreditNote, OpVoid: voidCreditNote, OpDelete: deleteCreditNote},
	"Payments":         {OpDelete: deletePayment},
	"BankTransactions": {OpCreate: createBankTransaction, OpUpdate: updateBankTransaction, OpVoid: voidBankTransaction, OpDelete: deleteBankTransaction},
	"BankTransfers":    {OpCreate: createBankTransfer, OpDelete: deleteBankTransfer},
	"ManualJournals":   {OpCreate: createManualJournal, OpVoid: voidManualJournal, OpDelete: deleteManualJournal},
	"Items":            {OpCreate: createItem, OpUpdate: updateItem, OpDelete: deleteItem},
	"PurchaseOrders":   {OpCreate: createPurchaseOrder, OpUpdate: updatePurchaseOrder, OpDelete: deletePurchaseOrder},
	"Quotes":           {OpCreate: createQuote, OpUpdate: updateQuote, OpDelete: deleteQuote},
}

// lookupChange checks what can be checked of a request without the data
// (endpoint, op, required arguments), spells its endpoint as Xero does,
// and returns the function that applies it.
func lookupChange(req *ChangeRequest) (changeFunc, error) {
	var ops map[string]changeFunc
	for name, table := range changeTable {
		if strings.EqualFold(name, req.Endpoint) {
			req.Endpoint, ops = name, table
		}
	}
	if ops == nil {
		return nil, sandbox.Refuse("unknown endpoint %q: the sandbox changes %s", req.Endpoint, strings.Join(sortedKeys(changeTable), ", "))
	}
	req.Op = strings.ToLower(strings.TrimSpace(req.Op))
	fn := ops[req.Op]
	if fn == nil {
		return nil, sandbox.Refuse("%s: unknown op %q (want one of %s)", req.Endpoint, req.Op, strings.Join(sortedKeys(ops), ", "))
	}
	needsID := req.Op != OpCreate && !(req.Op == OpSilentEdit && req.Edit == EditBalances)
	switch {
	case needsID && strings.TrimSpace(req.ID) == "":
		return nil, sandbox.Refuse("%s %s: id is required", req.Op, req.Endpoint)
	case (req.Op == OpCreate || req.Op == OpUpdate) && len(bytes.TrimSpace(req.Record)) == 0:
		return nil, sandbox.Refuse("%s %s: record is required (the fields to set)", req.Op, req.Endpoint)
	case req.Op == OpMerge && strings.TrimSpace(req.Into) == "":
		return nil, sandbox.Refuse("merge Contacts: into (the contact that survives) is required")
	}
	return fn, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mutation is one batch of changes to one organisation, made under its
// write lock at one instant of the provider clock.
type mutation struct {
	o       *Org
	now     time.Time
	at      MSDate // now, as record instants hold it
	today   MSDate // now's calendar day
	changes []Change
	record  Record // the record the current change is about
	refresh bool   // contact balances need recomputing
}

func newMutation(o *Org, now time.Time) *mutation {
	return &mutation{o: o, now: now, at: MSDateOf(now), today: DayOf(now)}
}

// touch reports a record the change touched.
func (m *mutation) touch(op, endpoint, id string, silent bool) {
	m.changes = append(m.changes, Change{Op: op, Endpoint: endpoint, ID: id, Silent: silent})
}

// post files a journal built for a record the change made or edited.
func (m *mutation) post(j *Journal) error {
	posted, err := m.o.post(j, m.now)
	if err != nil {
		return fmt.Errorf("xero sandbox: %w", err)
	}
	m.touch(OpCreate, "Journals", posted.JournalID, false)
	return nil
}

// reverse undoes what a source posted, dated like the original, so the
// reports of that period drop it, as a void does in Xero.
func (m *mutation) reverse(sourceID string, date MSDate) error {
	j, err := m.o.reverse(sourceID, date, m.now)
	if errors.Is(err, errNothingToReverse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("xero sandbox: %w", err)
	}
	m.touch(OpCreate, "Journals", j.JournalID, false)
	return nil
}

// repost replaces what a source posted by journal j (a line, account or
// date change of a posted document). j was built, and so validated,
// before anything changed.
func (m *mutation) repost(sourceID string, oldDate MSDate, j *Journal) error {
	if err := m.reverse(sourceID, oldDate); err != nil {
		return err
	}
	return m.post(j)
}

// apply applies reqs in order under the organisation's write lock. It
// stops at the first change refused, leaving the earlier ones applied,
// and reports what changed either way. With records, it also returns the
// JSON of each applied change's own record as it stands after the change.
func (o *Org) apply(now time.Time, reqs []ChangeRequest, records bool) ([]Change, []json.RawMessage, error) {
	reqs = slices.Clone(reqs) // lookupChange normalises them
	fns := make([]changeFunc, len(reqs))
	for i := range reqs {
		fn, err := lookupChange(&reqs[i])
		if err != nil {
			return nil, nil, fmt.Errorf("change %d: %w", i+1, err)
		}
		fns[i] = fn
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m := newMutation(o, now)
	defer m.finish()
	var out []json.RawMessage
	for i := range reqs {
		if err := m.do(fns[i], &reqs[i]); err != nil {
			return m.changes, out, fmt.Errorf("change %d (%s %s %s): %w", i+1, reqs[i].Op, reqs[i].Endpoint, reqs[i].ID, err)
		}
		if records {
			b, err := json.Marshal(m.record)
			if err != nil {
				return m.changes, out, fmt.Errorf("change %d: encode record: %w", i+1, err)
			}
			out = append(out, b)
		}
	}
	return m.changes, out, nil
}

// do applies one change.
func (m *mutation) do(fn changeFunc, req *ChangeRequest) error {
	m.record = nil
	return fn(m, req)
}

// finish recomputes contact balances once for the batch, as Xero keeps
// them current, without moving any contact's UpdatedDateUTC.
func (m *mutation) finish() {
	if m.refresh {
		m.o.RefreshContactBalances(m.now)
		m.refresh = false
	}
}

// Apply applies changes to an organisation in order (see ChangeRequest)
// and reports every record they touched, each change's own record first.
// It stops at the first change refused; the changes before it stay.
func (s *Server) Apply(tenantID string, reqs ...ChangeRequest) ([]Change, error) {
	o := s.orgByTenant(tenantID)
	if o == nil {
		return nil, fmt.Errorf("xero sandbox: apply: %w", sandbox.Missing("unknown tenant %q", tenantID))
	}
	changes, _, err := o.apply(s.clock.Now(), reqs, false)
	if err != nil {
		return changes, fmt.Errorf("xero sandbox: apply: %w", err)
	}
	return changes, nil
}

// orgByTenant finds an organisation by tenant id in any GUID form.
func (s *Server) orgByTenant(tenantID string) *Org {
	if id, ok := parseGUID(tenantID); ok {
		return s.world.Org(id)
	}
	return nil
}

// --- shared helpers -------------------------------------------------------

// decodeFields reads a record's fields strictly: a field the change does
// not take is an error, not silently dropped.
func decodeFields(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return sandbox.Refuse("record: %v", err)
	}
	return nil
}

func getRecord[T Record](c *Collection[T], endpoint, id string) (T, error) {
	if g, ok := parseGUID(id); ok {
		id = g
	}
	r, ok := c.Get(id)
	if !ok {
		var zero T
		return zero, sandbox.Missing("%s has no record %q", endpoint, id)
	}
	return r, nil
}

// replace overwrites a record with its edited copy through the
// collection, so the record is refiled at its new change time.
func replace[T any, P interface {
	*T
	Record
}](c *Collection[P], edited *T) {
	c.Update(P(edited).RecordID(), func(r P) { *r = *edited })
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// dateArg reads a calendar date argument (the day of whatever instant
// came), or def when there is none.
func dateArg(d *MSDate, def MSDate) MSDate {
	if d == nil {
		return def
	}
	return DayOf(d.Time())
}

// oneOf returns s upper-cased if it is one of allowed.
func oneOf(field, s string, allowed ...string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if slices.Contains(allowed, u) {
		return u, nil
	}
	return "", sandbox.Refuse("%s %q: want one of %s", field, s, strings.Join(allowed, ", "))
}

// lineAmountTypes reads LineAmountTypes in any case; Quotes spell the
// values in upper case, everything else as Exclusive, Inclusive, NoTax.
func lineAmountTypes(s *string, def string, upper bool) (string, error) {
	v := def
	if s != nil {
		v = *s
	}
	for _, t := range []string{"Exclusive", "Inclusive", "NoTax"} {
		if strings.EqualFold(v, t) {
			if upper {
				return strings.ToUpper(t), nil
			}
			return t, nil
		}
	}
	return "", sandbox.Refuse("LineAmountTypes %q: want Exclusive, Inclusive or NoTax", v)
}

// noTaxType is the organisation's tax type for untaxed lines (NONE,
// BASEXCLUDED, ...), which its balance-sheet accounts carry.
func (o *Org) noTaxType() string { return o.sysAcct.receivable.TaxType }

// taxOn is a line's tax: on top of the amount for exclusive lines, within
// it for inclusive ones, in exact cents as the generator computes it.
func taxOn(amount Money, rate *TaxRate, lat string) Money {
	if rate == nil || rate.basisPoints == 0 {
		return 0
	}
	switch strings.ToUpper(lat) {
	case "EXCLUSIVE":
		return Money(roundDiv(int64(amount)*rate.basisPoints, 10_000))
	case "INCLUSIVE":
		return Money(roundDiv(int64(amount)*rate.basisPoints, 10_000+rate.basisPoints))
	}
	return 0
}

// accountByKey finds an account by code or id.
func (o *Org) accountByKey(key string) *Account {
	if a := o.byCode[key]; a != nil {
		return a
	}
	if id, ok := parseGUID(key); ok {
		if a, ok := o.Accounts.Get(id); ok {
			return a
		}
	}
	return nil
}

// codingAccount is an account a document line may be coded to: active,
// and not a bank account (money moves through banks by payments).
func (o *Org) codingAccount(code, id string, line int) (*Account, error) {
	key := code
	if key == "" {
		key = id
	}
	if key == "" {
		return nil, sandbox.Refuse("line %d: AccountCode is required", line)
	}
	a := o.accountByKey(key)
	switch {
	case a == nil:
		return nil, sandbox.Refuse("line %d: no account with code %q", line, key)
	case a.Status != "ACTIVE":
		return nil, sandbox.Refuse("line %d: account %s (%s) is %s", line, a.Code, a.Name, a.Status)
	case a.Type == "BANK":
		return nil, sandbox.Refuse("line %d: account %s is a bank account; lines cannot be coded to one", line, a.Code)
	}
	return a, nil
}

// bankAccount finds an active bank account by code or id; "" is the main
// bank account.
func (o *Org) bankAccount(key string) (*Account, error) {
	if key == "" {
		return o.mainBank()
	}
	a := o.accountByKey(key)
	switch {
	case a == nil:
		return nil, sandbox.Refuse("no account with code or id %q", key)
	case a.Type != "BANK":
		return nil, sandbox.Refuse("account %s (%s) is not a bank account", a.Code, a.Name)
	case a.Status != "ACTIVE":
		return nil, sandbox.Refuse("bank account %s (%s) is %s", a.Code, a.Name, a.Status)
	}
	return a, nil
}

// mainBank is the active bank account (not a card) with the lowest code.
func (o *Org) mainBank() (*Account, error) {
	var best *Account
	for _, a := range o.Accounts.All() {
		if a.Type == "BANK" && a.Status == "ACTIVE" && a.BankAccountType == "BANK" && (best == nil || a.Code < best.Code) {
			best = a
		}
	}
	if best == nil {
		return nil, sandbox.Refuse("the organisation has no active bank account")
	}
	return best, nil
}

// activeContact resolves a document's contact, which must be active.
func (o *Org) activeContact(ref *ContactRef) (ContactRef, error) {
	if ref == nil || ref.ContactID == "" {
		return ContactRef{}, sandbox.Refuse("Contact.ContactID is required")
	}
	c, err := getRecord(o.Contacts, "Contacts", ref.ContactID)
	if err != nil {
		return ContactRef{}, err
	}
	if c.ContactStatus != "ACTIVE" {
		return ContactRef{}, sandbox.Refuse("contact %q is %s: documents are raised for active contacts only", c.Name, c.ContactStatus)
	}
	return refOfContact(c), nil
}

// currency resolves a document's currency: the base one at rate 1, or
// one of the organisation's others at the rate given.
func (o *Org) currency(code *string, rate *float64) (string, float64, error) {
	base := o.Organisation.BaseCurrency
	if code == nil || *code == "" || strings.EqualFold(*code, base) {
		return base, 1, nil
	}
	cur, ok := o.Currencies.Get(strings.ToUpper(*code))
	if !ok {
		return "", 0, sandbox.Refuse("CurrencyCode %q is not one of the organisation's currencies", *code)
	}
	if rate == nil || !(*rate > 0) || math.IsInf(*rate, 0) {
		return "", 0, sandbox.Refuse("CurrencyRate is required for %s: units of %s per %s", cur.Code, cur.Code, base)
	}
	return cur.Code, *rate, nil
}

// lineInput is a line as create and update take it. Fields the API
// serves but the sandbox computes (LineAmount, TaxAmount) are accepted,
// so a record read from the API can be sent back, and ignored.
type lineInput struct {
	LineItemID  string        `json:"LineItemID,omitempty"`
	Description string        `json:"Description,omitempty"`
	Quantity    *float64      `json:"Quantity,omitempty"`
	UnitAmount  *Money        `json:"UnitAmount,omitempty"`
	ItemCode    string        `json:"ItemCode,omitempty"`
	AccountCode string        `json:"AccountCode,omitempty"`
	AccountID   string        `json:"AccountID,omitempty"`
	TaxType     string        `json:"TaxType,omitempty"`
	Tracking    []TrackingRef `json:"Tracking,omitempty"`
	LineAmount  *Money        `json:"LineAmount,omitempty"`
	TaxAmount   *Money        `json:"TaxAmount,omitempty"`
}

// maxAmount bounds amounts so that cents stay exact in float64 and sums
// cannot overflow: a hundred billion.
const maxAmount = Money(10_000_000_000_000)

// buildLines turns input lines into line items: amounts and tax computed
// from quantity, unit amount and tax rate; defaults from the item when an
// ItemCode is given; ids kept for lines that were there before.
func (o *Org) buildLines(in []lineInput, old []LineItem, lat string, sales bool) ([]LineItem, error) {
	if len(in) == 0 {
		return nil, sandbox.Refuse("LineItems: at least one line is required")
	}
	if len(in) > 1000 {
		return nil, sandbox.Refuse("LineItems: at most 1000 lines")
	}
	out := make([]LineItem, len(in))
	for i, li := range in {
		n := i + 1
		var details ItemDetails
		var item *Item
		if li.ItemCode != "" {
			if item = o.itemByCode(li.ItemCode); item == nil {
				return nil, sandbox.Refuse("line %d: no item with code %q", n, li.ItemCode)
			}
			details = item.PurchaseDetails
			if sales {
				details = item.SalesDetails
			}
		}
		qty := 1.0
		if li.Quantity != nil {
			qty = *li.Quantity
		}
		if !(qty > 0) || qty > 1e9 {
			return nil, sandbox.Refuse("line %d: Quantity must be positive", n)
		}
		unit := details.UnitPrice
		if li.UnitAmount != nil {
			unit = *li.UnitAmount
		}
		code := li.AccountCode
		if code == "" && li.AccountID == "" {
			code = details.AccountCode
		}
		acct, err := o.codingAccount(code, li.AccountID, n)
		if err != nil {
			return nil, err
		}
		taxType := li.TaxType
		if taxType == "" {
			taxType = details.TaxType
		}
		if taxType == "" {
			taxType = acct.TaxType
		}
		if strings.EqualFold(lat, "NoTax") {
			taxType = o.noTaxType()
		}
		rate, ok := o.TaxRates.Get(taxType)
		if !ok || rate.Status != "ACTIVE" {
			return nil, sandbox.Refuse("line %d: TaxType %q is not an active tax rate", n, taxType)
		}
		tracking, err := o.trackingRefs(li.Tracking, n)
		if err != nil {
			return nil, err
		}
		amount := Money(math.Round(qty * float64(unit)))
		if amount > maxAmount || amount < -maxAmount {
			return nil, sandbox.Refuse("line %d: amount too large", n)
		}
		desc := li.Description
		if desc == "" && item != nil {
			desc = item.Name
			if !sales && item.PurchaseDescription != "" {
				desc = item.PurchaseDescription
			}
		}
		id := o.NewID()
		if g, ok := parseGUID(li.LineItemID); ok && slices.ContainsFunc(old, func(l LineItem) bool { return l.LineItemID == g }) {
			id = g
		}
		out[i] = LineItem{LineItemID: id, Description: desc, Quantity: qty, UnitAmount: unit, ItemCode: li.ItemCode,
			AccountCode: acct.Code, AccountID: acct.AccountID, TaxType: taxType, LineAmount: amount,
			TaxAmount: taxOn(amount, rate, lat), Tracking: tracking}
	}
	return out, nil
}

// inputsOf turns line items back into inputs, to recompute their tax
// under new LineAmountTypes.
func inputsOf(lines []LineItem) []lineInput {
	in := make([]lineInput, len(lines))
	for i, l := range lines {
		in[i] = lineInput{LineItemID: l.LineItemID, Description: l.Description, Quantity: ptr(l.Quantity),
			UnitAmount: ptr(l.UnitAmount), ItemCode: l.ItemCode, AccountCode: l.AccountCode, TaxType: l.TaxType, Tracking: l.Tracking}
	}
	return in
}

// docLines applies an update's LineItems and LineAmountTypes to a
// document's lines: it reports whether they changed.
func (o *Org) docLines(items *[]lineInput, latIn *string, old []LineItem, oldLAT string, sales, upper bool) ([]LineItem, string, bool, error) {
	if items == nil && latIn == nil {
		return old, oldLAT, false, nil
	}
	lat, err := lineAmountTypes(latIn, oldLAT, upper)
	if err != nil {
		return nil, "", false, err
	}
	in := inputsOf(old)
	if items != nil {
		in = *items
	}
	if latIn != nil && items == nil && strings.EqualFold(oldLAT, "NoTax") && !strings.EqualFold(lat, "NoTax") {
		for i := range in {
			in[i].TaxType = "" // untaxed lines take their account's tax again
		}
	}
	lines, err := o.buildLines(in, old, lat, sales)
	return lines, lat, err == nil, err
}

// itemByCode finds an item by its code, in any case.
func (o *Org) itemByCode(code string) *Item {
	for _, it := range o.Items.All() {
		if strings.EqualFold(it.Code, code) {
			return it
		}
	}
	return nil
}

// trackingRefs resolves a line's tracking by category and option, each
// by id or name; both must be active.
func (o *Org) trackingRefs(in []TrackingRef, line int) ([]TrackingRef, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]TrackingRef, 0, len(in))
	for _, ref := range in {
		var cat *TrackingCategory
		for _, tc := range o.TrackingCategories.All() {
			if tc.TrackingCategoryID == strings.ToLower(ref.TrackingCategoryID) || ref.TrackingCategoryID == "" && strings.EqualFold(tc.Name, ref.Name) {
				cat = tc
			}
		}
		if cat == nil || cat.Status != "ACTIVE" {
			return nil, sandbox.Refuse("line %d: no active tracking category %q", line, ref.Name+ref.TrackingCategoryID)
		}
		found := false
		for _, opt := range cat.Options {
			if opt.Status == "ACTIVE" && (opt.TrackingOptionID == strings.ToLower(ref.TrackingOptionID) ||
				ref.TrackingOptionID == "" && strings.EqualFold(opt.Name, ref.Option)) {
				out = append(out, TrackingRef{Name: cat.Name, Option: opt.Name, TrackingCategoryID: cat.TrackingCategoryID, TrackingOptionID: opt.TrackingOptionID})
				found = true
				break
			}
		}
		if !found {
			return nil, sandbox.Refuse("line %d: tracking category %s has no active option %q", line, cat.Name, ref.Option+ref.TrackingOptionID)
		}
	}
	return out, nil
}

// checkTotal refuses documents whose lines add up to nothing or less.
func checkTotal(total Money) error {
	if total <= 0 {
		return sandbox.Refuse("the lines total %s: the sandbox takes documents with a positive total", total)
	}
	return nil
}

// statusStep checks a document status change an update asks for against
// the transitions the endpoint allows.
func statusStep(endpoint, from string, to *string, next map[string][]string) (string, error) {
	if to == nil {
		return from, nil
	}
	want := strings.ToUpper(strings.TrimSpace(*to))
	if want == from {
		return from, nil
	}
	if !slices.Contains(next[from], want) {
		return "", sandbox.Refuse("%s: cannot go from %s to %s by update (allowed: %s; void, delete and pay are ops of their own)",
			endpoint, from, want, strings.Join(next[from], ", "))
	}
	return want, nil
}

// --- contacts -------------------------------------------------------------

// contactFields are the contact fields create and update take.
type contactFields struct {
	Name          *string `json:"Name"`
	FirstName     *string `json:"FirstName"`
	LastName      *string `json:"LastName"`
	EmailAddress  *string `json:"EmailAddress"`
	ContactNumber *string `json:"ContactNumber"`
	AccountNumber *string `json:"AccountNumber"`
	TaxNumber     *string `json:"TaxNumber"`
	Website       *string `json:"Website"`
}

// apply copies the given fields onto c, keeping names unique as Xero does.
func (f *contactFields) apply(o *Org, c *Contact) error {
	if f.Name != nil {
		name := strings.TrimSpace(*f.Name)
		if name == "" {
			return sandbox.Refuse("Name must not be empty")
		}
		for _, other := range o.Contacts.All() {
			if other.ContactID != c.ContactID && strings.EqualFold(other.Name, name) {
				return sandbox.Refuse("the contact name %s is already assigned to another contact; contact names must be unique", name)
			}
		}
		c.Name = name
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&c.FirstName, f.FirstName)
	set(&c.LastName, f.LastName)
	set(&c.EmailAddress, f.EmailAddress)
	set(&c.ContactNumber, f.ContactNumber)
	set(&c.AccountNumber, f.AccountNumber)
	set(&c.TaxNumber, f.TaxNumber)
	set(&c.Website, f.Website)
	return nil
}

func createContact(m *mutation, req *ChangeRequest) error {
	var f contactFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	if f.Name == nil {
		return sandbox.Refuse("Name is required")
	}
	c := &Contact{ContactStatus: "ACTIVE"}
	if err := f.apply(m.o, c); err != nil {
		return err
	}
	c.ContactID, c.UpdatedDateUTC = m.o.NewID(), m.at
	m.o.Contacts.Put(c)
	m.touch(OpCreate, "Contacts", c.ContactID, false)
	m.record = c
	return nil
}

// editableContact finds a contact that can still be changed: one being
// erased under GDPR cannot.
func editableContact(o *Org, id string) (*Contact, error) {
	c, err := getRecord(o.Contacts, "Contacts", id)
	if err != nil {
		return nil, err
	}
	if c.ContactStatus == "GDPRREQUEST" {
		return nil, sandbox.Refuse("contact %s is being erased (GDPRREQUEST) and cannot be changed", c.ContactID)
	}
	return c, nil
}

func updateContact(m *mutation, req *ChangeRequest) error {
	var f contactFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	c, err := editableContact(m.o, req.ID)
	if err != nil {
		return err
	}
	edited := *c
	if err := f.apply(m.o, &edited); err != nil {
		return err
	}
	edited.UpdatedDateUTC = m.at
	m.putContact(OpUpdate, &edited)
	return nil
}

// putContact files an edited contact; the first one a change files is
// the change's record.
func (m *mutation) putContact(op string, edited *Contact) {
	replace(m.o.Contacts, edited)
	m.touch(op, "Contacts", edited.ContactID, false)
	if m.record == nil {
		m.record, _ = m.o.Contacts.Get(edited.ContactID)
	}
}

func archiveContact(m *mutation, req *ChangeRequest) error {
	c, err := editableContact(m.o, req.ID)
	if err != nil {
		return err
	}
	if c.ContactStatus != "ACTIVE" {
		return sandbox.Refuse("contact %s is %s, not ACTIVE", c.ContactID, c.ContactStatus)
	}
	edited := *c
	edited.ContactStatus, edited.UpdatedDateUTC = "ARCHIVED", m.at
	m.putContact(OpArchive, &edited)
	return nil
}

func restoreContact(m *mutation, req *ChangeRequest) error {
	c, err := editableContact(m.o, req.ID)
	if err != nil {
		return err
	}
	switch {
	case c.ContactStatus != "ARCHIVED":
		return sandbox.Refuse("contact %s is %s, not ARCHIVED", c.ContactID, c.ContactStatus)
	case c.MergedToContactID != "":
		return sandbox.Refuse("contact %s was merged into %s; a merge cannot be undone", c.ContactID, c.MergedToContactID)
	}
	edited := *c
	edited.ContactStatus, edited.UpdatedDateUTC = "ACTIVE", m.at
	m.putContact(OpRestore, &edited)
	return nil
}

// mergeContacts merges req.ID into req.Into: the merged contact is
// archived with MergedToContactID set, and both move UpdatedDateUTC.
// Xero also moves the merged contact's documents to the survivor; the
// sandbox leaves them where they are (whether that move bumps the
// documents' UpdatedDateUTC is not documented), as generated duplicates do.
func mergeContacts(m *mutation, req *ChangeRequest) error {
	from, err := editableContact(m.o, req.ID)
	if err != nil {
		return err
	}
	into, err := editableContact(m.o, req.Into)
	if err != nil {
		return err
	}
	switch {
	case from.ContactID == into.ContactID:
		return sandbox.Refuse("a contact cannot be merged into itself")
	case from.MergedToContactID != "":
		return sandbox.Refuse("contact %s was already merged into %s", from.ContactID, from.MergedToContactID)
	case into.ContactStatus != "ACTIVE":
		return sandbox.Refuse("contact %s is %s: merge into an active contact", into.ContactID, into.ContactStatus)
	}
	merged, survivor := *from, *into
	merged.ContactStatus, merged.MergedToContactID, merged.UpdatedDateUTC = "ARCHIVED", into.ContactID, m.at
	survivor.UpdatedDateUTC = m.at
	m.putContact(OpMerge, &merged)
	m.putContact(OpUpdate, &survivor)
	return nil
}

// silentContacts is the balances silent edit: every contact's Balances
// recomputed as of now (overdue amounts move as days pass), no contact's
// UpdatedDateUTC moving. It reports each contact whose balances changed.
func silentContacts(m *mutation, req *ChangeRequest) error {
	if req.Edit != EditBalances {
		return sandbox.Refuse("Contacts: unknown silent edit %q (want %s)", req.Edit, EditBalances)
	}
	before := make(map[string]Balances, m.o.Contacts.Len())
	for _, c := range m.o.Contacts.All() {
		if c.Balances != nil {
			before[c.ContactID] = *c.Balances
		}
	}
	m.o.RefreshContactBalances(m.now)
	for _, c := range m.o.Contacts.All() {
		var now Balances
		if c.Balances != nil {
			now = *c.Balances
		}
		if now != before[c.ContactID] {
			m.touch(OpSilentEdit, "Contacts", c.ContactID, true)
		}
	}
	return nil
}

// --- invoices ---------------------------------------------------------------

// invoiceFields are the invoice fields create and update take.
type invoiceFields struct {
	Type            *string      `json:"Type,omitempty"`
	InvoiceNumber   *string      `json:"InvoiceNumber,omitempty"`
	Contact         *ContactRef  `json:"Contact,omitempty"`
	Date            *MSDate      `json:"Date,omitempty"`
	DueDate         *MSDate      `json:"DueDate,omitempty"`
	Reference       *string      `json:"Reference,omitempty"`
	Status          *string      `json:"Status,omitempty"`
	LineAmountTypes *string      `json:"LineAmountTypes,omitempty"`
	CurrencyCode    *string      `json:"CurrencyCode,omitempty"`
	CurrencyRate    *float64     `json:"CurrencyRate,omitempty"`
	SentToContact   *bool        `json:"SentToContact,omitempty"`
	LineItems       *[]lineInput `json:"LineItems,omitempty"`
}

// invoiceSteps are the status changes an update may make to an invoice
// (or credit note): approval; voids, deletes and payments are ops.
var invoiceSteps = map[string][]string{
	"DRAFT":     {"SUBMITTED", "AUTHORISED"},
	"SUBMITTED": {"DRAFT", "AUTHORISED"},
}

func createInvoice(m *mutation, req *ChangeRequest) error {
	var f invoiceFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	typ, err := oneOf("Type", deref(f.Type), "ACCREC", "ACCPAY")
	if err != nil {
		return err
	}
	contact, err := o.activeContact(f.Contact)
	if err != nil {
		return err
	}
	status := "DRAFT"
	if f.Status != nil {
		if status, err = oneOf("Status", *f.Status, "DRAFT", "SUBMITTED", "AUTHORISED"); err != nil {
			return err
		}
	}
	lat, err := lineAmountTypes(f.LineAmountTypes, "Exclusive", false)
	if err != nil {
		return err
	}
	cur, rate, err := o.currency(f.CurrencyCode, f.CurrencyRate)
	if err != nil {
		return err
	}
	date := dateArg(f.Date, m.today)
	due := dateArg(f.DueDate, date+30*dayMs)
	if due < date {
		return sandbox.Refuse("DueDate is before Date")
	}
	if f.LineItems == nil {
		return sandbox.Refuse("LineItems: at least one line is required")
	}
	lines, err := o.buildLines(*f.LineItems, nil, lat, typ == "ACCREC")
	if err != nil {
		return err
	}
	inv := &Invoice{Type: typ, Contact: contact, Reference: deref(f.Reference), CurrencyCode: cur, CurrencyRate: rate,
		Status: status, LineAmountTypes: lat, LineItems: lines, SentToContact: deref(f.SentToContact) && status == "AUTHORISED"}
	inv.SubTotal, inv.TotalTax, inv.Total = totals(lines, lat)
	if err := checkTotal(inv.Total); err != nil {
		return err
	}
	inv.Date, inv.DateString, inv.DueDate, inv.DueDateString = date, dayString(date), due, dayString(due)
	inv.settle(date)
	var j *Journal
	if status == "AUTHORISED" {
		if j, err = o.invoiceJournal(inv); err != nil {
			return sandbox.Refuse("%v", err)
		}
	}
	inv.InvoiceID = o.NewID()
	j = sourced(j, inv.InvoiceID)
	switch {
	case f.InvoiceNumber != nil && *f.InvoiceNumber != "":
		if typ == "ACCREC" && o.salesNumberTaken(*f.InvoiceNumber, "") {
			return sandbox.Refuse("invoice number %s is already used: sales invoice numbers must be unique", *f.InvoiceNumber)
		}
		inv.InvoiceNumber = *f.InvoiceNumber
	case typ == "ACCREC":
		inv.InvoiceNumber = o.NextNumber("INV")
	default:
		inv.InvoiceNumber = o.NextNumber("BILL")
	}
	inv.setUpdated(m.at)
	o.Invoices.Put(inv)
	m.touch(OpCreate, "Invoices", inv.InvoiceID, false)
	m.record, m.refresh = inv, true
	if j != nil {
		return m.post(j)
	}
	return nil
}

// sourced points a journal built before its source had an id at the
// source (nil stays nil).
func sourced(j *Journal, id string) *Journal {
	if j != nil {
		j.SourceID = id
	}
	return j
}

// settled reports whether payments or credits are applied to an invoice,
// which locks its amounts as Xero locks them.
func settled(inv *Invoice) bool { return inv.AmountPaid != 0 || inv.AmountCredited != 0 }

func updateInvoice(m *mutation, req *ChangeRequest) error {
	var f invoiceFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	inv, err := getRecord(o.Invoices, "Invoices", req.ID)
	if err != nil {
		return err
	}
	switch {
	case inv.Status == "VOIDED" || inv.Status == "DELETED":
		return sandbox.Refuse("invoice %s is %s and cannot be edited", inv.InvoiceNumber, inv.Status)
	case f.Type != nil && *f.Type != inv.Type, f.CurrencyCode != nil && *f.CurrencyCode != inv.CurrencyCode:
		return sandbox.Refuse("an invoice's Type and CurrencyCode cannot change")
	}
	e := *inv
	if e.Status, err = statusStep("Invoices", inv.Status, f.Status, invoiceSteps); err != nil {
		return err
	}
	var lines bool
	if e.LineItems, e.LineAmountTypes, lines, err = o.docLines(f.LineItems, f.LineAmountTypes, inv.LineItems, inv.LineAmountTypes, inv.Type == "ACCREC", false); err != nil {
		return err
	}
	amounts := lines || f.Date != nil || f.Contact != nil || f.CurrencyRate != nil
	if amounts && settled(inv) {
		return sandbox.Refuse("invoice %s has payments or credits applied; its lines, date, contact and rate cannot change", inv.InvoiceNumber)
	}
	if f.Contact != nil {
		if e.Contact, err = o.activeContact(f.Contact); err != nil {
			return err
		}
	}
	if f.CurrencyRate != nil {
		if _, e.CurrencyRate, err = o.currency(&e.CurrencyCode, f.CurrencyRate); err != nil {
			return err
		}
	}
	e.Date, e.DueDate = dateArg(f.Date, inv.Date), dateArg(f.DueDate, inv.DueDate)
	if e.DueDate < e.Date {
		return sandbox.Refuse("DueDate is before Date")
	}
	e.DateString, e.DueDateString = dayString(e.Date), dayString(e.DueDate)
	if f.Reference != nil {
		e.Reference = *f.Reference
	}
	if f.InvoiceNumber != nil && *f.InvoiceNumber != "" {
		if e.Type == "ACCREC" && o.salesNumberTaken(*f.InvoiceNumber, e.InvoiceID) {
			return sandbox.Refuse("invoice number %s is already used: sales invoice numbers must be unique", *f.InvoiceNumber)
		}
		e.InvoiceNumber = *f.InvoiceNumber
	}
	if f.SentToContact != nil {
		e.SentToContact = *f.SentToContact
	}
	e.SubTotal, e.TotalTax, e.Total = totals(e.LineItems, e.LineAmountTypes)
	if err := checkTotal(e.Total); err != nil {
		return err
	}
	e.settle(m.today)
	wasPosted, posts := posted(inv.Status), posted(e.Status)
	var j *Journal
	if posts && (!wasPosted || amounts || f.LineAmountTypes != nil) {
		if j, err = o.invoiceJournal(&e); err != nil {
			return sandbox.Refuse("%v", err)
		}
	}
	e.setUpdated(m.at)
	replace(o.Invoices, &e)
	m.touch(OpUpdate, "Invoices", e.InvoiceID, false)
	m.record, m.refresh = o.mustInvoice(e.InvoiceID), true
	switch {
	case j != nil && wasPosted:
		return m.repost(e.InvoiceID, inv.Date, j)
	case j != nil:
		return m.post(j)
	}
	return nil
}

// salesNumberTaken reports whether another sales invoice has the number;
// Xero keeps them unique (bills may share a supplier's numbers).
func (o *Org) salesNumberTaken(number, exceptID string) bool {
	for _, inv := range o.Invoices.All() {
		if inv.Type == "ACCREC" && inv.InvoiceID != exceptID && strings.EqualFold(inv.InvoiceNumber, number) {
			return true
		}
	}
	return false
}

// posted reports whether a document in this status has posted its journal.
func posted(status string) bool { return status == "AUTHORISED" || status == "PAID" }

func (o *Org) mustInvoice(id string) *Invoice {
	inv, _ := o.Invoices.Get(id)
	return inv
}

func voidInvoice(m *mutation, req *ChangeRequest) error {
	inv, err := getRecord(m.o.Invoices, "Invoices", req.ID)
	if err != nil {
		return err
	}
	switch {
	case inv.Status != "AUTHORISED" && inv.Status != "PAID":
		return sandbox.Refuse("invoice %s is %s: only an authorised invoice can be voided (delete a draft)", inv.InvoiceNumber, inv.Status)
	case settled(inv):
		return sandbox.Refuse("invoice %s has payments or credits applied; remove them before voiding it", inv.InvoiceNumber)
	}
	e := *inv
	e.Status = "VOIDED"
	e.settle(m.today)
	e.setUpdated(m.at)
	replace(m.o.Invoices, &e)
	m.touch(OpVoid, "Invoices", e.InvoiceID, false)
	m.record, m.refresh = m.o.mustInvoice(e.InvoiceID), true
	return m.reverse(e.InvoiceID, e.Date)
}

func deleteInvoice(m *mutation, req *ChangeRequest) error {
	inv, err := getRecord(m.o.Invoices, "Invoices", req.ID)
	if err != nil {
		return err
	}
	if inv.Status != "DRAFT" && inv.Status != "SUBMITTED" {
		return sandbox.Refuse("invoice %s is %s: only drafts and submitted invoices can be deleted (void an authorised one)", inv.InvoiceNumber, inv.Status)
	}
	e := *inv
	e.Status = "DELETED"
	e.settle(m.today)
	e.setUpdated(m.at)
	replace(m.o.Invoices, &e)
	m.touch(OpDelete, "Invoices", e.InvoiceID, false)
	m.record = m.o.mustInvoice(e.InvoiceID)
	return nil
}

// payInvoice pays an authorised invoice, in full or in part: a new
// Payment, its journal, and the invoice settled (AmountPaid, AmountDue,
// Status, FullyPaidOnDate) and moved.
func payInvoice(m *mutation, req *ChangeRequest) error {
	o := m.o
	inv, err := getRecord(o.Invoices, "Invoices", req.ID)
	if err != nil {
		return err
	}
	if inv.Status != "AUTHORISED" {
		return sandbox.Refuse("invoice %s is %s: only an authorised invoice with an amount due can be paid", inv.InvoiceNumber, inv.Status)
	}
	amount := inv.AmountDue
	if req.Amount != nil {
		amount = *req.Amount
	}
	if amount <= 0 || amount > inv.AmountDue {
		return sandbox.Refuse("payment amount %s: want more than 0 and at most the %s due", amount, inv.AmountDue)
	}
	bank, err := o.bankAccount(req.Account)
	if err != nil {
		return err
	}
	date := dateArg(req.Date, m.today)
	p := &Payment{Date: date, Amount: amount, BankAmount: toBase(amount, inv.CurrencyRate), CurrencyRate: inv.CurrencyRate,
		Reference: req.Reference, Status: "AUTHORISED", PaymentType: "ACCRECPAYMENT", HasAccount: true,
		Account: refOfAccount(bank), Invoice: refOfInvoice(inv)}
	if inv.Type == "ACCPAY" {
		p.PaymentType = "ACCPAYPAYMENT"
	}
	j, err := o.paymentJournal(p)
	if err != nil {
		return sandbox.Refuse("%v", err)
	}
	p.PaymentID = o.NewID()
	j = sourced(j, p.PaymentID)
	p.setUpdated(m.at)
	e := *inv
	e.AmountPaid += amount
	e.Payments = append(slices.Clip(inv.Payments), PaymentSummary{PaymentID: p.PaymentID, Date: date, Amount: amount,
		Reference: p.Reference, CurrencyRate: p.CurrencyRate})
	e.settle(date)
	e.setUpdated(m.at)
	replace(o.Invoices, &e)
	o.Payments.Put(p)
	m.touch(OpPay, "Invoices", e.InvoiceID, false)
	m.touch(OpCreate, "Payments", p.PaymentID, false)
	m.record, m.refresh = o.mustInvoice(e.InvoiceID), true
	return m.post(j)
}

// silentInvoice applies an invoice's silent edits (X19).
func silentInvoice(m *mutation, req *ChangeRequest) error {
	o := m.o
	inv, err := getRecord(o.Invoices, "Invoices", req.ID)
	if err != nil {
		return err
	}
	e := *inv
	switch req.Edit {
	case EditLineAccount:
		if !posted(inv.Status) {
			return sandbox.Refuse("invoice %s is %s: the silent account recode applies to authorised invoices", inv.InvoiceNumber, inv.Status)
		}
		if req.Line < 0 || req.Line >= len(inv.LineItems) {
			return sandbox.Refuse("invoice %s has no line %d (lines are numbered from 0)", inv.InvoiceNumber, req.Line)
		}
		acct, err := o.codingAccount(req.AccountCode, "", req.Line+1)
		if err != nil {
			return err
		}
		if acct.AccountID == inv.LineItems[req.Line].AccountID {
			return sandbox.Refuse("line %d of invoice %s is already coded to %s", req.Line, inv.InvoiceNumber, acct.Code)
		}
		e.LineItems = slices.Clone(inv.LineItems)
		e.LineItems[req.Line].AccountCode, e.LineItems[req.Line].AccountID = acct.Code, acct.AccountID
		j, err := o.invoiceJournal(&e)
		if err != nil {
			return sandbox.Refuse("%v", err)
		}
		replace(o.Invoices, &e)
		m.touch(OpSilentEdit, "Invoices", e.InvoiceID, true)
		m.record = o.mustInvoice(e.InvoiceID)
		// The ledger re-posts: the journals are new, so Journals (by
		// offset or If-Modified-Since) show the change the invoice hides.
		return m.repost(e.InvoiceID, e.Date, j)
	case EditDueDate:
		if inv.Status != "AUTHORISED" || !settled(inv) || inv.AmountDue == 0 {
			return sandbox.Refuse("invoice %s is not partially paid: the silent due-date edit applies to partially paid invoices (use update)", inv.InvoiceNumber)
		}
		if req.DueDate == nil {
			return sandbox.Refuse("dueDate is required")
		}
		if e.DueDate = dateArg(req.DueDate, 0); e.DueDate < e.Date {
			return sandbox.Refuse("dueDate is before the invoice's Date")
		}
		e.DueDateString = dayString(e.DueDate)
		replace(o.Invoices, &e)
		m.touch(OpSilentEdit, "Invoices", e.InvoiceID, true)
		m.record, m.refresh = o.mustInvoice(e.InvoiceID), true
		return nil
	}
	return sandbox.Refuse("Invoices: unknown silent edit %q (want %s or %s)", req.Edit, EditLineAccount, EditDueDate)
}

// --- credit notes -----------------------------------------------------------

// creditNoteFields are the credit note fields create and update take.
type creditNoteFields struct {
	Type             *string      `json:"Type,omitempty"`
	CreditNoteNumber *string      `json:"CreditNoteNumber,omitempty"`
	Contact          *ContactRef  `json:"Contact,omitempty"`
	Date             *MSDate      `json:"Date,omitempty"`
	Reference        *string      `json:"Reference,omitempty"`
	Status           *string      `json:"Status,omitempty"`
	LineAmountTypes  *string      `json:"LineAmountTypes,omitempty"`
	CurrencyCode     *string      `json:"CurrencyCode,omitempty"`
	CurrencyRate     *float64     `json:"CurrencyRate,omitempty"`
	SentToContact    *bool        `json:"SentToContact,omitempty"`
	LineItems        *[]lineInput `json:"LineItems,omitempty"`
}

func createCreditNote(m *mutation, req *ChangeRequest) error {
	var f creditNoteFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	typ, err := oneOf("Type", deref(f.Type), "ACCRECCREDIT", "ACCPAYCREDIT")
	if err != nil {
		return err
	}
	contact, err := o.activeContact(f.Contact)
	if err != nil {
		return err
	}
	status := "DRAFT"
	if f.Status != nil {
		if status, err = oneOf("Status", *f.Status, "DRAFT", "SUBMITTED", "AUTHORISED"); err != nil {
			return err
		}
	}
	lat, err := lineAmountTypes(f.LineAmountTypes, "Exclusive", false)
	if err != nil {
		return err
	}
	cur, rate, err := o.currency(f.CurrencyCode, f.CurrencyRate)
	if err != nil {
		return err
	}
	if f.LineItems == nil {
		return sandbox.Refuse("LineItems: at least one line is required")
	}
	lines, err := o.buildLines(*f.LineItems, nil, lat, typ == "ACCRECCREDIT")
	if err != nil {
		return err
	}
	date := dateArg(f.Date, m.today)
	cn := &CreditNote{Type: typ, Contact: contact, Reference: deref(f.Reference), DateString: dayString(date), Date: date,
		Status: status, LineAmountTypes: lat, LineItems: lines, CurrencyCode: cur, CurrencyRate: rate,
		SentToContact: deref(f.SentToContact) && status == "AUTHORISED"}
	cn.SubTotal, cn.TotalTax, cn.Total = totals(lines, lat)
	if err := checkTotal(cn.Total); err != nil {
		return err
	}
	cn.RemainingCredit = cn.Total
	var j *Journal
	if status == "AUTHORISED" {
		if j, err = o.creditNoteJournal(cn); err != nil {
			return sandbox.Refuse("%v", err)
		}
	}
	cn.CreditNoteID = o.NewID()
	j = sourced(j, cn.CreditNoteID)
	cn.CreditNoteNumber = o.NextNumber("CN")
	if f.CreditNoteNumber != nil && *f.CreditNoteNumber != "" {
		cn.CreditNoteNumber = *f.CreditNoteNumber
	}
	cn.setUpdated(m.at)
	o.CreditNotes.Put(cn)
	m.touch(OpCreate, "CreditNotes", cn.CreditNoteID, false)
	m.record = cn
	if j != nil {
		return m.post(j)
	}
	return nil
}

// creditUsed reports whether any of a credit note is allocated or refunded.
func creditUsed(cn *CreditNote) bool {
	return len(cn.Allocations) > 0 || len(cn.Payments) > 0 || (posted(cn.Status) && cn.RemainingCredit != cn.Total)
}

func (o *Org) mustCreditNote(id string) *CreditNote {
	cn, _ := o.CreditNotes.Get(id)
	return cn
}

func updateCreditNote(m *mutation, req *ChangeRequest) error {
	var f creditNoteFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	cn, err := getRecord(o.CreditNotes, "CreditNotes", req.ID)
	if err != nil {
		return err
	}
	switch {
	case cn.Status == "VOIDED" || cn.Status == "DELETED":
		return sandbox.Refuse("credit note %s is %s and cannot be edited", cn.CreditNoteNumber, cn.Status)
	case f.Type != nil && *f.Type != cn.Type, f.CurrencyCode != nil && *f.CurrencyCode != cn.CurrencyCode:
		return sandbox.Refuse("a credit note's Type and CurrencyCode cannot change")
	}
	e := *cn
	if e.Status, err = statusStep("CreditNotes", cn.Status, f.Status, invoiceSteps); err != nil {
		return err
	}
	var lines bool
	if e.LineItems, e.LineAmountTypes, lines, err = o.docLines(f.LineItems, f.LineAmountTypes, cn.LineItems, cn.LineAmountTypes, cn.Type == "ACCRECCREDIT", false); err != nil {
		return err
	}
	amounts := lines || f.Date != nil || f.Contact != nil || f.CurrencyRate != nil
	if amounts && creditUsed(cn) {
		return sandbox.Refuse("credit note %s is allocated or refunded; its lines, date, contact and rate cannot change", cn.CreditNoteNumber)
	}
	if f.Contact != nil {
		if e.Contact, err = o.activeContact(f.Contact); err != nil {
			return err
		}
	}
	if f.CurrencyRate != nil {
		if _, e.CurrencyRate, err = o.currency(&e.CurrencyCode, f.CurrencyRate); err != nil {
			return err
		}
	}
	e.Date = dateArg(f.Date, cn.Date)
	e.DateString = dayString(e.Date)
	if f.Reference != nil {
		e.Reference = *f.Reference
	}
	if f.CreditNoteNumber != nil && *f.CreditNoteNumber != "" {
		e.CreditNoteNumber = *f.CreditNoteNumber
	}
	if f.SentToContact != nil {
		e.SentToContact = *f.SentToContact
	}
	e.SubTotal, e.TotalTax, e.Total = totals(e.LineItems, e.LineAmountTypes)
	if err := checkTotal(e.Total); err != nil {
		return err
	}
	if !creditUsed(cn) {
		e.RemainingCredit = e.Total
	}
	wasPosted, posts := posted(cn.Status), posted(e.Status)
	var j *Journal
	if posts && (!wasPosted || amounts || f.LineAmountTypes != nil) {
		if j, err = o.creditNoteJournal(&e); err != nil {
			return sandbox.Refuse("%v", err)
		}
	}
	e.setUpdated(m.at)
	replace(o.CreditNotes, &e)
	m.touch(OpUpdate, "CreditNotes", e.CreditNoteID, false)
	m.record = o.mustCreditNote(e.CreditNoteID)
	switch {
	case j != nil && wasPosted:
		return m.repost(e.CreditNoteID, cn.Date, j)
	case j != nil:
		return m.post(j)
	}
	return nil
}

func voidCreditNote(m *mutation, req *ChangeRequest) error {
	cn, err := getRecord(m.o.CreditNotes, "CreditNotes", req.ID)
	if err != nil {
		return err
	}
	switch {
	case cn.Status != "AUTHORISED":
		return sandbox.Refuse("credit note %s is %s: only an authorised credit note can be voided", cn.CreditNoteNumber, cn.Status)
	case creditUsed(cn):
		return sandbox.Refuse("credit note %s is allocated or refunded; remove that before voiding it", cn.CreditNoteNumber)
	}
	e := *cn
	e.Status, e.RemainingCredit = "VOIDED", 0
	e.setUpdated(m.at)
	replace(m.o.CreditNotes, &e)
	m.touch(OpVoid, "CreditNotes", e.CreditNoteID, false)
	m.record = m.o.mustCreditNote(e.CreditNoteID)
	return m.reverse(e.CreditNoteID, e.Date)
}

func deleteCreditNote(m *mutation, req *ChangeRequest) error {
	cn, err := getRecord(m.o.CreditNotes, "CreditNotes", req.ID)
	if err != nil {
		return err
	}
	if cn.Status != "DRAFT" && cn.Status != "SUBMITTED" {
		return sandbox.Refuse("credit note %s is %s: only drafts and submitted credit notes can be deleted", cn.CreditNoteNumber, cn.Status)
	}
	e := *cn
	e.Status, e.RemainingCredit = "DELETED", 0
	e.setUpdated(m.at)
	replace(m.o.CreditNotes, &e)
	m.touch(OpDelete, "CreditNotes", e.CreditNoteID, false)
	m.record = m.o.mustCreditNote(e.CreditNoteID)
	return nil
}

// --- payments -------------------------------------------------------------

// deletePayment deletes a payment as Xero does: the payment stays with
// Status DELETED, its journal is reversed and the invoice it paid reopens
// (or the credit note it refunded gets its credit back).
func deletePayment(m *mutation, req *ChangeRequest) error {
	o := m.o
	p, err := getRecord(o.Payments, "Payments", req.ID)
	if err != nil {
		return err
	}
	switch {
	case p.Status != "AUTHORISED":
		return sandbox.Refuse("payment %s is %s", p.PaymentID, p.Status)
	case p.BatchPaymentID != "":
		return sandbox.Refuse("payment %s is part of batch payment %s, which is deleted as a whole", p.PaymentID, p.BatchPaymentID)
	case p.IsReconciled:
		return sandbox.Refuse("payment %s is reconciled; unreconcile it before deleting it", p.PaymentID)
	}
	without := func(list []PaymentSummary) ([]PaymentSummary, bool) {
		i := slices.IndexFunc(list, func(s PaymentSummary) bool { return s.PaymentID == p.PaymentID })
		if i < 0 {
			return list, false
		}
		return slices.Delete(slices.Clone(list), i, i+1), true
	}
	var inv *Invoice
	var cn *CreditNote
	switch {
	case p.Invoice.InvoiceID != "":
		e, ok := o.Invoices.Get(p.Invoice.InvoiceID)
		if !ok {
			return sandbox.Refuse("payment %s pays invoice %s, which does not exist", p.PaymentID, p.Invoice.InvoiceID)
		}
		c := *e
		if c.Payments, ok = without(e.Payments); !ok {
			return sandbox.Refuse("invoice %s does not list payment %s", e.InvoiceNumber, p.PaymentID)
		}
		c.AmountPaid -= p.Amount
		c.settle(m.today)
		c.setUpdated(m.at)
		inv = &c
	case p.CreditNote.CreditNoteID != "":
		e, ok := o.CreditNotes.Get(p.CreditNote.CreditNoteID)
		if !ok {
			return sandbox.Refuse("payment %s refunds credit note %s, which does not exist", p.PaymentID, p.CreditNote.CreditNoteID)
		}
		c := *e
		if c.Payments, ok = without(e.Payments); !ok {
			return sandbox.Refuse("credit note %s does not list payment %s", e.CreditNoteNumber, p.PaymentID)
		}
		c.RemainingCredit += p.Amount
		if c.Status == "PAID" {
			c.Status, c.FullyPaidOnDate = "AUTHORISED", 0
		}
		c.setUpdated(m.at)
		cn = &c
	}
	e := *p
	e.Status = "DELETED"
	e.setUpdated(m.at)
	replace(o.Payments, &e)
	m.touch(OpDelete, "Payments", e.PaymentID, false)
	if inv != nil {
		replace(o.Invoices, inv)
		m.touch(OpUpdate, "Invoices", inv.InvoiceID, false)
		m.refresh = true
	}
	if cn != nil {
		replace(o.CreditNotes, cn)
		m.touch(OpUpdate, "CreditNotes", cn.CreditNoteID, false)
	}
	m.record, _ = o.Payments.Get(e.PaymentID)
	return m.reverse(e.PaymentID, e.Date)
}

// --- bank transactions and transfers ---------------------------------------

// bankTransactionFields are the fields create and update take.
type bankTransactionFields struct {
	Type            *string      `json:"Type,omitempty"`
	Contact         *ContactRef  `json:"Contact,omitempty"`
	BankAccount     *AccountRef  `json:"BankAccount,omitempty"`
	Date            *MSDate      `json:"Date,omitempty"`
	Reference       *string      `json:"Reference,omitempty"`
	LineAmountTypes *string      `json:"LineAmountTypes,omitempty"`
	LineItems       *[]lineInput `json:"LineItems,omitempty"`
}

// refKey is how a request names an account: by code or by id.
func refKey(r *AccountRef) string {
	if r == nil {
		return ""
	}
	if r.Code != "" {
		return r.Code
	}
	return r.AccountID
}

func createBankTransaction(m *mutation, req *ChangeRequest) error {
	var f bankTransactionFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	typ, err := oneOf("Type", deref(f.Type), "RECEIVE", "SPEND")
	if err != nil {
		return err
	}
	if f.BankAccount == nil {
		return sandbox.Refuse("BankAccount (Code or AccountID) is required")
	}
	bank, err := o.bankAccount(refKey(f.BankAccount))
	if err != nil {
		return err
	}
	var contact ContactRef
	if f.Contact != nil {
		if contact, err = o.activeContact(f.Contact); err != nil {
			return err
		}
	}
	lat, err := lineAmountTypes(f.LineAmountTypes, "Exclusive", false)
	if err != nil {
		return err
	}
	if f.LineItems == nil {
		return sandbox.Refuse("LineItems: at least one line is required")
	}
	lines, err := o.buildLines(*f.LineItems, nil, lat, typ == "RECEIVE")
	if err != nil {
		return err
	}
	date := dateArg(f.Date, m.today)
	bt := &BankTransaction{Type: typ, Contact: contact, BankAccount: refOfAccount(bank), DateString: dayString(date),
		Date: date, Reference: deref(f.Reference), CurrencyCode: o.Organisation.BaseCurrency, CurrencyRate: 1,
		Status: "AUTHORISED", LineAmountTypes: lat, LineItems: lines, UpdatedDateUTC: m.at}
	bt.SubTotal, bt.TotalTax, bt.Total = totals(lines, lat)
	if err := checkTotal(bt.Total); err != nil {
		return err
	}
	j, err := o.bankTransactionJournal(bt)
	if err != nil {
		return sandbox.Refuse("%v", err)
	}
	bt.BankTransactionID = o.NewID()
	j = sourced(j, bt.BankTransactionID)
	o.BankTransactions.Put(bt)
	m.touch(OpCreate, "BankTransactions", bt.BankTransactionID, false)
	m.record = bt
	return m.post(j)
}

// editableBankTransaction finds a spend or receive money transaction that
// is still authorised; the other types are the bank side of overpayments,
// prepayments and transfers, changed through those.
func editableBankTransaction(o *Org, id string) (*BankTransaction, error) {
	bt, err := getRecord(o.BankTransactions, "BankTransactions", id)
	if err != nil {
		return nil, err
	}
	switch {
	case bt.Type != "RECEIVE" && bt.Type != "SPEND":
		return nil, sandbox.Refuse("bank transaction %s is the %s side of another record; change that record instead", bt.BankTransactionID, bt.Type)
	case bt.Status != "AUTHORISED":
		return nil, sandbox.Refuse("bank transaction %s is %s and cannot be changed", bt.BankTransactionID, bt.Status)
	}
	return bt, nil
}

func (o *Org) mustBankTransaction(id string) *BankTransaction {
	bt, _ := o.BankTransactions.Get(id)
	return bt
}

func updateBankTransaction(m *mutation, req *ChangeRequest) error {
	var f bankTransactionFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	bt, err := editableBankTransaction(o, req.ID)
	if err != nil {
		return err
	}
	if f.Type != nil && *f.Type != bt.Type {
		return sandbox.Refuse("a bank transaction's Type cannot change")
	}
	e := *bt
	var lines bool
	if e.LineItems, e.LineAmountTypes, lines, err = o.docLines(f.LineItems, f.LineAmountTypes, bt.LineItems, bt.LineAmountTypes, bt.Type == "RECEIVE", false); err != nil {
		return err
	}
	amounts := lines || f.Date != nil || f.BankAccount != nil
	if amounts && bt.IsReconciled {
		return sandbox.Refuse("bank transaction %s is reconciled; its lines, date and bank account cannot change", bt.BankTransactionID)
	}
	if f.BankAccount != nil {
		bank, err := o.bankAccount(refKey(f.BankAccount))
		if err != nil {
			return err
		}
		e.BankAccount = refOfAccount(bank)
	}
	if f.Contact != nil {
		if e.Contact, err = o.activeContact(f.Contact); err != nil {
			return err
		}
	}
	e.Date = dateArg(f.Date, bt.Date)
	e.DateString = dayString(e.Date)
	if f.Reference != nil {
		e.Reference = *f.Reference
	}
	e.SubTotal, e.TotalTax, e.Total = totals(e.LineItems, e.LineAmountTypes)
	if err := checkTotal(e.Total); err != nil {
		return err
	}
	var j *Journal
	if amounts || f.LineAmountTypes != nil {
		if j, err = o.bankTransactionJournal(&e); err != nil {
			return sandbox.Refuse("%v", err)
		}
	}
	e.UpdatedDateUTC = m.at
	replace(o.BankTransactions, &e)
	m.touch(OpUpdate, "BankTransactions", e.BankTransactionID, false)
	m.record = o.mustBankTransaction(e.BankTransactionID)
	if j != nil {
		return m.repost(e.BankTransactionID, bt.Date, j)
	}
	return nil
}

func voidBankTransaction(m *mutation, req *ChangeRequest) error {
	return endBankTransaction(m, req, OpVoid, "VOIDED")
}

func deleteBankTransaction(m *mutation, req *ChangeRequest) error {
	return endBankTransaction(m, req, OpDelete, "DELETED")
}

// endBankTransaction voids or deletes a spend or receive money
// transaction: the reversing journal is the same either way.
func endBankTransaction(m *mutation, req *ChangeRequest, op, status string) error {
	bt, err := editableBankTransaction(m.o, req.ID)
	if err != nil {
		return err
	}
	if bt.IsReconciled {
		return sandbox.Refuse("bank transaction %s is reconciled; unreconcile it first", bt.BankTransactionID)
	}
	e := *bt
	e.Status, e.UpdatedDateUTC = status, m.at
	replace(m.o.BankTransactions, &e)
	m.touch(op, "BankTransactions", e.BankTransactionID, false)
	m.record = m.o.mustBankTransaction(e.BankTransactionID)
	return m.reverse(e.BankTransactionID, e.Date)
}

// bankTransferFields are the fields a transfer is created with.
type bankTransferFields struct {
	FromBankAccount *AccountRef `json:"FromBankAccount,omitempty"`
	ToBankAccount   *AccountRef `json:"ToBankAccount,omitempty"`
	Amount          *Money      `json:"Amount,omitempty"`
	Date            *MSDate     `json:"Date,omitempty"`
	Reference       *string     `json:"Reference,omitempty"`
}

// createBankTransfer moves money between two bank accounts: the transfer,
// the two bank-side transactions Xero shows for it, and its journal.
func createBankTransfer(m *mutation, req *ChangeRequest) error {
	var f bankTransferFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	if f.FromBankAccount == nil || f.ToBankAccount == nil {
		return sandbox.Refuse("FromBankAccount and ToBankAccount (Code or AccountID) are required")
	}
	from, err := o.bankAccount(refKey(f.FromBankAccount))
	if err != nil {
		return err
	}
	to, err := o.bankAccount(refKey(f.ToBankAccount))
	if err != nil {
		return err
	}
	if from == to {
		return sandbox.Refuse("a transfer needs two different bank accounts")
	}
	amount := deref(f.Amount)
	if amount <= 0 || amount > maxAmount {
		return sandbox.Refuse("Amount must be positive")
	}
	date := dateArg(f.Date, m.today)
	tr := &BankTransfer{CreatedDateUTC: m.at, DateString: dayString(date), Date: date, Status: "AUTHORISED",
		FromBankAccount: refOfAccount(from), ToBankAccount: refOfAccount(to), Amount: amount, CurrencyRate: 1,
		Reference: deref(f.Reference)}
	j, err := o.bankTransferJournal(tr)
	if err != nil {
		return sandbox.Refuse("%v", err)
	}
	tr.BankTransferID = o.NewID()
	j = sourced(j, tr.BankTransferID)
	out := o.bankSide(m, "SPEND-TRANSFER", from, to, date, amount, "Transfer to "+to.Name)
	in := o.bankSide(m, "RECEIVE-TRANSFER", to, from, date, amount, "Transfer from "+from.Name)
	tr.FromBankTransactionID, tr.ToBankTransactionID = out.BankTransactionID, in.BankTransactionID
	o.BankTransfers.Put(tr)
	m.touch(OpCreate, "BankTransfers", tr.BankTransferID, false)
	m.touch(OpCreate, "BankTransactions", out.BankTransactionID, false)
	m.touch(OpCreate, "BankTransactions", in.BankTransactionID, false)
	m.record = tr
	return m.post(j)
}

// bankSide files the bank transaction Xero shows for one side of a
// transfer; it posts nothing (the transfer does). The generator has its
// own, which draws reconciliation at random.
func (o *Org) bankSide(m *mutation, typ string, bank, other *Account, date MSDate, amount Money, desc string) *BankTransaction {
	bt := &BankTransaction{BankTransactionID: o.NewID(), Type: typ, BankAccount: refOfAccount(bank),
		DateString: dayString(date), Date: date, CurrencyCode: o.Organisation.BaseCurrency, CurrencyRate: 1,
		Status: "AUTHORISED", LineAmountTypes: "NoTax",
		LineItems: []LineItem{{LineItemID: o.NewID(), Description: desc, Quantity: 1, UnitAmount: amount,
			AccountCode: other.Code, AccountID: other.AccountID, TaxType: o.noTaxType(), LineAmount: amount}},
		SubTotal: amount, Total: amount, UpdatedDateUTC: m.at}
	o.BankTransactions.Put(bt)
	return bt
}

// deleteBankTransfer soft-deletes a transfer as Xero has since July 2026:
// Status DELETED, its bank sides deleted and its journal reversed. The
// transfer's only change field, CreatedDateUTC, does not move, so
// If-Modified-Since cannot see the delete: it is reported Silent.
func deleteBankTransfer(m *mutation, req *ChangeRequest) error {
	o := m.o
	tr, err := getRecord(o.BankTransfers, "BankTransfers", req.ID)
	if err != nil {
		return err
	}
	switch {
	case tr.Status != "AUTHORISED":
		return sandbox.Refuse("bank transfer %s is %s", tr.BankTransferID, tr.Status)
	case tr.FromIsReconciled || tr.ToIsReconciled:
		return sandbox.Refuse("bank transfer %s is reconciled; unreconcile it before deleting it", tr.BankTransferID)
	}
	o.BankTransfers.Update(tr.BankTransferID, func(r *BankTransfer) { r.Status = "DELETED" })
	m.touch(OpDelete, "BankTransfers", tr.BankTransferID, true)
	for _, id := range []string{tr.FromBankTransactionID, tr.ToBankTransactionID} {
		if o.BankTransactions.Update(id, func(r *BankTransaction) { r.Status, r.UpdatedDateUTC = "DELETED", m.at }) {
			m.touch(OpDelete, "BankTransactions", id, false)
		}
	}
	m.record = tr
	return m.reverse(tr.BankTransferID, tr.Date)
}

// --- manual journals ----------------------------------------------------------

// manualJournalFields are the fields a manual journal is created with.
type manualJournalFields struct {
	Narration              *string             `json:"Narration,omitempty"`
	Date                   *MSDate             `json:"Date,omitempty"`
	Status                 *string             `json:"Status,omitempty"`
	LineAmountTypes        *string             `json:"LineAmountTypes,omitempty"`
	ShowOnCashBasisReports *bool               `json:"ShowOnCashBasisReports,omitempty"`
	JournalLines           []manualJournalLine `json:"JournalLines,omitempty"`
}

// manualJournalLine is a manual journal line as create takes it:
// LineAmount positive for a debit, negative for a credit.
type manualJournalLine struct {
	LineAmount  Money         `json:"LineAmount"`
	AccountCode string        `json:"AccountCode,omitempty"`
	AccountID   string        `json:"AccountID,omitempty"`
	Description string        `json:"Description,omitempty"`
	Tracking    []TrackingRef `json:"Tracking,omitempty"`
}

// createManualJournal enters a journal by hand: POSTED (the default) posts
// it. Only untaxed journals are taken, as most are; the sandbox does not
// compute tax on manual journal lines.
func createManualJournal(m *mutation, req *ChangeRequest) error {
	var f manualJournalFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	narration := strings.TrimSpace(deref(f.Narration))
	if narration == "" {
		return sandbox.Refuse("Narration is required")
	}
	status := "POSTED"
	if f.Status != nil {
		var err error
		if status, err = oneOf("Status", *f.Status, "DRAFT", "POSTED"); err != nil {
			return err
		}
	}
	if lat, err := lineAmountTypes(f.LineAmountTypes, "NoTax", false); err != nil || lat != "NoTax" {
		return sandbox.Refuse("LineAmountTypes: the sandbox takes NoTax manual journals only")
	}
	if len(f.JournalLines) < 2 {
		return sandbox.Refuse("JournalLines: a journal needs at least two lines")
	}
	lines := make([]ManualJournalLine, len(f.JournalLines))
	var sum Money
	for i, l := range f.JournalLines {
		a, err := o.codingAccount(l.AccountCode, l.AccountID, i+1)
		if err != nil {
			return err
		}
		if l.LineAmount == 0 || l.LineAmount > maxAmount || l.LineAmount < -maxAmount {
			return sandbox.Refuse("line %d: LineAmount must not be zero", i+1)
		}
		tracking, err := o.trackingRefs(l.Tracking, i+1)
		if err != nil {
			return err
		}
		lines[i] = ManualJournalLine{LineAmount: l.LineAmount, AccountCode: a.Code, AccountID: a.AccountID,
			Description: l.Description, TaxType: o.noTaxType(), Tracking: tracking}
		sum += l.LineAmount
	}
	if sum != 0 {
		return sandbox.Refuse("JournalLines do not balance: debits and credits differ by %s", sum)
	}
	date := dateArg(f.Date, m.today)
	mj := &ManualJournal{Narration: narration, Date: date, Status: status, LineAmountTypes: "NoTax",
		ShowOnCashBasisReports: f.ShowOnCashBasisReports == nil || *f.ShowOnCashBasisReports, UpdatedDateUTC: m.at, JournalLines: lines}
	var j *Journal
	var err error
	if status == "POSTED" {
		if j, err = o.manualJournalJournal(mj); err != nil {
			return sandbox.Refuse("%v", err)
		}
	}
	mj.ManualJournalID = o.NewID()
	j = sourced(j, mj.ManualJournalID)
	o.ManualJournals.Put(mj)
	m.touch(OpCreate, "ManualJournals", mj.ManualJournalID, false)
	m.record = mj
	if j != nil {
		return m.post(j)
	}
	return nil
}

func voidManualJournal(m *mutation, req *ChangeRequest) error {
	mj, err := getRecord(m.o.ManualJournals, "ManualJournals", req.ID)
	if err != nil {
		return err
	}
	if mj.Status != "POSTED" {
		return sandbox.Refuse("manual journal %s is %s: only a posted journal can be voided", mj.ManualJournalID, mj.Status)
	}
	m.o.ManualJournals.Update(mj.ManualJournalID, func(r *ManualJournal) { r.Status, r.UpdatedDateUTC = "VOIDED", m.at })
	m.touch(OpVoid, "ManualJournals", mj.ManualJournalID, false)
	m.record = mj
	return m.reverse(mj.ManualJournalID, mj.Date)
}

func deleteManualJournal(m *mutation, req *ChangeRequest) error {
	mj, err := getRecord(m.o.ManualJournals, "ManualJournals", req.ID)
	if err != nil {
		return err
	}
	if mj.Status != "DRAFT" {
		return sandbox.Refuse("manual journal %s is %s: only a draft can be deleted (void a posted one)", mj.ManualJournalID, mj.Status)
	}
	m.o.ManualJournals.Update(mj.ManualJournalID, func(r *ManualJournal) { r.Status, r.UpdatedDateUTC = "DELETED", m.at })
	m.touch(OpDelete, "ManualJournals", mj.ManualJournalID, false)
	m.record = mj
	return nil
}

// --- items and accounts -------------------------------------------------------

// itemFields are the item fields create and update take.
type itemFields struct {
	Code                *string      `json:"Code,omitempty"`
	Name                *string      `json:"Name,omitempty"`
	Description         *string      `json:"Description,omitempty"`
	PurchaseDescription *string      `json:"PurchaseDescription,omitempty"`
	SalesDetails        *ItemDetails `json:"SalesDetails,omitempty"`
	PurchaseDetails     *ItemDetails `json:"PurchaseDetails,omitempty"`
}

// apply copies the given fields onto it, checking codes are unique and
// details name real accounts and tax rates.
func (f *itemFields) apply(o *Org, it *Item) error {
	if f.Code != nil {
		code := strings.TrimSpace(*f.Code)
		if code == "" || len(code) > 30 {
			return sandbox.Refuse("Code must be 1 to 30 characters")
		}
		if other := o.itemByCode(code); other != nil && other.ItemID != it.ItemID {
			return sandbox.Refuse("item code %s is already used by another item", code)
		}
		it.Code = code
	}
	if f.Name != nil {
		if strings.TrimSpace(*f.Name) == "" {
			return sandbox.Refuse("Name must not be empty")
		}
		it.Name = strings.TrimSpace(*f.Name)
	}
	if f.Description != nil {
		it.Description = *f.Description
	}
	if f.PurchaseDescription != nil {
		it.PurchaseDescription = *f.PurchaseDescription
	}
	for _, side := range []struct {
		in   *ItemDetails
		out  *ItemDetails
		used *bool
	}{{f.SalesDetails, &it.SalesDetails, &it.IsSold}, {f.PurchaseDetails, &it.PurchaseDetails, &it.IsPurchased}} {
		if side.in == nil {
			continue
		}
		d := *side.in
		if d.AccountCode != "" {
			a := o.accountByKey(d.AccountCode)
			if a == nil || a.Status != "ACTIVE" || a.Type == "BANK" {
				return sandbox.Refuse("item details: AccountCode %q is not an active account lines can be coded to", d.AccountCode)
			}
			d.AccountCode = a.Code
		}
		if d.TaxType != "" {
			if r, ok := o.TaxRates.Get(d.TaxType); !ok || r.Status != "ACTIVE" {
				return sandbox.Refuse("item details: TaxType %q is not an active tax rate", d.TaxType)
			}
		}
		if d.UnitPrice < 0 || d.UnitPrice > maxAmount {
			return sandbox.Refuse("item details: UnitPrice must not be negative")
		}
		*side.out, *side.used = d, d.AccountCode != ""
	}
	return nil
}

func createItem(m *mutation, req *ChangeRequest) error {
	var f itemFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	if f.Code == nil || f.Name == nil {
		return sandbox.Refuse("Code and Name are required")
	}
	it := &Item{}
	if err := f.apply(m.o, it); err != nil {
		return err
	}
	it.ItemID, it.UpdatedDateUTC = m.o.NewID(), m.at
	m.o.Items.Put(it)
	m.touch(OpCreate, "Items", it.ItemID, false)
	m.record = it
	return nil
}

func updateItem(m *mutation, req *ChangeRequest) error {
	var f itemFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	it, err := getRecord(m.o.Items, "Items", req.ID)
	if err != nil {
		return err
	}
	e := *it
	if err := f.apply(m.o, &e); err != nil {
		return err
	}
	e.UpdatedDateUTC = m.at
	replace(m.o.Items, &e)
	m.touch(OpUpdate, "Items", e.ItemID, false)
	m.record, _ = m.o.Items.Get(e.ItemID)
	return nil
}

// deleteItem removes an item outright: Items have no status, and the
// reference says deleted items disappear from the API (unverified: Xero
// does not document it). Lines that used its code keep the code.
func deleteItem(m *mutation, req *ChangeRequest) error {
	it, err := getRecord(m.o.Items, "Items", req.ID)
	if err != nil {
		return err
	}
	m.o.Items.Delete(it.ItemID)
	m.touch(OpDelete, "Items", it.ItemID, false)
	m.record = it
	return nil
}

// accountFields are the fields an account is created with.
type accountFields struct {
	Code              *string `json:"Code,omitempty"`
	Name              *string `json:"Name,omitempty"`
	Type              *string `json:"Type,omitempty"`
	Description       *string `json:"Description,omitempty"`
	TaxType           *string `json:"TaxType,omitempty"`
	BankAccountNumber *string `json:"BankAccountNumber,omitempty"`
}

// accountTypes are the account types the sandbox can create.
var accountTypes = []string{"BANK", "CURRENT", "CURRLIAB", "DEPRECIATN", "DIRECTCOSTS", "EQUITY", "EXPENSE", "FIXED",
	"INVENTORY", "LIABILITY", "NONCURRENT", "OTHERINCOME", "OVERHEADS", "PREPAYMENT", "REVENUE", "SALES", "TERMLIAB"}

func createAccount(m *mutation, req *ChangeRequest) error {
	var f accountFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	code, name := strings.TrimSpace(deref(f.Code)), strings.TrimSpace(deref(f.Name))
	switch {
	case code == "" || len(code) > 10:
		return sandbox.Refuse("Code must be 1 to 10 characters")
	case name == "" || len(name) > 150:
		return sandbox.Refuse("Name must be 1 to 150 characters")
	case o.byCode[code] != nil:
		return sandbox.Refuse("please enter a unique Code: %s is used by %s", code, o.byCode[code].Name)
	}
	for _, a := range o.Accounts.All() {
		if strings.EqualFold(a.Name, name) {
			return sandbox.Refuse("please enter a unique Name: %s is used by account %s", name, a.Code)
		}
	}
	typ, err := oneOf("Type", deref(f.Type), accountTypes...)
	if err != nil {
		return err
	}
	taxType := o.noTaxType()
	if f.TaxType != nil {
		if r, ok := o.TaxRates.Get(*f.TaxType); !ok || r.Status != "ACTIVE" {
			return sandbox.Refuse("TaxType %q is not an active tax rate", *f.TaxType)
		}
		taxType = *f.TaxType
	}
	a := &Account{Code: code, Name: name, Type: typ, Status: "ACTIVE", Description: deref(f.Description),
		TaxType: taxType, Class: accountClass(typ), UpdatedDateUTC: m.at}
	if typ == "BANK" {
		if a.BankAccountNumber = deref(f.BankAccountNumber); a.BankAccountNumber == "" {
			return sandbox.Refuse("BankAccountNumber is required for a bank account")
		}
		a.BankAccountType, a.CurrencyCode = "BANK", o.Organisation.BaseCurrency
	}
	a.AccountID = o.NewID()
	o.Accounts.Put(a)
	o.byCode[a.Code] = a
	m.touch(OpCreate, "Accounts", a.AccountID, false)
	m.record = a
	return nil
}

func archiveAccount(m *mutation, req *ChangeRequest) error {
	return setAccountStatus(m, req, OpArchive, "ACTIVE", "ARCHIVED")
}

func restoreAccount(m *mutation, req *ChangeRequest) error {
	return setAccountStatus(m, req, OpRestore, "ARCHIVED", "ACTIVE")
}

func setAccountStatus(m *mutation, req *ChangeRequest, op, from, to string) error {
	a, err := getRecord(m.o.Accounts, "Accounts", req.ID)
	if err != nil {
		return err
	}
	switch {
	case a.Status != from:
		return sandbox.Refuse("account %s is %s, not %s", a.Code, a.Status, from)
	case a.SystemAccount != "":
		return sandbox.Refuse("account %s is a system account (%s) and cannot be archived", a.Code, a.SystemAccount)
	}
	m.o.Accounts.Update(a.AccountID, func(r *Account) { r.Status, r.UpdatedDateUTC = to, m.at })
	m.touch(op, "Accounts", a.AccountID, false)
	m.record = a
	return nil
}

// --- purchase orders and quotes -----------------------------------------------

// purchaseOrderFields are the purchase order fields create and update take.
type purchaseOrderFields struct {
	PurchaseOrderNumber *string      `json:"PurchaseOrderNumber,omitempty"`
	Contact             *ContactRef  `json:"Contact,omitempty"`
	Date                *MSDate      `json:"Date,omitempty"`
	DeliveryDate        *MSDate      `json:"DeliveryDate,omitempty"`
	Reference           *string      `json:"Reference,omitempty"`
	AttentionTo         *string      `json:"AttentionTo,omitempty"`
	Status              *string      `json:"Status,omitempty"`
	LineAmountTypes     *string      `json:"LineAmountTypes,omitempty"`
	SentToContact       *bool        `json:"SentToContact,omitempty"`
	LineItems           *[]lineInput `json:"LineItems,omitempty"`
}

// purchaseOrderSteps are the status changes an update may make.
var purchaseOrderSteps = map[string][]string{
	"DRAFT":      {"SUBMITTED", "AUTHORISED"},
	"SUBMITTED":  {"DRAFT", "AUTHORISED"},
	"AUTHORISED": {"BILLED"},
}

func createPurchaseOrder(m *mutation, req *ChangeRequest) error {
	var f purchaseOrderFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	contact, err := o.activeContact(f.Contact)
	if err != nil {
		return err
	}
	status := "DRAFT"
	if f.Status != nil {
		if status, err = oneOf("Status", *f.Status, "DRAFT", "SUBMITTED", "AUTHORISED"); err != nil {
			return err
		}
	}
	lat, err := lineAmountTypes(f.LineAmountTypes, "Exclusive", false)
	if err != nil {
		return err
	}
	if f.LineItems == nil {
		return sandbox.Refuse("LineItems: at least one line is required")
	}
	lines, err := o.buildLines(*f.LineItems, nil, lat, false)
	if err != nil {
		return err
	}
	date := dateArg(f.Date, m.today)
	po := &PurchaseOrder{Reference: deref(f.Reference), Contact: contact, DateString: dayString(date), Date: date,
		AttentionTo: deref(f.AttentionTo), Status: status, LineAmountTypes: lat, LineItems: lines,
		CurrencyCode: o.Organisation.BaseCurrency, CurrencyRate: 1, SentToContact: deref(f.SentToContact), UpdatedDateUTC: m.at}
	if f.DeliveryDate != nil {
		po.DeliveryDate = dateArg(f.DeliveryDate, 0)
		po.DeliveryDateString = dayString(po.DeliveryDate)
	}
	po.SubTotal, po.TotalTax, po.Total = totals(lines, lat)
	if err := checkTotal(po.Total); err != nil {
		return err
	}
	po.PurchaseOrderID, po.PurchaseOrderNumber = o.NewID(), o.NextNumber("PO")
	if f.PurchaseOrderNumber != nil && *f.PurchaseOrderNumber != "" {
		po.PurchaseOrderNumber = *f.PurchaseOrderNumber
	}
	o.PurchaseOrders.Put(po)
	m.touch(OpCreate, "PurchaseOrders", po.PurchaseOrderID, false)
	m.record = po
	return nil
}

func updatePurchaseOrder(m *mutation, req *ChangeRequest) error {
	var f purchaseOrderFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	po, err := getRecord(o.PurchaseOrders, "PurchaseOrders", req.ID)
	if err != nil {
		return err
	}
	if po.Status == "BILLED" || po.Status == "DELETED" {
		return sandbox.Refuse("purchase order %s is %s and cannot be edited", po.PurchaseOrderNumber, po.Status)
	}
	e := *po
	if e.Status, err = statusStep("PurchaseOrders", po.Status, f.Status, purchaseOrderSteps); err != nil {
		return err
	}
	if e.LineItems, e.LineAmountTypes, _, err = o.docLines(f.LineItems, f.LineAmountTypes, po.LineItems, po.LineAmountTypes, false, false); err != nil {
		return err
	}
	if f.Contact != nil {
		if e.Contact, err = o.activeContact(f.Contact); err != nil {
			return err
		}
	}
	e.Date = dateArg(f.Date, po.Date)
	e.DateString = dayString(e.Date)
	if f.DeliveryDate != nil {
		e.DeliveryDate = dateArg(f.DeliveryDate, 0)
		e.DeliveryDateString = dayString(e.DeliveryDate)
	}
	setString(&e.Reference, f.Reference)
	setString(&e.AttentionTo, f.AttentionTo)
	if f.PurchaseOrderNumber != nil && *f.PurchaseOrderNumber != "" {
		e.PurchaseOrderNumber = *f.PurchaseOrderNumber
	}
	if f.SentToContact != nil {
		e.SentToContact = *f.SentToContact
	}
	e.SubTotal, e.TotalTax, e.Total = totals(e.LineItems, e.LineAmountTypes)
	if err := checkTotal(e.Total); err != nil {
		return err
	}
	e.UpdatedDateUTC = m.at
	replace(o.PurchaseOrders, &e)
	m.touch(OpUpdate, "PurchaseOrders", e.PurchaseOrderID, false)
	m.record, _ = o.PurchaseOrders.Get(e.PurchaseOrderID)
	return nil
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func deletePurchaseOrder(m *mutation, req *ChangeRequest) error {
	po, err := getRecord(m.o.PurchaseOrders, "PurchaseOrders", req.ID)
	if err != nil {
		return err
	}
	if po.Status == "BILLED" || po.Status == "DELETED" {
		return sandbox.Refuse("purchase order %s is %s and cannot be deleted", po.PurchaseOrderNumber, po.Status)
	}
	m.o.PurchaseOrders.Update(po.PurchaseOrderID, func(r *PurchaseOrder) { r.Status, r.UpdatedDateUTC = "DELETED", m.at })
	m.touch(OpDelete, "PurchaseOrders", po.PurchaseOrderID, false)
	m.record = po
	return nil
}

// quoteFields are the quote fields create and update take.
type quoteFields struct {
	QuoteNumber     *string      `json:"QuoteNumber,omitempty"`
	Contact         *ContactRef  `json:"Contact,omitempty"`
	Date            *MSDate      `json:"Date,omitempty"`
	ExpiryDate      *MSDate      `json:"ExpiryDate,omitempty"`
	Reference       *string      `json:"Reference,omitempty"`
	Title           *string      `json:"Title,omitempty"`
	Summary         *string      `json:"Summary,omitempty"`
	Terms           *string      `json:"Terms,omitempty"`
	Status          *string      `json:"Status,omitempty"`
	LineAmountTypes *string      `json:"LineAmountTypes,omitempty"`
	LineItems       *[]lineInput `json:"LineItems,omitempty"`
}

// quoteSteps are the status changes an update may make to a quote.
var quoteSteps = map[string][]string{
	"DRAFT":    {"SENT"},
	"SENT":     {"DRAFT", "ACCEPTED", "DECLINED"},
	"ACCEPTED": {"SENT", "INVOICED"},
	"DECLINED": {"SENT"},
}

func createQuote(m *mutation, req *ChangeRequest) error {
	var f quoteFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	contact, err := o.activeContact(f.Contact)
	if err != nil {
		return err
	}
	status := "DRAFT"
	if f.Status != nil {
		if status, err = oneOf("Status", *f.Status, "DRAFT", "SENT"); err != nil {
			return err
		}
	}
	lat, err := lineAmountTypes(f.LineAmountTypes, "EXCLUSIVE", true)
	if err != nil {
		return err
	}
	if f.LineItems == nil {
		return sandbox.Refuse("LineItems: at least one line is required")
	}
	lines, err := o.buildLines(*f.LineItems, nil, lat, true)
	if err != nil {
		return err
	}
	date := dateArg(f.Date, m.today)
	expiry := dateArg(f.ExpiryDate, date+30*dayMs)
	if expiry < date {
		return sandbox.Refuse("ExpiryDate is before Date")
	}
	q := &Quote{Reference: deref(f.Reference), Terms: deref(f.Terms), Contact: contact, LineItems: lines, Date: date,
		DateString: dayString(date), ExpiryDate: expiry, ExpiryDateString: dayString(expiry), Status: status,
		CurrencyCode: o.Organisation.BaseCurrency, CurrencyRate: 1, Title: deref(f.Title), Summary: deref(f.Summary),
		UpdatedDateUTC: m.at, LineAmountTypes: lat}
	q.SubTotal, q.TotalTax, q.Total = totals(lines, lat)
	if err := checkTotal(q.Total); err != nil {
		return err
	}
	q.QuoteID, q.QuoteNumber = o.NewID(), o.NextNumber("QU")
	if f.QuoteNumber != nil && *f.QuoteNumber != "" {
		q.QuoteNumber = *f.QuoteNumber
	}
	o.Quotes.Put(q)
	m.touch(OpCreate, "Quotes", q.QuoteID, false)
	m.record = q
	return nil
}

func updateQuote(m *mutation, req *ChangeRequest) error {
	var f quoteFields
	if err := decodeFields(req.Record, &f); err != nil {
		return err
	}
	o := m.o
	q, err := getRecord(o.Quotes, "Quotes", req.ID)
	if err != nil {
		return err
	}
	if q.Status == "INVOICED" || q.Status == "DELETED" {
		return sandbox.Refuse("quote %s is %s and cannot be edited", q.QuoteNumber, q.Status)
	}
	e := *q
	if e.Status, err = statusStep("Quotes", q.Status, f.Status, quoteSteps); err != nil {
		return err
	}
	if e.LineItems, e.LineAmountTypes, _, err = o.docLines(f.LineItems, f.LineAmountTypes, q.LineItems, q.LineAmountTypes, true, true); err != nil {
		return err
	}
	if f.Contact != nil {
		if e.Contact, err = o.activeContact(f.Contact); err != nil {
			return err
		}
	}
	e.Date, e.ExpiryDate = dateArg(f.Date, q.Date), dateArg(f.ExpiryDate, q.ExpiryDate)
	if e.ExpiryDate != 0 && e.ExpiryDate < e.Date {
		return sandbox.Refuse("ExpiryDate is before Date")
	}
	e.DateString = dayString(e.Date)
	if e.ExpiryDate != 0 {
		e.ExpiryDateString = dayString(e.ExpiryDate)
	}
	setString(&e.Reference, f.Reference)
	setString(&e.Title, f.Title)
	setString(&e.Summary, f.Summary)
	setString(&e.Terms, f.Terms)
	if f.QuoteNumber != nil && *f.QuoteNumber != "" {
		e.QuoteNumber = *f.QuoteNumber
	}
	e.SubTotal, e.TotalTax, e.Total = totals(e.LineItems, e.LineAmountTypes)
	if err := checkTotal(e.Total); err != nil {
		return err
	}
	e.UpdatedDateUTC = m.at
	replace(o.Quotes, &e)
	m.touch(OpUpdate, "Quotes", e.QuoteID, false)
	m.record, _ = o.Quotes.Get(e.QuoteID)
	return nil
}

func deleteQuote(m *mutation, req *ChangeRequest) error {
	q, err := getRecord(m.o.Quotes, "Quotes", req.ID)
	if err != nil {
		return err
	}
	if q.Status == "INVOICED" || q.Status == "DELETED" {
		return sandbox.Refuse("quote %s is %s and cannot be deleted", q.QuoteNumber, q.Status)
	}
	m.o.Quotes.Update(q.QuoteID, func(r *Quote) { r.Status, r.UpdatedDateUTC = "DELETED", m.at })
	m.touch(OpDelete, "Quotes", q.QuoteID, false)
	m.record = q
	return nil
}
