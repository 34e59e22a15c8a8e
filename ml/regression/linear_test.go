package regression_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/regression"
)

func fitLinear(t *testing.T, lr *regression.LinearRegression, f *ml.Frame) *regression.LinearRegressionModel {
	t.Helper()
	m, err := lr.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*regression.LinearRegressionModel)
}

// TestLinearRegressionHandComputed checks a three-point OLS fit against
// values worked out by hand: x = 0, 1, 2 and y = 1, 2, 4 give slope
// Sxy/Sxx = 3/2, intercept 7/3 − 3/2 = 5/6, residuals 1/6, −1/3, 1/6,
// RSS 1/6, σ² = RSS/(3−2) = 1/6, se(slope) = √(σ²/Sxx) = √(1/12),
// se(intercept) = √(σ²(1/n + x̄²/Sxx)) = √(5/36), and with one degree of
// freedom p = 1 − 2·atan(|t|)/π.
func TestLinearRegressionHandComputed(t *testing.T) {
	f := mustFrame(t, [][]float64{{0}, {1}, {2}}, []float64{1, 2, 4}, nil)
	for _, solver := range []string{regression.SolverAuto, regression.SolverNormal, regression.SolverLBFGS} {
		t.Run(solver, func(t *testing.T) {
			lr := regression.NewLinearRegression()
			lr.P.Solver = solver
			lr.P.Tol = 1e-12
			m := fitLinear(t, lr, f)
			checkSlice(t, "coefficients", m.Coefficients, []float64{1.5}, 1e-9, 1e-9)
			checkValue(t, "intercept", m.Intercept, 5.0/6, 1e-9, 1e-9)
			s := m.Summary
			checkSlice(t, "residuals", s.Residuals, []float64{1.0 / 6, -1.0 / 3, 1.0 / 6}, 1e-8, 1e-8)
			checkValue(t, "mse", s.MSE, 1.0/18, 1e-8, 0)
			checkValue(t, "mae", s.MAE, 2.0/9, 1e-8, 0)
			// SStot = Σ(y−ȳ)² = 14/3; R2 = 1 − (1/6)/(14/3) = 27/28.
			checkValue(t, "r2", s.R2, 27.0/28, 1e-8, 0)
			// R2adj = 1 − (1/28)·(3−1)/(3−1−1) = 26/28.
			checkValue(t, "r2adj", s.R2Adj, 26.0/28, 1e-8, 0)
			if s.DegreesOfFreedom != 1 {
				t.Errorf("degreesOfFreedom = %d, want 1", s.DegreesOfFreedom)
			}
			if solver == regression.SolverLBFGS {
				if s.CoefficientStandardErrors != nil {
					t.Errorf("l-bfgs gave standard errors %v; Spark has none", s.CoefficientStandardErrors)
				}
				if s.TotalIterations < 1 || len(s.ObjectiveHistory) != s.TotalIterations+1 {
					t.Errorf("totalIterations %d with %d objective values", s.TotalIterations, len(s.ObjectiveHistory))
				}
				return
			}
			tSlope := 1.5 / math.Sqrt(1.0/12)
			tIcpt := (5.0 / 6) / math.Sqrt(5.0/36)
			checkSlice(t, "coefficientStandardErrors", s.CoefficientStandardErrors, []float64{math.Sqrt(1.0 / 12), math.Sqrt(5.0 / 36)}, 1e-9, 0)
			checkSlice(t, "tValues", s.TValues, []float64{tSlope, tIcpt}, 1e-9, 0)
			checkSlice(t, "pValues", s.PValues, []float64{1 - 2*math.Atan(tSlope)/math.Pi, 1 - 2*math.Atan(tIcpt)/math.Pi}, 1e-9, 0)
			if s.Solver != regression.SolverNormal || s.TotalIterations != 0 || !s.Converged {
				t.Errorf("solver %q, totalIterations %d, converged %v; want normal, 0, true", s.Solver, s.TotalIterations, s.Converged)
			}
		})
	}
}

