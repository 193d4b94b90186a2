package xero

// Query semantics shared by the Accounting API list endpoints: the
// If-Modified-Since header, page/pageSize, comma-separated id lists and
// `order`. The `where` language lives in where.go. Everything here is a pure
// function of the request's parameters; the endpoint handlers call them and
// turn their errors into responses.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ---------------------------------------------------------------------------
// If-Modified-Since

// imsLayouts are the forms clients send in If-Modified-Since (xero-api.md
// §3), tried in order. Layouts without a zone are read as UTC, as Xero
// reads them. Go's parser accepts a fractional second after the seconds
// field even where a layout does not show one, so each ISO layout also
// covers "…:43.202".
var imsLayouts = []string{
	time.RFC3339,                // 2020-02-06T12:17:43.202-08:00, …Z (the spec's example)
	"2006-01-02T15:04:05Z0700",  // offset without a colon: +0000
	"2006-01-02T15:04:05",       // Airbyte, Nango: no zone, UTC
	"2006-01-02 15:04:05Z07:00", // a space instead of the T, as .NET also accepts
	"2006-01-02 15:04:05",
	"2006-01-02",  // a bare date: midnight UTC
	time.RFC1123,  // Thu, 01 Jan 2020 00:00:00 GMT (pyxero, HTTP's own form)
	time.RFC1123Z, // Thu, 01 Jan 2020 00:00:00 +0000
	time.RFC850,   // the obsolete HTTP date forms http.ParseTime also takes
	time.ANSIC,
}

// parseISOTime reads an instant in any of the If-Modified-Since forms;
// where's DateTime.Parse("…") uses it too.
func parseISOTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range imsLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseIfModifiedSince reads an If-Modified-Since header value and returns
// its instant in Unix milliseconds, truncated to the whole second: Xero is
// accurate to the second and the boundary is inclusive, so a record updated
// at 12:17:43.900 is returned for "12:17:43.202" (pass ms to
// Collection.Since). It accepts RFC 1123, ISO 8601 with an offset or Z and
// an optional fraction, and ISO without a zone (read as UTC).
//
// An empty header gives ok=false and no error. An unparseable one is an
// error: xero-api.md does not say what Xero does with one, and silently
// ignoring it (as many HTTP servers do) would turn a client's broken
// incremental pull into a full pull on every run, which no test would
// notice. The handler answers it with a 400 ValidationException (see
// ifModifiedSince).
func parseIfModifiedSince(h string) (ms int64, ok bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false, nil
	}
	t, parsed := parseISOTime(h)
	if !parsed {
		return 0, false, fmt.Errorf("xero sandbox: If-Modified-Since %q is not a date: send ISO 8601 (2020-02-06T12:17:43Z) or RFC 1123 (Thu, 01 Jan 2020 00:00:00 GMT)", h)
	}
	// Truncate works on absolute time, so pre-1970 instants round down too.
	return t.Truncate(time.Second).UnixMilli(), true, nil
}

// ifModifiedSince reads the request's If-Modified-Since header as
// parseIfModifiedSince does and turns a bad value into the 400
// ValidationException the handler returns.
func ifModifiedSince(r *http.Request) (ms int64, ok bool, apiErr *apiError) {
	ms, ok, err := parseIfModifiedSince(r.Header.Get("If-Modified-Since"))
	if err != nil {
		return 0, false, errValidation(strings.TrimPrefix(err.Error(), "xero sandbox: "))
	}
	return ms, ok, nil
}

// ---------------------------------------------------------------------------
// Query parameters

// queryParam returns the first value of the named query parameter. Xero
// runs on ASP.NET, which binds query parameters case-insensitively
// (`pagesize`, `PageSize` and `pageSize` are one parameter), so an exact
// match is tried first and then any spelling.
func queryParam(q url.Values, name string) (string, bool) {
	if vs, ok := q[name]; ok && len(vs) > 0 {
		return vs[0], true
	}
	for k, vs := range q {
		if len(vs) > 0 && strings.EqualFold(k, name) {
			return vs[0], true
		}
	}
	return "", false
}

