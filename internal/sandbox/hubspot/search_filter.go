package hubspot

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// matcher tests one filter against a record's indexed version.
type matcher func(p *Portal, id int64, v *Version) bool

// valueKind is how search compares a property's values.
type valueKind int

const (
	kindString valueKind = iota
	kindEnum             // case-sensitive, for every operator (§3.1)
	kindNumber
	kindTime // datetimes and dates, compared as epoch milliseconds
	kindBool
)

func kindOf(p *Property) valueKind {
	switch p.Type {
	case "number":
		return kindNumber
	case "datetime", "date":
		return kindTime
	case "bool":
		return kindBool
	case "enumeration":
		return kindEnum
	}
	return kindString
}

// numeric returns property k of a record as a number (epoch ms for times).
func numeric(t *ObjectType, k int, id int64, v *Version) (float64, bool) {
	switch t.Props[k].virtual {
	case propObjectID:
		return float64(id), true
	case propCreated:
		return float64(v.CreatedAt), true
	case propModified:
		return float64(v.UpdatedAt), true
	}
	s, ok := v.Value(k)
	if !ok {
		return 0, false
	}
	if kindOf(t.Props[k]) == kindTime {
		ms, err := parseTime(s)
		return float64(ms), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// parseTime reads a filter or stored time: epoch milliseconds, an ISO 8601
// date-time, or a date (midnight UTC).
func parseTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixMilli(), nil
	}
	t, err := time.Parse("2006-01-02", s)
	return t.UnixMilli(), err
}

var searchOperators = map[string]bool{"EQ": true, "NEQ": true, "LT": true, "LTE": true, "GT": true, "GTE": true,
	"BETWEEN": true, "IN": true, "NOT_IN": true, "HAS_PROPERTY": true, "NOT_HAS_PROPERTY": true,
	"CONTAINS_TOKEN": true, "NOT_CONTAINS_TOKEN": true}

// compileSearch validates a search's filters and sorts against the docs'
// limits (5 groups, 6 filters each, 18 in all, one sort) and compiles them.
func (s *Server) compileSearch(c *call, req searchRequest) (*searchQuery, *apiError) {
	t := c.typ
	cfg := s.cfg
	if len(req.FilterGroups) > cfg.MaxFilterGroups {
		return nil, errValidation("Too many filter groups: %d; at most %d are allowed", len(req.FilterGroups), cfg.MaxFilterGroups)
	}
	total := 0
	q := &searchQuery{sortK: -1}
	for _, g := range req.FilterGroups {
		if len(g.Filters) > cfg.MaxFiltersPerGroup {
			return nil, errValidation("Too many filters in a group: %d; at most %d are allowed per group", len(g.Filters), cfg.MaxFiltersPerGroup)
		}
		total += len(g.Filters)
		var group []matcher
		for _, f := range g.Filters {
			m, e := compileFilter(c.portal, t, f)
			if e != nil {
				return nil, e
			}
			group = append(group, m)
		}
		q.groups = append(q.groups, group)
	}
	if total > cfg.MaxFilters {
		return nil, errValidation("Too many filters: %d; at most %d are allowed in all groups together", total, cfg.MaxFilters)
	}
	if len(req.Sorts) > 1 {
		return nil, errValidation("Only one sort is allowed, got %d", len(req.Sorts))
	}
	for _, raw := range req.Sorts {
		var so searchSort
		if err := json.Unmarshal(raw, &so); err != nil {
			var name string
			if json.Unmarshal(raw, &name) != nil {
				return nil, errValidation("Invalid sort: want {\"propertyName\":…,\"direction\":\"ASCENDING\"|\"DESCENDING\"}")
			}
			so.PropertyName, so.Direction = strings.TrimPrefix(name, "-"), "ASCENDING"
			if strings.HasPrefix(name, "-") {
				so.Direction = "DESCENDING"
			}
		}
		k := t.Prop(so.PropertyName)
		if k < 0 {
			return nil, errPropertyMissing(so.PropertyName)
		}
		switch so.Direction {
		case "", "ASCENDING":
		case "DESCENDING":
			q.desc = true
		default:
			return nil, errValidation("Invalid sort direction %q: want ASCENDING or DESCENDING", so.Direction)
		}
		q.sortK = k
	}
	for _, tok := range strings.Fields(strings.ToLower(req.Query)) {
		q.text = append(q.text, tok)
	}
	// The cache key is the query without its paging and properties.
	keyReq := req
	keyReq.Limit, keyReq.After, keyReq.Properties = nil, nil, nil
	kb, _ := json.Marshal(keyReq)
	q.key = strconv.FormatInt(c.portal.ID, 10) + "/" + t.TypeID + "/" + string(kb)
	return q, nil
}

