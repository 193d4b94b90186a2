package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The naive connector of connector-failure-modes.md: what the extractors
// the reference names did before their fixes, written plainly against the
// sandbox over raw HTTP. The X-case tests run it on their own scenario and
// require it to come out wrong; a naive client that comes out right means
// the scenario no longer sets the trap, and then the test proves nothing
// about our connector.
//
// It holds one OAuth access token of the app's own sign-in (the refresh
// token hsEnv's Connect stored) and makes one call per request: no retry,
// no refresh on 401, no pacing.
type naiveClient struct {
	t       testing.TB
	base    string
	refresh string
	token   string
}

// naive signs the naive client in: it refreshes the connection's stored
// sign-in at the token endpoint, as a connector does at the start of a
// sync. The sandbox's refresh tokens do not rotate, so the app's sign-in
// keeps working. One token call: X14 counts on that.
func (e *hsEnv) naive() *naiveClient {
	e.t.Helper()
	row, err := e.st.TokenSet(context.Background(), e.conn.TokenSetID)
	if err != nil {
		e.t.Fatalf("naive client: load the app's sign-in: %v", err)
	}
	ts, err := e.app.openTokens(row.Sealed)
	if err != nil {
		e.t.Fatalf("naive client: open the app's sign-in: %v", err)
	}
	n := &naiveClient{t: e.t, base: e.url, refresh: ts.RefreshToken}
	if status, _, body := n.refreshToken(); status != http.StatusOK {
		e.t.Fatalf("naive client: refresh: HTTP %d: %.300s", status, body)
	}
	return n
}

// refreshToken asks for a new access token once and keeps it if given.
func (n *naiveClient) refreshToken() (status int, retryAfter string, body []byte) {
	n.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {SandboxClientID}, "refresh_token": {n.refresh}}
	resp, err := http.PostForm(n.base+"/oauth/v1/token", form)
	if err != nil {
		n.t.Fatalf("naive client: token endpoint: %v", err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
			n.t.Fatalf("naive client: token answer without an access token: %.300s", body)
		}
		n.token = tok.AccessToken
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), body
}

// send makes one API call with the access token; a transport error is
// returned, not fatal, so goroutines may use it.
func (n *naiveClient) send(method, path string, body any) (int, []byte, http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header, err
}

// call is send for the test goroutine: a transport error ends the test.
func (n *naiveClient) call(method, path string, body any) (int, []byte, http.Header) {
	n.t.Helper()
	status, raw, h, err := n.send(method, path, body)
	if err != nil {
		n.t.Fatalf("naive client: %s %s: %v", method, path, err)
	}
	return status, raw, h
}

// naiveRecord is a CRM record as the naive client keeps it.
type naiveRecord struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	UpdatedAt  string             `json:"updatedAt"`
}

// naiveRun is what one paged read came to: the records it kept, search's
// total, and, when a call failed, the status and the after it failed at.
type naiveRun struct {
	Records []naiveRecord
	Total   int
	Pages   int
	Status  int    // the failing call's status; 0 if the read ended normally
	At      string // the after of the failing call
	Header  http.Header
	Body    string
}

func (r naiveRun) ids() map[string]bool {
	out := make(map[string]bool, len(r.Records))
	for _, rec := range r.Records {
		out[rec.ID] = true
	}
	return out
}

// maxUpdated is the newest updatedAt in the run, in epoch ms (for
// contacts it is lastmodifieddate, for the others hs_lastmodifieddate).
func (r naiveRun) maxUpdated(t testing.TB) int64 {
	t.Helper()
	var m int64
	for _, rec := range r.Records {
		at, err := time.Parse(time.RFC3339Nano, rec.UpdatedAt)
		if err != nil {
			t.Fatalf("naive client: record %s: updatedAt %q: %v", rec.ID, rec.UpdatedAt, err)
		}
		m = max(m, at.UnixMilli())
	}
	return m
}

