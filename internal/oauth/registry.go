package oauth

import (
	"context"
	"fmt"
	"sync"
)

// Registry holds one TokenSource per stored token set, keyed by the token
// set's id, so that every pull using a token set shares one refresh owner.
// For Xero that is every pull of every organisation one user connected.
// The zero value is ready to use; it is safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	sources map[string]*regEntry
}

type regEntry struct {
	ready chan struct{} // closed once src or err is set
	src   *TokenSource
	err   error
}

// Get returns the TokenSource for token set id, calling open to make it if
// there is none yet. Concurrent Gets for one id call open once and all get
// its result; a failed open is not remembered, so the next Get tries again.
func (r *Registry) Get(ctx context.Context, id string, open func(ctx context.Context) (*TokenSource, error)) (*TokenSource, error) {
	r.mu.Lock()
	if r.sources == nil {
		r.sources = make(map[string]*regEntry)
	}
	e, found := r.sources[id]
	if !found {
		e = &regEntry{ready: make(chan struct{})}
		r.sources[id] = e
	}
	r.mu.Unlock()

	if found {
		select {
		case <-e.ready:
			return e.src, e.err
		case <-ctx.Done():
			return nil, fmt.Errorf("oauth: wait for token set %s: %w", id, ctx.Err())
		}
	}
	e.src, e.err = open(ctx)
	if e.err == nil && e.src == nil {
		e.err = fmt.Errorf("oauth: open token set %s: no token source", id)
	}
	if e.err != nil {
		r.drop(id, e)
	}
	close(e.ready)
	return e.src, e.err
}

// Forget drops the TokenSource of token set id, as after a reconnect that
// replaced the token set: the next Get opens it afresh. Holders of the old
// one keep it.
func (r *Registry) Forget(id string) {
	r.mu.Lock()
	delete(r.sources, id)
	r.mu.Unlock()
}

// drop removes e if it is still the entry for id.
func (r *Registry) drop(id string, e *regEntry) {
	r.mu.Lock()
	if r.sources[id] == e {
		delete(r.sources, id)
	}
	r.mu.Unlock()
}