func TestLinearRegressionExactLine(t *testing.T) {
	// y = 3 − 2·x0 + 0.5·x1 exactly, with an intercept and without.
	x := [][]float64{{1, 4}, {2, 1}, {3, 7}, {4, 2}, {5, 5}, {6, 0}}
	y := make([]float64, len(x))
	for i, r := range x {
		y[i] = 3 - 2*r[0] + 0.5*r[1]
	}
	m := fitLinear(t, regression.NewLinearRegression(), mustFrame(t, x, y, nil))
	checkSlice(t, "coefficients", m.Coefficients, []float64{-2, 0.5}, 1e-10, 1e-10)
	checkValue(t, "intercept", m.Intercept, 3, 1e-10, 1e-10)
	checkValue(t, "r2", m.Summary.R2, 1, 0, 1e-12)
	checkValue(t, "predict", m.Predict([]float64{10, 10}), 3-20+5, 1e-12, 1e-12)

	lr := regression.NewLinearRegression()
	lr.P.FitIntercept = false
	for i, r := range x {
		y[i] = -2*r[0] + 0.5*r[1]
	}
	m = fitLinear(t, lr, mustFrame(t, x, y, nil))
	checkSlice(t, "coefficients (no intercept)", m.Coefficients, []float64{-2, 0.5}, 1e-10, 1e-10)
	if m.Intercept != 0 || len(m.Summary.CoefficientStandardErrors) != 2 {
		t.Errorf("intercept %v, %d standard errors; want 0 and 2", m.Intercept, len(m.Summary.CoefficientStandardErrors))
	}
}

// linearData is a small deterministic problem with correlated features
// of different scales.
func linearData(n int) (x [][]float64, y []float64) {
	rng := ml.NewRand(5)
	for range n {
		a, b, c := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		r := []float64{3*a + 10, 0.5*b + 0.8*a, 20*c - 5}
		x = append(x, r)
		y = append(y, 2+1.5*r[0]-3*r[1]+0.05*r[2]+rng.NormFloat64())
	}
	return x, y
}

// TestLinearRegressionWeightsAreCounts checks that integer weights act as
// row counts for the normal solver (population standard deviations, so
// penalties match too) and for Huber without a penalty.
func TestLinearRegressionWeightsAreCounts(t *testing.T) {
	x, y := linearData(40)
	w := make([]float64, len(x))
	var xd [][]float64
	var yd []float64
	for i := range x {
		w[i] = float64(i%3 + 1)
		for range int(w[i]) {
			xd = append(xd, x[i])
			yd = append(yd, y[i])
		}
	}
	weighted, dup := mustFrame(t, x, y, w), mustFrame(t, xd, yd, nil)
	for _, tc := range []struct {
		name   string
		params map[string]any
	}{
		{"ols", nil},
		{"ridge", map[string]any{"regParam": 0.5}},
		{"elastic net", map[string]any{"regParam": 0.3, "elasticNetParam": 0.6}},
		{"unstandardized lasso", map[string]any{"regParam": 0.3, "elasticNetParam": 1.0, "standardization": false}},
		{"huber", map[string]any{"loss": "huber"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lr := regression.NewLinearRegression()
			setParams(t, lr, tc.params)
			lr.P.MaxIter, lr.P.Tol = 10000, 1e-12
			a := fitLinear(t, lr, dup)
			lr.P.WeightCol = "weight"
			b := fitLinear(t, lr, weighted)
			checkSlice(t, "coefficients", b.Coefficients, a.Coefficients, 1e-6, 1e-8)
			checkValue(t, "intercept", b.Intercept, a.Intercept, 1e-6, 1e-8)
			checkValue(t, "mse", b.Summary.MSE, a.Summary.MSE, 1e-6, 0)
		})
	}
}

// TestLinearRegressionStandardizationInvariance: with standardization the
// penalty sees unit-variance features, so rescaling a feature rescales
// its coefficient and changes nothing else.
func TestLinearRegressionStandardizationInvariance(t *testing.T) {
	x, y := linearData(60)
	xs := make([][]float64, len(x))
	for i, r := range x {
		xs[i] = []float64{r[0] * 1000, r[1], r[2] / 7}
	}
	for _, params := range []map[string]any{
		{"regParam": 0.8},
		{"regParam": 0.5, "elasticNetParam": 1.0},
		{"regParam": 0.5, "elasticNetParam": 0.3, "solver": "l-bfgs"},
		{"regParam": 0.4, "solver": "l-bfgs"},
		{"regParam": 0.4, "loss": "huber"},
	} {
		lr := regression.NewLinearRegression()
		setParams(t, lr, params)
		lr.P.MaxIter, lr.P.Tol = 100000, 1e-12
		a := fitLinear(t, lr, mustFrame(t, x, y, nil))
		b := fitLinear(t, lr, mustFrame(t, xs, y, nil))
		want := []float64{a.Coefficients[0] / 1000, a.Coefficients[1], a.Coefficients[2] * 7}
		checkSlice(t, "rescaled coefficients", b.Coefficients, want, 1e-5, 1e-9)
		checkValue(t, "intercept", b.Intercept, a.Intercept, 1e-5, 1e-9)
	}
}

