package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndBadInput(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{[]string{"help"}, 0, ""},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"sandbox", "-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"sandbox", "-size", "huge"}, 2, `unknown size "huge"`},
		{[]string{"sandbox", "-orgs", "0"}, 2, "orgs must be between 1 and 20"},
		{[]string{"sandbox", "-start", "yesterday"}, 2, "want RFC 3339"},
		{[]string{"sandbox", "-faults", "Invoices:explode@0.5"}, 2, "explode"},
		{[]string{"sandbox", "stray"}, 2, `unexpected argument "stray"`},
	}
	for _, c := range cases {
		code, _, stderr := run(c.args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) {
			t.Errorf("datapull %v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.stderr)
		}
		if c.code != 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(stderr, "Usage") {
			t.Errorf("datapull %v: error is not one line: %q", c.args, stderr)
		}
	}
}

// TestSandboxServes starts `datapull sandbox` on a free port, calls it, and
// stops it by cancelling the context, as Ctrl+C does.
func TestSandboxServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"sandbox", "-addr", "127.0.0.1:0", "-seed", "3", "-start", "2026-01-31T09:00:00Z"}, &out, &errb)
	}()
	api := regexp.MustCompile(`API:\s+(http://127\.0\.0\.1:\d+)/api\.xro/2\.0/`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := api.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("sandbox did not report its address; stdout %q stderr %q", out.String(), errb.String())
	}
	resp, err := http.Get(base + "/connections")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "AuthenticationUnsuccessful") {
		t.Errorf("GET /connections without a token: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel; stderr %q", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop after cancel")
	}
}
