package feature_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func TestMinMaxScalerReference(t *testing.T) {
	ref := loadReference(t)
	f := mkFrame(t, vcol("x", dense(ref.MinMax.X)...))
	for _, c := range ref.MinMax.Cases {
		s := feature.NewMinMaxScaler()
		s.P.InputCol, s.P.OutputCol, s.P.Min, s.P.Max = "x", "y", c.Min, c.Max
		m := mustFit(t, s, f).(*feature.MinMaxScalerModel)
		out := mustTransform(t, m, f)
		got := vecs(t, out, "y")
		// Spark's values: sklearn's, except the constant feature 2, which
		// Spark maps to 0.5·(max+min) and sklearn to min.
		checkRows(t, fmt.Sprintf("[%v, %v]", c.Min, c.Max), got, c.Spark, 1e-12)
		for i := range got {
			checkVec(t, "sklearn on non-constant features", got[i][:2], c.Sklearn[i][:2], 1e-12)
		}
		// Property: the inverse map gives the input back (non-constant
		// features).
		for i, row := range got {
			for j := 0; j < 2; j++ {
				back := (row[j]-c.Min)/(c.Max-c.Min)*(m.OriginalMax[j]-m.OriginalMin[j]) + m.OriginalMin[j]
				if !near(back, ref.MinMax.X[i][j], 1e-12) {
					t.Errorf("row %d feature %d: inverse %v, want %v", i+1, j, back, ref.MinMax.X[i][j])
				}
			}
		}
		roundTrip(t, m, f, "y")
	}
}

func TestMinMaxScalerNaNSparseNull(t *testing.T) {
	f := mkFrame(t, vcol("x",
		ml.Dense(1, math.NaN(), 0, 0, 0),
		ml.Sparse(5, []int32{0}, []float64{3}),
		null,
		ml.Dense(2, 4, 0, 0, 0),
	))
	s := feature.NewMinMaxScaler()
	s.P.InputCol, s.P.OutputCol = "x", "y"
	_, err := s.Fit(context.Background(), f)
	wantErr(t, err, "column x, row 3: NULL vector")

	fit := mkFrame(t, vcol("x", ml.Dense(1, math.NaN(), 0, 0, 0), ml.Sparse(5, []int32{0}, []float64{3}), ml.Dense(2, 4, 0, 0, 5)))
	m := mustFit(t, s, fit).(*feature.MinMaxScalerModel)
	// NaN is ignored when fitting: feature 1 has min 0 (the sparse row's
	// implicit zero) and max 4.
	if fmt.Sprint(m.OriginalMin, m.OriginalMax) != "[1 0 0 0 0] [3 4 0 0 5]" {
		t.Errorf("min/max %v %v", m.OriginalMin, m.OriginalMax)
	}
	out := mustTransform(t, m, f)
	got := vecs(t, out, "y")
	checkRows(t, "output", [][]float64{got[0], got[1], got[3]}, [][]float64{
		{0, math.NaN(), 0.5, 0.5, 0},
		{1, 0, 0.5, 0.5, 0},
		{0.5, 1, 0.5, 0.5, 0},
	}, 1e-12)
	if got[2] != nil {
		t.Errorf("NULL row gave %v", got[2])
	}
	_, err = m.Transform(context.Background(), mkFrame(t, vcol("x", ml.Dense(1, 2))))
	wantErr(t, err, "row 1: vector of size 2, the model was fitted on size 5")

	allNaN := mkFrame(t, vcol("x", ml.Dense(1, math.NaN()), ml.Dense(2, math.NaN())))
	_, err = s.Fit(context.Background(), allNaN)
	wantErr(t, err, "feature 1 is NaN in every row")
	s.P.Min, s.P.Max = 1, 1
	_, err = s.TransformSchema(f.Schema())
	wantErr(t, err, "want finite min < max")
}

func TestMaxAbsScaler(t *testing.T) {
	ref := loadReference(t)
	f := mkFrame(t, vcol("x", dense(ref.MaxAbs.X)...))
	s := feature.NewMaxAbsScaler()
	s.P.InputCol, s.P.OutputCol = "x", "y"
	m := mustFit(t, s, f).(*feature.MaxAbsScalerModel)
	out := mustTransform(t, m, f)
	checkRows(t, "sklearn", vecs(t, out, "y"), ref.MaxAbs.Sklearn, 1e-12)
	// Inverse: y·maxAbs = x (the all-zero feature has maxAbs 0 and stays 0).
	for i, row := range vecs(t, out, "y") {
		for j, y := range row {
			x := y * m.MaxAbs[j]
			if m.MaxAbs[j] == 0 {
				x = y
			}
			if !near(x, ref.MaxAbs.X[i][j], 1e-12) {
				t.Errorf("row %d feature %d: inverse %v, want %v", i+1, j, x, ref.MaxAbs.X[i][j])
			}
		}
	}
	roundTrip(t, m, f, "y")

	// Sparse stays sparse; NULL stays NULL.
	g := mkFrame(t, vcol("x", ml.Sparse(3, []int32{1}, []float64{-2}), null))
	out = mustTransform(t, m, g)
	v := rawVecs(t, out, "y")
	if !v[0].IsSparse() || fmt.Sprint(v[0].Indices, v[0].Values) != "[1] [-0.25]" {
		t.Errorf("sparse output %+v", v[0])
	}
	if vecs(t, out, "y")[1] != nil {
		t.Error("NULL row not NULL")
	}
}

