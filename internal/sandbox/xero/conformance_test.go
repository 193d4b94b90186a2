package xero

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The conformance test checks the sandbox's responses against Xero's
// official OpenAPI description, read at test time from the shared folder
// beside the repository (../shared/specs/xero), never copied into it.
//
// Where the spec and shared/reference/xero-api.md disagree we follow the
// reference, which is built from observed behaviour:
//   - the spec's envelopes omit Id, Status, ProviderName and DateTimeUTC,
//     which real responses carry; they are extra properties, which the
//     spec's schemas allow, so they validate;
//   - the spec lists only the broad scopes; the sandbox also accepts the
//     granular scopes of March 2026 (not visible to this test);
//   - the spec names ProfitAndLoss's parameters FromDate/ToDate while the
//     documentation writes fromDate/toDate; the sandbox takes either, as
//     Xero's parameter names are case-insensitive.
//   - the spec marks BankTransaction.LineItems required, but list calls
//     without page return no line items on any endpoint (xero-api.md §3,
//     LINX-INVOICES, PYXERO-187); the requirement describes what a create
//     must send, so the test drops it before validating.

// specDir finds shared/specs/xero: $DATAPULL_SHARED/specs/xero, else the
// shared folder beside the repository root. Without it the test skips,
// except under CI=true, where a missing spec is a failure.
func specDir(t testing.TB) string {
	t.Helper()
	var candidates []string
	if d := os.Getenv("DATAPULL_SHARED"); d != "" {
		candidates = append(candidates, filepath.Join(d, "specs", "xero"))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				candidates = append(candidates, filepath.Join(dir, "..", "shared", "specs", "xero"))
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "xero_accounting.yaml")); err == nil {
			return c
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("Xero's OpenAPI description not found (looked in %v); CI must run the conformance test", candidates)
	}
	t.Skipf("Xero's OpenAPI description not found (looked in %v); set DATAPULL_SHARED to run the conformance test", candidates)
	return ""
}

// xeroSpec is the parsed accounting spec and its router, loaded once.
type xeroSpec struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	specOnce   sync.Once
	specLoaded *xeroSpec
	specErr    error
)

func loadSpec(t testing.TB) *xeroSpec {
	t.Helper()
	dir := specDir(t)
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(filepath.Join(dir, "xero_accounting.yaml"))
		if err != nil {
			specErr = fmt.Errorf("load spec: %w", err)
			return
		}
		if bt := doc.Components.Schemas["BankTransaction"]; bt != nil {
			bt.Value.Required = slices.DeleteFunc(bt.Value.Required, func(f string) bool { return f == "LineItems" })
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			specErr = fmt.Errorf("route spec: %w", err)
			return
		}
		specLoaded = &xeroSpec{doc: doc, router: router}
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return specLoaded
}

