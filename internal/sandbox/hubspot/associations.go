package hubspot

import (
	"encoding/json"
	"net/http"
	"strconv"
)

func (s *Server) associationRoutes() {
	record := s.api(http.MethodGet, limitAssoc, "", assocTypes("type"), s.recordAssociations)
	batch := s.api(http.MethodPost, limitAssoc, "", assocTypes("from"), s.batchAssociations)
	labels := s.api(http.MethodGet, limitAssoc, "", assocTypes("from"), s.associationLabels)
	s.both("/crm/v4/objects/{type}/{id}/associations/{to}", "/crm/objects/{ver}/{type}/{id}/associations/{to}", record)
	s.both("/crm/v4/associations/{from}/{to}/batch/read", "/crm/associations/{ver}/{from}/{to}/batch/read", batch)
	s.both("/crm/v4/associations/{from}/{to}/labels", "/crm/associations/{ver}/{from}/{to}/labels", labels)
}

// assocTypes resolves the two object types of an associations path. A
// token needs a read scope of each.
func assocTypes(fromParam string) prepFunc {
	return func(c *call) ([]string, *apiError) {
		fromName, toName := c.r.PathValue(fromParam), c.r.PathValue("to")
		c.endpoint = "associations/" + fromName + "/" + toName
		p := c.portal
		p.mu.RLock()
		from, to := p.Type(fromName), p.Type(toName)
		p.mu.RUnlock()
		switch {
		case from == nil:
			return nil, errUnknownType(fromName)
		case to == nil:
			return nil, errUnknownType(toName)
		}
		c.typ = from
		c.toTyp = to
		c.endpoint = "associations/" + from.Name + "/" + to.Name
		if !c.grant.hasAny(to.Scopes) {
			return nil, errMissingScopes(to.Scopes)
		}
		return from.Scopes, nil
	}
}

// assocPageMax is the most associations one call returns per record.
const assocPageMax = 500

