package sandbox

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault kinds. The kit only decides when a fault fires; each provider
// emulator turns a kind into its provider's real response.
const (
	Fault429Minute   = "429-minute"   // the per-minute rate limit answer
	Fault429Day      = "429-day"      // the daily rate limit answer
	Fault500         = "500"          // unhandled server error
	Fault502         = "502"          // gateway error page
	Fault503         = "503"          // gateway error page
	Fault504         = "504"          // gateway timeout page
	FaultReset       = "reset"        // connection closed without a response
	FaultSlow        = "slow"         // the response is delayed (argument: a duration)
	FaultTruncate    = "truncate"     // valid headers, body cut short
	FaultTokenExpiry = "token-expiry" // the access token expires now
	FaultOrgOffline  = "org-offline"  // the tenant cannot be reached
	FaultMaintenance = "maintenance"  // the whole API is down for maintenance
	FaultRevoke      = "revoke"       // the user's consent is revoked now
	// Kinds added for HubSpot; an emulator that has no such failure serves
	// the call normally.
	FaultShortPage = "short-page" // a page shorter than asked for that still carries a next cursor
	Fault423       = "423"        // the portal is locked during a large, fast sync
	Fault477       = "477"        // the portal is migrating between data centres
	Fault524       = "524"        // the origin did not answer in time (Cloudflare)
)

// faultKinds lists every kind in the order error messages name them.
var faultKinds = []string{
	Fault429Minute, Fault429Day, Fault500, Fault502, Fault503, Fault504,
	FaultReset, FaultSlow, FaultTruncate, FaultTokenExpiry, FaultOrgOffline,
	FaultMaintenance, FaultRevoke, FaultShortPage, Fault423, Fault477, Fault524,
}

// DefaultSlowDelay is how long a "slow" fault without an argument delays
// the response. Slow delays are wall time, not provider time: they exist to
// exercise a client's own timeouts, which run on the wall clock whatever
// the sandbox's time scale.
const DefaultSlowDelay = 2 * time.Second

// Faults decides, deterministically from a seed, which calls fail and how.
// It is safe for concurrent use, and a nil *Faults injects nothing.
//
// A fault profile is a comma-separated list of rules:
//
//	rule     = endpoint ":" kind [ "=" arg ] "@" trigger [ "x" times ]
//	endpoint = an endpoint name as the emulator passes it to Decide
//	           (Xero: Invoices, Journals, Reports/TrialBalance, token,
//	           connections, ...), matched without regard to case, or "*"
//	kind     = 429-minute | 429-day | 500 | 502 | 503 | 504 | reset | slow |
//	           truncate | token-expiry | org-offline | maintenance | revoke |
//	           short-page | 423 | 477 | 524
//	arg      = only for slow: a Go duration of wall time (slow=500ms);
//	           plain slow waits DefaultSlowDelay
//	trigger  = a probability in (0,1] such as 0.05
//	         | call=N     the N-th call to the endpoint (1-based)
//	         | every=N    calls N, 2N, 3N, ... to the endpoint
//	         | calls=N-M  calls N to M inclusive
//	times    = the most times the rule fires in all (default: no cap)
//
// For example "Invoices:500@0.05,*:reset@call=7" fails about one Invoices
// call in twenty with a 500 and resets the connection of the seventh call
// to every endpoint; "Journals:429-minute@every=10x3" refuses calls 10, 20
// and 30 to Journals. Call numbers count per endpoint, so a "*" rule with
// call=N fires on the N-th call of each endpoint.
//
// When several rules would fire for a call, the first listed wins. Whether
// a probability rule fires is a hash of the seed, the rule's position, the
// endpoint and the call's number, never a shared random stream, so the same
// seed fails the same calls however concurrent requests interleave.
type Faults struct {
	seed int64

	mu    sync.Mutex
	rules []*faultRule
	calls map[string]int64 // per endpoint, since the profile was last Set
	fired map[string]int64 // per kind, since the Faults was made
}

type faultRule struct {
	endpoint string // "*" matches all
	kind     string
	arg      string
	trig     trigger
	times    int // 0: no cap
	fired    int
}

