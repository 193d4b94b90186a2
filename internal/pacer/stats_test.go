package pacer

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCounters proves the counters a pull reports: every call sent
// (retries included), retries, refreshes, waits and the body bytes that
// crossed the wire, which for a gzip answer are the compressed ones,
// while the caller reads the plain body.
func TestCounters(t *testing.T) {
	plain := `{"Invoices":[` + strings.Repeat(`{"InvoiceID":"x","Total":1},`, 400) + `{}]}`
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(plain))
	zw.Close()
	const expired = `{"Detail":"TokenExpired: token expired"}`
	srv := newServer(t,
		reply(503, "down"),
		func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				t.Error("the pacer did not ask for gzip")
			}
			reply(200, zipped.String(), "Content-Encoding", "gzip", "Content-Type", "application/json")(w, r)
		},
		reply(401, expired),
		ok,
	)
	tr := newTransport(t, Config{Policy: Xero(), Clock: newStepClock(), Tokens: &fakeTokens{}})
	resp, body, err := get(context.Background(), tr.Client(), srv.URL)
	if err != nil || body != plain || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("err %v, %d bytes, Content-Encoding %q: want the plain body", err, len(body), resp.Header.Get("Content-Encoding"))
	}
	if _, body, err := get(context.Background(), tr.Client(), srv.URL); err != nil || body != "ok" {
		t.Fatalf("second call: %v %q", err, body)
	}
	want := Stats{
		Calls:     4,
		Retries:   2,
		Refreshes: 1,
		Bytes:     int64(len("down") + zipped.Len() + len(expired) + len("ok")),
		Waits:     1,
		Waited:    time.Second,
	}
	if got := tr.Stats(); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	if zipped.Len() >= len(plain)/4 {
		t.Fatalf("test body compresses badly (%d of %d): the byte count proves nothing", zipped.Len(), len(plain))
	}
}

// TestXeroMinuteWithoutA429 runs 150 calls against a server that counts
// Xero's way (60 a minute in fixed windows opened by the first call) and
// refuses the 61st: the Xero policy never provokes a refusal, and takes
// the two minutes the limit requires, not more.
func TestXeroMinuteWithoutA429(t *testing.T) {
	clock := newStepClock()
	var windowStart time.Time
	used, refused := 0, 0
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		if windowStart.IsZero() || !now.Before(windowStart.Add(time.Minute)) {
			windowStart, used = now, 0
		}
		if used == 60 {
			refused++
			reply(429, rateLimitBody, "X-Rate-Limit-Problem", "minute", "Retry-After",
				strconv.Itoa(int(windowStart.Add(time.Minute).Sub(now).Seconds())), "X-MinLimit-Remaining", "0")(w, r)
			return
		}
		used++
		reply(200, "ok", "X-MinLimit-Remaining", strconv.Itoa(60-used))(w, r)
	})
	tr := newTransport(t, Config{Policy: Xero(), Clock: clock})
	for range 150 {
		if _, _, err := get(context.Background(), tr.Client(), srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	if refused != 0 {
		t.Errorf("%d calls refused", refused)
	}
	if d := clock.Now().Sub(t0); d != 2*time.Minute {
		t.Errorf("took %v, want 2m0s", d)
	}
}
