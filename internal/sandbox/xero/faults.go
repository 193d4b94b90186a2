package xero

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// Sentinels injectFault returns when the fault is not an error response.
// The pipeline (server.go) must compare against them:
//
//   - errHandled: the connection was hijacked and closed (a reset). Nothing
//     may be written: api() must skip apiErr.write for it.
//   - errTruncate: serve the call as usual, but through truncateBody(w), so
//     the body is cut at half its length. serveAPI must replace its writer
//     and carry on rather than return.
//
// Each is also a harmless response if a pipeline does not know it: writing
// on a hijacked connection is dropped by net/http, and errTruncate's own
// body is a short, cut-off JSON document.
var (
	errHandled  = &apiError{status: http.StatusBadGateway, contentType: contentText, body: []byte("connection reset")}
	errTruncate = &apiError{status: http.StatusOK, contentType: contentJSON, body: []byte(`{"Id":"`)}
)

// injectFault consults the fault profile for this call to endpoint and, if
// a fault fires, acts it out: most kinds become Xero's real error response
// for that failure; slow delays the call and lets it go on; reset and
// truncate return the sentinels above.
func (s *Server) injectFault(w http.ResponseWriter, c *call, endpoint string) *apiError {
	kind, arg, ok := s.faults.Decide(endpoint)
	if !ok {
		return nil
	}
	instance, tenant, user := "", "", ""
	if c != nil {
		instance = c.instance
		if c.org != nil {
			tenant = c.org.ID
		}
		if c.grant != nil {
			user = c.grant.userID
		}
	}
	switch kind {
	case sandbox.Fault429Minute:
		return s.limits.injected429(w, problemMinute, tenant)
	case sandbox.Fault429Day:
		return s.limits.injected429(w, problemDay, tenant)
	case sandbox.Fault500:
		return errServer(instance)
	case sandbox.Fault502, sandbox.Fault503, sandbox.Fault504:
		status, _ := strconv.Atoi(kind)
		return errGateway(status)
	case sandbox.FaultMaintenance:
		return errMaintenance()
	case sandbox.FaultOrgOffline:
		return errOrgOffline()
	case sandbox.FaultTokenExpiry:
		// Every token lapses now, as one would mid-run: this call and
		// the next ones get 401 until the client refreshes.
		s.ExpireAccessTokens()
		return errTokenExpired(s.clock.Now().UTC().Format(tokenExpiryLayout), instance)
	case sandbox.FaultRevoke:
		// The user withdraws consent: their connections go, so this call
		// and the next ones get 403, and their refresh tokens die.
		if user != "" {
			s.RevokeUser(user)
		}
		return errForbiddenTenant(instance)
	case sandbox.FaultSlow:
		delay(c, arg)
		return nil
	case sandbox.FaultReset:
		return resetConnection(w)
	case sandbox.FaultTruncate:
		return errTruncate
	}
	// A kind the kit knows but Xero does not act out: serve normally.
	return nil
}

// delay holds the call for arg (a duration of wall time, see
// sandbox.DefaultSlowDelay), or until the client gives up.
func delay(c *call, arg string) {
	d, err := time.ParseDuration(arg)
	if err != nil || d <= 0 {
		d = sandbox.DefaultSlowDelay
	}
	t := time.NewTimer(d)
	defer t.Stop()
	var done <-chan struct{}
	if c != nil && c.r != nil {
		done = c.r.Context().Done()
	}
	select {
	case <-t.C:
	case <-done:
	}
}

// resetConnection closes the client's connection without a response. The
// socket closes with SO_LINGER 0, so the client sees a TCP reset ("connection
// reset by peer") rather than a clean end of stream. Where the connection
// cannot be taken over (HTTP/2, a test recorder) the nearest failure is the
// edge's HTML 502.
func resetConnection(w http.ResponseWriter) *apiError {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return errGateway(http.StatusBadGateway)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
	return errHandled
}

// truncateBody wraps w so that a response body is cut at half its length
// while the headers promise all of it: Content-Length is the full length of
// the first Write, of which only half is sent. net/http then closes the
// connection, as the promised length was not written, so the client reads
// the right status and content type, then a body that ends early
// (io.ErrUnexpectedEOF). It expects the body in one Write, as serveAPI
// writes it; later Writes are dropped.
func truncateBody(w http.ResponseWriter) http.ResponseWriter {
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
