package xero

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
)

// TestFullPullMatchesSandbox pulls every endpoint of a demo organisation
// in Full mode and holds each to the sandbox's ground truth (ids, change
// time, status, payload) and to the call budget: Σ ceil(records/page
// size) + 1 per endpoint at most.
func TestFullPullMatchesSandbox(t *testing.T) {
	e := newEnv(t, envOptions{})
	var table []string
	for _, info := range e.src.Catalog() {
		name := info.Name
		t.Run(name, func(t *testing.T) {
			e.gate.reset()
			s, err := e.pull(name, provider.Full, nil)
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			calls := len(e.gate.calls())
			var budget int
			if strings.HasPrefix(name, "report_") {
				budget = e.checkReports(t, name, s)
			} else {
				var want []truthRecord
				e.gate.do(func() { want = truth(e.org, name) })
				for _, d := range compare(s.recs, want) {
					t.Error(d)
				}
				budget = e.budget(name, len(want))
			}
			if calls > budget {
				t.Errorf("%d calls, budget %d", calls, budget)
			}
			table = append(table, strings.Join([]string{name, strconv.Itoa(len(s.recs)), strconv.Itoa(calls), strconv.Itoa(budget)}, "\t"))
		})
	}
	t.Logf("endpoint\trecords\tcalls\tbudget\n%s", strings.Join(table, "\n"))
}

// budget is the most calls a full pull of an endpoint of n records may
// make: Σ ceil(records/page size) + 1.
func (e *env) budget(name string, n int) int {
	ceil := func(n, size int) int { return (n + size - 1) / size }
	switch name {
	case "journals":
		return ceil(n, journalsPerCall) + 1
	case "attachments":
		return e.attachmentsBudget()
	}
	ent := entities()[name]
	switch ent.kind {
	case reference, unpagedIMS:
		return 1
	}
	rows := e.src.pageSize
	if ent.fixedPage > 0 {
		rows = ent.fixedPage
	}
	return ceil(n, rows) + 1
}

// attachmentsBudget is one listing per page of parents (those with
// HasAttachments where the entity takes where, every record where it does
// not) plus one call per parent that has attachments.
func (e *env) attachmentsBudget() int {
	type count struct {
		listed, with int
		rows         int
	}
	var counts []count
	e.gate.do(func() {
		o := e.org
		rows := e.src.pageSize
		withAtt := func(n, with int) count { return count{listed: with, with: with, rows: rows} }
		n := func(has []bool) (all, with int) {
			for _, h := range has {
				if h {
					with++
				}
			}
			return len(has), with
		}
		var inv, cn, bt, ct, mj, po, qu, ac, tr []bool
		for _, r := range o.Invoices.All() {
			inv = append(inv, r.HasAttachments)
		}
		for _, r := range o.CreditNotes.All() {
			cn = append(cn, r.HasAttachments)
		}
		for _, r := range o.BankTransactions.All() {
			bt = append(bt, r.HasAttachments)
		}
		for _, r := range o.Contacts.All() {
			ct = append(ct, r.HasAttachments)
		}
		for _, r := range o.ManualJournals.All() {
			mj = append(mj, r.HasAttachments)
		}
		for _, r := range o.PurchaseOrders.All() {
			po = append(po, r.HasAttachments)
		}
		for _, r := range o.Quotes.All() {
			qu = append(qu, r.HasAttachments)
		}
		for _, r := range o.Accounts.All() {
			ac = append(ac, r.HasAttachments)
		}
		for _, r := range o.BankTransfers.All() {
			tr = append(tr, r.HasAttachments)
		}
		for _, has := range [][]bool{inv, cn, bt, ct, mj, ac, tr} {
			_, with := n(has)
			counts = append(counts, withAtt(with, with))
		}
		all, with := n(po)
		counts = append(counts, count{listed: all, with: with, rows: rows})
		all, with = n(qu)
		counts = append(counts, count{listed: all, with: with, rows: 100})
	})
	total := 0
	for _, c := range counts {
		total += max(1, (c.listed+c.rows-1)/c.rows) + c.with
	}
	return total
}

