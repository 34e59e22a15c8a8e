package sqltext

import "strings"

// maxKeywordLen is the length of the longest word in keywords.
const maxKeywordLen = 20

// reservedWords cannot be a table name or an alias without quotes: the
// reserved and type/function-name keywords of PostgreSQL's grammar, which
// DuckDB's parser inherits, plus DuckDB's own.
var reservedWords = wordSet(`
	ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK
	COLLATE COLUMN CONSTRAINT CREATE CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE
	CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT DEFERRABLE DESC
	DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FROM GRANT GROUP
	HAVING IN INITIALLY INTERSECT INTO LATERAL LEADING LIMIT LOCALTIME
	LOCALTIMESTAMP NOT NULL OFFSET ON ONLY OR ORDER PLACING PRIMARY
	REFERENCES RETURNING SELECT SESSION_USER SOME SYMMETRIC TABLE THEN TO
	TRAILING TRUE UNION UNIQUE USER USING VARIADIC WHEN WHERE WINDOW WITH
	ANTI ASOF AUTHORIZATION BINARY COLLATION CONCURRENTLY CROSS FREEZE FULL
	GLOB ILIKE INNER IS ISNULL JOIN LEFT LIKE NATURAL NOTNULL OUTER OVERLAPS
	POSITIONAL RIGHT SEMI SIMILAR TABLESAMPLE VERBOSE
	PIVOT PIVOT_LONGER PIVOT_WIDER UNPIVOT QUALIFY VALUES`)

// notAliasWords are unreserved words that, right after a table name,
// continue the statement rather than name an alias.
var notAliasWords = wordSet(`BY CASCADE RESTRICT SET SAMPLE`)

// queryWords start a query, so a parenthesis group starting with one of
// them is a subquery.
var queryWords = wordSet(`SELECT WITH FROM VALUES PIVOT UNPIVOT DESCRIBE SUMMARIZE`)

// fromEndWords end a FROM clause: after them a top-level comma no longer
// separates tables.
var fromEndWords = wordSet(`
	SELECT WHERE GROUP HAVING WINDOW QUALIFY ORDER LIMIT OFFSET FETCH UNION
	EXCEPT INTERSECT RETURNING SET VALUES`)

// tableConstraintWords start a table constraint, not a column, in
// CREATE TABLE t (...).
var tableConstraintWords = wordSet(`CHECK CONSTRAINT FOREIGN PRIMARY UNIQUE`)

// keywords maps the upper-case spelling of every word this package
// dispatches on to itself, so that kw can find it without allocating.
var keywords = keywordMap(reservedWords, notAliasWords, queryWords, fromEndWords,
	tableConstraintWords, wordSet(`
	AT BY DELETE DESCRIBE DROP EXISTS FORCE IF INSERT INSTALL KEY
	MATERIALIZED NAME OF POSITION RECURSIVE REPLACE SUMMARIZE TABLES
	TIMESTAMP TRUNCATE UPDATE VERSION`))

func wordSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

func keywordMap(sets ...map[string]bool) map[string]string {
	m := make(map[string]string)
	for _, set := range sets {
		for w := range set {
			m[w] = w
		}
	}
	return m
}

// kw returns the upper-case keyword that t spells, or "" when t is not an
// unquoted identifier or not a word this package knows.
func kw(t Token) string {
	if t.Kind != Ident || len(t.Text) > maxKeywordLen {
		return ""
	}
	var buf [maxKeywordLen]byte
	for i := 0; i < len(t.Text); i++ {
		c := t.Text[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return keywords[string(buf[:len(t.Text)])]
}

// isName reports whether t can be a table name or a name part.
func isName(t Token) bool {
	return t.Kind == QuotedIdent || t.Kind == Ident && !reservedWords[kw(t)]
}

// isAlias reports whether t can be an alias right after a table name.
func isAlias(t Token) bool {
	if t.Kind == QuotedIdent {
		return true
	}
	w := kw(t)
	return t.Kind == Ident && !reservedWords[w] && !notAliasWords[w]
}

// isPunct reports whether t is the punctuation p.
func isPunct(t Token, p string) bool { return t.Kind == Punct && t.Text == p }

// isOpen reports whether t opens a bracket group.
func isOpen(t Token) bool {
	return t.Kind == Punct && (t.Text == "(" || t.Text == "[" || t.Text == "{")
}

// closes reports whether the closing bracket c closes the opening
// bracket o.
func closes(o, c byte) bool {
	return o == '(' && c == ')' || o == '[' && c == ']' || o == '{' && c == '}'
}

// matchBrackets returns, for each opening bracket in toks, the index of
// its closing bracket, or the index of the last token (EOF) when it is
// never closed; other entries are -1. A closing bracket that does not
// match the innermost open one is ignored.
func matchBrackets(toks []Token) []int {
	match := make([]int, len(toks))
	var stack []int
	for i, t := range toks {
		match[i] = -1
		if t.Kind != Punct {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			stack = append(stack, i)
		case ")", "]", "}":
			if n := len(stack); n > 0 && closes(toks[stack[n-1]].Text[0], t.Text[0]) {
				match[stack[n-1]] = i
				stack = stack[:n-1]
			}
		}
	}
	for _, o := range stack {
		match[o] = len(toks) - 1
	}
	return match
}

// snippet describes t for an error message.
func snippet(t Token) string {
	if t.Kind == EOF {
		return "the end of the statement"
	}
	s := t.Text
	if n := 0; len(s) > 40 {
		for i := range s {
			if n == 30 {
				return s[:i] + "…"
			}
			n++
		}
	}
	return s
}
