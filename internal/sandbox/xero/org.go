package xero

import (
	"sync"
	"time"
)

// STUB: replaced by the data model and generator work.

// World is everything the sandbox serves: organisations and the people who
// can sign in to them.
type World struct {
	Orgs  []*Org
	Users []*User
}

// User is a person who can sign in to the sandbox and consent.
type User struct {
	ID     string
	Email  string
	Name   string
	OrgIDs []string
}

// Org is one organisation (tenant) and its data.
type Org struct {
	mu   sync.RWMutex
	ID   string
	Name string
}

var sizes = map[string]struct{}{"demo": {}, "small": {}, "medium": {}, "large": {}}

// Generate builds the sandbox's organisations.
func Generate(cfg Config, start time.Time) (*World, error) { return &World{}, nil }
