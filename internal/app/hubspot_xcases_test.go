package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/store"

	hsandbox "github.com/datapull/datapull/internal/sandbox/hubspot"
)

// The HubSpot cases of connector-failure-modes.md, end to end. Each test
// runs our connector through the app against the sandbox and holds the
// store to the sandbox's truth; then, on the same scenario, it runs the
// naive client (hubspot_naive_test.go: what the connector the reference
// names did) and requires it to come out wrong. That proves the trap is
// armed: if the naive client comes out right the test fails saying so, as
// our passing would then prove nothing. X2 and X9 are unit tests of the
// connector (internal/provider/hubspot: TestSearchIDsMixedLengths,
// TestCursorVersions).

func smallProps(c *hsandbox.Config) { c.CustomProperties = 40 }

// X1: 10,500 contacts changed over three hours, one search window. A
// client paging search with `after` gets a 400 at 10,000 and stops (or
// drops the rest); ours restarts from the last id after every page.
func TestHubSpotX1SearchCap(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	since := e.srv.Clock().Now()
	e.pull(store.PullStandard)
	for i := 0; i < 105; i++ {
		e.advance(100 * time.Second)
		e.createMany("contacts", 100)
	}
	e.advance(time.Minute)
	p := e.pull(store.PullStandard)
	r := e.results(p)["contacts"]
	if r.Mode != provider.Incremental || r.Inserted != 10_500 {
		t.Errorf("contacts: %s read inserted %d, want an incremental read inserting 10,500", r.Mode, r.Inserted)
	}
	// Each id is read once: 53 searches of 200 and 105 batch reads, plus
	// the archived scan and the property list.
	if r.Calls > 53+105+10 {
		t.Errorf("contacts took %d calls for 10,500 changes", r.Calls)
	}
	e.requireTruth("after 10,500 changes in one window")

	// Naive (Airbyte before PR 10700, activepieces before PR 10160): one
	// search of the window, paged with after, which HubSpot refuses at
	// 10,000; the client stops there and the rest is lost.
	run := e.naive().searchSince("contacts", since, 100, false)
	t.Logf("naive: %d of %d contacts, then HTTP %d at after=%s", len(run.Records), run.Total, run.Status, run.At)
	if run.Status != http.StatusBadRequest || run.At != "10000" || len(run.Records) >= run.Total || run.Total < 10_500 {
		t.Errorf("X1 trap not armed: naive search read %d of %d and ended with HTTP %d at after=%q, want a 400 at after=10000 short of 10,500",
			len(run.Records), run.Total, run.Status, run.At)
	}
}

// X3: short pages that still carry a next cursor, in lists and searches.
// A client that stops at the first page shorter than its limit loses the
// rest of the stream.
func TestHubSpotX3ShortPages(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: func(c *hsandbox.Config) {
		smallProps(c)
		c.Faults = "contacts:short-page@every=2,contacts/search:short-page@every=2,deals:short-page@every=2"
	}})
	e.pull(store.PullStandard)
	e.requireTruth("after a full pull with short pages")
	e.advance(time.Hour)
	since := e.srv.Clock().Now()
	e.bulk("contacts", 450)
	e.advance(time.Minute)
	e.pull(store.PullStandard)
	e.requireTruth("after an incremental pull with short pages")

	// Naive (Airbyte before PR 80745): a page shorter than the limit is
	// the last one, whatever its paging says.
	n := e.naive()
	live := len(e.ids("contacts", false))
	list := n.listAll("contacts", nil, true)
	search := n.searchSince("contacts", since, 100, true)
	t.Logf("naive: list %d of %d live contacts in %d pages; search %d of %d in %d pages",
		len(list.Records), live, list.Pages, len(search.Records), search.Total, search.Pages)
	if list.Status != 0 || len(list.Records) >= live {
		t.Errorf("X3 trap not armed: naive list read %d of %d live contacts (HTTP %d), want it to stop early at a short page",
			len(list.Records), live, list.Status)
	}
	if search.Status != 0 || len(search.Records) >= search.Total {
		t.Errorf("X3 trap not armed: naive search read %d of %d (HTTP %d), want it to stop early at a short page",
			len(search.Records), search.Total, search.Status)
	}
}

