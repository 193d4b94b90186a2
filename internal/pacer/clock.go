package pacer

import (
	"context"
	"fmt"
	"time"
)

// Clock tells the time and waits. Tests inject a fake one so that minutes
// of provider limits pass without real sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx ends, when it returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait describes a timed wait the pacer is about to make.
type Wait struct {
	Until    time.Time
	Duration time.Duration
	Reason   string // "provider allowance spent", "retry after HTTP 503", ...
}

// WaitHook is told of every timed wait before it starts. Returning an error
// ends the call with that error instead of waiting: a job runner can snooze
// the job until w.Until, and a progress display can say why nothing moves.
type WaitHook func(ctx context.Context, w Wait) error

// WaitError is returned instead of waiting when a wait would be longer
// than Policy.MaxWait: the caller should come back at Until (a job snoozes)
// rather than hold a worker asleep.
type WaitError struct {
	Until  time.Time
	Reason string
	Err    error // the response that asked for the wait, if one did
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("pacer: must wait until %s: %s", e.Until.UTC().Format(time.RFC3339), e.Reason)
}

func (e *WaitError) Unwrap() error { return e.Err }
