package xero

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// The generator builds one organisation's books from a seed: a chart of
// accounts, tax rates, tracking, items, contacts and 24 months of
// documents that settle one another, with the journals they post.
//
// Everything is drawn from one PCG stream per organisation (ids from a
// second one), in a fixed order, so the same (seed, index, size, start)
// gives byte-identical data. Records are built straight into slices and
// each collection is loaded once at the end; strings that repeat (names,
// codes, dates) are shared rather than copied, and ids are cut from
// shared blocks, so a large organisation stays within a few GB.

const dayMs = MSDate(24 * time.Hour / time.Millisecond)

// idGen issues reproducible version-4 UUIDs. It formats them in blocks and
// hands out substrings, which costs one allocation per block, not per id.
type idGen struct {
	src   *rand.PCG
	block string
	off   int
}

func newIDGen(src *rand.PCG) *idGen { return &idGen{src: src} }

func (g *idGen) next() string {
	if g.off == len(g.block) {
		g.refill()
	}
	id := g.block[g.off : g.off+36]
	g.off += 36
	return id
}

func (g *idGen) refill() {
	const perBlock = 512
	buf := make([]byte, 0, perBlock*36)
	for range perBlock {
		var b [16]byte
		binary.LittleEndian.PutUint64(b[:8], g.src.Uint64())
		binary.LittleEndian.PutUint64(b[8:], g.src.Uint64())
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		const hex = "0123456789abcdef"
		for i, v := range b {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				buf = append(buf, '-')
			}
			buf = append(buf, hex[v>>4], hex[v&0x0f])
		}
	}
	g.block, g.off = string(buf), 0
}

// genContact is a contact with what the generator needs to use it.
type genContact struct {
	c        *Contact
	created  MSDate
	terms    int          // payment terms in days
	currency currencySpec // the contact's trading currency
}

// generator holds one organisation's generation state.
type generator struct {
	o     *Org
	rng   *rand.Rand
	size  sizeSpec
	prof  *orgProfile
	index int

	start     time.Time
	startDay  MSDate // midnight of start: every generated event is before it
	histStart MSDate // first day of history, 24 months before start
	days      int64

	dayStrings map[MSDate]string
	base       currencySpec

	// chart and settings
	banks        []*Account // active bank accounts; banks[0] is the main one
	card         *Account   // credit card (a bank account)
	sales        []*Account // revenue accounts for sales lines
	expenses     []*Account // overhead accounts for purchase lines
	otherIncome  *Account
	depreciation *Account
	accumDep     *Account
	equityIn     *Account
	drawings     *Account
	loan         *Account
	wages        *Account
	payeLiab     *Account
	taxRates     map[string]*TaxRate
	names        map[string]bool // contact names in use: Xero keeps them unique
	trackNew     [][]TrackingRef // combinations of active options
	trackOld     [][]TrackingRef // ... including the option archived halfway through history
	trackSwitch  MSDate          // when the archived option stopped being used
	itemsSold    []*Item
	itemsBought  []*Item
	customers    []genContact // ordered by creation
	suppliers    []genContact
	contactCount int

	// records
	accounts       []*Account
	contacts       []*Contact
	invoices       []*Invoice
	creditNotes    []*CreditNote
	payments       []*Payment
	overpayments   []*Overpayment
	prepayments    []*Prepayment
	bankTxns       []*BankTransaction
	transfers      []*BankTransfer
	manualJournals []*ManualJournal
	purchaseOrders []*PurchaseOrder
	quotes         []*Quote
	batches        []*BatchPayment
	openBatches    map[batchKey]*BatchPayment
	pending        []*Journal // journals to file, CreatedDateUTC holding when they happen
}

type batchKey struct {
	day  MSDate
	bank string
	typ  string
}

// generateOrg builds organisation number index (0-based).
func generateOrg(seed int64, index int, size sizeSpec, start time.Time) (*Org, error) {
	g := &generator{
		rng:         rand.New(rand.NewPCG(uint64(seed), 0x6f72_6700+uint64(index)*2)),
		size:        size,
		prof:        &profiles[index%len(profiles)],
		index:       index,
		start:       start,
		startDay:    DayOf(start),
		dayStrings:  make(map[MSDate]string, 800),
		names:       make(map[string]bool),
		openBatches: make(map[batchKey]*BatchPayment),
	}
	g.histStart = DayOf(start.AddDate(0, -24, 0))
	g.days = int64((g.startDay - g.histStart) / dayMs)
	g.base = currencySpec{code: g.prof.currency, description: g.prof.currencyName, rate: 1}
	g.o = &Org{
		ids:         newIDGen(rand.NewPCG(uint64(seed), 0x6964_7300+uint64(index)*2+1)),
		Attachments: make(map[string][]*Attachment),
		byCode:      make(map[string]*Account),
	}
	g.organisation()
	g.chart()
	g.taxRatesAndSettings()
	g.trackingCategories()
	g.items()
	g.contactsAndGroups()
	g.salesAndBills()
	g.bankTransactions()
	g.bankTransfers()
	g.manualJournalsGen()
	g.purchaseOrdersGen()
	g.quotesGen()
	g.attachments()
	g.fileJournals()
	g.load()
	return g.o, nil
}

