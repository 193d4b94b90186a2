package xero

// Transaction documents: invoices and bills, credit notes, payments,
// over- and prepayments, bank transactions and transfers, manual journals,
// purchase orders, quotes, batch payments and the journals derived from them.
//
// Documents with lines have a summary method returning a shallow copy
// without them: Xero sends lines only on paged and single-record calls.
// Those with UpdatedDateUTCString have setUpdated, which moves both fields
// together; call it inside Collection.Update.

// LineItem is a line of an invoice, credit note, bank transaction,
// overpayment, prepayment, purchase order or quote.
type LineItem struct {
	LineItemID  string        `json:"LineItemID"`
	Description string        `json:"Description,omitempty"`
	Quantity    float64       `json:"Quantity"`
	UnitAmount  Money         `json:"UnitAmount"`
	ItemCode    string        `json:"ItemCode,omitempty"`
	AccountCode string        `json:"AccountCode,omitempty"`
	AccountID   string        `json:"AccountID,omitempty"`
	TaxType     string        `json:"TaxType,omitempty"`
	TaxAmount   Money         `json:"TaxAmount"`
	LineAmount  Money         `json:"LineAmount"`
	Tracking    []TrackingRef `json:"Tracking,omitempty"`
}

// InvoiceRef is an invoice as payments and allocations carry it.
type InvoiceRef struct {
	InvoiceID     string     `json:"InvoiceID"`
	InvoiceNumber string     `json:"InvoiceNumber,omitempty"`
	Type          string     `json:"Type,omitempty"`
	Contact       ContactRef `json:"Contact,omitzero"`
	CurrencyCode  string     `json:"CurrencyCode,omitempty"`
}

func refOfInvoice(inv *Invoice) InvoiceRef {
	return InvoiceRef{InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber, Type: inv.Type,
		Contact: inv.Contact, CurrencyCode: inv.CurrencyCode}
}

// CreditNoteRef is a credit note as a refund payment carries it.
type CreditNoteRef struct {
	CreditNoteID     string     `json:"CreditNoteID"`
	CreditNoteNumber string     `json:"CreditNoteNumber,omitempty"`
	Type             string     `json:"Type,omitempty"`
	Contact          ContactRef `json:"Contact,omitzero"`
}

// PaymentSummary is a payment as Invoice.Payments and CreditNote.Payments list it.
type PaymentSummary struct {
	PaymentID    string  `json:"PaymentID"`
	Date         MSDate  `json:"Date"`
	Amount       Money   `json:"Amount"`
	Reference    string  `json:"Reference,omitempty"`
	CurrencyRate float64 `json:"CurrencyRate"`
}

// CreditSummary is a credit note, overpayment or prepayment applied to an
// invoice, as Invoice.CreditNotes, .Overpayments and .Prepayments list them:
// exactly one of the three id fields is set.
type CreditSummary struct {
	CreditNoteID     string `json:"CreditNoteID,omitempty"`
	CreditNoteNumber string `json:"CreditNoteNumber,omitempty"`
	OverpaymentID    string `json:"OverpaymentID,omitempty"`
	PrepaymentID     string `json:"PrepaymentID,omitempty"`
	Date             MSDate `json:"Date"`
	AppliedAmount    Money  `json:"AppliedAmount"`
	Total            Money  `json:"Total"`
}

// Allocation applies a credit (credit note, overpayment, prepayment) to an invoice.
type Allocation struct {
	AllocationID string     `json:"AllocationID"`
	Amount       Money      `json:"Amount"`
	Date         MSDate     `json:"Date"`
	Invoice      InvoiceRef `json:"Invoice"`
}

