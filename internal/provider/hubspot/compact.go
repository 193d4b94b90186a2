package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
)

// A read that names every property gets every one back, null when unset:
// on a portal with 900 custom properties that is some 60 KB of nulls per
// contact (X11). DataPull keeps each record as sent less those null
// properties: a null and an absent property mean the same (the ground
// truth lists only set ones), and every value that is set, well typed or
// not (X12), is kept byte for byte.

// crmRecord is what the connector reads of a CRM record: its id, change
// time and archived flag, its set properties, and the payload to store.
// Everything in it is its own: props point into Payload, never into the
// response the record came in, so that buffer can take the next page.
type crmRecord struct {
	ID        string
	UpdatedAt string
	Archived  bool
	Payload   json.RawMessage
	props     []propValue // set properties, in the order sent
}

type propValue struct {
	name  []byte // the name's text (within Payload unless it was escaped)
	value []byte // the JSON string, quotes included, within Payload
}

// value returns a set property's text.
func (r *crmRecord) value(name string) (string, bool) {
	for _, p := range r.props {
		if string(p.name) == name {
			return unquote(p.value), true
		}
	}
	return "", false
}

// topOrder is the order the API writes a record's fields in.
var topOrder = []string{"id", "properties", "createdAt", "updatedAt", "archived", "archivedAt"}

// field is one member of a JSON object: its key (quoted, as sent, and
// its text) and its value's bytes.
type field struct {
	raw   []byte // the key as sent, quotes included
	key   []byte // the key's text
	value []byte
}

// recordReader reads CRM records out of response bodies. It scans the
// bytes once, by hand, and copies only what it keeps: pages of records
// with a thousand properties each are the connector's hot path, and a
// general decoder would make three passes and a map per record. Its
// buffers are reused from record to record and from call to call; each
// record gets one allocation of exactly its compacted size (a contact of
// 60 KB on the wire is often under 2 KB without its nulls). One reader
// serves one endpoint's read at a time.
type recordReader struct {
	body   []byte // the last response body, reused by the next call
	out    []byte // the payload being built
	props  []byte // the compacted properties object being built
	fields []field
	used   []bool
	spans  []propSpan
	errs   []error // records that could not be read, since takeErrors
}

// propSpan is a set property's place in the properties being built.
type propSpan struct {
	name           []byte // set when the name had escapes, else nil
	nameAt, nameTo int
	valAt, valTo   int
}

// readRecord parses one CRM record (see recordReader).
func readRecord(raw []byte) (*crmRecord, error) {
	var rd recordReader
	r, end, err := rd.recordAt(raw, skipWS(raw, 0))
	if err != nil {
		return nil, err
	}
	if skipWS(raw, end) != len(raw) {
		return nil, errors.New("data after the record")
	}
	return r, nil
}

// takeErrors returns the read errors since the last call.
func (rd *recordReader) takeErrors() []error {
	errs := rd.errs
	rd.errs = nil
	return errs
}

// page reads a list, search or batch answer: its records, the next page
// cursor and search's total (-1 if absent). A record that cannot be read
// is left out and kept for takeErrors; a body that cannot be read is an
// error.
func (rd *recordReader) page(body []byte) (recs []*crmRecord, next string, total int64, err error) {
	total = -1
	err = eachMember(body, func(key, b []byte, i int) (int, error) {
		if string(key) == "results" {
			read, end, err := rd.results(b, i)
			recs = read
			return end, err
		}
		end, err := valueEnd(b, i)
		if err != nil {
			return 0, err
		}
		switch string(key) {
		case "paging":
			var p paging
			if err := json.Unmarshal(b[i:end], &p); err != nil {
				return 0, err
			}
			next = p.after()
		case "total":
			json.Unmarshal(b[i:end], &total)
		}
		return end, nil
	})
	if err != nil {
		return nil, "", -1, err
	}
	return recs, next, total, nil
}

