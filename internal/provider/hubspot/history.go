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

// historyPage is the list page size with propertiesWithHistory: HubSpot
// lowers the cap when history is asked for (hubspot-api.md §2.1, gotcha 7).
const historyPage = 50

// historyEndpoint stores one record per CRM record with the history of
// one property (deal_stage_history: each deal's dealstage values, newest
// first), its id the record's id. History is only on list, get and batch
// read, never on search, so the reads mirror the object endpoints': full
// reads list live then archived records with propertiesWithHistory; a
// standard sync searches the last-modified window for changed ids and
// batch reads their history. The cursor is the object endpoints' own,
// with the same phases, so a killed read resumes the same way.
type historyEndpoint struct {
	c    *conn
	info provider.EndpointInfo
	src  *Source
	typ  objType
	prop string
}

func (e *historyEndpoint) Info() provider.EndpointInfo { return e.info }

// historyRecord is what a list or batch read says of one record's
// history; the history items are kept as sent.
type historyRecord struct {
	ID         string                     `json:"id"`
	UpdatedAt  string                     `json:"updatedAt"`
	Archived   bool                       `json:"archived"`
	Properties map[string]*string         `json:"properties"`
	History    map[string]json.RawMessage `json:"propertiesWithHistory"`
}

type historyAnswer struct {
	Results []historyRecord `json:"results"`
	Paging  *paging         `json:"paging"`
}

// Pull reads the endpoint: see historyEndpoint.
func (e *historyEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	name := e.info.Name
	cur, err := startRead(req, []objType{e.typ}, e.src)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	if err := e.read(ctx, cur.Types[e.typ.Name], cur, emit); err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	total := fullTotal(cur, req.Mode) // before endRead clears the counts
	return emit(ctx, provider.Page{Cursor: endRead(cur, req.Mode), Done: true, Total: total})
}

// read runs the type's phases, emitting a page per call.
func (e *historyEndpoint) read(ctx context.Context, tc *typeCursor, cur *objCursor, emit provider.Emit) error {
	t := e.typ
	rd := &recordReader{} // the searches' buffers, reused page to page
	for tc.Phase != phaseDone && tc.Phase != "" {
		var recs []provider.Record
		switch tc.Phase {
		case phaseLive, phaseArchived:
			archived := tc.Phase == phaseArchived
			if !archived && tc.After == "" && tc.From == 0 {
				// The provider's count of live records, before the read,
				// for reconciliation as the object endpoints do.
				n, err := e.c.searchTotal(ctx, e.info.Name, t)
				if err != nil {
					return err
				}
				tc.Total = n
			}
			read, next, err := e.list(ctx, archived, tc.After)
			if err != nil {
				return err
			}
			recs = e.records(read, false)
			tc.listed(next)
		case phaseSearch:
			ids, last, more, err := e.c.searchIDs(ctx, e.info.Name, t, tc.From, tc.Until, tc.LastID, rd)
			if err != nil {
				return err
			}
			read, err := e.batchRead(ctx, ids)
			if err != nil {
				return err
			}
			recs = e.records(read, true)
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

// list reads one list page with the property's history, at most 50
// records (the cap with history).
func (e *historyEndpoint) list(ctx context.Context, archived bool, after string) ([]historyRecord, string, error) {
	t := e.typ
	q := url.Values{"limit": {strconv.Itoa(min(e.c.listPageSize(), historyPage))},
		"properties": {"hs_object_id"}, "propertiesWithHistory": {e.prop}}
	if archived {
		q.Set("archived", "true")
	}
	if after != "" {
		q.Set("after", after)
	}
	body, err := e.c.get(ctx, e.info.Name, "/crm/v3/objects/"+url.PathEscape(t.Path), q)
	if err != nil {
		return nil, "", fmt.Errorf("list %s history: %w", t.Name, err)
	}
	var a historyAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, "", fmt.Errorf("decode %s history page: %w", t.Name, err)
	}
	next := a.Paging.after()
	if next != "" && next == after {
		return nil, "", fmt.Errorf("list %s history: the next page cursor %q repeats the current one", t.Name, next)
	}
	return a.Results, next, nil
}

// batchRead reads the history of live records by id, 100 a call. Ids
// not found (archived or merged away since search saw them) are left
// out: the archived scan or the next full read accounts for them.
func (e *historyEndpoint) batchRead(ctx context.Context, ids []string) ([]historyRecord, error) {
	t := e.typ
	props := []string{"hs_object_id"}
	if t.Mergeable {
		props = append(props, "hs_merged_object_ids")
	}
	var out []historyRecord
	q := url.Values{"archived": {"false"}}
	for len(ids) > 0 {
		n := min(len(ids), batchMax)
		inputs := make([]map[string]string, n)
		for i, id := range ids[:n] {
			inputs[i] = map[string]string{"id": id}
		}
		ids = ids[n:]
		body, _, err := e.c.post(ctx, e.info.Name, "/crm/v3/objects/"+url.PathEscape(t.Path)+"/batch/read", q,
			map[string]any{"properties": props, "propertiesWithHistory": []string{e.prop}, "inputs": inputs})
		if err != nil {
			return nil, fmt.Errorf("batch read %s history: %w", t.Name, err)
		}
		var a historyAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			return nil, fmt.Errorf("decode %s history batch: %w", t.Name, err)
		}
		out = append(out, a.Results...)
	}
	return out, nil
}

// records turns read records into one provider record each:
// {"id","property","history":[newest first, as sent]}. A record without
// the property has an empty history. For a change read, the records a
// survivor absorbed are marked deleted, as the objects endpoint does
// (a merged-away record leaves no archived trace).
func (e *historyEndpoint) records(read []historyRecord, markMerged bool) []provider.Record {
	set := newPageSet(len(read))
	put := set.put
	for _, h := range read {
		if h.ID == "" {
			continue
		}
		mod, _ := time.Parse(time.RFC3339Nano, h.UpdatedAt)
		st := provider.StatusActive
		if h.Archived {
			st = provider.StatusArchived
		}
		if markMerged && e.typ.Mergeable {
			for _, gone := range splitSemi(h.Properties["hs_merged_object_ids"]) {
				if gone == h.ID {
					continue
				}
				payload, _ := json.Marshal(map[string]any{"id": gone, "property": e.prop, "mergedInto": h.ID})
				put(provider.Record{ID: gone, ModifiedAt: mod, Status: provider.StatusDeleted, Payload: payload})
			}
		}
		hist := h.History[e.prop]
		if len(hist) == 0 || string(hist) == "null" {
			hist = json.RawMessage("[]")
		}
		payload, err := json.Marshal(struct {
			ID       string          `json:"id"`
			Property string          `json:"property"`
			History  json.RawMessage `json:"history"`
		}{h.ID, e.prop, hist})
		if err != nil {
			continue // the history was decoded from JSON, so it encodes
		}
		put(provider.Record{ID: h.ID, ModifiedAt: mod, Status: st, Payload: payload})
	}
	return set.records
}

// standardType is one of standardTypes by name; the names are fixed, so
// a miss is a programming error.
func standardType(name string) objType {
	for _, t := range standardTypes() {
		if t.Name == name {
			return t
		}
	}
	panic("hubspot: no standard type " + name)
}
