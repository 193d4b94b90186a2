// Package hubspot is a sandbox HubSpot: an emulator of HubSpot's OAuth and
// CRM APIs on the real paths after the host, built on the sandbox kit
// (clock, rate limits, faults, OAuth core, meter, admin routes). It is the
// ground truth for the HubSpot connector's tests and benchmarks and must
// never import connector code. shared/reference/hubspot-api.md is its
// contract; connector-failure-modes.md X1–X15 are the traps it reproduces.
//
// # Paths
//
// Every CRM path is served in its legacy form and its date-versioned alias
// ({ver} is a March or September version such as 2026-03):
//
//	GET  /crm/v3/objects/{type}                          /crm/objects/{ver}/{type}
//	GET  /crm/v3/objects/{type}/{id}                     /crm/objects/{ver}/{type}/{id}
//	POST /crm/v3/objects/{type}/batch/read               /crm/objects/{ver}/{type}/batch/read
//	POST /crm/v3/objects/{type}/search                   /crm/objects/{ver}/{type}/search
//	GET  /crm/v4/objects/{type}/{id}/associations/{to}   /crm/objects/{ver}/{type}/{id}/associations/{to}
//	POST /crm/v4/associations/{from}/{to}/batch/read     /crm/associations/{ver}/{from}/{to}/batch/read
//	GET  /crm/v4/associations/{from}/{to}/labels         /crm/associations/{ver}/{from}/{to}/labels
//	GET  /crm/v3/owners[/{id}]                           /crm/owners/{ver}[/{id}]
//	GET  /crm/v3/pipelines/{type}[/{id}[/stages]]        /crm/pipelines/{ver}/{type}[...]
//	GET  /crm/v3/properties/{type}[/{name}]              /crm/properties/{ver}/{type}[/{name}]
//	GET  /crm/v3/schemas[/{type}]                        /crm/schemas/{ver}[/{type}]
//	GET  /account-info/v3/details                        /account-info/{ver}/details
//
// {type} is contacts, companies, deals, tickets, products, line_items,
// calls, emails, meetings, notes, tasks, a singular (contact), a type id
// (0-1) or, for the two custom objects (fleet_vehicle, subscription_plan),
// the type id 2-…, the fully qualified name p{portal}_{name} or the name;
// never a plural label (X13).
//
// OAuth: GET/POST /oauth/authorize (the consent page, app.hubspot.com's
// path), POST /oauth/{v1|v3|ver}/token, POST /oauth/{v3|ver}/token/introspect,
// POST /oauth/{v3|ver}/token/revoke, GET /oauth/v1/access-tokens/{token},
// GET and DELETE /oauth/v1/refresh-tokens/{token}. Clients: PublicClientID
// (PKCE S256, no secret) and WebClientID/WebClientSecret, both with the
// loopback redirect URIs of DefaultRedirectURIs on any port. Access tokens
// last 30 minutes; refreshing returns the same refresh token; revoking a
// refresh token leaves issued access tokens working. Each portal also has
// a private app token (PrivateAppToken) that never expires, carries every
// scope and gets the daily rate-limit headers OAuth calls do not.
//
// # Consent
//
// A program approves with one POST of application/x-www-form-urlencoded
// to /oauth/authorize carrying the authorize parameters (client_id,
// redirect_uri, scope, optional_scope, state, code_challenge,
// code_challenge_method) plus user (a sandbox user id; default the first
// user, who reaches every portal), portal (the hub id to install in;
// optional when the user reaches one) and action=allow. The answer is a
// 302 to redirect_uri with code and state. action=deny answers a page and
// redirects nowhere, as HubSpot does.
//
// # Endpoint names
//
// The meter and the fault profile name endpoints: {type} (list and read),
// {type}/search, {type}/batch/read, associations/{from}/{to}, owners,
// {type}/pipelines, {type}/properties, schemas, account-info, token,
// introspect, revoke, access-token-info, refresh-token-info, authorize.
// {type} is the type's name (contacts, fleet_vehicle). Besides the kit's
// kinds, faults include short-page (fewer records than asked for, with a
// correct next cursor: X3), 423, 477 and 524. Injected 429s carry
// Retry-After; the limiter's own 429s do not, as HubSpot documents none.
//
// # Limits and search
//
// A rolling ten-second burst per app and portal (110 for a public app; 100,
// 190 or 250 for private ones by tier), a daily limit per portal that
// resets at midnight in the portal's time zone, the associations
// endpoints' own burst, and search's own 5 per second with no headers
// (429 policyName SECONDLY). Search validates the docs' limits (5 groups,
// 6 filters per group, 18 in all, one sort, limit ≤ 200, body ≤ 3,000
// characters, after+limit ≤ 10,000), excludes archived records, and sees
// each change only SearchLag after it is made.
//
// # Ground truth
//
// Truth(portal, endpoint, w) and GET /_sandbox/portals/{portal}/truth/{endpoint}
// write NDJSON, for endpoint:
//
//	{type}                 every record, archived too, by id, with every set property
//	owners                 every owner, deactivated too
//	pipelines/{type}       deals and tickets
//	properties/{type}      every property definition
//	associations/{from}/{to}  {"fromId","toId","associationTypes"} by from, then to id
//	history/{type}         {"id","property","history"} for properties that changed
//	schemas                the custom object schemas
//	account                the account details
//
// TruthEndpoints lists them all for a portal.
//
// # Admin API
//
// Under /_sandbox (loopback, no auth; errors are {"error":"..."}):
//
//	GET  /_sandbox/                              portals (records by type, private app token), users, clock, truth names
//	GET  /_sandbox/clock, POST {"advance":"90m"} or {"to":"RFC 3339"}
//	GET  /_sandbox/meter, POST /_sandbox/meter/reset
//	GET  /_sandbox/faults, PUT (a fault profile as text)
//	GET  /_sandbox/portals/{portal}/truth/{endpoint...}
//	POST /_sandbox/portals/{portal}/changes      one ChangeRequest or {"changes":[…]}: create, update,
//	                                             archive, restore, merge, purge, associate, disassociate,
//	                                             bulk-update, pipeline-edit; answers {"changes":[Change…]}
//	POST /_sandbox/portals/{portal}/uninstall    every token of the portal dies: {"revoked":n}
//	POST /_sandbox/tokens/expire                 every access token expires now: {"expired":n}
//	GET  /_sandbox/search, POST {"lag":"30s"} or {"flush":true}
package hubspot
