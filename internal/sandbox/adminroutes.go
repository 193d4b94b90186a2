package sandbox

import "net/http"

// AdminBase is where every emulator mounts its admin API: a path no
// provider uses, so the admin routes sit beside the real ones.
const AdminBase = "/_sandbox"

// IndexRoute mounts GET {prefix}/, which answers what index returns for
// the clock now, and a JSON 404 that points to the index for any path
// under prefix no other route claims (rather than the emulator's own
// catch-all, which speaks its provider's error format).
func (a *Admin) IndexRoute(mux *http.ServeMux, prefix string, index func(ClockState) any) {
	mux.HandleFunc(prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != prefix+"/" {
			WriteError(w, http.StatusNotFound, "no admin route "+r.URL.Path+"; GET "+prefix+"/ lists what there is")
			return
		}
		if AllowMethods(w, r, http.MethodGet) {
			WriteJSON(w, http.StatusOK, index(a.ClockState()))
		}
	})
}

// ExpireTokensRoute mounts POST {prefix}/tokens/expire, which makes every
// access token expire now through expire and answers {"expired":n}, the
// number it cut short.
func (a *Admin) ExpireTokensRoute(mux *http.ServeMux, prefix string, expire func() int) {
	mux.HandleFunc(prefix+"/tokens/expire", func(w http.ResponseWriter, r *http.Request) {
		if AllowMethods(w, r, http.MethodPost) {
			WriteJSON(w, http.StatusOK, map[string]int{"expired": expire()})
		}
	})
}
