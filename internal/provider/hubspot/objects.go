package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// objectEndpoint reads the records of one CRM object type, or of every
// custom object type of the portal (prefixed: record ids are then
// "{type}/{id}", as ids are unique only within a type).
type objectEndpoint struct {
	c        *conn
	info     provider.EndpointInfo
	src      *Source
	types    typeSource
	prefixed bool
	warn     warnings
}

func (e *objectEndpoint) Info() provider.EndpointInfo { return e.info }

// DataWarnings lists the property values that did not match their
// declared type in this pull's records; they are stored as sent (X12).
func (e *objectEndpoint) DataWarnings() []string { return e.warn.list() }

// Pull reads the endpoint: see the package documentation.
func (e *objectEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	name := e.info.Name
	types, err := e.types(ctx, e.c)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	cur, err := startRead(req, types, e.src)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	for _, t := range types {
		tc := cur.Types[t.Name]
		if err := e.readType(ctx, t, tc, cur, emit); err != nil {
			return fmt.Errorf("hubspot: %s: %w", name, err)
		}
	}
	total := fullTotal(cur, req.Mode)
	return emit(ctx, provider.Page{Cursor: endRead(cur, req.Mode), Done: true, Total: total})
}

// startRead decodes the saved cursor and begins the read (beginRead)
// with the pull's start as its window's end.
func startRead(req provider.PullRequest, types []objType, src *Source) (*objCursor, error) {
	cur, err := decodeCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	start := req.Start.UnixMilli()
	if req.Start.IsZero() {
		start = time.Now().UnixMilli()
	}
	beginRead(cur, types, req.Mode, start, src)
	return cur, nil
}

// beginRead sets every type's phase for a new read, unless cur is a read
// in progress in the same mode, which continues where it stopped. A type
// never read before (a new custom object) is read in full whatever the
// mode: there is no window to search from.
func beginRead(cur *objCursor, types []objType, mode provider.Mode, start int64, src *Source) {
	keep := map[string]bool{}
	for _, t := range types {
		keep[t.Name] = true
	}
	for name := range cur.Types {
		if !keep[name] {
			delete(cur.Types, name) // a custom object that no longer exists
		}
	}
	continuing := cur.inProgress() && cur.Mode == mode
	cur.Mode = mode
	for _, t := range types {
		tc := cur.Types[t.Name]
		if tc == nil {
			tc = &typeCursor{}
			cur.Types[t.Name] = tc
		}
		if continuing && tc.Phase != "" {
			continue
		}
		tc.After, tc.LastID, tc.Total, tc.Until = "", 0, 0, start
		if mode == provider.Full || tc.Since == 0 {
			tc.Phase, tc.From, tc.Scan = phaseLive, 0, true
			continue
		}
		tc.Phase = phaseSearch
		tc.From = max(tc.Since-src.lookback.Milliseconds(), 0)
		tc.Scan = src.archivedEvery <= 0 || start-tc.ArchivedScan >= src.archivedEvery.Milliseconds()
	}
}

// endRead is the cursor saved with the last page: every type finished,
// its next window starting where this one ended.
func endRead(cur *objCursor, mode provider.Mode) provider.Cursor {
	for _, tc := range cur.Types {
		tc.Phase, tc.After, tc.From, tc.LastID, tc.Scan, tc.Total = "", "", 0, 0, false, 0
	}
	cur.Mode = ""
	b := cur.encode()
	return b
}

// fullTotal is the provider's own count of live records, read at the start
// of each type's full read, for reconciliation (X23, X26); -1 when the
// read was not full.
func fullTotal(cur *objCursor, mode provider.Mode) int64 {
	if mode != provider.Full {
		return -1
	}
	var n int64
	for _, tc := range cur.Types {
		n += tc.Total
	}
	return n
}

