package hubspot

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"time"
)

// sizeSpec is how many records of each type one portal gets.
type sizeSpec struct {
	contacts, companies, deals, tickets, products, lineItems int
	calls, emails, meetings, notes, tasks, custom, owners    int
}

// sizes: demo is a few hundred records, small about 10,000, medium about
// 100,000 and large over 1,000,000 (in the first portal).
var sizes = map[string]sizeSpec{
	"demo":   {200, 50, 60, 30, 12, 120, 60, 80, 30, 50, 40, 30, 6},
	"small":  {3000, 600, 800, 500, 50, 1600, 800, 1000, 400, 600, 600, 300, 15},
	"medium": {30000, 6000, 8000, 5000, 200, 16000, 8000, 10000, 4000, 6000, 6000, 3000, 40},
	"large":  {330000, 60000, 80000, 50000, 2000, 160000, 80000, 100000, 40000, 60000, 60000, 20000, 120},
}

// count returns how many records a type gets.
func (s sizeSpec) count(name string) int {
	switch name {
	case "contacts":
		return s.contacts
	case "companies":
		return s.companies
	case "deals":
		return s.deals
	case "tickets":
		return s.tickets
	case "products":
		return s.products
	case "line_items":
		return s.lineItems
	case "calls":
		return s.calls
	case "emails":
		return s.emails
	case "meetings":
		return s.meetings
	case "notes":
		return s.notes
	case "tasks":
		return s.tasks
	}
	return s.custom
}

// portalZones are the portals' time zones, in turn. They have no daylight
// saving, so fixed zones are exact and the data is the same on every machine.
var portalZones = []struct {
	name   string
	offset int // seconds east of UTC
}{{"America/Phoenix", -7 * 3600}, {"Asia/Kolkata", 5*3600 + 1800}, {"UTC", 0}, {"Asia/Tokyo", 9 * 3600}}

// Generate builds the sandbox's portals and users from cfg's seed and
// sizes, with history ending at start.
func Generate(cfg Config, start time.Time) (*World, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &World{}
	ids := make([]int64, cfg.Portals)
	for i := range ids {
		ids[i] = portalID(cfg.Seed, i)
	}
	w.Users = generateUsers(ids)
	for i := 0; i < cfg.Portals; i++ {
		size := cfg.Size
		if i > 0 && size == "large" {
			size = "medium"
		}
		w.Portals = append(w.Portals, generatePortal(cfg, i, sizes[size], start.UTC(), w.Users))
	}
	return w, nil
}

// portalID is the hub id of the idx-th portal: eight digits, from the seed.
func portalID(seed int64, idx int) int64 {
	return int64(24000000 + idx*3517 + int((seed%997+997)%997))
}

// generateUsers: the first user reaches every portal (so the consent page
// shows a picker), the second only the first portal, the third only the last.
func generateUsers(all []int64) []*User {
	return []*User{
		{ID: 7012345, Email: "ava.adams@datapull.example", FirstName: "Ava", LastName: "Adams", PortalIDs: all},
		{ID: 7012346, Email: "ben.becker@datapull.example", FirstName: "Ben", LastName: "Becker", PortalIDs: all[:1]},
		{ID: 7012347, Email: "chloe.costa@datapull.example", FirstName: "Chloe", LastName: "Costa", PortalIDs: all[len(all)-1:]},
	}
}

// rngFor returns a generator stream for one portal and purpose, so each
// type's data depends on the seed alone, whatever order goroutines run in.
func rngFor(seed, portal int64, purpose string) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", portal, purpose)
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

func generatePortal(cfg Config, idx int, size sizeSpec, start time.Time, users []*User) *Portal {
	zone := portalZones[idx%len(portalZones)]
	id := portalID(cfg.Seed, idx)
	word := companyWords[idx%len(companyWords)]
	created := start.AddDate(-5, 0, 0).UnixMilli()
	p := &Portal{
		ID: id, Name: word + " Sandbox", Domain: lower(word) + "-sandbox.example.com",
		TimeZone: zone.name, Loc: time.FixedZone(zone.name, zone.offset),
		Currency: []string{"USD", "EUR", "GBP", "JPY"}[idx%4], Created: created,
		Pipelines: defaultPipelines(created), Assoc: newAssocStore(),
		merged: map[*ObjectType]map[int64]int64{},
	}
	for _, ts := range standardTypes() {
		var custom []propSpec
		if ts.name == "contacts" {
			custom = customProps(cfg.CustomProperties)
		}
		p.Types = append(p.Types, ts.instantiate(created, custom))
	}
	for _, ts := range customTypes(id) {
		t := ts.instantiate(created+86_400_000, nil)
		t.Custom, t.FQN, t.SchemaID = true, fmt.Sprintf("p%d_%s", id, ts.name), strconv.FormatInt(id*10+int64(len(p.Types)), 10)
		p.Types = append(p.Types, t)
	}
	p.indexTypes()
	p.Owners = generateOwners(rngFor(cfg.Seed, id, "owners"), p, users, size.owners, start.UnixMilli())
	defineAssociations(p)
	generateRecords(cfg.Seed, p, size, start.UnixMilli())
	return p
}