// bulk updates the first n live records of a type at one millisecond.
func (e *hsEnv) bulk(typ string, n int) {
	e.t.Helper()
	prop := map[string]string{"contacts": "hs_lead_status", "deals": "dealname", "companies": "city"}[typ]
	e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpBulkUpdate, Type: typ, Count: n,
		Properties: map[string]string{prop: "IN_PROGRESS"}})
}

// X4: more than 10,000 contacts share one last-modified millisecond (a
// bulk import). Restarting the query from the newest timestamp seen
// loops forever (>=) or skips (>); ours pages by id inside the window
// and must end with every contact.
func TestHubSpotX4SameMillisecond(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	e.createMany("contacts", 10_100)
	since := e.srv.Clock().Now()
	e.pull(store.PullStandard)
	e.advance(time.Hour)
	ch := e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpBulkUpdate, Type: "contacts", Properties: map[string]string{"hs_lead_status": "OPEN"}})
	if ch[0].Count <= 10_000 {
		t.Fatalf("bulk update touched %d, want over 10,000", ch[0].Count)
	}
	e.advance(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := e.app.Pull(ctx, e.conn.ID, store.PullStandard, nil)
	if err != nil {
		t.Fatalf("the pull did not end: %v", err)
	}
	if r := e.results(p)["contacts"]; r.Updated < int64(ch[0].Count) {
		t.Errorf("contacts: updated %d, want %d", r.Updated, ch[0].Count)
	}
	e.requireTruth("after a bulk update of over 10,000 in one millisecond")

	// Naive (MeltanoLabs tap-hubspot, CloudQuery's feat/hubspot-incremental):
	// at the 10,000 cap, search again from the newest timestamp seen. With
	// GTE that is the flood's millisecond and the same first 10,000 again:
	// no progress, the connector loops. With GT nothing is left: it skips
	// the rest.
	n := e.naive()
	gte, looped := n.restartByTimestamp("contacts", since.UnixMilli(), "GTE")
	gt, gtLooped := n.restartByTimestamp("contacts", since.UnixMilli(), "GT")
	t.Logf("naive: GTE restart reached %d of %d and looped=%v; GT restart reached %d and looped=%v", gte, ch[0].Count, looped, gt, gtLooped)
	if !looped || gte >= ch[0].Count {
		t.Errorf("X4 trap not armed: restarting with GTE reached %d of %d, looped=%v; want no progress after the cap", gte, ch[0].Count, looped)
	}
	if gtLooped || gt >= ch[0].Count {
		t.Errorf("X4 trap not armed: restarting with GT reached %d of %d, looped=%v; want it to end short", gt, ch[0].Count, gtLooped)
	}
}

