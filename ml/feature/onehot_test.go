package feature_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func TestIndexToString(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"b", "a", "c", "a"}, nil, []float64{1, 2, 3, 4})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "idx"
	indexed := mustTransform(t, mustFit(t, si, f), f)

	// Labels from the metadata StringIndexer wrote: the inverse mapping.
	its := feature.NewIndexToString()
	its.P.InputCol, its.P.OutputCol = "idx", "back"
	out := mustTransform(t, its, indexed)
	if got, want := colString(t, out, "back"), colString(t, out, "plan"); got != want {
		t.Errorf("round trip: %s, want %s", got, want)
	}

	// Explicit labels win over metadata; NULL stays NULL.
	g := mkFrame(t, fcol("i", []float64{2, 0, math.NaN(), 1}, 2))
	its.P.InputCol, its.P.Labels = "i", []string{"x", "y", "z"}
	out = mustTransform(t, its, g)
	if got := colString(t, out, "back"); got != `["z" "x" (null) "y"]` {
		t.Errorf("explicit labels: %s", got)
	}
	roundTrip(t, its, g, "back")

	// Bad indices name the row.
	for _, bad := range []float64{3, -1, 0.5, math.NaN()} {
		_, err := its.Transform(ctx, mkFrame(t, fcol("i", []float64{0, bad})))
		wantErr(t, err, "column i, row 2", "has no label")
	}
	// No labels anywhere.
	its.P.Labels = nil
	_, err := its.Transform(ctx, g)
	wantErr(t, err, "no label metadata", "set the labels param")
	// Wrong type and clash.
	_, err = its.TransformSchema(mkFrame(t, scol("i", "a")).Schema())
	wantErr(t, err, `"i" has type utf8`)
	its.P.OutputCol = "i"
	_, err = its.TransformSchema(g.Schema())
	wantErr(t, err, `output column "i" already exists`)
}

func TestOneHotEncoderFromData(t *testing.T) {
	f := mkFrame(t, fcol("a", []float64{0, 2, 1, 2}), icol("b", []int64{1, 0, 0, 1}))
	e := feature.NewOneHotEncoder()
	e.P.InputCols, e.P.OutputCols = []string{"a", "b"}, []string{"av", "bv"}
	m := mustFit(t, e, f).(*feature.OneHotEncoderModel)
	if fmt.Sprint(m.CategorySizes) != "[3 2]" {
		t.Fatalf("category sizes %v, want [3 2]", m.CategorySizes)
	}
	out := mustTransform(t, m, f)
	// dropLast: category 2 of a and 1 of b are all zeros.
	if got := fmt.Sprint(vecs(t, out, "av")); got != "[[1 0] [0 0] [0 1] [0 0]]" {
		t.Errorf("av = %s", got)
	}
	if got := fmt.Sprint(vecs(t, out, "bv")); got != "[[0] [1] [1] [0]]" {
		t.Errorf("bv = %s", got)
	}
	for _, v := range rawVecs(t, out, "av") {
		if !v.IsSparse() {
			t.Errorf("output %v is not sparse", v)
		}
	}
	field, _ := ml.FieldOf(out.Schema(), "av")
	if got := ml.VectorAttrsOf(field).Names(2); fmt.Sprint(got) != "[0 1]" {
		t.Errorf("attribute names %v", got)
	}

	// dropLast false: argmax of the encoding gives back the index.
	m.P.DropLast = false
	out = mustTransform(t, m, f)
	a := floats(t, f, "a")
	for i, v := range vecs(t, out, "av") {
		best := 0
		for j := range v {
			if v[j] > v[best] {
				best = j
			}
		}
		if len(v) != 3 || float64(best) != a[i] || v[best] != 1 {
			t.Errorf("row %d: encoding %v of index %v", i+1, v, a[i])
		}
	}
	roundTrip(t, m, f, "av", "bv")
}

func TestOneHotEncoderNamesFromStringIndexer(t *testing.T) {
	f := stringFrame(t, []string{"red", "blue", "red", "green", "red", "blue"}, nil, []float64{1, 2, 3, 4, 5, 6})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "plan_idx"
	oh := feature.NewOneHotEncoder()
	oh.P.InputCol, oh.P.OutputCol = "plan_idx", "plan_vec"
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"plan_vec", "x"}
	p := &ml.Pipeline{Stages: []ml.Stage{si, oh, va}}
	pm, err := p.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := mustTransform(t, pm, f)
	field, _ := ml.FieldOf(out.Schema(), "features")
	// red (0) and blue (1) get slots; green (2), the last, is dropped.
	if got := fmt.Sprint(ml.VectorAttrsOf(field).Names(3)); got != "[plan_vec_red plan_vec_blue x]" {
		t.Errorf("assembled names %s", got)
	}
	if got := fmt.Sprint(vecs(t, out, "features")[:4]); got != "[[1 0 1] [0 1 2] [1 0 3] [0 0 4]]" {
		t.Errorf("features %s", got)
	}
	roundTrip(t, pm, f, "features")
}

