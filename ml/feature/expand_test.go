package feature_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func TestPolynomialExpansionSparkOrder(t *testing.T) {
	// By hand: (x, y) → (x, x², y, xy, y²); with z, degree 2, Spark adds
	// (z, xz, yz, z²) after them.
	f := mkFrame(t, vcol("v", ml.Dense(2, 3), ml.Sparse(2, []int32{1}, []float64{5}), null))
	e := feature.NewPolynomialExpansion()
	e.P.InputCol, e.P.OutputCol = "v", "p"
	out := mustTransform(t, e, f)
	got := vecs(t, out, "p")
	if fmt.Sprint(got[0]) != "[2 4 3 6 9]" || fmt.Sprint(got[1]) != "[0 0 5 0 25]" || got[2] != nil {
		t.Errorf("degree 2: %v", got)
	}
	if v := rawVecs(t, out, "p")[1]; !v.IsSparse() || fmt.Sprint(v.Indices) != "[2 4]" {
		t.Errorf("sparse input gave %+v, want sparse with indices [2 4]", v)
	}
	g := mkFrame(t, vcol("v", ml.Dense(2, 3, 5)))
	if got := fmt.Sprint(vecs(t, mustTransform(t, e, g), "p")[0]); got != "[2 4 3 6 9 5 10 15 25]" {
		t.Errorf("3 features: %s", got)
	}
	e.P.Degree = 3
	// (x, y), degree 3: f([x], 3) ++ f([x], 2)·y ++ f([x], 1)·y² ++ y³.
	if got := fmt.Sprint(vecs(t, mustTransform(t, e, f), "p")[0]); got != "[2 4 8 3 6 12 9 18 27]" {
		t.Errorf("degree 3: %s", got)
	}
	roundTrip(t, e, f, "p")
}

func TestPolynomialExpansionReference(t *testing.T) {
	ref := loadReference(t).Polynomial
	for _, c := range ref.Cases {
		e := feature.NewPolynomialExpansion()
		e.P.InputCol, e.P.OutputCol, e.P.Degree = "v", "p", c.Degree
		dv := mkFrame(t, vcol("v", dense(ref.X)...))
		checkRows(t, fmt.Sprintf("degree %d dense", c.Degree), vecs(t, mustTransform(t, e, dv), "p"), c.Spark, 1e-12)
		// The same rows as sparse vectors give the same values.
		var sv []ml.Vector
		for _, row := range ref.X {
			var idx []int32
			var vals []float64
			for j, x := range row {
				if x != 0 {
					idx, vals = append(idx, int32(j)), append(vals, x)
				}
			}
			sv = append(sv, ml.Sparse(len(row), idx, vals))
		}
		sf := mkFrame(t, vcol("v", sv...))
		checkRows(t, fmt.Sprintf("degree %d sparse", c.Degree), vecs(t, mustTransform(t, e, sf), "p"), c.Spark, 1e-12)
	}
}

func TestPolynomialExpansionBadInput(t *testing.T) {
	ctx := context.Background()
	e := feature.NewPolynomialExpansion()
	e.P.InputCol, e.P.OutputCol = "v", "p"
	_, err := e.Transform(ctx, mkFrame(t, vcol("v", ml.Dense(1, 2), ml.Dense(1))))
	wantErr(t, err, "column v, row 2: vector of size 1, the first row has 2")
	big := make([]float64, 2000)
	e.P.Degree = 5
	_, err = e.Transform(ctx, mkFrame(t, vcol("v", ml.Dense(big...))))
	wantErr(t, err, "more than 2147483647 values")
	e.P.Degree = 0
	_, err = e.TransformSchema(mkFrame(t, vcol("v", ml.Dense(1))).Schema())
	wantErr(t, err, "degree 0: want at least 1")
	// Monomials with a zero factor are skipped, as in Spark, so Inf·0
	// gives 0 rather than NaN.
	e.P.Degree = 2
	got := vecs(t, mustTransform(t, e, mkFrame(t, vcol("v", ml.Dense(math.Inf(1), 0)))), "p")[0]
	checkVec(t, "Inf and 0", got, []float64{math.Inf(1), math.Inf(1), 0, 0, 0}, 0)
}

const nominalMeta = `{"ml_attr":{"type":"nominal","name":"c","vals":["lo","mid","hi"]}}`

func TestInteraction(t *testing.T) {
	// Spark's doc example: inputs 2 and (3, 4) give (6, 8); with the first
	// nominal (value 2 of 3) the block of category 2 holds (3, 4).
	va := ml.VectorAttrs{NumAttrs: 2, Numeric: []ml.Attr{{Idx: 0, Name: "a"}, {Idx: 1, Name: "b"}}}
	v := vcol("v", ml.Dense(3, 4), ml.Sparse(2, []int32{1}, []float64{-1}))
	v.field.Metadata = va.Metadata()
	f := mkFrame(t, fcol("x", []float64{2, 0.5}), withMeta(fcol("c", []float64{2, 0}), nominalMeta), v)

	it := feature.NewInteraction()
	it.P.InputCols, it.P.OutputCol = []string{"x", "v"}, "xv"
	out := mustTransform(t, it, f)
	if got := fmt.Sprint(vecs(t, out, "xv")); got != "[[6 8] [0 -0.5]]" {
		t.Errorf("numeric: %s", got)
	}
	field, _ := ml.FieldOf(out.Schema(), "xv")
	if got := fmt.Sprint(ml.VectorAttrsOf(field).Names(2)); got != "[x:v_a x:v_b]" {
		t.Errorf("names %s", got)
	}

	it.P.InputCols = []string{"c", "v"}
	out = mustTransform(t, it, f)
	if got := fmt.Sprint(vecs(t, out, "xv")); got != "[[0 0 0 0 3 4] [0 -1 0 0 0 0]]" {
		t.Errorf("nominal first: %s", got)
	}
	field, _ = ml.FieldOf(out.Schema(), "xv")
	if got := fmt.Sprint(ml.VectorAttrsOf(field).Names(6)); got != "[c_lo:v_a c_lo:v_b c_mid:v_a c_mid:v_b c_hi:v_a c_hi:v_b]" {
		t.Errorf("names %s", got)
	}
	// The schema check already knows the names (vector metadata present).
	sc, err := it.TransformSchema(f.Schema())
	if err != nil {
		t.Fatal(err)
	}
	sf, _ := ml.FieldOf(sc, "xv")
	if !sf.Equal(field) {
		t.Errorf("schema field %v, transform field %v", sf, field)
	}

	// Three columns, the last nominal, varies fastest.
	it.P.InputCols = []string{"x", "v", "c"}
	out = mustTransform(t, it, f)
	got := vecs(t, out, "xv")[0]
	checkVec(t, "x:v:c", got, []float64{0, 0, 6, 0, 0, 8}, 0)
	roundTrip(t, it, f, "xv")
}

