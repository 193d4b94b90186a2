package hubspot

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/sandbox"
)

// The consent page, GET and POST /oauth/authorize (app.hubspot.com's path).
//
// GET takes HubSpot's authorize parameters (client_id, redirect_uri,
// scope, optional_scope, state; code_challenge and code_challenge_method=S256
// are accepted too, and required of the public client) and shows who signs
// in, what the app asks for and which portal (HubSpot account) to install
// it in. The page's form POSTs back to the same path, so a program can
// approve with one POST of application/x-www-form-urlencoded carrying the
// same parameters plus:
//
//	user    a sandbox user id (optional: the first user by default)
//	portal  the hub id to install in (optional when the user reaches one portal)
//	action  allow or deny
//
// allow answers 302 to redirect_uri with code and state. deny answers a
// page and sends nothing back, as HubSpot does. A bad client_id or
// redirect_uri gets an HTML error page; other invalid parameters are
// redirected with error=... and state.
const authorizePath = "/oauth/authorize"

var authParamNames = []string{"client_id", "redirect_uri", "scope", "optional_scope", "state", "code_challenge", "code_challenge_method"}

func (id *identity) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	mw := id.s.meter.Wrap(w, "", "authorize")
	defer mw.Done()
	w = mw
	params, status, problem := sandbox.ConsentParams(w, r, id.csrf, "install page")
	if problem != "" {
		consentError(w, status, problem)
		return
	}
	client, err := id.auth.CheckRedirect(params.Get("client_id"), params.Get("redirect_uri"))
	if err != nil {
		msg := "The app's redirect_uri is missing or not registered, so you will not be sent there. Registered: " + strings.Join(DefaultRedirectURIs(), ", ") + " (any port)."
		if errors.Is(err, sandbox.ErrUnknownClient) {
			msg = "The app's client_id is not registered with this sandbox. It knows " + PublicClientID + " (PKCE) and " + WebClientID + " (client secret)."
		}
		consentError(w, http.StatusBadRequest, msg)
		return
	}
	scopes := sandbox.ScopeList(params.Get("scope") + " " + params.Get("optional_scope"))
	if oe := validateAuthorize(client, params, scopes); oe != nil {
		redirectBack(w, r, params, url.Values{"error": {oe.Code}, "error_description": {oe.Description}})
		return
	}
	users := id.s.world.Users
	user := users[0]
	if uid := params.Get("user"); uid != "" {
		if user = userByID(users, uid); user == nil {
			id.renderConsent(w, http.StatusBadRequest, client, params, scopes, users[0], "There is no sandbox user "+uid+".")
			return
		}
	}
	if r.Method != http.MethodPost {
		id.renderConsent(w, http.StatusOK, client, params, scopes, user, "")
		return
	}
	switch params.Get("action") {
	case "deny":
		writePage(w, http.StatusOK, messageTemplate, pageText{Title: "Not connected", Message: client.Name + " was not connected. You can close this page."})
	case "allow":
		id.approve(w, r, client, params, scopes, user)
	default:
		id.renderConsent(w, http.StatusBadRequest, client, params, scopes, user, "Choose Connect app or Cancel.")
	}
}

func (id *identity) approve(w http.ResponseWriter, r *http.Request, client sandbox.Client, params url.Values, scopes []string, user *User) {
	var portal int64
	switch pv := params.Get("portal"); {
	case pv != "":
		n, err := strconv.ParseInt(pv, 10, 64)
		if err != nil || !slices.Contains(user.PortalIDs, n) {
			id.renderConsent(w, http.StatusBadRequest, client, params, scopes, user, user.FirstName+" cannot install apps in account "+pv+".")
			return
		}
		portal = n
	case len(user.PortalIDs) == 1:
		portal = user.PortalIDs[0]
	default:
		id.renderConsent(w, http.StatusBadRequest, client, params, scopes, user, "Choose the account to connect.")
		return
	}
	code, err := id.auth.IssueCode(sandbox.CodeRequest{
		ClientID: client.ID, RedirectURI: params.Get("redirect_uri"),
		Challenge: params.Get("code_challenge"), ChallengeMethod: params.Get("code_challenge_method"),
		Subject: strconv.FormatInt(portal, 10), Scopes: scopes, Offline: true,
		Payload: tokenPayload{portalID: portal, userID: user.ID, email: user.Email},
	})
	if err != nil { // validated above; kept so a future change cannot 500
		consentError(w, http.StatusBadRequest, "The install request is not valid: "+err.Error())
		return
	}
	redirectBack(w, r, params, url.Values{"code": {code}})
}

// validateAuthorize checks what may be reported back by redirect.
func validateAuthorize(c sandbox.Client, params url.Values, scopes []string) *sandbox.OAuthError {
	if len(sandbox.ScopeList(params.Get("scope"))) == 0 {
		return &sandbox.OAuthError{Code: sandbox.ErrCodeInvalidScope, Description: "scope is required"}
	}
	for _, s := range scopes {
		if scopeText(s) == "" {
			return &sandbox.OAuthError{Code: sandbox.ErrCodeInvalidScope, Description: "unknown scope " + s}
		}
	}
	if rt := params.Get("response_type"); rt != "" && rt != "code" {
		return &sandbox.OAuthError{Code: sandbox.ErrCodeUnsupportedResponseType, Description: "response_type must be code"}
	}
	return sandbox.CheckChallenge(c, params.Get("code_challenge"), params.Get("code_challenge_method"))
}

func redirectBack(w http.ResponseWriter, r *http.Request, params url.Values, extra url.Values) {
	if err := sandbox.RedirectBack(w, r, params.Get("redirect_uri"), params.Get("state"), extra); err != nil {
		consentError(w, http.StatusBadRequest, "The redirect_uri is not a URL.")
	}
}

