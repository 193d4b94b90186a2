package pacer

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"
)

// retrySafeKey marks a context whose requests may be repeated.
type retrySafeKey struct{}

// RetrySafe marks requests made with the returned context as safe to send
// again after a failure whose outcome is unknown (a 5xx, a reset): a POST
// that only reads, like HubSpot's search.
func RetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

// retrySafe reports whether req may be repeated when the provider may have
// acted on it. PUT and DELETE are idempotent in HTTP's terms but not in
// every API's (Xero's PUT creates), so they need marking like POST. The
// idempotency-key headers are the stdlib Transport's own convention.
func retrySafe(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	if safe, _ := req.Context().Value(retrySafeKey{}).(bool); safe {
		return true
	}
	_, a := req.Header["Idempotency-Key"]
	_, b := req.Header["X-Idempotency-Key"]
	return a || b
}

// replayable reports whether req's body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// retryStatus reports whether a status is a transient server failure.
func retryStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is the wait before retry number n (1 for the first retry) when
// the provider names none: doubling from base, capped, before jitter.
func backoff(n int, base, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// equalJitter keeps half of d and randomises the rest, so that callers
// failing together do not retry together, yet none retries at once.
func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
