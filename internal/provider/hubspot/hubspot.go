// Package hubspot is DataPull's connector for HubSpot's CRM: sign-in
// (OAuth 2.0 authorization code with PKCE), the portal a sign-in reaches,
// and for one portal every endpoint issue 5 lists as a provider.Endpoint.
//
// How each endpoint is read follows shared/reference/hubspot-api.md:
//   - first pulls, re-pulls and periodic sweeps of the CRM objects use the
//     list API (100 a page, ascending id, no cap), live records then
//     archived ones (archived=true), so a full read sees every record and
//     the engine can mark what it did not see as deleted (purges, merges);
//   - standard syncs use the search API on the object's last-modified
//     property, in a window bounded above by the pull's start, sorted by
//     hs_object_id and restarted after every page from the last id seen
//     (never `after`), so neither the 10,000 cap (X1) nor a live result
//     set shifting under edits (gotcha 3) nor ten thousand records sharing
//     one millisecond (X4) can lose or loop; the window's lower bound looks
//     back for search lag (X5);
//   - search only names the changed ids: the records themselves come from
//     batch read, which is live and takes the property list in its body,
//     so hundreds of custom properties never meet a URL limit (X11);
//   - archived records, which search never shows, are found by a scan of
//     archived=true on a schedule (WithArchivedEvery), merged-away records
//     from the survivor's hs_merged_object_ids;
//   - associations (v4 batch read, with labels) are read per from-type,
//     incrementally for the records that changed and in full on a sweep,
//     since association changes do not move a record's last-modified time
//     (X10);
//   - deal stage history (deal_stage_history) comes from
//     propertiesWithHistory=dealstage, which search does not offer: lists
//     of 50 (HubSpot's cap with history) on full reads, batch reads of the
//     deals search finds changed on standard syncs.
//
// The connector sleeps and retries nowhere: the *http.Client it is given
// (the pacer) does. Search and batch reads are POSTs; they carry an
// Idempotency-Key so the pacer may repeat them.
package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

const (
	// DefaultClientID is DataPull's public (PKCE) app at HubSpot.
	DefaultClientID = "datapull"
	// DefaultSweepEvery is how often a standard sync reads the CRM objects
	// in full anyway, for purged (GDPR) records, which leave no trace.
	DefaultSweepEvery = 7 * 24 * time.Hour
	// DefaultAssocSweepEvery is how often associations are read in full:
	// changing an association does not move either record's last-modified
	// time, so only a full read sees it (X10).
	DefaultAssocSweepEvery = 24 * time.Hour
	// DefaultArchivedEvery is how often a standard sync scans the archived
	// records (archived=true has no time filter, so the scan reads them all).
	DefaultArchivedEvery = time.Hour
	// DefaultLookback is how far before the last window's end a standard
	// sync's search begins, for changes search had not yet indexed (X5).
	DefaultLookback = 5 * time.Minute

	listPage   = 100  // the list API's largest page
	searchPage = 200  // the search API's largest page
	batchMax   = 100  // batch read inputs
	assocBatch = 1000 // v4 association batch read inputs
	// maxPropsQuery bounds the properties= value of a list URL. HubSpot
	// answers 414 for long request lines; past this, records are read by
	// batch read, whose property list travels in the body (X11).
	maxPropsQuery = 6000
	// maxSearchProps bounds the property list a search body names: the
	// whole body may be 3,000 characters (§3.1), filters and sort take
	// some 400. A type whose list fits is read from search itself, one
	// call per 200 changes; others search for ids and batch read.
	maxSearchProps = 2400
)

// Source is the HubSpot source. Build it with New.
type Source struct {
	clientID        string
	sweepEvery      time.Duration
	assocSweepEvery time.Duration
	archivedEvery   time.Duration
	lookback        time.Duration
	pageSize        int
	apiVersion      string
}

// Option configures a Source.
type Option func(*Source)

// WithClientID sets the OAuth client id (the sandbox's is "datapull-sandbox").
func WithClientID(id string) Option { return func(s *Source) { s.clientID = id } }

// WithSweepEvery sets how often the CRM objects are read in full
// (EndpointInfo.SweepEvery); 0 turns sweeps off.
func WithSweepEvery(d time.Duration) Option { return func(s *Source) { s.sweepEvery = d } }

// WithAssocSweepEvery sets how often associations are read in full.
func WithAssocSweepEvery(d time.Duration) Option { return func(s *Source) { s.assocSweepEvery = d } }

