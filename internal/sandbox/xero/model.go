package xero

import "time"

// The wire types of the sandbox: one struct per entity the Accounting API
// serves, with Xero's field names and JSON types (xero_accounting.yaml,
// components/schemas). Only fields the generator populates are declared;
// optional ones are omitted when empty so no response carries a null the
// spec does not allow. Amounts are Money (exact cents), calendar dates and
// instants MSDate, quantities and rates float64, ids lower-case UUIDs.
//
// Records are shared with the collections that hold them: they are edited
// only under the Org's lock and through Collection.Update, so the
// collection's order by change time stays true. Slices of TrackingRef are
// shared between records by the generator (one slice per combination of
// options) and must be replaced, never edited in place.

// Organisation is the one record of GET /Organisation.
type Organisation struct {
	OrganisationID         string         `json:"OrganisationID"`
	Name                   string         `json:"Name"`
	LegalName              string         `json:"LegalName"`
	PaysTax                bool           `json:"PaysTax"`
	Version                string         `json:"Version"`
	OrganisationType       string         `json:"OrganisationType"`
	BaseCurrency           string         `json:"BaseCurrency"`
	CountryCode            string         `json:"CountryCode"`
	IsDemoCompany          bool           `json:"IsDemoCompany"`
	OrganisationStatus     string         `json:"OrganisationStatus"`
	RegistrationNumber     string         `json:"RegistrationNumber,omitempty"`
	TaxNumber              string         `json:"TaxNumber,omitempty"`
	FinancialYearEndDay    int            `json:"FinancialYearEndDay"`
	FinancialYearEndMonth  int            `json:"FinancialYearEndMonth"`
	SalesTaxBasis          string         `json:"SalesTaxBasis"`
	SalesTaxPeriod         string         `json:"SalesTaxPeriod"`
	DefaultSalesTax        string         `json:"DefaultSalesTax"`
	DefaultPurchasesTax    string         `json:"DefaultPurchasesTax"`
	PeriodLockDate         MSDate         `json:"PeriodLockDate,omitzero"`
	CreatedDateUTC         MSDate         `json:"CreatedDateUTC"`
	OrganisationEntityType string         `json:"OrganisationEntityType"`
	Timezone               string         `json:"Timezone"`
	ShortCode              string         `json:"ShortCode"`
	Edition                string         `json:"Edition"`
	Class                  string         `json:"Class"`
	LineOfBusiness         string         `json:"LineOfBusiness,omitempty"`
	Addresses              []Address      `json:"Addresses,omitempty"`
	Phones                 []Phone        `json:"Phones,omitempty"`
	ExternalLinks          []ExternalLink `json:"ExternalLinks,omitempty"`
	PaymentTerms           *PaymentTerms  `json:"PaymentTerms,omitempty"`
}

// RecordID is the OrganisationID.
func (o *Organisation) RecordID() string { return o.OrganisationID }

// ChangeTime is CreatedDateUTC, the organisation's only change field.
func (o *Organisation) ChangeTime() int64 { return int64(o.CreatedDateUTC) }

// Address is a postal address of a contact (Address) or an organisation
// (AddressForOrganisation): the two schemas share these fields.
type Address struct {
	AddressType  string `json:"AddressType"`
	AddressLine1 string `json:"AddressLine1,omitempty"`
	AddressLine2 string `json:"AddressLine2,omitempty"`
	City         string `json:"City,omitempty"`
	Region       string `json:"Region,omitempty"`
	PostalCode   string `json:"PostalCode,omitempty"`
	Country      string `json:"Country,omitempty"`
	AttentionTo  string `json:"AttentionTo,omitempty"`
}

// Phone is a contact's or organisation's phone number.
type Phone struct {
	PhoneType        string `json:"PhoneType"`
	PhoneNumber      string `json:"PhoneNumber,omitempty"`
	PhoneAreaCode    string `json:"PhoneAreaCode,omitempty"`
	PhoneCountryCode string `json:"PhoneCountryCode,omitempty"`
}

// ExternalLink is an organisation's web presence.
type ExternalLink struct {
	LinkType string `json:"LinkType"`
	Url      string `json:"Url"`
}

// PaymentTerms are the default terms for bills and sales.
type PaymentTerms struct {
	Bills PaymentTerm `json:"Bills"`
	Sales PaymentTerm `json:"Sales"`
}

