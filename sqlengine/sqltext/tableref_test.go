package sqltext

import (
	"fmt"
	"strings"
	"testing"
)

// findTableRefsTests lists statements and their references (see describe).
var findTableRefsTests = []struct {
	name string
	stmt string
	want []string
}{
	// FROM, JOIN and FROM lists.
	{"from", "SELECT * FROM orders", []string{"orders"}},
	{"keywords any case", "select * from Orders where x = 1", []string{"Orders"}},
	{"qualified and quoted", `SELECT * FROM sales."Order ""Lines""" AS l, "cat".s.t`,
		[]string{`sales."Order ""Lines""" AS l`, `"cat".s.t`}},
	{"join kinds", "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (x) LEFT OUTER JOIN d ON TRUE " +
		"INNER JOIN e ON TRUE RIGHT JOIN f ON TRUE FULL OUTER JOIN g ON TRUE CROSS JOIN h " +
		"NATURAL JOIN i SEMI JOIN j ON TRUE ANTI JOIN k ON TRUE ASOF JOIN l ON a.t >= l.t POSITIONAL JOIN m",
		[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"}},
	{"from list", "SELECT * FROM a, b x, c AS y WHERE a.id = b.id", []string{"a", "b AS x", "c AS y"}},
	{"comma after join condition", "SELECT * FROM a JOIN b ON a.x = b.x AND a.y IN (1, 2), c", []string{"a", "b", "c"}},
	{"columns after FROM list are not tables", "SELECT * FROM a ORDER BY x, y", []string{"a"}},
	{"group by", "SELECT k, count(*) FROM a GROUP BY k, x HAVING count(*) > 1", []string{"a"}},
	{"FROM-first", "FROM a, b SELECT x, y", []string{"a", "b"}},
	{"FROM-first alone", "FROM a", []string{"a"}},
	{"whitespace and comments inside name", "SELECT * FROM sales /* s */ . orders -- t\n o", []string{"sales.orders AS o"}},
	{"alias with column list", "SELECT * FROM a AS x(c1, c2), b y(c)", []string{"a AS x", "b AS y"}},
	{"quoted alias", `SELECT * FROM a "my alias"`, []string{"a AS my alias"}},
	{"union", "SELECT x FROM a UNION ALL SELECT x FROM b EXCEPT SELECT x FROM c", []string{"a", "b", "c"}},
	{"parenthesized join", "SELECT * FROM (a JOIN b ON a.x = b.x) j, c", []string{"a", "b", "c"}},
	{"nested parenthesized join", "SELECT * FROM ((a JOIN b USING (x)) JOIN (SELECT * FROM c) s ON TRUE)", []string{"a", "b", "c"}},
	{"lateral subquery", "SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.x = a.x) l", []string{"a", "b"}},
	{"table sample", "SELECT * FROM a USING SAMPLE 10%, b TABLESAMPLE 5", []string{"a", "b"}},
	{"only", "SELECT * FROM ONLY a", []string{"a"}},

	// Subqueries at any depth.
	{"where subquery", "SELECT * FROM a WHERE x IN (SELECT y FROM b WHERE EXISTS (FROM c))", []string{"a", "b", "c"}},
	{"scalar subquery", "SELECT (SELECT max(v) FROM b), (((SELECT 1 FROM c))) FROM a", []string{"b", "c", "a"}},
	{"subquery in FROM", "SELECT * FROM (SELECT * FROM (SELECT * FROM deep) d) s", []string{"deep"}},
	{"parenthesized union", "SELECT * FROM ((SELECT x FROM a) UNION (SELECT x FROM b)) u", []string{"a", "b"}},
	{"values subquery", "SELECT * FROM (VALUES (1, 2), (3, 4)) v(a, b), t", []string{"t"}},
	{"any array", "SELECT * FROM a WHERE x = ANY(SELECT y FROM b) AND z = ARRAY(FROM c)", []string{"a", "b", "c"}},

	// Not tables.
	{"file reference", "SELECT * FROM 'data/*.csv', read_csv('x.csv') r", []string{}},
	{"table functions", "SELECT * FROM range(10) r, generate_series(1, 3) g(x), main.my_fn(1)", []string{}},
	{"table function with subquery argument", "SELECT * FROM query_table((SELECT 'x' FROM names))", []string{"names"}},
	{"extract and friends", "SELECT EXTRACT(YEAR FROM ts), substring(s FROM 2 FOR 3), trim(BOTH 'x' FROM s), " +
		"overlay(s PLACING 'a' FROM 2) FROM t", []string{"t"}},
	{"is distinct from", "SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM c FROM t", []string{"t"}},
	{"columns named like travel words", "SELECT timestamp, version, t.version FROM t WHERE version > 3 AND timestamp < now()", []string{"t"}},
	{"alias named version", "SELECT * FROM t version, u AS timestamp", []string{"t AS version", "u AS timestamp"}},
	{"strings and comments", "SELECT 'FROM x', \"FROM y\" -- FROM z\n FROM /* FROM w */ t", []string{"t"}},
	{"parameter", "SELECT * FROM $tbl", []string{}},
	{"install from repository", "INSTALL httpfs FROM community", []string{}},
	{"force install from repository", "FORCE INSTALL spatial FROM core_nightly", []string{}},
	{"show tables from database", "SHOW TABLES FROM db", []string{}},
	{"struct and list literals", "SELECT {'a': 1, 'b': [1, 2]} FROM a, b", []string{"a", "b"}},
	{"unbalanced closer", "SELECT * FROM a ) , b", []string{"a", "b"}},
	{"unbalanced opener", "SELECT * FROM (SELECT * FROM a", []string{"a"}},
	{"from at end", "SELECT * FROM", []string{}},
	{"reserved word after FROM", "SELECT * FROM WHERE", []string{}},

	// CTEs.
	{"cte excluded", "WITH x AS (SELECT * FROM a) SELECT * FROM x JOIN b ON TRUE", []string{"a", "b"}},
	{"cte list", "WITH x AS (FROM a), y (c) AS MATERIALIZED (FROM x), z AS NOT MATERIALIZED (FROM y) FROM z, x, y",
		[]string{"a"}},
	{"cte name case-insensitive", `WITH "Recent" AS (FROM a) SELECT * FROM recent`, []string{"a"}},
	{"cte shadows table in its own body only when recursive", "WITH orders AS (SELECT * FROM orders) SELECT * FROM orders",
		[]string{"orders"}},
	{"recursive cte", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r, t",
		[]string{"t"}},
	{"recursive cte with key", "WITH RECURSIVE r(n) USING KEY (n) AS (SELECT 1 UNION SELECT n FROM r) FROM r", []string{}},
	{"cte in subquery is scoped to it", "SELECT * FROM (WITH x AS (FROM a) FROM x) s, x", []string{"a", "x"}},
	{"cte in cte body", "WITH y AS (WITH x AS (FROM a) FROM x) FROM y", []string{"a"}},
	{"qualified name is not a cte", "WITH x AS (FROM a) FROM main.x", []string{"a", "main.x"}},
	{"cte across statements", "WITH x AS (FROM a) FROM x; FROM x", []string{"a", "x"}},
	{"cte before insert", "WITH x AS (FROM a) INSERT INTO t SELECT * FROM x", []string{"a", "t (write)"}},
	{"write target named like a cte", "INSERT INTO x WITH x AS (SELECT 1) SELECT * FROM x", []string{"x (write)"}},
	{"with ordinality is not a cte", "SELECT * FROM unnest(l) WITH ORDINALITY AS u, x", []string{"x"}},

	// Write and DDL targets.
	{"insert", "INSERT INTO sales.orders (id, amount) SELECT id, amount FROM staging", []string{"sales.orders (write)", "staging"}},
	{"insert or replace", "INSERT OR REPLACE INTO t VALUES (1)", []string{"t (write)"}},
	{"insert values", "INSERT INTO t VALUES (1, 'a'), (2, 'b')", []string{"t (write)"}},
	{"insert by name", "INSERT INTO t BY NAME SELECT * FROM u", []string{"t (write)", "u"}},
	{"update", "UPDATE t SET a = (SELECT max(b) FROM u) WHERE c IN (SELECT c FROM v)", []string{"t (write)", "u", "v"}},
	{"update alias", "UPDATE t AS x SET a = 1", []string{"t AS x (write)"}},
	{"update from", "UPDATE t SET a = u.a FROM u, v WHERE t.id = u.id", []string{"t (write)", "u", "v"}},
	{"on conflict do update", "INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 1", []string{"t (write)"}},
	{"delete", "DELETE FROM t WHERE id IN (SELECT id FROM u)", []string{"t (write)", "u"}},
	{"delete using", "DELETE FROM t USING u, v WHERE t.id = u.id", []string{"t (write)", "u", "v"}},
	{"truncate", "TRUNCATE TABLE t", []string{"t (write)"}},
	{"truncate without table", "TRUNCATE s.t", []string{"s.t (write)"}},
	{"create table", "CREATE TABLE t (a INT, b VARCHAR)", []string{"t (write)"}},
	{"create table if not exists", "CREATE TABLE IF NOT EXISTS s.t (a INT)", []string{"s.t (write)"}},
	{"create or replace table as", "CREATE OR REPLACE TABLE t AS SELECT * FROM u", []string{"t (write)", "u"}},
	{"create temp table", "CREATE TEMP TABLE tmp AS SELECT * FROM u", []string{"u"}},
	{"create view", "CREATE VIEW v AS SELECT * FROM u", []string{"u"}},
	{"drop table", "DROP TABLE IF EXISTS t", []string{"t (write)"}},
	{"drop view", "DROP VIEW v", []string{}},
	{"merge", "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.a", []string{"t (write)", "u"}},
	{"alter table", "ALTER TABLE t ADD COLUMN c INT", []string{}},
	{"for update", "SELECT * FROM t FOR UPDATE", []string{"t"}},

	// DESCRIBE, SUMMARIZE, PIVOT.
	{"describe", "DESCRIBE t", []string{"t"}},
	{"describe table", "DESCRIBE TABLE s.t", []string{"s.t"}},
	{"summarize", "SUMMARIZE t VERSION AS OF 2", []string{"t VERSION AS OF 2"}},
	{"describe query", "DESCRIBE SELECT * FROM t", []string{"t"}},
	{"describe in subquery", "SELECT * FROM (DESCRIBE t)", []string{"t"}},
	{"pivot statement", "PIVOT cities ON year USING sum(population)", []string{"cities"}},
	{"unpivot into name", "UNPIVOT sales ON jan, feb INTO NAME month VALUE amount", []string{"sales"}},
	{"insert into table called name", "INSERT INTO name VALUES (1)", []string{"name (write)"}},
	{"pivot in from", "SELECT * FROM cities PIVOT (sum(p) FOR year IN (2000, 2010))", []string{"cities"}},

	// Time travel.
	{"version", "SELECT * FROM t VERSION AS OF 3", []string{"t VERSION AS OF 3"}},
	{"version lower case", "select * from t version as of 3", []string{"t VERSION AS OF 3"}},
	{"timestamp", "FROM t TIMESTAMP AS OF '2026-11-20 10:00:00'", []string{"t TIMESTAMP AS OF '2026-11-20 10:00:00'"}},
	{"timestamp E string", `FROM t TIMESTAMP AS OF E'2026-11-20\t10:00'`, []string{"t TIMESTAMP AS OF '2026-11-20\t10:00'"}},
	{"version then alias", "FROM t VERSION AS OF 3 AS x", []string{"t VERSION AS OF 3 AS x"}},
	{"version then bare alias", "FROM t VERSION AS OF 3 x JOIN u TIMESTAMP AS OF '2026-01-01' y ON x.id = y.id",
		[]string{"t VERSION AS OF 3 AS x", "u TIMESTAMP AS OF '2026-01-01' AS y"}},
	{"version with underscores and zeros", "FROM t VERSION AS OF 1_000, u VERSION AS OF 007", []string{"t VERSION AS OF 1000", "u VERSION AS OF 7"}},
	{"largest version", "FROM t VERSION AS OF 9223372036854775807", []string{"t VERSION AS OF 9223372036854775807"}},
	{"version in subquery", "SELECT * FROM a WHERE id IN (SELECT id FROM b VERSION AS OF 2)", []string{"a", "b VERSION AS OF 2"}},
	{"version in cte", "WITH x AS (FROM t VERSION AS OF 5) FROM x", []string{"t VERSION AS OF 5"}},
	{"version then where", "SELECT * FROM t VERSION AS OF 3 WHERE version > 1", []string{"t VERSION AS OF 3"}},
	{"version then comma", "SELECT * FROM t VERSION AS OF 3, u", []string{"t VERSION AS OF 3", "u"}},
	{"version with comments", "FROM t /*a*/ VERSION -- b\n AS OF /*c*/ 3 x", []string{"t VERSION AS OF 3 AS x"}},
	{"version as alias word", "SELECT * FROM t AS version", []string{"t AS version"}},
}

func TestFindTableRefs(t *testing.T) {
	for _, tt := range findTableRefsTests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := FindTableRefs(tt.stmt)
			if err != nil {
				t.Fatalf("FindTableRefs(%q): got error %v, want none", tt.stmt, err)
			}
			checkRefs(t, tt.stmt, refs)
			if got := describeAll(refs); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("FindTableRefs(%q):\ngot  %q\nwant %q", tt.stmt, got, tt.want)
			}
		})
	}
}

