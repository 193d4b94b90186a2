package xero

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The three financial reports a reporting pull asks for: TrialBalance,
// ProfitAndLoss and BalanceSheet (xero-api.md §4 "Reports"). Every figure
// comes from the ledger's day aggregates (Org.Balances, Org.Movements), so
// a report costs a few passes over accounts × days whatever the journal
// count, and the reports agree with GET /Journals to the cent.
//
// Layout follows the 200 examples of xero_accounting.yaml: a Header row,
// titled Sections of account Rows each closed by a SummaryRow, subtotals
// (Gross Profit, Net Profit, Net Assets) as a plain Row in an untitled
// Section, every value a string with two decimals, every account cell
// carrying the {"Id":"account","Value":AccountID} attribute.
//
// Decisions where the references are silent:
//   - "Today" is the provider clock's date in UTC; the organisation's
//     Timezone is not applied.
//   - periods=N gives N comparative columns besides the requested one
//     (N+1 in all), the reading under which clients ask periods=11 for a
//     twelve-month P&L. timeframe defaults to MONTH and is ignored without
//     periods. A shifted date that was the last day of its month stays the
//     last day of its month (30 Apr → 31 Mar → 28 Feb, as the spec's
//     BalanceSheet example shows).
//   - BalanceSheet without date is as at the end of the current month, to
//     agree with ProfitAndLoss's default period; TrialBalance without date
//     is as at today, as the brief says.
//   - ProfitAndLoss with only fromDate runs one month less a day; with
//     only toDate, from one month less a day before it.
//   - TrialBalance's Debit/Credit columns are the movement of the month
//     the date falls in (from the 1st, or from the start of the financial
//     year if later), YTD Debit/Credit the year-to-date figure: movements
//     since the start of the financial year for revenue and expense
//     accounts, the balance as at the date for the others, with earlier
//     years' profit closed into Retained Earnings so the YTD columns
//     balance. A zero figure is shown as "0.00" on the account class's
//     normal side, as in the spec's example.
//   - paymentsOnly (cash basis), standardLayout and the tracking filters
//     are accepted and ignored: the ledger keeps accrual figures only.
//   - An account the ledger knows but the chart no longer lists is shown
//     as a current asset named by its id, so the report still balances.

// nilUUID is the account id Xero gives rows that are no account, such as
// Current Year Earnings.
const nilUUID = "00000000-0000-0000-0000-000000000000"

// Report date formats: ReportDate and titles ("12 April 2019"), column
// headings ("30 Apr 2019") and the US-style dates of fromDate/toDate
// attributes ("4/30/2019").
const (
	reportLongDate   = "2 January 2006"
	reportColumnDate = "2 Jan 2006"
	reportAttrDate   = "1/2/2006"
)

// report is one report of the Reports envelope (schema ReportWithRow).
type report struct {
	ReportID       string      `json:"ReportID"`
	ReportName     string      `json:"ReportName"`
	ReportType     string      `json:"ReportType"`
	ReportTitles   []string    `json:"ReportTitles"`
	ReportDate     string      `json:"ReportDate"`
	UpdatedDateUTC string      `json:"UpdatedDateUTC"`
	Fields         []any       `json:"Fields"`
	Rows           []reportRow `json:"Rows"`
}

// reportRow is a Header, Section, Row or SummaryRow. A Section has a
// Title and nested rows (possibly none: "Rows":[]); the others have cells.
type reportRow struct {
	RowType string
	Title   string
	Cells   []reportCell
	Rows    []reportRow
}

// MarshalJSON writes a Section as {RowType, Title, Rows} and any other row
// as {RowType, Cells}, as Xero does: an empty Section title is sent as ""
// and an empty Section as "Rows":[].
func (r reportRow) MarshalJSON() ([]byte, error) {
	if r.RowType == "Section" {
		rows := r.Rows
		if rows == nil {
			rows = []reportRow{}
		}
		return json.Marshal(struct {
			RowType string      `json:"RowType"`
			Title   string      `json:"Title"`
			Rows    []reportRow `json:"Rows"`
		}{r.RowType, r.Title, rows})
	}
	cells := r.Cells
	if cells == nil {
		cells = []reportCell{}
	}
	return json.Marshal(struct {
		RowType string       `json:"RowType"`
		Cells   []reportCell `json:"Cells"`
	}{r.RowType, cells})
}

