package xero

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/provider/xero/api"
)

// kind is how an entity's records are listed.
type kind int

const (
	// pagedDesc: page=N, newest first, If-Modified-Since (see scanDesc).
	pagedDesc kind = iota
	// imsAdvance: ManualJournals, which cannot be ordered (see scanAdvance).
	imsAdvance
	// unpagedIMS: one call with If-Modified-Since.
	unpagedIMS
	// reference: one call reading everything, every pull.
	reference
)

// entity is one Accounting API list endpoint: where it lives, how its
// records are keyed and dated, and how it is listed.
type entity struct {
	name      string // DataPull's endpoint name: "invoices"
	path      string // Xero's path: "Invoices"
	arrayKey  string // the envelope's array key when it is not path (Organisation → Organisations)
	idField   string // the record's id field: "InvoiceID", "TaxType", "Code"
	timeField string // "UpdatedDateUTC", "CreatedDateUTC", or "" when records carry no change time
	kind      kind
	// fixedPage is the page size of a paged endpoint that takes no
	// pageSize (Quotes: 100); 0 means pageSize is sent.
	fixedPage int
	query     url.Values // parameters every call sends (includeArchived=true, ...)
	where     bool       // takes a where filter (PurchaseOrders and Quotes do not)
}

func (e entity) key() string {
	if e.arrayKey != "" {
		return e.arrayKey
	}
	return e.path
}

// incrementalHow says in plain words how a standard sync reads e.
func (e entity) incrementalHow() string {
	switch {
	case e.kind == reference:
		return ""
	case e.timeField == "CreatedDateUTC":
		return "If-Modified-Since on CreatedDateUTC (edits and deletions are caught by the periodic full sweep)"
	case e.kind == pagedDesc:
		return "If-Modified-Since on UpdatedDateUTC, newest first"
	case e.kind == imsAdvance:
		return "If-Modified-Since on UpdatedDateUTC, advanced page by page"
	}
	return "If-Modified-Since on UpdatedDateUTC"
}

// item is one listed record with the fields it was classified by.
type item struct {
	rec  provider.Record
	meta api.Meta
}

// items turns a page's raw records into items. The payload is the raw
// bytes as received, never re-encoded.
func (e entity) items(raws []json.RawMessage) ([]item, error) {
	out := make([]item, len(raws))
	for i, raw := range raws {
		m, err := api.ReadMeta(raw, e.idField, e.timeField)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if m.ID == "" {
			return nil, fmt.Errorf("record %d has no %s", i, e.idField)
		}
		out[i] = item{meta: m, rec: provider.Record{ID: m.ID, Status: recordStatus(&m), Payload: raw}}
		// A change time we cannot read leaves ModifiedAt zero rather than
		// failing the pull: one odd date must not strand a whole history
		// (X20). If-Modified-Since is applied by Xero, so nothing is
		// skipped; only this record's time is unknown.
		if m.Time != "" {
			if t, err := api.ParseDate(m.Time); err == nil {
				out[i].rec.ModifiedAt = t
			}
		}
	}
	return out, nil
}

// recordStatus maps Xero's Status (ContactStatus for contacts) onto
// DataPull's: DELETED, VOIDED and ARCHIVED keep their meaning, everything
// else (AUTHORISED, PAID, DRAFT, GDPRREQUEST, ...) is active. The payload
// keeps Xero's own word.
func recordStatus(m *api.Meta) provider.Status {
	s := m.Status
	if m.ContactStatus != "" {
		s = m.ContactStatus
	}
	switch strings.ToUpper(s) {
	case "DELETED":
		return provider.StatusDeleted
	case "VOIDED":
		return provider.StatusVoided
	case "ARCHIVED":
		return provider.StatusArchived
	}
	return provider.StatusActive
}

// records returns the provider records of items.
func records(items []item) []provider.Record {
	out := make([]provider.Record, len(items))
	for i := range items {
		out[i] = items[i].rec
	}
	return out
}

// latest returns the later of t and the newest ModifiedAt among items.
func latest(t time.Time, items []item) time.Time {
	for i := range items {
		if m := items[i].rec.ModifiedAt; m.After(t) {
			t = m
		}
	}
	return t
}
