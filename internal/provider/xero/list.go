package xero

import (
	"context"
	"fmt"

	"github.com/datapull/datapull/internal/provider"
)

// listEndpoint is an endpoint served by one entity's listing: the paged
// transaction endpoints, ManualJournals, the unpaged ones with
// If-Modified-Since and the small reference endpoints.
type listEndpoint struct {
	info provider.EndpointInfo
	l    lister
}

// Info describes the endpoint.
func (p *listEndpoint) Info() provider.EndpointInfo { return p.info }

// Pull lists the endpoint from req.Cursor (see listCursor.resume), emitting
// each page with the cursor that resumes after it; the last page's cursor
// moves since forward (see nextSince).
func (p *listEndpoint) Pull(ctx context.Context, req provider.PullRequest, emit provider.Emit) error {
	var cur listCursor
	if err := decodeCursor(req.Cursor, &cur); err != nil {
		return fmt.Errorf("xero: %s: %w", p.info.Name, err)
	}
	from, err := cur.resume(req.Mode)
	if err != nil {
		return fmt.Errorf("xero: %s: %w", p.info.Name, err)
	}
	err = p.l.scan(ctx, from, req.Start, func(pg scanPage) error {
		next := progressCursor(pg.next)
		if pg.last {
			next = doneCursor(nextSince(from.since, pg.maxSeen, req.Start))
		}
		return emit(ctx, provider.Page{Records: records(pg.items), Cursor: encodeCursor(next), Done: pg.last, Total: pg.total})
	})
	if err != nil {
		return fmt.Errorf("xero: list %s: %w", p.info.Name, err)
	}
	return nil
}
