package sqltext

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// TravelKind says which time-travel clause follows a table name.
type TravelKind int

// Time-travel kinds.
const (
	// NoTravel means the table is read at its latest snapshot.
	NoTravel TravelKind = iota
	// TravelVersion is "VERSION AS OF n"; n is in TableRef.Version.
	TravelVersion
	// TravelTimestamp is "TIMESTAMP AS OF '...'"; the literal's content
	// is in TableRef.Timestamp.
	TravelTimestamp
)

// String returns "none", "VERSION AS OF" or "TIMESTAMP AS OF".
func (k TravelKind) String() string {
	switch k {
	case NoTravel:
		return "none"
	case TravelVersion:
		return "VERSION AS OF"
	case TravelTimestamp:
		return "TIMESTAMP AS OF"
	}
	return "TravelKind(" + strconv.Itoa(int(k)) + ")"
}

// TableRef is a table name found in table position in a statement, with
// its optional time-travel clause. All offsets are byte offsets into the
// statement passed to [FindTableRefs].
type TableRef struct {
	// Parts is the identifier chain with quotes removed, e.g.
	// ["sales", "orders"] for sales."orders". Unquoted parts keep their
	// spelling; compare them case-insensitively, as DuckDB does.
	Parts []string
	// Quoted reports, for each part, whether it was double-quoted.
	Quoted []bool
	// Start and End span the name, from the first part to the last,
	// including the dots and anything between the parts.
	Start, End int
	// Alias is the alias after the name or after its time-travel clause
	// ("x" in "FROM t AS x" and "FROM t VERSION AS OF 3 x"), unquoted,
	// or "" when there is none. Rewrite leaves the alias in place.
	Alias string
	// Write reports that the statement writes or drops the table: the
	// target of INSERT INTO, UPDATE, DELETE FROM, TRUNCATE, CREATE TABLE,
	// DROP TABLE or MERGE INTO. Other references are reads.
	Write bool
	// Travel says which time-travel clause follows the name, if any.
	Travel TravelKind
	// Version is n in "VERSION AS OF n"; it is always >= 1.
	Version int64
	// Timestamp is the content of the quoted literal in
	// "TIMESTAMP AS OF '...'", unparsed and never empty.
	Timestamp string
	// TravelStart and TravelEnd span the whole time-travel clause, from
	// VERSION or TIMESTAMP to the end of the literal. Both are 0 when
	// Travel is NoTravel.
	TravelStart, TravelEnd int
}

