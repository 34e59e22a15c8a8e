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

func fitGLM(t *testing.T, glr *regression.GeneralizedLinearRegression, f *ml.Frame) *regression.GeneralizedLinearRegressionModel {
	t.Helper()
	m, err := glr.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*regression.GeneralizedLinearRegressionModel)
}

// TestGLMPoissonTwoGroups: with one 0/1 feature the Poisson MLE is the
// group means: e^b = ȳ₀ = 2, e^(b+β) = ȳ₁ = 6, and the Fisher information
// gives var(b) = 1/Σy₀, var(β) = 1/Σy₀ + 1/Σy₁.
func TestGLMPoissonTwoGroups(t *testing.T) {
	x := [][]float64{{0}, {0}, {0}, {1}, {1}, {1}}
	y := []float64{1, 2, 3, 4, 6, 8}
	glr := regression.NewGeneralizedLinearRegression()
	glr.P.Family = "poisson"
	m := fitGLM(t, glr, mustFrame(t, x, y, nil))
	checkSlice(t, "coefficients", m.Coefficients, []float64{math.Log(3)}, 1e-6, 1e-9)
	checkValue(t, "intercept", m.Intercept, math.Log(2), 1e-6, 1e-9)
	s := m.Summary
	checkSlice(t, "coefficientStandardErrors", s.CoefficientStandardErrors, []float64{math.Sqrt(1.0/6 + 1.0/18), math.Sqrt(1.0 / 6)}, 1e-5, 0)
	dev := func(y, mu float64) float64 { return 2 * (y*math.Log(y/mu) - (y - mu)) }
	var wantDev, wantNull, wantAIC float64
	for i, v := range y {
		mu := 2.0
		if x[i][0] == 1 {
			mu = 6
		}
		wantDev += dev(v, mu)
		wantNull += dev(v, 4)
		lg, _ := math.Lgamma(v + 1)
		wantAIC += -2 * (v*math.Log(mu) - mu - lg)
	}
	checkValue(t, "deviance", s.Deviance, wantDev, 1e-9, 1e-12)
	checkValue(t, "nullDeviance", s.NullDeviance, wantNull, 1e-12, 0)
	checkValue(t, "aic", s.AIC, wantAIC+2*2, 1e-9, 0)
	if s.Dispersion != 1 || s.ResidualDegreeOfFreedom != 4 || s.ResidualDegreeOfFreedomNull != 5 || s.Rank != 2 {
		t.Errorf("dispersion %v rdof %d rdofNull %d rank %d; want 1, 4, 5, 2", s.Dispersion, s.ResidualDegreeOfFreedom, s.ResidualDegreeOfFreedomNull, s.Rank)
	}
	// p values from the standard normal: 2·(1 − Φ(|z|)).
	z := math.Log(3) / math.Sqrt(1.0/6+1.0/18)
	checkValue(t, "pValue", s.PValues[0], math.Erfc(z/math.Sqrt2), 1e-5, 0)
	resp, err := s.Residuals("response")
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "response residuals", resp, []float64{-1, 0, 1, -2, 0, 2}, 1e-6, 1e-6)
	devRes, _ := s.Residuals("deviance")
	var ss float64
	for _, r := range devRes {
		ss += r * r
	}
	checkValue(t, "Σ deviance residuals²", ss, s.Deviance, 1e-9, 1e-12)
	if _, err := s.Residuals("raw"); err == nil {
		t.Error("Residuals(raw): no error")
	}
}

// TestGLMBinomialTwoGroups: logit with one 0/1 feature fits the group
// proportions ¼ and ¾: b = log(1/3), β = 2·log 3, var(β) = Σ 1/(n p (1−p)).
func TestGLMBinomialTwoGroups(t *testing.T) {
	x := [][]float64{{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}}
	y := []float64{1, 0, 0, 0, 1, 1, 1, 0}
	for _, link := range []string{"", "logit"} {
		glr := regression.NewGeneralizedLinearRegression()
		glr.P.Family, glr.P.Link = "binomial", link
		m := fitGLM(t, glr, mustFrame(t, x, y, nil))
		checkSlice(t, "coefficients", m.Coefficients, []float64{2 * math.Log(3)}, 1e-6, 1e-9)
		checkValue(t, "intercept", m.Intercept, math.Log(1.0/3), 1e-6, 1e-9)
		checkSlice(t, "coefficientStandardErrors", m.Summary.CoefficientStandardErrors, []float64{math.Sqrt(8.0 / 3), math.Sqrt(4.0 / 3)}, 1e-5, 0)
		checkValue(t, "predict", m.Predict([]float64{1}, 0), 0.75, 1e-6, 0)
	}
}

