package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/provider"
	"github.com/datapull/datapull/internal/store"
)

// Sign-in states, as the flow page shows them.
const (
	flowWaiting = "waiting" // sent to the provider, no answer yet
	flowPick    = "pick"    // signed in; the user picks organisations
	flowDone    = "done"    // connected
	flowFailed  = "failed"  // denied, refused, abandoned: nothing connected
)

// flowKeep is how long an ended sign-in is kept for its message.
const flowKeep = time.Hour

// flow is one sign-in started from the web app. Nothing is stored until
// the user has picked the accounts, so a sign-in that ends any other way
// leaves nothing behind.
type flow struct {
	id        string // names the flow in our URLs; not the OAuth state
	cf        *app.ConnectFlow
	ws        int64
	source    string
	reconnect *store.Connection // set when reconnecting one account
	started   time.Time
	ended     time.Time

	status   string
	accounts []provider.Account
	conns    []store.Connection
	problem  string
}

// flowView is a flow for the templates, copied under the lock.
type flowView struct {
	ID, Source, Status, Problem string
	Workspace                   int64
	Started                     time.Time
	AuthURL                     string
	Accounts                    []accountChoice
	Connected                   []store.Connection
	Reconnect                   string
}

type accountChoice struct {
	provider.Account
	Connected bool // already connected to the workspace
}

func (s *Server) view(f *flow) flowView {
	v := flowView{ID: f.id, Source: sourceTitle(f.source), Status: f.status, Problem: f.problem, Workspace: f.ws,
		Started: f.started, AuthURL: f.cf.AuthURL(), Connected: f.conns}
	if f.reconnect != nil {
		v.Reconnect = f.reconnect.AccountName
	}
	for _, a := range f.accounts {
		_, err := s.st.ConnectionByAccount(context.Background(), f.ws, f.source, a.ID)
		v.Accounts = append(v.Accounts, accountChoice{Account: a, Connected: err == nil})
	}
	return v
}

// startConnect begins a sign-in and shows the page that sends the browser
// to the provider.
func (s *Server) startConnect(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "Go back and try again.")
		return
	}
	source := r.PostForm.Get("source")
	if !slices.Contains(app.Sources(), source) {
		s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("DataPull cannot connect a source called “%s”.", source),
			"Go back and choose one of the sources listed.")
		return
	}
	sandbox := strings.TrimSpace(r.PostForm.Get("sandbox"))
	if sandbox != "" {
		if u, err := url.Parse(sandbox); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			s.fail(w, r, http.StatusBadRequest, "The sandbox address must be a web address such as http://127.0.0.1:8721.",
				"Go back and correct it, or leave it empty to connect the real "+sourceTitle(source)+".")
			return
		}
		sandbox = strings.TrimRight(sandbox, "/")
	}
	s.begin(w, r, ws.ID, source, sandbox, nil)
}

// reconnect signs in again for one connection, against the hosts it was
// made with.
func (s *Server) reconnect(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	sandbox := ""
	if def, err := s.app.BaseURLs(conn.Source, ""); err == nil && def != conn.BaseURLs {
		sandbox = conn.BaseURLs.API
	}
	s.begin(w, r, conn.WorkspaceID, conn.Source, sandbox, &conn)
}

func (s *Server) begin(w http.ResponseWriter, r *http.Request, ws int64, source, sandbox string, reconnect *store.Connection) {
	cf, err := s.app.BeginConnect(r.Context(), ws, source, sandbox, s.redirectURI())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	f := &flow{id: randomID(), cf: cf, ws: ws, source: source, reconnect: reconnect, started: time.Now(), status: flowWaiting}
	s.mu.Lock()
	s.flows[f.id] = f
	s.mu.Unlock()
	http.Redirect(w, r, "/connect/"+f.id, http.StatusSeeOther)
}

// flowPage shows a sign-in: the way to the provider while it waits, the
// organisation picker, or how it ended.
func (s *Server) flowPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.flow(w, r)
	if !ok {
		return
	}
	s.renderIn(w, r, f.Workspace, "connect", page{Title: "Connect " + f.Source, Nav: "pull", Data: f})
}

// callback takes the provider's answer. The state names the sign-in; an
// answer whose state is not one of ours is refused before anything else
// is read from it.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := s.flowByState(q.Get("state"))
	if f == nil {
		s.fail(w, r, http.StatusBadRequest,
			"This sign-in answer does not belong to a sign-in started here (the state does not match), so it was not used. Nothing was connected.",
			"Start the sign-in again from API Pull.")
		return
	}
	accounts, err := f.cf.Finish(r.Context(), q)
	if err != nil {
		s.endFlow(f, nil, signInProblem(err))
		http.Redirect(w, r, s.backTo(f), http.StatusSeeOther)
		return
	}
	if f.reconnect != nil {
		i := slices.IndexFunc(accounts, func(a provider.Account) bool { return a.ID == f.reconnect.AccountID })
		if i < 0 {
			s.endFlow(f, nil, fmt.Sprintf("That sign-in does not reach %s, so it was not reconnected. Sign in as a user of that organisation.", f.reconnect.AccountName))
			http.Redirect(w, r, s.backTo(f), http.StatusSeeOther)
			return
		}
		accounts = accounts[i : i+1]
	}
	if len(accounts) == 1 {
		s.save(r.Context(), f, accounts)
		http.Redirect(w, r, s.backTo(f), http.StatusSeeOther)
		return
	}
	s.mu.Lock()
	f.status, f.accounts = flowPick, accounts
	s.mu.Unlock()
	http.Redirect(w, r, "/connect/"+f.id, http.StatusSeeOther)
}

