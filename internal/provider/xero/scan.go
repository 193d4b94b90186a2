package xero

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/provider/xero/api"
)

// position is where the listing of one entity stands.
type position struct {
	since time.Time // the read's If-Modified-Since; zero for a full read
	page  int       // the next page to read, from 1
	// maxSeen is the newest change time among the records read so far.
	maxSeen time.Time
	// at and skip are ManualJournals' position (scanAdvance): the
	// If-Modified-Since second being paged and the ids of that second
	// already handed over.
	at   time.Time
	skip []string
}

// scanPage is one page of a listing.
type scanPage struct {
	items   []item
	next    position  // where the listing goes on; unused when last
	maxSeen time.Time // the newest change time read so far, this page included
	last    bool
	total   int64 // pagination.itemCount, -1 when Xero gives none
}

// lister lists one entity's records for one organisation.
type lister struct {
	c        *conn
	e        entity
	pageSize int        // rows per page where pageSize is sent
	extra    url.Values // parameters besides the entity's own (the attachments endpoint's where)
}

// scan lists the records from position from on, handing each page to fn.
// It stops after the last page, or at the first error (fn's included).
// start is the pull's start, which bounds scanDesc's catch-up.
func (l lister) scan(ctx context.Context, from position, start time.Time, fn func(scanPage) error) error {
	switch l.e.kind {
	case pagedDesc:
		return l.scanDesc(ctx, from, start, fn)
	case imsAdvance:
		return l.scanAdvance(ctx, from, fn)
	}
	return l.scanOnce(ctx, from, fn)
}

// rows is the number of records a full page holds.
func (l lister) rows() int {
	if l.e.fixedPage > 0 {
		return l.e.fixedPage
	}
	return l.pageSize
}

// query returns the parameters of one call: the entity's, the extra ones,
// and paging.
func (l lister) query(page int) url.Values {
	q := url.Values{}
	for k, v := range l.e.query {
		q[k] = slices.Clone(v)
	}
	for k, v := range l.extra {
		q[k] = slices.Clone(v)
	}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
		if l.e.fixedPage == 0 {
			q.Set("pageSize", strconv.Itoa(l.pageSize))
		}
	}
	return q
}

// fetch reads one page and classifies its records.
func (l lister) fetch(ctx context.Context, q url.Values, since time.Time) (*api.List, []item, error) {
	list, err := l.c.list(ctx, l.e.name, l.e.path, l.e.key(), q, since)
	if err != nil {
		return nil, nil, err
	}
	items, err := l.e.items(list.Records)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", l.e.path, err)
	}
	return list, items, nil
}

// isLast says whether a page ends the listing: Xero's pageCount says so
// (no extra call for an empty page), or the page is short.
func isLast(list *api.List, page, rows int) bool {
	if list.Pagination != nil && page >= list.Pagination.PageCount {
		return true
	}
	return len(list.Records) < rows
}

func total(list *api.List) int64 {
	if list.Pagination == nil {
		return -1
	}
	return list.Pagination.ItemCount
}

