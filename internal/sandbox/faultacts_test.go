package sandbox

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTruncateBody(t *testing.T) {
	body := []byte(`{"Invoices":[{"InvoiceID":"1"},{"InvoiceID":"2"}]}`)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = TruncateBody(w)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
		w.Write([]byte("dropped"))
	}))
	t.Cleanup(hs.Close)
	resp, err := http.Get(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || resp.ContentLength != int64(len(body)) || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("status %d, length %d, type %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Type"))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(got) != string(body[:len(body)/2]) {
		t.Errorf("read %q, %v: want the first half and an unexpected EOF", got, err)
	}
}

func TestResetConnection(t *testing.T) {
	if ResetConnection(httptest.NewRecorder()) {
		t.Error("reset a recorder, which has no connection")
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ResetConnection(w) {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(hs.Close)
	resp, err := http.Get(hs.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %d, want the connection dropped", resp.StatusCode)
	}
}

func TestDelayEndsWhenTheClientGoesAway(t *testing.T) {
	done := make(chan struct{})
	close(done)
	// An hour-long delay, or one of the default length, returns at once for
	// a client that has gone; a hang here fails the test by its timeout.
	Delay(done, "1h")
	Delay(done, "not a duration")
}