// Name returns the table name as SQL: the parts joined by dots, with the
// parts that were quoted quoted again.
func (r TableRef) Name() string {
	var b strings.Builder
	for i, p := range r.Parts {
		if i > 0 {
			b.WriteByte('.')
		}
		if i < len(r.Quoted) && r.Quoted[i] {
			b.WriteString(`"` + strings.ReplaceAll(p, `"`, `""`) + `"`)
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}

// spanEnd returns the end of the text Rewrite replaces: the name and its
// time-travel clause.
func (r TableRef) spanEnd() int {
	if r.Travel != NoTravel && r.TravelEnd > r.End {
		return r.TravelEnd
	}
	return r.End
}

// FindTableRefs returns the table names in stmt, in order of position.
//
// A name is in table position after FROM, after JOIN of any kind, after a
// comma in a FROM list, after USING in DELETE ... USING and MERGE ...
// USING, as the target of INSERT INTO, UPDATE, DELETE FROM, TRUNCATE,
// CREATE [OR REPLACE] TABLE [IF NOT EXISTS] and DROP TABLE [IF EXISTS],
// and after DESCRIBE, SUMMARIZE, PIVOT and UNPIVOT; this holds in
// subqueries and CTE bodies at any depth. FROM counts only at the
// statement level and in parentheses that hold a query (that start with
// SELECT, WITH, FROM, VALUES, ...), so EXTRACT(YEAR FROM ts) has no table.
//
// Not reported: file references such as FROM 'data/*.csv', table
// functions such as FROM read_csv('x') or range(10), references to CTEs
// (a name defined by WITH, from the end of its definition to the end of
// the query the WITH belongs to; with WITH RECURSIVE also inside the
// definitions), aliases and column names, and the targets of CREATE TEMP
// TABLE, ALTER TABLE and COPY.
//
// A name may be followed by VERSION AS OF n (n >= 1) or TIMESTAMP AS OF
// '...', then by an alias. VERSION and TIMESTAMP mean time travel only
// when AS OF follows, so columns and aliases named version or timestamp
// still work. FindTableRefs returns an *Error, with the position and a
// hint, for a malformed clause (VERSION AS OF 0, VERSION AS OF abc,
// TIMESTAMP AS OF 123, VERSION OF 3, an expression instead of a literal),
// for a clause after the alias (FROM t x VERSION AS OF 3), for a clause
// after something that is not a table name (a subquery, a table function
// or a file) or after the name of a CTE, for DuckDB's AT (VERSION => n)
// syntax, and when stmt does not tokenize (see [Tokenize]).
func FindTableRefs(stmt string) ([]TableRef, error) {
	toks, err := Tokenize(stmt)
	if err != nil {
		return nil, err
	}
	refs, e := findRefs(stmt, significant(toks))
	if e != nil {
		return nil, e
	}
	return refs, nil
}

// Rewrite returns stmt with the span of each ref (its name, plus its
// time-travel clause when it has one) replaced by repl(ref); everything
// else, aliases included, is kept byte for byte. refs must come from
// FindTableRefs(stmt), or be a subsequence of its result; refs that lie
// outside stmt, or start before the end of the previous ref, are left
// alone. repl is called once per rewritten ref, in order.
func Rewrite(stmt string, refs []TableRef, repl func(TableRef) string) string {
	var b strings.Builder
	b.Grow(len(stmt))
	pos := 0
	for _, r := range refs {
		end := r.spanEnd()
		if r.Start < pos || r.Start > end || end > len(stmt) {
			continue
		}
		b.WriteString(stmt[pos:r.Start])
		b.WriteString(repl(r))
		pos = end
	}
	b.WriteString(stmt[pos:])
	return b.String()
}

// role is how a table item is used.
type role int

const (
	roleNone  role = iota // not in table position
	roleRead              // read: FROM, JOIN, USING, DESCRIBE
	roleWrite             // written: INSERT INTO, UPDATE, DELETE FROM, ...
)

// itemKind says what a bracket group in table position is.
type itemKind int

const (
	notItem      itemKind = iota
	itemSubquery          // FROM (SELECT ...)
	itemJoin              // FROM (a JOIN b ON ...)
	itemFunction          // FROM read_csv(...)
)

func (k itemKind) String() string {
	switch k {
	case itemSubquery:
		return "a subquery"
	case itemJoin:
		return "a parenthesized join"
	case itemFunction:
		return "a table function"
	}
	return "an expression"
}

// frame is the state of one bracket group, or of the statement itself.
type frame struct {
	open   byte     // '(', '[' or '{'; 0 for the statement level
	query  bool     // holds a query, so FROM starts table position
	item   itemKind // what the group is when it is in table position
	inFrom bool     // in a FROM clause: a comma starts another table
}

// refScanner finds table references in significant tokens.
type refScanner struct {
	src       string
	toks      []Token // significant tokens, ending with EOF
	match     []int   // see matchBrackets
	skipOpen  []int   // index of the first token at or after i that is not '('
	refs      []TableRef
	stack     []frame
	stmtStart int  // index of the first token of the current statement
	noTables  bool // the statement names no tables (INSTALL x FROM repo)
}

// findRefs implements FindTableRefs on the significant tokens of src.
func findRefs(src string, toks []Token) ([]TableRef, *Error) {
	s := &refScanner{src: src, toks: toks, match: matchBrackets(toks), skipOpen: make([]int, len(toks))}
	for i := len(toks) - 1; i >= 0; i-- {
		s.skipOpen[i] = i
		if isPunct(toks[i], "(") && i+1 < len(toks) {
			s.skipOpen[i] = s.skipOpen[i+1]
		}
	}
	if err := s.scan(); err != nil {
		return nil, err
	}
	ctes := s.collectCTEs()
	if len(ctes) == 0 {
		return s.refs, nil
	}
	out := s.refs[:0]
	for _, r := range s.refs {
		if !r.Write && len(r.Parts) == 1 && refersToCTE(ctes, r) {
			if r.Travel != NoTravel {
				return nil, errorAt(src, r.TravelStart,
					"time travel applies to tables: put the clause after the tables in the CTE's query",
					"%s needs a table name, not the CTE %s", r.Travel, r.Name())
			}
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// tok returns the i-th token; past the end it returns EOF, before the
// start a zero Token (which is no keyword and no punctuation).
func (s *refScanner) tok(i int) Token {
	switch {
	case i < 0:
		return Token{}
	case i < len(s.toks):
		return s.toks[i]
	}
	return s.toks[len(s.toks)-1]
}

// scan walks the tokens once, tracking bracket groups and clauses.
func (s *refScanner) scan() *Error {
	s.stack = append(s.stack[:0], frame{query: true})
	expect := roleNone
	for i := 0; i < len(s.toks) && s.toks[i].Kind != EOF; {
		var err *Error
		if expect != roleNone {
			i, expect, err = s.item(i, expect)
		} else {
			i, expect, err = s.step(i)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// step handles the token at i outside table position. It returns the
// index of the next token to look at and whether that token is in table
// position.
func (s *refScanner) step(i int) (int, role, *Error) {
	t := s.toks[i]
	f := &s.stack[len(s.stack)-1]
	switch t.Kind {
	case Punct:
		switch t.Text {
		case "(", "[", "{":
			s.stack = append(s.stack, frame{open: t.Text[0], query: t.Text == "(" && s.startsQuery(i+1)})
		case ")", "]", "}":
			if n := len(s.stack); n > 1 && closes(s.stack[n-1].open, t.Text[0]) {
				item := s.stack[n-1].item
				s.stack = s.stack[:n-1]
				if item != notItem {
					if err := s.checkStray(i+1, item.String()); err != nil {
						return i, roleNone, err
					}
				}
			}
		case ",":
			if f.inFrom {
				return i + 1, roleRead, nil
			}
		case ";":
			if len(s.stack) == 1 {
				s.stack[0] = frame{query: true}
				s.stmtStart = i + 1
				s.noTables = false
			}
		}
		return i + 1, roleNone, nil
	case Ident:
		return s.keyword(i)
	}
	return i + 1, roleNone, nil
}

// keyword handles the unquoted identifier at i outside table position.
func (s *refScanner) keyword(i int) (int, role, *Error) {
	f := &s.stack[len(s.stack)-1]
	prev, next := s.tok(i-1), i+1
	atStart := i == s.stmtStart || isPunct(prev, "(")
	switch w := kw(s.toks[i]); w {
	case "FROM":
		// a IS DISTINCT FROM b; SHOW TABLES FROM db.
		if !f.query || s.noTables || prev.Is("DISTINCT") || prev.Is("TABLES") {
			break
		}
		f.inFrom = true
		if prev.Is("DELETE") {
			return next, roleWrite, nil
		}
		return next, roleRead, nil
	case "JOIN":
		f.inFrom = true
		return next, roleRead, nil
	case "USING":
		// JOIN ... USING (cols), USING SAMPLE 10%, USING KEY (cols).
		if n := s.tok(next); isPunct(n, "(") || n.Is("SAMPLE") || n.Is("KEY") || s.noTables {
			break
		}
		return next, roleRead, nil
	case "INTO":
		f.inFrom = false
		// UNPIVOT t ON a, b INTO NAME col VALUE val.
		if s.noTables || s.tok(next).Is("NAME") && isName(s.tok(next+1)) && s.tok(next+2).Is("VALUE") {
			break
		}
		return next, roleWrite, nil
	case "UPDATE":
		// ON CONFLICT DO UPDATE SET, FOR UPDATE, ON UPDATE CASCADE.
		if s.tok(next).Is("SET") || prev.Is("FOR") || prev.Is("ON") || prev.Is("DO") {
			break
		}
		return next, roleWrite, nil
	case "TABLE":
		switch {
		case prev.Is("CREATE") || prev.Is("REPLACE") && s.tok(i-2).Is("OR") && s.tok(i-3).Is("CREATE"):
			if s.tok(next).Is("IF") && s.tok(next+1).Is("NOT") && s.tok(next+2).Is("EXISTS") {
				next += 3
			}
			return next, roleWrite, nil
		case prev.Is("DROP"):
			if s.tok(next).Is("IF") && s.tok(next+1).Is("EXISTS") {
				next += 2
			}
			return next, roleWrite, nil
		}
	case "TRUNCATE":
		if i == s.stmtStart {
			if s.tok(next).Is("TABLE") {
				next++
			}
			return next, roleWrite, nil
		}
	case "DESCRIBE", "SUMMARIZE":
		if atStart {
			if s.tok(next).Is("TABLE") {
				next++
			}
			return next, roleRead, nil
		}
	case "PIVOT", "UNPIVOT":
		if atStart {
			return next, roleRead, nil
		}
	case "INSTALL", "FORCE":
		if i == s.stmtStart {
			s.noTables = true
		}
	default:
		if fromEndWords[w] {
			f.inFrom = false
		}
	}
	return next, roleNone, nil
}

// startsQuery reports whether the bracket group whose first token is at
// i holds a query; "((SELECT 1) UNION (SELECT 2))" does.
func (s *refScanner) startsQuery(i int) bool {
	if i >= 0 && i < len(s.toks) {
		i = s.skipOpen[i]
	}
	return queryWords[kw(s.tok(i))]
}

// item handles the token at i in table position with role r.
func (s *refScanner) item(i int, r role) (int, role, *Error) {
	for s.tok(i).Is("LATERAL") || s.tok(i).Is("ONLY") {
		i++
	}
	t := s.tok(i)
	switch {
	case isPunct(t, "("):
		if s.startsQuery(i + 1) {
			s.stack = append(s.stack, frame{open: '(', query: true, item: itemSubquery})
			return i + 1, roleNone, nil
		}
		// A parenthesized join: its first token is in table position too.
		s.stack = append(s.stack, frame{open: '(', item: itemJoin, inFrom: true})
		return i + 1, r, nil
	case t.Kind == String:
		return i + 1, roleNone, s.checkStray(i+1, "a file")
	case isName(t) || t.Is("DEFAULT") && isPunct(s.tok(i+1), "."):
		// DEFAULT is reserved, but default.t names Sluice's default
		// namespace (the engine quotes it for DuckDB).
		k := i
		for isPunct(s.tok(k+1), ".") && (s.tok(k+2).Kind == Ident || s.tok(k+2).Kind == QuotedIdent) {
			k += 2
		}
		// A table function; after a written table, a column list.
		if isPunct(s.tok(k+1), "(") && r == roleRead {
			s.stack = append(s.stack, frame{open: '(', query: s.startsQuery(k + 2), item: itemFunction})
			return k + 2, roleNone, nil
		}
		ref := TableRef{Start: t.Start, End: s.tok(k).End, Write: r == roleWrite}
		for j := i; j <= k; j += 2 {
			p := s.toks[j]
			ref.Parts = append(ref.Parts, p.Value())
			ref.Quoted = append(ref.Quoted, p.Kind == QuotedIdent)
		}
		n, err := s.travel(&ref, k+1)
		if err == nil {
			n, err = s.alias(&ref, n)
		}
		if err != nil {
			return i, roleNone, err
		}
		s.refs = append(s.refs, ref)
		return n, roleNone, nil
	}
	return i, roleNone, nil
}

// travelAt reports whether a time-travel clause starts at i.
func (s *refScanner) travelAt(i int) bool {
	w := s.tok(i)
	return (w.Is("VERSION") || w.Is("TIMESTAMP")) && s.tok(i+1).Is("AS") && s.tok(i+2).Is("OF")
}

// travel parses the time-travel clause of ref at n, if there is one, and
// returns the index after it.
func (s *refScanner) travel(ref *TableRef, n int) (int, *Error) {
	w := s.tok(n)
	name := ref.Name()
	var kind TravelKind
	var example string
	switch {
	case w.Is("VERSION"):
		kind, example = TravelVersion, name+" VERSION AS OF 3"
	case w.Is("TIMESTAMP"):
		kind, example = TravelTimestamp, name+" TIMESTAMP AS OF '2026-11-20 10:00:00'"
	default:
		return n, nil
	}
	word := strings.ToUpper(w.Text)
	if of := s.tok(n + 1); of.Is("OF") {
		return n, errorAt(s.src, of.Start, "write "+example,
			"expected AS OF after %s in the time-travel clause of table %s", word, name)
	}
	if !s.tok(n+1).Is("AS") || !s.tok(n+2).Is("OF") {
		return n, nil
	}
	v := s.tok(n + 3)
	ref.Travel, ref.TravelStart, ref.TravelEnd = kind, w.Start, v.End
	if kind == TravelVersion {
		hint := "write " + name + " VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"
		switch {
		case v.Kind == EOF:
			return n, errorAt(s.src, v.Start, hint, "VERSION AS OF on table %s needs a version number", name)
		case v.Kind == Op && v.Text == "-" && s.tok(n+4).Kind == Number:
			return n, errorAt(s.src, v.Start, hint,
				"VERSION AS OF -%s on table %s: versions start at 1", snippet(s.tok(n+4)), name)
		case v.Kind != Number:
			return n, errorAt(s.src, v.Start, hint,
				"VERSION AS OF on table %s needs a version number, got %s", name, snippet(v))
		}
		digits := strings.ReplaceAll(v.Text, "_", "")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			return n, errorAt(s.src, v.Start, hint,
				"VERSION AS OF on table %s needs a whole number, got %s", name, snippet(v))
		}
		ver, err := strconv.ParseInt(digits, 10, 64)
		switch {
		case err != nil:
			return n, errorAt(s.src, v.Start, hint, "VERSION AS OF %s on table %s: number too large", snippet(v), name)
		case ver == 0:
			return n, errorAt(s.src, v.Start, hint, "VERSION AS OF %s on table %s: versions start at 1", v.Text, name)
		}
		ref.Version = ver
	} else {
		hint := "write " + example
		if v.Kind != String {
			if v.Kind == EOF {
				return n, errorAt(s.src, v.Start, hint, "TIMESTAMP AS OF on table %s needs a quoted timestamp", name)
			}
			return n, errorAt(s.src, v.Start, hint,
				"TIMESTAMP AS OF on table %s needs a quoted timestamp, got %s", name, snippet(v))
		}
		ref.Timestamp = v.Value()
		if strings.TrimSpace(ref.Timestamp) == "" {
			return n, errorAt(s.src, v.Start, hint, "TIMESTAMP AS OF on table %s: the timestamp is empty", name)
		}
	}
	if after := s.tok(n + 4); after.Kind == Op || isPunct(after, ".") || isPunct(after, "[") {
		return n, errorAt(s.src, after.Start, "write the literal alone, e.g. "+example,
			"%s AS OF on table %s takes a literal, not an expression", word, name)
	}
	return n + 4, nil
}

// alias parses the alias of ref at n, if there is one, and rejects a
// time-travel clause after it. It returns the index after the alias.
func (s *refScanner) alias(ref *TableRef, n int) (int, *Error) {
	name := ref.Name()
	if ref.Travel != NoTravel && s.travelAt(n) {
		return n, errorAt(s.src, s.tok(n).Start, "keep one VERSION AS OF or TIMESTAMP AS OF clause",
			"table %s has two time-travel clauses", name)
	}
	if s.tok(n).Is("AT") && isPunct(s.tok(n+1), "(") {
		return n, errorAt(s.src, s.tok(n).Start,
			fmt.Sprintf("write %s VERSION AS OF 3 or %s TIMESTAMP AS OF '2026-11-20 10:00:00'", name, name),
			"AT (...) time travel is not supported on table %s", name)
	}
	j := n
	if s.tok(j).Is("AS") {
		j++
	}
	a := s.tok(j)
	if !isAlias(a) {
		return n, nil
	}
	ref.Alias = a.Value()
	k := j + 1
	if isPunct(s.tok(k), "(") {
		k = s.match[k] + 1
	}
	if s.travelAt(k) {
		w := s.tok(k)
		clause := strings.ToUpper(w.Text) + " AS OF"
		if v := s.tok(k + 3); v.Kind != EOF {
			clause += " " + snippet(v)
		}
		return n, errorAt(s.src, w.Start,
			fmt.Sprintf("put the time-travel clause right after the table name: %s %s AS %s", name, clause, a.Text),
			"time-travel clause after the alias %s of table %s", a.Text, name)
	}
	return j + 1, nil
}

// checkStray rejects a time-travel clause, directly or after an alias, at
// n, which follows something in table position that is not a table name.
func (s *refScanner) checkStray(n int, what string) *Error {
	j := n
	if !s.travelAt(j) {
		if s.tok(j).Is("AS") {
			j++
		}
		if !isAlias(s.tok(j)) {
			return nil
		}
		j++
		if isPunct(s.tok(j), "(") {
			j = s.match[j] + 1
		}
		if !s.travelAt(j) {
			return nil
		}
	}
	w := s.tok(j)
	return errorAt(s.src, w.Start, "time travel applies to table names: write FROM orders VERSION AS OF 3",
		"%s AS OF needs a table name, not %s", strings.ToUpper(w.Text), what)
}

// cteDef is a name defined by WITH and the byte range where it is
// visible.
type cteDef struct {
	name     string
	from, to int
}

// collectCTEs returns the CTEs defined in the statement.
func (s *refScanner) collectCTEs() map[string][]cteDef {
	var defs []cteDef
	pending := 0 // defs[pending:] with to < 0 end with the statement
	var stack []int
	for i, t := range s.toks {
		switch {
		case t.Kind == Punct && (t.Text == ")" || t.Text == "]" || t.Text == "}"):
			if n := len(stack); n > 0 && closes(s.toks[stack[n-1]].Text[0], t.Text[0]) {
				stack = stack[:n-1]
			}
		case isOpen(t):
			stack = append(stack, i)
		case t.Kind == EOF || isPunct(t, ";") && len(stack) == 0:
			for k := pending; k < len(defs); k++ {
				if defs[k].to < 0 {
					defs[k].to = t.Start
				}
			}
			pending = len(defs)
		case t.Is("WITH"):
			to := -1
			if n := len(stack); n > 0 {
				to = s.tok(s.match[stack[n-1]]).Start
			}
			defs = s.parseWith(i, to, defs)
		}
	}
	if len(defs) == 0 {
		return nil
	}
	byName := make(map[string][]cteDef)
	for _, d := range defs {
		key := strings.ToLower(d.name)
		byName[key] = append(byName[key], d)
	}
	// Sort each list by from, and make each to the largest so far, so
	// that refersToCTE can binary-search it.
	for _, list := range byName {
		slices.SortStableFunc(list, func(a, b cteDef) int { return cmp.Compare(a.from, b.from) })
		for i := 1; i < len(list); i++ {
			list[i].to = max(list[i].to, list[i-1].to)
		}
	}
	return byName
}

// parseWith appends the CTEs defined by the WITH at i, visible up to the
// byte offset to, to defs:
//
//	WITH [RECURSIVE] name [(cols)] [USING KEY (cols)] AS [NOT] [MATERIALIZED] (query) [, ...]
func (s *refScanner) parseWith(i, to int, defs []cteDef) []cteDef {
	j := i + 1
	recursive := s.tok(j).Is("RECURSIVE")
	if recursive {
		j++
	}
	for {
		name := s.tok(j)
		if !isName(name) {
			return defs
		}
		j++
		if isPunct(s.tok(j), "(") {
			j = s.match[j] + 1
		}
		if s.tok(j).Is("USING") && s.tok(j+1).Is("KEY") && isPunct(s.tok(j+2), "(") {
			j = s.match[j+2] + 1
		}
		if !s.tok(j).Is("AS") {
			return defs
		}
		j++
		if s.tok(j).Is("NOT") {
			j++
		}
		if s.tok(j).Is("MATERIALIZED") {
			j++
		}
		if !isPunct(s.tok(j), "(") {
			return defs
		}
		end := s.match[j]
		d := cteDef{name: name.Value(), from: s.tok(end).End, to: to}
		if recursive {
			d.from = s.toks[i].Start
		}
		defs = append(defs, d)
		j = end + 1
		if !isPunct(s.tok(j), ",") {
			return defs
		}
		j++
	}
}

// refersToCTE reports whether the one-part reference r names a CTE
// visible where r is. Each list in ctes is sorted by from, and its to
// fields hold the largest end so far (see collectCTEs).
func refersToCTE(ctes map[string][]cteDef, r TableRef) bool {
	list := ctes[strings.ToLower(r.Parts[0])]
	// n is the number of CTEs visible from r.Start on or before.
	n := sort.Search(len(list), func(i int) bool { return list[i].from > r.Start })
	return n > 0 && r.Start < list[n-1].to
}
