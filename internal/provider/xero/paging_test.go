package xero

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
	xsandbox "github.com/datapull/datapull/internal/sandbox/xero"
)

// refile edits a sandbox record and files it again at its new change
// time. It stands in for Collection.Update, which (as of this writing)
// edits the record before searching for its old place, so the search can
// meet the edited record and panic.
func refile[T xsandbox.Record](c *xsandbox.Collection[T], id string, edit func(T)) {
	r, ok := c.Get(id)
	if !ok {
		panic("refile: no record " + id)
	}
	c.Delete(id)
	edit(r)
	c.Put(r)
}

// touchInvoice gives the invoice at position i of the sandbox's default
// (oldest first) order a new UpdatedDateUTC, a minute after the last one,
// as an edit in Xero would. Call it under the gate's lock.
func touchInvoice(srv *xsandbox.Server, o *xsandbox.Org, i int) string {
	id := o.Invoices.All()[i].InvoiceID
	now := srv.Clock().Advance(time.Minute)
	refile(o.Invoices, id, func(inv *xsandbox.Invoice) {
		inv.Reference = "edited mid-pull"
		inv.UpdatedDateUTC = xsandbox.MSDateOf(now)
		inv.UpdatedDateUTCString = now.UTC().Format(time.RFC3339)
	})
	return id
}

// TestDescPagingLosesNothingUnderConcurrentEdit edits invoices through the
// sandbox while the connector is between pages: one already read and one
// not yet read. Newest-first paging must still return every invoice (a
// record read twice is fine), the edited ones as edited (the one moved to
// the already-read front comes from the catch-up call), and the next
// incremental pull must return them again (the cursor stays at the pull's
// start). The control reads the same way but oldest first, as most
// connectors do, and shows the record it loses: the reason the connector
// pages in descending order.
func TestDescPagingLosesNothingUnderConcurrentEdit(t *testing.T) {
	const pageSize = 100
	editBeforePage3 := func(e *env, edit func(o *xsandbox.Org) []string) *[]string {
		var edited []string
		e.gate.before = func(r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/Invoices") && r.URL.Query().Get("page") == "3" && edited == nil {
				edited = edit(e.org)
			}
		}
		return &edited
	}

	t.Run("desc", func(t *testing.T) {
		e := newEnv(t, envOptions{source: []Option{WithPageSize(pageSize)}})
		var ids []string
		e.gate.do(func() {
			for _, inv := range e.org.Invoices.All() {
				ids = append(ids, inv.InvoiceID)
			}
		})
		edited := editBeforePage3(e, func(o *xsandbox.Org) []string {
			// Oldest-first positions: 100 is on page 4 of the newest-first
			// listing (not read yet), 450 on page 1 (read already).
			return []string{touchInvoice(e.srv, o, 100), touchInvoice(e.srv, o, 450)}
		})
		start := e.srv.Clock().Now()
		s := newSink()
		if err := e.eps["invoices"].Pull(context.Background(),
			provider.PullRequest{Mode: provider.Full, Start: start}, s.emit); err != nil {
			t.Fatal(err)
		}
		e.gate.before = nil
		if len(*edited) != 2 {
			t.Fatal("the edit between pages did not happen")
		}
		for _, id := range ids {
			if _, ok := s.recs[id]; !ok {
				t.Errorf("invoice %s lost", id)
			}
		}
		for _, id := range *edited {
			if !strings.Contains(string(s.recs[id].Payload), "edited mid-pull") {
				t.Errorf("invoice %s: the pull kept the version from before the edit", id)
			}
		}
		if calls := len(e.gate.calls()); calls != 500/pageSize+1 {
			t.Errorf("%d calls, want %d pages + 1 catch-up", calls, 500/pageSize)
		}
		twice := 0
		for _, n := range s.seen {
			if n > 1 {
				twice++
			}
		}
		t.Logf("%d invoices, %d read twice, %d edits mid-pull", len(s.recs), twice, len(*edited))

		next, err := e.pull("invoices", provider.Incremental, s.cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range *edited {
			if r, ok := next.recs[id]; !ok || !strings.Contains(string(r.Payload), "edited mid-pull") {
				t.Errorf("edited invoice %s not returned by the next incremental pull", id)
			}
		}
	})

	t.Run("asc control", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		var ids []string
		e.gate.do(func() {
			for _, inv := range e.org.Invoices.All() {
				ids = append(ids, inv.InvoiceID)
			}
		})
		editBeforePage3(e, func(o *xsandbox.Org) []string {
			return []string{touchInvoice(e.srv, o, 50)} // on page 1, read already
		})
		got := map[string]bool{}
		c := &conn{hc: e.hc, api: e.base.API + "/api.xro/2.0", tenant: e.tenant}
		for page := 1; ; page++ {
			q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(pageSize)}, "order": {"UpdatedDateUTC ASC"}}
			list, err := c.list(context.Background(), "invoices", "Invoices", "Invoices", q, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range list.Records {
				m, _ := api.ReadMeta(raw, "InvoiceID", "")
				got[m.ID] = true
			}
			if len(list.Records) < pageSize {
				break
			}
		}
		lost := 0
		for _, id := range ids {
			if !got[id] {
				lost++
			}
		}
		if lost == 0 {
			t.Error("oldest-first paging lost nothing: the control no longer shows why the connector pages newest first")
		}
		t.Logf("oldest-first paging lost %d invoice(s) to one edit mid-pull", lost)
	})
}

