package xero

// Xero's `where` parameter is a System.Linq.Dynamic expression evaluated
// against the endpoint's .NET model. This file parses the part of that
// language clients use and compiles it, once per request, into a predicate
// over the sandbox's wire structs, whose `json:"Name"` tags are the field
// names. Error messages copy Dynamic LINQ's wording ("No property or field
// 'Foo' exists in type 'Invoice' (at index 0)") so a client sees what Xero
// would tell it.
//
// Supported:
//   - comparisons ==, = (also equality, as in Dynamic LINQ), !=, <>, <, <=,
//     >, >=; logic AND/&&, OR/||, NOT/!, parentheses; keywords in any case;
//   - literals: "strings" and 'strings' (a quote inside is doubled, or
//     escaped with a backslash), numbers (an optional m/M decimal suffix,
//     unary minus), true, false, null, Guid("…"), Guid.Parse("…"),
//     DateTime(y,m,d), DateTime(y,m,d,h,mi,s), DateTime.Parse("…");
//   - fields, nested through structs (Contact.ContactID), and a bare
//     boolean field as a condition (IsSupplier, !IsCustomer);
//   - string methods ToLower(), ToUpper(), Trim(), Contains(s),
//     StartsWith(s), EndsWith(s), Equals(s), and ToString() on a GUID.
//
// Semantics, where the references are silent:
//   - Field names match case-insensitively (an exact match wins), as
//     Dynamic LINQ binds members with IgnoreCase; the spec's examples use
//     the exact case.
//   - String == and the string methods are case-sensitive, as in .NET;
//     ToLower() is how a client asks for anything else. <, > on strings
//     ignore case first (the database's collation), then compare exactly.
//   - A string field whose name ends in ID (InvoiceID, Contact.ContactID)
//     is a Guid, as in Xero's model: it compares with Guid("…")
//     (case-insensitively) and comparing it with a plain string is the
//     "incompatible operand types" error Xero gives. ReportID, FieldID and
//     TaxID are strings in the spec and stay strings.
//   - Null: a nil pointer, and a string, GUID or date field whose tag has
//     omitempty/omitzero and whose value is the zero value (it is absent on
//     the wire), are null. Numbers and booleans are never null unless
//     behind a nil pointer: they are .NET value types in Xero's model and
//     the sandbox's omitempty on them is only a wire economy. == and != on
//     a null follow .NET (null == null; null != "x"); <, >, the string
//     methods and NOT of a null are null, and a null condition is false,
//     as a database evaluates it.
//   - DateTime(…) is read as UTC, like the dates it is compared with.