// WithArchivedEvery sets how often a standard sync scans archived
// records; 0 scans on every sync.
func WithArchivedEvery(d time.Duration) Option { return func(s *Source) { s.archivedEvery = d } }

// WithLookback sets how far back a standard sync's search window begins
// before the previous window's end.
func WithLookback(d time.Duration) Option { return func(s *Source) { s.lookback = max(d, 0) } }

// WithPageSize lowers the list page size (1..100), for tests that want
// many pages from little data.
func WithPageSize(n int) Option { return func(s *Source) { s.pageSize = min(max(n, 1), listPage) } }

// New returns the HubSpot source.
func New(opts ...Option) *Source {
	s := &Source{clientID: DefaultClientID, sweepEvery: DefaultSweepEvery, assocSweepEvery: DefaultAssocSweepEvery,
		archivedEvery: DefaultArchivedEvery, lookback: DefaultLookback, pageSize: listPage}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name is "hubspot".
func (s *Source) Name() string { return "hubspot" }

// Catalog lists every endpoint, in the order they are pulled.
func (s *Source) Catalog() []provider.EndpointInfo { return provider.Infos(s.endpoints(nil)) }

// DefaultBaseURLs are HubSpot's own hosts.
func (s *Source) DefaultBaseURLs() provider.BaseURLs {
	return provider.BaseURLs{Auth: "https://app.hubspot.com", Token: "https://api.hubapi.com", API: "https://api.hubapi.com"}
}

// OAuth describes HubSpot's sign-in. Refresh tokens are long-lived and
// not documented to rotate; whatever comes back is stored anyway.
func (s *Source) OAuth(base provider.BaseURLs) provider.OAuthSpec {
	return provider.OAuthSpec{
		AuthURL:   trimSlash(base.Auth) + "/oauth/authorize",
		TokenURL:  trimSlash(base.Token) + "/oauth/v1/token",
		RevokeURL: "",
		ClientID:  s.clientID,
		Scopes:    Scopes(),
	}
}

// Scopes are the read scopes of every endpoint (hubspot-api.md §1.6).
func Scopes() []string {
	return []string{"oauth", "crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read",
		"tickets", "crm.objects.products.read", "crm.objects.line_items.read", "crm.objects.owners.read",
		"crm.objects.custom.read", "crm.schemas.custom.read", "crm.schemas.contacts.read", "crm.schemas.companies.read",
		"crm.schemas.deals.read", "crm.schemas.tickets.read", "crm.schemas.line_items.read"}
}

// Accounts returns the portal the sign-in was installed in. A HubSpot
// token belongs to exactly one portal: account-info names its hub id
// and time zone. (The hub domain comes from token introspection, which
// needs the token itself; see AccountForToken.)
func (s *Source) Accounts(ctx context.Context, base provider.BaseURLs, hc *http.Client) ([]provider.Account, error) {
	c := &conn{hc: hc, api: trimSlash(base.API)}
	var d accountDetails
	if err := c.getJSON(ctx, "account", "/account-info/v3/details", nil, &d); err != nil {
		return nil, fmt.Errorf("hubspot: account details: %w", err)
	}
	if d.PortalID == 0 {
		return nil, errors.New("hubspot: account details: no portal id")
	}
	id := strconv.FormatInt(d.PortalID, 10)
	return []provider.Account{{ID: id, Name: "HubSpot portal " + id,
		Extra: map[string]string{"hubId": id, "timeZone": d.TimeZone, "currency": d.CompanyCurrency, "uiDomain": d.UIDomain}}}, nil
}

// AccountForToken introspects an access token (POST
// /oauth/v3/token/introspect): the portal's hub id and hub domain, and
// the user who installed the app. It takes the token because the
// introspection form names it; the paced client cannot.
func (s *Source) AccountForToken(ctx context.Context, base provider.BaseURLs, hc *http.Client, accessToken string) (provider.Account, error) {
	c := &conn{hc: hc, api: trimSlash(base.Token)}
	info, err := c.introspect(ctx, s.clientID, accessToken)
	if err != nil {
		return provider.Account{}, fmt.Errorf("hubspot: introspect token: %w", err)
	}
	if info.HubID == 0 {
		return provider.Account{}, errors.New("hubspot: introspect token: no hub id (token not active)")
	}
	id := strconv.FormatInt(info.HubID, 10)
	name := info.HubDomain
	if name == "" {
		name = "HubSpot portal " + id
	}
	return provider.Account{ID: id, Name: name, Extra: map[string]string{"hubId": id, "hubDomain": info.HubDomain, "user": info.User}}, nil
}

// Open returns the endpoints of one portal.
func (s *Source) Open(base provider.BaseURLs, account provider.Account, hc *http.Client) ([]provider.Endpoint, error) {
	if account.ID == "" {
		return nil, errors.New("hubspot: open: the account has no hub id")
	}
	if hc == nil {
		return nil, errors.New("hubspot: open: no HTTP client")
	}
	return s.endpoints(&conn{hc: hc, api: trimSlash(base.API), pageSize: s.pageSize}), nil
}

func trimSlash(u string) string { return strings.TrimRight(u, "/") }

// standardTypes are HubSpot's standard CRM objects, in pull order, with
// the property search filters and sorts them by (§3.3).
func standardTypes() []objType {
	mk := func(name, mod string, mergeable bool) objType {
		return objType{Name: name, Path: name, ModProp: mod, Mergeable: mergeable}
	}
	return []objType{
		mk("contacts", "lastmodifieddate", true),
		mk("companies", "hs_lastmodifieddate", true),
		mk("deals", "hs_lastmodifieddate", true),
		mk("tickets", "hs_lastmodifieddate", true),
		mk("products", "hs_lastmodifieddate", false),
		mk("line_items", "hs_lastmodifieddate", false),
		mk("calls", "hs_lastmodifieddate", false),
		mk("emails", "hs_lastmodifieddate", false),
		mk("meetings", "hs_lastmodifieddate", false),
		mk("notes", "hs_lastmodifieddate", false),
		mk("tasks", "hs_lastmodifieddate", false),
	}
}

// endpoints builds every endpoint in catalogue order; c is nil for the
// catalogue alone.
func (s *Source) endpoints(c *conn) []provider.Endpoint {
	out := []provider.Endpoint{
		&accountEndpoint{c: c},
		&ownersEndpoint{c: c},
		&pipelinesEndpoint{c: c, typ: "deals"},
		&pipelinesEndpoint{c: c, typ: "tickets"},
		&schemasEndpoint{c: c},
		&propertiesEndpoint{c: c},
	}
	objInfo := func(name string) provider.EndpointInfo {
		how := "search on the last-modified property in windows up to the pull's start, looking back " +
			humanDuration(s.lookback) + " for search lag; archived records checked " + every(s.archivedEvery)
		return provider.EndpointInfo{Name: name, Incremental: true, IncrementalHow: how, SweepEvery: s.sweepEvery}
	}
	assocInfo := func(name string) provider.EndpointInfo {
		return provider.EndpointInfo{Name: name, Incremental: true,
			IncrementalHow: "associations of the records that changed; all of them " + every(s.assocSweepEvery),
			SweepEvery:     s.assocSweepEvery}
	}
	for _, t := range standardTypes() {
		t := t
		out = append(out, &objectEndpoint{c: c, info: objInfo(t.Name), src: s, types: fixedTypes(t)})
	}
	out = append(out, &objectEndpoint{c: c, info: objInfo("custom_objects"), src: s, types: customTypes, prefixed: true})
	for _, t := range standardTypes() {
		t := t
		out = append(out, &assocEndpoint{c: c, info: assocInfo("associations_" + t.Name), src: s, types: fixedTypes(t)})
	}
	out = append(out, &assocEndpoint{c: c, info: assocInfo("associations_custom_objects"), src: s, types: customTypes, prefixed: true})
	// Deal stage history: propertiesWithHistory on list and batch read.
	out = append(out, &historyEndpoint{c: c, src: s, typ: standardType("deals"), prop: "dealstage",
		info: provider.EndpointInfo{Name: "deal_stage_history", Incremental: true, SweepEvery: s.sweepEvery,
			IncrementalHow: "dealstage history of the deals search finds changed, by batch read; archived deals checked " +
				every(s.archivedEvery)}})
	return out
}

func every(d time.Duration) string {
	if d <= 0 {
		return "every sync"
	}
	return "every " + humanDuration(d)
}

func humanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "day"
		}
		return strconv.Itoa(n) + " days"
	case d%time.Hour == 0:
		n := int(d / time.Hour)
		if n == 1 {
			return "hour"
		}
		return strconv.Itoa(n) + " hours"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return d.String()
}

var _ provider.Source = (*Source)(nil)
