package cron

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expr is a parsed cron schedule. The zero Expr never fires; get one from
// Parse. An *Expr is immutable and safe for concurrent use.
type Expr struct {
	minute uint64 // bits 0-59
	hour   uint64 // bits 0-23
	dom    uint64 // bits 1-31
	month  uint64 // bits 1-12
	dow    uint64 // bits 0-6, Sunday = 0

	// domStar and dowStar record that the day-of-month or day-of-week
	// field began with * or ?: the Vixie rule ORs the two day fields only
	// when neither did.
	domStar, dowStar bool

	text string // normalized expression, see String
}

// SyntaxError is the error Parse returns for an expression it cannot
// accept.
type SyntaxError struct {
	// Expr is the expression as given to Parse.
	Expr string
	// Col is the 1-based column, counted in characters, in Expr of the
	// offending field or character. It is one past the end when something
	// is missing at the end.
	Col int
	// Msg says what is wrong and what is allowed, naming the field, e.g.
	// `minute field "61": value 61 out of range 0-59`.
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("cron expression %q, column %d: %s", e.Expr, e.Col, e.Msg)
}

// macros maps each supported @macro to its five fields.
var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

const macroList = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"

// field describes one of the five fields.
type field struct {
	name     string
	min, max int      // allowed values (day-of-week: 0-7, 7 is Sunday)
	names    []string // names for min..min+len-1, or nil
	allowed  string   // the allowed values as shown in errors
}