type naivePage struct {
	Total   int           `json:"total"`
	Results []naiveRecord `json:"results"`
	Paging  *struct {
		Next struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// pages follows paging.next.after through one read. fetch makes the call
// for an after ("" first). With stopShort a page shorter than limit is
// taken for the last one, as the naive clients of X3 do.
func (n *naiveClient) pages(limit int, stopShort bool, fetch func(after string) (int, []byte, http.Header)) naiveRun {
	n.t.Helper()
	var run naiveRun
	after := ""
	for {
		status, raw, h := fetch(after)
		if status != http.StatusOK {
			run.Status, run.At, run.Header, run.Body = status, after, h, string(raw)
			return run
		}
		var pg naivePage
		if err := json.Unmarshal(raw, &pg); err != nil {
			n.t.Fatalf("naive client: page at after=%q: %v: %.200s", after, err, raw)
		}
		run.Pages++
		if run.Pages == 1 {
			run.Total = pg.Total
		}
		run.Records = append(run.Records, pg.Results...)
		if pg.Paging == nil || pg.Paging.Next.After == "" || (stopShort && len(pg.Results) < limit) {
			return run
		}
		after = pg.Paging.Next.After
		if run.Pages > 10_000 {
			n.t.Fatalf("naive client: over 10,000 pages at after=%s: a loop", after)
		}
	}
}

// searchAfter pages one search with `after` offsets, its filters ANDed,
// sorted ascending on sortProp: the pre-fix Airbyte and dlt read.
func (n *naiveClient) searchAfter(typ string, filters []map[string]string, sortProp string, limit int, stopShort bool) naiveRun {
	n.t.Helper()
	return n.pages(limit, stopShort, func(after string) (int, []byte, http.Header) {
		body := map[string]any{"limit": limit,
			"sorts": []map[string]string{{"propertyName": sortProp, "direction": "ASCENDING"}}}
		if len(filters) > 0 {
			body["filterGroups"] = []map[string]any{{"filters": filters}}
		}
		if after != "" {
			body["after"] = after
		}
		return n.call(http.MethodPost, "/crm/v3/objects/"+typ+"/search", body)
	})
}

// modProp is the last-modified property search filters a type on.
func modProp(typ string) string {
	if typ == "contacts" {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}

func filterOn(prop, op string, ms int64) map[string]string {
	return map[string]string{"propertyName": prop, "operator": op, "value": strconv.FormatInt(ms, 10)}
}

// searchSince pages search for typ's records modified at or after since
// (GTE on its last-modified property, sorted on it), with after offsets.
func (n *naiveClient) searchSince(typ string, since time.Time, limit int, stopShort bool) naiveRun {
	n.t.Helper()
	return n.searchAfter(typ, []map[string]string{filterOn(modProp(typ), "GTE", since.UnixMilli())}, modProp(typ), limit, stopShort)
}

// changedSince is a naive incremental read: every record search says was
// modified at or after since, with no lookback and no upper bound. It
// fails the test if the read itself fails: the X5, X6 and X10 traps are
// about what it misses, not about errors.
func (n *naiveClient) changedSince(typ string, since time.Time) naiveRun {
	n.t.Helper()
	run := n.searchSince(typ, since, 200, false)
	if run.Status != 0 {
		n.t.Fatalf("naive client: %s changed since %s: HTTP %d at after=%s: %.300s", typ, since.Format(time.RFC3339), run.Status, run.At, run.Body)
	}
	return run
}

// listAll pages GET /crm/v3/objects/{typ} at 100 a page with query's
// extra parameters.
func (n *naiveClient) listAll(typ string, query url.Values, stopShort bool) naiveRun {
	n.t.Helper()
	return n.pages(100, stopShort, func(after string) (int, []byte, http.Header) {
		q := url.Values{"limit": {"100"}}
		for k, v := range query {
			q[k] = v
		}
		if after != "" {
			q.Set("after", after)
		}
		return n.call(http.MethodGet, "/crm/v3/objects/"+typ+"?"+q.Encode(), nil)
	})
}

// restartByTimestamp is the MeltanoLabs tap-hubspot and CloudQuery read
// (X4): page search sorted by last-modified until the 10,000 cap, then
// start the query again from the newest timestamp seen, with op (GTE or
// GT). It reports the distinct ids it reached and whether a restart made
// no progress, where the connector would go round for ever.
func (n *naiveClient) restartByTimestamp(typ string, since int64, op string) (reached int, looped bool) {
	n.t.Helper()
	seen := map[string]bool{}
	from, fop := since, "GTE"
	for restart := 0; restart < 5; restart++ {
		run := n.searchAfter(typ, []map[string]string{filterOn(modProp(typ), fop, from)}, modProp(typ), 200, false)
		added := 0
		for _, r := range run.Records {
			if !seen[r.ID] {
				seen[r.ID] = true
				added++
			}
		}
		switch {
		case run.Status == 0:
			return len(seen), false // the query ended below the cap
		case run.Status != http.StatusBadRequest:
			n.t.Fatalf("naive client: %s search: HTTP %d at after=%s: %.300s", typ, run.Status, run.At, run.Body)
		case added == 0:
			return len(seen), true
		}
		from, fop = run.maxUpdated(n.t), op
	}
	return len(seen), false
}

// legacyRecent is the v1 "recently modified" read of singer-io/tap-hubspot
// and early Airbyte (X8): GET path?since=ms&count=100. It returns the
// status and how many records the first page held.
func (n *naiveClient) legacyRecent(path string, since time.Time) (status, got int, body string) {
	n.t.Helper()
	status, raw, _ := n.call(http.MethodGet, path+"?count=100&since="+strconv.FormatInt(since.UnixMilli(), 10), nil)
	var pg struct {
		Results []json.RawMessage `json:"results"`
	}
	if status == http.StatusOK {
		json.Unmarshal(raw, &pg)
	}
	return status, len(pg.Results), string(raw)
}

// propertyDefs is GET /crm/v3/properties/{typ}: each property's name and type.
func (n *naiveClient) propertyDefs(typ string) []struct{ Name, Type string } {
	n.t.Helper()
	status, raw, _ := n.call(http.MethodGet, "/crm/v3/properties/"+typ, nil)
	var out struct {
		Results []struct{ Name, Type string } `json:"results"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		n.t.Fatalf("naive client: properties of %s: HTTP %d: %.300s", typ, status, raw)
	}
	return out.Results
}

// listNamingAllProperties is the dlt and Airbyte list read of X11: the
// first page of GET /crm/v3/objects/{typ} with every property named in
// properties=. It returns the status and the request line's length.
func (n *naiveClient) listNamingAllProperties(typ string) (status, uriLen, props int) {
	n.t.Helper()
	var names []string
	for _, d := range n.propertyDefs(typ) {
		names = append(names, d.Name)
	}
	path := "/crm/v3/objects/" + typ + "?limit=100&properties=" + url.QueryEscape(strings.Join(names, ","))
	status, _, _ = n.call(http.MethodGet, path, nil)
	return status, len(path), len(names)
}

// typedRead is a strict typed decoder (airbytehq/airbyte#60971, X12): it
// lists a type's records with its number properties and parses each value
// with strconv.ParseFloat, failing the whole stream at the first that is
// not a number. It returns how many records it decoded and the error.
func (n *naiveClient) typedRead(typ string) (decoded int, err error) {
	n.t.Helper()
	var numbers []string
	for _, d := range n.propertyDefs(typ) {
		if d.Type == "number" {
			numbers = append(numbers, d.Name)
		}
	}
	run := n.listAll(typ, url.Values{"properties": {strings.Join(numbers, ",")}}, false)
	if run.Status != 0 {
		n.t.Fatalf("naive client: list %s: HTTP %d: %.300s", typ, run.Status, run.Body)
	}
	for _, r := range run.Records {
		for _, name := range numbers {
			if v := r.Properties[name]; v != nil && *v != "" {
				if _, perr := strconv.ParseFloat(*v, 64); perr != nil {
					return decoded, fmt.Errorf("%s %s.%s: %w", typ, r.ID, name, perr)
				}
			}
		}
		decoded++
	}
	return decoded, nil
}

// byPluralLabel is the Airbyte custom-object read of X13: it takes each
// schema's plural label for the object path. It returns the status each
// label's first list page got.
func (n *naiveClient) byPluralLabel() map[string]int {
	n.t.Helper()
	status, raw, _ := n.call(http.MethodGet, "/crm/v3/schemas", nil)
	var schemas struct {
		Results []struct {
			Labels struct{ Plural string } `json:"labels"`
		} `json:"results"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &schemas) != nil || len(schemas.Results) == 0 {
		n.t.Fatalf("naive client: schemas: HTTP %d: %.300s", status, raw)
	}
	out := map[string]int{}
	for _, s := range schemas.Results {
		out[s.Labels.Plural], _, _ = n.call(http.MethodGet, "/crm/v3/objects/"+url.PathEscape(s.Labels.Plural)+"?limit=10", nil)
	}
	return out
}

// naive429 is a 429 the naive client met: fatal to it, as it has no retry.
type naive429 struct {
	Endpoint   string
	RetryAfter string // "" when the answer named no wait
}

func (f naive429) String() string {
	if f.RetryAfter == "" {
		return f.Endpoint + " (no Retry-After)"
	}
	return f.Endpoint + " (Retry-After " + f.RetryAfter + ")"
}

// searchBurst starts one search per type at once, as a connector syncing
// its streams in parallel does (hubspot-api.md §7 gotcha 12), and returns
// the 429s. Search allows a few a second per portal, so a burst of more is
// refused with no Retry-After. The sandbox clock runs (X14 scales time),
// so a burst slowed down by a busy machine is tried again, up to five times.
func (n *naiveClient) searchBurst(types []string) []naive429 {
	n.t.Helper()
	for try := 0; try < 5; try++ {
		var mu sync.Mutex
		var got []naive429
		var errs []error
		var wg sync.WaitGroup
		for _, typ := range types {
			wg.Go(func() {
				status, _, h, err := n.send(http.MethodPost, "/crm/v3/objects/"+typ+"/search", map[string]any{"limit": 1})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case status == http.StatusTooManyRequests:
					got = append(got, naive429{typ + "/search", h.Get("Retry-After")})
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			n.t.Fatalf("naive client: search burst: %v", errs[0])
		}
		if len(got) > 0 {
			return got
		}
	}
	return nil
}

// assocBatch is the associations side request of X15: one v4 batch read
// with the access token the client holds.
func (n *naiveClient) assocBatch(from, to string, ids []string) (int, string) {
	n.t.Helper()
	var inputs []map[string]string
	for _, id := range ids {
		inputs = append(inputs, map[string]string{"id": id})
	}
	status, raw, _ := n.call(http.MethodPost, "/crm/v4/associations/"+from+"/"+to+"/batch/read", map[string]any{"inputs": inputs})
	return status, string(raw)
}

// associated is GET /crm/v4/objects/{typ}/{id}/associations/{to}: the ids
// of the first page (500, more than these tests make).
func (n *naiveClient) associated(typ, id, to string) map[string]bool {
	n.t.Helper()
	status, raw, _ := n.call(http.MethodGet, "/crm/v4/objects/"+typ+"/"+id+"/associations/"+to, nil)
	var out struct {
		Results []struct {
			ToObjectID json.Number `json:"toObjectId"`
		} `json:"results"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		n.t.Fatalf("naive client: associations of %s %s: HTTP %d: %.300s", typ, id, status, raw)
	}
	ids := map[string]bool{}
	for _, r := range out.Results {
		ids[r.ToObjectID.String()] = true
	}
	return ids
}

// setFaults replaces the sandbox's fault profile through its admin API,
// which starts every endpoint's call count again: X14's naive client meets
// the faults on its own calls as our pull met them on its.
func (e *hsEnv) setFaults(profile string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPut, e.url+"/_sandbox/faults", strings.NewReader(profile))
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("set faults: %v", err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		e.t.Fatalf("set faults: HTTP %d: %.300s", resp.StatusCode, body)
	}
}
