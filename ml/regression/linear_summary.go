package regression

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

// LinearRegressionSummary holds Spark's LinearRegressionSummary for a
// model on one data set. Metrics use the instance weights; with
// fitIntercept false R2 is Spark's "through the origin" form
// 1 − Σw(y−ŷ)²/Σw·y².
type LinearRegressionSummary struct {
	// NumInstances is the number of rows; DegreesOfFreedom is
	// NumInstances minus the number of coefficients (and 1 for the
	// intercept).
	NumInstances     int
	DegreesOfFreedom int
	// MSE, RMSE and MAE are the weighted mean squared error, its root and
	// the weighted mean absolute error.
	MSE, RMSE, MAE float64
	// R2 is the coefficient of determination (Spark's RegressionMetrics),
	// R2Adj the adjusted one: 1 − (1 − R2)(n − k₀)/(n − p − k₀), k₀ = 1
	// with an intercept.
	R2, R2Adj float64
	// ExplainedVariance is Spark's Σw(ŷ − ȳ)²/Σw.
	ExplainedVariance float64
	// Predictions and Residuals (label − prediction), one per row.
	Predictions, Residuals []float64
	// CoefficientStandardErrors, TValues and PValues follow Spark's order:
	// the coefficients, then the intercept when fitted. They exist only
	// for squared-error models the normal solver fitted without an L1
	// penalty (nil otherwise, as Spark throws there); entries of constant
	// features are NaN. PValues are two-sided, from Student's t with
	// DegreesOfFreedom.
	CoefficientStandardErrors, TValues, PValues []float64
}

// LinearRegressionTrainingSummary adds the optimization trace to the
// summary of the training data.
type LinearRegressionTrainingSummary struct {
	LinearRegressionSummary
	// ObjectiveHistory is the objective at the start and after each
	// iteration, in Spark's scaled space: for squared error the label is
	// divided by its standard deviation, for Huber it is the Huber
	// objective itself. The normal solver's closed form has one value, the
	// objective at the solution (Spark records 0 there).
	ObjectiveHistory []float64
	// TotalIterations is len(ObjectiveHistory) − 1.
	TotalIterations int
	// Converged is false when maxIter stopped the solver first.
	Converged bool
	// Solver is the solver used: normal or l-bfgs.
	Solver string
	// ConstantFeatures lists features constant on the training rows,
	// whose coefficients are 0.
	ConstantFeatures []int
	// Warnings explain constant features and labels and non-convergence.
	Warnings []string
}

// summarize computes the summary on ds; inference adds the standard
// errors the training fit left in m.diagInv.
func (m *LinearRegressionModel) summarize(ds *ml.Dataset, inference bool) (*LinearRegressionSummary, error) {
	s := &LinearRegressionSummary{NumInstances: ds.N, Predictions: make([]float64, ds.N), Residuals: make([]float64, ds.N)}
	for i := range ds.N {
		s.Predictions[i] = m.Predict(ds.Row(i))
		s.Residuals[i] = ds.Y[i] - s.Predictions[i]
	}
	met, err := evaluation.Regression(s.Predictions, ds.Y, ds.W)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	s.MSE, s.RMSE, s.MAE, s.R2, s.ExplainedVariance = met.MSE, met.RMSE, met.MAE, met.R2, met.ExplainedVariance
	k0 := 0
	if m.P.FitIntercept {
		k0 = 1
	} else {
		var yy float64
		for i, y := range ds.Y {
			yy += ds.Weight(i) * y * y
		}
		s.R2 = 1 - met.MSE*met.WeightSum/yy
	}
	np := len(m.Coefficients)
	s.DegreesOfFreedom = ds.N - np - k0
	s.R2Adj = 1 - (1-s.R2)*float64(ds.N-k0)/float64(ds.N-np-k0)
	if inference && m.diagInv != nil && len(m.diagInv) == np+k0 {
		var rss float64
		for i, r := range s.Residuals {
			rss += ds.Weight(i) * r * r
		}
		sigma2 := rss / float64(s.DegreesOfFreedom)
		coef := append(append([]float64(nil), m.Coefficients...), m.Intercept)[:np+k0]
		s.CoefficientStandardErrors, s.TValues, s.PValues = tTests(coef, m.diagInv, sigma2, float64(s.DegreesOfFreedom), false)
	}
	return s, nil
}

// tTests returns standard errors √(diag·dispersion), t values and
// two-sided p values from Student's t with dof degrees of freedom (the
// standard normal when normal is true). A non-positive dof gives NaN p
// values.
func tTests(coef, diag []float64, dispersion, dof float64, normal bool) (se, t, p []float64) {
	se, t, p = make([]float64, len(coef)), make([]float64, len(coef)), make([]float64, len(coef))
	for i, c := range coef {
		se[i] = math.Sqrt(diag[i] * dispersion)
		t[i] = c / se[i]
		switch {
		case math.IsNaN(t[i]):
			p[i] = math.NaN()
		case normal:
			p[i] = math.Erfc(math.Abs(t[i]) / math.Sqrt2) // 2·(1 − Φ(|t|)), accurate in the tail
		case dof > 0:
			p[i] = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: dof}.Survival(math.Abs(t[i]))
		default:
			p[i] = math.NaN()
		}
	}
	return se, t, p
}
