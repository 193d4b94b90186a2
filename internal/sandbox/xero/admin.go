package xero

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/datapull/datapull/internal/sandbox"
)

// The sandbox's admin API, on paths Xero does not use. It changes the
// data (so clients meet records that change over time), moves the clock,
// injects faults, and tells tests the ground truth to compare a pull with.
// It has no authentication: the sandbox binds loopback, and the admin API
// is for tests, benchmarks and the person running the sandbox. JSON in and
// out; errors are {"error":"..."} with 400 (bad input, or a change the
// record's state does not allow), 404 (unknown tenant, user, endpoint or
// record) or 405 (wrong method). A refused request changes nothing.
//
//	GET  /_sandbox/                     index: organisations (id, name, offline,
//	                                    record counts by endpoint), users, clock
//	GET  /_sandbox/clock                {"now":…,"unixMs":…,"scale":…}
//	POST /_sandbox/clock                {"advance":"90m"} or {"to":"RFC 3339"}; forward only
//	GET  /_sandbox/meter                calls and bytes served per tenant and endpoint
//	POST /_sandbox/meter/reset          the counters as they were, then cleared
//	GET  /_sandbox/faults               {"profile":…,"fired":{kind:count}}
//	PUT  /_sandbox/faults               body: a fault profile (text); empty clears it
//	GET  /_sandbox/tenants/{tenant}/truth/{endpoint}
//	                                    NDJSON: every record the organisation holds for
//	                                    the endpoint (Accounts, Invoices, ..., Organisation,
//	                                    Journals, Attachments), full form with lines,
//	                                    archived, deleted and voided ones included, in
//	                                    default order (Attachments: by parent id, each
//	                                    line with ParentID)
//	POST /_sandbox/tenants/{tenant}/changes
//	                                    {"op":"void","endpoint":"Invoices","id":"…",…}
//	                                    or {"changes":[…]} (see ChangeRequest); applies
//	                                    them in order and answers {"changes":[Change…],
//	                                    "records":[the record of each change, after it]}.
//	                                    A change refused mid-batch answers its error with
//	                                    "applied" (the changes before it stay)
//	POST /_sandbox/tenants/{tenant}/activity
//	                                    {"changes":100,"seed":5}: Simulate; answers
//	                                    {"changes":[Change…]}
//	GET  /_sandbox/tenants/{tenant}/offline
//	POST /_sandbox/tenants/{tenant}/offline
//	                                    {"offline":true|false}: the organisation answers
//	                                    503 offline until set back; both answer
//	                                    {"tenant":…,"offline":…}
//	POST /_sandbox/tenants/{tenant}/disconnect
//	                                    remove every connection to it: {"removed":n}
//	POST /_sandbox/tokens/expire        every access token expires now: {"expired":n}
//	POST /_sandbox/users/{user}/revoke  the user withdraws consent: {"removed":n}
const adminBase = sandbox.AdminBase

// adminState is what the admin API keeps of its own: which organisations
// are offline.
type adminState struct {
	mu      sync.Mutex
	offline map[string]bool
}

func (s *Server) admin() *adminState { return &s.adm }

// orgOffline reports whether the admin API took an organisation offline;
// the Accounting API then answers its calls with Xero's 503.
func (s *Server) orgOffline(tenantID string) bool {
	if id, ok := parseGUID(tenantID); ok {
		tenantID = id
	}
	st := s.admin()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.offline[tenantID]
}

// SetOrgOffline takes an organisation offline or brings it back.
func (s *Server) SetOrgOffline(tenantID string, offline bool) error {
	o := s.orgByTenant(tenantID)
	if o == nil {
		return fmt.Errorf("xero sandbox: offline: %w", sandbox.Missing("unknown tenant %q", tenantID))
	}
	st := s.admin()
	st.mu.Lock()
	defer st.mu.Unlock()
	if offline {
		st.offline[o.ID] = true
	} else {
		delete(st.offline, o.ID)
	}
	return nil
}

