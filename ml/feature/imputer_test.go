package feature_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

// refColumn turns a reference column (nil = missing) into a float64
// column where even-numbered missing rows are NaN and odd ones NULL, so
// both kinds are exercised.
func refColumn(name string, vals []*float64) column {
	x := make([]float64, len(vals))
	var nulls []int
	for i, v := range vals {
		switch {
		case v != nil:
			x[i] = *v
		case i%2 == 1:
			x[i] = math.NaN()
		default:
			nulls = append(nulls, i)
		}
	}
	return fcol(name, x, nulls...)
}

func TestImputerReference(t *testing.T) {
	ref := loadReference(t).Imputer
	f := mkFrame(t, refColumn("a", ref.A), refColumn("b", ref.B))
	for _, tt := range []struct {
		strategy string
		want     []float64
	}{
		{"mean", ref.Mean},
		{"median", ref.SparkMedian}, // sklearn's median averages the middle pair of b
		{"mode", ref.MostFrequent},
	} {
		e := feature.NewImputer()
		e.P.InputCols, e.P.OutputCols, e.P.Strategy = []string{"a", "b"}, []string{"a2", "b2"}, tt.strategy
		m := mustFit(t, e, f).(*feature.ImputerModel)
		checkVec(t, tt.strategy, m.Surrogates, tt.want, 1e-12)
		out := mustTransform(t, m, f)
		for k, c := range []string{"a", "b"} {
			vals := [][]*float64{ref.A, ref.B}[k]
			got := floats(t, out, c+"2")
			for i, v := range vals {
				want := tt.want[k]
				if v != nil {
					want = *v
				}
				if got[i] != want {
					t.Errorf("%s %s row %d: %v, want %v", tt.strategy, c, i+1, got[i], want)
				}
			}
		}
		roundTrip(t, m, f, "a2", "b2")
	}
	// For a's odd count the medians agree with scikit-learn's.
	if ref.Median[0] != ref.SparkMedian[0] {
		t.Errorf("reference medians of a differ: %v, %v", ref.Median[0], ref.SparkMedian[0])
	}
}

func TestImputerMissingValueAndTypes(t *testing.T) {
	// int64 column with -1 as the missing marker and a NULL; the mean
	// 7/3 is truncated to 2 in the int64 output.
	f := mkFrame(t, icol("n", []int64{1, -1, 2, 0, 4}, 3))
	e := feature.NewImputer()
	e.P.InputCol, e.P.OutputCol, e.P.MissingValue = "n", "n2", -1
	m := mustFit(t, e, f)
	out := mustTransform(t, m, f)
	if got := colString(t, out, "n2"); got != "[1 2 2 2 4]" {
		t.Errorf("int imputation: %s", got)
	}
	field, _ := ml.FieldOf(out.Schema(), "n2")
	if field.Type.ID() != arrow.INT64 {
		t.Errorf("output type %s, want int64", field.Type)
	}
	roundTrip(t, m, f, "n2")

	// missingValue 0: NaN counts as missing when fitting (Spark) but is
	// not replaced at transform, since NaN != 0.
	g := mkFrame(t, fcol("x", []float64{0, math.NaN(), 4, 6}))
	e = feature.NewImputer()
	e.P.InputCol, e.P.OutputCol, e.P.MissingValue = "x", "y", 0
	m = mustFit(t, e, g)
	if got := fmt.Sprint(m.(*feature.ImputerModel).Surrogates); got != "[5]" {
		t.Errorf("surrogate %s, want [5]", got)
	}
	checkVec(t, "missingValue 0", floats(t, mustTransform(t, m, g), "y"), []float64{5, math.NaN(), 4, 6}, 0)

	// float32 keeps its type.
	b := array.NewFloat32Builder(memory.DefaultAllocator)
	b.AppendValues([]float32{1, float32(math.NaN()), 2}, nil)
	h := mkFrame(t, column{arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float32, Nullable: true}, b.NewArray()})
	e.P.MissingValue = math.NaN()
	if got := colString(t, mustTransform(t, mustFit(t, e, h), h), "y"); got != "[1 1.5 2]" {
		t.Errorf("float32: %s", got)
	}
}

func TestImputerBadInput(t *testing.T) {
	ctx := context.Background()
	e := feature.NewImputer()
	e.P.InputCols, e.P.OutputCols = []string{"a", "b"}, []string{"a2", "b2"}
	f := mkFrame(t, fcol("a", []float64{1, 2}), fcol("b", []float64{math.NaN(), 0}, 1))
	_, err := e.Fit(ctx, f)
	wantErr(t, err, "column b: all 2 values are NULL, NaN or missingValue (NaN)")

	e.P.Strategy = "max"
	_, err = e.TransformSchema(f.Schema())
	wantErr(t, err, `strategy "max": use mean, median or mode`)
	e.P.Strategy = "mean"
	e.P.OutputCols = []string{"a2"}
	_, err = e.TransformSchema(f.Schema())
	wantErr(t, err, "inputCols has 2 columns and outputCols 1")
	e.P.OutputCols = []string{"a2", "a"}
	_, err = e.TransformSchema(f.Schema())
	wantErr(t, err, `output column "a" already exists`)
	e.P.OutputCols = []string{"a2", "b2"}

	_, err = e.TransformSchema(mkFrame(t, scol("a", "x"), fcol("b", []float64{1})).Schema())
	wantErr(t, err, `"a" has type utf8; Imputer needs a floating-point or integer column`)

	// A model asked to impute a column it was not fitted on.
	e.P.InputCols, e.P.OutputCols = []string{"a"}, []string{"a2"}
	m := mustFit(t, e, f).(*feature.ImputerModel)
	m.P.InputCols, m.P.OutputCols = []string{"b"}, []string{"b2"}
	_, err = m.Transform(ctx, f)
	wantErr(t, err, `input column "b" was not fitted`)
}

func ExampleImputer() {
	ctx := context.Background()
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{1, math.NaN(), 3, 0}, []bool{true, true, true, false})
	a := b.NewArray()
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "income", Type: a.DataType(), Nullable: true}}, nil),
		[]*arrow.Chunked{arrow.NewChunked(a.DataType(), []arrow.Array{a})})

	imp := feature.NewImputer()
	imp.P.InputCols, imp.P.OutputCols = []string{"income"}, []string{"income_filled"}
	m, err := imp.Fit(ctx, f)
	if err != nil {
		panic(err)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		panic(err)
	}
	col, _ := out.Column("income_filled")
	fmt.Println(col.Chunk(0))
	// Output:
	// [1 2 3 2]
}
