// Package mltest has the test helpers the ML packages share: building a
// training frame from rows and reading columns back. Each helper fails the
// test (tb.Fatal) on error.
package mltest

import (
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// Frame builds a frame with a "features" vector column of dense rows x, a
// "label" column when y is not nil and a "weight" column when w is not
// nil. With cats not nil (feature index → number of categories; may be
// empty) the features column carries an attribute group naming the
// features f0, f1, … and marking those in cats as nominal.
func Frame(tb testing.TB, x [][]float64, y, w []float64, cats map[int]int) *ml.Frame {
	tb.Helper()
	d := 0
	if len(x) > 0 {
		d = len(x[0])
	}
	va := ml.VectorAttrs{NumAttrs: d}
	for j := range d {
		if k, ok := cats[j]; ok {
			va.Nominal = append(va.Nominal, ml.Attr{Idx: j, Name: "f" + strconv.Itoa(j), NumVals: k})
		} else {
			va.Numeric = append(va.Numeric, ml.Attr{Idx: j, Name: "f" + strconv.Itoa(j)})
		}
	}
	vs := make([]ml.Vector, len(x))
	for i, r := range x {
		vs[i] = ml.Dense(r...)
	}
	fields := []arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}
	if cats != nil {
		fields[0].Metadata = va.Metadata()
	}
	cols := []*arrow.Chunked{ml.VectorsColumn(vs)}
	if y != nil {
		fields = append(fields, arrow.Field{Name: "label", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		cols = append(cols, ml.Float64Column(y))
	}
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

// Floats reads a numeric column as float64 (NULL reads as NaN).
func Floats(tb testing.TB, f *ml.Frame, col string) []float64 {
	tb.Helper()
	c, err := f.Column(col)
	if err != nil {
		tb.Fatal(err)
	}
	arr, err := ml.Flatten(c)
	if err != nil {
		tb.Fatal(err)
	}
	defer arr.Release()
	v, _, err := ml.Float64s(arr)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// Vectors reads a vector column as dense rows (nil for NULL).
func Vectors(tb testing.TB, f *ml.Frame, col string) [][]float64 {
	tb.Helper()
	c, err := f.Column(col)
	if err != nil {
		tb.Fatal(err)
	}
	arr, err := ml.Flatten(c)
	if err != nil {
		tb.Fatal(err)
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([][]float64, vc.Len())
	for i := range out {
		if !vc.IsNull(i) {
			out[i] = vc.At(i).AppendTo(nil)
		}
	}
	return out
}

// Positive returns entry 1 of every row of a vector column: the positive
// class's probability or raw score.
func Positive(tb testing.TB, f *ml.Frame, col string) []float64 {
	tb.Helper()
	v := Vectors(tb, f, col)
	out := make([]float64, len(v))
	for i, r := range v {
		out[i] = r[1]
	}
	return out
}
