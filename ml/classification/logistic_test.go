package classification_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/classification"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

func registry() *ml.Registry {
	r := ml.NewRegistry()
	classification.Register(r)
	return r
}

func fitLR(t *testing.T, lr *classification.LogisticRegression, f *ml.Frame) *classification.LogisticRegressionModel {
	t.Helper()
	m, err := lr.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*classification.LogisticRegressionModel)
}

// binaryToy is a small non-separable binary set with three features.
func binaryToy() ([][]float64, []float64) {
	X := [][]float64{
		{1, 0.5, 3}, {2, -1, 3.5}, {-1, 0.3, 2}, {0.5, 2, 1}, {-2, -0.5, 2.5},
		{1.5, 1, 0}, {-0.5, -2, 1.5}, {0, 0.7, 3}, {2.5, 0.1, 2}, {-1.5, 1.2, 1},
		{0.3, -0.3, 0.5}, {-0.8, 0.9, 2.2},
	}
	y := []float64{1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1}
	return X, y
}

func multiToy() ([][]float64, []float64) {
	X := [][]float64{
		{0, 0}, {0.5, 0.2}, {-0.3, 0.4}, {3, 0.1}, {2.5, -0.4}, {3.2, 0.8},
		{0.2, 3}, {-0.4, 2.6}, {0.6, 3.3}, {1.5, 1.5}, {0.1, 1.2}, {2, 2.1},
	}
	y := []float64{0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 0, 2}
	return X, y
}

func TestLogisticRegressionDefaults(t *testing.T) {
	want := map[string]any{
		"maxIter": 100, "regParam": 0.0, "elasticNetParam": 0.0, "tol": 1e-6, "fitIntercept": true,
		"standardization": true, "family": "auto", "threshold": 0.5, "aggregationDepth": 2,
		"weightCol": "", "featuresCol": "features", "labelCol": "label", "predictionCol": "prediction",
		"rawPredictionCol": "rawPrediction", "probabilityCol": "probability",
	}
	got := map[string]any{}
	for _, p := range ml.ParamList(classification.NewLogisticRegression()) {
		got[p.Name] = p.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got["thresholds"].([]float64)) != 0 {
		t.Errorf("thresholds = %v, want unset", got["thresholds"])
	}
}

// TestLogisticRegressionTwoPoints: x = ±1 with labels 1/0, no intercept,
// L2 λ: by symmetry the optimum solves σ(−w) = λw.
func TestLogisticRegressionTwoPoints(t *testing.T) {
	const lambda = 0.1
	lr := classification.NewLogisticRegression()
	lr.P.FitIntercept, lr.P.Standardization, lr.P.RegParam, lr.P.Tol = false, false, lambda, 1e-12
	m := fitLR(t, lr, frameOf(t, [][]float64{{1}, {-1}}, []float64{1, 0}, nil))
	lo, hi := 0.0, 100.0
	for range 200 {
		w := (lo + hi) / 2
		if 1/(1+math.Exp(w)) > lambda*w {
			lo = w
		} else {
			hi = w
		}
	}
	coef, err := m.Coefficients()
	if err != nil {
		t.Fatal(err)
	}
	if !closeTo(coef[0], lo, 1e-7) {
		t.Errorf("coefficient %.10g, want %.10g", coef[0], lo)
	}
	if b, _ := m.Intercept(); b != 0 {
		t.Errorf("intercept %v, want 0 without fitIntercept", b)
	}
}

// TestLogisticRegressionConstantFeature: a constant column gets
// coefficient 0 (Spark), and with only constants the intercept is the
// log-odds of the labels.
func TestLogisticRegressionConstantFeature(t *testing.T) {
	X := [][]float64{{5, 0}, {5, 0}, {5, 0}, {5, 0}}
	y := []float64{1, 1, 1, 0}
	for _, std := range []bool{true, false} {
		lr := classification.NewLogisticRegression()
		lr.P.Standardization, lr.P.RegParam, lr.P.Tol = std, 0.1, 1e-12
		m := fitLR(t, lr, frameOf(t, X, y, nil))
		coef, _ := m.Coefficients()
		b, _ := m.Intercept()
		if coef[0] != 0 || coef[1] != 0 {
			t.Errorf("standardization %v: coefficients %v, want [0 0]", std, coef)
		}
		if !closeTo(b, math.Log(3), 1e-8) {
			t.Errorf("standardization %v: intercept %v, want log 3 = %v", std, b, math.Log(3))
		}
	}
}