// X5: search sees changes 30 s late. A sync right after a change cannot
// see it; the next one must, because its window looks back. A cursor
// that starts exactly where the last one ended never sees it.
func TestHubSpotX5SearchLag(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: func(c *hsandbox.Config) { smallProps(c); c.SearchLag = 30 * time.Second }})
	e.srv.FlushSearch()
	first := e.srv.Clock().Now() // the frozen clock: the first sync's start and end
	e.pull(store.PullStandard)
	e.advance(time.Hour)
	id := e.ids("contacts", false)[3]
	e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpUpdate, Type: "contacts", ID: id, Properties: map[string]string{"jobtitle": "Lagging"}})
	e.advance(5 * time.Second)
	lagged := e.srv.Clock().Now()
	e.pull(store.PullStandard)
	if strings.Contains(string(e.stored("contacts")[id].Payload), "Lagging") {
		t.Log("search saw the change within its lag; the test proves less than it should")
	}
	// Naive (Airbyte before PR 69203 added its lookback), this sync: its
	// window starts where the last one ended, and search cannot see the
	// change yet.
	n := e.naive()
	if now := n.changedSince("contacts", first); now.ids()[id] {
		t.Errorf("X5 trap not armed: search returned contact %s 5 s after its change, inside the 30 s lag", id)
	}
	e.advance(2 * time.Minute)
	e.pull(store.PullStandard)
	if !strings.Contains(string(e.stored("contacts")[id].Payload), "Lagging") {
		t.Fatalf("a change made inside the search lag was never read")
	}
	e.requireTruth("after the lag passed")

	// Naive, the next sync: its window starts exactly where the sync that
	// could not see the change ended, after the change, so the change is
	// never in a window. The same search five minutes earlier (our
	// lookback) has it.
	naive, back := n.changedSince("contacts", lagged), n.changedSince("contacts", lagged.Add(-5*time.Minute))
	t.Logf("naive: %d contacts changed since the last sync's end, contact %s among them: %v", len(naive.Records), id, naive.ids()[id])
	if naive.ids()[id] {
		t.Errorf("X5 trap not armed: a search from the last sync's end returned contact %s, changed inside the lag before it", id)
	}
	if !back.ids()[id] {
		t.Errorf("X5: a search looking back five minutes does not return contact %s either: the change is not in search at all", id)
	}
}

// X6: a change made while the pull runs (after its endpoint was read) is
// read by the next sync: the cursor never moves past the pull's start.
func TestHubSpotX6ChangeDuringPull(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	e.pull(store.PullStandard)
	e.advance(time.Hour)
	id := e.ids("contacts", false)[5]
	done := false
	started := e.srv.Clock().Now()
	e.pullWith(store.PullStandard, func(ev pull.Event) {
		if ev.Kind == pull.EndpointDone && ev.Endpoint == "contacts" && !done {
			done = true
			e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpUpdate, Type: "contacts", ID: id, Properties: map[string]string{"jobtitle": "During"}})
			// The pull runs on while the clock moves: a cursor set to
			// "now" at the end would start after the change.
			e.advance(30 * time.Second)
		}
	})
	ended := e.srv.Clock().Now()
	e.advance(time.Minute)
	e.pull(store.PullStandard)
	if !strings.Contains(string(e.stored("contacts")[id].Payload), "During") {
		t.Fatal("a change made during a pull was never read")
	}
	e.requireTruth("after the next sync")

	// Naive (the new Date() fallback NangoHQ/integration-templates PR 451
	// was told not to use): the cursor is "now" when the pull ends, after
	// the change; the next window starts there and never returns it.
	// Our cursor, the pull's start, has it.
	n := e.naive()
	run, ours := n.changedSince("contacts", ended), n.changedSince("contacts", started)
	t.Logf("naive: %d contacts changed since the pull's end, contact %s among them: %v", len(run.Records), id, run.ids()[id])
	if run.ids()[id] {
		t.Errorf("X6 trap not armed: a search from the pull's end returned contact %s, changed during the pull", id)
	}
	if !ours.ids()[id] {
		t.Errorf("X6: a search from the pull's start does not return contact %s either: the change is not in search at all", id)
	}
}

// X7: syncs without changes write nothing new: the overlap the lookback
// re-reads is upserted, never duplicated.
func TestHubSpotX7NoDuplicates(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	e.pull(store.PullStandard)
	before := map[string]int{}
	for _, info := range e.app.mustSource(e.conn).Catalog() {
		before[info.Name] = len(e.stored(info.Name))
	}
	for i := 0; i < 2; i++ {
		e.advance(10 * time.Second)
		p := e.pull(store.PullStandard)
		for name, r := range e.results(p) {
			if r.Inserted != 0 || r.Updated != 0 || r.Deleted != 0 {
				t.Errorf("sync %d: %s inserted %d, updated %d, deleted %d with no change", i+2, name, r.Inserted, r.Updated, r.Deleted)
			}
		}
	}
	for name, n := range before {
		if got := len(e.stored(name)); got != n {
			t.Errorf("%s: %d records after two syncs, %d before", name, got, n)
		}
	}

	// Naive (airbytehq/airbyte#2028, #14066): an append-only table and a
	// `>=` cursor at the newest last-modified seen. Each sync re-reads the
	// boundary records, so two syncs without changes add rows.
	n := e.naive()
	first := n.listAll("contacts", nil, false)
	if first.Status != 0 {
		t.Fatalf("naive list: HTTP %d: %.300s", first.Status, first.Body)
	}
	cursor := first.maxUpdated(t)
	rows := len(first.Records)
	for i := 0; i < 2; i++ {
		rows += len(n.changedSince("contacts", time.UnixMilli(cursor)).Records)
	}
	t.Logf("naive: %d contacts, %d rows after two syncs without changes", len(first.Records), rows)
	if rows == len(first.Records) {
		t.Errorf("X7 trap not armed: a >= cursor re-read nothing in two syncs (%d rows)", rows)
	}
}

