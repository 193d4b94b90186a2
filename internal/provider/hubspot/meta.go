package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// The small reference endpoints (account, owners, pipelines, schemas,
// property definitions) are read whole every sync: a few calls each, and
// only a full read sees what was removed. Their cursor only marks the
// end; a killed read starts again, re-reading a handful of pages.

var doneCursor = provider.Cursor(`{"v":1}`)

// accountEndpoint is the account details (account-info): time zone,
// currency, data hosting.
type accountEndpoint struct{ c *conn }

func (e *accountEndpoint) Info() provider.EndpointInfo { return provider.EndpointInfo{Name: "account"} }

func (e *accountEndpoint) Pull(ctx context.Context, _ provider.PullRequest, emit provider.Emit) error {
	body, err := e.c.get(ctx, "account", "/account-info/v3/details", nil)
	if err != nil {
		return fmt.Errorf("hubspot: account: %w", err)
	}
	var d accountDetails
	if err := json.Unmarshal(body, &d); err != nil {
		return fmt.Errorf("hubspot: account: decode: %w", err)
	}
	rec := provider.Record{ID: strconv.FormatInt(d.PortalID, 10), Status: provider.StatusActive, Payload: body}
	return emit(ctx, provider.Page{Records: []provider.Record{rec}, Cursor: doneCursor, Done: true, Total: 1})
}

// ownersEndpoint is the owners, deactivated ones too: they are listed
// only with archived=true, and records still name them (gotcha 11).
type ownersEndpoint struct{ c *conn }

func (e *ownersEndpoint) Info() provider.EndpointInfo { return provider.EndpointInfo{Name: "owners"} }

func (e *ownersEndpoint) Pull(ctx context.Context, _ provider.PullRequest, emit provider.Emit) error {
	for _, archived := range []bool{false, true} {
		after := ""
		for {
			q := url.Values{"limit": {"100"}}
			if archived {
				q.Set("archived", "true")
			}
			if after != "" {
				q.Set("after", after)
			}
			body, err := e.c.get(ctx, "owners", "/crm/v3/owners", q)
			if err != nil {
				return fmt.Errorf("hubspot: owners: %w", err)
			}
			var pg page
			if err := json.Unmarshal(body, &pg); err != nil {
				return fmt.Errorf("hubspot: owners: decode: %w", err)
			}
			recs, err := plainRecords(pg.Results, "")
			if err != nil {
				return fmt.Errorf("hubspot: owners: %w", err)
			}
			if err := emit(ctx, provider.Page{Records: recs, Cursor: doneCursor, Total: -1}); err != nil {
				return err
			}
			next := pg.Paging.after()
			if next == "" || next == after {
				break
			}
			after = next
		}
	}
	return emit(ctx, provider.Page{Cursor: doneCursor, Done: true, Total: -1})
}

// pipelinesEndpoint is one object's pipelines with their stages (no
// paging: §4.2).
type pipelinesEndpoint struct {
	c   *conn
	typ string
}

func (e *pipelinesEndpoint) Info() provider.EndpointInfo {
	return provider.EndpointInfo{Name: "pipelines_" + e.typ}
}

func (e *pipelinesEndpoint) Pull(ctx context.Context, _ provider.PullRequest, emit provider.Emit) error {
	name := "pipelines_" + e.typ
	body, err := e.c.get(ctx, name, "/crm/v3/pipelines/"+e.typ, nil)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	var pg page
	if err := json.Unmarshal(body, &pg); err != nil {
		return fmt.Errorf("hubspot: %s: decode: %w", name, err)
	}
	recs, err := plainRecords(pg.Results, "")
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", name, err)
	}
	return emit(ctx, provider.Page{Records: recs, Cursor: doneCursor, Done: true, Total: int64(len(recs))})
}

// schemasEndpoint is the custom object schemas.
type schemasEndpoint struct{ c *conn }

func (e *schemasEndpoint) Info() provider.EndpointInfo { return provider.EndpointInfo{Name: "schemas"} }