// TestGLMGaussianIsLinearRegression: gaussian/identity gives OLS, with
// the residual variance as dispersion.
func TestGLMGaussianIsLinearRegression(t *testing.T) {
	x, y := linearData(40)
	f := mustFrame(t, x, y, nil)
	lm := fitLinear(t, regression.NewLinearRegression(), f)
	gm := fitGLM(t, regression.NewGeneralizedLinearRegression(), f)
	checkSlice(t, "coefficients", gm.Coefficients, lm.Coefficients, 1e-10, 1e-12)
	checkValue(t, "intercept", gm.Intercept, lm.Intercept, 1e-10, 1e-12)
	checkSlice(t, "standard errors", gm.Summary.CoefficientStandardErrors, lm.Summary.CoefficientStandardErrors, 1e-10, 0)
	checkValue(t, "dispersion", gm.Summary.Dispersion, lm.Summary.MSE*40/36, 1e-10, 0)
	if gm.Summary.NumIterations != 1 {
		t.Errorf("numIterations %d, want 1 (closed form)", gm.Summary.NumIterations)
	}
	// Ridge: the same standardized penalty as LinearRegression's normal solver.
	lr := regression.NewLinearRegression()
	lr.P.RegParam = 0.4
	glr := regression.NewGeneralizedLinearRegression()
	glr.P.RegParam = 0.4
	checkSlice(t, "ridge coefficients", fitGLM(t, glr, f).Coefficients, fitLinear(t, lr, f).Coefficients, 1e-10, 1e-12)
}

// glmData has count labels from a log-linear Poisson model.
func glmData(n int) (x [][]float64, y []float64) {
	rng := ml.NewRand(9)
	for range n {
		r := []float64{rng.Float64() * 2, rng.NormFloat64()}
		mu := math.Exp(0.3 + 0.5*r[0] - 0.4*r[1])
		// Poisson draw by inversion.
		k, p, u := 0.0, math.Exp(-mu), rng.Float64()
		for c := p; u > c; c += p {
			k++
			p *= mu / k
		}
		x = append(x, r)
		y = append(y, k)
	}
	return x, y
}

func TestGLMOffsetShiftsIntercept(t *testing.T) {
	x, y := glmData(60)
	off := make([]float64, len(y))
	for i := range off {
		off[i] = 0.7
	}
	glr := regression.NewGeneralizedLinearRegression()
	glr.P.Family = "poisson"
	glr.P.Tol = 1e-12
	a := fitGLM(t, glr, mustFrame(t, x, y, nil))
	glr.P.OffsetCol = "offset"
	b := fitGLM(t, glr, withColumn(t, mustFrame(t, x, y, nil), "offset", off))
	checkSlice(t, "coefficients", b.Coefficients, a.Coefficients, 1e-9, 1e-12)
	checkValue(t, "intercept", b.Intercept, a.Intercept-0.7, 1e-9, 1e-12)
	checkValue(t, "deviance", b.Summary.Deviance, a.Summary.Deviance, 1e-9, 0)
	checkValue(t, "nullDeviance", b.Summary.NullDeviance, a.Summary.NullDeviance, 1e-9, 0)
}