func TestLogisticRegressionOutputs(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	f := frameOf(t, X, y, nil)
	m := fitLR(t, classification.NewLogisticRegression(), f)
	if m.NumClasses() != 2 || m.NumFeatures() != 3 || m.IsMultinomial {
		t.Fatalf("numClasses %d numFeatures %d multinomial %v", m.NumClasses(), m.NumFeatures(), m.IsMultinomial)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	coef, _ := m.Coefficients()
	b, _ := m.Intercept()
	raw, prob, pred := vectors(t, out, "rawPrediction"), vectors(t, out, "probability"), floats(t, out, "prediction")
	for i, x := range X {
		mg := b
		for j := range x {
			mg += coef[j] * x[j]
		}
		if !closeTo(raw[i][1], mg, 1e-12) || raw[i][0] != -raw[i][1] {
			t.Errorf("row %d: raw %v, want [-m, m] with m = %v", i, raw[i], mg)
		}
		p := 1 / (1 + math.Exp(-mg))
		if !closeTo(prob[i][1], p, 1e-12) || !closeTo(prob[i][0]+prob[i][1], 1, 1e-15) {
			t.Errorf("row %d: probability %v, want [1-p, p] with p = %v", i, prob[i], p)
		}
		if want := map[bool]float64{true: 1, false: 0}[p > 0.5]; pred[i] != want {
			t.Errorf("row %d: prediction %v, want %v", i, pred[i], want)
		}
	}
	// Empty output column params skip those columns.
	m.P.RawPredictionCol, m.P.ProbabilityCol = "", ""
	out, err = m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if out.Schema().NumFields() != f.Schema().NumFields()+1 {
		t.Errorf("columns %v, want only prediction added", ml.ColumnNames(out.Schema()))
	}
}

func TestLogisticRegressionThresholds(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	f := frameOf(t, X, y, nil)
	m := fitLR(t, classification.NewLogisticRegression(), f)
	predict := func() ([]float64, [][]float64) {
		out, err := m.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return floats(t, out, "prediction"), vectors(t, out, "probability")
	}
	for _, tc := range []struct {
		threshold  float64
		thresholds []float64
		cut        float64 // predict 1 iff P(1) > cut
	}{
		{0.5, nil, 0.5}, {0.3, nil, 0.3}, {0.8, nil, 0.8}, {0, nil, 0}, {1, nil, 1},
		{0.5, []float64{0.7, 0.3}, 0.3}, {0.5, []float64{1, 3}, 0.75},
	} {
		m.P.Threshold, m.P.Thresholds = tc.threshold, tc.thresholds
		pred, prob := predict()
		for i := range pred {
			want := 0.0
			if prob[i][1] > tc.cut {
				want = 1
			}
			if pred[i] != want {
				t.Errorf("threshold %v thresholds %v: row %d with P(1) = %.3f predicted %v, want %v", tc.threshold, tc.thresholds, i, prob[i][1], pred[i], want)
			}
		}
	}
	m.P.Thresholds = []float64{0.5, 0.2, 0.3}
	if _, err := m.Transform(ctx, f); err == nil || !strings.Contains(err.Error(), "thresholds has 3 values for 2 classes") {
		t.Errorf("3 thresholds for 2 classes: err = %v", err)
	}
}

func TestLogisticRegressionMultinomialThresholds(t *testing.T) {
	ctx := context.Background()
	X, y := multiToy()
	f := frameOf(t, X, y, nil)
	lr := classification.NewLogisticRegression()
	lr.P.RegParam = 0.01
	lr.P.Thresholds = []float64{0.2, 0.5, 0.9}
	m := fitLR(t, lr, f)
	if !m.IsMultinomial || m.NumClasses() != 3 {
		t.Fatalf("family auto with 3 classes: multinomial %v, %d classes", m.IsMultinomial, m.NumClasses())
	}
	if _, err := m.Coefficients(); !errors.Is(err, classification.ErrMultinomial) {
		t.Errorf("Coefficients on a multinomial model: err = %v", err)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	prob, pred := vectors(t, out, "probability"), floats(t, out, "prediction")
	for i := range pred {
		best, bestV := 0, -1.0
		for k, p := range prob[i] {
			if v := p / lr.P.Thresholds[k]; v > bestV {
				best, bestV = k, v
			}
		}
		if pred[i] != float64(best) {
			t.Errorf("row %d: probability %v predicted %v, want %d", i, prob[i], pred[i], best)
		}
		var s float64
		for _, p := range prob[i] {
			s += p
		}
		if !closeTo(s, 1, 1e-12) {
			t.Errorf("row %d: probabilities sum to %v", i, s)
		}
	}
	// Intercepts are centered, and so are coefficients without a penalty.
	var si float64
	for _, b := range m.InterceptVector {
		si += b
	}
	if math.Abs(si) > 1e-9 {
		t.Errorf("intercepts %v sum to %v, want 0", m.InterceptVector, si)
	}
	lr.P.RegParam = 0
	lr.P.MaxIter = 20
	m = fitLR(t, lr, f)
	for j := range m.NumFeatures() {
		var s float64
		for k := range m.CoefficientMatrix {
			s += m.CoefficientMatrix[k][j]
		}
		if math.Abs(s) > 1e-9 {
			t.Errorf("regParam 0: coefficients of feature %d sum to %v over classes, want 0", j, s)
		}
	}
}

// TestLogisticRegressionWeights: weight 2 is the same as a duplicated row,
// weight 0 the same as a dropped one. (Without standardization: Spark's
// weighted standard deviation divides by Σw − Σw²/Σw, not by the
// duplicated row count − 1, so standardized penalties differ slightly.)
func TestLogisticRegressionWeights(t *testing.T) {
	X, y := binaryToy()
	w := make([]float64, len(y))
	var dupX [][]float64
	var dupY []float64
	for i := range y {
		w[i] = float64(i % 3) // 0, 1, 2
		for range i % 3 {
			dupX, dupY = append(dupX, X[i]), append(dupY, y[i])
		}
	}
	for _, params := range []map[string]any{
		{"regParam": 0.05},
		{"regParam": 0.02, "elasticNetParam": 0.7},
		{"regParam": 0.02, "family": "multinomial"},
		{"regParam": 0.02, "fitIntercept": false},
	} {
		lr := classification.NewLogisticRegression()
		setParams(t, lr, params)
		lr.P.Tol, lr.P.Standardization = 1e-12, false
		lr.P.WeightCol = "weight"
		weighted := fitLR(t, lr, frameOf(t, X, y, w))
		lr.P.WeightCol = ""
		dup := fitLR(t, lr, frameOf(t, dupX, dupY, nil))
		for k := range dup.CoefficientMatrix {
			nearSlice(t, "weighted coefficients", weighted.CoefficientMatrix[k], dup.CoefficientMatrix[k], 1e-5)
		}
		nearSlice(t, "weighted intercepts", weighted.InterceptVector, dup.InterceptVector, 1e-5)
	}
}

func TestLogisticRegressionSummary(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	w := []float64{1, 2, 1, 1, 3, 1, 1, 2, 1, 1, 1, 2}
	lr := classification.NewLogisticRegression()
	lr.P.WeightCol = "weight"
	f := frameOf(t, X, y, w)
	m := fitLR(t, lr, f)
	s, ok := m.Summary()
	if !ok {
		t.Fatal("fitted model has no summary")
	}
	if s.TotalIterations != len(s.ObjectiveHistory)-1 || s.TotalIterations == 0 {
		t.Errorf("TotalIterations %d with %d objective values", s.TotalIterations, len(s.ObjectiveHistory))
	}
	for i := 1; i < len(s.ObjectiveHistory); i++ {
		if s.ObjectiveHistory[i] > s.ObjectiveHistory[i-1] {
			t.Errorf("objective rises at iteration %d: %v", i, s.ObjectiveHistory)
		}
	}
	// The fit starts at zero coefficients and the log-odds intercept, where
	// the objective is the weighted label entropy.
	var pos, tot float64
	for i := range y {
		pos += w[i] * y[i]
		tot += w[i]
	}
	p := pos / tot
	if h := -(p*math.Log(p) + (1-p)*math.Log(1-p)); !closeTo(s.ObjectiveHistory[0], h, 1e-12) {
		t.Errorf("initial objective %v, want the label entropy %v", s.ObjectiveHistory[0], h)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	wantAUC, err := evaluation.AreaUnderROC(positiveScores(t, out, "probability"), y, w)
	if err != nil {
		t.Fatal(err)
	}
	auc, err := s.AreaUnderROC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if auc != wantAUC {
		t.Errorf("summary AUC %v, evaluation of the transformed training data %v", auc, wantAUC)
	}
	roc, err := s.ROC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first, last := roc[0], roc[len(roc)-1]; first.FPR != 0 || first.TPR != 0 || last.FPR != 1 || last.TPR != 1 {
		t.Errorf("ROC runs from %+v to %+v", first, last)
	}
	acc, err := s.Accuracy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pred := floats(t, out, "prediction")
	var right float64
	for i := range y {
		if pred[i] == y[i] {
			right += w[i]
		}
	}
	if !closeTo(acc, right/tot, 1e-12) {
		t.Errorf("accuracy %v, want %v", acc, right/tot)
	}

	X3, y3 := multiToy()
	m3 := fitLR(t, classification.NewLogisticRegression(), frameOf(t, X3, y3, nil))
	s3, _ := m3.Summary()
	if _, err := s3.AreaUnderROC(ctx); err == nil || !strings.Contains(err.Error(), "binary models") {
		t.Errorf("multinomial AreaUnderROC: err = %v", err)
	}
	if _, err := s3.Accuracy(ctx); err != nil {
		t.Error(err)
	}
}

func TestLogisticRegressionSparseInput(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	dense := fitLR(t, classification.NewLogisticRegression(), frameOf(t, X, y, nil))
	vs := make([]ml.Vector, len(X))
	for i, r := range X {
		var idx []int32
		var val []float64
		for j, v := range r {
			if v != 0 {
				idx, val = append(idx, int32(j)), append(val, v)
			}
		}
		vs[i] = ml.Sparse(len(r), idx, val)
	}
	sc := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType}, {Name: "label", Type: arrow.PrimitiveTypes.Float64}}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{ml.VectorsColumn(vs), ml.Float64Column(y)})
	if err != nil {
		t.Fatal(err)
	}
	sparse := fitLR(t, classification.NewLogisticRegression(), f)
	nearSlice(t, "sparse-input coefficients", sparse.CoefficientMatrix[0], dense.CoefficientMatrix[0], 1e-12)
	if _, err := sparse.Transform(ctx, f); err != nil {
		t.Error(err)
	}
}

