//go:build unix

package app

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/sandbox/xero/apitruth"
	"github.com/datapull/datapull/internal/store"

	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// The call budget of issue 3, as a test: a full pull of a medium
// organisation makes Σ ceil(records/page size) + 1 calls per paged
// endpoint at most, and exactly the calls its reads need (one page per
// page of records, the catch-up call of a multi-page newest-first
// listing, one call for an unpaged endpoint); an incremental sync after
// 1% changes makes at most ceil(changes/page size) + 1 per endpoint. The
// calls are the sandbox's own meter, read between endpoints.

// callKind is how an endpoint's reads turn into calls.
type callKind int

const (
	oneCall     callKind = iota // unpaged, or a small reference endpoint read whole
	pagedDesc                   // page=N newest first; a multi-page listing adds one catch-up call
	imsAdvance                  // ManualJournals: If-Modified-Since moves forward, a call a page
	offsetCalls                 // Journals: offset, 100 a call, until a short call
	reportCalls                 // the Organisation (financial year), then a call per month
	attachCalls                 // parents listed per entity, then a call per parent with attachments
)

// callSpec is what the test knows of an endpoint's reads: the
// Accounting API path it lists, its kind, and rows per page.
type callSpec struct {
	path string
	kind callKind
	rows int
	// where says the attachments endpoint lists this parent with
	// where=HasAttachments==true (PurchaseOrders and Quotes take no where).
	where bool
}

func callSpecs() map[string]callSpec {
	return map[string]callSpec{
		"organisation":           {path: "Organisation", kind: oneCall},
		"accounts":               {path: "Accounts", kind: oneCall, where: true},
		"contacts":               {path: "Contacts", kind: pagedDesc, rows: 1000, where: true},
		"contact_groups":         {path: "ContactGroups", kind: oneCall},
		"invoices":               {path: "Invoices", kind: pagedDesc, rows: 1000, where: true},
		"credit_notes":           {path: "CreditNotes", kind: pagedDesc, rows: 1000, where: true},
		"payments":               {path: "Payments", kind: pagedDesc, rows: 1000},
		"overpayments":           {path: "Overpayments", kind: pagedDesc, rows: 1000},
		"prepayments":            {path: "Prepayments", kind: pagedDesc, rows: 1000},
		"bank_transactions":      {path: "BankTransactions", kind: pagedDesc, rows: 1000, where: true},
		"bank_transfers":         {path: "BankTransfers", kind: oneCall, where: true},
		"manual_journals":        {path: "ManualJournals", kind: imsAdvance, rows: 1000, where: true},
		"journals":               {path: "Journals", kind: offsetCalls, rows: 100},
		"items":                  {path: "Items", kind: oneCall},
		"tax_rates":              {path: "TaxRates", kind: oneCall},
		"tracking_categories":    {path: "TrackingCategories", kind: oneCall},
		"currencies":             {path: "Currencies", kind: oneCall},
		"users":                  {path: "Users", kind: oneCall},
		"purchase_orders":        {path: "PurchaseOrders", kind: pagedDesc, rows: 1000},
		"quotes":                 {path: "Quotes", kind: pagedDesc, rows: 100}, // no pageSize: 100 a page
		"batch_payments":         {path: "BatchPayments", kind: oneCall},
		"report_trial_balance":   {path: "Reports/TrialBalance", kind: reportCalls},
		"report_profit_and_loss": {path: "Reports/ProfitAndLoss", kind: reportCalls},
		"report_balance_sheet":   {path: "Reports/BalanceSheet", kind: reportCalls},
		"attachments":            {kind: attachCalls},
	}
}

// attachmentParents are the endpoints whose records can have
// attachments, in the order the connector lists them.
var attachmentParents = []string{"invoices", "credit_notes", "bank_transactions", "contacts", "manual_journals",
	"purchase_orders", "quotes", "accounts", "bank_transfers"}

func ceilDiv(n, d int) int { return (n + d - 1) / d }

