package xero

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/datapull/datapull/internal/sandbox"
)

// limitsTestStart is 10:00 UTC, so the provider day has 14 hours left.
var limitsTestStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// newLimitsTestServer returns just enough of a Server for the limiter and
// the fault injector, on a frozen clock (only Advance moves it, and
// Retry-After equals the provider wait).
func newLimitsTestServer(t *testing.T, edit func(*Config)) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.TimeScale = 0
	if edit != nil {
		edit(&cfg)
	}
	faults, err := sandbox.ParseFaults(cfg.Faults, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: cfg, clock: sandbox.NewClock(limitsTestStart, cfg.TimeScale), faults: faults, meter: sandbox.NewMeter()}
	s.ident = newIdentity(s)
	s.limits = newLimiter(s)
	return s
}

// admitted is one admit call's outcome as the client would see it.
type admitted struct {
	release func()
	rec     *httptest.ResponseRecorder
	err     *apiError
}

func admitOne(s *Server, tenant string) admitted {
	rec := httptest.NewRecorder()
	release, err := s.limits.admit(rec, tenant)
	if err != nil {
		err.Send(rec)
	}
	return admitted{release: release, rec: rec, err: err}
}

// wantRemaining checks the three remaining-allowance headers.
func wantRemaining(t *testing.T, what string, h http.Header, day, minute, app int) {
	t.Helper()
	for name, want := range map[string]int{"X-DayLimit-Remaining": day, "X-MinLimit-Remaining": minute, "X-AppMinLimit-Remaining": app} {
		if got := h.Get(name); got != strconv.Itoa(want) {
			t.Errorf("%s: %s = %q, want %d", what, name, got, want)
		}
	}
}

// want429 checks a refusal's status, problem, Retry-After and body.
func want429(t *testing.T, what string, a admitted, problem, retryAfter string) {
	t.Helper()
	if a.err == nil {
		t.Fatalf("%s: admitted, want 429 %s", what, problem)
	}
	res := a.rec.Result()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%s: status %d, want 429", what, res.StatusCode)
	}
	if got := res.Header.Get("X-Rate-Limit-Problem"); got != problem {
		t.Errorf("%s: X-Rate-Limit-Problem %q, want %q", what, got, problem)
	}
	if got := res.Header.Get("Retry-After"); got != retryAfter {
		t.Errorf("%s: Retry-After %q, want %q", what, got, retryAfter)
	}
	if ct := res.Header.Get("Content-Type"); ct != contentHTML {
		t.Errorf("%s: Content-Type %q, want %q", what, ct, contentHTML)
	}
	if body := a.rec.Body.String(); body != rateLimitBody {
		t.Errorf("%s: body %q", what, body)
	}
}

func TestLimitsMinuteWindow(t *testing.T) {
	s := newLimitsTestServer(t, nil)
	s.clock.Advance(15 * time.Second) // the window opens mid-minute, at the first call
	for i := 1; i <= 60; i++ {
		a := admitOne(s, "t1")
		if a.err != nil {
			t.Fatalf("call %d refused: %s", i, a.err.Body)
		}
		wantRemaining(t, "call "+strconv.Itoa(i), a.rec.Header(), 5000-i, 60-i, 10000-i)
		a.release()
	}
	s.clock.Advance(20 * time.Second)
	a := admitOne(s, "t1")
	want429(t, "61st call", a, "minute", "40")
	// The refusal consumed nothing: the day and app allowances did not move.
	wantRemaining(t, "61st call", a.rec.Header(), 4940, 0, 9940)
	if b := admitOne(s, "t2"); b.err != nil {
		t.Fatal("another tenant refused: the minute is per tenant")
	} else {
		wantRemaining(t, "t2", b.rec.Header(), 4999, 59, 9939)
		b.release()
	}
	s.clock.Advance(39 * time.Second)
	want429(t, "a second before the reset", admitOne(s, "t1"), "minute", "1")
	s.clock.Advance(time.Second)
	a = admitOne(s, "t1")
	if a.err != nil {
		t.Fatalf("after the minute: %s", a.err.Body)
	}
	// The app window opened with t1's first call too, so it reset as well.
	wantRemaining(t, "after the minute", a.rec.Header(), 4939, 59, 9999)
}

func TestLimitsRetryAfterIsWallTime(t *testing.T) {
	// At 60 provider seconds per wall second, a minute's wait is one wall second.
	s := newLimitsTestServer(t, func(c *Config) { c.TimeScale = 60; c.MinuteLimit = 1 })
	admitOne(s, "t1").release()
	want429(t, "scaled clock", admitOne(s, "t1"), "minute", "1")
}

func TestLimitsDayLimit(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.DayLimit = 3 })
	for i := range 3 {
		a := admitOne(s, "t1")
		if a.err != nil {
			t.Fatalf("call %d refused", i+1)
		}
		a.release()
	}
	a := admitOne(s, "t1")
	// 10:00 to midnight UTC is 14 hours.
	want429(t, "4th call of the day", a, "day", strconv.Itoa(14*3600))
	wantRemaining(t, "4th call", a.rec.Header(), 0, 57, 9997)
	s.clock.Advance(14*time.Hour - time.Second)
	want429(t, "a second before midnight", admitOne(s, "t1"), "day", "1")
	s.clock.Advance(time.Second)
	if a := admitOne(s, "t1"); a.err != nil {
		t.Fatal("refused after midnight")
	} else {
		wantRemaining(t, "new day", a.rec.Header(), 2, 59, 9999)
	}
}

