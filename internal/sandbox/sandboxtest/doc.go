// Package sandboxtest holds what the emulators' tests and benchmarks share:
// a loopback server with a client that shows redirects rather than follow
// them, the OAuth sign-in steps every emulator's consent page takes, and
// the measuring parts of the generate and serve benchmarks.
//
// It is for tests only; nothing outside _test.go files imports it.
package sandboxtest
