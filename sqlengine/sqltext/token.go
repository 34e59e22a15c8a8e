package sqltext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// TokenKind classifies a [Token].
type TokenKind int

// Token kinds. Keywords are not a kind of their own: they are [Ident]
// tokens, compared case-insensitively with [Token.Is].
const (
	// EOF ends every token list; its Text is empty and Start == End ==
	// len(sql).
	EOF TokenKind = iota
	// Space is a run of whitespace (space, tab, newline, carriage
	// return, form feed, vertical tab).
	Space
	// Comment is a -- line comment (without its newline) or a /* */ block
	// comment. Block comments do not nest, as in DuckDB.
	Comment
	// Ident is an unquoted identifier or keyword: a letter, '_' or
	// non-ASCII byte, then letters, digits, '_', '$' or non-ASCII bytes.
	Ident
	// QuotedIdent is a double-quoted identifier, "" escaping a quote, or
	// a U&"..." identifier.
	QuotedIdent
	// String is a string literal: '...' with a doubled quote for a quote,
	// E'...' with backslash escapes, a B'...', X'...', N'...' or U&'...'
	// literal, or a dollar-quoted $$...$$ or $tag$...$tag$ string.
	String
	// Number is a numeric literal: 42, 1_000, 3.14, .5, 1e-9, 0xFF.
	Number
	// Param is a prepared-statement parameter: ?, $1 or $name.
	Param
	// Op is an operator such as =, <>, ||, ::, ->> or *. Bytes that start
	// no other token (a backslash, control characters) are single-byte Op
	// tokens, so that tokenizing never fails on them.
	Op
	// Punct is one of ( ) [ ] { } , ; and the '.' between name parts.
	Punct
)

var tokenKindNames = [...]string{
	EOF: "EOF", Space: "Space", Comment: "Comment", Ident: "Ident",
	QuotedIdent: "QuotedIdent", String: "String", Number: "Number",
	Param: "Param", Op: "Op", Punct: "Punct",
}

// String returns the kind's name, e.g. "QuotedIdent".
func (k TokenKind) String() string {
	if k >= 0 && int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return "TokenKind(" + strconv.Itoa(int(k)) + ")"
}

// Token is one lexical element of SQL text.
type Token struct {
	// Kind classifies the token.
	Kind TokenKind
	// Text is the token exactly as written: sql[Start:End].
	Text string
	// Start and End are the byte offsets of the token in sql.
	Start, End int
}

// Is reports whether t is the unquoted identifier or keyword word,
// ignoring case. A quoted identifier is never a keyword.
func (t Token) Is(word string) bool {
	return t.Kind == Ident && strings.EqualFold(t.Text, word)
}

// Value returns what t denotes with its quoting removed: the name of a
// quoted identifier ("a""b" is a"b), or the content of a string literal,
// where a doubled quote becomes one, E'a\tb' has a real tab and $$x$$ is
// x. For other kinds it returns Text unchanged. Unquoted identifiers keep
// their spelling; DuckDB compares identifiers case-insensitively, so
// callers should too.
func (t Token) Value() string {
	s := t.Text
	switch t.Kind {
	case QuotedIdent:
		if len(s) >= 2 && (s[0] == 'u' || s[0] == 'U') {
			s = s[2:]
		}
		if len(s) < 2 {
			return t.Text
		}
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	case String:
		if len(s) < 2 {
			return t.Text
		}
		switch s[0] {
		case '$':
			tag := strings.IndexByte(s[1:], '$') + 2
			if tag < 2 || len(s) < 2*tag {
				return t.Text
			}
			return s[tag : len(s)-tag]
		case '\'':
			return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
		case 'e', 'E':
			if len(s) < 3 {
				return t.Text
			}
			return unescapeE(s[2 : len(s)-1])
		case 'u', 'U':
			if len(s) < 4 {
				return t.Text
			}
			return strings.ReplaceAll(s[3:len(s)-1], "''", "'")
		default:
			if len(s) < 3 {
				return t.Text
			}
			return strings.ReplaceAll(s[2:len(s)-1], "''", "'")
		}
	}
	return t.Text
}