import (
	"cmp"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxWhereDepth bounds the nesting of parentheses, NOT and method calls, so
// a hostile where cannot exhaust the parser's stack.
const maxWhereDepth = 100

// qkind is the type of a where operand, as far as comparisons care.
type qkind uint8

const (
	qNull   qkind = iota // the literal null
	qString              // strings and string enums (Status, Type)
	qGuid                // id fields and Guid("…")
	qNumber              // Money, integers, floats
	qBool
	qDate   // MSDate, time.Time, DateTime(…)
	qObject // nested structs, lists: only compared with null
)

// qval is one operand's value for one record. Only the field of its kind
// is set; it is a plain struct so evaluation allocates nothing.
type qval struct {
	null bool
	b    bool
	n    float64
	ms   int64
	s    string
}

var nullVal = qval{null: true}

// qoperand is a compiled where operand: its static kind, the .NET type
// name error messages use, and how to read it from a record (the struct
// value, or the zero Value when a record is nil).
type qoperand struct {
	kind  qkind
	typ   string
	eval  func(root reflect.Value) qval
	konst bool // a literal: eval ignores root
}

func literal(kind qkind, typ string, v qval) qoperand {
	return qoperand{kind: kind, typ: typ, konst: true, eval: func(reflect.Value) qval { return v }}
}

func boolOperand(eval func(reflect.Value) qval) qoperand {
	return qoperand{kind: qBool, typ: "Boolean", eval: eval}
}

// whereError is a parse or type error at a byte offset of the expression,
// formatted as Dynamic LINQ's ParseException.
type whereError struct {
	msg string
	pos int
}

func (e *whereError) Error() string { return fmt.Sprintf("%s (at index %d)", e.msg, e.pos) }

func whereErrf(pos int, format string, args ...any) error {
	return &whereError{msg: fmt.Sprintf(format, args...), pos: pos}
}

// ---------------------------------------------------------------------------
// Compiling and applying

// compileWhere compiles a where expression against record type t (a struct
// or a pointer to one) into a predicate that takes a record of that type, by
// value or by pointer; any other value does not match. A blank expression
// matches everything. Errors carry Dynamic LINQ's message and position, to
// be sent in a 400 ValidationException.
func compileWhere(src string, t reflect.Type) (func(any) bool, error) {
	root, err := rootStruct(t)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(src) == "" {
		return func(any) bool { return true }, nil
	}
	toks, err := lexWhere(src)
	if err != nil {
		return nil, err
	}
	p := &whereParser{toks: toks, root: root}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != wtEOF {
		return nil, whereErrf(t.pos, "Syntax error")
	}
	if x.kind != qBool {
		return nil, whereErrf(0, "Expression of type 'Boolean' expected")
	}
	st := root.typ
	eval := x.eval
	return func(v any) bool {
		rv := recordValue(v)
		if !rv.IsValid() || rv.Type() != st {
			return false
		}
		r := eval(rv)
		return !r.null && r.b
	}, nil
}

// filterWhere returns the items that match a where expression, in their
// order, as a new slice; a blank expression returns items itself. A bad
// expression is the 400 ValidationException.
func filterWhere[T any](items []T, src string) ([]T, *apiError) {
	if strings.TrimSpace(src) == "" {
		return items, nil
	}
	match, err := compileWhere(src, reflect.TypeFor[T]())
	if err != nil {
		return nil, errValidation(err.Error())
	}
	var out []T
	for _, it := range items {
		if match(it) {
			out = append(out, it)
		}
	}
	return out, nil
}

// recordValue returns the struct a record is or points to; the zero Value
// for nil.
func recordValue(v any) reflect.Value {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}
		}
		rv = rv.Elem()
	}
	return rv
}

// rootStruct returns the field table of a record type.
func rootStruct(t reflect.Type) (*qstruct, error) {
	if t == nil {
		return nil, fmt.Errorf("xero sandbox: query on a nil record type")
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("xero sandbox: query on %s, which is not a struct", t)
	}
	return structInfo(t), nil
}

// ---------------------------------------------------------------------------
// Field tables, built once per struct type

// qfield is one field of a wire struct as where and order see it.
type qfield struct {
	name         string // JSON name
	index        []int  // for FieldByIndex, through embedded structs
	leaf         reflect.Type
	kind         qkind
	typ          string // .NET type name for messages
	nullWhenZero bool   // absent on the wire when zero, so null
	get          func(reflect.Value) qval
}

// qstruct is a struct type's fields by JSON name.
type qstruct struct {
	typ    reflect.Type
	name   string
	exact  map[string]*qfield
	folded map[string]*qfield // by lower-cased name
}

func (s *qstruct) lookup(name string) (*qfield, bool) {
	if f, ok := s.exact[name]; ok {
		return f, true
	}
	f, ok := s.folded[strings.ToLower(name)]
	return f, ok
}

// structCache holds the field table of every struct type queried, like
// encoding/json's cache: tables are immutable and a type's never changes,
// so it is shared process-wide without harm.
var structCache sync.Map // reflect.Type → *qstruct

func structInfo(t reflect.Type) *qstruct {
	if v, ok := structCache.Load(t); ok {
		return v.(*qstruct)
	}
	v, _ := structCache.LoadOrStore(t, buildStructInfo(t))
	return v.(*qstruct)
}