// results reads the array of records starting at b[i].
func (rd *recordReader) results(b []byte, i int) ([]*crmRecord, int, error) {
	if bytes.HasPrefix(b[i:], []byte("null")) {
		return nil, i + 4, nil
	}
	if b[i] != '[' {
		return nil, 0, errors.New("results is not an array")
	}
	recs := make([]*crmRecord, 0, 100)
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, 0, errors.New("unterminated array")
		}
		switch b[i] {
		case ']':
			return recs, i + 1, nil
		case ',':
			i++
			continue
		}
		r, end, err := rd.recordAt(b, i)
		if err != nil {
			// Skip the element whole, if it is JSON at all.
			if end, err2 := valueEnd(b, i); err2 == nil {
				rd.errs = append(rd.errs, err)
				i = end
				continue
			}
			return nil, 0, err
		}
		recs = append(recs, r)
		i = end
	}
}

// eachMember calls fn with each member of the JSON object b: its key's
// text and where its value starts; fn returns where the value ends.
func eachMember(b []byte, fn func(key, b []byte, i int) (int, error)) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errors.New("not a JSON object")
	}
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return errors.New("unterminated object")
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i++
			continue
		}
		kEnd, ok := stringEnd(b, i)
		if !ok {
			return errors.New("bad object key")
		}
		key := keyText(b[i:kEnd])
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return errors.New("missing colon")
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return errors.New("missing value")
		}
		end, err := fn(key, b, i)
		if err != nil {
			return err
		}
		i = end
	}
}

// recordAt parses the CRM record starting at b[i] and builds its payload
// without null properties, in the order the API writes fields in; it
// returns where the record ends.
func (rd *recordReader) recordAt(b []byte, i int) (*crmRecord, int, error) {
	if i >= len(b) || b[i] != '{' {
		return nil, 0, errors.New("not a JSON object")
	}
	fields := rd.fields[:0]
	rd.spans = rd.spans[:0]
	rd.props = rd.props[:0]
	propsAt := -1 // the properties field, its value in rd.props
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, 0, errors.New("unterminated object")
		}
		if b[i] == '}' {
			i++
			break
		}
		if b[i] == ',' {
			i++
			continue
		}
		kEnd, ok := stringEnd(b, i)
		if !ok {
			return nil, 0, errors.New("bad object key")
		}
		raw := b[i:kEnd]
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return nil, 0, errors.New("missing colon")
		}
		i = skipWS(b, i+1)
		key := keyText(raw)
		var end int
		var err error
		if string(key) == "properties" && propsAt < 0 {
			propsAt = len(fields)
			rd.props, end, err = rd.compactProps(rd.props, b, i)
		} else {
			end, err = valueEnd(b, i)
		}
		if err != nil {
			rd.fields = fields
			return nil, 0, err
		}
		fields = append(fields, field{raw: raw, key: key, value: b[i:end]})
		i = end
	}
	rd.fields = fields

	r := &crmRecord{}
	out := append(rd.out[:0], '{')
	shift := 0 // where the compacted properties landed in out
	n := 0
	write := func(fi int) {
		f := fields[fi]
		if n > 0 {
			out = append(out, ',')
		}
		n++
		out = append(out, f.raw...)
		out = append(out, ':')
		if fi == propsAt {
			shift = len(out)
			out = append(out, rd.props...)
			return
		}
		out = append(out, f.value...)
	}
	used := rd.used[:0]
	for range fields {
		used = append(used, false)
	}
	rd.used = used
	for _, k := range topOrder {
		for fi, f := range fields {
			if used[fi] || string(f.key) != k {
				continue
			}
			used[fi] = true
			switch k {
			case "id":
				r.ID = unquote(f.value)
			case "updatedAt":
				r.UpdatedAt = unquote(f.value)
			case "archived":
				r.Archived = string(f.value) == "true"
			}
			write(fi)
		}
	}
	for fi := range fields {
		if !used[fi] {
			write(fi)
		}
	}
	out = append(out, '}')
	rd.out = out
	if r.ID == "" {
		return nil, 0, errors.New("a record without an id")
	}
	r.Payload = bytes.Clone(out)
	if len(rd.spans) > 0 {
		p := r.Payload
		r.props = make([]propValue, len(rd.spans))
		for si, s := range rd.spans {
			name := s.name
			if name == nil {
				name = p[shift+s.nameAt : shift+s.nameTo : shift+s.nameTo]
			}
			r.props[si] = propValue{name: name, value: p[shift+s.valAt : shift+s.valTo : shift+s.valTo]}
		}
	}
	return r, i, nil
}