// appendTargets renders v4 {toObjectId, associationTypes} entries.
func appendTargets(b []byte, pair *assocPair, edges []assocEdge) []byte {
	for i, e := range edges {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"toObjectId":`...)
		b = strconv.AppendInt(b, e.To, 10)
		b = append(b, `,"associationTypes":[`...)
		for j, l := range pair.labelsOf(e.Labels) {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, l)
		}
		b = append(b, "]}"...)
	}
	return b
}

func appendLabel(b []byte, l AssocLabel) []byte {
	b = append(b, `{"category":`...)
	b = appendString(b, l.Category)
	b = append(b, `,"typeId":`...)
	b = strconv.AppendInt(b, int64(l.TypeID), 10)
	b = append(b, `,"label":`...)
	if l.Label == "" {
		return append(b, "null}"...)
	}
	b = appendString(b, l.Label)
	return append(b, '}')
}

// offsetParam reads an after offset that this sandbox issued.
func offsetParam(v string) (int, *apiError) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errValidation("Invalid value for after: %q", v)
	}
	return n, nil
}

// recordAssociations is GET /crm/v4/objects/{type}/{id}/associations/{to}.
func (s *Server) recordAssociations(c *call) (int, []byte, *apiError) {
	q := c.r.URL.Query()
	limit := assocPageMax
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, nil, errValidation("Invalid value for limit: %q", v)
		}
		limit = min(n, assocPageMax)
	}
	after, e := offsetParam(q.Get("after"))
	if e != nil {
		return 0, nil, e
	}
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	id := c.r.PathValue("id")
	r := c.findRecord(id, "")
	if r == nil {
		return 0, nil, errNotFound("resource not found", id)
	}
	pair := p.Assoc.pair(c.typ, c.toTyp)
	var edges []assocEdge
	if pair != nil {
		edges = pair.edges[r.ID]
	}
	if c.shortPage {
		limit /= 2
	}
	end := min(after+limit, len(edges))
	b := append(c.body(128*limit), `{"results":[`...)
	if after < end {
		b = appendTargets(b, pair, edges[after:end])
	}
	b = append(b, ']')
	if end < len(edges) {
		b = appendNext(b, strconv.Itoa(end), baseURL(c.r)+c.r.URL.Path, q)
	}
	return http.StatusOK, append(b, '}'), nil
}

// assocBatchMax is the most inputs one associations batch read takes.
const assocBatchMax = 1000

// batchAssociations is POST /crm/v4/associations/{from}/{to}/batch/read.
// Each record's associations are paged on their own ({"id","after"}); an
// unknown id, or one with no associations, is an error of a 207 (§4.4).
func (s *Server) batchAssociations(c *call) (int, []byte, *apiError) {
	var body struct {
		Inputs []struct {
			ID    json.RawMessage `json:"id"`
			After string          `json:"after"`
		} `json:"inputs"`
	}
	if e := decodeBody(c, &body); e != nil {
		return 0, nil, e
	}
	if len(body.Inputs) > assocBatchMax {
		return 0, nil, errValidation("Too many inputs: %d; the limit is %d", len(body.Inputs), assocBatchMax)
	}
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	pair := p.Assoc.pair(c.typ, c.toTyp)
	b := c.body(256*len(body.Inputs) + 128)
	b = append(b, `{"status":"COMPLETE","results":[`...)
	type failure struct {
		Status      string              `json:"status"`
		Category    string              `json:"category"`
		SubCategory string              `json:"subCategory,omitempty"`
		Message     string              `json:"message"`
		Context     map[string][]string `json:"context"`
	}
	var errs []failure
	n := 0
	for _, in := range body.Inputs {
		id := scalar(in.ID)
		after, e := offsetParam(in.After)
		if e != nil {
			return 0, nil, e
		}
		r := c.findRecord(id, "")
		if r == nil {
			errs = append(errs, failure{Status: "error", Category: "OBJECT_NOT_FOUND",
				Message: "Could not find " + c.typ.Singular + " " + id + ".", Context: map[string][]string{"fromObjectId": {id}}})
			continue
		}
		var edges []assocEdge
		if pair != nil {
			edges = pair.edges[r.ID]
		}
		if len(edges) == 0 {
			errs = append(errs, failure{Status: "error", Category: "OBJECT_NOT_FOUND", SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
				Message: "No " + c.toTyp.Singular + " is associated with " + c.typ.Singular + " " + id + ".", Context: map[string][]string{"fromObjectId": {id}}})
			continue
		}
		end := min(after+assocPageMax, len(edges))
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"from":{"id":"`...)
		b = strconv.AppendInt(b, r.ID, 10)
		b = append(b, `"},"to":[`...)
		if after < end {
			b = appendTargets(b, pair, edges[after:end])
		}
		b = append(b, ']')
		if end < len(edges) {
			b = append(b, `,"paging":{"next":{"after":"`...)
			b = strconv.AppendInt(b, int64(end), 10)
			b = append(b, `","link":null}}`...)
		}
		b = append(b, '}')
	}
	b = append(b, `],"startedAt":"`...)
	b = appendISO(b, c.now)
	b = append(b, `","completedAt":"`...)
	b = appendISO(b, s.nowMs())
	b = append(b, '"')
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusMultiStatus
		e, _ := json.Marshal(errs)
		b = append(b, `,"numErrors":`...)
		b = strconv.AppendInt(b, int64(len(errs)), 10)
		b = append(b, `,"errors":`...)
		b = append(b, e...)
	}
	return status, append(b, '}'), nil
}

// associationLabels is GET /crm/v4/associations/{from}/{to}/labels.
func (s *Server) associationLabels(c *call) (int, []byte, *apiError) {
	p := c.portal
	p.mu.RLock()
	defer p.mu.RUnlock()
	b := []byte(`{"results":[`)
	if pair := p.Assoc.pair(c.typ, c.toTyp); pair != nil {
		for i, l := range pair.labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, l)
		}
	}
	return http.StatusOK, append(b, "]}"...), nil
}
