package pacer

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/datapull/datapull/internal/provider"
)

// bodyStart is how much of an error body an APIError keeps: enough for a
// provider's message, not a whole HTML error page in a log line.
const bodyStart = 512

// apiError describes a final failed response for the log and for support.
func (t *Transport) apiError(req *http.Request, resp *http.Response, body []byte) *provider.APIError {
	e := &provider.APIError{
		Status: resp.StatusCode,
		Method: req.Method,
		URL:    redactURL(req.URL),
		Body:   startOf(body, bodyStart),
	}
	if h := t.policy.CorrelationHeader; h != "" {
		e.CorrelationID = resp.Header.Get(h)
	}
	return e
}

// secretParam reports whether a query parameter may carry a credential
// (HubSpot's legacy hapikey, OAuth's access_token and code, signed URLs).
func secretParam(name string) bool {
	lower := strings.ToLower(name)
	switch lower {
	case "code", "sig", "auth":
		return true
	}
	for _, s := range []string{"token", "key", "secret", "password", "signature"} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

// redactURL returns u for logs, without user info and with the values of
// query parameters that look like credentials replaced.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	q := c.Query()
	changed := false
	for name := range q {
		if secretParam(name) {
			q[name] = []string{"REDACTED"}
			changed = true
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// startOf returns the first n bytes of b as trimmed, valid text (a rune cut
// in two is dropped).
func startOf(b []byte, n int) string {
	more := ""
	if len(b) > n {
		b, more = b[:n], "…"
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), "")) + more
}