// minCalls is the fewest calls that read n records in one listing of
// this kind: one call per page (an empty listing is still one call),
// plus pagedDesc's catch-up call when it took more than one page, and
// Journals' closing call when the last one was full.
func (s callSpec) minCalls(n int) int {
	switch s.kind {
	case pagedDesc:
		if p := max(1, ceilDiv(n, s.rows)); p > 1 {
			return p + 1
		}
		return 1
	case imsAdvance:
		return max(1, ceilDiv(n, s.rows))
	case offsetCalls:
		return n/s.rows + 1
	}
	return 1
}

// budget is issue 3's ceiling: ceil(n/page size) + 1 for a paged read,
// 1 for an unpaged one.
func (s callSpec) budget(n int) int {
	if s.kind == oneCall {
		return 1
	}
	return ceilDiv(n, s.rows) + 1
}

// endpointMeter records the sandbox meter's calls per path for each
// endpoint of a pull: the engine reads one endpoint at a time and tells
// of its start and its end, and no call is in flight between the two.
type endpointMeter struct {
	tb     testing.TB
	url    string
	tenant string

	mu     sync.Mutex
	before map[string]int64
	calls  map[string]map[string]int64 // endpoint → path → calls
}

func newEndpointMeter(tb testing.TB, url, tenant string) *endpointMeter {
	return &endpointMeter{tb: tb, url: url, tenant: tenant, calls: map[string]map[string]int64{}}
}

func (m *endpointMeter) onEvent(ev pull.Event) {
	switch ev.Kind {
	case pull.EndpointStarted:
		m.mu.Lock()
		m.before = meterCalls(m.tb, m.url, m.tenant)
		m.mu.Unlock()
	case pull.EndpointDone:
		m.mu.Lock()
		m.calls[ev.Endpoint] = meterDiff(meterCalls(m.tb, m.url, m.tenant), m.before)
		m.mu.Unlock()
	}
}

// reportMonths is the number of months of the organisation's financial
// year up to now's month, which is how many months each report reads.
func reportMonths(fyEndMonth int, now time.Time) int {
	first := fyEndMonth%12 + 1
	return (int(now.Month())-first+12)%12 + 1
}

// hasAttachments reads HasAttachments from a truth record's payload.
func hasAttachments(r apitruth.Record) bool {
	var m struct{ HasAttachments bool }
	json.Unmarshal([]byte(r.Payload), &m)
	return m.HasAttachments
}

