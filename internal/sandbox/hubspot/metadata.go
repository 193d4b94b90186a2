package hubspot

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) metadataRoutes() {
	owners := s.api(http.MethodGet, limitGeneral, "owners", fixed("crm.objects.owners.read"), s.listOwners)
	owner := s.api(http.MethodGet, limitGeneral, "owners", fixed("crm.objects.owners.read"), s.getOwner)
	s.both("/crm/v3/owners", "/crm/owners/{ver}", owners)
	s.both("/crm/v3/owners/{owner}", "/crm/owners/{ver}/{owner}", owner)

	pipes := s.api(http.MethodGet, limitGeneral, "", typed("/pipelines", schemaScopes), s.listPipelines)
	s.both("/crm/v3/pipelines/{type}", "/crm/pipelines/{ver}/{type}", pipes)
	s.both("/crm/v3/pipelines/{type}/{pipeline}", "/crm/pipelines/{ver}/{type}/{pipeline}", pipes)
	s.both("/crm/v3/pipelines/{type}/{pipeline}/stages", "/crm/pipelines/{ver}/{type}/{pipeline}/stages", pipes)

	props := s.api(http.MethodGet, limitGeneral, "", typed("/properties", schemaScopes), s.listProperties)
	s.both("/crm/v3/properties/{type}", "/crm/properties/{ver}/{type}", props)
	s.both("/crm/v3/properties/{type}/{name}", "/crm/properties/{ver}/{type}/{name}", props)

	schemas := s.api(http.MethodGet, limitGeneral, "schemas", fixed("crm.schemas.custom.read"), s.listSchemas)
	s.both("/crm/v3/schemas", "/crm/schemas/{ver}", schemas)
	s.both("/crm/v3/schemas/{type}", "/crm/schemas/{ver}/{type}", schemas)

	acct := s.api(http.MethodGet, limitGeneral, "account-info", fixed(), s.accountDetails)
	s.both("/account-info/v3/details", "/account-info/{ver}/details", acct)
}

// marshal renders a metadata answer with encoding/json: these bodies are
// small next to record pages.
func marshal(v any) (int, []byte, *apiError) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, errInternal()
	}
	return http.StatusOK, b, nil
}

func isoOrNil(ms int64, set bool) any {
	if !set {
		return nil
	}
	return isoMillis(ms)
}

type ownerJSON struct {
	ID                      string     `json:"id"`
	Email                   string     `json:"email,omitempty"`
	Type                    string     `json:"type"`
	FirstName               string     `json:"firstName,omitempty"`
	LastName                string     `json:"lastName,omitempty"`
	UserID                  *int64     `json:"userId"`
	UserIDIncludingInactive *int64     `json:"userIdIncludingInactive"`
	CreatedAt               string     `json:"createdAt"`
	UpdatedAt               string     `json:"updatedAt"`
	Archived                bool       `json:"archived"`
	Teams                   []teamJSON `json:"teams,omitempty"`
}

type teamJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// ownerView renders an owner: a deactivated one has no userId, only
// userIdIncludingInactive (§4.1).
func ownerView(o *Owner) ownerJSON {
	j := ownerJSON{ID: o.ID, Email: o.Email, Type: o.Type, FirstName: o.FirstName, LastName: o.LastName,
		CreatedAt: isoMillis(o.CreatedAt), UpdatedAt: isoMillis(o.UpdatedAt), Archived: o.Archived}
	if o.UserID != 0 {
		id := o.UserID
		j.UserIDIncludingInactive = &id
		if !o.Archived {
			j.UserID = &id
		}
	}
	for _, t := range o.Teams {
		j.Teams = append(j.Teams, teamJSON(t))
	}
	return j
}

// listOwners is GET /crm/v3/owners: active owners by default, only the
// deactivated ones with archived=true; 100 per page by default (at most
// 500, the sandbox's choice: the maximum is undocumented).
func (s *Server) listOwners(c *call) (int, []byte, *apiError) {
	q := c.r.URL.Query()
	archived, e := boolParam(q, "archived")
	if e != nil {
		return 0, nil, e
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, nil, errValidation("Invalid value for limit: %q", v)
		}
		limit = min(n, 500)
	}
	after := 0
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, nil, errValidation("Invalid value for after: %q", v)
		}
		after = n
	}
	email := strings.ToLower(q.Get("email"))
	p := c.portal
	p.mu.RLock()
	var matched []*Owner
	for _, o := range p.Owners {
		if o.Archived == archived && (email == "" || strings.ToLower(o.Email) == email) {
			matched = append(matched, o)
		}
	}
	p.mu.RUnlock()
	out := map[string]any{}
	results := []ownerJSON{}
	for i := after; i < len(matched) && i < after+limit; i++ {
		results = append(results, ownerView(matched[i]))
	}
	out["results"] = results
	if after+limit < len(matched) {
		next := strconv.Itoa(after + limit)
		q.Set("after", next)
		out["paging"] = map[string]any{"next": map[string]string{"after": next, "link": baseURL(c.r) + c.r.URL.Path + "?" + q.Encode()}}
	}
	return marshal(out)
}

