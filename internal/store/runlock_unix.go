//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile takes an exclusive flock on <database>-locks/connection-<id>.
// The kernel drops it when the process dies, however it dies.
func (s *Store) lockFile(connID int64) (func(), error) {
	dir := s.path + "-locks"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: lock connection %d: %w", connID, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("connection-%d", connID)), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock connection %d: %w", connID, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrConnectionBusy
		}
		return nil, fmt.Errorf("store: lock connection %d: %w", connID, err)
	}
	return func() { f.Close() }, nil // closing the file releases the lock
}
