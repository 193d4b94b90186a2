package xero

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// The Accounting API, GET /api.xro/2.0/...: one generic list/read
// implementation (listSpec) configured per endpoint by the table in
// endpoints(), plus the few endpoints that do not fit it (Organisation,
// Journals, Reports, attachments).

// apiBase is the path under which the Accounting API lives, as on api.xero.com.
const apiBase = "/api.xro/2.0/"

// providerName is the app name Xero echoes in every envelope's ProviderName.
const providerName = "DataPull Sandbox"

// route is everything the dispatcher knows of one endpoint.
type route struct {
	name   string // as Xero spells it: "Invoices"
	scopes scopeRule
	list   apiHandler
	// get reads one record by key (id, or a number where Xero allows it);
	// nil when the endpoint has no single-record GET.
	get func(c *call, key string) (int, []byte, *apiError)
	// attachments lists a record's attachment metadata; nil when the
	// endpoint's records cannot carry attachments.
	attachments func(c *call, key string) (int, []byte, *apiError)
}

// listSpec describes how one endpoint lists and reads its records. Every
// endpoint is served by the same generic code; a spec says only what
// differs, as xero-api.md §3–§4 tabulates it.
type listSpec[T Record] struct {
	name     string
	scopes   scopeRule
	coll     func(*Org) *Collection[T]
	paged    bool // takes page (1-based)
	pageSize bool // takes pageSize (≤ 1000); Quotes take page but not pageSize
	ims      bool // honours If-Modified-Since
	where    bool // takes where (PurchaseOrders and Quotes do not)
	// summary strips line items: list calls without page return summaries.
	// Nil when the entity has no lines.
	summary func(T) T
	// visible hides what Xero leaves out unless asked (archived contacts
	// without includeArchived, deleted transfers without includeDeleted).
	visible func(q url.Values, r T) bool
	// trim shapes a record for a request (archived tracking options hidden
	// without includeArchived). Nil leaves records as they are.
	trim func(q url.Values, r T) T
	// params turns the endpoint's own list filters (IDs, Statuses, ...)
	// into a test; nil test when the request uses none.
	params func(q url.Values) (func(T) bool, *apiError)
	// byKey finds a record for GET /{name}/{key} by something other than
	// its id, such as an invoice number.
	byKey func(c *Collection[T], key string) (T, bool)
	// unpagedCap is how many records an unpaged list returns at most
	// (PurchaseOrders without page return the first 100); 0 means all.
	unpagedCap int
	// attachable says records can carry attachments (HasAttachments).
	attachable bool
}

// route builds the endpoint's dispatcher entry.
func (sp listSpec[T]) route(s *Server) route {
	rt := route{name: sp.name, scopes: sp.scopes, list: sp.list(s), get: sp.get(s)}
	if sp.attachable {
		rt.attachments = sp.attachmentsOf(s)
	}
	return rt
}

// pagination is the object Xero adds to paged responses since July 2024.
type pagination struct {
	Page      int `json:"page"`
	PageSize  int `json:"pageSize"`
	PageCount int `json:"pageCount"`
	ItemCount int `json:"itemCount"`
}