func TestFindTableRefsFields(t *testing.T) {
	stmt := "SELECT *\n\tFROM Sales.\"Order \"\"Lines\"\"\" VERSION AS OF 3 AS l,\n\t\"naïve\" TIMESTAMP AS OF '2026-11-20 10:00:00'"
	refs, err := FindTableRefs(stmt)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 {
		t.Fatalf("got %d refs, want 2", len(refs))
	}
	r := refs[0]
	if got, want := fmt.Sprintf("%q %v", r.Parts, r.Quoted), `["Sales" "Order \"Lines\""] [false true]`; got != want {
		t.Errorf("parts: got %s, want %s", got, want)
	}
	if got, want := stmt[r.Start:r.End], `Sales."Order ""Lines"""`; got != want {
		t.Errorf("name span: got %q, want %q", got, want)
	}
	if got, want := stmt[r.TravelStart:r.TravelEnd], "VERSION AS OF 3"; got != want {
		t.Errorf("travel span: got %q, want %q", got, want)
	}
	if r.Travel != TravelVersion || r.Version != 3 || r.Alias != "l" || r.Write {
		t.Errorf("got %+v, want version 3 with alias l", r)
	}
	r = refs[1]
	if got, want := PosOf(stmt, r.Start), (Pos{Offset: r.Start, Line: 3, Col: 2}); got != want {
		t.Errorf("position of %q: got %+v, want %+v", r.Parts, got, want)
	}
	if got, want := PosOf(stmt, r.TravelStart), (Pos{Offset: r.TravelStart, Line: 3, Col: 10}); got != want {
		t.Errorf("position of travel clause: got %+v, want %+v", got, want)
	}
	if got, want := stmt[r.TravelStart:r.TravelEnd], "TIMESTAMP AS OF '2026-11-20 10:00:00'"; got != want {
		t.Errorf("travel span: got %q, want %q", got, want)
	}
	if r.Travel != TravelTimestamp || r.Timestamp != "2026-11-20 10:00:00" || r.Parts[0] != "naïve" || !r.Quoted[0] {
		t.Errorf("got %+v, want timestamp travel on naïve", r)
	}
}

