package xero

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/datapull/datapull/internal/sandbox"
)

// apiError is a complete error response as Xero sends it (the kit's
// Response). Handlers return one instead of writing errors themselves, and
// the constructors below give every error its real shape in one place.
type apiError = sandbox.Response

const (
	contentJSON = "application/json; charset=utf-8"
	contentHTML = "text/html; charset=utf-8"
	contentText = "text/plain; charset=utf-8"
)

func jsonError(status int, v any) *apiError {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only ever called with our own maps and structs
	}
	return &apiError{Status: status, ContentType: contentJSON, Body: b}
}

// problem is the RFC 7807-style body Xero's gateway sends for 401, 403 and
// 500: {"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: ...",...}.
func problem(status int, title, detail, instance string) *apiError {
	return jsonError(status, map[string]any{
		"Type":       nil,
		"Title":      title,
		"Status":     status,
		"Detail":     detail,
		"Instance":   instance,
		"Extensions": map[string]any{},
	})
}

// errTokenExpired is the 401 for an expired access token; Xero's timestamp
// is US-style MM/dd/yyyy HH:mm:ss in UTC.
func errTokenExpired(expiredAt string, instance string) *apiError {
	return problem(http.StatusUnauthorized, "Unauthorized", "TokenExpired: token expired at "+expiredAt, instance)
}

// errAuthentication is the 401 for an unknown or malformed token.
func errAuthentication(instance string) *apiError {
	return problem(http.StatusUnauthorized, "Unauthorized", "AuthenticationUnsuccessful", instance)
}

// errAuthorization is the 401 for a valid token that lacks the endpoint's scope.
func errAuthorization(instance string) *apiError {
	return problem(http.StatusUnauthorized, "Unauthorized", "AuthorizationUnsuccessful", instance)
}

// errForbiddenTenant is the 403 for a missing, unknown or disconnected xero-tenant-id.
func errForbiddenTenant(instance string) *apiError {
	return problem(http.StatusForbidden, "Forbidden", "AuthenticationUnsuccessful", instance)
}

// errServer is Xero's unhandled 500.
func errServer(instance string) *apiError {
	return jsonError(http.StatusInternalServerError, map[string]any{
		"Title":    "An error occurred",
		"Detail":   "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.",
		"Status":   500,
		"Instance": instance,
	})
}

// errNotFound is Xero's plain-text 404 (served as text/html, not JSON), for
// unknown ids, unknown paths and over-long IDs lists alike.
func errNotFound() *apiError {
	return &apiError{Status: http.StatusNotFound, ContentType: contentHTML,
		Body: []byte("The resource you're looking for cannot be found")}
}

// errValidation is the 400 ValidationException, used for malformed query
// parameters such as a where clause that does not parse.
func errValidation(message string) *apiError {
	return jsonError(http.StatusBadRequest, map[string]any{
		"ErrorNumber": 10,
		"Type":        "ValidationException",
		"Message":     "A validation exception occurred",
		"Elements":    []any{map[string]any{"ValidationErrors": []any{map[string]any{"Message": message}}}},
	})
}

// errHighVolume is the 400 Xero gives very large organisations for
// unpaged or unoptimised requests.
func errHighVolume(entity string) *apiError {
	return jsonError(http.StatusBadRequest, map[string]any{
		"ErrorNumber": 51,
		"Type":        "HighVolumeException",
		"Message":     "Your request is not filtering " + entity + " efficiently, given the extremely high volume for this organisation. Please check https://developer.xero.com/documentation/api/efficient-data-retrieval for more information.",
	})
}

// errNotImplemented is Xero's 501 for a method an endpoint does not support.
// Xero sends it as XML even to JSON clients.
func errNotImplemented() *apiError {
	return &apiError{Status: http.StatusNotImplemented, ContentType: "text/xml; charset=utf-8",
		Body: []byte(`<ApiException xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://api.xero.org/2.0/"><ErrorNumber>20</ErrorNumber><Type>ApiMethodNotImplementedException</Type><Message>The Api Method called is not implemented</Message></ApiException>`)}
}

// errNotAcceptable answers a request that did not ask for JSON. Real Xero
// answers such requests in XML; the sandbox speaks only JSON and says so
// rather than pretend.
func errNotAcceptable() *apiError {
	return &apiError{Status: http.StatusNotAcceptable, ContentType: contentText,
		Body: []byte("The sandbox serves JSON only: send Accept: application/json (real Xero answers in XML without it)")}
}

// errMaintenance is the plain-text 503 of an API outage.
func errMaintenance() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, ContentType: contentText,
		Body: []byte("The Xero API is currently offline for maintenance")}
}

// errOrgOffline is the 503 for one organisation that cannot be reached
// (being migrated, say) while the API is up. Xero's exact text is not
// documented; this is our wording.
func errOrgOffline() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, ContentType: contentText,
		Body: []byte("Organisation is offline")}
}

// errGateway is an HTML 502/503/504 page from Xero's edge, which clients
// must not try to parse as JSON.
func errGateway(status int) *apiError {
	text := http.StatusText(status)
	body := fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n", status, text, status, text)
	return &apiError{Status: status, ContentType: contentHTML, Body: []byte(body)}
}

// oauthError is the token endpoint's error body, {"error":"invalid_grant"},
// with an optional description.
func oauthError(status int, code, description string) *apiError {
	body := map[string]any{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	return jsonError(status, body)
}
