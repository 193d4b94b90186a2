package xero

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// attachmentsCursor is the attachments endpoint's cursor. Each parent
// entity is its own If-Modified-Since listing, so each keeps its own since
// (one shared since would let the newest time seen in one entity skip
// changes made meanwhile to another). While a pull is in progress, entity
// is the parent being listed, the list fields are its position, and done
// lists the parents on the current page whose attachments are stored.
type attachmentsCursor struct {
	V       int               `json:"v"`
	Since   map[string]string `json:"since,omitempty"`
	Full    bool              `json:"full,omitempty"`
	Entity  string            `json:"entity,omitempty"`
	Page    int               `json:"page,omitempty"`
	MaxSeen string            `json:"maxSeen,omitempty"`
	At      string            `json:"at,omitempty"`
	Skip    []string          `json:"skip,omitempty"`
	Done    []string          `json:"done,omitempty"`
}

// attachmentsEndpoint reads attachment metadata (never the files) of the
// records that say HasAttachments. It lists each attachable entity changed
// since its own cursor, filtered by where=HasAttachments==true where the
// entity takes where (PurchaseOrders and Quotes do not: their pages are
// filtered here), and calls GET /{Entity}/{id}/Attachments for each parent
// found. Records are keyed "<Entity>/<ParentID>/<AttachmentID>".
type attachmentsEndpoint struct {
	c          *conn
	parents    []entity
	pageSize   int
	sweepEvery time.Duration
}

// Info describes the attachments endpoint.
func (a *attachmentsEndpoint) Info() provider.EndpointInfo {
	return provider.EndpointInfo{Name: "attachments", Incremental: true,
		IncrementalHow: "attachments of records changed since the last pull that have HasAttachments",
		SweepEvery:     a.sweepEvery}
}

// Pull lists each parent entity in turn from the cursor, emitting one page
// per parent's attachments (so a stopped pull repeats at most the parent
// page it was on, without the parents already done) and one page, maybe
// empty, to move past each parent page.
func (a *attachmentsEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	var cur attachmentsCursor
	if err := decodeCursor(req.Cursor, &cur); err != nil {
		return fmt.Errorf("xero: attachments: %w", err)
	}
	run := a.resume(cur, req.Mode)
	for i := run.first; i < len(a.parents); i++ {
		if err := a.pullParent(ctx, req, emit, &run, i); err != nil {
			return fmt.Errorf("xero: attachments of %s: %w", a.parents[i].path, err)
		}
	}
	return nil
}

// attachmentsRun is the state of one attachments pull.
type attachmentsRun struct {
	since   map[string]string // per parent entity, updated as each finishes
	full    bool              // a full read: since is ignored
	first   int               // the parent entity to start with
	resumed *attachmentsCursor
}

// resume decides where a pull starts: an in-progress cursor is continued
// (a Full pull continues only a full read), anything else starts at the
// first parent.
func (a *attachmentsEndpoint) resume(cur attachmentsCursor, mode provider.Mode) attachmentsRun {
	run := attachmentsRun{since: map[string]string{}, full: mode == provider.Full}
	for k, v := range cur.Since {
		run.since[k] = v
	}
	if cur.Entity == "" || (mode == provider.Full && !cur.Full) {
		return run
	}
	for i, e := range a.parents {
		if e.path == cur.Entity {
			run.first, run.full, run.resumed = i, cur.Full, &cur
		}
	}
	return run
}

// pullParent lists parent entity i and stores its parents' attachments.
func (a *attachmentsEndpoint) pullParent(ctx context.Context, req provider.PullRequest, emit provider.Emit, run *attachmentsRun, i int) error {
	e := a.parents[i]
	prevSince, err := parseCursorTime(run.since[e.path])
	if err != nil {
		return err
	}
	from, done := position{since: prevSince, page: 1}, []string(nil)
	if run.full {
		from.since = time.Time{}
	}
	if r := run.resumed; r != nil && i == run.first && r.Page > 0 {
		lc := listCursor{V: cursorVersion, Since: formatCursorTime(from.since), Page: r.Page, MaxSeen: r.MaxSeen, At: r.At, Skip: r.Skip}
		if from, err = lc.resume(provider.Incremental); err != nil {
			return err
		}
		done = r.Done
	}
	l := lister{c: a.c, e: e, pageSize: a.pageSize}
	if e.where {
		l.extra = url.Values{"where": {"HasAttachments==true"}}
	}
	at := from
	cursor := func(pos position, done []string) attachmentsCursor {
		lc := progressCursor(pos)
		return attachmentsCursor{V: cursorVersion, Since: run.since, Full: run.full, Entity: e.path,
			Page: lc.Page, MaxSeen: lc.MaxSeen, At: lc.At, Skip: lc.Skip, Done: done}
	}
	return l.scan(ctx, from, req.Start, func(pg scanPage) error {
		for _, it := range pg.items {
			if !it.meta.HasAttachments || slices.Contains(done, it.rec.ID) {
				continue
			}
			recs, err := a.read(ctx, e, it.rec.ID)
			if err != nil {
				return err
			}
			done = append(done, it.rec.ID)
			if err := emit(ctx, provider.Page{Records: recs, Cursor: encodeCursor(cursor(at, done)), Total: -1}); err != nil {
				return err
			}
		}
		done, at = nil, pg.next
		next := cursor(pg.next, nil)
		lastParent := pg.last && i == len(a.parents)-1
		if pg.last {
			// This entity is finished: its since moves on, and the
			// cursor points at the start of the next entity.
			run.since[e.path] = formatCursorTime(nextSince(from.since, pg.maxSeen, req.Start))
			next = attachmentsCursor{V: cursorVersion, Since: run.since, Full: run.full && !lastParent}
			if !lastParent {
				next.Entity = a.parents[i+1].path
			}
		}
		return emit(ctx, provider.Page{Records: nil, Cursor: encodeCursor(next), Done: lastParent, Total: -1})
	})
}

// read lists one parent's attachments. A parent gone since it was listed
// (Xero's 404) has none left to store.
func (a *attachmentsEndpoint) read(ctx context.Context, parent entity, id string) ([]provider.Record, error) {
	path := parent.path + "/" + id + "/Attachments"
	list, err := a.c.list(ctx, "attachments", path, "Attachments", nil, time.Time{})
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	att := entity{name: "attachments", idField: "AttachmentID"}
	items, err := att.items(list.Records)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := records(items)
	for i := range out {
		out[i].ID = parent.path + "/" + id + "/" + out[i].ID
	}
	return out, nil
}
