package sqltext_test

import (
	"fmt"

	"github.com/sluice-dev/sluice/sqlengine/sqltext"
)

func ExampleFindTableRefs() {
	stmt := `SELECT o.id, c.name
FROM sales.orders VERSION AS OF 3 AS o
JOIN customers c ON c.id = o.customer_id
WHERE o.day IN (SELECT day FROM holidays TIMESTAMP AS OF '2026-11-20 10:00:00')`

	refs, err := sqltext.FindTableRefs(stmt)
	if err != nil {
		fmt.Println(err)
		return
	}
	// snapshot names the snapshot a reference reads.
	snapshot := func(r sqltext.TableRef) string {
		switch r.Travel {
		case sqltext.TravelVersion:
			return fmt.Sprintf("v%d", r.Version)
		case sqltext.TravelTimestamp:
			return r.Timestamp
		}
		return "latest"
	}
	for _, r := range refs {
		fmt.Printf("%s at %s, alias %q\n", r.Name(), snapshot(r), r.Alias)
	}

	// Replace each name and its time-travel clause by a scan of the
	// snapshot's files, keeping the table name as alias when there is none.
	fmt.Println(sqltext.Rewrite(stmt, refs, func(r sqltext.TableRef) string {
		scan := fmt.Sprintf("scan('%s', '%s')", r.Name(), snapshot(r))
		if r.Alias == "" {
			scan += " AS " + r.Parts[len(r.Parts)-1]
		}
		return scan
	}))
	// Output:
	// sales.orders at v3, alias "o"
	// customers at latest, alias "c"
	// holidays at 2026-11-20 10:00:00, alias ""
	// SELECT o.id, c.name
	// FROM scan('sales.orders', 'v3') AS o
	// JOIN scan('customers', 'latest') c ON c.id = o.customer_id
	// WHERE o.day IN (SELECT day FROM scan('holidays', '2026-11-20 10:00:00') AS holidays)
}

func ExampleFindTableRefs_error() {
	_, err := sqltext.FindTableRefs("SELECT *\nFROM orders o VERSION AS OF 3")
	fmt.Println(err)
	// Output:
	// line 2, column 15: time-travel clause after the alias o of table orders; put the time-travel clause right after the table name: orders VERSION AS OF 3 AS o
}

func ExampleAnalyze() {
	for _, stmt := range []string{
		"INSERT INTO sales.orders (id, amount) SELECT id, amount FROM staging",
		"UPDATE sales.orders SET amount = amount * 1.1, note = 'raised' WHERE day = today()",
		"DELETE FROM sales.orders",
		"CREATE TABLE IF NOT EXISTS sales.refunds (id BIGINT, amount DECIMAL(18, 2))",
		"SELECT count(*) FROM sales.orders",
		"INSERT OR REPLACE INTO sales.orders VALUES (1, 2)",
	} {
		a, err := sqltext.Analyze(stmt)
		if err != nil {
			fmt.Println(err)
			continue
		}
		if a.Kind == sqltext.Query {
			fmt.Println("Query: pass it to DuckDB")
			continue
		}
		fmt.Println(a.Kind, a.Target.Name())
		switch a.Kind {
		case sqltext.InsertInto:
			fmt.Printf("  columns %q, query %q\n", a.Columns, a.Query)
		case sqltext.Update:
			for _, s := range a.Set {
				fmt.Printf("  set %s to %q\n", s.Column, s.Expr)
			}
			fmt.Printf("  where %q\n", a.Where)
		case sqltext.Delete:
			fmt.Printf("  where %q\n", a.Where)
		case sqltext.CreateTable:
			fmt.Printf("  if not exists %v, columns %q, definitions %q\n", a.IfNotExists, a.Columns, a.ColumnDefs)
		}
	}
	// Output:
	// INSERT INTO sales.orders
	//   columns ["id" "amount"], query "SELECT id, amount FROM staging"
	// UPDATE sales.orders
	//   set amount to "amount * 1.1"
	//   set note to "'raised'"
	//   where "day = today()"
	// DELETE sales.orders
	//   where ""
	// CREATE TABLE sales.refunds
	//   if not exists true, columns ["id" "amount"], definitions "id BIGINT, amount DECIMAL(18, 2)"
	// Query: pass it to DuckDB
	// line 1, column 8: INSERT OR REPLACE is not supported on Iceberg tables; Iceberg tables have no keys to conflict on: DELETE the rows to replace, then INSERT
}

func ExampleSplit() {
	script := "-- nightly load\nDELETE FROM t WHERE day = today();\nINSERT INTO t SELECT * FROM 'new/*.parquet';\n"
	stmts, err := sqltext.Split(script)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stmts {
		fmt.Printf("%d %q\n", s.Offset, s.Text)
	}
	// Output:
	// 16 "DELETE FROM t WHERE day = today()"
	// 51 "INSERT INTO t SELECT * FROM 'new/*.parquet'"
}

func ExampleError_Relocate() {
	script := "SELECT 1;\nSELECT * FROM t VERSION AS OF 0;"
	stmts, _ := sqltext.Split(script)
	_, err := sqltext.FindTableRefs(stmts[1].Text)
	if e, ok := err.(*sqltext.Error); ok {
		fmt.Println(e.Pos)
		fmt.Println(e.Relocate(script, stmts[1].Offset).Pos)
	}
	// Output:
	// line 1, column 31
	// line 2, column 31
}

func ExampleTokenize() {
	toks, err := sqltext.Tokenize("SELECT 'it''s' -- note\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range toks {
		fmt.Printf("%s %q %q\n", t.Kind, t.Text, t.Value())
	}
	// Output:
	// Ident "SELECT" "SELECT"
	// Space " " " "
	// String "'it''s'" "it's"
	// Space " " " "
	// Comment "-- note" "-- note"
	// Space "\n" "\n"
	// EOF "" ""
}

func ExamplePosOf() {
	fmt.Println(sqltext.PosOf("SELECT\n\tnaïve, x", 15))
	// Output:
	// line 2, column 8
}