// defineAssociations registers the portal's association types with the
// type ids of hubspot-api.md §4.4 (the engagement and custom ones follow
// HubSpot's pattern; their numbers are ours).
func defineAssociations(p *Portal) {
	t := p.Type
	s := p.Assoc
	hd := func(fwd, back int) labelDef { return labelDef{category: "HUBSPOT_DEFINED", forward: fwd, back: back} }
	primary := func(fwd, back int) labelDef {
		return labelDef{category: "HUBSPOT_DEFINED", label: "Primary", forward: fwd, back: back, primary: true}
	}
	user := func(label string, fwd, back int) labelDef {
		return labelDef{category: "USER_DEFINED", label: label, forward: fwd, back: back}
	}
	s.define(t("contacts"), t("companies"), hd(279, 280), primary(1, 2), user("Billing contact", 1001, 1002))
	s.define(t("deals"), t("contacts"), hd(3, 4), user("Decision maker", 1003, 1004))
	s.define(t("deals"), t("companies"), hd(341, 342), primary(5, 6))
	s.define(t("tickets"), t("contacts"), hd(16, 15))
	s.define(t("tickets"), t("companies"), hd(339, 340), primary(26, 25))
	s.define(t("tickets"), t("deals"), hd(28, 27))
	s.define(t("deals"), t("line_items"), hd(19, 20))
	for i, name := range []string{"calls", "emails", "meetings", "notes", "tasks"} {
		base := 181 + 2*i
		s.define(t(name), t("contacts"), hd(base+13, base+12))
		s.define(t(name), t("companies"), hd(base+1, base))
		s.define(t(name), t("deals"), hd(base+25, base+24))
	}
	s.define(t("fleet_vehicle"), t("contacts"), user("", 1101, 1102))
	s.define(t("subscription_plan"), t("companies"), user("", 1103, 1104))
}

// link is one association the generator makes.
type link struct {
	a, b       *ObjectType
	aID, bID   int64
	labelsBits uint32
}

// typeGen is what one type's generator works with.
type typeGen struct {
	p           *Portal
	t           *ObjectType
	rng         *rand.Rand
	ids         map[string][]int64 // every type's ids, by name
	start       int64
	size        sizeSpec
	links       []link
	history     []HistEntry // reused per record
	customStart int         // index of the first custom property, or -1
	// mergedBefore lists (absorbed id, survivor id) of merges made before
	// the sandbox began.
	mergedBefore [][2]int64
}

// generateRecords makes every type's records: ids first (so generators can
// point at other types' records), then each type's records in parallel,
// each from its own seeded stream, then the associations in a fixed order.
func generateRecords(seed int64, p *Portal, size sizeSpec, start int64) {
	ids := map[string][]int64{}
	for ti, t := range p.Types {
		ids[t.Name] = generateIDs(rngFor(seed, p.ID, "ids/"+t.Name), size.count(t.Name), ti)
	}
	gens := make([]*typeGen, len(p.Types))
	var wg sync.WaitGroup
	for i, t := range p.Types {
		g := &typeGen{p: p, t: t, rng: rngFor(seed, p.ID, "records/"+t.Name), ids: ids, start: start, size: size,
			customStart: t.customStartIndex()}
		gens[i] = g
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.generate()
		}()
	}
	wg.Wait()
	for _, g := range gens {
		for _, l := range g.links {
			p.Assoc.pair(l.a, l.b).appendSorted(l.aID, l.bID, l.labelsBits|1)
		}
	}
	for _, g := range gens {
		for _, l := range g.links {
			p.Assoc.pair(l.b, l.a).put(l.bID, l.aID, l.labelsBits|1)
		}
	}
	for _, g := range gens {
		for _, m := range g.mergedBefore {
			if p.merged[g.t] == nil {
				p.merged[g.t] = map[int64]int64{}
			}
			p.merged[g.t][m[0]] = m[1]
		}
		for _, r := range g.t.Records {
			if r.ID >= g.t.nextID {
				g.t.nextID = r.ID + 1
			}
		}
	}
}

