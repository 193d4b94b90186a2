package sandbox

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// firedCalls decides n calls to endpoint and returns the 1-based numbers of
// those that drew a fault, with its kind.
func firedCalls(f *Faults, endpoint string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		if kind, _, ok := f.Decide(endpoint); ok {
			out = append(out, fmt.Sprintf("%d:%s", i, kind))
		}
	}
	return out
}

func mustFaults(t *testing.T, spec string, seed int64) *Faults {
	t.Helper()
	f, err := ParseFaults(spec, seed)
	if err != nil {
		t.Fatalf("ParseFaults(%q): %v", spec, err)
	}
	return f
}

func TestParseFaultsErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"Invoices", "want endpoint:kind@trigger"},
		{":500@0.1", "bad endpoint"},
		{"In voices:500@0.1", "bad endpoint"},
		{"Invoices:500", "missing @trigger"},
		{"Invoices:50x@0.1", `unknown kind "50x" (want one of 429-minute, 429-day, 500,`},
		{"Invoices:500=1@0.1", `kind "500" takes no argument`},
		{"Invoices:slow=fast@0.1", `bad delay "fast"`},
		{"Invoices:slow=-1s@0.1", `bad delay "-1s"`},
		{"Invoices:500@0", "want a probability in (0,1]"},
		{"Invoices:500@1.5", "want a probability in (0,1]"},
		{"Invoices:500@often", "want a probability in (0,1]"},
		{"Invoices:500@call=0", `bad call number "0"`},
		{"Invoices:500@every=two", `bad call number "two"`},
		{"Invoices:500@calls=5", `bad range "5"`},
		{"Invoices:500@calls=5-2", "the end comes before the start"},
		{"Invoices:500@sometimes=2", `unknown trigger "sometimes"`},
		{"Invoices:500@0.1x0", `bad times "0"`},
		{"Invoices:500@0.1xmany", `bad times "many"`},
		{"Invoices:500@0.5, Journals:oops@0.5", `rule 2 "Journals:oops@0.5"`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseFaults(tt.spec, 1)
			if err == nil {
				t.Fatal("parsed, want an error")
			}
			if !strings.HasPrefix(err.Error(), "sandbox: fault profile: rule ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want prefix %q and %q", err, "sandbox: fault profile: rule ", tt.want)
			}
		})
	}
}

func TestParseFaultsCanonical(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", ""},
		{" , ", ""},
		// The example in the CLI's -faults help must stay valid.
		{"Invoices:500@0.05,*:reset@call=7", "Invoices:500@0.05,*:reset@call=7"},
		{" Journals : slow @ every=3x2 ,", "Journals:slow=2s@every=3x2"},
		{"Reports/TrialBalance:slow=1500ms@calls=2-4,token:revoke@1", "Reports/TrialBalance:slow=1.5s@calls=2-4,token:revoke@1"},
		{"*:429-day@call=1x1,connections:token-expiry@0.5", "*:429-day@call=1x1,connections:token-expiry@0.5"},
	}
	for _, tt := range tests {
		f := mustFaults(t, tt.spec, 1)
		if got := f.Spec(); got != tt.want {
			t.Errorf("Spec of %q = %q, want %q", tt.spec, got, tt.want)
		}
	}
	if _, _, ok := mustFaults(t, "", 1).Decide("Invoices"); ok {
		t.Error("empty profile injected a fault")
	}
}

