package hubspot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAdminChanges(t *testing.T) {
	e := newTestEnv(t, nil)
	p, _ := e.portal()
	contacts := p.Type("contacts")
	e.srv.Clock().Advance(time.Hour)
	now := e.srv.Clock().Now().UnixMilli()
	tok := e.signIn(t, allScopes)

	created := e.admin(t, ChangeRequest{Op: OpCreate, Type: "contacts", Properties: map[string]string{"email": "new@x.example", "firstname": "New"}})
	newID := created[0].ID
	var got apiRecord
	e.getJSON(t, "/crm/v3/objects/contacts/"+newID, tok.AccessToken, &got)
	if *got.Properties["email"] != "new@x.example" || got.CreatedAt != isoMillis(now) {
		t.Fatalf("created %+v", got)
	}
	if n, _ := strconv.ParseInt(newID, 10, 64); n <= contacts.Records[len(contacts.Records)-2].ID {
		t.Fatalf("new id %s is not above the others", newID)
	}

	// Update: new value, new modified time, and history of both values.
	e.srv.Clock().Advance(time.Minute)
	e.admin(t, ChangeRequest{Op: OpUpdate, Type: "contacts", ID: newID, Properties: map[string]string{"firstname": "Renamed"}})
	e.getJSON(t, "/crm/v3/objects/contacts/"+newID+"?propertiesWithHistory=firstname", tok.AccessToken, &got)
	h := got.PropertiesWithHistory["firstname"]
	if got.UpdatedAt != isoMillis(now+60_000) || len(h) != 2 || h[0]["value"] != "Renamed" || h[1]["value"] != "New" {
		t.Fatalf("after update %+v", got)
	}
	// The value set at creation starts the history, from the API.
	if h[1]["sourceType"] != "API" || h[1]["timestamp"] != isoMillis(now) {
		t.Fatalf("creation entry %+v", h[1])
	}

	// Archive leaves the modified time alone (gotcha 5); restore moves it.
	e.srv.Clock().Advance(time.Minute)
	e.admin(t, ChangeRequest{Op: OpArchive, Type: "contacts", ID: newID})
	e.getJSON(t, "/crm/v3/objects/contacts/"+newID+"?archived=true", tok.AccessToken, &got)
	if !got.Archived || got.ArchivedAt != isoMillis(now+120_000) || got.UpdatedAt != isoMillis(now+60_000) {
		t.Fatalf("archived %+v", got)
	}
	e.admin(t, ChangeRequest{Op: OpRestore, Type: "contacts", ID: newID})
	e.getJSON(t, "/crm/v3/objects/contacts/"+newID, tok.AccessToken, &got)
	if got.Archived || got.UpdatedAt != isoMillis(now+120_000) {
		t.Fatalf("restored %+v", got)
	}

	// Merge: the absorbed record is gone, not archived; its id reads the
	// survivor, which lists it and takes its associations.
	var a, b *Record
	for _, r := range contacts.Records {
		if r.Live.Archived || len(p.Assoc.targets(contacts, p.Type("companies"), r.ID)) == 0 {
			continue
		}
		if a == nil {
			a = r
		} else if b == nil {
			b = r
		}
	}
	aid, bid := strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)
	aCompany := p.Assoc.targets(contacts, p.Type("companies"), a.ID)[0].To
	e.admin(t, ChangeRequest{Op: OpMerge, Type: "contacts", ID: aid, Into: bid})
	e.getJSON(t, "/crm/v3/objects/contacts/"+aid+"?properties=hs_merged_object_ids", tok.AccessToken, &got)
	if got.ID != bid || !strings.Contains(*got.Properties["hs_merged_object_ids"], aid) {
		t.Fatalf("read of merged id: %+v", got)
	}
	for _, archived := range []string{"false", "true"} {
		for _, r := range e.listAll(t, "/crm/v3/objects/contacts?limit=100&archived="+archived, tok.AccessToken) {
			if r.ID == aid {
				t.Fatalf("merged-away contact still listed (archived=%s)", archived)
			}
		}
	}
	found := false
	for _, edge := range p.Assoc.targets(contacts, p.Type("companies"), b.ID) {
		found = found || edge.To == aCompany
	}
	if !found {
		t.Fatal("survivor did not take the merged contact's company")
	}

	// Purge: gone everywhere.
	e.admin(t, ChangeRequest{Op: OpPurge, Type: "contacts", ID: newID})
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/contacts/"+newID+"?archived=true", tok.AccessToken, nil)
	wantError(t, resp, body, 404, "OBJECT_NOT_FOUND")

	// Associate with a label, then disassociate; neither moves the
	// records' modified time by default (X10).
	deal := p.Type("deals").Records[0]
	before := deal.Live.UpdatedAt
	did := strconv.FormatInt(deal.ID, 10)
	e.admin(t, ChangeRequest{Op: OpAssociate, Type: "deals", ID: did, ToType: "contacts", To: bid, TypeIDs: []int{1003}})
	var assoc struct {
		Results []struct {
			ToObjectID       int64 `json:"toObjectId"`
			AssociationTypes []struct{ TypeID int }
		}
	}
	e.getJSON(t, "/crm/v4/objects/deals/"+did+"/associations/contacts", tok.AccessToken, &assoc)
	ok := false
	for _, r := range assoc.Results {
		if strconv.FormatInt(r.ToObjectID, 10) == bid && len(r.AssociationTypes) == 2 {
			ok = true
		}
	}
	if !ok || deal.Live.UpdatedAt != before {
		t.Fatalf("associate: %+v (modified moved: %v)", assoc, deal.Live.UpdatedAt != before)
	}
	e.admin(t, ChangeRequest{Op: OpDisassociate, Type: "deals", ID: did, ToType: "contacts", To: bid})
}