// pickAccounts connects the organisations the user ticked.
func (s *Server) pickAccounts(w http.ResponseWriter, r *http.Request) {
	fv, ok := s.flow(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	f := s.flows[fv.ID]
	s.mu.Unlock()
	if fv.Status != flowPick {
		s.failLink(w, r, http.StatusConflict, "This sign-in is not waiting for a choice.", "", "See how it ended", "/connect/"+fv.ID)
		return
	}
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "Go back and try again.")
		return
	}
	ids := r.PostForm["account"]
	var chosen []provider.Account
	for _, a := range f.accounts {
		if slices.Contains(ids, a.ID) {
			chosen = append(chosen, a)
		}
	}
	if len(chosen) == 0 || len(chosen) != len(ids) {
		s.failLink(w, r, http.StatusBadRequest, "Choose at least one of the organisations listed.", "", "Back to the list", "/connect/"+fv.ID)
		return
	}
	s.save(r.Context(), f, chosen)
	http.Redirect(w, r, s.backTo(f), http.StatusSeeOther)
}

func (s *Server) cancelFlow(w http.ResponseWriter, r *http.Request) {
	fv, ok := s.flow(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	f := s.flows[fv.ID]
	s.mu.Unlock()
	if fv.Status == flowWaiting || fv.Status == flowPick {
		s.endFlow(f, nil, "You cancelled the sign-in. Nothing was connected.")
	}
	http.Redirect(w, r, s.backTo(f), http.StatusSeeOther)
}

// save stores the chosen accounts and ends the flow.
func (s *Server) save(ctx context.Context, f *flow, chosen []provider.Account) {
	conns, err := f.cf.Save(ctx, chosen)
	if err != nil {
		s.endFlow(f, conns, signInProblem(err))
		return
	}
	s.endFlow(f, conns, "")
}

func (s *Server) endFlow(f *flow, conns []store.Connection, problem string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.conns, f.problem, f.ended, f.accounts = conns, problem, time.Now(), nil
	f.status = flowDone
	if problem != "" {
		f.status = flowFailed
	}
}

// backTo is API Pull with the flow's outcome and its new account chosen.
func (s *Server) backTo(f *flow) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := fmt.Sprintf("/w/%d/pull?source=%s&flow=%s", f.ws, url.QueryEscape(f.source), f.id)
	if len(f.conns) > 0 {
		u += fmt.Sprintf("&conn=%d", f.conns[0].ID)
	}
	return u
}

// signInProblem says in plain words why a sign-in connected nothing.
func signInProblem(err error) string {
	var ae *oauth.AuthorizeError
	switch {
	case errors.Is(err, oauth.ErrConsentDenied):
		return "You declined access on the provider's consent page, so nothing was connected. Connect again and choose Allow access to go ahead."
	case errors.Is(err, oauth.ErrStateMismatch):
		return "The sign-in answer did not belong to this sign-in (state mismatch), so it was not used. Nothing was connected; start again."
	case errors.As(err, &ae):
		return "The provider refused the sign-in (" + ae.Code + "). Nothing was connected. " + ae.Description
	case errors.Is(err, app.ErrNothingChosen):
		return "No organisation was chosen, so nothing was connected."
	}
	return "The sign-in did not finish: " + err.Error() + ". Nothing was connected."
}

// flow finds the flow the path names (sweeping abandoned ones first).
func (s *Server) flow(w http.ResponseWriter, r *http.Request) (flowView, bool) {
	s.sweepFlows()
	s.mu.Lock()
	f, ok := s.flows[r.PathValue("flow")]
	s.mu.Unlock()
	if !ok {
		s.fail(w, r, http.StatusNotFound, "This sign-in is not known here: it ended over an hour ago, or the app restarted since.",
			"Start the sign-in again from API Pull.")
		return flowView{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.view(f), true
}

// flowByState finds the waiting flow an answer's state belongs to.
func (s *Server) flowByState(state string) *flow {
	if state == "" {
		return nil
	}
	s.sweepFlows()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.flows {
		if f.status == flowWaiting && f.cf.State() == state {
			return f
		}
	}
	return nil
}

// flowsOf returns a workspace's waiting sign-ins and the one named by id.
func (s *Server) flowsOf(ws int64, id string) ([]flowView, *flowView) {
	s.sweepFlows()
	s.mu.Lock()
	defer s.mu.Unlock()
	var pending []flowView
	var named *flowView
	for _, f := range s.flows {
		if f.ws != ws {
			continue
		}
		if f.id == id {
			v := s.view(f)
			named = &v
		} else if f.status == flowWaiting || f.status == flowPick {
			pending = append(pending, s.view(f))
		}
	}
	slices.SortFunc(pending, func(a, b flowView) int { return a.Started.Compare(b.Started) })
	return pending, named
}

// sweepFlows ends sign-ins that were abandoned (the window closed, the
// user walked away) and forgets ended ones after a while.
func (s *Server) sweepFlows() {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, f := range s.flows {
		switch {
		case !f.ended.IsZero() && now.Sub(f.ended) > flowKeep:
			delete(s.flows, id)
		case f.ended.IsZero() && now.Sub(f.started) > s.cfg.FlowTimeout:
			f.status, f.ended, f.accounts = flowFailed, now, nil
			f.problem = fmt.Sprintf("No answer came back from the %s sign-in within %s (was the window closed?), so nothing was connected. Connect again when you are ready.",
				sourceTitle(f.source), humanDur(s.cfg.FlowTimeout))
		}
	}
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
