package web

import (
	"net"
	"net/http"
	"strings"
)

// csp allows our own files only: no inline script or style, nothing from
// elsewhere, no framing. Sign-ins leave by navigation, which CSP does not
// govern, so no provider needs to be listed.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// protect wraps the app in its safety checks, outermost first: security
// headers on every answer, the Host check (against DNS rebinding), the
// cross-origin check on every state-changing request (against CSRF), and
// the login when bound beyond this machine.
func (s *Server) protect(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "This request came from another web site, so it was refused.",
			"Use DataPull's own pages to make changes.")
	}))
	h = s.requireLogin(h)
	h = cop.Handler(h)
	h = s.checkHost(h)
	return headers(h)
}

func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// checkHost refuses a Host header that does not name this server: a page
// on another site that rebinds its own name to 127.0.0.1 would otherwise
// reach the app as if it were ours.
func (s *Server) checkHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			s.fail(w, r, http.StatusMisdirectedRequest, "This address is not DataPull's.",
				"Open DataPull at http://"+s.cfg.Addr+"/ instead.")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return false
	}
	if isLoopbackHost(host) {
		return true
	}
	if s.loopback {
		return false
	}
	// Bound beyond this machine (behind a login): the bound address, or
	// any of this machine's addresses when bound to all of them.
	bound, _, _ := net.SplitHostPort(s.cfg.Addr)
	if strings.EqualFold(host, bound) {
		return true
	}
	if ip := net.ParseIP(bound); ip != nil && ip.IsUnspecified() {
		return true
	}
	return false
}
