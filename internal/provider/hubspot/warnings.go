package hubspot

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// warnings collects, for one pull of one endpoint, the property values
// that do not match their declared type (X12: "123;456" in a number
// field). The records are stored exactly as sent; the engine turns the
// list into a note, so a bad value is seen, never a crash.
type warnings struct {
	mu  sync.Mutex
	bad map[string]*badValue // by "type\x00property"
}

type badValue struct {
	typ, prop, declared string
	count               int
	exampleID, example  string
	text                string // a free-form warning instead of a bad value
}

func (w *warnings) add(typ, prop, declared, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.bad == nil {
		w.bad = map[string]*badValue{}
	}
	k := typ + "\x00" + prop + "\x00" + text
	if b := w.bad[k]; b != nil {
		b.count++
		return
	}
	w.bad[k] = &badValue{typ: typ, prop: prop, declared: declared, count: 1, text: text}
}

// check looks at the values of a record's typed properties.
func (w *warnings) check(typ string, r *crmRecord, plan propPlan) {
	for _, p := range r.props {
		declared := plan.types[string(p.name)]
		switch declared {
		case "number", "bool", "date", "datetime":
		default:
			continue
		}
		v := unquote(p.value)
		if v == "" || valueFits(declared, v) {
			continue
		}
		w.mu.Lock()
		if w.bad == nil {
			w.bad = map[string]*badValue{}
		}
		k := typ + "\x00" + string(p.name)
		b := w.bad[k]
		if b == nil {
			b = &badValue{typ: typ, prop: string(p.name), declared: declared, exampleID: r.ID, example: v}
			w.bad[k] = b
		}
		b.count++
		w.mu.Unlock()
	}
}

// valueFits reports whether a property value (always a string on the
// wire) reads as its declared type (hubspot-api.md §4.3, gotcha 9).
func valueFits(declared, v string) bool {
	switch declared {
	case "number":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "bool":
		return v == "true" || v == "false"
	case "date", "datetime":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		if _, err := time.Parse("2006-01-02", v); err == nil {
			return true
		}
		_, err := time.Parse(time.RFC3339Nano, v)
		return err == nil
	}
	return true
}

// list is the warnings in a stable order, each one sentence.
func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.bad))
	for _, b := range w.bad {
		if b.text != "" {
			out = append(out, fmt.Sprintf("%s: %s (%d times)", b.typ, b.text, b.count))
			continue
		}
		ex := b.example
		if len(ex) > 60 {
			ex = ex[:60] + "…"
		}
		out = append(out, fmt.Sprintf("%s: property %q is declared %s but %d record(s) hold other values (e.g. record %s: %q); they are stored as sent",
			b.typ, b.prop, b.declared, b.count, b.exampleID, ex))
	}
	sort.Strings(out)
	return out
}

func (w *warnings) String() string { return strings.Join(w.list(), "; ") }
