package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/datapull/datapull/internal/store"
)

// home sends the user to API Pull in their first workspace, or to the
// workspaces page to make one.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	wss, err := s.st.Workspaces(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if len(wss) == 0 {
		http.Redirect(w, r, "/workspaces", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/w/%d/pull", wss[0].ID), http.StatusSeeOther)
}

// workspaceRow is one workspace on the workspaces page.
type workspaceRow struct {
	store.Workspace
	Connections int
}

func (s *Server) workspaces(w http.ResponseWriter, r *http.Request) {
	wss, err := s.st.Workspaces(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	rows := make([]workspaceRow, 0, len(wss))
	for _, ws := range wss {
		conns, err := s.st.Connections(r.Context(), ws.ID)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		rows = append(rows, workspaceRow{Workspace: ws, Connections: len(conns)})
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "workspaces", page{Title: "Workspaces", Nav: "workspaces", Spaces: wss,
		Message: doneMessage(q.Get("done")), Data: rows})
}

// switchWorkspace is the header's workspace picker.
func (s *Server) switchWorkspace(w http.ResponseWriter, r *http.Request) {
	ws, err := s.st.Workspace(r.Context(), atoi(r.URL.Query().Get("ws")))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/w/%d/pull", ws.ID), http.StatusSeeOther)
}

// doneMessage is the confirmation a redirect names by code; codes, not
// text, so a link from elsewhere cannot put words on our pages.
func doneMessage(code string) string {
	switch code {
	case "renamed":
		return "Workspace renamed."
	case "deleted":
		return "Workspace deleted, with everything it held."
	case "disconnected":
		return "Disconnected. The account's data stays; reconnect to sync it again."
	}
	return ""
}

func (s *Server) createWorkspace(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "Go back and try again.")
		return
	}
	ws, err := s.st.CreateWorkspace(r.Context(), r.PostForm.Get("name"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/w/%d/pull", ws.ID), http.StatusSeeOther)
}

func (s *Server) renameWorkspace(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "ws")
	if !ok {
		return
	}
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "Go back and try again.")
		return
	}
	if err := s.st.RenameWorkspace(r.Context(), id, r.PostForm.Get("name")); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/workspaces?done=renamed", http.StatusSeeOther)
}

func (s *Server) confirmDeleteWorkspace(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	conns, err := s.st.Connections(r.Context(), ws.ID)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "delete_workspace", page{Title: "Delete " + ws.Name, Nav: "workspaces",
		Data: struct {
			Workspace   store.Workspace
			Connections []store.Connection
		}{ws, conns}})
}

// deleteWorkspace deletes a workspace and all it holds, once the user has
// typed its name: a button alone is too easy to press by mistake.
func (s *Server) deleteWorkspace(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	if !parseForm(w, r) {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.", "Go back and try again.")
		return
	}
	if r.PostForm.Get("confirm") != ws.Name {
		s.failLink(w, r, http.StatusBadRequest, "The workspace was not deleted: the name typed does not match.",
			"Type the workspace's name exactly to confirm.", "Back", fmt.Sprintf("/workspaces/%d/delete", ws.ID))
		return
	}
	if busy, err := s.anyRunning(r.Context(), ws.ID); err != nil || busy {
		if err == nil {
			err = errors.New("a pull of this workspace is running; wait for it to finish, then delete")
		}
		s.fail(w, r, http.StatusConflict, "The workspace was not deleted: "+err.Error()+".", "Try again when the pull has finished.")
		return
	}
	if err := s.st.DeleteWorkspace(r.Context(), ws.ID); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/workspaces?done=deleted", http.StatusSeeOther)
}

// anyRunning reports whether a connection of the workspace has a pull
// queued or running.
func (s *Server) anyRunning(ctx context.Context, wsID int64) (bool, error) {
	conns, err := s.st.Connections(ctx, wsID)
	if err != nil {
		return false, err
	}
	for _, c := range conns {
		if _, ok, err := s.jobs.Active(ctx, c.ID); err != nil || ok {
			return ok, err
		}
		if _, ok, err := s.st.RunningPull(ctx, c.ID); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// workspace loads the workspace the path names, answering 404 itself.
func (s *Server) workspace(w http.ResponseWriter, r *http.Request) (store.Workspace, bool) {
	id, ok := s.pathID(w, r, "ws")
	if !ok {
		return store.Workspace{}, false
	}
	ws, err := s.st.Workspace(r.Context(), id)
	if err != nil {
		s.failErr(w, r, err)
		return store.Workspace{}, false
	}
	return ws, true
}
