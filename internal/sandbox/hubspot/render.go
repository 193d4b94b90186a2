package hubspot

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Records are rendered by hand, not with encoding/json: list and search
// pages are the sandbox's hot path, and a connector's benchmark must
// measure the connector. The output is ordinary JSON in HubSpot's shape
// (hubspot-api.md §2.1): id as a string, every property value a string or
// null, ISO 8601 UTC times with milliseconds.

// view is what one request asks to see of each record.
type view struct {
	t        *ObjectType
	props    []int // property indices, in name order
	history  []int // propertiesWithHistory indices
	assoc    []*assocPair
	assocKey []string
	base     string // scheme and host for paging links
}

// propList resolves a properties parameter: the type's defaults when
// empty, else the known names asked for (others are ignored, as HubSpot
// ignores them) plus the id, creation and modification properties HubSpot
// always returns. The result is in name order, as HubSpot's is.
func (t *ObjectType) propList(names []string, defaults bool) []int {
	if defaults && len(names) == 0 {
		names = t.Defaults
	} else if len(names) > 0 {
		names = append(names, "hs_object_id", t.CreateProp, t.ModProp)
	}
	seen := make(map[int]bool, len(names))
	out := make([]int, 0, len(names))
	for _, n := range names {
		if k := t.Prop(strings.TrimSpace(n)); k >= 0 && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return t.Props[out[i]].Name < t.Props[out[j]].Name })
	return out
}

// splitList splits a comma-separated query parameter (repeated or not).
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// appendRecord renders one record in version v.
func (vw *view) appendRecord(b []byte, p *Portal, r *Record, v *Version) []byte {
	t := vw.t
	b = append(b, `{"id":"`...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, `","properties":{`...)
	for i, k := range vw.props {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, t.Props[k].key...)
		if val, ok := t.valueOf(r.ID, v, k); ok {
			b = appendString(b, val)
		} else {
			b = append(b, "null"...)
		}
	}
	b = append(b, `},"createdAt":"`...)
	b = appendISO(b, v.CreatedAt)
	b = append(b, `","updatedAt":"`...)
	b = appendISO(b, v.UpdatedAt)
	b = append(b, `","archived":`...)
	b = strconv.AppendBool(b, v.Archived)
	if v.Archived {
		b = append(b, `,"archivedAt":"`...)
		b = appendISO(b, v.ArchivedAt)
		b = append(b, '"')
	}
	if len(vw.history) > 0 {
		b = vw.appendHistory(b, r, v)
	}
	if len(vw.assoc) > 0 {
		b = vw.appendAssociations(b, p, r)
	}
	return append(b, '}')
}

// appendHistory renders propertiesWithHistory, newest value first. A
// property that never changed has one entry: its value since creation.
func (vw *view) appendHistory(b []byte, r *Record, v *Version) []byte {
	t := vw.t
	b = append(b, `,"propertiesWithHistory":{`...)
	for i, k := range vw.history {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t.Props[k].Name)
		b = append(b, ":["...)
		n := 0
		for j := len(r.Hist) - 1; j >= 0; j-- {
			h := r.Hist[j]
			if int(h.K) != k {
				continue
			}
			b = appendHistItem(b, n, h.V, h.At, h.Source)
			n++
		}
		if n == 0 {
			if val, ok := t.valueOf(r.ID, v, k); ok {
				at := v.CreatedAt
				if t.Props[k].virtual == propModified {
					at = v.UpdatedAt
				}
				b = appendHistItem(b, 0, val, at, "CRM_UI")
			}
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendHistItem(b []byte, n int, value string, at int64, source string) []byte {
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"value":`...)
	b = appendString(b, value)
	b = append(b, `,"timestamp":"`...)
	b = appendISO(b, at)
	b = append(b, `","sourceType":`...)
	b = appendString(b, source)
	return append(b, '}')
}

// embeddedPage is how many associations of one type a v3 record embeds;
// the rest are behind the paging cursor (hubspot-api.md §2.1).
const embeddedPage = 100

// appendAssociations renders v3 embedded associations: one row per
// association type per associated record, keyed by the associated type.
func (vw *view) appendAssociations(b []byte, p *Portal, r *Record) []byte {
	start := len(b)
	b = append(b, `,"associations":{`...)
	wrote := false
	for i, pair := range vw.assoc {
		edges := p.Assoc.targets(pair.from, pair.to, r.ID)
		if len(edges) == 0 {
			continue
		}
		if wrote {
			b = append(b, ',')
		}
		wrote = true
		b = appendString(b, vw.assocKey[i])
		b = append(b, `:{"results":[`...)
		rows := 0
		more := false
	edges:
		for _, e := range edges {
			for li, l := range pair.labels {
				if e.Labels&(1<<uint(li)) == 0 {
					continue
				}
				if rows == embeddedPage {
					more = true
					break edges
				}
				if rows > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"id":"`...)
				b = strconv.AppendInt(b, e.To, 10)
				b = append(b, `","type":`...)
				b = appendString(b, l.v3Name)
				b = append(b, '}')
				rows++
			}
		}
		b = append(b, ']')
		if more {
			after := strconv.Itoa(embeddedPage)
			b = append(b, `,"paging":{"next":{"after":"`...)
			b = append(b, after...)
			b = append(b, `","link":`...)
			b = appendString(b, vw.base+"/crm/v4/objects/"+vw.t.Name+"/"+strconv.FormatInt(r.ID, 10)+"/associations/"+pair.to.Name+"?after="+after)
			b = append(b, "}}"...)
		}
		b = append(b, '}')
	}
	if !wrote {
		return b[:start]
	}
	return append(b, '}')
}

// plainByte marks the ASCII bytes a JSON string holds as they are: one
// table lookup per byte on the sandbox's hottest loop.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainByte[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				b = append(b, s[start:i]...)
				if r == utf8.RuneError {
					b = append(b, `\ufffd`...)
				} else {
					b = append(b, `\u202`...)
					b = append(b, "89"[r-'\u2028'])
				}
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