// buildStructInfo lists t's fields as encoding/json names them: the tag's
// name or the Go name, "-" skipped, untagged embedded structs flattened,
// the shallowest field winning a clash.
func buildStructInfo(t reflect.Type) *qstruct {
	s := &qstruct{typ: t, name: t.Name(), exact: map[string]*qfield{}, folded: map[string]*qfield{}}
	if s.name == "" {
		s.name = t.String()
	}
	depth := map[string]int{}
	for _, sf := range reflect.VisibleFields(t) {
		if !sf.IsExported() || !promoted(t, sf.Index) {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		leaf := derefType(sf.Type)
		if sf.Anonymous && name == "" && leaf.Kind() == reflect.Struct {
			continue // its fields are listed on their own
		}
		if name == "" {
			name = sf.Name
		}
		if d, seen := depth[name]; seen && d <= len(sf.Index) {
			continue
		}
		depth[name] = len(sf.Index)
		f := newField(name, sf.Index, leaf, opts)
		s.exact[name] = f
		s.folded[strings.ToLower(name)] = f
	}
	return s
}

// promoted reports whether the field at index is visible in t's JSON: every
// struct it is reached through is embedded without a JSON name.
func promoted(t reflect.Type, index []int) bool {
	for i := 1; i < len(index); i++ {
		sf := t.FieldByIndex(index[:i])
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.Anonymous || name != "" {
			return false
		}
	}
	return true
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var (
	msDateType = reflect.TypeFor[MSDate]()
	moneyType  = reflect.TypeFor[Money]()
	timeType   = reflect.TypeFor[time.Time]()
)

// notGuidIDs are spec fields named …ID that are not uuids.
var notGuidIDs = map[string]bool{"ReportID": true, "FieldID": true, "TaxID": true, "Id": true}

func isGuidName(name string) bool {
	return (strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "Id")) && !notGuidIDs[name]
}

func newField(name string, index []int, leaf reflect.Type, opts string) *qfield {
	f := &qfield{name: name, index: index, leaf: leaf}
	omitEmpty, omitZero := false, false
	for _, o := range strings.Split(opts, ",") {
		omitEmpty = omitEmpty || o == "omitempty"
		omitZero = omitZero || o == "omitzero"
	}
	switch {
	case leaf == msDateType:
		f.kind, f.typ = qDate, "DateTime"
		f.get = func(v reflect.Value) qval { return qval{ms: v.Int()} }
	case leaf == timeType:
		f.kind, f.typ = qDate, "DateTime"
		f.get = func(v reflect.Value) qval {
			if !v.CanInterface() {
				return nullVal
			}
			return qval{ms: v.Interface().(time.Time).UnixMilli()}
		}
	case leaf == moneyType:
		f.kind, f.typ = qNumber, "Decimal"
		f.get = func(v reflect.Value) qval { return qval{n: float64(v.Int()) / 100} }
	default:
		switch leaf.Kind() {
		case reflect.String:
			f.kind, f.typ = qString, "String"
			if isGuidName(name) {
				f.kind, f.typ = qGuid, "Guid"
			}
			f.get = func(v reflect.Value) qval { return qval{s: v.String()} }
		case reflect.Bool:
			f.kind, f.typ = qBool, "Boolean"
			f.get = func(v reflect.Value) qval { return qval{b: v.Bool()} }
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			f.kind, f.typ = qNumber, "Int32"
			f.get = func(v reflect.Value) qval { return qval{n: float64(v.Int())} }
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			f.kind, f.typ = qNumber, "Int32"
			f.get = func(v reflect.Value) qval { return qval{n: float64(v.Uint())} }
		case reflect.Float32, reflect.Float64:
			f.kind, f.typ = qNumber, "Decimal"
			f.get = func(v reflect.Value) qval { return qval{n: v.Float()} }
		default:
			f.kind, f.typ = qObject, leaf.Name()
			if k := leaf.Kind(); k == reflect.Slice || k == reflect.Array {
				f.typ = derefType(leaf.Elem()).Name() + "[]"
			}
			if f.typ == "" || f.typ == "[]" {
				f.typ = "Object"
			}
			f.get = func(reflect.Value) qval { return qval{} }
		}
	}
	switch f.kind {
	case qString, qGuid, qDate:
		f.nullWhenZero = omitEmpty || omitZero
	case qObject:
		k := leaf.Kind()
		f.nullWhenZero = omitZero || omitEmpty && (k == reflect.Slice || k == reflect.Map)
	}
	return f
}

// fieldOperand reads the field at the end of path, null if anything on
// the way is nil or absent.
func fieldOperand(path []*qfield) qoperand {
	leaf := path[len(path)-1]
	get := leaf.get
	return qoperand{kind: leaf.kind, typ: leaf.typ, eval: func(root reflect.Value) qval {
		if !root.IsValid() {
			return nullVal
		}
		v := root
		for _, f := range path {
			fv, err := v.FieldByIndexErr(f.index)
			if err != nil {
				return nullVal
			}
			if f.nullWhenZero && fv.IsZero() {
				return nullVal
			}
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					return nullVal
				}
				fv = fv.Elem()
			}
			v = fv
		}
		return get(v)
	}}
}

