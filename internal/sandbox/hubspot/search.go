package hubspot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// searchRequest is the body of POST /crm/v3/objects/{type}/search (§3.1).
type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []json.RawMessage `json:"sorts"`
	Properties []string          `json:"properties"`
	Query      string            `json:"query"`
	Limit      json.RawMessage   `json:"limit"`
	After      json.RawMessage   `json:"after"`
}

// searchFilter is one filter; values may come as strings or numbers.
type searchFilter struct {
	PropertyName string            `json:"propertyName"`
	Operator     string            `json:"operator"`
	Value        json.RawMessage   `json:"value"`
	HighValue    json.RawMessage   `json:"highValue"`
	Values       []json.RawMessage `json:"values"`
}

// searchSort is one sort rule. The docs send objects; the spec types sorts
// as strings, so "name" (ascending) and "-name" (descending) work too.
type searchSort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

const (
	searchLimitDefault = 10
	searchLimitMax     = 200
)

// hit is one search result: the record and the version search saw.
type hit struct {
	r *Record
	v *Version
}

// search is POST /crm/v3/objects/{type}/search. It sees the index, which
// lags live data by the search lag; archived records never appear; after
// is an offset into the live result set, and no query pages past the cap.
func (s *Server) search(c *call) (int, []byte, *apiError) {
	raw, err := io.ReadAll(io.LimitReader(c.r.Body, int64(s.cfg.MaxSearchBody)+1))
	if err != nil {
		return 0, nil, errValidation("Could not read the request body")
	}
	if len(raw) > s.cfg.MaxSearchBody {
		return 0, nil, errValidation("The request body is too long: it must be at most %d characters", s.cfg.MaxSearchBody)
	}
	var req searchRequest
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&req); err != nil {
			return 0, nil, errValidation("Invalid input JSON on line 1: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	limit, after, apiErr := s.searchPaging(req)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	t, p := c.typ, c.portal
	p.mu.RLock()
	due := t.due(c.now)
	p.mu.RUnlock()
	if due {
		p.mu.Lock()
		t.drain(c.now)
		p.mu.Unlock()
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	q, apiErr := s.compileSearch(c, req)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	hits := s.cache.get(q.key, t.searchEpoch, func() []hit { return q.run(p, t) })
	if c.shortPage {
		limit /= 2
	}
	vw := &view{t: t, props: t.propList(req.Properties, true)}
	end := min(after+limit, len(hits))
	b := c.body(512*max(end-after, 0) + 64)
	b = append(b, `{"total":`...)
	b = strconv.AppendInt(b, int64(len(hits)), 10)
	b = append(b, `,"results":[`...)
	for i := after; i < end; i++ {
		if i > after {
			b = append(b, ',')
		}
		b = vw.appendRecord(b, p, hits[i].r, hits[i].v)
	}
	b = append(b, ']')
	if end < len(hits) {
		// Past the cap the cursor is still given: following it is the
		// 400 that naive clients meet (X1).
		b = append(b, `,"paging":{"next":{"after":"`...)
		b = strconv.AppendInt(b, int64(max(end, after)), 10)
		b = append(b, `"}}`...)
	}
	return http.StatusOK, append(b, '}'), nil
}

// searchPaging validates limit and after: limit at most 200, after an
// integer offset, and after+limit within the 10,000 cap (§3.1).
func (s *Server) searchPaging(req searchRequest) (limit, after int, err *apiError) {
	limit = searchLimitDefault
	if v := scalar(req.Limit); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, errValidation("limit must be a non-negative integer, got %s", v)
		}
		if n > searchLimitMax {
			return 0, 0, errValidation("limit must be at most %d, got %d", searchLimitMax, n)
		}
		limit = n
	}
	if v := scalar(req.After); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, errValidation("after must be formatted as an integer, got %q", v)
		}
		after = n
	}
	if after+limit > s.cfg.SearchCap {
		return 0, 0, errValidation("Cannot page beyond %d results (after=%d, limit=%d). Narrow the query with filters instead.", s.cfg.SearchCap, after, limit)
	}
	return limit, after, nil
}

// scalar returns a JSON string's or number's text, or "" for null/absent.
func scalar(raw json.RawMessage) string {
	v := strings.TrimSpace(string(raw))
	if v == "" || v == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return v
}

// searchQuery is a validated, compiled search.
type searchQuery struct {
	key    string
	groups [][]matcher // OR of ANDs
	text   []string    // free-text tokens, lower case
	sortK  int         // property index; -1 for creation order
	desc   bool
}

// run finds every indexed, unarchived record that matches, in order.
func (q *searchQuery) run(p *Portal, t *ObjectType) []hit {
	var hits []hit
	for _, r := range t.Records {
		v := r.Indexed
		if v == nil || v.Archived || !q.matches(p, t, r.ID, v) {
			continue
		}
		hits = append(hits, hit{r, v})
	}
	if q.sortK >= 0 && !(t.Props[q.sortK].virtual == propObjectID && !q.desc) {
		sortHits(t, q.sortK, q.desc, hits)
	}
	return hits
}

func (q *searchQuery) matches(p *Portal, t *ObjectType, id int64, v *Version) bool {
	if len(q.text) > 0 && !textMatch(t, id, v, q.text) {
		return false
	}
	if len(q.groups) == 0 {
		return true
	}
	for _, g := range q.groups {
		ok := true
		for _, m := range g {
			if !m(p, id, v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// textMatch: every token appears in one of the type's searchable properties.
func textMatch(t *ObjectType, id int64, v *Version, tokens []string) bool {
	for _, tok := range tokens {
		found := false
		for _, name := range t.Searchable {
			if k := t.Prop(name); k >= 0 {
				if val, ok := t.valueOf(id, v, k); ok && strings.Contains(strings.ToLower(val), tok) {
					found = true
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// searchCache keeps the full result lists of recent searches, so paging
// through a result costs one scan, not one per page. An entry is valid
// while the type's search epoch stands: any change search can see (an
// indexed update, a merge) starts a new epoch, so later pages of a query
// shift exactly as HubSpot's live result sets do (gotcha 3).
type searchCache struct {
	mu      sync.Mutex
	size    int
	tick    uint64
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	epoch uint64
	used  uint64
	hits  []hit
}

func newSearchCache(size int) *searchCache {
	return &searchCache{size: size, entries: map[string]*cacheEntry{}}
}

func (sc *searchCache) get(key string, epoch uint64, run func() []hit) []hit {
	sc.mu.Lock()
	sc.tick++
	if e := sc.entries[key]; e != nil && e.epoch == epoch {
		e.used = sc.tick
		sc.mu.Unlock()
		return e.hits
	}
	sc.mu.Unlock()
	hits := run()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.entries) >= sc.size {
		var oldest string
		var at uint64 = 1<<64 - 1
		for k, e := range sc.entries {
			if e.used < at {
				oldest, at = k, e.used
			}
		}
		delete(sc.entries, oldest)
	}
	sc.entries[key] = &cacheEntry{epoch: epoch, used: sc.tick, hits: hits}
	return hits
}

// reset drops every entry (after a change that moves no epoch, such as a
// portal's data being replaced).
func (sc *searchCache) reset() {
	sc.mu.Lock()
	sc.entries = map[string]*cacheEntry{}
	sc.mu.Unlock()
}
