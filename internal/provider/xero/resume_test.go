package xero

import (
	"errors"
	"slices"
	"testing"

	"github.com/datapull/datapull/internal/provider"
)

// TestResumeNeverRereadsStoredPages stops every endpoint's pull after page
// k (the engine refuses page k+1, as when the process is killed before it
// is stored) and resumes from the last stored cursor. The resumed pull
// must make exactly the calls the clean pull made after page k, plus at
// most one: the reports' organisation read, or the re-read of the parent
// listing page the attachments endpoint was in the middle of (two when
// that page is the last of its listing and so brings its catch-up call).
// Nothing before page k is read again, and the records end up as a clean
// pull's.
func TestResumeNeverRereadsStoredPages(t *testing.T) {
	e := newEnv(t, envOptions{source: []Option{WithPageSize(10)}})
	resumed := 0 // endpoints long enough to stop in the middle
	for _, mode := range []provider.Mode{provider.Incremental, provider.Full} {
		for _, info := range e.src.Catalog() {
			name := info.Name
			t.Run(string(mode)+"/"+name, func(t *testing.T) {
				// The clean pull, noting how many calls were made by the
				// time each page was stored.
				e.gate.reset()
				clean := newSink()
				var callsAt []int
				clean.afterFn = func(int) { callsAt = append(callsAt, len(e.gate.calls())) }
				if err := e.pullInto(clean, name, mode, nil); err != nil {
					t.Fatalf("clean pull: %v", err)
				}
				all := e.gate.calls()
				if clean.pages < 3 {
					return // too few pages to stop in the middle; counted below
				}
				resumed++
				k := clean.pages / 2

				e.gate.reset()
				s := newSink()
				s.failAt = k + 1
				err := e.pullInto(s, name, mode, nil)
				if !errors.Is(err, errKilled) {
					t.Fatalf("stopped pull: err %v, want the sink's refusal", err)
				}
				if s.pages != k {
					t.Fatalf("stored %d pages, want %d", s.pages, k)
				}

				e.gate.reset()
				s.failAt = 0
				if err := e.pullInto(s, name, mode, s.cursor); err != nil {
					t.Fatalf("resumed pull: %v", err)
				}
				resumed := e.gate.calls()
				want := all[callsAt[k-1]:]
				extra, allowed := len(resumed)-len(want), 1
				if name == "attachments" {
					allowed = 2
				}
				if extra < 0 || extra > allowed || !slices.Equal(resumed[extra:], want) {
					t.Errorf("resumed with %d calls, want the clean pull's last %d (+ at most %d)\n got %q\nwant %q",
						len(resumed), len(want), allowed, head(resumed), head(want))
				}
				if len(s.recs) != len(clean.recs) {
					t.Errorf("%d records after resuming, want %d", len(s.recs), len(clean.recs))
				}
				for id, r := range clean.recs {
					if got, ok := s.recs[id]; !ok || string(got.Payload) != string(r.Payload) {
						t.Errorf("record %s lost or changed by the resume", id)
						break
					}
				}
				t.Logf("%d pages; stopped after %d; clean %d calls, resumed %d", clean.pages, k, len(all), len(resumed))
			})
		}
	}
	// With pages of 10, most endpoints of the demo organisation span
	// several pages; the test proves nothing if none did.
	if resumed < 10 {
		t.Errorf("only %d endpoint pulls were long enough to resume mid-way; want at least 10", resumed)
	}
}

func head(s []string) []string {
	if len(s) > 4 {
		return s[:4]
	}
	return s
}
