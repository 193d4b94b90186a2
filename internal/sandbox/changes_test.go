package sandbox

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestChangeErrors(t *testing.T) {
	tests := []struct {
		err    error
		status int
	}{
		{Refuse("cannot void %s", "INV-1"), 400},
		{Missing("no invoice %q", "x"), 404},
		{fmt.Errorf("apply: %w", Missing("gone")), 404},
		{errors.New("a bug"), 500},
	}
	for _, tc := range tests {
		if got := AdminStatus(tc.err); got != tc.status {
			t.Errorf("AdminStatus(%v) = %d, want %d", tc.err, got, tc.status)
		}
		rec := httptest.NewRecorder()
		WriteAdminError(rec, tc.err)
		if rec.Code != tc.status || decode[map[string]string](t, rec.Body.Bytes())["error"] != tc.err.Error() {
			t.Errorf("WriteAdminError(%v): %d %s", tc.err, rec.Code, rec.Body)
		}
	}
	if got := Refuse("cannot void %s", "INV-1").Error(); got != "cannot void INV-1" {
		t.Errorf("message %q", got)
	}
}

func TestChangeBatch(t *testing.T) {
	one, list := "one", []string{"a", "b"}
	tests := []struct {
		name       string
		list       []string
		single, op bool
		want       []string
	}{
		{"single", nil, true, true, []string{"one"}},
		{"list", list, false, false, list},
		{"both", list, true, true, nil},
		{"a field but no op", nil, true, false, nil},
		{"empty", nil, false, false, nil},
	}
	for _, tc := range tests {
		got, err := ChangeBatch(one, tc.list, tc.single, tc.op, "{…}")
		if !reflect.DeepEqual(got, tc.want) || (err == nil) != (tc.want != nil) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestWriteChanges(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteChanges[int](rec, nil, nil, map[string]any{"records": []string{"r"}})
	if rec.Code != 200 || rec.Body.String() != `{"changes":[],"records":["r"]}`+"\n" {
		t.Errorf("applied: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	WriteChanges(rec, []int{1}, Refuse("no"), map[string]any{"records": nil})
	if rec.Code != 400 || rec.Body.String() != `{"applied":[1],"error":"no"}`+"\n" {
		t.Errorf("refused: %d %s", rec.Code, rec.Body)
	}
}
