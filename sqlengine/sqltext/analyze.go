package sqltext

import (
	"strconv"
	"strings"
)

// Kind classifies a statement for the engine: the writes it must commit
// to Iceberg tables itself, and everything else.
type Kind int

// Statement kinds.
const (
	// Query is any statement that is not one of the writes below. The
	// engine passes it to DuckDB as is: SELECT, FROM-first queries,
	// EXPLAIN, DESCRIBE, CREATE VIEW, CREATE TEMP TABLE, CREATE SCHEMA,
	// ATTACH, SET, PRAGMA, COPY, WITH ... INSERT and so on. Some of these
	// also write (MERGE INTO t, WITH ... DELETE FROM t); the engine can
	// spot them by a [TableRef] with Write set.
	Query Kind = iota
	// CreateTableAs is CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t
	// [(cols)] AS query.
	CreateTableAs
	// CreateTable is CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t (column
	// definitions).
	CreateTable
	// InsertInto is INSERT INTO t [(cols)] query.
	InsertInto
	// Delete is DELETE FROM t [WHERE predicate] or TRUNCATE [TABLE] t.
	Delete
	// Update is UPDATE t SET col = expr, ... [WHERE predicate].
	Update
	// DropTable is DROP TABLE [IF EXISTS] t.
	DropTable
)

var kindNames = [...]string{
	Query: "Query", CreateTableAs: "CREATE TABLE AS", CreateTable: "CREATE TABLE",
	InsertInto: "INSERT INTO", Delete: "DELETE", Update: "UPDATE", DropTable: "DROP TABLE",
}

// String returns the kind as SQL, e.g. "INSERT INTO", or "Query".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Analysis describes a statement. Text fields are substrings of the
// statement, without the whitespace and comments around them; their
// offsets locate them in the statement, so that an error found in one of
// them can be reported against the statement (see [Error.Relocate]).
type Analysis struct {
	// Kind classifies the statement. For Query, the other fields are
	// zero.
	Kind Kind
	// Target is the table written or dropped; it never has a
	// time-travel clause. Target.Alias is set for UPDATE t AS x and
	// DELETE FROM t AS x.
	Target TableRef
	// OrReplace is set for CREATE OR REPLACE TABLE.
	OrReplace bool
	// IfNotExists is set for CREATE TABLE IF NOT EXISTS.
	IfNotExists bool
	// IfExists is set for DROP TABLE IF EXISTS.
	IfExists bool
	// Columns lists column names, unquoted: the column list of INSERT
	// INTO t (a, b) ... and CREATE TABLE t (a, b) AS ..., or the columns
	// defined by CREATE TABLE t (a INT, b TEXT) (table constraints such
	// as PRIMARY KEY (a) are not columns). It is nil when there is no
	// list.
	Columns []string
	// ColumnDefs is the text inside the parentheses of CREATE TABLE t
	// (...).
	ColumnDefs string
	// Query is the query that produces the rows of CREATE TABLE ... AS
	// query and of INSERT INTO t [(cols)] query: it starts with SELECT,
	// VALUES, FROM, WITH or '('.
	Query string
	// QueryOffset is the byte offset of Query in the statement.
	QueryOffset int
	// Where is the predicate of DELETE and UPDATE, after WHERE; it is ""
	// when every row is affected (no WHERE, or TRUNCATE).
	Where string
	// WhereOffset is the byte offset of Where in the statement.
	WhereOffset int
	// Set lists the assignments of UPDATE, in order.
	Set []Assignment
}

// Assignment is one column = expression of UPDATE ... SET.
type Assignment struct {
	// Column is the column name, unquoted.
	Column string
	// Expr is the expression's text.
	Expr string
	// Offset is the byte offset of Expr in the statement.
	Offset int
}

// Analyze classifies stmt, a single statement, and takes apart the write
// statements that the engine commits to Iceberg tables itself. Leading
// and trailing whitespace and comments and a trailing ';' are allowed;
// keywords are case-insensitive. Statements that are not such writes have
// Kind Query.
//
// Analyze returns an *Error, with the position in stmt and a hint, for
// everything [FindTableRefs] rejects; for more than one statement; for a
// time-travel clause on the written table; for malformed writes (INSERT
// without INTO, a missing table name, SET without assignments, WHERE
// without a condition, ...); and for write forms that Iceberg tables do
// not support: INSERT OR REPLACE, INSERT OR IGNORE, ON CONFLICT,
// RETURNING, INSERT ... BY NAME, INSERT ... DEFAULT VALUES, UPDATE ...
// FROM and DELETE ... USING.
func Analyze(stmt string) (*Analysis, error) {
	all, err := Tokenize(stmt)
	if err != nil {
		return nil, err
	}
	sig := significant(all)
	refs, e := findRefs(stmt, sig)
	if e != nil {
		return nil, e
	}
	a := &analyzer{src: stmt, refs: refs}
	if e := a.init(sig); e != nil {
		return nil, e
	}
	res, e := a.analyze()
	if e != nil {
		return nil, e
	}
	return res, nil
}