func TestLogisticRegressionSaveLoad(t *testing.T) {
	ctx := context.Background()
	for name, data := range map[string]func() ([][]float64, []float64){"binomial": binaryToy, "multinomial": multiToy} {
		t.Run(name, func(t *testing.T) {
			X, y := data()
			f := frameOf(t, X, y, nil)
			lr := classification.NewLogisticRegression()
			lr.P.RegParam, lr.P.Threshold, lr.P.ProbabilityCol = 0.01, 0.4, "p"
			m := fitLR(t, lr, f)
			dir := filepath.Join(t.TempDir(), "m")
			if err := ml.Save(dir, m); err != nil {
				t.Fatal(err)
			}
			st, err := ml.Load(dir, registry())
			if err != nil {
				t.Fatal(err)
			}
			lm := st.(*classification.LogisticRegressionModel)
			if _, ok := lm.Summary(); ok {
				t.Error("loaded model has a summary")
			}
			if lm.P.Threshold != 0.4 || lm.P.ProbabilityCol != "p" || lm.NumClasses() != m.NumClasses() {
				t.Errorf("loaded params %+v, %d classes", lm.P, lm.NumClasses())
			}
			want, err := m.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := lm.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, col := range []string{"rawPrediction", "p"} {
				g, w := vectors(t, got, col), vectors(t, want, col)
				for i := range w {
					for k := range w[i] {
						if g[i][k] != w[i][k] {
							t.Fatalf("%s row %d: loaded %v, fitted %v", col, i, g[i], w[i])
						}
					}
				}
			}
			nearSlice(t, "prediction", floats(t, got, "prediction"), floats(t, want, "prediction"), 0)
		})
	}
}

