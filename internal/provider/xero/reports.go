package xero

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
)

// monthID is how a report-month is keyed: "2026-04".
const monthID = "2006-01"

// reportCursor is a report endpoint's cursor: {"v":1} when done, with
// month, the next month to read, while a pull is in progress.
type reportCursor struct {
	V     int    `json:"v"`
	Month string `json:"month,omitempty"`
}

// reportEndpoint reads one of Xero's computed reports once per month of
// the current financial year, one record per month keyed "YYYY-MM" with
// the report as Xero sent it. Reports have no change time and no
// incremental form, so every pull reads them whole.
type reportEndpoint struct {
	c      *conn
	name   string // report_trial_balance
	report string // TrialBalance
	// params are the query of the month running from first to last (days).
	params func(first, last time.Time) url.Values
}

func reportEndpoints(c *conn) []provider.Endpoint {
	asAt := func(_, last time.Time) url.Values { return url.Values{"date": {last.Format(time.DateOnly)}} }
	return []provider.Endpoint{
		&reportEndpoint{c: c, name: "report_trial_balance", report: "TrialBalance", params: asAt},
		&reportEndpoint{c: c, name: "report_profit_and_loss", report: "ProfitAndLoss",
			params: func(first, last time.Time) url.Values {
				return url.Values{"fromDate": {first.Format(time.DateOnly)}, "toDate": {last.Format(time.DateOnly)}}
			}},
		&reportEndpoint{c: c, name: "report_balance_sheet", report: "BalanceSheet", params: asAt},
	}
}

// Info describes the report endpoint.
func (r *reportEndpoint) Info() provider.EndpointInfo { return provider.EndpointInfo{Name: r.name} }

// Pull reads the organisation's financial year end, then the report of
// each month from the year's first month to the current one; a pull that
// was stopped resumes at the month its cursor names.
func (r *reportEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	var cur reportCursor
	if err := decodeCursor(req.Cursor, &cur); err != nil {
		return fmt.Errorf("xero: %s: %w", r.name, err)
	}
	org, today, err := r.organisation(ctx, req.Start)
	if err != nil {
		return fmt.Errorf("xero: %s: %w", r.name, err)
	}
	months := financialYearMonths(org.FinancialYearEndDay, org.FinancialYearEndMonth, today)
	months = resumeMonths(months, cur.Month)
	for i, first := range months {
		last := first.AddDate(0, 1, -1)
		rec, err := r.read(ctx, first, last)
		if err != nil {
			return fmt.Errorf("xero: %s %s: %w", r.name, first.Format(monthID), err)
		}
		done := i == len(months)-1
		next := reportCursor{V: cursorVersion}
		if !done {
			next.Month = months[i+1].Format(monthID)
		}
		if err := emit(ctx, provider.Page{Records: []provider.Record{rec}, Cursor: encodeCursor(next), Done: done, Total: -1}); err != nil {
			return fmt.Errorf("xero: %s: %w", r.name, err)
		}
	}
	return nil
}

// organisation reads GET /Organisation for the financial year end, and
// Xero's clock from the envelope as "today", so a sandbox's clock is
// honoured; start stands in if the envelope has none.
func (r *reportEndpoint) organisation(ctx context.Context, start time.Time) (api.Organisation, time.Time, error) {
	var org api.Organisation
	list, err := r.c.list(ctx, r.name, "Organisation", "Organisations", nil, time.Time{})
	if err != nil {
		return org, time.Time{}, fmt.Errorf("read organisation: %w", err)
	}
	if len(list.Records) != 1 {
		return org, time.Time{}, fmt.Errorf("read organisation: got %d organisations, want 1", len(list.Records))
	}
	if err := json.Unmarshal(list.Records[0], &org); err != nil {
		return org, time.Time{}, fmt.Errorf("read organisation: %w", err)
	}
	today := list.ServerTime
	if today.IsZero() {
		today = start
	}
	if today.IsZero() {
		today = time.Now()
	}
	return org, today.UTC(), nil
}

// read fetches the report of one month.
func (r *reportEndpoint) read(ctx context.Context, first, last time.Time) (provider.Record, error) {
	list, err := r.c.list(ctx, r.name, "Reports/"+r.report, "Reports", r.params(first, last), time.Time{})
	if err != nil {
		return provider.Record{}, err
	}
	if len(list.Records) != 1 {
		return provider.Record{}, fmt.Errorf("got %d reports, want 1", len(list.Records))
	}
	return provider.Record{ID: first.Format(monthID), Status: provider.StatusActive, Payload: list.Records[0]}, nil
}

// financialYearMonths returns the first day of each month of the financial
// year that contains today, from its first month to today's. The year ends
// on day/month (Organisation.FinancialYearEndDay/Month); a day past the
// month's end (29 February in a common year) means its last day.
func financialYearMonths(day, month int, today time.Time) []time.Time {
	if month < 1 || month > 12 {
		month = 12
	}
	if day < 1 {
		day = 31
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	end := yearEnd(today.Year(), month, day)
	if end.Before(today) {
		end = yearEnd(today.Year()+1, month, day)
	}
	start := yearEnd(end.Year()-1, month, day).AddDate(0, 0, 1)
	var out []time.Time
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(today); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// yearEnd is day/month of year, or the month's last day if day is past it.
func yearEnd(year, month, day int) time.Time {
	lastDay := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(year, time.Month(month), min(day, lastDay), 0, 0, 0, 0, time.UTC)
}

// resumeMonths drops the months before the cursor's month. A cursor month
// outside this year's months (the year rolled over since) starts afresh.
func resumeMonths(months []time.Time, from string) []time.Time {
	if from == "" {
		return months
	}
	for i, m := range months {
		if m.Format(monthID) == from {
			return months[i:]
		}
	}
	return months
}
