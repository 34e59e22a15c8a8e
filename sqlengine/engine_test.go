package sqlengine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/sqlengine/sqltext"
	"github.com/sluice-dev/sluice/table"
)

type env struct {
	dir string
	cat *table.Catalog
	eng *sqlengine.Engine
}

func mustEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := table.Open(ctx, db.DB, db.Dialect, "file://"+filepath.Join(dir, "warehouse"))
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := sqlengine.Open(ctx, cat, sqlengine.Config{Threads: 2})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		eng.Close()
		db.Close()
	})
	return &env{dir: dir, cat: cat, eng: eng}
}

// exec runs a script and fails the test on error.
func (e *env) exec(tb testing.TB, script string) []sqlengine.Result {
	tb.Helper()
	res, err := e.eng.Exec(context.Background(), script, nil)
	if err != nil {
		tb.Fatalf("%s: %v", script, err)
	}
	return res
}

// rows runs a query and renders its rows as "a|b" strings.
func (e *env) rows(tb testing.TB, query string) []string {
	tb.Helper()
	var out []string
	err := e.eng.Query(context.Background(), query, func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for r := 0; r < int(rec.NumRows()); r++ {
				cells := make([]string, rec.NumCols())
				for c := range cells {
					if rec.Column(c).IsNull(r) {
						cells[c] = "NULL"
					} else {
						cells[c] = strings.Clone(rec.Column(c).ValueStr(r))
					}
				}
				out = append(out, strings.Join(cells, "|"))
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return out
}

func (e *env) one(tb testing.TB, query string) string {
	tb.Helper()
	r := e.rows(tb, query)
	if len(r) != 1 {
		tb.Fatalf("%s: got %d rows, want 1", query, len(r))
	}
	return r[0]
}

func TestWritesAndTimeTravel(t *testing.T) {
	e := mustEnv(t)
	res := e.exec(t, `CREATE TABLE shop.orders AS SELECT range AS id, 'c' || (range % 3) AS customer, range * 1.5 AS amount FROM range(10)`)
	if res[0].Kind != "create" || res[0].Rows != 10 || res[0].Version != 1 {
		t.Fatalf("CTAS result = %+v", res[0])
	}
	if got := e.one(t, "SELECT count(*), sum(id) FROM shop.orders"); got != "10|45" {
		t.Fatalf("after CTAS: %s", got)
	}
	res = e.exec(t, "INSERT INTO shop.orders VALUES (100, 'c9', 1), (101, 'c9', 2)")
	if res[0].Rows != 2 || res[0].Version != 2 {
		t.Fatalf("insert = %+v", res[0])
	}
	res = e.exec(t, "DELETE FROM shop.orders WHERE customer = 'c0'")
	if res[0].Rows != 4 || res[0].Version != 3 {
		t.Fatalf("delete = %+v, want 4 rows at version 3", res[0])
	}
	res = e.exec(t, "UPDATE shop.orders SET amount = -1 WHERE id >= 100")
	if res[0].Rows != 2 || res[0].Version != 4 {
		t.Fatalf("update = %+v", res[0])
	}
	tests := []struct{ query, want string }{
		{"SELECT count(*) FROM shop.orders", "8"},
		{"SELECT count(*) FROM shop.orders VERSION AS OF 1", "10"},
		{"SELECT count(*) FROM shop.orders VERSION AS OF 2", "12"},
		{"SELECT count(*) FROM shop.orders VERSION AS OF 3 AS o WHERE o.customer = 'c0'", "0"},
		{"SELECT sum(amount) FROM shop.orders WHERE id >= 100", "-2"},
		{"SELECT sum(amount) FROM shop.orders VERSION AS OF 3 WHERE id >= 100", "3"},
		{"SELECT count(*) FROM shop.orders o JOIN shop.orders VERSION AS OF 1 p ON o.id = p.id", "6"},
		{"SELECT orders.customer FROM shop.orders WHERE orders.id = 1", "c1"},
		{"WITH x AS (SELECT * FROM shop.orders) SELECT count(*) FROM x", "8"},
		{"SELECT count(*) FROM shop.orders WHERE id IN (SELECT id FROM shop.orders VERSION AS OF 1)", "6"},
	}
	for _, tt := range tests {
		if got := e.one(t, tt.query); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.query, got, tt.want)
		}
	}
	// Timestamp travel: the version current a moment after version 1 was written.
	tbl, err := e.cat.Load(context.Background(), table.Ident{Namespace: "shop", Name: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	h := tbl.History()
	ts := h[0].Time.Add(time.Millisecond / 2).Format("2006-01-02 15:04:05.000000")
	if h[1].Time.Sub(h[0].Time) >= time.Millisecond {
		if got := e.one(t, fmt.Sprintf("SELECT count(*) FROM shop.orders TIMESTAMP AS OF '%s'", ts)); got != "10" {
			t.Errorf("TIMESTAMP AS OF %s = %s, want 10", ts, got)
		}
	}
	if got := e.one(t, fmt.Sprintf("SELECT count(*) FROM shop.orders TIMESTAMP AS OF '%s'", time.Now().UTC().Add(time.Hour).Format(time.RFC3339))); got != "8" {
		t.Errorf("TIMESTAMP AS OF the future = %s, want 8", got)
	}
	_, err = e.eng.Exec(context.Background(), "SELECT * FROM shop.orders TIMESTAMP AS OF '2001-01-01'", nil)
	if !errors.Is(err, table.ErrNoVersion) {
		t.Errorf("travel before the first version: %v, want ErrNoVersion", err)
	}
	_, err = e.eng.Exec(context.Background(), "SELECT * FROM shop.orders VERSION AS OF 42", nil)
	if !errors.Is(err, table.ErrNoVersion) || !strings.Contains(err.Error(), "1-4") {
		t.Errorf("missing version: %v", err)
	}
	e.exec(t, "DROP TABLE shop.orders")
	if _, err := e.eng.Exec(context.Background(), "SELECT count(*) FROM shop.orders", nil); err == nil {
		t.Error("query of a dropped table succeeded")
	}
	e.exec(t, "DROP TABLE IF EXISTS shop.orders")
}

func TestDefaultNamespaceAndRawFiles(t *testing.T) {
	e := mustEnv(t)
	csv := filepath.Join(e.dir, "x.csv")
	if err := os.WriteFile(csv, []byte("a,b\n1,x\n2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.exec(t, fmt.Sprintf("CREATE TABLE t AS SELECT * FROM '%s'", csv))
	for _, q := range []string{"SELECT count(*) FROM t", `SELECT count(*) FROM "default".t`, "SELECT count(*) FROM default.t"} {
		if got := e.one(t, q); got != "2" {
			t.Errorf("%s = %s, want 2", q, got)
		}
	}
	if got := e.one(t, fmt.Sprintf("SELECT sum(a) FROM read_csv('%s')", csv)); got != "3" {
		t.Errorf("raw file sum = %s", got)
	}
}

func TestSchemaEvolutionRead(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t)
	e.exec(t, "CREATE TABLE ev (id INTEGER, name VARCHAR)")
	e.exec(t, "INSERT INTO ev VALUES (1, 'a')")
	tbl, err := e.cat.Load(ctx, table.Ident{Namespace: "default", Name: "ev"})
	if err != nil {
		t.Fatal(err)
	}
	// Widen id and add a column through a merge-schema overwrite of new rows.
	if _, err := e.eng.Overwrite(ctx, tbl.Ident(), "SELECT CAST(5000000000 AS BIGINT) AS id, 'b' AS name, 2.5 AS score", "id > 100", true); err != nil {
		t.Fatal(err)
	}
	got := e.rows(t, "SELECT id, name, score FROM ev ORDER BY id")
	want := []string{"1|a|NULL", "5000000000|b|2.5"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows after evolution = %v, want %v", got, want)
	}
	if got := e.one(t, "SELECT typeof(id) FROM ev LIMIT 1"); got != "BIGINT" {
		t.Errorf("id type = %s", got)
	}
	// The old version reads with its own schema.
	if got := e.rows(t, "SELECT * FROM ev VERSION AS OF 1"); len(got) != 1 || got[0] != "1|a" {
		t.Errorf("version 1 = %v", got)
	}
}

func TestOverwriteWhere(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t)
	e.exec(t, "CREATE TABLE o AS SELECT range AS id, range % 2 AS part FROM range(6)")
	id := table.Ident{Namespace: "default", Name: "o"}
	res, err := e.eng.Overwrite(ctx, id, "SELECT 100 + range AS id, 1 AS part FROM range(2)", "part = 1", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 {
		t.Errorf("version = %d", res.Version)
	}
	if got := strings.Join(e.rows(t, "SELECT id FROM o ORDER BY id"), ","); got != "0,2,4,100,101" {
		t.Errorf("rows = %s", got)
	}
	// Without a predicate every row is replaced.
	if _, err := e.eng.Overwrite(ctx, id, "SELECT 7 AS id, 0 AS part", "", false); err != nil {
		t.Fatal(err)
	}
	if got := e.one(t, "SELECT count(*), min(id) FROM o"); got != "1|7" {
		t.Errorf("after full overwrite: %s", got)
	}
}

func TestErrors(t *testing.T) {
	e := mustEnv(t)
	e.exec(t, "CREATE TABLE t (id BIGINT NOT NULL, name VARCHAR)")
	tests := []struct {
		script string
		want   []string
	}{
		{"SELECT nope FROM t", []string{"nope", "LINE 1: SELECT nope FROM t\n"}},
		{"SELECT id FROM t WHERE\n  nope > 1", []string{"nope", "LINE 2:   nope > 1"}},
		{"SELECT * FROM t VERSION AS OF 0", []string{"line 1", "VERSION AS OF"}},
		{"SELECT 1;\nSELECT * FROM missing_table", []string{"line 2", "missing_table"}},
		{"INSERT INTO t VALUES (NULL, 'x')", []string{"NOT NULL", "id"}},
		{"INSERT INTO t (nope) VALUES (1)", []string{"no column", "nope"}},
		{"INSERT INTO t VALUES (1, 'a', 3)", []string{"3 columns", "2"}},
		{"INSERT INTO t VALUES ('one', 'a')", []string{"Could not convert", "column id"}},
		{"CREATE TABLE t AS SELECT 1", []string{"already exists"}},
		{"CREATE TABLE h AS SELECT INTERVAL 1 DAY AS span", []string{"span", "no Iceberg equivalent", "CAST"}},
		{"UPDATE t SET nope = 1", []string{"nope", "no such column"}},
		{"SELECT * FROM 'does-not-exist.csv' VERSION AS OF 2", []string{"VERSION"}},
		{"SELECT * FROM ghost VERSION AS OF 2", []string{"ghost", "not found"}},
		{"WITH x AS (SELECT 1 AS id, 'a' AS name) INSERT INTO t SELECT * FROM x", []string{"not supported", "INSERT INTO"}},
	}
	for _, tt := range tests {
		_, err := e.eng.Exec(context.Background(), tt.script, nil)
		if err == nil {
			t.Errorf("%q: no error", tt.script)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(w)) {
				t.Errorf("%q: error %q does not mention %q", tt.script, err, w)
			}
		}
	}
	var se *sqltext.Error
	_, err := e.eng.Exec(context.Background(), "SELECT 1;\nSELECT * FROM t VERSION AS OF x", nil)
	if !errors.As(err, &se) || se.Pos.Line != 2 {
		t.Errorf("travel syntax error = %v, want a *sqltext.Error on line 2", err)
	}
	// A failed CREATE TABLE AS leaves no table behind.
	if ok, _ := e.cat.Exists(context.Background(), table.Ident{Namespace: "default", Name: "h"}); ok {
		t.Error("failed CTAS left table h")
	}
}

func TestDeleteConflict(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t)
	e.exec(t, "CREATE TABLE c AS SELECT range AS id FROM range(10)")
	tbl, err := e.cat.Load(ctx, table.Ident{Namespace: "default", Name: "c"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.exec(t, "DELETE FROM c WHERE id < 5")
	// A rewrite planned before that delete must not land.
	_, _, err = tbl.Rewrite(ctx, plan.Snapshot, []string{plan.Files[0].Path}, nil, table.WriteOptions{Operation: "DELETE"})
	if !errors.Is(err, table.ErrConflict) {
		t.Fatalf("stale delete = %v, want ErrConflict", err)
	}
	if got := e.one(t, "SELECT count(*) FROM c"); got != "5" {
		t.Errorf("rows = %s, want 5", got)
	}
}

func TestCopyTo(t *testing.T) {
	e := mustEnv(t)
	e.exec(t, "CREATE TABLE t AS SELECT range AS id FROM range(7)")
	out := filepath.Join(e.dir, "out.parquet")
	n, err := e.eng.CopyTo(context.Background(), "SELECT * FROM t WHERE id > 2", out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("rows copied = %d, want 4", n)
	}
	if got := e.one(t, fmt.Sprintf("SELECT count(*) FROM '%s'", out)); got != "4" {
		t.Errorf("rows in file = %s", got)
	}
}
