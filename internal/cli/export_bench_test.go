package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// BenchmarkExport measures writeRawRecords from SQLite, in records per
// second, for invoice-like payloads of about 1 KB each.
func BenchmarkExport(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ws, err := st.CreateWorkspace(ctx, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	conn, err := st.CreateConnection(ctx, store.Connection{WorkspaceID: ws.ID, Source: "xero", AccountID: "t-1", AccountName: "Bench Ltd"})
	if err != nil {
		b.Fatal(err)
	}
	pull, err := st.CreatePull(ctx, store.Pull{WorkspaceID: ws.ID, ConnectionID: conn.ID, Mode: store.PullFull})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var payloadBytes int64
	for page := 0; page < n/1000; page++ {
		recs := make([]provider.Record, 1000)
		for i := range recs {
			id := fmt.Sprintf("inv-%06d", page*1000+i)
			lines := ""
			for l := range 6 {
				lines += fmt.Sprintf(`{"LineItemID":"%s-%d","Description":"Item %d <each>","Quantity":%d,"UnitAmount":%d.%02d,"AccountCode":"200","TaxType":"OUTPUT2"},`,
					id, l, rng.IntN(500), 1+rng.IntN(9), rng.IntN(1000), rng.IntN(100))
			}
			p := fmt.Sprintf(`{"InvoiceID":%q,"Type":"ACCREC","Status":"AUTHORISED","Contact":{"ContactID":"c-%d","Name":"Customer %d"},"LineItems":[%s],"Total":%d.00}`,
				id, rng.IntN(2000), rng.IntN(2000), lines[:len(lines)-1], rng.IntN(100000))
			payloadBytes += int64(len(p))
			recs[i] = provider.Record{ID: id, ModifiedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(1e6)) * time.Second),
				Status: provider.StatusActive, Payload: json.RawMessage(p)}
		}
		if _, err := st.CommitPage(ctx, store.PageCommit{ConnectionID: conn.ID, Endpoint: "invoices", PullID: pull.ID, Records: recs}); err != nil {
			b.Fatal(err)
		}
	}
	for _, format := range []string{formatNDJSON, formatCSV} {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(payloadBytes)
			for b.Loop() {
				got, err := writeRawRecords(ctx, io.Discard, st, conn.ID, "invoices", format)
				if err != nil || got != n {
					b.Fatalf("wrote %d records, %v", got, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