// scanDesc pages through an entity newest first: page=N, pageSize,
// If-Modified-Since and order=UpdatedDateUTC DESC.
//
// Why DESC: Xero pages by offset over live data. In ascending order a
// record updated mid-pull moves to the end, every later record shifts one
// place earlier, and the one that shifts across the page boundary is never
// read; its UpdatedDateUTC is older than the next cursor, so no later pull
// reads it either. Newest first, an update moves a record to the front:
// later records shift one place later, so the worst case is reading a row
// twice (harmless: the engine upserts), and the moved record itself has an
// UpdatedDateUTC newer than anything this pull saw, so If-Modified-Since
// returns it next time. The catch-up below reads it in this very pull.
func (l lister) scanDesc(ctx context.Context, from position, start time.Time, fn func(scanPage) error) error {
	rows := l.rows()
	maxSeen, prevFirst := from.maxSeen, ""
	for page := max(from.page, 1); ; page++ {
		list, items, err := l.fetch(ctx, l.descQuery(page), from.since)
		if err != nil {
			return fmt.Errorf("page %d: %w", page, err)
		}
		last := isLast(list, page, rows)
		if !last && rows > 1 && len(items) > 0 && items[0].rec.ID == prevFirst {
			// Two full pages starting alike: the server is ignoring page
			// (X22, G5); looping on would spend the day's calls. (With one
			// row a page, an edit shifting rows could do it legitimately.)
			return fmt.Errorf("page %d: Xero returned page %d again; paging is being ignored", page, page-1)
		}
		if len(items) > 0 {
			prevFirst = items[0].rec.ID
		}
		maxSeen = latest(maxSeen, items)
		if last && page > 1 {
			if items, err = l.catchUp(ctx, items, nextSince(from.since, maxSeen, start)); err != nil {
				return fmt.Errorf("catch-up: %w", err)
			}
		}
		next := position{since: from.since, page: page + 1, maxSeen: maxSeen}
		if err := fn(scanPage{items: items, next: next, maxSeen: maxSeen, last: last, total: total(list)}); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}

func (l lister) descQuery(page int) url.Values {
	q := l.query(page)
	q.Set("order", "UpdatedDateUTC DESC")
	return q
}

// catchUp adds to a multi-page listing's last page the records changed
// since the listing began: those an edit moved to the front after the
// front was read. Without it a Full pull would not see them and the
// engine would take them for deleted until the next pull. It costs one
// call (the "+1" of the call budget) and reads one page: more changes
// than a page during one pull are left to the next pull, which reads them
// as changes anyway. since is where the next pull will start, at or before
// the first page's newest record, so it covers every edit made after that
// page was read. A record on both pages is kept once, as the catch-up
// (newer) saw it.
func (l lister) catchUp(ctx context.Context, page []item, since time.Time) ([]item, error) {
	if since.IsZero() {
		return page, nil
	}
	_, fresh, err := l.fetch(ctx, l.descQuery(1), since)
	if err != nil {
		return nil, err
	}
	newer := make(map[string]bool, len(fresh))
	for _, it := range fresh {
		newer[it.rec.ID] = true
	}
	page = slices.DeleteFunc(page, func(it item) bool { return newer[it.rec.ID] })
	return append(page, fresh...), nil
}

// scanAdvance lists ManualJournals by moving If-Modified-Since forward
// instead of turning pages.
//
// Why: sending `order` to ManualJournals makes Xero ignore paging and
// return every match on every page (G5), so they come in the default
// order, UpdatedDateUTC ascending, and ascending offset paging skips
// records that are updated mid-pull (see scanDesc). So each call asks for
// page 1 from the second of the last record seen: a record updated
// meanwhile moves past that second and is read later in this same pull,
// and nothing shifts under us. Records of that second already handed over
// are skipped (skip); if a whole page shares one second, the second cannot
// be left yet, so the next call is page 2 (3, ...) within it, which is
// always progress and so always terminates.
func (l lister) scanAdvance(ctx context.Context, from position, fn func(scanPage) error) error {
	rows := l.rows()
	at, page, skip, maxSeen := from.at, max(from.page, 1), from.skip, from.maxSeen
	if at.IsZero() {
		at = from.since
	}
	for {
		list, all, err := l.fetch(ctx, l.query(page), at)
		if err != nil {
			return fmt.Errorf("from %s page %d: %w", formatCursorTime(at), page, err)
		}
		items := all
		if len(skip) > 0 {
			items = slices.DeleteFunc(slices.Clone(all), func(it item) bool { return slices.Contains(skip, it.rec.ID) })
		}
		// itemCount counts the pull's own listing only on its first call;
		// later calls count what is left from a later second.
		count := int64(-1)
		if at.Equal(from.since) && page == 1 {
			count = total(list)
		}
		maxSeen = latest(maxSeen, all)
		pg := scanPage{items: items, maxSeen: maxSeen, last: isLast(list, page, rows), total: count}
		if !pg.last {
			if pg.next, err = advance(from.since, at, page, all); err != nil {
				return err
			}
			pg.next.maxSeen = maxSeen
		}
		if err := fn(pg); err != nil {
			return err
		}
		if pg.last {
			return nil
		}
		at, page, skip = pg.next.at, pg.next.page, pg.next.skip
	}
}

// advance returns the position after a full page read at (at, page): from
// the second of the page's last record, skipping the ids of that second
// already read, or the next page of the same second when the whole page
// shares it. A page whose records all fall in a later second than at is
// the start of that second's listing, so the next call is its page 2.
func advance(since, at time.Time, page int, all []item) (position, error) {
	lastAt := all[len(all)-1].rec.ModifiedAt
	if lastAt.IsZero() {
		return position{}, fmt.Errorf("record %s has no readable UpdatedDateUTC to page from", all[len(all)-1].rec.ID)
	}
	sec := lastAt.Truncate(time.Second)
	switch {
	case at.IsZero() || sec.After(at):
		var skip []string
		for _, it := range all {
			if it.rec.ModifiedAt.Truncate(time.Second).Equal(sec) {
				skip = append(skip, it.rec.ID)
			}
		}
		if len(skip) == len(all) {
			return position{since: since, page: 2, at: sec}, nil
		}
		return position{since: since, page: 1, at: sec, skip: skip}, nil
	case sec.Equal(at):
		// Records of page 1 do not come again on page 2 of the same
		// listing, so nothing needs skipping.
		return position{since: since, page: page + 1, at: at}, nil
	}
	return position{}, fmt.Errorf("records came back older than If-Modified-Since %s: not in UpdatedDateUTC order", formatCursorTime(at))
}

// scanOnce reads an unpaged entity in one call.
func (l lister) scanOnce(ctx context.Context, from position, fn func(scanPage) error) error {
	since := from.since
	if l.e.kind == reference {
		since = time.Time{} // reference endpoints ignore it; sending it would only confuse
	}
	_, items, err := l.fetch(ctx, l.query(0), since)
	if err != nil {
		return err
	}
	return fn(scanPage{items: items, maxSeen: latest(from.maxSeen, items), last: true, total: -1})
}
