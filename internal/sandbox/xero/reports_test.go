package xero

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of the reports: the arithmetic on generated organisations
// (no HTTP), the parameters, and the endpoints through a real server.

var (
	reportWorldOnce sync.Once
	reportWorldVal  *World
	reportWorldErr  error
)

// reportWorld is three demo organisations, one per country profile, so
// financial years ending 31 March and 30 June are both covered.
func reportWorld(t testing.TB) *World {
	t.Helper()
	reportWorldOnce.Do(func() {
		cfg := DefaultConfig()
		cfg.Seed = 7
		cfg.Orgs = 3
		reportWorldVal, reportWorldErr = Generate(cfg, testStart)
	})
	if reportWorldErr != nil {
		t.Fatalf("Generate: %v", reportWorldErr)
	}
	return reportWorldVal
}

// tReport is a report as a client decodes it.
type tReport struct {
	ReportID, ReportName, ReportType, ReportDate, UpdatedDateUTC string
	ReportTitles                                                 []string
	Fields                                                       []any
	Rows                                                         []tRow
}

type tRow struct {
	RowType string
	Title   *string
	Cells   []tCell
	Rows    []tRow
}

type tCell struct {
	Value      string
	Attributes []struct{ Value, Id string }
}

// attr returns the cell's attribute of the given id.
func (c tCell) attr(id string) (string, bool) {
	for _, a := range c.Attributes {
		if a.Id == id {
			return a.Value, true
		}
	}
	return "", false
}

// decodeReport round-trips a built report through JSON, as a client sees it.
func decodeReport(t *testing.T, r *report) tReport {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal report: %v", err)
	}
	var out tReport
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decode report: %v\n%s", err, b)
	}
	return out
}

// money parses a report amount ("1234.56", "-5.00") exactly; "" is zero.
func money(t *testing.T, s string) Money {
	t.Helper()
	if s == "" {
		return 0
	}
	neg := strings.HasPrefix(s, "-")
	whole, frac, ok := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if !ok || len(frac) != 2 || err1 != nil || err2 != nil {
		t.Fatalf("amount %q is not a two-decimal number", s)
	}
	m := Money(w*100 + f)
	if neg {
		m = -m
	}
	return m
}

// values parses a row's figures (every cell after the label).
func values(t *testing.T, row tRow) []Money {
	t.Helper()
	out := make([]Money, 0, len(row.Cells))
	for _, c := range row.Cells[1:] {
		out = append(out, money(t, c.Value))
	}
	return out
}

