package xero

import "net/http"

// STUB: replaced by the admin API work.

func (s *Server) adminRoutes(mux *http.ServeMux) {}