// errPropertyMissing is the 400 for a filter or sort on an unknown property.
func errPropertyMissing(name string) *apiError {
	return jsonError(400, errorBody{Message: "There was a problem with the request.", Category: "VALIDATION_ERROR",
		Errors: []errorDetail{{Message: "Property \"" + name + "\" does not exist", Code: "PROPERTY_DOESNT_EXIST",
			Context: map[string][]string{"propertyName": {name}}}}})
}

func compileFilter(p *Portal, t *ObjectType, f searchFilter) (matcher, *apiError) {
	op := f.Operator
	if !searchOperators[op] {
		return nil, errValidation("Invalid operator %q for property %q", op, f.PropertyName)
	}
	if to, ok := strings.CutPrefix(f.PropertyName, "associations."); ok {
		return compileAssocFilter(p, t, to, op, f)
	}
	k := t.Prop(f.PropertyName)
	if k < 0 {
		return nil, errPropertyMissing(f.PropertyName)
	}
	kind := kindOf(t.Props[k])
	if t.Props[k].virtual != stored {
		kind = kindTime
		if t.Props[k].virtual == propObjectID {
			kind = kindNumber
		}
	}
	value, high := scalar(f.Value), scalar(f.HighValue)
	var values []string
	for _, v := range f.Values {
		values = append(values, scalar(v))
	}
	switch op {
	case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
		want := op == "HAS_PROPERTY"
		return func(_ *Portal, id int64, v *Version) bool {
			_, ok := t.valueOf(id, v, k)
			return ok == want
		}, nil
	case "IN", "NOT_IN":
		if len(values) == 0 {
			return nil, errValidation("Operator %s on %q needs a non-empty values list", op, f.PropertyName)
		}
	case "BETWEEN":
		if value == "" || high == "" {
			return nil, errValidation("Operator BETWEEN on %q needs value and highValue", f.PropertyName)
		}
	default:
		if value == "" && string(f.Value) == "" {
			return nil, errValidation("Operator %s on %q needs a value", op, f.PropertyName)
		}
	}
	if kind == kindNumber || kind == kindTime {
		return compileNumeric(t, k, kind, op, f.PropertyName, value, high, values)
	}
	return compileText(t, k, kind, op, value, values), nil
}

func compileNumeric(t *ObjectType, k int, kind valueKind, op, name, value, high string, values []string) (matcher, *apiError) {
	parse := func(s string) (float64, *apiError) {
		if kind == kindTime {
			ms, err := parseTime(s)
			if err != nil {
				return 0, errValidation("%q is not a valid value for %q: want epoch milliseconds or an ISO 8601 date-time", s, name)
			}
			return float64(ms), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return 0, errValidation("%q is not a valid number for %q", s, name)
		}
		return f, nil
	}
	if op == "IN" || op == "NOT_IN" {
		set := map[float64]bool{}
		for _, s := range values {
			f, e := parse(s)
			if e != nil {
				return nil, e
			}
			set[f] = true
		}
		want := op == "IN"
		return func(_ *Portal, id int64, v *Version) bool {
			x, ok := numeric(t, k, id, v)
			return (ok && set[x]) == want
		}, nil
	}
	if op == "CONTAINS_TOKEN" || op == "NOT_CONTAINS_TOKEN" {
		return compileText(t, k, kindString, op, value, values), nil
	}
	lo, e := parse(value)
	if e != nil {
		return nil, e
	}
	hi := lo
	if op == "BETWEEN" {
		if hi, e = parse(high); e != nil {
			return nil, e
		}
	}
	test := map[string]func(float64) bool{
		"EQ": func(x float64) bool { return x == lo }, "NEQ": func(x float64) bool { return x != lo },
		"LT": func(x float64) bool { return x < lo }, "LTE": func(x float64) bool { return x <= lo },
		"GT": func(x float64) bool { return x > lo }, "GTE": func(x float64) bool { return x >= lo },
		"BETWEEN": func(x float64) bool { return x >= lo && x <= hi },
	}[op]
	return func(_ *Portal, id int64, v *Version) bool {
		x, ok := numeric(t, k, id, v)
		if !ok {
			return op == "NEQ"
		}
		return test(x)
	}, nil
}