// findTableRefsErrorTests lists statements that FindTableRefs (and so
// Analyze) rejects, with the error's position and text.
var findTableRefsErrorTests = []struct {
	name string
	stmt string
	want string
}{
	{"version zero", "SELECT * FROM t VERSION AS OF 0",
		"line 1, column 31: VERSION AS OF 0 on table t: versions start at 1; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version negative", "SELECT * FROM t VERSION AS OF -1",
		"line 1, column 31: VERSION AS OF -1 on table t: versions start at 1; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version word", "SELECT * FROM t VERSION AS OF abc",
		"line 1, column 31: VERSION AS OF on table t needs a version number, got abc; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version at end", "SELECT * FROM s.t VERSION AS OF",
		"line 1, column 32: VERSION AS OF on table s.t needs a version number; write s.t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version at end with trailing space", "SELECT * FROM t VERSION AS OF  \n",
		"line 2, column 1: VERSION AS OF on table t needs a version number; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version decimal", "FROM t VERSION AS OF 1.5",
		"line 1, column 22: VERSION AS OF on table t needs a whole number, got 1.5; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version hex", "FROM t VERSION AS OF 0x10",
		"line 1, column 22: VERSION AS OF on table t needs a whole number, got 0x10; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version too large", "FROM t VERSION AS OF 9223372036854775808",
		"line 1, column 22: VERSION AS OF 9223372036854775808 on table t: number too large; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version string", "FROM t VERSION AS OF '3'",
		"line 1, column 22: VERSION AS OF on table t needs a version number, got '3'; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version parameter", "FROM t VERSION AS OF $1",
		"line 1, column 22: VERSION AS OF on table t needs a version number, got $1; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"version expression", "FROM t VERSION AS OF 3 + 1",
		"line 1, column 24: VERSION AS OF on table t takes a literal, not an expression; write the literal alone, e.g. t VERSION AS OF 3"},
	{"version without AS", "SELECT * FROM t VERSION OF 3",
		"line 1, column 25: expected AS OF after VERSION in the time-travel clause of table t; write t VERSION AS OF 3"},
	{"timestamp without AS", "SELECT * FROM t timestamp of '2026-01-01'",
		"line 1, column 27: expected AS OF after TIMESTAMP in the time-travel clause of table t; write t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"timestamp number", "SELECT * FROM t TIMESTAMP AS OF 123",
		"line 1, column 33: TIMESTAMP AS OF on table t needs a quoted timestamp, got 123; write t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"timestamp at end", "SELECT * FROM t TIMESTAMP AS OF",
		"line 1, column 32: TIMESTAMP AS OF on table t needs a quoted timestamp; write t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"timestamp typed literal", "SELECT * FROM t TIMESTAMP AS OF TIMESTAMP '2026-01-01'",
		"line 1, column 33: TIMESTAMP AS OF on table t needs a quoted timestamp, got TIMESTAMP; write t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"timestamp empty", "SELECT * FROM t TIMESTAMP AS OF ' '",
		"line 1, column 33: TIMESTAMP AS OF on table t: the timestamp is empty; write t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"timestamp cast", "SELECT * FROM t TIMESTAMP AS OF '2026-01-01'::TIMESTAMP",
		"line 1, column 45: TIMESTAMP AS OF on table t takes a literal, not an expression; write the literal alone, e.g. t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"travel after alias", "SELECT * FROM t x VERSION AS OF 3",
		"line 1, column 19: time-travel clause after the alias x of table t; put the time-travel clause right after the table name: t VERSION AS OF 3 AS x"},
	{"travel after AS alias", "SELECT * FROM s.t AS x TIMESTAMP AS OF '2026-01-01'",
		"line 1, column 24: time-travel clause after the alias x of table s.t; put the time-travel clause right after the table name: s.t TIMESTAMP AS OF '2026-01-01' AS x"},
	{"travel after alias columns", "SELECT * FROM t AS x(a, b) VERSION AS OF 3",
		"line 1, column 28: time-travel clause after the alias x of table t; put the time-travel clause right after the table name: t VERSION AS OF 3 AS x"},
	{"two travel clauses", "SELECT * FROM t VERSION AS OF 3 VERSION AS OF 4",
		"line 1, column 33: table t has two time-travel clauses; keep one VERSION AS OF or TIMESTAMP AS OF clause"},
	{"travel on subquery", "SELECT * FROM (SELECT * FROM t) VERSION AS OF 3",
		"line 1, column 33: VERSION AS OF needs a table name, not a subquery; time travel applies to table names: write FROM orders VERSION AS OF 3"},
	{"travel on aliased subquery", "SELECT * FROM (SELECT * FROM t) s VERSION AS OF 3",
		"line 1, column 35: VERSION AS OF needs a table name, not a subquery; time travel applies to table names: write FROM orders VERSION AS OF 3"},
	{"travel on table function", "SELECT * FROM read_parquet('x') TIMESTAMP AS OF '2026-01-01'",
		"line 1, column 33: TIMESTAMP AS OF needs a table name, not a table function; time travel applies to table names: write FROM orders VERSION AS OF 3"},
	{"travel on file", "SELECT * FROM 'x.parquet' AS f VERSION AS OF 3",
		"line 1, column 32: VERSION AS OF needs a table name, not a file; time travel applies to table names: write FROM orders VERSION AS OF 3"},
	{"travel on parenthesized join", "SELECT * FROM (a JOIN b ON TRUE) VERSION AS OF 3",
		"line 1, column 34: VERSION AS OF needs a table name, not a parenthesized join; time travel applies to table names: write FROM orders VERSION AS OF 3"},
	{"travel on cte", "WITH x AS (FROM t) SELECT * FROM x VERSION AS OF 3",
		"line 1, column 36: VERSION AS OF needs a table name, not the CTE x; time travel applies to tables: put the clause after the tables in the CTE's query"},
	{"DuckDB AT clause", "SELECT * FROM t AT (VERSION => 3)",
		"line 1, column 17: AT (...) time travel is not supported on table t; write t VERSION AS OF 3 or t TIMESTAMP AS OF '2026-11-20 10:00:00'"},
	{"position in multi-line statement", "SELECT *\n\tFROM \"naïve\" n,\n\t\tdb.t VERSION AS OF 0",
		"line 3, column 22: VERSION AS OF 0 on table db.t: versions start at 1; write db.t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"error in nested subquery", "WITH x AS (SELECT * FROM (SELECT * FROM t VERSION AS OF 0)) FROM x",
		"line 1, column 57: VERSION AS OF 0 on table t: versions start at 1; write t VERSION AS OF n, where n >= 1 is a snapshot version from the table's history"},
	{"unterminated string", "SELECT * FROM t WHERE a = 'x",
		"line 1, column 27: unterminated string literal; close it with '"},
}

