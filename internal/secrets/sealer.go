package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
)

// Sealer encrypts and authenticates small secrets (token sets) for storage.
type Sealer interface {
	// Seal returns plaintext encrypted and authenticated.
	Seal(plaintext []byte) ([]byte, error)
	// Open returns the plaintext of what Seal returned, or an error if it
	// was changed or sealed with another key.
	Open(sealed []byte) ([]byte, error)
}

// KeySize is the data key's length: AES-256.
const KeySize = 32

// formatV1 is the leading byte of the AES-256-GCM random-nonce format.
const formatV1 byte = 1

// ErrCorrupt says sealed data does not open: it was changed, truncated, or
// sealed with another key. GCM cannot tell these apart, and for the user
// they mean the same thing: the token set is lost and the connection must
// be made again.
var ErrCorrupt = errors.New("secrets: sealed data does not open with this key (changed, truncated or sealed with another key)")

// AESGCM is a Sealer using AES-256-GCM with a random nonce per seal.
type AESGCM struct {
	aead cipher.AEAD
}

var _ Sealer = (*AESGCM)(nil)

// NewAESGCM returns a Sealer for a 32-byte key.
func NewAESGCM(key []byte) (*AESGCM, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	// The random-nonce mode draws a fresh nonce from crypto/rand on every
	// seal and prepends it, so no nonce bookkeeping can go wrong here. With
	// 96-bit random nonces one key is safe for about 2^32 seals, far more
	// token refreshes than a desktop install will ever make.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &AESGCM{aead: aead}, nil
}

// Seal encrypts plaintext into the v1 format.
func (a *AESGCM) Seal(plaintext []byte) ([]byte, error) {
	out := make([]byte, 1, 1+a.aead.NonceSize()+len(plaintext)+a.aead.Overhead())
	out[0] = formatV1
	// The version byte is additional data: changing it breaks the tag.
	return a.aead.Seal(out, nil, plaintext, out[:1]), nil
}

// Open decrypts what Seal returned. It fails with ErrCorrupt when the data
// was changed or sealed with another key.
func (a *AESGCM) Open(sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, fmt.Errorf("secrets: open: sealed data is empty: %w", ErrCorrupt)
	}
	if v := sealed[0]; v != formatV1 {
		return nil, fmt.Errorf("secrets: open: unknown sealed format version %d (written by a newer DataPull?)", v)
	}
	plain, err := a.aead.Open(nil, nil, sealed[1:], sealed[:1])
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}
