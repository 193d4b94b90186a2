package hubspot

import (
	"math/rand/v2"
	"slices"
	"strconv"
)

// generateOwners makes the portal's owners: first the sandbox users who
// reach the portal, then colleagues, about one in ten deactivated (only
// listed with archived=true, as HubSpot does), and one queue.
func generateOwners(rng *rand.Rand, p *Portal, users []*User, n int, start int64) []*Owner {
	var out []*Owner
	teams := []Team{{ID: "3401", Name: "Sales"}, {ID: "3402", Name: "Support"}, {ID: "3403", Name: "Customer success"}}
	add := func(first, last, email string, userID int64) *Owner {
		k := len(out)
		created := p.Created + int64(k)*86_400_000*11
		o := &Owner{ID: strconv.FormatInt(41000000+int64(k)*7919+rng.Int64N(7000), 10), FirstName: first, LastName: last,
			Email: email, UserID: userID, Type: "PERSON", CreatedAt: created,
			UpdatedAt: created + rng.Int64N(max(start-created, 1))}
		team := teams[k%len(teams)]
		team.Primary = true
		o.Teams = []Team{team}
		out = append(out, o)
		return o
	}
	for _, u := range users {
		if slices.Contains(u.PortalIDs, p.ID) {
			add(u.FirstName, u.LastName, u.Email, u.ID)
		}
	}
	for len(out) < n-1 {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		o := add(first, last, lower(first)+"."+lower(last)+"@"+p.Domain, 9100000+int64(len(out))*13)
		if len(out) > 2 && rng.IntN(10) == 0 {
			o.Archived = true
		}
	}
	q := add("", "", "", 0)
	q.Type, q.Teams = "QUEUE", nil
	return out
}

// defaultPipelines returns the deal and ticket pipelines every portal has:
// HubSpot's defaults (created at the epoch, as HubSpot reports them) and a
// second deal pipeline of the portal's own with numeric stage ids.
func defaultPipelines(created int64) map[string][]*Pipeline {
	deal := func(id, label string, order int, prob string, closed bool, at int64) *Stage {
		return &Stage{ID: id, Label: label, DisplayOrder: order, CreatedAt: at, UpdatedAt: at,
			Metadata: map[string]string{"probability": prob, "isClosed": strconv.FormatBool(closed)}}
	}
	ticket := func(id, label string, order int, state string) *Stage {
		return &Stage{ID: id, Label: label, DisplayOrder: order, Metadata: map[string]string{"ticketState": state}}
	}
	sales := &Pipeline{ID: "default", Label: "Sales Pipeline", Stages: []*Stage{
		deal("appointmentscheduled", "Appointment Scheduled", 0, "0.2", false, 0),
		deal("qualifiedtobuy", "Qualified To Buy", 1, "0.4", false, 0),
		deal("presentationscheduled", "Presentation Scheduled", 2, "0.6", false, 0),
		deal("decisionmakerboughtin", "Decision Maker Bought-In", 3, "0.8", false, 0),
		deal("contractsent", "Contract Sent", 4, "0.9", false, 0),
		deal("closedwon", "Closed Won", 5, "1.0", true, 0),
		deal("closedlost", "Closed Lost", 6, "0.0", true, 0),
	}}
	at := created + 30*86_400_000
	partner := &Pipeline{ID: "74418215", Label: "Partner Pipeline", DisplayOrder: 1, CreatedAt: at, UpdatedAt: at, Stages: []*Stage{
		deal("11348542", "Partner introduced", 0, "0.1", false, at),
		deal("11348543", "Joint proposal", 1, "0.5", false, at),
		deal("11348544", "Partner won", 2, "1.0", true, at),
		deal("11348545", "Partner lost", 3, "0.0", true, at),
	}}
	support := &Pipeline{ID: "0", Label: "Support Pipeline", Stages: []*Stage{
		ticket("1", "New", 0, "OPEN"), ticket("2", "Waiting on contact", 1, "OPEN"),
		ticket("3", "Waiting on us", 2, "OPEN"), ticket("4", "Closed", 3, "CLOSED"),
	}}
	return map[string][]*Pipeline{"deals": {sales, partner}, "tickets": {support}}
}
