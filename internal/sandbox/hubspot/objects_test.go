package hubspot

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var isoRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// listAll pages through a list endpoint and returns every record.
func (e *testEnv) listAll(t testing.TB, path, token string) []apiRecord {
	t.Helper()
	var all []apiRecord
	next := path
	for pages := 0; next != ""; pages++ {
		if pages > 10000 {
			t.Fatal("paging does not end")
		}
		var pg page
		e.getJSON(t, next, token, &pg)
		all = append(all, pg.Results...)
		next = ""
		if pg.Paging != nil {
			sep := "&"
			if !strings.Contains(path, "?") {
				sep = "?"
			}
			next = path + sep + "after=" + pg.Paging.Next.After
		}
	}
	return all
}

// TestListEveryType pages through every object type, live and archived,
// on both path families: each record exactly once, in ascending id order,
// the last page without paging.
func TestListEveryType(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	for _, typ := range p.Types {
		name := typ.Name
		if typ.Custom {
			name = typ.TypeID
		}
		for _, archived := range []bool{false, true} {
			want := 0
			for _, r := range typ.Records {
				if r.Live.Archived == archived {
					want++
				}
			}
			q := "?limit=100&archived=" + strconv.FormatBool(archived)
			legacy := e.listAll(t, "/crm/v3/objects/"+name+q, tok.AccessToken)
			dated := e.listAll(t, "/crm/objects/2026-03/"+name+q, tok.AccessToken)
			if len(legacy) != want || len(dated) != want {
				t.Fatalf("%s archived=%v: %d and %d records, want %d", typ.Name, archived, len(legacy), len(dated), want)
			}
			var last int64
			for i, r := range legacy {
				id, err := strconv.ParseInt(r.ID, 10, 64)
				if err != nil || id <= last || r.Archived != archived || dated[i].ID != r.ID {
					t.Fatalf("%s: record %d id %q out of order or mismatched", typ.Name, i, r.ID)
				}
				last = id
				if archived && !isoRE.MatchString(r.ArchivedAt) {
					t.Fatalf("%s %s: archivedAt %q", typ.Name, r.ID, r.ArchivedAt)
				}
			}
		}
	}
}