// valueEnd returns the index after the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch b[i] {
	case '"':
		end, ok := stringEnd(b, i)
		if !ok {
			return 0, errors.New("unterminated string")
		}
		return end, nil
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := stringEnd(b, j)
				if !ok {
					return 0, errors.New("unterminated string")
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated object or array")
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] > ' ' {
		j++
	}
	if j == i {
		return 0, errors.New("missing value")
	}
	return j, nil
}

// keyText is a quoted key's text: a slice of it unless it has escapes.
func keyText(quoted []byte) []byte {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return quoted[1 : len(quoted)-1]
	}
	return []byte(unquote(quoted))
}

var errProps = errors.New("properties is not an object of strings")

// compactProps appends the properties object starting at src[i] to b
// without its null members, noting where each of the others is (from
// b's start), and returns where the object ends. Values are JSON strings
// (HubSpot sends every value as one); a number or boolean is kept too, as
// sent.
func (rd *recordReader) compactProps(b, src []byte, i int) ([]byte, int, error) {
	if i >= len(src) {
		return b, 0, errProps
	}
	if src[i] != '{' {
		if bytes.HasPrefix(src[i:], []byte("null")) {
			return append(b, "{}"...), i + 4, nil
		}
		return b, 0, errProps
	}
	b = append(b, '{')
	first := true
	i++
	for {
		i = skipWS(src, i)
		if i >= len(src) {
			return b, 0, errProps
		}
		if src[i] == '}' {
			return append(b, '}'), i + 1, nil
		}
		if src[i] == ',' {
			i++
			continue
		}
		kEnd, ok := stringEnd(src, i)
		if !ok {
			return b, 0, errProps
		}
		key := src[i:kEnd]
		i = skipWS(src, kEnd)
		if i >= len(src) || src[i] != ':' {
			return b, 0, errProps
		}
		i = skipWS(src, i+1)
		if i >= len(src) {
			return b, 0, errProps
		}
		var vEnd int
		switch src[i] {
		case 'n':
			if !bytes.HasPrefix(src[i:], []byte("null")) {
				return b, 0, errProps
			}
			i += 4
			continue
		case '"':
			if vEnd, ok = stringEnd(src, i); !ok {
				return b, 0, errProps
			}
		case '{', '[':
			return b, 0, errProps
		default:
			vEnd = i
			for vEnd < len(src) && src[vEnd] != ',' && src[vEnd] != '}' && src[vEnd] > ' ' {
				vEnd++
			}
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		s := propSpan{nameAt: len(b) + 1}
		b = append(b, key...)
		s.nameTo = len(b) - 1
		if bytes.IndexByte(key, '\\') >= 0 {
			s.name = []byte(unquote(key))
		}
		b = append(b, ':')
		s.valAt = len(b)
		b = append(b, src[i:vEnd]...)
		s.valTo = len(b)
		rd.spans = append(rd.spans, s)
		i = vEnd
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at b[i].
// It jumps from quote to quote: a quote preceded by an odd number of
// backslashes is escaped.
func stringEnd(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, false
		}
		q := j + k
		n := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, true
		}
		j = q + 1
	}
}

// unquote is a JSON string's text (or a bare scalar's).
func unquote(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		return string(v)
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1])
	}
	var s string
	json.Unmarshal(v, &s)
	return s
}
