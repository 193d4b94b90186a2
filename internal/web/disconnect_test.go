package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/app"
	"github.com/datapull/datapull/internal/oauth"
	"github.com/datapull/datapull/internal/store"
)

// tokens unseals a connection's stored sign-in, as the provider issued it.
func (e *env) tokens(conn store.Connection) oauth.TokenSet {
	e.t.Helper()
	row, err := e.st.TokenSet(context.Background(), conn.TokenSetID)
	if err != nil {
		e.t.Fatalf("token set of connection %d: %v", conn.ID, err)
	}
	plain, err := e.sealer.Open(row.Sealed)
	if err != nil {
		e.t.Fatal(err)
	}
	var ts oauth.TokenSet
	if err := json.Unmarshal(plain, &ts); err != nil {
		e.t.Fatal(err)
	}
	return ts
}

// signInWorks asks the sandbox whether a sign-in still works: its access
// token lists the user's connections, and its refresh token is accepted.
// (The refresh is tried only when asked: it rotates the token.)
func (e *env) signInWorks(ts oauth.TokenSet, tryRefresh bool) (access, refresh bool) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.xeroURL+"/connections", nil)
	req.Header.Set("Authorization", "Bearer "+ts.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	access = resp.StatusCode == http.StatusOK
	if !tryRefresh {
		return access, false
	}
	resp, err = http.PostForm(e.xeroURL+"/connect/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {ts.RefreshToken}, "client_id": {app.SandboxClientID}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return access, resp.StatusCode == http.StatusOK
}

// disconnectVia disconnects through the web app and returns the message
// API Pull shows after.
func (e *env) disconnectVia(conn store.Connection) string {
	e.t.Helper()
	resp, body := e.do("POST", fmt.Sprintf("/connections/%d/disconnect", conn.ID), nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("disconnect %s: %d: %.300s", conn.AccountName, resp.StatusCode, body)
	}
	resp, body = e.do("GET", resp.Header.Get("Location"), nil, nil)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("API Pull after disconnecting: %d", resp.StatusCode)
	}
	got, err := e.st.Connection(context.Background(), conn.ID)
	if err != nil || got.Status != store.ConnectionDisconnected || got.TokenSetID != 0 {
		e.t.Fatalf("after disconnecting, connection %d is %s with token set %d (err %v)", conn.ID, got.Status, got.TokenSetID, err)
	}
	i := strings.Index(body, `class="banner good"`)
	if i < 0 {
		e.t.Fatalf("no message after disconnecting: %.600s", body)
	}
	msg := body[i:]
	return msg[:strings.Index(msg, "</div>")]
}

// TestDisconnectRevokesSignIn: disconnecting withdraws the sign-in at the
// sandbox Xero once no other connection uses it (its tokens stop
// working), keeps it while another does, and still disconnects, with a
// message, when the provider cannot be reached.
func TestDisconnectRevokesSignIn(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	ws := e.workspace("Acme")
	orgs := e.xero.World().Orgs
	// One sign-in reaching both organisations: two connections, one token set.
	conns, err := e.app.Connect(ctx, app.ConnectRequest{WorkspaceID: ws.ID, Source: "xero", Sandbox: e.xeroURL,
		Login: oauthApprove(orgs[0].ID, orgs[1].ID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 2 || conns[0].TokenSetID != conns[1].TokenSetID {
		t.Fatalf("want two connections on one sign-in, got %+v", conns)
	}
	ts := e.tokens(conns[0])
	if access, _ := e.signInWorks(ts, false); !access {
		t.Fatal("the sandbox refuses the new sign-in's access token")
	}

	// The first disconnect keeps the sign-in: the other connection uses it.
	if msg := e.disconnectVia(conns[0]); !strings.Contains(msg, "another connection still uses it") {
		t.Fatalf("first disconnect says %q", msg)
	}
	if access, _ := e.signInWorks(ts, false); !access {
		t.Fatal("the shared sign-in was withdrawn while another connection uses it")
	}
	if resp, body := e.do("POST", fmt.Sprintf("/connections/%d/pull", conns[1].ID), url.Values{"mode": {"standard"}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pull of the other connection: %d: %.300s", resp.StatusCode, body)
	}
	if p := e.waitPull(conns[1].ID, 60*time.Second); p.Status != store.PullCompleted {
		t.Fatalf("the other connection's pull ended %s: %s", p.Status, p.Error)
	}

	// The last disconnect withdraws it: neither token works any more.
	ts = e.tokens(conns[1]) // the pull may have refreshed it
	if msg := e.disconnectVia(conns[1]); !strings.Contains(msg, "also withdrawn at Xero") {
		t.Fatalf("last disconnect says %q", msg)
	}
	if access, refresh := e.signInWorks(ts, true); access || refresh {
		t.Fatalf("after the last disconnect the sandbox still takes the sign-in (access %v, refresh %v)", access, refresh)
	}

	// A provider that cannot be reached: disconnected anyway, with a message.
	ws2 := e.workspace("Other")
	other := e.connect(ws2)
	e.xeroSrv.Close()
	if msg := e.disconnectVia(other); !strings.Contains(msg, "could not withdraw its access at Xero") {
		t.Fatalf("disconnect with the provider unreachable says %q", msg)
	}
}
