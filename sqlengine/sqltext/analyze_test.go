package sqltext

import (
	"fmt"
	"testing"
)

// analyzeWant is the expected Analysis, with the target described by
// describe and assignments as "column=expr".
type analyzeWant struct {
	kind        Kind
	target      string
	orReplace   bool
	ifNotExists bool
	ifExists    bool
	columns     []string
	columnDefs  string
	query       string
	where       string
	set         []string
}

var analyzeTests = []struct {
	name string
	stmt string
	want analyzeWant
}{
	// Queries and statements passed through.
	{"select", "SELECT * FROM t", analyzeWant{kind: Query}},
	{"from first", "FROM t VERSION AS OF 3", analyzeWant{kind: Query}},
	{"empty", "", analyzeWant{kind: Query}},
	{"only comments", "-- nothing\n/* here */;", analyzeWant{kind: Query}},
	{"create temp table", "CREATE TEMP TABLE x AS SELECT 1", analyzeWant{kind: Query}},
	{"create temporary table", "CREATE OR REPLACE TEMPORARY TABLE x (a INT)", analyzeWant{kind: Query}},
	{"create view", "CREATE VIEW v AS SELECT * FROM t", analyzeWant{kind: Query}},
	{"create schema", "CREATE SCHEMA s", analyzeWant{kind: Query}},
	{"drop view", "DROP VIEW v", analyzeWant{kind: Query}},
	{"attach", "ATTACH 'x.db' AS x", analyzeWant{kind: Query}},
	{"set", "SET threads = 4", analyzeWant{kind: Query}},
	{"pragma", "PRAGMA table_info('t')", analyzeWant{kind: Query}},
	{"copy", "COPY (SELECT * FROM t) TO 'x.parquet' (FORMAT parquet)", analyzeWant{kind: Query}},
	{"explain", "EXPLAIN DELETE FROM t", analyzeWant{kind: Query}},
	{"with insert", "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", analyzeWant{kind: Query}},
	{"describe", "DESCRIBE t", analyzeWant{kind: Query}},

	// CREATE TABLE.
	{"create table", "CREATE TABLE sales.orders (id BIGINT NOT NULL, \"Amount\" DECIMAL(18, 2), tags VARCHAR[], PRIMARY KEY (id))",
		analyzeWant{kind: CreateTable, target: "sales.orders (write)", columns: []string{"id", "Amount", "tags"},
			columnDefs: "id BIGINT NOT NULL, \"Amount\" DECIMAL(18, 2), tags VARCHAR[], PRIMARY KEY (id)"}},
	{"create table if not exists", "create table if not exists t (a int);",
		analyzeWant{kind: CreateTable, target: "t (write)", ifNotExists: true, columns: []string{"a"}, columnDefs: "a int"}},
	{"create or replace table", "/* hdr */ CREATE OR REPLACE TABLE t (\n  a INT, -- first\n  b STRUCT(x INT, y INT)\n) -- end",
		analyzeWant{kind: CreateTable, target: "t (write)", orReplace: true, columns: []string{"a", "b"},
			columnDefs: "a INT, -- first\n  b STRUCT(x INT, y INT)"}},
	{"create table with constraints", "CREATE TABLE t (a INT, CONSTRAINT c CHECK (a > 0), UNIQUE (a), FOREIGN KEY (a) REFERENCES u (a))",
		analyzeWant{kind: CreateTable, target: "t (write)", columns: []string{"a"},
			columnDefs: "a INT, CONSTRAINT c CHECK (a > 0), UNIQUE (a), FOREIGN KEY (a) REFERENCES u (a)"}},
	{"create table as", "CREATE TABLE t AS SELECT * FROM u VERSION AS OF 2",
		analyzeWant{kind: CreateTableAs, target: "t (write)", query: "SELECT * FROM u VERSION AS OF 2"}},
	{"create or replace table as", "CREATE OR REPLACE TABLE t AS\n  WITH x AS (FROM u) FROM x;",
		analyzeWant{kind: CreateTableAs, target: "t (write)", orReplace: true, query: "WITH x AS (FROM u) FROM x"}},
	{"create table as parenthesized", "CREATE TABLE IF NOT EXISTS t AS (SELECT 1 AS a)",
		analyzeWant{kind: CreateTableAs, target: "t (write)", ifNotExists: true, query: "(SELECT 1 AS a)"}},
	{"create table as with columns", "CREATE TABLE t (a, \"B\") AS VALUES (1, 2)",
		analyzeWant{kind: CreateTableAs, target: "t (write)", columns: []string{"a", "B"}, query: "VALUES (1, 2)"}},

	// INSERT.
	{"insert select", "INSERT INTO t SELECT * FROM u",
		analyzeWant{kind: InsertInto, target: "t (write)", query: "SELECT * FROM u"}},
	{"insert columns values", "insert into s.t (a, \"b c\") values (1, 'x'), (2, 'y');",
		analyzeWant{kind: InsertInto, target: "s.t (write)", columns: []string{"a", "b c"}, query: "values (1, 'x'), (2, 'y')"}},
	{"insert from first", "INSERT INTO t FROM u WHERE x > 1", analyzeWant{kind: InsertInto, target: "t (write)", query: "FROM u WHERE x > 1"}},
	{"insert with", "INSERT INTO t WITH x AS (SELECT 1) SELECT * FROM x",
		analyzeWant{kind: InsertInto, target: "t (write)", query: "WITH x AS (SELECT 1) SELECT * FROM x"}},
	{"insert parenthesized", "INSERT INTO t (SELECT 1)", analyzeWant{kind: InsertInto, target: "t (write)", query: "(SELECT 1)"}},
	{"insert by position", "INSERT INTO t BY POSITION SELECT 1", analyzeWant{kind: InsertInto, target: "t (write)", query: "SELECT 1"}},
	{"insert leading comment", "-- load\n  INSERT INTO t VALUES (1) -- done",
		analyzeWant{kind: InsertInto, target: "t (write)", query: "VALUES (1)"}},

	// DELETE and TRUNCATE.
	{"delete all", "DELETE FROM t", analyzeWant{kind: Delete, target: "t (write)"}},
	{"delete where", "DELETE FROM s.t WHERE a = 1 AND b IN (SELECT b FROM u);",
		analyzeWant{kind: Delete, target: "s.t (write)", where: "a = 1 AND b IN (SELECT b FROM u)"}},
	{"delete alias", "DELETE FROM t AS x WHERE x.a = 1", analyzeWant{kind: Delete, target: "t AS x (write)", where: "x.a = 1"}},
	{"delete bare alias", "DELETE FROM t x", analyzeWant{kind: Delete, target: "t AS x (write)"}},
	{"truncate", "TRUNCATE t", analyzeWant{kind: Delete, target: "t (write)"}},
	{"truncate table", "truncate table s.t;", analyzeWant{kind: Delete, target: "s.t (write)"}},

	// UPDATE.
	{"update", "UPDATE t SET a = 1, b = f(x, y), c = CASE WHEN a > 0 THEN 'p' ELSE 'n' END WHERE id = 3",
		analyzeWant{kind: Update, target: "t (write)", where: "id = 3",
			set: []string{"a=1", "b=f(x, y)", "c=CASE WHEN a > 0 THEN 'p' ELSE 'n' END"}}},
	{"update all rows", "update s.t set \"Name\" = upper(name)",
		analyzeWant{kind: Update, target: "s.t (write)", set: []string{"Name=upper(name)"}}},
	{"update negative and lists", "UPDATE t SET a=-1, l = [1, 2], s = {'x': 1, 'y': 2}, e = extract(year FROM ts), d = a IS DISTINCT FROM b",
		analyzeWant{kind: Update, target: "t (write)",
			set: []string{"a=-1", "l=[1, 2]", "s={'x': 1, 'y': 2}", "e=extract(year FROM ts)", "d=a IS DISTINCT FROM b"}}},
	{"update alias", "UPDATE t AS x SET a = x.b WHERE x.c", analyzeWant{kind: Update, target: "t AS x (write)", set: []string{"a=x.b"}, where: "x.c"}},
	{"update subquery", "UPDATE t SET a = (SELECT max(b) FROM u WHERE u.id = t.id) WHERE a IS NULL",
		analyzeWant{kind: Update, target: "t (write)", set: []string{"a=(SELECT max(b) FROM u WHERE u.id = t.id)"}, where: "a IS NULL"}},

	// DROP TABLE.
	{"drop table", "DROP TABLE s.t", analyzeWant{kind: DropTable, target: "s.t (write)"}},
	{"drop table if exists", "drop table if exists \"T\";", analyzeWant{kind: DropTable, target: `"T" (write)`, ifExists: true}},
}

