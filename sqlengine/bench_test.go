package sqlengine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/table"
)

var sinkRows int64

// BenchmarkQueryOverhead measures what Sluice adds to a tiny query: finding
// table references, loading the table's metadata and checking the bound
// view is current. "raw" runs the same query on read_parquet of the table's file.
func BenchmarkQueryOverhead(b *testing.B) {
	e := mustEnv(b)
	e.exec(b, "CREATE TABLE t AS SELECT range AS id FROM range(1000)")
	ctx := context.Background()
	drain := func(rdr array.RecordReader) error {
		for rdr.Next() {
			sinkRows += rdr.RecordBatch().NumRows()
		}
		return nil
	}
	b.Run("sluice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := e.eng.Query(ctx, "SELECT max(id) FROM t", drain); err != nil {
				b.Fatal(err)
			}
		}
	})
	tbl, err := e.cat.Load(ctx, table.Ident{Namespace: "default", Name: "t"})
	if err != nil {
		b.Fatal(err)
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	raw := "SELECT max(id) FROM read_parquet('" + strings.TrimPrefix(plan.Files[0].Path, "file://") + "')"
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := e.eng.Query(ctx, raw, drain); err != nil {
				b.Fatal(err)
			}
		}
	})
}
