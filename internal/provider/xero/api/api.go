// Package api holds the wire types of the Xero Identity and Accounting APIs
// that the connector reads, and the decoding they need: the response
// envelope, .NET /Date()/ values and Xero's error bodies.
//
// Records themselves are never decoded into full structs: the connector
// keeps every record's bytes exactly as Xero sent them and reads only the
// few fields it classifies records by (Meta).
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Connection is one entry of GET /connections: a tenant the signed-in user
// connected to the app.
type Connection struct {
	ID             string `json:"id"`
	AuthEventID    string `json:"authEventId"`
	TenantID       string `json:"tenantId"`
	TenantType     string `json:"tenantType"`
	TenantName     string `json:"tenantName"`
	CreatedDateUTC string `json:"createdDateUtc"`
	UpdatedDateUTC string `json:"updatedDateUtc"`
}

// Pagination is the object Xero adds to paged list responses (July 2024).
type Pagination struct {
	Page      int   `json:"page"`
	PageSize  int   `json:"pageSize"`
	PageCount int   `json:"pageCount"`
	ItemCount int64 `json:"itemCount"`
}

// Organisation is the part of GET /Organisation the connector reads.
type Organisation struct {
	OrganisationID        string `json:"OrganisationID"`
	Name                  string `json:"Name"`
	FinancialYearEndDay   int    `json:"FinancialYearEndDay"`
	FinancialYearEndMonth int    `json:"FinancialYearEndMonth"`
}

// Problem is the body Xero's gateway sends with 401, 403 and 500:
// {"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: …","Instance":"…"}.
type Problem struct {
	Title    string `json:"Title"`
	Status   int    `json:"Status"`
	Detail   string `json:"Detail"`
	Instance string `json:"Instance"`
}

// Code is the machine code that starts Detail ("TokenExpired",
// "AuthorizationUnsuccessful", ...), the part before any colon.
func (p Problem) Code() string {
	code, _, _ := strings.Cut(p.Detail, ":")
	return strings.TrimSpace(code)
}

// Exception is the body of a 400: ValidationException (ErrorNumber 10),
// HighVolumeException (51), ...
type Exception struct {
	ErrorNumber int    `json:"ErrorNumber"`
	Type        string `json:"Type"`
	Message     string `json:"Message"`
	Elements    []struct {
		ValidationErrors []struct {
			Message string `json:"Message"`
		} `json:"ValidationErrors"`
	} `json:"Elements"`
}

// Summary is the exception in one line: its type, message and the first
// validation message, which is the one that says what was wrong.
func (e Exception) Summary() string {
	s := e.Type
	if e.Message != "" {
		if s != "" {
			s += ": "
		}
		s += e.Message
	}
	for _, el := range e.Elements {
		for _, v := range el.ValidationErrors {
			if v.Message != "" {
				return s + " (" + v.Message + ")"
			}
		}
	}
	return s
}

// Meta is what the connector classifies a record by: its id, its change
// time and status words as sent, whether it has attachments, and a
// journal's number. ReadMeta fills it.
type Meta struct {
	ID             string
	Time           string // the change-time field as sent, "" when absent
	Status         string
	ContactStatus  string
	HasAttachments bool
	JournalNumber  int64
}

// msDate is Xero's .NET JSON date: milliseconds since the Unix epoch in
// UTC, negative before 1970, with an optional offset that is informational
// only (the milliseconds are already UTC). Connectors that did not allow
// the minus sign lost whole histories to one mistyped pre-1970 date (X20).
var msDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

// ParseDate reads a Xero date: the .NET form "/Date(1573755038314+0000)/"
// (negative values included), or the ISO 8601 form the identity API and
// the *String companions use, without a zone meaning UTC.
func ParseDate(s string) (time.Time, error) {
	if m := msDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("date %q: %w", s, err)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: want /Date(ms+zzzz)/ or ISO 8601", s)
}

// List is one decoded list response: the records under the envelope's
// array key, each the exact bytes Xero sent, plus the pagination object
// (nil when absent) and the server's clock (DateTimeUTC).
type List struct {
	Records    []json.RawMessage
	Pagination *Pagination
	ServerTime time.Time
}

// ErrNoArray says a 200 response lacked the array it should carry. Treating
// that as "no records" is how connectors come to store nothing while every
// call succeeds (X23), so it is an error.
var ErrNoArray = errors.New("response has no record array")
