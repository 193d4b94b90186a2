//go:build unix

package app

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
	"github.com/datapull/datapull/internal/store"

	hsandbox "github.com/datapull/datapull/internal/sandbox/hubspot"
)

// HubSpot's benchmarks of the same form as Xero's (bench_test.go):
//
//	go test ./internal/app -run '^$' -bench 'HubSpotPull(Paced|LargeMemory)' -benchtime 1x
//
// BenchmarkHubSpotPullLargeMemory starts a sandbox child holding over a
// million records and takes minutes.

// HubSpot's default limits for the sandbox's default app (public, on a
// Professional portal; hubspot-api.md §5): calls per rolling ten seconds
// for most endpoints, the v4 associations endpoints' own ten-second
// window, and search's own per-second one.
const (
	hsBurst, hsAssocBurst, hsSearchPerSecond = 110, 150, 5
)

// BenchmarkHubSpotPullPaced: wall time of a full pull of a small portal
// with the sandbox's real limits, time-scaled (DATAPULL_BENCH_SCALE
// provider seconds per wall second, 10 by default), against the bound
// those limits allow: the same pull's time with limits off (the
// unavoidable request time) plus the time the windows force on the calls
// served. The sandbox keeps three separate windows (general 110 and
// associations 150 per ten seconds, search 5 a second), so the tightest
// bound is the longest of the three waits ("ratio"); the connector's
// pacer counts association calls in its single 110 budget, whose own
// bound is reported beside it ("ratio-pooled").
func BenchmarkHubSpotPullPaced(b *testing.B) {
	scale := benchFloat(b, "DATAPULL_BENCH_SCALE", 10)
	size := benchString("DATAPULL_BENCH_PACED_SIZE", "small")
	scaled := func(c *Config) { c.TimeScale = scale }
	var wall, bound, pooled time.Duration
	var calls, refused int64
	for range b.N {
		b.StopTimer()
		free := newHSEnv(b, hsOptions{size: size, config: func(c *hsandbox.Config) { c.TimeScale = scale }, app: scaled})
		start := time.Now()
		if p := free.pull(store.PullFull); p.Status != store.PullCompleted {
			b.Fatalf("pull without limits: %s %s", p.Status, p.Error)
		}
		requests := time.Since(start)

		paced := newHSEnv(b, hsOptions{size: size, config: func(c *hsandbox.Config) { c.TimeScale, c.LimitsOff = scale, false },
			app: scaled})
		tenant := strconv.FormatInt(paced.portal, 10)
		before := meterUsage(b, paced.url, tenant)
		b.StartTimer()
		start = time.Now()
		p := paced.pull(store.PullFull)
		took := time.Since(start)
		b.StopTimer()
		if p.Status != store.PullCompleted {
			b.Fatalf("paced pull: %s %s", p.Status, p.Error)
		}
		served, denied := usageDiff(meterUsage(b, paced.url, tenant), before)
		general, assoc, search := splitLimitKinds(served)
		wait := func(n, per int64, window time.Duration) time.Duration {
			return time.Duration(float64(max(n-per, 0)) / float64(per) * float64(window) / scale)
		}
		wGeneral, wAssoc, wSearch := wait(general, hsBurst, 10*time.Second), wait(assoc, hsAssocBurst, 10*time.Second),
			wait(search, hsSearchPerSecond, time.Second)
		limit := max(wGeneral, wAssoc, wSearch)
		limitPooled := wait(general+assoc, hsBurst, 10*time.Second) + wSearch
		n := general + assoc + search
		wall, bound, pooled = wall+took, bound+requests+limit, pooled+requests+limitPooled
		calls, refused = calls+n, refused+denied
		b.Logf("scale %.0f, %s portal: %d calls served (%d general, %d associations, %d search), %d refused with 429; paced %s; "+
			"bound %s = requests %s + limits %s (general %s, associations %s, search %s); ratio %.3f; pooled bound %s, ratio %.3f",
			scale, size, n, general, assoc, search, denied, took.Round(time.Millisecond), (requests + limit).Round(time.Millisecond),
			requests.Round(time.Millisecond), limit.Round(time.Millisecond), wGeneral.Round(time.Millisecond),
			wAssoc.Round(time.Millisecond), wSearch.Round(time.Millisecond), took.Seconds()/(requests+limit).Seconds(),
			(requests + limitPooled).Round(time.Millisecond), took.Seconds()/(requests+limitPooled).Seconds())
		if diffs := paced.compareTruth(); len(diffs) > 0 {
			b.Errorf("paced pull differs from the truth: %v", diffs[:min(len(diffs), 5)])
		}
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(refused)/float64(b.N), "429s/op")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
	b.ReportMetric(bound.Seconds()/float64(b.N), "bound-s/op")
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "ratio")
	b.ReportMetric(wall.Seconds()/pooled.Seconds(), "ratio-pooled")
}

// usageDiff is the calls served (not refused with 429) per endpoint
// between two meter readings, and the calls refused.
func usageDiff(after, before map[string]sandbox.Usage) (served map[string]int64, refused int64) {
	served = map[string]int64{}
	for ep, u := range after {
		was := before[ep]
		denied := u.Statuses[http.StatusTooManyRequests] - was.Statuses[http.StatusTooManyRequests]
		if n := u.Calls - was.Calls - denied; n != 0 {
			served[ep] = n
		}
		refused += denied
	}
	return served, refused
}

// splitLimitKinds sums calls by the sandbox window they count in: the
// associations endpoints', search's, or the general one.
func splitLimitKinds(calls map[string]int64) (general, assoc, search int64) {
	for ep, n := range calls {
		switch {
		case strings.HasPrefix(ep, "associations/"):
			assoc += n
		case strings.HasSuffix(ep, "/search"):
			search += n
		default:
			general += n
		}
	}
	return general, assoc, search
}

// BenchmarkHubSpotPullLargeMemory: the puller's peak resident memory
// while it pulls a large portal (over a million records) into SQLite.
// The sandbox holding it runs in a child process (TestHelperSandboxProcess
// with DATAPULL_TEST_SOURCE=hubspot) so its memory is not counted; the
// puller signs in through the consent form like any user. Peak RSS is the
// kernel's high-water mark (VmHWM), reset just before the pull; Linux only.
func BenchmarkHubSpotPullLargeMemory(b *testing.B) {
	size := benchString("DATAPULL_BENCH_LARGE_SIZE", "large")
	for range b.N {
		b.StopTimer()
		sb := startSandboxProcessOf(b, "hubspot", size, 7)
		portal, err := strconv.ParseInt(sb.Tenant, 10, 64)
		if err != nil {
			b.Fatalf("sandbox child's portal %q: %v", sb.Tenant, err)
		}
		pullPeakRSS(b, "hubspot", "portal", size, sb, approveHubSpot(portal))
	}
}
