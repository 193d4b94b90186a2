package hubspot

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestConcurrentReadsAndChanges reads lists, searches and associations
// while the admin API changes the same records and the search index
// catches up; run with -race it checks the locking.
func TestConcurrentReadsAndChanges(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.SearchLag = 10 * time.Millisecond; c.TimeScale = 1 })
	p, _ := e.portal()
	tok := PrivateAppToken(7, p.ID)
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = strconv.FormatInt(p.Type("contacts").Records[i].ID, 10)
	}
	var wg sync.WaitGroup
	fail := make(chan string, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				var resp *http.Response
				switch i % 3 {
				case 0:
					resp, _ = e.do(t, http.MethodGet, "/crm/v3/objects/contacts?limit=50&associations=companies", tok, nil)
				case 1:
					resp, _ = e.do(t, http.MethodPost, "/crm/v3/objects/contacts/search", tok, map[string]any{"limit": 50})
				default:
					resp, _ = e.do(t, http.MethodGet, "/crm/v4/objects/contacts/"+ids[i%len(ids)]+"/associations/companies", tok, nil)
				}
				if resp.StatusCode >= 500 {
					fail <- resp.Status
				}
			}
		}()
	}
	for i := 0; i < 40; i++ {
		id := ids[i%len(ids)]
		e.admin(t, ChangeRequest{Op: OpUpdate, Type: "contacts", ID: id, Properties: map[string]string{"city": "Run " + strconv.Itoa(i)}},
			ChangeRequest{Op: OpAssociate, Type: "contacts", ID: id, ToType: "companies", To: strconv.FormatInt(p.Type("companies").Records[i].ID, 10)})
	}
	wg.Wait()
	close(fail)
	for f := range fail {
		t.Errorf("a read failed: %s", f)
	}
}