// PaymentTerm is a day and how it is counted (DAYSAFTERBILLDATE, OFFOLLOWINGMONTH, ...).
type PaymentTerm struct {
	Day  int    `json:"Day"`
	Type string `json:"Type"`
}

// Account is a chart-of-accounts entry (GET /Accounts).
type Account struct {
	AccountID               string `json:"AccountID"`
	Code                    string `json:"Code"`
	Name                    string `json:"Name"`
	Type                    string `json:"Type"`
	Status                  string `json:"Status"`
	Description             string `json:"Description,omitempty"`
	BankAccountNumber       string `json:"BankAccountNumber,omitempty"`
	BankAccountType         string `json:"BankAccountType,omitempty"`
	CurrencyCode            string `json:"CurrencyCode,omitempty"`
	TaxType                 string `json:"TaxType"`
	EnablePaymentsToAccount bool   `json:"EnablePaymentsToAccount"`
	ShowInExpenseClaims     bool   `json:"ShowInExpenseClaims"`
	Class                   string `json:"Class"`
	SystemAccount           string `json:"SystemAccount,omitempty"`
	ReportingCode           string `json:"ReportingCode,omitempty"`
	ReportingCodeName       string `json:"ReportingCodeName,omitempty"`
	HasAttachments          bool   `json:"HasAttachments"`
	UpdatedDateUTC          MSDate `json:"UpdatedDateUTC"`
}

// RecordID is the AccountID.
func (a *Account) RecordID() string { return a.AccountID }

// ChangeTime is UpdatedDateUTC.
func (a *Account) ChangeTime() int64 { return int64(a.UpdatedDateUTC) }

// accountClass maps an account type to the class Xero derives from it.
func accountClass(accountType string) string {
	switch accountType {
	case "BANK", "CURRENT", "FIXED", "INVENTORY", "NONCURRENT", "PREPAYMENT":
		return "ASSET"
	case "CURRLIAB", "LIABILITY", "TERMLIAB", "PAYG":
		return "LIABILITY"
	case "EQUITY":
		return "EQUITY"
	case "REVENUE", "SALES", "OTHERINCOME":
		return "REVENUE"
	default: // DEPRECIATN, DIRECTCOSTS, EXPENSE, OVERHEADS
		return "EXPENSE"
	}
}

// AccountRef is an account as other records carry it (Payment.Account,
// BankTransaction.BankAccount, BankTransfer.FromBankAccount, ...).
type AccountRef struct {
	AccountID string `json:"AccountID"`
	Code      string `json:"Code,omitempty"`
	Name      string `json:"Name,omitempty"`
}

func refOfAccount(a *Account) AccountRef {
	return AccountRef{AccountID: a.AccountID, Code: a.Code, Name: a.Name}
}

// Contact is a customer or supplier (GET /Contacts).
type Contact struct {
	ContactID                 string            `json:"ContactID"`
	MergedToContactID         string            `json:"MergedToContactID,omitempty"`
	ContactNumber             string            `json:"ContactNumber,omitempty"`
	AccountNumber             string            `json:"AccountNumber,omitempty"`
	ContactStatus             string            `json:"ContactStatus"`
	Name                      string            `json:"Name"`
	FirstName                 string            `json:"FirstName,omitempty"`
	LastName                  string            `json:"LastName,omitempty"`
	EmailAddress              string            `json:"EmailAddress,omitempty"`
	ContactPersons            []ContactPerson   `json:"ContactPersons,omitempty"`
	BankAccountDetails        string            `json:"BankAccountDetails,omitempty"`
	TaxNumber                 string            `json:"TaxNumber,omitempty"`
	AccountsReceivableTaxType string            `json:"AccountsReceivableTaxType,omitempty"`
	AccountsPayableTaxType    string            `json:"AccountsPayableTaxType,omitempty"`
	Addresses                 []Address         `json:"Addresses,omitempty"`
	Phones                    []Phone           `json:"Phones,omitempty"`
	UpdatedDateUTC            MSDate            `json:"UpdatedDateUTC"`
	ContactGroups             []ContactGroupRef `json:"ContactGroups,omitempty"`
	IsSupplier                bool              `json:"IsSupplier"`
	IsCustomer                bool              `json:"IsCustomer"`
	DefaultCurrency           string            `json:"DefaultCurrency,omitempty"`
	Website                   string            `json:"Website,omitempty"`
	Balances                  *Balances         `json:"Balances,omitempty"`
	HasAttachments            bool              `json:"HasAttachments"`
}

