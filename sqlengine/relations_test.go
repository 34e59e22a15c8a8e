package sqlengine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/sqlengine"
)

func TestQueryWithRelations(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t)
	e.exec(t, "CREATE TABLE t AS SELECT 1 AS a")
	csv := filepath.Join(e.dir, "t.csv")
	if err := os.WriteFile(csv, []byte("a,b\n10,x\n20,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A struct<…list…> column, the shape of ML vectors, goes through DuckDB.
	sb := array.NewStructBuilder(memory.DefaultAllocator, arrow.StructOf(
		arrow.Field{Name: "size", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "values", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true}))
	defer sb.Release()
	for i := range 3 {
		sb.Append(true)
		sb.FieldBuilder(0).(*array.Int32Builder).Append(2)
		lb := sb.FieldBuilder(1).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.Float64Builder).AppendValues([]float64{float64(i), 0.5}, nil)
	}
	vec := sb.NewArray()
	defer vec.Release()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: vec.DataType(), Nullable: true}}, nil)
	rec := array.NewRecordBatch(sc, []arrow.Array{vec}, 3)
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = e.eng.QueryWith(ctx, "SELECT t.a, f.v.values[1] AS first FROM t JOIN frame f ON true WHERE t.b = 'y' ORDER BY first",
		sqlengine.Relations{Files: map[string]string{"t": csv}, Arrow: map[string]array.RecordReader{"frame": rdr}},
		func(r array.RecordReader) error {
			for r.Next() {
				b := r.RecordBatch()
				for i := 0; i < int(b.NumRows()); i++ {
					got = append(got, b.Column(0).ValueStr(i)+"|"+b.Column(1).ValueStr(i))
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if want := "20|0 20|1 20|2"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s (the file must shadow catalog table t)", got, want)
	}
	// A filter on an Arrow relation must hold (DuckDB's Arrow scan drops
	// pushed-down filters; QueryWith works around it).
	rdr2, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	var n string
	err = e.eng.QueryWith(ctx, "SELECT count(*) FROM frame WHERE v.values[1] >= 1", sqlengine.Relations{Arrow: map[string]array.RecordReader{"frame": rdr2}},
		func(r array.RecordReader) error {
			for r.Next() {
				n = r.RecordBatch().Column(0).ValueStr(0)
			}
			return nil
		})
	if err != nil || n != "2" {
		t.Errorf("filtered count = %s (%v), want 2", n, err)
	}
	// Afterwards the catalog table is visible again.
	if got := e.one(t, "SELECT a FROM t"); got != "1" {
		t.Errorf("after QueryWith, t = %s, want the catalog's 1", got)
	}
	if err := e.eng.QueryWith(ctx, "SELECT 1", sqlengine.Relations{Files: map[string]string{"x": "a.xlsx"}}, func(array.RecordReader) error { return nil }); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("xlsx: err = %v", err)
	}
}
