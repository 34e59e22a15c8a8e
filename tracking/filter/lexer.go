package filter

import "strings"

type tokenKind int

const (
	tEOF tokenKind = iota
	tError
	tWord   // bare identifier or keyword; may contain dots
	tQuoted // quoted with ', " or `
	tNumber
	tOp // = != < <= > >=
	tLParen
	tRParen
	tComma
)

type token struct {
	kind  tokenKind
	text  string // unquoted text for tQuoted
	raw   string // tQuoted: the token as written
	pos   int    // byte offset of the token's first character
	quote byte   // the quote character of a tQuoted token
	err   string // tError: what is wrong
}

func (t token) isWord(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

type lexer struct {
	src string
	i   int
}

func isWordByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '.', c == ':', c >= 0x80:
		return !first || c >= 0x80
	}
	return false
}

func (l *lexer) next() token {
	for l.i < len(l.src) && (l.src[l.i] == ' ' || l.src[l.i] == '\t' || l.src[l.i] == '\n' || l.src[l.i] == '\r') {
		l.i++
	}
	if l.i >= len(l.src) {
		return token{kind: tEOF, pos: len(l.src)}
	}
	start := l.i
	c := l.src[l.i]
	switch {
	case c == '(':
		l.i++
		return token{kind: tLParen, text: "(", pos: start}
	case c == ')':
		l.i++
		return token{kind: tRParen, text: ")", pos: start}
	case c == ',':
		l.i++
		return token{kind: tComma, text: ",", pos: start}
	case c == '=':
		l.i++
		if l.i < len(l.src) && l.src[l.i] == '=' { // tolerate ==
			l.i++
		}
		return token{kind: tOp, text: "=", pos: start}
	case c == '!':
		if strings.HasPrefix(l.src[l.i:], "!=") {
			l.i += 2
			return token{kind: tOp, text: "!=", pos: start}
		}
		l.i++
		return token{kind: tError, text: "!", pos: start, err: "expected != "}
	case c == '<' || c == '>':
		l.i++
		if l.i < len(l.src) && l.src[l.i] == '=' {
			l.i++
			return token{kind: tOp, text: l.src[start:l.i], pos: start}
		}
		if c == '<' && l.i < len(l.src) && l.src[l.i] == '>' {
			l.i++
			return token{kind: tOp, text: "!=", pos: start}
		}
		return token{kind: tOp, text: l.src[start:l.i], pos: start}
	case c == '\'' || c == '"' || c == '`':
		return l.quoted(c)
	case c >= '0' && c <= '9', c == '-' || c == '+' || c == '.':
		return l.number()
	case isWordByte(c, true):
		for l.i < len(l.src) && isWordByte(l.src[l.i], false) {
			l.i++
		}
		return token{kind: tWord, text: l.src[start:l.i], pos: start}
	}
	l.i++
	for l.i < len(l.src) && l.src[l.i] >= 0x80 && l.src[l.i] < 0xC0 { // whole UTF-8 sequence
		l.i++
	}
	return token{kind: tError, text: l.src[start:l.i], pos: start, err: "unexpected character"}
}

// quoted reads a string quoted with q; the quote is escaped by doubling it
// or with a backslash. Other backslashes are kept (they escape LIKE's
// wildcards).
func (l *lexer) quoted(q byte) token {
	start := l.i
	l.i++
	var b strings.Builder
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '\\' && l.i+1 < len(l.src) && (l.src[l.i+1] == q || l.src[l.i+1] == '\\'):
			b.WriteByte(l.src[l.i+1])
			l.i += 2
		case c == q && l.i+1 < len(l.src) && l.src[l.i+1] == q:
			b.WriteByte(q)
			l.i += 2
		case c == q:
			l.i++
			return token{kind: tQuoted, text: b.String(), raw: l.src[start:l.i], pos: start, quote: q}
		default:
			b.WriteByte(c)
			l.i++
		}
	}
	return token{kind: tError, text: l.src[start:min(len(l.src), start+20)], pos: start, err: "unterminated quoted string; close it with " + string(q)}
}

func (l *lexer) number() token {
	start := l.i
	if c := l.src[l.i]; c == '-' || c == '+' {
		l.i++
	}
	digits := 0
	for l.i < len(l.src) && (l.src[l.i] >= '0' && l.src[l.i] <= '9' || l.src[l.i] == '.') {
		l.i++
		digits++
	}
	if digits > 0 && l.i < len(l.src) && (l.src[l.i] == 'e' || l.src[l.i] == 'E') {
		l.i++
		if l.i < len(l.src) && (l.src[l.i] == '-' || l.src[l.i] == '+') {
			l.i++
		}
		for l.i < len(l.src) && l.src[l.i] >= '0' && l.src[l.i] <= '9' {
			l.i++
		}
	}
	if digits == 0 || (l.i < len(l.src) && isWordByte(l.src[l.i], true)) {
		for l.i < len(l.src) && isWordByte(l.src[l.i], false) {
			l.i++
		}
		end := max(l.i, start+1)
		l.i = end
		return token{kind: tError, text: l.src[start:end], pos: start, err: "invalid number"}
	}
	return token{kind: tNumber, text: l.src[start:l.i], pos: start}
}