// RecordID is the ContactID.
func (c *Contact) RecordID() string { return c.ContactID }

// ChangeTime is UpdatedDateUTC. Balances, IsSupplier and IsCustomer are
// derived from other records and, as in Xero, never move it.
func (c *Contact) ChangeTime() int64 { return int64(c.UpdatedDateUTC) }

// ContactPerson is an additional person at a contact.
type ContactPerson struct {
	FirstName       string `json:"FirstName"`
	LastName        string `json:"LastName"`
	EmailAddress    string `json:"EmailAddress,omitempty"`
	IncludeInEmails bool   `json:"IncludeInEmails"`
}

// Balances are a contact's outstanding and overdue amounts in base currency.
type Balances struct {
	AccountsReceivable BalanceDetail `json:"AccountsReceivable"`
	AccountsPayable    BalanceDetail `json:"AccountsPayable"`
}

// BalanceDetail is one side of Balances.
type BalanceDetail struct {
	Outstanding Money `json:"Outstanding"`
	Overdue     Money `json:"Overdue"`
}

// ContactRef is a contact as documents carry it.
type ContactRef struct {
	ContactID string `json:"ContactID"`
	Name      string `json:"Name,omitempty"`
}

func refOfContact(c *Contact) ContactRef { return ContactRef{ContactID: c.ContactID, Name: c.Name} }

// ContactGroupRef is a group as Contact.ContactGroups lists it.
type ContactGroupRef struct {
	ContactGroupID string `json:"ContactGroupID"`
	Name           string `json:"Name"`
	Status         string `json:"Status"`
}

// ContactGroup is a named set of contacts (GET /ContactGroups).
type ContactGroup struct {
	ContactGroupID string       `json:"ContactGroupID"`
	Name           string       `json:"Name"`
	Status         string       `json:"Status"`
	Contacts       []ContactRef `json:"Contacts,omitempty"`
}

// RecordID is the ContactGroupID.
func (g *ContactGroup) RecordID() string { return g.ContactGroupID }

// ChangeTime is 0: contact groups have no change field.
func (g *ContactGroup) ChangeTime() int64 { return 0 }

// summary returns the group without its member list, as the list call
// returns it (members come with GET /ContactGroups/{id} only).
func (g *ContactGroup) summary() *ContactGroup {
	c := *g
	c.Contacts = nil
	return &c
}

// TaxRate is one tax rate (GET /TaxRates); its id is TaxType.
type TaxRate struct {
	Name                  string         `json:"Name"`
	TaxType               string         `json:"TaxType"`
	ReportTaxType         string         `json:"ReportTaxType,omitempty"`
	CanApplyToAssets      bool           `json:"CanApplyToAssets"`
	CanApplyToEquity      bool           `json:"CanApplyToEquity"`
	CanApplyToExpenses    bool           `json:"CanApplyToExpenses"`
	CanApplyToLiabilities bool           `json:"CanApplyToLiabilities"`
	CanApplyToRevenue     bool           `json:"CanApplyToRevenue"`
	DisplayTaxRate        float64        `json:"DisplayTaxRate"`
	EffectiveRate         float64        `json:"EffectiveRate"`
	Status                string         `json:"Status"`
	TaxComponents         []TaxComponent `json:"TaxComponents,omitempty"`

	// basisPoints is the rate in hundredths of a percent (1500 = 15%), so
	// tax is computed in exact integer cents.
	basisPoints int64
}

// RecordID is the TaxType.
func (t *TaxRate) RecordID() string { return t.TaxType }

// ChangeTime is 0: tax rates have no change field.
func (t *TaxRate) ChangeTime() int64 { return 0 }

// BasisPoints returns the rate in hundredths of a percent.
func (t *TaxRate) BasisPoints() int64 { return t.basisPoints }

// TaxComponent is one component of a tax rate.
type TaxComponent struct {
	Name             string  `json:"Name"`
	Rate             float64 `json:"Rate"`
	IsCompound       bool    `json:"IsCompound"`
	IsNonRecoverable bool    `json:"IsNonRecoverable"`
}

// TrackingCategory is a tracking dimension with its options (GET /TrackingCategories).
type TrackingCategory struct {
	TrackingCategoryID string           `json:"TrackingCategoryID"`
	Name               string           `json:"Name"`
	Status             string           `json:"Status"`
	Options            []TrackingOption `json:"Options,omitempty"`
}

