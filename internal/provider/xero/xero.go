// Package xero is DataPull's connector for the Xero Accounting API: sign-in
// (OAuth 2.0 with PKCE, rotating refresh tokens), the organisations a
// sign-in reaches (GET /connections), and for one organisation every
// endpoint of shared/PRODUCT.md §3 as a provider.Endpoint.
//
// How each endpoint is read follows shared/reference/xero-api.md:
//   - the paged transaction endpoints page newest first with
//     If-Modified-Since (scanDesc says why newest first);
//   - ManualJournals advance If-Modified-Since instead (scanAdvance);
//   - Journals page by JournalNumber offset (journals.go);
//   - the unpaged endpoints take If-Modified-Since in one call, and the
//     small reference endpoints are read whole every pull;
//   - reports are read per month of the current financial year;
//   - attachment metadata is read only for records that say they have some.
//
// The connector sleeps and retries nowhere: the *http.Client it is given
// (the pacer) does. What it must turn into words for the user (a missing
// scope, journals off the plan, a lost connection) comes back as the typed
// errors of package provider.
package xero

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
)

const (
	// DefaultClientID is DataPull's public (PKCE) client at Xero.
	DefaultClientID = "datapull"
	// DefaultSweepEvery is how often a standard sync reads an incremental
	// endpoint in full anyway, for hard deletes and the edits
	// If-Modified-Since cannot see (X19, BankTransfers).
	DefaultSweepEvery = 7 * 24 * time.Hour
	// MaxPageSize is the largest pageSize Xero serves (since July 2024),
	// and the one the connector sends by default.
	MaxPageSize = 1000
)

// Source is the Xero source. Build it with New.
type Source struct {
	clientID    string
	broadScopes bool
	sweepEvery  time.Duration
	pageSize    int
}

// Option configures a Source.
type Option func(*Source)

// WithClientID sets the OAuth client id (the sandbox's is "datapull-sandbox").
func WithClientID(id string) Option { return func(s *Source) { s.clientID = id } }

// WithBroadScopes asks for the broad scopes (accounting.transactions.read,
// accounting.reports.read, ...) that apps created before March 2026 hold,
// instead of the granular scopes newer apps must use.
func WithBroadScopes(broad bool) Option { return func(s *Source) { s.broadScopes = broad } }

// WithSweepEvery sets how often incremental endpoints are read in full
// (EndpointInfo.SweepEvery); 0 turns sweeps off.
func WithSweepEvery(d time.Duration) Option { return func(s *Source) { s.sweepEvery = d } }

// WithPageSize sets the pageSize sent to paged endpoints, clamped to
// 1..MaxPageSize. Fewer calls is what the day's allowance wants, so only
// tests have reason to lower it.
func WithPageSize(n int) Option {
	return func(s *Source) { s.pageSize = min(max(n, 1), MaxPageSize) }
}

