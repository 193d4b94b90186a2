package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TestDealStageHistoryFullRead: a full read lists live then archived
// deals with propertiesWithHistory=dealstage, never asking for more than
// 50 a page even when the connector's page size is 100, and stores one
// record per deal with its history as sent.
func TestDealStageHistoryFullRead(t *testing.T) {
	const live = 120
	var limits []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/search") {
			fmt.Fprintf(w, `{"total":%d,"results":[]}`, live)
			return
		}
		q := r.URL.Query()
		if r.URL.Path != "/crm/v3/objects/deals" || q.Get("propertiesWithHistory") != "dealstage" {
			t.Errorf("unexpected call %s %s", r.Method, r.URL)
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		limits = append(limits, limit)
		after, _ := strconv.Atoi(q.Get("after"))
		first, last := after+1, live
		if q.Get("archived") == "true" {
			first, last = live+1, live+1
		}
		var res []string
		id := first
		for ; id <= last && len(res) < limit; id++ {
			res = append(res, fmt.Sprintf(`{"id":"%d","properties":{"hs_object_id":"%d"},"updatedAt":"2025-01-02T03:04:05.000Z","archived":%t,`+
				`"propertiesWithHistory":{"dealstage":[{"value":"closedwon","timestamp":"2025-01-02T03:04:05.000Z","sourceType":"CRM_UI"},`+
				`{"value":"appointmentscheduled","timestamp":"2025-01-01T00:00:00.000Z","sourceType":"CRM_UI"}]}}`, id, id, id > live))
		}
		out := `{"results":[` + strings.Join(res, ",") + `]`
		if id <= last {
			out += `,"paging":{"next":{"after":"` + strconv.Itoa(id-1) + `"}}`
		}
		fmt.Fprint(w, out+"}")
	}))
	defer srv.Close()

	src := New(WithPageSize(100))
	eps, err := src.Open(provider.BaseURLs{API: srv.URL}, provider.Account{ID: "1"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	var ep provider.Endpoint
	for _, e := range eps {
		if e.Info().Name == "deal_stage_history" {
			ep = e
		}
	}
	if ep == nil {
		t.Fatal("no deal_stage_history endpoint")
	}
	got := map[string]provider.Record{}
	var final provider.Page
	err = ep.Pull(context.Background(), provider.PullRequest{Mode: provider.Full, Start: time.UnixMilli(1_800_000_000_000)},
		func(_ context.Context, p provider.Page) error {
			for _, r := range p.Records {
				if _, dup := got[r.ID]; dup {
					t.Errorf("deal %s emitted twice", r.ID)
				}
				got[r.ID] = r
			}
			final = p
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range limits {
		if l < 1 || l > historyPage {
			t.Errorf("a list page asked for %d records with history, want 1..%d", l, historyPage)
		}
	}
	if len(got) != live+1 || !final.Done || final.Total != live {
		t.Fatalf("%d records, done %v, total %d; want %d, true, %d", len(got), final.Done, final.Total, live+1, live)
	}
	if st := got[strconv.Itoa(live+1)].Status; st != provider.StatusArchived {
		t.Errorf("the archived deal's status is %s", st)
	}
	var doc struct {
		ID       string `json:"id"`
		Property string `json:"property"`
		History  []struct {
			Value string `json:"value"`
		} `json:"history"`
	}
	if err := json.Unmarshal(got["7"].Payload, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID != "7" || doc.Property != "dealstage" || len(doc.History) != 2 || doc.History[0].Value != "closedwon" {
		t.Errorf("deal 7 stored as %s", got["7"].Payload)
	}
}
