package hubspot

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type filter = map[string]any

func searchBody(limit int, after string, sorts []any, groups ...[]filter) map[string]any {
	fg := []map[string]any{}
	for _, g := range groups {
		fg = append(fg, map[string]any{"filters": g})
	}
	body := map[string]any{"filterGroups": fg, "limit": limit}
	if after != "" {
		body["after"] = after
	}
	if sorts != nil {
		body["sorts"] = sorts
	}
	return body
}

// searchAll pages a search to its end (or the cap) and returns ids.
func (e *testEnv) searchAll(t testing.TB, typ, token string, body map[string]any) (ids []string, total int) {
	t.Helper()
	for {
		resp, raw := e.do(t, http.MethodPost, "/crm/v3/objects/"+typ+"/search", token, body)
		if resp.StatusCode != 200 {
			t.Fatalf("search %v: %d %s", body, resp.StatusCode, raw)
		}
		var pg page
		json.Unmarshal(raw, &pg)
		for _, r := range pg.Results {
			ids = append(ids, r.ID)
		}
		total = *pg.Total
		if pg.Paging == nil {
			return ids, total
		}
		body["after"] = pg.Paging.Next.After
	}
}

// TestSearchOperators checks each operator against the portal's data.
func TestSearchOperators(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	deals := p.Type("deals")
	var live []*Record
	for _, r := range deals.Records {
		if !r.Live.Archived {
			live = append(live, r)
		}
	}
	mid := live[len(live)/2]
	midMs := strconv.FormatInt(mid.Live.UpdatedAt, 10)
	amount := func(r *Record) float64 {
		v, _ := r.Live.Value(deals.Prop("amount"))
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	str := func(r *Record, name string) string { v, _ := r.Live.Value(deals.Prop(name)); return v }
	tests := []struct {
		name string
		f    filter
		want func(*Record) bool
	}{
		{"EQ stage", filter{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}, func(r *Record) bool { return str(r, "dealstage") == "closedwon" }},
		{"NEQ stage", filter{"propertyName": "dealstage", "operator": "NEQ", "value": "closedwon"}, func(r *Record) bool { return str(r, "dealstage") != "closedwon" }},
		{"GT modified ms", filter{"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": midMs}, func(r *Record) bool { return r.Live.UpdatedAt > mid.Live.UpdatedAt }},
		{"GTE modified ISO", filter{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": isoMillis(mid.Live.UpdatedAt)}, func(r *Record) bool { return r.Live.UpdatedAt >= mid.Live.UpdatedAt }},
		{"LT amount", filter{"propertyName": "amount", "operator": "LT", "value": "20000"}, func(r *Record) bool { return amount(r) < 20000 }},
		{"LTE amount number", filter{"propertyName": "amount", "operator": "LTE", "value": 20000}, func(r *Record) bool { return amount(r) <= 20000 }},
		{"BETWEEN id", filter{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": "100", "highValue": strconv.FormatInt(mid.ID, 10)}, func(r *Record) bool { return r.ID >= 100 && r.ID <= mid.ID }},
		{"IN pipeline", filter{"propertyName": "pipeline", "operator": "IN", "values": []string{"74418215"}}, func(r *Record) bool { return str(r, "pipeline") == "74418215" }},
		{"NOT_IN pipeline", filter{"propertyName": "pipeline", "operator": "NOT_IN", "values": []string{"74418215"}}, func(r *Record) bool { return str(r, "pipeline") != "74418215" }},
		{"HAS_PROPERTY owner", filter{"propertyName": "hubspot_owner_id", "operator": "HAS_PROPERTY"}, func(r *Record) bool { return str(r, "hubspot_owner_id") != "" }},
		{"NOT_HAS_PROPERTY owner", filter{"propertyName": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"}, func(r *Record) bool { return str(r, "hubspot_owner_id") == "" }},
		{"CONTAINS_TOKEN name", filter{"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "plan*"}, func(r *Record) bool { return strings.Contains(strings.ToLower(str(r, "dealname")), " plan") }},
		{"enumerations are case-sensitive", filter{"propertyName": "dealstage", "operator": "EQ", "value": "CLOSEDWON"}, func(*Record) bool { return false }},
	}
	for _, tc := range tests {
		var want []string
		for _, r := range live {
			if tc.want(r) {
				want = append(want, strconv.FormatInt(r.ID, 10))
			}
		}
		got, total := e.searchAll(t, "deals", tok.AccessToken, searchBody(200, "", nil, []filter{tc.f}))
		if total != len(want) || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %d (total %d), want %d", tc.name, len(got), total, len(want))
		}
	}
	// Groups are ORed, filters in a group ANDed.
	got, _ := e.searchAll(t, "deals", tok.AccessToken, searchBody(200, "", nil,
		[]filter{{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}, {"propertyName": "amount", "operator": "GT", "value": "50000"}},
		[]filter{{"propertyName": "dealstage", "operator": "EQ", "value": "closedlost"}}))
	n := 0
	for _, r := range live {
		if (str(r, "dealstage") == "closedwon" && amount(r) > 50000) || str(r, "dealstage") == "closedlost" {
			n++
		}
	}
	if len(got) != n {
		t.Errorf("OR of ANDs: %d, want %d", len(got), n)
	}
}

func TestSearchSortsPagingAndShape(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	desc := []any{map[string]string{"propertyName": "hs_object_id", "direction": "DESCENDING"}}
	ids, total := e.searchAll(t, "contacts", tok.AccessToken, searchBody(7, "", desc))
	if len(ids) != total || total == 0 {
		t.Fatalf("paged %d of total %d", len(ids), total)
	}
	for i := 1; i < len(ids); i++ {
		a, _ := strconv.ParseInt(ids[i-1], 10, 64)
		b, _ := strconv.ParseInt(ids[i], 10, 64)
		if a <= b {
			t.Fatalf("not descending at %d: %d then %d", i, a, b)
		}
	}
	// The spec's string form sorts too; lastmodifieddate on contacts.
	resp, raw := e.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/search", tok.AccessToken,
		map[string]any{"sorts": []string{"-lastmodifieddate"}, "limit": 3, "properties": []string{"email"}})
	var pg page
	json.Unmarshal(raw, &pg)
	if resp.StatusCode != 200 || len(pg.Results) != 3 || pg.Results[0].UpdatedAt < pg.Results[1].UpdatedAt {
		t.Fatalf("string sort: %d %s", resp.StatusCode, raw)
	}
	r := pg.Results[0]
	if r.Properties["email"] == nil || !isoRE.MatchString(*r.Properties["lastmodifieddate"]) || r.Associations != nil || r.PropertiesWithHistory != nil {
		t.Fatalf("search result shape %+v", r)
	}
	if pg.Paging == nil || pg.Paging.Next.After != "3" || pg.Paging.Next.Link != "" {
		t.Fatalf("paging %+v: want after \"3\" and no link", pg.Paging)
	}
}

// TestSearchValidation: bad searches get HubSpot's 400, never a 5xx.
func TestSearchValidation(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	f := filter{"propertyName": "email", "operator": "HAS_PROPERTY"}
	groups := func(n, per int) map[string]any {
		var gs [][]filter
		for i := 0; i < n; i++ {
			g := make([]filter, per)
			for j := range g {
				g[j] = f
			}
			gs = append(gs, g)
		}
		return searchBody(10, "", nil, gs...)
	}
	long := map[string]any{"query": strings.Repeat("a", 3001)}
	tests := []struct {
		name string
		body any
		code string
	}{
		{"limit over 200", map[string]any{"limit": 201}, ""},
		{"after not an integer", map[string]any{"after": "NTI1Cg=="}, ""},
		{"after past the cap", map[string]any{"after": "10000", "limit": 1}, ""},
		{"after+limit past the cap", map[string]any{"after": "9900", "limit": 101}, ""},
		{"six groups", groups(6, 1), ""},
		{"seven filters in a group", groups(1, 7), ""},
		{"nineteen filters", groups(4, 5), ""},
		{"two sorts", map[string]any{"sorts": []string{"email", "city"}}, ""},
		{"unknown property", searchBody(10, "", nil, []filter{{"propertyName": "nope", "operator": "EQ", "value": "x"}}), "PROPERTY_DOESNT_EXIST"},
		{"hs_lastmodifieddate on contacts", searchBody(10, "", nil, []filter{{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}}), "PROPERTY_DOESNT_EXIST"},
		{"unknown operator", searchBody(10, "", nil, []filter{{"propertyName": "email", "operator": "LIKE", "value": "x"}}), ""},
		{"bad date value", searchBody(10, "", nil, []filter{{"propertyName": "createdate", "operator": "GT", "value": "yesterday"}}), ""},
		{"BETWEEN without highValue", searchBody(10, "", nil, []filter{{"propertyName": "createdate", "operator": "BETWEEN", "value": "1"}}), ""},
		{"IN without values", searchBody(10, "", nil, []filter{{"propertyName": "email", "operator": "IN"}}), ""},
		{"EQ without value", searchBody(10, "", nil, []filter{{"propertyName": "email", "operator": "EQ"}}), ""},
		{"body over 3000 characters", long, ""},
		{"malformed JSON", `{"filterGroups":[`, ""},
		{"wrong JSON type", `{"limit":"ten"}`, ""},
		{"unsupported association filter", searchBody(10, "", nil, []filter{{"propertyName": "associations.fleet_vehicle", "operator": "EQ", "value": "1"}}), ""},
	}
	for _, tc := range tests {
		resp, body := e.do(t, http.MethodPost, "/crm/v3/objects/contacts/search", tok.AccessToken, tc.body)
		he := wantError(t, resp, body, 400, "VALIDATION_ERROR")
		if tc.code != "" && (len(he.Errors) == 0 || he.Errors[0].Code != tc.code) {
			t.Errorf("%s: %s, want code %s", tc.name, body, tc.code)
		}
	}
}

// TestSearchLag: a change shows in list and read at once, in search only
// after the indexing lag.
func TestSearchLag(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.SearchLag = 30 * time.Second })
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	r := p.Type("companies").Records[3]
	id := strconv.FormatInt(r.ID, 10)
	e.admin(t, ChangeRequest{Op: OpUpdate, Type: "companies", ID: id, Properties: map[string]string{"name": "Renamed Ltd"}},
		ChangeRequest{Op: OpCreate, Type: "companies", Properties: map[string]string{"name": "Brand New Ltd"}})
	var got apiRecord
	e.getJSON(t, "/crm/v3/objects/companies/"+id, tok.AccessToken, &got)
	if *got.Properties["name"] != "Renamed Ltd" {
		t.Fatalf("read after update: %v", *got.Properties["name"])
	}
	find := func() (renamed, created int) {
		for _, name := range []string{"Renamed Ltd", "Brand New Ltd"} {
			_, n := e.searchAll(t, "companies", tok.AccessToken, searchBody(10, "", nil, []filter{{"propertyName": "name", "operator": "EQ", "value": name}}))
			if name == "Renamed Ltd" {
				renamed = n
			} else {
				created = n
			}
		}
		return
	}
	if a, b := find(); a != 0 || b != 0 {
		t.Fatalf("search saw the changes at once: %d, %d", a, b)
	}
	e.srv.Clock().Advance(29 * time.Second)
	if a, b := find(); a != 0 || b != 0 {
		t.Fatalf("search saw the changes before the lag: %d, %d", a, b)
	}
	e.srv.Clock().Advance(2 * time.Second)
	if a, b := find(); a != 1 || b != 1 {
		t.Fatalf("search after the lag: %d, %d; want 1, 1", a, b)
	}
}

// TestSearchArchivedExcluded: archived records never appear in search.
func TestSearchArchivedExcluded(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	live := 0
	for _, r := range p.Type("tickets").Records {
		if !r.Live.Archived {
			live++
		}
	}
	_, total := e.searchAll(t, "tickets", tok.AccessToken, searchBody(100, "", nil))
	if total != live {
		t.Fatalf("search total %d, want %d live tickets", total, live)
	}
}

// TestSearchRateLimit: search has its own per-second limit, with no
// rate-limit headers on any answer.
func TestSearchRateLimit(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.LimitsOff = false })
	tok := e.signIn(t, allScopes)
	for i := 1; i <= 6; i++ {
		resp, body := e.do(t, http.MethodPost, "/crm/v3/objects/contacts/search", tok.AccessToken, map[string]any{"limit": 1})
		for k := range resp.Header {
			if strings.HasPrefix(k, "X-Hubspot-Ratelimit") {
				t.Fatalf("search answer carries %s", k)
			}
		}
		if i <= 5 && resp.StatusCode != 200 {
			t.Fatalf("search %d: %d %s", i, resp.StatusCode, body)
		}
		if i == 6 {
			he := wantError(t, resp, body, 429, "RATE_LIMITS")
			if he.PolicyName != "SECONDLY" || resp.Header.Get("Retry-After") != "" {
				t.Fatalf("6th search: %s (Retry-After %q)", body, resp.Header.Get("Retry-After"))
			}
		}
	}
	// The search limit does not touch the ten-second burst.
	resp, _ := e.do(t, http.MethodGet, "/crm/v3/objects/contacts", tok.AccessToken, nil)
	if resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Remaining") != "109" {
		t.Fatalf("list after searches: %d, remaining %s", resp.StatusCode, resp.Header.Get("X-HubSpot-RateLimit-Remaining"))
	}
	e.srv.Clock().Advance(time.Second)
	if resp, body := e.do(t, http.MethodPost, "/crm/v3/objects/contacts/search", tok.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("search a second later: %d %s", resp.StatusCode, body)
	}
}