// TestCallBudget holds a full pull of a medium organisation, endpoint by
// endpoint, to the fewest calls its reads need and to issue 3's budget,
// then an incremental sync after 1% changes to at most ceil(changes/page
// size) + 1 calls per endpoint.
func TestCallBudget(t *testing.T) {
	size := "medium"
	if testing.Short() {
		size = "small"
	}
	e := newEnv(t, envOptions{size: size})
	ctx := context.Background()
	conn := e.conns[0]
	org := e.srv.World().Org(conn.AccountID)
	specs := callSpecs()

	m := newEndpointMeter(t, e.url, conn.AccountID)
	full, err := e.app.Pull(ctx, conn.ID, store.PullFull, m.onEvent)
	if err != nil || full.Status != store.PullCompleted {
		t.Fatalf("full pull: %v %s %s", err, full.Status, full.Error)
	}
	months := reportMonths(org.Organisation.FinancialYearEndMonth, e.srv.Clock().Now())
	var table strings.Builder
	fmt.Fprintf(&table, "%-24s %8s %6s %8s %8s\n", "endpoint", "records", "calls", "minimum", "budget")
	var totCalls, totMin, totBudget int
	for _, info := range e.app.mustSource(conn).Catalog() {
		name := info.Name
		spec, ok := specs[name]
		if !ok {
			t.Errorf("%s: an endpoint this test does not know; add it to callSpecs", name)
			continue
		}
		got := m.calls[name]
		calls := int(sum(got))
		var n, want, budget int
		switch spec.kind {
		case reportCalls:
			n, want = months, months+1
			budget = want
			if got["Organisation"] != 1 || int(got[spec.path]) != months {
				t.Errorf("%s: calls %v, want Organisation 1 and %s %d (one a month)", name, got, spec.path, months)
			}
		case attachCalls:
			n, want, budget = attachmentsFull(t, org, specs, got)
		default:
			n = len(apitruth.Records(org, name))
			want, budget = spec.minCalls(n), spec.budget(n)
			if int(got[spec.path]) != calls {
				t.Errorf("%s: calls %v, want only %s", name, got, spec.path)
			}
		}
		if calls != want {
			t.Errorf("%s: %d records in %d calls, want %d (budget %d)", name, n, calls, want, budget)
		}
		if calls > budget {
			t.Errorf("%s: %d calls over the budget of %d", name, calls, budget)
		}
		totCalls, totMin, totBudget = totCalls+calls, totMin+want, totBudget+budget
		fmt.Fprintf(&table, "%-24s %8d %6d %8d %8d\n", name, n, calls, want, budget)
	}
	fmt.Fprintf(&table, "%-24s %8d %6d %8d %8d\n", "total", full.Records, totCalls, totMin, totBudget)
	if all := sum(meterCalls(t, e.url, conn.AccountID)); int(all) != totCalls {
		t.Errorf("the meter counts %d calls in all, the endpoints %d: calls outside any endpoint", all, totCalls)
	}
	t.Logf("full pull of a %s organisation\n%s", size, table.String())

	t.Run("incremental after 1% changes", func(t *testing.T) {
		since := map[string]time.Time{}
		for _, p := range attachmentParents {
			since[p] = attachmentsCursor(org, specs[p], p, full.StartedAt)
		}
		// Less than the access token's 30 minutes: the client's token
		// clock is the wall clock, which does not move with the sandbox's,
		// so a longer advance would cost a 401 that no real sync pays.
		e.srv.Clock().Advance(10 * time.Minute)
		changes, err := e.srv.Simulate(conn.AccountID, int(full.Records/100), 3)
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Clock().Advance(time.Minute)
		changed := changedPerEndpoint(specs, changes)
		m := newEndpointMeter(t, e.url, conn.AccountID)
		inc, err := e.app.Pull(ctx, conn.ID, store.PullStandard, m.onEvent)
		if err != nil || inc.Status != store.PullCompleted {
			t.Fatalf("incremental pull: %v %s %s", err, inc.Status, inc.Error)
		}
		var table strings.Builder
		fmt.Fprintf(&table, "%-24s %8s %6s %6s\n", "endpoint", "changed", "calls", "bound")
		var totCalls, totBound, totChanges int
		for _, info := range e.app.mustSource(conn).Catalog() {
			name := info.Name
			spec := specs[name]
			calls := int(sum(m.calls[name]))
			n := len(changed[name])
			var bound int
			switch spec.kind {
			case reportCalls:
				// Reports have no incremental read: each sync reads the
				// months of the financial year again.
				bound = months + 1
			case attachCalls:
				// Each parent entity is listed from its own cursor (a page
				// per thousand parents it returns, as for the parent
				// itself), then one call per returned parent that has
				// attachments.
				for _, p := range attachmentParents {
					listed, with := attachmentsSince(org, specs[p], p, since[p])
					bound += specs[p].budget(listed) + with
					n += with
				}
			default:
				bound = spec.budget(n)
			}
			if calls > bound {
				t.Errorf("%s: %d calls for %d changes, more than %d", name, calls, n, bound)
			}
			totCalls, totBound, totChanges = totCalls+calls, totBound+bound, totChanges+n
			fmt.Fprintf(&table, "%-24s %8d %6d %6d\n", name, n, calls, bound)
		}
		fmt.Fprintf(&table, "%-24s %8d %6d %6d\n", "total", totChanges, totCalls, totBound)
		t.Logf("standard sync after %d simulated changes (%d records touched)\n%s", full.Records/100, len(changes), table.String())
	})
}