// validate checks one response against the spec's operation for path.
func (s *xeroSpec) validate(path string, resp *http.Response, body []byte) error {
	req, err := http.NewRequest(http.MethodGet, "https://api.xero.com/api.xro/2.0"+path, nil)
	if err != nil {
		return err
	}
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("spec has no route for GET %s: %w", path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// validateSchema checks a JSON body against a named component schema, for
// the error bodies the spec describes (Error) but attaches to no GET.
func (s *xeroSpec) validateSchema(name string, body []byte) error {
	ref := s.doc.Components.Schemas[name]
	if ref == nil {
		return fmt.Errorf("spec has no schema %q", name)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return ref.Value.VisitJSON(v, openapi3.MultiErrors())
}

// conformanceEndpoint is one endpoint the test walks: its list, a page of
// it, and one record by id.
type conformanceEndpoint struct {
	name    string // path and envelope key
	idField string // "" when the spec has no single-record GET
	paged   bool
}

var conformanceEndpoints = []conformanceEndpoint{
	{"Accounts", "AccountID", false},
	{"Contacts", "ContactID", true},
	{"ContactGroups", "ContactGroupID", false},
	{"Invoices", "InvoiceID", true},
	{"CreditNotes", "CreditNoteID", true},
	{"Payments", "PaymentID", true},
	{"Overpayments", "OverpaymentID", true},
	{"Prepayments", "PrepaymentID", true},
	{"BankTransactions", "BankTransactionID", true},
	{"BankTransfers", "BankTransferID", false},
	{"ManualJournals", "ManualJournalID", true},
	{"Items", "ItemID", false},
	{"TaxRates", "TaxType", false},
	{"TrackingCategories", "TrackingCategoryID", false},
	{"Currencies", "", false},
	{"Users", "UserID", false},
	{"PurchaseOrders", "PurchaseOrderID", true},
	{"Quotes", "QuoteID", true},
	{"BatchPayments", "BatchPaymentID", false},
}

// attachmentParents are the endpoints whose records can carry attachments
// that the sandbox serves metadata for.
var attachmentParents = map[string]bool{
	"Accounts": true, "BankTransactions": true, "BankTransfers": true, "Contacts": true, "CreditNotes": true,
	"Invoices": true, "ManualJournals": true, "PurchaseOrders": true, "Quotes": true,
}

func TestConformanceWithXeroOpenAPI(t *testing.T) {
	spec := loadSpec(t)
	env := newTestEnv(t, nil)
	tok := env.signIn(t, allReadScopes, "*")
	tenant := env.srv.World().Orgs[0].ID

	violations := 0
	check := func(path string, header http.Header) []byte {
		t.Helper()
		resp, body := env.get(t, tok.AccessToken, tenant, path, header)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d: %.300s", path, resp.StatusCode, body)
			violations++
			return nil
		}
		if err := spec.validate(strings.SplitN(path, "?", 2)[0], resp, body); err != nil {
			t.Errorf("GET %s violates the spec:\n%v", path, err)
			violations++
		}
		return body
	}

	check("/Organisation", nil)
	for _, ep := range conformanceEndpoints {
		t.Run(ep.name, func(t *testing.T) {
			body := check("/"+ep.name, nil)
			if ep.paged {
				body = check("/"+ep.name+"?page=1&pageSize=1000", nil)
				check("/"+ep.name+"?page=2", nil)
			}
			var env map[string][]map[string]any
			json.Unmarshal(body, &env)
			records := env[ep.name]
			if len(records) == 0 {
				t.Fatalf("%s: no records to check", ep.name)
			}
			if ep.idField == "" {
				return
			}
			id, _ := records[0][ep.idField].(string)
			check("/"+ep.name+"/"+id, nil)
			if !attachmentParents[ep.name] {
				return
			}
			for _, r := range records {
				if has, _ := r["HasAttachments"].(bool); has {
					check(fmt.Sprintf("/%s/%s/Attachments", ep.name, r[ep.idField]), nil)
					return
				}
			}
			t.Errorf("%s: no record with HasAttachments to check attachment metadata", ep.name)
		})
	}
	t.Run("Journals", func(t *testing.T) {
		body := check("/Journals", nil)
		check("/Journals?offset=100", nil)
		var env struct{ Journals []map[string]any }
		json.Unmarshal(body, &env)
		if len(env.Journals) == 0 {
			t.Fatal("no journals")
		}
		check(fmt.Sprintf("/Journals/%s", env.Journals[0]["JournalID"]), nil)
	})
	t.Run("Reports", func(t *testing.T) {
		check("/Reports/TrialBalance", nil)
		check("/Reports/TrialBalance?date=2026-03-31", nil)
		check("/Reports/ProfitAndLoss?fromDate=2026-01-01&toDate=2026-01-31", nil)
		check("/Reports/ProfitAndLoss?fromDate=2026-01-01&toDate=2026-01-31&periods=5&timeframe=MONTH", nil)
		check("/Reports/BalanceSheet?date=2026-03-31", nil)
		check("/Reports/BalanceSheet?date=2026-03-31&periods=2&timeframe=QUARTER", nil)
	})
	t.Run("Errors", func(t *testing.T) {
		// The spec describes its 400 bodies by the Error schema, on the
		// write operations only; our GET errors must have the same shape.
		for _, path := range []string{
			"/Invoices?where=" + url.QueryEscape(`Status=="AUTHORISED" AND`),
			"/Invoices?order=NoSuchField",
		} {
			resp, body := env.get(t, tok.AccessToken, tenant, path, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s: status %d, want 400", path, resp.StatusCode)
				continue
			}
			if err := spec.validateSchema("Error", body); err != nil {
				t.Errorf("GET %s: error body violates the spec's Error schema: %v", path, err)
			}
		}
	})
	if violations > 0 {
		t.Errorf("%d responses violate Xero's OpenAPI description", violations)
	}
}

// TestConformanceValidatorCatchesViolations proves the conformance check
// can fail: bodies with a wrong enum, a wrong type and a missing array are
// each reported as violations.
func TestConformanceValidatorCatchesViolations(t *testing.T) {
	spec := loadSpec(t)
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {contentJSON}}}
	for name, body := range map[string]string{
		"status not in enum": `{"Invoices":[{"InvoiceID":"6a2c3bd4-6a3b-4c9b-9d8e-1a2b3c4d5e6f","Status":"BOGUS"}]}`,
		"total not a number": `{"Invoices":[{"InvoiceID":"6a2c3bd4-6a3b-4c9b-9d8e-1a2b3c4d5e6f","Total":"12.50"}]}`,
		"lines not an array": `{"Invoices":[{"InvoiceID":"6a2c3bd4-6a3b-4c9b-9d8e-1a2b3c4d5e6f","LineItems":{}}]}`,
	} {
		if err := spec.validate("/Invoices", resp, []byte(body)); err == nil {
			t.Errorf("%s: validator accepted %s", name, body)
		}
	}
	if err := spec.validate("/Invoices", resp, []byte(`{"Invoices":[{"InvoiceID":"6a2c3bd4-6a3b-4c9b-9d8e-1a2b3c4d5e6f","Status":"PAID","Total":12.5}]}`)); err != nil {
		t.Errorf("validator refused a valid body: %v", err)
	}
}
