package xero

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/datapull/datapull/internal/sandbox"
)

// The consent page, GET and POST /identity/connect/authorize.
//
// GET takes Xero's authorize parameters (response_type=code, client_id,
// redirect_uri, scope, state, code_challenge, code_challenge_method=S256)
// and shows who signs in, what the app asks for and, when the user reaches
// several organisations, which to connect. The page's form POSTs back to
// the same path, so code (the demo, tests) can approve without a browser by
// POSTing application/x-www-form-urlencoded with the same parameters plus:
//
//	user    a User.ID (optional: the first user by default)
//	tenant  an Org.ID to connect; repeat it for several. "*" means every
//	        organisation the user reaches; it may be left out when the user
//	        reaches only one
//	action  allow or deny
//
// Both answer 302 to redirect_uri: allow with code and state, deny with
// error=access_denied and state. Invalid parameters are redirected with
// error=..., except a bad client_id or redirect_uri, which get an HTML
// error page, since redirecting then would make this an open redirector.
const authorizePath = "/identity/connect/authorize"

// authParamNames are the authorize parameters the consent form carries.
var authParamNames = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}

// authRequest is one authorize request.
type authRequest struct {
	responseType, clientID, redirectURI, scope, state, challenge, method string
	scopes                                                               []string
}

func authRequestFrom(v url.Values) authRequest {
	return authRequest{
		responseType: v.Get("response_type"),
		clientID:     v.Get("client_id"),
		redirectURI:  v.Get("redirect_uri"),
		scope:        v.Get("scope"),
		state:        v.Get("state"),
		challenge:    v.Get("code_challenge"),
		method:       v.Get("code_challenge_method"),
	}
}

// handleAuthorize serves the consent page and takes its answer.
func (id *identity) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	setCorrelationID(w)
	mw := id.s.meter.Wrap(w, "", "identity/authorize")
	defer mw.Done()
	w = mw
	params, status, problem := sandbox.ConsentParams(w, r, id.csrf, "sign-in page")
	if problem != "" {
		identityErrorPage(w, status, problem)
		return
	}

	req := authRequestFrom(params)
	client, err := id.auth.CheckRedirect(req.clientID, req.redirectURI)
	if err != nil {
		identityErrorPage(w, http.StatusBadRequest, authorizeProblem(err))
		return
	}
	if oe := validateAuthorize(client, &req); oe != nil {
		redirectBack(w, r, req, url.Values{"error": {oe.Code}})
		return
	}
	users := id.s.world.Users
	if len(users) == 0 {
		identityErrorPage(w, http.StatusServiceUnavailable, "This sandbox has no users who could sign in.")
		return
	}
	user := users[0]
	if uid := params.Get("user"); uid != "" {
		if user = userByID(users, uid); user == nil {
			id.renderConsent(w, http.StatusBadRequest, client, req, users[0], params, "There is no sandbox user "+uid+".")
			return
		}
	}
	if r.Method != http.MethodPost {
		id.renderConsent(w, http.StatusOK, client, req, user, nil, "")
		return
	}
	switch params.Get("action") {
	case "deny":
		redirectBack(w, r, req, url.Values{"error": {sandbox.ErrCodeAccessDenied}})
	case "allow":
		id.approve(w, r, client, req, user, params)
	default:
		id.renderConsent(w, http.StatusBadRequest, client, req, user, params, "Choose Allow access or Cancel.")
	}
}

// approve connects the chosen organisations and sends the user back with a code.
func (id *identity) approve(w http.ResponseWriter, r *http.Request, client sandbox.Client, req authRequest, user *User, params url.Values) {
	orgs, problem := id.chosenOrgs(user, params["tenant"])
	if problem != "" {
		id.renderConsent(w, http.StatusBadRequest, client, req, user, params, problem)
		return
	}
	event := sandbox.NewUUID()
	scopes := id.connect(user.ID, client.ID, event, orgs, req.scopes)
	code, err := id.auth.IssueCode(sandbox.CodeRequest{
		ClientID:        client.ID,
		RedirectURI:     req.redirectURI,
		Challenge:       req.challenge,
		ChallengeMethod: req.method,
		Subject:         user.ID,
		Scopes:          scopes,
		Offline:         slices.Contains(scopes, "offline_access"),
		Payload:         event,
	})
	if err != nil { // validated above; kept so a future change cannot 500
		identityErrorPage(w, http.StatusBadRequest, "The sign-in request is not valid: "+err.Error())
		return
	}
	redirectBack(w, r, req, url.Values{"code": {code}})
}

