// Package secrets seals token sets before they are stored, so a copied
// database file gives away no sign-in.
//
// Sealing is AES-256-GCM with a random 96-bit nonce per seal. The sealed
// form is versioned by its leading byte:
//
//	v1: 0x01 | nonce (12 bytes) | ciphertext | GCM tag (16 bytes)
//
// and the version byte is authenticated too, so it cannot be swapped.
//
// The 32-byte data key lives in the OS keychain where there is one, else in
// a key file (mode 0600, directory 0700) under the user's config directory.
// Headless Linux machines have no keychain (no secret-service), so the key
// file is the common path. NewSealer picks the key in this order: the
// keychain's, else an existing key file's (so tokens sealed before a
// keychain appeared stay readable), else a new one, made in the keychain if
// there is one and in the key file otherwise.
//
// # Plugging in a real keychain
//
// Implement Keyring in its own file behind a build tag (macOS Keychain via
// the Security framework or /usr/bin/security, Windows Credential Manager via
// CredReadW/CredWriteW, the freedesktop secret-service over D-Bus on Linux),
// returning ErrKeyringUnavailable when the service is absent at run time
// (no D-Bus session, a locked keychain the user declined to unlock) so the
// key file takes over. Pass it to NewSealer in package app. The keychain
// holds only the data key, never tokens: the sealed format and the store do
// not change, and moving between machines means moving one key.
package secrets