// ---------------------------------------------------------------------------
// Paging

const (
	// defaultPageSize is the page size Xero uses when none is given, and the
	// only one on paged endpoints without pageSize (Quotes, LinkedTransactions).
	defaultPageSize = 100
	// maxPageSize is the largest pageSize Xero serves (since July 2024).
	maxPageSize = 1000
)

// parsePaging reads `page` and `pageSize` for an endpoint that pages.
// pageSizeAllowed says whether the endpoint takes pageSize at all (not
// Quotes or LinkedTransactions, xero-api.md §3).
//
// Without `page` (absent or empty) the call is unpaged: paged=false, and
// page and pageSize are 0 (the handler returns every record, without line
// items). pageSize alone does not page a call: Xero documents pageSize only
// as the size of the page that `page` asks for.
//
// Decisions where the reference is silent:
//   - page=0, or a negative page, is served as page 1, as Xero does for 0
//     in practice; a page past the end is an empty page (pageOf).
//   - A page or pageSize that is not a whole number is a 400
//     ValidationException worded as ASP.NET's model binding words it,
//     because a client that sends one is broken and should hear so.
//   - pageSize above 1000 is served as 1000, not refused: the response's
//     pagination.pageSize says 1000, so a client that stops on "fewer rows
//     than I asked for" stops early here as it would at Xero, and a test
//     can see it. pageSize of 0 or less gets the default, 100.
//   - Where pageSize is not allowed it is ignored entirely, even when it is
//     not a number, as an endpoint ignores parameters it does not know.
func parsePaging(q url.Values, pageSizeAllowed bool) (page, pageSize int, paged bool, err *apiError) {
	raw, ok := queryParam(q, "page")
	raw = strings.TrimSpace(raw)
	if !ok || raw == "" {
		return 0, 0, false, nil
	}
	page, apiErr := wholeNumberParam("page", raw)
	if apiErr != nil {
		return 0, 0, false, apiErr
	}
	if page < 1 {
		page = 1
	}
	pageSize = defaultPageSize
	if !pageSizeAllowed {
		return page, pageSize, true, nil
	}
	if rawSize, ok := queryParam(q, "pageSize"); ok && strings.TrimSpace(rawSize) != "" {
		size, apiErr := wholeNumberParam("pageSize", strings.TrimSpace(rawSize))
		if apiErr != nil {
			return 0, 0, false, apiErr
		}
		switch {
		case size < 1:
			pageSize = defaultPageSize
		case size > maxPageSize:
			pageSize = maxPageSize
		default:
			pageSize = size
		}
	}
	return page, pageSize, true, nil
}

// wholeNumberParam parses a paging parameter. A number too large for an int
// saturates instead of failing: it is a well-formed page far past the end.
func wholeNumberParam(name, raw string) (int, *apiError) {
	n, err := strconv.Atoi(raw)
	if err == nil {
		return n, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		if strings.HasPrefix(raw, "-") {
			return 0, nil
		}
		return int(^uint(0) >> 1), nil
	}
	return 0, errValidation(fmt.Sprintf("The value '%s' is not valid for %s.", raw, name))
}

// pageOf returns the records of one 1-based page. A page past the end is
// empty, which is how clients see the end of the data.
func pageOf[T any](items []T, page, pageSize int) []T {
	if page < 1 || pageSize < 1 {
		return items[:0]
	}
	// Compare before multiplying: page may be huge.
	if page-1 >= pageCount(len(items), pageSize) {
		return items[len(items):]
	}
	lo := (page - 1) * pageSize
	hi := min(lo+pageSize, len(items))
	return items[lo:hi]
}

// pageCount is the pagination object's pageCount: how many pages of
// pageSize hold itemCount records (0 when there are none).
func pageCount(itemCount, pageSize int) int {
	if pageSize < 1 || itemCount < 1 {
		return 0
	}
	n := itemCount / pageSize
	if itemCount%pageSize != 0 {
		n++
	}
	return n
}