// New returns the Xero source.
func New(opts ...Option) *Source {
	s := &Source{clientID: DefaultClientID, sweepEvery: DefaultSweepEvery, pageSize: MaxPageSize}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name is "xero".
func (s *Source) Name() string { return "xero" }

// Catalog lists every endpoint, in the order they are pulled.
func (s *Source) Catalog() []provider.EndpointInfo { return provider.Infos(s.endpoints(nil)) }

// DefaultBaseURLs are Xero's own hosts.
func (s *Source) DefaultBaseURLs() provider.BaseURLs {
	return provider.BaseURLs{Auth: "https://login.xero.com", Token: "https://identity.xero.com", API: "https://api.xero.com"}
}

// OAuth describes Xero's sign-in: authorization code with PKCE for a
// public client, refresh tokens that rotate on every use.
func (s *Source) OAuth(base provider.BaseURLs) provider.OAuthSpec {
	return provider.OAuthSpec{
		AuthURL:              trimSlash(base.Auth) + "/identity/connect/authorize",
		TokenURL:             trimSlash(base.Token) + "/connect/token",
		RevokeURL:            trimSlash(base.Token) + "/connect/revocation",
		ClientID:             s.clientID,
		Scopes:               s.scopes(),
		RotatesRefreshTokens: true,
	}
}

// scopes are offline_access (for a refresh token) and the read scopes of
// every endpoint. Apps created since 2 March 2026 can only hold the
// granular ones; older apps keep the broad ones until September 2027.
func (s *Source) scopes() []string {
	if s.broadScopes {
		return []string{"offline_access", "accounting.transactions.read", "accounting.contacts.read",
			"accounting.settings.read", "accounting.reports.read", "accounting.journals.read",
			"accounting.attachments.read"}
	}
	return []string{"offline_access", "accounting.invoices.read", "accounting.payments.read",
		"accounting.banktransactions.read", "accounting.manualjournals.read", "accounting.contacts.read",
		"accounting.settings.read", "accounting.reports.trialbalance.read", "accounting.reports.profitandloss.read",
		"accounting.reports.balancesheet.read", "accounting.journals.read", "accounting.attachments.read"}
}

// Accounts lists the organisations the sign-in reaches: GET /connections,
// a bare array, one entry per connected tenant.
func (s *Source) Accounts(ctx context.Context, base provider.BaseURLs, hc *http.Client) ([]provider.Account, error) {
	var conns []api.Connection
	if err := getJSON(ctx, hc, trimSlash(base.API)+"/connections", "connections", &conns); err != nil {
		return nil, fmt.Errorf("xero: list connections: %w", err)
	}
	out := make([]provider.Account, 0, len(conns))
	for _, c := range conns {
		if c.TenantID == "" {
			continue
		}
		out = append(out, provider.Account{ID: c.TenantID, Name: c.TenantName,
			Extra: map[string]string{"connectionId": c.ID, "tenantType": c.TenantType}})
	}
	return out, nil
}

// Open returns the endpoints of one organisation. Every call they make
// names the tenant in xero-tenant-id and asks for JSON.
func (s *Source) Open(base provider.BaseURLs, account provider.Account, hc *http.Client) ([]provider.Endpoint, error) {
	if account.ID == "" {
		return nil, errors.New("xero: open: the account has no tenant id")
	}
	if hc == nil {
		return nil, errors.New("xero: open: no HTTP client")
	}
	return s.endpoints(&conn{hc: hc, api: trimSlash(base.API) + "/api.xro/2.0", tenant: account.ID}), nil
}

func trimSlash(u string) string { return strings.TrimRight(u, "/") }

// entities are the list endpoints, keyed by DataPull name, as
// xero-api.md §4 tabulates them.
func entities() map[string]entity {
	includeArchived := url.Values{"includeArchived": {"true"}}
	includeDeleted := url.Values{"includeDeleted": {"true"}}
	list := []entity{
		{name: "organisation", path: "Organisation", arrayKey: "Organisations", idField: "OrganisationID", kind: reference},
		{name: "accounts", path: "Accounts", idField: "AccountID", timeField: "UpdatedDateUTC", kind: unpagedIMS, where: true},
		// Archived contacts are left out unless asked for (G2).
		{name: "contacts", path: "Contacts", idField: "ContactID", timeField: "UpdatedDateUTC", kind: pagedDesc, query: includeArchived, where: true},
		{name: "contact_groups", path: "ContactGroups", idField: "ContactGroupID", kind: reference},
		{name: "invoices", path: "Invoices", idField: "InvoiceID", timeField: "UpdatedDateUTC", kind: pagedDesc, where: true},
		{name: "credit_notes", path: "CreditNotes", idField: "CreditNoteID", timeField: "UpdatedDateUTC", kind: pagedDesc, where: true},
		{name: "payments", path: "Payments", idField: "PaymentID", timeField: "UpdatedDateUTC", kind: pagedDesc, where: true},
		{name: "overpayments", path: "Overpayments", idField: "OverpaymentID", timeField: "UpdatedDateUTC", kind: pagedDesc, where: true},
		{name: "prepayments", path: "Prepayments", idField: "PrepaymentID", timeField: "UpdatedDateUTC", kind: pagedDesc, where: true},
		{name: "bank_transactions", path: "BankTransactions", idField: "BankTransactionID", timeField: "UpdatedDateUTC", kind: pagedDesc, where: true},
		// Transfers have no UpdatedDateUTC, and soft-deleted ones are hidden
		// unless asked for (OPENAPI-822).
		{name: "bank_transfers", path: "BankTransfers", idField: "BankTransferID", timeField: "CreatedDateUTC", kind: unpagedIMS, query: includeDeleted, where: true},
		{name: "manual_journals", path: "ManualJournals", idField: "ManualJournalID", timeField: "UpdatedDateUTC", kind: imsAdvance, where: true},
		{name: "items", path: "Items", idField: "ItemID", timeField: "UpdatedDateUTC", kind: unpagedIMS, where: true},
		{name: "tax_rates", path: "TaxRates", idField: "TaxType", kind: reference},
		{name: "tracking_categories", path: "TrackingCategories", idField: "TrackingCategoryID", kind: reference, query: includeArchived},
		{name: "currencies", path: "Currencies", idField: "Code", kind: reference},
		{name: "users", path: "Users", idField: "UserID", timeField: "UpdatedDateUTC", kind: unpagedIMS, where: true},
		{name: "purchase_orders", path: "PurchaseOrders", idField: "PurchaseOrderID", timeField: "UpdatedDateUTC", kind: pagedDesc},
		// Quotes page but take no pageSize: 100 a page.
		{name: "quotes", path: "Quotes", idField: "QuoteID", timeField: "UpdatedDateUTC", kind: pagedDesc, fixedPage: 100},
		{name: "batch_payments", path: "BatchPayments", idField: "BatchPaymentID", timeField: "UpdatedDateUTC", kind: unpagedIMS, where: true},
	}
	m := make(map[string]entity, len(list))
	for _, e := range list {
		m[e.name] = e
	}
	return m
}

// endpoints builds every endpoint in catalogue order; c is nil for the
// catalogue alone.
func (s *Source) endpoints(c *conn) []provider.Endpoint {
	ents := entities()
	listed := func(name string) provider.Endpoint {
		e := ents[name]
		info := provider.EndpointInfo{Name: name}
		if e.kind != reference {
			info.Incremental, info.IncrementalHow, info.SweepEvery = true, e.incrementalHow(), s.sweepEvery
		}
		return &listEndpoint{info: info, l: lister{c: c, e: e, pageSize: s.pageSize}}
	}
	var out []provider.Endpoint
	for _, name := range []string{"organisation", "accounts", "contacts", "contact_groups", "invoices",
		"credit_notes", "payments", "overpayments", "prepayments", "bank_transactions", "bank_transfers",
		"manual_journals"} {
		out = append(out, listed(name))
	}
	out = append(out, &journalsEndpoint{c: c})
	for _, name := range []string{"items", "tax_rates", "tracking_categories", "currencies", "users",
		"purchase_orders", "quotes", "batch_payments"} {
		out = append(out, listed(name))
	}
	out = append(out, reportEndpoints(c)...)
	// Parents in the order the brief lists them; each is listed with its
	// own entity's paging.
	var parents []entity
	for _, name := range []string{"invoices", "credit_notes", "bank_transactions", "contacts", "manual_journals",
		"purchase_orders", "quotes", "accounts", "bank_transfers"} {
		parents = append(parents, ents[name])
	}
	out = append(out, &attachmentsEndpoint{c: c, parents: parents, pageSize: s.pageSize, sweepEvery: s.sweepEvery})
	return out
}

var _ provider.Source = (*Source)(nil)
