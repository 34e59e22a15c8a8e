package tree_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tree"
)

func randomFrame(t *testing.T, n int, classes int, seed int64) (*ml.Frame, [][]float64, []float64) {
	rng := ml.NewRand(seed)
	var x [][]float64
	var y []float64
	for range n {
		r := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		x = append(x, r)
		c := 0.0
		switch s := r[0] + 0.2*rng.NormFloat64(); {
		case classes > 2 && s > 0.5:
			c = 2
		case s > -0.5 && r[1] > 0:
			c = 1
		}
		y = append(y, c)
	}
	return MustFrame(t, x, y, nil, nil), x, y
}

func TestStoppingRules(t *testing.T) {
	f, _, _ := randomFrame(t, 300, 2, 1)
	t.Run("maxDepth 0", func(t *testing.T) {
		m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth = 0 })
		if m.NumNodes() != 1 || m.Depth() != 0 {
			t.Errorf("%d nodes, depth %d; want one leaf", m.NumNodes(), m.Depth())
		}
		if got := m.DebugString(); !strings.HasSuffix(got, "\n  Predict: "+strings.TrimSuffix(strings.SplitAfter(got, "Predict: ")[1], "\n")+"\n") {
			t.Errorf("DebugString of a leaf:\n%s", got)
		}
	})
	t.Run("minInstancesPerNode", func(t *testing.T) {
		m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth, e.P.MinInstancesPerNode = 10, 25 })
		for i, n := range m.Tree.Nodes {
			if n.RawCount < 25 {
				t.Errorf("node %d has %d rows, want >= 25", i, n.RawCount)
			}
		}
	})
	t.Run("minInfoGain", func(t *testing.T) {
		m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth, e.P.MinInfoGain = 10, 0.01 })
		for i, n := range m.Tree.Nodes {
			if n.Feature >= 0 && n.Gain < 0.01 {
				t.Errorf("node %d gain %v < minInfoGain", i, n.Gain)
			}
		}
		if m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MinInfoGain = 1 }); m.NumNodes() != 1 {
			t.Errorf("minInfoGain 1 gave %d nodes, want 1", m.NumNodes())
		}
	})
	t.Run("minWeightFractionPerNode", func(t *testing.T) {
		m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth, e.P.MinWeightFractionPerNode = 10, 0.2 })
		for i, n := range m.Tree.Nodes {
			if n.Weight < 0.2*300 {
				t.Errorf("node %d weighs %v, want >= 60", i, n.Weight)
			}
		}
		if m.NumNodes() < 3 {
			t.Errorf("no split at all")
		}
	})
	t.Run("GBT minInstancesPerNode", func(t *testing.T) {
		e := tree.NewGBTClassifier()
		e.P.MaxIter, e.P.MaxDepth, e.P.MinInstancesPerNode = 3, 8, 40
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range m.(*tree.GBTClassificationModel).Trees {
			for i, n := range tr.Nodes {
				if n.RawCount < 40 {
					t.Errorf("node %d has %d rows, want >= 40", i, n.RawCount)
				}
			}
		}
	})
}

func TestMulticlass(t *testing.T) {
	f, _, y := randomFrame(t, 600, 3, 2)
	for _, imp := range []string{"gini", "entropy"} {
		dt := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.Impurity, e.P.MaxDepth = imp, 8 })
		rf := tree.NewRandomForestClassifier()
		rf.P.Impurity, rf.P.NumTrees, rf.P.MaxDepth = imp, 10, 8
		rm, err := rf.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []ml.Model{dt, rm} {
			out, err := m.Transform(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			right := 0
			for i, p := range vectors(t, out, "probability") {
				if len(p) != 3 || math.Abs(p[0]+p[1]+p[2]-1) > 1e-12 {
					t.Fatalf("probability %v", p)
				}
				if column(t, out, "prediction")[i] == y[i] {
					right++
				}
			}
			if acc := float64(right) / float64(len(y)); acc < 0.8 {
				t.Errorf("%s %s: training accuracy %.3f, want >= 0.8", imp, m.StageName(), acc)
			}
		}
	}
}

