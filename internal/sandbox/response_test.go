package sandbox

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

func TestResponseSend(t *testing.T) {
	r := &Response{Status: 429, ContentType: "text/html; charset=utf-8", Body: []byte("<p>slow down</p>"),
		Header: http.Header{"Retry-After": {"7"}, "Content-Type": {"application/json"}}}
	rec := httptest.NewRecorder()
	rec.Header().Set("X-Correlation-Id", "c1")
	r.Send(rec)
	h := rec.Result().Header
	if rec.Code != 429 || rec.Body.String() != "<p>slow down</p>" || h.Get("Retry-After") != "7" || h.Get("X-Correlation-Id") != "c1" {
		t.Errorf("sent %d %q with %v", rec.Code, rec.Body, h)
	}
	// The content type is the response's own, whatever the extra headers say.
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
}

func TestNewUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := NewUUID()
		if !v4.MatchString(id) || seen[id] {
			t.Fatalf("NewUUID() = %q: want a fresh version-4 UUID", id)
		}
		seen[id] = true
	}
}
