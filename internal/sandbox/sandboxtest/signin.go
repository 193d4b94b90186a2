package sandboxtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/datapull/datapull/internal/sandbox"
)

// PKCE returns a fresh code verifier and its S256 challenge.
func PKCE() (verifier, challenge string) {
	var b [32]byte
	rand.Read(b[:])
	verifier = base64.RawURLEncoding.EncodeToString(b[:])
	return verifier, sandbox.S256Challenge(verifier)
}

// Authorize posts an approving consent form to authorizeURL, as a person
// pressing Allow would, and returns the code it redirects back with. The
// test fails unless the answer is a 302 carrying a code and the form's
// state.
func Authorize(t testing.TB, client *http.Client, authorizeURL string, form url.Values) (code string) {
	t.Helper()
	resp, err := client.PostForm(authorizeURL, form)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("consent: got %d to %q, want a redirect with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, want := loc.Query().Get("state"), form.Get("state"); got != want {
		t.Fatalf("consent: state %q came back as %q", want, got)
	}
	return loc.Query().Get("code")
}

// Exchange posts a token request to tokenURL and decodes the answer into
// out. The test fails unless the answer is a 200 with an access token.
func Exchange(t testing.TB, client *http.Client, tokenURL string, form url.Values, out any) {
	t.Helper()
	resp, err := client.PostForm(tokenURL, form)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	var got struct {
		AccessToken string `json:"access_token"`
	}
	if err == nil {
		err = json.Unmarshal(body, &got)
	}
	if err == nil {
		err = json.Unmarshal(body, out)
	}
	if err != nil || resp.StatusCode != http.StatusOK || got.AccessToken == "" {
		t.Fatalf("token: status %d, err %v, body %s", resp.StatusCode, err, body)
	}
}
