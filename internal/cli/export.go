package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// Export formats.
const (
	formatNDJSON = "ndjson"
	formatCSV    = "csv"
)

// runExport writes one endpoint's raw records to a file or stdout.
func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("export", env)
	db := addDBFlag(fs)
	wsArg := fs.String("workspace", "", "workspace (name or id; required)")
	connArg := fs.String("connection", "", "connection (id, account id or account name; required)")
	endpointArg := fs.String("endpoint", "", "endpoint whose raw records to export, e.g. invoices (required)")
	format := fs.String("format", "", "ndjson or csv (default: from the -out file's extension, else ndjson)")
	out := fs.String("out", "", "file to write, replaced only once the export is complete; - for standard output (required)")
	if _, err := parseArgs(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	for _, req := range []struct{ name, value string }{
		{"workspace", *wsArg}, {"connection", *connArg}, {"endpoint", *endpointArg}, {"out", *out},
	} {
		if strings.TrimSpace(req.value) == "" {
			return fmt.Errorf("%w: -%s is required", errUsage, req.name)
		}
	}
	f, err := exportFormat(*format, *out)
	if err != nil {
		return err
	}
	if *out != "-" {
		if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
			return fmt.Errorf("%w: -out %s is a directory; give a file name", errUsage, *out)
		}
	}

	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if *out != "-" && isDatabaseFile(*db, *out) {
		return fmt.Errorf("-out %s is the database itself; choose another file", *out)
	}
	ws, err := findWorkspace(ctx, st, *wsArg)
	if err != nil {
		return err
	}
	conn, err := findConnection(ctx, st, ws, *connArg)
	if err != nil {
		return err
	}
	endpoint, err := findEndpoint(ctx, st, ws, conn, *endpointArg)
	if err != nil {
		return err
	}

	write := func(w io.Writer) (int64, error) {
		return writeRawRecords(ctx, w, st, conn.ID, endpoint, f)
	}
	what := fmt.Sprintf("%s from %s", endpoint, accountLabel(conn))
	if *out == "-" {
		cw := &countingWriter{w: env.Stdout}
		n, err := write(cw)
		if err != nil {
			return fmt.Errorf("export %s: %w", what, err)
		}
		// Standard output holds the data, so the summary goes to stderr.
		fmt.Fprintf(env.Stderr, "Exported %s of %s (%s, %s).\n", plural(n, "record"), what, f, formatBytes(cw.n))
		return nil
	}
	path, err := filepath.Abs(*out)
	if err != nil {
		return fmt.Errorf("export %s: %w", what, err)
	}
	n, size, err := writeFileAtomically(path, write)
	if err != nil {
		return fmt.Errorf("export %s to %s: %w; nothing was written", what, path, err)
	}
	fmt.Fprintf(env.Stdout, "Exported %s of %s to %s (%s, %s).\n", plural(n, "record"), what, path, f, formatBytes(size))
	return nil
}

// exportFormat checks -format, or picks it from the -out file's extension.
func exportFormat(format, out string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(format)); f {
	case formatNDJSON, formatCSV:
		return f, nil
	case "":
		if strings.EqualFold(filepath.Ext(out), ".csv") {
			return formatCSV, nil
		}
		return formatNDJSON, nil
	default:
		return "", fmt.Errorf("%w: -format must be ndjson or csv, got %q", errUsage, format)
	}
}

// isDatabaseFile says whether out is the SQLite file dsn opens, which an
// export must never replace.
func isDatabaseFile(dsn, out string) bool {
	if strings.TrimSpace(dsn) == "" {
		var err error
		if dsn, err = store.DefaultPath(); err != nil {
			return false
		}
	}
	if store.IsPostgres(dsn) {
		return false
	}
	a, errA := os.Stat(store.SQLitePath(strings.TrimSpace(dsn)))
	b, errB := os.Stat(out)
	return errA == nil && errB == nil && os.SameFile(a, b)
}

// findEndpoint matches arg against the endpoints that hold the connection's
// records, exactly or else in any letter case.
func findEndpoint(ctx context.Context, st *store.Store, ws store.Workspace, conn store.Connection, arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	endpoints, err := st.Endpoints(ctx, conn.ID)
	if err != nil {
		return "", fmt.Errorf("find endpoint %q: %w", arg, err)
	}
	for _, e := range endpoints {
		if e == arg {
			return e, nil
		}
	}
	for _, e := range endpoints {
		if strings.EqualFold(e, arg) {
			return e, nil
		}
	}
	if len(endpoints) == 0 {
		return "", &lookupError{fmt.Sprintf("connection %q has no records yet; pull it first: datapull pull -workspace %s -connection %d",
			accountLabel(conn), shellWord(ws.Name), conn.ID)}
	}
	return "", &lookupError{fmt.Sprintf("connection %q has no endpoint %q; it has: %s",
		accountLabel(conn), arg, strings.Join(endpoints, ", "))}
}