func TestLimitsCheckOrder(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Config)
		calls   int  // admitted before the call checked
		hold    bool // keep those calls in flight
		problem string
	}{
		// The day is reported even when the minute is spent too: the client
		// must stop until tomorrow, not retry in a minute.
		{"day over minute", func(c *Config) { c.DayLimit = 2; c.MinuteLimit = 2 }, 2, false, "day"},
		{"day over app minute", func(c *Config) { c.DayLimit = 2; c.AppMinuteLimit = 2 }, 2, false, "day"},
		{"app minute over tenant minute", func(c *Config) { c.AppMinuteLimit = 2; c.MinuteLimit = 2 }, 2, false, "appminute"},
		{"minute over concurrency", func(c *Config) { c.MinuteLimit = 2; c.ConcurrentMax = 2 }, 2, true, "minute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newLimitsTestServer(t, tt.edit)
			for range tt.calls {
				a := admitOne(s, "t1")
				if a.err != nil {
					t.Fatal("setup call refused")
				}
				if !tt.hold {
					a.release()
				}
			}
			a := admitOne(s, "t1")
			if a.err == nil {
				t.Fatal("admitted")
			}
			if got := a.rec.Header().Get("X-Rate-Limit-Problem"); got != tt.problem {
				t.Fatalf("problem %q, want %q", got, tt.problem)
			}
		})
	}
}

func TestLimitsAppMinute(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) { c.AppMinuteLimit = 3 })
	for _, tenant := range []string{"t1", "t2", "t3"} {
		admitOne(s, tenant).release()
	}
	s.clock.Advance(10 * time.Second)
	a := admitOne(s, "t4")
	want429(t, "4th call of the app's minute", a, "appminute", "50")
	wantRemaining(t, "appminute refusal", a.rec.Header(), 5000, 60, 0)
}

func TestLimitsConcurrent(t *testing.T) {
	s := newLimitsTestServer(t, nil)
	var held []func()
	for i := range 5 {
		a := admitOne(s, "t1")
		if a.err != nil {
			t.Fatalf("call %d of 5 in flight refused", i+1)
		}
		held = append(held, a.release)
	}
	a := admitOne(s, "t1")
	want429(t, "6th concurrent call", a, "concurrent", "")
	wantRemaining(t, "concurrent refusal", a.rec.Header(), 4995, 55, 9995)
	if b := admitOne(s, "t2"); b.err != nil {
		t.Fatal("another tenant refused: concurrency is per tenant")
	} else {
		b.release()
	}
	held[0]()
	held[0]() // a second release must not free a second slot
	if b := admitOne(s, "t1"); b.err != nil {
		t.Fatal("refused after a call finished")
	}
	want429(t, "5 in flight again", admitOne(s, "t1"), "concurrent", "")
}

func TestLimitsConcurrentOverHTTP(t *testing.T) {
	// Six requests for one tenant arrive together while each is held in the
	// handler: five are served, one is refused at once, not queued.
	s := newLimitsTestServer(t, nil)
	block := make(chan struct{})
	entered := make(chan struct{}, 6)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, apiErr := s.limits.admit(w, "t1")
		if apiErr != nil {
			apiErr.Send(w)
			entered <- struct{}{}
			return
		}
		defer release()
		entered <- struct{}{}
		<-block
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	statuses := make(chan int, 6)
	for range 6 {
		go func() {
			res, err := srv.Client().Get(srv.URL)
			if err != nil {
				statuses <- 0
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	for range 6 {
		<-entered
	}
	// All six have been decided; exactly one is back already.
	if got := <-statuses; got != http.StatusTooManyRequests {
		t.Fatalf("first response %d, want 429", got)
	}
	close(block)
	for range 5 {
		if got := <-statuses; got != http.StatusOK {
			t.Fatalf("held response %d, want 200", got)
		}
	}
}

func TestLimitsOff(t *testing.T) {
	s := newLimitsTestServer(t, func(c *Config) {
		c.LimitsOff = true
		c.MinuteLimit, c.DayLimit, c.ConcurrentMax = 2, 3, 1
	})
	for i := 1; i <= 6; i++ {
		a := admitOne(s, "t1") // never released: concurrency is off too
		if a.err != nil {
			t.Fatalf("call %d refused with limits off: %s", i, a.err.Body)
		}
		wantRemaining(t, "call "+strconv.Itoa(i), a.rec.Header(), max(3-i, 0), max(2-i, 0), 10000-i)
	}
}

func TestLimitsAppHeaders(t *testing.T) {
	s := newLimitsTestServer(t, nil)
	admitOne(s, "t1").release()
	for range 3 {
		rec := httptest.NewRecorder()
		s.limits.appHeaders(rec)
		if got := rec.Header().Get("X-AppMinLimit-Remaining"); got != "9999" {
			t.Fatalf("X-AppMinLimit-Remaining %q, want 9999 (tenantless calls are not counted)", got)
		}
		if rec.Header().Get("X-MinLimit-Remaining") != "" || rec.Header().Get("X-DayLimit-Remaining") != "" {
			t.Fatal("tenant headers on a tenantless response")
		}
	}
}