func TestGLMWeightsAreCounts(t *testing.T) {
	x, y := glmData(30)
	w := make([]float64, len(y))
	var xd [][]float64
	var yd []float64
	for i := range y {
		w[i] = float64(i%3 + 1)
		for range int(w[i]) {
			xd, yd = append(xd, x[i]), append(yd, y[i])
		}
	}
	for _, fam := range []string{"poisson", "gaussian"} {
		glr := regression.NewGeneralizedLinearRegression()
		glr.P.Family, glr.P.Tol = fam, 1e-12
		a := fitGLM(t, glr, mustFrame(t, xd, yd, nil))
		glr.P.WeightCol = "weight"
		b := fitGLM(t, glr, mustFrame(t, x, y, w))
		checkSlice(t, fam+" coefficients", b.Coefficients, a.Coefficients, 1e-8, 1e-10)
		checkValue(t, fam+" deviance", b.Summary.Deviance, a.Summary.Deviance, 1e-8, 0)
	}
}

func TestGLMTransform(t *testing.T) {
	ctx := context.Background()
	x, y := glmData(20)
	off := make([]float64, len(y))
	for i := range off {
		off[i] = float64(i%4) / 10
	}
	f := withColumn(t, mustFrame(t, x, y, nil), "offset", off)
	glr := regression.NewGeneralizedLinearRegression()
	glr.P.Family, glr.P.OffsetCol, glr.P.LinkPredictionCol = "poisson", "offset", "eta"
	m := fitGLM(t, glr, f)
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	pred, eta := floats(t, out, "prediction"), floats(t, out, "eta")
	for i, r := range x {
		wantEta := m.Intercept + off[i] + m.Coefficients[0]*r[0] + m.Coefficients[1]*r[1]
		if !close(eta[i], wantEta, 1e-12, 1e-12) || !close(pred[i], math.Exp(wantEta), 1e-12, 0) || pred[i] != m.Predict(r, off[i]) {
			t.Fatalf("row %d: prediction %v eta %v; want %v, %v", i, pred[i], eta[i], math.Exp(wantEta), wantEta)
		}
	}
	noOffset := mustFrame(t, x, y, nil)
	if _, err := m.Transform(ctx, noOffset); err == nil || !strings.Contains(err.Error(), `offsetCol: no column "offset"`) {
		t.Errorf("transform without the offset column: err = %v", err)
	}
}

func TestGLMTweedieLinks(t *testing.T) {
	x, y := glmData(50)
	f := mustFrame(t, x, y, nil)
	// variancePower 1 with linkPower 0 is poisson/log.
	pois := regression.NewGeneralizedLinearRegression()
	pois.P.Family, pois.P.Tol = "poisson", 1e-12
	want := fitGLM(t, pois, f)
	tw := regression.NewGeneralizedLinearRegression()
	tw.P.Family, tw.P.VariancePower, tw.P.Tol = "tweedie", 1, 1e-12
	got := fitGLM(t, tw, f) // default link power 1 − 1 = 0: log
	checkSlice(t, "tweedie(1) coefficients", got.Coefficients, want.Coefficients, 1e-9, 1e-12)
	checkValue(t, "tweedie(1) aic", got.Summary.AIC, want.Summary.AIC, 1e-9, 0)
	if got.Summary.Dispersion == 1 {
		t.Error("tweedie(1) dispersion is 1; Spark estimates it for the tweedie family param")
	}
	tw.P.VariancePower, tw.P.LinkPower = 1.5, 0
	m := fitGLM(t, tw, f)
	if !math.IsNaN(m.Summary.AIC) {
		t.Errorf("tweedie(1.5) aic = %v, want NaN", m.Summary.AIC)
	}
}