func TestFindTableRefsErrors(t *testing.T) {
	for _, tt := range findTableRefsErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := FindTableRefs(tt.stmt)
			if err == nil {
				t.Fatalf("FindTableRefs(%q): got refs %q, want error %q", tt.stmt, describeAll(refs), tt.want)
			}
			checkErrorPos(t, tt.stmt, err)
			if got := err.Error(); got != tt.want {
				t.Errorf("FindTableRefs(%q):\ngot  error %q\nwant error %q", tt.stmt, got, tt.want)
			}
		})
	}
}

func TestRewrite(t *testing.T) {
	files := func(r TableRef) string {
		s := "scan('" + strings.Join(r.Parts, "/")
		switch r.Travel {
		case TravelVersion:
			s += fmt.Sprintf("@v%d", r.Version)
		case TravelTimestamp:
			s += "@" + r.Timestamp
		}
		s += "')"
		if r.Alias == "" {
			s += " AS " + r.Parts[len(r.Parts)-1]
		}
		return s
	}
	tests := []struct {
		name string
		stmt string
		want string
	}{
		{"plain", "SELECT * FROM orders", "SELECT * FROM scan('orders') AS orders"},
		{"travel and alias kept", "SELECT o.id FROM sales.orders VERSION AS OF 3 AS o WHERE o.x = 1",
			"SELECT o.id FROM scan('sales/orders@v3') AS o WHERE o.x = 1"},
		{"several", "FROM a /* keep */ JOIN b TIMESTAMP AS OF '2026-01-01' y USING (id), \"C\"",
			"FROM scan('a') AS a /* keep */ JOIN scan('b@2026-01-01') y USING (id), scan('C') AS C"},
		{"multibyte and subquery", "SELECT 'é' FROM (SELECT * FROM \"naïve\" VERSION AS OF 2) s",
			"SELECT 'é' FROM (SELECT * FROM scan('naïve@v2') AS naïve) s"},
		{"cte untouched", "WITH x AS (FROM t) FROM x", "WITH x AS (FROM scan('t') AS t) FROM x"},
		{"no refs", "SELECT 1", "SELECT 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := FindTableRefs(tt.stmt)
			if err != nil {
				t.Fatal(err)
			}
			if got := Rewrite(tt.stmt, refs, files); got != tt.want {
				t.Errorf("Rewrite(%q):\ngot  %q\nwant %q", tt.stmt, got, tt.want)
			}
		})
	}
}