// readType runs one type's phases, emitting a page per call.
func (e *objectEndpoint) readType(ctx context.Context, t objType, tc *typeCursor, cur *objCursor, emit provider.Emit) error {
	if tc.Phase == phaseDone || tc.Phase == "" {
		return nil
	}
	props, err := e.c.propsOf(ctx, e.info.Name, t.Path)
	if err != nil {
		return err
	}
	plan := newPropPlan(props)
	rd := &recordReader{}
	for tc.Phase != phaseDone {
		var recs []provider.Record
		switch tc.Phase {
		case phaseLive, phaseArchived:
			archived := tc.Phase == phaseArchived
			if !archived && tc.After == "" && tc.From == 0 {
				// The provider's count of live records, before the read.
				if tc.Total, err = e.c.searchTotal(ctx, e.info.Name, t); err != nil {
					return err
				}
			}
			read, next, err := e.c.listRecords(ctx, e.info.Name, t, plan, archived, tc.After, rd)
			if err != nil {
				return err
			}
			recs = e.records(t, plan, read, rd, false)
			tc.listed(next)
		case phaseSearch:
			var read []*crmRecord
			var last int64
			var more bool
			if plan.inSearch {
				// Search returns what it indexed, which may trail a later
				// change inside the lag; the next window looks back over it.
				read, last, more, err = e.c.search(ctx, e.info.Name, t, tc.From, tc.Until, tc.LastID, plan.names, rd)
			} else {
				var ids []string
				ids, last, more, err = e.c.searchIDs(ctx, e.info.Name, t, tc.From, tc.Until, tc.LastID, rd)
				if err == nil {
					read, err = e.c.batchRead(ctx, e.info.Name, t, plan, ids, false, rd)
				}
			}
			if err != nil {
				return err
			}
			recs = e.records(t, plan, above(read, tc.LastID), rd, true)
			tc.searched(last, more)
		default:
			return fmt.Errorf("cursor phase %q is not one this release knows", tc.Phase)
		}
		if err := emit(ctx, provider.Page{Records: recs, Cursor: cur.encode(), Total: -1}); err != nil {
			return err
		}
	}
	return nil
}

// above keeps the records whose id is above lastID: the filter says so,
// and a record read twice in one read is harmless but wasted.
func above(recs []*crmRecord, lastID int64) []*crmRecord {
	out := recs[:0:0]
	for _, r := range recs {
		if n, err := strconv.ParseInt(r.ID, 10, 64); err != nil || n > lastID {
			out = append(out, r)
		}
	}
	return out
}

// listed moves a type's cursor past a list page: to the page after it,
// else from the live records to the archived ones, else to the end.
func (tc *typeCursor) listed(next string) {
	tc.After = next
	if next != "" {
		return
	}
	if tc.Phase == phaseArchived {
		finishType(tc)
	} else {
		tc.Phase = phaseArchived
	}
}

// searched moves a type's cursor past a search page whose highest id was
// last: on to the archived scan when the window is done and one is due,
// else to the end.
func (tc *typeCursor) searched(last int64, more bool) {
	tc.LastID = max(tc.LastID, last)
	if more {
		return
	}
	if tc.Scan {
		tc.Phase, tc.After = phaseArchived, ""
	} else {
		finishType(tc)
	}
}

// finishType ends a type's part of the read: the next window starts at
// this one's end (the pull's start, never later: X6).
func finishType(tc *typeCursor) {
	tc.Phase = phaseDone
	tc.Since = tc.Until
	if tc.Scan {
		tc.ArchivedScan = tc.Until
	}
}