func TestInteractionBadInput(t *testing.T) {
	ctx := context.Background()
	it := feature.NewInteraction()
	it.P.InputCols, it.P.OutputCol = []string{"c", "x"}, "o"
	_, err := it.Transform(ctx, mkFrame(t, withMeta(fcol("c", []float64{0, 3}), nominalMeta), fcol("x", []float64{1, 1})))
	wantErr(t, err, "column c, row 2: 3 is not a category index 0 … 2")
	_, err = it.Transform(ctx, mkFrame(t, fcol("c", []float64{0, 1}), fcol("x", []float64{1, math.NaN()}, 1)))
	wantErr(t, err, "column x, row 2: NULL")
	_, err = it.Transform(ctx, mkFrame(t, fcol("c", []float64{0, 1}), vcol("x", ml.Dense(1), null)))
	wantErr(t, err, "column x, row 2: NULL vector")
	_, err = it.TransformSchema(mkFrame(t, fcol("c", []float64{0}), scol("x", "a")).Schema())
	wantErr(t, err, `"x" has type utf8`)
	it.P.InputCols = []string{"c", "c"}
	_, err = it.TransformSchema(mkFrame(t, fcol("c", []float64{0})).Schema())
	wantErr(t, err, `inputCols lists "c" twice`)
	// NaN propagates (numeric features).
	it.P.InputCols = []string{"c", "x"}
	out := mustTransform(t, it, mkFrame(t, fcol("c", []float64{2}), vcol("x", ml.Dense(math.NaN(), 1))))
	checkVec(t, "NaN", vecs(t, out, "o")[0], []float64{math.NaN(), 2}, 0)
}

func TestVectorSlicer(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"a", "b", "a"}, nil, []float64{10, 20, 30})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "plan_idx"
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"x", "plan_idx"}
	pm, err := (&ml.Pipeline{Stages: []ml.Stage{si, va}}).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	g := mustTransform(t, pm, f)

	vs := feature.NewVectorSlicer()
	vs.P.InputCol, vs.P.OutputCol = "features", "sliced"
	vs.P.Names = []string{"plan_idx", "x"}
	out := mustTransform(t, vs, g)
	if got := fmt.Sprint(vecs(t, out, "sliced")); got != "[[0 10] [1 20] [0 30]]" {
		t.Errorf("by name: %s", got)
	}
	field, _ := ml.FieldOf(out.Schema(), "sliced")
	attrs := ml.VectorAttrsOf(field)
	if got := fmt.Sprint(attrs.Names(2), attrs.Categorical()); got != "[plan_idx x] map[0:2]" {
		t.Errorf("attributes carried: %s", got)
	}
	roundTrip(t, vs, g, "sliced")

	// Indices first, then names; sparse stays sparse.
	h := mkFrame(t, vcol("v", ml.Sparse(4, []int32{0, 3}, []float64{7, 9}), ml.Dense(1, 2, 3, 4), null))
	vs = feature.NewVectorSlicer()
	vs.P.InputCol, vs.P.OutputCol, vs.P.Indices = "v", "s", []int{3, 1}
	out = mustTransform(t, vs, h)
	if got := fmt.Sprint(vecs(t, out, "s")); got != "[[9 0] [4 2] []]" {
		t.Errorf("by index: %s", got)
	}
	if v := rawVecs(t, out, "s")[0]; !v.IsSparse() || fmt.Sprint(v.Indices) != "[0]" {
		t.Errorf("sparse: %+v", v)
	}

	vs.P.Indices = []int{5}
	_, err = vs.Transform(ctx, h)
	wantErr(t, err, "column v, row 1: vector of size 4 has no feature 5")
	vs.P.Indices, vs.P.Names = nil, []string{"x"}
	_, err = vs.TransformSchema(h.Schema())
	wantErr(t, err, "column v has no feature names")
	vs.P.InputCol, vs.P.Names = "features", []string{"plan_ix"}
	_, err = vs.TransformSchema(g.Schema())
	wantErr(t, err, `no feature named "plan_ix"; did you mean "plan_idx"?`)
	vs.P.Indices, vs.P.Names = []int{1}, []string{"plan_idx"}
	_, err = vs.TransformSchema(g.Schema())
	wantErr(t, err, "feature 1 is selected twice")
	vs.P.Indices, vs.P.Names = []int{2}, nil
	_, err = vs.TransformSchema(g.Schema())
	wantErr(t, err, "index 2 is out of range: column features has 2 features")
	vs.P.Indices = nil
	_, err = vs.TransformSchema(g.Schema())
	wantErr(t, err, "select at least one feature")
}