// X8: a checkpoint 40 days old, and changes spread over those days. Our
// search has no 30-day horizon; the read stays incremental and complete.
func TestHubSpotX8OldCheckpoint(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps, app: func(c *Config) { c.SweepEvery = 365 * 24 * time.Hour }})
	checkpoint := e.srv.Clock().Now()
	e.pull(store.PullStandard)
	for i := 0; i < 40; i++ {
		e.advance(24 * time.Hour)
		id := e.ids("deals", false)[i]
		e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpUpdate, Type: "deals", ID: id, Properties: map[string]string{"dealname": "Day " + id}})
	}
	p := e.pull(store.PullStandard)
	if r := e.results(p)["deals"]; r.Mode != provider.Incremental || r.Updated < 40 {
		t.Errorf("deals: %s read updated %d, want incremental updating 40", r.Mode, r.Updated)
	}
	e.requireTruth("after 40 days")

	// Naive (singer-io/tap-hubspot#34, airbytehq/airbyte#23630): the v1
	// "recently modified" endpoint, capped at 30 days and 10,000. HubSpot
	// is retiring it and the sandbox does not serve it: the client gets
	// none of the 40 changed deals.
	status, got, body := e.naive().legacyRecent("/deals/v1/deal/recent/modified", checkpoint)
	t.Logf("naive: HTTP %d, %d deals: %.200s", status, got, body)
	if status != http.StatusNotFound || got != 0 {
		t.Errorf("X8 trap not armed: the legacy recent deals endpoint answered HTTP %d with %d deals, want 404 and none", status, got)
	}
}

// X10: an association made between existing records moves neither
// record's last-modified time, so no change read can see it; the
// association sweep must, and the objects stay incremental.
func TestHubSpotX10AssociationsSweep(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	synced := e.srv.Clock().Now()
	e.pull(store.PullStandard)
	c, co := e.ids("contacts", false)[7], e.ids("companies", false)[9]
	e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpAssociate, Type: "contacts", ID: c, ToType: "companies", To: co, TypeIDs: []int{279}})
	e.advance(25 * time.Hour)
	p := e.pull(store.PullStandard)
	rs := e.results(p)
	if rs["contacts"].Mode != provider.Incremental || rs["associations_contacts"].Mode != provider.Full {
		t.Errorf("contacts read %s and their associations %s, want incremental and full", rs["contacts"].Mode, rs["associations_contacts"].Mode)
	}
	rec := e.stored("associations_contacts")["companies/"+c]
	if !strings.Contains(string(rec.Payload), co) {
		t.Errorf("contact %s's companies do not include %s: %s", c, co, rec.Payload)
	}
	e.requireTruth("after the association sweep")

	// Naive (airbytehq/airbyte#14390): associations read only for the
	// records the incremental read returns. Neither end of the new
	// association was modified, so neither is returned and the
	// association is never read.
	n := e.naive()
	contacts, companies := n.changedSince("contacts", synced), n.changedSince("companies", synced)
	t.Logf("naive: %d contacts and %d companies changed since the last sync; contact %s among them: %v, company %s: %v",
		len(contacts.Records), len(companies.Records), c, contacts.ids()[c], co, companies.ids()[co])
	if contacts.ids()[c] || companies.ids()[co] {
		t.Errorf("X10 trap not armed: an incremental read returned contact %s (%v) or company %s (%v) after only an association changed",
			c, contacts.ids()[c], co, companies.ids()[co])
	}
	// The association is there for whoever asks.
	if to := n.associated("contacts", c, "companies"); !to[co] {
		t.Errorf("X10: the v4 associations of contact %s do not include company %s: %v", c, co, to)
	}
}

