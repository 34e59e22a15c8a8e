package bench_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/bench"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

// genSQL generates flights-like rows: a timestamp per 14 rows (so about
// rows/14 distinct dates, the high-cardinality column), delays and
// distances, and 230 airports.
func genSQL(rows int) string {
	return fmt.Sprintf(`SELECT TIMESTAMP '2001-01-01 00:00:00' + to_minutes(CAST(i // 14 AS BIGINT)) AS date,
  CAST(hash(i) %% 180 AS BIGINT) - 30 AS delay,
  CAST(100 + hash(i * 7) %% 2500 AS BIGINT) AS distance,
  'A' || CAST(hash(i * 3) %% 230 AS VARCHAR) AS origin,
  'A' || CAST(hash(i * 5) %% 230 AS VARCHAR) AS destination
FROM range(%d) t(i)`, rows)
}

// env is a Sluice table named flights and a plain DuckDB that reads its
// files directly.
type env struct {
	eng    *sqlengine.Engine
	duck   *bench.Duck
	direct string // read_parquet over the table's files
}

// mustEnv creates a workspace holding rows generated rows in the table
// flights, and a DuckDB with as many threads as Sluice's engine.
func mustEnv(tb testing.TB, rows int) *env {
	tb.Helper()
	ctx := context.Background()
	cfg := sqlengine.DefaultConfig()
	ws, err := workspace.Open(ctx, workspace.Config{Dir: tb.TempDir(), Engine: cfg})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	eng, err := ws.SQL(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := eng.Exec(ctx, "CREATE TABLE flights AS "+genSQL(rows), nil); err != nil {
		tb.Fatal(err)
	}
	tbl, err := ws.Tables().Load(ctx, table.Ident{Namespace: table.DefaultNamespace, Name: "flights"})
	if err != nil {
		tb.Fatal(err)
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	var files []string
	for _, f := range plan.Files {
		files = append(files, f.Path)
	}
	duck, err := bench.OpenDuck(ctx, cfg.Threads)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { duck.Close() })
	return &env{eng: eng, duck: duck, direct: bench.ReadParquet(files)}
}

// sluice runs q on the Sluice table and returns the number of rows.
func (e *env) sluice(ctx context.Context, q bench.Query) (int64, error) {
	var n int64
	err := e.eng.Query(ctx, q.On("flights"), func(rdr array.RecordReader) error {
		var err error
		n, err = bench.Drain(rdr)
		return err
	})
	return n, err
}

// duckdb runs q on the table's files with plain DuckDB.
func (e *env) duckdb(ctx context.Context, q bench.Query) (int64, error) {
	return e.duck.Drain(ctx, q.On(e.direct))
}

// rowStrings renders every row of rdr, floats to 9 significant digits
// (parallel sums may differ in the last bits).
func rowStrings(rdr array.RecordReader) ([]string, error) {
	var out []string
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			cells := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				if f, ok := col.(*array.Float64); ok && f.IsValid(i) {
					cells[j] = fmt.Sprintf("%.9g", f.Value(i))
				} else {
					cells[j] = col.ValueStr(i)
				}
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	return out, rdr.Err()
}