// checkReports holds a report endpoint to the sandbox: one record per
// month of the financial year so far, keyed YYYY-MM, each the report the
// sandbox serves for that month. It returns the call budget: the
// organisation read plus one call per month.
func (e *env) checkReports(t *testing.T, name string, s *sink) int {
	t.Helper()
	var org api.Organisation
	e.gate.do(func() {
		org.FinancialYearEndDay = e.org.Organisation.FinancialYearEndDay
		org.FinancialYearEndMonth = e.org.Organisation.FinancialYearEndMonth
	})
	now := e.srv.Clock().Now()
	months := financialYearMonths(org.FinancialYearEndDay, org.FinancialYearEndMonth, now)
	if len(months) == 0 || len(months) > 12 {
		t.Fatalf("%d months in the financial year", len(months))
	}
	if months[len(months)-1].Format(monthID) != now.Format(monthID) {
		t.Errorf("last month %s, want the current one %s", months[len(months)-1].Format(monthID), now.Format(monthID))
	}
	if len(s.recs) != len(months) {
		t.Errorf("%d records, want %d (one per month)", len(s.recs), len(months))
	}
	report := map[string]string{"report_trial_balance": "TrialBalance", "report_profit_and_loss": "ProfitAndLoss",
		"report_balance_sheet": "BalanceSheet"}[name]
	for _, m := range months {
		id := m.Format(monthID)
		got, ok := s.recs[id]
		if !ok {
			t.Errorf("no record for %s", id)
			continue
		}
		last := m.AddDate(0, 1, -1).Format(time.DateOnly)
		q := url.Values{"date": {last}}
		if report == "ProfitAndLoss" {
			q = url.Values{"fromDate": {m.Format(time.DateOnly)}, "toDate": {last}}
		}
		want := e.directReport(t, report, q)
		if c, _ := canon(got.Payload); c != want {
			t.Errorf("%s: payload differs from the sandbox's report\n got %.200s\nwant %.200s", id, c, want)
		}
		if !got.ModifiedAt.IsZero() || got.Status != provider.StatusActive {
			t.Errorf("%s: modified %v status %q, want zero and active", id, got.ModifiedAt, got.Status)
		}
	}
	return len(months) + 1
}

// directReport asks the sandbox for a report without the connector and
// returns it canonicalised.
func (e *env) directReport(t *testing.T, report string, q url.Values) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.base.API+"/api.xro/2.0/Reports/"+report+"?"+q.Encode(), nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Xero-Tenant-Id", e.tenant)
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct{ Reports []json.RawMessage }
	if err := json.Unmarshal(body, &env); err != nil || len(env.Reports) != 1 {
		t.Fatalf("report %s: %v (%d reports)", report, err, len(env.Reports))
	}
	c, _ := canon(env.Reports[0])
	return c
}

// TestAccountsListsConnections checks GET /connections becomes accounts
// with their connection id and tenant type.
func TestAccountsListsConnections(t *testing.T) {
	e := newEnv(t, envOptions{})
	accounts, err := e.src.Accounts(context.Background(), e.base, e.hc)
	if err != nil {
		t.Fatal(err)
	}
	orgs := e.srv.World().Orgs
	if len(accounts) != len(orgs) {
		t.Fatalf("%d accounts, want %d", len(accounts), len(orgs))
	}
	for i, a := range accounts {
		if a.ID != orgs[i].ID || a.Name != orgs[i].Name || a.Extra["connectionId"] == "" || a.Extra["tenantType"] != "ORGANISATION" {
			t.Errorf("account %d = %+v, want %s %q with a connection id", i, a, orgs[i].ID, orgs[i].Name)
		}
	}
}