func TestAnalyze(t *testing.T) {
	for _, tt := range analyzeTests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Analyze(tt.stmt)
			if err != nil {
				t.Fatalf("Analyze(%q): got error %v, want none", tt.stmt, err)
			}
			checkAnalysis(t, tt.stmt, a)
			w := tt.want
			target := ""
			if len(a.Target.Parts) > 0 {
				target = describe(a.Target)
			}
			var set []string
			for _, s := range a.Set {
				set = append(set, s.Column+"="+s.Expr)
			}
			check := func(field string, got, want any) {
				if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
					t.Errorf("Analyze(%q) %s: got %q, want %q", tt.stmt, field, got, want)
				}
			}
			check("Kind", a.Kind.String(), w.kind.String())
			check("Target", target, w.target)
			check("OrReplace", fmt.Sprint(a.OrReplace), fmt.Sprint(w.orReplace))
			check("IfNotExists", fmt.Sprint(a.IfNotExists), fmt.Sprint(w.ifNotExists))
			check("IfExists", fmt.Sprint(a.IfExists), fmt.Sprint(w.ifExists))
			check("Columns", a.Columns, w.columns)
			check("ColumnDefs", a.ColumnDefs, w.columnDefs)
			check("Query", a.Query, w.query)
			check("Where", a.Where, w.where)
			check("Set", set, w.set)
		})
	}
}