// Invoice is a sales invoice (ACCREC) or a bill (ACCPAY) (GET /Invoices).
//
// Settlement is kept consistent: AmountDue = Total − AmountPaid −
// AmountCredited for DRAFT, SUBMITTED, AUTHORISED and PAID invoices; PAID
// exactly when an authorised invoice's AmountDue reaches 0, with
// FullyPaidOnDate the date of the settlement that did it; VOIDED and
// DELETED invoices have AmountDue 0, as Xero shows them.
type Invoice struct {
	Type                 string           `json:"Type"`
	InvoiceID            string           `json:"InvoiceID"`
	InvoiceNumber        string           `json:"InvoiceNumber,omitempty"`
	Reference            string           `json:"Reference,omitempty"`
	Payments             []PaymentSummary `json:"Payments,omitempty"`
	CreditNotes          []CreditSummary  `json:"CreditNotes,omitempty"`
	Prepayments          []CreditSummary  `json:"Prepayments,omitempty"`
	Overpayments         []CreditSummary  `json:"Overpayments,omitempty"`
	AmountDue            Money            `json:"AmountDue"`
	AmountPaid           Money            `json:"AmountPaid"`
	AmountCredited       Money            `json:"AmountCredited"`
	SentToContact        bool             `json:"SentToContact"`
	CurrencyRate         float64          `json:"CurrencyRate"`
	IsDiscounted         bool             `json:"IsDiscounted"`
	HasAttachments       bool             `json:"HasAttachments"`
	HasErrors            bool             `json:"HasErrors"`
	Contact              ContactRef       `json:"Contact"`
	DateString           string           `json:"DateString"`
	Date                 MSDate           `json:"Date"`
	DueDateString        string           `json:"DueDateString"`
	DueDate              MSDate           `json:"DueDate"`
	Status               string           `json:"Status"`
	LineAmountTypes      string           `json:"LineAmountTypes"`
	LineItems            []LineItem       `json:"LineItems,omitempty"`
	SubTotal             Money            `json:"SubTotal"`
	TotalTax             Money            `json:"TotalTax"`
	Total                Money            `json:"Total"`
	UpdatedDateUTC       MSDate           `json:"UpdatedDateUTC"`
	UpdatedDateUTCString string           `json:"UpdatedDateUTCString"`
	CurrencyCode         string           `json:"CurrencyCode"`
	FullyPaidOnDate      MSDate           `json:"FullyPaidOnDate,omitzero"`
}

// RecordID is the InvoiceID.
func (inv *Invoice) RecordID() string { return inv.InvoiceID }

// ChangeTime is UpdatedDateUTC.
func (inv *Invoice) ChangeTime() int64 { return int64(inv.UpdatedDateUTC) }

// summary returns the invoice without LineItems.
func (inv *Invoice) summary() *Invoice {
	c := *inv
	c.LineItems = nil
	return &c
}

// setUpdated moves UpdatedDateUTC and its string companion together.
func (inv *Invoice) setUpdated(at MSDate) {
	inv.UpdatedDateUTC, inv.UpdatedDateUTCString = at, utcString(at)
}

// settle recomputes AmountDue and Status from the amounts paid and
// credited; FullyPaidOnDate is set to date when this settles it.
func (inv *Invoice) settle(date MSDate) {
	switch inv.Status {
	case "VOIDED", "DELETED":
		inv.AmountDue = 0
		return
	}
	inv.AmountDue = inv.Total - inv.AmountPaid - inv.AmountCredited
	switch {
	case inv.Status == "AUTHORISED" && inv.AmountDue == 0:
		inv.Status, inv.FullyPaidOnDate = "PAID", date
	case inv.Status == "PAID" && inv.AmountDue != 0:
		inv.Status, inv.FullyPaidOnDate = "AUTHORISED", 0
	}
}

