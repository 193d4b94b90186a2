package sandbox

// STUB: replaced by the fault-injection work.

// Faults decides, deterministically from a seed, which calls fail and how.
type Faults struct{}

// ParseFaults parses a fault profile.
func ParseFaults(spec string, seed int64) (*Faults, error) { return &Faults{}, nil }