// writeFileAtomically writes path through a temporary file in the same
// directory and renames it into place only when write has succeeded, so
// a failed or interrupted export leaves no half-written file, and an
// earlier export at path stays as it was. It returns write's count and the
// file's size.
func writeFileAtomically(path string, write func(io.Writer) (int64, error)) (n, size int64, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, 0, fmt.Errorf("create file: %s", osReason(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()           // may already be closed; the write error is the one to report
			os.Remove(tmp.Name()) // nothing half-written is left behind
		}
	}()
	cw := &countingWriter{w: tmp}
	if n, err = write(cw); err != nil {
		return 0, 0, err
	}
	if err = tmp.Sync(); err != nil {
		return 0, 0, fmt.Errorf("sync: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return 0, 0, fmt.Errorf("close: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return 0, 0, fmt.Errorf("rename into place: %s", osReason(err))
	}
	return n, cw.n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// exportedRecord is one NDJSON line. The payload is the provider's JSON as
// stored, embedded as JSON rather than as a string.
type exportedRecord struct {
	ID         string          `json:"id"`
	ModifiedAt *string         `json:"modified_at"` // null when the provider gives no change time
	Status     provider.Status `json:"status"`
	PullID     int64           `json:"pull_id,omitempty"` // the pull that last changed the record
	Payload    json.RawMessage `json:"payload"`
}

// exportColumns are the CSV header, in the NDJSON fields' order.
var exportColumns = []string{"id", "modified_at", "status", "pull_id", "payload"}

// writeRawRecords streams an endpoint's raw records to w in format, in
// record-id order, and returns how many it wrote. Memory does not grow with
// the endpoint.
func writeRawRecords(ctx context.Context, w io.Writer, st *store.Store, connID int64, endpoint, format string) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var rw recordWriter
	switch format {
	case formatNDJSON:
		rw = newNDJSONWriter(bw)
	case formatCSV:
		cw, err := newCSVWriter(bw)
		if err != nil {
			return 0, err
		}
		rw = cw
	default:
		return 0, fmt.Errorf("unknown export format %q", format)
	}
	var n int64
	err := st.RawRecords(ctx, connID, endpoint, func(r store.RawRecord) error {
		if err := rw.write(r); err != nil {
			return fmt.Errorf("record %s: %w", r.ID, err)
		}
		n++
		return nil
	})
	if errors.Is(err, context.Canceled) {
		return n, errors.New("interrupted")
	}
	if err != nil {
		return n, err
	}
	if err := rw.flush(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// recordWriter writes raw records in one export format.
type recordWriter interface {
	write(store.RawRecord) error
	flush() error
}

// ndjsonWriter writes one JSON object per line.
type ndjsonWriter struct{ enc *json.Encoder }

func newNDJSONWriter(w io.Writer) *ndjsonWriter {
	enc := json.NewEncoder(w)
	// Payload text such as "<b>" stays as the provider sent it, not \u003c.
	enc.SetEscapeHTML(false)
	return &ndjsonWriter{enc: enc}
}

func (n *ndjsonWriter) write(r store.RawRecord) error {
	rec := exportedRecord{ID: r.ID, Status: r.Status, PullID: r.ChangedPullID, Payload: r.Payload}
	if !r.ModifiedAt.IsZero() {
		s := exportTime(r.ModifiedAt)
		rec.ModifiedAt = &s
	}
	// The encoder compacts the payload, so a payload stored with line
	// breaks still takes exactly one line.
	return n.enc.Encode(rec)
}

func (n *ndjsonWriter) flush() error { return nil }

// csvWriter writes a header and one row per record, the payload as JSON text.
type csvWriter struct {
	w   *csv.Writer
	row []string
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	c := &csvWriter{w: csv.NewWriter(w), row: make([]string, len(exportColumns))}
	return c, c.w.Write(exportColumns)
}

func (c *csvWriter) write(r store.RawRecord) error {
	c.row[0], c.row[1], c.row[2], c.row[3], c.row[4] = r.ID, "", string(r.Status), "", string(r.Payload)
	if !r.ModifiedAt.IsZero() {
		c.row[1] = exportTime(r.ModifiedAt)
	}
	if r.ChangedPullID != 0 {
		c.row[3] = strconv.FormatInt(r.ChangedPullID, 10)
	}
	return c.w.Write(c.row)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// exportTime is how exports write a time: RFC 3339 in UTC.
func exportTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