// records turns raw records into provider records, checking property
// values against their declared types (X12) and, for a change read,
// marking the records a survivor absorbed as deleted: a merged-away
// record leaves no archived trace (gotcha 6).
func (e *objectEndpoint) records(t objType, plan propPlan, read []*crmRecord, rd *recordReader, markMerged bool) []provider.Record {
	prefix := ""
	if e.prefixed {
		prefix = t.Name + "/"
	}
	for _, err := range rd.takeErrors() {
		e.warn.add(t.Name, "", "", "a record that could not be read ("+err.Error()+") was skipped")
	}
	set := newPageSet(len(read))
	put := set.put
	for _, h := range read {
		mod, _ := time.Parse(time.RFC3339Nano, h.UpdatedAt)
		st := provider.StatusActive
		if h.Archived {
			st = provider.StatusArchived
		}
		e.warn.check(t.Name, h, plan)
		if markMerged && t.Mergeable {
			merged, _ := h.value("hs_merged_object_ids")
			for _, gone := range splitSemi(&merged) {
				if gone == h.ID {
					continue
				}
				payload, _ := json.Marshal(map[string]any{"id": gone, "mergedInto": h.ID, "archived": true})
				put(provider.Record{ID: prefix + gone, ModifiedAt: mod, Status: provider.StatusDeleted, Payload: payload})
			}
		}
		put(provider.Record{ID: prefix + h.ID, ModifiedAt: mod, Status: st, Payload: h.Payload})
	}
	return set.records
}

// pageSet is a page's records, one per id: a change read can see an id
// both as a survivor's merged-away record and as itself (listed before
// the merge), and what the record says of itself wins over the merge.
type pageSet struct {
	records []provider.Record
	index   map[string]int
}

func newPageSet(n int) *pageSet {
	return &pageSet{records: make([]provider.Record, 0, n), index: make(map[string]int, n)}
}

// put adds r, or replaces the record of its id unless r only says the id
// was merged away and the one there says more.
func (ps *pageSet) put(r provider.Record) {
	if i, ok := ps.index[r.ID]; ok {
		if ps.records[i].Status == provider.StatusDeleted || r.Status != provider.StatusDeleted {
			ps.records[i] = r
		}
		return
	}
	ps.index[r.ID] = len(ps.records)
	ps.records = append(ps.records, r)
}

// listRecords reads one list page of a type with every property: in the
// URL when the names fit, else ids from the list and records from batch
// read (X11). next is empty on the last page. rd reads the records (and
// keeps those it could not).
func (c *conn) listRecords(ctx context.Context, endpoint string, t objType, plan propPlan, archived bool, after string, rd *recordReader) ([]*crmRecord, string, error) {
	q := url.Values{"limit": {strconv.Itoa(c.listPageSize())}}
	if archived {
		q.Set("archived", "true")
	}
	if after != "" {
		q.Set("after", after)
	}
	if plan.inURL {
		q.Set("properties", plan.joined)
	} else {
		q.Set("properties", "hs_object_id")
	}
	body, err := c.getInto(ctx, endpoint, "/crm/v3/objects/"+url.PathEscape(t.Path), q, rd.body)
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", t.Name, err)
	}
	rd.body = body
	listed, next, _, err := rd.page(body)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s page: %w", t.Name, err)
	}
	if next != "" && next == after {
		return nil, "", fmt.Errorf("list %s: the next page cursor %q repeats the current one", t.Name, next)
	}
	if plan.inURL {
		return listed, next, nil
	}
	ids := make([]string, 0, len(listed))
	for _, r := range listed {
		ids = append(ids, r.ID)
	}
	read, err := c.batchRead(ctx, endpoint, t, plan, ids, archived, rd)
	return read, next, err
}

func (c *conn) listPageSize() int {
	if c.pageSize > 0 {
		return c.pageSize
	}
	return listPage
}

// batchRead reads records by id with every property, 100 a call. Ids not
// found (archived or merged away since they were listed) are left out:
// the archived scan or the next full read accounts for them.
func (c *conn) batchRead(ctx context.Context, endpoint string, t objType, plan propPlan, ids []string, archived bool, rd *recordReader) ([]*crmRecord, error) {
	var out []*crmRecord
	q := url.Values{"archived": {strconv.FormatBool(archived)}}
	for len(ids) > 0 {
		n := min(len(ids), batchMax)
		inputs := make([]map[string]string, n)
		for i, id := range ids[:n] {
			inputs[i] = map[string]string{"id": id}
		}
		ids = ids[n:]
		body, _, err := c.postInto(ctx, endpoint, "/crm/v3/objects/"+url.PathEscape(t.Path)+"/batch/read", q,
			map[string]any{"properties": plan.names, "inputs": inputs}, rd.body)
		if err != nil {
			return nil, fmt.Errorf("batch read %s: %w", t.Name, err)
		}
		rd.body = body
		read, _, _, err := rd.page(body)
		if err != nil {
			return nil, fmt.Errorf("decode %s batch: %w", t.Name, err)
		}
		out = append(out, read...)
	}
	return out, nil
}

