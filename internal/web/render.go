package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/datapull/datapull/internal/store"
)

// pages holds every page's template, parsed once with the layout.
type pages struct {
	byName map[string]*template.Template
}

// page is what every template gets: the layout's parts and the page's own
// data in Data.
type page struct {
	Title     string
	Nav       string // which top link is current
	Workspace *store.Workspace
	Spaces    []store.Workspace // for the workspace switcher
	Error     string            // shown at the top, in red
	Message   string            // shown at the top, in green
	LoggedIn  bool              // show the sign-out button
	Data      any
}

// maxForm bounds the forms we read; ours are small.
const maxForm = 64 << 10

func parsePages(st *staticFiles) (*pages, error) {
	funcs := template.FuncMap{
		"static":   st.path,
		"bytes":    humanBytes,
		"num":      humanNumber,
		"dur":      humanDur,
		"when":     humanTime,
		"ago":      ago,
		"seconds":  func(d time.Duration) string { return humanDur(d) },
		"lower":    strings.ToLower,
		"statusOf": statusClass,
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// renderIn renders a page of workspace wsID, which its navigation names,
// or the error page when the workspace cannot be read.
func (s *Server) renderIn(w http.ResponseWriter, r *http.Request, wsID int64, name string, p page) {
	ws, err := s.st.Workspace(r.Context(), wsID)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p.Workspace = &ws
	s.render(w, r, http.StatusOK, name, p)
}

// render writes a whole page. It renders into a buffer first, so a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.LoggedIn = !s.loopback
	if p.Spaces == nil {
		p.Spaces, _ = s.st.Workspaces(r.Context())
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderFragment writes one named block of a page, for the sync page's
// script to swap in when a step finishes.
func (s *Server) renderFragment(w http.ResponseWriter, name, block string, data any) {
	var buf bytes.Buffer
	if err := s.pages.byName[name].ExecuteTemplate(&buf, block, data); err != nil {
		s.log.Error("render fragment", "page", name, "block", block, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// problem is the data of the error page.
type problem struct {
	Status int
	What   string // what went wrong
	Next   string // what the user can do
	Link   string // a place to go, if any
	LinkTo string
}

// fail shows the error page: what happened and what to do next.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, what, next string) {
	s.failLink(w, r, status, what, next, "", "")
}

func (s *Server) failLink(w http.ResponseWriter, r *http.Request, status int, what, next, linkText, link string) {
	var spaces []store.Workspace // nil: the layout loads them
	switch status {
	case http.StatusMisdirectedRequest, http.StatusUnauthorized, http.StatusForbidden:
		spaces = []store.Workspace{} // a stranger's request: list nothing
	}
	s.render(w, r, status, "error", page{Title: http.StatusText(status), Spaces: spaces,
		Data: problem{Status: status, What: what, Next: next, Link: link, LinkTo: linkText}})
}

// failErr turns a store or app error into the right page: a missing thing
// is a 404, bad input a 400, anything else a 500 that is logged.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	var ve *store.ValidationError
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, "That no longer exists (or never did).", "Go back to API Pull and choose again.")
	case errors.As(err, &ve):
		s.fail(w, r, http.StatusBadRequest, "That did not work: "+ve.Error()+".", "Go back, correct it and try again.")
	case errors.Is(err, store.ErrExists):
		s.fail(w, r, http.StatusConflict, "That name is already taken.", "Go back and choose another name.")
	default:
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Something went wrong: "+err.Error(), "Try again; if it keeps happening, the log says more.")
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "There is no page at this address.", "Start again from API Pull.")
}

// pathID reads a numeric id from the path, answering 404 itself when it
// is not one.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, "There is no such "+describe(name)+".", "Start again from API Pull.")
		return 0, false
	}
	return id, true
}

func describe(param string) string {
	switch param {
	case "ws":
		return "workspace"
	case "conn":
		return "connection"
	case "pull":
		return "pull"
	}
	return param
}

// parseForm reads a url-encoded form of bounded size.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	return r.ParseForm() == nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func humanNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func humanDur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

func humanTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2 Jan 2006 15:04:05")
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < 0:
		return humanTime(t)
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return humanTime(t)
}

// statusClass maps pull, result and note states to the page's status
// colours.
func statusClass(s any) string {
	switch fmt.Sprint(s) {
	case "completed", "ok", "active", "info":
		return "good"
	case "running", "queued", "available":
		return "busy"
	case "partial", "warning", "stopped", "skipped", "needs_reconnect":
		return "warn"
	case "failed", "error", "disconnected":
		return "bad"
	}
	return "plain"
}
