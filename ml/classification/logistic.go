package classification

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/optim"
)

// LogisticRegressionParams are LogisticRegression's params, with Spark's
// names and (from NewLogisticRegression) Spark's defaults.
type LogisticRegressionParams struct {
	ml.ClassifierCols
	MaxIter          int       `param:"maxIter" doc:"maximum number of optimizer iterations (>= 0)"`
	RegParam         float64   `param:"regParam" doc:"regularization strength (>= 0); with n rows and unit weights, scikit-learn's C is 1/(regParam·n)"`
	ElasticNetParam  float64   `param:"elasticNetParam" doc:"share of the penalty that is L1, in [0, 1]: 0 is ridge (L2), 1 is lasso (L1)"`
	Tol              float64   `param:"tol" doc:"convergence tolerance of the iterations (>= 0); smaller is more accurate and slower"`
	FitIntercept     bool      `param:"fitIntercept" doc:"fit an intercept term"`
	Standardization  bool      `param:"standardization" doc:"fit on standardized features, so the penalty applies to standardized coefficients; coefficients are always reported on the original scale"`
	Family           string    `param:"family" doc:"auto (binomial for 2 classes, else multinomial), binomial or multinomial"`
	Threshold        float64   `param:"threshold" doc:"binary models: predict 1 when P(class 1) > threshold, in [0, 1]"`
	Thresholds       []float64 `param:"thresholds" doc:"one threshold per class: the class with the largest probability/threshold wins; overrides threshold; empty for none"`
	WeightCol        string    `param:"weightCol" doc:"column of non-negative instance weights; empty gives every row weight 1"`
	AggregationDepth int       `param:"aggregationDepth" doc:"accepted for Spark compatibility and ignored (>= 2)"`
}

// Validate checks each param's range, naming the param and the fix.
func (p LogisticRegressionParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	switch {
	case p.MaxIter < 0:
		return fmt.Errorf("maxIter is %d; use 0 or more", p.MaxIter)
	case !(p.RegParam >= 0) || math.IsInf(p.RegParam, 0):
		return fmt.Errorf("regParam is %v; use a finite number >= 0", p.RegParam)
	case !(p.ElasticNetParam >= 0 && p.ElasticNetParam <= 1):
		return fmt.Errorf("elasticNetParam is %v; use a number in [0, 1] (0 = L2, 1 = L1)", p.ElasticNetParam)
	case !(p.Tol >= 0):
		return fmt.Errorf("tol is %v; use a number >= 0 such as 1e-6", p.Tol)
	case !(p.Threshold >= 0 && p.Threshold <= 1):
		return fmt.Errorf("threshold is %v; use a probability in [0, 1]", p.Threshold)
	case p.AggregationDepth < 2:
		return fmt.Errorf("aggregationDepth is %d; Spark requires >= 2 (Sluice ignores it)", p.AggregationDepth)
	}
	switch p.Family {
	case "auto", "binomial", "multinomial":
	default:
		return fmt.Errorf("family %q: use auto, binomial or multinomial", p.Family)
	}
	return ml.ValidateThresholds(p.Thresholds, len(p.Thresholds))
}

// LogisticRegression fits a binomial or multinomial logistic regression
// with optional elastic-net regularization, as Spark's
// LogisticRegression: it minimizes the weighted mean log loss plus
// regParam·(α‖β‖₁ + (1−α)/2‖β‖₂²) with L-BFGS, or OWL-QN when the L1 part
// is positive. With standardization the features are scaled to unit
// (sample) standard deviation for fitting, so the penalty applies to the
// standardized coefficients; coefficients and intercepts are reported on
// the original scale either way. Constant features get coefficient 0.
//
// Each pass over the data is split across GOMAXPROCS goroutines by row
// range; passes allocate nothing.
type LogisticRegression struct {
	P LogisticRegressionParams
}

var _ ml.Estimator = (*LogisticRegression)(nil)

// NewLogisticRegression returns a LogisticRegression with Spark's
// defaults: maxIter 100, regParam 0, elasticNetParam 0, tol 1e-6,
// fitIntercept and standardization true, family auto, threshold 0.5,
// aggregationDepth 2.
func NewLogisticRegression() *LogisticRegression {
	return &LogisticRegression{P: LogisticRegressionParams{
		ClassifierCols: ml.DefaultClassifierCols(),
		MaxIter:        100, Tol: 1e-6, FitIntercept: true, Standardization: true,
		Family: "auto", Threshold: 0.5, Thresholds: []float64{}, AggregationDepth: 2,
	}}
}

// StageName returns "LogisticRegression".
func (lr *LogisticRegression) StageName() string { return "LogisticRegression" }

// Params returns the params.
func (lr *LogisticRegression) Params() any { return &lr.P }

// TransformSchema checks the features, label and weight columns and adds
// the output columns.
func (lr *LogisticRegression) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return fitSchema(in, lr.P.ClassifierCols, lr.P.WeightCol)
}

// fitSchema is the schema check every classifier estimator shares.
func fitSchema(in *arrow.Schema, cols ml.ClassifierCols, weightCol string) (*arrow.Schema, error) {
	if err := ml.CheckNumericCol(in, "labelCol", cols.LabelCol); err != nil {
		return nil, err
	}
	if weightCol != "" {
		if err := ml.CheckNumericCol(in, "weightCol", weightCol); err != nil {
			return nil, err
		}
	}
	return ml.ClassifierSchema(in, cols)
}