// unescapeE decodes the body of an E'...' string: \b \f \n \r \t, \xHH,
// octal \ooo, \uXXXX, \UXXXXXXXX, a doubled quote and \' for a quote; any other
// escaped character stands for itself.
func unescapeE(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' && i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'x':
			n, w := parseDigits(s[i+1:], 16, 2)
			if w == 0 {
				b.WriteByte('x')
				continue
			}
			b.WriteByte(byte(n))
			i += w
		case 'u', 'U':
			want := 4
			if c == 'U' {
				want = 8
			}
			n, w := parseDigits(s[i+1:], 16, want)
			if w != want || !utf8.ValidRune(rune(n)) {
				b.WriteByte(c)
				continue
			}
			b.WriteRune(rune(n))
			i += w
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, w := parseDigits(s[i:], 8, 3)
			b.WriteByte(byte(n))
			i += w - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseDigits parses up to max leading digits of s in base 8 or 16 and
// returns the value and the number of digits used.
func parseDigits(s string, base, max int) (n uint32, width int) {
	for width < max && width < len(s) {
		d := digitVal(s[width])
		if d >= base {
			break
		}
		n = n*uint32(base) + uint32(d)
		width++
	}
	return n, width
}

func digitVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

// Tokenize splits sql into tokens, including Space and Comment tokens, so
// that the tokens' texts concatenated give back sql exactly. The last
// token is always EOF.
//
// Tokenize fails only on an unterminated string literal, quoted
// identifier, dollar-quoted string or block comment; the error is an
// *Error at the opening quote or comment. On error it returns the tokens
// before the bad one (without EOF) along with the error.
func Tokenize(sql string) ([]Token, error) {
	toks := make([]Token, 0, len(sql)/3+1)
	for i := 0; i < len(sql); {
		kind, end, err := scanToken(sql, i)
		if err != nil {
			return toks, err
		}
		toks = append(toks, Token{Kind: kind, Text: sql[i:end], Start: i, End: end})
		i = end
	}
	return append(toks, Token{Kind: EOF, Start: len(sql), End: len(sql)}), nil
}

// scanToken scans the token starting at sql[i] and returns its kind and
// end offset, which is always > i.
func scanToken(sql string, i int) (TokenKind, int, *Error) {
	at := func(k int) byte {
		if k < len(sql) {
			return sql[k]
		}
		return 0
	}
	c := sql[i]
	switch {
	case isSpace(c):
		j := i + 1
		for j < len(sql) && isSpace(sql[j]) {
			j++
		}
		return Space, j, nil
	case c == '-' && at(i+1) == '-':
		if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
			return Comment, i + j, nil
		}
		return Comment, len(sql), nil
	case c == '/' && at(i+1) == '*':
		if j := strings.Index(sql[i+2:], "*/"); j >= 0 {
			return Comment, i + 2 + j + 2, nil
		}
		return 0, 0, errorAt(sql, i, "close it with */", "unterminated block comment")
	case c == '\'':
		return scanQuoted(sql, i, i+1, '\'', false)
	case (c == 'e' || c == 'E') && at(i+1) == '\'':
		return scanQuoted(sql, i, i+2, '\'', true)
	case strings.IndexByte("bBxXnN", c) >= 0 && at(i+1) == '\'':
		return scanQuoted(sql, i, i+2, '\'', false)
	case (c == 'u' || c == 'U') && at(i+1) == '&' && (at(i+2) == '\'' || at(i+2) == '"'):
		return scanQuoted(sql, i, i+3, at(i+2), false)
	case c == '"':
		return scanQuoted(sql, i, i+1, '"', false)
	case isIdentStart(c):
		j := i + 1
		for j < len(sql) && isIdentCont(sql[j]) {
			j++
		}
		return Ident, j, nil
	case isDigit(c) || c == '.' && isDigit(at(i+1)):
		return Number, scanNumber(sql, i), nil
	case c == '$':
		return scanDollar(sql, i)
	case c == '?':
		j := i + 1
		for j < len(sql) && isDigit(sql[j]) {
			j++
		}
		return Param, j, nil
	case strings.IndexByte("()[]{},;.", c) >= 0:
		return Punct, i + 1, nil
	case c == ':':
		if n := at(i + 1); n == ':' || n == '=' {
			return Op, i + 2, nil
		}
		return Op, i + 1, nil
	case isOpChar(c):
		return Op, scanOp(sql, i), nil
	}
	return Op, i + 1, nil
}