func TestLogisticRegressionBadInput(t *testing.T) {
	ctx := context.Background()
	X, y := binaryToy()
	good := func() *ml.Frame { return frameOf(t, X, y, nil) }
	withY := func(yy []float64) *ml.Frame { return frameOf(t, X, yy, nil) }
	tests := []struct {
		name string
		set  func(p *classification.LogisticRegressionParams)
		f    func() *ml.Frame
		want string
	}{
		{"maxIter", func(p *classification.LogisticRegressionParams) { p.MaxIter = -1 }, good, "maxIter is -1"},
		{"regParam", func(p *classification.LogisticRegressionParams) { p.RegParam = -0.1 }, good, "regParam is -0.1"},
		{"regParam NaN", func(p *classification.LogisticRegressionParams) { p.RegParam = math.NaN() }, good, "regParam is NaN"},
		{"elasticNet", func(p *classification.LogisticRegressionParams) { p.ElasticNetParam = 1.5 }, good, "elasticNetParam is 1.5"},
		{"tol", func(p *classification.LogisticRegressionParams) { p.Tol = -1 }, good, "tol is -1"},
		{"family", func(p *classification.LogisticRegressionParams) { p.Family = "poisson" }, good, `family "poisson"`},
		{"threshold", func(p *classification.LogisticRegressionParams) { p.Threshold = 2 }, good, "threshold is 2"},
		{"thresholds negative", func(p *classification.LogisticRegressionParams) { p.Thresholds = []float64{-1, 1} }, good, "thresholds[0] = -1"},
		{"thresholds count", func(p *classification.LogisticRegressionParams) { p.Thresholds = []float64{1, 1, 1} }, good, "thresholds has 3 values for 2 classes"},
		{"aggregationDepth", func(p *classification.LogisticRegressionParams) { p.AggregationDepth = 1 }, good, "aggregationDepth is 1"},
		{"no features column", func(p *classification.LogisticRegressionParams) { p.FeaturesCol = "feats" }, good, `no column "feats"`},
		{"label not numeric", func(p *classification.LogisticRegressionParams) { p.LabelCol = "features" }, good, "want a number"},
		{"missing weight column", func(p *classification.LogisticRegressionParams) { p.WeightCol = "w" }, good, `weightCol: no column "w"`},
		{"output exists", func(p *classification.LogisticRegressionParams) { p.PredictionCol = "label" }, good, `output column "label" already exists`},
		{"one class", nil, func() *ml.Frame { return withY(make([]float64, len(y))) }, "one class only"},
		{"fractional label", nil, func() *ml.Frame {
			yy := append([]float64(nil), y...)
			yy[3] = 0.5
			return withY(yy)
		}, "row 4: label 0.5 is not a class index"},
		{"NaN label", nil, func() *ml.Frame {
			yy := append([]float64(nil), y...)
			yy[2] = math.NaN()
			return withY(yy)
		}, "row 3: labelCol is NaN"},
		{"NaN feature", nil, func() *ml.Frame {
			XX := make([][]float64, len(X))
			copy(XX, X)
			XX[5] = []float64{1, math.NaN(), 0}
			return frameOf(t, XX, y, nil)
		}, "row 6: feature 1 (feature 1) is NaN"},
		{"Inf feature", nil, func() *ml.Frame {
			XX := make([][]float64, len(X))
			copy(XX, X)
			XX[0] = []float64{math.Inf(1), 0, 0}
			return frameOf(t, XX, y, nil)
		}, "row 1: feature 0 (feature 0) is +Inf"},
		{"negative weight", func(p *classification.LogisticRegressionParams) { p.WeightCol = "weight" }, func() *ml.Frame {
			w := make([]float64, len(y))
			for i := range w {
				w[i] = 1
			}
			w[7] = -1
			return frameOf(t, X, y, w)
		}, "row 8: weight -1 is negative"},
		{"zero weights", func(p *classification.LogisticRegressionParams) { p.WeightCol = "weight" }, func() *ml.Frame {
			return frameOf(t, X, y, make([]float64, len(y)))
		}, "total weight 0"},
		{"binomial with 3 classes", func(p *classification.LogisticRegressionParams) { p.Family = "binomial" }, func() *ml.Frame {
			X3, y3 := multiToy()
			return frameOf(t, X3, y3, nil)
		}, "family binomial needs 2 classes"},
		{"empty frame", nil, func() *ml.Frame { return frameOf(t, nil, nil, nil) }, "no rows"},
		{"ragged vectors", nil, func() *ml.Frame {
			XX := make([][]float64, len(X))
			copy(XX, X)
			XX[4] = []float64{1, 2}
			return frameOf(t, XX, y, nil)
		}, "row 5: vector has 2 features, row 1 has 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := classification.NewLogisticRegression()
			if tt.set != nil {
				tt.set(&lr.P)
			}
			_, err := lr.Fit(ctx, tt.f())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "LogisticRegression: ") {
				t.Errorf("err = %v, want it to start with the stage name", err)
			}
		})
	}
	t.Run("transform wrong size", func(t *testing.T) {
		m := fitLR(t, classification.NewLogisticRegression(), good())
		_, err := m.Transform(ctx, frameOf(t, [][]float64{{1, 2}}, []float64{0}, nil))
		if err == nil || !strings.Contains(err.Error(), "row 1: vector has 2 features, the model was fitted on 3") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := classification.NewLogisticRegression().Fit(cctx, good())
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("unfitted model", func(t *testing.T) {
		m := &classification.LogisticRegressionModel{P: classification.NewLogisticRegression().P}
		if _, err := m.Transform(ctx, good()); err == nil || !strings.Contains(err.Error(), "not fitted") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestLogisticRegressionIterationsDoNotAllocate: the allocations of a fit
// do not grow with its iterations (passes reuse per-worker buffers).
func TestLogisticRegressionIterationsDoNotAllocate(t *testing.T) {
	X, y := synthetic(20_000, 5)
	f := frameOf(t, X, y, nil)
	allocs := func(iters int) float64 {
		lr := classification.NewLogisticRegression()
		lr.P.MaxIter, lr.P.Tol = iters, 0
		return testing.AllocsPerRun(3, func() {
			m, err := lr.Fit(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := m.(*classification.LogisticRegressionModel).Summary(); s.TotalIterations != iters {
				t.Fatalf("%d iterations, want %d", s.TotalIterations, iters)
			}
		})
	}
	if few, many := allocs(2), allocs(12); many > few {
		t.Errorf("2 iterations: %v allocations, 12 iterations: %v", few, many)
	}
}

func TestLogisticRegressionBounds(t *testing.T) {
	X, y := binaryToy()
	f := frameOf(t, X, y, nil)
	base := classification.NewLogisticRegression()
	base.P.RegParam, base.P.Tol = 0.05, 1e-12
	free := fitLR(t, base, f)
	coef, _ := free.Coefficients()
	icpt, _ := free.Intercept()
	t.Logf("unbounded: coefficients %v, intercept %v", coef, icpt)

	t.Run("loose bounds change nothing", func(t *testing.T) {
		lr := *base
		lr.P.LowerBoundsOnCoefficients = [][]float64{{-10, -10, -10}}
		lr.P.UpperBoundsOnCoefficients = [][]float64{{10, 10, 10}}
		lr.P.LowerBoundsOnIntercepts, lr.P.UpperBoundsOnIntercepts = []float64{-10}, []float64{10}
		m := fitLR(t, &lr, f)
		nearSlice(t, "coefficients", m.CoefficientMatrix[0], coef, 1e-6)
		nearSlice(t, "intercept", m.InterceptVector, []float64{icpt}, 1e-6)
	})
	t.Run("pinned coefficient equals dropping the feature", func(t *testing.T) {
		j := 0
		for k := range coef {
			if math.Abs(coef[k]) > math.Abs(coef[j]) {
				j = k
			}
		}
		lr := *base
		bound := []float64{math.Inf(1), math.Inf(1), math.Inf(1)}
		if coef[j] < 0 {
			bound = []float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
			bound[j] = 0
			lr.P.LowerBoundsOnCoefficients = [][]float64{bound}
		} else {
			bound[j] = 0
			lr.P.UpperBoundsOnCoefficients = [][]float64{bound}
		}
		m := fitLR(t, &lr, f)
		if m.CoefficientMatrix[0][j] != 0 {
			t.Errorf("coefficient %d = %v, want exactly 0", j, m.CoefficientMatrix[0][j])
		}
		var Xd [][]float64
		for _, r := range X {
			Xd = append(Xd, append(append([]float64(nil), r[:j]...), r[j+1:]...))
		}
		drop := fitLR(t, base, frameOf(t, Xd, y, nil))
		rest := append(append([]float64(nil), m.CoefficientMatrix[0][:j]...), m.CoefficientMatrix[0][j+1:]...)
		nearSlice(t, "other coefficients", rest, drop.CoefficientMatrix[0], 1e-5)
		nearSlice(t, "intercept", m.InterceptVector, drop.InterceptVector, 1e-5)
	})
	t.Run("intercept bound", func(t *testing.T) {
		lr := *base
		lr.P.UpperBoundsOnIntercepts = []float64{icpt - 1}
		m := fitLR(t, &lr, f)
		if m.InterceptVector[0] != icpt-1 {
			t.Errorf("intercept %v, want the bound %v", m.InterceptVector[0], icpt-1)
		}
	})
	t.Run("non-negative multinomial", func(t *testing.T) {
		X3, y3 := multiToy()
		lr := classification.NewLogisticRegression()
		lr.P.RegParam = 0.01
		lr.P.LowerBoundsOnCoefficients = [][]float64{{0, 0}, {0, 0}, {0, 0}}
		m := fitLR(t, lr, frameOf(t, X3, y3, nil))
		for k, r := range m.CoefficientMatrix {
			for j, v := range r {
				if v < 0 {
					t.Errorf("coefficient [%d][%d] = %v < 0", k, j, v)
				}
			}
		}
	})
	for _, tt := range []struct {
		name string
		set  func(p *classification.LogisticRegressionParams)
		want string
	}{
		{"elastic net", func(p *classification.LogisticRegressionParams) {
			p.ElasticNetParam = 0.5
			p.LowerBoundsOnIntercepts = []float64{0}
		}, "need an L2-only penalty"},
		{"rows", func(p *classification.LogisticRegressionParams) {
			p.LowerBoundsOnCoefficients = [][]float64{{0, 0, 0}, {0, 0, 0}}
		}, "lowerBoundsOnCoefficients has 2 rows; the model has 1"},
		{"columns", func(p *classification.LogisticRegressionParams) {
			p.UpperBoundsOnCoefficients = [][]float64{{0, 0}}
		}, "upperBoundsOnCoefficients row 0 has 2 values; the features have 3"},
		{"crossed", func(p *classification.LogisticRegressionParams) {
			p.LowerBoundsOnCoefficients = [][]float64{{0, 1, 0}}
			p.UpperBoundsOnCoefficients = [][]float64{{0, 0, 0}}
		}, "coefficient bounds [1, 0] at row 0, feature 1"},
		{"intercept without fitIntercept", func(p *classification.LogisticRegressionParams) {
			p.FitIntercept = false
			p.UpperBoundsOnIntercepts = []float64{1}
		}, "bounds on intercepts need fitIntercept true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := classification.NewLogisticRegression()
			lr.P.RegParam = 0.1
			tt.set(&lr.P)
			_, err := lr.Fit(context.Background(), f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLogisticRegressionEstimatorSaveLoad: every param, bounds with ±Inf
// included, survives ml.Save / ml.Load.
func TestLogisticRegressionEstimatorSaveLoad(t *testing.T) {
	lr := classification.NewLogisticRegression()
	lr.P.RegParam, lr.P.Family, lr.P.WeightCol = 0.3, "multinomial", "w"
	lr.P.LowerBoundsOnCoefficients = [][]float64{{math.Inf(-1), 0}, {-1, math.Inf(-1)}}
	lr.P.UpperBoundsOnIntercepts = []float64{math.Inf(1), 2}
	lr.P.Thresholds = []float64{0.4, 0.6}
	dir := filepath.Join(t.TempDir(), "lr")
	if err := ml.Save(dir, lr); err != nil {
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	got := st.(*classification.LogisticRegression)
	for _, p := range ml.ParamList(lr) {
		var g any
		for _, q := range ml.ParamList(got) {
			if q.Name == p.Name {
				g = q.Value
			}
		}
		if fmtValue(g) != fmtValue(p.Value) {
			t.Errorf("%s: loaded %v, saved %v", p.Name, g, p.Value)
		}
	}
}

func fmtValue(v any) string { return fmt.Sprintf("%v", v) }

// TestLogisticRegressionChunkedAndEmptyFeatures: a features column split
// into chunks fits like one chunk, and zero features give the
// intercept-only model.
func TestLogisticRegressionChunkedAndEmptyFeatures(t *testing.T) {
	X, y := binaryToy()
	whole := fitLR(t, classification.NewLogisticRegression(), frameOf(t, X, y, nil))
	vs := make([]ml.Vector, len(X))
	for i, r := range X {
		vs[i] = ml.Dense(r...)
	}
	a, b := ml.VectorsColumn(vs[:5]), ml.VectorsColumn(vs[5:])
	feats := arrow.NewChunked(ml.VectorType, append(a.Chunks(), b.Chunks()...))
	sc := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType}, {Name: "label", Type: arrow.PrimitiveTypes.Float64}}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{feats, ml.Float64Column(y)})
	if err != nil {
		t.Fatal(err)
	}
	chunked := fitLR(t, classification.NewLogisticRegression(), f)
	nearSlice(t, "coefficients", chunked.CoefficientMatrix[0], whole.CoefficientMatrix[0], 1e-12)

	empty := make([][]float64, len(y))
	for i := range empty {
		empty[i] = []float64{}
	}
	m := fitLR(t, classification.NewLogisticRegression(), frameOf(t, empty, y, nil))
	var pos float64
	for _, v := range y {
		pos += v
	}
	if b, _ := m.Intercept(); m.NumFeatures() != 0 || !closeTo(b, math.Log(pos/(float64(len(y))-pos)), 1e-9) {
		t.Errorf("no features: %d features, intercept %v", m.NumFeatures(), b)
	}
}

// TestFitsAreDeterministic: per-chunk accumulators added in chunk order
// make fits bit-for-bit the same whatever GOMAXPROCS is.
func TestFitsAreDeterministic(t *testing.T) {
	X, y := synthetic(40_000, 9)
	f := frameOf(t, X, y, nil)
	fit := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		lr := classification.NewLogisticRegression()
		lr.P.MaxIter = 8
		m := fitLR(t, lr, f)
		return append(append([]float64(nil), m.CoefficientMatrix[0]...), m.InterceptVector...)
	}
	one, four := fit(1), fit(4)
	for i := range one {
		if one[i] != four[i] {
			t.Fatalf("GOMAXPROCS 1 and 4 differ at %d: %v vs %v", i, one[i], four[i])
		}
	}
}
