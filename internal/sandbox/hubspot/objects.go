package hubspot

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func (s *Server) objectRoutes() {
	list := s.api(http.MethodGet, limitGeneral, "", typed("", recordScopes), s.listObjects)
	get := s.api(http.MethodGet, limitGeneral, "", typed("", recordScopes), s.getObject)
	batch := s.api(http.MethodPost, limitGeneral, "", typed("/batch/read", recordScopes), s.batchRead)
	search := s.api(http.MethodPost, limitSearch, "", typed("/search", recordScopes), s.search)
	s.both("/crm/v3/objects/{type}", "/crm/objects/{ver}/{type}", list)
	s.both("/crm/v3/objects/{type}/{id}", "/crm/objects/{ver}/{type}/{id}", get)
	s.both("/crm/v3/objects/{type}/batch/read", "/crm/objects/{ver}/{type}/batch/read", batch)
	s.both("/crm/v3/objects/{type}/search", "/crm/objects/{ver}/{type}/search", search)
}

// baseURL is the scheme and host paging links point at.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// readView resolves the properties, propertiesWithHistory and associations
// parameters of a list or read.
func (c *call) readView(q url.Values, withAssoc bool) *view {
	t := c.typ
	vw := &view{t: t, props: t.propList(splitList(q["properties"]), true), base: baseURL(c.r)}
	if h := splitList(q["propertiesWithHistory"]); len(h) > 0 {
		for _, n := range h {
			if k := t.Prop(n); k >= 0 {
				vw.history = append(vw.history, k)
			}
		}
	}
	if withAssoc {
		seen := map[*assocPair]bool{}
		for _, n := range splitList(q["associations"]) {
			to := c.portal.Type(n)
			if to == nil {
				continue // unknown types are ignored (§2.1)
			}
			if pair := c.portal.Assoc.pair(t, to); pair != nil && !seen[pair] {
				seen[pair] = true
				key := to.Name
				if to.Custom {
					key = to.FQN
				}
				vw.assoc = append(vw.assoc, pair)
				vw.assocKey = append(vw.assocKey, key)
			}
		}
	}
	return vw
}

// boolParam reads archived=true|false (default false).
func boolParam(q url.Values, name string) (bool, *apiError) {
	switch v := q.Get(name); strings.ToLower(v) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, errValidation("Invalid value for %s: %q is not a boolean", name, v)
	}
}

// listPageMax is list's page cap; with propertiesWithHistory it is
// lower, as HubSpot warns (connectors use 50).
const (
	listPageMax        = 100
	listPageMaxHistory = 50
	listPageDefault    = 10
)

// listObjects is GET /crm/v3/objects/{type}: records in ascending id order,
// live ones by default, only archived ones with archived=true.
func (s *Server) listObjects(c *call) (int, []byte, *apiError) {
	q := c.r.URL.Query()
	limit := listPageDefault
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, nil, errValidation("Invalid value for limit: %q; it must be a positive integer", v)
		}
		limit = n
	}
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, nil, errValidation("Invalid value for after: %q is not a paging cursor this endpoint issued", v)
		}
		after = n
	}
	archived, apiErr := boolParam(q, "archived")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	vw := c.readView(q, true)
	limit = min(limit, listPageMax)
	if len(vw.history) > 0 {
		limit = min(limit, listPageMaxHistory)
	}
	want := limit
	if c.shortPage {
		want = limit / 2
	}
	t := c.typ
	b := c.body(512*want + 64)
	b = append(b, `{"results":[`...)
	n := 0
	var next int64 = -1
	for i := t.from(after); i < len(t.Records); i++ {
		r := t.Records[i]
		if r.Live.Archived != archived {
			continue
		}
		if n == want {
			next = r.ID
			break
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = vw.appendRecord(b, p, r, r.Live)
		n++
	}
	b = append(b, ']')
	if next >= 0 {
		b = appendNext(b, strconv.FormatInt(next, 10), vw.base+c.r.URL.Path, q)
	}
	return http.StatusOK, append(b, '}'), nil
}

// appendNext renders paging.next with its after cursor and link.
func appendNext(b []byte, after, path string, q url.Values) []byte {
	nq := url.Values{}
	for k, v := range q {
		nq[k] = v
	}
	nq.Set("after", after)
	b = append(b, `,"paging":{"next":{"after":`...)
	b = appendString(b, after)
	b = append(b, `,"link":`...)
	b = appendString(b, path+"?"+nq.Encode())
	return append(b, "}}"...)
}