// --- time and randomness -------------------------------------------------

// dayAt returns the day a fraction f ∈ [0,1) of the way through history.
func (g *generator) dayAt(f float64) MSDate {
	d := int64(f * float64(g.days))
	d = min(max(d, 0), g.days-1)
	return g.histStart + MSDate(d)*dayMs
}

// randomDay draws a day of history, more of them recent, as a growing
// business has.
func (g *generator) randomDay() MSDate { return g.dayAt(math.Pow(g.rng.Float64(), 0.8)) }

// sortedDays draws n days of history in ascending order, so documents
// numbered in that order are numbered by date, as in a real ledger.
func (g *generator) sortedDays(n int) []MSDate {
	days := make([]MSDate, n)
	for i := range days {
		days[i] = g.randomDay()
	}
	slices.Sort(days)
	return days
}

// instant is a moment during business hours of day.
func (g *generator) instant(day MSDate) MSDate {
	return day + MSDate(7*3_600_000+g.rng.Int64N(11*3_600_000))
}

// later is a moment 1..maxDays days after the instant at, or 0 if that
// falls on or after the start day (the event has not happened yet).
func (g *generator) later(at MSDate, minDays, maxDays int) MSDate {
	d := DayOf(at.Time()) + MSDate(minDays+g.rng.IntN(maxDays-minDays+1))*dayMs
	if d >= g.startDay {
		return 0
	}
	return g.instant(d)
}

func (g *generator) happened(day MSDate) bool { return day < g.startDay }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// amount draws an amount in cents between lo and hi, log-uniformly, so
// small amounts are common and large ones rare.
func (g *generator) amount(lo, hi Money) Money {
	l, h := math.Log(float64(lo)), math.Log(float64(hi))
	return Money(math.Exp(l + g.rng.Float64()*(h-l)))
}

// quantity draws a line quantity: mostly whole, sometimes in quarters.
func (g *generator) quantity() float64 {
	if g.chance(0.75) {
		return float64(1 + g.rng.IntN(8))
	}
	return float64(1+g.rng.IntN(24)) / 4
}

func (g *generator) dayString(d MSDate) string {
	s, ok := g.dayStrings[d]
	if !ok {
		s = dayString(d)
		g.dayStrings[d] = s
	}
	return s
}

// rateOn returns a currency's rate on a day: its base rate drifting a few
// per cent over the year, rounded to six places as Xero sends rates.
func rateOn(c currencySpec, day MSDate) float64 {
	if c.rate == 1 {
		return 1
	}
	drift := 1 + 0.04*math.Sin(float64(day/dayMs)/58)
	return math.Round(c.rate*drift*1e6) / 1e6
}