// trigger says on which of an endpoint's calls a rule fires.
type trigger struct {
	chance   float64 // > 0: fire with this probability
	from, to int64   // otherwise: fire on calls from..to that are multiples of every
	every    int64
	text     string // canonical form, for Spec
}

// ParseFaults parses a fault profile (see Faults); an empty spec injects
// nothing. The seed makes probability rules reproducible.
func ParseFaults(spec string, seed int64) (*Faults, error) {
	rules, err := parseFaultRules(spec)
	if err != nil {
		return nil, err
	}
	return &Faults{seed: seed, rules: rules, calls: map[string]int64{}, fired: map[string]int64{}}, nil
}

// Set replaces the profile. Call numbers and times caps start again from
// zero, so call=N means the N-th call from now. On a parse error the
// current profile stays.
func (f *Faults) Set(spec string) error {
	rules, err := parseFaultRules(spec)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = rules
	f.calls = map[string]int64{}
	return nil
}

// Add appends rules to the profile, after the current ones, keeping call
// numbers as they are.
func (f *Faults) Add(spec string) error {
	rules, err := parseFaultRules(spec)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, rules...)
	return nil
}

// Spec returns the profile in canonical form.
func (f *Faults) Spec() string {
	if f == nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := make([]string, len(f.rules))
	for i, r := range f.rules {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// Decide counts a call to endpoint and says which fault, if any, it must
// suffer, with the fault's argument ("" for all kinds but slow, whose
// argument is a duration such as "2s").
func (f *Faults) Decide(endpoint string) (kind string, arg string, ok bool) {
	if f == nil {
		return "", "", false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[endpoint]++
	n := f.calls[endpoint]
	for i, r := range f.rules {
		if r.times > 0 && r.fired >= r.times {
			continue
		}
		if r.endpoint != "*" && !strings.EqualFold(r.endpoint, endpoint) {
			continue
		}
		if !r.trig.fires(f.seed, i, endpoint, n) {
			continue
		}
		r.fired++
		f.fired[r.kind]++
		return r.kind, r.arg, true
	}
	return "", "", false
}

// Fired returns how many faults of each kind have fired.
func (f *Faults) Fired() map[string]int64 {
	out := map[string]int64{}
	if f == nil {
		return out
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range f.fired {
		out[k] = v
	}
	return out
}

// Calls returns how many calls to endpoint were decided since the profile
// was last Set.
func (f *Faults) Calls(endpoint string) int64 {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[endpoint]
}

func (t trigger) fires(seed int64, rule int, endpoint string, n int64) bool {
	if t.chance > 0 {
		return uniform(seed, rule, endpoint, n) < t.chance
	}
	return n >= t.from && n <= t.to && n%t.every == 0
}

// uniform maps (seed, rule, endpoint, call number) to a number in [0, 1)
// that looks random but depends on nothing else.
func uniform(seed int64, rule int, endpoint string, n int64) float64 {
	h := fnv.New64a()
	h.Write([]byte(endpoint))
	x := mix64(h.Sum64() ^ uint64(seed))
	x = mix64(x ^ uint64(rule))
	x = mix64(x ^ uint64(n))
	return float64(x>>11) / (1 << 53)
}

// mix64 is SplitMix64's step: a cheap bijection whose output bits each
// depend on every input bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func parseFaultRules(spec string) ([]*faultRule, error) {
	var rules []*faultRule
	for i, text := range strings.Split(spec, ",") {
		text = strings.TrimSpace(text)
		if text == "" {
			continue // tolerate "a,,b" and a trailing comma
		}
		r, err := parseFaultRule(text)
		if err != nil {
			return nil, fmt.Errorf("sandbox: fault profile: rule %d %q: %w", i+1, text, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func parseFaultRule(text string) (*faultRule, error) {
	endpoint, rest, ok := strings.Cut(text, ":")
	if !ok {
		return nil, fmt.Errorf("want endpoint:kind@trigger, such as Invoices:500@0.05")
	}
	endpoint = strings.TrimSpace(endpoint)
	if endpoint == "" || strings.ContainsAny(endpoint, " \t@=") {
		return nil, fmt.Errorf("bad endpoint %q: want a name such as Invoices, or *", endpoint)
	}
	kindArg, trig, ok := strings.Cut(rest, "@")
	if !ok {
		return nil, fmt.Errorf("missing @trigger after the kind, such as @0.05, @call=3, @every=10 or @calls=2-5")
	}
	r := &faultRule{endpoint: endpoint}
	var err error
	if r.kind, r.arg, err = parseFaultKind(strings.TrimSpace(kindArg)); err != nil {
		return nil, err
	}
	trig = strings.TrimSpace(trig)
	if i := strings.LastIndex(trig, "x"); i >= 0 {
		r.times, err = strconv.Atoi(trig[i+1:])
		if err != nil || r.times < 1 {
			return nil, fmt.Errorf("bad times %q after x: want a whole number of at least 1", trig[i+1:])
		}
		trig = trig[:i]
	}
	if r.trig, err = parseTrigger(trig); err != nil {
		return nil, err
	}
	return r, nil
}

func parseFaultKind(s string) (kind, arg string, err error) {
	kind, arg, hasArg := strings.Cut(s, "=")
	known := false
	for _, k := range faultKinds {
		if kind == k {
			known = true
		}
	}
	if !known {
		return "", "", fmt.Errorf("unknown kind %q (want one of %s)", kind, strings.Join(faultKinds, ", "))
	}
	switch {
	case kind == FaultSlow && !hasArg:
		return kind, DefaultSlowDelay.String(), nil
	case kind == FaultSlow:
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return "", "", fmt.Errorf("bad delay %q for slow: want a positive duration such as 500ms or 2s", arg)
		}
		return kind, d.String(), nil
	case hasArg:
		return "", "", fmt.Errorf("kind %q takes no argument (only slow does, as slow=2s)", kind)
	}
	return kind, "", nil
}

func parseTrigger(s string) (trigger, error) {
	name, value, hasName := strings.Cut(s, "=")
	if !hasName {
		p, err := strconv.ParseFloat(s, 64)
		if err != nil || !(p > 0 && p <= 1) {
			return trigger{}, fmt.Errorf("bad trigger %q: want a probability in (0,1] such as 0.05, or call=N, every=N, calls=N-M", s)
		}
		return trigger{chance: p, text: strconv.FormatFloat(p, 'g', -1, 64)}, nil
	}
	switch name {
	case "call":
		n, err := parseCallNumber(value)
		return trigger{from: n, to: n, every: 1, text: fmt.Sprintf("call=%d", n)}, err
	case "every":
		n, err := parseCallNumber(value)
		return trigger{from: 1, to: 1<<63 - 1, every: n, text: fmt.Sprintf("every=%d", n)}, err
	case "calls":
		a, b, ok := strings.Cut(value, "-")
		if !ok {
			return trigger{}, fmt.Errorf("bad range %q: want calls=N-M such as calls=2-5", value)
		}
		from, err := parseCallNumber(a)
		if err != nil {
			return trigger{}, err
		}
		to, err := parseCallNumber(b)
		if err != nil {
			return trigger{}, err
		}
		if to < from {
			return trigger{}, fmt.Errorf("bad range %q: the end comes before the start", value)
		}
		return trigger{from: from, to: to, every: 1, text: fmt.Sprintf("calls=%d-%d", from, to)}, nil
	}
	return trigger{}, fmt.Errorf("unknown trigger %q (want a probability, call=N, every=N or calls=N-M)", name)
}

func parseCallNumber(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad call number %q: want a whole number of at least 1", s)
	}
	return n, nil
}

// String returns the rule in canonical profile syntax.
func (r *faultRule) String() string {
	var b strings.Builder
	b.WriteString(r.endpoint + ":" + r.kind)
	if r.arg != "" {
		b.WriteString("=" + r.arg)
	}
	b.WriteString("@" + r.trig.text)
	if r.times > 0 {
		fmt.Fprintf(&b, "x%d", r.times)
	}
	return b.String()
}