// ---------------------------------------------------------------------------
// Comma-separated lists: IDs, ContactIDs, InvoiceNumbers, Statuses

// maxListIDs is the most GUIDs an IDs-style list may carry. Real Xero has
// no count limit but a URL-length one: about 52–55 GUIDs fit, and beyond
// that the gateway answered 404 (xero-api.md §2). The sandbox turns that
// into a count and puts it at 50, a little under the real edge, so a client
// that batches safely here is safe at Xero whatever else its URL carries.
const maxListIDs = 50

// tooManyIDs reports whether a list of n GUIDs is past what Xero's URL
// length allows; the handler then answers with errNotFound, as Xero did.
func tooManyIDs(n int) bool { return n > maxListIDs }

// listParam returns the items of a comma-separated list parameter
// (InvoiceNumbers, Statuses, …), trimmed, without empty items or repeats,
// in the order given. Repeated parameters (IDs=a&IDs=b) are joined, as
// ASP.NET binds them.
func listParam(q url.Values, name string) []string {
	// Other spellings of the name follow the exact one, sorted, so the
	// result does not depend on map order.
	var keys []string
	for k := range q {
		if k != name && strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if _, ok := q[name]; ok {
		keys = append([]string{name}, keys...)
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		for _, v := range q[k] {
			for _, item := range strings.Split(v, ",") {
				item = strings.TrimSpace(item)
				if item != "" && !seen[item] {
					seen[item] = true
					out = append(out, item)
				}
			}
		}
	}
	return out
}

// guidListParam reads a list of GUIDs (IDs, ContactIDs) in the canonical
// lower-case form the sandbox's ids use. A list longer than maxListIDs is
// Xero's 404, checked first because the real limit is the gateway's URL
// length, met before any validation. An item that is not a GUID is a 400
// ValidationException (the reference is silent; .NET cannot bind it).
func guidListParam(q url.Values, name string) ([]string, *apiError) {
	items := listParam(q, name)
	if tooManyIDs(len(items)) {
		return nil, errNotFound()
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		id, ok := parseGUID(item)
		if !ok {
			return nil, errValidation(fmt.Sprintf("'%s' in %s is not a valid GUID", item, name))
		}
		if !slices.Contains(out, id) { // one GUID written two ways
			out = append(out, id)
		}
	}
	return out, nil
}

// parseGUID reads a GUID in any of the forms .NET's Guid parser takes
// (32 hex digits, with dashes, in braces or in parentheses) and returns its
// canonical lower-case 8-4-4-4-12 form.
func parseGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	var hex []byte
	switch len(s) {
	case 36:
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return "", false
				}
				continue
			}
			hex = append(hex, s[i])
		}
	case 32:
		hex = []byte(s)
	default:
		return "", false
	}
	out := make([]byte, 0, 36)
	for i, c := range hex {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", false
		}
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out = append(out, '-')
		}
		out = append(out, c)
	}
	return string(out), true
}

// ---------------------------------------------------------------------------
// order

// orderKey is one key of an `order` parameter: a field and a direction.
type orderKey struct {
	field qoperand
	desc  bool
}

