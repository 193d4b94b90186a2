package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestConsentParams(t *testing.T) {
	csrf := http.NewCrossOriginProtection()
	form := func(method, origin string) *http.Request {
		r := httptest.NewRequest(method, "http://sandbox.test/authorize?client_id=q", strings.NewReader("client_id=f&state=s"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			r.Header.Set("Origin", origin)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		return r
	}
	tests := []struct {
		name     string
		r        *http.Request
		status   int
		clientID string
	}{
		{"get reads the query", form(http.MethodGet, ""), 0, "q"},
		{"post reads the form", form(http.MethodPost, ""), 0, "f"},
		{"cross-site post", form(http.MethodPost, "https://evil.test"), http.StatusForbidden, ""},
		{"put", form(http.MethodPut, ""), http.StatusMethodNotAllowed, ""},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		params, status, problem := ConsentParams(rec, tc.r, csrf, "sign-in page")
		if status != tc.status || (problem == "") != (tc.status == 0) || params.Get("client_id") != tc.clientID {
			t.Errorf("%s: %v, %d %q", tc.name, params, status, problem)
		}
	}
	rec := httptest.NewRecorder()
	if _, _, problem := ConsentParams(rec, form(http.MethodDelete, ""), csrf, "sign-in page"); problem != "The sign-in page answers GET and POST only." || rec.Header().Get("Allow") != "GET, POST" {
		t.Errorf("405: %q, Allow %q", problem, rec.Header().Get("Allow"))
	}
}

func TestRedirectBack(t *testing.T) {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/authorize", nil)
	err := RedirectBack(rec, r, "http://127.0.0.1:9/callback?keep=1", "st", url.Values{"code": {"c1"}, "error_description": {""}})
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if err != nil || rec.Code != http.StatusFound || loc.Host != "127.0.0.1:9" ||
		loc.Query().Encode() != (url.Values{"code": {"c1"}, "keep": {"1"}, "state": {"st"}}).Encode() {
		t.Errorf("redirect %d to %q, err %v", rec.Code, rec.Header().Get("Location"), err)
	}
	rec = httptest.NewRecorder()
	if err := RedirectBack(rec, r, "http://[::1", "", nil); err == nil || rec.Header().Get("Location") != "" {
		t.Errorf("bad redirect URI: err %v, Location %q", err, rec.Header().Get("Location"))
	}
}

func TestWritePage(t *testing.T) {
	const css = "body{margin:0}"
	sum := sha256.Sum256([]byte(css))
	csp := StyleCSP(css)
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	page := template.Must(template.New("p").Parse(`<p>{{.}}</p>`))
	rec := httptest.NewRecorder()
	if err := WritePage(rec, http.StatusBadRequest, csp, page, "<b>"); err != nil {
		t.Fatal(err)
	}
	h := rec.Result().Header
	if rec.Code != 400 || rec.Body.String() != "<p>&lt;b&gt;</p>" || h.Get("Content-Security-Policy") != csp ||
		h.Get("X-Frame-Options") != "DENY" || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("page %d %q with %v", rec.Code, rec.Body, h)
	}
	broken := template.Must(template.New("p").Parse(`{{.Missing}}`))
	rec = httptest.NewRecorder()
	if err := WritePage(rec, http.StatusOK, csp, broken, 1); err == nil || rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("a failing template: err %v, wrote %q with %v", err, rec.Body, rec.Header())
	}
}
