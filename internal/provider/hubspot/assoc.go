package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/datapull/datapull/internal/provider"
)

// assocEndpoint reads the v4 associations (with their labels) from the
// records of one type, or of every custom object type, to every type
// they pair with. A record is one from-record's associations to one
// type, exactly as batch read returns it plus the type:
//
//	id "companies/1051"   {"toObjectType":"companies","from":{"id":"1051"},"to":[{"toObjectId":…,"associationTypes":[…]}]}
//
// Keeping a record's whole set in one row lets a change read replace it:
// an association removed disappears with the next read of its record,
// and a record with none left is marked deleted.
type assocEndpoint struct {
	c        *conn
	info     provider.EndpointInfo
	src      *Source
	types    typeSource
	prefixed bool
}

func (e *assocEndpoint) Info() provider.EndpointInfo { return e.info }

// Pull reads in full (every record's id from the list, live and
// archived, then batch reads of 1,000 per pair) or, incrementally, for
// the records search finds changed in the window, and for the records
// merged into them.
func (e *assocEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	name := e.info.Name
	types, err := e.types(ctx, e.c)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	// Associations need no archived scan of their own: archived records
	// keep theirs, and a full read lists them.
	src := *e.src
	src.archivedEvery = 1<<63 - 1
	cur, err := startRead(req, types, &src)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	for _, t := range types {
		if err := e.readType(ctx, t, cur.Types[t.Name], cur, emit); err != nil {
			return fmt.Errorf("hubspot: %s: %w", name, err)
		}
	}
	return emit(ctx, provider.Page{Cursor: endRead(cur, req.Mode), Done: true, Total: -1})
}

func (e *assocEndpoint) readType(ctx context.Context, t objType, tc *typeCursor, cur *objCursor, emit provider.Emit) error {
	if tc.Phase == phaseDone || tc.Phase == "" {
		return nil
	}
	targets, err := e.c.pairsFrom(ctx, t)
	if err != nil {
		return err
	}
	idOnly := propPlan{names: []string{"hs_object_id"}, inURL: true, joined: "hs_object_id"}
	rd := &recordReader{}
	for tc.Phase != phaseDone {
		var ids []string
		var merged []mergedID
		// Gather up to a batch of ids: ten list pages or five searches.
		for len(ids) < assocBatch && tc.Phase != phaseDone {
			switch tc.Phase {
			case phaseLive, phaseArchived:
				archived := tc.Phase == phaseArchived
				listed, next, err := e.c.listRecords(ctx, e.info.Name, t, idOnly, archived, tc.After, rd)
				if err != nil {
					return err
				}
				rd.takeErrors() // a record without an id has no associations to read
				for _, r := range listed {
					ids = append(ids, r.ID)
				}
				tc.listed(next)
			case phaseSearch:
				found, last, more, gone, err := e.c.searchChanged(ctx, e.info.Name, t, tc.From, tc.Until, tc.LastID, rd)
				if err != nil {
					return err
				}
				ids = append(ids, found...)
				merged = append(merged, gone...)
				tc.LastID = max(tc.LastID, last)
				if !more {
					finishType(tc)
				}
			default:
				return fmt.Errorf("cursor phase %q is not one this release knows", tc.Phase)
			}
		}
		recs, err := e.read(ctx, t, targets, ids)
		if err != nil {
			return err
		}
		for _, m := range merged {
			for _, to := range targets {
				recs = append(recs, e.emptySet(t, to, m.id, provider.StatusDeleted))
			}
		}
		if err := emit(ctx, provider.Page{Records: dedupe(recs), Cursor: cur.encode(), Total: -1}); err != nil {
			return err
		}
	}
	return nil
}

type mergedID struct{ id, into string }

// read batch-reads the associations of ids to every target type. A
// record with none to a type gets no row: a change read cannot tell a
// set it emptied from one that never existed without writing a row for
// every record and type, so a set emptied between sweeps stays until the
// next association sweep, like every change HubSpot does not date.
func (e *assocEndpoint) read(ctx context.Context, t objType, targets []assocTarget, ids []string) ([]provider.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []provider.Record
	for _, to := range targets {
		sets, err := e.c.assocBatch(ctx, e.info.Name, t, to, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if s, ok := sets[id]; ok && len(s.To) > 0 {
				payload, _ := json.Marshal(assocRecord{ToObjectType: to.Name, From: s.From, To: s.To})
				out = append(out, provider.Record{ID: e.recordID(t, to, id), Status: provider.StatusActive, Payload: payload})
			}
		}
	}
	return out, nil
}