func (s *Server) adminRoutes(mux *http.ServeMux) {
	s.admin()
	kit := &sandbox.Admin{Clock: s.clock, Meter: s.meter, Faults: s.faults}
	kit.Routes(mux, adminBase)
	kit.IndexRoute(mux, adminBase, s.adminIndex)
	kit.ExpireTokensRoute(mux, adminBase, s.ExpireAccessTokens)
	// Patterns carry no method, so that a wrong method gets the admin
	// API's JSON 405 rather than the Accounting API's catch-all 404.
	mux.HandleFunc(adminBase+"/tenants/{tenant}/truth/{endpoint}", s.adminTruth)
	mux.HandleFunc(adminBase+"/tenants/{tenant}/changes", s.adminChanges)
	mux.HandleFunc(adminBase+"/tenants/{tenant}/activity", s.adminActivity)
	mux.HandleFunc(adminBase+"/tenants/{tenant}/offline", s.adminOffline)
	mux.HandleFunc(adminBase+"/tenants/{tenant}/disconnect", s.adminDisconnect)
	mux.HandleFunc(adminBase+"/users/{user}/revoke", s.adminRevokeUser)
}

// adminIndex is the index of GET /_sandbox/ and what the index lists.
type adminIndex struct {
	Clock sandbox.ClockState `json:"clock"`
	Orgs  []indexOrg         `json:"orgs"`
	Users []indexUser        `json:"users"`
}

type indexOrg struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Offline bool           `json:"offline"`
	Total   int            `json:"total"`
	Records map[string]int `json:"records"`
}

