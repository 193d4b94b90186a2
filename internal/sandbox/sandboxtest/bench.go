package sandboxtest

import (
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchGenerate runs gen once per b.Loop, after a garbage collection, and
// reports the records the last run made (count, taken once the clock and
// the heap sampler have stopped), the seconds it took and the highest heap
// seen while it ran.
//
// Peak heap is sampled every 2 ms from runtime/metrics
// "/memory/classes/heap/objects:bytes" (live and not-yet-swept heap
// objects; no stop-the-world, unlike ReadMemStats), so it is the highest
// sample, which may miss a peak shorter than the interval.
func BenchGenerate[W any](b *testing.B, gen func() (W, error), count func(W) int) {
	b.Helper()
	var records int
	var secs float64
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := SampleHeap(&peak)
		t0 := time.Now()
		w, err := gen()
		secs = time.Since(t0).Seconds()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		records = count(w)
		runtime.KeepAlive(w)
	}
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(secs, "gen-seconds")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// SampleHeap records the highest heap-objects reading into peak until the
// returned stop function is called.
func SampleHeap(peak *uint64) (stop func()) {
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

// Drain sends req and reads the body to the end, as a serving benchmark's
// client does so that nearly all the CPU is the server's, and returns the
// bytes read. The benchmark fails unless the answer is a 200.
func Drain(b testing.TB, client *http.Client, req *http.Request) int64 {
	b.Helper()
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: status %d, err %v", req.Method, req.URL, resp.StatusCode, err)
	}
	return n
}

// ReportThroughput reports records and bytes served per second of the
// benchmark's time.
func ReportThroughput(b *testing.B, records int, bytes int64) {
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(records)/secs, "records/s")
	b.ReportMetric(float64(bytes)/secs/1e6, "MB/s")
}
