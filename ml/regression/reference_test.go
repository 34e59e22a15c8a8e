package regression_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml/regression"
)

func TestLinearRegressionReference(t *testing.T) {
	ref := loadReference(t)
	ctx := context.Background()
	for _, c := range ref.Linear.Cases {
		t.Run(c.Name, func(t *testing.T) {
			y := ref.Linear.Y
			if c.Scale != nil {
				y = ref.Linear.YHuber
			}
			var w []float64
			if c.Weighted {
				w = ref.Linear.W
			}
			f := mustFrame(t, ref.Linear.X, y, w)
			lr := regression.NewLinearRegression()
			setParams(t, lr, c.Params)
			if c.Weighted {
				lr.P.WeightCol = "weight"
			}
			lr.P.MaxIter, lr.P.Tol = 100000, 1e-12
			m, err := lr.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			lm := m.(*regression.LinearRegressionModel)
			rel := 1e-8
			switch {
			case c.Scale != nil:
				rel = 2e-5
			case lr.P.Solver == regression.SolverLBFGS:
				rel = 1e-6
			case lr.P.ElasticNetParam > 0:
				rel = 1e-7
			}
			checkSlice(t, "coefficients", lm.Coefficients, c.Coefficients, rel, rel)
			checkValue(t, "intercept", lm.Intercept, c.Intercept, rel, rel)
			if c.Scale != nil {
				checkValue(t, "scale", lm.Scale, *c.Scale, rel, rel)
			}
			s := lm.Summary
			checkValue(t, "mse", s.MSE, c.Metrics.MSE, rel, 0)
			checkValue(t, "rmse", s.RMSE, c.Metrics.RMSE, rel, 0)
			checkValue(t, "mae", s.MAE, c.Metrics.MAE, rel, 0)
			checkValue(t, "r2", s.R2, c.Metrics.R2, rel, 0)
			checkValue(t, "r2adj", s.R2Adj, c.Metrics.R2Adj, rel, 0)
			checkValue(t, "explainedVariance", s.ExplainedVariance, c.Metrics.ExplainedVariance, rel, 0)
			if c.StdErrors != nil {
				checkSlice(t, "coefficientStandardErrors", s.CoefficientStandardErrors, c.StdErrors, 1e-8, 0)
				checkSlice(t, "tValues", s.TValues, c.TValues, 1e-8, 0)
				checkSlice(t, "pValues", s.PValues, c.PValues, 1e-6, 1e-300)
			} else if s.CoefficientStandardErrors != nil && lr.P.ElasticNetParam > 0 {
				t.Errorf("standard errors %v for an L1 fit; Spark has none", s.CoefficientStandardErrors)
			}
			if s.NumInstances != len(y) || len(s.Residuals) != len(y) {
				t.Errorf("numInstances %d, %d residuals; want %d", s.NumInstances, len(s.Residuals), len(y))
			}
		})
	}
}

func TestGeneralizedLinearRegressionReference(t *testing.T) {
	ref := loadReference(t)
	ctx := context.Background()
	for _, c := range ref.GLM {
		t.Run(c.Name, func(t *testing.T) {
			f := mustFrame(t, c.X, c.Y, c.W)
			glr := regression.NewGeneralizedLinearRegression()
			setParams(t, glr, c.Params)
			glr.P.WeightCol = "weight"
			if c.Offset != nil {
				f = withColumn(t, f, "offset", c.Offset)
				glr.P.OffsetCol = "offset"
			}
			glr.P.MaxIter, glr.P.Tol = 200, 1e-11
			m, err := glr.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			gm := m.(*regression.GeneralizedLinearRegressionModel)
			checkSlice(t, "coefficients", gm.Coefficients, c.Coefficients, 1e-7, 1e-9)
			checkValue(t, "intercept", gm.Intercept, c.Intercept, 1e-7, 1e-9)
			s := gm.Summary
			if !s.Converged {
				t.Errorf("not converged after %d iterations", s.NumIterations)
			}
			checkValue(t, "dispersion", s.Dispersion, c.Dispersion, 1e-7, 0)
			checkValue(t, "deviance", s.Deviance, c.Deviance, 1e-8, 1e-10)
			checkValue(t, "nullDeviance", s.NullDeviance, c.NullDeviance, 1e-8, 0)
			if c.AIC != nil {
				checkValue(t, "aic", s.AIC, *c.AIC, 1e-8, 0)
			} else if !math.IsNaN(s.AIC) {
				t.Errorf("aic = %v, want NaN (tweedie)", s.AIC)
			}
			if s.ResidualDegreeOfFreedom != c.ResidualDOF {
				t.Errorf("residualDegreeOfFreedom = %d, want %d", s.ResidualDegreeOfFreedom, c.ResidualDOF)
			}
			checkSlice(t, "coefficientStandardErrors", s.CoefficientStandardErrors, c.StdErrors, 1e-6, 0)
			checkSlice(t, "tValues", s.TValues, c.TValues, 1e-6, 0)
			checkSlice(t, "pValues", s.PValues, c.PValues, 1e-5, 1e-300)
		})
	}
}

func TestIsotonicRegressionReference(t *testing.T) {
	ref := loadReference(t)
	ctx := context.Background()
	for _, c := range ref.Isotonic {
		// The feature as a numeric column, and as element 1 of a vector.
		for _, asVector := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/vector=%v", c.Name, asVector), func(t *testing.T) {
				x := make([][]float64, len(c.X))
				for i, v := range c.X {
					x[i] = []float64{-v, v}
				}
				f := withColumn(t, mustFrame(t, x, c.Y, c.W), "x", c.X)
				ir := regression.NewIsotonicRegression()
				ir.P.Isotonic = c.Isotonic
				if asVector {
					ir.P.FeatureIndex = 1
				} else {
					ir.P.FeaturesCol = "x"
				}
				if c.W != nil {
					ir.P.WeightCol = "weight"
				}
				m, err := ir.Fit(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				im := m.(*regression.IsotonicRegressionModel)
				checkSlice(t, "boundaries", im.Boundaries, c.Boundaries, 0, 0)
				checkSlice(t, "predictions", im.Predictions, c.Predictions, 1e-12, 1e-12)
				got := make([]float64, len(c.Test))
				for i, v := range c.Test {
					got[i] = im.Predict(v)
				}
				checkSlice(t, "test predictions", got, c.TestPredictions, 1e-12, 1e-12)
			})
		}
	}
}