// roundDiv divides a by b rounding half away from zero.
func roundDiv(a, b int64) int64 {
	if (a < 0) != (b < 0) {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// --- organisation, chart, settings --------------------------------------

func (g *generator) organisation() {
	p := g.prof
	name := orgNames[g.index%len(orgNames)]
	if g.index >= len(orgNames) {
		name += " " + strconv.Itoa(g.index/len(orgNames)+1)
	}
	created := g.instant(g.histStart - 45*dayMs)
	city := p.cities[0]
	id := g.o.ids.next()
	g.o.ID, g.o.Name = id, name+" "+p.suffix
	fyEnd := time.Date(g.start.Year()-1, time.Month(p.fyeMonth), p.fyeDay, 0, 0, 0, 0, time.UTC)
	if fyEnd.After(g.start.AddDate(0, -3, 0)) {
		fyEnd = fyEnd.AddDate(-1, 0, 0)
	}
	g.o.Organisation = &Organisation{
		OrganisationID: id, Name: g.o.Name, LegalName: g.o.Name, PaysTax: true, Version: p.version,
		OrganisationType: "COMPANY", BaseCurrency: p.currency, CountryCode: p.country, IsDemoCompany: false,
		OrganisationStatus: "ACTIVE", RegistrationNumber: strconv.Itoa(1_000_000 + g.rng.IntN(8_999_999)),
		TaxNumber:           strconv.Itoa(10_000_000+g.rng.IntN(89_999_999)) + "-" + strconv.Itoa(g.rng.IntN(9)),
		FinancialYearEndDay: p.fyeDay, FinancialYearEndMonth: p.fyeMonth,
		SalesTaxBasis: p.salesTaxBasis, SalesTaxPeriod: p.salesTaxPeriod,
		DefaultSalesTax: "Tax Exclusive", DefaultPurchasesTax: "Tax Inclusive",
		PeriodLockDate: DayOf(fyEnd), CreatedDateUTC: created, OrganisationEntityType: "COMPANY",
		Timezone: p.timezone, ShortCode: "!" + shortCode(g.rng), Edition: "BUSINESS", Class: "PREMIUM",
		LineOfBusiness: "Wholesale and retail trade",
		Addresses: []Address{
			{AddressType: "STREET", AddressLine1: "12 " + streets[g.index%len(streets)], City: city.city,
				Region: city.region, PostalCode: city.postcode, Country: p.countryName},
			{AddressType: "POBOX", AddressLine1: "PO Box " + strconv.Itoa(100+g.rng.IntN(9000)), City: city.city,
				Region: city.region, PostalCode: city.postcode, Country: p.countryName},
		},
		Phones:        []Phone{{PhoneType: "OFFICE", PhoneNumber: strconv.Itoa(3_000_000 + g.rng.IntN(6_999_999)), PhoneAreaCode: "9", PhoneCountryCode: p.phoneCountry}},
		ExternalLinks: []ExternalLink{{LinkType: "Website", Url: "https://www.example.com/" + strconv.Itoa(g.index+1)}},
		PaymentTerms: &PaymentTerms{Bills: PaymentTerm{Day: 20, Type: "OFFOLLOWINGMONTH"},
			Sales: PaymentTerm{Day: 20, Type: "OFFOLLOWINGMONTH"}},
	}
}

func shortCode(rng *rand.Rand) string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 5)
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

// chartSpec is one account of the standard chart.
type chartSpec struct {
	code, name, typ string
	tax             byte // 's' sales tax, 'p' purchase tax, 'n' none
	system, bank    string
	archived        bool
}

func (g *generator) chartSpecs() []chartSpec {
	return []chartSpec{
		{code: "090", name: "Business Bank Account", typ: "BANK", tax: 'n', bank: "BANK"},
		{code: "091", name: "Business Savings Account", typ: "BANK", tax: 'n', bank: "BANK"},
		{code: "092", name: "Old Cheque Account", typ: "BANK", tax: 'n', bank: "BANK", archived: true},
		{code: "093", name: "Business Credit Card", typ: "BANK", tax: 'n', bank: "CREDITCARD"},
		{code: "200", name: "Sales", typ: "REVENUE", tax: 's'},
		{code: "210", name: "Service Income", typ: "REVENUE", tax: 's'},
		{code: "260", name: "Other Revenue", typ: "REVENUE", tax: 's'},
		{code: "270", name: "Interest Income", typ: "REVENUE", tax: 'n'},
		{code: "290", name: "Consulting Income (old)", typ: "REVENUE", tax: 's', archived: true},
		{code: "300", name: "Purchases", typ: "DIRECTCOSTS", tax: 'p'},
		{code: "310", name: "Cost of Goods Sold", typ: "DIRECTCOSTS", tax: 'p'},
		{code: "400", name: "Advertising", typ: "OVERHEADS", tax: 'p'},
		{code: "404", name: "Bank Fees", typ: "OVERHEADS", tax: 'n'},
		{code: "408", name: "Cleaning", typ: "OVERHEADS", tax: 'p'},
		{code: "412", name: "Consulting & Accounting", typ: "OVERHEADS", tax: 'p'},
		{code: "416", name: "Depreciation", typ: "DEPRECIATN", tax: 'n'},
		{code: "420", name: "Entertainment", typ: "OVERHEADS", tax: 'p'},
		{code: "425", name: "Freight & Courier", typ: "OVERHEADS", tax: 'p'},
		{code: "429", name: "General Expenses", typ: "OVERHEADS", tax: 'p'},
		{code: "433", name: "Insurance", typ: "OVERHEADS", tax: 'p'},
		{code: "437", name: "Interest Expense", typ: "OVERHEADS", tax: 'n'},
		{code: "441", name: "Legal expenses", typ: "OVERHEADS", tax: 'p'},
		{code: "444", name: "Postage (old)", typ: "OVERHEADS", tax: 'p', archived: true},
		{code: "445", name: "Light, Power, Heating", typ: "OVERHEADS", tax: 'p'},
		{code: "449", name: "Motor Vehicle Expenses", typ: "OVERHEADS", tax: 'p'},
		{code: "453", name: "Office Expenses", typ: "OVERHEADS", tax: 'p'},
		{code: "461", name: "Printing & Stationery", typ: "OVERHEADS", tax: 'p'},
		{code: "469", name: "Rent", typ: "OVERHEADS", tax: 'p'},
		{code: "473", name: "Repairs and Maintenance", typ: "OVERHEADS", tax: 'p'},
		{code: "477", name: "Wages and Salaries", typ: "EXPENSE", tax: 'n'},
		{code: "485", name: "Subscriptions", typ: "OVERHEADS", tax: 'p'},
		{code: "489", name: "Telephone & Internet", typ: "OVERHEADS", tax: 'p'},
		{code: "493", name: "Travel - National", typ: "OVERHEADS", tax: 'p'},
		{code: "494", name: "Travel - International", typ: "OVERHEADS", tax: 'n'},
		{code: "497", name: "Bank Revaluations", typ: "OVERHEADS", tax: 'n', system: "BANKCURRENCYGAIN"},
		{code: "498", name: "Unrealised Currency Gains", typ: "OVERHEADS", tax: 'n', system: "UNREALISEDCURRENCYGAIN"},
		{code: "499", name: "Realised Currency Gains", typ: "OVERHEADS", tax: 'n', system: "REALISEDCURRENCYGAIN"},
		{code: "505", name: "Income Tax Expense", typ: "EXPENSE", tax: 'n'},
		{code: "610", name: "Accounts Receivable", typ: "CURRENT", tax: 'n', system: "DEBTORS"},
		{code: "620", name: "Prepayments", typ: "PREPAYMENT", tax: 'n'},
		{code: "630", name: "Inventory", typ: "INVENTORY", tax: 'n'},
		{code: "710", name: "Office Equipment", typ: "FIXED", tax: 'n'},
		{code: "711", name: "Less Accumulated Depreciation on Office Equipment", typ: "FIXED", tax: 'n'},
		{code: "720", name: "Computer Equipment", typ: "FIXED", tax: 'n'},
		{code: "721", name: "Less Accumulated Depreciation on Computer Equipment", typ: "FIXED", tax: 'n'},
		{code: "800", name: "Accounts Payable", typ: "CURRLIAB", tax: 'n', system: "CREDITORS"},
		{code: "801", name: "Unpaid Expense Claims", typ: "CURRLIAB", tax: 'n', system: "UNPAIDEXPCLM"},
		{code: "820", name: g.prof.taxAccountName, typ: "CURRLIAB", tax: 'n', system: "GST"},
		{code: "825", name: "Employee Tax Payable", typ: "CURRLIAB", tax: 'n'},
		{code: "830", name: "Income Tax Payable", typ: "CURRLIAB", tax: 'n'},
		{code: "840", name: "Historical Adjustment", typ: "CURRLIAB", tax: 'n', system: "HISTORICAL"},
		{code: "850", name: "Suspense", typ: "CURRLIAB", tax: 'n'},
		{code: "860", name: "Rounding", typ: "CURRLIAB", tax: 'n', system: "ROUNDING"},
		{code: "877", name: "Tracking Transfers", typ: "CURRLIAB", tax: 'n', system: "TRACKINGTRANSFERS"},
		{code: "900", name: "Loan", typ: "TERMLIAB", tax: 'n'},
		{code: "960", name: "Retained Earnings", typ: "EQUITY", tax: 'n', system: "RETAINEDEARNINGS"},
		{code: "970", name: "Owner A Funds Introduced", typ: "EQUITY", tax: 'n'},
		{code: "980", name: "Owner A Drawings", typ: "EQUITY", tax: 'n'},
	}
}

func (g *generator) chart() {
	setup := g.o.Organisation.CreatedDateUTC
	for _, s := range g.chartSpecs() {
		a := &Account{AccountID: g.o.ids.next(), Code: s.code, Name: s.name, Type: s.typ, Status: "ACTIVE",
			Class: accountClass(s.typ), SystemAccount: s.system, UpdatedDateUTC: setup + MSDate(g.rng.Int64N(600_000))}
		switch s.tax {
		case 's':
			a.TaxType = g.prof.salesTax
		case 'p':
			a.TaxType = g.prof.purchaseTax
		default:
			a.TaxType = g.prof.noTax
		}
		if s.bank != "" {
			a.BankAccountType, a.CurrencyCode = s.bank, g.prof.currency
			a.BankAccountNumber = strconv.Itoa(10+g.rng.IntN(89)) + "-" + strconv.Itoa(1000+g.rng.IntN(8999)) + "-" +
				strconv.Itoa(1_000_000+g.rng.IntN(8_999_999)) + "-00"
		}
		a.ShowInExpenseClaims = a.Class == "EXPENSE" && s.tax == 'p'
		if s.archived {
			// Archived part-way through history, which moved UpdatedDateUTC.
			a.Status = "ARCHIVED"
			a.UpdatedDateUTC = g.instant(g.dayAt(0.3 + 0.6*g.rng.Float64()))
		}
		if s.code == "200" || s.code == "610" {
			a.Description = map[string]string{"200": "Income from any normal business activity",
				"610": "Outstanding invoices the company has issued out to the client but has not yet received in cash at balance date."}[s.code]
		}
		g.accounts = append(g.accounts, a)
		g.o.byCode[a.Code] = a
	}
	by := g.o.byCode
	g.banks = []*Account{by["090"], by["091"]}
	g.card = by["093"]
	g.sales = []*Account{by["200"], by["200"], by["200"], by["210"], by["260"]}
	for _, code := range []string{"400", "408", "412", "420", "425", "429", "433", "441", "445", "449", "453", "461", "469", "473", "485", "489", "493"} {
		g.expenses = append(g.expenses, by[code])
	}
	g.otherIncome = by["270"]
	g.depreciation, g.accumDep = by["416"], by["721"]
	g.equityIn, g.drawings, g.loan = by["970"], by["980"], by["900"]
	g.wages, g.payeLiab = by["477"], by["825"]
	g.o.sysAcct = systemAccounts{receivable: by["610"], payable: by["800"], tax: by["820"]}
	// Loaded now: building journals looks accounts up by id.
	g.o.Accounts = NewCollection[*Account]()
	g.o.Accounts.Load(g.accounts)
}

func (g *generator) taxRatesAndSettings() {
	g.taxRates = make(map[string]*TaxRate, len(g.prof.rates))
	rates := make([]*TaxRate, 0, len(g.prof.rates))
	for _, s := range g.prof.rates {
		pct := float64(s.basisPoints) / 100
		r := &TaxRate{Name: s.name, TaxType: s.taxType, ReportTaxType: s.report,
			CanApplyToAssets: true, CanApplyToEquity: true, CanApplyToLiabilities: true,
			CanApplyToExpenses: s.expense, CanApplyToRevenue: s.income,
			DisplayTaxRate: pct, EffectiveRate: pct, Status: s.status,
			TaxComponents: []TaxComponent{{Name: g.prof.taxAccountName, Rate: pct}},
			basisPoints:   s.basisPoints}
		rates = append(rates, r)
		g.taxRates[r.TaxType] = r
	}
	g.o.TaxRates = NewCollection[*TaxRate]()
	g.o.TaxRates.Load(rates)

	f := g.prof.foreign
	g.o.Currencies = NewCollection[*Currency]()
	g.o.Currencies.Load([]*Currency{
		{Code: g.prof.currency, Description: g.prof.currencyName},
		{Code: f[0].code, Description: f[0].description},
		{Code: f[1].code, Description: f[1].description},
	})

	setup := g.o.Organisation.CreatedDateUTC
	roles := []string{"STANDARD", "READONLY", "INVOICEONLY"}
	users := make([]*OrgUser, 0, len(roles))
	for i, role := range roles {
		users = append(users, &OrgUser{UserID: g.o.ids.next(), FirstName: firstNames[(g.index*7+i*11)%len(firstNames)],
			LastName: lastNames[(g.index*5+i*13)%len(lastNames)], OrganisationRole: role,
			UpdatedDateUTC: setup + MSDate(int64(i+1)*86_400_000+g.rng.Int64N(3_600_000))})
		u := users[i]
		u.EmailAddress = lower(u.FirstName) + "." + lower(u.LastName) + "@example.org"
	}
	g.o.Users = NewCollection[*OrgUser]()
	g.o.Users.Load(users)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == '\'' || c == ' ':
			b[i] = '-'
		}
	}
	return string(b)
}

