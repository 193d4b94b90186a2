package sandboxtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/datapull/datapull/internal/sandbox"
)

func TestPKCE(t *testing.T) {
	v1, c1 := PKCE()
	v2, _ := PKCE()
	if !sandbox.ValidVerifier(v1) || c1 != sandbox.S256Challenge(v1) || v1 == v2 {
		t.Errorf("PKCE() = %q, %q (then %q)", v1, c1, v2)
	}
}

// fakeProvider answers a consent POST with a redirect carrying a code and
// the state, and a token POST with an access token for that code.
func fakeProvider(state string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authorize", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		http.Redirect(w, r, r.PostForm.Get("redirect_uri")+"?code=c1&state="+url.QueryEscape(state), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("code") != "c1" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at","expires_in":1800}`))
	})
	return mux
}

func TestSignInSteps(t *testing.T) {
	base, client := Serve(t, fakeProvider("st"))
	form := url.Values{"redirect_uri": {"http://127.0.0.1:9/callback"}, "state": {"st"}}
	// The client hands the redirect back instead of following it to port 9.
	code := Authorize(t, client, base+"/authorize", form)
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	Exchange(t, client, base+"/token", url.Values{"code": {code}}, &tok)
	if code != "c1" || tok.AccessToken != "at" || tok.ExpiresIn != 1800 {
		t.Errorf("code %q, tokens %+v", code, tok)
	}
}

// failing is a testing.TB whose Fatal records the failure and stops the
// goroutine, so a helper's refusals can be checked.
type failing struct {
	testing.TB
	msg string
}

func (f *failing) Helper() {}
func (f *failing) Fatalf(format string, args ...any) {
	f.msg = format
	panic(f)
}
func (f *failing) Fatal(args ...any) { panic(f) }

// fails reports whether run made the helper fail.
func fails(t *testing.T, run func(tb testing.TB)) (failed bool) {
	f := &failing{TB: t}
	defer func() {
		if r := recover(); r != nil {
			if r != f {
				panic(r)
			}
			failed = true
		}
	}()
	run(f)
	return false
}

func TestSignInStepsRefuse(t *testing.T) {
	base, client := Serve(t, fakeProvider("other"))
	if !fails(t, func(tb testing.TB) {
		Authorize(tb, client, base+"/authorize", url.Values{"redirect_uri": {"http://127.0.0.1:9/cb"}, "state": {"st"}})
	}) {
		t.Error("Authorize accepted a redirect with the wrong state")
	}
	if !fails(t, func(tb testing.TB) {
		Exchange(tb, client, base+"/token", url.Values{"code": {"wrong"}}, &struct{}{})
	}) {
		t.Error("Exchange accepted a 400")
	}
}

func TestDrain(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("x", 1000))) })
	base, client := Serve(t, mux)
	req, _ := http.NewRequest(http.MethodGet, base+"/ok", nil)
	if n := Drain(t, client, req); n != 1000 {
		t.Errorf("drained %d bytes, want 1000", n)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/missing", nil)
	if !fails(t, func(tb testing.TB) { Drain(tb, client, req) }) {
		t.Error("Drain accepted a 404")
	}
}

func TestSampleHeap(t *testing.T) {
	var peak uint64
	stop := SampleHeap(&peak)
	keep := make([]byte, 8<<20)
	stop()
	if peak == 0 {
		t.Error("no heap sampled")
	}
	_ = keep
}