// reportCell is one cell: a string value and optional attributes.
type reportCell struct {
	Value      string       `json:"Value"`
	Attributes []reportAttr `json:"Attributes,omitempty"`
}

// reportAttr is a cell attribute: the account a figure belongs to, or
// the dates a derived figure covers.
type reportAttr struct {
	Value string `json:"Value"`
	ID    string `json:"Id"`
}

// reportHandler returns the handler and scope rule for GET /Reports/{name}
// (name matched case-insensitively), or ok=false for a report the sandbox does not serve.
func (s *Server) reportHandler(name string) (h apiHandler, scopes scopeRule, ok bool) {
	switch strings.ToLower(name) {
	case "trialbalance":
		return s.trialBalanceHandler, scopeTrialBalance, true
	case "profitandloss":
		return s.profitAndLossHandler, scopeProfitLoss, true
	case "balancesheet":
		return s.balanceSheetHandler, scopeBalanceSheet, true
	}
	return nil, nil, false
}

// The handlers read their parameters before taking the organisation's
// read lock, so a bad request never waits on a writer.

func (s *Server) trialBalanceHandler(c *call) (int, []byte, *apiError) {
	now := s.clock.Now()
	date, ok, apiErr := reportDateParam(c.r.URL.Query(), "date")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if !ok {
		date = dayStart(now)
	}
	c.org.mu.RLock()
	r := trialBalanceReport(c.org, date, now)
	c.org.mu.RUnlock()
	return reportResponse(c, now, r)
}

func (s *Server) profitAndLossHandler(c *call) (int, []byte, *apiError) {
	now := s.clock.Now()
	from, to, cols, apiErr := profitAndLossParams(c.r.URL.Query(), now)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	c.org.mu.RLock()
	r := profitAndLossReport(c.org, from, to, cols, now)
	c.org.mu.RUnlock()
	return reportResponse(c, now, r)
}

func (s *Server) balanceSheetHandler(c *call) (int, []byte, *apiError) {
	now := s.clock.Now()
	date, cols, apiErr := balanceSheetParams(c.r.URL.Query(), now)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	c.org.mu.RLock()
	r := balanceSheetReport(c.org, date, cols, now)
	c.org.mu.RUnlock()
	return reportResponse(c, now, r)
}

// reportResponse wraps one report in the Reports envelope.
func reportResponse(c *call, now time.Time, r *report) (int, []byte, *apiError) {
	body, err := envelope("Reports", now.UnixMilli(), nil, []*report{r})
	if err != nil {
		return 0, nil, errServer(c.instance)
	}
	return http.StatusOK, body, nil
}

// ---------------------------------------------------------------------------
// Parameters

// columns is the comparison a report asks for: how many columns and how
// many months apart they are.
type columns struct {
	count  int // 1 + periods
	months int // 1, 3 or 12
}

// reportDateParam reads a YYYY-MM-DD parameter (a trailing time of day, as
// .NET clients send "2019-10-31T00:00:00", is allowed and dropped). An
// absent or empty parameter gives the zero time and ok=false.
func reportDateParam(q url.Values, name string) (time.Time, bool, *apiError) {
	v, ok := queryParam(q, name)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return time.Time{}, false, nil
	}
	day := v
	if i := strings.IndexByte(v, 'T'); i >= 0 {
		if _, err := time.Parse("15:04:05", strings.TrimSuffix(v[i+1:], "Z")); err != nil {
			return time.Time{}, false, badDate(name, v)
		}
		day = v[:i]
	}
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return time.Time{}, false, badDate(name, v)
	}
	return t, true, nil
}

func badDate(name, v string) *apiError {
	return errValidation("The value '" + v + "' is not valid for " + name + ": send a date as YYYY-MM-DD.")
}

