package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Admin serves the provider-neutral part of a sandbox's admin API: the
// clock, the traffic meter and the fault profile. Each emulator mounts it
// under its own prefix (/_sandbox for Xero) next to its data routes.
//
// The admin API has no authentication: a sandbox binds loopback, and the
// admin API exists for tests, benchmarks and the person running it.
//
// Routes, under prefix (JSON in and out; errors are {"error":"..."} with
// 400, 404 or 405):
//
//	GET  {prefix}/clock        {"now":"RFC 3339","unixMs":…,"scale":…}
//	POST {prefix}/clock        {"advance":"90m"} or {"to":"2026-07-01T09:00:00Z"};
//	                           forward only; answers as GET
//	GET  {prefix}/meter        {"calls":…,"bytes":…,"usage":[Usage…]}
//	POST {prefix}/meter/reset  answers the counters as they were, then clears them
//	GET  {prefix}/faults       {"profile":"…","fired":{"500":2,…}}
//	PUT  {prefix}/faults       body: a fault profile as text (see Faults);
//	                           empty clears it; answers as GET
type Admin struct {
	Clock  *Clock
	Meter  *Meter
	Faults *Faults
}

// ClockState is what the clock routes answer.
type ClockState struct {
	Now    time.Time `json:"now"`
	UnixMs int64     `json:"unixMs"`
	Scale  float64   `json:"scale"`
}

// MeterReport is what the meter routes answer: totals and every counter.
type MeterReport struct {
	Calls int64   `json:"calls"`
	Bytes int64   `json:"bytes"`
	Usage []Usage `json:"usage"`
}

// FaultState is what the faults routes answer.
type FaultState struct {
	Profile string           `json:"profile"`
	Fired   map[string]int64 `json:"fired"`
}

// maxAdminBody bounds admin request bodies: a batch of changes is the
// largest thing anyone sends.
const maxAdminBody = 8 << 20

// Routes mounts the clock, meter and faults routes on mux under prefix
// ("/_sandbox"). Patterns carry no method, so that a wrong method gets the
// admin API's JSON 405 rather than the emulator's catch-all page.
func (a *Admin) Routes(mux *http.ServeMux, prefix string) {
	prefix = strings.TrimSuffix(prefix, "/")
	mux.HandleFunc(prefix+"/clock", a.serveClock)
	mux.HandleFunc(prefix+"/meter", a.serveMeter)
	mux.HandleFunc(prefix+"/meter/reset", a.serveMeterReset)
	mux.HandleFunc(prefix+"/faults", a.serveFaults)
}

// ClockState reports the clock now.
func (a *Admin) ClockState() ClockState {
	now := a.Clock.Now()
	return ClockState{Now: now, UnixMs: now.UnixMilli(), Scale: a.Clock.Scale()}
}

func (a *Admin) serveClock(w http.ResponseWriter, r *http.Request) {
	if !AllowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodPost {
		var body struct {
			Advance string `json:"advance"`
			To      string `json:"to"`
		}
		if err := DecodeJSON(r, &body); err != nil {
			WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		d, err := a.clockStep(body.Advance, body.To)
		if err != nil {
			WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		a.Clock.Advance(d)
	}
	WriteJSON(w, http.StatusOK, a.ClockState())
}

// clockStep turns a clock request into the duration to advance by. Time
// only runs forward: a target in the past is refused, not ignored, so a
// test that asks for it learns its mistake.
func (a *Admin) clockStep(advance, to string) (time.Duration, error) {
	switch {
	case advance != "" && to != "":
		return 0, errors.New(`send either "advance" or "to", not both`)
	case advance != "":
		d, err := time.ParseDuration(advance)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("advance %q: want a positive Go duration such as 90m or 36h", advance)
		}
		return d, nil
	case to != "":
		t, err := time.Parse(time.RFC3339Nano, to)
		if err != nil {
			return 0, fmt.Errorf("to %q: want an RFC 3339 time such as 2026-07-01T09:00:00Z", to)
		}
		now := a.Clock.Now()
		if t.Before(now) {
			return 0, fmt.Errorf("to %s is before the clock's now (%s): the clock only runs forward", t.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
		}
		return t.Sub(now), nil
	}
	return 0, errors.New(`want {"advance":"90m"} or {"to":"RFC 3339 time"}`)
}

// MeterReport returns the meter's counters with their totals.
func (a *Admin) MeterReport() MeterReport {
	rep := MeterReport{Usage: a.Meter.Snapshot()}
	for _, u := range rep.Usage {
		rep.Calls += u.Calls
		rep.Bytes += u.Bytes
	}
	return rep
}

func (a *Admin) serveMeter(w http.ResponseWriter, r *http.Request) {
	if AllowMethods(w, r, http.MethodGet) {
		WriteJSON(w, http.StatusOK, a.MeterReport())
	}
}

// serveMeterReset answers the counters it clears, so a benchmark can read
// and restart them in one call (calls served between the two steps are
// lost; a benchmark resets while idle).
func (a *Admin) serveMeterReset(w http.ResponseWriter, r *http.Request) {
	if !AllowMethods(w, r, http.MethodPost) {
		return
	}
	rep := a.MeterReport()
	a.Meter.Reset()
	WriteJSON(w, http.StatusOK, rep)
}

// FaultState returns the fault profile and how often each kind fired.
func (a *Admin) FaultState() FaultState {
	return FaultState{Profile: a.Faults.Spec(), Fired: a.Faults.Fired()}
}

func (a *Admin) serveFaults(w http.ResponseWriter, r *http.Request) {
	if !AllowMethods(w, r, http.MethodGet, http.MethodPut) {
		return
	}
	if r.Method == http.MethodPut {
		if a.Faults == nil {
			WriteError(w, http.StatusBadRequest, "this sandbox has no fault injector")
			return
		}
		text, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
		if err != nil {
			WriteError(w, http.StatusBadRequest, "read fault profile: "+err.Error())
			return
		}
		// The profile is plain text; a JSON string is accepted too, as
		// that is what a JSON-minded client will send.
		spec := strings.TrimSpace(string(text))
		var quoted string
		if strings.HasPrefix(spec, `"`) && json.Unmarshal([]byte(spec), &quoted) == nil {
			spec = quoted
		}
		if err := a.Faults.Set(spec); err != nil {
			WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	WriteJSON(w, http.StatusOK, a.FaultState())
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(map[string]string{"error": "encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// WriteError writes the admin API's error body, {"error":"message"}.
func WriteError(w http.ResponseWriter, status int, message string) {
	WriteJSON(w, status, map[string]string{"error": message})
}

// AllowMethods reports whether r uses one of methods; if not it answers
// 405 with an Allow header and the JSON error body.
func AllowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	WriteError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s (allowed: %s)",
		r.Method, r.URL.Path, strings.Join(methods, ", ")))
	return false
}

// DecodeJSON reads one JSON value from the request body into v. Unknown
// fields are an error, so a misspelt argument is reported rather than
// silently ignored; an empty body decodes as {}.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxAdminBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("malformed JSON body: %w", err)
	}
	if dec.More() {
		return errors.New("malformed JSON body: more than one value")
	}
	return nil
}