// CreditNote is a sales (ACCRECCREDIT) or purchase (ACCPAYCREDIT) credit
// note (GET /CreditNotes). RemainingCredit = Total − allocations − refunds;
// an authorised credit note with none left is PAID.
type CreditNote struct {
	CreditNoteID         string           `json:"CreditNoteID"`
	CreditNoteNumber     string           `json:"CreditNoteNumber,omitempty"`
	Type                 string           `json:"Type"`
	Reference            string           `json:"Reference,omitempty"`
	Contact              ContactRef       `json:"Contact"`
	DateString           string           `json:"DateString"`
	Date                 MSDate           `json:"Date"`
	Status               string           `json:"Status"`
	LineAmountTypes      string           `json:"LineAmountTypes"`
	LineItems            []LineItem       `json:"LineItems,omitempty"`
	SubTotal             Money            `json:"SubTotal"`
	TotalTax             Money            `json:"TotalTax"`
	Total                Money            `json:"Total"`
	UpdatedDateUTC       MSDate           `json:"UpdatedDateUTC"`
	UpdatedDateUTCString string           `json:"UpdatedDateUTCString"`
	CurrencyCode         string           `json:"CurrencyCode"`
	CurrencyRate         float64          `json:"CurrencyRate"`
	FullyPaidOnDate      MSDate           `json:"FullyPaidOnDate,omitzero"`
	RemainingCredit      Money            `json:"RemainingCredit"`
	Allocations          []Allocation     `json:"Allocations,omitempty"`
	Payments             []PaymentSummary `json:"Payments,omitempty"`
	SentToContact        bool             `json:"SentToContact"`
	HasAttachments       bool             `json:"HasAttachments"`
}

// RecordID is the CreditNoteID.
func (cn *CreditNote) RecordID() string { return cn.CreditNoteID }

// ChangeTime is UpdatedDateUTC.
func (cn *CreditNote) ChangeTime() int64 { return int64(cn.UpdatedDateUTC) }

// summary returns the credit note without LineItems.
func (cn *CreditNote) summary() *CreditNote {
	c := *cn
	c.LineItems = nil
	return &c
}

// setUpdated moves UpdatedDateUTC and its string companion together.
func (cn *CreditNote) setUpdated(at MSDate) {
	cn.UpdatedDateUTC, cn.UpdatedDateUTCString = at, utcString(at)
}

// Payment settles an invoice or refunds a credit note (GET /Payments).
// Amount is in the document's currency, BankAmount in the bank account's
// (always the base currency in the sandbox).
type Payment struct {
	PaymentID            string        `json:"PaymentID"`
	Date                 MSDate        `json:"Date"`
	Amount               Money         `json:"Amount"`
	BankAmount           Money         `json:"BankAmount"`
	CurrencyRate         float64       `json:"CurrencyRate"`
	Reference            string        `json:"Reference,omitempty"`
	IsReconciled         bool          `json:"IsReconciled"`
	Status               string        `json:"Status"`
	PaymentType          string        `json:"PaymentType"`
	UpdatedDateUTC       MSDate        `json:"UpdatedDateUTC"`
	UpdatedDateUTCString string        `json:"UpdatedDateUTCString"`
	HasAccount           bool          `json:"HasAccount"`
	Account              AccountRef    `json:"Account"`
	Invoice              InvoiceRef    `json:"Invoice,omitzero"`
	CreditNote           CreditNoteRef `json:"CreditNote,omitzero"`
	BatchPaymentID       string        `json:"BatchPaymentID,omitempty"`
}

// RecordID is the PaymentID.
func (p *Payment) RecordID() string { return p.PaymentID }

// ChangeTime is UpdatedDateUTC.
func (p *Payment) ChangeTime() int64 { return int64(p.UpdatedDateUTC) }

// setUpdated moves UpdatedDateUTC and its string companion together.
func (p *Payment) setUpdated(at MSDate) {
	p.UpdatedDateUTC, p.UpdatedDateUTCString = at, utcString(at)
}