// list serves GET /{name}: If-Modified-Since, then the endpoint's own
// filters, where and order, then one page (or everything, unpaged).
func (sp listSpec[T]) list(s *Server) apiHandler {
	return func(c *call) (int, []byte, *apiError) {
		q := c.r.URL.Query()
		page, size, paged := 0, 0, false
		if sp.paged {
			var apiErr *apiError
			if page, size, paged, apiErr = parsePaging(q, sp.pageSize); apiErr != nil {
				return 0, nil, apiErr
			}
		}
		var since int64
		var hasSince bool
		if sp.ims {
			var apiErr *apiError
			if since, hasSince, apiErr = ifModifiedSince(c.r); apiErr != nil {
				return 0, nil, apiErr
			}
		}
		var test func(T) bool
		if sp.params != nil {
			var apiErr *apiError
			if test, apiErr = sp.params(q); apiErr != nil {
				return 0, nil, apiErr
			}
		}

		c.org.mu.RLock()
		defer c.org.mu.RUnlock()
		coll := sp.coll(c.org)
		if sp.paged && !paged && coll.Len() > s.cfg.HighVolumeThreshold {
			return 0, nil, errHighVolume(sp.name)
		}
		items := coll.All()
		if hasSince {
			items = coll.Since(since)
		}
		if sp.visible != nil {
			items = filter(items, func(r T) bool { return sp.visible(q, r) })
		}
		if test != nil {
			items = filter(items, test)
		}
		if w, ok := queryParam(q, "where"); ok && sp.where {
			var apiErr *apiError
			if items, apiErr = filterWhere(items, w); apiErr != nil {
				return 0, nil, apiErr
			}
		}
		order, hasOrder := queryParam(q, "order")
		if hasOrder {
			var apiErr *apiError
			if items, apiErr = orderRecords(items, order); apiErr != nil {
				return 0, nil, apiErr
			}
		}

		var pg *pagination
		switch {
		case paged && hasOrder && sp.name == "ManualJournals":
			// Xero's ManualJournals ignore paging when order is sent and
			// return every match on every page (tap-xero PR 104), so a
			// paginator that loops until a short page never stops.
		case paged:
			pg = &pagination{Page: max(page, 1), PageSize: size, ItemCount: len(items), PageCount: pageCount(len(items), size)}
			items = pageOf(items, pg.Page, size)
		case sp.unpagedCap > 0 && len(items) > sp.unpagedCap:
			// Reported of PurchaseOrders (pyxero #133; unverified for
			// other endpoints): without page only the first 100 come back.
			items = items[:sp.unpagedCap]
		}
		if (!paged && sp.summary != nil) || sp.trim != nil {
			shaped := make([]T, len(items))
			for i, r := range items {
				if !paged && sp.summary != nil {
					r = sp.summary(r)
				}
				if sp.trim != nil {
					r = sp.trim(q, r)
				}
				shaped[i] = r
			}
			items = shaped
		}
		return s.envelope(c, sp.name, pg, items)
	}
}

