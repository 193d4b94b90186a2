package app

import (
	"context"
	"fmt"

	"github.com/datapull/datapull/internal/pacer"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/pull"
	"github.com/datapull/datapull/internal/store"
)

// NeedsReconnectError says a connection cannot be pulled until the user
// signs in again.
type NeedsReconnectError struct{ Connection store.Connection }

func (e *NeedsReconnectError) Error() string {
	return fmt.Sprintf("%s connection %q needs reconnecting: the provider no longer accepts its sign-in (run datapull connect %s again)",
		e.Connection.Source, e.Connection.AccountName, e.Connection.Source)
}

// Pull pulls one connection (resuming its unfinished pull, if it has one)
// and returns the finished pull; see pull.Engine.Run.
func (a *App) Pull(ctx context.Context, connID int64, mode store.PullMode, onEvent func(pull.Event)) (store.Pull, error) {
	conn, err := a.st.Connection(ctx, connID)
	if err != nil {
		return store.Pull{}, fmt.Errorf("pull: %w", err)
	}
	if conn.Status != store.ConnectionActive || conn.TokenSetID == 0 {
		return store.Pull{}, &NeedsReconnectError{Connection: conn}
	}
	t, err := a.open(ctx, conn)
	if err != nil {
		return store.Pull{}, fmt.Errorf("pull: %w", err)
	}
	return a.engine.Run(ctx, t, pull.Request{Mode: mode, OnEvent: onEvent})
}

// open builds the connection's endpoints on a paced, authorised client.
func (a *App) open(ctx context.Context, conn store.Connection) (pull.Target, error) {
	src, err := a.source(conn.Source, conn.BaseURLs)
	if err != nil {
		return pull.Target{}, err
	}
	tr, err := a.transport(ctx, conn, src)
	if err != nil {
		return pull.Target{}, err
	}
	eps, err := src.Open(conn.BaseURLs, provider.Account{ID: conn.AccountID, Name: conn.AccountName, Extra: conn.Extra}, tr.Client())
	if err != nil {
		return pull.Target{}, err
	}
	traffic := func() pull.Traffic {
		s := tr.Stats()
		return pull.Traffic{Calls: s.Calls, Bytes: s.Bytes}
	}
	return pull.Target{Connection: conn, Endpoints: eps, Traffic: traffic}, nil
}

// transport returns the connection's pacer, made on first use and kept
// while the connection keeps its sign-in and hosts.
func (a *App) transport(ctx context.Context, conn store.Connection, src provider.Source) (*pacer.Transport, error) {
	a.mu.Lock()
	at, ok := a.transports[conn.ID]
	a.mu.Unlock()
	if ok && at.tokenSetID == conn.TokenSetID && at.base == conn.BaseURLs {
		return at.tr, nil
	}
	tsrc, err := a.tokenSource(ctx, conn, src.OAuth(conn.BaseURLs))
	if err != nil {
		return nil, err
	}
	tr := pacer.New(pacer.Config{Policy: a.policy(conn.Source), Tokens: tsrc, App: a.appBudget(conn.Source), Base: a.cfg.HTTP})
	a.mu.Lock()
	defer a.mu.Unlock()
	if at, ok := a.transports[conn.ID]; ok && at.tokenSetID == conn.TokenSetID && at.base == conn.BaseURLs {
		return at.tr, nil // another pull made one meanwhile
	}
	a.transports[conn.ID] = accountTransport{tokenSetID: conn.TokenSetID, base: conn.BaseURLs, tr: tr}
	return tr, nil
}
