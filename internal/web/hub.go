package web

import (
	"sync"
	"time"

	"github.com/datapull/datapull/internal/pull"
)

// Progress is where a connection's current pull stands, as the sync page
// shows it. The hub keeps one per connection, made from the engine's
// events, so a page opened late or reloaded starts from the same state.
type Progress struct {
	PullID       int64  `json:"pull"`
	ConnectionID int64  `json:"connection"`
	Status       string `json:"status"` // running, completed, failed, stopped, partial
	Mode         string `json:"mode"`
	Resumed      bool   `json:"resumed"`
	Endpoints    int    `json:"endpoints"`
	Done         int    `json:"done"` // endpoints finished
	Current      string `json:"current"`
	CurrentMode  string `json:"current_mode"`
	Records      int64  `json:"records"`
	Calls        int64  `json:"calls"`
	Bytes        int64  `json:"bytes"`
	Notes        int    `json:"notes"`
	// Elapsed and ETA are in seconds of wall time; ETA is -1 while it
	// cannot be estimated.
	Elapsed float64 `json:"elapsed"`
	ETA     float64 `json:"eta"`
	// Kind is the event that made this state; Emitted is when the hub got
	// it (Unix milliseconds), so the page can tell how late it arrives.
	// Seq counts the pull's events so far: the hub sends a watcher only the
	// latest state, so Seq says which events a state covers.
	Kind    string `json:"kind"`
	Emitted int64  `json:"emitted"`
	Seq     int64  `json:"seq"`

	started time.Time
}

// Hub fans the engine's events out to the sync pages watching them.
// Safe for concurrent use.
type Hub struct {
	mu       sync.Mutex
	now      func() time.Time
	progress map[int64]*Progress              // by connection
	subs     map[int64]map[chan struct{}]bool // by connection
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{now: time.Now, progress: map[int64]*Progress{}, subs: map[int64]map[chan struct{}]bool{}}
}

// Publish takes one engine event; give it to jobs.Config.OnEvent.
func (h *Hub) Publish(ev pull.Event) {
	now := h.now()
	connID := ev.Pull.ConnectionID
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.progress[connID]
	if p == nil || p.PullID != ev.Pull.ID {
		p = &Progress{PullID: ev.Pull.ID, ConnectionID: connID, started: now}
		h.progress[connID] = p
	}
	p.Status, p.Mode, p.Endpoints = string(ev.Pull.Status), string(ev.Pull.Mode), ev.Endpoints
	total := ev.Totals
	switch ev.Kind {
	case pull.PullStarted:
		p.Resumed = ev.Resumed
	case pull.EndpointStarted:
		p.Current, p.CurrentMode, p.Done = ev.Endpoint, string(ev.Mode), ev.Index-1
	case pull.PageStored:
		p.Current = ev.Endpoint // Totals include the endpoint's pages so far
	case pull.EndpointDone:
		p.Done = ev.Index
	case pull.NoteAdded:
		p.Notes++
	case pull.PullFinished:
		p.Current, p.CurrentMode, p.Done = "", "", p.Endpoints
		total = pull.Counts{Fetched: ev.Pull.Records, Calls: ev.Pull.Calls, Bytes: ev.Pull.Bytes}
	}
	if ev.Kind != pull.NoteAdded {
		p.Records, p.Calls, p.Bytes = total.Fetched, total.Calls, total.Bytes
	}
	p.Kind, p.Emitted = string(ev.Kind), now.UnixMilli()
	p.Seq++
	p.Elapsed = now.Sub(p.started).Seconds()
	p.ETA = -1
	if p.Done > 0 && p.Done < p.Endpoints && ev.Kind != pull.PullFinished {
		p.ETA = p.Elapsed / float64(p.Done) * float64(p.Endpoints-p.Done)
	}
	for ch := range h.subs[connID] {
		select {
		case ch <- struct{}{}:
		default: // already signalled; it reads the latest state anyway
		}
	}
}

// Latest returns the connection's last known progress, if the hub has
// seen a pull of it.
func (h *Hub) Latest(connID int64) (Progress, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.progress[connID]
	if !ok {
		return Progress{}, false
	}
	out := *p
	if out.Status == "running" {
		out.Elapsed = h.now().Sub(p.started).Seconds()
	}
	return out, true
}

// subscribe returns a channel signalled whenever the connection's
// progress changes, and a function to stop.
func (h *Hub) subscribe(connID int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[connID] == nil {
		h.subs[connID] = map[chan struct{}]bool{}
	}
	h.subs[connID][ch] = true
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[connID], ch)
		h.mu.Unlock()
	}
}