func TestAnalyzeOffsets(t *testing.T) {
	stmt := "UPDATE t\n\tSET \"é\" = 'ü' || x,\n\t    b = 2\n\tWHERE c > 1"
	a, err := Analyze(stmt)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		offset int
		want   Pos
	}{
		{"first expr", a.Set[0].Offset, Pos{Line: 2, Col: 12}},
		{"second expr", a.Set[1].Offset, Pos{Line: 3, Col: 10}},
		{"where", a.WhereOffset, Pos{Line: 4, Col: 8}},
	}
	for _, tt := range tests {
		got := PosOf(stmt, tt.offset)
		if got.Line != tt.want.Line || got.Col != tt.want.Col {
			t.Errorf("%s: got line %d, column %d, want line %d, column %d", tt.name, got.Line, got.Col, tt.want.Line, tt.want.Col)
		}
	}
	ins := "INSERT INTO t (a)\n  SELECT 1"
	a, err = Analyze(ins)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := PosOf(ins, a.QueryOffset), (Pos{Offset: 20, Line: 2, Col: 3}); got != want {
		t.Errorf("query position: got %+v, want %+v", got, want)
	}
}

var analyzeErrorTests = []struct {
	name string
	stmt string
	want string
}{
	{"travel errors surface", "SELECT * FROM t VERSION AS OF 0",
		"line 1, column 31: VERSION AS OF 0 on table t: versions start at 1; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"unterminated", "DELETE FROM t WHERE a = 'x", "line 1, column 25: unterminated string literal; close it with '"},
	{"two statements", "DELETE FROM t; DROP TABLE u", "line 1, column 16: more than one statement; run the statements one at a time"},
	{"travel on insert target", "INSERT INTO t VERSION AS OF 3 SELECT 1",
		"line 1, column 15: INSERT INTO t: time travel is read-only; remove VERSION AS OF 3; writes always apply to the latest snapshot"},
	{"travel on update target", "UPDATE t TIMESTAMP AS OF '2026-01-01' SET a = 1",
		"line 1, column 10: UPDATE t: time travel is read-only; remove TIMESTAMP AS OF '2026-01-01'; writes always apply to the latest snapshot"},
	{"travel on delete target", "DELETE FROM t VERSION AS OF 2 WHERE a = 1",
		"line 1, column 15: DELETE FROM t: time travel is read-only; remove VERSION AS OF 2; writes always apply to the latest snapshot"},
	{"travel on create target", "CREATE TABLE t VERSION AS OF 2 AS SELECT 1",
		"line 1, column 16: CREATE TABLE t: time travel is read-only; remove VERSION AS OF 2; writes always apply to the latest snapshot"},
	{"travel on drop target", "DROP TABLE t VERSION AS OF 2",
		"line 1, column 14: DROP TABLE t: time travel is read-only; remove VERSION AS OF 2; writes always apply to the latest snapshot"},
	{"travel on truncate target", "TRUNCATE t VERSION AS OF 2",
		"line 1, column 12: TRUNCATE t: time travel is read-only; remove VERSION AS OF 2; writes always apply to the latest snapshot"},

	{"create or replace if not exists", "CREATE OR REPLACE TABLE IF NOT EXISTS t (a INT)",
		"line 1, column 25: CREATE OR REPLACE TABLE cannot be combined with IF NOT EXISTS; use either OR REPLACE or IF NOT EXISTS"},
	{"create without name", "CREATE TABLE (a INT)",
		"line 1, column 14: expected a table name after CREATE TABLE, got (; write CREATE TABLE followed by a table name, e.g. CREATE TABLE sales.orders"},
	{"create without body", "CREATE TABLE t",
		"line 1, column 15: CREATE TABLE t needs column definitions or AS followed by a query; write CREATE TABLE t (id BIGINT, name VARCHAR) or CREATE TABLE t AS SELECT ..."},
	{"create with junk", "CREATE TABLE t x (a INT)",
		"line 1, column 16: unexpected x after CREATE TABLE t; follow the table name with (column definitions) or AS SELECT ..."},
	{"create unclosed", "CREATE TABLE t (a INT",
		"line 1, column 22: missing ) after the column definitions of t; close the column definitions with )"},
	{"create no columns", "CREATE TABLE t ()",
		"line 1, column 17: CREATE TABLE t has no columns; define at least one column, e.g. (id BIGINT)"},
	{"create extra comma", "CREATE TABLE t (a INT,)",
		"line 1, column 23: empty column definition in CREATE TABLE t; remove the extra comma"},
	{"create bad column", "CREATE TABLE t (a INT, 'b' INT)",
		"line 1, column 24: expected a column name in CREATE TABLE t, got 'b'; start each column definition with its name, e.g. id BIGINT"},
	{"create trailing clause", "CREATE TABLE t (a INT) PARTITION BY (a)",
		"line 1, column 24: unexpected PARTITION after the column definitions of t; end the statement after the column definitions"},
	{"create as without query", "CREATE TABLE t AS",
		"line 1, column 18: expected a query after CREATE TABLE t AS, got the end of the statement; follow it with SELECT ..., VALUES ..., FROM ... or WITH ..."},
	{"create as bad column list", "CREATE TABLE t (a INT) AS SELECT 1",
		"line 1, column 17: expected a column name in the column list, got a; list plain column names, e.g. (id, name)"},

	{"insert or replace", "INSERT OR REPLACE INTO t VALUES (1)",
		"line 1, column 8: INSERT OR REPLACE is not supported on Iceberg tables; Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT"},
	{"insert or ignore", "insert or ignore into t values (1)",
		"line 1, column 8: INSERT OR IGNORE is not supported on Iceberg tables; Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT"},
	{"on conflict", "INSERT INTO t VALUES (1) ON CONFLICT (id) DO NOTHING",
		"line 1, column 26: ON CONFLICT is not supported on Iceberg tables; Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT"},
	{"on conflict do update", "INSERT INTO t SELECT * FROM u ON CONFLICT DO UPDATE SET a = 1",
		"line 1, column 31: ON CONFLICT is not supported on Iceberg tables; Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT"},
	{"insert returning", "INSERT INTO t VALUES (1) RETURNING *",
		"line 1, column 26: RETURNING is not supported on Iceberg tables; run a SELECT after the write to see the rows"},
	{"insert by name", "INSERT INTO t BY NAME SELECT 1 AS a",
		"line 1, column 15: INSERT INTO t BY NAME is not supported yet; list the columns instead: INSERT INTO t (a, b) SELECT a, b ..."},
	{"insert default values", "INSERT INTO t DEFAULT VALUES",
		"line 1, column 15: INSERT ... DEFAULT VALUES is not supported on Iceberg tables; insert explicit values: INSERT INTO t VALUES (...)"},
	{"insert without into", "INSERT t VALUES (1)",
		"line 1, column 8: expected INTO after INSERT, got t; write INSERT INTO table SELECT ... or INSERT INTO table VALUES (...)"},
	{"insert without query", "INSERT INTO t",
		"line 1, column 14: expected a query after INSERT INTO t, got the end of the statement; follow it with SELECT ..., VALUES ..., FROM ... or WITH ..."},
	{"insert into file", "INSERT INTO 'x.csv' VALUES (1)",
		"line 1, column 13: expected a table name after INSERT INTO, got 'x.csv'; write INSERT INTO followed by a table name, e.g. INSERT INTO sales.orders"},
	{"insert bad column list", "INSERT INTO t (a + 1) VALUES (1)",
		"line 1, column 16: expected a column name in the column list, got a; list plain column names, e.g. (id, name)"},

	{"delete without from", "DELETE t WHERE a = 1",
		"line 1, column 8: expected FROM after DELETE, got t; write DELETE FROM table WHERE ..."},
	{"delete using", "DELETE FROM t USING u WHERE t.id = u.id",
		"line 1, column 15: DELETE ... USING is not supported yet; use a subquery: DELETE FROM t WHERE id IN (SELECT id FROM ...)"},
	{"delete empty where", "DELETE FROM t WHERE ;",
		"line 1, column 21: WHERE needs a condition; write a condition after WHERE, or drop WHERE to delete all rows"},
	{"delete returning", "DELETE FROM t WHERE a RETURNING a",
		"line 1, column 23: RETURNING is not supported on Iceberg tables; run a SELECT after the write to see the rows"},
	{"delete junk", "DELETE FROM t LIMIT 1",
		"line 1, column 15: unexpected LIMIT after DELETE FROM t; follow the table name with WHERE and a condition, or end the statement to delete all rows"},
	{"truncate junk", "TRUNCATE t CASCADE",
		"line 1, column 12: unexpected CASCADE after TRUNCATE t; end the statement after the table name"},

	{"update from", "UPDATE t SET a = u.a FROM u WHERE t.id = u.id",
		"line 1, column 22: UPDATE ... FROM is not supported yet; use a subquery instead: SET col = (SELECT ... FROM other WHERE ...)"},
	{"update without set", "UPDATE t WHERE a = 1",
		"line 1, column 10: expected SET after UPDATE t, got WHERE; write UPDATE t SET column = value WHERE ..."},
	{"update empty set", "UPDATE t SET WHERE a = 1",
		"line 1, column 14: expected column = value in SET, got WHERE; write SET column = value, column = value"},
	{"update trailing comma", "UPDATE t SET a = 1, WHERE a = 1",
		"line 1, column 21: expected column = value in SET, got WHERE; write SET column = value, column = value"},
	{"update tuple", "UPDATE t SET (a, b) = (1, 2)",
		"line 1, column 14: SET (a, b) = ... is not supported; assign each column on its own: SET a = 1, b = 2"},
	{"update qualified column", "UPDATE t SET t.a = 1",
		"line 1, column 14: qualified column name t.a in SET; write the column name alone: SET a = ..."},
	{"update without equals", "UPDATE t SET a 1",
		"line 1, column 16: expected = after a in SET; write SET a = value"},
	{"update without value", "UPDATE t SET a = , b = 2",
		"line 1, column 18: SET a = needs a value; write SET a = value"},
	{"update returning", "UPDATE t SET a = 1 RETURNING *",
		"line 1, column 20: RETURNING is not supported on Iceberg tables; run a SELECT after the write to see the rows"},
	{"update empty where", "UPDATE t SET a = 1 WHERE",
		"line 1, column 25: WHERE needs a condition; write a condition after WHERE, or drop WHERE to update all rows"},
	{"update without table", "UPDATE SET a = 1",
		"line 1, column 8: expected a table name after UPDATE, got SET; write UPDATE followed by a table name, e.g. UPDATE sales.orders"},

	{"drop two tables", "DROP TABLE a, b",
		"line 1, column 13: DROP TABLE takes one table; drop each table in its own statement"},
	{"drop cascade", "DROP TABLE a CASCADE",
		"line 1, column 14: unexpected CASCADE after DROP TABLE a; end the statement after the table name"},
	{"drop without name", "DROP TABLE IF EXISTS",
		"line 1, column 21: expected a table name after DROP TABLE, got the end of the statement; write DROP TABLE followed by a table name, e.g. DROP TABLE sales.orders"},
	{"multi-line position", "UPDATE orders\n\tSET\n\t\t\"é\" = 'ü',\n\t\tb = 2\n\tFROM other",
		"line 5, column 2: UPDATE ... FROM is not supported yet; use a subquery instead: SET col = (SELECT ... FROM other WHERE ...)"},
}

func TestAnalyzeErrors(t *testing.T) {
	for _, tt := range analyzeErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Analyze(tt.stmt)
			if err == nil {
				t.Fatalf("Analyze(%q): got %+v, want error %q", tt.stmt, a, tt.want)
			}
			if a != nil {
				t.Errorf("Analyze(%q): got analysis %+v with the error, want nil", tt.stmt, a)
			}
			checkErrorPos(t, tt.stmt, err)
			if got := err.Error(); got != tt.want {
				t.Errorf("Analyze(%q):\ngot  error %q\nwant error %q", tt.stmt, got, tt.want)
			}
		})
	}
}