// Overpayment is money received from a customer (RECEIVE-OVERPAYMENT) or
// paid to a supplier (SPEND-OVERPAYMENT) beyond what was due (GET /Overpayments).
type Overpayment struct {
	OverpaymentID        string       `json:"OverpaymentID"`
	Type                 string       `json:"Type"`
	Reference            string       `json:"Reference,omitempty"`
	Contact              ContactRef   `json:"Contact"`
	DateString           string       `json:"DateString"`
	Date                 MSDate       `json:"Date"`
	Status               string       `json:"Status"`
	LineAmountTypes      string       `json:"LineAmountTypes"`
	LineItems            []LineItem   `json:"LineItems,omitempty"`
	SubTotal             Money        `json:"SubTotal"`
	TotalTax             Money        `json:"TotalTax"`
	Total                Money        `json:"Total"`
	UpdatedDateUTC       MSDate       `json:"UpdatedDateUTC"`
	UpdatedDateUTCString string       `json:"UpdatedDateUTCString"`
	CurrencyCode         string       `json:"CurrencyCode"`
	CurrencyRate         float64      `json:"CurrencyRate"`
	RemainingCredit      Money        `json:"RemainingCredit"`
	Allocations          []Allocation `json:"Allocations,omitempty"`
	HasAttachments       bool         `json:"HasAttachments"`
}

// RecordID is the OverpaymentID.
func (op *Overpayment) RecordID() string { return op.OverpaymentID }

// ChangeTime is UpdatedDateUTC.
func (op *Overpayment) ChangeTime() int64 { return int64(op.UpdatedDateUTC) }

// summary returns the overpayment without LineItems.
func (op *Overpayment) summary() *Overpayment {
	c := *op
	c.LineItems = nil
	return &c
}

// setUpdated moves UpdatedDateUTC and its string companion together.
func (op *Overpayment) setUpdated(at MSDate) {
	op.UpdatedDateUTC, op.UpdatedDateUTCString = at, utcString(at)
}

// Prepayment is money received (RECEIVE-PREPAYMENT) or paid
// (SPEND-PREPAYMENT) before the invoice it settles (GET /Prepayments).
type Prepayment struct {
	PrepaymentID         string       `json:"PrepaymentID"`
	Type                 string       `json:"Type"`
	Reference            string       `json:"Reference,omitempty"`
	Contact              ContactRef   `json:"Contact"`
	DateString           string       `json:"DateString"`
	Date                 MSDate       `json:"Date"`
	Status               string       `json:"Status"`
	LineAmountTypes      string       `json:"LineAmountTypes"`
	LineItems            []LineItem   `json:"LineItems,omitempty"`
	SubTotal             Money        `json:"SubTotal"`
	TotalTax             Money        `json:"TotalTax"`
	Total                Money        `json:"Total"`
	UpdatedDateUTC       MSDate       `json:"UpdatedDateUTC"`
	UpdatedDateUTCString string       `json:"UpdatedDateUTCString"`
	CurrencyCode         string       `json:"CurrencyCode"`
	CurrencyRate         float64      `json:"CurrencyRate"`
	RemainingCredit      Money        `json:"RemainingCredit"`
	Allocations          []Allocation `json:"Allocations,omitempty"`
	HasAttachments       bool         `json:"HasAttachments"`
}

// RecordID is the PrepaymentID.
func (pp *Prepayment) RecordID() string { return pp.PrepaymentID }

// ChangeTime is UpdatedDateUTC.
func (pp *Prepayment) ChangeTime() int64 { return int64(pp.UpdatedDateUTC) }

// summary returns the prepayment without LineItems.
func (pp *Prepayment) summary() *Prepayment {
	c := *pp
	c.LineItems = nil
	return &c
}

// setUpdated moves UpdatedDateUTC and its string companion together.
func (pp *Prepayment) setUpdated(at MSDate) {
	pp.UpdatedDateUTC, pp.UpdatedDateUTCString = at, utcString(at)
}

