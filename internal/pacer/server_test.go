package pacer

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// hit is what the test server saw of one request.
type hit struct {
	method, auth, body string
}

// server answers its n-th request (from 1) with steps[n-1], and the last
// step once they run out.
type server struct {
	*httptest.Server
	n    atomic.Int64
	mu   sync.Mutex
	hits []hit
}

func newServer(t testing.TB, steps ...http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.hits = append(s.hits, hit{r.Method, r.Header.Get("Authorization"), string(body)})
		s.mu.Unlock()
		n := int(s.n.Add(1))
		steps[min(n, len(steps))-1](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int { return int(s.n.Load()) }

func (s *server) seen() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.hits...)
}

// reply answers with status, headers (name, value pairs) and body.
func reply(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

var ok = reply(http.StatusOK, "ok")

// reset closes the connection without answering.
func reset(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// truncated promises 100 bytes, sends 5 and closes the connection.
func truncated(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Inv")
	buf.Flush()
	conn.Close()
}

// get sends one GET through c and returns the body of a response.
func get(ctx context.Context, c *http.Client, url string) (*http.Response, string, error) {
	return do(ctx, c, http.MethodGet, url, "", nil)
}

// do sends one request through c; header is name, value pairs.
func do(ctx context.Context, c *http.Client, method, url, body string, header map[string][]string) (*http.Response, string, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}
