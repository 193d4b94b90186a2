package sandboxtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Serve starts h on a loopback server, closed when the test ends, and
// returns its base URL and a client that hands back redirects instead of
// following them, since a consent's answer is a redirect to inspect.
func Serve(t testing.TB, h http.Handler) (base string, client *http.Client) {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL, &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