// resolvePath finds a dotted field path (Contact.Name) from root.
func resolvePath(root *qstruct, names []string) ([]*qfield, error) {
	st := root
	var path []*qfield
	for _, n := range names {
		if st == nil {
			return nil, fmt.Errorf("No property or field '%s' exists in type '%s'", n, path[len(path)-1].typ)
		}
		f, ok := st.lookup(n)
		if !ok {
			return nil, fmt.Errorf("No property or field '%s' exists in type '%s'", n, st.name)
		}
		path = append(path, f)
		st = nil
		if f.kind == qObject && f.leaf.Kind() == reflect.Struct {
			st = structInfo(f.leaf)
		}
	}
	return path, nil
}

// ---------------------------------------------------------------------------
// Comparing values

// compareVals orders two non-null values of one kind.
func compareVals(kind qkind, a, b *qval) int {
	switch kind {
	case qString, qGuid:
		return compareFold(a.s, b.s)
	case qNumber:
		return cmp.Compare(a.n, b.n)
	case qDate:
		return cmp.Compare(a.ms, b.ms)
	case qBool:
		switch {
		case a.b == b.b:
			return 0
		case b.b:
			return -1
		}
		return 1
	}
	return 0
}

// equalVals tests two non-null values of one kind for equality: exactly
// for strings, as .NET does, and ignoring case for GUIDs.
func equalVals(kind qkind, a, b qval) bool {
	switch kind {
	case qString:
		return a.s == b.s
	case qGuid:
		return strings.EqualFold(a.s, b.s)
	case qNumber:
		return a.n == b.n
	case qDate:
		return a.ms == b.ms
	case qBool:
		return a.b == b.b
	}
	return false
}

// compareFold orders strings ignoring case, then exactly, so the order is
// total and deterministic. It does not allocate.
func compareFold(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, na := rune(a[i]), 1
		if ra >= utf8.RuneSelf {
			ra, na = utf8.DecodeRuneInString(a[i:])
		}
		rb, nb := rune(b[j]), 1
		if rb >= utf8.RuneSelf {
			rb, nb = utf8.DecodeRuneInString(b[j:])
		}
		if ra != rb {
			if la, lb := unicode.ToLower(ra), unicode.ToLower(rb); la != lb {
				return cmp.Compare(la, lb)
			}
		}
		i += na
		j += nb
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return strings.Compare(a, b)
}

// ---------------------------------------------------------------------------
// Lexer

type whereTokKind uint8

const (
	wtEOF whereTokKind = iota
	wtIdent
	wtString
	wtNumber
	wtPunct
)

type whereTok struct {
	kind whereTokKind
	text string // the identifier, number, punctuation, or the string's value
	pos  int
}

// wherePuncts are the operators, longest first so "==" is not read as "=".
var wherePuncts = []string{"==", "!=", "<>", "<=", ">=", "&&", "||", "(", ")", ",", ".", "=", "<", ">", "!", "-"}