// columnsParams reads periods (1–12 comparative periods) and timeframe
// (MONTH, QUARTER or YEAR).
func columnsParams(q url.Values) (columns, *apiError) {
	cols := columns{count: 1, months: 1}
	if v, _ := queryParam(q, "timeframe"); strings.TrimSpace(v) != "" {
		switch strings.ToUpper(strings.TrimSpace(v)) {
		case "MONTH":
		case "QUARTER":
			cols.months = 3
		case "YEAR":
			cols.months = 12
		default:
			return cols, errValidation("The value '" + v + "' is not valid for timeframe: send MONTH, QUARTER or YEAR.")
		}
	}
	if v, _ := queryParam(q, "periods"); strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 12 {
			return cols, errValidation("The value '" + v + "' is not valid for periods: send a whole number from 1 to 12.")
		}
		cols.count = 1 + n
	}
	return cols, nil
}

// profitAndLossParams reads fromDate, toDate, periods and timeframe. The
// default period is the current month.
func profitAndLossParams(q url.Values, now time.Time) (from, to time.Time, cols columns, apiErr *apiError) {
	from, hasFrom, apiErr := reportDateParam(q, "fromDate")
	if apiErr != nil {
		return from, to, cols, apiErr
	}
	to, hasTo, apiErr := reportDateParam(q, "toDate")
	if apiErr != nil {
		return from, to, cols, apiErr
	}
	switch {
	case !hasFrom && !hasTo:
		from = monthStart(dayStart(now))
		to = from.AddDate(0, 1, -1)
	case !hasTo:
		to = addMonths(from, 1, false).AddDate(0, 0, -1)
	case !hasFrom:
		from = addMonths(to, -1, true).AddDate(0, 0, 1)
	}
	if from.After(to) {
		return from, to, cols, errValidation("fromDate " + from.Format(time.DateOnly) + " is after toDate " + to.Format(time.DateOnly) + ".")
	}
	cols, apiErr = columnsParams(q)
	return from, to, cols, apiErr
}

// balanceSheetParams reads date, periods and timeframe. The default date
// is the end of the current month.
func balanceSheetParams(q url.Values, now time.Time) (time.Time, columns, *apiError) {
	date, ok, apiErr := reportDateParam(q, "date")
	if apiErr != nil {
		return date, columns{}, apiErr
	}
	if !ok {
		date = monthStart(dayStart(now)).AddDate(0, 1, -1)
	}
	cols, apiErr := columnsParams(q)
	return date, cols, apiErr
}

// ---------------------------------------------------------------------------
// Calendar

// dayStart is midnight UTC of t's day.
func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addMonths moves a date n months, clamping the day to the target month;
// with keepEnd, the last day of a month moves to the last day of the
// target month (31 Mar − 1 month = 28 Feb, 28 Feb − 1 month = 31 Jan).
func addMonths(t time.Time, n int, keepEnd bool) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := daysIn(first.Year(), first.Month())
	if d > last || (keepEnd && d == daysIn(y, m)) {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// fyStart returns the first day of the financial year containing date,
// for a year ending on (endDay, endMonth); out-of-range settings fall back
// to the month's last day and December.
func fyStart(date time.Time, endDay, endMonth int) time.Time {
	if endMonth < 1 || endMonth > 12 {
		endMonth = 12
	}
	end := fyEnd(date.Year(), endDay, time.Month(endMonth))
	if !date.After(end) {
		end = fyEnd(date.Year()-1, endDay, time.Month(endMonth))
	}
	return end.AddDate(0, 0, 1)
}

func fyEnd(year, day int, month time.Month) time.Time {
	if last := daysIn(year, month); day < 1 || day > last {
		day = last
	}
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// orgFYStart is fyStart with the organisation's year end.
func orgFYStart(o *Org, date time.Time) time.Time {
	day, month := 31, 12
	if o.Organisation != nil {
		day, month = o.Organisation.FinancialYearEndDay, o.Organisation.FinancialYearEndMonth
	}
	return fyStart(date, day, month)
}

// ---------------------------------------------------------------------------
// Accounts

// reportAccount is an account as the reports classify it.
type reportAccount struct {
	id, name, code, typ, class string
}

// label is the trial balance's account label, "Sales (200)".
func (a reportAccount) label() string {
	if a.code == "" {
		return a.name
	}
	return a.name + " (" + a.code + ")"
}

// profitOrLoss reports whether the account closes to retained earnings at
// the year end.
func (a reportAccount) profitOrLoss() bool { return a.class == "REVENUE" || a.class == "EXPENSE" }

// normalDebit reports whether the account's class normally holds a debit.
func (a reportAccount) normalDebit() bool { return a.class == "ASSET" || a.class == "EXPENSE" }

// chart is the accounts the reports list, sorted by name then code, with
// the retained earnings account (a placeholder if the chart has none).
type chart struct {
	accounts []reportAccount
	retained reportAccount
}

// reportChart classifies the chart plus any account the given figures
// mention that the chart no longer holds. The caller holds o.mu.
func reportChart(o *Org, figures ...map[string]Money) chart {
	var ch chart
	seen := map[string]bool{}
	for _, a := range o.Accounts.All() {
		ra := reportAccount{id: a.AccountID, name: a.Name, code: a.Code, typ: a.Type, class: accountClass(a.Type)}
		seen[a.AccountID] = true
		if a.SystemAccount == "RETAINEDEARNINGS" && ch.retained.id == "" {
			ch.retained = ra
			continue
		}
		ch.accounts = append(ch.accounts, ra)
	}
	for _, f := range figures {
		for id := range f {
			if !seen[id] {
				seen[id] = true
				ch.accounts = append(ch.accounts, reportAccount{id: id, name: id, typ: "CURRENT", class: "ASSET"})
			}
		}
	}
	if ch.retained.id == "" {
		ch.retained = reportAccount{id: nilUUID, name: "Retained Earnings", typ: "EQUITY", class: "EQUITY"}
	}
	slices.SortFunc(ch.accounts, func(a, b reportAccount) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.code, b.code)
	})
	return ch
}

