package hubspot

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// The admin API, on paths HubSpot does not use (see doc.go for the list).
// It has no authentication: the sandbox binds loopback, and the admin API
// is for tests, benchmarks and the person running the sandbox.
const adminBase = sandbox.AdminBase

func (s *Server) adminRoutes() {
	kit := &sandbox.Admin{Clock: s.clock, Meter: s.meter, Faults: s.faults}
	kit.Routes(s.mux, adminBase)
	kit.IndexRoute(s.mux, adminBase, s.adminIndex)
	kit.ExpireTokensRoute(s.mux, adminBase, s.ExpireAccessTokens)
	s.mux.HandleFunc(adminBase+"/portals/{portal}/truth/{endpoint...}", s.adminTruth)
	s.mux.HandleFunc(adminBase+"/portals/{portal}/changes", s.adminChanges)
	s.mux.HandleFunc(adminBase+"/portals/{portal}/uninstall", s.adminUninstall)
	s.mux.HandleFunc(adminBase+"/search", s.adminSearch)
}

type indexPortal struct {
	ID              int64          `json:"id"`
	Name            string         `json:"name"`
	Domain          string         `json:"domain"`
	TimeZone        string         `json:"timeZone"`
	PrivateAppToken string         `json:"privateAppToken"`
	Total           int            `json:"total"`
	Records         map[string]int `json:"records"`
}

type indexUser struct {
	ID        int64   `json:"id"`
	Email     string  `json:"email"`
	PortalIDs []int64 `json:"portalIds"`
}

func (s *Server) adminIndex(clock sandbox.ClockState) any {
	out := struct {
		Clock     sandbox.ClockState `json:"clock"`
		SearchLag string             `json:"searchLag"`
		Portals   []indexPortal      `json:"portals"`
		Users     []indexUser        `json:"users"`
		Truth     []string           `json:"truthEndpoints"`
	}{Clock: clock, SearchLag: (time.Duration(s.lagMs.Load()) * time.Millisecond).String()}
	for _, p := range s.world.Portals {
		ip := indexPortal{ID: p.ID, Name: p.Name, Domain: p.Domain, TimeZone: p.TimeZone,
			PrivateAppToken: PrivateAppToken(s.cfg.Seed, p.ID), Records: map[string]int{}}
		p.mu.RLock()
		for _, t := range p.Types {
			ip.Records[t.Name] = len(t.Records)
			ip.Total += len(t.Records)
		}
		p.mu.RUnlock()
		out.Portals = append(out.Portals, ip)
	}
	for _, u := range s.world.Users {
		out.Users = append(out.Users, indexUser{ID: u.ID, Email: u.Email, PortalIDs: u.PortalIDs})
	}
	if len(s.world.Portals) > 0 {
		out.Truth = s.TruthEndpoints(s.world.Portals[0].ID)
	}
	return out
}

// adminPortal resolves the {portal} of a route, answering 404 if unknown.
func (s *Server) adminPortal(w http.ResponseWriter, r *http.Request) *Portal {
	id, err := strconv.ParseInt(r.PathValue("portal"), 10, 64)
	p := s.world.Portal(id)
	if err != nil || p == nil {
		sandbox.WriteError(w, http.StatusNotFound, fmt.Sprintf("unknown portal %q", r.PathValue("portal")))
		return nil
	}
	return p
}

func (s *Server) adminTruth(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodGet) {
		return
	}
	p := s.adminPortal(w, r)
	if p == nil {
		return
	}
	src, err := s.truthSource(p, r.PathValue("endpoint"))
	if err != nil {
		sandbox.WriteAdminError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	// Once streaming has begun the status is sent; a failure after that
	// (the client went away) can only cut the stream short.
	s.writeTruth(p, src, w)
}

// changesBody is the body of POST .../changes: one change, or a list.
type changesBody struct {
	ChangeRequest
	Changes []ChangeRequest `json:"changes"`
}

func (s *Server) adminChanges(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodPost) {
		return
	}
	p := s.adminPortal(w, r)
	if p == nil {
		return
	}
	var body changesBody
	if err := sandbox.DecodeJSON(r, &body); err != nil {
		sandbox.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	reqs, err := sandbox.ChangeBatch(body.ChangeRequest, body.Changes, body.Op != "", body.Op != "", `{"op":…,"type":…,…}`)
	if err != nil {
		sandbox.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	changes, err := s.Apply(p.ID, reqs)
	sandbox.WriteChanges(w, changes, err, nil)
}

func (s *Server) adminUninstall(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodPost) {
		return
	}
	if p := s.adminPortal(w, r); p != nil {
		sandbox.WriteJSON(w, http.StatusOK, map[string]int{"revoked": s.Uninstall(p.ID)})
	}
}

// adminSearch shows or sets the search lag: {"lag":"30s"} changes it for
// later changes, {"flush":true} makes everything searchable now.
func (s *Server) adminSearch(w http.ResponseWriter, r *http.Request) {
	if !sandbox.AllowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodPost {
		var body struct {
			Lag   string `json:"lag"`
			Flush bool   `json:"flush"`
		}
		if err := sandbox.DecodeJSON(r, &body); err != nil {
			sandbox.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		if body.Lag != "" {
			d, err := time.ParseDuration(body.Lag)
			if err != nil || d < 0 {
				sandbox.WriteError(w, http.StatusBadRequest, fmt.Sprintf("lag %q: want a Go duration such as 30s, or 0s", body.Lag))
				return
			}
			s.SetSearchLag(d)
		}
		if body.Flush {
			s.FlushSearch()
		}
	}
	pending := 0
	for _, p := range s.world.Portals {
		p.mu.RLock()
		for _, t := range p.Types {
			pending += len(t.pending)
		}
		p.mu.RUnlock()
	}
	sandbox.WriteJSON(w, http.StatusOK, map[string]any{"lag": (time.Duration(s.lagMs.Load()) * time.Millisecond).String(), "pending": pending})
}

// SetSearchLag changes how long later changes take to reach search.
func (s *Server) SetSearchLag(d time.Duration) { s.lagMs.Store(d.Milliseconds()) }

// FlushSearch makes every change made so far searchable at once.
func (s *Server) FlushSearch() {
	for _, p := range s.world.Portals {
		p.mu.Lock()
		for _, t := range p.Types {
			t.flush()
		}
		p.mu.Unlock()
	}
}