var fields = [5]field{
	{name: "minute", min: 0, max: 59, allowed: "0-59"},
	{name: "hour", min: 0, max: 23, allowed: "0-23"},
	{name: "day-of-month", min: 1, max: 31, allowed: "1-31"},
	{name: "month", min: 1, max: 12, allowed: "1-12 or JAN-DEC",
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 0, max: 7, allowed: "0-7 (0 and 7 are Sunday) or SUN-SAT",
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// Parse parses a five-field cron expression — minute, hour, day-of-month,
// month, day-of-week, separated by spaces or tabs — or one of the macros
// @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly.
// See the package documentation for the syntax. Every error is a
// *SyntaxError whose Col points at the offending field or character.
// Parse also refuses expressions that can never fire, such as
// "0 0 30 2 *" (there is no February 30).
func Parse(expr string) (*Expr, error) {
	p := parser{src: expr}
	e, err := p.parse()
	if err != nil {
		return nil, err
	}
	return e, nil
}

type parser struct {
	src string
}

// errAt returns a *SyntaxError at byte offset off of the source.
func (p *parser) errAt(off int, format string, args ...any) *SyntaxError {
	if off > len(p.src) {
		off = len(p.src)
	}
	return &SyntaxError{Expr: p.src, Col: utf8.RuneCountInString(p.src[:off]) + 1, Msg: fmt.Sprintf(format, args...)}
}

// span is a field's text and its byte offset in the source.
type span struct {
	text string
	off  int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// split splits s at runs of spaces and tabs.
func split(s string) []span {
	var out []span
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		out = append(out, span{s[i:j], i})
		i = j
	}
	return out
}

func (p *parser) parse() (*Expr, error) {
	parts := split(p.src)
	if len(parts) == 0 {
		return nil, p.errAt(0, "empty expression; want five fields (minute hour day-of-month month day-of-week), e.g. \"30 2 * * *\", or a macro: %s", macroList)
	}
	if strings.HasPrefix(parts[0].text, "@") {
		return p.parseMacro(parts)
	}
	switch n := len(parts); {
	case n < 5:
		names := []string{}
		for _, f := range fields[n:] {
			names = append(names, f.name)
		}
		return nil, p.errAt(len(strings.TrimRight(p.src, " \t")), "%d fields, want 5: missing %s (fields are minute hour day-of-month month day-of-week)", n, strings.Join(names, ", "))
	case n == 6 || n == 7:
		return nil, p.errAt(parts[5].off, "%d fields, want 5: seconds and year fields are not supported; write minute hour day-of-month month day-of-week", n)
	case n > 5:
		return nil, p.errAt(parts[5].off, "%d fields, want 5 (minute hour day-of-month month day-of-week): unexpected %q", n, parts[5].text)
	}
	e := &Expr{}
	sets := [5]*uint64{&e.minute, &e.hour, &e.dom, &e.month, &e.dow}
	norm := make([]string, 5)
	for i, sp := range parts {
		set, err := p.parseField(&fields[i], sp)
		if err != nil {
			return nil, err
		}
		*sets[i] = set
		norm[i] = strings.ToUpper(sp.text)
	}
	// Day-of-week 7 is Sunday.
	if e.dow&(1<<7) != 0 {
		e.dow = e.dow&^(1<<7) | 1
	}
	e.domStar = parts[2].text[0] == '*' || parts[2].text[0] == '?'
	e.dowStar = parts[4].text[0] == '*' || parts[4].text[0] == '?'
	if err := p.checkDates(e, parts[2], parts[3]); err != nil {
		return nil, err
	}
	e.text = strings.Join(norm, " ")
	return e, nil
}

func (p *parser) parseMacro(parts []span) (*Expr, error) {
	m := strings.ToLower(parts[0].text)
	fivefields, ok := macros[m]
	switch {
	case m == "@reboot":
		return nil, p.errAt(parts[0].off, "@reboot is not supported: a job schedule fires at times, not at server start; use a macro such as @daily or five fields")
	case m == "@every":
		return nil, p.errAt(parts[0].off, "@every is not supported; write an interval as a step, e.g. \"*/5 * * * *\" for every five minutes")
	case !ok:
		return nil, p.errAt(parts[0].off, "unknown macro %q; want one of %s", parts[0].text, macroList)
	case len(parts) > 1:
		return nil, p.errAt(parts[1].off, "unexpected %q after %s: a macro stands alone", parts[1].text, m)
	}
	sub := parser{src: fivefields}
	e, err := sub.parse()
	if err != nil {
		panic("cron: bad macro table: " + err.Error()) // programmer error
	}
	e.text = m
	return e, nil
}

// parseField parses one comma-separated field into a bit set.
func (p *parser) parseField(f *field, sp span) (uint64, error) {
	var set uint64
	off := sp.off
	for item := range strings.SplitSeq(sp.text, ",") {
		if item == "" {
			return 0, p.errAt(off, "%s field %q: empty list item; separate values with single commas, e.g. 1,15", f.name, sp.text)
		}
		s, err := p.parseItem(f, sp.text, item, off)
		if err != nil {
			return 0, err
		}
		set |= s
		off += len(item) + 1
	}
	return set, nil
}

// parseItem parses one list item: * or ?, a value, or a range a-b, each
// optionally followed by /step.
func (p *parser) parseItem(f *field, fieldText, item string, off int) (uint64, error) {
	lo, hi := f.min, f.max
	if f.name == "day-of-week" {
		hi = 6 // * is Sunday to Saturday once
	}
	rangeText, stepText, hasStep := strings.Cut(item, "/")
	switch {
	case rangeText == "*" || rangeText == "?":
	case rangeText == "":
		return 0, p.errAt(off, "%s field %q: missing value before /; write */n, a-b/n or a/n", f.name, fieldText)
	default:
		aText, bText, dash := strings.Cut(rangeText, "-")
		a, err := p.parseValue(f, fieldText, aText, off)
		if err != nil {
			return 0, err
		}
		lo = a
		if dash {
			boff := off + len(aText) + 1
			b, err := p.parseValue(f, fieldText, bText, boff)
			if err != nil {
				return 0, err
			}
			if b < a {
				return 0, p.errAt(off, "%s field %q: range %s runs backwards; ranges cannot wrap around, write two ranges instead, e.g. %s", f.name, fieldText, rangeText, wrapHint(f))
			}
			hi = b
		} else if !hasStep {
			hi = a
		} else if f.name == "day-of-week" && a == 7 {
			hi = 7
		}
	}
	step := 1
	if hasStep {
		soff := off + len(rangeText) + 1
		if stepText == "" {
			return 0, p.errAt(soff, "%s field %q: missing step after /", f.name, fieldText)
		}
		maxStep := f.max - f.min
		if f.name == "day-of-week" {
			maxStep = 6
		}
		for i := 0; i < len(stepText); i++ {
			if !isDigit(stepText[i]) {
				return 0, p.errAt(soff+i, "%s field %q: step %q is not a number; write e.g. */5", f.name, fieldText, stepText)
			}
		}
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 || n > maxStep {
			return 0, p.errAt(soff, "%s field %q: step %s out of range 1-%d", f.name, fieldText, stepText, maxStep)
		}
		step = n
	}
	var set uint64
	for v := lo; v <= hi; v += step {
		set |= 1 << v
	}
	return set, nil
}

func wrapHint(f *field) string {
	switch f.name {
	case "hour":
		return "22-23,0-2"
	case "day-of-week":
		return "FRI-SAT,SUN-MON"
	case "month":
		return "NOV-DEC,JAN-FEB"
	case "day-of-month":
		return "28-31,1-3"
	}
	return "50-59,0-10"
}

// parseValue parses a number or (month and day-of-week) a name.
func (p *parser) parseValue(f *field, fieldText, s string, off int) (int, error) {
	if s == "" {
		return 0, p.errAt(off, "%s field %q: missing value in range; write a-b, e.g. %s", f.name, fieldText, exampleRange(f))
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !isLetter(s[i]) {
			return 0, p.badChar(f, fieldText, off+i)
		}
	}
	if isDigit(s[0]) {
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) {
				return 0, p.badChar(f, fieldText, off+i)
			}
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < f.min || n > f.max {
			return 0, p.errAt(off, "%s field %q: value %s out of range %s", f.name, fieldText, s, f.allowed)
		}
		return n, nil
	}
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	switch {
	case f.names != nil:
		return 0, p.errAt(off, "%s field %q: unknown name %q; want %s", f.name, fieldText, s, f.allowed)
	case strings.ContainsAny(s, "LlWw"):
		return 0, p.errAt(off, "%s field %q: Quartz-style L, W and # are not supported; allowed: %s, *, ?, lists a,b, ranges a-b and steps /n", f.name, fieldText, f.allowed)
	}
	return 0, p.errAt(off, "%s field %q: %q is not a number; allowed: %s", f.name, fieldText, s, f.allowed)
}

func exampleRange(f *field) string {
	switch f.name {
	case "day-of-week":
		return "MON-FRI"
	case "month":
		return "JAN-MAR"
	}
	return strconv.Itoa(f.min) + "-" + strconv.Itoa(f.min+4)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { c |= 0x20; return c >= 'a' && c <= 'z' }

// badChar reports the character at source offset off, which cannot be
// part of a value.
func (p *parser) badChar(f *field, fieldText string, off int) error {
	r, _ := utf8.DecodeRuneInString(p.src[off:])
	switch r {
	case 'L', 'l', 'W', 'w', '#':
		return p.errAt(off, "%s field %q: Quartz-style L, W and # are not supported; allowed: numbers %s, *, ?, lists a,b, ranges a-b and steps /n", f.name, fieldText, f.allowed)
	}
	if r == utf8.RuneError {
		return p.errAt(off, "%s field %q: invalid character; allowed: %s, *, ?, lists a,b, ranges a-b and steps /n", f.name, fieldText, f.allowed)
	}
	return p.errAt(off, "%s field %q: unexpected character %q; allowed: %s, *, ?, lists a,b, ranges a-b and steps /n", f.name, fieldText, r, f.allowed)
}

// maxDays is the most days each month can have (February: 29).
var maxDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// checkDates refuses a day-of-month/month combination that never occurs,
// when the day-of-week field cannot rescue it.
func (p *parser) checkDates(e *Expr, domSp, monthSp span) error {
	if !e.domStar && !e.dowStar {
		return nil // Vixie rule: any day-of-week match fires
	}
	longest := 0
	for m := 1; m <= 12; m++ {
		if e.month&(1<<m) != 0 && maxDays[m] > longest {
			longest = maxDays[m]
		}
	}
	first := bits.TrailingZeros64(e.dom)
	if first <= longest {
		return nil
	}
	return p.errAt(domSp.off, "day-of-month field %q never occurs in month field %q (those months have at most %d days), so the schedule would never fire", domSp.text, monthSp.text, longest)
}