// attachmentsFull is the attachments endpoint's records, minimum calls
// and budget on a full pull, checked path by path: each parent entity
// listed (with where=HasAttachments==true where it takes it) and one
// call per parent with attachments.
func attachmentsFull(t *testing.T, org *xsandbox.Org, specs map[string]callSpec, got map[string]int64) (n, want, budget int) {
	t.Helper()
	n = len(apitruth.Records(org, "attachments"))
	for _, p := range attachmentParents {
		ps := specs[p]
		recs := apitruth.Records(org, p)
		with := 0
		for _, r := range recs {
			if hasAttachments(r) {
				with++
			}
		}
		listed := len(recs)
		if ps.where {
			listed = with
		}
		list := ps.minCalls(listed)
		if int(got[ps.path]) != list || int(got[ps.path+"/Attachments"]) != with {
			t.Errorf("attachments of %s: %d listing and %d attachment calls, want %d and %d (%d parents listed, %d with attachments)",
				p, got[ps.path], got[ps.path+"/Attachments"], list, with, listed, with)
		}
		want += list + with
		budget += ps.budget(listed) + with
	}
	return n, want, budget
}

// attachmentsCursor is where the attachments endpoint's next listing of
// parent p starts after a full pull began at start: the newest change
// among the parents it listed, at most start, to the second.
func attachmentsCursor(o *xsandbox.Org, spec callSpec, p string, start time.Time) time.Time {
	var newest time.Time
	for _, r := range apitruth.Records(o, p) {
		if (!spec.where || hasAttachments(r)) && r.ModifiedAt.After(newest) {
			newest = r.ModifiedAt
		}
	}
	if start.Before(newest) {
		newest = start
	}
	return newest.UTC().Truncate(time.Second)
}

// attachmentsSince is what an incremental listing of parent p from since
// returns (If-Modified-Since is inclusive, to the second), and how many
// of those parents have attachments.
func attachmentsSince(o *xsandbox.Org, spec callSpec, p string, since time.Time) (listed, with int) {
	for _, r := range apitruth.Records(o, p) {
		if r.ModifiedAt.Truncate(time.Second).Before(since) {
			continue
		}
		has := hasAttachments(r)
		if spec.where && !has {
			continue
		}
		listed++
		if has {
			with++
		}
	}
	return listed, with
}

// changedPerEndpoint is the distinct records each endpoint's incremental
// read must return: those the changes touched visibly (silent edits are
// invisible to If-Modified-Since by design).
func changedPerEndpoint(specs map[string]callSpec, changes []xsandbox.Change) map[string]map[string]bool {
	byPath := map[string]string{}
	for name, s := range specs {
		if s.path != "" && s.kind != reportCalls {
			byPath[strings.ToLower(s.path)] = name
		}
	}
	seen := map[string]map[string]bool{}
	for _, c := range changes {
		if c.Silent {
			continue
		}
		name, ok := byPath[strings.ToLower(c.Endpoint)]
		if !ok {
			continue
		}
		if seen[name] == nil {
			seen[name] = map[string]bool{}
		}
		seen[name][c.ID] = true
	}
	return seen
}

// Benchmarks of issue 3. Run them with
//
//	go test ./internal/app -run '^$' -bench Pull -benchtime 1x
//
// BenchmarkPullLargeMemory starts a 1 GB sandbox child and takes a few
// minutes; leave it out with -bench 'Pull(Paced|Throughput)'.

