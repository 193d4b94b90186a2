package xero

import (
	"fmt"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// Config sets up a sandbox Xero. The zero value is not usable; start from
// DefaultConfig.
type Config struct {
	// Seed makes the generated data, ids and faults reproducible.
	Seed int64
	// Size names the amount of data per organisation: demo, small, medium or large.
	Size string
	// Orgs is the number of organisations generated; the first sign-in user
	// can reach all of them, so a consent shows the organisation picker.
	Orgs int
	// Start is the provider clock's time when the sandbox starts; generated
	// history ends there. Zero means the wall clock's now, truncated to the second.
	Start time.Time
	// TimeScale is provider seconds per wall second (60: a provider minute per
	// second). 0 freezes the clock so only the admin API moves it.
	TimeScale float64

	// Rate limits, per Xero's published values by default.
	DayLimit       int // calls per tenant per provider day (5,000; 1,000 on the Starter tier)
	MinuteLimit    int // calls per tenant per provider minute (60)
	ConcurrentMax  int // calls in progress per tenant (5)
	AppMinuteLimit int // calls per app per provider minute across tenants (10,000)
	// LimitsOff disables every rate limit (headers are still sent), for
	// throughput benchmarks that measure the client, not the allowance.
	LimitsOff bool

	// HighVolumeThreshold is the record count of one endpoint above which
	// unpaged requests get the 400 HighVolumeException.
	HighVolumeThreshold int

	// Token lifetimes, in provider time.
	AccessTokenTTL  time.Duration // 30 minutes
	RefreshTokenTTL time.Duration // 60 days unused
	RefreshGrace    time.Duration // 30 minutes during which the previous refresh token still works

	// Faults is a fault profile (see sandbox.ParseFaults); empty means none.
	Faults string
}

// DefaultConfig returns Xero's real limits and lifetimes with a demo-sized
// pair of organisations.
func DefaultConfig() Config {
	return Config{
		Seed:                1,
		Size:                "demo",
		Orgs:                2,
		TimeScale:           1,
		DayLimit:            5000,
		MinuteLimit:         60,
		ConcurrentMax:       5,
		AppMinuteLimit:      10000,
		HighVolumeThreshold: 100000,
		AccessTokenTTL:      30 * time.Minute,
		RefreshTokenTTL:     60 * 24 * time.Hour,
		RefreshGrace:        30 * time.Minute,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if _, ok := sizes[c.Size]; !ok {
		return fmt.Errorf("xero sandbox: unknown size %q (want demo, small, medium or large)", c.Size)
	}
	switch {
	case c.Orgs < 1 || c.Orgs > 20:
		return fmt.Errorf("xero sandbox: orgs must be between 1 and 20, got %d", c.Orgs)
	case c.TimeScale < 0:
		return fmt.Errorf("xero sandbox: time scale must not be negative, got %v", c.TimeScale)
	case c.DayLimit < 1 || c.MinuteLimit < 1 || c.ConcurrentMax < 1 || c.AppMinuteLimit < 1:
		return fmt.Errorf("xero sandbox: rate limits must be at least 1")
	case c.HighVolumeThreshold < 1:
		return fmt.Errorf("xero sandbox: high-volume threshold must be at least 1")
	case c.AccessTokenTTL <= 0 || c.RefreshTokenTTL <= 0 || c.RefreshGrace < 0:
		return fmt.Errorf("xero sandbox: token lifetimes must be positive")
	}
	if _, err := sandbox.ParseFaults(c.Faults, c.Seed); err != nil {
		return fmt.Errorf("xero sandbox: %w", err)
	}
	return nil
}