func filter[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, r := range items {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// get serves GET /{name}/{key}: the one record, line items included, in the
// same envelope as a list; an unknown key is Xero's plain-text 404.
func (sp listSpec[T]) get(s *Server) func(c *call, key string) (int, []byte, *apiError) {
	return func(c *call, key string) (int, []byte, *apiError) {
		c.org.mu.RLock()
		defer c.org.mu.RUnlock()
		r, ok := sp.find(c.org, key)
		if !ok {
			return 0, nil, errNotFound()
		}
		if sp.trim != nil {
			r = sp.trim(c.r.URL.Query(), r)
		}
		return s.envelope(c, sp.name, nil, []T{r})
	}
}

// find looks a record up by id (GUIDs in any case and form) or, where the
// endpoint allows, by its number.
func (sp listSpec[T]) find(o *Org, key string) (T, bool) {
	coll := sp.coll(o)
	if id, ok := parseGUID(key); ok {
		if r, ok := coll.Get(id); ok {
			return r, true
		}
	}
	if r, ok := coll.Get(key); ok {
		return r, true
	}
	if sp.byKey != nil {
		return sp.byKey(coll, key)
	}
	var zero T
	return zero, false
}

// attachmentsOf serves GET /{name}/{id}/Attachments: the record's
// attachment metadata (an empty list when it has none).
func (sp listSpec[T]) attachmentsOf(s *Server) func(c *call, key string) (int, []byte, *apiError) {
	return func(c *call, key string) (int, []byte, *apiError) {
		c.org.mu.RLock()
		defer c.org.mu.RUnlock()
		r, ok := sp.find(c.org, key)
		if !ok {
			return 0, nil, errNotFound()
		}
		list := c.org.Attachments[r.RecordID()]
		if list == nil {
			list = []*Attachment{}
		}
		return s.envelope(c, "Attachments", nil, list)
	}
}

// envelope writes Xero's response envelope around items:
// {"Id":…,"Status":"OK","ProviderName":…,"DateTimeUTC":"/Date(…)/","pagination":{…},"Invoices":[…]}.
func (s *Server) envelope(c *call, key string, pg *pagination, items any) (int, []byte, *apiError) {
	body, err := envelope(key, s.clock.Now().UnixMilli(), pg, items)
	if err != nil {
		return 0, nil, errServer(c.instance)
	}
	return http.StatusOK, body, nil
}

// envelope encodes the envelope; reports.go shares it.
func envelope(key string, nowMS int64, pg *pagination, items any) ([]byte, error) {
	list, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	if string(list) == "null" {
		list = []byte("[]")
	}
	b := make([]byte, 0, len(list)+256)
	b = append(b, `{"Id":"`...)
	b = append(b, sandbox.NewUUID()...)
	b = append(b, `","Status":"OK","ProviderName":"`...)
	b = append(b, providerName...)
	b = append(b, `","DateTimeUTC":"/Date(`...)
	b = strconv.AppendInt(b, nowMS, 10)
	b = append(b, `)/",`...)
	if pg != nil {
		p, err := json.Marshal(pg)
		if err != nil {
			return nil, err
		}
		b = append(b, `"pagination":`...)
		b = append(b, p...)
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":`...)
	b = append(b, list...)
	b = append(b, '}')
	return b, nil
}

// accountingRoutes mounts the Accounting API. Xero's paths are
// case-insensitive (/Invoices and /invoices are one endpoint), so one
// handler dispatches on the lower-cased endpoint name.
func (s *Server) accountingRoutes(mux *http.ServeMux) {
	table := map[string]route{}
	for _, rt := range s.endpoints() {
		table[strings.ToLower(rt.name)] = rt
	}
	mux.HandleFunc(apiBase, func(w http.ResponseWriter, r *http.Request) {
		s.dispatch(w, r, table)
	})
}

// dispatch routes /api.xro/2.0/{endpoint}[/{key}[/Attachments]] and
// /api.xro/2.0/Reports/{name}.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, table map[string]route) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, apiBase), "/"), "/")
	notFound := func() {
		setCorrelationID(w)
		errNotFound().Send(w)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// The sandbox is read-only through the Accounting API (its data
		// changes through /_sandbox/); Xero answers methods an endpoint
		// does not implement with its XML 501.
		setCorrelationID(w)
		errNotImplemented().Send(w)
		return
	}
	if strings.EqualFold(parts[0], "Reports") && len(parts) == 2 {
		h, scopes, ok := s.reportHandler(parts[1])
		if !ok {
			notFound()
			return
		}
		s.api("Reports/"+parts[1], scopes, h)(w, r)
		return
	}
	rt, ok := table[strings.ToLower(parts[0])]
	if !ok {
		notFound()
		return
	}
	switch {
	case len(parts) == 1:
		s.api(rt.name, rt.scopes, rt.list)(w, r)
	case len(parts) == 2 && rt.get != nil:
		key := parts[1]
		s.api(rt.name, rt.scopes, func(c *call) (int, []byte, *apiError) { return rt.get(c, key) })(w, r)
	case len(parts) == 3 && strings.EqualFold(parts[2], "Attachments") && rt.attachments != nil:
		key := parts[1]
		s.api(rt.name+"/Attachments", scopeAttachments, func(c *call) (int, []byte, *apiError) { return rt.attachments(c, key) })(w, r)
	default:
		notFound()
	}
}

// endpoints is the table of Accounting API endpoints the sandbox serves,
// with each one's paging, If-Modified-Since and filters as xero-api.md §4
// gives them.
func (s *Server) endpoints() []route {
	return []route{
		s.organisationRoute(),
		listSpec[*Account]{name: "Accounts", scopes: scopeSettings, coll: func(o *Org) *Collection[*Account] { return o.Accounts },
			ims: true, where: true, attachable: true}.route(s),
		listSpec[*Contact]{name: "Contacts", scopes: scopeContacts, coll: func(o *Org) *Collection[*Contact] { return o.Contacts },
			paged: true, pageSize: true, ims: true, where: true, attachable: true,
			visible: func(q url.Values, c *Contact) bool {
				return c.ContactStatus != "ARCHIVED" || boolParam(q, "includeArchived")
			},
			params: func(q url.Values) (func(*Contact) bool, *apiError) {
				ids, apiErr := guidListParam(q, "IDs")
				if apiErr != nil {
					return nil, apiErr
				}
				term, _ := queryParam(q, "searchTerm")
				term = strings.ToLower(term)
				if len(ids) == 0 && term == "" {
					return nil, nil
				}
				return func(c *Contact) bool {
					return (len(ids) == 0 || contains(ids, c.ContactID)) &&
						(term == "" || strings.Contains(strings.ToLower(c.Name), term) ||
							strings.Contains(strings.ToLower(c.EmailAddress), term))
				}, nil
			},
			byKey: func(c *Collection[*Contact], key string) (*Contact, bool) {
				return findBy(c, func(r *Contact) bool { return r.ContactNumber != "" && r.ContactNumber == key })
			}}.route(s),
		listSpec[*ContactGroup]{name: "ContactGroups", scopes: scopeContacts, coll: func(o *Org) *Collection[*ContactGroup] { return o.ContactGroups },
			where: true, summary: (*ContactGroup).summary}.route(s),
		listSpec[*Invoice]{name: "Invoices", scopes: scopeInvoices, coll: func(o *Org) *Collection[*Invoice] { return o.Invoices },
			paged: true, pageSize: true, ims: true, where: true, attachable: true, summary: (*Invoice).summary,
			params: invoiceParams,
			byKey: func(c *Collection[*Invoice], key string) (*Invoice, bool) {
				return findBy(c, func(r *Invoice) bool { return r.InvoiceNumber != "" && r.InvoiceNumber == key })
			}}.route(s),
		listSpec[*CreditNote]{name: "CreditNotes", scopes: scopeInvoices, coll: func(o *Org) *Collection[*CreditNote] { return o.CreditNotes },
			paged: true, pageSize: true, ims: true, where: true, attachable: true, summary: (*CreditNote).summary,
			byKey: func(c *Collection[*CreditNote], key string) (*CreditNote, bool) {
				return findBy(c, func(r *CreditNote) bool { return r.CreditNoteNumber != "" && r.CreditNoteNumber == key })
			}}.route(s),
		listSpec[*Payment]{name: "Payments", scopes: scopePayments, coll: func(o *Org) *Collection[*Payment] { return o.Payments },
			paged: true, pageSize: true, ims: true, where: true}.route(s),
		listSpec[*Overpayment]{name: "Overpayments", scopes: scopePayments, coll: func(o *Org) *Collection[*Overpayment] { return o.Overpayments },
			paged: true, pageSize: true, ims: true, where: true, summary: (*Overpayment).summary}.route(s),
		listSpec[*Prepayment]{name: "Prepayments", scopes: scopePayments, coll: func(o *Org) *Collection[*Prepayment] { return o.Prepayments },
			paged: true, pageSize: true, ims: true, where: true, summary: (*Prepayment).summary}.route(s),
		listSpec[*BankTransaction]{name: "BankTransactions", scopes: scopeBank, coll: func(o *Org) *Collection[*BankTransaction] { return o.BankTransactions },
			paged: true, pageSize: true, ims: true, where: true, attachable: true, summary: (*BankTransaction).summary}.route(s),
		listSpec[*BankTransfer]{name: "BankTransfers", scopes: scopeBank, coll: func(o *Org) *Collection[*BankTransfer] { return o.BankTransfers },
			ims: true, where: true, attachable: true,
			// Soft-deleted transfers (July 2026) stay hidden unless asked
			// for, so an incremental client never sees them go (OPENAPI-822).
			visible: func(q url.Values, t *BankTransfer) bool {
				return t.Status != "DELETED" || boolParam(q, "includeDeleted")
			}}.route(s),
		listSpec[*ManualJournal]{name: "ManualJournals", scopes: scopeManual, coll: func(o *Org) *Collection[*ManualJournal] { return o.ManualJournals },
			paged: true, pageSize: true, ims: true, where: true, attachable: true, summary: (*ManualJournal).summary}.route(s),
		s.journalsRoute(),
		listSpec[*Item]{name: "Items", scopes: scopeSettings, coll: func(o *Org) *Collection[*Item] { return o.Items },
			ims: true, where: true}.route(s),
		listSpec[*TaxRate]{name: "TaxRates", scopes: scopeSettings, coll: func(o *Org) *Collection[*TaxRate] { return o.TaxRates },
			where: true}.route(s),
		listSpec[*TrackingCategory]{name: "TrackingCategories", scopes: scopeSettings, coll: func(o *Org) *Collection[*TrackingCategory] { return o.TrackingCategories },
			where: true,
			visible: func(q url.Values, t *TrackingCategory) bool {
				return t.Status != "ARCHIVED" || boolParam(q, "includeArchived")
			},
			trim: trimTrackingOptions}.route(s),
		listSpec[*Currency]{name: "Currencies", scopes: scopeSettings, coll: func(o *Org) *Collection[*Currency] { return o.Currencies },
			where: true}.route(s),
		listSpec[*OrgUser]{name: "Users", scopes: scopeSettings, coll: func(o *Org) *Collection[*OrgUser] { return o.Users },
			ims: true, where: true}.route(s),
		listSpec[*PurchaseOrder]{name: "PurchaseOrders", scopes: scopeInvoices, coll: func(o *Org) *Collection[*PurchaseOrder] { return o.PurchaseOrders },
			paged: true, pageSize: true, ims: true, attachable: true, summary: (*PurchaseOrder).summary, unpagedCap: 100,
			params: func(q url.Values) (func(*PurchaseOrder) bool, *apiError) {
				return dateStatusFilter(q, func(p *PurchaseOrder) (string, MSDate) { return p.Status, p.Date })
			},
			byKey: func(c *Collection[*PurchaseOrder], key string) (*PurchaseOrder, bool) {
				return findBy(c, func(r *PurchaseOrder) bool { return r.PurchaseOrderNumber != "" && r.PurchaseOrderNumber == key })
			}}.route(s),
		listSpec[*Quote]{name: "Quotes", scopes: scopeInvoices, coll: func(o *Org) *Collection[*Quote] { return o.Quotes },
			paged: true, ims: true, attachable: true, summary: (*Quote).summary,
			params: quoteParams}.route(s),
		listSpec[*BatchPayment]{name: "BatchPayments", scopes: scopePayments, coll: func(o *Org) *Collection[*BatchPayment] { return o.BatchPayments },
			ims: true, where: true}.route(s),
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// findBy scans a collection for the first record that matches; for
// look-ups by number, which are rare enough not to need an index.
func findBy[T Record](c *Collection[T], match func(T) bool) (T, bool) {
	for _, r := range c.All() {
		if match(r) {
			return r, true
		}
	}
	var zero T
	return zero, false
}

// boolParam reads a true/false query parameter; anything but "true" (in
// any case) is false, as ASP.NET's binder treats a missing value.
func boolParam(q url.Values, name string) bool {
	v, _ := queryParam(q, name)
	return strings.EqualFold(v, "true")
}

// invoiceParams reads Invoices' explicit filters, which Xero recommends
// over where: IDs, InvoiceNumbers, ContactIDs, Statuses.
func invoiceParams(q url.Values) (func(*Invoice) bool, *apiError) {
	ids, apiErr := guidListParam(q, "IDs")
	if apiErr != nil {
		return nil, apiErr
	}
	contacts, apiErr := guidListParam(q, "ContactIDs")
	if apiErr != nil {
		return nil, apiErr
	}
	numbers := listParam(q, "InvoiceNumbers")
	statuses := listParam(q, "Statuses")
	if len(ids)+len(contacts)+len(numbers)+len(statuses) == 0 {
		return nil, nil
	}
	return func(inv *Invoice) bool {
		return (len(ids) == 0 || contains(ids, inv.InvoiceID)) &&
			(len(contacts) == 0 || contains(contacts, inv.Contact.ContactID)) &&
			(len(numbers) == 0 || contains(numbers, inv.InvoiceNumber)) &&
			(len(statuses) == 0 || contains(statuses, inv.Status))
	}, nil
}

// dateParam reads a YYYY-MM-DD query parameter (PurchaseOrders' and
// Quotes' DateFrom/DateTo) as an MSDate.
func dateParam(q url.Values, name string) (MSDate, bool, *apiError) {
	v, ok := queryParam(q, name)
	if !ok || v == "" {
		return 0, false, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return 0, false, errValidation("The value '" + v + "' is not valid for " + name + ".")
	}
	return MSDateOf(t), true, nil
}

// dateStatusFilter reads Status, DateFrom and DateTo, the filters
// PurchaseOrders take instead of where.
func dateStatusFilter[T any](q url.Values, fields func(T) (string, MSDate)) (func(T) bool, *apiError) {
	status, _ := queryParam(q, "Status")
	from, hasFrom, apiErr := dateParam(q, "DateFrom")
	if apiErr != nil {
		return nil, apiErr
	}
	to, hasTo, apiErr := dateParam(q, "DateTo")
	if apiErr != nil {
		return nil, apiErr
	}
	if status == "" && !hasFrom && !hasTo {
		return nil, nil
	}
	return func(r T) bool {
		st, d := fields(r)
		return (status == "" || strings.EqualFold(st, status)) && (!hasFrom || d >= from) && (!hasTo || d <= to)
	}, nil
}

// quoteParams reads Quotes' filters: Status, DateFrom/To,
// ExpiryDateFrom/To, ContactID and QuoteNumber.
func quoteParams(q url.Values) (func(*Quote) bool, *apiError) {
	base, apiErr := dateStatusFilter(q, func(r *Quote) (string, MSDate) { return r.Status, r.Date })
	if apiErr != nil {
		return nil, apiErr
	}
	expFrom, hasExpFrom, apiErr := dateParam(q, "ExpiryDateFrom")
	if apiErr != nil {
		return nil, apiErr
	}
	expTo, hasExpTo, apiErr := dateParam(q, "ExpiryDateTo")
	if apiErr != nil {
		return nil, apiErr
	}
	contact := ""
	if v, ok := queryParam(q, "ContactID"); ok && v != "" {
		id, ok := parseGUID(v)
		if !ok {
			return nil, errValidation("The value '" + v + "' is not valid for ContactID.")
		}
		contact = id
	}
	number, _ := queryParam(q, "QuoteNumber")
	if base == nil && !hasExpFrom && !hasExpTo && contact == "" && number == "" {
		return nil, nil
	}
	return func(r *Quote) bool {
		return (base == nil || base(r)) &&
			(!hasExpFrom || r.ExpiryDate >= expFrom) && (!hasExpTo || r.ExpiryDate <= expTo) &&
			(contact == "" || r.Contact.ContactID == contact) &&
			(number == "" || r.QuoteNumber == number)
	}, nil
}

// trimTrackingOptions hides archived options unless includeArchived=true,
// as Xero hides archived categories.
func trimTrackingOptions(q url.Values, t *TrackingCategory) *TrackingCategory {
	if boolParam(q, "includeArchived") {
		return t
	}
	keep := make([]TrackingOption, 0, len(t.Options))
	for _, o := range t.Options {
		if o.Status != "ARCHIVED" {
			keep = append(keep, o)
		}
	}
	if len(keep) == len(t.Options) {
		return t
	}
	c := *t
	c.Options = keep
	return &c
}

// organisationRoute serves GET /Organisation: the one organisation, in an
// envelope keyed Organisations.
func (s *Server) organisationRoute() route {
	return route{name: "Organisation", scopes: scopeSettings, list: func(c *call) (int, []byte, *apiError) {
		c.org.mu.RLock()
		defer c.org.mu.RUnlock()
		return s.envelope(c, "Organisations", nil, []*Organisation{c.org.Organisation})
	}}
}

// journalsPerCall is the most journals one GET /Journals returns.
const journalsPerCall = 100

// paymentSourceTypes are the journal sources of cash movements, which
// paymentsOnly=true keeps. Real Xero then returns its cash-basis
// journals; the sandbox keeps one (accrual) ledger and approximates cash
// basis by its payment and cash journals.
var paymentSourceTypes = map[string]bool{
	"ACCRECPAYMENT": true, "ACCPAYPAYMENT": true, "ARCREDITPAYMENT": true, "APCREDITPAYMENT": true,
	"CASHREC": true, "CASHPAID": true, "TRANSFER": true, "ARPREPAYMENT": true, "APPREPAYMENT": true,
	"AROVERPAYMENT": true, "APOVERPAYMENT": true,
}

// journalsRoute serves GET /Journals?offset=N: the journals numbered above
// N (exclusive), at most 100, oldest first, as xero-api.md §5 describes;
// If-Modified-Since filters on CreatedDateUTC. GET /Journals/{id or
// number} omits SourceID and SourceType, as Xero's does.
func (s *Server) journalsRoute() route {
	list := func(c *call) (int, []byte, *apiError) {
		q := c.r.URL.Query()
		offset := int64(0)
		if v, ok := queryParam(q, "offset"); ok && v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, nil, errValidation("The value '" + v + "' is not valid for offset.")
			}
			offset = n
		}
		since, hasSince, apiErr := ifModifiedSince(c.r)
		if apiErr != nil {
			return 0, nil, apiErr
		}
		paymentsOnly := boolParam(q, "paymentsOnly")
		c.org.mu.RLock()
		defer c.org.mu.RUnlock()
		items := c.org.Journals.All()
		if hasSince {
			items = c.org.Journals.Since(since)
		}
		// Journals are filed by CreatedDateUTC, which rises with JournalNumber.
		i := sort.Search(len(items), func(i int) bool { return items[i].JournalNumber > offset })
		out := make([]*Journal, 0, journalsPerCall)
		for ; i < len(items) && len(out) < journalsPerCall; i++ {
			if !paymentsOnly || paymentSourceTypes[items[i].SourceType] {
				out = append(out, items[i])
			}
		}
		return s.envelope(c, "Journals", nil, out)
	}
	get := func(c *call, key string) (int, []byte, *apiError) {
		c.org.mu.RLock()
		defer c.org.mu.RUnlock()
		var j *Journal
		if id, ok := parseGUID(key); ok {
			j, _ = c.org.Journals.Get(id)
		} else if n, err := strconv.ParseInt(key, 10, 64); err == nil {
			all := c.org.Journals.All()
			k := sort.Search(len(all), func(i int) bool { return all[i].JournalNumber >= n })
			if k < len(all) && all[k].JournalNumber == n {
				j = all[k]
			}
		}
		if j == nil {
			return 0, nil, errNotFound()
		}
		one := *j
		one.SourceID, one.SourceType = "", ""
		return s.envelope(c, "Journals", nil, []*Journal{&one})
	}
	return route{name: "Journals", scopes: scopeJournals, list: list, get: get}
}
