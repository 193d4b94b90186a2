package secrets

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func newTestSealer(t *testing.T) *AESGCM {
	t.Helper()
	key := make([]byte, KeySize)
	rand.Read(key)
	s, err := NewAESGCM(key)
	if err != nil {
		t.Fatalf("NewAESGCM: %v", err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	s := newTestSealer(t)
	for _, plain := range [][]byte{
		nil,
		[]byte("x"),
		[]byte(`{"access_token":"a","refresh_token":"r","expiry":"2026-06-30T12:30:00Z"}`),
		bytes.Repeat([]byte{0xff}, 64<<10),
	} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if sealed[0] != formatV1 {
			t.Errorf("version byte = %d, want %d", sealed[0], formatV1)
		}
		if want := 1 + 12 + len(plain) + 16; len(sealed) != want {
			t.Errorf("sealed length = %d, want %d", len(sealed), want)
		}
		if len(plain) > 8 && bytes.Contains(sealed, plain[:8]) {
			t.Errorf("sealed data contains the plaintext")
		}
		got, err := s.Open(sealed)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("round trip changed %d bytes of plaintext", len(plain))
		}
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	s := newTestSealer(t)
	a, _ := s.Seal([]byte("same"))
	b, _ := s.Seal([]byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: nonce reused")
	}
}

func TestOpenDetectsTampering(t *testing.T) {
	s := newTestSealer(t)
	sealed, err := s.Seal([]byte("refresh-token-value"))
	if err != nil {
		t.Fatal(err)
	}
	// Every single-byte change, in the nonce, ciphertext and tag alike,
	// must be refused.
	for i := 1; i < len(sealed); i++ {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Open(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flipped byte %d: err = %v, want ErrCorrupt", i, err)
		}
	}
	cases := map[string][]byte{
		"empty":          {},
		"version only":   sealed[:1],
		"truncated tag":  sealed[:len(sealed)-1],
		"short of nonce": sealed[:10],
		"extra byte":     append(bytes.Clone(sealed), 0),
	}
	for name, bad := range cases {
		if _, err := s.Open(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	bad := bytes.Clone(sealed)
	bad[0] = 2
	if _, err := s.Open(bad); err == nil || !strings.Contains(err.Error(), "unknown sealed format version 2") {
		t.Errorf("version 2: err = %v, want an unknown-version error", err)
	}
}

func TestOpenWithWrongKey(t *testing.T) {
	sealed, err := newTestSealer(t).Seal([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newTestSealer(t).Open(sealed); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

func TestNewAESGCMKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewAESGCM(make([]byte, n)); err == nil {
			t.Errorf("key of %d bytes accepted", n)
		}
	}
}

func TestLoadOrCreateKeyCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf", "datapull", "secret.key")
	key, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatalf("LoadOrCreateKey: %v", err)
	}
	if len(key) != KeySize {
		t.Fatalf("key is %d bytes", len(key))
	}
	again, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(key, again) {
		t.Fatalf("second load: %v, same key %v", err, bytes.Equal(key, again))
	}
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", got)
	}
	dst, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if got := dst.Mode().Perm(); got&0o077 != 0 {
		t.Errorf("key directory mode = %04o, want no group/other access", got)
	}
}

func TestReadKeyRefusesBadFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	good := make([]byte, KeySize)
	cases := []struct {
		name    string
		mode    fs.FileMode
		content []byte
		want    string
	}{
		{"world readable", 0o644, good, "accessible to other users (mode 0644)"},
		{"group readable", 0o640, good, "accessible to other users (mode 0640)"},
		{"other readable only", 0o604, good, "accessible to other users"},
		{"group writable", 0o620, good, "accessible to other users"},
		{"too short", 0o600, good[:16], "holds 16 bytes, want 32"},
		{"too long", 0o600, append(bytes.Clone(good), '\n'), "holds 33 bytes, want 32"},
		{"empty", 0o600, nil, "holds 0 bytes, want 32"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secret.key")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKey(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			// Refusing must not replace the file: its key may seal tokens.
			if b, _ := os.ReadFile(path); !bytes.Equal(b, tc.content) {
				t.Error("the refused key file was changed")
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "secret.key")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestLoadOrCreateKeyConcurrentFirstUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "datapull")
	path := filepath.Join(dir, "secret.key")
	const n = 32
	keys := make([][]byte, n)
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			keys[i], errs[i] = LoadOrCreateKey(path)
		}()
	}
	start.Done()
	done.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("caller %d got a different key", i)
		}
	}
	assertOnlyKeyFile(t, dir)
}

