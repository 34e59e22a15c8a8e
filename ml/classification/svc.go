package classification

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// LinearSVCParams are LinearSVC's params, with Spark's names. LinearSVC
// has no probability output, so there is no probabilityCol.
type LinearSVCParams struct {
	ml.PredictorCols
	RawPredictionCol string  `param:"rawPredictionCol" doc:"vector column of raw scores [-m, m] for margin m; empty to skip"`
	MaxIter          int     `param:"maxIter" doc:"maximum number of L-BFGS iterations (>= 0)"`
	RegParam         float64 `param:"regParam" doc:"L2 regularization strength (>= 0); with n rows and unit weights, scikit-learn's C is 1/(regParam·n)"`
	Tol              float64 `param:"tol" doc:"convergence tolerance of the iterations (>= 0)"`
	FitIntercept     bool    `param:"fitIntercept" doc:"fit an intercept term"`
	Standardization  bool    `param:"standardization" doc:"fit on standardized features, so the penalty applies to standardized coefficients"`
	Threshold        float64 `param:"threshold" doc:"predict 1 when the margin is above this value (any number; default 0)"`
	WeightCol        string  `param:"weightCol" doc:"column of non-negative instance weights; empty gives every row weight 1"`
	AggregationDepth int     `param:"aggregationDepth" doc:"accepted for Spark compatibility and ignored (>= 2)"`
	MaxBlockSizeInMB float64 `param:"maxBlockSizeInMB" doc:"accepted for Spark compatibility and ignored (>= 0)"`
}

// Validate checks each param's range, naming the param and the fix.
func (p LinearSVCParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	switch {
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; use 0 or more", p.MaxIter)
	case !(p.RegParam >= 0) || math.IsInf(p.RegParam, 0):
		return fmt.Errorf("regParam is %v; use a finite number >= 0", p.RegParam)
	case !(p.Tol >= 0):
		return fmt.Errorf("tol is %v; use a number >= 0 such as 1e-6", p.Tol)
	case math.IsNaN(p.Threshold):
		return fmt.Errorf("threshold is NaN; use a number (0 is the margin's sign)")
	case p.AggregationDepth < 2:
		return fmt.Errorf("aggregationDepth is %d; Spark requires >= 2 (Sluice ignores it)", p.AggregationDepth)
	case !(p.MaxBlockSizeInMB >= 0):
		return fmt.Errorf("maxBlockSizeInMB is %v; use 0 or more (Sluice ignores it)", p.MaxBlockSizeInMB)
	}
	return nil
}

func (p LinearSVCParams) cols() ml.ClassifierCols {
	return ml.ClassifierCols{PredictorCols: p.PredictorCols, RawPredictionCol: p.RawPredictionCol}
}

// LinearSVC fits a linear support vector machine for binary labels 0/1,
// as Spark's LinearSVC: it minimizes the weighted mean hinge loss
// max(0, 1 − y′·m) (y′ = ±1) plus regParam/2·‖β‖² with L-BFGS, in the
// standardized feature space when standardization is on. The hinge loss
// is not differentiable where y′·m = 1, so, as in Spark, the fit ends near
// the optimum rather than exactly at it.
type LinearSVC struct {
	P LinearSVCParams
}

var _ ml.Estimator = (*LinearSVC)(nil)

// NewLinearSVC returns a LinearSVC with Spark's defaults: maxIter 100,
// regParam 0, tol 1e-6, fitIntercept and standardization true,
// threshold 0, aggregationDepth 2.
func NewLinearSVC() *LinearSVC {
	return &LinearSVC{P: LinearSVCParams{
		PredictorCols: ml.DefaultPredictorCols(), RawPredictionCol: "rawPrediction",
		MaxIter: 100, Tol: 1e-6, FitIntercept: true, Standardization: true, AggregationDepth: 2,
	}}
}

// StageName returns "LinearSVC".
func (s *LinearSVC) StageName() string { return "LinearSVC" }

// Params returns the params.
func (s *LinearSVC) Params() any { return &s.P }

// TransformSchema checks the input columns and adds rawPrediction and
// prediction.
func (s *LinearSVC) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return fitSchema(in, s.P.cols(), s.P.WeightCol)
}

