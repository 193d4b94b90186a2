package xero

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// World is everything the sandbox serves: organisations and the people who
// can sign in to them.
type World struct {
	Orgs  []*Org
	Users []*User
}

// Org returns the organisation with the given tenant id, or nil.
func (w *World) Org(id string) *Org {
	for _, o := range w.Orgs {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// User is a person who can sign in to the sandbox and consent.
type User struct {
	ID     string
	Email  string
	Name   string
	OrgIDs []string
}

// Org is one organisation (tenant) and its data. Every field below mu is
// guarded by it: readers hold mu.RLock, writers (the admin API) mu.Lock,
// and the ledger methods expect the caller to hold it.
type Org struct {
	mu   sync.RWMutex
	ID   string // the tenant id, equal to Organisation.OrganisationID
	Name string

	Organisation       *Organisation
	Accounts           *Collection[*Account]
	Contacts           *Collection[*Contact]
	ContactGroups      *Collection[*ContactGroup]
	Invoices           *Collection[*Invoice]
	CreditNotes        *Collection[*CreditNote]
	Payments           *Collection[*Payment]
	Overpayments       *Collection[*Overpayment]
	Prepayments        *Collection[*Prepayment]
	BankTransactions   *Collection[*BankTransaction]
	BankTransfers      *Collection[*BankTransfer]
	ManualJournals     *Collection[*ManualJournal]
	Journals           *Collection[*Journal]
	Items              *Collection[*Item]
	TaxRates           *Collection[*TaxRate]
	TrackingCategories *Collection[*TrackingCategory]
	Currencies         *Collection[*Currency]
	Users              *Collection[*OrgUser]
	PurchaseOrders     *Collection[*PurchaseOrder]
	Quotes             *Collection[*Quote]
	BatchPayments      *Collection[*BatchPayment]
	// Attachments holds attachment metadata by parent record id (an
	// InvoiceID, ContactID, ...); the parent has HasAttachments set.
	Attachments map[string][]*Attachment

	ledger  ledger
	ids     *idGen
	byCode  map[string]*Account // chart by Code, for building journal lines
	sysAcct systemAccounts
	numbers map[string]int // last document number issued, by kind (NextNumber)
}

// systemAccounts are the accounts the ledger posts to by role.
type systemAccounts struct {
	receivable, payable, tax *Account
}

// NewID returns a fresh record id from the organisation's seeded sequence,
// so records the admin API creates are as reproducible as generated ones.
// The caller holds o.mu.
func (o *Org) NewID() string { return o.ids.next() }

// AccountByCode returns the account with the given code, or nil.
// The caller holds o.mu.
func (o *Org) AccountByCode(code string) *Account { return o.byCode[code] }

// NextNumber issues the next document number of a kind, the number's
// prefix: "INV" (sales invoices), "BILL", "CN", "PO" or "QU", as
// "INV-0042". The generator issues them in date order; records the admin
// API creates continue each sequence. The caller holds o.mu.
func (o *Org) NextNumber(kind string) string {
	if o.numbers == nil {
		o.numbers = make(map[string]int)
	}
	o.numbers[kind]++
	return docNumber(kind, o.numbers[kind])
}

func docNumber(prefix string, n int) string {
	s := strconv.Itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return prefix + "-" + s
}

// RecordCount returns the number of records the organisation holds across
// every endpoint, journals included.
func (o *Org) RecordCount() int {
	return 1 + o.Accounts.Len() + o.Contacts.Len() + o.ContactGroups.Len() + o.Invoices.Len() +
		o.CreditNotes.Len() + o.Payments.Len() + o.Overpayments.Len() + o.Prepayments.Len() +
		o.BankTransactions.Len() + o.BankTransfers.Len() + o.ManualJournals.Len() + o.Journals.Len() +
		o.Items.Len() + o.TaxRates.Len() + o.TrackingCategories.Len() + o.Currencies.Len() +
		o.Users.Len() + o.PurchaseOrders.Len() + o.Quotes.Len() + o.BatchPayments.Len()
}

// sizeSpec is how much history one organisation gets: counts of the
// records generated directly; payments, batch payments, bank-side records
// and journals follow from them. The demo size gives about 3,000 records
// in all, small 20,000, medium 100,000 and large over 1,000,000.
type sizeSpec struct {
	Contacts         int
	Items            int
	Invoices         int // sales invoices (ACCREC)
	Bills            int // bills (ACCPAY)
	CreditNotes      int
	Overpayments     int
	Prepayments      int
	BankTransactions int
	BankTransfers    int
	ManualJournals   int // besides the monthly depreciation journals
	PurchaseOrders   int
	Quotes           int
}

var sizes = map[string]sizeSpec{
	"demo": {Contacts: 100, Items: 25, Invoices: 300, Bills: 200, CreditNotes: 20,
		Overpayments: 6, Prepayments: 6, BankTransactions: 200, BankTransfers: 15,
		ManualJournals: 10, PurchaseOrders: 40, Quotes: 40},
	"small": {Contacts: 600, Items: 80, Invoices: 2200, Bills: 1400, CreditNotes: 140,
		Overpayments: 40, Prepayments: 40, BankTransactions: 1400, BankTransfers: 100,
		ManualJournals: 60, PurchaseOrders: 250, Quotes: 250},
	"medium": {Contacts: 2500, Items: 200, Invoices: 11500, Bills: 7500, CreditNotes: 700,
		Overpayments: 150, Prepayments: 150, BankTransactions: 7500, BankTransfers: 500,
		ManualJournals: 250, PurchaseOrders: 1200, Quotes: 1200},
	"large": {Contacts: 20000, Items: 500, Invoices: 130000, Bills: 85000, CreditNotes: 7000,
		Overpayments: 1500, Prepayments: 1500, BankTransactions: 85000, BankTransfers: 5000,
		ManualJournals: 2500, PurchaseOrders: 12000, Quotes: 12000},
}

// orgSize is the size of the organisation at index i. Only the first
// organisation is large: the others of a large sandbox are medium, so a
// multi-organisation sandbox still starts in under a minute.
func orgSize(size string, i int) sizeSpec {
	if size == "large" && i > 0 {
		size = "medium"
	}
	return sizes[size]
}

// Generate builds the sandbox's organisations from cfg.Seed, with history
// ending at start. The same (cfg, start) always gives identical data.
// Organisations are generated in parallel, each from its own random stream.
func Generate(cfg Config, start time.Time) (*World, error) {
	if _, ok := sizes[cfg.Size]; !ok {
		return nil, fmt.Errorf("xero sandbox: generate: unknown size %q", cfg.Size)
	}
	if cfg.Orgs < 1 {
		return nil, fmt.Errorf("xero sandbox: generate: need at least one organisation, got %d", cfg.Orgs)
	}
	start = start.UTC()
	w := &World{Orgs: make([]*Org, cfg.Orgs)}
	errs := make([]error, cfg.Orgs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range cfg.Orgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			w.Orgs[i], errs[i] = generateOrg(cfg.Seed, i, orgSize(cfg.Size, i), start)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("xero sandbox: generate organisation %d: %w", i+1, err)
		}
	}
	w.Users = signInUsers(cfg.Seed, w.Orgs)
	for _, o := range w.Orgs {
		addSignInUsers(o, w.Users)
	}
	return w, nil
}

// signInUsers returns the two people who can sign in: the first reaches
// every organisation (so consent shows the organisation picker), the
// second only the first.
func signInUsers(seed int64, orgs []*Org) []*User {
	ids := newIDGen(rand.NewPCG(uint64(seed), 0x5167_6e49_6e55_7372))
	all := make([]string, len(orgs))
	for i, o := range orgs {
		all[i] = o.ID
	}
	return []*User{
		{ID: ids.next(), Email: "sam.carter@example.com", Name: "Sam Carter", OrgIDs: all},
		{ID: ids.next(), Email: "jo.rivera@example.com", Name: "Jo Rivera", OrgIDs: []string{orgs[0].ID}},
	}
}

// addSignInUsers lists the sign-in people among the users of the
// organisations they can reach, as Xero lists every user of an org.
func addSignInUsers(o *Org, people []*User) {
	users := append([]*OrgUser(nil), o.Users.All()...)
	for i, p := range people {
		reach := false
		for _, id := range p.OrgIDs {
			reach = reach || id == o.ID
		}
		if !reach {
			continue
		}
		first, last := splitName(p.Name)
		role := "STANDARD"
		if i == 0 {
			role = "FINANCIALADVISER"
		}
		created := o.Organisation.CreatedDateUTC + MSDate(int64(i+1)*3_600_000)
		users = append(users, &OrgUser{UserID: o.ids.next(), EmailAddress: p.Email, FirstName: first,
			LastName: last, UpdatedDateUTC: created, IsSubscriber: i == 0, OrganisationRole: role})
	}
	o.Users.Load(users)
}

func splitName(name string) (first, last string) {
	for i := range len(name) {
		if name[i] == ' ' {
			return name[:i], name[i+1:]
		}
	}
	return name, ""
}