func TestListParameters(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	tests := []struct {
		path  string
		n     int
		props []string
	}{
		{"/crm/v3/objects/contacts", 10, []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}},
		{"/crm/v3/objects/contacts?limit=500", 100, nil},
		{"/crm/v3/objects/contacts?limit=100&propertiesWithHistory=lifecyclestage", 50, nil},
		{"/crm/v3/objects/contacts?properties=city,nosuchproperty&limit=3", 3, []string{"city", "createdate", "hs_object_id", "lastmodifieddate"}},
		{"/crm/v3/objects/companies?limit=2", 2, []string{"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"}},
		{"/crm/v3/objects/calls?limit=1", 1, []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}},
	}
	for _, tc := range tests {
		var pg page
		e.getJSON(t, tc.path, tok.AccessToken, &pg)
		if len(pg.Results) != tc.n {
			t.Errorf("%s: %d results, want %d", tc.path, len(pg.Results), tc.n)
			continue
		}
		r := pg.Results[0]
		if tc.props != nil {
			var got []string
			for k := range r.Properties {
				got = append(got, k)
			}
			if strings.Join(sortedStrings(got), ",") != strings.Join(tc.props, ",") {
				t.Errorf("%s: properties %v, want %v", tc.path, sortedStrings(got), tc.props)
			}
		}
		if !isoRE.MatchString(r.CreatedAt) || !isoRE.MatchString(r.UpdatedAt) || r.Properties["hs_object_id"] == nil || *r.Properties["hs_object_id"] != r.ID {
			t.Errorf("%s: shape %+v", tc.path, r)
		}
	}
	// Values are strings or null, never numbers; a null is kept.
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/deals?limit=5&properties=amount,hs_deal_stage_probability,dealtype,hubspot_owner_id", tok.AccessToken, nil)
	var raw struct {
		Results []struct{ Properties map[string]any }
	}
	if json.Unmarshal(body, &raw); resp.StatusCode != 200 || len(raw.Results) != 5 {
		t.Fatalf("deals: %d %s", resp.StatusCode, body)
	}
	for _, r := range raw.Results {
		for k, v := range r.Properties {
			if _, isString := v.(string); !isString && v != nil {
				t.Fatalf("property %s is %T, want a string or null", k, v)
			}
		}
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestGetAndBatchRead(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	contacts := p.Type("contacts")
	var live, archived *Record
	for _, r := range contacts.Records {
		if r.Live.Archived && archived == nil {
			archived = r
		}
		if !r.Live.Archived && live == nil {
			live = r
		}
	}
	id := strconv.FormatInt(live.ID, 10)
	var got apiRecord
	e.getJSON(t, "/crm/v3/objects/contacts/"+id+"?associations=companies", tok.AccessToken, &got)
	if got.ID != id || len(got.Associations["companies"].Results) == 0 {
		t.Fatalf("get %s: %+v", id, got)
	}
	email, _ := live.Live.Value(contacts.Prop("email"))
	e.getJSON(t, "/crm/objects/2026-09/contacts/"+email+"?idProperty=email", tok.AccessToken, &got)
	if got.ID != id {
		t.Fatalf("by email: got %s, want %s", got.ID, id)
	}
	aid := strconv.FormatInt(archived.ID, 10)
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts/"+aid, tok.AccessToken, nil)
	wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
	e.getJSON(t, "/crm/v3/objects/contacts/"+aid+"?archived=true", tok.AccessToken, &got)
	if !got.Archived {
		t.Fatalf("archived get: %+v", got)
	}
	for _, bad := range []string{"999", "abc"} {
		resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts/"+bad, tok.AccessToken, nil)
		wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
	}

	inputs := []map[string]string{{"id": id}, {"id": "999"}, {"id": aid}}
	resp, body = e.do(t, http.MethodPost, "/crm/v3/objects/contacts/batch/read", tok.AccessToken,
		map[string]any{"properties": []string{"email"}, "inputs": inputs})
	var batch struct {
		Status    string
		Results   []apiRecord
		NumErrors int
		Errors    []struct {
			Category string
			Context  map[string][]string
		}
	}
	json.Unmarshal(body, &batch)
	if resp.StatusCode != http.StatusMultiStatus || len(batch.Results) != 1 || batch.NumErrors != 1 ||
		batch.Errors[0].Category != "OBJECT_NOT_FOUND" || len(batch.Errors[0].Context["ids"]) != 2 {
		t.Fatalf("batch read with missing ids: %d %s", resp.StatusCode, body)
	}
	if batch.Results[0].Associations != nil {
		t.Fatal("batch read returned associations")
	}
	resp, body = e.do(t, http.MethodPost, "/crm/objects/2026-03/contacts/batch/read", tok.AccessToken, map[string]any{"inputs": inputs[:1]})
	if resp.StatusCode != 200 {
		t.Fatalf("batch read: %d %s", resp.StatusCode, body)
	}
	many := make([]map[string]string, 101)
	for i := range many {
		many[i] = map[string]string{"id": id}
	}
	resp, body = e.do(t, http.MethodPost, "/crm/v3/objects/contacts/batch/read", tok.AccessToken, map[string]any{"inputs": many})
	wantError(t, resp, body, 400, "VALIDATION_ERROR")
}

// TestX13CustomObjectPaths: custom objects resolve by type id, fully
// qualified name and name, but not by their plural label, whose path is
// HubSpot's 400.
func TestX13CustomObjectPaths(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	vt := p.Type("fleet_vehicle")
	if strings.EqualFold(vt.Plural, vt.Name) {
		t.Fatal("the custom object's plural label equals its name")
	}
	for _, name := range []string{vt.TypeID, vt.FQN, vt.Name} {
		var props struct{ Results []propertyJSON }
		e.getJSON(t, "/crm/v3/properties/"+name, tok.AccessToken, &props)
		if len(props.Results) < 5 {
			t.Fatalf("properties of %s: %d", name, len(props.Results))
		}
	}
	for _, path := range []string{"/crm/v3/properties/" + vt.Plural, "/crm/v3/objects/vehicles", "/crm/v3/pipelines/Vehicles"} {
		resp, body := e.do(t, http.MethodGet, strings.ReplaceAll(path, " ", "%20"), tok.AccessToken, nil)
		he := wantError(t, resp, body, 400, "VALIDATION_ERROR")
		if !strings.Contains(he.Message, "Unable to infer object type") {
			t.Fatalf("%s: %s", path, body)
		}
	}
}