// searchFilter is one search filter.
type searchFilter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

// searchIDs finds the ids of the records whose last-modified time is in
// [from, until], above lastID, in ascending id order: one page of up to
// 200 (see search).
func (c *conn) searchIDs(ctx context.Context, endpoint string, t objType, from, until, lastID int64, rd *recordReader) (ids []string, last int64, more bool, err error) {
	found, last, more, err := c.search(ctx, endpoint, t, from, until, lastID, []string{"hs_object_id", t.ModProp}, rd)
	if err != nil {
		return nil, 0, false, err
	}
	for _, r := range found {
		if n, err := strconv.ParseInt(r.ID, 10, 64); err == nil && n > lastID {
			ids = append(ids, r.ID)
		}
	}
	return ids, last, more, nil
}

// search runs one page of the change query. Every page is a fresh query
// from the last id seen, never an `after` offset: an offset into a live
// result set skips records when others leave it mid-read (gotcha 3), and
// stops at 10,000 (X1); ids only grow, so the read ends even when every
// record shares one millisecond (X4). Ids are compared as numbers, in the
// filter and here (X2). more is false once search has nothing after this
// page; a short page with a next cursor is not the end (X3). last is the
// largest id of the page (lastID when it is empty).
func (c *conn) search(ctx context.Context, endpoint string, t objType, from, until, lastID int64, props []string, rd *recordReader) (found []*crmRecord, last int64, more bool, err error) {
	body := map[string]any{
		"filterGroups": []map[string]any{{"filters": []searchFilter{
			{PropertyName: t.ModProp, Operator: "GTE", Value: strconv.FormatInt(from, 10)},
			{PropertyName: t.ModProp, Operator: "LTE", Value: strconv.FormatInt(until, 10)},
			{PropertyName: "hs_object_id", Operator: "GT", Value: strconv.FormatInt(lastID, 10)},
		}}},
		"sorts":      []map[string]string{{"propertyName": "hs_object_id", "direction": "ASCENDING"}},
		"properties": props,
		"limit":      searchPage,
	}
	raw, _, err := c.postInto(ctx, endpoint, "/crm/v3/objects/"+url.PathEscape(t.Path)+"/search", nil, body, rd.body)
	if err != nil {
		return nil, 0, false, fmt.Errorf("search %s: %w", t.Name, err)
	}
	rd.body = raw
	found, next, _, err := rd.page(raw)
	if err != nil {
		return nil, 0, false, fmt.Errorf("decode %s search: %w", t.Name, err)
	}
	last = lastID
	for _, r := range found {
		n, err := strconv.ParseInt(r.ID, 10, 64)
		if err != nil {
			return nil, 0, false, fmt.Errorf("search %s: record id %q is not a number", t.Name, r.ID)
		}
		last = max(last, n)
	}
	// Never loop: a page that does not move past lastID ends the read.
	more = next != "" && last > lastID
	return found, last, more, nil
}

// searchTotal is search's count of a type's live records.
func (c *conn) searchTotal(ctx context.Context, endpoint string, t objType) (int64, error) {
	body := map[string]any{"properties": []string{"hs_object_id"}, "limit": 1}
	raw, _, err := c.post(ctx, endpoint, "/crm/v3/objects/"+url.PathEscape(t.Path)+"/search", nil, body)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", t.Name, err)
	}
	var pg page
	if err := json.Unmarshal(raw, &pg); err != nil {
		return 0, fmt.Errorf("decode %s count: %w", t.Name, err)
	}
	if pg.Total == nil {
		return 0, nil
	}
	return *pg.Total, nil
}