// X11: 900 custom contact properties with long names: named in a list
// URL they make it some 50,000 characters, a 414. Records are read by
// batch read (property list in the body) and keep every set property.
func TestHubSpotX11ManyProperties(t *testing.T) {
	e := newHSEnv(t, hsOptions{}) // the sandbox's default: 900
	p := e.pull(store.PullStandard)
	r := e.results(p)["contacts"]
	if r.Status != store.ResultOK {
		t.Fatalf("contacts: %s: %s", r.Status, r.Reason)
	}
	n := 0
	for _, d := range e.truth("properties/contacts") {
		if strings.HasPrefix(d["name"].(string), "dp_custom_") {
			n++
		}
	}
	if n < 900 {
		t.Fatalf("the sandbox defines %d custom properties, want 900", n)
	}
	// Two calls a page of 100 (ids, then batch read), plus the count and
	// the property list.
	t.Logf("contacts: %d records in %d calls", r.Fetched, r.Calls)
	e.requireTruth("with 900 custom properties")

	// Naive (airbytehq/airbyte#33976, dlt-hub/verified-sources#305): a
	// list URL naming every property, which is too long for HubSpot.
	status, uriLen, props := e.naive().listNamingAllProperties("contacts")
	t.Logf("naive: a list URL of %d characters naming %d properties: HTTP %d", uriLen, props, status)
	if status != http.StatusRequestURITooLong {
		t.Errorf("X11 trap not armed: a list URL of %d characters naming %d properties got HTTP %d, want 414", uriLen, props, status)
	}
}

// X12: a number property holding "12;34". The pull must not crash, the
// value is stored as sent, and a note says so.
func TestHubSpotX12BadPropertyType(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	id := e.ids("companies", false)[2]
	e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpUpdate, Type: "companies", ID: id, Properties: map[string]string{"numberofemployees": "12;34"}})
	p := e.pull(store.PullStandard)
	if p.Status != store.PullCompleted {
		t.Fatalf("pull %s: %s", p.Status, p.Error)
	}
	var rec struct {
		Properties map[string]string `json:"properties"`
	}
	json.Unmarshal(e.stored("companies")[id].Payload, &rec)
	if rec.Properties["numberofemployees"] != "12;34" {
		t.Errorf("stored numberofemployees %q, want \"12;34\" as sent", rec.Properties["numberofemployees"])
	}
	found := false
	for _, n := range e.notes(p) {
		if n.Code == "data_untyped" && n.Endpoint == "companies" && strings.Contains(n.Message, "numberofemployees") {
			found = true
		}
	}
	if !found {
		t.Errorf("no data_untyped note for companies.numberofemployees: %+v", e.notes(p))
	}
	e.requireTruth("with a badly typed value")

	// Naive (airbytehq/airbyte#60971): values decoded to the declared
	// type, strictly; "12;34" is not a number and the stream crashes.
	decoded, err := e.naive().typedRead("companies")
	t.Logf("naive: decoded %d companies, then: %v", decoded, err)
	if err == nil || !strings.Contains(err.Error(), "numberofemployees") {
		t.Errorf("X12 trap not armed: a strict typed read of companies decoded %d with error %v, want it to fail on numberofemployees", decoded, err)
	}
}

