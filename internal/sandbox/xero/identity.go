package xero

import (
	"net/http"
	"time"
)

// STUB: replaced by the identity (OAuth) work.

// grant is what a valid access token proves.
type grant struct {
	userID  string
	scopes  map[string]bool
	expires time.Time
}

type identity struct{ s *Server }

func newIdentity(s *Server) *identity { return &identity{s: s} }

func (id *identity) authenticate(r *http.Request, instance string) (*grant, *apiError) {
	return nil, errAuthentication(instance)
}

func (id *identity) connectedOrg(g *grant, tenantID, instance string) (*Org, *apiError) {
	return nil, errForbiddenTenant(instance)
}

func (s *Server) identityRoutes(mux *http.ServeMux) {}
