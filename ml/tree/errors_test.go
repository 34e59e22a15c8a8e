package tree_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tree"
)

func TestFitErrors(t *testing.T) {
	x := col1(1, 2, 3, 4)
	good := MustFrame(t, x, []float64{0, 1, 0, 1}, nil, nil)
	three := MustFrame(t, col1(1, 2, 3, 4, 5, 6), []float64{0, 1, 2, 0, 1, 2}, nil, nil)
	tests := []struct {
		name string
		est  ml.Estimator
		data *ml.Frame
		want string
	}{
		{"one class", tree.NewDecisionTreeClassifier(), MustFrame(t, x, []float64{1, 1, 1, 1}, nil, nil), "one class only"},
		{"non-integer label", tree.NewRandomForestClassifier(), MustFrame(t, x, []float64{0, 1, 0.5, 1}, nil, nil), "row 3: label 0.5 is not a class index"},
		{"negative label", tree.NewDecisionTreeClassifier(), MustFrame(t, x, []float64{0, 1, -1, 1}, nil, nil), "row 3"},
		{"NaN feature", tree.NewDecisionTreeClassifier(), MustFrame(t, col1(1, math.NaN(), 3, 4), []float64{0, 1, 0, 1}, nil, nil), "row 2: feature 0 (f0) is NaN"},
		{"NaN label", tree.NewDecisionTreeRegressor(), MustFrame(t, x, []float64{0, math.NaN(), 0, 1}, nil, nil), "row 2"},
		{"negative weight", withWeight(tree.NewDecisionTreeClassifier()), MustFrame(t, x, []float64{0, 1, 0, 1}, []float64{1, -1, 1, 1}, nil), "row 2: weight -1 is negative"},
		{"zero weights", withWeight(tree.NewDecisionTreeClassifier()), MustFrame(t, x, []float64{0, 1, 0, 1}, []float64{0, 0, 0, 0}, nil), "sum to 0"},
		{"GBT three classes", tree.NewGBTClassifier(), three, "binary labels 0 and 1 only"},
		{"categorical value", tree.NewDecisionTreeClassifier(), MustFrame(t, col1(0, 1, 2, 3), []float64{0, 1, 0, 1}, nil, map[int]int{0: 3}), "row 4: feature 0 (f0) is categorical with 3 categories"},
		{"categorical fraction", tree.NewDecisionTreeClassifier(), MustFrame(t, col1(0, 1, 1.5, 0), []float64{0, 1, 0, 1}, nil, map[int]int{0: 3}), "has value 1.5"},
		{"too many categories", bins(tree.NewDecisionTreeClassifier(), 2), MustFrame(t, col1(0, 1, 2, 0), []float64{0, 1, 0, 1}, nil, map[int]int{0: 3}), "maxBins (= 2) must be at least"},
		{"thresholds size", thresholds(tree.NewDecisionTreeClassifier(), 0.5), good, "thresholds has 1 values for 2 classes"},
		{"missing column", tree.NewGBTRegressor(), MustFrame(t, x, nil, nil, nil), `no column "label"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.est.Fit(context.Background(), tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func withWeight(e *tree.DecisionTreeClassifier) *tree.DecisionTreeClassifier {
	e.P.WeightCol = "weight"
	return e
}

func bins(e *tree.DecisionTreeClassifier, n int) *tree.DecisionTreeClassifier {
	e.P.MaxBins = n
	return e
}

func thresholds(e *tree.DecisionTreeClassifier, th ...float64) *tree.DecisionTreeClassifier {
	e.P.Thresholds = th
	return e
}

func TestParamErrors(t *testing.T) {
	tests := []struct {
		name string
		set  func(p *tree.RandomForestClassifierParams)
		want string
	}{
		{"maxDepth", func(p *tree.RandomForestClassifierParams) { p.MaxDepth = 31 }, "maxDepth = 31"},
		{"maxBins", func(p *tree.RandomForestClassifierParams) { p.MaxBins = 1000 }, "maxBins = 1000; use 2 … 256"},
		{"minInstancesPerNode", func(p *tree.RandomForestClassifierParams) { p.MinInstancesPerNode = 0 }, "minInstancesPerNode = 0"},
		{"minWeightFractionPerNode", func(p *tree.RandomForestClassifierParams) { p.MinWeightFractionPerNode = 0.5 }, "minWeightFractionPerNode"},
		{"impurity", func(p *tree.RandomForestClassifierParams) { p.Impurity = "variance" }, `impurity = "variance"; use gini or entropy`},
		{"numTrees", func(p *tree.RandomForestClassifierParams) { p.NumTrees = 0 }, "numTrees = 0"},
		{"strategy", func(p *tree.RandomForestClassifierParams) { p.FeatureSubsetStrategy = "half" }, `featureSubsetStrategy = "half"`},
		{"strategy fraction", func(p *tree.RandomForestClassifierParams) { p.FeatureSubsetStrategy = "1.5" }, `featureSubsetStrategy = "1.5"`},
		{"subsamplingRate", func(p *tree.RandomForestClassifierParams) { p.SubsamplingRate = 0 }, "subsamplingRate = 0"},
	}
	f := MustFrame(t, col1(1, 2), []float64{0, 1}, nil, nil)
	for _, tt := range tests {
		e := tree.NewRandomForestClassifier()
		tt.set(&e.P)
		if _, err := e.Fit(context.Background(), f); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	g := tree.NewGBTRegressor()
	g.P.LossType = "huber"
	if _, err := g.Fit(context.Background(), f); err == nil || !strings.Contains(err.Error(), `lossType = "huber"; use squared or absolute`) {
		t.Errorf("lossType: err = %v", err)
	}
	g = tree.NewGBTRegressor()
	g.P.StepSize = 0
	if _, err := g.Fit(context.Background(), f); err == nil || !strings.Contains(err.Error(), "stepSize = 0") {
		t.Errorf("stepSize: err = %v", err)
	}
}

func TestFeatureSubsetStrategies(t *testing.T) {
	// 10 features; every strategy must fit.
	rng := ml.NewRand(5)
	var x [][]float64
	var y []float64
	for range 100 {
		r := make([]float64, 10)
		for j := range r {
			r[j] = rng.NormFloat64()
		}
		x = append(x, r)
		y = append(y, float64(rng.IntN(2)))
	}
	f := MustFrame(t, x, y, nil, nil)
	for _, s := range []string{"auto", "all", "onethird", "sqrt", "log2", "3", "0.4", "1.0", "AUTO"} {
		e := tree.NewRandomForestClassifier()
		e.P.FeatureSubsetStrategy, e.P.NumTrees = s, 3
		if _, err := e.Fit(context.Background(), f); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// validationFrame adds a boolean "valid" column to f: true on every
// fourth row.
func validationFrame(t *testing.T, f *ml.Frame) *ml.Frame {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	for i := range int(f.NumRows()) {
		b.Append(i%4 == 0)
	}
	a := b.NewArray()
	out, err := f.WithColumn(arrow.Field{Name: "valid", Type: arrow.FixedWidthTypes.Boolean}, arrow.NewChunked(a.DataType(), []arrow.Array{a}))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGBTEarlyStopping(t *testing.T) {
	f := validationFrame(t, persistFrame(t, false))
	e := tree.NewGBTClassifier()
	e.P.MaxIter, e.P.StepSize, e.P.MaxDepth = 200, 0.5, 5
	e.P.ValidationIndicatorCol = "valid"
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	g := m.(*tree.GBTClassificationModel)
	if n := len(g.Trees); n < 2 || n >= 200 {
		t.Errorf("early stopping kept %d of 200 trees", n)
	}
	if g.TreeWeights[0] != 1 || g.TreeWeights[1] != 0.5 {
		t.Errorf("tree weights start %v, want 1, 0.5", g.TreeWeights[:2])
	}
	// A non-boolean indicator is an error.
	e.P.ValidationIndicatorCol = "label"
	if _, err := e.Fit(context.Background(), f); err == nil || !strings.Contains(err.Error(), "want a boolean column") {
		t.Errorf("numeric indicator: err = %v", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := tree.NewGBTClassifier()
	if _, err := e.Fit(ctx, persistFrame(t, false)); err == nil {
		t.Error("fit with a cancelled context succeeded")
	}
}