func TestRobustScalerReference(t *testing.T) {
	ref := loadReference(t)
	s := feature.NewRobustScaler()
	s.P.InputCol, s.P.OutputCol, s.P.WithCentering = "x", "y", true

	// n = 5: Spark's rank rule and sklearn's interpolation coincide.
	f5 := mkFrame(t, vcol("x", dense(ref.Robust.X5)...))
	m := mustFit(t, s, f5).(*feature.RobustScalerModel)
	checkVec(t, "median", m.Median, ref.Robust.X5SklearnCenter, 1e-12)
	checkVec(t, "range", m.Range, ref.Robust.X5SklearnScale, 1e-12)
	checkRows(t, "x5", vecs(t, mustTransform(t, m, f5), "y"), ref.Robust.X5Sklearn, 1e-12)
	roundTrip(t, m, f5, "y")

	// n = 8: the rank rule (numpy inverted_cdf) differs from sklearn.
	f8 := mkFrame(t, vcol("x", dense(ref.Robust.X8)...))
	m = mustFit(t, s, f8).(*feature.RobustScalerModel)
	checkVec(t, "median", m.Median, ref.Robust.X8SparkMedian, 1e-12)
	checkVec(t, "range", m.Range, ref.Robust.X8SparkRange, 1e-12)
	got := vecs(t, mustTransform(t, m, f8), "y")
	checkRows(t, "x8", got, ref.Robust.X8Spark, 1e-12)
	// Property: y·range + median = x.
	for i, row := range got {
		for j, y := range row {
			if back := y*m.Range[j] + m.Median[j]; !near(back, ref.Robust.X8[i][j], 1e-12) {
				t.Errorf("row %d: inverse %v, want %v", i+1, back, ref.Robust.X8[i][j])
			}
		}
	}
}

func TestRobustScalerDefaults(t *testing.T) {
	// Defaults: no centering, so sparse stays sparse; NaN ignored when
	// fitting; a zero range scales to 0.
	f := mkFrame(t, vcol("x",
		ml.Dense(1, 5, math.NaN()), ml.Dense(2, 5, 1), ml.Dense(3, 5, 2), ml.Sparse(3, []int32{0}, []float64{4}), ml.Dense(5, 5, 3),
	))
	s := feature.NewRobustScaler()
	s.P.InputCol, s.P.OutputCol = "x", "y"
	m := mustFit(t, s, f).(*feature.RobustScalerModel)
	// Feature 0: 1 2 3 4 5 → q.25 = 2 (rank ceil(1.25) = 2), q.75 = 4.
	// Feature 2 without NaN: 0 1 2 3 → q.25 = 0, q.5 = 1, q.75 = 2.
	if fmt.Sprint(m.Range, m.Median) != "[2 0 2] [3 5 1]" {
		t.Errorf("range %v median %v", m.Range, m.Median)
	}
	out := mustTransform(t, m, f)
	v := rawVecs(t, out, "y")
	if !v[3].IsSparse() || fmt.Sprint(v[3].Values) != "[2]" {
		t.Errorf("sparse row: %+v", v[3])
	}
	checkVec(t, "row 1", vecs(t, out, "y")[0], []float64{0.5, 0, math.NaN()}, 0)

	s.P.Lower, s.P.Upper = 0.8, 0.2
	_, err := s.TransformSchema(f.Schema())
	wantErr(t, err, "lower 0.8 >= upper 0.2")
}

func TestNormalizerReference(t *testing.T) {
	ref := loadReference(t)
	var x [][]float64
	if err := json.Unmarshal(ref.Normalizer["x"], &x); err != nil {
		t.Fatal(err)
	}
	f := mkFrame(t, vcol("x", dense(x)...))
	for _, tt := range []struct {
		key, field string
		p          float64
	}{{"l1", "sklearn", 1}, {"l2", "sklearn", 2}, {"max", "sklearn", math.Inf(1)}, {"p3", "numpy", 3}} {
		var c map[string]json.RawMessage
		var want [][]float64
		if err := json.Unmarshal(ref.Normalizer[tt.key], &c); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(c[tt.field], &want); err != nil {
			t.Fatal(err)
		}
		n := feature.NewNormalizer()
		n.P.InputCol, n.P.OutputCol, n.P.P = "x", "y", tt.p
		got := vecs(t, mustTransform(t, n, f), "y")
		checkRows(t, tt.key, got, want, 1e-12)
		// The zero vector stays zero; others have unit norm.
		if tt.key == "l2" {
			for i, row := range got[:3] {
				var s float64
				for _, v := range row {
					s += v * v
				}
				if !near(s, 1, 1e-12) {
					t.Errorf("row %d: squared norm %v", i+1, s)
				}
			}
		}
		roundTrip(t, n, f, "y")
	}
}

func TestNormalizerSparseNaNBad(t *testing.T) {
	f := mkFrame(t, vcol("x", ml.Sparse(4, []int32{1, 3}, []float64{3, 4}), ml.Dense(1, math.NaN()), null))
	n := feature.NewNormalizer()
	n.P.InputCol, n.P.OutputCol = "x", "y"
	out := mustTransform(t, n, f)
	v := rawVecs(t, out, "y")
	if !v[0].IsSparse() || fmt.Sprint(v[0].Indices, v[0].Values) != "[1 3] [0.6 0.8]" {
		t.Errorf("sparse: %+v", v[0])
	}
	checkVec(t, "NaN row", vecs(t, out, "y")[1], []float64{math.NaN(), math.NaN()}, 0)
	n.P.P = 0.5
	_, err := n.TransformSchema(f.Schema())
	wantErr(t, err, "p 0.5: want p >= 1")
	n.P.P = 2
	_, err = n.TransformSchema(mkFrame(t, fcol("x", []float64{1})).Schema())
	wantErr(t, err, `"x" has type float64; want a vector`)
}