// TestManualJournalsAdvanceThroughOneSecond puts 25 manual journals in one
// second and the rest in the next, then pulls with pages of 10: whole
// pages share one second, so the connector must page within the second
// (page 2, 3) before advancing If-Modified-Since. Every journal must come
// exactly once, the pull must end, and no call may carry `order` (which
// makes Xero ignore paging, G5).
func TestManualJournalsAdvanceThroughOneSecond(t *testing.T) {
	second := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	var n int
	e := newEnv(t, envOptions{source: []Option{WithPageSize(10)}, world: func(srv *xsandbox.Server) {
		o := srv.World().Orgs[0]
		var ids []string
		for _, mj := range o.ManualJournals.All() {
			ids = append(ids, mj.ManualJournalID)
		}
		n = len(ids)
		for i, id := range ids {
			at := second.Add(time.Duration(i) * time.Millisecond)
			if i >= 25 {
				at = second.Add(time.Second + time.Duration(i)*time.Millisecond)
			}
			refile(o.ManualJournals, id, func(mj *xsandbox.ManualJournal) { mj.UpdatedDateUTC = xsandbox.MSDateOf(at) })
		}
	}})
	if n < 30 {
		t.Fatalf("only %d manual journals in the demo organisation", n)
	}
	for _, mode := range []provider.Mode{provider.Full, provider.Incremental} {
		e.gate.reset()
		var cursor provider.Cursor
		if mode == provider.Incremental {
			// From a cursor at the crowded second itself.
			cursor = encodeCursor(doneCursor(second))
		}
		s, err := e.pull("manual_journals", mode, cursor)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if len(s.recs) != n {
			t.Errorf("%s: %d manual journals, want %d", mode, len(s.recs), n)
		}
		for id, times := range s.seen {
			if times != 1 {
				t.Errorf("%s: %s emitted %d times", mode, id, times)
			}
		}
		calls := e.gate.calls()
		for _, c := range calls {
			if strings.Contains(strings.ToLower(c), "order=") {
				t.Errorf("%s: a ManualJournals call sent order: %s", mode, c)
			}
		}
		// Pages of ten through 25 + 9 records: ceil(34/10) = 4, plus the
		// advance's re-read of the few already-read rows of its second.
		if len(calls) > 6 {
			t.Errorf("%s: %d calls: %q", mode, len(calls), calls)
		}
		var cur listCursor
		json.Unmarshal(s.cursor, &cur)
		if want := second.Add(time.Second).Format(time.RFC3339); cur.Since != want || cur.Page != 0 {
			t.Errorf("%s: final cursor %s, want since %s page 0", mode, s.cursor, want)
		}
		t.Logf("%s: %d calls: %q", mode, len(calls), calls)
	}
}

