package secrets

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
)

// Keyring is an OS keychain that can hold the data key. See the package
// documentation for how a real one plugs in.
type Keyring interface {
	// Get returns the secret stored under name, ErrNotFound when there is
	// none, or ErrKeyringUnavailable when there is no keychain to ask.
	Get(name string) ([]byte, error)
	// Set stores secret under name, replacing any there.
	Set(name string, secret []byte) error
}

// ErrKeyringUnavailable says there is no usable OS keychain; the key file
// is used instead.
var ErrKeyringUnavailable = errors.New("secrets: no OS keychain available")

// ErrNotFound says the keychain holds nothing under the name asked for.
var ErrNotFound = errors.New("secrets: not found in the OS keychain")

// NoKeyring is the Keyring of a machine without a keychain, such as
// headless Linux: every call says ErrKeyringUnavailable.
type NoKeyring struct{}

var _ Keyring = NoKeyring{}

// Get reports that there is no keychain.
func (NoKeyring) Get(string) ([]byte, error) { return nil, ErrKeyringUnavailable }

// Set reports that there is no keychain.
func (NoKeyring) Set(string, []byte) error { return ErrKeyringUnavailable }

// keyName is the name the data key has in a keychain.
const keyName = "datapull token key"

// NewSealer returns the Sealer for this user: its key comes from kr when
// there is a keychain, else from the key file at keyPath, made on first use
// (see the package documentation for the order). A nil kr means NoKeyring.
func NewSealer(kr Keyring, keyPath string) (*AESGCM, error) {
	key, err := dataKey(kr, keyPath)
	if err != nil {
		return nil, err
	}
	return NewAESGCM(key)
}

func dataKey(kr Keyring, keyPath string) ([]byte, error) {
	if kr == nil {
		kr = NoKeyring{}
	}
	key, err := kr.Get(keyName)
	switch {
	case err == nil:
		if len(key) != KeySize {
			return nil, fmt.Errorf("secrets: the OS keychain's %q is %d bytes, want %d", keyName, len(key), KeySize)
		}
		return key, nil
	case errors.Is(err, ErrKeyringUnavailable):
		return LoadOrCreateKey(keyPath)
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("secrets: read the OS keychain: %w", err)
	}
	// The keychain is there but empty. A key file from before the keychain
	// existed still seals this user's tokens: keep using it, or they would
	// all become unreadable.
	key, err = ReadKey(keyPath)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	return createInKeyring(kr)
}

// createInKeyring stores a new key and reads it back, so that if another
// process stored one at the same moment both end up with the stored one
// (a keychain offers no create-if-absent; this narrows the race to the gap
// between two calls, on a first run that is normally a single process).
func createInKeyring(kr Keyring) ([]byte, error) {
	key := make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand crashes the program instead)
	if err := kr.Set(keyName, key); err != nil {
		return nil, fmt.Errorf("secrets: store the key in the OS keychain: %w", err)
	}
	stored, err := kr.Get(keyName)
	if err != nil {
		return nil, fmt.Errorf("secrets: read back the key from the OS keychain: %w", err)
	}
	if len(stored) != KeySize {
		return nil, fmt.Errorf("secrets: the OS keychain's %q is %d bytes, want %d", keyName, len(stored), KeySize)
	}
	return stored, nil
}
