package sandbox

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// The fault kinds that look the same at every provider, acted out on the
// wire. Faults decides when they fire; each emulator calls these from its
// own injector, next to the kinds it turns into its provider's errors.

// Delay holds a call for a slow fault's argument (a duration of wall time;
// DefaultSlowDelay when it is not a positive duration), or until done is
// closed because the client gave up. A nil done waits the whole delay.
func Delay(done <-chan struct{}, arg string) {
	d, err := time.ParseDuration(arg)
	if err != nil || d <= 0 {
		d = DefaultSlowDelay
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-done:
	}
}

// ResetConnection closes the client's connection without a response and
// reports whether it could. The socket closes with SO_LINGER 0, so the
// client sees a TCP reset ("connection reset by peer") rather than a clean
// end of stream. Where the connection cannot be taken over (HTTP/2, a test
// recorder) it returns false, and the emulator answers with the nearest
// failure its provider has, the edge's 502 page.
func ResetConnection(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
	return true
}

// TruncateBody wraps w so that a response body is cut at half its length
// while the headers promise all of it: Content-Length is the full length of
// the first Write, of which only half is sent. net/http then closes the
// connection, as the promised length was not written, so the client reads
// the right status and content type, then a body that ends early
// (io.ErrUnexpectedEOF). It expects the body in one Write, as the
// emulators' pipelines write it; later Writes are dropped.
func TruncateBody(w http.ResponseWriter) http.ResponseWriter {
	return &truncatingWriter{ResponseWriter: w}
}

type truncatingWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// WriteHeader holds the status back until the body's length is known.
func (t *truncatingWriter) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
	}
}

// Write sends the headers with the full Content-Length, then half of b.
func (t *truncatingWriter) Write(b []byte) (int, error) {
	if t.wrote {
		return len(b), nil
	}
	t.wrote = true
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.Header().Set("Content-Length", strconv.Itoa(len(b)))
	t.ResponseWriter.WriteHeader(t.status)
	if _, err := t.ResponseWriter.Write(b[:len(b)/2]); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *truncatingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
