package feature_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/mltest"
)

// testFrame has an int64 column a (with a NULL in row 3), a float64 b (NaN
// in row 2), a boolean c and a vector column v.
func testFrame(t testing.TB) *ml.Frame {
	t.Helper()
	mem := memory.DefaultAllocator
	ab := array.NewInt64Builder(mem)
	ab.AppendValues([]int64{1, 2, 0, 4}, []bool{true, true, false, true})
	bb := array.NewFloat64Builder(mem)
	bb.AppendValues([]float64{0.5, math.NaN(), 1.5, 2.5}, nil)
	cb := array.NewBooleanBuilder(mem)
	cb.AppendValues([]bool{true, false, true, false}, nil)
	vb := ml.NewVectorBuilder(mem)
	vb.Append(ml.Dense(10, 11))
	vb.Append(ml.Sparse(2, []int32{1}, []float64{21}))
	vb.Append(ml.Dense(30, 31))
	vb.Append(ml.Dense(40, 41))
	arrs := []arrow.Array{ab.NewArray(), bb.NewArray(), cb.NewArray(), vb.NewArray()}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "c", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "v", Type: ml.VectorType, Nullable: true},
	}, nil)
	cols := make([]*arrow.Chunked, len(arrs))
	for i, a := range arrs {
		cols[i] = arrow.NewChunked(a.DataType(), []arrow.Array{a})
	}
	f, err := ml.NewFrame(sc, cols)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVectorAssemblerHandleInvalid(t *testing.T) {
	ctx := context.Background()
	f := testFrame(t)
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"a", "b", "c", "v"}

	// error: the first invalid row is named.
	_, err := va.Transform(ctx, f)
	if err == nil || !strings.Contains(err.Error(), "row 2: b is NaN") || !strings.Contains(err.Error(), "handleInvalid") {
		t.Errorf("handleInvalid=error: %v", err)
	}

	// skip: rows 2 and 3 go, from every column.
	va.P.HandleInvalid = "skip"
	out, err := va.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if out.NumRows() != 2 {
		t.Fatalf("skip kept %d rows, want 2", out.NumRows())
	}
	got := fmt.Sprint(vectors(t, out, "features"))
	if want := "[[1 0.5 1 10 11] [4 2.5 0 40 41]]"; got != want {
		t.Errorf("skip vectors = %s, want %s", got, want)
	}
	ac, _ := out.Column("a")
	if ac.Len() != 2 {
		t.Errorf("column a has %d rows after skip", ac.Len())
	}

	// keep: NULL becomes NaN, NaN stays.
	va.P.HandleInvalid = "keep"
	out, err = va.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got = fmt.Sprint(vectors(t, out, "features"))
	if want := "[[1 0.5 1 10 11] [2 NaN 0 0 21] [NaN 1.5 1 30 31] [4 2.5 0 40 41]]"; got != want {
		t.Errorf("keep vectors = %s, want %s", got, want)
	}
}

func TestVectorAssemblerSchemaErrors(t *testing.T) {
	f := testFrame(t)
	tests := []struct {
		p    feature.VectorAssemblerParams
		want string
	}{
		{feature.VectorAssemblerParams{InputCols: []string{"nope"}, OutputCol: "f", HandleInvalid: "error"}, `no input column "nope"; columns are a, b, c, v`},
		{feature.VectorAssemblerParams{InputCols: []string{"a"}, OutputCol: "b", HandleInvalid: "error"}, `output column "b" already exists`},
		{feature.VectorAssemblerParams{OutputCol: "f", HandleInvalid: "error"}, "inputCols is empty"},
		{feature.VectorAssemblerParams{InputCols: []string{"a"}, OutputCol: "f", HandleInvalid: "drop"}, `handleInvalid "drop"`},
	}
	for _, tt := range tests {
		va := &feature.VectorAssembler{P: tt.p}
		_, err := va.TransformSchema(f.Schema())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.p, err, tt.want)
		}
	}
	// A string column is refused with a hint.
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.AppendValues([]string{"x"}, nil)
	s := sb.NewArray()
	sf, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil), []*arrow.Chunked{arrow.NewChunked(s.DataType(), []arrow.Array{s})})
	va := &feature.VectorAssembler{P: feature.VectorAssemblerParams{InputCols: []string{"s"}, OutputCol: "f", HandleInvalid: "error"}}
	if _, err := va.TransformSchema(sf.Schema()); err == nil || !strings.Contains(err.Error(), "StringIndexer") {
		t.Errorf("string input: %v", err)
	}
}

func ExampleVectorAssembler() {
	mem := memory.DefaultAllocator
	xb := array.NewFloat64Builder(mem)
	xb.AppendValues([]float64{1.5, 2.5}, nil)
	yb := array.NewInt64Builder(mem)
	yb.AppendValues([]int64{10, 20}, nil)
	x, y := xb.NewArray(), yb.NewArray()
	sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: x.DataType()}, {Name: "y", Type: y.DataType()}}, nil)
	f, _ := ml.NewFrame(sc, []*arrow.Chunked{arrow.NewChunked(x.DataType(), []arrow.Array{x}), arrow.NewChunked(y.DataType(), []arrow.Array{y})})

	va := feature.NewVectorAssembler()
	if err := ml.SetParam(va, "inputCols", []any{"x", "y"}); err != nil {
		panic(err)
	}
	out, err := va.Transform(context.Background(), f)
	if err != nil {
		panic(err)
	}
	col, _ := out.Column("features")
	vc, _ := ml.NewVectorColumn(col.Chunk(0))
	for i := 0; i < vc.Len(); i++ {
		fmt.Println(vc.At(i).Values)
	}
	// Output:
	// [1.5 10]
	// [2.5 20]
}

var vectors = mltest.Vectors
