package tree_test

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tree"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func fitDT(t *testing.T, f *ml.Frame, set func(*tree.DecisionTreeClassifier)) *tree.DecisionTreeClassificationModel {
	t.Helper()
	e := tree.NewDecisionTreeClassifier()
	if set != nil {
		set(e)
	}
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*tree.DecisionTreeClassificationModel)
}

func col1(vals ...float64) [][]float64 {
	x := make([][]float64, len(vals))
	for i, v := range vals {
		x[i] = []float64{v}
	}
	return x
}

func TestHandComputedGini(t *testing.T) {
	// Thresholds 2.5 and 4.5 both gain 0.25 (gini 0.5 → 4/6·0.375);
	// Spark keeps the first.
	f := MustFrame(t, col1(1, 2, 3, 4, 5, 6), []float64{0, 0, 1, 0, 1, 1}, nil, nil)
	m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth = 1 })
	n := m.Tree.Nodes
	if len(n) != 3 || m.Depth() != 1 {
		t.Fatalf("got %d nodes, depth %d; want 3, 1", len(n), m.Depth())
	}
	root, l, r := n[0], n[n[0].Left], n[n[0].Right]
	if root.Feature != 0 || root.Threshold != 2.5 {
		t.Errorf("split feature %d <= %v, want feature 0 <= 2.5", root.Feature, root.Threshold)
	}
	if !near(root.Impurity, 0.5) || !near(root.Gain, 0.25) {
		t.Errorf("root impurity %v gain %v, want 0.5, 0.25", root.Impurity, root.Gain)
	}
	if l.Prediction != 0 || !reflect.DeepEqual(l.Stats, []float64{2, 0}) || l.Impurity != 0 {
		t.Errorf("left leaf %+v", l)
	}
	if r.Prediction != 1 || !reflect.DeepEqual(r.Stats, []float64{1, 3}) || !near(r.Impurity, 0.375) {
		t.Errorf("right leaf %+v", r)
	}
	out, err := m.Transform(context.Background(), MustFrame(t, col1(0, 10), nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := vectors(t, out, "rawPrediction"); !reflect.DeepEqual(got, [][]float64{{2, 0}, {1, 3}}) {
		t.Errorf("rawPrediction = %v", got)
	}
	if got := vectors(t, out, "probability"); !reflect.DeepEqual(got, [][]float64{{1, 0}, {0.25, 0.75}}) {
		t.Errorf("probability = %v", got)
	}
	if got := column(t, out, "prediction"); !reflect.DeepEqual(got, []float64{0, 1}) {
		t.Errorf("prediction = %v", got)
	}
	// thresholds: class 0 wins when p0/0.2 > p1/0.8.
	m.P.Thresholds = []float64{0.2, 0.8}
	out, _ = m.Transform(context.Background(), MustFrame(t, col1(10), nil, nil, nil))
	if got := column(t, out, "prediction"); got[0] != 0 {
		t.Errorf("with thresholds [0.2 0.8] prediction = %v, want 0", got)
	}
	if got := m.FeatureImportances(); !reflect.DeepEqual(got.Values, []float64{1}) {
		t.Errorf("importances = %v", got)
	}
}

func TestHandComputedEntropyAndVariance(t *testing.T) {
	f := MustFrame(t, col1(1, 2, 3, 4), []float64{0, 0, 1, 1}, nil, nil)
	m := fitDT(t, f, func(e *tree.DecisionTreeClassifier) { e.P.Impurity = "entropy" })
	if root := m.Tree.Nodes[0]; !near(root.Impurity, 1) || !near(root.Gain, 1) || root.Threshold != 2.5 || m.NumNodes() != 3 {
		t.Errorf("entropy root %+v, %d nodes", root, m.NumNodes())
	}

	rf := MustFrame(t, col1(1, 2, 3, 4), []float64{1, 2, 10, 11}, nil, nil)
	e := tree.NewDecisionTreeRegressor()
	e.P.MaxDepth = 1
	rm, err := e.Fit(context.Background(), rf)
	if err != nil {
		t.Fatal(err)
	}
	reg := rm.(*tree.DecisionTreeRegressionModel)
	root := reg.Tree.Nodes[0]
	if root.Threshold != 2.5 || !near(root.Impurity, 20.5) || !near(root.Gain, 20.25) {
		t.Errorf("variance root %+v", root)
	}
	if !reflect.DeepEqual(root.Stats, []float64{4, 24, 226}) {
		t.Errorf("root stats %v, want [count sum sumSq] = [4 24 226]", root.Stats)
	}
	if got := []float64{reg.Predict([]float64{0}), reg.Predict([]float64{3})}; !reflect.DeepEqual(got, []float64{1.5, 10.5}) {
		t.Errorf("predictions %v, want [1.5 10.5]", got)
	}
}

func TestSeparableReachesFullAccuracy(t *testing.T) {
	rng := ml.NewRand(1)
	n := 200
	x := make([][]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		if x[i][0]+x[i][1] > 1 {
			y[i] = 1
		}
	}
	f := MustFrame(t, x, y, nil, nil)
	ests := map[string]ml.Estimator{}
	dt := tree.NewDecisionTreeClassifier()
	dt.P.MaxDepth, dt.P.MaxBins = 30, 256
	ests["dt"] = dt
	gb := tree.NewGBTClassifier()
	gb.P.MaxDepth, gb.P.MaxBins, gb.P.MaxIter, gb.P.StepSize = 6, 256, 30, 0.5
	ests["gbt"] = gb
	for name, e := range ests {
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Transform(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		pred := column(t, out, "prediction")
		wrong := 0
		for i := range pred {
			if pred[i] != y[i] {
				wrong++
			}
		}
		if wrong > 0 {
			t.Errorf("%s: %d of %d training rows misclassified, want 0", name, wrong, n)
		}
	}
}

func TestCategoricalSplit(t *testing.T) {
	// Categories 1 and 3 are positive, 0 and 2 negative: one categorical
	// split separates them, no threshold does.
	var x [][]float64
	var y []float64
	for i := range 40 {
		c := float64(i % 4)
		x = append(x, []float64{c, float64(i)})
		if c == 1 || c == 3 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	m := fitDT(t, MustFrame(t, x, y, nil, map[int]int{0: 4}), func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth = 1 })
	root := m.Tree.Nodes[0]
	if root.Feature != 0 || root.NumCategories != 4 || !reflect.DeepEqual(root.Categories, []float64{0, 2}) {
		t.Fatalf("root split: feature %d, categories %v of %d; want feature 0 in {0,2} of 4", root.Feature, root.Categories, root.NumCategories)
	}
	if !near(root.Gain, 0.5) {
		t.Errorf("gain %v, want 0.5", root.Gain)
	}
	if got := m.DebugString(); !strings.Contains(got, "If (feature 0 in {0.0,2.0})") || !strings.Contains(got, "Else (feature 0 not in {0.0,2.0})") {
		t.Errorf("DebugString:\n%s", got)
	}
	for _, c := range []float64{0, 1, 2, 3} {
		if got, want := m.Predict([]float64{c, 0}), float64(int(c)%2); got != want {
			t.Errorf("category %v: predicted %v, want %v", c, got, want)
		}
	}
	// Unseen category values go right.
	if got := m.Predict([]float64{7, 0}); got != 1 {
		t.Errorf("unseen category predicted %v, want the right child's 1", got)
	}
	// Without the metadata the feature is continuous and no single
	// threshold separates the classes.
	m = fitDT(t, MustFrame(t, x, y, nil, nil), func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth = 1 })
	if root := m.Tree.Nodes[0]; root.NumCategories != -1 || near(root.Gain, 0.5) {
		t.Errorf("continuous feature split %+v", root)
	}
	// Regression orders categories by mean label.
	yr := make([]float64, len(y))
	for i := range yr {
		yr[i] = []float64{5, 1, 4, 2}[int(x[i][0])]
	}
	e := tree.NewDecisionTreeRegressor()
	e.P.MaxDepth = 1
	rm, err := e.Fit(context.Background(), MustFrame(t, x, yr, nil, map[int]int{0: 4}))
	if err != nil {
		t.Fatal(err)
	}
	if root := rm.(*tree.DecisionTreeRegressionModel).Tree.Nodes[0]; !reflect.DeepEqual(root.Categories, []float64{1, 3}) {
		t.Errorf("regression categorical split left %v, want [1 3]", root.Categories)
	}
}

func TestWeightTwoEqualsDuplicate(t *testing.T) {
	rng := ml.NewRand(7)
	var x, xd [][]float64
	var y, yd, w []float64
	for i := range 120 {
		r := []float64{rng.NormFloat64(), rng.NormFloat64(), float64(rng.IntN(3))}
		lab := 0.0
		if r[0]+0.5*r[1]+rng.NormFloat64()*0.5 > 0 {
			lab = 1
		}
		x, y = append(x, r), append(y, lab)
		wt := 1.0
		xd, yd = append(xd, r), append(yd, lab)
		if i%3 == 0 {
			wt = 2
			xd, yd = append(xd, r), append(yd, lab)
		}
		w = append(w, wt)
	}
	cats := map[int]int{2: 3}
	weighted := MustFrame(t, x, y, w, cats)
	dup := MustFrame(t, xd, yd, nil, cats)
	strip := func(tr tree.Tree) []tree.Node {
		out := append([]tree.Node(nil), tr.Nodes...)
		for i := range out {
			out[i].RawCount = 0
		}
		return out
	}
	mw := fitDT(t, weighted, func(e *tree.DecisionTreeClassifier) { e.P.WeightCol = "weight"; e.P.MaxDepth = 6 })
	md := fitDT(t, dup, func(e *tree.DecisionTreeClassifier) { e.P.MaxDepth = 6 })
	if a, b := strip(mw.Tree), strip(md.Tree); !reflect.DeepEqual(a, b) {
		t.Errorf("weighted tree differs from duplicated-row tree:\n%s\n%s", mw.DebugString(), md.DebugString())
	}
	// Boosting too.
	fit := func(f *ml.Frame, wc string) *tree.GBTClassificationModel {
		e := tree.NewGBTClassifier()
		e.P.WeightCol, e.P.MaxIter = wc, 5
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*tree.GBTClassificationModel)
	}
	gw, gd := fit(weighted, "weight"), fit(dup, "")
	for _, r := range x {
		if a, b := gw.Margin(r), gd.Margin(r); !near(a, b) {
			t.Fatalf("GBT margin with weights %v, with duplicates %v", a, b)
		}
	}
}

