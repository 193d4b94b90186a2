package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// objType is one CRM object type as the connector reads it.
type objType struct {
	Name      string // DataPull's name: contacts; a custom object's schema name
	Path      string // the {objectType} of API paths: contacts; a custom object's type id (2-…), never a label (X13)
	TypeID    string // 0-1, 2-…
	ModProp   string // the last-modified property search filters on (§3.3)
	Mergeable bool   // has hs_merged_object_ids
}

// typeSource resolves the types an endpoint reads, for one pull.
type typeSource func(ctx context.Context, c *conn) ([]objType, error)

func fixedTypes(t objType) typeSource {
	return func(context.Context, *conn) ([]objType, error) { return []objType{t}, nil }
}

// customTypes discovers the portal's custom objects from their schemas
// (GET /crm/v3/schemas), addressed by objectTypeId: the plural label is
// not a path HubSpot knows (X13).
func customTypes(ctx context.Context, c *conn) ([]objType, error) {
	schemas, err := c.schemas(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]objType, 0, len(schemas))
	for _, s := range schemas {
		path := s.ObjectTypeID
		if path == "" {
			path = s.FullyQualifiedName
		}
		merge := false
		for _, p := range s.Properties {
			if p.Name == "hs_merged_object_ids" {
				merge = true
			}
		}
		out = append(out, objType{Name: s.Name, Path: path, TypeID: s.ObjectTypeID, ModProp: "hs_lastmodifieddate", Mergeable: merge})
	}
	return out, nil
}

var standardTypeIDs = map[string]string{
	"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5", "products": "0-7", "line_items": "0-8",
	"calls": "0-48", "emails": "0-49", "meetings": "0-47", "notes": "0-46", "tasks": "0-27",
}

// standardPairs are the HubSpot-defined association pairs between
// standard objects (hubspot-api.md §4.4), both directions.
func standardPairs() map[string][]string {
	undirected := [][2]string{{"contacts", "companies"}, {"deals", "contacts"}, {"deals", "companies"},
		{"tickets", "contacts"}, {"tickets", "companies"}, {"tickets", "deals"}, {"deals", "line_items"}}
	for _, e := range []string{"calls", "emails", "meetings", "notes", "tasks"} {
		for _, to := range []string{"contacts", "companies", "deals"} {
			undirected = append(undirected, [2]string{e, to})
		}
	}
	out := map[string][]string{}
	for _, p := range undirected {
		out[p[0]] = append(out[p[0]], p[1])
		out[p[1]] = append(out[p[1]], p[0])
	}
	return out
}

// assocTarget is the other end of an association pair.
type assocTarget struct {
	Name string // DataPull's name of the type
	Path string // its path form
}

// pairsFrom lists the types t associates with: the standard pairs, and
// those the custom schemas declare in either direction.
func (c *conn) pairsFrom(ctx context.Context, t objType) ([]assocTarget, error) {
	schemas, err := c.schemas(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]assocTarget{}
	for name, id := range standardTypeIDs {
		byID[id] = assocTarget{Name: name, Path: name}
	}
	for _, s := range schemas {
		byID[s.ObjectTypeID] = assocTarget{Name: s.Name, Path: s.ObjectTypeID}
	}
	seen := map[string]bool{}
	var out []assocTarget
	add := func(a assocTarget) {
		if a.Name != "" && !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a)
		}
	}
	for _, to := range standardPairs()[t.Name] {
		add(assocTarget{Name: to, Path: to})
	}
	tid := t.TypeID
	if tid == "" {
		tid = standardTypeIDs[t.Name]
	}
	for _, s := range schemas {
		for _, a := range s.Associations {
			switch {
			case a.FromObjectTypeID == tid:
				add(byID[a.ToObjectTypeID])
			case a.ToObjectTypeID == tid:
				add(byID[a.FromObjectTypeID])
			}
		}
	}
	return out, nil
}

// meta caches, for one pull, what several endpoints need: the custom
// schemas and each type's property definitions. A conn lives for one
// pull (Open is called per pull), so the cache cannot go stale across
// pulls; custom properties are discovered afresh every pull.
type meta struct {
	mu      sync.Mutex
	schemas []schema
	haveSch bool
	props   map[string][]property // by type path
}

func (c *conn) schemas(ctx context.Context) ([]schema, error) {
	c.meta.mu.Lock()
	if c.meta.haveSch {
		s := c.meta.schemas
		c.meta.mu.Unlock()
		return s, nil
	}
	c.meta.mu.Unlock()
	body, err := c.get(ctx, "schemas", "/crm/v3/schemas", nil)
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	var pg struct {
		Results []schema `json:"results"`
	}
	if err := json.Unmarshal(body, &pg); err != nil {
		return nil, fmt.Errorf("decode schemas: %w", err)
	}
	c.meta.mu.Lock()
	c.meta.schemas, c.meta.haveSch = pg.Results, true
	c.meta.mu.Unlock()
	return pg.Results, nil
}

// properties returns a type's property definitions (and their raw JSON,
// for the properties endpoint).
func (c *conn) properties(ctx context.Context, endpoint, path string) ([]property, []json.RawMessage, error) {
	body, err := c.get(ctx, endpoint, "/crm/v3/properties/"+url.PathEscape(path), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s properties: %w", path, err)
	}
	var pg struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(body, &pg); err != nil {
		return nil, nil, fmt.Errorf("decode %s properties: %w", path, err)
	}
	props := make([]property, 0, len(pg.Results))
	for _, r := range pg.Results {
		var p property
		if err := json.Unmarshal(r, &p); err != nil {
			return nil, nil, fmt.Errorf("decode %s property: %w", path, err)
		}
		props = append(props, p)
	}
	c.meta.mu.Lock()
	if c.meta.props == nil {
		c.meta.props = map[string][]property{}
	}
	c.meta.props[path] = props
	c.meta.mu.Unlock()
	return props, pg.Results, nil
}

// propsOf returns a type's definitions, from the cache when the
// properties endpoint already read them in this pull.
func (c *conn) propsOf(ctx context.Context, endpoint, path string) ([]property, error) {
	c.meta.mu.Lock()
	p, ok := c.meta.props[path]
	c.meta.mu.Unlock()
	if ok {
		return p, nil
	}
	p, _, err := c.properties(ctx, endpoint, path)
	return p, err
}

// propPlan is how a type's records are read with every property.
type propPlan struct {
	names    []string
	types    map[string]string // declared type by name, for the X12 check
	inURL    bool              // the list can name them all in its URL
	inSearch bool              // a search body can name them all
	joined   string            // the comma-joined list for the URL
}

func newPropPlan(props []property) propPlan {
	pp := propPlan{types: make(map[string]string, len(props))}
	for _, p := range props {
		pp.names = append(pp.names, p.Name)
		pp.types[p.Name] = p.Type
	}
	pp.joined = strings.Join(pp.names, ",")
	pp.inURL = len(url.QueryEscape(pp.joined)) <= maxPropsQuery
	names, _ := json.Marshal(pp.names)
	pp.inSearch = len(names) <= maxSearchProps
	return pp
}