// TestJournalsOffsetWithGaps removes journal numbers around the first
// call's boundary and every seventh later: the offset loop must follow the
// largest JournalNumber received (never offset+100), read every remaining
// journal once, stop on a short page, and the next pull must read only the
// journals added since.
func TestJournalsOffsetWithGaps(t *testing.T) {
	var held []*xsandbox.Journal
	e := newEnv(t, envOptions{world: func(srv *xsandbox.Server) {
		o := srv.World().Orgs[0]
		all := slices.Clone(o.Journals.All())
		for _, j := range all {
			if (j.JournalNumber >= 95 && j.JournalNumber <= 105) || (j.JournalNumber > 300 && j.JournalNumber%7 == 0) {
				o.Journals.Delete(j.JournalID)
			}
		}
		// The newest 30 arrive after the first pull.
		rest := o.Journals.All()
		held = slices.Clone(rest[len(rest)-30:])
		for _, j := range held {
			o.Journals.Delete(j.JournalID)
		}
	}})
	var want []truthRecord
	e.gate.do(func() { want = truth(e.org, "journals") })

	s, err := e.pull("journals", provider.Incremental, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range compare(s.recs, want) {
		t.Error(d)
	}
	calls := e.gate.calls()
	if max := (len(want)+journalsPerCall-1)/journalsPerCall + 1; len(calls) > max {
		t.Errorf("%d calls for %d journals, want at most %d", len(calls), len(want), max)
	}
	// Each offset is the largest number the previous call returned, never
	// offset+100: the numbers have gaps.
	var numbers []int64
	e.gate.do(func() {
		for _, j := range e.org.Journals.All() {
			numbers = append(numbers, j.JournalNumber)
		}
	})
	for i, c := range calls {
		want := int64(0)
		if i > 0 {
			want = numbers[i*journalsPerCall-1]
		}
		if !strings.HasSuffix(c, "offset="+strconv.FormatInt(want, 10)) {
			t.Errorf("call %d is %q, want offset=%d", i+1, c, want)
		}
	}
	if numbers[journalsPerCall-1] == journalsPerCall {
		t.Error("the first call's journals are numbered without gaps: the test proves nothing")
	}

	e.gate.reset()
	e.gate.do(func() {
		for _, j := range held {
			e.org.Journals.Put(j)
		}
	})
	next, err := e.pull("journals", provider.Incremental, s.cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.recs) != len(held) || len(e.gate.calls()) != 1 {
		t.Errorf("incremental: %d journals in %d calls, want the %d added in 1", len(next.recs), len(e.gate.calls()), len(held))
	}
	for _, j := range held {
		if _, ok := next.recs[j.JournalID]; !ok {
			t.Errorf("journal %d not read by the incremental pull", j.JournalNumber)
		}
	}
}

// TestMissingScopeIsNotAvailable signs in without the journals scope (as
// granular custom connections must since April 2026) and without the
// attachments scope: those endpoints must say "not available for this
// account", never return an empty table, while the others still work.
func TestMissingScopeIsNotAvailable(t *testing.T) {
	scopes := slices.DeleteFunc(New().scopes(), func(s string) bool {
		return s == "accounting.journals.read" || s == "accounting.attachments.read"
	})
	e := newEnv(t, envOptions{scopes: scopes})
	for _, name := range []string{"journals", "attachments"} {
		s, err := e.pull(name, provider.Full, nil)
		var na *provider.NotAvailableError
		if !errors.As(err, &na) || na.Endpoint != name {
			t.Fatalf("%s: err %v, want NotAvailableError", name, err)
		}
		if len(s.recs) != 0 || s.pages != 0 {
			t.Errorf("%s: %d pages emitted before the refusal", name, s.pages)
		}
		var apiErr *provider.APIError
		if !errors.As(err, &apiErr) || apiErr.CorrelationID == "" {
			t.Errorf("%s: the cause %v lacks the Xero-Correlation-Id", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	if _, err := e.pull("invoices", provider.Full, nil); err != nil {
		t.Errorf("invoices: %v", err)
	}
}
