package hubspot

import (
	"fmt"
	"strings"
)

// typeSpec describes an object type before a portal instantiates it.
type typeSpec struct {
	name, singular, typeID, label, plural string
	createProp, modProp                   string
	defaults, searchable                  []string
	scopes, schemaScopes                  []string
	primary                               string
	props                                 []propSpec
}

// propSpec is a property definition in short form; options are values
// whose labels are derived from them.
type propSpec struct {
	name, label, typ, field, group string
	options                        []string
}

func p(name, label, typ string, options ...string) propSpec {
	field := map[string]string{"string": "text", "number": "number", "bool": "booleancheckbox",
		"enumeration": "select", "date": "date", "datetime": "date"}[typ]
	return propSpec{name: name, label: label, typ: typ, field: field, options: options}
}

// objectScopes are the scopes that let a token read a standard CRM
// object's records: "one or more of the following" in a 403.
func objectScopes(name string) []string {
	return []string{"crm.objects." + name + ".read", "crm.objects." + name + ".write",
		"crm.objects." + name + ".sensitive.read.v2", "crm.objects." + name + ".highly_sensitive.read.v2"}
}

var lifecycleStages = []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"}

// engagementScopes: the reference names no scope for the engagement
// objects; HubSpot grants them with the contacts scopes, so the sandbox
// does too (our choice).
var engagementScopes = []string{"crm.objects.contacts.read", "crm.objects.contacts.write"}

