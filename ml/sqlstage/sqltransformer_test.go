package sqlstage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/sqlstage"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

func engine(t *testing.T) *sqlengine.Engine {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := table.Open(ctx, db.DB, db.Dialect, "file://"+filepath.Join(dir, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sqlengine.Open(ctx, cat, sqlengine.Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(); db.Close() })
	return eng
}

func input(t *testing.T) *ml.Frame {
	t.Helper()
	xb := array.NewFloat64Builder(memory.DefaultAllocator)
	xb.AppendValues([]float64{1, 2, 3}, nil)
	x := xb.NewArray()
	vb := ml.NewVectorBuilder(nil)
	vb.Append(ml.Dense(1, 2))
	vb.Append(ml.Sparse(2, []int32{1}, []float64{5}))
	vb.AppendNull()
	v := vb.NewArray()
	attrs := ml.VectorAttrs{NumAttrs: 2, Numeric: []ml.Attr{{Idx: 0, Name: "a"}, {Idx: 1, Name: "b"}}}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "features", Type: ml.VectorType, Nullable: true, Metadata: attrs.Metadata()},
	}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{arrow.NewChunked(x.DataType(), []arrow.Array{x}), arrow.NewChunked(ml.VectorType, []arrow.Array{v})})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSQLTransformer(t *testing.T) {
	ctx := context.Background()
	eng := engine(t)
	if _, err := eng.Exec(ctx, "CREATE TABLE boost AS SELECT 2.0 AS k", nil); err != nil {
		t.Fatal(err)
	}
	st := sqlstage.New(eng)
	st.P.Statement = "SELECT *, x * k AS xk FROM __THIS__ CROSS JOIN boost WHERE x >= 2"
	f := input(t)
	sc, err := st.TransformSchema(f.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ml.ColumnNames(sc), ","); got != "x,features,k,xk" {
		t.Errorf("schema columns %s", got)
	}
	out, err := st.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.Table())
	if out.NumRows() != 2 {
		t.Fatalf("rows = %d, want 2", out.NumRows())
	}
	field, _ := ml.FieldOf(out.Schema(), "features")
	if !ml.IsVector(field.Type) {
		t.Fatalf("features came back as %s, want the vector type", field.Type)
	}
	if got := ml.VectorAttrsOf(field).Name(1); got != "b" {
		t.Errorf("vector attribute names lost: feature 1 is %q", got)
	}
	col, _ := out.Column("features")
	arr, _ := ml.Flatten(col)
	vc, _ := ml.NewVectorColumn(arr)
	if v := vc.At(0); !v.IsSparse() || v.At(1) != 5 {
		t.Errorf("row 1 vector = %+v, want sparse with [1]=5", v)
	}
	if !vc.IsNull(1) {
		t.Error("NULL vector did not stay NULL")
	}
	xk, _ := out.Column("xk")
	xa, _ := ml.Flatten(xk)
	vals, _, _ := ml.Float64s(xa)
	if vals[0] != 4 || vals[1] != 6 {
		t.Errorf("xk = %v, want [4 6]", vals)
	}

	for _, tc := range []struct{ stmt, want string }{
		{"SELECT 1", "does not read __THIS__"},
		{"SELECT nope FROM __THIS__", "nope"},
		{"", "statement is empty"},
	} {
		st.P.Statement = tc.stmt
		if _, err := st.Transform(ctx, f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.stmt, err, tc.want)
		}
	}
	noEngine := sqlstage.New(nil)
	noEngine.P.Statement = "SELECT * FROM __THIS__"
	if _, err := noEngine.Transform(ctx, f); err == nil || !strings.Contains(err.Error(), "no SQL engine") {
		t.Errorf("nil engine: err = %v", err)
	}
}