// priorEarnings sums the profit-and-loss balances in balances: the
// earlier years' result that Xero closes into retained earnings (signed,
// debit positive: a profit is negative).
func (ch chart) priorEarnings(balances map[string]Money) Money {
	var sum Money
	for _, a := range ch.accounts {
		if a.profitOrLoss() {
			sum += balances[a.id]
		}
	}
	return sum
}

func orgName(o *Org) string {
	if o.Organisation != nil && o.Organisation.Name != "" {
		return o.Organisation.Name
	}
	return o.Name
}

func newReport(o *Org, id, name string, now time.Time, subtitle string) *report {
	return &report{
		ReportID: id, ReportName: name, ReportType: id,
		ReportTitles:   []string{name, orgName(o), subtitle},
		ReportDate:     now.UTC().Format(reportLongDate),
		UpdatedDateUTC: envelopeDate(now),
		Fields:         []any{},
	}
}

// accountAttr is the attribute tying a cell to its account.
func accountAttr(id string) []reportAttr { return []reportAttr{{Value: id, ID: "account"}} }

// datedAttrs adds the fromDate/toDate attributes Xero puts on derived
// equity figures; a zero from is sent as "".
func datedAttrs(id string, from, to time.Time) []reportAttr {
	f := ""
	if !from.IsZero() {
		f = from.Format(reportAttrDate)
	}
	return []reportAttr{{Value: id, ID: "account"}, {Value: f, ID: "fromDate"}, {Value: to.Format(reportAttrDate), ID: "toDate"}}
}

func section(title string, rows ...reportRow) reportRow {
	return reportRow{RowType: "Section", Title: title, Rows: rows}
}

// totalRow is a row of a label and one figure per column, without
// attributes: SummaryRows and the subtotal Rows.
func totalRow(rowType, label string, values []Money) reportRow {
	cells := make([]reportCell, 0, len(values)+1)
	cells = append(cells, reportCell{Value: label})
	for _, v := range values {
		cells = append(cells, reportCell{Value: v.String()})
	}
	return reportRow{RowType: rowType, Cells: cells}
}

// accountRow is an account's row, each cell carrying the account attribute.
func accountRow(id, label string, values []Money) reportRow {
	attrs := accountAttr(id)
	cells := make([]reportCell, 0, len(values)+1)
	cells = append(cells, reportCell{Value: label, Attributes: attrs})
	for _, v := range values {
		cells = append(cells, reportCell{Value: v.String(), Attributes: attrs})
	}
	return reportRow{RowType: "Row", Cells: cells}
}