func TestAdminRefusals(t *testing.T) {
	e := newTestEnv(t, nil)
	p, pid := e.portal()
	archived := ""
	for _, r := range p.Type("companies").Records {
		if r.Live.Archived {
			archived = strconv.FormatInt(r.ID, 10)
			break
		}
	}
	live := strconv.FormatInt(p.Type("companies").Records[0].ID, 10)
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"unknown op", `{"op":"explode","type":"companies","id":"` + live + `"}`, 400},
		{"unknown type", `{"op":"update","type":"robots","id":"1"}`, 400},
		{"unknown id", `{"op":"update","type":"companies","id":"1"}`, 404},
		{"update archived", `{"op":"update","type":"companies","id":"` + archived + `","properties":{"name":"x"}}`, 404},
		{"read-only property", `{"op":"update","type":"companies","id":"` + live + `","properties":{"hs_object_id":"1"}}`, 400},
		{"unknown property", `{"op":"create","type":"companies","properties":{"nope":"1"}}`, 400},
		{"merge into itself", `{"op":"merge","type":"companies","id":"` + live + `","into":"` + live + `"}`, 400},
		{"tickets cannot merge here", `{"op":"merge","type":"tickets","id":"1","into":"2"}`, 404},
		{"no change", `{}`, 400},
		{"misspelt field", `{"op":"update","typ":"companies"}`, 400},
		{"pipeline unknown", `{"op":"pipeline-edit","type":"deals","pipeline":"zzz"}`, 404},
		{"bad probability", `{"op":"pipeline-edit","type":"deals","pipeline":"default","stage":"closedwon","probability":"7"}`, 400},
		{"second change refused", `{"changes":[{"op":"create","type":"companies"},{"op":"update","type":"companies","id":"1"}]}`, 404},
	}
	for _, tc := range tests {
		resp, body := e.do(t, http.MethodPost, "/_sandbox/portals/"+pid+"/changes", "", tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.status)
		}
		if tc.name == "second change refused" && !strings.Contains(string(body), `"applied":[{"op":"create"`) {
			t.Errorf("partial batch does not report the applied change: %s", body)
		}
	}
	if resp, _ := e.do(t, http.MethodPost, "/_sandbox/portals/1/changes", "", `{"op":"create","type":"companies"}`); resp.StatusCode != 404 {
		t.Errorf("unknown portal: %d", resp.StatusCode)
	}
}