// getOwner is GET /crm/v3/owners/{owner}?idProperty=id|userId&archived=.
func (s *Server) getOwner(c *call) (int, []byte, *apiError) {
	q := c.r.URL.Query()
	archived, e := boolParam(q, "archived")
	if e != nil {
		return 0, nil, e
	}
	id := c.r.PathValue("owner")
	byUser := q.Get("idProperty") == "userId"
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, o := range p.Owners {
		match := o.ID == id
		if byUser {
			match = o.UserID != 0 && strconv.FormatInt(o.UserID, 10) == id
		}
		if match && o.Archived == archived {
			return marshal(ownerView(o))
		}
	}
	return 0, nil, errNotFound("Owner not found", id)
}

type stageJSON struct {
	ID               string            `json:"id"`
	Label            string            `json:"label"`
	DisplayOrder     int               `json:"displayOrder"`
	Metadata         map[string]string `json:"metadata"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
	Archived         bool              `json:"archived"`
	WritePermissions string            `json:"writePermissions"`
}

type pipelineJSON struct {
	ID           string      `json:"id"`
	Label        string      `json:"label"`
	DisplayOrder int         `json:"displayOrder"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
	Archived     bool        `json:"archived"`
	Stages       []stageJSON `json:"stages"`
}

func stageView(st *Stage) stageJSON {
	return stageJSON{ID: st.ID, Label: st.Label, DisplayOrder: st.DisplayOrder, Metadata: st.Metadata,
		CreatedAt: isoMillis(st.CreatedAt), UpdatedAt: isoMillis(st.UpdatedAt), Archived: st.Archived,
		WritePermissions: "CRM_PERMISSIONS_ENFORCEMENT"}
}

func pipelineView(pl *Pipeline) pipelineJSON {
	j := pipelineJSON{ID: pl.ID, Label: pl.Label, DisplayOrder: pl.DisplayOrder, CreatedAt: isoMillis(pl.CreatedAt),
		UpdatedAt: isoMillis(pl.UpdatedAt), Archived: pl.Archived, Stages: []stageJSON{}}
	for _, st := range pl.Stages {
		j.Stages = append(j.Stages, stageView(st))
	}
	return j
}

// listPipelines serves GET /crm/v3/pipelines/{type}, one pipeline, or its
// stages. Lists carry no paging (§4.2); types without pipelines list none.
func (s *Server) listPipelines(c *call) (int, []byte, *apiError) {
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	id := c.r.PathValue("pipeline")
	if id == "" {
		results := []pipelineJSON{}
		for _, pl := range p.Pipelines[c.typ.Name] {
			results = append(results, pipelineView(pl))
		}
		return marshal(map[string]any{"results": results})
	}
	pl := p.pipeline(c.typ.Name, id)
	if pl == nil {
		return 0, nil, errNotFound("Unable to find pipeline "+id+" for object type "+c.typ.TypeID, id)
	}
	if strings.HasSuffix(c.r.URL.Path, "/stages") {
		return marshal(map[string]any{"results": pipelineView(pl).Stages})
	}
	return marshal(pipelineView(pl))
}

type optionJSON struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

type propertyJSON struct {
	UpdatedAt            string          `json:"updatedAt"`
	CreatedAt            string          `json:"createdAt"`
	Name                 string          `json:"name"`
	Label                string          `json:"label"`
	Type                 string          `json:"type"`
	FieldType            string          `json:"fieldType"`
	Description          string          `json:"description"`
	GroupName            string          `json:"groupName"`
	Options              []optionJSON    `json:"options"`
	DisplayOrder         int             `json:"displayOrder"`
	Calculated           bool            `json:"calculated"`
	ExternalOptions      bool            `json:"externalOptions"`
	HasUniqueValue       bool            `json:"hasUniqueValue"`
	Hidden               bool            `json:"hidden"`
	HubspotDefined       bool            `json:"hubspotDefined"`
	ModificationMetadata map[string]bool `json:"modificationMetadata"`
	FormField            bool            `json:"formField"`
	DataSensitivity      string          `json:"dataSensitivity"`
}

func propertyView(pr *Property) propertyJSON {
	j := propertyJSON{UpdatedAt: isoMillis(pr.Updated), CreatedAt: isoMillis(pr.Created), Name: pr.Name, Label: pr.Label,
		Type: pr.Type, FieldType: pr.FieldType, Description: pr.Description, GroupName: pr.GroupName, Options: []optionJSON{},
		DisplayOrder: pr.DisplayOrder, Calculated: pr.Calculated, HasUniqueValue: pr.virtual == propObjectID,
		Hidden: pr.Hidden, HubspotDefined: pr.HubspotDefined, FormField: !pr.ReadOnly && !pr.HubspotDefined,
		DataSensitivity: "non_sensitive",
		ModificationMetadata: map[string]bool{"archivable": !pr.HubspotDefined, "readOnlyDefinition": pr.HubspotDefined,
			"readOnlyValue": pr.ReadOnly}}
	for _, o := range pr.Options {
		j.Options = append(j.Options, optionJSON(o))
	}
	return j
}

