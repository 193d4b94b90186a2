package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/jobs"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// sourceCard is one source on API Pull, with what its endpoints can do.
type sourceCard struct {
	Name        string
	Title       string
	Endpoints   []provider.EndpointInfo
	Incremental int
	Accounts    int
	Selected    bool
}

// accountRow is one connected account of the chosen source.
type accountRow struct {
	Conn     store.Connection
	Last     *store.Pull // the latest pull, if any
	Job      *jobs.Job   // the unfinished pull job, if any
	Selected bool
}

// apiPullData is the API Pull page: workspace → source → account → sync.
type apiPullData struct {
	Workspace store.Workspace
	Sources   []sourceCard
	Source    *sourceCard
	Accounts  []accountRow
	Selected  *accountRow
	Pending   []flowView // sign-ins of this workspace still waiting
	Flow      *flowView  // the sign-in that just ended, if the URL names one
	Sandbox   string
}

func (s *Server) apiPull(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	conns, err := s.st.Connections(ctx, ws.ID)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := apiPullData{Workspace: ws, Sandbox: s.cfg.Sandbox}
	want := q.Get("source")
	if c := atoi(q.Get("conn")); c > 0 && want == "" {
		for _, conn := range conns {
			if conn.ID == c {
				want = conn.Source
			}
		}
	}
	for i, name := range app.Sources() {
		card := sourceCard{Name: name, Title: sourceTitle(name)}
		if eps, err := s.app.Catalog(name); err == nil {
			card.Endpoints = eps
			for _, e := range eps {
				if e.Incremental {
					card.Incremental++
				}
			}
		}
		for _, c := range conns {
			if c.Source == name {
				card.Accounts++
			}
		}
		card.Selected = name == want || (want == "" && i == 0)
		d.Sources = append(d.Sources, card)
	}
	for i := range d.Sources {
		if d.Sources[i].Selected {
			d.Source = &d.Sources[i]
		}
	}
	if d.Source == nil {
		s.fail(w, r, http.StatusNotFound, "DataPull has no source called “"+want+"”.", "Choose one of the sources on API Pull.")
		return
	}
	wantConn := atoi(q.Get("conn"))
	for _, c := range conns {
		if c.Source != d.Source.Name {
			continue
		}
		row, err := s.accountRow(ctx, c)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d.Accounts = append(d.Accounts, row)
	}
	for i := range d.Accounts {
		a := &d.Accounts[i]
		if a.Conn.ID == wantConn || (wantConn == 0 && d.Selected == nil && a.Conn.Status == store.ConnectionActive) {
			if d.Selected != nil {
				d.Selected.Selected = false
			}
			a.Selected, d.Selected = true, a
		}
	}
	d.Pending, d.Flow = s.flowsOf(ws.ID, q.Get("flow"))
	msg := doneMessage(q.Get("done"))
	if q.Get("done") == "disconnected" {
		msg = strings.TrimSpace(msg + " " + signInMessage(q.Get("signin"), d.Source.Name))
	}
	s.render(w, r, http.StatusOK, "apipull", page{Title: "API Pull · " + ws.Name, Nav: "pull", Workspace: &ws,
		Message: msg, Data: d})
}

// accountRow gathers one connection's latest pull and unfinished job.
func (s *Server) accountRow(ctx context.Context, c store.Connection) (accountRow, error) {
	row := accountRow{Conn: c}
	last, err := s.st.Pulls(ctx, c.ID, 1)
	if err != nil {
		return row, err
	}
	if len(last) > 0 {
		row.Last = &last[0]
	}
	job, ok, err := s.jobs.Active(ctx, c.ID)
	if err != nil {
		return row, err
	}
	if ok {
		row.Job = &job
	}
	return row, nil
}

func sourceTitle(name string) string {
	switch name {
	case "xero":
		return "Xero"
	case "hubspot":
		return "HubSpot"
	}
	return name
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
