package hubspot

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// World is everything the sandbox serves: portals and the people who can
// sign in to them.
type World struct {
	Portals []*Portal
	Users   []*User
}

// Portal returns the portal with the given hub id, or nil.
func (w *World) Portal(id int64) *Portal {
	for _, p := range w.Portals {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// User is a person who can sign in to the sandbox and install the app.
type User struct {
	ID        int64
	Email     string
	FirstName string
	LastName  string
	PortalIDs []int64
}

// Portal is one HubSpot account (hub) and its CRM. Every field below mu is
// guarded by it: readers hold mu.RLock, writers (the admin API and the
// search indexer) mu.Lock.
type Portal struct {
	mu       sync.RWMutex
	ID       int64
	Name     string
	Domain   string // hub_domain
	TimeZone string // IANA name, as account-info reports it
	Loc      *time.Location
	Currency string
	Created  int64 // ms; schemas and metadata of the portal's own date from it

	Types     []*ObjectType // standard types in HubSpot's order, then custom ones
	byName    map[string]*ObjectType
	Owners    []*Owner
	Pipelines map[string][]*Pipeline // by object type name: deals, tickets
	Assoc     *assocStore

	// merged maps an absorbed record to the one it was merged into, per
	// type, so reads of the old id find the survivor as HubSpot's do.
	merged map[*ObjectType]map[int64]int64
}

// Type resolves an object type the way HubSpot's paths do: by name
// (contacts), singular (contact), type id (0-1) or, for custom objects, by
// type id or fully qualified name (p123_vehicles). Plural labels do not
// resolve (X13).
func (p *Portal) Type(name string) *ObjectType {
	return p.byName[strings.ToLower(name)]
}

func (p *Portal) indexTypes() {
	p.byName = map[string]*ObjectType{}
	for _, t := range p.Types {
		for _, n := range []string{t.Name, t.Singular, t.TypeID, t.FQN} {
			if n != "" {
				p.byName[strings.ToLower(n)] = t
			}
		}
	}
}

// ObjectType is one CRM object type of a portal, with its property
// definitions and records. Records are kept in ascending id order, which is
// HubSpot's list order, so paging by cursor is a binary search.
type ObjectType struct {
	Name         string // API name: contacts, line_items; custom: the schema name
	Singular     string // contact, line_item; custom: the schema name too
	TypeID       string // 0-1; custom: 2-NNNNNNN
	FQN          string // custom objects: p{portal}_{name}
	Label        string // singular label
	Plural       string // plural label
	Custom       bool
	CreateProp   string // createdate, or hs_createdate (engagements, custom)
	ModProp      string // lastmodifieddate (contacts) or hs_lastmodifieddate
	Defaults     []string
	Searchable   []string // what search's free-text query looks in
	Scopes       []string // any one of them lets a token read the records
	SchemaScopes []string // any one of them lets a token read the metadata
	Primary      string   // primary display property
	SchemaID     string   // custom: the schema's own id
	Created      int64

	Props     []*Property
	propIndex map[string]int

	Records []*Record // ascending id
	byID    map[int64]*Record
	nextID  int64

	// The search index: what search sees lags what list and read see.
	pending     []pendingIndex
	searchEpoch uint64 // moves whenever what search sees changes
}

// Prop returns the index of the named property, or -1.
func (t *ObjectType) Prop(name string) int {
	if i, ok := t.propIndex[name]; ok {
		return i
	}
	return -1
}

func (t *ObjectType) indexProps() {
	t.propIndex = make(map[string]int, len(t.Props))
	for i, p := range t.Props {
		t.propIndex[p.Name] = i
		p.key = string(appendString(nil, p.Name)) + ":"
	}
}

// Get returns the record with the given id, archived or not.
func (t *ObjectType) Get(id int64) *Record { return t.byID[id] }

// add appends a record whose id is above every other one.
func (t *ObjectType) add(r *Record) {
	t.Records = append(t.Records, r)
	t.byID[r.ID] = r
	if r.ID >= t.nextID {
		t.nextID = r.ID + 1
	}
}

// remove drops a record entirely (a merge or a GDPR delete).
func (t *ObjectType) remove(id int64) {
	i := sort.Search(len(t.Records), func(i int) bool { return t.Records[i].ID >= id })
	if i < len(t.Records) && t.Records[i].ID == id {
		t.Records = append(t.Records[:i], t.Records[i+1:]...)
	}
	delete(t.byID, id)
	t.searchEpoch++
}

// from returns the index of the first record with an id at or above id.
func (t *ObjectType) from(id int64) int {
	return sort.Search(len(t.Records), func(i int) bool { return t.Records[i].ID >= id })
}

// Property is one property definition, as /crm/v3/properties answers it.
type Property struct {
	Name           string
	Label          string
	Type           string // string, number, bool, enumeration, date, datetime
	FieldType      string
	GroupName      string
	Description    string
	Options        []Option
	HubspotDefined bool
	Calculated     bool
	ReadOnly       bool
	Hidden         bool
	DisplayOrder   int
	Created        int64
	Updated        int64
	virtual        virtualProp
	key            string // the name as a JSON object key, with its colon: rendered once, written per record
}

// Option is one choice of an enumeration property.
type Option struct {
	Label, Value string
	DisplayOrder int
	Hidden       bool
}

// virtualProp marks the properties computed from a record rather than
// stored with it.
type virtualProp uint8

const (
	stored virtualProp = iota
	propObjectID
	propCreated
	propModified
)

// Record is one CRM record. Live is what list, read and batch read see;
// Indexed is what search sees, which catches up with Live SearchLag after
// each change (nil until a new record is first indexed). Versions are never
// modified once made: a change makes a new one.
type Record struct {
	ID      int64
	Live    *Version
	Indexed *Version
	// Hist holds every value a property with history has had, oldest first,
	// including the current one. A property without entries here has had
	// one value since the record was created.
	Hist []HistEntry
}

// Version is a record's state at one time.
type Version struct {
	CreatedAt  int64 // ms
	UpdatedAt  int64 // ms; the type's ModProp
	Archived   bool
	ArchivedAt int64
	Props      []PropValue // sorted by K; absent means null
}

// PropValue is one property's value, by index into the type's Props.
type PropValue struct {
	K uint16
	V string
}

// HistEntry is one value a property took.
type HistEntry struct {
	K      uint16
	V      string
	At     int64
	Source string
}

// Value returns a property's stored value.
func (v *Version) Value(k int) (string, bool) {
	props := v.Props
	lo, hi := 0, len(props)
	for lo < hi {
		m := (lo + hi) / 2
		if int(props[m].K) < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(props) && int(props[lo].K) == k {
		return props[lo].V, true
	}
	return "", false
}

// valueOf returns the value of property k of record id in version v,
// computing the virtual ones.
func (t *ObjectType) valueOf(id int64, v *Version, k int) (string, bool) {
	switch t.Props[k].virtual {
	case propObjectID:
		return strconv.FormatInt(id, 10), true
	case propCreated:
		return isoMillis(v.CreatedAt), true
	case propModified:
		return isoMillis(v.UpdatedAt), true
	}
	return v.Value(k)
}

// with returns a copy of v with the given values set ("" clears one).
func (v *Version) with(set map[int]string) *Version {
	nv := *v
	props := make([]PropValue, 0, len(v.Props)+len(set))
	for _, p := range v.Props {
		if _, ok := set[int(p.K)]; !ok {
			props = append(props, p)
		}
	}
	for k, val := range set {
		if val != "" {
			props = append(props, PropValue{K: uint16(k), V: val})
		}
	}
	sort.Slice(props, func(i, j int) bool { return props[i].K < props[j].K })
	nv.Props = props
	return &nv
}

// isoMillis formats Unix milliseconds as HubSpot's ISO 8601 UTC with
// milliseconds, 2024-09-11T13:27:39.356Z.
func isoMillis(ms int64) string {
	return string(appendISO(nil, ms))
}

func appendISO(b []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
}

// Owner is one CRM owner (a user or a queue of the portal).
type Owner struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	UserID    int64
	Type      string // PERSON or QUEUE
	Teams     []Team
	CreatedAt int64
	UpdatedAt int64
	Archived  bool
}

// Team is an owner's team.
type Team struct {
	ID      string
	Name    string
	Primary bool
}

// Pipeline is a deal or ticket pipeline.
type Pipeline struct {
	ID           string
	Label        string
	DisplayOrder int
	CreatedAt    int64 // 0 for the default pipelines, as HubSpot's are
	UpdatedAt    int64
	Archived     bool
	Stages       []*Stage
}

// Stage is one pipeline stage. Deal stages carry probability and isClosed
// metadata; ticket stages ticketState.
type Stage struct {
	ID           string
	Label        string
	DisplayOrder int
	CreatedAt    int64
	UpdatedAt    int64
	Archived     bool
	Metadata     map[string]string
}

// Stage returns the pipeline's stage with the given id, or nil.
func (p *Pipeline) Stage(id string) *Stage {
	for _, s := range p.Stages {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// pipeline returns the named pipeline of an object type, or nil.
func (p *Portal) pipeline(typeName, id string) *Pipeline {
	for _, pl := range p.Pipelines[typeName] {
		if pl.ID == id {
			return pl
		}
	}
	return nil
}

// RecordCount returns the number of records the portal holds across every
// object type, archived ones included.
func (p *Portal) RecordCount() int {
	n := 0
	for _, t := range p.Types {
		n += len(t.Records)
	}
	return n
}

// customStartIndex returns the index of the type's first custom property
// (dp_custom_…), or -1.
func (t *ObjectType) customStartIndex() int {
	for k, p := range t.Props {
		if strings.HasPrefix(p.Name, "dp_custom_") {
			return k
		}
	}
	return -1
}