// TestLoadOrCreateKeyConcurrentProcesses runs first use in several
// processes at once, as two commands started together on a fresh machine
// would: they must all end up with the same key.
func TestLoadOrCreateKeyConcurrentProcesses(t *testing.T) {
	if path := os.Getenv("SECRETS_TEST_KEY_PATH"); path != "" {
		key, err := LoadOrCreateKey(path)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("key:%x\n", key)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := filepath.Join(t.TempDir(), "datapull")
	path := filepath.Join(dir, "secret.key")
	const n = 6
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range n {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestLoadOrCreateKeyConcurrentProcesses$")
		cmds[i].Env = append(os.Environ(), "SECRETS_TEST_KEY_PATH="+path)
		outs[i] = new(bytes.Buffer)
		cmds[i].Stdout = outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	var first string
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("process %d: %v: %s", i, err, outs[i])
		}
		line := strings.TrimSpace(outs[i].String())
		if !strings.HasPrefix(line, "key:") {
			t.Fatalf("process %d printed %q", i, line)
		}
		if i == 0 {
			first = line
		} else if line != first {
			t.Fatalf("process %d got a different key", i)
		}
	}
	onDisk, err := ReadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("key:%x", onDisk) != first {
		t.Fatal("the processes' key is not the one on disk")
	}
	assertOnlyKeyFile(t, dir)
}

// assertOnlyKeyFile checks that first use left no temporary files behind.
func assertOnlyKeyFile(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "secret.key" {
		t.Fatalf("directory holds %v, want only secret.key", names)
	}
}

// memKeyring is a keychain in memory.
type memKeyring struct {
	mu     sync.Mutex
	m      map[string][]byte
	getErr error
}

func (k *memKeyring) Get(name string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.getErr != nil {
		return nil, k.getErr
	}
	v, ok := k.m[name]
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(v), nil
}

func (k *memKeyring) Set(name string, secret []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = make(map[string][]byte)
	}
	k.m[name] = bytes.Clone(secret)
	return nil
}

func TestNewSealerKeySources(t *testing.T) {
	t.Run("no keychain uses the key file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "secret.key")
		a, err := NewSealer(NoKeyring{}, path)
		if err != nil {
			t.Fatal(err)
		}
		sealed, _ := a.Seal([]byte("t"))
		b, err := NewSealer(nil, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Open(sealed); err != nil {
			t.Fatalf("a second sealer on the same key file cannot open: %v", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("key file not created: %v", err)
		}
	})
	t.Run("keychain holds the key, no file written", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "secret.key")
		kr := &memKeyring{}
		a, err := NewSealer(kr, path)
		if err != nil {
			t.Fatal(err)
		}
		if len(kr.m[keyName]) != KeySize {
			t.Fatal("no key stored in the keychain")
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("key file written although there is a keychain: %v", err)
		}
		sealed, _ := a.Seal([]byte("t"))
		b, _ := NewSealer(kr, path)
		if _, err := b.Open(sealed); err != nil {
			t.Fatalf("a second sealer on the same keychain cannot open: %v", err)
		}
	})
	t.Run("existing key file wins over an empty keychain", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "secret.key")
		old, err := NewSealer(NoKeyring{}, path)
		if err != nil {
			t.Fatal(err)
		}
		sealed, _ := old.Seal([]byte("sealed before the keychain appeared"))
		now, err := NewSealer(&memKeyring{}, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := now.Open(sealed); err != nil {
			t.Fatalf("tokens sealed with the key file became unreadable: %v", err)
		}
	})
	t.Run("keychain failure is reported", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "secret.key")
		boom := errors.New("keychain locked")
		_, err := NewSealer(&memKeyring{getErr: boom}, path)
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the keychain's error", err)
		}
	})
}

func TestDefaultKeyPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg")
	t.Setenv("HOME", "/tmp/home")
	t.Setenv("AppData", `C:\AppData`)
	p, err := DefaultKeyPath()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "secret.key" || filepath.Base(filepath.Dir(p)) != "datapull" {
		t.Fatalf("DefaultKeyPath = %s", p)
	}
}