// TestTruthEndpoints: every documented truth endpoint answers NDJSON, and
// record truth matches the portal's records, archived ones included.
func TestTruthEndpoints(t *testing.T) {
	e := newTestEnv(t, nil)
	p, pid := e.portal()
	names := e.srv.TruthEndpoints(p.ID)
	if len(names) < 40 {
		t.Fatalf("only %d truth endpoints", len(names))
	}
	for _, name := range names {
		var buf bytes.Buffer
		if err := e.srv.Truth(pid, name, &buf); err != nil {
			t.Fatalf("truth %s: %v", name, err)
		}
		n := 0
		sc := bufio.NewScanner(&buf)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var v map[string]any
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatalf("truth %s line %d: %v", name, n, err)
			}
			n++
		}
		if typ := p.Type(name); typ != nil && n != len(typ.Records) {
			t.Fatalf("truth %s: %d lines, %d records", name, n, len(typ.Records))
		}
		if n == 0 && !strings.HasPrefix(name, "history/") {
			t.Errorf("truth %s is empty", name)
		}
	}
	resp, body := e.do(t, http.MethodGet, "/_sandbox/portals/"+pid+"/truth/associations/deals/contacts", "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || !bytes.Contains(body, []byte(`"typeId":3`)) {
		t.Fatalf("truth over HTTP: %d %s", resp.StatusCode, body[:min(len(body), 200)])
	}
	for _, bad := range []string{"nope", "pipelines/robots", "associations/products/contacts"} {
		if resp, _ := e.do(t, http.MethodGet, "/_sandbox/portals/"+pid+"/truth/"+bad, "", nil); resp.StatusCode != 404 {
			t.Errorf("truth %s: %d, want 404", bad, resp.StatusCode)
		}
	}
	if err := e.srv.Truth("1", "contacts", &bytes.Buffer{}); err == nil {
		t.Error("truth of an unknown portal did not fail")
	}
}

// TestAdminKit: index, clock, meter, faults, token expiry, uninstall and
// the search lag over HTTP.
func TestAdminKit(t *testing.T) {
	e := newTestEnv(t, nil)
	tok := e.signIn(t, allScopes)
	p, pid := e.portal()
	var idx struct {
		Portals []indexPortal
		Truth   []string `json:"truthEndpoints"`
	}
	e.getJSON(t, "/_sandbox/", "", &idx)
	if len(idx.Portals) != 2 || idx.Portals[0].Total != p.RecordCount() || idx.Portals[0].PrivateAppToken == "" || len(idx.Truth) == 0 {
		t.Fatalf("index %+v", idx)
	}
	e.do(t, http.MethodPost, "/_sandbox/meter/reset", "", nil)
	e.do(t, http.MethodGet, "/crm/v3/objects/deals?limit=5", tok.AccessToken, nil)
	e.do(t, http.MethodPost, "/crm/v3/objects/deals/search", tok.AccessToken, nil)
	var meter struct {
		Calls int64
		Usage []struct {
			Tenant, Endpoint string
			Calls, Bytes     int64
		}
	}
	e.getJSON(t, "/_sandbox/meter", "", &meter)
	seen := map[string]bool{}
	for _, u := range meter.Usage {
		if u.Tenant == pid && u.Calls == 1 && u.Bytes > 100 {
			seen[u.Endpoint] = true
		}
	}
	if !seen["deals"] || !seen["deals/search"] {
		t.Fatalf("meter %+v", meter)
	}
	if resp, body := e.do(t, http.MethodPut, "/_sandbox/faults", "", "deals:500@call=1"); resp.StatusCode != 200 {
		t.Fatalf("faults: %d %s", resp.StatusCode, body)
	}
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil)
	wantError(t, resp, body, 500, "INTERNAL_ERROR")
	var expired map[string]int
	resp, body = e.do(t, http.MethodPost, "/_sandbox/tokens/expire", "", nil)
	json.Unmarshal(body, &expired)
	if resp.StatusCode != 200 || expired["expired"] < 1 {
		t.Fatalf("expire: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil)
	wantError(t, resp, body, 401, "EXPIRED_AUTHENTICATION")
	if resp, body := e.do(t, http.MethodPost, "/_sandbox/portals/"+pid+"/uninstall", "", nil); resp.StatusCode != 200 || !strings.Contains(string(body), `"revoked":1`) {
		t.Fatalf("uninstall: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do(t, http.MethodPost, "/_sandbox/search", "", `{"lag":"1m"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"lag":"1m0s"`) {
		t.Fatalf("search lag: %d %s", resp.StatusCode, body)
	}
	e.admin(t, ChangeRequest{Op: OpCreate, Type: "notes", Properties: map[string]string{"hs_note_body": "hi"}})
	resp, body = e.do(t, http.MethodPost, "/_sandbox/search", "", `{"flush":true}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"pending":0`) {
		t.Fatalf("flush: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, http.MethodPost, "/_sandbox/search", "", `{"lag":"soon"}`); resp.StatusCode != 400 {
		t.Fatalf("bad lag: %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, http.MethodPost, "/_sandbox/clock", "", `{"advance":"2h"}`); resp.StatusCode != 200 {
		t.Fatalf("clock: %d", resp.StatusCode)
	}
}
