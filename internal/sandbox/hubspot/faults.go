package hubspot

import (
	"net/http"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// errHandled is injectFault's answer when the connection was hijacked and
// closed (a reset): nothing may be written.
var errHandled = &apiError{Status: http.StatusBadGateway, ContentType: contentHTML, Body: []byte("connection reset")}

// injectFault consults the fault profile for this call and acts the fault
// out as HubSpot would show it: most kinds become the real error response;
// slow delays the call; truncate and short-page let it be served, cut
// short. Endpoint names are the meter's (contacts, contacts/search, ...).
func (s *Server) injectFault(w http.ResponseWriter, c *call) *apiError {
	kind, arg, ok := s.faults.Decide(c.endpoint)
	if !ok {
		return nil
	}
	switch kind {
	case sandbox.Fault429Minute:
		return s.limits.injected429("TEN_SECONDLY_ROLLING", c)
	case sandbox.Fault429Day:
		return s.limits.injected429("DAILY", c)
	case sandbox.Fault500:
		return jsonError(http.StatusInternalServerError, errorBody{Message: "internal error", Category: "INTERNAL_ERROR"})
	case sandbox.Fault502, sandbox.Fault503, sandbox.Fault504, sandbox.Fault524:
		status, _ := strconv.Atoi(kind)
		return htmlError(status)
	case sandbox.FaultMaintenance, sandbox.FaultOrgOffline:
		return htmlError(http.StatusServiceUnavailable)
	case sandbox.Fault423:
		e := jsonError(http.StatusLocked, errorBody{Message: "The portal is locked while a large sync runs; wait at least 2 seconds before retrying.", Category: "LOCKED"})
		e.Header = http.Header{"Retry-After": {strconv.Itoa(s.clock.RetryAfterSeconds(2 * time.Second))}}
		return e
	case sandbox.Fault477:
		e := jsonError(477, errorBody{Message: "Migration in Progress: this portal is moving between data centres.", Category: "MIGRATION_IN_PROGRESS"})
		e.Header = http.Header{"Retry-After": {strconv.Itoa(s.clock.RetryAfterSeconds(time.Minute))}}
		return e
	case sandbox.FaultTokenExpiry:
		// Every token lapses now, as one would mid-run (X15): this call
		// and the next get 401 until the client refreshes.
		s.ExpireAccessTokens()
		return errExpired(c.now, c.now)
	case sandbox.FaultRevoke:
		// The app is uninstalled from the portal: every token dies.
		s.Uninstall(c.portal.ID)
		return errNoCredentials()
	case sandbox.FaultSlow:
		sandbox.Delay(c.r.Context().Done(), arg)
	case sandbox.FaultReset:
		return resetConnection(w)
	case sandbox.FaultTruncate:
		c.truncate = true
	case sandbox.FaultShortPage:
		c.shortPage = true
	}
	return nil
}

// tokenFault acts out a fault on the token endpoint: rate limits and edge
// errors (X14), resets and delays. Other kinds do not apply there.
func (s *Server) tokenFault(w http.ResponseWriter, r *http.Request, kind, arg string) *apiError {
	switch kind {
	case sandbox.Fault429Minute, sandbox.Fault429Day:
		e := errRateLimit("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
		e.Header = http.Header{"Retry-After": {strconv.Itoa(s.clock.RetryAfterSeconds(burstWindow))}}
		return e
	case sandbox.Fault500:
		return jsonError(http.StatusInternalServerError, errorBody{Message: "internal error", Category: "INTERNAL_ERROR"})
	case sandbox.Fault502, sandbox.Fault503, sandbox.Fault504, sandbox.Fault524, sandbox.FaultMaintenance:
		status, err := strconv.Atoi(kind)
		if err != nil {
			status = http.StatusServiceUnavailable
		}
		return htmlError(status)
	case sandbox.FaultReset:
		return resetConnection(w)
	case sandbox.FaultSlow:
		sandbox.Delay(r.Context().Done(), arg)
	}
	return nil
}

// resetConnection acts out a reset: errHandled once the connection is
// closed, or, where it cannot be taken over, the edge's HTML 502.
func resetConnection(w http.ResponseWriter) *apiError {
	if !sandbox.ResetConnection(w) {
		return htmlError(http.StatusBadGateway)
	}
	return errHandled
}
