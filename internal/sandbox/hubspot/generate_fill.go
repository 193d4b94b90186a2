package hubspot

import (
	"strconv"
)

// fill sets one record's properties and associations, by type.
func (g *typeGen) fill(b *recordBuilder, i int, id, created, updated int64) {
	g.owner(b)
	switch g.t.Name {
	case "contacts":
		g.contact(b, i, id, created, updated)
	case "companies":
		g.company(b, i)
	case "deals":
		g.deal(b, id, created, updated)
	case "tickets":
		g.ticket(b, id)
	case "products":
		b.set("name", productName(i))
		b.set("description", "Sandbox product "+strconv.Itoa(i+1))
		b.set("price", strconv.Itoa(productPrice(i)))
		b.set("hs_sku", "SKU-"+strconv.Itoa(10000+i))
		b.set("hs_cost_of_goods_sold", strconv.Itoa(productPrice(i)/3))
	case "line_items":
		g.lineItem(b, i, id)
	case "calls", "emails", "meetings", "notes", "tasks":
		g.engagement(b, id, created)
	case "fleet_vehicle":
		b.set("vin", vin(g.rng.Uint64()))
		b.set("make", vehicleMakes[g.rng.IntN(len(vehicleMakes))])
		b.set("model", []string{"Transit", "Hiace", "FH16", "Master", "Model Y", "Daily"}[g.rng.IntN(6)])
		b.set("year", strconv.Itoa(2012+g.rng.IntN(14)))
		b.set("mileage", strconv.Itoa(g.rng.IntN(250000)))
		b.set("purchase_date", dateOnly(created-g.rng.Int64N(400)*86_400_000))
		to, _ := g.pick("contacts")
		g.linkTo("contacts", id, to, 0)
	case "subscription_plan":
		b.set("plan_name", planNames[g.rng.IntN(len(planNames))])
		b.set("mrr", strconv.Itoa(20*(1+g.rng.IntN(100))))
		b.set("plan_status", []string{"active", "active", "active", "trial", "cancelled"}[g.rng.IntN(5)])
		b.set("renewal_date", dateOnly(g.start+g.rng.Int64N(365)*86_400_000))
		to, _ := g.pick("companies")
		g.linkTo("companies", id, to, 0)
	}
}

// owner sets hubspot_owner_id on most records, now and then to a
// deactivated owner, whose id only archived=true owners list (gotcha 11).
func (g *typeGen) owner(b *recordBuilder) {
	owners := g.p.Owners
	if len(owners) == 0 || g.rng.IntN(8) == 0 || g.t.Custom {
		return
	}
	o := owners[g.rng.IntN(len(owners))]
	if o.Type == "QUEUE" {
		return
	}
	b.set("hubspot_owner_id", o.ID)
}

func (g *typeGen) contact(b *recordBuilder, i int, id, created, updated int64) {
	first, last := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
	b.set("firstname", first)
	b.set("lastname", last)
	domain := "mail.example"
	if cid, k := g.pick("companies"); k >= 0 && g.rng.IntN(20) < 17 {
		domain = companyDomain(k)
		b.set("company", companyName(k))
		bits := uint32(0b10) // primary
		if g.rng.IntN(20) == 0 {
			bits |= 0b100 // "Billing contact"
		}
		g.linkTo("companies", id, cid, bits)
	}
	b.set("email", lower(first)+"."+lower(last)+strconv.Itoa(i)+"@"+domain)
	if g.rng.IntN(3) > 0 {
		b.set("phone", "+1 555 01"+strconv.Itoa(10+g.rng.IntN(89))+" "+strconv.Itoa(1000+g.rng.IntN(8999)))
	}
	b.set("jobtitle", jobTitles[g.rng.IntN(len(jobTitles))])
	c := cities[g.rng.IntN(len(cities))]
	b.set("city", c.city)
	b.set("country", c.country)
	stage := g.rng.IntN(6)
	b.set("lifecyclestage", lifecycleStages[stage])
	if stage > 0 {
		// The lifecycle stage moved up once or twice since creation.
		g.hist("lifecyclestage", lifecycleStages[0], created, "FORM")
		g.hist("lifecyclestage", lifecycleStages[stage], created+(updated-created)/2, "CRM_UI")
	}
	b.set("hs_lead_status", []string{"NEW", "OPEN", "IN_PROGRESS", "CONNECTED", "UNQUALIFIED"}[g.rng.IntN(5)])
	if g.rng.IntN(200) == 0 {
		// Merged before the sandbox began: the absorbed id no longer
		// exists on its own, reads of it find this contact.
		old := 9_000_000_000_000 + id
		b.set("hs_merged_object_ids", strconv.FormatInt(old, 10))
		b.set("hs_calculated_merged_vids", strconv.FormatInt(old, 10)+":"+strconv.FormatInt(updated, 10))
		g.mergedBefore = append(g.mergedBefore, [2]int64{old, id})
	}
	g.customValues(b)
}

