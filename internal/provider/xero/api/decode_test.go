package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// refMeta reads the same fields as ReadMeta through encoding/json, as the
// reference the hand-written walker must agree with.
func refMeta(raw []byte, idField, timeField string) (Meta, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Meta{}, false
	}
	str := func(k string) string {
		var s string
		json.Unmarshal(obj[k], &s)
		return s
	}
	m := Meta{ID: str(idField), Status: str("Status"), ContactStatus: str("ContactStatus"),
		HasAttachments: string(obj["HasAttachments"]) == "true"}
	if timeField != "" {
		m.Time = str(timeField)
	}
	if v, ok := obj["JournalNumber"]; ok {
		m.JournalNumber, _ = strconv.ParseInt(string(v), 10, 64)
	}
	return m, true
}

var metaSeeds = []string{
	`{"InvoiceID":"a","Status":"PAID","UpdatedDateUTC":"/Date(1+0000)/","HasAttachments":true}`,
	` { "Contact" : {"InvoiceID":"nested","Status":"X"}, "InvoiceID" : "b" , "LineItems":[{"Status":"Y"},"]}"] }`,
	`{"InvoiceID":"q\"uote\\d","Status":"V\u004fIDED","Note":"a } ] , \" {"}`,
	`{"\u0049nvoiceID":"escaped key","HasAttachments":false,"JournalNumber":42}`,
	`{"InvoiceID":null,"Status":7,"HasAttachments":"true","JournalNumber":1.5}`,
	`{"InvoiceID":"dup","InvoiceID":"last"}`,
	`{}`,
	"{\n\t\"InvoiceID\":\t\"ws\"\r\n}",
}

// TestReadMetaMatchesEncodingJSON checks the walker against encoding/json
// on records chosen to trip a hand-written scanner: nested objects holding
// the same keys, brackets and quotes inside strings, escaped keys and
// values, values of the wrong type, duplicate keys, odd whitespace.
func TestReadMetaMatchesEncodingJSON(t *testing.T) {
	for _, s := range metaSeeds {
		want, _ := refMeta([]byte(s), "InvoiceID", "UpdatedDateUTC")
		got, err := ReadMeta([]byte(s), "InvoiceID", "UpdatedDateUTC")
		if err != nil || got != want {
			t.Errorf("ReadMeta(%s) = %+v, %v; want %+v", s, got, err, want)
		}
	}
}

// FuzzReadMeta holds the walker to encoding/json on any valid JSON object.
func FuzzReadMeta(f *testing.F) {
	for _, s := range metaSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		want, ok := refMeta(raw, "InvoiceID", "UpdatedDateUTC")
		got, err := ReadMeta(raw, "InvoiceID", "UpdatedDateUTC")
		if !ok {
			return // not an object: the walker's error is all that is asked
		}
		if err != nil || got != want {
			t.Errorf("ReadMeta(%s) = %+v, %v; want %+v", raw, got, err, want)
		}
	})
}

// TestDecodeListKeepsBytes checks every record is the exact slice of the
// body, whitespace and all, and that pagination and the server time are
// read wherever they sit.
func TestDecodeListKeepsBytes(t *testing.T) {
	recs := []string{`{ "InvoiceID" : "a" }`, `{"InvoiceID":"b","Lines":[{"x":"]"}]}`, `{}`}
	body := `{"Id":"1","Status":"OK","Invoices":[` + strings.Join(recs, " ,\n ") + `],"pagination":{"page":1,"pageSize":3,"pageCount":1,"itemCount":3},"DateTimeUTC":"/Date(-5)/"}`
	l, err := DecodeList(strings.NewReader(body), "Invoices")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Records) != len(recs) || l.Pagination == nil || l.Pagination.ItemCount != 3 || l.ServerTime.UnixMilli() != -5 {
		t.Fatalf("DecodeList = %+v", l)
	}
	for i, r := range recs {
		if !bytes.Equal(l.Records[i], []byte(r)) {
			t.Errorf("record %d = %s, want %s", i, l.Records[i], r)
		}
	}
}

// FuzzDecodeList holds the envelope walker to encoding/json: for any valid
// object, the records under the key are the elements encoding/json finds,
// byte for byte, or both refuse.
func FuzzDecodeList(f *testing.F) {
	f.Add([]byte(`{"Id":"1","Invoices":[{"a":1}, {"b":"]"} ,[],"x",null,3],"pagination":{"page":1}}`))
	f.Add([]byte(`{"invoices":null}`))
	f.Add([]byte(`{"Invoices":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var obj map[string]json.RawMessage
		if !json.Valid(body) || json.Unmarshal(body, &obj) != nil || obj == nil {
			return
		}
		var val json.RawMessage
		matches := 0
		for k, v := range obj {
			if strings.EqualFold(k, "Invoices") {
				val, matches = v, matches+1
			}
		}
		if matches > 1 {
			return // which one encoding/json keeps depends on key order
		}
		var pg *Pagination
		if p, ok := obj["pagination"]; ok && json.Unmarshal(p, &pg) != nil {
			return // a malformed pagination object is an error either way
		}
		var want []json.RawMessage
		wantErr := matches == 0 || json.Unmarshal(val, &want) != nil
		got, err := DecodeList(bytes.NewReader(body), "Invoices")
		if wantErr != (err != nil) {
			t.Fatalf("DecodeList(%s): err %v, want error %v", body, err, wantErr)
		}
		if err != nil {
			return
		}
		if len(got.Records) != len(want) {
			t.Fatalf("DecodeList(%s): %d records, want %d", body, len(got.Records), len(want))
		}
		for i := range want {
			if !bytes.Equal(got.Records[i], want[i]) {
				t.Fatalf("DecodeList(%s): record %d = %s, want %s", body, i, got.Records[i], want[i])
			}
		}
	})
}