// standardTypes lists the standard object types in HubSpot's order.
func standardTypes() []typeSpec {
	owner := p("hubspot_owner_id", "Contact owner", "enumeration")
	ts := "hs_timestamp"
	eng := func(name, singular, id, label, plural string, props ...propSpec) typeSpec {
		all := append([]propSpec{p(ts, "Activity date", "datetime"), owner}, props...)
		return typeSpec{name: name, singular: singular, typeID: id, label: label, plural: plural,
			createProp: "hs_createdate", modProp: "hs_lastmodifieddate",
			defaults: []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
			scopes:   engagementScopes, schemaScopes: engagementScopes, primary: ts, props: all}
	}
	std := func(name, singular, id, label, plural, modProp string, defaults, searchable []string, primary string, props ...propSpec) typeSpec {
		scopes := objectScopes(name)
		return typeSpec{name: name, singular: singular, typeID: id, label: label, plural: plural,
			createProp: "createdate", modProp: modProp, defaults: defaults, searchable: searchable,
			scopes: scopes, schemaScopes: append([]string{"crm.schemas." + name + ".read"}, scopes...),
			primary: primary, props: props}
	}
	contacts := std("contacts", "contact", "0-1", "Contact", "Contacts", "lastmodifieddate",
		[]string{"firstname", "lastname", "email", "lastmodifieddate", "hs_object_id", "createdate"},
		[]string{"firstname", "lastname", "email", "phone", "company"}, "email",
		p("firstname", "First name", "string"), p("lastname", "Last name", "string"), p("email", "Email", "string"),
		p("phone", "Phone number", "string"), p("company", "Company name", "string"), p("jobtitle", "Job title", "string"),
		p("city", "City", "string"), p("country", "Country/Region", "string"),
		p("lifecyclestage", "Lifecycle stage", "enumeration", lifecycleStages...),
		p("hs_lead_status", "Lead status", "enumeration", "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "CONNECTED"),
		owner, p("hs_merged_object_ids", "Merged record IDs", "enumeration"),
		p("hs_calculated_merged_vids", "Merged contact IDs with timestamps", "enumeration"))
	companies := std("companies", "company", "0-2", "Company", "Companies", "hs_lastmodifieddate",
		[]string{"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		[]string{"name", "domain", "phone", "website"}, "name",
		p("name", "Company name", "string"), p("domain", "Company domain name", "string"), p("website", "Website URL", "string"),
		p("industry", "Industry", "enumeration", industries...), p("phone", "Phone number", "string"),
		p("city", "City", "string"), p("country", "Country/Region", "string"),
		p("numberofemployees", "Number of employees", "number"), p("annualrevenue", "Annual revenue", "number"),
		p("lifecyclestage", "Lifecycle stage", "enumeration", lifecycleStages...), owner,
		p("hs_merged_object_ids", "Merged record IDs", "enumeration"))
	deals := std("deals", "deal", "0-3", "Deal", "Deals", "hs_lastmodifieddate",
		[]string{"dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		[]string{"dealname"}, "dealname",
		p("dealname", "Deal name", "string"), p("amount", "Amount", "number"), p("closedate", "Close date", "datetime"),
		p("pipeline", "Pipeline", "enumeration"), p("dealstage", "Deal stage", "enumeration"),
		p("dealtype", "Deal type", "enumeration", "newbusiness", "existingbusiness"),
		p("hs_deal_stage_probability", "Deal probability", "number"), p("deal_currency_code", "Currency", "enumeration", "USD", "EUR", "GBP"),
		owner, p("hs_merged_object_ids", "Merged record IDs", "enumeration"))
	tickets := std("tickets", "ticket", "0-5", "Ticket", "Tickets", "hs_lastmodifieddate",
		[]string{"content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		[]string{"subject", "content"}, "subject",
		p("subject", "Ticket name", "string"), p("content", "Ticket description", "string"),
		p("hs_pipeline", "Pipeline", "enumeration"), p("hs_pipeline_stage", "Ticket status", "enumeration"),
		p("hs_ticket_priority", "Priority", "enumeration", "LOW", "MEDIUM", "HIGH", "URGENT"),
		p("hs_ticket_category", "Category", "enumeration", "PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"),
		owner)
	// Tickets are read with the legacy "tickets" scope (hubspot-api.md §1.6).
	tickets.scopes = []string{"tickets", "crm.objects.tickets.sensitive.read.v2", "crm.objects.tickets.highly_sensitive.read.v2"}
	tickets.schemaScopes = append([]string{"crm.schemas.tickets.read"}, tickets.scopes...)
	products := std("products", "product", "0-7", "Product", "Products", "hs_lastmodifieddate",
		[]string{"name", "description", "price", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		[]string{"name", "description", "hs_sku"}, "name",
		p("name", "Name", "string"), p("description", "Description", "string"), p("price", "Unit price", "number"),
		p("hs_sku", "SKU", "string"), p("hs_cost_of_goods_sold", "Unit cost", "number"))
	products.scopes = []string{"crm.objects.products.read", "e-commerce"}
	products.schemaScopes = products.scopes
	lineItems := std("line_items", "line_item", "0-8", "Line item", "Line items", "hs_lastmodifieddate",
		[]string{"quantity", "amount", "price", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		[]string{"name", "hs_sku"}, "name",
		p("name", "Name", "string"), p("quantity", "Quantity", "number"), p("price", "Unit price", "number"),
		p("amount", "Net price", "number"), p("discount", "Unit discount", "number"),
		p("hs_product_id", "Product ID", "number"), p("hs_sku", "SKU", "string"))
	lineItems.scopes = []string{"crm.objects.line_items.read", "e-commerce"}
	lineItems.schemaScopes = append([]string{"crm.schemas.line_items.read"}, lineItems.scopes...)
	return []typeSpec{
		contacts, companies, deals, tickets, products, lineItems,
		eng("calls", "call", "0-48", "Call", "Calls", p("hs_call_title", "Call title", "string"), p("hs_call_body", "Call notes", "string"),
			p("hs_call_duration", "Call duration", "number"), p("hs_call_direction", "Call direction", "enumeration", "INBOUND", "OUTBOUND"),
			p("hs_call_status", "Call status", "enumeration", "COMPLETED", "BUSY", "NO_ANSWER", "FAILED")),
		eng("emails", "email", "0-49", "Email", "Emails", p("hs_email_subject", "Email subject", "string"), p("hs_email_text", "Email body", "string"),
			p("hs_email_direction", "Email direction", "enumeration", "EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
			p("hs_email_status", "Email send status", "enumeration", "SENT", "BOUNCED", "FAILED", "SCHEDULED")),
		eng("meetings", "meeting", "0-47", "Meeting", "Meetings", p("hs_meeting_title", "Meeting name", "string"), p("hs_meeting_body", "Meeting description", "string"),
			p("hs_meeting_start_time", "Start time", "datetime"), p("hs_meeting_end_time", "End time", "datetime"),
			p("hs_meeting_outcome", "Meeting outcome", "enumeration", "SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")),
		eng("notes", "note", "0-46", "Note", "Notes", p("hs_note_body", "Note body", "string")),
		eng("tasks", "task", "0-27", "Task", "Tasks", p("hs_task_subject", "Task title", "string"), p("hs_task_body", "Task notes", "string"),
			p("hs_task_status", "Task status", "enumeration", "NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
			p("hs_task_priority", "Priority", "enumeration", "NONE", "LOW", "MEDIUM", "HIGH"),
			p("hs_task_type", "Task type", "enumeration", "TODO", "CALL", "EMAIL")),
	}
}

// customTypes are the portal's custom objects. Their plural labels differ
// from their names on purpose: a connector that builds metadata paths from
// labels gets HubSpot's 400 (X13).
func customTypes(portalID int64) []typeSpec {
	scopes := []string{"crm.objects.custom.read", "crm.objects.custom.write"}
	schema := append([]string{"crm.schemas.custom.read"}, scopes...)
	mk := func(name, label, plural string, n int64, primary string, props ...propSpec) typeSpec {
		return typeSpec{name: name, singular: name, typeID: fmt.Sprintf("2-%d", 1000000+portalID%9000000*7+n),
			label: label, plural: plural, createProp: "hs_createdate", modProp: "hs_lastmodifieddate",
			defaults:   []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
			searchable: []string{primary}, scopes: scopes, schemaScopes: schema, primary: primary, props: props}
	}
	return []typeSpec{
		mk("fleet_vehicle", "Vehicle", "Vehicles", 1, "vin",
			p("vin", "VIN", "string"), p("make", "Make", "enumeration", vehicleMakes...), p("model", "Model", "string"),
			p("year", "Model year", "number"), p("mileage", "Mileage", "number"), p("purchase_date", "Purchase date", "date")),
		mk("subscription_plan", "Subscription", "Subscriptions", 2, "plan_name",
			p("plan_name", "Plan", "string"), p("mrr", "Monthly recurring revenue", "number"),
			p("plan_status", "Status", "enumeration", "active", "trial", "cancelled"), p("renewal_date", "Renewal date", "date")),
	}
}

// customPropertyWords make the long names of the many custom contact
// properties (X11): each name is 60 to 90 characters.
var customPropertyWords = []string{"preferred", "quarterly", "business", "review", "meeting", "cadence", "regional",
	"procurement", "contact", "secondary", "marketing", "attribution", "channel", "original", "campaign",
	"subscription", "renewal", "decision", "maker", "influence", "score", "onboarding", "milestone"}

// customProps returns n custom property definitions with long names. Types
// rotate through string, number, enumeration, date, datetime and bool;
// property 1 is a number some records hold "123;456" in (X12).
func customProps(n int) []propSpec {
	types := []string{"string", "number", "enumeration", "date", "datetime", "bool"}
	out := make([]propSpec, n)
	for i := range out {
		var b strings.Builder
		fmt.Fprintf(&b, "dp_custom_%04d", i)
		for j := 0; b.Len() < 60+i%31; j++ {
			b.WriteString("_" + customPropertyWords[(i*7+j*3)%len(customPropertyWords)])
		}
		typ := types[i%len(types)]
		ps := p(b.String(), fmt.Sprintf("Custom field %d", i), typ)
		if typ == "enumeration" {
			ps.options = []string{"alpha", "beta", "gamma", "delta"}
		}
		ps.group = "datapull_custom"
		out[i] = ps
	}
	return out
}

// instantiate builds a portal's ObjectType from a spec, with the virtual
// properties every type has first.
func (ts typeSpec) instantiate(created int64, custom []propSpec) *ObjectType {
	t := &ObjectType{Name: ts.name, Singular: ts.singular, TypeID: ts.typeID, Label: ts.label, Plural: ts.plural,
		CreateProp: ts.createProp, ModProp: ts.modProp, Defaults: ts.defaults, Searchable: ts.searchable,
		Scopes: ts.scopes, SchemaScopes: ts.schemaScopes, Primary: ts.primary, Created: created,
		byID: map[int64]*Record{}, nextID: 1}
	if len(ts.searchable) == 0 {
		t.Searchable = []string{ts.primary}
	}
	virtual := []*Property{
		{Name: "hs_object_id", Label: "Record ID", Type: "number", FieldType: "number", virtual: propObjectID, ReadOnly: true},
		{Name: ts.createProp, Label: "Create date", Type: "datetime", FieldType: "date", virtual: propCreated, ReadOnly: true},
		{Name: ts.modProp, Label: "Last modified date", Type: "datetime", FieldType: "date", virtual: propModified, ReadOnly: true},
	}
	for _, v := range virtual {
		v.GroupName, v.HubspotDefined, v.Calculated = ts.singular+"information", true, true
		t.Props = append(t.Props, v)
	}
	group := ts.singular + "information"
	for i, s := range append(append([]propSpec(nil), ts.props...), custom...) {
		pr := &Property{Name: s.name, Label: s.label, Type: s.typ, FieldType: s.field, GroupName: group,
			HubspotDefined: strings.HasPrefix(s.name, "hs_") || !ts.isCustomProp(s), DisplayOrder: i, Created: created, Updated: created}
		if s.group != "" {
			pr.GroupName = s.group
		}
		if len(s.options) > 0 && s.typ == "enumeration" {
			pr.FieldType = "select"
			for j, o := range s.options {
				pr.Options = append(pr.Options, Option{Label: optionLabel(o), Value: o, DisplayOrder: j})
			}
		}
		if s.typ == "bool" {
			pr.Options = []Option{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false", DisplayOrder: 1}}
		}
		t.Props = append(t.Props, pr)
	}
	t.indexProps()
	return t
}

// isCustomProp reports whether a property is the portal's own: the custom
// contact properties and every property of a custom object.
func (ts typeSpec) isCustomProp(s propSpec) bool {
	return s.group == "datapull_custom" || strings.HasPrefix(ts.typeID, "2-")
}

func optionLabel(v string) string {
	v = strings.ReplaceAll(strings.ToLower(v), "_", " ")
	if v == "" {
		return v
	}
	return strings.ToUpper(v[:1]) + v[1:]
}
