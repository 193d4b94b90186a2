package xero

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/datapull/datapull/internal/sandbox/sandboxtest"
)

// BenchmarkServeInvoicesPaged measures the sandbox serving full pages of
// 1,000 invoices with their line items over real loopback HTTP, the way a
// connector's full pull reads them. Run it on one core so the figure is
// the sandbox's own ceiling:
//
//	go test ./internal/sandbox/xero -run '^$' -bench ServeInvoicesPaged -cpu 1
//
// The client only drains the body, so nearly all the CPU is the server's.
// The target is at least 50,000 records per second, so the sandbox is
// never the bottleneck of an engine benchmark.
func BenchmarkServeInvoicesPaged(b *testing.B) {
	env := newTestEnv(b, func(c *Config) { c.Size = "medium"; c.Orgs = 1 })
	tok := env.signIn(b, allReadScopes, "*")
	org := env.srv.World().Orgs[0]
	pages := pageCount(org.Invoices.Len(), maxPageSize)
	if pages < 2 {
		b.Fatalf("medium org has only %d invoices", org.Invoices.Len())
	}
	req, err := http.NewRequest(http.MethodGet, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Xero-Tenant-Id", org.ID)

	records, bytes := 0, int64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page := i%(pages-1) + 1 // full pages only
		r := req.Clone(req.Context())
		r.URL, _ = r.URL.Parse(fmt.Sprintf("%s/api.xro/2.0/Invoices?page=%d&pageSize=%d", env.base, page, maxPageSize))
		bytes += sandboxtest.Drain(b, env.client, r)
		records += maxPageSize
	}
	b.StopTimer()
	sandboxtest.ReportThroughput(b, records, bytes)
}
