package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/datapull/datapull/internal/pull"
)

// progress shows a pull's events: a live line on a terminal, one plain
// line per finished endpoint otherwise, or one JSON object per event.
type progress struct {
	w       io.Writer
	style   string // "live", "plain" or "json"
	mu      sync.Mutex
	began   time.Time
	drawn   time.Time // when the live line was last drawn
	hasLine bool
	enc     *json.Encoder
}

func newProgress(w io.Writer, asJSON bool) *progress {
	p := &progress{w: w, style: "plain", began: time.Now()}
	switch {
	case asJSON:
		p.style, p.enc = "json", json.NewEncoder(w)
	case isTerminal(w):
		p.style = "live"
	}
	return p
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// event is the engine's OnEvent.
func (p *progress) event(ev pull.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.style == "json" {
		p.enc.Encode(ev)
		return
	}
	switch ev.Kind {
	case pull.PullStarted:
		what := "Pulling"
		if ev.Resumed {
			what = fmt.Sprintf("Resuming pull %d (started %s):", ev.Pull.ID, formatTime(ev.Pull.StartedAt))
		}
		p.line(fmt.Sprintf("%s %d endpoints (%s sync)", what, ev.Endpoints, ev.Pull.Mode))
	case pull.EndpointStarted, pull.PageStored:
		if p.style == "live" && (ev.Kind == pull.EndpointStarted || time.Since(p.drawn) > 100*time.Millisecond) {
			p.live(ev)
		}
	case pull.EndpointDone:
		p.line(endpointLine(ev))
	case pull.NoteAdded:
		p.line(fmt.Sprintf("  note (%s) %s: %s", ev.Note.Severity, ev.Endpoint, ev.Note.Message))
	case pull.PullFinished:
		p.line(fmt.Sprintf("Pull %d %s in %s: %s records, %s downloaded in %s calls.", ev.Pull.ID, ev.Pull.Status,
			formatDuration(time.Since(p.began)), formatCount(ev.Pull.Records), formatBytes(ev.Pull.Bytes), formatCount(ev.Pull.Calls)))
	}
}

// live redraws the one status line of a terminal.
func (p *progress) live(ev pull.Event) {
	total := ""
	if ev.Total >= 0 {
		total = " of " + formatCount(ev.Total)
	}
	fmt.Fprintf(p.w, "\r\x1b[K[%d/%d] %s (%s): %s records%s · pull so far %s records, %s, %s calls · %s",
		ev.Index, ev.Endpoints, ev.Endpoint, ev.Mode, formatCount(ev.Counts.Fetched), total,
		formatCount(ev.Totals.Fetched), formatBytes(ev.Totals.Bytes), formatCount(ev.Totals.Calls),
		formatDuration(time.Since(p.began)))
	p.drawn, p.hasLine = time.Now(), true
}

// line prints a permanent line, clearing the live one first.
func (p *progress) line(s string) {
	if p.hasLine {
		io.WriteString(p.w, "\r\x1b[K")
		p.hasLine = false
	}
	io.WriteString(p.w, s+"\n")
}

func endpointLine(ev pull.Event) string {
	r := ev.Result
	var b strings.Builder
	fmt.Fprintf(&b, "  [%d/%d] %-22s %-11s %s fetched", ev.Index, ev.Endpoints, r.Endpoint, r.Mode, formatCount(r.Fetched))
	var changes []string
	for _, c := range []struct {
		n    int64
		word string
	}{{r.Inserted, "new"}, {r.Updated, "changed"}, {r.Deleted, "deleted"}} {
		if c.n > 0 {
			changes = append(changes, formatCount(c.n)+" "+c.word)
		}
	}
	if len(changes) > 0 {
		b.WriteString(" (" + strings.Join(changes, ", ") + ")")
	}
	fmt.Fprintf(&b, ", %s calls, %s, %s", formatCount(r.Calls), formatBytes(r.Bytes), formatDuration(r.Duration))
	if r.Status != "ok" {
		fmt.Fprintf(&b, " [%s: %s]", r.Status, oneLine(r.Reason, 120))
	}
	return b.String()
}
