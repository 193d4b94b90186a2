package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/datapull/datapull/internal/sandbox"
)

// apiError is a complete error response as HubSpot sends it (the kit's
// Response). Handlers return one instead of writing errors themselves, and
// the constructors below give every error its real shape in one place
// (hubspot-api.md §6).
type apiError = sandbox.Response

const (
	contentJSON = "application/json;charset=utf-8"
	contentHTML = "text/html; charset=utf-8"
)

// errorBody is HubSpot's error shape: status, message, correlationId and
// category always; the rest when there is something to say.
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	// Rate-limit errors add these (§5.3).
	ErrorType  string `json:"errorType,omitempty"`
	PolicyName string `json:"policyName,omitempty"`
	RequestID  string `json:"requestId,omitempty"`
}

// errorDetail is one entry of errors[].
type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	In      string              `json:"in,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

func jsonError(status int, b errorBody) *apiError {
	b.Status = "error"
	if b.CorrelationID == "" {
		b.CorrelationID = sandbox.NewUUID()
	}
	body, err := json.Marshal(b)
	if err != nil {
		panic(err) // our own struct of strings: cannot fail
	}
	return &apiError{Status: status, ContentType: contentJSON, Body: body}
}

func errValidation(format string, args ...any) *apiError {
	return jsonError(http.StatusBadRequest, errorBody{Message: fmt.Sprintf(format, args...), Category: "VALIDATION_ERROR"})
}

// errUnknownType is HubSpot's answer for an object type it cannot resolve.
func errUnknownType(name string) *apiError {
	return errValidation("Unable to infer object type from: %s", name)
}

// errNoCredentials is the 401 for a missing or unknown token.
func errNoCredentials() *apiError {
	return jsonError(http.StatusUnauthorized, errorBody{
		Message:  "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
		Category: "INVALID_AUTHENTICATION"})
}

// errExpired is the 401 for an access token past its expiry.
func errExpired(expiredMs, nowMs int64) *apiError {
	ago := max((nowMs-expiredMs)/1000, 0)
	return jsonError(http.StatusUnauthorized, errorBody{
		Message:  "The OAuth token used to make this call expired " + strconv.FormatInt(ago, 10) + " second(s) ago.",
		Category: "EXPIRED_AUTHENTICATION",
		Context:  map[string][]string{"expire time": {isoMillis(expiredMs)}}})
}

// errMissingScopes is the 403 for a token without any of the scopes.
func errMissingScopes(scopes []string) *apiError {
	return jsonError(http.StatusForbidden, errorBody{
		Message:  "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
		Errors:   []errorDetail{{Message: "One or more of the following scopes are required.", Context: map[string][]string{"requiredGranularScopes": scopes}}},
		Links:    map[string]string{"scopes": "https://developers.hubspot.com/scopes"},
		Category: "MISSING_SCOPES"})
}

// errNotFound is the 404 for an unknown record (or owner, pipeline, ...).
func errNotFound(message, id string) *apiError {
	b := errorBody{Message: message, Category: "OBJECT_NOT_FOUND"}
	if id != "" {
		b.Context = map[string][]string{"id": {id}}
	}
	return jsonError(http.StatusNotFound, b)
}

// errNoRoute is the 404 for a path HubSpot does not serve.
func errNoRoute(path string) *apiError {
	return errNotFound("No resource found at "+path, "")
}

// errMethod is the 405 for a path served with another method.
func errMethod(allow string) *apiError {
	e := jsonError(http.StatusMethodNotAllowed, errorBody{Message: "HTTP method not allowed; use " + allow, Category: "VALIDATION_ERROR"})
	e.Header = http.Header{"Allow": {allow}}
	return e
}

// errRateLimit is the 429 of a spent limit (§5.3).
func errRateLimit(policy, message string) *apiError {
	return jsonError(http.StatusTooManyRequests, errorBody{Message: message, ErrorType: "RATE_LIMIT",
		Category: "RATE_LIMITS", PolicyName: policy, RequestID: sandbox.NewUUID()})
}

// errInternal is a 500 for a sandbox bug; it should never be seen.
func errInternal() *apiError {
	return jsonError(http.StatusInternalServerError, errorBody{Message: "internal error", Category: "INTERNAL_ERROR"})
}

// htmlError is an edge error page: HubSpot's 502, 503, 504 and 524 come
// from its gateway or Cloudflare with HTML bodies, not JSON (§6, gotcha 10).
func htmlError(status int) *apiError {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	if status == 524 {
		title = "524 A timeout occurred"
	}
	if status == http.StatusRequestURITooLong {
		title = "414 Request-URI Too Large"
	}
	body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
	return &apiError{Status: status, ContentType: contentHTML, Body: []byte(body)}
}