// BankTransaction is money in (RECEIVE) or out (SPEND) of a bank account
// (GET /BankTransactions). The -OVERPAYMENT, -PREPAYMENT and -TRANSFER
// types are the bank side of those records and post no journal of their own.
type BankTransaction struct {
	BankTransactionID string     `json:"BankTransactionID"`
	Type              string     `json:"Type"`
	Contact           ContactRef `json:"Contact,omitzero"`
	BankAccount       AccountRef `json:"BankAccount"`
	IsReconciled      bool       `json:"IsReconciled"`
	DateString        string     `json:"DateString"`
	Date              MSDate     `json:"Date"`
	Reference         string     `json:"Reference,omitempty"`
	CurrencyCode      string     `json:"CurrencyCode"`
	CurrencyRate      float64    `json:"CurrencyRate"`
	Status            string     `json:"Status"`
	LineAmountTypes   string     `json:"LineAmountTypes"`
	// LineItems is omitted from summaries although the spec's schema marks
	// it required: list calls without page send no lines (xero-api.md §3),
	// and the reference wins where the two disagree.
	LineItems      []LineItem `json:"LineItems,omitempty"`
	SubTotal       Money      `json:"SubTotal"`
	TotalTax       Money      `json:"TotalTax"`
	Total          Money      `json:"Total"`
	PrepaymentID   string     `json:"PrepaymentID,omitempty"`
	OverpaymentID  string     `json:"OverpaymentID,omitempty"`
	UpdatedDateUTC MSDate     `json:"UpdatedDateUTC"`
	HasAttachments bool       `json:"HasAttachments"`
}

// RecordID is the BankTransactionID.
func (bt *BankTransaction) RecordID() string { return bt.BankTransactionID }

// ChangeTime is UpdatedDateUTC.
func (bt *BankTransaction) ChangeTime() int64 { return int64(bt.UpdatedDateUTC) }

// summary returns the transaction without LineItems.
func (bt *BankTransaction) summary() *BankTransaction {
	c := *bt
	c.LineItems = nil
	return &c
}

// BankTransfer moves money between two bank accounts (GET /BankTransfers).
// It has no UpdatedDateUTC: CreatedDateUTC is its change time, so a later
// soft delete (Status DELETED) is invisible to If-Modified-Since, as in Xero.
type BankTransfer struct {
	BankTransferID        string     `json:"BankTransferID"`
	CreatedDateUTC        MSDate     `json:"CreatedDateUTC"`
	DateString            string     `json:"DateString"`
	Date                  MSDate     `json:"Date"`
	Status                string     `json:"Status"`
	FromBankAccount       AccountRef `json:"FromBankAccount"`
	ToBankAccount         AccountRef `json:"ToBankAccount"`
	Amount                Money      `json:"Amount"`
	CurrencyRate          float64    `json:"CurrencyRate"`
	FromBankTransactionID string     `json:"FromBankTransactionID"`
	ToBankTransactionID   string     `json:"ToBankTransactionID"`
	FromIsReconciled      bool       `json:"FromIsReconciled"`
	ToIsReconciled        bool       `json:"ToIsReconciled"`
	Reference             string     `json:"Reference,omitempty"`
	HasAttachments        bool       `json:"HasAttachments"`
}

// RecordID is the BankTransferID.
func (bt *BankTransfer) RecordID() string { return bt.BankTransferID }

// ChangeTime is CreatedDateUTC.
func (bt *BankTransfer) ChangeTime() int64 { return int64(bt.CreatedDateUTC) }

// ManualJournal is a journal entered by hand (GET /ManualJournals). Its
// lines balance: LineAmounts (positive debit, negative credit) sum to zero.
type ManualJournal struct {
	ManualJournalID        string              `json:"ManualJournalID"`
	Narration              string              `json:"Narration"`
	Date                   MSDate              `json:"Date"`
	Status                 string              `json:"Status"`
	LineAmountTypes        string              `json:"LineAmountTypes"`
	ShowOnCashBasisReports bool                `json:"ShowOnCashBasisReports"`
	HasAttachments         bool                `json:"HasAttachments"`
	UpdatedDateUTC         MSDate              `json:"UpdatedDateUTC"`
	JournalLines           []ManualJournalLine `json:"JournalLines,omitempty"`
}

// RecordID is the ManualJournalID.
func (mj *ManualJournal) RecordID() string { return mj.ManualJournalID }

