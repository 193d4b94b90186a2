package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/jobs"
	"github.com/datapull/datapull/internal/store"
)

// runPull queues a pull of a connection: a standard sync, or "re-pull all
// data" once confirmed. A connection with a pull queued or running gets
// the refusal and a link to that pull.
func (s *Server) runPull(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "Go back and try again.")
		return
	}
	mode := store.PullMode(r.PostForm.Get("mode"))
	switch {
	case mode == "":
		mode = store.PullStandard
	case mode != store.PullStandard && mode != store.PullFull:
		s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("“%s” is not a kind of pull.", mode), "Use Run sync or Re-pull all data.")
		return
	case mode == store.PullFull && r.PostForm.Get("confirm") != "yes":
		http.Redirect(w, r, fmt.Sprintf("/connections/%d/repull", conn.ID), http.StatusSeeOther)
		return
	}
	if conn.Status != store.ConnectionActive {
		s.failLink(w, r, http.StatusConflict,
			fmt.Sprintf("%s cannot be pulled: it is %s.", conn.AccountName, humanStatus(conn.Status)),
			"Reconnect it (sign in again), then sync.", "Back to API Pull", fmt.Sprintf("/w/%d/pull?conn=%d", conn.WorkspaceID, conn.ID))
		return
	}
	sync := fmt.Sprintf("/connections/%d/sync", conn.ID)
	if p, running, err := s.st.RunningPull(r.Context(), conn.ID); err == nil && running {
		if _, queued, _ := s.jobs.Active(r.Context(), conn.ID); !queued {
			// Running elsewhere (a CLI pull) or left by a killed one, which
			// a new job would resume: either way, not a second pull.
			if busy := s.lockHeld(r, conn.ID); busy {
				s.failLink(w, r, http.StatusConflict, "A pull is already running for "+conn.AccountName+".",
					"Wait for it to finish; its page shows how far it is.", "See the running pull", fmt.Sprintf("/pulls/%d", p.ID))
				return
			}
		}
	}
	_, err := s.jobs.Enqueue(r.Context(), conn.ID, mode)
	if errors.Is(err, jobs.ErrAlreadyQueued) {
		s.failLink(w, r, http.StatusConflict, "A pull is already running for "+conn.AccountName+".",
			"Only one pull of an account runs at a time. Wait for it to finish; its page shows how far it is.", "See the running pull", sync)
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, sync, http.StatusSeeOther)
}

// lockHeld reports whether something is pulling the connection now.
func (s *Server) lockHeld(r *http.Request, connID int64) bool {
	release, err := s.st.LockConnection(r.Context(), connID)
	if err != nil {
		return true
	}
	release()
	return false
}

func (s *Server) confirmRepull(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	s.renderIn(w, r, conn.WorkspaceID, "repull", page{Title: "Re-pull all data", Nav: "pull", Data: conn})
}

func (s *Server) confirmDisconnect(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	s.renderIn(w, r, conn.WorkspaceID, "disconnect", page{Title: "Disconnect " + conn.AccountName, Nav: "pull", Data: conn})
}

// disconnect drops a connection's sign-in; its data stays.
func (s *Server) disconnect(w http.ResponseWriter, r *http.Request) {
	conn, ok := s.connection(w, r)
	if !ok {
		return
	}
	if _, busy, err := s.jobs.Active(r.Context(), conn.ID); err != nil || busy {
		s.failLink(w, r, http.StatusConflict, "A pull of "+conn.AccountName+" is running, so it was not disconnected.",
			"Wait for the pull to finish, then disconnect.", "See the running pull", fmt.Sprintf("/connections/%d/sync", conn.ID))
		return
	}
	res, err := s.app.Disconnect(r.Context(), conn.ID)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if res.Err != nil {
		s.log.Warn("disconnect: revoking the sign-in at the provider", "connection", conn.ID, "err", res.Err)
	}
	http.Redirect(w, r, fmt.Sprintf("/w/%d/pull?source=%s&conn=%d&done=disconnected&signin=%s",
		conn.WorkspaceID, url.QueryEscape(conn.Source), conn.ID, url.QueryEscape(string(res.SignIn))), http.StatusSeeOther)
}

// signInMessage says what a disconnect did with the sign-in at the
// provider (app.SignIn), in plain words.
func signInMessage(code, source string) string {
	name := sourceTitle(source)
	switch app.SignIn(code) {
	case app.SignInRevoked:
		return "DataPull's access was also withdrawn at " + name + "."
	case app.SignInShared:
		return "The sign-in stays at " + name + ": another connection still uses it."
	case app.SignInUnsupported:
		return name + " has no way for DataPull to withdraw its access; remove DataPull from the apps connected to your " + name + " account to do so."
	case app.SignInFailed:
		return "DataPull could not withdraw its access at " + name + " (the provider did not answer as expected); remove DataPull from the apps connected to your " + name + " account to be sure."
	}
	return ""
}

// connection loads the connection the path names, answering 404 itself.
func (s *Server) connection(w http.ResponseWriter, r *http.Request) (store.Connection, bool) {
	id, ok := s.pathID(w, r, "conn")
	if !ok {
		return store.Connection{}, false
	}
	c, err := s.st.Connection(r.Context(), id)
	if err != nil {
		s.failErr(w, r, err)
		return store.Connection{}, false
	}
	return c, true
}

func humanStatus(c store.ConnectionStatus) string {
	switch c {
	case store.ConnectionNeedsReconnect:
		return "waiting to be reconnected (the provider no longer accepts its sign-in)"
	case store.ConnectionDisconnected:
		return "disconnected"
	}
	return string(c)
}