// validateAuthorize checks what may be reported back to the client by
// redirect: response type, scopes, PKCE.
func validateAuthorize(c sandbox.Client, req *authRequest) *sandbox.OAuthError {
	switch req.responseType {
	case "code":
	case "":
		return &sandbox.OAuthError{Code: sandbox.ErrCodeInvalidRequest, Description: "response_type is required"}
	default:
		return &sandbox.OAuthError{Code: sandbox.ErrCodeUnsupportedResponseType}
	}
	req.scopes = sandbox.ScopeList(req.scope)
	if len(req.scopes) == 0 {
		return &sandbox.OAuthError{Code: sandbox.ErrCodeInvalidScope, Description: "scope is required"}
	}
	for _, s := range req.scopes {
		if scopeText(s) == "" {
			return &sandbox.OAuthError{Code: sandbox.ErrCodeInvalidScope, Description: "invalid scope for client: " + s}
		}
	}
	if oe := sandbox.CheckChallenge(c, req.challenge, req.method); oe != nil {
		return oe
	}
	return nil
}

func authorizeProblem(err error) string {
	switch {
	case errors.Is(err, sandbox.ErrUnknownClient):
		return "The app's client_id is not registered with this sandbox. The sandbox knows " + PublicClientID + " (PKCE) and " + WebClientID + " (client secret)."
	case errors.Is(err, sandbox.ErrRedirectURI):
		return "The redirect_uri is missing or not registered for this app, so the sandbox will not send you there. Registered: " + strings.Join(DefaultRedirectURIs(), ", ") + " (any port)."
	}
	return "The sign-in request is not valid."
}

// redirectBack sends the user to the client's redirect URI with params and
// the request's state.
func redirectBack(w http.ResponseWriter, r *http.Request, req authRequest, params url.Values) {
	if err := sandbox.RedirectBack(w, r, req.redirectURI, req.state, params); err != nil { // CheckRedirect parsed it already
		identityErrorPage(w, http.StatusBadRequest, "The redirect_uri is not a URL.")
	}
}

// chosenOrgs resolves the tenant fields against what the user can reach,
// or says what is wrong in words for the page.
func (id *identity) chosenOrgs(user *User, tenants []string) ([]*Org, string) {
	reachable := id.userOrgs(user)
	if len(tenants) == 0 {
		if len(reachable) <= 1 {
			return reachable, ""
		}
		return nil, "Pick at least one organisation to connect."
	}
	var out []*Org
	seen := make(map[*Org]bool)
	for _, t := range tenants {
		if t == "*" {
			return reachable, ""
		}
		var found *Org
		for _, o := range reachable {
			if strings.EqualFold(o.ID, t) {
				found = o
				break
			}
		}
		if found == nil {
			return nil, fmt.Sprintf("%s cannot connect organisation %q.", user.Name, t)
		}
		if !seen[found] {
			seen[found] = true
			out = append(out, found)
		}
	}
	return out, ""
}