func TestForestRegressorAndImportances(t *testing.T) {
	rng := ml.NewRand(4)
	var x [][]float64
	var y []float64
	for range 500 {
		r := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		x = append(x, r)
		y = append(y, 4*r[0]+math.Sin(6*r[1]))
	}
	f := MustFrame(t, x, y, nil, nil)
	e := tree.NewRandomForestRegressor()
	e.P.NumTrees, e.P.MaxDepth = 30, 8
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	rm := m.(*tree.RandomForestRegressionModel)
	mse := 0.0
	for i, r := range x {
		d := rm.Predict(r) - y[i]
		mse += d * d
	}
	if mse /= float64(len(x)); mse > 0.05 {
		t.Errorf("training MSE %.4f, want < 0.05", mse)
	}
	imp := rm.FeatureImportances().Values
	if s := imp[0] + imp[1] + imp[2]; math.Abs(s-1) > 1e-12 {
		t.Errorf("importances %v sum to %v", imp, s)
	}
	if !(imp[0] > imp[2] && imp[1] > imp[2]) {
		t.Errorf("importances %v: the noise feature 2 should matter least", imp)
	}
	out, err := m.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if got := column(t, out, "prediction"); got[0] != rm.Predict(x[0]) {
		t.Errorf("Transform %v, Predict %v", got[0], rm.Predict(x[0]))
	}
	if !strings.HasPrefix(rm.DebugString(), "RandomForestRegressionModel: uid=RandomForestRegressor_") || !strings.Contains(rm.DebugString(), "  Tree 29 (weight 1.0):\n    If (feature") {
		t.Errorf("DebugString starts %q", rm.DebugString()[:120])
	}
}

func TestManyClassesWeighted(t *testing.T) {
	// Six classes in bands of feature 0, with weights: the generic
	// histogram kernel (more than four stats per row).
	rng := ml.NewRand(8)
	var x [][]float64
	var y, w []float64
	for range 600 {
		v := rng.Float64() * 6
		x = append(x, []float64{v, rng.NormFloat64()})
		y = append(y, math.Floor(v))
		w = append(w, 0.5+rng.Float64())
	}
	m := fitDT(t, MustFrame(t, x, y, w, nil), func(e *tree.DecisionTreeClassifier) { e.P.WeightCol, e.P.MaxDepth, e.P.MaxBins = "weight", 4, 256 })
	if m.NumClasses() != 6 {
		t.Fatalf("%d classes, want 6", m.NumClasses())
	}
	wrong := 0
	for i, r := range x {
		if m.Predict(r) != y[i] {
			wrong++
		}
	}
	if wrong > 6 {
		t.Errorf("%d of 600 training rows misclassified", wrong)
	}
}

// TestNodeStatsMatchRows checks every node's class counts against the
// training rows that reach it, for each histogram mode: subtraction with
// all features, subtraction with feature subsets (more than half the
// features), direct subsets.
func TestNodeStatsMatchRows(t *testing.T) {
	rng := ml.NewRand(12)
	var x [][]float64
	var y []float64
	for range 500 {
		r := make([]float64, 8)
		for j := range r {
			r[j] = rng.NormFloat64()
		}
		x = append(x, r)
		if r[0]+r[3]-r[5]+0.5*rng.NormFloat64() > 0 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	f := MustFrame(t, x, y, nil, nil)
	for _, strategy := range []string{"all", "0.75", "sqrt"} {
		e := tree.NewRandomForestClassifier()
		e.P.NumTrees, e.P.Bootstrap, e.P.FeatureSubsetStrategy, e.P.MaxDepth = 3, false, strategy, 6
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for ti, tr := range m.(*tree.RandomForestClassificationModel).Trees {
			counts := make([][2]float64, len(tr.Nodes))
			for i, r := range x {
				n := 0
				for {
					counts[n][int(y[i])]++
					nd := tr.Nodes[n]
					if nd.Feature < 0 {
						break
					}
					if r[nd.Feature] <= nd.Threshold {
						n = nd.Left
					} else {
						n = nd.Right
					}
				}
			}
			for n, nd := range tr.Nodes {
				if nd.Stats[0] != counts[n][0] || nd.Stats[1] != counts[n][1] {
					t.Errorf("%s tree %d node %d: stats %v, rows reaching it %v", strategy, ti, n, nd.Stats, counts[n])
				}
			}
		}
	}
}
