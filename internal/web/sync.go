package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/datapull/datapull/internal/store"
)

// syncData is the sync page of one pull, live while it runs.
type syncData struct {
	Conn      store.Connection
	Pull      *store.Pull // nil before the connection's first pull starts
	Queued    bool        // a job waits to start (or resume) a pull
	Live      bool        // updates will arrive
	Progress  Progress
	Results   []store.EndpointResult
	Notes     []store.Note
	Last      *store.Pull // the connection's latest finished pull
	EventsURL string
	PartURL   string
}

// syncPage is the connection's current pull, or its latest one.
func (s *Server) syncPage(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	s.showSync(w, r, conn, 0)
}

// pullPage is one pull of the history.
func (s *Server) pullPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "pull")
	if !ok {
		return
	}
	p, err := s.st.Pull(r.Context(), id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	conn, err := s.st.Connection(r.Context(), p.ConnectionID)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.showSync(w, r, conn, p.ID)
}

func (s *Server) showSync(w http.ResponseWriter, r *http.Request, conn store.Connection, pullID int64) {
	d, err := s.syncData(r.Context(), conn, pullID)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if r.URL.Query().Get("part") == "details" {
		s.renderFragment(w, "sync", "details", d)
		return
	}
	title := "Sync · " + conn.AccountName
	if d.Pull != nil {
		title = fmt.Sprintf("Pull %d · %s", d.Pull.ID, conn.AccountName)
	}
	s.renderIn(w, r, conn.WorkspaceID, "sync", page{Title: title, Nav: "pull", Data: d})
}

func (s *Server) syncData(ctx context.Context, conn store.Connection, pullID int64) (syncData, error) {
	d := syncData{Conn: conn, EventsURL: fmt.Sprintf("/connections/%d/events", conn.ID)}
	pulls, err := s.st.Pulls(ctx, conn.ID, 20)
	if err != nil {
		return d, err
	}
	for i := range pulls {
		if pulls[i].Status != store.PullRunning && d.Last == nil {
			d.Last = &pulls[i]
		}
	}
	_, queued, err := s.jobs.Active(ctx, conn.ID)
	if err != nil {
		return d, err
	}
	if pullID != 0 {
		p, err := s.st.Pull(ctx, pullID)
		if err != nil {
			return d, err
		}
		d.Pull = &p
		d.PartURL = fmt.Sprintf("/pulls/%d?part=details", p.ID)
	} else {
		d.PartURL = fmt.Sprintf("/connections/%d/sync?part=details", conn.ID)
		if len(pulls) > 0 {
			d.Pull = &pulls[0]
		}
		// A queued job whose pull has not started yet: the page waits for
		// it rather than showing the previous, finished pull as current.
		if queued && (d.Pull == nil || d.Pull.Status != store.PullRunning) {
			d.Queued, d.Pull = true, nil
		}
	}
	d.Live = d.Queued || (d.Pull != nil && d.Pull.Status == store.PullRunning)
	if d.Pull == nil {
		return d, nil
	}
	// Once the pull is known, the page refreshes that pull's details: the
	// connection's own view may turn to a later pull meanwhile.
	d.PartURL = fmt.Sprintf("/pulls/%d?part=details", d.Pull.ID)
	if d.Results, err = s.st.EndpointResults(ctx, d.Pull.ID); err != nil {
		return d, err
	}
	if d.Notes, err = s.st.Notes(ctx, d.Pull.ID); err != nil {
		return d, err
	}
	d.Progress = s.progressOf(*d.Pull, d.Results, d.Notes)
	return d, nil
}

// progressOf is the hub's live progress of p, or, when the hub has not
// seen p (a finished pull, a restarted app), the same figures from what
// the store holds.
func (s *Server) progressOf(p store.Pull, results []store.EndpointResult, notes []store.Note) Progress {
	if live, ok := s.hub.Latest(p.ConnectionID); ok && live.PullID == p.ID {
		return live
	}
	pr := Progress{PullID: p.ID, ConnectionID: p.ConnectionID, Status: string(p.Status), Mode: string(p.Mode),
		Done: len(results), Notes: len(notes), ETA: -1, Records: p.Records, Calls: p.Calls, Bytes: p.Bytes}
	pr.Endpoints = len(results)
	if eps, err := s.app.Catalog(s.sourceOf(p)); err == nil && p.Status == store.PullRunning {
		pr.Endpoints = len(eps)
	}
	if p.Status == store.PullRunning {
		pr.Records, pr.Calls, pr.Bytes = 0, 0, 0
		for _, r := range results {
			pr.Records += r.Fetched
			pr.Calls += r.Calls
			pr.Bytes += r.Bytes
		}
	}
	end := p.FinishedAt
	if end.IsZero() {
		end = time.Now()
	}
	pr.Elapsed = max(end.Sub(p.StartedAt).Seconds(), 0)
	return pr
}

func (s *Server) sourceOf(p store.Pull) string {
	c, err := s.st.Connection(context.Background(), p.ConnectionID)
	if err != nil {
		return ""
	}
	return c.Source
}

// heartbeat keeps idle event streams open through proxies and tells the
// browser the server is still there.
const heartbeat = 15 * time.Second

// events streams the connection's pull progress as server-sent events:
// the current state at once, then every change as it happens.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	ch, stop := s.hub.subscribe(conn.ID)
	defer stop()
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	send := func() error {
		p, ok := s.hub.Latest(conn.ID)
		if !ok {
			return rc.Flush()
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: progress\ndata: %s\n\n", b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if send() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ch:
			if send() != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": still here\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// historyData is a connection's pull history.
type historyData struct {
	Conn  store.Connection
	Pulls []store.Pull
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	pulls, err := s.st.Pulls(r.Context(), conn.ID, 200)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.renderIn(w, r, conn.WorkspaceID, "history", page{Title: "History · " + conn.AccountName, Nav: "pull",
		Data: historyData{Conn: conn, Pulls: pulls}})
}