// taxFor returns the tax of a line: on top of the amount for exclusive
// lines, within it for inclusive ones.
func (g *generator) taxFor(lineAmount Money, taxType, lineAmountTypes string) Money {
	r := g.taxRates[taxType]
	if r == nil || r.basisPoints == 0 {
		return 0
	}
	switch lineAmountTypes {
	case "Exclusive", "EXCLUSIVE":
		return Money(roundDiv(int64(lineAmount)*r.basisPoints, 10_000))
	case "Inclusive", "INCLUSIVE":
		return Money(roundDiv(int64(lineAmount)*r.basisPoints, 10_000+r.basisPoints))
	}
	return 0
}

func (g *generator) trackingCategories() {
	mk := func(name string, status string, options []string, archived int) *TrackingCategory {
		tc := &TrackingCategory{TrackingCategoryID: g.o.ids.next(), Name: name, Status: status}
		for i, opt := range options {
			st := "ACTIVE"
			if i == archived {
				st = "ARCHIVED"
			}
			tc.Options = append(tc.Options, TrackingOption{TrackingOptionID: g.o.ids.next(), Name: opt, Status: st})
		}
		return tc
	}
	region := mk("Region", "ACTIVE", []string{"North", "South", "East", "West", "Central"}, 4)
	dept := mk("Department", "ACTIVE", []string{"Sales", "Operations", "Administration", "Marketing"}, -1)
	old := mk("Projects (old)", "ARCHIVED", []string{"Alpha", "Beta"}, -1)
	g.o.TrackingCategories = NewCollection[*TrackingCategory]()
	g.o.TrackingCategories.Load([]*TrackingCategory{region, dept, old})

	ref := func(tc *TrackingCategory, o TrackingOption) TrackingRef {
		return TrackingRef{Name: tc.Name, Option: o.Name, TrackingCategoryID: tc.TrackingCategoryID, TrackingOptionID: o.TrackingOptionID}
	}
	// One shared slice per combination: lines point at these, never copy them.
	build := func(regions []TrackingOption) [][]TrackingRef {
		var sets [][]TrackingRef
		for _, r := range regions {
			sets = append(sets, []TrackingRef{ref(region, r)})
			for _, d := range dept.Options {
				sets = append(sets, []TrackingRef{ref(region, r), ref(dept, d)})
			}
		}
		for _, d := range dept.Options {
			sets = append(sets, []TrackingRef{ref(dept, d)})
		}
		return sets
	}
	g.trackOld = build(region.Options)
	g.trackNew = build(region.Options[:4])
	g.trackSwitch = g.dayAt(0.5)
}

