package xero

import "net/http"

// STUB: replaced by the endpoint work.

func (s *Server) accountingRoutes(mux *http.ServeMux) {}
