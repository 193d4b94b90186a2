package xero

import (
	"net/http"
	"strconv"

	"github.com/datapull/datapull/internal/sandbox"
)

// Sentinels injectFault returns when the fault is not an error response.
// The pipeline (server.go) must compare against them:
//
//   - errHandled: the connection was hijacked and closed (a reset). Nothing
//     may be written: api() must skip apiErr.Send for it.
//   - errTruncate: serve the call as usual, but through
//     sandbox.TruncateBody(w), so the body is cut at half its length.
//     serveAPI must replace its writer and carry on rather than return.
//
// Each is also a harmless response if a pipeline does not know it: writing
// on a hijacked connection is dropped by net/http, and errTruncate's own
// body is a short, cut-off JSON document.
var (
	errHandled  = &apiError{Status: http.StatusBadGateway, ContentType: contentText, Body: []byte("connection reset")}
	errTruncate = &apiError{Status: http.StatusOK, ContentType: contentJSON, Body: []byte(`{"Id":"`)}
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
		var done <-chan struct{}
		if c != nil && c.r != nil {
			done = c.r.Context().Done()
		}
		sandbox.Delay(done, arg)
		return nil
	case sandbox.FaultReset:
		if !sandbox.ResetConnection(w) {
			// The connection cannot be taken over (HTTP/2, a test
			// recorder): the nearest failure is the edge's HTML 502.
			return errGateway(http.StatusBadGateway)
		}
		return errHandled
	case sandbox.FaultTruncate:
		return errTruncate
	}
	// A kind the kit knows but Xero does not act out: serve normally.
	return nil
}