// generateIDs returns n ascending ids whose lengths jump from three or four
// digits to nine, eleven and twelve, so any window of 10,000 search results
// mixes lengths (X2) and many ids pass 2^32.
func generateIDs(rng *rand.Rand, n, typeIdx int) []int64 {
	out := make([]int64, n)
	a := min(n/5, 3000)
	cur := int64(101 + typeIdx*7)
	for i := range out {
		switch i {
		case a:
			cur = 100_000_000 + int64(typeIdx)*3_000_000
		case n / 2:
			cur = 10_000_000_000 + int64(typeIdx)*700_000_000
		case n * 3 / 4:
			cur = 100_000_000_000 + int64(typeIdx)*7_000_000_000
		}
		switch {
		case i < a:
			cur += 1 + rng.Int64N(3)
		case i < n/2:
			cur += 1 + rng.Int64N(40)
		default:
			cur += 1 + rng.Int64N(200)
		}
		out[i] = cur
	}
	return out
}

// recordTimes returns the i-th of n records' creation and modification
// times: creation rises with i over three years before start, so id order
// is creation order; about a third were never modified after creation.
func (g *typeGen) recordTimes(i, n int) (created, updated int64) {
	const span = 3 * 365 * 24 * 3600 * 1000
	t0 := g.start - span
	step := int64(span-3_600_000) / int64(max(n, 1))
	created = t0 + int64(i)*step + g.rng.Int64N(max(step, 1))
	if g.rng.IntN(3) == 0 {
		updated = created + g.rng.Int64N(5000)
	} else {
		f := g.rng.Float64()
		updated = created + int64((1-f*f)*float64(g.start-created))
	}
	return created, min(updated, g.start-1)
}

// recordBuilder collects one record's values.
type recordBuilder struct {
	t     *ObjectType
	props []PropValue
}

func (b *recordBuilder) set(name, value string) {
	k := b.t.Prop(name)
	if k < 0 || value == "" {
		return
	}
	b.props = append(b.props, PropValue{K: uint16(k), V: value})
}

func (b *recordBuilder) finish() []PropValue {
	out := make([]PropValue, len(b.props))
	copy(out, b.props)
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	b.props = b.props[:0]
	return out
}

// generate makes the type's records.
func (g *typeGen) generate() {
	ids := g.ids[g.t.Name]
	g.t.Records = make([]*Record, 0, len(ids))
	b := &recordBuilder{t: g.t}
	for i, id := range ids {
		created, updated := g.recordTimes(i, len(ids))
		r := &Record{ID: id}
		g.history = g.history[:0]
		g.fill(b, i, id, created, updated)
		v := &Version{CreatedAt: created, UpdatedAt: updated, Props: b.finish()}
		if g.rng.IntN(50) == 0 { // about 2% are in the recycle bin
			v.Archived = true
			v.ArchivedAt = updated + g.rng.Int64N(max(g.start-updated, 1))
		}
		if len(g.history) > 0 {
			r.Hist = append([]HistEntry(nil), g.history...)
		}
		r.Live, r.Indexed = v, v
		g.t.Records = append(g.t.Records, r)
	}
	g.t.byID = make(map[int64]*Record, len(g.t.Records))
	for _, r := range g.t.Records {
		g.t.byID[r.ID] = r
	}
}

// pick returns a random id of the named type, or 0 if it has none.
func (g *typeGen) pick(name string) (int64, int) {
	ids := g.ids[name]
	if len(ids) == 0 {
		return 0, -1
	}
	k := g.rng.IntN(len(ids))
	return ids[k], k
}

func (g *typeGen) linkTo(name string, id, to int64, bits uint32) {
	if to != 0 {
		g.links = append(g.links, link{a: g.t, b: g.p.Type(name), aID: id, bID: to, labelsBits: bits})
	}
}

// hist records a property's value at a time; the last entry of a property
// must be its current value.
func (g *typeGen) hist(name, value string, at int64, source string) {
	g.history = append(g.history, HistEntry{K: uint16(g.t.Prop(name)), V: value, At: at, Source: source})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// companyName and companyDomain are pure functions of a company's index,
// so contacts can name the company they work at without waiting for it.
func companyName(k int) string {
	name := companyWords[k%len(companyWords)] + " " + companySuffixes[(k/len(companyWords))%len(companySuffixes)]
	if n := suffixNumber(k / (len(companyWords) * len(companySuffixes))); n != "" {
		name += " " + n
	}
	return name
}

func companyDomain(k int) string {
	return lower(companyWords[k%len(companyWords)]) + "-" + lower(companySuffixes[(k/len(companyWords))%len(companySuffixes)]) +
		suffixNumber(k/(len(companyWords)*len(companySuffixes))) + ".example"
}

func suffixNumber(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n + 1)
}

func productName(k int) string {
	return productNames[k%len(productNames)] + suffixNumber(k/len(productNames))
}

func productPrice(k int) int { return 50 + (k*7919)%2000 }