// compileText compares strings: case-insensitively, except enumerations,
// which are case-sensitive, and IN on strings, whose values must already
// be lower case (§3.1).
func compileText(t *ObjectType, k int, kind valueKind, op, value string, values []string) matcher {
	fold := func(s string) string {
		if kind == kindEnum {
			return s
		}
		return strings.ToLower(s)
	}
	want := fold(value)
	get := func(id int64, v *Version) (string, bool) {
		s, ok := t.valueOf(id, v, k)
		return fold(s), ok
	}
	switch op {
	case "IN", "NOT_IN":
		set := map[string]bool{}
		for _, s := range values {
			set[s] = true // as given: an upper-case value never matches a string property
		}
		in := op == "IN"
		return func(_ *Portal, id int64, v *Version) bool {
			s, ok := get(id, v)
			return (ok && set[s]) == in
		}
	case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		yes := op == "CONTAINS_TOKEN"
		pattern := strings.ToLower(value)
		return func(_ *Portal, id int64, v *Version) bool {
			s, ok := t.valueOf(id, v, k)
			return (ok && containsToken(strings.ToLower(s), pattern)) == yes
		}
	}
	cmp := map[string]func(int) bool{
		"EQ": func(c int) bool { return c == 0 }, "NEQ": func(c int) bool { return c != 0 },
		"LT": func(c int) bool { return c < 0 }, "LTE": func(c int) bool { return c <= 0 },
		"GT": func(c int) bool { return c > 0 }, "GTE": func(c int) bool { return c >= 0 },
		"BETWEEN": func(c int) bool { return c >= 0 },
	}[op]
	return func(_ *Portal, id int64, v *Version) bool {
		s, ok := get(id, v)
		if !ok {
			return op == "NEQ"
		}
		return cmp(strings.Compare(s, want))
	}
}

// containsToken reports whether a word of s matches pattern, in which *
// stands for any run of characters.
func containsToken(s, pattern string) bool {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 || r == '@' || r == '.' || r == '-' || r == '_')
	})
	words = append(words, s)
	for _, w := range words {
		if glob(w, pattern) {
			return true
		}
	}
	return false
}

func glob(s, pattern string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		j := strings.Index(s, part)
		if j < 0 {
			return false
		}
		s = s[j+len(part):]
	}
	return true
}

// compileAssocFilter handles associations.{type} EQ / IN record ids, which
// HubSpot offers for standard objects only (§3.1).
func compileAssocFilter(p *Portal, t *ObjectType, toName, op string, f searchFilter) (matcher, *apiError) {
	to := p.Type(toName)
	if to == nil || to.Custom || (op != "EQ" && op != "IN") {
		return nil, errValidation("Filtering on associations.%s with %s is not supported", toName, op)
	}
	ids := map[int64]bool{}
	vals := []string{scalar(f.Value)}
	if op == "IN" {
		vals = vals[:0]
		for _, v := range f.Values {
			vals = append(vals, scalar(v))
		}
	}
	for _, s := range vals {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errValidation("%q is not a record id for associations.%s", s, toName)
		}
		ids[n] = true
	}
	return func(p *Portal, id int64, _ *Version) bool {
		for _, e := range p.Assoc.targets(t, to, id) {
			if ids[e.To] {
				return true
			}
		}
		return false
	}, nil
}

// sortHits orders hits by property k (nulls last, ties by id), computing
// each record's key once.
func sortHits(t *ObjectType, k int, desc bool, hits []hit) {
	type key struct {
		num  float64
		str  string
		null bool
	}
	kind := kindOf(t.Props[k])
	if t.Props[k].virtual != stored {
		kind = kindNumber
	}
	keys := make([]key, len(hits))
	for i, h := range hits {
		if kind == kindNumber || kind == kindTime {
			x, ok := numeric(t, k, h.r.ID, h.v)
			keys[i] = key{num: x, null: !ok}
		} else {
			s, ok := t.valueOf(h.r.ID, h.v, k)
			keys[i] = key{str: strings.ToLower(s), null: !ok}
		}
	}
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		if ka.null != kb.null {
			return kb.null
		}
		c := 0
		switch {
		case ka.num < kb.num || ka.str < kb.str:
			c = -1
		case ka.num > kb.num || ka.str > kb.str:
			c = 1
		}
		if c == 0 {
			return hits[idx[a]].r.ID < hits[idx[b]].r.ID
		}
		return (c < 0) != desc
	})
	sorted := make([]hit, len(hits))
	for i, j := range idx {
		sorted[i] = hits[j]
	}
	copy(hits, sorted)
}
