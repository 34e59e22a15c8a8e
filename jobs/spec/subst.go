package spec

import (
	"fmt"
	"slices"
	"strings"
)

// identPrefix marks a SQL identifier reference: ${ident:NAME}.
const identPrefix = "ident:"

// pieceKind is what a scanned piece of text is.
type pieceKind int

const (
	pieceRef    pieceKind = iota // ${body}
	pieceEscape                  // $${, standing for a literal ${
)

// sqlState is where in SQL text a piece is.
type sqlState int

const (
	inCode    sqlState = iota // outside literals and comments (or plain text)
	inString                  // inside '…'
	inEString                 // inside E'…' (backslash escapes)
)

// piece is a reference or an escape found in text: s[start:end].
type piece struct {
	kind       pieceKind
	start, end int
	body       string // the reference's name, without ${ }
	state      sqlState
}

// refError is a malformed reference at byte offset off of the text.
type refError struct {
	off       int
	msg, hint string
}

func (e *refError) Error() string {
	if e.hint == "" {
		return e.msg
	}
	return e.msg + "; " + e.hint
}

func isRefChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == ':'
}

// refAt reads a reference starting at s[i:] == "${". It returns the
// piece, or an error for an unterminated or malformed reference.
func refAt(s string, i int, st sqlState) (piece, *refError) {
	j := i + 2
	for j < len(s) && isRefChar(s[j]) {
		j++
	}
	switch {
	case j >= len(s):
		return piece{}, &refError{off: i, msg: fmt.Sprintf("unterminated reference %s", clip(s[i:])), hint: "close it with }, or write $${ for a literal ${"}
	case s[j] != '}':
		return piece{}, &refError{off: i, msg: fmt.Sprintf("malformed reference %s: a name holds letters, digits and _ . - only", clip(s[i:min(len(s), j+1)])), hint: "write $${ for a literal ${ (for example a shell's $${HOME})"}
	case j == i+2:
		return piece{}, &refError{off: i, msg: "empty reference ${}", hint: "name a parameter, as in ${date}, or write $${ for a literal ${"}
	}
	return piece{kind: pieceRef, start: i, end: j + 1, body: s[i+2 : j], state: st}, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// scanPlain finds the references and escapes of plain text.
func scanPlain(s string) ([]piece, *refError) {
	var out []piece
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if strings.HasPrefix(s[i:], "$${") {
			out = append(out, piece{kind: pieceEscape, start: i, end: i + 3})
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			p, err := refAt(s, i, inCode)
			if err != nil {
				return out, err
			}
			out = append(out, p)
			i = p.end - 1
		}
	}
	return out, nil
}

