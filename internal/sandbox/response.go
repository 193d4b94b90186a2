package sandbox

import (
	"fmt"
	"net/http"
)

// Response is a complete canned response: status, content type, body and
// any extra headers. An emulator's handlers return one instead of writing
// errors themselves, so every error of its provider has the real shape in
// one place (the emulator's constructors) and is written the same way.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	Header      http.Header
}

// Error makes a Response usable where an error is wanted, in messages and
// test failures.
func (r *Response) Error() string { return fmt.Sprintf("sandbox: %d %s", r.Status, r.Body) }

// Send writes the response: its extra headers, its content type, its status
// and its body, in that order.
func (r *Response) Send(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.Header {
		h[k] = v
	}
	h.Set("Content-Type", r.ContentType)
	w.WriteHeader(r.Status)
	w.Write(r.Body)
}