// listProperties serves GET /crm/v3/properties/{type} (every definition,
// no paging, §4.3) and /{type}/{name}.
func (s *Server) listProperties(c *call) (int, []byte, *apiError) {
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	t := c.typ
	if name := c.r.PathValue("name"); name != "" {
		k := t.Prop(name)
		if k < 0 {
			return 0, nil, errNotFound("Unable to find property "+name+" for object type "+t.TypeID, name)
		}
		return marshal(propertyView(t.Props[k]))
	}
	archived, e := boolParam(c.r.URL.Query(), "archived")
	if e != nil {
		return 0, nil, e
	}
	results := make([]propertyJSON, 0, len(t.Props))
	if !archived { // the sandbox archives no property definitions
		for _, pr := range t.Props {
			results = append(results, propertyView(pr))
		}
	}
	return marshal(map[string]any{"results": results})
}

type schemaJSON struct {
	ID                         string            `json:"id"`
	CreatedAt                  string            `json:"createdAt"`
	UpdatedAt                  string            `json:"updatedAt"`
	Archived                   bool              `json:"archived"`
	Labels                     map[string]string `json:"labels"`
	RequiredProperties         []string          `json:"requiredProperties"`
	SearchableProperties       []string          `json:"searchableProperties"`
	PrimaryDisplayProperty     string            `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties []string          `json:"secondaryDisplayProperties"`
	Properties                 []propertyJSON    `json:"properties"`
	Associations               []map[string]any  `json:"associations"`
	MetaType                   string            `json:"metaType"`
	ObjectTypeID               string            `json:"objectTypeId"`
	FullyQualifiedName         string            `json:"fullyQualifiedName"`
	Name                       string            `json:"name"`
}

func schemaView(p *Portal, t *ObjectType) schemaJSON {
	id := t.SchemaID
	fqn, meta := t.FQN, "PORTAL_SPECIFIC"
	if !t.Custom {
		id, fqn, meta = t.TypeID, t.Name, "HUBSPOT"
	}
	j := schemaJSON{ID: id, CreatedAt: isoMillis(t.Created), UpdatedAt: isoMillis(t.Created),
		Labels: map[string]string{"singular": t.Label, "plural": t.Plural}, RequiredProperties: []string{t.Primary},
		SearchableProperties: t.Searchable, PrimaryDisplayProperty: t.Primary, SecondaryDisplayProperties: []string{},
		MetaType: meta, ObjectTypeID: t.TypeID, FullyQualifiedName: fqn, Name: t.Name, Associations: []map[string]any{}}
	for _, pr := range t.Props {
		j.Properties = append(j.Properties, propertyView(pr))
	}
	for _, pair := range p.Assoc.pairsFrom(t) {
		j.Associations = append(j.Associations, map[string]any{
			"id": strconv.Itoa(pair.labels[0].TypeID), "fromObjectTypeId": t.TypeID, "toObjectTypeId": pair.to.TypeID,
			"name": strings.ToUpper(t.Singular + "_to_" + pair.to.Singular), "createdAt": isoMillis(t.Created), "updatedAt": isoMillis(t.Created)})
	}
	return j
}

// listSchemas serves GET /crm/v3/schemas (the portal's custom objects) and
// /crm/v3/schemas/{type} (any type, by id, fully qualified name or name).
func (s *Server) listSchemas(c *call) (int, []byte, *apiError) {
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	if name := c.r.PathValue("type"); name != "" {
		t := p.Type(name)
		if t == nil {
			return 0, nil, errUnknownType(name)
		}
		c.endpoint = "schemas/" + t.Name
		return marshal(schemaView(p, t))
	}
	results := []schemaJSON{}
	for _, t := range p.Types {
		if t.Custom {
			results = append(results, schemaView(p, t))
		}
	}
	return marshal(map[string]any{"results": results})
}

// accountDetails is GET /account-info/v3/details (§1.4).
func (s *Server) accountDetails(c *call) (int, []byte, *apiError) {
	p := c.portal
	_, offset := time.UnixMilli(c.now).In(p.Loc).Zone()
	sign, abs := "+", offset
	if offset < 0 {
		sign, abs = "-", -offset
	}
	return marshal(map[string]any{
		"portalId": p.ID, "accountType": "STANDARD", "timeZone": p.TimeZone, "companyCurrency": p.Currency,
		"additionalCurrencies": []string{}, "utcOffset": sign + twoDigits(abs/3600) + ":" + twoDigits(abs%3600/60),
		"utcOffsetMilliseconds": offset * 1000, "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1",
	})
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