func TestGLMBadInput(t *testing.T) {
	x, y := glmData(10)
	good := mustFrame(t, x, y, nil)
	neg := append([]float64(nil), y...)
	neg[4] = -1
	frac := append([]float64(nil), y...)
	frac[2] = 0.5
	nanOff := make([]float64, len(y))
	nanOff[5] = math.NaN()
	tests := []struct {
		name   string
		f      *ml.Frame
		params map[string]any
		want   string
	}{
		{"binomial log", good, map[string]any{"family": "binomial", "link": "log"}, "family binomial does not support link log; use logit, probit, cloglog"},
		{"gamma logit", good, map[string]any{"family": "gamma", "link": "logit"}, "use inverse, identity, log"},
		{"unknown family", good, map[string]any{"family": "poison"}, `did you mean "poisson"`},
		{"unknown link", good, map[string]any{"family": "poisson", "link": "logg"}, `did you mean "log"`},
		{"tweedie with link", good, map[string]any{"family": "tweedie", "link": "log"}, "clear link and set linkPower"},
		{"variancePower", good, map[string]any{"family": "tweedie", "variancePower": 0.5}, "variancePower is 0.5"},
		{"variancePower elsewhere", good, map[string]any{"family": "poisson", "variancePower": 1.5}, "tweedie only"},
		{"linkPower elsewhere", good, map[string]any{"family": "gamma", "linkPower": 0.0}, "linkPower applies to family tweedie only"},
		{"solver", good, map[string]any{"solver": "l-bfgs"}, "irls only"},
		{"maxIter", good, map[string]any{"maxIter": -2}, "maxIter is -2"},
		{"negative count", mustFrame(t, x, neg, nil), map[string]any{"family": "poisson"}, "column label, row 5: label -1 is out of range for family poisson"},
		{"binomial count", good, map[string]any{"family": "binomial"}, "needs labels between 0 and 1"},
		{"gamma zero", mustFrame(t, x, frac, nil), map[string]any{"family": "gamma"}, "needs labels > 0"},
		{"gaussian log of zero", good, map[string]any{"link": "log"}, "has no value under link log"},
		{"nan offset", withColumn(t, good, "offset", nanOff), map[string]any{"family": "poisson", "offsetCol": "offset"}, "column offset, row 6: offsetCol is NaN"},
		{"missing offset", good, map[string]any{"offsetCol": "exposure"}, `offsetCol: no column "exposure"`},
		{"no outputs", good, map[string]any{"predictionCol": ""}, "set at least one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			glr := regression.NewGeneralizedLinearRegression()
			setParams(t, glr, tt.params)
			_, err := glr.Fit(context.Background(), tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestGLMMaxIter(t *testing.T) {
	x, y := glmData(40)
	glr := regression.NewGeneralizedLinearRegression()
	glr.P.Family, glr.P.MaxIter = "poisson", 1
	m := fitGLM(t, glr, mustFrame(t, x, y, nil))
	if s := m.Summary; s.Converged || s.NumIterations != 1 || len(s.Warnings) == 0 {
		t.Errorf("converged %v after %d iterations, warnings %q; want false, 1, a warning", s.Converged, s.NumIterations, s.Warnings)
	}
}

func TestGLMSaveLoad(t *testing.T) {
	ctx := context.Background()
	x, y := glmData(30)
	for i := range y {
		y[i] += 0.5 // positive for gamma and tweedie power links
	}
	f := mustFrame(t, x, y, nil)
	for _, params := range []map[string]any{
		{"family": "poisson", "linkPredictionCol": "eta"},
		{"family": "gamma", "link": "log", "fitIntercept": false},
		{"family": "tweedie", "variancePower": 1.6},
		{"family": "tweedie", "variancePower": 1.6, "linkPower": 0.3},
	} {
		glr := regression.NewGeneralizedLinearRegression()
		setParams(t, glr, params)
		m := fitGLM(t, glr, f)
		dir := filepath.Join(t.TempDir(), "glm")
		if err := ml.Save(dir, m); err != nil {
			t.Fatal(err)
		}
		st, err := ml.Load(dir, registry())
		if err != nil {
			t.Fatal(err)
		}
		gm := st.(*regression.GeneralizedLinearRegressionModel)
		if gm.Summary != nil || gm.Intercept != m.Intercept || gm.P.Family != m.P.Family || !(gm.P.LinkPower == m.P.LinkPower || math.IsNaN(gm.P.LinkPower) && math.IsNaN(m.P.LinkPower)) {
			t.Errorf("%v: loaded %+v, want %+v", params, gm.P, m.P)
		}
		want, err := m.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := gm.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, "loaded predictions", floats(t, got, "prediction"), floats(t, want, "prediction"), 0, 0)
	}
}
