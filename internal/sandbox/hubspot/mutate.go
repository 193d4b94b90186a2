package hubspot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/sandbox"
)

// Ops a ChangeRequest can name.
const (
	OpCreate       = "create"
	OpUpdate       = "update"
	OpArchive      = "archive"
	OpRestore      = "restore"
	OpMerge        = "merge"
	OpPurge        = "purge" // a GDPR delete: the record is gone, not archived
	OpAssociate    = "associate"
	OpDisassociate = "disassociate"
	OpBulkUpdate   = "bulk-update"
	OpPipelineEdit = "pipeline-edit"
)

// ChangeRequest asks for one change, as POST
// /_sandbox/portals/{portal}/changes takes it:
//
//	{"op":"create","type":"contacts","properties":{"email":"a@b.example"}}
//	{"op":"update","type":"deals","id":"123","properties":{"dealstage":"closedwon"}}
//	{"op":"archive"|"restore"|"purge","type":"companies","id":"456"}
//	{"op":"merge","type":"contacts","id":"absorbed","into":"survivor"}
//	{"op":"associate"|"disassociate","type":"deals","id":"1","toType":"contacts","to":"2","typeIds":[1004]}
//	{"op":"bulk-update","type":"contacts","properties":{"hs_lead_status":"OPEN"},"count":15000}
//	{"op":"pipeline-edit","type":"deals","pipeline":"default","stage":"closedwon","label":"Won","probability":"1.0"}
//
// Every change but archive moves the records' last-modified time to the
// clock's now; archive sets archivedAt only, as HubSpot's does (gotcha 5).
// A bulk update (ids, or the first count live records, or all of them)
// and a pipeline edit give every record they touch the same millisecond,
// which is how more than 10,000 records come to share one (X4).
type ChangeRequest struct {
	Op          string            `json:"op"`
	Type        string            `json:"type"`
	ID          string            `json:"id,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
	Into        string            `json:"into,omitempty"`
	ToType      string            `json:"toType,omitempty"`
	To          string            `json:"to,omitempty"`
	TypeIDs     []int             `json:"typeIds,omitempty"`
	IDs         []string          `json:"ids,omitempty"`
	Count       int               `json:"count,omitempty"`
	Pipeline    string            `json:"pipeline,omitempty"`
	Stage       string            `json:"stage,omitempty"`
	Label       string            `json:"label,omitempty"`
	Probability string            `json:"probability,omitempty"`
}

// Change is what one request did: to one record, or (bulk update and
// pipeline edit) to Count records at the same millisecond At.
type Change struct {
	Op    string `json:"op"`
	Type  string `json:"type"`
	ID    string `json:"id,omitempty"`
	Count int    `json:"count,omitempty"`
	At    string `json:"at"`
}

// Apply makes changes to a portal in order, under its write lock, at the
// clock's now. It stops at the first refused change and returns what was
// applied before it.
func (s *Server) Apply(portalID int64, reqs []ChangeRequest) ([]Change, error) {
	p := s.world.Portal(portalID)
	if p == nil {
		return nil, sandbox.Missing("unknown portal %d", portalID)
	}
	now := s.nowMs()
	lag := s.lagMs.Load()
	p.mu.Lock()
	defer p.mu.Unlock()
	m := &mutation{s: s, p: p, now: now, lag: lag}
	var done []Change
	for i, req := range reqs {
		ch, err := m.apply(req)
		if err != nil {
			return done, fmt.Errorf("change %d: %w", i+1, err)
		}
		done = append(done, ch)
	}
	return done, nil
}

// mutation applies changes to one portal whose write lock is held.
type mutation struct {
	s   *Server
	p   *Portal
	now int64
	lag int64
}

func (m *mutation) apply(req ChangeRequest) (Change, error) {
	t := m.p.Type(req.Type)
	if t == nil {
		return Change{}, sandbox.Refuse("unknown object type %q", req.Type)
	}
	ch := Change{Op: req.Op, Type: t.Name, ID: req.ID, At: isoMillis(m.now)}
	var err error
	switch req.Op {
	case OpCreate:
		ch.ID, err = m.create(t, req.Properties)
	case OpUpdate:
		err = m.update(t, req.ID, req.Properties)
	case OpArchive, OpRestore:
		err = m.archive(t, req.ID, req.Op == OpArchive)
	case OpMerge:
		err = m.merge(t, req.ID, req.Into)
	case OpPurge:
		err = m.purge(t, req.ID)
	case OpAssociate, OpDisassociate:
		err = m.associate(t, req)
	case OpBulkUpdate:
		ch.Count, err = m.bulk(t, req)
	case OpPipelineEdit:
		ch.Count, err = m.pipelineEdit(t, req)
	default:
		return Change{}, sandbox.Refuse("unknown op %q (want create, update, archive, restore, merge, purge, associate, disassociate, bulk-update or pipeline-edit)", req.Op)
	}
	return ch, err
}

// values resolves property names to indices, refusing unknown and
// read-only ones.
func (m *mutation) values(t *ObjectType, props map[string]string) (map[int]string, error) {
	out := make(map[int]string, len(props))
	for name, v := range props {
		k := t.Prop(name)
		switch {
		case k < 0:
			return nil, sandbox.Refuse("%s has no property %q", t.Name, name)
		case t.Props[k].virtual != stored:
			return nil, sandbox.Refuse("%s.%s is read-only", t.Name, name)
		}
		out[k] = v
	}
	if t.Name == "deals" {
		// Moving a deal's stage moves its probability with it.
		if st, ok := out[t.Prop("dealstage")]; ok {
			for _, pl := range m.p.Pipelines["deals"] {
				if stage := pl.Stage(st); stage != nil {
					out[t.Prop("hs_deal_stage_probability")] = stage.Metadata["probability"]
				}
			}
		}
	}
	return out, nil
}

func (m *mutation) record(t *ObjectType, id string) (*Record, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, sandbox.Refuse("id %q is not a record id", id)
	}
	r := t.Get(n)
	if r == nil {
		return nil, sandbox.Missing("%s %s does not exist", t.Name, id)
	}
	return r, nil
}

func (m *mutation) create(t *ObjectType, props map[string]string) (string, error) {
	set, err := m.values(t, props)
	if err != nil {
		return "", err
	}
	r := &Record{ID: t.nextID}
	r.Live = (&Version{CreatedAt: m.now, UpdatedAt: m.now}).with(set)
	// Every value set at creation starts its property's history, as
	// HubSpot's propertiesWithHistory shows it, so the truth says so too.
	keys := make([]int, 0, len(set))
	for k, v := range set {
		if v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		r.Hist = append(r.Hist, HistEntry{K: uint16(k), V: set[k], At: m.now, Source: "API"})
	}
	t.add(r)
	t.publish(r, m.now, m.lag)
	return strconv.FormatInt(r.ID, 10), nil
}

// setLive gives a record a new live version and queues it for search.
func (m *mutation) setLive(t *ObjectType, r *Record, v *Version) {
	r.Live = v
	t.publish(r, m.now, m.lag)
}

// change sets values on a live record at now, keeping property history.
func (m *mutation) change(t *ObjectType, r *Record, set map[int]string, source string) {
	for k, v := range set {
		old, _ := r.Live.Value(k)
		if old == v {
			continue
		}
		has := false
		for _, h := range r.Hist {
			if int(h.K) == k {
				has = true
				break
			}
		}
		if !has && old != "" {
			r.Hist = append(r.Hist, HistEntry{K: uint16(k), V: old, At: r.Live.CreatedAt, Source: "CRM_UI"})
		}
		r.Hist = append(r.Hist, HistEntry{K: uint16(k), V: v, At: m.now, Source: source})
	}
	nv := r.Live.with(set)
	nv.UpdatedAt = m.now
	m.setLive(t, r, nv)
}

func (m *mutation) update(t *ObjectType, id string, props map[string]string) error {
	r, err := m.record(t, id)
	if err != nil {
		return err
	}
	if r.Live.Archived {
		return sandbox.Missing("%s %s is archived: restore it first", t.Name, id)
	}
	set, err := m.values(t, props)
	if err != nil {
		return err
	}
	m.change(t, r, set, "API")
	return nil
}

func (m *mutation) archive(t *ObjectType, id string, archive bool) error {
	r, err := m.record(t, id)
	if err != nil {
		return err
	}
	if r.Live.Archived == archive {
		return sandbox.Refuse("%s %s is already %s", t.Name, id, map[bool]string{true: "archived", false: "live"}[archive])
	}
	nv := *r.Live
	nv.Archived = archive
	if archive {
		nv.ArchivedAt = m.now // hs_lastmodifieddate does not move (gotcha 5)
	} else {
		nv.ArchivedAt, nv.UpdatedAt = 0, m.now
	}
	m.setLive(t, r, &nv)
	return nil
}

// merge folds record id into record into: the survivor lists the absorbed
// ids in hs_merged_object_ids and takes its associations; the absorbed one
// is not archived, it is gone, and reads of its id find the survivor
// (gotcha 6).
func (m *mutation) merge(t *ObjectType, id, into string) error {
	gone, err := m.record(t, id)
	if err != nil {
		return err
	}
	keep, err := m.record(t, into)
	if err != nil {
		return err
	}
	switch {
	case gone == keep:
		return sandbox.Refuse("cannot merge %s %s into itself", t.Name, id)
	case gone.Live.Archived || keep.Live.Archived:
		return sandbox.Refuse("cannot merge archived records")
	case t.Prop("hs_merged_object_ids") < 0:
		return sandbox.Refuse("%s cannot be merged", t.Name)
	}
	mergedK := t.Prop("hs_merged_object_ids")
	ids := splitSemi(keep.Live.Value(mergedK))
	ids = append(ids, splitSemi(gone.Live.Value(mergedK))...)
	ids = append(ids, strconv.FormatInt(gone.ID, 10))
	set := map[int]string{mergedK: strings.Join(ids, ";")}
	if k := t.Prop("hs_calculated_merged_vids"); k >= 0 {
		v, _ := keep.Live.Value(k)
		set[k] = strings.TrimPrefix(v+";"+strconv.FormatInt(gone.ID, 10)+":"+strconv.FormatInt(m.now, 10), ";")
	}
	m.p.Assoc.moveRecord(t, gone.ID, keep.ID)
	t.remove(gone.ID)
	if m.p.merged[t] == nil {
		m.p.merged[t] = map[int64]int64{}
	}
	for old, to := range m.p.merged[t] {
		if to == gone.ID {
			m.p.merged[t][old] = keep.ID
		}
	}
	m.p.merged[t][gone.ID] = keep.ID
	m.change(t, keep, set, "MERGE")
	return nil
}

func splitSemi(v string, ok bool) []string {
	if !ok || v == "" {
		return nil
	}
	return strings.Split(v, ";")
}

func (m *mutation) purge(t *ObjectType, id string) error {
	r, err := m.record(t, id)
	if err != nil {
		return err
	}
	m.p.Assoc.dropRecord(t, r.ID)
	t.remove(r.ID)
	return nil
}

func (m *mutation) associate(t *ObjectType, req ChangeRequest) error {
	to := m.p.Type(req.ToType)
	if to == nil {
		return sandbox.Refuse("unknown object type %q", req.ToType)
	}
	a, err := m.record(t, req.ID)
	if err != nil {
		return err
	}
	b, err := m.record(to, req.To)
	if err != nil {
		return err
	}
	pair := m.p.Assoc.pair(t, to)
	if pair == nil {
		return sandbox.Refuse("%s cannot be associated with %s", t.Name, to.Name)
	}
	if req.Op == OpDisassociate {
		if !m.p.Assoc.unlink(t, a.ID, to, b.ID) {
			return sandbox.Missing("%s %s is not associated with %s %s", t.Name, req.ID, to.Name, req.To)
		}
	} else {
		var bits uint32
		for _, id := range req.TypeIDs {
			i := slices.IndexFunc(pair.labels, func(l AssocLabel) bool { return l.TypeID == id })
			if i < 0 {
				return sandbox.Refuse("association type %d does not exist from %s to %s", id, t.Name, to.Name)
			}
			bits |= 1 << uint(i)
		}
		m.p.Assoc.link(t, a.ID, to, b.ID, bits)
	}
	// Search's associations.{type} filter sees the change: cached results
	// of both types are stale.
	t.searchEpoch++
	to.searchEpoch++
	if m.s.cfg.ModifiedOnAssociation {
		m.change(t, a, nil, "API")
		m.change(to, b, nil, "API")
	}
	return nil
}

// bulk sets the same values on many records at one millisecond.
func (m *mutation) bulk(t *ObjectType, req ChangeRequest) (int, error) {
	set, err := m.values(t, req.Properties)
	if err != nil {
		return 0, err
	}
	var targets []*Record
	if len(req.IDs) > 0 {
		for _, id := range req.IDs {
			r, err := m.record(t, id)
			if err != nil {
				return 0, err
			}
			if !r.Live.Archived {
				targets = append(targets, r)
			}
		}
	} else {
		for _, r := range t.Records {
			if !r.Live.Archived {
				targets = append(targets, r)
				if req.Count > 0 && len(targets) == req.Count {
					break
				}
			}
		}
	}
	for _, r := range targets {
		m.change(t, r, set, "BULK_UPDATE")
	}
	return len(targets), nil
}

// pipelineEdit relabels a pipeline or one of its stages (and may change a
// deal stage's probability). Every record in the pipeline changes with it,
// at one millisecond, as HubSpot's pipeline updates bump all deals (X4).
func (m *mutation) pipelineEdit(t *ObjectType, req ChangeRequest) (int, error) {
	pl := m.p.pipeline(t.Name, req.Pipeline)
	if pl == nil {
		return 0, sandbox.Missing("%s has no pipeline %q", t.Name, req.Pipeline)
	}
	var stage *Stage
	if req.Stage != "" {
		if stage = pl.Stage(req.Stage); stage == nil {
			return 0, sandbox.Missing("pipeline %s has no stage %q", pl.ID, req.Stage)
		}
	}
	if req.Probability != "" {
		if f, err := strconv.ParseFloat(req.Probability, 64); err != nil || f < 0 || f > 1 || stage == nil || t.Name != "deals" {
			return 0, sandbox.Refuse("probability %q: want 0.0 to 1.0, on a deal stage", req.Probability)
		}
	}
	pl.UpdatedAt = m.now
	switch {
	case stage != nil:
		stage.UpdatedAt = m.now
		if req.Label != "" {
			stage.Label = req.Label
		}
		if req.Probability != "" {
			stage.Metadata = map[string]string{"probability": req.Probability, "isClosed": stage.Metadata["isClosed"]}
		}
	case req.Label != "":
		pl.Label = req.Label
	}
	pipeK, stageK := t.Prop("pipeline"), t.Prop("dealstage")
	if t.Name == "tickets" {
		pipeK, stageK = t.Prop("hs_pipeline"), t.Prop("hs_pipeline_stage")
	}
	probK := t.Prop("hs_deal_stage_probability")
	n := 0
	for _, r := range t.Records {
		if v, _ := r.Live.Value(pipeK); v != pl.ID || r.Live.Archived {
			continue
		}
		set := map[int]string{}
		if st, _ := r.Live.Value(stageK); stage != nil && st == stage.ID && req.Probability != "" && probK >= 0 {
			set[probK] = req.Probability
		}
		m.change(t, r, set, "PIPELINE_EDIT")
		n++
	}
	return n, nil
}
