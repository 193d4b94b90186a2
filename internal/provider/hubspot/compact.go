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
type crmRecord struct {
	ID        string
	UpdatedAt string
	Archived  bool
	Payload   json.RawMessage
	props     []propValue // set properties, in the order sent
}

type propValue struct {
	name  string
	value []byte // the JSON string, quotes included
}

// value returns a set property's text.
func (r *crmRecord) value(name string) (string, bool) {
	for _, p := range r.props {
		if p.name == name {
			return unquote(p.value), true
		}
	}
	return "", false
}

// topOrder is the order the API writes a record's fields in.
var topOrder = []string{"id", "properties", "createdAt", "updatedAt", "archived", "archivedAt"}

// field is one member of a JSON object: its key's text and its value's
// bytes.
type field struct {
	key   string
	value []byte
}

// readRecord parses one CRM record and builds its payload without null
// properties. It scans the bytes once, by hand: pages of records with a
// thousand properties each are the connector's hot path, and a general
// decoder would make three passes and a map per record.
func readRecord(raw []byte) (*crmRecord, error) {
	fields, err := objectFields(raw)
	if err != nil {
		return nil, err
	}
	r := &crmRecord{}
	b := make([]byte, 0, len(raw)/2+64)
	b = append(b, '{')
	n := 0
	write := func(f field) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendKey(b, f.key)
		b = append(b, f.value...)
	}
	used := make([]bool, len(fields))
	for _, k := range topOrder {
		for i, f := range fields {
			if used[i] || f.key != k {
				continue
			}
			used[i] = true
			switch k {
			case "id":
				r.ID = unquote(f.value)
			case "updatedAt":
				r.UpdatedAt = unquote(f.value)
			case "archived":
				r.Archived = string(f.value) == "true"
			case "properties":
				compacted, props, err := compactProps(f.value)
				if err != nil {
					return nil, err
				}
				f.value, r.props = compacted, props
			}
			write(f)
		}
	}
	for i, f := range fields {
		if !used[i] {
			write(f)
		}
	}
	if r.ID == "" {
		return nil, errors.New("a record without an id")
	}
	r.Payload = append(b, '}')
	return r, nil
}

// objectFields splits a JSON object into its members, in order.
func objectFields(b []byte) ([]field, error) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	fields := make([]field, 0, 8)
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, errors.New("unterminated object")
		}
		switch b[i] {
		case '}':
			return fields, nil
		case ',':
			i++
			continue
		}
		kEnd, ok := stringEnd(b, i)
		if !ok {
			return nil, errors.New("bad object key")
		}
		key := unquote(b[i:kEnd])
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return nil, errors.New("missing colon")
		}
		i = skipWS(b, i+1)
		end, err := valueEnd(b, i)
		if err != nil {
			return nil, err
		}
		fields = append(fields, field{key: key, value: b[i:end]})
		i = end
	}
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

// arrayElements splits a JSON array into its elements' bytes.
func arrayElements(b []byte) ([][]byte, error) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
			return nil, nil
		}
		return nil, errors.New("not a JSON array")
	}
	var out [][]byte
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, errors.New("unterminated array")
		}
		switch b[i] {
		case ']':
			return out, nil
		case ',':
			i++
			continue
		}
		end, err := valueEnd(b, i)
		if err != nil {
			return nil, err
		}
		out = append(out, b[i:end])
		i = end
	}
}

// recordPage reads a list, search or batch answer: its records' bytes
// (not copied), the next page cursor and search's total (-1 if absent).
func recordPage(body []byte) (results []json.RawMessage, next string, total int64, err error) {
	fields, err := objectFields(body)
	if err != nil {
		return nil, "", -1, err
	}
	total = -1
	for _, f := range fields {
		switch f.key {
		case "results":
			els, err := arrayElements(f.value)
			if err != nil {
				return nil, "", -1, err
			}
			results = make([]json.RawMessage, len(els))
			for i, e := range els {
				results[i] = e
			}
		case "paging":
			var p paging
			if err := json.Unmarshal(f.value, &p); err != nil {
				return nil, "", -1, err
			}
			next = p.after()
		case "total":
			json.Unmarshal(f.value, &total)
		}
	}
	return results, next, total, nil
}

func appendKey(b []byte, k string) []byte {
	q, _ := json.Marshal(k)
	b = append(b, q...)
	return append(b, ':')
}

var errProps = errors.New("properties is not an object of strings")

// compactProps rewrites a properties object without its null members and
// lists the others. Values are JSON strings (HubSpot sends every value as
// one); a number or boolean is kept too, as sent.
func compactProps(src []byte) (json.RawMessage, []propValue, error) {
	out := make([]byte, 0, 64)
	var props []propValue
	i := skipWS(src, 0)
	if i >= len(src) || src[i] != '{' {
		if bytes.Equal(bytes.TrimSpace(src), []byte("null")) {
			return json.RawMessage("{}"), nil, nil
		}
		return nil, nil, errProps
	}
	out = append(out, '{')
	i++
	for {
		i = skipWS(src, i)
		if i >= len(src) {
			return nil, nil, errProps
		}
		if src[i] == '}' {
			break
		}
		if src[i] == ',' {
			i++
			continue
		}
		kEnd, ok := stringEnd(src, i)
		if !ok {
			return nil, nil, errProps
		}
		key := src[i:kEnd]
		i = skipWS(src, kEnd)
		if i >= len(src) || src[i] != ':' {
			return nil, nil, errProps
		}
		i = skipWS(src, i+1)
		if i >= len(src) {
			return nil, nil, errProps
		}
		var vEnd int
		switch src[i] {
		case 'n':
			if !bytes.HasPrefix(src[i:], []byte("null")) {
				return nil, nil, errProps
			}
			i += 4
			continue
		case '"':
			if vEnd, ok = stringEnd(src, i); !ok {
				return nil, nil, errProps
			}
		default:
			vEnd = i
			for vEnd < len(src) && src[vEnd] != ',' && src[vEnd] != '}' && src[vEnd] > ' ' {
				vEnd++
			}
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, key...)
		out = append(out, ':')
		out = append(out, src[i:vEnd]...)
		props = append(props, propValue{name: unquote(key), value: src[i:vEnd]})
		i = vEnd
	}
	return append(out, '}'), props, nil
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
