package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/provider"
)

// TestWorkspaceValidation: names are trimmed; empty, over-long and
// control-character names are *ValidationError and create nothing.
func TestWorkspaceValidation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		bad := []struct{ name, in string }{
			{"empty", ""},
			{"blank", " \t "},
			{"too long", strings.Repeat("x", MaxWorkspaceName+1)},
			{"line break", "Sales\nEU"},
			{"invalid utf-8", "Sales\xff"},
		}
		for _, tc := range bad {
			_, err := s.CreateWorkspace(ctx, tc.in)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("%s: error %v, want *ValidationError", tc.name, err)
			}
		}
		if n := countRows(t, s, "workspaces", ""); n != 0 {
			t.Fatalf("%d workspaces created by invalid names", n)
		}
		// The limit counts characters, not bytes.
		long := strings.Repeat("é", MaxWorkspaceName)
		w, err := s.CreateWorkspace(ctx, "  "+long+"  ")
		if err != nil {
			t.Fatalf("%d-character name: %v", MaxWorkspaceName, err)
		}
		if w.Name != long {
			t.Errorf("name not trimmed: %q", w.Name)
		}
		got, err := s.Workspace(ctx, w.ID)
		if err != nil || got != w {
			t.Errorf("Workspace(%d) = %+v, %v; want %+v", w.ID, got, err, w)
		}
	})
}

// TestWorkspaceUniqueness: names are unique regardless of case and spaces,
// on create and rename; lookups by name ignore case too.
func TestWorkspaceUniqueness(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		acme, err := s.CreateWorkspace(ctx, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateWorkspace(ctx, " acme "); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate name: %v, want ErrExists", err)
		}
		beta, err := s.CreateWorkspace(ctx, "beta")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RenameWorkspace(ctx, beta.ID, "ACME"); !errors.Is(err, ErrExists) {
			t.Fatalf("rename onto a taken name: %v, want ErrExists", err)
		}
		if err := s.RenameWorkspace(ctx, acme.ID, "ACME"); err != nil {
			t.Fatalf("changing the case of its own name: %v", err)
		}
		if err := s.RenameWorkspace(ctx, 999, "Gamma"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("rename unknown: %v, want ErrNotFound", err)
		}
		got, err := s.WorkspaceByName(ctx, " acme")
		if err != nil || got.ID != acme.ID || got.Name != "ACME" {
			t.Fatalf("WorkspaceByName = %+v, %v", got, err)
		}
		if _, err := s.WorkspaceByName(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown name: %v, want ErrNotFound", err)
		}
		if _, err := s.Workspace(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown id: %v, want ErrNotFound", err)
		}
		all, err := s.Workspaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Name != "ACME" || all[1].Name != "beta" {
			t.Fatalf("Workspaces = %+v", all)
		}
	})
}

// TestDeleteWorkspaceCascades: deleting a workspace removes its connections,
// token sets, pulls, results, notes, checkpoints and raw records, keeps the
// usage ledger, and leaves another workspace untouched.
func TestDeleteWorkspaceCascades(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		gone := newFixture(t, s, "gone")
		kept := newFixture(t, s, "kept")
		for _, f := range []fixture{gone, kept} {
			fillPull(t, s, f)
		}
		if err := s.DeleteWorkspace(ctx, gone.ws.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWorkspace(ctx, gone.ws.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}
		perTable := map[string]string{
			"connections":      "workspace_id = ?",
			"pulls":            "workspace_id = ?",
			"token_sets":       "subject = ?",
			"endpoint_results": "pull_id = ?",
			"notes":            "pull_id = ?",
			"checkpoints":      "connection_id = ?",
			"raw_records":      "connection_id = ?",
		}
		args := map[string][2]any{
			"connections":      {gone.ws.ID, kept.ws.ID},
			"pulls":            {gone.ws.ID, kept.ws.ID},
			"token_sets":       {"user-gone", "user-kept"},
			"endpoint_results": {gone.pull.ID, kept.pull.ID},
			"notes":            {gone.pull.ID, kept.pull.ID},
			"checkpoints":      {gone.conn.ID, kept.conn.ID},
			"raw_records":      {gone.conn.ID, kept.conn.ID},
		}
		for table, where := range perTable {
			if n := countRows(t, s, table, where, args[table][0]); n != 0 {
				t.Errorf("%s: %d rows of the deleted workspace remain", table, n)
			}
			if n := countRows(t, s, table, where, args[table][1]); n == 0 {
				t.Errorf("%s: the other workspace lost its rows", table)
			}
		}
		if n := countRows(t, s, "usage_ledger", "pull_id = ?", gone.pull.ID); n != 1 {
			t.Errorf("usage ledger lost the deleted workspace's entry (%d rows)", n)
		}
	})
}

// fillPull gives a fixture one row in every table that hangs off it.
func fillPull(t *testing.T, s *Store, f fixture) {
	t.Helper()
	ctx := context.Background()
	mod := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err := s.CommitPage(ctx, PageCommit{ConnectionID: f.conn.ID, Endpoint: "invoices", PullID: f.pull.ID,
		Records: []provider.Record{rec("a", 1, provider.StatusActive, mod)}, Cursor: provider.Cursor(`{"v":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEndpointResult(ctx, EndpointResult{PullID: f.pull.ID, Endpoint: "invoices", Mode: provider.Full,
		Status: ResultOK, ProviderTotal: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, Note{PullID: f.pull.ID, Severity: SeverityInfo, Code: "x", Message: "m", Action: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendUsage(ctx, UsageEntry{PullID: f.pull.ID, ConnectionID: f.conn.ID, Source: "xero", Calls: 1}); err != nil {
		t.Fatal(err)
	}
}
