package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
)

// What the emulators' consent pages share: how a request's parameters are
// read, how the user is sent back to the app, and how a page is written.
// What a page shows, and what the provider does with the answer, are each
// emulator's own.

// MaxFormBody bounds the form bodies the OAuth endpoints read.
const MaxFormBody = 64 << 10

// ConsentParams reads a consent page request's parameters: the query of a
// GET or HEAD, the form of a POST that passes the cross-origin check (the
// page's own form posts back to it). When it cannot, it returns the status
// and the words for the emulator's error page, having set Allow for a 405;
// page names the page in those words ("sign-in page").
func ConsentParams(w http.ResponseWriter, r *http.Request, csrf *http.CrossOriginProtection, page string) (params url.Values, status int, problem string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return r.URL.Query(), 0, ""
	case http.MethodPost:
		if err := csrf.Check(r); err != nil {
			return nil, http.StatusForbidden, "This consent was sent from another web site, so it was refused."
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxFormBody)
		if err := r.ParseForm(); err != nil {
			return nil, http.StatusBadRequest, "The consent form could not be read."
		}
		return r.PostForm, 0, ""
	}
	w.Header().Set("Allow", "GET, POST")
	return nil, http.StatusMethodNotAllowed, "The " + page + " answers GET and POST only."
}

// RedirectBack sends the user to the app's redirect URI with params (those
// whose value is empty left out) and, when there is one, the request's
// state. It fails only when redirectURI is not a URL, which the emulator
// shows on its own error page.
func RedirectBack(w http.ResponseWriter, r *http.Request, redirectURI, state string, params url.Values) error {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return err
	}
	q := u.Query()
	for k, v := range params {
		if len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}

// StyleCSP returns the Content-Security-Policy of a page whose one resource
// is its inline stylesheet css, allowed by its hash: the page loads nothing
// and runs no script. It sets no form-action: browsers apply that to the
// redirect after the form, which goes to the client's own redirect URI.
func StyleCSP(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'; base-uri 'none'"
}

// WritePage renders t with data and writes it as an HTML page with status,
// under csp, and not to be framed, sniffed or named in a Referer. When the
// template fails nothing is written and the error is returned, so that the
// emulator answers its provider's 500.
func WritePage(w http.ResponseWriter, status int, csp string, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}