// analyzer takes apart one statement.
type analyzer struct {
	src   string
	toks  []Token // significant tokens up to the first top-level ';', then EOF
	match []int
	refs  []TableRef
}

// init keeps the tokens of the first statement and rejects any other.
func (a *analyzer) init(sig []Token) *Error {
	match := matchBrackets(sig)
	end := len(sig) - 1
	for i := 0; i < end; i++ {
		if isOpen(sig[i]) {
			i = match[i]
			continue
		}
		if isPunct(sig[i], ";") {
			end = i
			break
		}
	}
	for _, t := range sig[end:] {
		if t.Kind != EOF && !isPunct(t, ";") {
			return errorAt(a.src, t.Start, "run the statements one at a time", "more than one statement")
		}
	}
	a.toks = append(sig[:end:end], Token{Kind: EOF, Start: sig[end].Start, End: sig[end].Start})
	a.match = matchBrackets(a.toks)
	return nil
}

// tok returns the i-th token, or EOF past the end.
func (a *analyzer) tok(i int) Token {
	if i >= 0 && i < len(a.toks) {
		return a.toks[i]
	}
	return a.toks[len(a.toks)-1]
}

// eof returns the index of the EOF token.
func (a *analyzer) eof() int { return len(a.toks) - 1 }

// text returns the source text of tokens i to j-1 and its offset.
func (a *analyzer) text(i, j int) (string, int) {
	start := a.tok(i).Start
	if j <= i || i >= a.eof() {
		return "", start
	}
	return a.src[start:a.tok(j-1).End], start
}

// fail returns an *Error at the token at i.
func (a *analyzer) fail(i int, hint, format string, args ...any) *Error {
	return errorAt(a.src, a.tok(i).Start, hint, format, args...)
}

// findTop returns the index of the first token in [i, j) outside
// brackets for which ok is true, or -1.
func (a *analyzer) findTop(i, j int, ok func(int) bool) int {
	for ; i < j; i++ {
		if isOpen(a.tok(i)) {
			i = a.match[i]
			continue
		}
		if ok(i) {
			return i
		}
	}
	return -1
}

// splitTop splits tokens [i, j) at commas outside brackets and returns
// the [start, end) index pairs of the pieces.
func (a *analyzer) splitTop(i, j int) [][2]int {
	var parts [][2]int
	start := i
	for ; i < j; i++ {
		if isOpen(a.tok(i)) {
			i = min(a.match[i], j)
			continue
		}
		if isPunct(a.tok(i), ",") {
			parts = append(parts, [2]int{start, i})
			start = i + 1
		}
	}
	return append(parts, [2]int{start, j})
}

func (a *analyzer) analyze() (*Analysis, *Error) {
	switch kw(a.tok(0)) {
	case "CREATE":
		return a.create()
	case "DROP":
		return a.drop()
	case "INSERT", "DELETE", "UPDATE", "TRUNCATE":
		if r := a.findTop(0, a.eof(), func(i int) bool { return a.tok(i).Is("RETURNING") }); r >= 0 {
			return nil, a.fail(r, "run a SELECT after the write to see the rows",
				"RETURNING is not supported on Iceberg tables")
		}
		switch kw(a.tok(0)) {
		case "INSERT":
			return a.insert()
		case "DELETE":
			return a.delete()
		case "UPDATE":
			return a.update()
		}
		return a.truncate()
	}
	return &Analysis{Kind: Query}, nil
}