func (e *schemasEndpoint) Pull(ctx context.Context, _ provider.PullRequest, emit provider.Emit) error {
	body, err := e.c.get(ctx, "schemas", "/crm/v3/schemas", nil)
	if err != nil {
		return fmt.Errorf("hubspot: schemas: %w", err)
	}
	var pg page
	if err := json.Unmarshal(body, &pg); err != nil {
		return fmt.Errorf("hubspot: schemas: decode: %w", err)
	}
	var sch struct {
		Results []schema `json:"results"`
	}
	if err := json.Unmarshal(body, &sch); err == nil {
		// Later endpoints (custom objects, their associations) use them.
		e.c.meta.mu.Lock()
		e.c.meta.schemas, e.c.meta.haveSch = sch.Results, true
		e.c.meta.mu.Unlock()
	}
	recs, err := plainRecords(pg.Results, "")
	if err != nil {
		return fmt.Errorf("hubspot: schemas: %w", err)
	}
	return emit(ctx, provider.Page{Records: recs, Cursor: doneCursor, Done: true, Total: int64(len(recs))})
}

// propertiesEndpoint is every object type's property definitions, custom
// objects' included; ids are "{type}/{name}". What it reads is kept for
// the object endpoints of the same pull, so custom properties are
// discovered once per pull.
type propertiesEndpoint struct{ c *conn }

func (e *propertiesEndpoint) Info() provider.EndpointInfo {
	return provider.EndpointInfo{Name: "properties"}
}

func (e *propertiesEndpoint) Pull(ctx context.Context, _ provider.PullRequest, emit provider.Emit) error {
	types := standardTypes()
	custom, err := customTypes(ctx, e.c)
	if err != nil {
		return fmt.Errorf("hubspot: properties: %w", err)
	}
	types = append(types, custom...)
	var total int64
	for _, t := range types {
		_, raws, err := e.c.properties(ctx, "properties", t.Path)
		if err != nil {
			return fmt.Errorf("hubspot: properties: %w", err)
		}
		recs := make([]provider.Record, 0, len(raws))
		for _, r := range raws {
			var h struct {
				Name      string `json:"name"`
				UpdatedAt string `json:"updatedAt"`
				Archived  bool   `json:"archived"`
			}
			if err := json.Unmarshal(r, &h); err != nil || h.Name == "" {
				return fmt.Errorf("hubspot: properties: a %s property without a name", t.Name)
			}
			mod, _ := time.Parse(time.RFC3339Nano, h.UpdatedAt)
			st := provider.StatusActive
			if h.Archived {
				st = provider.StatusArchived
			}
			recs = append(recs, provider.Record{ID: t.Name + "/" + h.Name, ModifiedAt: mod, Status: st, Payload: r})
		}
		total += int64(len(recs))
		if err := emit(ctx, provider.Page{Records: recs, Cursor: doneCursor, Total: -1}); err != nil {
			return err
		}
	}
	return emit(ctx, provider.Page{Cursor: doneCursor, Done: true, Total: total})
}

// plainRecords reads records whose id is "id" (owners, pipelines,
// schemas), with updatedAt and archived where they have them.
func plainRecords(raws []json.RawMessage, prefix string) ([]provider.Record, error) {
	out := make([]provider.Record, 0, len(raws))
	for _, r := range raws {
		var h struct {
			ID        json.RawMessage `json:"id"`
			UpdatedAt string          `json:"updatedAt"`
			Archived  bool            `json:"archived"`
		}
		if err := json.Unmarshal(r, &h); err != nil {
			return nil, fmt.Errorf("decode record: %w", err)
		}
		id := scalar(h.ID)
		if id == "" {
			return nil, fmt.Errorf("a record without an id")
		}
		mod, _ := time.Parse(time.RFC3339Nano, h.UpdatedAt)
		st := provider.StatusActive
		if h.Archived {
			st = provider.StatusArchived
		}
		out = append(out, provider.Record{ID: prefix + id, ModifiedAt: mod, Status: st, Payload: r})
	}
	return out, nil
}

// scalar is a JSON string's or number's text.
func scalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