func headerRow(first string, labels []string) reportRow {
	cells := []reportCell{{Value: first}}
	for _, l := range labels {
		cells = append(cells, reportCell{Value: l})
	}
	return reportRow{RowType: "Header", Cells: cells}
}

func allZero(values []Money) bool {
	for _, v := range values {
		if v != 0 {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Trial balance

// tbSections are the trial balance's sections, by account class.
var tbSections = []struct{ class, title string }{
	{"REVENUE", "Revenue"}, {"EXPENSE", "Expenses"}, {"ASSET", "Assets"},
	{"LIABILITY", "Liabilities"}, {"EQUITY", "Equity"},
}

// trialBalanceReport builds the trial balance as at date. The caller
// holds o.mu.
func trialBalanceReport(o *Org, date, now time.Time) *report {
	date = dayStart(date)
	fy := orgFYStart(o, date)
	from := monthStart(date)
	if from.Before(fy) {
		from = fy
	}
	closing := o.Balances(date)
	prior := o.Balances(fy.AddDate(0, 0, -1))
	month := o.Movements(from, date)
	ch := reportChart(o, closing, prior, month)

	r := newReport(o, "TrialBalance", "Trial Balance", now, "As at "+date.Format(reportLongDate))
	r.Rows = []reportRow{headerRow("Account", []string{"Debit", "Credit", "YTD Debit", "YTD Credit"})}
	var totals [4]Money // debit, credit, YTD debit, YTD credit
	for _, sec := range tbSections {
		var rows []reportRow
		add := func(a reportAccount, period, ytd Money, attrs []reportAttr) {
			if period == 0 && ytd == 0 {
				return
			}
			dr, cr := debitCredit(period, a.normalDebit())
			ydr, ycr := debitCredit(ytd, a.normalDebit())
			totals[0] += max(period, 0)
			totals[1] += max(-period, 0)
			totals[2] += max(ytd, 0)
			totals[3] += max(-ytd, 0)
			cells := []reportCell{{Value: a.label(), Attributes: accountAttr(a.id)}}
			for _, v := range []string{dr, cr, ydr, ycr} {
				cells = append(cells, reportCell{Value: v, Attributes: attrs})
			}
			rows = append(rows, reportRow{RowType: "Row", Cells: cells})
		}
		for _, a := range ch.accounts {
			if a.class != sec.class {
				continue
			}
			ytd := closing[a.id]
			if a.profitOrLoss() {
				ytd -= prior[a.id]
			}
			add(a, month[a.id], ytd, accountAttr(a.id))
		}
		if sec.class == "EQUITY" {
			re := ch.retained
			add(re, month[re.id], closing[re.id]+ch.priorEarnings(prior),
				datedAttrs(re.id, time.Time{}, fy.AddDate(0, 0, -1)))
		}
		if len(rows) > 0 {
			r.Rows = append(r.Rows, section(sec.title, rows...))
		}
	}
	r.Rows = append(r.Rows, section("", totalRow("SummaryRow", "Total", totals[:])))
	return r
}

// debitCredit places a signed amount in the debit or credit column; zero
// goes on the normal side as "0.00", the other cell is "".
func debitCredit(amount Money, normalDebit bool) (debit, credit string) {
	switch {
	case amount > 0:
		return amount.String(), ""
	case amount < 0:
		return "", (-amount).String()
	case normalDebit:
		return "0.00", ""
	default:
		return "", "0.00"
	}
}

// ---------------------------------------------------------------------------
// Profit and loss

// plSection is a group of profit-and-loss accounts; sign turns the
// ledger's debit-positive movement into the figure shown (income is shown
// positive, so −1).
type plSection struct {
	title, total string
	sign         Money
	match        func(reportAccount) bool
}

var (
	plIncome = plSection{"Income", "Total Income", -1, func(a reportAccount) bool {
		return a.class == "REVENUE" && a.typ != "OTHERINCOME"
	}}
	plCostOfSales = plSection{"Less Cost of Sales", "Total Cost of Sales", 1, func(a reportAccount) bool {
		return a.typ == "DIRECTCOSTS"
	}}
	plOtherIncome = plSection{"Plus Other Income", "Total Other Income", -1, func(a reportAccount) bool {
		return a.typ == "OTHERINCOME"
	}}
	plExpenses = plSection{"Less Operating Expenses", "Total Operating Expenses", 1, func(a reportAccount) bool {
		return a.class == "EXPENSE" && a.typ != "DIRECTCOSTS"
	}}
)

// profitAndLossReport builds the profit and loss for [from, to] and its
// earlier comparative periods. The caller holds o.mu.
func profitAndLossReport(o *Org, from, to time.Time, cols columns, now time.Time) *report {
	from, to = dayStart(from), dayStart(to)
	moves := make([]map[string]Money, cols.count)
	labels := make([]string, cols.count)
	for k := range cols.count {
		f := addMonths(from, -k*cols.months, false)
		t := addMonths(to, -k*cols.months, true)
		moves[k] = o.Movements(f, t)
		labels[k] = t.Format(reportColumnDate)
	}
	ch := reportChart(o, moves...)

	subtitle := "For the period " + from.Format(reportLongDate) + " to " + to.Format(reportLongDate)
	if from.Day() == 1 && to.Equal(from.AddDate(0, 1, -1)) {
		subtitle = "For the month ended " + to.Format(reportLongDate)
	}
	r := newReport(o, "ProfitAndLoss", "Profit and Loss", now, subtitle)
	r.Rows = []reportRow{headerRow("", labels)}

	sectionTotals := func(sec plSection) []Money {
		totals := make([]Money, cols.count)
		var rows []reportRow
		for _, a := range ch.accounts {
			if !a.profitOrLoss() || !sec.match(a) {
				continue
			}
			values := make([]Money, cols.count)
			for k := range values {
				values[k] = sec.sign * moves[k][a.id]
				totals[k] += values[k]
			}
			if !allZero(values) {
				rows = append(rows, accountRow(a.id, a.name, values))
			}
		}
		if len(rows) > 0 {
			rows = append(rows, totalRow("SummaryRow", sec.total, totals))
			r.Rows = append(r.Rows, section(sec.title, rows...))
		}
		return totals
	}
	income := sectionTotals(plIncome)
	cos := sectionTotals(plCostOfSales)
	gross := make([]Money, cols.count)
	for k := range gross {
		gross[k] = income[k] - cos[k]
	}
	r.Rows = append(r.Rows, section("", totalRow("Row", "Gross Profit", gross)))
	other := sectionTotals(plOtherIncome)
	expenses := sectionTotals(plExpenses)
	net := make([]Money, cols.count)
	for k := range net {
		net[k] = gross[k] + other[k] - expenses[k]
	}
	r.Rows = append(r.Rows, section("", totalRow("Row", "Net Profit", net)))
	return r
}

// ---------------------------------------------------------------------------
// Balance sheet

// bsSection is a group of balance sheet accounts by type. Every type of
// the asset and liability classes (accountClass) is in one of them.
type bsSection struct {
	title string
	types []string
}

var (
	bsAssets = []bsSection{
		{"Bank", []string{"BANK"}},
		{"Current Assets", []string{"CURRENT", "PREPAYMENT", "INVENTORY"}},
		{"Fixed Assets", []string{"FIXED"}},
		{"Non-current Assets", []string{"NONCURRENT"}},
	}
	bsLiabilities = []bsSection{
		{"Current Liabilities", []string{"CURRLIAB", "PAYG"}},
		{"Non-current Liabilities", []string{"TERMLIAB", "LIABILITY"}},
	}
)

// balanceSheetReport builds the balance sheet as at date and earlier
// comparative dates. The caller holds o.mu.
func balanceSheetReport(o *Org, date time.Time, cols columns, now time.Time) *report {
	date = dayStart(date)
	dates := make([]time.Time, cols.count)
	fys := make([]time.Time, cols.count)
	closing := make([]map[string]Money, cols.count)
	prior := make([]map[string]Money, cols.count)
	labels := make([]string, cols.count)
	for k := range cols.count {
		dates[k] = addMonths(date, -k*cols.months, true)
		fys[k] = orgFYStart(o, dates[k])
		closing[k] = o.Balances(dates[k])
		prior[k] = o.Balances(fys[k].AddDate(0, 0, -1))
		labels[k] = dates[k].Format(reportColumnDate)
	}
	ch := reportChart(o, append(slices.Clone(closing), prior...)...)

	r := newReport(o, "BalanceSheet", "Balance Sheet", now, "As at "+date.Format(reportLongDate))
	r.Rows = []reportRow{headerRow("", labels)}

	// group adds the sections of one side and returns their total; sign
	// turns a debit-positive balance into the figure shown (liabilities
	// are shown as credits, so −1).
	group := func(heading, total string, secs []bsSection, sign Money) []Money {
		r.Rows = append(r.Rows, section(heading))
		sum := make([]Money, cols.count)
		for _, sec := range secs {
			totals := make([]Money, cols.count)
			var rows []reportRow
			for _, a := range ch.accounts {
				if !slices.Contains(sec.types, a.typ) {
					continue
				}
				values := make([]Money, cols.count)
				for k := range values {
					values[k] = sign * closing[k][a.id]
					totals[k] += values[k]
				}
				if !allZero(values) {
					rows = append(rows, accountRow(a.id, a.name, values))
				}
			}
			if len(rows) > 0 {
				rows = append(rows, totalRow("SummaryRow", "Total "+sec.title, totals))
				r.Rows = append(r.Rows, section(sec.title, rows...))
				for k := range sum {
					sum[k] += totals[k]
				}
			}
		}
		r.Rows = append(r.Rows, section("", totalRow("SummaryRow", total, sum)))
		return sum
	}
	assets := group("Assets", "Total Assets", bsAssets, 1)
	liabilities := group("Liabilities", "Total Liabilities", bsLiabilities, -1)
	net := make([]Money, cols.count)
	for k := range net {
		net[k] = assets[k] - liabilities[k]
	}
	r.Rows = append(r.Rows, section("", totalRow("Row", "Net Assets", net)))
	r.Rows = append(r.Rows, balanceSheetEquity(ch, dates, fys, closing, prior))
	return r
}

// balanceSheetEquity is the Equity section: Current Year Earnings (the
// profit since the start of each column's financial year), the equity
// accounts, and Retained Earnings with earlier years' profit closed into
// it, so Total Equity equals Net Assets.
func balanceSheetEquity(ch chart, dates, fys []time.Time, closing, prior []map[string]Money) reportRow {
	n := len(dates)
	total := make([]Money, n)
	rows := make([]reportRow, 0, 8)
	type line struct {
		name, id string
		values   []Money
		attrs    func(k int) []reportAttr // of column k's cell
	}
	var lines []line
	cye := line{name: "Current Year Earnings", id: nilUUID, values: make([]Money, n),
		attrs: func(k int) []reportAttr { return datedAttrs(nilUUID, fys[k], dates[k]) }}
	re := line{name: ch.retained.name, id: ch.retained.id, values: make([]Money, n),
		attrs: func(k int) []reportAttr { return datedAttrs(ch.retained.id, time.Time{}, dates[k]) }}
	for k := range n {
		cye.values[k] = -(ch.priorEarnings(closing[k]) - ch.priorEarnings(prior[k]))
		re.values[k] = -(closing[k][ch.retained.id] + ch.priorEarnings(prior[k]))
	}
	lines = append(lines, cye, re)
	for _, a := range ch.accounts {
		if a.class != "EQUITY" {
			continue
		}
		values := make([]Money, n)
		for k := range values {
			values[k] = -closing[k][a.id]
		}
		if !allZero(values) {
			id := a.id
			lines = append(lines, line{name: a.name, id: id, values: values,
				attrs: func(int) []reportAttr { return accountAttr(id) }})
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return strings.Compare(a.name, b.name) })
	for _, l := range lines {
		cells := make([]reportCell, 0, n+1)
		cells = append(cells, reportCell{Value: l.name, Attributes: accountAttr(l.id)})
		for k, v := range l.values {
			cells = append(cells, reportCell{Value: v.String(), Attributes: l.attrs(k)})
			total[k] += v
		}
		rows = append(rows, reportRow{RowType: "Row", Cells: cells})
	}
	rows = append(rows, totalRow("SummaryRow", "Total Equity", total))
	return section("Equity", rows...)
}