// loadTraining validates params and schema, loads the dataset and counts
// the classes: the start of every classifier's Fit.
// The caller calls release when done with d.X.
func loadTraining(ctx context.Context, f *ml.Frame, s ml.Stage, cols ml.ClassifierCols, weightCol string) (d *ml.Dataset, numClasses int, release func(), err error) {
	if v, ok := s.Params().(ml.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, 0, nil, err
		}
	}
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, 0, nil, err
	}
	d, release, err = loadDataset(ctx, f, cols.FeaturesCol, cols.LabelCol, weightCol)
	if err != nil {
		return nil, 0, nil, err
	}
	k, err := ml.ClassCount(f, cols.LabelCol, d.Y)
	if err != nil {
		release()
		return nil, 0, nil, err
	}
	return d, k, release, nil
}

// classWeights returns the total weight of each class.
func classWeights(d *ml.Dataset, k int) []float64 {
	h := make([]float64, k)
	for i, y := range d.Y {
		h[int(y)] += d.Weight(i)
	}
	return h
}

// Fit fits the model. Errors name the bad param, column or row: invalid
// params, a missing or mistyped column, NULL/NaN values, a label that is
// not a class index, a single class, all weights 0, family binomial with
// more than two classes, thresholds of the wrong length. ctx is checked
// between iterations.
func (lr *LogisticRegression) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	m, err := lr.fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("LogisticRegression: %w", err)
	}
	return m, nil
}

func (lr *LogisticRegression) fit(ctx context.Context, f *ml.Frame) (*LogisticRegressionModel, error) {
	p := lr.P
	d, numClasses, release, err := loadTraining(ctx, f, lr, p.ClassifierCols, p.WeightCol)
	if err != nil {
		return nil, err
	}
	defer release()
	multi := numClasses > 2
	switch p.Family {
	case "binomial":
		if numClasses > 2 {
			return nil, fmt.Errorf("family binomial needs 2 classes, label column %s has %d; use family multinomial or auto", p.LabelCol, numClasses)
		}
	case "multinomial":
		multi = true
	}
	if err := ml.ValidateThresholds(p.Thresholds, numClasses); err != nil {
		return nil, err
	}
	hist := classWeights(d, numClasses)
	if !multi {
		for k, h := range hist {
			if h == 0 {
				return nil, fmt.Errorf("weight column %s: class %d has total weight 0; a binary model needs weight on both classes", p.WeightCol, k)
			}
		}
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
	kind, K := logistic, 1
	if multi {
		kind, K = multinomial, numClasses
	}
	lp := newLinearProblem(d, kind, K, p.FitIntercept, p.Standardization, stats, p.RegParam*(1-p.ElasticNetParam), pool)
	theta := make([]float64, lp.numParams())
	if p.FitIntercept {
		if multi {
			var mean float64
			for k, h := range hist {
				theta[K*d.D+k] = math.Log1p(h)
				mean += math.Log1p(h) / float64(K)
			}
			for k := range K {
				theta[K*d.D+k] -= mean
			}
		} else {
			theta[d.D] = math.Log(hist[1] / hist[0])
		}
	}
	res, err := minimize(ctx, lp.eval, theta, p.MaxIter, p.Tol, lp.l1Weights(p.RegParam*p.ElasticNetParam, p.Standardization))
	if err != nil {
		return nil, err
	}
	lp.setTheta(res.X)
	m := &LogisticRegressionModel{P: p, IsMultinomial: multi, numClasses: numClasses}
	m.CoefficientMatrix = make([][]float64, K)
	for k := range K {
		m.CoefficientMatrix[k] = append([]float64(nil), lp.coef[k*d.D:(k+1)*d.D]...)
	}
	m.InterceptVector = append([]float64(nil), lp.icpt...)
	if multi {
		centerMultinomial(m.CoefficientMatrix, m.InterceptVector, p.RegParam == 0, p.FitIntercept)
	}
	m.summary = &LogisticRegressionTrainingSummary{
		ObjectiveHistory: res.History, TotalIterations: res.Iterations,
		model: m, frame: f, labels: d.Y, weights: d.W,
	}
	return m, nil
}

// minimize runs L-BFGS, or OWL-QN when some L1 weight is positive.
func minimize(ctx context.Context, fn optim.Func, theta []float64, maxIter int, tol float64, l1 []float64) (*optim.Result, error) {
	cfg := optim.Config{MaxIter: maxIter, Tol: tol, M: 10}
	for _, v := range l1 {
		if v > 0 {
			return optim.OWLQN(ctx, fn, theta, l1, cfg)
		}
	}
	res, err := optim.LBFGS(ctx, fn, theta, cfg)
	if errors.Is(err, optim.ErrNotFinite) {
		return nil, fmt.Errorf("%w; check for extreme feature values", err)
	}
	return res, err
}

// centerMultinomial makes the over-parameterized multinomial solution
// unique as Spark does: intercepts centered to mean 0 (when fitted), and,
// without regularization, each feature's coefficients centered across
// classes (softmax is unchanged by both).
func centerMultinomial(coef [][]float64, icpt []float64, centerCoef, centerIcpt bool) {
	K := float64(len(coef))
	if centerCoef && len(coef) > 0 {
		for j := range coef[0] {
			var s float64
			for k := range coef {
				s += coef[k][j]
			}
			for k := range coef {
				coef[k][j] -= s / K
			}
		}
	}
	if centerIcpt {
		var s float64
		for _, v := range icpt {
			s += v
		}
		for k := range icpt {
			icpt[k] -= s / K
		}
	}
}