// customValues gives about one contact in ten a few of the portal's
// custom properties; the number property dp_custom_0001 sometimes holds
// "123;456", a value its declared type does not allow (X12).
func (g *typeGen) customValues(b *recordBuilder) {
	start := g.customStart
	if start < 0 || g.rng.IntN(10) != 0 {
		return
	}
	n := len(g.t.Props) - start
	for j := 0; j < 1+g.rng.IntN(4); j++ {
		k := start + g.rng.IntN(min(n, 40))
		if j == 0 && g.rng.IntN(4) == 0 {
			k = start + 1
		}
		p := g.t.Props[k]
		var v string
		switch p.Type {
		case "number":
			v = strconv.Itoa(g.rng.IntN(10000))
			if k == start+1 && g.rng.IntN(10) == 0 {
				v = "123;456"
			}
		case "enumeration":
			v = p.Options[g.rng.IntN(len(p.Options))].Value
		case "date":
			v = dateOnly(g.start - g.rng.Int64N(1000)*86_400_000)
		case "datetime":
			v = isoMillis(g.start - g.rng.Int64N(1000*86_400_000))
		case "bool":
			v = strconv.FormatBool(g.rng.IntN(2) == 0)
		default:
			v = bodies[g.rng.IntN(len(bodies))]
		}
		b.setIndex(k, v)
	}
}

func (g *typeGen) company(b *recordBuilder, k int) {
	b.set("name", companyName(k))
	b.set("domain", companyDomain(k))
	b.set("website", "https://www."+companyDomain(k))
	b.set("industry", industries[g.rng.IntN(len(industries))])
	c := cities[g.rng.IntN(len(cities))]
	b.set("city", c.city)
	b.set("country", c.country)
	b.set("phone", "+44 20 7946 "+strconv.Itoa(1000+g.rng.IntN(8999)))
	b.set("numberofemployees", strconv.Itoa(5+g.rng.IntN(2000)))
	b.set("annualrevenue", strconv.Itoa(100000*(1+g.rng.IntN(500))))
	b.set("lifecyclestage", lifecycleStages[3+g.rng.IntN(3)])
}

func (g *typeGen) deal(b *recordBuilder, id, created, updated int64) {
	pl := g.p.Pipelines["deals"][0]
	if g.rng.IntN(5) == 0 {
		pl = g.p.Pipelines["deals"][1]
	}
	final := g.rng.IntN(len(pl.Stages))
	cid, k := g.pick("companies")
	name := "New deal"
	if k >= 0 {
		name = companyName(k) + " - " + productNames[g.rng.IntN(len(productNames))]
		g.linkTo("companies", id, cid, 0b10)
	}
	for j := 0; j < 1+g.rng.IntN(2); j++ {
		if to, _ := g.pick("contacts"); to != 0 {
			g.linkTo("contacts", id, to, uint32(g.rng.IntN(6)/5)<<1)
		}
	}
	amount := 500 * (1 + g.rng.IntN(200))
	b.set("dealname", name)
	b.set("amount", strconv.Itoa(amount))
	b.set("closedate", isoMillis(updated+g.rng.Int64N(90*86_400_000)))
	b.set("pipeline", pl.ID)
	b.set("dealstage", pl.Stages[final].ID)
	b.set("dealtype", []string{"newbusiness", "existingbusiness"}[g.rng.IntN(2)])
	b.set("hs_deal_stage_probability", pl.Stages[final].Metadata["probability"])
	b.set("deal_currency_code", g.p.Currency)
	// Stage history: the deal went through each stage up to its last
	// (lost deals jump there from wherever they were).
	steps := final
	if pl.Stages[final].Metadata["probability"] == "0.0" {
		steps = g.rng.IntN(final + 1)
	}
	span := max(updated-created, 1)
	for s := 0; s <= steps; s++ {
		st := pl.Stages[s]
		if s == steps {
			st = pl.Stages[final]
		}
		g.hist("dealstage", st.ID, created+span*int64(s)/int64(steps+1), "CRM_UI")
	}
}