// findRow returns the first row, at any depth, whose label is label.
func findRow(rows []tRow, label string) (tRow, bool) {
	for _, r := range rows {
		if len(r.Cells) > 0 && r.Cells[0].Value == label {
			return r, true
		}
		if found, ok := findRow(r.Rows, label); ok {
			return found, true
		}
	}
	return tRow{}, false
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// expectedFYStart is the financial year start written out for the
// generator's two year ends, independently of fyStart.
func expectedFYStart(o *Org, d time.Time) time.Time {
	m := time.Month(o.Organisation.FinancialYearEndMonth)
	start := time.Date(d.Year(), m+1, 1, 0, 0, 0, 0, time.UTC) // the day after a month-end year end
	if start.After(d) {
		start = start.AddDate(-1, 0, 0)
	}
	return start
}

func TestReportsFYStart(t *testing.T) {
	cases := []struct {
		date       string
		day, month int
		want       string
	}{
		{"2026-06-30", 31, 3, "2026-04-01"},
		{"2026-03-31", 31, 3, "2025-04-01"},
		{"2026-04-01", 31, 3, "2026-04-01"},
		{"2026-06-30", 30, 6, "2025-07-01"},
		{"2026-07-01", 30, 6, "2026-07-01"},
		{"2026-01-01", 31, 12, "2026-01-01"},
		{"2025-12-31", 31, 12, "2025-01-01"},
		{"2024-03-01", 28, 2, "2024-02-29"}, // 29 Feb of a leap year starts the new year
		{"2026-05-05", 0, 0, "2026-01-01"},  // unset year end: calendar year
	}
	for _, c := range cases {
		if got := fyStart(date(c.date), c.day, c.month); !got.Equal(date(c.want)) {
			t.Errorf("fyStart(%s, %d/%d) = %s, want %s", c.date, c.day, c.month, got.Format(time.DateOnly), c.want)
		}
	}
}

func TestReportsAddMonths(t *testing.T) {
	cases := []struct {
		date    string
		n       int
		keepEnd bool
		want    string
	}{
		{"2019-04-30", -1, true, "2019-03-31"},
		{"2019-04-30", -2, true, "2019-02-28"},
		{"2019-04-30", -1, false, "2019-03-30"},
		{"2026-01-31", -1, true, "2025-12-31"},
		{"2026-03-31", -1, false, "2026-02-28"},
		{"2026-01-15", -3, true, "2025-10-15"},
		{"2024-02-29", -12, true, "2023-02-28"},
		{"2023-02-28", 12, true, "2024-02-29"},
		{"2026-01-01", -12, false, "2025-01-01"},
	}
	for _, c := range cases {
		if got := addMonths(date(c.date), c.n, c.keepEnd); !got.Equal(date(c.want)) {
			t.Errorf("addMonths(%s, %d, %v) = %s, want %s", c.date, c.n, c.keepEnd, got.Format(time.DateOnly), c.want)
		}
	}
}

// TestReportsTrialBalance proves the trial balance balances in both column
// pairs, that its totals are the sums of its rows, and that every account
// row holds the ledger's figure: month-to-date movement in Debit/Credit;
// in YTD, the balance (balance sheet accounts), the movement since the
// year start (revenue and expense) or the balance plus earlier years'
// profit (retained earnings). No account with a figure is left out.
func TestReportsTrialBalance(t *testing.T) {
	w := reportWorld(t)
	dates := []string{"2026-06-30", "2026-03-31", "2026-04-01", "2025-06-30", "2025-11-17", "2024-05-15", "2027-01-15"}
	for _, o := range w.Orgs {
		for _, ds := range dates {
			d := date(ds)
			t.Run(o.Organisation.CountryCode+"/"+ds, func(t *testing.T) {
				o.mu.RLock()
				defer o.mu.RUnlock()
				rep := decodeReport(t, trialBalanceReport(o, d, testStart))
				if rep.ReportType != "TrialBalance" || rep.ReportTitles[2] != "As at "+d.Format("2 January 2006") {
					t.Errorf("type %q titles %q", rep.ReportType, rep.ReportTitles)
				}
				head := rep.Rows[0]
				if head.RowType != "Header" || len(head.Cells) != 5 || head.Cells[0].Value != "Account" || head.Cells[4].Value != "YTD Credit" {
					t.Fatalf("header %+v", head)
				}

				fy := expectedFYStart(o, d)
				from := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
				if from.Before(fy) {
					from = fy
				}
				closing, prior, month := o.Balances(d), o.Balances(fy.AddDate(0, 0, -1)), o.Movements(from, d)
				wantYTD, wantMonth := map[string]Money{}, map[string]Money{}
				var retainedID string
				var priorProfit Money
				for _, a := range o.Accounts.All() {
					if a.SystemAccount == "RETAINEDEARNINGS" {
						retainedID = a.AccountID
					}
					if c := accountClass(a.Type); c == "REVENUE" || c == "EXPENSE" {
						wantYTD[a.AccountID] = closing[a.AccountID] - prior[a.AccountID]
						priorProfit += prior[a.AccountID]
					} else {
						wantYTD[a.AccountID] = closing[a.AccountID]
					}
					wantMonth[a.AccountID] = month[a.AccountID]
				}
				wantYTD[retainedID] += priorProfit

				var sums [4]Money
				seen := map[string]bool{}
				for _, sec := range rep.Rows[1 : len(rep.Rows)-1] {
					if sec.RowType != "Section" || sec.Title == nil || *sec.Title == "" || len(sec.Rows) == 0 {
						t.Fatalf("want titled non-empty sections, got %+v", sec)
					}
					for _, row := range sec.Rows {
						id, ok := row.Cells[0].attr("account")
						if row.RowType != "Row" || !ok || len(row.Cells) != 5 {
							t.Fatalf("section %s: bad row %+v", *sec.Title, row)
						}
						if seen[id] {
							t.Errorf("account %s listed twice", id)
						}
						seen[id] = true
						v := values(t, row)
						for i := range sums {
							sums[i] += v[i]
						}
						if got := v[0] - v[1]; got != wantMonth[id] {
							t.Errorf("%s: month %s, want %s", row.Cells[0].Value, got, wantMonth[id])
						}
						if got := v[2] - v[3]; got != wantYTD[id] {
							t.Errorf("%s: YTD %s, want %s", row.Cells[0].Value, got, wantYTD[id])
						}
					}
				}
				for id, v := range wantYTD {
					if (v != 0 || wantMonth[id] != 0) && !seen[id] {
						t.Errorf("account %s (YTD %s) missing", id, v)
					}
				}
				last := rep.Rows[len(rep.Rows)-1]
				if last.RowType != "Section" || len(last.Rows) != 1 || last.Rows[0].RowType != "SummaryRow" || last.Rows[0].Cells[0].Value != "Total" {
					t.Fatalf("last row %+v, want the Total summary", last)
				}
				total := values(t, last.Rows[0])
				for i := range sums {
					if total[i] != sums[i] {
						t.Errorf("total column %d = %s, rows sum to %s", i+1, total[i], sums[i])
					}
				}
				if total[0] != total[1] || total[2] != total[3] {
					t.Errorf("trial balance does not balance: %v", total)
				}
				if d.After(date("2024-07-01")) && total[2] == 0 {
					t.Errorf("empty trial balance at %s", ds)
				}
			})
		}
	}
}

// plNet is −(revenue and expense movements) in [from, to]: the profit.
func plNet(o *Org, from, to time.Time) Money {
	var net Money
	for id, m := range o.Movements(from, to) {
		if a, ok := o.Accounts.Get(id); ok {
			if c := accountClass(a.Type); c == "REVENUE" || c == "EXPENSE" {
				net -= m
			}
		}
	}
	return net
}

// TestReportsProfitAndLoss proves each column's Net Profit is the negated
// sum of revenue and expense movements of its period, the summary rows
// add up, and periods/timeframe give 1+periods columns shifted back by
// the timeframe.
func TestReportsProfitAndLoss(t *testing.T) {
	w := reportWorld(t)
	cases := []struct {
		from, to string
		cols     columns
		labels   []string
	}{
		{"2026-01-01", "2026-01-31", columns{6, 1}, []string{"31 Jan 2026", "31 Dec 2025", "30 Nov 2025", "31 Oct 2025", "30 Sep 2025", "31 Aug 2025"}},
		{"2025-07-01", "2026-06-30", columns{1, 1}, []string{"30 Jun 2026"}},
		{"2026-04-01", "2026-06-30", columns{4, 3}, []string{"30 Jun 2026", "31 Mar 2026", "31 Dec 2025", "30 Sep 2025"}},
		{"2026-02-10", "2026-03-20", columns{3, 12}, []string{"20 Mar 2026", "20 Mar 2025", "20 Mar 2024"}},
		{"2026-06-01", "2026-06-30", columns{12, 1}, nil},
	}
	for _, o := range w.Orgs {
		for _, c := range cases {
			t.Run(o.Organisation.CountryCode+"/"+c.from+"/"+strconv.Itoa(c.cols.count), func(t *testing.T) {
				o.mu.RLock()
				defer o.mu.RUnlock()
				from, to := date(c.from), date(c.to)
				rep := decodeReport(t, profitAndLossReport(o, from, to, c.cols, testStart))
				if rep.ReportType != "ProfitAndLoss" || rep.ReportID != "ProfitAndLoss" {
					t.Errorf("type %q id %q", rep.ReportType, rep.ReportID)
				}
				head := rep.Rows[0]
				if head.RowType != "Header" || len(head.Cells) != 1+c.cols.count {
					t.Fatalf("header has %d cells, want %d", len(head.Cells), 1+c.cols.count)
				}
				for i, l := range c.labels {
					if head.Cells[1+i].Value != l {
						t.Errorf("column %d = %q, want %q", i+1, head.Cells[1+i].Value, l)
					}
				}
				netRow, ok := findRow(rep.Rows, "Net Profit")
				if !ok {
					t.Fatal("no Net Profit row")
				}
				net := values(t, netRow)
				for k := range c.cols.count {
					f := addMonths(from, -k*c.cols.months, false)
					tt := addMonths(to, -k*c.cols.months, true)
					if want := plNet(o, f, tt); net[k] != want {
						t.Errorf("column %d (%s..%s): net profit %s, want %s", k+1, f.Format(time.DateOnly), tt.Format(time.DateOnly), net[k], want)
					}
				}
				checkSectionTotals(t, rep.Rows)
				gross, _ := findRow(rep.Rows, "Gross Profit")
				income, _ := findRow(rep.Rows, "Total Income")
				cos, hasCOS := findRow(rep.Rows, "Total Cost of Sales")
				for k, g := range values(t, gross) {
					want := Money(0)
					if len(income.Cells) > 0 {
						want = values(t, income)[k]
					}
					if hasCOS {
						want -= values(t, cos)[k]
					}
					if g != want {
						t.Errorf("column %d: gross profit %s, want income − cost of sales = %s", k+1, g, want)
					}
				}
			})
		}
	}
}

// checkSectionTotals checks that each titled section's SummaryRow is the
// sum of its account rows.
func checkSectionTotals(t *testing.T, rows []tRow) {
	t.Helper()
	for _, sec := range rows {
		if sec.RowType != "Section" || sec.Title == nil || *sec.Title == "" || len(sec.Rows) == 0 {
			continue
		}
		n := len(sec.Rows[0].Cells) - 1
		sum := make([]Money, n)
		for _, r := range sec.Rows {
			v := values(t, r)
			if r.RowType == "SummaryRow" {
				for k := range sum {
					if v[k] != sum[k] {
						t.Errorf("%s: %s column %d = %s, rows sum to %s", *sec.Title, r.Cells[0].Value, k+1, v[k], sum[k])
					}
				}
				continue
			}
			for k := range sum {
				sum[k] += v[k]
			}
		}
	}
}

// TestReportsBalanceSheet proves the balance sheet balances in every
// column (Total Assets − Total Liabilities = Net Assets = Total Equity),
// that account rows hold the ledger's balances, and that Current Year
// Earnings is the profit and loss's Net Profit from the year start.
func TestReportsBalanceSheet(t *testing.T) {
	w := reportWorld(t)
	cases := []struct {
		date   string
		cols   columns
		labels []string
	}{
		{"2026-03-31", columns{3, 3}, []string{"31 Mar 2026", "31 Dec 2025", "30 Sep 2025"}},
		{"2026-06-30", columns{12, 1}, nil},
		{"2025-12-15", columns{1, 1}, []string{"15 Dec 2025"}},
		{"2026-06-30", columns{4, 12}, []string{"30 Jun 2026", "30 Jun 2025", "30 Jun 2024", "30 Jun 2023"}},
	}
	for _, o := range w.Orgs {
		for _, c := range cases {
			t.Run(o.Organisation.CountryCode+"/"+c.date+"/"+strconv.Itoa(c.cols.count), func(t *testing.T) {
				o.mu.RLock()
				defer o.mu.RUnlock()
				d := date(c.date)
				rep := decodeReport(t, balanceSheetReport(o, d, c.cols, testStart))
				head := rep.Rows[0]
				if rep.ReportType != "BalanceSheet" || head.RowType != "Header" || len(head.Cells) != 1+c.cols.count {
					t.Fatalf("type %q, header %d cells, want %d", rep.ReportType, len(head.Cells), 1+c.cols.count)
				}
				for i, l := range c.labels {
					if head.Cells[1+i].Value != l {
						t.Errorf("column %d = %q, want %q", i+1, head.Cells[1+i].Value, l)
					}
				}
				get := func(label string) []Money {
					row, ok := findRow(rep.Rows, label)
					if !ok {
						t.Fatalf("no %q row", label)
					}
					return values(t, row)
				}
				assets, liabilities, net, equity := get("Total Assets"), get("Total Liabilities"), get("Net Assets"), get("Total Equity")
				cye := get("Current Year Earnings")
				for k := range c.cols.count {
					if assets[k]-liabilities[k] != net[k] || net[k] != equity[k] {
						t.Errorf("column %d: assets %s − liabilities %s = net %s, equity %s", k+1, assets[k], liabilities[k], net[k], equity[k])
					}
					dk := addMonths(d, -k*c.cols.months, true)
					if want := plNet(o, expectedFYStart(o, dk), dk); cye[k] != want {
						t.Errorf("column %d: current year earnings %s, want the year's net profit %s", k+1, cye[k], want)
					}
				}
				if c.date == "2026-03-31" && assets[0] == 0 {
					t.Error("no assets at 31 March 2026")
				}
				checkSectionTotals(t, rep.Rows)
				// Every account row holds the balance, liabilities and equity as credits.
				closing := o.Balances(d)
				var rows []tRow
				for _, sec := range rep.Rows {
					rows = append(rows, sec.Rows...)
				}
				for _, row := range rows {
					id, _ := row.Cells[0].attr("account")
					a, ok := o.Accounts.Get(id)
					if row.RowType != "Row" || !ok || a.SystemAccount == "RETAINEDEARNINGS" {
						continue
					}
					want := closing[id]
					if accountClass(a.Type) != "ASSET" {
						want = -want
					}
					if got := money(t, row.Cells[1].Value); got != want {
						t.Errorf("%s: %s, want %s", a.Name, got, want)
					}
				}
			})
		}
	}
}

// TestReportsParams covers the parameters: defaults, case-insensitive
// names, and the 400 ValidationException for every bad value.
func TestReportsParams(t *testing.T) {
	now := time.Date(2026, 6, 14, 23, 30, 0, 0, time.UTC)
	pl := []struct {
		query    string
		from, to string
		cols     columns
	}{
		{"", "2026-06-01", "2026-06-30", columns{1, 1}},
		{"fromDate=2026-01-15", "2026-01-15", "2026-02-14", columns{1, 1}},
		{"toDate=2026-02-28", "2026-02-01", "2026-02-28", columns{1, 1}},
		{"FROMDATE=2026-01-01&todate=2026-03-31T00:00:00", "2026-01-01", "2026-03-31", columns{1, 1}},
		{"fromDate=2026-01-01&toDate=2026-01-01&periods=11", "2026-01-01", "2026-01-01", columns{12, 1}},
		{"fromDate=2026-01-01&toDate=2026-01-31&periods=2&timeframe=quarter", "2026-01-01", "2026-01-31", columns{3, 3}},
		{"timeframe=YEAR", "2026-06-01", "2026-06-30", columns{1, 12}},
	}
	for _, c := range pl {
		q, _ := url.ParseQuery(c.query)
		from, to, cols, apiErr := profitAndLossParams(q, now)
		if apiErr != nil || !from.Equal(date(c.from)) || !to.Equal(date(c.to)) || cols != c.cols {
			t.Errorf("P&L %q: %s..%s %+v %v, want %s..%s %+v", c.query, from.Format(time.DateOnly), to.Format(time.DateOnly), cols, apiErr, c.from, c.to, c.cols)
		}
	}
	bs := []struct {
		query string
		date  string
		cols  columns
	}{
		{"", "2026-06-30", columns{1, 1}},
		{"date=2026-03-31&periods=2&timeframe=QUARTER", "2026-03-31", columns{3, 3}},
		{"Date=2025-12-31&Periods=12", "2025-12-31", columns{13, 1}},
	}
	for _, c := range bs {
		q, _ := url.ParseQuery(c.query)
		d, cols, apiErr := balanceSheetParams(q, now)
		if apiErr != nil || !d.Equal(date(c.date)) || cols != c.cols {
			t.Errorf("BS %q: %s %+v %v, want %s %+v", c.query, d.Format(time.DateOnly), cols, apiErr, c.date, c.cols)
		}
	}

	bad := []struct{ report, query, mention string }{
		{"TrialBalance", "date=notadate", "notadate"},
		{"TrialBalance", "date=2026-02-30", "2026-02-30"},
		{"TrialBalance", "date=31/12/2025", "31/12/2025"},
		{"TrialBalance", "date=2026-01-01Tnoon", "2026-01-01Tnoon"},
		{"ProfitAndLoss", "fromDate=2026-13-01", "2026-13-01"},
		{"ProfitAndLoss", "toDate=yesterday", "yesterday"},
		{"ProfitAndLoss", "fromDate=2026-02-01&toDate=2026-01-31", "after toDate"},
		{"ProfitAndLoss", "periods=0", "periods"},
		{"ProfitAndLoss", "periods=13", "periods"},
		{"ProfitAndLoss", "periods=-1", "periods"},
		{"ProfitAndLoss", "periods=two", "periods"},
		{"ProfitAndLoss", "periods=1.5", "periods"},
		{"ProfitAndLoss", "timeframe=WEEK", "timeframe"},
		{"BalanceSheet", "date=2026-1-1", "2026-1-1"},
		{"BalanceSheet", "periods=99", "periods"},
		{"BalanceSheet", "timeframe=12", "timeframe"},
	}
	for _, c := range bad {
		q, _ := url.ParseQuery(c.query)
		var apiErr *apiError
		switch c.report {
		case "TrialBalance":
			_, _, apiErr = reportDateParam(q, "date")
		case "ProfitAndLoss":
			_, _, _, apiErr = profitAndLossParams(q, now)
		case "BalanceSheet":
			_, _, apiErr = balanceSheetParams(q, now)
		}
		if apiErr == nil {
			t.Errorf("%s?%s: accepted, want 400", c.report, c.query)
			continue
		}
		checkValidationBody(t, c.report+"?"+c.query, apiErr.Status, apiErr.Body, c.mention)
	}
}

// checkValidationBody checks a 400 ValidationException whose message
// mentions the offending value.
func checkValidationBody(t *testing.T, what string, status int, body []byte, mention string) {
	t.Helper()
	var e struct {
		ErrorNumber int
		Type        string
		Elements    []struct{ ValidationErrors []struct{ Message string } }
	}
	if err := json.Unmarshal(body, &e); err != nil || status != http.StatusBadRequest || e.ErrorNumber != 10 ||
		e.Type != "ValidationException" || len(e.Elements) != 1 || len(e.Elements[0].ValidationErrors) != 1 {
		t.Errorf("%s: got %d %s, want a 400 ValidationException", what, status, body)
		return
	}
	if msg := e.Elements[0].ValidationErrors[0].Message; !strings.Contains(msg, mention) {
		t.Errorf("%s: message %q does not mention %q", what, msg, mention)
	}
}

// TestReportsHTTP serves the reports through a real server: the envelope,
// case-insensitive paths and parameters, the 400s, and the granular scopes
// (a trial-balance-only token reads the trial balance and nothing else).
func TestReportsHTTP(t *testing.T) {
	env := newTestEnv(t, nil)
	tenant := env.srv.World().Orgs[0].ID
	tok := env.signIn(t, allReadScopes, "*")

	for _, path := range []string{
		"Reports/TrialBalance",
		"reports/trialbalance?DATE=2026-03-31",
		"Reports/ProfitAndLoss?fromdate=2026-01-01&TODATE=2026-01-31&periods=5&timeframe=MONTH",
		"Reports/BALANCESHEET?date=2026-03-31&periods=2&timeframe=QUARTER",
	} {
		resp, body := env.get(t, tok.AccessToken, tenant, path, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentJSON {
			t.Fatalf("GET %s: %d %q %.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var envl struct {
			Id, Status, ProviderName, DateTimeUTC string
			Reports                               []tReport
		}
		if err := json.Unmarshal(body, &envl); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if envl.Id == "" || envl.Status != "OK" || envl.ProviderName == "" || !strings.HasPrefix(envl.DateTimeUTC, "/Date(") || len(envl.Reports) != 1 {
			t.Fatalf("GET %s: envelope %+v", path, envl)
		}
		rep := envl.Reports[0]
		if rep.ReportDate != "30 June 2026" || rep.UpdatedDateUTC != envl.DateTimeUTC || rep.Fields == nil || len(rep.ReportTitles) != 3 || len(rep.Rows) < 3 {
			t.Errorf("GET %s: report %q %q %q fields=%v rows=%d", path, rep.ReportDate, rep.UpdatedDateUTC, rep.ReportTitles, rep.Fields, len(rep.Rows))
		}
		if strings.Contains(string(body), "null") {
			t.Errorf("GET %s: body has a null", path)
		}
	}

	for _, c := range []struct{ path, mention string }{
		{"Reports/TrialBalance?date=notadate", "notadate"},
		{"Reports/ProfitAndLoss?periods=13", "periods"},
		{"Reports/ProfitAndLoss?timeframe=FORTNIGHT", "timeframe"},
		{"Reports/BalanceSheet?date=2026-02-30", "2026-02-30"},
	} {
		resp, body := env.get(t, tok.AccessToken, tenant, c.path, nil)
		checkValidationBody(t, c.path, resp.StatusCode, body, c.mention)
	}
	if resp, _ := env.get(t, tok.AccessToken, tenant, "Reports/BankSummary", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unserved report: %d, want 404", resp.StatusCode)
	}

	// Scopes granted once join later consents, so the narrow token needs a
	// sandbox of its own.
	narrow := newTestEnv(t, nil)
	tb := narrow.signIn(t, "openid offline_access accounting.reports.trialbalance.read", "*")
	for path, want := range map[string]int{
		"Reports/TrialBalance":  http.StatusOK,
		"Reports/ProfitAndLoss": http.StatusUnauthorized,
		"Reports/BalanceSheet":  http.StatusUnauthorized,
	} {
		if resp, body := narrow.get(t, tb.AccessToken, tenant, path, nil); resp.StatusCode != want {
			t.Errorf("trial-balance-only token, GET %s: %d %.200s, want %d", path, resp.StatusCode, body, want)
		}
	}
}

// BenchmarkReports measures the three reports on a medium organisation
// (about 100,000 records); the ledger's day aggregates keep each report to
// a few passes over accounts × days.
func BenchmarkReports(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Seed, cfg.Size, cfg.Orgs = 7, "medium", 1
	w, err := Generate(cfg, testStart)
	if err != nil {
		b.Fatal(err)
	}
	o := w.Orgs[0]
	b.Logf("journals: %d", o.Journals.Len())
	b.Run("TrialBalance", func(b *testing.B) {
		for b.Loop() {
			trialBalanceReport(o, testStart, testStart)
		}
	})
	b.Run("ProfitAndLoss12", func(b *testing.B) {
		for b.Loop() {
			profitAndLossReport(o, date("2026-06-01"), date("2026-06-30"), columns{12, 1}, testStart)
		}
	})
	b.Run("BalanceSheet13", func(b *testing.B) {
		for b.Loop() {
			balanceSheetReport(o, date("2026-06-30"), columns{13, 1}, testStart)
		}
	})
}