// X13: custom objects are addressed by their type id from the schemas,
// not by a plural label, which HubSpot does not know as a path.
func TestHubSpotX13CustomObjects(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	p := e.pull(store.PullStandard)
	if r := e.results(p)["custom_objects"]; r.Status != store.ResultOK || r.Fetched == 0 {
		t.Fatalf("custom objects: %s, %d fetched: %s", r.Status, r.Fetched, r.Reason)
	}
	for _, s := range e.truth("schemas") {
		labels := s["labels"].(map[string]any)
		if labels["plural"] == s["name"] {
			t.Errorf("schema %s: plural label equals the name; the test proves nothing", s["name"])
		}
	}
	e.requireTruth("with custom objects")

	// Naive (airbytehq/airbyte#26634): the object path built from the
	// schema's plural label, which HubSpot does not know.
	statuses := e.naive().byPluralLabel()
	t.Logf("naive: %v", statuses)
	for label, status := range statuses {
		if status < 400 || status >= 500 {
			t.Errorf("X13 trap not armed: GET /crm/v3/objects/%s answered HTTP %d, want a 4xx", label, status)
		}
	}
}

// X14: 429s with Retry-After on list, search and token calls (a refresh
// forced by expired tokens), and search's own 5 a second without any
// header, with the sandbox's real limits on a running clock. The pull
// must complete with every page checkpointed, not retry a window forever
// or die on the token endpoint.
func TestHubSpotX14RateLimits(t *testing.T) {
	const faults = "contacts:429-minute@calls=2-3,contacts/search:429-minute@call=1,token:429-minute@call=2"
	e := newHSEnv(t, hsOptions{config: func(c *hsandbox.Config) {
		smallProps(c)
		c.LimitsOff, c.TimeScale = false, 20
		// Below the pacer's 5 a second, so search's own 429s (no
		// Retry-After, no headers) happen too.
		c.SearchPerSecond = 4
		c.Faults = faults
	}, app: func(c *Config) { c.TimeScale = 20 }})
	e.pull(store.PullStandard)
	e.srv.ExpireAccessTokens()
	e.advance(time.Hour)
	e.bulk("contacts", 150)
	e.advance(time.Minute)
	p := e.pull(store.PullStandard)
	if p.Status != store.PullCompleted {
		t.Fatalf("pull %s: %s", p.Status, p.Error)
	}
	if r := e.results(p)["contacts"]; r.Updated < 150 {
		t.Errorf("contacts updated %d, want 150", r.Updated)
	}
	got429 := map[string]int64{}
	for _, u := range meterReport(e.t, e.url) {
		got429[u.Endpoint] += u.Statuses[429]
	}
	for _, ep := range []string{"contacts", "contacts/search", "token"} {
		if got429[ep] == 0 {
			t.Errorf("no 429 on %s: the test proves less than it says (%v)", ep, got429)
		}
	}
	var bare int64 // search's own 429s, which carry no Retry-After
	for ep, n := range got429 {
		if strings.HasSuffix(ep, "/search") && ep != "contacts/search" {
			bare += n
		}
	}
	if bare == 0 {
		t.Error("no 429 without Retry-After from search's own limit")
	}
	e.requireTruth("after 429s")

	// Naive (PipedreamHQ/pipedream#4209, PostHog/posthog PR 63732,
	// HubSpot/hubspot-api-python#20): no retry on 429, so the first one
	// ends the sync. The same fault profile, armed again for its calls
	// (its sign-in is the token endpoint's first call, its refresh the
	// second), meets it on the list, on search, on search's own limit
	// without Retry-After, and on the token endpoint.
	e.setFaults(faults)
	n := e.naive()
	var fatal []naive429
	if run := n.listAll("contacts", nil, false); run.Status == http.StatusTooManyRequests {
		fatal = append(fatal, naive429{"contacts", run.Header.Get("Retry-After")})
	}
	if run := n.searchSince("contacts", time.UnixMilli(0), 100, false); run.Status == http.StatusTooManyRequests {
		fatal = append(fatal, naive429{"contacts/search", run.Header.Get("Retry-After")})
	}
	others := []string{"companies", "deals", "tickets", "products", "line_items", "calls", "emails", "meetings", "notes", "tasks"}
	fatal = append(fatal, n.searchBurst(others)...)
	// Its token expires, as ours did before the pull: the refresh is the
	// token endpoint's second call.
	e.srv.ExpireAccessTokens()
	if status, retryAfter, _ := n.refreshToken(); status == http.StatusTooManyRequests {
		fatal = append(fatal, naive429{"token", retryAfter})
	}
	t.Logf("naive: 429s that end a client without retry: %v", fatal)
	hit, withWait, without := map[string]bool{}, 0, 0
	for _, f := range fatal {
		hit[f.Endpoint] = true
		if f.RetryAfter == "" {
			without++
		} else {
			withWait++
		}
	}
	if !hit["contacts"] || !hit["contacts/search"] || !hit["token"] || withWait == 0 || without == 0 {
		t.Errorf("X14 trap not armed: the naive client's 429s were %v; want the contacts list, contacts search and token endpoint, "+
			"with and without Retry-After", fatal)
	}
}