// ChangeTime is UpdatedDateUTC.
func (mj *ManualJournal) ChangeTime() int64 { return int64(mj.UpdatedDateUTC) }

// summary returns the manual journal without JournalLines.
func (mj *ManualJournal) summary() *ManualJournal {
	c := *mj
	c.JournalLines = nil
	return &c
}

// ManualJournalLine is one line of a manual journal.
type ManualJournalLine struct {
	LineAmount  Money         `json:"LineAmount"`
	AccountCode string        `json:"AccountCode"`
	AccountID   string        `json:"AccountID"`
	Description string        `json:"Description,omitempty"`
	TaxType     string        `json:"TaxType,omitempty"`
	TaxAmount   Money         `json:"TaxAmount"`
	Tracking    []TrackingRef `json:"Tracking,omitempty"`
	IsBlank     bool          `json:"IsBlank"`
}

// PurchaseOrder is an order to a supplier (GET /PurchaseOrders); it posts no journal.
type PurchaseOrder struct {
	PurchaseOrderID     string     `json:"PurchaseOrderID"`
	PurchaseOrderNumber string     `json:"PurchaseOrderNumber"`
	Reference           string     `json:"Reference,omitempty"`
	Contact             ContactRef `json:"Contact"`
	DateString          string     `json:"DateString"`
	Date                MSDate     `json:"Date"`
	DeliveryDateString  string     `json:"DeliveryDateString,omitempty"`
	DeliveryDate        MSDate     `json:"DeliveryDate,omitzero"`
	AttentionTo         string     `json:"AttentionTo,omitempty"`
	Status              string     `json:"Status"`
	LineAmountTypes     string     `json:"LineAmountTypes"`
	LineItems           []LineItem `json:"LineItems,omitempty"`
	SubTotal            Money      `json:"SubTotal"`
	TotalTax            Money      `json:"TotalTax"`
	Total               Money      `json:"Total"`
	CurrencyCode        string     `json:"CurrencyCode"`
	CurrencyRate        float64    `json:"CurrencyRate"`
	SentToContact       bool       `json:"SentToContact"`
	HasAttachments      bool       `json:"HasAttachments"`
	UpdatedDateUTC      MSDate     `json:"UpdatedDateUTC"`
}

// RecordID is the PurchaseOrderID.
func (po *PurchaseOrder) RecordID() string { return po.PurchaseOrderID }

// ChangeTime is UpdatedDateUTC.
func (po *PurchaseOrder) ChangeTime() int64 { return int64(po.UpdatedDateUTC) }

// summary returns the purchase order without LineItems.
func (po *PurchaseOrder) summary() *PurchaseOrder {
	c := *po
	c.LineItems = nil
	return &c
}

// Quote is a quote to a customer (GET /Quotes); it posts no journal. Its
// LineAmountTypes uses the upper-case QuoteLineAmountTypes enum.
type Quote struct {
	QuoteID          string     `json:"QuoteID"`
	QuoteNumber      string     `json:"QuoteNumber"`
	Reference        string     `json:"Reference,omitempty"`
	Terms            string     `json:"Terms,omitempty"`
	Contact          ContactRef `json:"Contact"`
	LineItems        []LineItem `json:"LineItems,omitempty"`
	Date             MSDate     `json:"Date"`
	DateString       string     `json:"DateString"`
	ExpiryDate       MSDate     `json:"ExpiryDate,omitzero"`
	ExpiryDateString string     `json:"ExpiryDateString,omitempty"`
	Status           string     `json:"Status"`
	CurrencyCode     string     `json:"CurrencyCode"`
	CurrencyRate     float64    `json:"CurrencyRate"`
	SubTotal         Money      `json:"SubTotal"`
	TotalTax         Money      `json:"TotalTax"`
	Total            Money      `json:"Total"`
	Title            string     `json:"Title,omitempty"`
	Summary          string     `json:"Summary,omitempty"`
	UpdatedDateUTC   MSDate     `json:"UpdatedDateUTC"`
	LineAmountTypes  string     `json:"LineAmountTypes"`
	// HasAttachments is not in the spec's Quote schema (which allows extra
	// fields); quotes do have attachments, and clients use the flag to
	// list them only where there are some.
	HasAttachments bool `json:"HasAttachments"`
}

