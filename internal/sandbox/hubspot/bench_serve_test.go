package hubspot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/datapull/datapull/internal/sandbox/sandboxtest"
)

// The serving benchmarks measure the sandbox answering full pages over real
// loopback HTTP, the way a connector's pull reads them. Run them on one
// core so the figure is the sandbox's own ceiling:
//
//	go test ./internal/sandbox/hubspot -run '^$' -bench Serve -cpu 1
//
// The client only drains the body, so nearly all the CPU is the server's.
// The target is at least 50,000 records per second, so the sandbox is
// never the bottleneck of an engine benchmark.

// BenchmarkServeListPages pages through a medium portal's contacts, 100
// per page with the default properties, by cursor.
func BenchmarkServeListPages(b *testing.B) {
	env := newTestEnv(b, func(c *Config) { c.Size = "medium"; c.Portals = 1 })
	p, _ := env.portal()
	tok := PrivateAppToken(7, p.ID)
	contacts := p.Type("contacts")
	// Cursors of full pages, found once, so every request is a full page.
	var cursors []string
	for i := 0; i+200 < len(contacts.Records); i += 100 {
		cursors = append(cursors, fmt.Sprint(contacts.Records[i].ID))
	}
	records, bytes := 0, int64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodGet, env.base+"/crm/v3/objects/contacts?limit=100&after="+cursors[i%len(cursors)], nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		bytes += sandboxtest.Drain(b, env.client, req)
		records += 100
	}
	b.StopTimer()
	sandboxtest.ReportThroughput(b, records, bytes)
}

// BenchmarkServeSearchPages pages through an incremental-style search of
// a medium portal's contacts (last modified since a date, sorted by id,
// 200 per page) up to the 10,000 cap, then starts again.
func BenchmarkServeSearchPages(b *testing.B) {
	env := newTestEnv(b, func(c *Config) { c.Size = "medium"; c.Portals = 1 })
	p, _ := env.portal()
	tok := PrivateAppToken(7, p.ID)
	bodyAt := func(after int) []byte {
		j, _ := json.Marshal(map[string]any{
			"filterGroups": []any{map[string]any{"filters": []any{map[string]string{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}}}},
			"sorts":        []any{map[string]string{"propertyName": "hs_object_id", "direction": "ASCENDING"}},
			"properties":   []string{"email", "firstname", "lastname", "lifecyclestage", "lastmodifieddate"},
			"limit":        200, "after": fmt.Sprint(after)})
		return j
	}
	var bodies [][]byte
	for after := 0; after+200 <= 10000; after += 200 {
		bodies = append(bodies, bodyAt(after))
	}
	records, n := 0, int64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodPost, env.base+"/crm/v3/objects/contacts/search", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		n += sandboxtest.Drain(b, env.client, req)
		records += 200
	}
	b.StopTimer()
	sandboxtest.ReportThroughput(b, records, n)
}
