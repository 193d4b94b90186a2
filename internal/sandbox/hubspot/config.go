package hubspot

import (
	"fmt"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// Config sets up a sandbox HubSpot. The zero value is not usable; start
// from DefaultConfig.
type Config struct {
	// Seed makes the generated data, ids and faults reproducible.
	Seed int64
	// Size names the amount of data in the first portal: demo, small,
	// medium or large (over a million records). Other portals get at most
	// medium, so a large sandbox still starts in seconds.
	Size string
	// Portals is the number of portals (HubSpot accounts) generated. The
	// first sign-in user reaches all of them, so the consent page shows
	// the portal picker.
	Portals int
	// Start is the provider clock's time when the sandbox starts; generated
	// history ends there. Zero means the wall clock's now, truncated to the second.
	Start time.Time
	// TimeScale is provider seconds per wall second. 0 freezes the clock
	// so only the admin API moves it.
	TimeScale float64

	// AppType is "public" (an OAuth marketplace app: 110 calls per ten
	// seconds per installing portal) or "private" (per-tier limits). It
	// only picks the default limits below.
	AppType string
	// Tier is the portal's subscription: free, starter, professional or
	// enterprise. It picks the default daily and association limits.
	Tier string
	// LimitIncrease models the API Limit Increase purchase (private apps).
	LimitIncrease bool
	// BurstLimit is calls per rolling ten seconds per app and portal; 0
	// takes the value of AppType, Tier and LimitIncrease.
	BurstLimit int
	// DailyLimit is calls per portal per day, resetting at midnight in the
	// portal's time zone; 0 takes the tier's value.
	DailyLimit int
	// AssocBurstLimit is the v4 associations endpoints' own ten-second
	// limit; 0 takes the tier's value.
	AssocBurstLimit int
	// SearchPerSecond is the search endpoints' own limit per portal (5).
	SearchPerSecond int
	// LimitsOff disables every rate limit (headers are still sent), for
	// throughput benchmarks that measure the client, not the allowance.
	LimitsOff bool

	// SearchLag is how long, in provider time, a change takes to reach
	// search; list and read see it at once. 0 makes search exact.
	SearchLag time.Duration
	// Search validation limits (the docs' 5 groups, 6 filters per group,
	// 18 filters in all, bodies of 3,000 characters, 10,000 results).
	MaxFilterGroups, MaxFiltersPerGroup, MaxFilters int
	MaxSearchBody, SearchCap                        int
	// MaxURILength is the longest request target (path and query) served;
	// longer ones get 414, as a huge properties= list does (X11).
	MaxURILength int
	// CustomProperties is how many custom contact properties each portal
	// defines, with long names, so property lists outgrow a URL (X11).
	CustomProperties int
	// ModifiedOnAssociation makes association changes move the records'
	// last-modified dates. Whether HubSpot does is unverified; by default
	// it does not, which is the case a connector must survive (X10).
	ModifiedOnAssociation bool

	// AccessTokenTTL is the access tokens' lifetime (30 minutes).
	AccessTokenTTL time.Duration

	// Faults is a fault profile (see sandbox.ParseFaults); empty means none.
	Faults string
}

// DefaultConfig returns HubSpot's real limits and lifetimes (a public app
// on a Professional portal) with two demo-sized portals.
func DefaultConfig() Config {
	return Config{
		Seed:               1,
		Size:               "demo",
		Portals:            2,
		TimeScale:          1,
		AppType:            "public",
		Tier:               "professional",
		SearchPerSecond:    5,
		SearchLag:          5 * time.Second,
		MaxFilterGroups:    5,
		MaxFiltersPerGroup: 6,
		MaxFilters:         18,
		MaxSearchBody:      3000,
		SearchCap:          10000,
		MaxURILength:       16384,
		CustomProperties:   900,
		AccessTokenTTL:     30 * time.Minute,
	}
}

// limits are the effective rate limits of a configuration.
type limits struct {
	burst, daily, assocBurst, searchPerSecond int
}

// effectiveLimits fills the limits left at 0 from the app type and tier,
// per hubspot-api.md §5.1 and §4.4.
func (c Config) effectiveLimits() limits {
	l := limits{burst: c.BurstLimit, daily: c.DailyLimit, assocBurst: c.AssocBurstLimit, searchPerSecond: c.SearchPerSecond}
	paid := c.Tier == "professional" || c.Tier == "enterprise"
	if l.burst == 0 {
		switch {
		case c.AppType == "public":
			l.burst = 110
		case c.LimitIncrease:
			l.burst = 250
		case paid:
			l.burst = 190
		default:
			l.burst = 100
		}
	}
	if l.daily == 0 {
		switch c.Tier {
		case "professional":
			l.daily = 625_000
		case "enterprise":
			l.daily = 1_000_000
		default:
			l.daily = 250_000
		}
		if c.LimitIncrease && c.AppType == "private" {
			l.daily += 1_000_000
		}
	}
	if l.assocBurst == 0 {
		switch {
		case c.LimitIncrease:
			l.assocBurst = 200
		case paid:
			l.assocBurst = 150
		default:
			l.assocBurst = 100
		}
	}
	return l
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if _, ok := sizes[c.Size]; !ok {
		return fmt.Errorf("hubspot sandbox: unknown size %q (want demo, small, medium or large)", c.Size)
	}
	switch {
	case c.Portals < 1 || c.Portals > 20:
		return fmt.Errorf("hubspot sandbox: portals must be between 1 and 20, got %d", c.Portals)
	case c.TimeScale < 0:
		return fmt.Errorf("hubspot sandbox: time scale must not be negative, got %v", c.TimeScale)
	case c.AppType != "public" && c.AppType != "private":
		return fmt.Errorf("hubspot sandbox: app type must be public or private, got %q", c.AppType)
	case c.Tier != "free" && c.Tier != "starter" && c.Tier != "professional" && c.Tier != "enterprise":
		return fmt.Errorf("hubspot sandbox: tier must be free, starter, professional or enterprise, got %q", c.Tier)
	case c.BurstLimit < 0 || c.DailyLimit < 0 || c.AssocBurstLimit < 0 || c.SearchPerSecond < 1:
		return fmt.Errorf("hubspot sandbox: rate limits must be positive (0 for the tier's value; search at least 1)")
	case c.SearchLag < 0:
		return fmt.Errorf("hubspot sandbox: search lag must not be negative, got %v", c.SearchLag)
	case c.MaxFilterGroups < 1 || c.MaxFiltersPerGroup < 1 || c.MaxFilters < 1 || c.MaxSearchBody < 100 || c.SearchCap < 1:
		return fmt.Errorf("hubspot sandbox: search limits must be positive (body at least 100 characters)")
	case c.MaxURILength < 256:
		return fmt.Errorf("hubspot sandbox: max URI length must be at least 256, got %d", c.MaxURILength)
	case c.CustomProperties < 0 || c.CustomProperties > 5000:
		return fmt.Errorf("hubspot sandbox: custom properties must be between 0 and 5000, got %d", c.CustomProperties)
	case c.AccessTokenTTL <= 0:
		return fmt.Errorf("hubspot sandbox: access token lifetime must be positive")
	}
	if _, err := sandbox.ParseFaults(c.Faults, c.Seed); err != nil {
		return fmt.Errorf("hubspot sandbox: %w", err)
	}
	return nil
}