func TestDeterministicWithSeed(t *testing.T) {
	rng := ml.NewRand(3)
	var x [][]float64
	var y []float64
	for range 300 {
		r := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		x = append(x, r)
		y = append(y, float64(rng.IntN(2)))
	}
	f := MustFrame(t, x, y, nil, nil)
	fit := func(seed int) []tree.Tree {
		e := tree.NewRandomForestClassifier()
		e.P.Seed, e.P.NumTrees = seed, 8
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*tree.RandomForestClassificationModel).Trees
	}
	a, b, c := fit(1), fit(1), fit(2)
	if !reflect.DeepEqual(a, b) {
		t.Error("two fits with seed 1 differ")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("fits with seeds 1 and 2 are identical")
	}
	fitGBT := func() []tree.Tree {
		e := tree.NewGBTClassifier()
		e.P.SubsamplingRate, e.P.FeatureSubsetStrategy, e.P.MaxIter = 0.7, "sqrt", 5
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*tree.GBTClassificationModel).Trees
	}
	if g1, g2 := fitGBT(), fitGBT(); !reflect.DeepEqual(g1, g2) {
		t.Error("two GBT fits with subsampling differ")
	}
}

func TestHandComputedGBT(t *testing.T) {
	// 12 rows, 7 positive: initial margin F0 = ½·ln(7/5). With one split
	// on x <= 5.5 the left leaf has 1 positive of 5: G = 5·7/12 − 1,
	// H = 5·(7/12)(5/12), Newton step −G/(H+λ) on the log-odds, halved
	// into Spark's margin.
	x := col1(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	y := []float64{0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1}
	f := MustFrame(t, x, y, nil, nil)
	f0 := 0.5 * math.Log(7.0/5)
	g, h := 5*7.0/12-1, 5*(7.0/12)*(5.0/12)
	for _, lambda := range []float64{0, 1} {
		e := tree.NewGBTClassifier()
		e.P.MaxIter, e.P.MaxDepth, e.P.StepSize, e.P.RegLambda = 1, 1, 0.1, lambda
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		gm := m.(*tree.GBTClassificationModel)
		root := gm.Trees[0].Nodes[0]
		if root.Threshold != 5.5 {
			t.Fatalf("split at %v, want 5.5", root.Threshold)
		}
		want := f0 + 0.1*0.5*(-g/(h+lambda))
		if got := gm.Trees[0].Nodes[root.Left].Prediction; !near(got, want) {
			t.Errorf("lambda %v: left leaf %v, want %v", lambda, got, want)
		}
		if gm.TreeWeights[0] != 1 {
			t.Errorf("first tree weight %v, want 1", gm.TreeWeights[0])
		}
		raw := make([]float64, 2)
		prob := make([]float64, 2)
		gm.PredictRaw([]float64{1}, raw)
		gm.RawToProbability(raw, prob)
		if !near(raw[1], want) || raw[0] != -raw[1] || !near(prob[1], 1/(1+math.Exp(-2*want))) || !near(prob[0]+prob[1], 1) {
			t.Errorf("lambda %v: raw %v prob %v for margin %v", lambda, raw, prob, want)
		}
	}
}

func TestGBTRegressorLosses(t *testing.T) {
	rng := ml.NewRand(9)
	var x [][]float64
	var y []float64
	for range 400 {
		a, b := rng.Float64()*4, rng.Float64()*4
		x = append(x, []float64{a, b})
		y = append(y, 3*math.Sin(a)+b+0.1*rng.NormFloat64())
	}
	f := MustFrame(t, x, y, nil, nil)
	for _, lossType := range []string{"squared", "absolute"} {
		e := tree.NewGBTRegressor()
		e.P.LossType, e.P.MaxIter, e.P.StepSize = lossType, 60, 0.3
		m, err := e.Fit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		gm := m.(*tree.GBTRegressionModel)
		mse := 0.0
		for i, r := range x {
			d := gm.Predict(r) - y[i]
			mse += d * d
		}
		mse /= float64(len(x))
		if mse > 0.1 {
			t.Errorf("%s: training MSE %.4f, want < 0.1", lossType, mse)
		}
	}
	// One round with absolute loss: the first tree is the median label
	// plus a step towards each leaf's median residual.
	e := tree.NewGBTRegressor()
	e.P.LossType, e.P.MaxIter, e.P.MaxDepth, e.P.StepSize = "absolute", 1, 0, 0.5
	m, err := e.Fit(context.Background(), MustFrame(t, col1(1, 2, 3, 4, 5), []float64{1, 2, 3, 10, 100}, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.(*tree.GBTRegressionModel).Predict([]float64{1}); got != 3 {
		t.Errorf("median start = %v, want 3", got)
	}
}