// scanQuoted scans a quoted token whose opening quote q ends at from-1.
// A doubled quote stands for one quote; with backslash, '\' escapes the
// next byte as in E'...' strings.
func scanQuoted(sql string, start, from int, q byte, backslash bool) (TokenKind, int, *Error) {
	for j := from; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			if backslash {
				j++
			}
		case q:
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			if q == '"' {
				return QuotedIdent, j + 1, nil
			}
			return String, j + 1, nil
		}
	}
	if q == '"' {
		return 0, 0, errorAt(sql, start, `close it with "`, "unterminated quoted identifier")
	}
	if backslash {
		return 0, 0, errorAt(sql, start, `close it with '; in E'...' strings \' does not end the string`,
			"unterminated string literal")
	}
	return 0, 0, errorAt(sql, start, "close it with '", "unterminated string literal")
}

// scanDollar scans a token starting with '$': a positional parameter $1,
// a dollar-quoted string $tag$...$tag$, a named parameter $name, or a
// lone '$' operator.
func scanDollar(sql string, i int) (TokenKind, int, *Error) {
	j := i + 1
	if j < len(sql) && isDigit(sql[j]) {
		for j < len(sql) && isDigit(sql[j]) {
			j++
		}
		return Param, j, nil
	}
	if j < len(sql) && isIdentStart(sql[j]) {
		for j < len(sql) && isIdentStart(sql[j]) || j < len(sql) && isDigit(sql[j]) {
			j++
		}
	}
	if j < len(sql) && sql[j] == '$' {
		tag := sql[i : j+1]
		if k := strings.Index(sql[j+1:], tag); k >= 0 {
			return String, j + 1 + k + len(tag), nil
		}
		return 0, 0, errorAt(sql, i, "close it with "+tag, "unterminated dollar-quoted string")
	}
	if j > i+1 {
		return Param, j, nil
	}
	return Op, i + 1, nil
}

// scanNumber scans a numeric literal starting at sql[i].
func scanNumber(sql string, i int) int {
	at := func(k int) byte {
		if k < len(sql) {
			return sql[k]
		}
		return 0
	}
	j := i
	if sql[i] == '0' && at(i+1)|0x20 == 'x' && digitVal(at(i+2)) < 16 {
		j = i + 2
		for digitVal(at(j)) < 16 || at(j) == '_' && digitVal(at(j+1)) < 16 {
			j++
		}
		return j
	}
	digits := func() {
		for isDigit(at(j)) || at(j) == '_' && isDigit(at(j+1)) {
			j++
		}
	}
	digits()
	if at(j) == '.' && at(j+1) != '.' {
		j++
		digits()
	}
	if at(j)|0x20 == 'e' {
		k := j + 1
		if at(k) == '+' || at(k) == '-' {
			k++
		}
		if isDigit(at(k)) {
			j = k
			digits()
		}
	}
	return j
}

// scanOp scans an operator the way PostgreSQL does: the longest run of
// operator characters, stopping before a comment start, and dropping a
// trailing + or - unless the operator contains one of ~!@#%^&|`, so that
// a=-1 is "=", "-", "1".
func scanOp(sql string, i int) int {
	j := i
	for j < len(sql) && isOpChar(sql[j]) {
		if j > i && j+1 < len(sql) && (sql[j] == '-' && sql[j+1] == '-' || sql[j] == '/' && sql[j+1] == '*') {
			break
		}
		j++
	}
	if j-i > 1 && (sql[j-1] == '+' || sql[j-1] == '-') && !strings.ContainsAny(sql[i:j], "~!@#%^&|`") {
		for j-i > 1 && (sql[j-1] == '+' || sql[j-1] == '-') {
			j--
		}
	}
	return j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentCont(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

func isOpChar(c byte) bool { return strings.IndexByte("+-*/<>=~!@#%^&|`", c) >= 0 }

// significant returns the tokens that are not Space or Comment; the EOF
// token is kept.
func significant(toks []Token) []Token {
	out := make([]Token, 0, len(toks)/2+1)
	for _, t := range toks {
		if t.Kind != Space && t.Kind != Comment {
			out = append(out, t)
		}
	}
	return out
}
