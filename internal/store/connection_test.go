package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/datapull/datapull/internal/provider"
)

// TestConnections: a connection round-trips every field; the same account
// twice in a workspace is ErrExists (but fine in another workspace); unknown
// references are ErrNotFound; statuses are checked.
func TestConnections(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ws, _ := s.CreateWorkspace(ctx, "one")
		other, _ := s.CreateWorkspace(ctx, "two")
		ts, err := s.SaveTokenSet(ctx, TokenSet{Source: "xero", Subject: "u1", Sealed: []byte{1, 2, 3}})
		if err != nil {
			t.Fatal(err)
		}
		in := Connection{WorkspaceID: ws.ID, Source: "xero", AccountID: "t-1", AccountName: "Demo Co",
			TokenSetID: ts.ID,
			BaseURLs:   provider.BaseURLs{Auth: "http://127.0.0.1:1/auth", Token: "http://127.0.0.1:1/token", API: "http://127.0.0.1:1/api"},
			Extra:      map[string]string{"connection_id": "c-9", "short_code": "!abc"}}
		c, err := s.CreateConnection(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != ConnectionActive || c.ID == 0 {
			t.Fatalf("created %+v", c)
		}
		got, err := s.Connection(ctx, c.ID)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Fatalf("Connection = %+v, %v\nwant %+v", got, err, c)
		}
		if _, err := s.CreateConnection(ctx, in); !errors.Is(err, ErrExists) {
			t.Fatalf("same account twice: %v, want ErrExists", err)
		}
		in2 := in
		in2.WorkspaceID = other.ID
		if _, err := s.CreateConnection(ctx, in2); err != nil {
			t.Fatalf("same account in another workspace: %v", err)
		}
		in3 := in
		in3.WorkspaceID, in3.AccountID = 999, "t-2"
		if _, err := s.CreateConnection(ctx, in3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown workspace: %v, want ErrNotFound", err)
		}
		in3.WorkspaceID, in3.TokenSetID = ws.ID, 999
		if _, err := s.CreateConnection(ctx, in3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown token set: %v, want ErrNotFound", err)
		}
		by, err := s.ConnectionByAccount(ctx, ws.ID, "xero", "t-1")
		if err != nil || by.ID != c.ID {
			t.Fatalf("ConnectionByAccount = %+v, %v", by, err)
		}
		if _, err := s.ConnectionByAccount(ctx, ws.ID, "hubspot", "t-1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v, want ErrNotFound", err)
		}
		if err := s.SetConnectionStatus(ctx, c.ID, ConnectionNeedsReconnect); err != nil {
			t.Fatal(err)
		}
		var ve *ValidationError
		if err := s.SetConnectionStatus(ctx, c.ID, "broken"); !errors.As(err, &ve) {
			t.Fatalf("bad status: %v, want *ValidationError", err)
		}
		if err := s.SetConnectionStatus(ctx, 999, ConnectionActive); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown connection: %v, want ErrNotFound", err)
		}
		list, err := s.Connections(ctx, ws.ID)
		if err != nil || len(list) != 1 || list[0].Status != ConnectionNeedsReconnect {
			t.Fatalf("Connections = %+v, %v", list, err)
		}
		if err := s.DeleteConnection(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Connection(ctx, c.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted connection: %v, want ErrNotFound", err)
		}
	})
}

// TestTokenSetSharedByTwoConnections: two organisations of one Xero user
// share a token set; a rotation saved once is seen by both; the token set
// outlives the first connection's deletion and goes with the last.
func TestTokenSetSharedByTwoConnections(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ws, _ := s.CreateWorkspace(ctx, "w")
		ts, err := s.SaveTokenSet(ctx, TokenSet{Source: "xero", Subject: "user-1", Sealed: []byte("v1")})
		if err != nil {
			t.Fatal(err)
		}
		var conns []Connection
		for _, tenant := range []string{"org-a", "org-b"} {
			c, err := s.CreateConnection(ctx, Connection{WorkspaceID: ws.ID, Source: "xero", AccountID: tenant, TokenSetID: ts.ID})
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		ts.Sealed = []byte("v2 rotated")
		saved, err := s.SaveTokenSet(ctx, ts)
		if err != nil {
			t.Fatal(err)
		}
		if saved.ID != ts.ID {
			t.Fatalf("update made a new token set %d", saved.ID)
		}
		for _, c := range conns {
			got, err := s.TokenSet(ctx, c.TokenSetID)
			if err != nil || string(got.Sealed) != "v2 rotated" || got.Subject != "user-1" {
				t.Fatalf("token set of %s = %+v, %v", c.AccountID, got, err)
			}
		}
		var ve *ValidationError
		if err := s.DeleteTokenSet(ctx, ts.ID); !errors.As(err, &ve) {
			t.Fatalf("deleting a token set in use: %v, want *ValidationError", err)
		}
		if _, err := s.SaveTokenSet(ctx, TokenSet{ID: 999, Source: "xero", Sealed: []byte("x")}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update unknown: %v, want ErrNotFound", err)
		}
		if err := s.DeleteConnection(ctx, conns[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenSet(ctx, ts.ID); err != nil {
			t.Fatalf("token set gone while org-b still uses it: %v", err)
		}
		if err := s.DeleteConnection(ctx, conns[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenSet(ctx, ts.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("token set kept after its last connection: %v, want ErrNotFound", err)
		}
	})
}