// Fit fits the model. Errors are as for LogisticRegression, plus labels
// other than 0 and 1.
func (s *LinearSVC) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := s.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("LinearSVC: %w", err)
	}
	return m, nil
}

func (s *LinearSVC) fit(ctx context.Context, f *ml.Frame) (*LinearSVCModel, error) {
	p := s.P
	d, k, err := loadTraining(ctx, f, s, p.cols(), p.WeightCol)
	if err != nil {
		return nil, err
	}
	if k != 2 {
		return nil, fmt.Errorf("label column %s has %d classes; LinearSVC is binary (labels 0 and 1) — use OneVsRest for more", p.LabelCol, k)
	}
	pool := newRowPool(d.N)
	defer pool.close()
	stats, err := computeStats(ctx, pool, d)
	if err != nil {
		return nil, err
	}
	if stats.wsum <= 0 {
		return nil, fmt.Errorf("weight column %s: every weight is 0; give some rows positive weight", p.WeightCol)
	}
	lp := newLinearProblem(d, hinge, 1, p.FitIntercept, p.Standardization, stats, p.RegParam, pool)
	res, err := minimize(ctx, lp.eval, make([]float64, lp.numParams()), p.MaxIter, p.Tol, nil)
	if err != nil {
		return nil, err
	}
	lp.setTheta(res.X)
	return &LinearSVCModel{
		P: p, Coefficients: append([]float64(nil), lp.coef...), Intercept: lp.icpt[0],
		ObjectiveHistory: res.History,
	}, nil
}

// LinearSVCModel is a fitted linear SVM: margin m = β·x + b,
// rawPrediction [-m, m], prediction 1 when m > threshold. It has no
// probabilities. Safe for concurrent use.
type LinearSVCModel struct {
	P            LinearSVCParams
	Coefficients []float64 // on the original feature scale
	Intercept    float64
	// ObjectiveHistory is the objective at the start and after each
	// iteration of the fit (nil for a loaded model).
	ObjectiveHistory []float64
}

var (
	_ ml.Model            = (*LinearSVCModel)(nil)
	_ ml.ClassifierKernel = (*LinearSVCModel)(nil)
)

// StageName returns "LinearSVCModel".
func (m *LinearSVCModel) StageName() string { return "LinearSVCModel" }

// Params returns the params.
func (m *LinearSVCModel) Params() any { return &m.P }

// NumClasses returns 2.
func (m *LinearSVCModel) NumClasses() int { return 2 }

// NumFeatures returns the number of features.
func (m *LinearSVCModel) NumFeatures() int { return len(m.Coefficients) }

// PredictRaw writes [-m, m].
func (m *LinearSVCModel) PredictRaw(x, raw []float64) {
	v := m.Intercept + dotRow(m.Coefficients, x)
	raw[0], raw[1] = -v, v
}

// RawToProbability reports false: LinearSVC has no probabilities.
func (m *LinearSVCModel) RawToProbability(raw, prob []float64) bool { return false }

// TransformSchema checks the features column and adds the outputs.
func (m *LinearSVCModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.cols())
}

// Transform adds rawPrediction and prediction.
func (m *LinearSVCModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	out, err := m.transform(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("LinearSVCModel: %w", err)
	}
	return out, nil
}

func (m *LinearSVCModel) transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	cols := m.P.cols()
	if m.P.Threshold == 0 { // argmax of [-m, m], ties to 0, is m > 0
		return ml.TransformClassifier(ctx, f, cols, nil, m)
	}
	if _, err := ml.ClassifierSchema(f.Schema(), cols); err != nil {
		return nil, err
	}
	cols.PredictionCol = ""
	out, err := ml.TransformClassifier(ctx, f, cols, nil, m)
	if err != nil {
		return nil, err
	}
	return ml.TransformRegressor(ctx, out, m.P.PredictorCols, m.NumFeatures(), func(x []float64) float64 {
		if m.Intercept+dotRow(m.Coefficients, x) > m.P.Threshold {
			return 1
		}
		return 0
	})
}
