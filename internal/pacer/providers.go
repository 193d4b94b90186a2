package pacer

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The policies of the providers DataPull knows, from
// shared/reference/xero-api.md §7-8 and hubspot-api.md §5.

// Xero returns the policy for one Xero organisation: 5 calls in progress
// and 60 a minute per tenant, the X-*Limit-Remaining headers, a 429's
// X-Rate-Limit-Problem naming the limit ("day" is not retried) and a 401
// AuthorizationUnsuccessful meaning a scope not granted.
func Xero() Policy {
	return Policy{
		MaxConcurrent:     5,
		Budget:            60,
		Window:            time.Minute,
		CorrelationHeader: "Xero-Correlation-Id",
		Observe:           xeroAllowance,
		LimitKind:         xeroLimitKind,
		MissingScope:      xeroMissingScope,
	}
}

// XeroAppBudget returns the budget to share between the Transports of
// every organisation one Xero app reaches: 10,000 calls a minute.
func XeroAppBudget() *Budget { return NewBudget(10000, time.Minute) }

func xeroAllowance(resp *http.Response) Allowance {
	a := NoAllowance()
	a.Remaining = HeaderInt(resp.Header, "X-MinLimit-Remaining")
	a.AppRemaining = HeaderInt(resp.Header, "X-AppMinLimit-Remaining")
	a.DayRemaining = HeaderInt(resp.Header, "X-DayLimit-Remaining")
	if a.Remaining >= 0 || a.AppRemaining >= 0 {
		a.Window = time.Minute
	}
	return a
}

// xeroLimitKind reads X-Rate-Limit-Problem: "minute" and "day" today,
// "Minute" and "Daily" in the OAuth 1.0 era.
func xeroLimitKind(resp *http.Response, _ []byte) string {
	p := strings.ToLower(strings.TrimSpace(resp.Header.Get("X-Rate-Limit-Problem")))
	if p == "daily" {
		return LimitDay
	}
	return p
}

// xeroMissingScope reads a 401's Detail, whose machine code comes before
// any ':' ("TokenExpired: token expired at ...").
func xeroMissingScope(_ *http.Response, body []byte) bool {
	var p struct{ Detail string }
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		code, _, _ := strings.Cut(p.Detail, ":")
		return strings.TrimSpace(code) == "AuthorizationUnsuccessful"
	}
	return bytes.Contains(body, []byte("AuthorizationUnsuccessful"))
}

// HubSpot returns the policy for one HubSpot portal with an app burst
// limit of callsPer10s (100 to 250 by tier): the X-HubSpot-RateLimit-*
// headers, a 429's policyName (DAILY is not retried) and Retry-After read
// the way hubspot-api.md §5.3 advises.
//
// Search has its own allowance, 5 calls a second per portal, and is left
// out of the ten-second burst (§3.4): it is a Lane. Search answers carry
// no allowance headers, so only this budget keeps searches from 429s.
func HubSpot(callsPer10s int) Policy {
	return Policy{
		Budget:            callsPer10s,
		Window:            10 * time.Second,
		Lanes:             []Lane{{Match: hubspotSearch, Budget: HubSpotSearchPerSecond, Window: time.Second, Exempt: true}},
		CorrelationHeader: "X-HubSpot-Correlation-Id",
		Observe:           hubspotAllowance,
		LimitKind:         hubspotLimitKind,
		RetryAfter:        hubspotRetryAfter,
	}
}

// HubSpotSearchPerSecond is HubSpot's search limit per portal.
const HubSpotSearchPerSecond = 5

// hubspotSearch matches the CRM search calls (POST …/search).
func hubspotSearch(req *http.Request) bool {
	return req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/search")
}

func hubspotAllowance(resp *http.Response) Allowance {
	a := NoAllowance()
	a.Remaining = HeaderInt(resp.Header, "X-HubSpot-RateLimit-Remaining")
	a.Limit = HeaderInt(resp.Header, "X-HubSpot-RateLimit-Max")
	if ms := HeaderInt(resp.Header, "X-HubSpot-RateLimit-Interval-Milliseconds"); ms > 0 {
		a.Window = time.Duration(ms) * time.Millisecond
	}
	a.DayRemaining = HeaderInt(resp.Header, "X-HubSpot-RateLimit-Daily-Remaining")
	a.DayLimit = HeaderInt(resp.Header, "X-HubSpot-RateLimit-Daily")
	return a
}

// hubspotLimitKind reads the 429 body's policyName: DAILY, or
// TEN_SECONDLY_ROLLING / SECONDLY, which pass.
func hubspotLimitKind(_ *http.Response, body []byte) string {
	var e struct{ PolicyName string }
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if strings.EqualFold(e.PolicyName, "DAILY") {
		return LimitDay
	}
	return strings.ToLower(e.PolicyName)
}

// hubspotRetryAfter honours Retry-After, whose unit HubSpot does not
// document for 429s (its own retries read milliseconds): on a 429, values
// over 1000 are taken as milliseconds. A 429 without one waits out the
// rate-limit interval when the window is spent.
func hubspotRetryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return RetryAfter(resp, now)
	}
	if v, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && v > 1000 {
		return time.Duration(v) * time.Millisecond, true
	}
	if d, ok := RetryAfter(resp, now); ok {
		return d, true
	}
	a := hubspotAllowance(resp)
	if a.Remaining == 0 && a.Window > 0 {
		return a.Window, true
	}
	return 0, false
}
