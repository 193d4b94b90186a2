package hubspot

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestOwners(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	var active, archived struct{ Results []map[string]any }
	e.getJSON(t, "/crm/v3/owners", tok.AccessToken, &active)
	e.getJSON(t, "/crm/owners/2026-03?archived=true", tok.AccessToken, &archived)
	p, _ := e.portal()
	nArchived := 0
	for _, o := range p.Owners {
		if o.Archived {
			nArchived++
		}
	}
	if len(active.Results)+len(archived.Results) != len(p.Owners) || len(archived.Results) != nArchived {
		t.Fatalf("owners: %d active + %d archived, portal has %d (%d archived)", len(active.Results), len(archived.Results), len(p.Owners), nArchived)
	}
	for _, o := range active.Results {
		if o["type"] == "PERSON" && (o["userId"] == nil || o["userId"] != o["userIdIncludingInactive"]) {
			t.Fatalf("active owner %v: want userId = userIdIncludingInactive", o)
		}
	}
	for _, o := range archived.Results {
		if o["userId"] != nil || o["userIdIncludingInactive"] == nil || o["archived"] != true {
			t.Fatalf("deactivated owner %v: want userId null and userIdIncludingInactive set", o)
		}
	}
	var pg struct {
		Results []map[string]any
		Paging  struct{ Next struct{ After string } }
	}
	e.getJSON(t, "/crm/v3/owners?limit=2", tok.AccessToken, &pg)
	if len(pg.Results) != 2 || pg.Paging.Next.After != "2" {
		t.Fatalf("owners page: %+v", pg)
	}
	id := active.Results[0]["id"].(string)
	var one map[string]any
	e.getJSON(t, "/crm/v3/owners/"+id, tok.AccessToken, &one)
	if one["id"] != id {
		t.Fatalf("owner %s: %v", id, one)
	}
	resp, body := e.do(t, http.MethodGet, "/crm/v3/owners/1", tok.AccessToken, nil)
	wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
}

func TestPipelines(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	var deals struct{ Results []pipelineJSON }
	e.getJSON(t, "/crm/v3/pipelines/deals", tok.AccessToken, &deals)
	if len(deals.Results) != 2 || deals.Results[0].ID != "default" || deals.Results[0].CreatedAt != "1970-01-01T00:00:00.000Z" {
		t.Fatalf("deal pipelines: %+v", deals.Results)
	}
	for _, pl := range deals.Results {
		for _, st := range pl.Stages {
			if _, err := strconv.ParseFloat(st.Metadata["probability"], 64); err != nil || st.Metadata["isClosed"] == "" {
				t.Fatalf("deal stage %s metadata %v", st.ID, st.Metadata)
			}
		}
	}
	var tickets struct{ Results []pipelineJSON }
	e.getJSON(t, "/crm/pipelines/2026-03/tickets", tok.AccessToken, &tickets)
	if len(tickets.Results) != 1 || tickets.Results[0].ID != "0" || tickets.Results[0].Stages[0].Metadata["ticketState"] != "OPEN" {
		t.Fatalf("ticket pipelines: %+v", tickets.Results)
	}
	var one pipelineJSON
	e.getJSON(t, "/crm/v3/pipelines/deals/74418215", tok.AccessToken, &one)
	var stages struct{ Results []stageJSON }
	e.getJSON(t, "/crm/v3/pipelines/deals/74418215/stages", tok.AccessToken, &stages)
	if one.Label == "" || len(stages.Results) != len(one.Stages) || stages.Results[0].ID != "11348542" {
		t.Fatalf("one pipeline %+v / stages %+v", one, stages)
	}
	resp, body := e.do(t, http.MethodGet, "/crm/v3/pipelines/deals/nope", tok.AccessToken, nil)
	wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
}

// TestPropertiesAndX11: hundreds of custom properties with long names; a
// properties= list of all of them outgrows the URI limit (414), while the
// same list in chunks works.
func TestPropertiesAndX11(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	var props struct{ Results []propertyJSON }
	e.getJSON(t, "/crm/v3/properties/contacts", tok.AccessToken, &props)
	if len(props.Results) < 900 {
		t.Fatalf("%d contact properties, want over 900", len(props.Results))
	}
	var names []string
	long := 0
	for _, pr := range props.Results {
		names = append(names, pr.Name)
		if len(pr.Name) >= 60 {
			long++
		}
		if pr.Type == "" || pr.FieldType == "" || pr.GroupName == "" || pr.Options == nil {
			t.Fatalf("property %+v lacks required fields", pr)
		}
	}
	if long < 900 {
		t.Fatalf("%d long property names, want 900", long)
	}
	all := strings.Join(names, ",")
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts?properties="+all, tok.AccessToken, nil)
	if resp.StatusCode != http.StatusRequestURITooLong || !strings.Contains(string(body), "<html>") {
		t.Fatalf("all properties in one URL (%d chars): %d, want 414 HTML", len(all), resp.StatusCode)
	}
	for i := 0; i < len(names); i += 150 {
		chunk := strings.Join(names[i:min(i+150, len(names))], ",")
		if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts?limit=1&properties="+chunk, tok.AccessToken, nil); resp.StatusCode != 200 {
			t.Fatalf("chunk at %d: %d %s", i, resp.StatusCode, body)
		}
	}
	var one propertyJSON
	e.getJSON(t, "/crm/properties/2026-03/deals/dealstage", tok.AccessToken, &one)
	if one.Name != "dealstage" || one.Type != "enumeration" {
		t.Fatalf("one property %+v", one)
	}
	resp, body = e.do(t, http.MethodGet, "/crm/v3/properties/deals/nope", tok.AccessToken, nil)
	wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")
}

