package hubspot

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The HubSpot cases of connector-failure-modes.md, from the provider's
// side: each test shows the sandbox behaves the way the trap needs. X3 is
// TestX3ShortPageKeepsCursor, X5 TestSearchLag, X11 TestPropertiesAndX11,
// X13 TestX13CustomObjectPaths, X14 TestFaults and TestX14TokenEndpoint429.

func mediumEnv(t *testing.T) (*testEnv, string) {
	t.Helper()
	e := newTestEnv(t, func(c *Config) { c.Size = "medium"; c.Portals = 1 })
	p, _ := e.portal()
	return e, PrivateAppToken(7, p.ID)
}

// searchIDs runs one search and returns ids, total and the next after.
func (e *testEnv) searchPage(t *testing.T, typ, tok string, body map[string]any) (ids []string, total int, next string, status int) {
	t.Helper()
	resp, raw := e.do(t, http.MethodPost, "/crm/v3/objects/"+typ+"/search", tok, body)
	if resp.StatusCode != 200 {
		return nil, 0, "", resp.StatusCode
	}
	var pg page
	if err := jsonUnmarshal(raw, &pg); err != nil {
		t.Fatal(err)
	}
	for _, r := range pg.Results {
		ids = append(ids, r.ID)
	}
	if pg.Paging != nil {
		next = pg.Paging.Next.After
	}
	return ids, *pg.Total, next, 200
}

// TestX1X2SearchCapAndIDLengths: a search matching more than 10,000
// records pages to 10,000 and then gets the 400; restarting with
// hs_object_id GT the last id (compared as numbers by the sandbox) reaches
// every record exactly once, although ids change length inside a window.
func TestX1X2SearchCapAndIDLengths(t *testing.T) {
	e, tok := mediumEnv(t)
	p, _ := e.portal()
	live := 0
	for _, r := range p.Type("contacts").Records {
		if !r.Live.Archived {
			live++
		}
	}
	byID := []any{map[string]string{"propertyName": "hs_object_id", "direction": "ASCENDING"}}
	body := map[string]any{"limit": 200, "sorts": byID}
	var window []string
	total, next := 0, ""
	for {
		ids, tot, nx, status := e.searchPage(t, "contacts", tok, body)
		if status != 200 {
			if next != "10000" || status != 400 {
				t.Fatalf("search stopped at after=%s with %d", next, status)
			}
			break
		}
		window, total, next = append(window, ids...), tot, nx
		if next == "" {
			t.Fatalf("search ended at %d of %d without reaching the cap", len(window), total)
		}
		body["after"] = next
	}
	if total != live || total <= 10000 || len(window) != 10000 {
		t.Fatalf("total %d (live %d), window %d", total, live, len(window))
	}
	// X2: the window mixes id lengths, so a string maximum is not the last id.
	strMax, lengths := "", map[int]bool{}
	for _, id := range window {
		lengths[len(id)] = true
		if id > strMax {
			strMax = id
		}
	}
	if len(lengths) < 2 || strMax == window[len(window)-1] {
		t.Fatalf("window lengths %v, string max %s, last %s: want mixed lengths", lengths, strMax, window[len(window)-1])
	}
	// The fix works against the sandbox: restart after the numeric last id.
	seen := map[string]bool{}
	for _, id := range window {
		seen[id] = true
	}
	last := window[len(window)-1]
	for {
		body := map[string]any{"limit": 200, "sorts": byID, "filterGroups": []any{map[string]any{"filters": []any{
			map[string]string{"propertyName": "hs_object_id", "operator": "GT", "value": last}}}}}
		var got []string
		for {
			ids, _, nx, status := e.searchPage(t, "contacts", tok, body)
			if status != 200 {
				break
			}
			got = append(got, ids...)
			if nx == "" {
				break
			}
			body["after"] = nx
		}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("id %s seen twice", id)
			}
			seen[id] = true
		}
		if len(got) == 0 {
			break
		}
		last = got[len(got)-1]
	}
	if len(seen) != live {
		t.Fatalf("restarting by id reached %d of %d", len(seen), live)
	}
}

