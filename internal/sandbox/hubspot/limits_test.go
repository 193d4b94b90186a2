package hubspot

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestEffectiveLimits(t *testing.T) {
	tests := []struct {
		app, tier              string
		increase               bool
		burst, daily, assocBur int
	}{
		{"public", "professional", false, 110, 625_000, 150},
		{"public", "free", false, 110, 250_000, 100},
		{"private", "free", false, 100, 250_000, 100},
		{"private", "starter", false, 100, 250_000, 100},
		{"private", "professional", false, 190, 625_000, 150},
		{"private", "enterprise", false, 190, 1_000_000, 150},
		{"private", "enterprise", true, 250, 2_000_000, 200},
	}
	for _, tc := range tests {
		c := DefaultConfig()
		c.AppType, c.Tier, c.LimitIncrease = tc.app, tc.tier, tc.increase
		l := c.effectiveLimits()
		if l.burst != tc.burst || l.daily != tc.daily || l.assocBurst != tc.assocBur || l.searchPerSecond != 5 {
			t.Errorf("%s/%s/%v: %+v, want burst %d daily %d assoc %d", tc.app, tc.tier, tc.increase, l, tc.burst, tc.daily, tc.assocBur)
		}
	}
}

// TestBurstLimit: the rolling ten-second window, its headers and the 429
// with policyName TEN_SECONDLY_ROLLING (and no Retry-After).
func TestBurstLimit(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.LimitsOff = false; c.BurstLimit = 3 })
	tok := e.signIn(t, allScopes)
	for i := 1; i <= 3; i++ {
		resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("X-HubSpot-RateLimit-Max") != "3" || h.Get("X-HubSpot-RateLimit-Remaining") != strconv.Itoa(3-i) ||
			h.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" || h.Get("X-HubSpot-RateLimit-Daily") != "" {
			t.Fatalf("call %d: %d %v %s", i, resp.StatusCode, h, body)
		}
		e.srv.Clock().Advance(2 * time.Second)
	}
	resp, body := e.do(t, http.MethodGet, "/crm/v3/owners", tok.AccessToken, nil)
	he := wantError(t, resp, body, 429, "RATE_LIMITS")
	if he.PolicyName != "TEN_SECONDLY_ROLLING" || resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Fatalf("4th call: %s %v", body, resp.Header)
	}
	// Rolling: the first call leaves the window ten seconds after it.
	e.srv.Clock().Advance(4 * time.Second)
	if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("after the first call left the window: %d %s", resp.StatusCode, body)
	}
	// Associations have a bucket of their own.
	if resp, body := e.do(t, http.MethodGet, "/crm/v4/associations/deals/contacts/labels", tok.AccessToken, nil); resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Max") != "150" {
		t.Fatalf("associations call: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// TestDailyLimit: the daily limit resets at midnight in the portal's time
// zone (America/Phoenix, UTC-7), not UTC.
func TestDailyLimit(t *testing.T) {
	e := newTestEnv(t, func(c *Config) {
		c.LimitsOff = false
		c.DailyLimit = 2
		c.Start = time.Date(2026, 6, 30, 20, 0, 0, 0, time.UTC) // 13:00 in Phoenix
	})
	p, _ := e.portal()
	// The private app's token does not expire over the hours this test spans.
	tok := tokens{AccessToken: PrivateAppToken(7, p.ID)}
	for i := 0; i < 2; i++ {
		if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/tickets", tok.AccessToken, nil); resp.StatusCode != 200 {
			t.Fatalf("call %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/tickets", tok.AccessToken, nil)
	if he := wantError(t, resp, body, 429, "RATE_LIMITS"); he.PolicyName != "DAILY" {
		t.Fatalf("3rd call: %s", body)
	}
	e.srv.Clock().Advance(5 * time.Hour) // 01:00 UTC: still the same day in Phoenix
	resp, body = e.do(t, http.MethodGet, "/crm/v3/objects/tickets", tok.AccessToken, nil)
	wantError(t, resp, body, 429, "RATE_LIMITS")
	e.srv.Clock().Advance(6 * time.Hour) // 07:00 UTC, 00:00 in Phoenix
	if resp, body := e.do(t, http.MethodGet, "/crm/v3/objects/tickets", tok.AccessToken, nil); resp.StatusCode != 200 {
		t.Fatalf("after the portal's midnight: %d %s", resp.StatusCode, body)
	}
}

func TestLimitsOffStillSendsHeaders(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.BurstLimit = 2 })
	tok := e.signIn(t, allScopes)
	for i := 0; i < 5; i++ {
		resp, _ := e.do(t, http.MethodGet, "/crm/v3/objects/deals", tok.AccessToken, nil)
		if resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Max") != "2" {
			t.Fatalf("call %d with limits off: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
}