// TestLinearRegressionSolversAgree: without a penalty every solver finds
// the least-squares solution.
func TestLinearRegressionSolversAgree(t *testing.T) {
	x, y := linearData(80)
	w := make([]float64, len(x))
	for i := range w {
		w[i] = 0.5 + float64(i%5)
	}
	f := mustFrame(t, x, y, w)
	var coef [][]float64
	for _, solver := range []string{"normal", "l-bfgs"} {
		lr := regression.NewLinearRegression()
		lr.P.Solver, lr.P.WeightCol, lr.P.Tol = solver, "weight", 1e-12
		m := fitLinear(t, lr, f)
		coef = append(coef, append(m.Coefficients, m.Intercept))
		h := m.Summary.ObjectiveHistory
		for i := 1; i < len(h); i++ {
			if h[i] > h[i-1]+1e-12 {
				t.Errorf("%s: objective rose from %v to %v at iteration %d", solver, h[i-1], h[i], i)
			}
		}
	}
	checkSlice(t, "l-bfgs vs normal", coef[1], coef[0], 1e-7, 1e-9)
}

func TestLinearRegressionElasticNetPath(t *testing.T) {
	x, y := linearData(60)
	f := mustFrame(t, x, y, nil)
	lr := regression.NewLinearRegression()
	lr.P.ElasticNetParam = 1
	prevNonZero := 4
	for _, reg := range []float64{0.01, 0.1, 0.5, 2, 50} {
		lr.P.RegParam = reg
		m := fitLinear(t, lr, f)
		nz := 0
		for _, c := range m.Coefficients {
			if c != 0 {
				nz++
			}
		}
		if nz > prevNonZero {
			t.Errorf("regParam %v: %d non-zero coefficients, more than %d at a smaller regParam", reg, nz, prevNonZero)
		}
		prevNonZero = nz
		h := m.Summary.ObjectiveHistory
		for i := 1; i < len(h); i++ {
			if h[i] > h[i-1]+1e-12 {
				t.Errorf("regParam %v: objective rose at sweep %d: %v", reg, i, h)
			}
		}
		if m.Summary.CoefficientStandardErrors != nil {
			t.Errorf("regParam %v: standard errors with an L1 penalty", reg)
		}
	}
	if prevNonZero != 0 {
		t.Errorf("regParam 50 leaves %d non-zero coefficients, want 0", prevNonZero)
	}
}

func TestLinearRegressionMaxIter(t *testing.T) {
	x, y := linearData(60)
	lr := regression.NewLinearRegression()
	lr.P.RegParam, lr.P.ElasticNetParam, lr.P.MaxIter = 0.01, 0.5, 1
	m := fitLinear(t, lr, mustFrame(t, x, y, nil))
	s := m.Summary
	if s.Converged || s.TotalIterations != 1 || len(s.Warnings) == 0 || !strings.Contains(s.Warnings[0], "maxIter") {
		t.Errorf("converged %v, totalIterations %d, warnings %q; want false, 1, a maxIter warning", s.Converged, s.TotalIterations, s.Warnings)
	}
}

// namedFrame attaches feature names (as VectorAssembler writes them).
func namedFrame(t *testing.T, x [][]float64, y []float64, names ...string) *ml.Frame {
	t.Helper()
	f := mustFrame(t, x, y, nil)
	va := ml.VectorAttrs{NumAttrs: len(names)}
	for i, n := range names {
		va.Numeric = append(va.Numeric, ml.Attr{Idx: i, Name: n})
	}
	col, _ := f.Column("features")
	fields := f.Schema().Fields()
	fields[0].Metadata = va.Metadata()
	label, _ := f.Column("label")
	out, err := ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{col, label})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLinearRegressionConstantFeature(t *testing.T) {
	x, y := linearData(30)
	for _, r := range x {
		r[1] = 7 // constant
	}
	f := namedFrame(t, x, y, "tenure", "plan", "calls")
	for _, params := range []map[string]any{
		nil, {"regParam": 0.3}, {"regParam": 0.3, "elasticNetParam": 0.5}, {"solver": "l-bfgs"}, {"loss": "huber"}, {"fitIntercept": false},
	} {
		lr := regression.NewLinearRegression()
		setParams(t, lr, params)
		m := fitLinear(t, lr, f)
		if m.Coefficients[1] != 0 {
			t.Errorf("%v: constant feature has coefficient %v, want 0", params, m.Coefficients[1])
		}
		s := m.Summary
		if len(s.ConstantFeatures) != 1 || s.ConstantFeatures[0] != 1 || len(s.Warnings) == 0 || !strings.Contains(s.Warnings[0], "plan") {
			t.Errorf("%v: constantFeatures %v, warnings %q; want [1] and a warning naming plan", params, s.ConstantFeatures, s.Warnings)
		}
		if se := s.CoefficientStandardErrors; se != nil && (!math.IsNaN(se[1]) || math.IsNaN(se[0])) {
			t.Errorf("%v: standard errors %v; want NaN for the constant feature only", params, se)
		}
	}
	// The other coefficients are those of the fit without the column.
	x2 := make([][]float64, len(x))
	for i, r := range x {
		x2[i] = []float64{r[0], r[2]}
	}
	a := fitLinear(t, regression.NewLinearRegression(), f)
	b := fitLinear(t, regression.NewLinearRegression(), mustFrame(t, x2, y, nil))
	checkSlice(t, "coefficients without the constant column", []float64{a.Coefficients[0], a.Coefficients[2]}, b.Coefficients, 1e-9, 1e-12)
}