// TestX4SameMillisecondFloods: a bulk update gives over 10,000 records one
// modification millisecond, and a pipeline edit touches every deal in it.
func TestX4SameMillisecondFloods(t *testing.T) {
	e, tok := mediumEnv(t)
	ch := e.admin(t, ChangeRequest{Op: OpBulkUpdate, Type: "contacts", Properties: map[string]string{"hs_lead_status": "OPEN"}, Count: 15000})
	if ch[0].Count != 15000 {
		t.Fatalf("bulk update touched %d", ch[0].Count)
	}
	p, _ := e.portal()
	ms := p.Type("contacts").Records[0].Live.UpdatedAt
	eq := map[string]any{"limit": 100, "filterGroups": []any{map[string]any{"filters": []any{
		map[string]string{"propertyName": "lastmodifieddate", "operator": "EQ", "value": strconv.FormatInt(ms, 10)}}}}}
	if _, total, _, _ := e.searchPage(t, "contacts", tok, eq); total != 15000 {
		t.Fatalf("%d records at the bulk update's millisecond, want 15000", total)
	}
	gt := map[string]any{"limit": 100, "filterGroups": []any{map[string]any{"filters": []any{
		map[string]string{"propertyName": "lastmodifieddate", "operator": "GT", "value": strconv.FormatInt(ms, 10)}}}}}
	if _, total, _, _ := e.searchPage(t, "contacts", tok, gt); total != 0 {
		t.Fatalf("GT the flood's millisecond: %d, want 0 (timestamp-only restarts skip the rest)", total)
	}

	ch = e.admin(t, ChangeRequest{Op: OpPipelineEdit, Type: "deals", Pipeline: "default", Stage: "closedwon", Label: "Won", Probability: "1.0"})
	deals := p.Type("deals")
	n, stamp := 0, int64(0)
	for _, r := range deals.Records {
		if v, _ := r.Live.Value(deals.Prop("pipeline")); v == "default" && !r.Live.Archived {
			n++
			if stamp == 0 {
				stamp = r.Live.UpdatedAt
			}
			if r.Live.UpdatedAt != stamp {
				t.Fatalf("deal %d not touched by the pipeline edit", r.ID)
			}
		}
	}
	if ch[0].Count != n || n < 5000 {
		t.Fatalf("pipeline edit touched %d of %d deals", ch[0].Count, n)
	}
	var pl pipelineJSON
	e.getJSON(t, "/crm/v3/pipelines/deals/default", tok, &pl)
	if pl.UpdatedAt != isoMillis(stamp) || pl.Stages[5].Label != "Won" {
		t.Fatalf("edited pipeline %+v", pl)
	}
}