// expense draws a purchase line's description and the account it is coded to.
func (g *generator) expense() (desc string, acct *Account) {
	k := pick(g, expenseKinds)
	return k.desc, g.o.byCode[k.code]
}

// tracking returns a shared tracking slice for a line dated day, or nil
// for the lines that carry none.
func (g *generator) tracking(day MSDate) []TrackingRef {
	if !g.chance(0.45) {
		return nil
	}
	if day < g.trackSwitch {
		return pick(g, g.trackOld)
	}
	return pick(g, g.trackNew)
}

func (g *generator) items() {
	n := g.size.Items
	items := make([]*Item, 0, n)
	setup := g.o.Organisation.CreatedDateUTC
	for i := range n {
		it := &Item{ItemID: g.o.ids.next()}
		kind := g.rng.IntN(10) // 0-3 services (sold only), 4-7 goods (both), 8-9 supplies (bought only)
		switch {
		case kind < 4:
			it.Name = pick(g, serviceNames)
			it.Code = "SVC-" + pad3(i+1)
		default:
			it.Name = pick(g, productAdjectives) + " " + pick(g, productNouns)
			it.Code = "ITM-" + pad3(i+1)
		}
		price := g.amount(1_000, 250_000)
		if kind < 8 {
			it.IsSold = true
			it.Description = it.Name
			acct := "200"
			if kind < 4 {
				acct = "210"
			}
			it.SalesDetails = ItemDetails{UnitPrice: price, AccountCode: acct, TaxType: g.prof.salesTax}
			g.itemsSold = append(g.itemsSold, it)
		}
		if kind >= 4 {
			it.IsPurchased = true
			it.PurchaseDescription = it.Name
			it.PurchaseDetails = ItemDetails{UnitPrice: price * 11 / 20, AccountCode: "300", TaxType: g.prof.purchaseTax}
			g.itemsBought = append(g.itemsBought, it)
		}
		it.UpdatedDateUTC = setup + MSDate(int64(i+1)*60_000)
		if g.chance(0.3) { // a price change later on
			it.UpdatedDateUTC = g.instant(g.randomDay())
		}
		items = append(items, it)
	}
	if len(g.itemsSold) == 0 || len(g.itemsBought) == 0 {
		// Tiny sizes: make sure both sides have an item to draw from.
		it := items[0]
		it.IsSold, it.IsPurchased = true, true
		it.SalesDetails = ItemDetails{UnitPrice: 10_000, AccountCode: "200", TaxType: g.prof.salesTax}
		it.PurchaseDetails = ItemDetails{UnitPrice: 5_500, AccountCode: "300", TaxType: g.prof.purchaseTax}
		g.itemsSold, g.itemsBought = append(g.itemsSold, it), append(g.itemsBought, it)
	}
	g.o.Items = NewCollection[*Item]()
	g.o.Items.Load(items)
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// contactsAndGroups makes the contacts (customers, suppliers, some both),
// some archived, one or more in GDPR erasure, a few merged duplicates
// (archived, MergedToContactID set, never used by documents), and the
// contact groups.
func (g *generator) contactsAndGroups() {
	n := g.size.Contacts
	setup := g.o.Organisation.CreatedDateUTC
	groups := []*ContactGroup{
		{ContactGroupID: g.o.ids.next(), Name: "Wholesale Customers", Status: "ACTIVE"},
		{ContactGroupID: g.o.ids.next(), Name: "Retail Customers", Status: "ACTIVE"},
		{ContactGroupID: g.o.ids.next(), Name: "Preferred Suppliers", Status: "ACTIVE"},
		{ContactGroupID: g.o.ids.next(), Name: "Trade Partners", Status: "DELETED"},
	}
	gdpr := max(1, n/300)
	g.contacts = make([]*Contact, 0, n+n/50+1)
	for i := range n {
		// The first 40% exist when history starts; the rest arrive over time.
		var created MSDate
		if i < n*2/5 {
			created = setup + MSDate(int64(i)*120_000+g.rng.Int64N(60_000))
		} else {
			created = g.instant(g.dayAt(float64(i-n*2/5) / float64(n-n*2/5) * 0.97))
		}
		c := g.newContact(created)
		role := g.rng.IntN(20) // 0-10 customer, 11-17 supplier, 18-19 both
		gc := genContact{c: c, created: created, terms: []int{7, 14, 20, 30, 30}[g.rng.IntN(5)], currency: g.base}
		if g.chance(0.06) {
			gc.currency = g.prof.foreign[g.rng.IntN(2)]
			c.DefaultCurrency = gc.currency.code
		}
		var group *ContactGroup
		if role <= 10 || role >= 18 {
			g.customers = append(g.customers, gc)
			if g.chance(0.3) {
				group = groups[g.rng.IntN(2)]
			}
		}
		if role > 10 {
			g.suppliers = append(g.suppliers, gc)
			if group == nil && g.chance(0.25) {
				group = groups[2]
			}
		}
		if group != nil {
			c.ContactGroups = []ContactGroupRef{{ContactGroupID: group.ContactGroupID, Name: group.Name, Status: group.Status}}
			group.Contacts = append(group.Contacts, refOfContact(c))
		}
		switch {
		case i%97 == 50 && gdpr > 0:
			gdpr--
			c.ContactStatus = "GDPRREQUEST"
			c.EmailAddress, c.Phones, c.Addresses, c.ContactPersons = "", nil, nil, nil
			c.UpdatedDateUTC = max(c.UpdatedDateUTC, g.instant(g.dayAt(0.9+0.09*g.rng.Float64())))
		case g.chance(0.04):
			c.ContactStatus = "ARCHIVED"
			c.UpdatedDateUTC = max(c.UpdatedDateUTC, g.instant(g.dayAt(0.85+0.14*g.rng.Float64())))
		case g.chance(0.25): // edited since creation
			c.UpdatedDateUTC = max(c.UpdatedDateUTC, g.instant(g.dayAt(g.rng.Float64())))
		}
		g.contacts = append(g.contacts, c)
	}
	if len(g.customers) == 0 || len(g.suppliers) == 0 {
		gc := genContact{c: g.contacts[0], created: setup, terms: 20, currency: g.base}
		g.customers, g.suppliers = append(g.customers, gc), append(g.suppliers, gc)
	}
	byCreated := func(a, b genContact) int { return cmp.Compare(a.created, b.created) }
	slices.SortStableFunc(g.customers, byCreated)
	slices.SortStableFunc(g.suppliers, byCreated)
	// Merged duplicates: a second record of an existing contact, archived
	// by the merge, pointing at the one that survived.
	for range 1 + n/100 {
		target := g.contacts[g.rng.IntN(len(g.contacts))]
		created := g.instant(g.dayAt(0.2 + 0.5*g.rng.Float64()))
		dup := g.newContact(created)
		delete(g.names, dup.Name)
		dup.Name = g.uniqueName(target.Name + " (duplicate)")
		dup.ContactStatus, dup.MergedToContactID = "ARCHIVED", target.ContactID
		if later := g.later(created, 5, 60); later != 0 {
			dup.UpdatedDateUTC = later
		}
		g.contacts = append(g.contacts, dup)
	}
	g.o.ContactGroups = NewCollection[*ContactGroup]()
	g.o.ContactGroups.Load(groups)
}

// newContact makes an active contact created at the given instant.
func (g *generator) newContact(created MSDate) *Contact {
	g.contactCount++
	c := &Contact{ContactID: g.o.ids.next(), ContactStatus: "ACTIVE", UpdatedDateUTC: created}
	first, last := pick(g, firstNames), pick(g, lastNames)
	if g.chance(0.8) {
		c.Name = pick(g, companyFirst) + " " + pick(g, companySecond)
		if g.chance(0.5) {
			c.Name += " " + g.prof.suffix
		}
		c.FirstName, c.LastName = first, last
	} else {
		c.Name = first + " " + last
		c.FirstName, c.LastName = first, last
	}
	c.Name = g.uniqueName(c.Name)
	c.EmailAddress = lower(first) + "@" + domainOf(c.Name)
	city := pick(g, g.prof.cities)
	street := strconv.Itoa(1+g.rng.IntN(400)) + " " + pick(g, streets)
	c.Addresses = []Address{
		{AddressType: "POBOX", AddressLine1: street, City: city.city, Region: city.region, PostalCode: city.postcode, Country: g.prof.countryName},
		{AddressType: "STREET", AddressLine1: street, City: city.city, Region: city.region, PostalCode: city.postcode, Country: g.prof.countryName},
	}
	c.Phones = []Phone{
		{PhoneType: "DEFAULT", PhoneNumber: strconv.Itoa(2_000_000 + g.rng.IntN(7_999_999)), PhoneAreaCode: strconv.Itoa(2 + g.rng.IntN(8)), PhoneCountryCode: g.prof.phoneCountry},
		{PhoneType: "MOBILE", PhoneNumber: strconv.Itoa(20_000_000 + g.rng.IntN(79_999_999)), PhoneCountryCode: g.prof.phoneCountry},
	}
	if g.chance(0.3) {
		c.TaxNumber = strconv.Itoa(100_000_000 + g.rng.IntN(899_999_999))
	}
	if g.chance(0.2) {
		c.AccountNumber = "AC" + strconv.Itoa(1000+g.contactCount)
	}
	if g.chance(0.2) {
		c.Website = "https://www." + domainOf(c.Name)
	}
	if g.chance(0.1) {
		pf, pl := pick(g, firstNames), pick(g, lastNames)
		c.ContactPersons = []ContactPerson{{FirstName: pf, LastName: pl, EmailAddress: lower(pf) + "." + lower(pl) + "@" + domainOf(c.Name), IncludeInEmails: g.chance(0.5)}}
	}
	return c
}

// uniqueName returns name, or name with a number after it if a contact
// already has it, and marks it used.
func (g *generator) uniqueName(name string) string {
	unique := name
	for i := 2; g.names[unique]; i++ {
		unique = name + " " + strconv.Itoa(i)
	}
	g.names[unique] = true
	return unique
}

// domainOf derives a plausible e-mail domain from a contact name.
func domainOf(name string) string {
	b := make([]byte, 0, len(name)+12)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return string(b) + ".example.com"
}

// contactFor picks a customer or supplier that existed on day, favouring
// the longest-standing ones as regular trading partners.
func (g *generator) contactFor(list []genContact, day MSDate) genContact {
	end := day + dayMs
	n, _ := slices.BinarySearchFunc(list, end, func(c genContact, t MSDate) int {
		switch {
		case c.created < t:
			return -1
		case c.created > t:
			return 1
		}
		return 0
	})
	n = max(n, 1)
	u := g.rng.Float64()
	return list[int(u*u*float64(n))]
}

// pend queues a journal to be filed at instant at.
func (g *generator) pend(j *Journal, err error, at MSDate) *Journal {
	if err != nil {
		return nil // errNoJournal: drafts and bank-side records post nothing
	}
	j.CreatedDateUTC = at
	g.pending = append(g.pending, j)
	return j
}

// fileJournals numbers the queued journals in the order they happened.
func (g *generator) fileJournals() {
	slices.SortStableFunc(g.pending, func(a, b *Journal) int {
		switch {
		case a.CreatedDateUTC < b.CreatedDateUTC:
			return -1
		case a.CreatedDateUTC > b.CreatedDateUTC:
			return 1
		}
		return 0
	})
	for _, j := range g.pending {
		g.o.file(j, j.CreatedDateUTC)
	}
}

// fillUpdatedStrings sets the UpdatedDateUTCString companions once, at
// the end, rather than on every settlement that moved UpdatedDateUTC.
func (g *generator) fillUpdatedStrings() {
	for _, r := range g.invoices {
		r.UpdatedDateUTCString = utcString(r.UpdatedDateUTC)
	}
	for _, r := range g.creditNotes {
		r.UpdatedDateUTCString = utcString(r.UpdatedDateUTC)
	}
	for _, r := range g.payments {
		r.UpdatedDateUTCString = utcString(r.UpdatedDateUTC)
	}
	for _, r := range g.overpayments {
		r.UpdatedDateUTCString = utcString(r.UpdatedDateUTC)
	}
	for _, r := range g.prepayments {
		r.UpdatedDateUTCString = utcString(r.UpdatedDateUTC)
	}
}

// load files every record in its collection, once.
func (g *generator) load() {
	o := g.o
	g.fillUpdatedStrings()
	o.Contacts = NewCollection[*Contact]()
	o.Contacts.Load(g.contacts)
	o.Invoices = NewCollection[*Invoice]()
	o.Invoices.Load(g.invoices)
	o.CreditNotes = NewCollection[*CreditNote]()
	o.CreditNotes.Load(g.creditNotes)
	o.Payments = NewCollection[*Payment]()
	o.Payments.Load(g.payments)
	o.Overpayments = NewCollection[*Overpayment]()
	o.Overpayments.Load(g.overpayments)
	o.Prepayments = NewCollection[*Prepayment]()
	o.Prepayments.Load(g.prepayments)
	o.BankTransactions = NewCollection[*BankTransaction]()
	o.BankTransactions.Load(g.bankTxns)
	o.BankTransfers = NewCollection[*BankTransfer]()
	o.BankTransfers.Load(g.transfers)
	o.ManualJournals = NewCollection[*ManualJournal]()
	o.ManualJournals.Load(g.manualJournals)
	o.PurchaseOrders = NewCollection[*PurchaseOrder]()
	o.PurchaseOrders.Load(g.purchaseOrders)
	o.Quotes = NewCollection[*Quote]()
	o.Quotes.Load(g.quotes)
	o.BatchPayments = NewCollection[*BatchPayment]()
	o.BatchPayments.Load(g.batches)
	o.Journals = NewCollection[*Journal]()
	o.Journals.Load(g.pending)
	o.RefreshContactBalances(g.start)
}
