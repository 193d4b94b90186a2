package xero

import "net/http"

// STUB: replaced by the fault-injection work.

func (s *Server) injectFault(w http.ResponseWriter, c *call, endpoint string) *apiError { return nil }