// BenchmarkPullPaced (b): wall time of a full pull of a small
// organisation with the sandbox's real limits (60 calls a provider
// minute, 5 at once), time-scaled, against the bound those limits allow:
// the same pull's time with limits off (the unavoidable request time)
// plus max(calls-60, 0)/60 provider minutes converted to wall time. The
// scale is DATAPULL_BENCH_SCALE provider seconds per wall second (60).
func BenchmarkPullPaced(b *testing.B) {
	scale := benchFloat(b, "DATAPULL_BENCH_SCALE", 60)
	size := benchString("DATAPULL_BENCH_PACED_SIZE", "small")
	var wall, bound time.Duration
	var calls int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		free := newEnv(b, envOptions{size: size, config: func(c *xsandbox.Config) { c.TimeScale = scale },
			app: func(c *Config) { c.TimeScale = scale }})
		start := time.Now()
		if p := free.pull(0, store.PullFull); p.Status != store.PullCompleted {
			b.Fatalf("pull without limits: %s %s", p.Status, p.Error)
		}
		requests := time.Since(start)

		paced := newEnv(b, envOptions{size: size, config: func(c *xsandbox.Config) { c.TimeScale, c.LimitsOff = scale, false },
			app: func(c *Config) { c.TimeScale = scale }})
		tenant := paced.conns[0].AccountID
		before := meterCalls(b, paced.url, tenant)
		b.StartTimer()
		start = time.Now()
		p := paced.pull(0, store.PullFull)
		took := time.Since(start)
		b.StopTimer()
		if p.Status != store.PullCompleted {
			b.Fatalf("paced pull: %s %s", p.Status, p.Error)
		}
		n := sum(meterDiff(meterCalls(b, paced.url, tenant), before))
		limit := time.Duration(float64(max(n-60, 0)) / 60 * float64(time.Minute) / scale)
		wall, bound, calls = wall+took, bound+requests+limit, calls+n
		b.Logf("scale %.0f: %d calls; paced %s; bound %s = requests %s + limits %s; ratio %.3f (%.3f of the limits alone)",
			scale, n, took.Round(time.Millisecond), (requests + limit).Round(time.Millisecond),
			requests.Round(time.Millisecond), limit.Round(time.Millisecond), took.Seconds()/(requests+limit).Seconds(),
			took.Seconds()/limit.Seconds())
		if diffs := paced.compareTruth(0); len(diffs) > 0 {
			b.Errorf("paced pull differs from the truth: %v", diffs[:min(len(diffs), 5)])
		}
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
	b.ReportMetric(bound.Seconds()/float64(b.N), "bound-s/op")
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "ratio")
}

// BenchmarkPullThroughput (c): records per second from a sandbox with
// limits off into SQLite, full pull of a medium organisation
// (DATAPULL_BENCH_SIZE overrides). Profile with -cpuprofile.
func BenchmarkPullThroughput(b *testing.B) {
	size := benchString("DATAPULL_BENCH_SIZE", "medium")
	var records int64
	var took, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, envOptions{size: size})
		b.StartTimer()
		w := &wallTimes{took: map[string]time.Duration{}}
		start, cpu0 := time.Now(), processCPU(b)
		p, err := e.app.Pull(context.Background(), e.conns[0].ID, store.PullFull, w.onEvent)
		took += time.Since(start)
		cpu += processCPU(b) - cpu0
		b.StopTimer()
		if err != nil || p.Status != store.PullCompleted {
			b.Fatalf("pull: %v %s %s", err, p.Status, p.Error)
		}
		records += p.Records
		b.Logf("%s organisation: %d records, %d calls, %.1f MB in %s; slowest endpoints: %s", size, p.Records, p.Calls,
			float64(p.Bytes)/1e6, time.Since(start).Round(time.Millisecond), w.slowest(e.results(p), 6))
	}
	b.ReportMetric(float64(records)/float64(b.N), "records/op")
	b.ReportMetric(float64(records)/took.Seconds(), "records/s")
	// The sandbox serves from this process too: CPU time well under twice
	// the wall time on this 2-core machine means other processes were
	// competing for the cores, and the records/s figure is low for it.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// wallTimes times each endpoint of a pull on the wall clock (the
// engine's own durations follow the sandbox clock, frozen here).
type wallTimes struct {
	began time.Time
	took  map[string]time.Duration
}

func (w *wallTimes) onEvent(ev pull.Event) {
	switch ev.Kind {
	case pull.EndpointStarted:
		w.began = time.Now()
	case pull.EndpointDone:
		w.took[ev.Endpoint] = time.Since(w.began)
	}
}