// target returns the written table whose name starts at i, and the index
// after the name.
func (a *analyzer) target(i int, verb string) (TableRef, int, *Error) {
	t := a.tok(i)
	for _, r := range a.refs {
		if !r.Write || r.Start != t.Start || t.Kind == EOF {
			continue
		}
		if r.Travel != NoTravel {
			clause := a.src[r.TravelStart:r.TravelEnd]
			return r, i, errorAt(a.src, r.TravelStart,
				"remove "+clause+"; writes always apply to the latest snapshot",
				"%s %s: time travel is read-only", verb, r.Name())
		}
		k := i
		for a.tok(k).Kind != EOF && a.tok(k).Start < r.End {
			k++
		}
		return r, k, nil
	}
	return TableRef{}, i, a.fail(i, "write "+verb+" followed by a table name, e.g. "+verb+" sales.orders",
		"expected a table name after %s, got %s", verb, snippet(t))
}

// skipAlias returns the index after the alias at i, if there is one; it
// mirrors refScanner.alias.
func (a *analyzer) skipAlias(i int) int {
	j := i
	if a.tok(j).Is("AS") {
		j++
	}
	if isAlias(a.tok(j)) {
		return j + 1
	}
	return i
}

// query sets res.Query to the query that starts at i.
func (a *analyzer) query(res *Analysis, i int, after string) *Error {
	if t := a.tok(i); !isPunct(t, "(") && !queryWords[kw(t)] {
		return a.fail(i, "follow it with SELECT ..., VALUES ..., FROM ... or WITH ...",
			"expected a query after %s, got %s", after, snippet(t))
	}
	res.Query, res.QueryOffset = a.text(i, a.eof())
	return nil
}

// where sets res.Where to the predicate after the WHERE at i.
func (a *analyzer) where(res *Analysis, i int, all string) *Error {
	res.Where, res.WhereOffset = a.text(i+1, a.eof())
	if res.Where == "" {
		return a.fail(i+1, "write a condition after WHERE, or drop WHERE to "+all, "WHERE needs a condition")
	}
	return nil
}

// groupIsQuery reports whether the bracket group opened at i holds a
// query, as in INSERT INTO t (SELECT 1).
func (a *analyzer) groupIsQuery(i int) bool {
	for isPunct(a.tok(i), "(") {
		i++
	}
	return queryWords[kw(a.tok(i))]
}

// names parses the column list in the brackets opened at i: (a, "b c").
func (a *analyzer) names(i int) ([]string, *Error) {
	var cols []string
	for _, p := range a.splitTop(i+1, a.match[i]) {
		t := a.tok(p[0])
		if p[1]-p[0] != 1 || !isName(t) {
			return nil, a.fail(p[0], "list plain column names, e.g. (id, name)",
				"expected a column name in the column list, got %s", snippet(t))
		}
		cols = append(cols, t.Value())
	}
	return cols, nil
}

func (a *analyzer) create() (*Analysis, *Error) {
	res := &Analysis{}
	i := 1
	if a.tok(i).Is("OR") && a.tok(i+1).Is("REPLACE") {
		res.OrReplace = true
		i += 2
	}
	if !a.tok(i).Is("TABLE") {
		return &Analysis{Kind: Query}, nil // CREATE VIEW, CREATE TEMP TABLE, ...
	}
	i++
	if a.tok(i).Is("IF") && a.tok(i+1).Is("NOT") && a.tok(i+2).Is("EXISTS") {
		if res.OrReplace {
			return nil, a.fail(i, "use either OR REPLACE or IF NOT EXISTS",
				"CREATE OR REPLACE TABLE cannot be combined with IF NOT EXISTS")
		}
		res.IfNotExists = true
		i += 3
	}
	ref, i, err := a.target(i, "CREATE TABLE")
	if err != nil {
		return nil, err
	}
	res.Target = ref
	name := ref.Name()
	switch t := a.tok(i); {
	case t.Is("AS"):
		res.Kind = CreateTableAs
		if err := a.query(res, i+1, "CREATE TABLE "+name+" AS"); err != nil {
			return nil, err
		}
	case isPunct(t, "("):
		end := a.match[i]
		if a.tok(end).Kind == EOF {
			return nil, a.fail(end, "close the column definitions with )", "missing ) after the column definitions of %s", name)
		}
		if a.tok(end + 1).Is("AS") {
			res.Kind = CreateTableAs
			if res.Columns, err = a.names(i); err != nil {
				return nil, err
			}
			if err := a.query(res, end+2, "CREATE TABLE "+name+" (...) AS"); err != nil {
				return nil, err
			}
			break
		}
		res.Kind = CreateTable
		res.ColumnDefs, _ = a.text(i+1, end)
		if res.Columns, err = a.columnDefs(i+1, end, name); err != nil {
			return nil, err
		}
		if end+1 != a.eof() {
			return nil, a.fail(end+1, "end the statement after the column definitions",
				"unexpected %s after the column definitions of %s", snippet(a.tok(end+1)), name)
		}
	case t.Kind == EOF:
		return nil, a.fail(i, "write CREATE TABLE "+name+" (id BIGINT, name VARCHAR) or CREATE TABLE "+name+" AS SELECT ...",
			"CREATE TABLE %s needs column definitions or AS followed by a query", name)
	default:
		return nil, a.fail(i, "follow the table name with (column definitions) or AS SELECT ...",
			"unexpected %s after CREATE TABLE %s", snippet(t), name)
	}
	return res, nil
}