func (e *assocEndpoint) recordID(t objType, to assocTarget, fromID string) string {
	id := to.Name + "/" + fromID
	if e.prefixed {
		id = t.Name + "/" + id
	}
	return id
}

func (e *assocEndpoint) emptySet(t objType, to assocTarget, fromID string, st provider.Status) provider.Record {
	payload, _ := json.Marshal(assocRecord{ToObjectType: to.Name, From: assocFrom{ID: fromID}, To: []json.RawMessage{}})
	return provider.Record{ID: e.recordID(t, to, fromID), Status: st, Payload: payload}
}

// assocRecord is what is stored for one record's associations to a type.
type assocRecord struct {
	ToObjectType string            `json:"toObjectType"`
	From         assocFrom         `json:"from"`
	To           []json.RawMessage `json:"to"`
}

type assocFrom struct {
	ID string `json:"id"`
}

type assocResult struct {
	From   assocFrom         `json:"from"`
	To     []json.RawMessage `json:"to"`
	Paging *paging           `json:"paging"`
}

// assocBatch reads the associations of ids from t to one type, 1,000 ids
// a call, following a record's own paging when it has more than a page.
// Ids with none are absent from the answer (a 207 error each).
func (c *conn) assocBatch(ctx context.Context, endpoint string, t objType, to assocTarget, ids []string) (map[string]*assocResult, error) {
	out := map[string]*assocResult{}
	path := "/crm/v4/associations/" + url.PathEscape(t.Path) + "/" + url.PathEscape(to.Path) + "/batch/read"
	type input struct {
		ID    string `json:"id"`
		After string `json:"after,omitempty"`
	}
	pending := make([]input, 0, len(ids))
	for _, id := range ids {
		pending = append(pending, input{ID: id})
	}
	for len(pending) > 0 {
		n := min(len(pending), assocBatch)
		batch := pending[:n]
		pending = pending[n:]
		body, _, err := c.post(ctx, endpoint, path, nil, map[string]any{"inputs": batch})
		if err != nil {
			return nil, fmt.Errorf("associations %s to %s: %w", t.Name, to.Name, err)
		}
		var pg struct {
			Results []assocResult `json:"results"`
		}
		if err := json.Unmarshal(body, &pg); err != nil {
			return nil, fmt.Errorf("decode associations %s to %s: %w", t.Name, to.Name, err)
		}
		for i := range pg.Results {
			r := &pg.Results[i]
			if prev := out[r.From.ID]; prev != nil {
				prev.To = append(prev.To, r.To...)
			} else {
				out[r.From.ID] = r
			}
			if a := r.Paging.after(); a != "" {
				pending = append(pending, input{ID: r.From.ID, After: a})
			}
		}
	}
	return out, nil
}

// searchChanged is searchIDs for associations: the changed ids, and the
// records merged into them (from hs_merged_object_ids, which search
// returns), whose associations moved to the survivor.
func (c *conn) searchChanged(ctx context.Context, endpoint string, t objType, from, until, lastID int64, rd *recordReader) (ids []string, last int64, more bool, merged []mergedID, err error) {
	props := []string{"hs_object_id", t.ModProp}
	if t.Mergeable {
		props = append(props, "hs_merged_object_ids")
	}
	found, last, more, err := c.search(ctx, endpoint, t, from, until, lastID, props, rd)
	if err != nil {
		return nil, 0, false, nil, err
	}
	rd.takeErrors() // as before: a record that cannot be read has no id to follow
	for _, r := range found {
		if n, err := strconv.ParseInt(r.ID, 10, 64); err != nil || n <= lastID {
			continue
		}
		ids = append(ids, r.ID)
		mergedIDs, _ := r.value("hs_merged_object_ids")
		for _, g := range splitSemi(&mergedIDs) {
			if g != r.ID {
				merged = append(merged, mergedID{id: g, into: r.ID})
			}
		}
	}
	return ids, last, more, merged, nil
}

// dedupe keeps the last record of each id, preferring a live one.
func dedupe(recs []provider.Record) []provider.Record {
	index := make(map[string]int, len(recs))
	out := recs[:0:0]
	for _, r := range recs {
		if i, ok := index[r.ID]; ok {
			if out[i].Status == provider.StatusDeleted || r.Status != provider.StatusDeleted {
				out[i] = r
			}
			continue
		}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}