// TestX6X7ChangesDuringAPull: records changed while a client pages are
// seen by a later incremental search from the pull's start; GTE includes
// the boundary record, GT does not; the same search twice answers the same.
func TestX6X7ChangesDuringAPull(t *testing.T) {
	e := newTestEnv(t, nil)
	p, _ := e.portal()
	tok := PrivateAppToken(7, p.ID)
	start := e.srv.Clock().Now().UnixMilli()
	var pg page
	e.getJSON(t, "/crm/v3/objects/companies?limit=10", tok, &pg)
	read, unread := pg.Results[0].ID, ""
	companies := p.Type("companies")
	for _, r := range companies.Records[30:] {
		if !r.Live.Archived {
			unread = strconv.FormatInt(r.ID, 10)
			break
		}
	}
	e.srv.Clock().Advance(1000)
	e.admin(t, ChangeRequest{Op: OpUpdate, Type: "companies", ID: read, Properties: map[string]string{"city": "Oslo"}},
		ChangeRequest{Op: OpUpdate, Type: "companies", ID: unread, Properties: map[string]string{"city": "Oslo"}})
	all := e.listAll(t, "/crm/v3/objects/companies?limit=10&properties=city", tok)
	oslo := 0
	for _, r := range all {
		if r.Properties["city"] != nil && *r.Properties["city"] == "Oslo" && (r.ID == unread) {
			oslo++
		}
	}
	if oslo != 1 {
		t.Fatal("the record changed ahead of the pager was not seen with its new value")
	}
	since := func(op string, ms int64) []string {
		ids, _ := e.searchAll(t, "companies", tok, map[string]any{"limit": 100, "filterGroups": []any{map[string]any{"filters": []any{
			map[string]string{"propertyName": "hs_lastmodifieddate", "operator": op, "value": strconv.FormatInt(ms, 10)}}}}})
		return ids
	}
	got := since("GTE", start)
	if len(got) != 2 || strings.Join(since("GTE", start), ",") != strings.Join(got, ",") {
		t.Fatalf("incremental from the pull's start: %v", got)
	}
	boundary := companies.Get(mustInt(read)).Live.UpdatedAt
	if len(since("GTE", boundary)) != 2 || len(since("GT", boundary)) != 0 {
		t.Fatalf("GTE/GT at the boundary: %v / %v", since("GTE", boundary), since("GT", boundary))
	}
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// TestX8NoLegacyRecentEndpoints: the capped v1 "recent" endpoints are not
// served, so a client cannot lean on them.
func TestX8NoLegacyRecentEndpoints(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	for _, path := range []string{"/companies/v2/companies/recent/modified", "/deals/v1/deal/recent/modified", "/contacts/v1/lists/recently_updated/contacts/recent"} {
		resp, body := e.do(t, http.MethodGet, path, tok.AccessToken, nil)
		wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
	}
}

// TestX9CursorsSurviveRestarts: a sandbox started again with the same seed
// issues the same cursors and accepts the old ones, so a checkpoint written
// before a restart (or by an older version) still resumes.
func TestX9CursorsSurviveRestarts(t *testing.T) {
	a, b := newTestEnv(t, nil), newTestEnv(t, nil)
	p, _ := a.portal()
	tok := PrivateAppToken(7, p.ID)
	var pa, pb, pa2, pb2 page
	a.getJSON(t, "/crm/v3/objects/deals?limit=7", tok, &pa)
	b.getJSON(t, "/crm/v3/objects/deals?limit=7", tok, &pb)
	if pa.Paging == nil || pb.Paging == nil || pa.Paging.Next.After != pb.Paging.Next.After {
		t.Fatal("the same seed issued different cursors")
	}
	a.getJSON(t, "/crm/v3/objects/deals?limit=7&after="+pa.Paging.Next.After, tok, &pa2)
	b.getJSON(t, "/crm/v3/objects/deals?limit=7&after="+pa.Paging.Next.After, tok, &pb2)
	if len(pa2.Results) != 7 || pa2.Results[0].ID != pb2.Results[0].ID || pa2.Results[0].ID == pa.Results[0].ID {
		t.Fatal("the same seed gave different pages for one cursor")
	}
}

// TestX10Associations: association changes leave last-modified alone by
// default (so incremental pulls miss them); embedded associations are cut
// at 100 with a cursor, while v4 returns them all.
func TestX10Associations(t *testing.T) {
	for _, bump := range []bool{false, true} {
		e := newTestEnv(t, func(c *Config) { c.ModifiedOnAssociation = bump })
		p, _ := e.portal()
		tok := PrivateAppToken(7, p.ID)
		company := p.Type("companies").Records[1]
		before := company.Live.UpdatedAt
		var reqs []ChangeRequest
		cid := strconv.FormatInt(company.ID, 10)
		for _, r := range p.Type("contacts").Records[:130] {
			reqs = append(reqs, ChangeRequest{Op: OpAssociate, Type: "companies", ID: cid, ToType: "contacts", To: strconv.FormatInt(r.ID, 10)})
		}
		e.srv.Clock().Advance(5000)
		e.admin(t, reqs...)
		if moved := company.Live.UpdatedAt != before; moved != bump {
			t.Fatalf("ModifiedOnAssociation=%v: modified moved %v", bump, moved)
		}
		if bump {
			continue
		}
		var got apiRecord
		e.getJSON(t, "/crm/v3/objects/companies/"+cid+"?associations=contacts", tok, &got)
		emb := got.Associations["contacts"]
		if len(emb.Results) != 100 || emb.Paging == nil {
			t.Fatalf("embedded associations: %d, paging %v; want 100 and a cursor", len(emb.Results), emb.Paging)
		}
		n := len(p.Assoc.targets(p.Type("companies"), p.Type("contacts"), company.ID))
		var v4 struct{ Results []map[string]any }
		e.getJSON(t, "/crm/v4/objects/companies/"+cid+"/associations/contacts", tok, &v4)
		if len(v4.Results) != n || n < 130 {
			t.Fatalf("v4: %d of %d", len(v4.Results), n)
		}
	}
}

// TestX12PropertyValueAgainstItsType: a number property holds "123;456".
func TestX12PropertyValueAgainstItsType(t *testing.T) {
	e, tok := mediumEnv(t)
	p, _ := e.portal()
	contacts := p.Type("contacts")
	k := contacts.customStartIndex() + 1
	if contacts.Props[k].Type != "number" {
		t.Fatalf("property %s is %s", contacts.Props[k].Name, contacts.Props[k].Type)
	}
	bad := ""
	for _, r := range contacts.Records {
		if v, _ := r.Live.Value(k); v == "123;456" {
			bad = strconv.FormatInt(r.ID, 10)
			break
		}
	}
	if bad == "" {
		t.Fatal("no contact holds 123;456 in a number property")
	}
	var got apiRecord
	e.getJSON(t, "/crm/v3/objects/contacts/"+bad+"?properties="+url.QueryEscape(contacts.Props[k].Name), tok, &got)
	if v := got.Properties[contacts.Props[k].Name]; v == nil || *v != "123;456" {
		t.Fatalf("API value %v", v)
	}
}

// TestX15TokenExpiresMidSearch: the token lapses in the middle of a search
// sequence; the next pages answer 401 until the client refreshes.
func TestX15TokenExpiresMidSearch(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Faults = "contacts/search:token-expiry@call=2" })
	tok := e.signIn(t, allScopes)
	body := map[string]any{"limit": 10}
	if _, _, next, status := e.searchPage(t, "contacts", tok.AccessToken, body); status != 200 || next == "" {
		t.Fatalf("page 1: %d", status)
	}
	body["after"] = "10"
	resp, raw := e.do(t, http.MethodPost, "/crm/v3/objects/contacts/search", tok.AccessToken, body)
	wantError(t, resp, raw, 401, "EXPIRED_AUTHENTICATION")
	resp, raw = e.do(t, http.MethodGet, "/crm/v4/associations/contacts/companies/labels", tok.AccessToken, nil)
	wantError(t, resp, raw, 401, "EXPIRED_AUTHENTICATION")
	_, fresh := e.form(t, "/oauth/v1/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}, "refresh_token": {tok.RefreshToken}})
	var nt tokens
	jsonUnmarshal(fresh, &nt)
	if _, _, _, status := e.searchPage(t, "contacts", nt.AccessToken, body); status != 200 {
		t.Fatalf("page 2 after refresh: %d", status)
	}
}
