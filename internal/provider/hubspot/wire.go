package hubspot

import (
	"encoding/json"
	"strings"
)

// The wire shapes DataPull reads (hubspot-api.md §1.4, §2, §3, §4). Every
// record's raw JSON is kept as sent; these only pick out what paging,
// cursors and checks need.

type accountDetails struct {
	PortalID        int64  `json:"portalId"`
	TimeZone        string `json:"timeZone"`
	CompanyCurrency string `json:"companyCurrency"`
	UIDomain        string `json:"uiDomain"`
}

type tokenInfo struct {
	HubID     int64  `json:"hub_id"`
	HubDomain string `json:"hub_domain"`
	User      string `json:"user"`
}

// paging is ForwardPaging: no next means no more results, whatever the
// page's length (X3).
type paging struct {
	Next *struct {
		After string `json:"after"`
	} `json:"next"`
}

func (p *paging) after() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return p.Next.After
}

// page is a list, search or batch answer.
type page struct {
	Total   *int64            `json:"total"`
	Results []json.RawMessage `json:"results"`
	Paging  *paging           `json:"paging"`
	Errors  []batchError      `json:"errors"`
}

type batchError struct {
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
}

// property is a property definition (GET /crm/v3/properties/{type}).
type property struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// schema is a custom object schema (GET /crm/v3/schemas).
type schema struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	ObjectTypeID       string `json:"objectTypeId"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Associations       []struct {
		FromObjectTypeID string `json:"fromObjectTypeId"`
		ToObjectTypeID   string `json:"toObjectTypeId"`
	} `json:"associations"`
	Properties []property `json:"properties"`
}

// splitSemi splits a multi-value property ("1;2;3").
func splitSemi(v *string) []string {
	if v == nil || *v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(*v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
