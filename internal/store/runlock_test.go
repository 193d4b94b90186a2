package store

import (
	"context"
	"errors"
	"testing"
)

// TestLockConnection: the run lock is exclusive per connection, across
// two stores on one database (as two processes would be), and free again
// once released.
func TestLockConnection(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := openTest(t, dsn), openTest(t, dsn)
		release, err := a.LockConnection(ctx, 7)
		if err != nil {
			t.Fatalf("first lock: %v", err)
		}
		if _, err := b.LockConnection(ctx, 7); !errors.Is(err, ErrConnectionBusy) {
			t.Fatalf("second lock: %v, want ErrConnectionBusy", err)
		}
		other, err := b.LockConnection(ctx, 8)
		if err != nil {
			t.Fatalf("another connection's lock: %v", err)
		}
		other()
		release()
		again, err := b.LockConnection(ctx, 7)
		if err != nil {
			t.Fatalf("lock after release: %v", err)
		}
		again()
	})
}
