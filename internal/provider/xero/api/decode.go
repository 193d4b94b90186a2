package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// The decoding here is hand-written for speed, and kept small by leaning
// on one guarantee: a body is checked with json.Valid before anything else
// reads it, so the walkers below only ever see well-formed JSON and need
// not validate. Compared with encoding/json it scans each record once to
// find it and once more for the few fields the connector reads, instead of
// four or five times; the records themselves are never decoded.

// DecodeList reads a success envelope, {"Id":…,"Status":"OK",
// "DateTimeUTC":"/Date(…)/","pagination":{…},"<key>":[…]}, keeping each
// record of the array under key (matched ignoring case) as the exact bytes
// received. The records share the body's memory.
func DecodeList(r io.Reader, key string) (*List, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, syntaxError(body)
	}
	out := &List{}
	found := false
	err = eachMember(body, func(name, val []byte) error {
		switch {
		case bytes.EqualFold(name, []byte(key)):
			found, out.Records = true, nil // a repeated key: the last wins, as in encoding/json
			return eachElement(val, func(rec []byte) error {
				out.Records = append(out.Records, json.RawMessage(rec))
				return nil
			})
		case string(name) == "pagination":
			return json.Unmarshal(val, &out.Pagination)
		case string(name) == "DateTimeUTC":
			// The server clock is a convenience (reports' "today"); a
			// value we cannot read is no reason to drop the page.
			if s, ok := stringValue(val); ok {
				out.ServerTime, _ = ParseDate(s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w %q", ErrNoArray, key)
	}
	if out.Records == nil {
		out.Records = []json.RawMessage{}
	}
	return out, nil
}

// syntaxError explains why body is not JSON, through a decoder so that a
// body cut short reads as io.ErrUnexpectedEOF.
func syntaxError(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.Token(); err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
}

// ReadMeta reads a record's top-level fields: the id from idField, the
// change time from timeField, Status, ContactStatus, HasAttachments and
// JournalNumber. Nested objects (an invoice's Contact.ContactID) are
// skipped, never mistaken for the record's own fields. raw must be valid
// JSON, as DecodeList's records are.
func ReadMeta(raw []byte, idField, timeField string) (Meta, error) {
	var m Meta
	err := eachMember(raw, func(name, val []byte) error {
		switch string(name) {
		case idField:
			m.ID, _ = stringValue(val)
		case timeField:
			m.Time, _ = stringValue(val)
		case "Status":
			m.Status, _ = stringValue(val)
		case "ContactStatus":
			m.ContactStatus, _ = stringValue(val)
		case "HasAttachments":
			m.HasAttachments = string(val) == "true"
		case "JournalNumber":
			m.JournalNumber, _ = strconv.ParseInt(string(val), 10, 64)
		}
		return nil
	})
	return m, err
}

// eachMember calls fn with the name and value bytes of each member of the
// JSON object b.
func eachMember(b []byte, fn func(name, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("want an object, got %.20q", b[i:])
	}
	for i = skipSpace(b, i+1); i < len(b) && b[i] != '}'; i = skipSpace(b, i) {
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		end := skipString(b, i)
		name := b[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			json.Unmarshal(b[i:end], &s)
			name = []byte(s)
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // the colon
		vend := skipValue(b, i)
		if err := fn(name, b[i:vend]); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		i = vend
	}
	return nil
}

// eachElement calls fn with each element of the JSON array b; null is an
// empty array.
func eachElement(b []byte, fn func(val []byte) error) error {
	i := skipSpace(b, 0)
	if string(b[i:]) == "null" {
		return nil
	}
	if b[i] != '[' {
		return fmt.Errorf("want an array, got %.20q", b[i:])
	}
	for i = skipSpace(b, i+1); i < len(b) && b[i] != ']'; i = skipSpace(b, i) {
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		end := skipValue(b, i)
		if err := fn(b[i:end]); err != nil {
			return err
		}
		i = end
	}
	return nil
}

// stringValue returns a JSON string's text; ok is false for any other value.
func stringValue(val []byte) (string, bool) {
	if len(val) < 2 || val[0] != '"' {
		return "", false
	}
	// Without escapes or invalid UTF-8 (which encoding/json would turn
	// into U+FFFD), the text is the bytes between the quotes.
	if text := val[1 : len(val)-1]; bytes.IndexByte(text, '\\') < 0 && utf8.Valid(text) {
		return string(text), true
	}
	var s string
	err := json.Unmarshal(val, &s)
	return s, err == nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	// A number, true, false or null runs to the next delimiter.
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	return i
}