func lexWhere(src string) ([]whereTok, error) {
	var toks []whereTok
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			s, end, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, whereTok{kind: wtString, text: s, pos: i})
			i = end
		case isDigit(c):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			text := src[i:j]
			if j < len(src) && (src[j] == 'm' || src[j] == 'M') {
				j++ // C#'s decimal suffix
			}
			if j < len(src) && isIdentChar(src[j]) {
				return nil, whereErrf(i, "Invalid real literal '%s'", src[i:j+1])
			}
			toks = append(toks, whereTok{kind: wtNumber, text: text, pos: i})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			toks = append(toks, whereTok{kind: wtIdent, text: src[i:j], pos: i})
			i = j
		default:
			matched := false
			for _, p := range wherePuncts {
				if strings.HasPrefix(src[i:], p) {
					toks = append(toks, whereTok{kind: wtPunct, text: p, pos: i})
					i += len(p)
					matched = true
					break
				}
			}
			if !matched {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, whereErrf(i, "Syntax error '%c'", r)
			}
		}
	}
	return append(toks, whereTok{kind: wtEOF, pos: len(src)}), nil
}

// lexString reads a quoted string starting at src[start]. A quote inside is
// doubled (Dynamic LINQ) or backslash-escaped (what clients try first); any
// other backslash is kept as it is.
func lexString(src string, start int) (string, int, error) {
	q := src[start]
	var b strings.Builder
	for i := start + 1; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && (src[i+1] == q || src[i+1] == '\\'):
			b.WriteByte(src[i+1])
			i += 2
		case c == q && i+1 < len(src) && src[i+1] == q:
			b.WriteByte(q)
			i += 2
		case c == q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, whereErrf(start, "Unterminated string literal")
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// ---------------------------------------------------------------------------
// Parser

// whereParser is a recursive-descent parser that type-checks as it goes and
// builds the predicate's closures. Grammar, loosest first:
//
//	or         = and { ("||" | OR) and }
//	and        = unary { ("&&" | AND) unary }
//	unary      = ("!" | NOT) unary | comparison
//	comparison = value { cmpop value }
//	value      = primary { "." method "(" [args] ")" }
//	primary    = "(" or ")" | "-" value | string | number | true | false | null
//	           | Guid(...) | DateTime(...) | DateTime.Parse(...) | field { "." field }
type whereParser struct {
	toks  []whereTok
	i     int
	root  *qstruct
	depth int
}

func (p *whereParser) peek() whereTok { return p.peekAt(0) }

func (p *whereParser) peekAt(k int) whereTok {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *whereParser) next() whereTok {
	t := p.toks[p.i]
	if t.kind != wtEOF {
		p.i++
	}
	return t
}

func (p *whereParser) isPunctAt(k int, s string) bool {
	t := p.peekAt(k)
	return t.kind == wtPunct && t.text == s
}

func (p *whereParser) isPunct(s string) bool { return p.isPunctAt(0, s) }

func isWord(t whereTok, w string) bool { return t.kind == wtIdent && strings.EqualFold(t.text, w) }

func (p *whereParser) expect(s, msg string) error {
	if !p.isPunct(s) {
		return whereErrf(p.peek().pos, "%s", msg)
	}
	p.next()
	return nil
}

func (p *whereParser) enter() error {
	p.depth++
	if p.depth > maxWhereDepth {
		return whereErrf(p.peek().pos, "Expression is nested too deeply")
	}
	return nil
}

func (p *whereParser) parseOr() (qoperand, error) {
	return p.parseLogical("||", "or", true, p.parseAnd)
}

func (p *whereParser) parseAnd() (qoperand, error) {
	return p.parseLogical("&&", "and", false, p.parseUnary)
}

// parseLogical parses a chain of one short-circuit operator (OR when
// decisive is true, AND when false) over operands read by next. With
// three-valued logic, an operand equal to decisive settles the result;
// otherwise a null operand makes it null.
func (p *whereParser) parseLogical(sym, word string, decisive bool, next func() (qoperand, error)) (qoperand, error) {
	left, err := next()
	if err != nil {
		return qoperand{}, err
	}
	for {
		t := p.peek()
		if !(t.kind == wtPunct && t.text == sym || isWord(t, word)) {
			return left, nil
		}
		p.next()
		right, err := next()
		if err != nil {
			return qoperand{}, err
		}
		if left.kind != qBool || right.kind != qBool {
			return qoperand{}, whereErrf(t.pos, "Operator '%s' incompatible with operand types '%s' and '%s'", t.text, left.typ, right.typ)
		}
		l, r := left.eval, right.eval
		left = boolOperand(func(root reflect.Value) qval {
			a := l(root)
			if !a.null && a.b == decisive {
				return a
			}
			b := r(root)
			if !b.null && b.b == decisive {
				return b
			}
			if a.null || b.null {
				return nullVal
			}
			return qval{b: !decisive}
		})
	}
}

func (p *whereParser) parseUnary() (qoperand, error) {
	t := p.peek()
	if !(t.kind == wtPunct && t.text == "!" || isWord(t, "not")) {
		return p.parseComparison()
	}
	if err := p.enter(); err != nil {
		return qoperand{}, err
	}
	defer func() { p.depth-- }()
	p.next()
	x, err := p.parseUnary()
	if err != nil {
		return qoperand{}, err
	}
	if x.kind != qBool {
		return qoperand{}, whereErrf(t.pos, "Operator '%s' incompatible with operand type '%s'", t.text, x.typ)
	}
	e := x.eval
	return boolOperand(func(root reflect.Value) qval {
		v := e(root)
		if v.null {
			return v
		}
		return qval{b: !v.b}
	}), nil
}

var whereCmpOps = map[string]bool{"==": true, "=": true, "!=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *whereParser) parseComparison() (qoperand, error) {
	left, err := p.parseValue()
	if err != nil {
		return qoperand{}, err
	}
	for {
		t := p.peek()
		if t.kind != wtPunct || !whereCmpOps[t.text] {
			return left, nil
		}
		p.next()
		right, err := p.parseValue()
		if err != nil {
			return qoperand{}, err
		}
		if left, err = compareOperands(t, left, right); err != nil {
			return qoperand{}, err
		}
	}
}

// compareOperands type-checks a comparison and compiles it.
func compareOperands(op whereTok, l, r qoperand) (qoperand, error) {
	o := op.text
	switch o {
	case "=":
		o = "=="
	case "<>":
		o = "!="
	}
	equality := o == "==" || o == "!="
	incompatible := func() error {
		return whereErrf(op.pos, "Operator '%s' incompatible with operand types '%s' and '%s'", op.text, l.typ, r.typ)
	}
	le, re := l.eval, r.eval
	if l.kind == qNull || r.kind == qNull {
		if !equality {
			return qoperand{}, incompatible()
		}
		want := o == "=="
		return boolOperand(func(root reflect.Value) qval {
			a, b := le(root), re(root)
			return qval{b: (a.null == b.null) == want}
		}), nil
	}
	if l.kind != r.kind || l.kind == qObject || !equality && (l.kind == qBool || l.kind == qGuid) {
		return qoperand{}, incompatible()
	}
	kind := l.kind
	if equality {
		want := o == "=="
		return boolOperand(func(root reflect.Value) qval {
			a, b := le(root), re(root)
			if a.null || b.null {
				return qval{b: (a.null && b.null) == want}
			}
			return qval{b: equalVals(kind, a, b) == want}
		}), nil
	}
	var test func(c int) bool
	switch o {
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	default: // ">="
		test = func(c int) bool { return c >= 0 }
	}
	return boolOperand(func(root reflect.Value) qval {
		a, b := le(root), re(root)
		if a.null || b.null {
			return nullVal
		}
		return qval{b: test(compareVals(kind, &a, &b))}
	}), nil
}

// parseValue reads a primary and any method calls on it.
func (p *whereParser) parseValue() (qoperand, error) {
	if err := p.enter(); err != nil {
		return qoperand{}, err
	}
	defer func() { p.depth-- }()
	x, err := p.parsePrimary()
	if err != nil {
		return qoperand{}, err
	}
	for p.isPunct(".") {
		p.next()
		name := p.next()
		if name.kind != wtIdent {
			return qoperand{}, whereErrf(name.pos, "Identifier expected")
		}
		if !p.isPunct("(") {
			return qoperand{}, whereErrf(name.pos, "No property or field '%s' exists in type '%s'", name.text, x.typ)
		}
		p.next()
		var args []qoperand
		if !p.isPunct(")") {
			for {
				a, err := p.parseOr()
				if err != nil {
					return qoperand{}, err
				}
				args = append(args, a)
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
		}
		if err := p.expect(")", "')' or ',' expected"); err != nil {
			return qoperand{}, err
		}
		if x, err = applyMethod(x, name, args); err != nil {
			return qoperand{}, err
		}
	}
	return x, nil
}

func (p *whereParser) parsePrimary() (qoperand, error) {
	t := p.peek()
	switch t.kind {
	case wtString:
		p.next()
		return literal(qString, "String", qval{s: t.text}), nil
	case wtNumber:
		p.next()
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return qoperand{}, whereErrf(t.pos, "Invalid real literal '%s'", t.text)
		}
		typ := "Int32"
		if strings.Contains(t.text, ".") {
			typ = "Double"
		}
		return literal(qNumber, typ, qval{n: n}), nil
	case wtPunct:
		switch t.text {
		case "(":
			p.next()
			x, err := p.parseOr()
			if err != nil {
				return qoperand{}, err
			}
			if err := p.expect(")", "')' or operator expected"); err != nil {
				return qoperand{}, err
			}
			return x, nil
		case "-":
			p.next()
			x, err := p.parseValue()
			if err != nil {
				return qoperand{}, err
			}
			if x.kind != qNumber {
				return qoperand{}, whereErrf(t.pos, "Operator '-' incompatible with operand type '%s'", x.typ)
			}
			e := x.eval
			neg := qoperand{kind: qNumber, typ: x.typ, konst: x.konst, eval: func(root reflect.Value) qval {
				v := e(root)
				v.n = -v.n
				return v
			}}
			return neg, nil
		}
	case wtIdent:
		switch strings.ToLower(t.text) {
		case "true", "false":
			p.next()
			return literal(qBool, "Boolean", qval{b: strings.EqualFold(t.text, "true")}), nil
		case "null":
			p.next()
			return literal(qNull, "Object", nullVal), nil
		case "guid":
			return p.parseGuid()
		case "datetime":
			return p.parseDateTime()
		}
		return p.parseField()
	}
	return qoperand{}, whereErrf(t.pos, "Expression expected")
}

// parseField reads a field and, through nested structs, its subfields.
func (p *whereParser) parseField() (qoperand, error) {
	t := p.next()
	f, ok := p.root.lookup(t.text)
	if !ok {
		return qoperand{}, whereErrf(t.pos, "No property or field '%s' exists in type '%s'", t.text, p.root.name)
	}
	path := []*qfield{f}
	// A dot followed by a name and no "(" is member access; with "(" it is
	// a method call, which parseValue reads.
	for f.kind == qObject && f.leaf.Kind() == reflect.Struct &&
		p.isPunct(".") && p.peekAt(1).kind == wtIdent && !p.isPunctAt(2, "(") {
		p.next()
		nt := p.next()
		sub := structInfo(f.leaf)
		if f, ok = sub.lookup(nt.text); !ok {
			return qoperand{}, whereErrf(nt.pos, "No property or field '%s' exists in type '%s'", nt.text, sub.name)
		}
		path = append(path, f)
	}
	return fieldOperand(path), nil
}

// stringArg reads one string literal in parentheses: Guid("…"), Parse("…").
func (p *whereParser) stringArg(fn string) (whereTok, error) {
	if err := p.expect("(", "'(' expected"); err != nil {
		return whereTok{}, err
	}
	s := p.next()
	if s.kind != wtString {
		return whereTok{}, whereErrf(s.pos, "No applicable method '%s' takes that argument: a string literal expected", fn)
	}
	if err := p.expect(")", "')' expected"); err != nil {
		return whereTok{}, err
	}
	return s, nil
}

// parseGuid reads Guid("…") or Guid.Parse("…").
func (p *whereParser) parseGuid() (qoperand, error) {
	kw := p.next()
	if p.isPunct(".") {
		p.next()
		m := p.next()
		if !isWord(m, "parse") {
			return qoperand{}, whereErrf(m.pos, "No property or field '%s' exists in type 'Guid'", m.text)
		}
	}
	s, err := p.stringArg(kw.text)
	if err != nil {
		return qoperand{}, err
	}
	id, ok := parseGUID(s.text)
	if !ok {
		return qoperand{}, whereErrf(s.pos, "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
	}
	return literal(qGuid, "Guid", qval{s: id}), nil
}

// parseDateTime reads DateTime(y,m,d), DateTime(y,m,d,h,mi,s) or
// DateTime.Parse("…"), all as UTC.
func (p *whereParser) parseDateTime() (qoperand, error) {
	kw := p.next()
	if p.isPunct(".") {
		p.next()
		m := p.next()
		if !isWord(m, "parse") {
			return qoperand{}, whereErrf(m.pos, "No property or field '%s' exists in type 'DateTime'", m.text)
		}
		s, err := p.stringArg("Parse")
		if err != nil {
			return qoperand{}, err
		}
		t, ok := parseISOTime(s.text)
		if !ok {
			return qoperand{}, whereErrf(s.pos, "String '%s' was not recognized as a valid DateTime", s.text)
		}
		return literal(qDate, "DateTime", qval{ms: t.UnixMilli()}), nil
	}
	if err := p.expect("(", "'(' expected"); err != nil {
		return qoperand{}, err
	}
	var parts []int
	for {
		t := p.next()
		if t.kind != wtNumber || strings.Contains(t.text, ".") || len(t.text) > 4 {
			return qoperand{}, whereErrf(t.pos, "No matching constructor in type 'DateTime'")
		}
		n, _ := strconv.Atoi(t.text) // at most four digits: cannot fail
		parts = append(parts, n)
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if err := p.expect(")", "')' or ',' expected"); err != nil {
		return qoperand{}, err
	}
	if len(parts) != 3 && len(parts) != 6 {
		return qoperand{}, whereErrf(kw.pos, "No matching constructor in type 'DateTime'")
	}
	parts = append(parts, 0, 0, 0)
	y, mo, d, h, mi, s := parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	if y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 || t.Day() != d {
		return qoperand{}, whereErrf(kw.pos, "Year, Month, and Day parameters describe an un-representable DateTime")
	}
	return literal(qDate, "DateTime", qval{ms: t.UnixMilli()}), nil
}

// applyMethod compiles a method call on x.
func applyMethod(x qoperand, name whereTok, args []qoperand) (qoperand, error) {
	noMethod := func() (qoperand, error) {
		return qoperand{}, whereErrf(name.pos, "No applicable method '%s' exists in type '%s'", name.text, x.typ)
	}
	e := x.eval
	mapString := func(f func(string) string) (qoperand, error) {
		if x.kind != qString || len(args) != 0 {
			return noMethod()
		}
		return qoperand{kind: qString, typ: "String", konst: x.konst, eval: func(root reflect.Value) qval {
			v := e(root)
			if v.null {
				return v
			}
			return qval{s: f(v.s)}
		}}, nil
	}
	testString := func(f func(s, arg string) bool) (qoperand, error) {
		if x.kind != qString || len(args) != 1 || args[0].kind != qString {
			return noMethod()
		}
		a := args[0].eval
		return boolOperand(func(root reflect.Value) qval {
			v, w := e(root), a(root)
			if v.null || w.null {
				return nullVal
			}
			return qval{b: f(v.s, w.s)}
		}), nil
	}
	switch strings.ToLower(name.text) {
	case "tolower", "tolowerinvariant":
		return mapString(strings.ToLower)
	case "toupper", "toupperinvariant":
		return mapString(strings.ToUpper)
	case "trim":
		return mapString(strings.TrimSpace)
	case "contains":
		return testString(strings.Contains)
	case "startswith":
		return testString(strings.HasPrefix)
	case "endswith":
		return testString(strings.HasSuffix)
	case "equals":
		return testString(func(s, arg string) bool { return s == arg })
	case "tostring":
		if len(args) != 0 {
			return noMethod()
		}
		switch x.kind {
		case qString:
			return x, nil
		case qGuid:
			// .NET writes GUIDs in lower case.
			return qoperand{kind: qString, typ: "String", konst: x.konst, eval: func(root reflect.Value) qval {
				v := e(root)
				v.s = strings.ToLower(v.s)
				return v
			}}, nil
		}
	}
	return noMethod()
}
