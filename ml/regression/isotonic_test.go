package regression_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/regression"
)

func fitIsotonic(t *testing.T, ir *regression.IsotonicRegression, f *ml.Frame) *regression.IsotonicRegressionModel {
	t.Helper()
	m, err := ir.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*regression.IsotonicRegressionModel)
}

func column(xs ...float64) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		out[i] = []float64{x}
	}
	return out
}

// TestIsotonicHandComputed works Spark's documentation example by hand:
// labels 1 2 3 1 6 17 16 at features 1…7 pool (3, 1) with the 2 before
// into a block of mean 2 over features 2…4, and (17, 16) into 16.5 over
// 6…7.
func TestIsotonicHandComputed(t *testing.T) {
	f := mustFrame(t, column(1, 2, 3, 4, 5, 6, 7), []float64{1, 2, 3, 1, 6, 17, 16}, nil)
	m := fitIsotonic(t, regression.NewIsotonicRegression(), f)
	checkSlice(t, "boundaries", m.Boundaries, []float64{1, 2, 4, 5, 6, 7}, 0, 0)
	checkSlice(t, "predictions", m.Predictions, []float64{1, 2, 2, 6, 16.5, 16.5}, 0, 0)
	for _, tc := range []struct{ x, want float64 }{
		{-5, 1},            // below: first prediction
		{1, 1},             // exact boundary
		{1.5, 1.5},         // between 1→1 and 2→2
		{3, 2},             // inside a flat block
		{4.5, 4},           // between 4→2 and 5→6
		{5.25, 8.625},      // 6 + (16.5−6)·0.25
		{100, 16.5},        // above: last prediction
		{math.NaN(), 16.5}, // NaN sorts last, as in Java
	} {
		if got := m.Predict(tc.x); got != tc.want {
			t.Errorf("Predict(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "transform", floats(t, out, "prediction"), []float64{1, 2, 2, 2, 6, 16.5, 16.5}, 0, 0)
}

func TestIsotonicAntitonicMirrorsIsotonic(t *testing.T) {
	x := []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3}
	y := []float64{2, 7, 1, 8, 2, 8, 1, 8, 2, 8}
	neg := make([]float64, len(y))
	for i, v := range y {
		neg[i] = -v
	}
	ir := regression.NewIsotonicRegression()
	up := fitIsotonic(t, ir, mustFrame(t, column(x...), neg, nil))
	ir.P.Isotonic = false
	down := fitIsotonic(t, ir, mustFrame(t, column(x...), y, nil))
	checkSlice(t, "boundaries", down.Boundaries, up.Boundaries, 0, 0)
	for i, p := range down.Predictions {
		if p != -up.Predictions[i] {
			t.Fatalf("antitonic predictions %v, want the negated isotonic %v", down.Predictions, up.Predictions)
		}
		if i > 0 && p > down.Predictions[i-1] {
			t.Fatalf("antitonic predictions increase: %v", down.Predictions)
		}
	}
}

func TestIsotonicWeights(t *testing.T) {
	// Weight 0 drops a row; integer weights act as counts.
	x := []float64{1, 2, 3, 4}
	y := []float64{1, 100, 3, 2}
	m := fitIsotonic(t, weighted(), mustFrame(t, column(x...), y, []float64{1, 0, 2, 1}))
	checkSlice(t, "boundaries", m.Boundaries, []float64{1, 3, 4}, 0, 0)
	checkSlice(t, "predictions", m.Predictions, []float64{1, 8.0 / 3, 8.0 / 3}, 1e-15, 0)
	dup := fitIsotonic(t, regression.NewIsotonicRegression(), mustFrame(t, column(1, 3, 3, 4), []float64{1, 3, 3, 2}, nil))
	checkSlice(t, "duplicated rows", dup.Predictions, m.Predictions, 1e-15, 0)
}

func weighted() *regression.IsotonicRegression {
	ir := regression.NewIsotonicRegression()
	ir.P.WeightCol = "weight"
	return ir
}

func TestIsotonicBadInput(t *testing.T) {
	good := mustFrame(t, column(1, 2, 3), []float64{1, 2, 3}, nil)
	tests := []struct {
		name string
		ir   *regression.IsotonicRegression
		f    *ml.Frame
		want string
	}{
		{"negative weight", weighted(), mustFrame(t, column(1, 2, 3), []float64{1, 2, 3}, []float64{1, -1, 1}), "row 2: weight -1 is negative"},
		{"zero weights", weighted(), mustFrame(t, column(1, 2, 3), []float64{1, 2, 3}, []float64{0, 0, 0}), "every weight is 0"},
		{"nan label", regression.NewIsotonicRegression(), mustFrame(t, column(1, 2, 3), []float64{1, math.NaN(), 3}, nil), "column label, row 2: labelCol is NaN"},
		{"nan feature", regression.NewIsotonicRegression(), mustFrame(t, column(1, math.NaN(), 3), []float64{1, 2, 3}, nil), "row 2: feature 0 is NaN"},
		{"featureIndex", &regression.IsotonicRegression{P: func() regression.IsotonicRegressionParams {
			p := regression.NewIsotonicRegression().P
			p.FeatureIndex = 2
			return p
		}()}, good, "row 1: featureIndex 2 is out of range for a vector of size 1"},
		{"empty", regression.NewIsotonicRegression(), mustFrame(t, nil, nil, nil), "no rows"},
		{"string feature", &regression.IsotonicRegression{P: func() regression.IsotonicRegressionParams {
			p := regression.NewIsotonicRegression().P
			p.FeaturesCol = "nope"
			return p
		}()}, good, `featuresCol: no column "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ir.Fit(context.Background(), tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestIsotonicSaveLoad(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, column(5, 1, 3, 2, 4, 6), []float64{6, 1, 2, 4, 3, 9}, nil)
	for _, iso := range []bool{true, false} {
		ir := regression.NewIsotonicRegression()
		ir.P.Isotonic = iso
		m := fitIsotonic(t, ir, f)
		dir := filepath.Join(t.TempDir(), "iso")
		if err := ml.Save(dir, m); err != nil {
			t.Fatal(err)
		}
		st, err := ml.Load(dir, registry())
		if err != nil {
			t.Fatal(err)
		}
		lm := st.(*regression.IsotonicRegressionModel)
		if lm.P != m.P {
			t.Errorf("loaded params %+v, want %+v", lm.P, m.P)
		}
		want, _ := m.Transform(ctx, f)
		got, err := lm.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, "loaded predictions", floats(t, got, "prediction"), floats(t, want, "prediction"), 0, 0)
	}
}
