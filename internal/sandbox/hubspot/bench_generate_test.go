package hubspot

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchmarkGenerateLarge generates one large portal (over a million
// records) and reports the records generated, the seconds it took and the
// peak heap. Run it once:
//
//	go test -run '^$' -bench GenerateLarge -benchtime 1x ./internal/sandbox/hubspot
//
// Peak heap is sampled every 2 ms from runtime/metrics, so it may miss a
// peak shorter than that.
func BenchmarkGenerateLarge(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Size, cfg.Portals = "large", 1
	var records int
	var secs float64
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		t0 := time.Now()
		w, err := Generate(cfg, testStart)
		secs = time.Since(t0).Seconds()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		records = w.Portals[0].RecordCount()
		runtime.KeepAlive(w)
	}
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(secs, "gen-seconds")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// sampleHeap records the highest heap-objects reading into peak until the
// returned stop function is called.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > *peak {
			*peak = v
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		read()
	}
}