func TestRewriteRoundTrip(t *testing.T) {
	// Rewriting each name to its own Name() and travel clause gives back
	// an equivalent statement with the same references.
	for _, tt := range findTableRefsTests {
		refs, err := FindTableRefs(tt.stmt)
		if err != nil {
			t.Fatal(err)
		}
		canon := Rewrite(tt.stmt, refs, func(r TableRef) string {
			s := r.Name()
			switch r.Travel {
			case TravelVersion:
				s += fmt.Sprintf(" VERSION AS OF %d", r.Version)
			case TravelTimestamp:
				s += " TIMESTAMP AS OF '" + strings.ReplaceAll(r.Timestamp, "'", "''") + "'"
			}
			return s
		})
		again, err := FindTableRefs(canon)
		if err != nil {
			t.Fatalf("FindTableRefs(%q): %v", canon, err)
		}
		if got, want := describeAll(again), describeAll(refs); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: references of %q:\ngot  %q\nwant %q", tt.name, canon, got, want)
		}
	}
}

func TestRewriteSkipsBadRefs(t *testing.T) {
	stmt := "SELECT * FROM a, b"
	refs, err := FindTableRefs(stmt)
	if err != nil {
		t.Fatal(err)
	}
	bad := []TableRef{refs[1], refs[0], {Start: 5, End: 100}, {Start: 9, End: 3}}
	got := Rewrite(stmt, bad, func(r TableRef) string { return "X" })
	if want := "SELECT * FROM a, X"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
