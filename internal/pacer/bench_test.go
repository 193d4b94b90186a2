package pacer

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// memBase answers every request at once with a 1 KiB body and Xero's
// allowance headers, so a benchmark measures the pacer and not a network.
type memBase struct{}

var memBody = strings.Repeat("x", 1024)

func (memBase) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200,
		Header: http.Header{
			"X-Minlimit-Remaining":    {"59"},
			"X-Daylimit-Remaining":    {"4999"},
			"X-Appminlimit-Remaining": {"9999"},
		},
		Body:          io.NopCloser(strings.NewReader(memBody)),
		ContentLength: int64(len(memBody)),
		Request:       r,
	}, nil
}

// staticTokens never refreshes.
type staticTokens string

func (s staticTokens) Token(context.Context) (string, error)           { return string(s), nil }
func (s staticTokens) Refresh(context.Context, string) (string, error) { return string(s), nil }

// BenchmarkOverhead measures what the pacer adds to one call: "direct" is
// the same call and body read without it, "pacer" adds the concurrency
// cap, a token, allowance headers and body buffering, and "budget" also
// books every call in a per-account and an app budget (Xero's sizes, in
// windows too short to wait).
func BenchmarkOverhead(b *testing.B) {
	noWait := func() Policy {
		p := Xero()
		p.Budget = 0
		return p
	}
	// Xero's budget sizes over a window so short that no call waits.
	budget := Xero()
	budget.Window = time.Nanosecond
	cases := []struct {
		name string
		rt   func() http.RoundTripper
	}{
		{"direct", func() http.RoundTripper { return memBase{} }},
		{"pacer", func() http.RoundTripper {
			return New(Config{Policy: noWait(), Base: memBase{}, Tokens: staticTokens("t")})
		}},
		{"budget", func() http.RoundTripper {
			return New(Config{Policy: budget, App: NewBudget(10000, time.Nanosecond), Base: memBase{}, Tokens: staticTokens("t")})
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			c := &http.Client{Transport: tc.rt()}
			b.ReportAllocs()
			for b.Loop() {
				benchCall(b, c, "http://api.example/x")
			}
		})
		b.Run(tc.name+"-parallel", func(b *testing.B) {
			c := &http.Client{Transport: tc.rt()}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					benchCall(b, c, "http://api.example/x")
				}
			})
		})
	}
}

// BenchmarkLoopback puts the overhead next to a real call to a local
// server.
func BenchmarkLoopback(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, memBody)
	}))
	defer srv.Close()
	for _, paced := range []bool{false, true} {
		name := "direct"
		if paced {
			name = "pacer"
		}
		b.Run(name, func(b *testing.B) {
			base := &http.Transport{}
			defer base.CloseIdleConnections()
			var rt http.RoundTripper = base
			if paced {
				p := Xero()
				p.Budget = 0
				rt = New(Config{Policy: p, Base: base, Tokens: staticTokens("t")})
			}
			c := &http.Client{Transport: rt}
			b.ReportAllocs()
			for b.Loop() {
				benchCall(b, c, srv.URL)
			}
		})
	}
}

func benchCall(b *testing.B, c *http.Client, url string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
}