// userOrgs returns the organisations a user can reach, in the user's order.
func (id *identity) userOrgs(u *User) []*Org {
	var out []*Org
	for _, oid := range u.OrgIDs {
		for _, o := range id.s.world.Orgs {
			if o.ID == oid {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

func userByID(users []*User, id string) *User {
	for _, u := range users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// consentView is what the consent template shows.
type consentView struct {
	Action     string
	ClientName string
	Error      string
	Hidden     []hiddenField
	Users      []userOption
	UserID     string
	Scopes     []scopeLine
	Orgs       []orgOption
	Picker     bool
}

type hiddenField struct{ Name, Value string }
type userOption struct {
	ID, Label string
	Selected  bool
}
type scopeLine struct{ Name, Text string }
type orgOption struct {
	ID, Name string
	Checked  bool
}

// renderConsent shows the consent page. posted, when not nil, is a form
// being shown again with a problem, whose organisation choices are kept.
func (id *identity) renderConsent(w http.ResponseWriter, status int, client sandbox.Client, req authRequest, user *User, posted url.Values, problem string) {
	v := consentView{Action: authorizePath, ClientName: client.Name, Error: problem, UserID: user.ID}
	if v.ClientName == "" {
		v.ClientName = client.ID
	}
	for _, name := range authParamNames {
		if val := authParamValue(req, name); val != "" {
			v.Hidden = append(v.Hidden, hiddenField{name, val})
		}
	}
	for _, u := range id.s.world.Users {
		v.Users = append(v.Users, userOption{ID: u.ID, Label: u.Name + " <" + u.Email + ">", Selected: u == user})
	}
	for _, s := range req.scopes {
		v.Scopes = append(v.Scopes, scopeLine{Name: s, Text: scopeText(s)})
	}
	chosen := map[string]bool{}
	for _, t := range posted["tenant"] {
		chosen[strings.ToLower(t)] = true
	}
	for _, o := range id.userOrgs(user) {
		checked := posted == nil || chosen["*"] || chosen[strings.ToLower(o.ID)]
		v.Orgs = append(v.Orgs, orgOption{ID: o.ID, Name: o.Name, Checked: checked})
	}
	v.Picker = len(v.Orgs) > 1
	writeIdentityPage(w, status, consentTemplate, v)
}

func authParamValue(req authRequest, name string) string {
	switch name {
	case "response_type":
		return req.responseType
	case "client_id":
		return req.clientID
	case "redirect_uri":
		return req.redirectURI
	case "scope":
		return req.scope
	case "state":
		return req.state
	case "code_challenge":
		return req.challenge
	case "code_challenge_method":
		return req.method
	}
	return ""
}

// identityErrorPage shows an HTML error to the user, who cannot be sent back.
func identityErrorPage(w http.ResponseWriter, status int, message string) {
	writeIdentityPage(w, status, errorTemplate, struct{ Status, Message string }{http.StatusText(status), message})
}

func writeIdentityPage(w http.ResponseWriter, status int, t *template.Template, data any) {
	if err := sandbox.WritePage(w, status, pageCSP, t, data); err != nil {
		errServer(sandbox.NewUUID()).Send(w) // our own template and data: a bug, not bad input
	}
}

// scopeText says in plain words what a scope lets the app do, or returns
// "" for a scope the sandbox's apps may not request (unknown ones, and the
// restricted paymentservices).
func scopeText(scope string) string {
	switch scope {
	case "openid":
		return "Confirm who you are with your Xero sign-in"
	case "profile":
		return "See your name"
	case "email":
		return "See your email address"
	case "offline_access":
		return "Keep access while you are away (a refresh token)"
	}
	base, readOnly := strings.CutSuffix(scope, ".read")
	for _, s := range accountingScopes {
		if s.name != base || (!readOnly && !s.write) {
			continue
		}
		if readOnly {
			return "View your " + s.what
		}
		return "View and manage your " + s.what
	}
	return ""
}

// accountingScopes are the Accounting API scopes, broad and granular
// (xero-api.md §1.3); write marks those that also exist without ".read".
var accountingScopes = []struct {
	name, what string
	write      bool
}{
	{"accounting.transactions", "business transactions: invoices, credit notes, quotes, purchase orders, payments, bank transactions and manual journals", true},
	{"accounting.contacts", "contacts", true},
	{"accounting.settings", "organisation settings: chart of accounts, tax rates, tracking categories and currencies", true},
	{"accounting.attachments", "attachments", true},
	{"accounting.reports", "reports", false},
	{"accounting.journals", "general ledger journals", false},
	{"accounting.budgets", "budgets", false},
	{"accounting.reports.tenninetynine", "1099 reports", false},
	{"accounting.invoices", "invoices, credit notes, quotes, purchase orders, repeating invoices, linked transactions and items", true},
	{"accounting.payments", "payments, batch payments, overpayments and prepayments", true},
	{"accounting.banktransactions", "bank transactions and bank transfers", true},
	{"accounting.manualjournals", "manual journals", true},
	{"accounting.classicexpenses", "expense claims and receipts", true},
	{"accounting.reports.aged", "aged payables and receivables reports", false},
	{"accounting.reports.balancesheet", "balance sheet report", false},
	{"accounting.reports.banksummary", "bank summary report", false},
	{"accounting.reports.budgetsummary", "budget summary report", false},
	{"accounting.reports.executivesummary", "executive summary report", false},
	{"accounting.reports.profitandloss", "profit and loss report", false},
	{"accounting.reports.trialbalance", "trial balance report", false},
	{"accounting.reports.taxreports", "tax reports", false},
}

// pageCSS is the pages' whole styling: inline, allowed by its hash in the
// CSP, so the pages load nothing and run no script.
const pageCSS = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:#eef2f5;color:#1e2a35;margin:0}
main{max-width:36rem;margin:3rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3rem;margin:0 0 .3rem}h2{font-size:1rem;margin:1.4rem 0 .4rem}
.sub{color:#5b6b7a;margin:0 0 1.2rem}.err{background:#fdecea;color:#8a1c12;padding:.6rem .8rem;border-radius:4px}
ul{padding-left:1.2rem;margin:.3rem 0}li{margin:.2rem 0}code{font-size:.8em;color:#5b6b7a}
fieldset{border:1px solid #d5dde4;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}label{display:block;margin:.3rem 0}
.row{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}.row label{display:inline}
select,button{font:inherit}button{padding:.5rem 1.2rem;border-radius:4px;border:1px solid #13b5ea;cursor:pointer}
.allow{background:#13b5ea;color:#fff}.plain{background:#fff;color:#0b7fa6}.actions{margin-top:1.4rem}`

// pageCSP lets the pages use their inline stylesheet and nothing else.
var pageCSP = sandbox.StyleCSP(pageCSS)

const pageHead = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">`

var consentTemplate = template.Must(template.New("consent").Parse(pageHead + `
<title>Allow access · Sandbox Xero</title><style>` + pageCSS + `</style></head>
<body><main>
<h1>{{.ClientName}} wants access to your Xero organisation</h1>
<p class="sub">Sandbox Xero: there are no passwords, choose who signs in.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="get" action="{{.Action}}" class="row">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="switch-user">Signed in as</label>
<select id="switch-user" name="user">{{range .Users}}<option value="{{.ID}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<button type="submit" class="plain">Switch user</button>
</form>
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<input type="hidden" name="user" value="{{.UserID}}">
<h2>{{.ClientName}} will be able to</h2>
<ul>{{range .Scopes}}<li>{{.Text}} <code>{{.Name}}</code></li>{{end}}</ul>
{{if .Picker}}<fieldset><legend>Organisations to connect</legend>
{{range .Orgs}}<label><input type="checkbox" name="tenant" value="{{.ID}}"{{if .Checked}} checked{{end}}> {{.Name}}</label>
{{end}}</fieldset>
{{else if .Orgs}}{{with index .Orgs 0}}<h2>Organisation</h2><p>{{.Name}}</p><input type="hidden" name="tenant" value="{{.ID}}">{{end}}
{{else}}<p>This user has no organisations, so none will be connected.</p>{{end}}
<div class="row actions"><button type="submit" name="action" value="allow" class="allow">Allow access</button>
<button type="submit" name="action" value="deny" class="plain">Cancel</button></div>
</form>
</main></body></html>
`))

var errorTemplate = template.Must(template.New("error").Parse(pageHead + `
<title>{{.Status}} · Sandbox Xero</title><style>` + pageCSS + `</style></head>
<body><main>
<h1>Sign-in problem</h1>
<p class="err" role="alert">{{.Message}}</p>
<p class="sub">You have not been sent back to the app. Close this page and try connecting again.</p>
</main></body></html>
`))