// slowest lists the n endpoints that took longest, with their records
// per second.
func (w *wallTimes) slowest(results map[string]store.EndpointResult, n int) string {
	names := make([]string, 0, len(w.took))
	for name := range w.took {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(w.took[b], w.took[a]) })
	var parts []string
	for _, name := range names[:min(n, len(names))] {
		r, d := results[name], w.took[name]
		parts = append(parts, fmt.Sprintf("%s %s (%d records, %d calls, %.0f/s)", name, d.Round(time.Millisecond),
			r.Fetched, r.Calls, float64(r.Fetched)/d.Seconds()))
	}
	return strings.Join(parts, "; ")
}

func benchString(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func benchFloat(b *testing.B, name string, def float64) float64 {
	v := benchString(name, "")
	if v == "" {
		return def
	}
	var f float64
	if _, err := fmt.Sscan(v, &f); err != nil || f <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return f
}

// BenchmarkPullLargeMemory (d): the puller's peak resident memory while
// it pulls the large organisation (over a million records) into SQLite.
// The sandbox holding that organisation needs about 1 GB, so it runs in
// a child process (TestHelperSandboxProcess); the puller signs in to it
// through the consent page like any user. Peak RSS is the kernel's
// high-water mark for this process (VmHWM), reset just before the pull
// (/proc/self/clear_refs), so what earlier benchmarks left behind is not
// counted; Linux only.
func BenchmarkPullLargeMemory(b *testing.B) {
	size := benchString("DATAPULL_BENCH_LARGE_SIZE", "large")
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sb := startSandboxProcess(b, size, 7)
		pullPeakRSS(b, "xero", "organisation", size, sb, ApproveSandboxConsent(sb.Tenant))
	}
}

// pullPeakRSS is the large-memory benchmarks' measurement: a fresh store
// and app connect to the sandbox child sb through opener, then pull it in
// full while the timer runs; it reports the records, their rate and the
// peak RSS of the pull alone (reset just before it), and holds a large
// sandbox (what: "organisation", "portal") to over a million records.
func pullPeakRSS(b *testing.B, source, what, size string, sb sandboxProcess, opener oauth.Opener) {
	b.Helper()
	now := func() time.Time { return testStart } // the child's clock is frozen there
	_, a, ws := newTestApp(b, "", now, true, nil)
	ctx := context.Background()
	conns, err := a.Connect(ctx, ConnectRequest{WorkspaceID: ws.ID, Source: source, Sandbox: sb.URL,
		Login: oauth.LoginOptions{Opener: opener, Timeout: time.Minute}})
	if err != nil {
		b.Fatalf("connect: %v", err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset the peak RSS (Linux only): %v", err)
	}
	baseline := procStatusMB(b, "VmRSS")
	b.StartTimer()
	start := time.Now()
	p, err := a.Pull(ctx, conns[0].ID, store.PullFull, nil)
	took := time.Since(start)
	b.StopTimer()
	if err != nil || p.Status != store.PullCompleted {
		b.Fatalf("pull: %v %s %s", err, p.Status, p.Error)
	}
	peak := procStatusMB(b, "VmHWM")
	b.ReportMetric(float64(p.Records), "records")
	b.ReportMetric(float64(p.Records)/took.Seconds(), "records/s")
	b.ReportMetric(peak, "peak-RSS-MB")
	b.Logf("%s %s: %d records, %d calls, %.0f MB downloaded in %s; RSS %.0f MB before the pull, peak %.0f MB",
		size, what, p.Records, p.Calls, float64(p.Bytes)/1e6, took.Round(time.Millisecond), baseline, peak)
	if size == "large" && p.Records < 1_000_000 {
		b.Errorf("%d records: the large %s should have over a million", p.Records, what)
	}
}

// procStatusMB reads a kB figure of /proc/self/status in MB.
func procStatusMB(tb testing.TB, field string) float64 {
	tb.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb float64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb); err != nil {
				tb.Fatalf("%s: %v", line, err)
			}
			return kb / 1024
		}
	}
	tb.Fatalf("no %s in /proc/self/status", field)
	return 0
}