func TestFaultsCallTriggers(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string // of 12 calls to Invoices
	}{
		{"call=N", "Invoices:500@call=3", []string{"3:500"}},
		{"every=N", "Invoices:503@every=4", []string{"4:503", "8:503", "12:503"}},
		{"calls=N-M", "Invoices:reset@calls=2-4", []string{"2:reset", "3:reset", "4:reset"}},
		{"times caps every", "Invoices:502@every=2x3", []string{"2:502", "4:502", "6:502"}},
		{"times caps a certainty", "Invoices:504@1x2", []string{"1:504", "2:504"}},
		{"star matches", "*:truncate@call=5", []string{"5:truncate"}},
		{"endpoint case is ignored", "invoices:500@call=1", []string{"1:500"}},
		{"other endpoint untouched", "Contacts:500@1", nil},
		{"first listed wins, capped rule steps aside",
			"Invoices:500@call=2,Invoices:503@calls=1-3x2", []string{"1:503", "2:500", "3:503"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := firedCalls(mustFaults(t, tt.spec, 7), "Invoices", 12)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("fired %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFaultsCountCallsPerEndpoint(t *testing.T) {
	f := mustFaults(t, "*:reset@call=2", 1)
	var got []string
	for _, ep := range []string{"Invoices", "Contacts", "Contacts", "Invoices", "Invoices", "Contacts"} {
		kind, _, ok := f.Decide(ep)
		got = append(got, fmt.Sprintf("%s:%v:%s", ep, ok, kind))
	}
	want := []string{"Invoices:false:", "Contacts:false:", "Contacts:true:reset", "Invoices:true:reset", "Invoices:false:", "Contacts:false:"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if f.Calls("Invoices") != 3 || f.Calls("Contacts") != 3 {
		t.Fatalf("calls counted %d and %d, want 3 and 3", f.Calls("Invoices"), f.Calls("Contacts"))
	}
	if got := f.Fired(); !reflect.DeepEqual(got, map[string]int64{FaultReset: 2}) {
		t.Fatalf("Fired = %v, want reset: 2", got)
	}
}

func TestFaultsDeterministicBySeed(t *testing.T) {
	const spec, calls = "Invoices:500@0.2,Journals:slow=10ms@0.1", 2000
	a := firedCalls(mustFaults(t, spec, 42), "Invoices", calls)
	b := firedCalls(mustFaults(t, spec, 42), "Invoices", calls)
	c := firedCalls(mustFaults(t, spec, 43), "Invoices", calls)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed fired different calls")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds fired the same calls")
	}
	if rate := float64(len(a)) / calls; rate < 0.17 || rate > 0.23 {
		t.Fatalf("probability 0.2 fired on %.3f of calls", rate)
	}
	// Decisions depend on each endpoint's own call sequence, so calls to
	// other endpoints, interleaved in any order from many goroutines, do
	// not change which Invoices calls fail.
	f := mustFaults(t, spec, 42)
	var wg sync.WaitGroup
	var got []string
	for g := range 8 {
		if g == 0 {
			wg.Go(func() { got = firedCalls(f, "Invoices", calls) })
			continue
		}
		wg.Go(func() { firedCalls(f, fmt.Sprintf("Endpoint%d", g), calls) })
	}
	wg.Wait()
	if !reflect.DeepEqual(got, a) {
		t.Fatal("concurrent calls to other endpoints changed the Invoices decisions")
	}
	if n := f.Fired()[Fault500]; n != int64(len(a)) {
		t.Fatalf("Fired[500] = %d, want %d", n, len(a))
	}
}

func TestFaultsSetAndAdd(t *testing.T) {
	f := mustFaults(t, "Invoices:500@call=2", 1)
	f.Decide("Invoices")
	if err := f.Set("Invoices:503@call=2"); err != nil {
		t.Fatal(err)
	}
	// Set restarts call numbers: the next call is call 1 again.
	if got := firedCalls(f, "Invoices", 3); !reflect.DeepEqual(got, []string{"2:503"}) {
		t.Fatalf("after Set fired %v, want [2:503]", got)
	}
	if err := f.Set("Invoices:nope@1"); err == nil {
		t.Fatal("Set accepted a bad profile")
	}
	if got := f.Spec(); got != "Invoices:503@call=2" {
		t.Fatalf("a failed Set changed the profile to %q", got)
	}
	// Add keeps call numbers: Invoices has had 3 calls.
	if err := f.Add("Invoices:504@call=4"); err != nil {
		t.Fatal(err)
	}
	if kind, _, ok := f.Decide("Invoices"); !ok || kind != Fault504 {
		t.Fatalf("call 4 after Add: %q %v, want 504", kind, ok)
	}
	if got := f.Spec(); got != "Invoices:503@call=2,Invoices:504@call=4" {
		t.Fatalf("Spec after Add = %q", got)
	}
	if err := f.Set(""); err != nil {
		t.Fatal(err)
	}
	if got := firedCalls(f, "Invoices", 10); got != nil {
		t.Fatalf("empty profile fired %v", got)
	}
	if got := f.Fired(); got[Fault503] != 1 || got[Fault504] != 1 {
		t.Fatalf("Fired = %v, want counts kept across Set", got)
	}
}

func TestFaultsSlowArgument(t *testing.T) {
	f := mustFaults(t, "A:slow@1,B:slow=250ms@1", 1)
	if _, arg, _ := f.Decide("A"); arg != DefaultSlowDelay.String() {
		t.Errorf("plain slow: arg %q, want %q", arg, DefaultSlowDelay.String())
	}
	if _, arg, _ := f.Decide("B"); arg != "250ms" {
		t.Errorf("slow=250ms: arg %q", arg)
	}
}

func TestNilFaultsInjectNothing(t *testing.T) {
	var f *Faults
	if _, _, ok := f.Decide("Invoices"); ok {
		t.Fatal("nil Faults injected a fault")
	}
	if f.Spec() != "" || len(f.Fired()) != 0 || f.Calls("Invoices") != 0 {
		t.Fatal("nil Faults reports state")
	}
}