func TestOneHotEncoderHandleInvalid(t *testing.T) {
	ctx := context.Background()
	train := mkFrame(t, fcol("c", []float64{0, 1, 2}))
	test := mkFrame(t, fcol("c", []float64{1, 3, math.NaN(), -1, 0.5, 0}, 2))
	e := feature.NewOneHotEncoder()
	e.P.InputCol, e.P.OutputCol = "c", "v"
	m := mustFit(t, e, train).(*feature.OneHotEncoderModel)
	_, err := m.Transform(ctx, test)
	wantErr(t, err, "column c, row 2: unseen index 3 (the model knows 3 categories)", "handleInvalid to keep")
	_, err = m.Transform(ctx, mkFrame(t, fcol("c", []float64{0, math.NaN()}, 1)))
	wantErr(t, err, "row 2: NULL index")

	tests := []struct {
		dropLast bool
		want     string
	}{
		// keep + dropLast: size 3, the invalid slot (3) is the dropped one.
		{true, "[[0 1 0] [0 0 0] [0 0 0] [0 0 0] [0 0 0] [1 0 0]]"},
		// keep, no dropLast: size 4, slot 3 marks invalid rows.
		{false, "[[0 1 0 0] [0 0 0 1] [0 0 0 1] [0 0 0 1] [0 0 0 1] [1 0 0 0]]"},
	}
	for _, tt := range tests {
		m.P.HandleInvalid, m.P.DropLast = "keep", tt.dropLast
		out := mustTransform(t, m, test)
		if got := fmt.Sprint(vecs(t, out, "v")); got != tt.want {
			t.Errorf("dropLast %v: %s, want %s", tt.dropLast, got, tt.want)
		}
		field, _ := ml.FieldOf(out.Schema(), "v")
		names := ml.VectorAttrsOf(field).Names(4)
		if !tt.dropLast && names[3] != "invalidValues" {
			t.Errorf("names %v, want the last to be invalidValues", names)
		}
	}
}

func TestOneHotEncoderBadInput(t *testing.T) {
	ctx := context.Background()
	e := feature.NewOneHotEncoder()
	e.P.InputCol, e.P.OutputCol = "c", "v"
	for _, tt := range []struct {
		col  column
		want string
	}{
		{fcol("c", []float64{0, -1}), "row 2: -1 is not a category index"},
		{fcol("c", []float64{0, 1.5}), "row 2: 1.5 is not a category index"},
		{fcol("c", []float64{0, math.NaN()}), "row 2: NaN is not a category index"},
		{fcol("c", []float64{0, 1}, 0), "row 1: index is NULL"},
		{fcol("c", nil), "no rows to fit on"},
		{scol("c", "a"), `"c" has type utf8`},
		{withMeta(fcol("c", []float64{0.5}), `{"ml_attr":{"type":"numeric","name":"c"}}`), "marked continuous"},
	} {
		_, err := e.Fit(ctx, mkFrame(t, tt.col))
		wantErr(t, err, tt.want)
	}
	e.P.InputCols = []string{"c"}
	_, err := e.TransformSchema(mkFrame(t, fcol("c", []float64{0})).Schema())
	wantErr(t, err, "both inputCol/outputCol and inputCols/outputCols")
	e.P.InputCol, e.P.OutputCol, e.P.OutputCols = "", "", []string{"c"}
	_, err = e.TransformSchema(mkFrame(t, fcol("c", []float64{0})).Schema())
	wantErr(t, err, `output column "c" already exists`)

	// Metadata sizes win over the data, and a mismatch at transform fails.
	md := `{"ml_attr":{"type":"nominal","name":"c","num_vals":4}}`
	e = feature.NewOneHotEncoder()
	e.P.InputCol, e.P.OutputCol = "c", "v"
	m := mustFit(t, e, mkFrame(t, withMeta(fcol("c", []float64{0, 1}), md))).(*feature.OneHotEncoderModel)
	if m.CategorySizes[0] != 4 {
		t.Errorf("size from metadata %d, want 4", m.CategorySizes[0])
	}
	_, err = m.Transform(ctx, mkFrame(t, withMeta(fcol("c", []float64{0}), `{"ml_attr":{"type":"nominal","num_vals":5}}`)))
	wantErr(t, err, "fitted on 4 categories, the column's metadata says 5")
}

func ExampleOneHotEncoder() {
	ctx := context.Background()
	f := stringFrameExample([]string{"tv", "phone", "tv", "radio"})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "product", "product_idx"
	oh := feature.NewOneHotEncoder()
	oh.P.InputCol, oh.P.OutputCol = "product_idx", "product_vec"
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{si, oh}}).Fit(ctx, f)
	if err != nil {
		panic(err)
	}
	out, err := pm.Transform(ctx, f)
	if err != nil {
		panic(err)
	}
	col, _ := out.Column("product_vec")
	vc, _ := ml.NewVectorColumn(col.Chunk(0))
	for i := 0; i < vc.Len(); i++ {
		v := vc.At(i)
		fmt.Println(v.Size, v.Indices, v.Values)
	}
	// Output:
	// 2 [0] [1]
	// 2 [1] [1]
	// 2 [0] [1]
	// 2 [] []
}
