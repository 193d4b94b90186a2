package secrets

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// DefaultKeyPath returns where the key file lives by default: datapull/
// secret.key under the user's config directory ($XDG_CONFIG_HOME or
// ~/.config on Linux, ~/Library/Application Support on macOS, %AppData%
// on Windows).
func DefaultKeyPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("secrets: find the config directory: %w", err)
	}
	return filepath.Join(dir, "datapull", "secret.key"), nil
}

// LoadOrCreateKey returns the key in the file at path, creating the file
// (mode 0600, its directory 0700) with a new random key if it does not
// exist. Any number of goroutines and processes may call it at once on a
// fresh machine: exactly one key is created and all of them get it.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := ReadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := createKeyFile(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	// Ours or a concurrent winner's: either way the one on disk.
	return ReadKey(path)
}

// ReadKey returns the key in the file at path. It refuses a file that
// others may read (the key would be theirs too) or that is not exactly
// KeySize bytes (not ours, or damaged: better to stop than to seal new
// tokens with a key that cannot open the old ones). A missing file is an
// error matching fs.ErrNotExist.
func ReadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: key file: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the checks are about the bytes
	// read below even if the path is swapped in between.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secrets: key file: %w", err)
	}
	if err := checkKeyFile(path, st); err != nil {
		return nil, err
	}
	key, err := io.ReadAll(io.LimitReader(f, KeySize+1))
	if err != nil {
		return nil, fmt.Errorf("secrets: read key file: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key file %s holds %d bytes, want %d: it is not a DataPull key or it is damaged", path, len(key), KeySize)
	}
	return key, nil
}

func checkKeyFile(path string, st fs.FileInfo) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("secrets: key file %s is not a regular file", path)
	}
	// Windows does not keep Unix permission bits; its ACLs on the user's
	// profile directory do this job there.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("secrets: key file %s is accessible to other users (mode %04o); refusing to use it: run chmod 600 %s if it is yours",
			path, st.Mode().Perm(), path)
	}
	if st.Size() != KeySize {
		return fmt.Errorf("secrets: key file %s holds %d bytes, want %d: it is not a DataPull key or it is damaged", path, st.Size(), KeySize)
	}
	return nil
}

// createKeyFile writes a new key to a temporary file and hard-links it into
// place. The link either creates path whole or fails with fs.ErrExist, so
// concurrent first uses agree on one key and no reader ever sees a file
// that is only partly written (which O_EXCL on the final name alone would
// allow).
func createKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secrets: create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secret-key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("secrets: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	key := make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand crashes the program instead)
	if err := writeAndSync(tmp, key); err != nil {
		return fmt.Errorf("secrets: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("secrets: create key file: %w", err)
	}
	syncDir(dir)
	return nil
}

func writeAndSync(f *os.File, b []byte) error {
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the new directory entry durable: losing the key after a
// crash would lose every stored sign-in. Best effort, since some systems
// cannot sync a directory, and the file itself is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