// RecordID is the QuoteID.
func (q *Quote) RecordID() string { return q.QuoteID }

// ChangeTime is UpdatedDateUTC.
func (q *Quote) ChangeTime() int64 { return int64(q.UpdatedDateUTC) }

// summary returns the quote without LineItems.
func (q *Quote) summary() *Quote {
	c := *q
	c.LineItems = nil
	return &c
}

// BatchPayment groups payments made or received in one bank movement
// (GET /BatchPayments). Each member is also a Payment with BatchPaymentID set.
type BatchPayment struct {
	BatchPaymentID string             `json:"BatchPaymentID"`
	Account        AccountRef         `json:"Account"`
	Reference      string             `json:"Reference,omitempty"`
	DateString     string             `json:"DateString"`
	Date           MSDate             `json:"Date"`
	Type           string             `json:"Type"`
	Status         string             `json:"Status"`
	TotalAmount    Money              `json:"TotalAmount"`
	IsReconciled   bool               `json:"IsReconciled"`
	UpdatedDateUTC MSDate             `json:"UpdatedDateUTC"`
	Payments       []BatchPaymentLine `json:"Payments,omitempty"`
}

// RecordID is the BatchPaymentID.
func (b *BatchPayment) RecordID() string { return b.BatchPaymentID }

// ChangeTime is UpdatedDateUTC.
func (b *BatchPayment) ChangeTime() int64 { return int64(b.UpdatedDateUTC) }

// BatchPaymentLine is one payment of a batch as the batch lists it.
type BatchPaymentLine struct {
	PaymentID  string     `json:"PaymentID"`
	Amount     Money      `json:"Amount"`
	BankAmount Money      `json:"BankAmount"`
	Invoice    InvoiceRef `json:"Invoice"`
}

// Journal is one double-entry posting derived from a source transaction
// (GET /Journals). Journals are append-only: voiding or deleting a source
// posts a reversing journal. JournalNumber increases with gaps and
// CreatedDateUTC strictly increases with it.
type Journal struct {
	JournalID      string        `json:"JournalID"`
	JournalDate    MSDate        `json:"JournalDate"`
	JournalNumber  int64         `json:"JournalNumber"`
	CreatedDateUTC MSDate        `json:"CreatedDateUTC"`
	Reference      string        `json:"Reference,omitempty"`
	SourceID       string        `json:"SourceID,omitempty"`
	SourceType     string        `json:"SourceType,omitempty"`
	JournalLines   []JournalLine `json:"JournalLines,omitempty"`
}

// RecordID is the JournalID.
func (j *Journal) RecordID() string { return j.JournalID }

// ChangeTime is CreatedDateUTC, which orders journals as JournalNumber does.
func (j *Journal) ChangeTime() int64 { return int64(j.CreatedDateUTC) }

// JournalLine is one account movement of a journal: NetAmount is positive
// for a debit and negative for a credit, GrossAmount = NetAmount + TaxAmount.
// A journal's NetAmounts sum to zero.
type JournalLine struct {
	JournalLineID      string        `json:"JournalLineID"`
	AccountID          string        `json:"AccountID"`
	AccountCode        string        `json:"AccountCode"`
	AccountType        string        `json:"AccountType"`
	AccountName        string        `json:"AccountName"`
	Description        string        `json:"Description,omitempty"`
	NetAmount          Money         `json:"NetAmount"`
	GrossAmount        Money         `json:"GrossAmount"`
	TaxAmount          Money         `json:"TaxAmount"`
	TaxType            string        `json:"TaxType,omitempty"`
	TaxName            string        `json:"TaxName,omitempty"`
	TrackingCategories []TrackingRef `json:"TrackingCategories,omitempty"`
}
