package classification_test

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// frameOf builds a frame with a "features" vector column, a "label"
// column and, when w is not nil, a "weight" column.
func frameOf(tb testing.TB, X [][]float64, y, w []float64) *ml.Frame {
	tb.Helper()
	vs := make([]ml.Vector, len(X))
	for i, r := range X {
		vs[i] = ml.Dense(r...)
	}
	fields := []arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}
	cols := []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(y)}
	if w != nil {
		fields = append(fields, arrow.Field{Name: "weight", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		cols = append(cols, ml.Float64Column(w))
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), cols)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// vectors reads a vector column as dense rows.
func vectors(tb testing.TB, f *ml.Frame, col string) [][]float64 {
	tb.Helper()
	c, err := f.Column(col)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ml.Flatten(c)
	if err != nil {
		tb.Fatal(err)
	}
	defer a.Release()
	vc, err := ml.NewVectorColumn(a)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([][]float64, vc.Len())
	for i := range out {
		out[i] = vc.At(i).AppendTo(nil)
	}
	return out
}

// floats reads a numeric column.
func floats(tb testing.TB, f *ml.Frame, col string) []float64 {
	tb.Helper()
	c, err := f.Column(col)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ml.Flatten(c)
	if err != nil {
		tb.Fatal(err)
	}
	defer a.Release()
	v, _, err := ml.Float64s(a)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}

func nearSlice(tb testing.TB, what string, got, want []float64, tol float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !closeTo(got[i], want[i], tol) {
			tb.Errorf("%s[%d] = %.8g, want %.8g (tol %g)\n got %v\nwant %v", what, i, got[i], want[i], tol, got, want)
			return
		}
	}
}
