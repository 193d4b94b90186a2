package pacer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// onlyToken answers 200 to the given bearer token and Xero's expired-token
// 401 to any other.
func onlyToken(tok string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+tok {
			ok(w, r)
			return
		}
		reply(401, `{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at 01/01/2001 00:00:00"}`,
			"Content-Type", "application/json")(w, r)
	}
}

// TestUnauthorised proves the 401 cases: a refresh and one retry; a second
// 401 means reconnect; a refresh refused with invalid_grant means
// reconnect; a missing scope is returned at once without a refresh.
func TestUnauthorised(t *testing.T) {
	scope401 := reply(401, `{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthorizationUnsuccessful","Instance":"x"}`,
		"Content-Type", "application/json", "Xero-Correlation-Id", "c1")
	tests := []struct {
		name      string
		answer    http.HandlerFunc
		refresh   error
		wantHits  int
		wantAuths []string
		wantRefr  int64
		check     func(t *testing.T, err error)
	}{
		{"refresh then success", onlyToken("tok2"), nil, 2, []string{"Bearer tok1", "Bearer tok2"}, 1, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"401 twice", onlyToken("never"), nil, 2, []string{"Bearer tok1", "Bearer tok2"}, 1, func(t *testing.T, err error) {
			var re *provider.NeedsReauthError
			var apiErr *provider.APIError
			if !errors.As(err, &re) || !errors.As(err, &apiErr) || apiErr.Status != 401 {
				t.Fatalf("err %v, want NeedsReauthError over the 401", err)
			}
		}},
		{"invalid_grant", onlyToken("tok2"), invalidGrant(), 1, []string{"Bearer tok1"}, 0, func(t *testing.T, err error) {
			var re *provider.NeedsReauthError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "invalid_grant") {
				t.Fatalf("err %v, want the TokenSource's NeedsReauthError", err)
			}
		}},
		{"missing scope", scope401, nil, 1, []string{"Bearer tok1"}, 0, func(t *testing.T, err error) {
			var apiErr *provider.APIError
			var re *provider.NeedsReauthError
			if !errors.As(err, &apiErr) || apiErr.Status != 401 || errors.As(err, &re) {
				t.Fatalf("err %v, want a plain APIError 401", err)
			}
			if !strings.Contains(apiErr.Body, "AuthorizationUnsuccessful") || apiErr.CorrelationID != "c1" {
				t.Errorf("APIError %+v: the connector needs the body and correlation id", apiErr)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.answer)
			tokens := &fakeTokens{fail: tc.refresh}
			tr := newTransport(t, Config{Policy: Xero(), Clock: newStepClock(), Tokens: tokens})
			_, _, err := get(context.Background(), tr.Client(), srv.URL)
			tc.check(t, err)
			var auths []string
			for _, h := range srv.seen() {
				auths = append(auths, h.auth)
			}
			if strings.Join(auths, ",") != strings.Join(tc.wantAuths, ",") {
				t.Errorf("server saw %q, want %q", auths, tc.wantAuths)
			}
			if n := tokens.refreshes.Load(); n != tc.wantRefr {
				t.Errorf("%d refreshes, want %d", n, tc.wantRefr)
			}
		})
	}
}

// TestConcurrent401sOneRefresh proves that 20 calls refused together
// cause one refresh: each passes the token that failed, so the TokenSource
// can tell it has already been replaced.
func TestConcurrent401sOneRefresh(t *testing.T) {
	const callers = 20
	var arrived atomic.Int64
	all := make(chan struct{})
	var once sync.Once
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer tok1" {
			// Hold every first call until all have been sent with the old
			// token, so that all of them are refused.
			if arrived.Add(1) == callers {
				once.Do(func() { close(all) })
			}
			select {
			case <-all:
			case <-time.After(5 * time.Second):
			}
		}
		onlyToken("tok2")(w, r)
	})
	tokens := &fakeTokens{}
	tr := newTransport(t, Config{Policy: Policy{}, Tokens: tokens})
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			if resp, _, err := get(context.Background(), tr.Client(), srv.URL); err != nil {
				errs <- err
			} else if resp.StatusCode != 200 {
				errs <- errors.New(resp.Status)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := tokens.refreshes.Load(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if st := tr.Stats(); st.Calls != 2*callers || st.Refreshes != callers {
		t.Errorf("stats %+v: want %d calls and %d refresh requests", st, 2*callers, callers)
	}
}

// TestTokenStaysWithItsHost proves a redirect to another host is followed
// without the account's token.
func TestTokenStaysWithItsHost(t *testing.T) {
	other := newServer(t, ok)
	api := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/file", http.StatusFound)
	})
	tr := newTransport(t, Config{Policy: Xero(), Clock: newStepClock(), Tokens: &fakeTokens{}})
	if _, _, err := get(context.Background(), tr.Client(), api.URL); err != nil {
		t.Fatal(err)
	}
	if a := api.seen()[0].auth; a != "Bearer tok1" {
		t.Errorf("API saw %q, want the token", a)
	}
	if a := other.seen()[0].auth; a != "" {
		t.Errorf("other host saw %q, want no token", a)
	}
}