// parseOrder reads an `order` parameter, "Field [ASC|DESC]" keys separated
// by commas (ASCENDING/DESCENDING too, any case), against the record type
// t. A key may name a nested field (Contact.Name), matched like where's
// fields. An unknown field, a field that cannot be ordered (a list, a
// nested object) or a malformed key is an error, which the handler answers
// with a 400 ValidationException. A blank parameter gives no keys.
func parseOrder(src string, t reflect.Type) ([]orderKey, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	root, err := rootStruct(t)
	if err != nil {
		return nil, err
	}
	var keys []orderKey
	for _, part := range strings.Split(src, ",") {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return nil, fmt.Errorf("order %q: want Field [ASC|DESC] keys separated by commas", src)
		}
		path, err := resolvePath(root, strings.Split(words[0], "."))
		if err != nil {
			return nil, err
		}
		field := fieldOperand(path)
		if field.kind == qObject {
			return nil, fmt.Errorf("order: %s is of type '%s', which cannot be ordered", words[0], field.typ)
		}
		key := orderKey{field: field}
		if len(words) == 2 {
			switch strings.ToUpper(words[1]) {
			case "ASC", "ASCENDING":
			case "DESC", "DESCENDING":
				key.desc = true
			default:
				return nil, fmt.Errorf("order: %q is not ASC or DESC", words[1])
			}
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// sortRecords returns a new slice of items ordered by keys, leaving items
// (which may be a Collection's shared slice) untouched. Ties on every key
// are broken by RecordID, so the order is the same on every call. Null
// values (an omitted date, a missing nested contact) sort first ascending
// and last descending, as in SQL Server and .NET. Strings compare ignoring
// case first, as Xero's database collation does, then exactly.
func sortRecords[T Record](items []T, keys []orderKey) []T {
	if len(keys) == 0 || len(items) < 2 {
		return slices.Clone(items)
	}
	// Read every key once up front (reflection per comparison would cost
	// n·log n field reads on an organisation of a million records), then
	// sort small indices rather than the records and their keys.
	n, nk := len(items), len(keys)
	vals := make([]qval, n*nk)
	ids := make([]string, n)
	idx := make([]int, n)
	for i, it := range items {
		rv := recordValue(it)
		for j, k := range keys {
			vals[i*nk+j] = k.field.eval(rv)
		}
		ids[i] = it.RecordID()
		idx[i] = i
	}
	kinds := make([]qkind, nk)
	for j, k := range keys {
		kinds[j] = k.field.kind
		if kinds[j] == qString || kinds[j] == qGuid {
			rankStrings(vals, j, nk)
			kinds[j] = qNumber
		}
	}
	// The comparison is a total order (RecordID, then input position,
	// break every tie), so the faster unstable sort gives the stable result.
	slices.SortFunc(idx, func(a, b int) int {
		va, vb := vals[a*nk:(a+1)*nk], vals[b*nk:(b+1)*nk]
		for j := range keys {
			if c := orderCompare(kinds[j], &va[j], &vb[j]); c != 0 {
				if keys[j].desc {
					return -c
				}
				return c
			}
		}
		if c := strings.Compare(ids[a], ids[b]); c != 0 {
			return c
		}
		return a - b
	})
	out := make([]T, n)
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// rankStrings replaces the strings of key j (of nk per record) in vals by
// their rank in compareFold order, so the sort compares numbers: sorting
// the distinct values once is far cheaper than comparing strings n·log n
// times, and organisations repeat values (statuses, contact names) a lot.
func rankStrings(vals []qval, j, nk int) {
	rank := map[string]float64{}
	for i := j; i < len(vals); i += nk {
		if !vals[i].null {
			rank[vals[i].s] = 0
		}
	}
	distinct := make([]string, 0, len(rank))
	for s := range rank {
		distinct = append(distinct, s)
	}
	slices.SortFunc(distinct, compareFold)
	for r, s := range distinct {
		rank[s] = float64(r)
	}
	for i := j; i < len(vals); i += nk {
		if !vals[i].null {
			vals[i].n = rank[vals[i].s]
		}
	}
}

// orderRecords parses an `order` parameter for T and sorts items by it. A
// blank parameter returns items unchanged (the Collection's default order);
// a bad one gives the 400 ValidationException.
func orderRecords[T Record](items []T, src string) ([]T, *apiError) {
	if strings.TrimSpace(src) == "" {
		return items, nil
	}
	keys, err := parseOrder(src, reflect.TypeFor[T]())
	if err != nil {
		return nil, errValidation(err.Error())
	}
	return sortRecords(items, keys), nil
}

// orderCompare orders two values of one kind, nulls first.
func orderCompare(kind qkind, a, b *qval) int {
	switch {
	case a.null && b.null:
		return 0
	case a.null:
		return -1
	case b.null:
		return 1
	}
	return compareVals(kind, a, b)
}