type indexUser struct {
	ID     string   `json:"id"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	OrgIDs []string `json:"orgIds"`
}

func (s *Server) adminIndex(clock sandbox.ClockState) any {
	idx := adminIndex{Clock: clock}
	for _, o := range s.world.Orgs {
		entry := indexOrg{ID: o.ID, Name: o.Name, Offline: s.orgOffline(o.ID), Records: map[string]int{}}
		o.mu.RLock()
		for _, src := range truthSources() {
			n := src.count(o)
			entry.Records[src.name] = n
			if src.name != "Attachments" {
				entry.Total += n
			}
		}
		o.mu.RUnlock()
		idx.Orgs = append(idx.Orgs, entry)
	}
	for _, u := range s.world.Users {
		idx.Users = append(idx.Users, indexUser{ID: u.ID, Email: u.Email, Name: u.Name, OrgIDs: u.OrgIDs})
	}
	return idx
}

// truthSource is one endpoint's ground truth: how many records and how to
// write them, one JSON document per line.
type truthSource struct {
	name  string
	count func(o *Org) int
	write func(o *Org, enc *json.Encoder) error
}

func collSource[T Record](name string, coll func(*Org) *Collection[T]) truthSource {
	return truthSource{name: name, count: func(o *Org) int { return coll(o).Len() },
		write: func(o *Org, enc *json.Encoder) error {
			for _, r := range coll(o).All() {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			return nil
		}}
}

// truthAttachment is an attachment with the record it belongs to.
type truthAttachment struct {
	ParentID string `json:"ParentID"`
	*Attachment
}

// truthSources lists every endpoint whose truth the admin API serves.
func truthSources() []truthSource {
	return []truthSource{
		{name: "Organisation", count: func(*Org) int { return 1 },
			write: func(o *Org, enc *json.Encoder) error { return enc.Encode(o.Organisation) }},
		collSource("Accounts", func(o *Org) *Collection[*Account] { return o.Accounts }),
		collSource("Contacts", func(o *Org) *Collection[*Contact] { return o.Contacts }),
		collSource("ContactGroups", func(o *Org) *Collection[*ContactGroup] { return o.ContactGroups }),
		collSource("Invoices", func(o *Org) *Collection[*Invoice] { return o.Invoices }),
		collSource("CreditNotes", func(o *Org) *Collection[*CreditNote] { return o.CreditNotes }),
		collSource("Payments", func(o *Org) *Collection[*Payment] { return o.Payments }),
		collSource("Overpayments", func(o *Org) *Collection[*Overpayment] { return o.Overpayments }),
		collSource("Prepayments", func(o *Org) *Collection[*Prepayment] { return o.Prepayments }),
		collSource("BankTransactions", func(o *Org) *Collection[*BankTransaction] { return o.BankTransactions }),
		collSource("BankTransfers", func(o *Org) *Collection[*BankTransfer] { return o.BankTransfers }),
		collSource("BatchPayments", func(o *Org) *Collection[*BatchPayment] { return o.BatchPayments }),
		collSource("ManualJournals", func(o *Org) *Collection[*ManualJournal] { return o.ManualJournals }),
		collSource("Journals", func(o *Org) *Collection[*Journal] { return o.Journals }),
		collSource("Items", func(o *Org) *Collection[*Item] { return o.Items }),
		collSource("TaxRates", func(o *Org) *Collection[*TaxRate] { return o.TaxRates }),
		collSource("TrackingCategories", func(o *Org) *Collection[*TrackingCategory] { return o.TrackingCategories }),
		collSource("Currencies", func(o *Org) *Collection[*Currency] { return o.Currencies }),
		collSource("Users", func(o *Org) *Collection[*OrgUser] { return o.Users }),
		collSource("PurchaseOrders", func(o *Org) *Collection[*PurchaseOrder] { return o.PurchaseOrders }),
		collSource("Quotes", func(o *Org) *Collection[*Quote] { return o.Quotes }),
		{name: "Attachments", count: func(o *Org) int {
			n := 0
			for _, list := range o.Attachments {
				n += len(list)
			}
			return n
		}, write: writeAttachments},
	}
}

// writeAttachments writes attachments by parent id, so the order is the
// same every time (the map's is not).
func writeAttachments(o *Org, enc *json.Encoder) error {
	parents := make([]string, 0, len(o.Attachments))
	for id := range o.Attachments {
		parents = append(parents, id)
	}
	sort.Strings(parents)
	for _, id := range parents {
		for _, a := range o.Attachments[id] {
			if err := enc.Encode(truthAttachment{ParentID: id, Attachment: a}); err != nil {
				return err
			}
		}
	}
	return nil
}

// truthSource finds an endpoint's truth by name, in any case.
func findTruth(endpoint string) (truthSource, bool) {
	for _, src := range truthSources() {
		if strings.EqualFold(src.name, endpoint) {
			return src, true
		}
	}
	return truthSource{}, false
}

// Truth writes, as NDJSON, every record the organisation holds for an
// endpoint (see the admin API's truth route), under the organisation's
// read lock: the ground truth a pull is compared with.
func (s *Server) Truth(tenantID, endpoint string, w io.Writer) error {
	o, src, err := s.truthOf(tenantID, endpoint)
	if err != nil {
		return fmt.Errorf("xero sandbox: truth: %w", err)
	}
	return writeTruth(o, src, w)
}

func (s *Server) truthOf(tenantID, endpoint string) (*Org, truthSource, error) {
	o := s.orgByTenant(tenantID)
	if o == nil {
		return nil, truthSource{}, sandbox.Missing("unknown tenant %q", tenantID)
	}
	src, ok := findTruth(endpoint)
	if !ok {
		names := make([]string, 0, 24)
		for _, src := range truthSources() {
			names = append(names, src.name)
		}
		return nil, truthSource{}, sandbox.Missing("unknown endpoint %q (want one of %s)", endpoint, strings.Join(names, ", "))
	}
	return o, src, nil
}

func writeTruth(o *Org, src truthSource, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	o.mu.RLock()
	err := src.write(o, json.NewEncoder(bw))
	o.mu.RUnlock()
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("xero sandbox: truth %s: %w", src.name, err)
	}
	return nil
}

func (s *Server) adminTruth(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodGet) {
		return
	}
	o, src, err := s.truthOf(r.PathValue("tenant"), r.PathValue("endpoint"))
	if err != nil {
		sandbox.WriteAdminError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	// Once streaming has begun the status is sent; a failure after that
	// (the client went away) can only cut the stream short.
	writeTruth(o, src, w)
}

// adminOrg resolves the {tenant} of a route, answering 404 if unknown.
func (s *Server) adminOrg(w http.ResponseWriter, r *http.Request) *Org {
	o := s.orgByTenant(r.PathValue("tenant"))
	if o == nil {
		sandbox.WriteError(w, http.StatusNotFound, fmt.Sprintf("unknown tenant %q", r.PathValue("tenant")))
	}
	return o
}

// changesBody is the body of POST .../changes: one change, or a list.
type changesBody struct {
	ChangeRequest
	Changes []ChangeRequest `json:"changes"`
}

func (s *Server) adminChanges(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodPost) {
		return
	}
	o := s.adminOrg(w, r)
	if o == nil {
		return
	}
	var body changesBody
	if err := sandbox.DecodeJSON(r, &body); err != nil {
		sandbox.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	reqs, err := sandbox.ChangeBatch(body.ChangeRequest, body.Changes,
		body.Op != "" || body.Endpoint != "", body.Op != "", `{"op":…,"endpoint":…,"id":…}`)
	if err != nil {
		sandbox.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	changes, records, err := o.apply(s.clock.Now(), reqs, true)
	sandbox.WriteChanges(w, changes, err, map[string]any{"records": records})
}

// maxSimulated bounds one activity request, so a typo cannot hold an
// organisation's lock for minutes.
const maxSimulated = 100_000

func (s *Server) adminActivity(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodPost) {
		return
	}
	o := s.adminOrg(w, r)
	if o == nil {
		return
	}
	var body struct {
		Changes int   `json:"changes"`
		Seed    int64 `json:"seed"`
	}
	if err := sandbox.DecodeJSON(r, &body); err != nil {
		sandbox.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.Changes < 1 || body.Changes > maxSimulated {
		sandbox.WriteError(w, http.StatusBadRequest, fmt.Sprintf("changes must be between 1 and %d, got %d", maxSimulated, body.Changes))
		return
	}
	changes, err := s.Simulate(o.ID, body.Changes, body.Seed)
	if err != nil {
		sandbox.WriteJSON(w, sandbox.AdminStatus(err), map[string]any{"error": err.Error(), "applied": changes})
		return
	}
	sandbox.WriteJSON(w, http.StatusOK, map[string]any{"changes": changes})
}

func (s *Server) adminOffline(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	o := s.adminOrg(w, r)
	if o == nil {
		return
	}
	if r.Method == http.MethodPost {
		var body struct {
			Offline *bool `json:"offline"`
		}
		if err := sandbox.DecodeJSON(r, &body); err != nil {
			sandbox.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		if body.Offline == nil {
			sandbox.WriteError(w, http.StatusBadRequest, `want {"offline":true} or {"offline":false}`)
			return
		}
		if err := s.SetOrgOffline(o.ID, *body.Offline); err != nil {
			sandbox.WriteAdminError(w, err)
			return
		}
	}
	sandbox.WriteJSON(w, http.StatusOK, map[string]any{"tenant": o.ID, "offline": s.orgOffline(o.ID)})
}

func (s *Server) adminDisconnect(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodPost) {
		return
	}
	if o := s.adminOrg(w, r); o != nil {
		sandbox.WriteJSON(w, http.StatusOK, map[string]int{"removed": s.DisconnectTenant(o.ID)})
	}
}

func (s *Server) adminRevokeUser(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodPost) {
		return
	}
	id := r.PathValue("user")
	if g, ok := parseGUID(id); ok {
		id = g
	}
	for _, u := range s.world.Users {
		if u.ID == id {
			sandbox.WriteJSON(w, http.StatusOK, map[string]int{"removed": s.RevokeUser(u.ID)})
			return
		}
	}
	sandbox.WriteError(w, http.StatusNotFound, fmt.Sprintf("unknown user %q", r.PathValue("user")))
}