// RecordID is the TrackingCategoryID.
func (t *TrackingCategory) RecordID() string { return t.TrackingCategoryID }

// ChangeTime is 0: tracking categories have no change field.
func (t *TrackingCategory) ChangeTime() int64 { return 0 }

// TrackingOption is one value of a tracking category.
type TrackingOption struct {
	TrackingOptionID string `json:"TrackingOptionID"`
	Name             string `json:"Name"`
	Status           string `json:"Status"`
}

// TrackingRef is a tracking category and option as a line carries it. It
// fits every schema that holds one (LineItemTracking, TrackingCategory in
// journal lines, TrackingReference on transfers).
type TrackingRef struct {
	Name               string `json:"Name"`
	Option             string `json:"Option"`
	TrackingCategoryID string `json:"TrackingCategoryID"`
	TrackingOptionID   string `json:"TrackingOptionID"`
}

// Currency is a currency the organisation trades in (GET /Currencies); its id is Code.
type Currency struct {
	Code        string `json:"Code"`
	Description string `json:"Description"`
}

// RecordID is the currency code.
func (c *Currency) RecordID() string { return c.Code }

// ChangeTime is 0: currencies have no change field.
func (c *Currency) ChangeTime() int64 { return 0 }

// OrgUser is a user of the organisation as GET /Users lists it (the Xero
// schema is named User; User in this package is a sandbox sign-in person).
type OrgUser struct {
	UserID           string `json:"UserID"`
	EmailAddress     string `json:"EmailAddress"`
	FirstName        string `json:"FirstName"`
	LastName         string `json:"LastName"`
	UpdatedDateUTC   MSDate `json:"UpdatedDateUTC"`
	IsSubscriber     bool   `json:"IsSubscriber"`
	OrganisationRole string `json:"OrganisationRole"`
}

// RecordID is the UserID.
func (u *OrgUser) RecordID() string { return u.UserID }

// ChangeTime is UpdatedDateUTC.
func (u *OrgUser) ChangeTime() int64 { return int64(u.UpdatedDateUTC) }

// Item is a product or service (GET /Items).
type Item struct {
	ItemID               string      `json:"ItemID"`
	Code                 string      `json:"Code"`
	Name                 string      `json:"Name"`
	Description          string      `json:"Description,omitempty"`
	PurchaseDescription  string      `json:"PurchaseDescription,omitempty"`
	IsSold               bool        `json:"IsSold"`
	IsPurchased          bool        `json:"IsPurchased"`
	IsTrackedAsInventory bool        `json:"IsTrackedAsInventory"`
	SalesDetails         ItemDetails `json:"SalesDetails"`
	PurchaseDetails      ItemDetails `json:"PurchaseDetails"`
	UpdatedDateUTC       MSDate      `json:"UpdatedDateUTC"`
}

// RecordID is the ItemID.
func (i *Item) RecordID() string { return i.ItemID }

// ChangeTime is UpdatedDateUTC.
func (i *Item) ChangeTime() int64 { return int64(i.UpdatedDateUTC) }

// ItemDetails are an item's sales or purchase defaults (schema Purchase);
// empty ({}) on the side the item is not used for, as Xero sends it.
type ItemDetails struct {
	UnitPrice   Money  `json:"UnitPrice,omitempty"`
	AccountCode string `json:"AccountCode,omitempty"`
	TaxType     string `json:"TaxType,omitempty"`
}

// Attachment is a file's metadata (GET /{Endpoint}/{ID}/Attachments).
type Attachment struct {
	AttachmentID  string `json:"AttachmentID"`
	FileName      string `json:"FileName"`
	Url           string `json:"Url"`
	MimeType      string `json:"MimeType"`
	ContentLength int64  `json:"ContentLength"`
	IncludeOnline bool   `json:"IncludeOnline,omitempty"`
}

// attachmentBase is the host and path prefix of generated attachment Urls,
// as real Xero writes them; the endpoint serving them may rewrite the host.
const attachmentBase = "https://api.xero.com/api.xro/2.0/"

// dayString formats a calendar date as the DateString companions carry it:
// "2019-03-07T00:00:00" (org-local, no zone; dates are midnight).
func dayString(d MSDate) string { return d.Time().Format("2006-01-02T15:04:05") }

// utcString formats an instant as UpdatedDateUTCString: "2019-03-05T18:59:06Z".
func utcString(d MSDate) string { return d.Time().Format(time.RFC3339) }