func TestSchemasAndAccount(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	var schemas struct{ Results []schemaJSON }
	e.getJSON(t, "/crm/v3/schemas", tok.AccessToken, &schemas)
	if len(schemas.Results) != 2 {
		t.Fatalf("%d schemas, want the 2 custom objects", len(schemas.Results))
	}
	s := schemas.Results[0]
	if !strings.HasPrefix(s.ObjectTypeID, "2-") || s.Labels["plural"] == s.Name || len(s.Properties) == 0 || len(s.Associations) == 0 {
		t.Fatalf("schema %+v", s)
	}
	var one schemaJSON
	e.getJSON(t, "/crm/v3/schemas/"+s.FullyQualifiedName, tok.AccessToken, &one)
	if one.ObjectTypeID != s.ObjectTypeID {
		t.Fatalf("schema by name: %+v", one)
	}
	p, _ := e.portal()
	for _, path := range []string{"/account-info/v3/details", "/account-info/2026-03/details"} {
		var acct map[string]any
		e.getJSON(t, path, tok.AccessToken, &acct)
		if acct["portalId"] != float64(p.ID) || acct["timeZone"] != p.TimeZone || acct["utcOffset"] != "-07:00" || acct["utcOffsetMilliseconds"] != float64(-25200000) {
			t.Fatalf("%s: %v", path, acct)
		}
	}
}

// TestAssociationsV4 covers per-record reads, batch reads (with a 207 for
// unknown ids and ids without associations) and labels.
func TestAssociationsV4(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, _ := e.portal()
	contacts, companies := p.Type("contacts"), p.Type("companies")
	var with, without *Record
	for _, r := range contacts.Records {
		n := len(p.Assoc.targets(contacts, companies, r.ID))
		if n > 0 && with == nil {
			with = r
		}
		if n == 0 && without == nil {
			without = r
		}
	}
	id := strconv.FormatInt(with.ID, 10)
	var one struct {
		Results []struct {
			ToObjectID       int64 `json:"toObjectId"`
			AssociationTypes []struct {
				Category string
				TypeID   int
				Label    *string
			}
		}
	}
	e.getJSON(t, "/crm/v4/objects/contacts/"+id+"/associations/companies", tok.AccessToken, &one)
	if len(one.Results) == 0 || len(one.Results[0].AssociationTypes) < 2 {
		t.Fatalf("contact→company associations: %+v", one)
	}
	labels := map[int]bool{}
	for _, at := range one.Results[0].AssociationTypes {
		labels[at.TypeID] = true
	}
	if !labels[279] || !labels[1] {
		t.Fatalf("primary company association types %v, want 1 and 279", labels)
	}
	var dated map[string]any
	e.getJSON(t, "/crm/objects/2026-03/contacts/"+id+"/associations/companies", tok.AccessToken, &dated)

	body := map[string]any{"inputs": []map[string]string{{"id": id}, {"id": strconv.FormatInt(without.ID, 10)}, {"id": "42"}}}
	resp, raw := e.do(t, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/read", tok.AccessToken, body)
	var batch struct {
		Results []struct {
			From struct{ ID string }
			To   []map[string]any
		}
		NumErrors int
		Errors    []struct{ Category, SubCategory string }
	}
	json.Unmarshal(raw, &batch)
	if resp.StatusCode != 207 || len(batch.Results) != 1 || batch.Results[0].From.ID != id || batch.NumErrors != 2 {
		t.Fatalf("batch read: %d %s", resp.StatusCode, raw)
	}
	var lbl struct {
		Results []struct {
			Category string
			TypeID   int
			Label    *string
		}
	}
	e.getJSON(t, "/crm/associations/2026-03/contacts/companies/labels", tok.AccessToken, &lbl)
	if len(lbl.Results) != 3 || lbl.Results[2].Category != "USER_DEFINED" || lbl.Results[0].Label != nil {
		t.Fatalf("labels %s", mustJSON(lbl))
	}
	over := make([]map[string]string, 1001)
	for i := range over {
		over[i] = map[string]string{"id": id}
	}
	resp, raw = e.do(t, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/read", tok.AccessToken, map[string]any{"inputs": over})
	wantError(t, resp, raw, 400, "VALIDATION_ERROR")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