// X15: every access token expires in the middle of a pull; the pacer
// refreshes once and every side request (search, batch, associations)
// carries on.
func TestHubSpotX15TokenExpiresMidPull(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	e.pull(store.PullStandard)
	e.advance(time.Hour)
	e.bulk("contacts", 150)
	e.bulk("deals", 40)
	e.advance(time.Minute)
	expired := 0
	p := e.pullWith(store.PullStandard, func(ev pull.Event) {
		if ev.Kind == pull.PageStored && (ev.Endpoint == "contacts" || ev.Endpoint == "associations_deals") {
			expired += e.srv.ExpireAccessTokens()
		}
	})
	if p.Status != store.PullCompleted {
		t.Fatalf("pull %s: %s", p.Status, p.Error)
	}
	if expired == 0 {
		t.Fatal("no token was expired: the test proves nothing")
	}
	e.requireTruth("after tokens expired mid-pull")

	// Naive (Airbyte's side requesters, per its BEHAVIOR.md §8 and
	// changelog 5.8.1): the associations request keeps the access token it
	// was given and does not refresh and retry on 401. Expired as in the
	// pull above, that token fails it.
	n := e.naive()
	deals := e.ids("deals", false)[:10]
	before, _ := n.assocBatch("deals", "contacts", deals)
	e.srv.ExpireAccessTokens()
	after, body := n.assocBatch("deals", "contacts", deals)
	t.Logf("naive: associations batch read HTTP %d before expiry, HTTP %d after: %.200s", before, after, body)
	if before != http.StatusOK || after != http.StatusUnauthorized {
		t.Errorf("X15 trap not armed: the associations batch read answered HTTP %d with a live token and %d with it expired, want 200 then 401",
			before, after)
	}
}

// Merges and purges: a merged-away contact is marked deleted by the
// change read that sees its survivor; a purged one by the periodic full
// read, and the sweep says so in a note.
func TestHubSpotMergesAndPurges(t *testing.T) {
	e := newHSEnv(t, hsOptions{config: smallProps})
	e.pull(store.PullStandard)
	live := e.ids("contacts", false)
	e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpMerge, Type: "contacts", ID: live[1], Into: live[2]},
		hsandbox.ChangeRequest{Op: hsandbox.OpPurge, Type: "contacts", ID: live[3]})
	e.advance(time.Hour)
	e.pull(store.PullStandard)
	got := e.stored("contacts")
	if got[live[1]].Status != provider.StatusDeleted {
		t.Errorf("merged-away contact %s is %s, want deleted", live[1], got[live[1]].Status)
	}
	if got[live[3]].Status != provider.StatusActive {
		t.Logf("purged contact %s is %s before the sweep", live[3], got[live[3]].Status)
	}
	e.advance(8 * 24 * time.Hour)
	p := e.pull(store.PullStandard)
	if r := e.results(p)["contacts"]; r.Mode != provider.Full || r.Deleted < 1 {
		t.Errorf("contacts: %s read deleted %d, want the weekly full read deleting the purged one", r.Mode, r.Deleted)
	}
	e.requireTruth("after the sweep")
}