// isIdentCont reports whether c can continue a SQL identifier or keyword
// (bytes ≥ 0x80 are parts of non-ASCII letters).
func isIdentCont(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// tokenStart reports whether a token starts at s[i] rather than s[i]
// continuing an identifier or keyword (a$b is one identifier, E'…' an
// escape string only when the E starts a token). It lexes the letters,
// digits, _ and $ before s[i] as PostgreSQL does: a letter or _ starts
// an identifier running through s[i]; digits are a number; $ and digits
// a parameter; any other $ a token of its own.
func tokenStart(s string, i int) bool {
	j := i
	for j > 0 && isIdentCont(s[j-1]) {
		j--
	}
	for j < i {
		c := s[j]
		switch {
		case isIdentStart(c):
			return false
		case c == '$':
			j++
			for j < i && s[j] >= '0' && s[j] <= '9' {
				j++
			}
		default: // a digit
			for j < i && s[j] >= '0' && s[j] <= '9' {
				j++
			}
		}
	}
	return true
}

// dollarTag returns the dollar-quote delimiter ($tag$ or $$) starting at
// s[i], or "".
func dollarTag(s string, i int) string {
	if !tokenStart(s, i) {
		return "" // part of an identifier such as a$b$
	}
	j := i + 1
	if j < len(s) && isIdentStart(s[j]) {
		j++
		for j < len(s) && isIdentCont(s[j]) && s[j] != '$' {
			j++
		}
	}
	if j < len(s) && s[j] == '$' {
		return s[i : j+1]
	}
	return ""
}

// scanSQL finds the references and escapes of SQL text that are outside
// comments, quoted identifiers and dollar-quoted strings, following the
// lexical rules of DuckDB (PostgreSQL's): '…' strings with ” for a
// quote, E'…' strings with backslash escapes, "…" identifiers, -- and
// nested /* */ comments, $tag$…$tag$ strings.
func scanSQL(s string) ([]piece, *refError) {
	var out []piece
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			out = append(out, piece{kind: pieceEscape, start: i, end: i + 3})
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			p, err := refAt(s, i, inCode)
			if err != nil {
				return out, err
			}
			out = append(out, p)
			i = p.end
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out, nil
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			depth := 0
			for i < len(s) {
				if strings.HasPrefix(s[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(s[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		case c == '"':
			i++
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case c == '\'':
			st := inString
			if i > 0 && (s[i-1] == 'E' || s[i-1] == 'e') && tokenStart(s, i-1) {
				st = inEString
			}
			i++
			for i < len(s) {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				if st == inEString && s[i] == '\\' {
					i += 2
					continue
				}
				if strings.HasPrefix(s[i:], "$${") {
					out = append(out, piece{kind: pieceEscape, start: i, end: i + 3, state: st})
					i += 3
					continue
				}
				if strings.HasPrefix(s[i:], "${") {
					p, err := refAt(s, i, st)
					if err != nil {
						return out, err
					}
					out = append(out, p)
					i = p.end
					continue
				}
				i++
			}
			i++
		case c == '$':
			tag := dollarTag(s, i)
			if tag == "" {
				i++
				continue
			}
			j := strings.Index(s[i+len(tag):], tag)
			if j < 0 {
				return out, nil
			}
			i += len(tag) + j + len(tag)
		default:
			i++
		}
	}
	return out, nil
}

// Refs returns the names referenced as ${name} in plain text, each once,
// in order of first use (for ${ident:NAME}, NAME). Malformed references
// are left out; validation reports them.
func Refs(s string) []string {
	ps, _ := scanPlain(s)
	return refNames(ps)
}

// SQLRefs is Refs for SQL text: references inside comments, quoted
// identifiers and dollar-quoted strings are not references (SubstituteSQL
// leaves them alone).
func SQLRefs(sql string) []string {
	ps, _ := scanSQL(sql)
	return refNames(ps)
}

func refNames(ps []piece) []string {
	var out []string
	for _, p := range ps {
		if p.kind != pieceRef {
			continue
		}
		name := strings.TrimPrefix(p.body, identPrefix)
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// UnknownRefError is returned by Substitute, SubstituteSQL and
// Task.Substituted when text references a name vars does not hold.
type UnknownRefError struct {
	Name  string
	Field string // the task field ("exec.command[1]"), when known
}

func (e *UnknownRefError) Error() string {
	where := ""
	if e.Field != "" {
		where = e.Field + ": "
	}
	return fmt.Sprintf("%sunknown reference ${%s}; declare it as a parameter or fix the name", where, e.Name)
}

// Substitute replaces every ${name} in s by vars[name] and $${ by ${.
// Errors: *UnknownRefError for a name vars does not hold; an error for
// a malformed or unterminated reference, or ${ident:…} (SQL only).
func Substitute(s string, vars map[string]string) (string, error) {
	ps, rerr := scanPlain(s)
	if rerr != nil {
		return "", fmt.Errorf("offset %d: %w", rerr.off, rerr)
	}
	if len(ps) == 0 {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for _, p := range ps {
		b.WriteString(s[last:p.start])
		last = p.end
		if p.kind == pieceEscape {
			b.WriteString("${")
			continue
		}
		if strings.HasPrefix(p.body, identPrefix) {
			return "", fmt.Errorf("${%s}: ${ident:…} quotes an identifier and is for SQL text only; write ${%s}", p.body, strings.TrimPrefix(p.body, identPrefix))
		}
		v, ok := vars[p.body]
		if !ok {
			return "", &UnknownRefError{Name: p.body}
		}
		b.WriteString(v)
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// SubstituteSQL replaces the references of SQL text so that a value can
// never change the statement's structure:
//
//   - outside string literals, ${name} becomes a literal: a number when
//     the value is a plain decimal number (-?digits[.digits], no leading
//     zeros; negative ones in parentheses), else a single-quoted string
//     with ' doubled. A space separates it from an adjacent identifier,
//     keyword or quote;
//   - inside a '…' literal the value is inserted with ' doubled (and \
//     doubled in E'…' literals);
//   - ${ident:NAME} becomes a double-quoted identifier, dots splitting
//     parts (a.b → "a"."b"), " doubled;
//   - references inside -- and /* */ comments, "quoted identifiers" and
//     $tag$…$tag$ strings are left alone;
//   - $${ is a literal ${.
//
// Errors: *UnknownRefError for a name vars does not hold; an error for a
// malformed reference, a value holding a NUL byte, an empty identifier
// part, or ${ident:…} inside a string literal.
func SubstituteSQL(sql string, vars map[string]string) (string, error) {
	ps, rerr := scanSQL(sql)
	if rerr != nil {
		return "", fmt.Errorf("offset %d: %w", rerr.off, rerr)
	}
	if len(ps) == 0 {
		return sql, nil
	}
	var b strings.Builder
	b.Grow(len(sql) + 16*len(ps))
	last := 0
	for _, p := range ps {
		b.WriteString(sql[last:p.start])
		last = p.end
		if p.kind == pieceEscape {
			b.WriteString("${")
			continue
		}
		name, ident := strings.CutPrefix(p.body, identPrefix)
		v, ok := vars[name]
		if !ok {
			return "", &UnknownRefError{Name: name}
		}
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("${%s}: the value holds a NUL byte, which SQL text cannot", name)
		}
		if p.state != inCode {
			if ident {
				return "", fmt.Errorf("${%s} is inside a string literal; an identifier reference goes outside quotes", p.body)
			}
			v = strings.ReplaceAll(v, "'", "''")
			if p.state == inEString {
				v = strings.ReplaceAll(v, `\`, `\\`)
			}
			b.WriteString(v)
			continue
		}
		var lit string
		if ident {
			q, err := quoteIdent(v)
			if err != nil {
				return "", fmt.Errorf("${%s}: %w", p.body, err)
			}
			lit = q
		} else {
			lit = SQLLiteral(v)
		}
		out := b.String()
		if len(out) > 0 && needsSpace(out[len(out)-1]) {
			b.WriteByte(' ')
		}
		b.WriteString(lit)
		if p.end < len(sql) && needsSpace(sql[p.end]) {
			b.WriteByte(' ')
		}
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}

// needsSpace reports whether a literal next to c must be separated from
// it so the two do not lex as one token (an identifier, an E'…' prefix,
// or two adjacent quoted strings joined by a doubled quote).
func needsSpace(c byte) bool { return isIdentCont(c) || c == '\'' || c == '"' }

// SQLLiteral returns v as a SQL literal: a plain decimal number as is
// (negative ones in parentheses, so "-" before it cannot make a
// comment), anything else as a single-quoted string with ' doubled.
func SQLLiteral(v string) string {
	if isPlainNumber(v) {
		if v[0] == '-' {
			return "(" + v + ")"
		}
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// isPlainNumber reports whether v is -?(0|[1-9][0-9]*)(\.[0-9]+)?, at
// most 40 characters: values with leading zeros (codes such as 007),
// exponents, signs or spaces stay strings.
func isPlainNumber(v string) bool {
	if len(v) == 0 || len(v) > 40 {
		return false
	}
	i := 0
	if v[0] == '-' {
		i++
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	digits := i - start
	if digits == 0 || (digits > 1 && v[start] == '0') {
		return false
	}
	if i == len(v) {
		return true
	}
	if v[i] != '.' {
		return false
	}
	i++
	frac := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	return i == len(v) && i > frac
}

// quoteIdent quotes a dotted name as SQL identifiers.
func quoteIdent(v string) (string, error) {
	parts := strings.Split(v, ".")
	for i, p := range parts {
		if p == "" {
			return "", fmt.Errorf("identifier %q has an empty part; write names like schema.table", v)
		}
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(parts, "."), nil
}
