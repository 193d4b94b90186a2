package hubspot

import (
	"strconv"
	"testing"
	"time"
)

var testStart = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

func genWorld(t testing.TB, edit func(*Config)) *World {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Seed = 7
	if edit != nil {
		edit(&cfg)
	}
	w, err := Generate(cfg, testStart)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return w
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := genWorld(t, nil), genWorld(t, nil)
	for i, pa := range a.Portals {
		pb := b.Portals[i]
		if pa.ID != pb.ID || pa.RecordCount() != pb.RecordCount() {
			t.Fatalf("portal %d: %d/%d records vs %d/%d", i, pa.ID, pa.RecordCount(), pb.ID, pb.RecordCount())
		}
		for ti, ta := range pa.Types {
			tb := pb.Types[ti]
			for ri, ra := range ta.Records {
				rb := tb.Records[ri]
				if ra.ID != rb.ID || ra.Live.UpdatedAt != rb.Live.UpdatedAt || len(ra.Live.Props) != len(rb.Live.Props) {
					t.Fatalf("%s record %d differs: %d vs %d", ta.Name, ri, ra.ID, rb.ID)
				}
				for k, pv := range ra.Live.Props {
					if rb.Live.Props[k] != pv {
						t.Fatalf("%s %d: property %d differs", ta.Name, ra.ID, k)
					}
				}
			}
		}
	}
	other := genWorld(t, func(c *Config) { c.Seed = 8 })
	if other.Portals[0].Types[0].Records[5].Live.Props[0] == a.Portals[0].Types[0].Records[5].Live.Props[0] &&
		other.Portals[0].Types[0].Records[5].ID == a.Portals[0].Types[0].Records[5].ID {
		t.Fatalf("seed 8 made the same data as seed 7")
	}
}

// TestGenerateX2IDLengths: ids ascend and come in several lengths, many
// beyond 32 bits, so a client comparing them as strings goes wrong.
func TestGenerateX2IDLengths(t *testing.T) {
	w := genWorld(t, func(c *Config) { c.Size = "small"; c.Portals = 1 })
	for _, typ := range w.Portals[0].Types {
		lengths := map[int]bool{}
		beyond32 := 0
		for i, r := range typ.Records {
			if i > 0 && r.ID <= typ.Records[i-1].ID {
				t.Fatalf("%s: ids not ascending at %d", typ.Name, i)
			}
			if i > 0 && r.Live.CreatedAt < typ.Records[i-1].Live.CreatedAt {
				t.Fatalf("%s: creation order differs from id order at %d", typ.Name, i)
			}
			if r.Live.UpdatedAt < r.Live.CreatedAt || r.Live.UpdatedAt >= testStart.UnixMilli() {
				t.Fatalf("%s %d: updated %d outside [created, start)", typ.Name, r.ID, r.Live.UpdatedAt)
			}
			lengths[len(strconv.FormatInt(r.ID, 10))] = true
			if r.ID > 1<<32 {
				beyond32++
			}
		}
		if len(typ.Records) >= 40 && (len(lengths) < 3 || beyond32 == 0) {
			t.Errorf("%s: id lengths %v, %d beyond 32 bits; want at least 3 lengths and some beyond", typ.Name, lengths, beyond32)
		}
	}
}

func TestGenerateCoherentPortal(t *testing.T) {
	w := genWorld(t, nil)
	p := w.Portals[0]
	if len(w.Users) < 2 || len(w.Users[0].PortalIDs) != len(w.Portals) {
		t.Fatalf("first user should reach every portal")
	}
	deals := p.Type("deals")
	stage := deals.Prop("dealstage")
	withHistory := 0
	for _, r := range deals.Records {
		v, _ := r.Live.Value(deals.Prop("pipeline"))
		pl := p.pipeline("deals", v)
		st, _ := r.Live.Value(stage)
		if pl == nil || pl.Stage(st) == nil {
			t.Fatalf("deal %d in unknown pipeline/stage %q/%q", r.ID, v, st)
		}
		n := 0
		last := ""
		for _, h := range r.Hist {
			if int(h.K) == stage {
				n++
				last = h.V
			}
		}
		if n > 1 {
			withHistory++
		}
		if n > 0 && last != st {
			t.Fatalf("deal %d: last stage history %q is not its stage %q", r.ID, last, st)
		}
	}
	if withHistory == 0 {
		t.Fatal("no deal moved through stages")
	}
	// Every association exists in both directions and points at records.
	for key, pair := range p.Assoc.pairs {
		for from, edges := range pair.edges {
			if key[0].Get(from) == nil {
				t.Fatalf("%s→%s: unknown from id %d", key[0].Name, key[1].Name, from)
			}
			for _, e := range edges {
				if key[1].Get(e.To) == nil {
					t.Fatalf("%s→%s: unknown to id %d", key[0].Name, key[1].Name, e.To)
				}
				back := p.Assoc.targets(key[1], key[0], e.To)
				found := false
				for _, b := range back {
					found = found || b.To == from
				}
				if !found {
					t.Fatalf("%s %d→%s %d has no reverse", key[0].Name, from, key[1].Name, e.To)
				}
			}
		}
	}
	if n := len(p.Type("contacts").Props); n < 900 {
		t.Fatalf("contacts have %d properties, want over 900 (X11)", n)
	}
	archivedOwners := 0
	for _, o := range p.Owners {
		if o.Archived {
			archivedOwners++
		}
	}
	if len(p.Owners) < 3 {
		t.Fatalf("only %d owners", len(p.Owners))
	}
}
