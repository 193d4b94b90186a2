package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Status is a record's lifecycle state as DataPull keeps it.
type Status string

// Record statuses. A provider's own states (VOIDED, ARCHIVED, DELETED,
// archived=true) map onto these; the payload keeps the provider's words.
const (
	StatusActive   Status = "active"
	StatusArchived Status = "archived"
	StatusDeleted  Status = "deleted"
	StatusVoided   Status = "voided"
)

// Record is one provider record as pulled.
type Record struct {
	ID         string          // the provider's id, unique within the endpoint
	ModifiedAt time.Time       // the provider's change time; zero when it has none
	Status     Status          // lifecycle state
	Payload    json.RawMessage // the record exactly as the provider sent it
}

// Cursor is an endpoint's saved position, opaque to the engine: the
// connector encodes and decodes it (JSON, versioned, so a later release
// can read what an earlier one saved).
type Cursor = json.RawMessage

// Mode says how an endpoint is pulled.
type Mode string

// Pull modes.
const (
	// Incremental reads what changed since the cursor.
	Incremental Mode = "incremental"
	// Full reads everything; the engine then marks the records it did not
	// see as deleted.
	Full Mode = "full"
)

// PullRequest is what the engine asks of one endpoint.
type PullRequest struct {
	Mode   Mode
	Cursor Cursor    // the last committed cursor; nil on a first pull
	Start  time.Time // the pull's start: no cursor may move past it
}

// Page is a batch of records and the cursor to save once they are stored.
// The final page of an endpoint has Done set (it may hold no records).
type Page struct {
	Records []Record
	Cursor  Cursor
	Done    bool
	// Total is the provider's own count of the endpoint's records where it
	// gives one (a search total, a pagination itemCount), for reconciliation;
	// -1 when unknown.
	Total int64
}

// Emit hands a page to the engine, which stores it before returning. An
// error means the page was not stored; the endpoint must stop and return it.
type Emit func(ctx context.Context, p Page) error

// EndpointInfo describes an endpoint for planning and for the user.
type EndpointInfo struct {
	Name string // stable name, used in tables, cursors and exports: "invoices"
	// Incremental says standard syncs read only changes; IncrementalHow
	// says how, in a few plain words ("If-Modified-Since on UpdatedDateUTC").
	Incremental    bool
	IncrementalHow string
	// SweepEvery is how often a standard sync should read the endpoint in
	// full anyway, to catch what incremental reads cannot see (deletes,
	// edits that do not bump the change time); 0 means never.
	SweepEvery time.Duration
	// Optional endpoints may be unavailable to an account (a scope not
	// granted, a plan without the feature); that is a note, not a failure.
	Optional bool
}

// Endpoint is one dataset of one connected account.
type Endpoint interface {
	Info() EndpointInfo
	// Pull streams the endpoint's records from req.Cursor, handing each page
	// to emit, and returns when the last page (Done) has been emitted.
	Pull(ctx context.Context, req PullRequest, emit Emit) error
}

// Infos is the information of each endpoint, in order: a source's Catalog
// of the endpoints it builds.
func Infos(eps []Endpoint) []EndpointInfo {
	out := make([]EndpointInfo, len(eps))
	for i, e := range eps {
		out[i] = e.Info()
	}
	return out
}

// Account is one account a sign-in reaches: a Xero organisation, a
// HubSpot portal.
type Account struct {
	ID   string // tenant id, hub id
	Name string
	// Extra carries provider details worth keeping (a Xero connection id,
	// a HubSpot domain), shown to the user and used to reconnect.
	Extra map[string]string
}

// OAuthSpec is how to sign in to a source.
type OAuthSpec struct {
	AuthURL, TokenURL, RevokeURL string
	ClientID, ClientSecret       string // secret empty for PKCE-only public clients
	Scopes                       []string
	// RotatesRefreshTokens says a refresh token is single-use (Xero), so the
	// new one must be stored before the new access token is used.
	RotatesRefreshTokens bool
}

// BaseURLs are where a source's APIs live: the real hosts by default, a
// sandbox when asked. Connectors build every URL from them.
type BaseURLs struct {
	Auth  string // the sign-in host (login.xero.com, app.hubspot.com)
	Token string // the token host (identity.xero.com, api.hubapi.com)
	API   string // the API host (api.xero.com, api.hubapi.com)
}

// Source is one provider. Sources are an explicit list in package app.
type Source interface {
	// Name is the stable source name: "xero", "hubspot".
	Name() string
	// Catalog lists the endpoints every account of this source has.
	Catalog() []EndpointInfo
	// DefaultBaseURLs are the real provider's hosts.
	DefaultBaseURLs() BaseURLs
	// OAuth describes the sign-in against the given hosts.
	OAuth(base BaseURLs) OAuthSpec
	// Accounts lists the accounts a fresh sign-in reaches; hc carries the
	// signed-in token.
	Accounts(ctx context.Context, base BaseURLs, hc *http.Client) ([]Account, error)
	// Open returns the endpoints of one connected account; hc carries its
	// token and goes through the pacer.
	Open(base BaseURLs, account Account, hc *http.Client) ([]Endpoint, error)
}
