//go:build unix

package app

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"

	hsandbox "github.com/datapull/datapull/internal/sandbox/hubspot"
)

// Benchmarks of the HubSpot connector through the whole app (pacer,
// engine, SQLite), against the sandbox with its limits off. The portal
// size comes from DATAPULL_BENCH_SIZE (demo, small, medium, large; small
// by default).
//
//	go test -run '^$' -bench HubSpot -benchtime 1x ./internal/app/

// benchProps is the sandbox's custom contact properties: its default
// (900 long names, X11) unless DATAPULL_BENCH_PROPS says otherwise.
func benchProps(c *hsandbox.Config) {
	if v := os.Getenv("DATAPULL_BENCH_PROPS"); v != "" {
		fmt.Sscan(v, &c.CustomProperties)
	}
}

func benchSize() string {
	if s := os.Getenv("DATAPULL_BENCH_SIZE"); s != "" {
		return s
	}
	return "small"
}

// BenchmarkHubSpotFullPull is a first pull into SQLite: records per
// second, calls, and the calls the page sizes make the minimum.
func BenchmarkHubSpotFullPull(b *testing.B) {
	size := benchSize()
	var records, calls, minimum int64
	var elapsed, cpu time.Duration
	for range b.N {
		b.StopTimer()
		e := newHSEnv(b, hsOptions{size: size, config: benchProps})
		b.StartTimer()
		t0, cpu0 := time.Now(), processCPU(b)
		p := e.pull(store.PullFull)
		elapsed += time.Since(t0)
		cpu += processCPU(b) - cpu0
		b.StopTimer()
		records += p.Records
		calls += p.Calls
		want := e.minimumCalls()
		var table []string
		var sum int64
		for name, r := range e.results(p) {
			sum += want[name]
			mark := ""
			if r.Calls != want[name] {
				mark = fmt.Sprintf("  (minimum %d)", want[name])
			}
			table = append(table, fmt.Sprintf("%-30s %8d records %5d calls%s", name, r.Fetched, r.Calls, mark))
		}
		sort.Strings(table)
		minimum += sum
		b.Logf("%s portal: %d records, %d calls (minimum %d), %v\n%s", size, p.Records, p.Calls, sum, elapsed, strings.Join(table, "\n"))
		e.requireTruth("after the benchmark's full pull")
		b.StartTimer()
	}
	b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(minimum)/float64(b.N), "mincalls/op")
	// As for Xero: the sandbox serves from this process, so CPU time well
	// under twice the wall time means the two cores were not both busy.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// minimumCalls is, per endpoint, the fewest calls a full read can make
// with the page sizes the connector uses (lists of 100, or 50 with a
// property's history, batch reads of 100, association batches of 1,000), from the sandbox's own counts.
func (e *hsEnv) minimumCalls() map[string]int64 {
	pages := func(n, size int) int64 { return int64(max(1, int(math.Ceil(float64(n)/float64(size))))) }
	out := map[string]int64{"account": 1, "pipelines_deals": 1, "pipelines_tickets": 1, "schemas": 1}
	var act, arch int
	for _, o := range e.truth("owners") {
		if a, _ := o["archived"].(bool); a {
			arch++
		} else {
			act++
		}
	}
	out["owners"] = pages(act, 100) + pages(arch, 100)
	var custom []string
	for _, s := range e.truth("schemas") {
		custom = append(custom, s["name"].(string))
	}
	types := []string{"contacts", "companies", "deals", "tickets", "products", "line_items", "calls", "emails", "meetings", "notes", "tasks"}
	out["properties"] = int64(len(types) + len(custom))
	counts := func(typ string) (live, archived int) {
		for _, d := range e.truth(typ) {
			if a, _ := d["archived"].(bool); a {
				archived++
			} else {
				live++
			}
		}
		return
	}
	objects := func(typ string) int64 {
		live, archived := counts(typ)
		var names []string
		for _, p := range e.truth("properties/" + typ) {
			names = append(names, p["name"].(string))
		}
		n := 1 + pages(live, 100) + pages(archived, 100) // the count, then the lists
		if len(url.QueryEscape(strings.Join(names, ","))) > 6000 {
			n += int64(math.Ceil(float64(live)/100) + math.Ceil(float64(archived)/100)) // batch reads
		}
		return n
	}
	assoc := func(typ string) int64 {
		live, archived := counts(typ)
		n := pages(live, 100) + pages(archived, 100)
		for _, name := range e.srv.TruthEndpoints(e.portal) {
			if strings.HasPrefix(name, "associations/"+typ+"/") && live+archived > 0 {
				n += int64(math.Ceil(float64(live+archived) / 1000))
			}
		}
		return n
	}
	for _, typ := range types {
		out[typ] = objects(typ)
		out["associations_"+typ] = assoc(typ)
	}
	live, archived := counts("deals")
	out["deal_stage_history"] = 1 + pages(live, 50) + pages(archived, 50) // the count, then lists with history
	for _, typ := range custom {
		out["custom_objects"] += objects(typ)
		out["associations_custom_objects"] += assoc(typ)
	}
	return out
}

// BenchmarkHubSpotIncremental changes 1% of every standard object's
// records (at least one), then runs a standard sync, and reports the
// calls each endpoint made beyond ceil(changes/200), the search pages the
// changes need: the bound is a constant per endpoint.
func BenchmarkHubSpotIncremental(b *testing.B) {
	size := benchSize()
	props := map[string]string{"contacts": "hs_lead_status", "companies": "city", "deals": "dealname", "tickets": "subject",
		"products": "name", "line_items": "name", "calls": "hs_call_title", "emails": "hs_email_subject",
		"meetings": "hs_meeting_title", "notes": "hs_note_body", "tasks": "hs_task_subject"}
	var worst int64
	var calls int64
	for range b.N {
		b.StopTimer()
		e := newHSEnv(b, hsOptions{size: size, config: benchProps})
		e.pull(store.PullStandard)
		e.advance(2 * time.Hour)
		e.pull(store.PullStandard) // the lookback's overlap with the first pull is read once here
		e.advance(10 * time.Minute)
		changes := map[string]int{}
		for typ, prop := range props {
			live := len(e.ids(typ, false))
			n := max(1, live/100)
			ch := e.apply(hsandbox.ChangeRequest{Op: hsandbox.OpBulkUpdate, Type: typ, Count: n, Properties: map[string]string{prop: "bench"}})
			changes[typ] = ch[0].Count
		}
		e.advance(time.Minute)
		b.StartTimer()
		p := e.pull(store.PullStandard)
		b.StopTimer()
		calls += p.Calls
		// Every endpoint, each held to the changes it reads: an object
		// type's own, the deals' for their stage history and the from-type's
		// for its associations; none for metadata and custom objects.
		var table []string
		for name, r := range e.results(p) {
			typ := strings.TrimPrefix(name, "associations_")
			if name == "deal_stage_history" {
				typ = "deals"
			}
			n := changes[typ]
			extra := r.Calls - int64(math.Ceil(float64(n)/200))
			worst = max(worst, extra)
			table = append(table, fmt.Sprintf("%-26s %-11s %6d changes %4d calls (ceil/200 + %d)", name, r.Mode, n, r.Calls, extra))
		}
		sort.Strings(table)
		b.Logf("%s portal, 1%% changed, standard sync: %d calls in all\n%s", size, p.Calls, strings.Join(table, "\n"))
		if r := e.results(p)["contacts"]; r.Mode != provider.Incremental {
			b.Fatalf("contacts read %s", r.Mode)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(worst), "maxextra/endpoint")
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
}