func TestLinearRegressionCollinear(t *testing.T) {
	x, y := linearData(30)
	x4 := make([][]float64, len(x))
	for i, r := range x {
		x4[i] = []float64{r[0], r[1], r[2], 2*r[0] - r[2]}
	}
	f := namedFrame(t, x4, y, "tenure", "plan", "calls", "mix")
	_, err := regression.NewLinearRegression().Fit(context.Background(), f)
	if !errors.Is(err, regression.ErrSingular) {
		t.Fatalf("err = %v, want ErrSingular", err)
	}
	for _, want := range []string{"mix", "tenure", "calls", "regParam"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "plan") {
		t.Errorf("error %q blames plan, which is independent", err)
	}
	lr := regression.NewLinearRegression()
	lr.P.RegParam = 0.1
	if _, err := lr.Fit(context.Background(), f); err != nil {
		t.Errorf("ridge on collinear features: %v", err)
	}
}

func TestLinearRegressionConstantLabel(t *testing.T) {
	x, _ := linearData(20)
	y := make([]float64, len(x))
	for i := range y {
		y[i] = 4.5
	}
	f := mustFrame(t, x, y, nil)
	for _, solver := range []string{"normal", "l-bfgs"} {
		lr := regression.NewLinearRegression()
		lr.P.Solver, lr.P.RegParam = solver, 0.5
		m := fitLinear(t, lr, f)
		if m.Intercept != 4.5 || m.Coefficients[0] != 0 || m.Coefficients[1] != 0 || m.Coefficients[2] != 0 {
			t.Errorf("%s: coefficients %v intercept %v; want zeros and 4.5", solver, m.Coefficients, m.Intercept)
		}
	}
	lr := regression.NewLinearRegression()
	lr.P.FitIntercept, lr.P.RegParam = false, 0.5
	_, err := lr.Fit(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), "label is constant") {
		t.Errorf("regularized fit of a constant label without intercept: err = %v", err)
	}
	lr.P.RegParam = 0
	m := fitLinear(t, lr, f)
	// Least squares through the origin: the residuals are orthogonal to
	// every feature.
	for j := range 3 {
		dot := 0.0
		for i, r := range x {
			dot += r[j] * m.Summary.Residuals[i]
		}
		if math.Abs(dot) > 1e-8 {
			t.Errorf("OLS through the origin of a constant label: Xᵀr[%d] = %v, want 0", j, dot)
		}
	}
}

