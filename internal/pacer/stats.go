package pacer

import (
	"sync/atomic"
	"time"
)

// Stats counts what one Transport has done, for the pull's report of
// downloaded volume and API calls and for the usage ledger.
type Stats struct {
	Calls     int64         // requests sent to the provider, retries included
	Retries   int64         // of those, repeats of an earlier attempt
	Refreshes int64         // token refreshes asked for after a 401
	Bytes     int64         // response body bytes received over the wire
	Waits     int64         // timed waits made (pauses, budget, backoff)
	Waited    time.Duration // their total length
}

// counters is Stats kept with atomics, as many goroutines share a Transport.
type counters struct {
	calls, retries, refreshes, bytes, waits, waited atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Calls:     c.calls.Load(),
		Retries:   c.retries.Load(),
		Refreshes: c.refreshes.Load(),
		Bytes:     c.bytes.Load(),
		Waits:     c.waits.Load(),
		Waited:    time.Duration(c.waited.Load()),
	}
}
