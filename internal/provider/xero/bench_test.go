package xero

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// BenchmarkFullPull pulls every endpoint of one sandbox organisation (size
// from DATAPULL_BENCH_SIZE: demo, small, medium or large; small by default)
// with rate limits off, into a sink that only counts, and reports records
// per second and calls: the connector's own cost, HTTP and the sandbox's
// serving included, storage excluded.
//
//	go test -run '^$' -bench FullPull -benchtime 1x ./internal/provider/xero/
func BenchmarkFullPull(b *testing.B) {
	size := os.Getenv("DATAPULL_BENCH_SIZE")
	if size == "" {
		size = "small"
	}
	e := newEnv(b, envOptions{config: func(c *xsandbox.Config) { c.Size = size; c.Orgs = 1 }})
	b.ResetTimer()
	var records, calls int
	var elapsed time.Duration
	var table []string
	for i := range b.N {
		e.gate.reset()
		t0 := time.Now()
		for _, info := range e.src.Catalog() {
			n, before := 0, len(e.gate.calls())
			err := e.eps[info.Name].Pull(context.Background(), provider.PullRequest{Mode: provider.Full, Start: e.srv.Clock().Now()},
				func(_ context.Context, p provider.Page) error { n += len(p.Records); return nil })
			if err != nil {
				b.Fatalf("%s: %v", info.Name, err)
			}
			records += n
			if i == 0 {
				table = append(table, fmt.Sprintf("%-24s %8d records %5d calls", info.Name, n, len(e.gate.calls())-before))
			}
		}
		elapsed += time.Since(t0)
		calls += len(e.gate.calls())
	}
	b.Logf("%s organisation, first run:\n%s", size, strings.Join(table, "\n"))
	b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(records)/float64(b.N), "records/op")
}