func TestLinearRegressionBadInput(t *testing.T) {
	ctx := context.Background()
	x, y := linearData(10)
	good := mustFrame(t, x, y, nil)
	nanY := append([]float64(nil), y...)
	nanY[3] = math.NaN()
	negW := make([]float64, len(y))
	zeroW := make([]float64, len(y))
	for i := range negW {
		negW[i] = 1
	}
	negW[6] = -1
	empty := mustFrame(t, nil, nil, nil)
	tests := []struct {
		name   string
		f      *ml.Frame
		params map[string]any
		want   string
	}{
		{"nan label", mustFrame(t, x, nanY, nil), nil, "column label, row 4"},
		{"empty", empty, nil, "no rows"},
		{"negative weight", mustFrame(t, x, y, negW), map[string]any{"weightCol": "weight"}, "row 7: weight -1 is negative"},
		{"zero weights", mustFrame(t, x, y, zeroW), map[string]any{"weightCol": "weight"}, "every weight is 0"},
		{"no weight column", good, map[string]any{"weightCol": "w"}, `no column "w"`},
		{"no features", good, map[string]any{"featuresCol": "f"}, `no column "f"`},
		{"features not a vector", good, map[string]any{"featuresCol": "label"}, "want a vector column"},
		{"elasticNetParam", good, map[string]any{"elasticNetParam": 1.5}, "elasticNetParam is 1.5"},
		{"regParam", good, map[string]any{"regParam": -1.0}, "regParam is -1"},
		{"solver", good, map[string]any{"solver": "qr"}, `solver is "qr"`},
		{"loss", good, map[string]any{"loss": "squarederror"}, `did you mean "squaredError"`},
		{"epsilon", good, map[string]any{"loss": "huber", "epsilon": 1.0}, "epsilon is 1"},
		{"huber normal", good, map[string]any{"loss": "huber", "solver": "normal"}, "solver to auto or l-bfgs"},
		{"huber l1", good, map[string]any{"loss": "huber", "regParam": 0.1, "elasticNetParam": 0.5}, "L2 penalty only"},
		{"maxIter", good, map[string]any{"maxIter": -1}, "maxIter is -1"},
		{"prediction exists", good, map[string]any{"predictionCol": "label"}, `"label" already exists`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := regression.NewLinearRegression()
			setParams(t, lr, tt.params)
			_, err := lr.Fit(ctx, tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLinearRegressionCancel(t *testing.T) {
	x, y := linearData(50)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, solver := range []string{"normal", "l-bfgs"} {
		lr := regression.NewLinearRegression()
		lr.P.Solver = solver
		if _, err := lr.Fit(ctx, mustFrame(t, x, y, nil)); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", solver, err)
		}
	}
}

func TestLinearRegressionModelTransform(t *testing.T) {
	ctx := context.Background()
	x, y := linearData(25)
	f := mustFrame(t, x, y, nil)
	m := fitLinear(t, regression.NewLinearRegression(), f)
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	pred := floats(t, out, "prediction")
	for i, r := range x {
		if pred[i] != m.Predict(r) {
			t.Fatalf("row %d: prediction %v, Predict %v", i, pred[i], m.Predict(r))
		}
	}
	checkSlice(t, "training predictions", pred, m.Summary.Predictions, 0, 0)
	ev, err := m.Evaluate(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	checkValue(t, "evaluate rmse", ev.RMSE, m.Summary.RMSE, 1e-12, 0)
	if ev.CoefficientStandardErrors != nil {
		t.Error("Evaluate returned standard errors; Spark's evaluate has none")
	}
	short := mustFrame(t, [][]float64{{1, 2}}, []float64{1}, nil)
	if _, err := m.Transform(ctx, short); err == nil || !strings.Contains(err.Error(), "row 1: vector has 2 features, the model was fitted on 3") {
		t.Errorf("transform of 2-feature rows: err = %v", err)
	}
}

func TestLinearRegressionSaveLoad(t *testing.T) {
	ctx := context.Background()
	x, y := linearData(25)
	f := mustFrame(t, x, y, nil)
	for _, params := range []map[string]any{nil, {"loss": "huber", "regParam": 0.1}, {"fitIntercept": false, "predictionCol": "yhat"}} {
		lr := regression.NewLinearRegression()
		setParams(t, lr, params)
		m := fitLinear(t, lr, f)
		dir := filepath.Join(t.TempDir(), "lr")
		if err := ml.Save(dir, m); err != nil {
			t.Fatal(err)
		}
		st, err := ml.Load(dir, registry())
		if err != nil {
			t.Fatal(err)
		}
		lm := st.(*regression.LinearRegressionModel)
		if lm.Summary != nil || lm.Scale != m.Scale || lm.Intercept != m.Intercept || lm.P != m.P {
			t.Errorf("loaded model: summary %v scale %v intercept %v params %+v; want nil, %v, %v, %+v", lm.Summary, lm.Scale, lm.Intercept, lm.P, m.Scale, m.Intercept, m.P)
		}
		want, err := m.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := lm.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, "loaded predictions", floats(t, got, m.P.PredictionCol), floats(t, want, m.P.PredictionCol), 0, 0)
	}
	// The estimator round-trips with its params.
	lr := regression.NewLinearRegression()
	lr.P.RegParam, lr.P.Solver = 0.3, "l-bfgs"
	dir := filepath.Join(t.TempDir(), "est")
	if err := ml.Save(dir, lr); err != nil {
		t.Fatal(err)
	}
	st, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	if got := st.(*regression.LinearRegression).P; got != lr.P {
		t.Errorf("loaded params %+v, want %+v", got, lr.P)
	}
}
