package hubspot

import (
	"sort"
	"strconv"
)

// AssocLabel is one association type between two object types, as the v4
// API reports it: {category, typeId, label}. A null label is "".
type AssocLabel struct {
	Category string
	TypeID   int
	Label    string
	v3Name   string // the type name v3 embedded associations use
}

// assocStore holds a portal's associations: for each ordered pair of object
// types, each record's targets with the association types they carry. Both
// directions are stored, so reading either side is one map lookup.
type assocStore struct {
	pairs map[[2]*ObjectType]*assocPair
}

// assocPair is one direction of one pair of object types.
type assocPair struct {
	from, to *ObjectType
	labels   []AssocLabel // bit i of an edge's Labels is labels[i]
	edges    map[int64][]assocEdge
	reverse  *assocPair
}

// assocEdge is one associated record and its association types (a bit
// set over the pair's labels; bit 0, the unlabeled type, is always set).
type assocEdge struct {
	To     int64
	Labels uint32
}

// labelDef defines an association type in both directions.
type labelDef struct {
	category      string
	label         string
	forward, back int // type ids from a to b, from b to a
	primary       bool
}

func newAssocStore() *assocStore {
	return &assocStore{pairs: map[[2]*ObjectType]*assocPair{}}
}

// define registers the pair a↔b with its association types; the first
// definition must be the unlabeled one.
func (s *assocStore) define(a, b *ObjectType, defs ...labelDef) {
	fwd := &assocPair{from: a, to: b, edges: map[int64][]assocEdge{}}
	rev := &assocPair{from: b, to: a, edges: map[int64][]assocEdge{}, reverse: fwd}
	fwd.reverse = rev
	for i, d := range defs {
		fwd.labels = append(fwd.labels, AssocLabel{Category: d.category, TypeID: d.forward, Label: d.label, v3Name: v3Name(a, b, d, i)})
		rev.labels = append(rev.labels, AssocLabel{Category: d.category, TypeID: d.back, Label: d.label, v3Name: v3Name(b, a, d, i)})
	}
	s.pairs[[2]*ObjectType{a, b}] = fwd
	s.pairs[[2]*ObjectType{b, a}] = rev
}

// v3Name is the "type" a v3 embedded association shows: the primary type
// is "contact_to_company", the unlabeled one of a pair that has a primary
// "contact_to_company_unlabeled", other HubSpot types the plain name, and
// user-defined labels their type id.
func v3Name(a, b *ObjectType, d labelDef, i int) string {
	base := a.Singular + "_to_" + b.Singular
	switch {
	case d.category != "HUBSPOT_DEFINED":
		if i == 0 {
			return base
		}
		return strconv.Itoa(d.forward)
	case d.primary:
		return base
	case i == 0 && d.label == "":
		return base + "_unlabeled"
	}
	return base
}

func (s *assocStore) pair(from, to *ObjectType) *assocPair { return s.pairs[[2]*ObjectType{from, to}] }

// link associates a's record with b's with the given label bits (bit 0 is
// added), in both directions. Linking again merges the labels.
func (s *assocStore) link(a *ObjectType, aID int64, b *ObjectType, bID int64, bits uint32) bool {
	p := s.pair(a, b)
	if p == nil {
		return false
	}
	bits |= 1
	p.put(aID, bID, bits)
	p.reverse.put(bID, aID, bits)
	return true
}

func (p *assocPair) put(from, to int64, bits uint32) {
	list := p.edges[from]
	i := sort.Search(len(list), func(i int) bool { return list[i].To >= to })
	if i < len(list) && list[i].To == to {
		list[i].Labels |= bits
		return
	}
	list = append(list, assocEdge{})
	copy(list[i+1:], list[i:])
	list[i] = assocEdge{To: to, Labels: bits}
	p.edges[from] = list
}

// appendSorted adds an edge known to sort after the record's others (the
// generator's fast path); it falls back to put otherwise.
func (p *assocPair) appendSorted(from, to int64, bits uint32) {
	list := p.edges[from]
	if n := len(list); n > 0 && list[n-1].To >= to {
		p.put(from, to, bits)
		return
	}
	p.edges[from] = append(list, assocEdge{To: to, Labels: bits})
}

// unlink removes the association of a's record with b's in both directions.
func (s *assocStore) unlink(a *ObjectType, aID int64, b *ObjectType, bID int64) bool {
	p := s.pair(a, b)
	if p == nil {
		return false
	}
	ok := p.drop(aID, bID)
	p.reverse.drop(bID, aID)
	return ok
}

func (p *assocPair) drop(from, to int64) bool {
	list := p.edges[from]
	i := sort.Search(len(list), func(i int) bool { return list[i].To >= to })
	if i == len(list) || list[i].To != to {
		return false
	}
	list = append(list[:i], list[i+1:]...)
	if len(list) == 0 {
		delete(p.edges, from)
	} else {
		p.edges[from] = list
	}
	return true
}

// targets returns the record's associations to the pair's other type, in
// ascending id order. The slice is shared: do not modify it.
func (s *assocStore) targets(from, to *ObjectType, id int64) []assocEdge {
	p := s.pair(from, to)
	if p == nil {
		return nil
	}
	return p.edges[id]
}

// dropRecord removes every association of a record (a GDPR delete).
func (s *assocStore) dropRecord(t *ObjectType, id int64) {
	for key, p := range s.pairs {
		if key[0] != t {
			continue
		}
		for _, e := range p.edges[id] {
			p.reverse.drop(e.To, id)
		}
		delete(p.edges, id)
	}
}

// moveRecord gives the survivor of a merge every association of the record
// merged into it.
func (s *assocStore) moveRecord(t *ObjectType, from, into int64) {
	for key, p := range s.pairs {
		if key[0] != t {
			continue
		}
		for _, e := range p.edges[from] {
			p.reverse.drop(e.To, from)
			if !(key[1] == t && e.To == into) {
				p.put(into, e.To, e.Labels)
				p.reverse.put(e.To, into, e.Labels)
			}
		}
		delete(p.edges, from)
	}
}

// labelsOf returns the association types an edge carries.
func (p *assocPair) labelsOf(bits uint32) []AssocLabel {
	out := make([]AssocLabel, 0, 2)
	for i, l := range p.labels {
		if bits&(1<<uint(i)) != 0 {
			out = append(out, l)
		}
	}
	return out
}

// pairsFrom lists the pairs whose from side is t, in a fixed order.
func (s *assocStore) pairsFrom(t *ObjectType) []*assocPair {
	var out []*assocPair
	for key, p := range s.pairs {
		if key[0] == t {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].to.TypeID < out[j].to.TypeID })
	return out
}
