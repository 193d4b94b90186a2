package sandbox

import (
	"net/http"
	"sort"
	"sync"
)

// Meter counts the calls and response bytes a sandbox served, per tenant and
// endpoint, so tests and benchmarks can hold a client to its call budget.
type Meter struct {
	mu     sync.Mutex
	counts map[meterKey]*Usage
}

type meterKey struct{ tenant, endpoint string }

// Usage is what one tenant's endpoint served.
type Usage struct {
	Tenant   string        `json:"tenant"`
	Endpoint string        `json:"endpoint"`
	Calls    int64         `json:"calls"`
	Bytes    int64         `json:"bytes"`
	Statuses map[int]int64 `json:"statuses"`
}

// NewMeter returns an empty meter.
func NewMeter() *Meter { return &Meter{counts: make(map[meterKey]*Usage)} }

// Wrap returns a response writer that counts the bytes written through it;
// Done records the call.
func (m *Meter) Wrap(w http.ResponseWriter, tenant, endpoint string) *MeteredWriter {
	return &MeteredWriter{ResponseWriter: w, m: m, key: meterKey{tenant, endpoint}, status: http.StatusOK}
}

// Snapshot returns every counter, sorted by tenant then endpoint.
func (m *Meter) Snapshot() []Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Usage, 0, len(m.counts))
	for _, u := range m.counts {
		c := *u
		c.Statuses = make(map[int]int64, len(u.Statuses))
		for k, v := range u.Statuses {
			c.Statuses[k] = v
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Tenant != out[j].Tenant {
			return out[i].Tenant < out[j].Tenant
		}
		return out[i].Endpoint < out[j].Endpoint
	})
	return out
}

// Reset clears every counter.
func (m *Meter) Reset() {
	m.mu.Lock()
	m.counts = make(map[meterKey]*Usage)
	m.mu.Unlock()
}

// MeteredWriter counts one response.
type MeteredWriter struct {
	http.ResponseWriter
	m      *Meter
	key    meterKey
	status int
	bytes  int64
}

// WriteHeader records the status.
func (w *MeteredWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Write counts the body bytes.
func (w *MeteredWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (to
// hijack a connection for a reset fault, or flush).
func (w *MeteredWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Done records the call in the meter.
func (w *MeteredWriter) Done() {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	u := w.m.counts[w.key]
	if u == nil {
		u = &Usage{Tenant: w.key.tenant, Endpoint: w.key.endpoint, Statuses: map[int]int64{}}
		w.m.counts[w.key] = u
	}
	u.Calls++
	u.Bytes += w.bytes
	u.Statuses[w.status]++
}
