package store

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// benchPayload is an invoice-like record of about 1.5 KB, the size the
// brief's throughput target is set for.
func benchPayload(id string, version int) json.RawMessage {
	lines := ""
	for i := range 4 {
		lines += fmt.Sprintf(`{"LineItemID":"%s-l%d","Description":"Consulting services, phase %d, as agreed","Quantity":%d.0,"UnitAmount":125.50,"AccountCode":"200","TaxType":"OUTPUT2","TaxAmount":18.83,"LineAmount":125.50,"Tracking":[{"Name":"Region","Option":"North"}]},`, id, i, i, i+1)
	}
	lines = lines[:len(lines)-1]
	return json.RawMessage(fmt.Sprintf(`{"Type":"ACCREC","InvoiceID":%q,"InvoiceNumber":"INV-%s","Reference":"Ref %d","Contact":{"ContactID":"c-%s","Name":"Acme Wholesale Ltd"},"Date":"\/Date(1714521600000+0000)\/","DueDate":"\/Date(1717200000000+0000)\/","Status":"AUTHORISED","LineAmountTypes":"Exclusive","LineItems":[%s],"SubTotal":502.00,"TotalTax":75.30,"Total":577.30,"AmountDue":577.30,"AmountPaid":0.00,"CurrencyCode":"GBP","UpdatedDateUTC":"\/Date(1714557600000+0000)\/","HasAttachments":false}`,
		id, id, version, id, lines))
}

func benchPage(page, size, version int) []provider.Record {
	recs := make([]provider.Record, size)
	mod := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range recs {
		id := fmt.Sprintf("%08d-0000-0000-0000-%012d", page, i)
		recs[i] = provider.Record{ID: id, ModifiedAt: mod.Add(time.Duration(i) * time.Second), Status: provider.StatusActive,
			Payload: benchPayload(id, version)}
	}
	return recs
}

// BenchmarkCommitPage measures CommitPage with pages of 1,000 records of
// about 1.5 KB: "insert" writes new records (a first full pull), "unchanged"
// re-reads the same records (a sweep that finds nothing new), "update"
// rewrites each with a changed payload. Reported as records/s.
func BenchmarkCommitPage(b *testing.B) {
	const pageSize = 1000
	dialects := []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", sqliteDSNForTest}, {"postgres", postgresDSNForTest}}
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			for _, kind := range []string{"insert", "unchanged", "update"} {
				b.Run(kind, func(b *testing.B) {
					s := openTest(b, d.dsn(b))
					f := newFixture(b, s, "bench")
					ctx := context.Background()
					commit := func(page []provider.Record, n int) {
						_, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID,
							Records: page, Cursor: provider.Cursor(fmt.Sprintf(`{"v":1,"page":%d}`, n))})
						if err != nil {
							b.Fatal(err)
						}
					}
					// A table that already holds data, as after earlier pulls.
					const seeded = 20
					for p := range seeded {
						commit(benchPage(p, pageSize, 0), p)
					}
					page := func(i int) []provider.Record {
						switch kind {
						case "insert":
							return benchPage(seeded+i, pageSize, 0)
						case "unchanged":
							return benchPage(i%seeded, pageSize, 0)
						default:
							return benchPage(i%seeded, pageSize, i+1)
						}
					}
					b.ResetTimer()
					for i := range b.N {
						// Building a page is the connector's cost, not the
						// store's: the clock stops for it.
						b.StopTimer()
						p := page(i)
						b.StartTimer()
						commit(p, i)
					}
					b.ReportMetric(float64(b.N*pageSize)/b.Elapsed().Seconds(), "records/s")
				})
			}
		})
	}
}