// columnDefs returns the names of the columns defined by tokens [i, j),
// the inside of CREATE TABLE t (...).
func (a *analyzer) columnDefs(i, j int, table string) ([]string, *Error) {
	if i == j {
		return nil, a.fail(j, "define at least one column, e.g. (id BIGINT)", "CREATE TABLE %s has no columns", table)
	}
	var cols []string
	for _, p := range a.splitTop(i, j) {
		t := a.tok(p[0])
		switch {
		case p[0] == p[1]:
			return nil, a.fail(p[0], "remove the extra comma", "empty column definition in CREATE TABLE %s", table)
		case tableConstraintWords[kw(t)]:
			continue
		case !isName(t):
			return nil, a.fail(p[0], "start each column definition with its name, e.g. id BIGINT",
				"expected a column name in CREATE TABLE %s, got %s", table, snippet(t))
		}
		cols = append(cols, t.Value())
	}
	return cols, nil
}

func (a *analyzer) insert() (*Analysis, *Error) {
	i := 1
	if t := a.tok(i); t.Is("OR") {
		how := strings.ToUpper(a.tok(i + 1).Text)
		return nil, a.fail(i, "Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT",
			"INSERT OR %s is not supported on Iceberg tables", how)
	}
	if !a.tok(i).Is("INTO") {
		return nil, a.fail(i, "write INSERT INTO table SELECT ... or INSERT INTO table VALUES (...)",
			"expected INTO after INSERT, got %s", snippet(a.tok(i)))
	}
	ref, i, err := a.target(i+1, "INSERT INTO")
	if err != nil {
		return nil, err
	}
	res := &Analysis{Kind: InsertInto, Target: ref}
	name := ref.Name()
	if isPunct(a.tok(i), "(") && !a.groupIsQuery(i) {
		if res.Columns, err = a.names(i); err != nil {
			return nil, err
		}
		i = a.match[i] + 1
	}
	switch t := a.tok(i); {
	case t.Is("BY") && a.tok(i+1).Is("POSITION"):
		i += 2
	case t.Is("BY") && a.tok(i+1).Is("NAME"):
		return nil, a.fail(i, "list the columns instead: INSERT INTO "+name+" (a, b) SELECT a, b ...",
			"INSERT INTO %s BY NAME is not supported yet", name)
	case t.Is("DEFAULT") && a.tok(i+1).Is("VALUES"):
		return nil, a.fail(i, "insert explicit values: INSERT INTO "+name+" VALUES (...)",
			"INSERT ... DEFAULT VALUES is not supported on Iceberg tables")
	}
	if err := a.query(res, i, "INSERT INTO "+name); err != nil {
		return nil, err
	}
	conflict := a.findTop(i, a.eof(), func(j int) bool {
		n := a.tok(j + 2)
		return a.tok(j).Is("ON") && a.tok(j+1).Is("CONFLICT") && (isPunct(n, "(") || n.Is("DO") || n.Is("ON"))
	})
	if conflict >= 0 {
		return nil, a.fail(conflict, "Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT",
			"ON CONFLICT is not supported on Iceberg tables")
	}
	return res, nil
}

func (a *analyzer) delete() (*Analysis, *Error) {
	if !a.tok(1).Is("FROM") {
		return nil, a.fail(1, "write DELETE FROM table WHERE ...", "expected FROM after DELETE, got %s", snippet(a.tok(1)))
	}
	ref, i, err := a.target(2, "DELETE FROM")
	if err != nil {
		return nil, err
	}
	res := &Analysis{Kind: Delete, Target: ref}
	name := ref.Name()
	i = a.skipAlias(i)
	switch t := a.tok(i); {
	case t.Kind == EOF:
	case t.Is("WHERE"):
		if err := a.where(res, i, "delete all rows"); err != nil {
			return nil, err
		}
	case t.Is("USING"):
		return nil, a.fail(i, "use a subquery: DELETE FROM "+name+" WHERE id IN (SELECT id FROM ...)",
			"DELETE ... USING is not supported yet")
	default:
		return nil, a.fail(i, "follow the table name with WHERE and a condition, or end the statement to delete all rows",
			"unexpected %s after DELETE FROM %s", snippet(t), name)
	}
	return res, nil
}