// findRecord resolves a path or batch id: by record id, by a merged-away
// id (finding the survivor, as HubSpot does), or by idProperty.
func (c *call) findRecord(id, idProperty string) *Record {
	t, p := c.typ, c.portal
	if idProperty != "" && idProperty != "hs_object_id" {
		k := t.Prop(idProperty)
		if k < 0 {
			return nil
		}
		for _, r := range t.Records {
			if v, ok := r.Live.Value(k); ok && strings.EqualFold(v, id) {
				return r
			}
		}
		return nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	if r := t.Get(n); r != nil {
		return r
	}
	if into, ok := p.merged[t][n]; ok {
		return t.Get(into)
	}
	return nil
}

// getObject is GET /crm/v3/objects/{type}/{id}.
func (s *Server) getObject(c *call) (int, []byte, *apiError) {
	q := c.r.URL.Query()
	archived, apiErr := boolParam(q, "archived")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	id := c.r.PathValue("id")
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	r := c.findRecord(id, q.Get("idProperty"))
	if r == nil || r.Live.Archived != archived {
		return 0, nil, errNotFound("resource not found", id)
	}
	vw := c.readView(q, true)
	return http.StatusOK, vw.appendRecord(c.body(1024), p, r, r.Live), nil
}

// batchMax is the most inputs one batch read takes.
const batchMax = 100

// maxJSONBody bounds the JSON request bodies the API reads.
const maxJSONBody = 1 << 20

// decodeBody reads a JSON request body into v, with HubSpot's 400 for
// anything that is not one JSON document of the right shape.
func decodeBody(c *call, v any) *apiError {
	dec := json.NewDecoder(io.LimitReader(c.r.Body, maxJSONBody))
	if err := dec.Decode(v); err != nil {
		return errValidation("Invalid input JSON on line 1: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// batchRead is POST /crm/v3/objects/{type}/batch/read: up to 100 ids; the
// ones not found are errors of a 207, not a failure of the whole call.
// Batch read returns no associations (§2.3).
func (s *Server) batchRead(c *call) (int, []byte, *apiError) {
	var body struct {
		Properties            []string `json:"properties"`
		PropertiesWithHistory []string `json:"propertiesWithHistory"`
		IDProperty            string   `json:"idProperty"`
		Inputs                []struct {
			ID json.RawMessage `json:"id"`
		} `json:"inputs"`
	}
	if e := decodeBody(c, &body); e != nil {
		return 0, nil, e
	}
	if len(body.Inputs) > batchMax {
		return 0, nil, errValidation("Too many inputs: %d; the limit is %d", len(body.Inputs), batchMax)
	}
	archived, apiErr := boolParam(c.r.URL.Query(), "archived")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	started := c.now
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	q := url.Values{"properties": body.Properties, "propertiesWithHistory": body.PropertiesWithHistory}
	vw := c.readView(q, false)
	b := c.body(512*len(body.Inputs) + 256)
	b = append(b, `{"status":"COMPLETE","results":[`...)
	var missing []string
	n := 0
	seen := map[int64]bool{}
	for _, in := range body.Inputs {
		id := strings.Trim(string(in.ID), `"`)
		r := c.findRecord(id, body.IDProperty)
		if r == nil || r.Live.Archived != archived {
			missing = append(missing, id)
			continue
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		if n > 0 {
			b = append(b, ',')
		}
		b = vw.appendRecord(b, p, r, r.Live)
		n++
	}
	b = append(b, `],"startedAt":"`...)
	b = appendISO(b, started)
	b = append(b, `","completedAt":"`...)
	b = appendISO(b, s.nowMs())
	b = append(b, '"')
	status := http.StatusOK
	if len(missing) > 0 {
		status = http.StatusMultiStatus
		e, _ := json.Marshal([]map[string]any{{
			"status": "error", "category": "OBJECT_NOT_FOUND",
			"message": "Could not get some " + strings.ToUpper(c.typ.Singular) + " objects, they may be deleted or not exist. Check that ids are valid.",
			"context": map[string][]string{"ids": missing},
		}})
		b = append(b, `,"numErrors":1,"errors":`...)
		b = append(b, e...)
	}
	return status, append(b, '}'), nil
}
