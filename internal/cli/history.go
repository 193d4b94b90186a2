package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/datapull/datapull/internal/store"
)

// runHistory lists a workspace's pulls, newest first, or with -pull shows
// what one pull did to each endpoint and the notes it left.
func runHistory(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("history", env)
	db := addDBFlag(fs)
	wsArg := fs.String("workspace", "", "workspace (name or id; required)")
	connArg := fs.String("connection", "", "only this connection's pulls (id, account id or account name)")
	limit := fs.Int("limit", 20, "show at most this many pulls; 0 shows all")
	pullID := fs.Int64("pull", 0, "show this pull's endpoint results and notes")
	if _, err := parseArgs(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	switch {
	case *wsArg == "":
		return fmt.Errorf("%w: -workspace is required (see datapull workspace list)", errUsage)
	case *limit < 0:
		return fmt.Errorf("%w: -limit must be 0 (all) or more, got %d", errUsage, *limit)
	case *pullID < 0:
		return fmt.Errorf("%w: -pull must be a pull id from the history, got %d", errUsage, *pullID)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := findWorkspace(ctx, st, *wsArg)
	if err != nil {
		return err
	}
	var conns []store.Connection
	if *connArg != "" {
		c, err := findConnection(ctx, st, ws, *connArg)
		if err != nil {
			return err
		}
		conns = []store.Connection{c}
	} else if conns, err = st.Connections(ctx, ws.ID); err != nil {
		return fmt.Errorf("history: %w", err)
	}

	if *pullID > 0 {
		p, err := st.Pull(ctx, *pullID)
		inScope := err == nil && slices.ContainsFunc(conns, func(c store.Connection) bool { return c.ID == p.ConnectionID })
		if errors.Is(err, store.ErrNotFound) || (err == nil && !inScope) {
			return &lookupError{fmt.Sprintf("no pull %d in workspace %q (see datapull history -workspace %s)", *pullID, ws.Name, shellWord(ws.Name))}
		}
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		return writePullReport(ctx, env.Stdout, st, p.ID)
	}
	return writePullList(ctx, env.Stdout, st, ws, conns, *limit)
}

// writePullList writes the newest pulls of conns, at most limit (0: all).
func writePullList(ctx context.Context, w io.Writer, st *store.Store, ws store.Workspace, conns []store.Connection, limit int) error {
	names := map[int64]string{}
	var pulls []store.Pull
	for _, c := range conns {
		names[c.ID] = accountLabel(c)
		ps, err := st.Pulls(ctx, c.ID, limit)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		pulls = append(pulls, ps...)
	}
	// Pull ids only grow, so the highest id is the newest pull whatever
	// the clocks said.
	slices.SortFunc(pulls, func(a, b store.Pull) int { return cmp.Compare(b.ID, a.ID) })
	if limit > 0 && len(pulls) > limit {
		pulls = pulls[:limit]
	}
	if len(pulls) == 0 {
		fmt.Fprintf(w, "No pulls yet in workspace %q. Start one with: datapull pull -workspace %s -connection ID\n", ws.Name, shellWord(ws.Name))
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "ID\tCONNECTION\tMODE\tSTATUS\tSTARTED\tDURATION\tRECORDS\tCALLS\tBYTES\tERROR")
	for _, p := range pulls {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			p.ID, names[p.ConnectionID], p.Mode, p.Status, formatTime(p.StartedAt), pullDuration(p),
			formatCount(p.Records), formatCount(p.Calls), formatBytes(p.Bytes), oneLine(p.Error, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "Details of one pull: datapull history -workspace %s -pull ID\n", shellWord(ws.Name))
	return err
}

// writePullReport writes what pull pullID did: a line about the pull, its
// endpoint results as a table with totals, what it downloaded, and its
// notes. `history -pull` prints it, and `pull` prints it when it ends.
func writePullReport(ctx context.Context, w io.Writer, st *store.Store, pullID int64) error {
	p, err := st.Pull(ctx, pullID)
	if err != nil {
		return fmt.Errorf("pull report: %w", err)
	}
	account := fmt.Sprintf("connection %d", p.ConnectionID)
	if c, err := st.Connection(ctx, p.ConnectionID); err == nil {
		account = fmt.Sprintf("%s (%s)", accountLabel(c), c.Source)
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("pull report: %w", err)
	}
	results, err := st.EndpointResults(ctx, pullID)
	if err != nil {
		return fmt.Errorf("pull report: %w", err)
	}
	notes, err := st.Notes(ctx, pullID)
	if err != nil {
		return fmt.Errorf("pull report: %w", err)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Pull %d of %s: %s, %s, started %s, took %s\n",
		p.ID, account, p.Mode, p.Status, formatTime(p.StartedAt), pullDuration(p))
	if p.Error != "" {
		fmt.Fprintf(&b, "Error: %s\n", oneLine(p.Error, 0))
	}
	if len(results) == 0 {
		b.WriteString("No endpoint results recorded.\n")
	} else {
		tw := newTable(&b)
		fmt.Fprintln(tw, "ENDPOINT\tMODE\tFETCHED\tINSERTED\tUPDATED\tDELETED\tUNCHANGED\tCALLS\tBYTES\tDURATION\tSTATUS\tREASON")
		var t store.EndpointResult
		for _, r := range results {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				r.Endpoint, r.Mode, formatCount(r.Fetched), formatCount(r.Inserted), formatCount(r.Updated),
				formatCount(r.Deleted), formatCount(r.Unchanged), formatCount(r.Calls), formatBytes(r.Bytes),
				formatDuration(r.Duration), r.Status, oneLine(r.Reason, 0))
			t.Fetched += r.Fetched
			t.Inserted += r.Inserted
			t.Updated += r.Updated
			t.Deleted += r.Deleted
			t.Unchanged += r.Unchanged
			t.Calls += r.Calls
			t.Bytes += r.Bytes
		}
		// Endpoints run side by side, so their durations do not add up;
		// the total is the pull's own wall time.
		fmt.Fprintf(tw, "TOTAL\t\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t\n",
			formatCount(t.Fetched), formatCount(t.Inserted), formatCount(t.Updated), formatCount(t.Deleted),
			formatCount(t.Unchanged), formatCount(t.Calls), formatBytes(t.Bytes), pullDuration(p))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if p.Status != store.PullRunning {
		// The pull's own totals also count calls made outside any
		// endpoint (listing organisations, refreshing tokens).
		fmt.Fprintf(&b, "Downloaded %s in %s, %s fetched.\n", formatBytes(p.Bytes), plural(p.Calls, "call"), plural(p.Records, "record"))
	}
	if len(notes) == 0 {
		b.WriteString("Notes: none.\n")
	} else {
		b.WriteString("Notes:\n")
		for _, n := range notes {
			where := "pull"
			if n.Endpoint != "" {
				where = n.Endpoint
			}
			fmt.Fprintf(&b, "  %-7s %s: %s\n", n.Severity, where, oneLine(n.Message, 0))
			if n.Action != "" {
				fmt.Fprintf(&b, "          what to do: %s\n", oneLine(n.Action, 0))
			}
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// newTable writes aligned columns; call Flush when the rows are written.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// formatBytes is n in decimal units, as providers meter data, to three
// significant figures: "512 B", "1.50 KB", "23.4 MB", "118 MB", "1.02 GB".
func formatBytes(n int64) string {
	if n < 1000 && n > -1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KB", "MB", "GB", "TB", "PB", "EB"}
	v := float64(n)
	u := -1
	for (v >= 999.5 || v <= -999.5) && u < len(units)-1 {
		v /= 1000
		u++
	}
	// Three significant figures: enough to compare, few enough to read.
	switch av := max(v, -v); {
	case av < 9.995:
		return strconv.FormatFloat(v, 'f', 2, 64) + " " + units[u]
	case av < 99.95:
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[u]
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + units[u]
}

// formatCount is n with thousands separators: "1,234,567".
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatTime is t in the local time zone to the second, or "-" when unset.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// formatDuration rounds d to what a person compares: milliseconds under a
// second, tenths under a minute, whole seconds beyond.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// pullDuration is how long a finished pull took, or "running".
func pullDuration(p store.Pull) string {
	if p.FinishedAt.IsZero() {
		return "running"
	}
	return formatDuration(p.FinishedAt.Sub(p.StartedAt))
}

// oneLine makes s fit a table cell: line breaks become spaces and, when
// limit > 0, it is cut to limit characters with an ellipsis.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if limit > 0 && len([]rune(s)) > limit {
		s = string([]rune(s)[:limit-1]) + "…"
	}
	return s
}