func (a *analyzer) truncate() (*Analysis, *Error) {
	i := 1
	if a.tok(i).Is("TABLE") {
		i++
	}
	ref, i, err := a.target(i, "TRUNCATE")
	if err != nil {
		return nil, err
	}
	if i != a.eof() {
		return nil, a.fail(i, "end the statement after the table name",
			"unexpected %s after TRUNCATE %s", snippet(a.tok(i)), ref.Name())
	}
	return &Analysis{Kind: Delete, Target: ref}, nil
}

func (a *analyzer) update() (*Analysis, *Error) {
	ref, i, err := a.target(1, "UPDATE")
	if err != nil {
		return nil, err
	}
	res := &Analysis{Kind: Update, Target: ref}
	name := ref.Name()
	i = a.skipAlias(i)
	if !a.tok(i).Is("SET") {
		return nil, a.fail(i, "write UPDATE "+name+" SET column = value WHERE ...",
			"expected SET after UPDATE %s, got %s", name, snippet(a.tok(i)))
	}
	i++
	stop := a.findTop(i, a.eof(), func(j int) bool {
		t := a.tok(j)
		return t.Is("WHERE") || t.Is("FROM") && !a.tok(j-1).Is("DISTINCT")
	})
	if stop < 0 {
		stop = a.eof()
	}
	if a.tok(stop).Is("FROM") {
		return nil, a.fail(stop, "use a subquery instead: SET col = (SELECT ... FROM other WHERE ...)",
			"UPDATE ... FROM is not supported yet")
	}
	for _, p := range a.splitTop(i, stop) {
		col, eq := a.tok(p[0]), a.tok(p[0]+1)
		switch {
		case p[0] == p[1]:
			return nil, a.fail(p[0], "write SET column = value, column = value",
				"expected column = value in SET, got %s", snippet(col))
		case isPunct(col, "("):
			return nil, a.fail(p[0], "assign each column on its own: SET a = 1, b = 2",
				"SET (a, b) = ... is not supported")
		case !isName(col):
			return nil, a.fail(p[0], "write SET column = value",
				"expected a column name in SET, got %s", snippet(col))
		case isPunct(eq, "."):
			return nil, a.fail(p[0], "write the column name alone: SET "+a.tok(p[0]+2).Text+" = ...",
				"qualified column name %s.%s in SET", col.Text, a.tok(p[0]+2).Text)
		case p[0]+1 >= p[1] || eq.Kind != Op || eq.Text != "=":
			return nil, a.fail(min(p[0]+1, p[1]), "write SET "+col.Text+" = value",
				"expected = after %s in SET", col.Text)
		}
		expr, off := a.text(p[0]+2, p[1])
		if expr == "" {
			return nil, a.fail(p[0]+2, "write SET "+col.Text+" = value", "SET %s = needs a value", col.Text)
		}
		res.Set = append(res.Set, Assignment{Column: col.Value(), Expr: expr, Offset: off})
	}
	if a.tok(stop).Is("WHERE") {
		if err := a.where(res, stop, "update all rows"); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (a *analyzer) drop() (*Analysis, *Error) {
	i := 1
	if !a.tok(i).Is("TABLE") {
		return &Analysis{Kind: Query}, nil // DROP VIEW, DROP SCHEMA, ...
	}
	i++
	res := &Analysis{Kind: DropTable}
	if a.tok(i).Is("IF") && a.tok(i+1).Is("EXISTS") {
		res.IfExists = true
		i += 2
	}
	ref, i, err := a.target(i, "DROP TABLE")
	if err != nil {
		return nil, err
	}
	res.Target = ref
	switch t := a.tok(i); {
	case t.Kind == EOF:
	case isPunct(t, ","):
		return nil, a.fail(i, "drop each table in its own statement", "DROP TABLE takes one table")
	default:
		return nil, a.fail(i, "end the statement after the table name",
			"unexpected %s after DROP TABLE %s", snippet(t), ref.Name())
	}
	return res, nil
}