func userByID(users []*User, id string) *User {
	for _, u := range users {
		if strconv.FormatInt(u.ID, 10) == id {
			return u
		}
	}
	return nil
}

// scopeText says in plain words what a scope lets the app do, or "" for a
// scope the sandbox does not know.
func scopeText(s string) string {
	switch s {
	case "oauth":
		return "Basic access to your account"
	case "tickets":
		return "View and manage tickets"
	case "e-commerce":
		return "View and manage products and line items"
	case "sales-email-read":
		return "Read the emails you log in the CRM"
	}
	parts := strings.Split(s, ".")
	if len(parts) < 4 || parts[0] != "crm" {
		return ""
	}
	what := strings.ReplaceAll(parts[2], "_", " ")
	switch {
	case parts[1] == "objects" && parts[len(parts)-1] == "write":
		return "View and edit " + what
	case parts[1] == "objects":
		return "View " + what
	case parts[1] == "schemas" && parts[len(parts)-1] == "write":
		return "View and edit " + what + " properties and settings"
	case parts[1] == "schemas":
		return "View " + what + " properties and settings"
	}
	return ""
}

type consentView struct {
	Action, ClientName, Error, UserID string
	Hidden                            []hiddenField
	Users                             []option
	Scopes                            []option
	Portals                           []option
}

type hiddenField struct{ Name, Value string }
type option struct {
	Value, Label string
	Selected     bool
}

func (id *identity) renderConsent(w http.ResponseWriter, status int, client sandbox.Client, params url.Values, scopes []string, user *User, problem string) {
	v := consentView{Action: authorizePath, ClientName: client.Name, Error: problem, UserID: strconv.FormatInt(user.ID, 10)}
	for _, name := range authParamNames {
		if val := params.Get(name); val != "" {
			v.Hidden = append(v.Hidden, hiddenField{name, val})
		}
	}
	for _, u := range id.s.world.Users {
		v.Users = append(v.Users, option{Value: strconv.FormatInt(u.ID, 10), Label: u.FirstName + " " + u.LastName + " <" + u.Email + ">", Selected: u == user})
	}
	for _, s := range scopes {
		v.Scopes = append(v.Scopes, option{Value: s, Label: scopeText(s)})
	}
	chosen := params.Get("portal")
	for i, pid := range user.PortalIDs {
		p := id.s.world.Portal(pid)
		if p == nil {
			continue
		}
		val := strconv.FormatInt(pid, 10)
		v.Portals = append(v.Portals, option{Value: val, Label: p.Name + " (" + val + ")", Selected: chosen == val || (chosen == "" && i == 0)})
	}
	writePage(w, status, consentTemplate, v)
}

func consentError(w http.ResponseWriter, status int, message string) {
	writePage(w, status, messageTemplate, pageText{Title: "Could not connect", Message: message})
}

type pageText struct{ Title, Message string }

func writePage(w http.ResponseWriter, status int, t *template.Template, data any) {
	if err := sandbox.WritePage(w, status, pageCSP, t, data); err != nil {
		errInternal().Send(w) // our own template and data: a bug, not bad input
	}
}

const pageCSS = `body{font:15px/1.45 system-ui,sans-serif;background:#f5f8fa;color:#33475b;margin:0}
main{max-width:36rem;margin:3rem auto;background:#fff;border-radius:6px;padding:2rem;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3rem;margin:0 0 .3rem}h2{font-size:1rem;margin:1.4rem 0 .4rem}.sub{color:#7c98b6}
.err{background:#fde8e8;color:#8a1c12;padding:.6rem .8rem;border-radius:4px}label{display:block;margin:.3rem 0}
button{font:inherit;padding:.5rem 1.2rem;border-radius:4px;border:1px solid #ff7a59;cursor:pointer}
.allow{background:#ff7a59;color:#fff}.plain{background:#fff;color:#ff7a59}code{font-size:.8em;color:#7c98b6}`

// pageCSP lets the pages use their inline stylesheet and nothing else.
var pageCSP = sandbox.StyleCSP(pageCSS)

const pageHead = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">`

var consentTemplate = template.Must(template.New("consent").Parse(pageHead + `
<title>Connect app · Sandbox HubSpot</title><style>` + pageCSS + `</style></head><body><main>
<h1>Connect {{.ClientName}} to your HubSpot account</h1>
<p class="sub">Sandbox HubSpot: there are no passwords, choose who signs in.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="get" action="{{.Action}}">{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<label for="user">Signed in as</label> <select id="user" name="user">{{range .Users}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<button type="submit" class="plain">Switch user</button></form>
<form method="post" action="{{.Action}}">{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<input type="hidden" name="user" value="{{.UserID}}">
<h2>Choose an account</h2>
{{range .Portals}}<label><input type="radio" name="portal" value="{{.Value}}"{{if .Selected}} checked{{end}}> {{.Label}}</label>{{else}}<p>This user has no accounts.</p>{{end}}
<h2>{{.ClientName}} will be able to</h2>
<ul>{{range .Scopes}}<li>{{.Label}} <code>{{.Value}}</code></li>{{end}}</ul>
<p><button type="submit" name="action" value="allow" class="allow">Connect app</button>
<button type="submit" name="action" value="deny" class="plain">Cancel</button></p>
</form></main></body></html>`))

var messageTemplate = template.Must(template.New("message").Parse(pageHead + `
<title>{{.Title}} · Sandbox HubSpot</title><style>` + pageCSS + `</style></head><body><main>
<h1>{{.Title}}</h1><p class="err" role="alert">{{.Message}}</p></main></body></html>`))
