package sandbox

import (
	"testing"
	"time"
)

func TestStartTime(t *testing.T) {
	fixed := time.Date(2026, 6, 30, 12, 0, 0, 5, time.UTC)
	if got := StartTime(fixed); !got.Equal(fixed) {
		t.Errorf("StartTime(%v) = %v, want it unchanged", fixed, got)
	}
	before := time.Now().Add(-time.Second)
	got := StartTime(time.Time{})
	if got.Nanosecond() != 0 || got.Location() != time.UTC || got.Before(before) || got.After(time.Now()) {
		t.Errorf("StartTime(zero) = %v, want now in UTC to the second", got)
	}
}