func (g *typeGen) ticket(b *recordBuilder, id int64) {
	pl := g.p.Pipelines["tickets"][0]
	b.set("subject", subjects[g.rng.IntN(len(subjects))])
	b.set("content", bodies[g.rng.IntN(len(bodies))])
	b.set("hs_pipeline", pl.ID)
	b.set("hs_pipeline_stage", pl.Stages[g.rng.IntN(len(pl.Stages))].ID)
	b.set("hs_ticket_priority", []string{"LOW", "MEDIUM", "HIGH", "URGENT"}[g.rng.IntN(4)])
	b.set("hs_ticket_category", []string{"PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"}[g.rng.IntN(4)])
	to, _ := g.pick("contacts")
	g.linkTo("contacts", id, to, 0)
	if g.rng.IntN(10) < 6 {
		to, _ := g.pick("companies")
		g.linkTo("companies", id, to, 0b10)
	}
	if g.rng.IntN(4) == 0 {
		to, _ := g.pick("deals")
		g.linkTo("deals", id, to, 0)
	}
}

func (g *typeGen) lineItem(b *recordBuilder, i int, id int64) {
	if deals := g.ids["deals"]; len(deals) > 0 {
		g.linkTo("deals", id, deals[(i*7)%len(deals)], 0)
	}
	pid, k := g.pick("products")
	qty := 1 + g.rng.IntN(20)
	price := productPrice(max(k, 0))
	b.set("name", productName(max(k, 0)))
	b.set("quantity", strconv.Itoa(qty))
	b.set("price", strconv.Itoa(price))
	b.set("amount", strconv.Itoa(qty*price))
	if pid != 0 {
		b.set("hs_product_id", strconv.FormatInt(pid, 10))
	}
	b.set("hs_sku", "SKU-"+strconv.Itoa(10000+max(k, 0)))
}

func (g *typeGen) engagement(b *recordBuilder, id, created int64) {
	b.set("hs_timestamp", isoMillis(created))
	subject, body := subjects[g.rng.IntN(len(subjects))], bodies[g.rng.IntN(len(bodies))]
	switch g.t.Name {
	case "calls":
		b.set("hs_call_title", subject)
		b.set("hs_call_body", body)
		b.set("hs_call_duration", strconv.Itoa(1000*(30+g.rng.IntN(1800))))
		b.set("hs_call_direction", []string{"INBOUND", "OUTBOUND"}[g.rng.IntN(2)])
		b.set("hs_call_status", []string{"COMPLETED", "COMPLETED", "BUSY", "NO_ANSWER"}[g.rng.IntN(4)])
	case "emails":
		b.set("hs_email_subject", subject)
		b.set("hs_email_text", body)
		b.set("hs_email_direction", []string{"EMAIL", "INCOMING_EMAIL"}[g.rng.IntN(2)])
		b.set("hs_email_status", "SENT")
	case "meetings":
		b.set("hs_meeting_title", subject)
		b.set("hs_meeting_body", body)
		b.set("hs_meeting_start_time", isoMillis(created))
		b.set("hs_meeting_end_time", isoMillis(created+1_800_000))
		b.set("hs_meeting_outcome", []string{"SCHEDULED", "COMPLETED", "COMPLETED", "NO_SHOW"}[g.rng.IntN(4)])
	case "notes":
		b.set("hs_note_body", body)
	case "tasks":
		b.set("hs_task_subject", subject)
		b.set("hs_task_body", body)
		b.set("hs_task_status", []string{"NOT_STARTED", "IN_PROGRESS", "COMPLETED", "COMPLETED"}[g.rng.IntN(4)])
		b.set("hs_task_priority", []string{"NONE", "LOW", "MEDIUM", "HIGH"}[g.rng.IntN(4)])
		b.set("hs_task_type", []string{"TODO", "CALL", "EMAIL"}[g.rng.IntN(3)])
	}
	if g.rng.IntN(20) > 0 {
		to, _ := g.pick("contacts")
		g.linkTo("contacts", id, to, 0)
	}
	if g.rng.IntN(5) < 2 {
		to, _ := g.pick("companies")
		g.linkTo("companies", id, to, 0)
	}
	if g.rng.IntN(5) == 0 {
		to, _ := g.pick("deals")
		g.linkTo("deals", id, to, 0)
	}
}

func (b *recordBuilder) setIndex(k int, value string) {
	for _, p := range b.props {
		if int(p.K) == k {
			return
		}
	}
	b.props = append(b.props, PropValue{K: uint16(k), V: value})
}

func dateOnly(ms int64) string { return isoMillis(ms - ms%86_400_000)[:10] }

// vin makes a 17-character vehicle identification number from x.
func vin(x uint64) string {
	const chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	b := make([]byte, 17)
	for i := range b {
		b[i] = chars[x%uint64(len(chars))]
		x = x/uint64(len(chars)) ^ (x * 0x9e3779b97f4a7c15)
	}
	return string(b)
}
