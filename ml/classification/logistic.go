package classification

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

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
	MaxBlockSizeInMB float64   `param:"maxBlockSizeInMB" doc:"accepted for Spark compatibility and ignored (>= 0)"`

	LowerBoundsOnCoefficients [][]float64 `param:"lowerBoundsOnCoefficients" doc:"lower bounds on the coefficients (original scale): 1 row (binomial) or one per class, one value per feature; empty for none"`
	UpperBoundsOnCoefficients [][]float64 `param:"upperBoundsOnCoefficients" doc:"upper bounds on the coefficients, shaped like lowerBoundsOnCoefficients; empty for none"`
	LowerBoundsOnIntercepts   []float64   `param:"lowerBoundsOnIntercepts" doc:"lower bounds on the intercepts: 1 (binomial) or one per class; empty for none"`
	UpperBoundsOnIntercepts   []float64   `param:"upperBoundsOnIntercepts" doc:"upper bounds on the intercepts; empty for none"`
}

// bounded reports whether any bound param is set.
func (p LogisticRegressionParams) bounded() bool {
	return len(p.LowerBoundsOnCoefficients) > 0 || len(p.UpperBoundsOnCoefficients) > 0 ||
		len(p.LowerBoundsOnIntercepts) > 0 || len(p.UpperBoundsOnIntercepts) > 0
}

// checkBounds validates the bound params against the model shape
// (rows coefficient sets of d features); rows < 0 skips the shape checks.
func (p LogisticRegressionParams) checkBounds(rows, d int) error {
	if !p.bounded() {
		return nil
	}
	if p.RegParam*p.ElasticNetParam > 0 {
		return fmt.Errorf("bounds on coefficients or intercepts need an L2-only penalty; set elasticNetParam to 0 (Spark's rule)")
	}
	if !p.FitIntercept && (len(p.LowerBoundsOnIntercepts) > 0 || len(p.UpperBoundsOnIntercepts) > 0) {
		return fmt.Errorf("bounds on intercepts need fitIntercept true")
	}
	mats := []struct {
		name string
		m    [][]float64
	}{{"lowerBoundsOnCoefficients", p.LowerBoundsOnCoefficients}, {"upperBoundsOnCoefficients", p.UpperBoundsOnCoefficients}}
	for _, mt := range mats {
		if len(mt.m) == 0 {
			continue
		}
		if rows >= 0 && len(mt.m) != rows {
			return fmt.Errorf("%s has %d rows; the model has %d coefficient rows (1 for binomial, one per class for multinomial)", mt.name, len(mt.m), rows)
		}
		for k, r := range mt.m {
			if (rows >= 0 && len(r) != d) || len(r) != len(mt.m[0]) {
				return fmt.Errorf("%s row %d has %d values; the features have %d", mt.name, k, len(r), d)
			}
		}
	}
	for _, v := range []struct {
		name string
		v    []float64
	}{{"lowerBoundsOnIntercepts", p.LowerBoundsOnIntercepts}, {"upperBoundsOnIntercepts", p.UpperBoundsOnIntercepts}} {
		if rows >= 0 && len(v.v) > 0 && len(v.v) != rows {
			return fmt.Errorf("%s has %d values; the model has %d intercepts", v.name, len(v.v), rows)
		}
	}
	lo, hi := p.LowerBoundsOnCoefficients, p.UpperBoundsOnCoefficients
	if len(lo) > 0 && len(hi) > 0 && len(lo) == len(hi) {
		for k := range lo {
			for j := range min(len(lo[k]), len(hi[k])) {
				if !(lo[k][j] <= hi[k][j]) {
					return fmt.Errorf("coefficient bounds [%v, %v] at row %d, feature %d: lower must be <= upper", lo[k][j], hi[k][j], k, j)
				}
			}
		}
	}
	li, hiI := p.LowerBoundsOnIntercepts, p.UpperBoundsOnIntercepts
	for k := range min(len(li), len(hiI)) {
		if !(li[k] <= hiI[k]) {
			return fmt.Errorf("intercept bounds [%v, %v] for intercept %d: lower must be <= upper", li[k], hiI[k], k)
		}
	}
	return nil
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
	case !(p.MaxBlockSizeInMB >= 0):
		return fmt.Errorf("maxBlockSizeInMB is %v; use 0 or more (Sluice ignores it)", p.MaxBlockSizeInMB)
	}
	switch p.Family {
	case "auto", "binomial", "multinomial":
	default:
		return fmt.Errorf("family %q: use auto, binomial or multinomial", p.Family)
	}
	if err := p.checkBounds(-1, 0); err != nil {
		return err
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
// Bounds on coefficients and intercepts (Spark's lowerBoundsOnCoefficients
// and friends) switch the optimizer to optim.Bounded, a projected L-BFGS;
// as in Spark they need an L2-only penalty, and multinomial results are
// then not centered.
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
		LowerBoundsOnCoefficients: [][]float64{}, UpperBoundsOnCoefficients: [][]float64{},
		LowerBoundsOnIntercepts: []float64{}, UpperBoundsOnIntercepts: []float64{},
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
func loadTraining(ctx context.Context, f *ml.Frame, s ml.Stage, cols ml.ClassifierCols, weightCol string) (d *ml.Dataset, numClasses int, err error) {
	if v, ok := s.Params().(ml.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, 0, err
		}
	}
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, 0, err
	}
	if _, linear := s.(*LogisticRegression); linear {
		// Keep text-like features (TF-IDF, one-hot) sparse: the passes
		// then cost the non-zeros instead of n × D.
		d, err = ml.LoadDatasetSparse(ctx, f, cols.FeaturesCol, cols.LabelCol, weightCol, sparseDensity)
	} else {
		d, err = ml.LoadDataset(ctx, f, cols.FeaturesCol, cols.LabelCol, weightCol)
	}
	if err != nil {
		return nil, 0, err
	}
	k, err := ml.ClassCount(f, cols.LabelCol, d.Y)
	if err != nil {
		return nil, 0, err
	}
	return d, k, nil
}

// sparseDensity is the share of non-zero features below which linear
// models keep the features sparse.
const sparseDensity = 0.1

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

// clone returns p with its slices copied, so a model does not share them
// with the estimator it came from.
func (p LogisticRegressionParams) clone() LogisticRegressionParams {
	p.Thresholds = slices.Clone(p.Thresholds)
	p.LowerBoundsOnCoefficients = cloneMatrix(p.LowerBoundsOnCoefficients)
	p.UpperBoundsOnCoefficients = cloneMatrix(p.UpperBoundsOnCoefficients)
	p.LowerBoundsOnIntercepts = slices.Clone(p.LowerBoundsOnIntercepts)
	p.UpperBoundsOnIntercepts = slices.Clone(p.UpperBoundsOnIntercepts)
	return p
}

func cloneMatrix(m [][]float64) [][]float64 {
	if m == nil {
		return nil
	}
	out := make([][]float64, len(m))
	for i, r := range m {
		out[i] = slices.Clone(r)
	}
	return out
}

func (lr *LogisticRegression) fit(ctx context.Context, f *ml.Frame) (*LogisticRegressionModel, error) {
	p := lr.P.clone()
	d, numClasses, err := loadTraining(ctx, f, lr, p.ClassifierCols, p.WeightCol)
	if err != nil {
		return nil, err
	}
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
	if err := p.checkBounds(K, d.D); err != nil {
		return nil, err
	}
	lp := newLinearProblem(d, kind, K, p.FitIntercept, p.Standardization, stats, p.RegParam*(1-p.ElasticNetParam), pool)
	if p.bounded() {
		clear(lp.mean) // bounds apply to the uncentered intercepts
	}
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
	var res *optim.Result
	if p.bounded() {
		lower, upper := lp.bounds(p)
		res, err = optim.Bounded(ctx, lp.eval, theta, lower, upper, optim.Config{MaxIter: p.MaxIter, Tol: p.Tol, M: 10})
		err = explainNotFinite(err)
	} else {
		res, err = minimize(ctx, lp.eval, theta, p.MaxIter, p.Tol, lp.l1Weights(p.RegParam*p.ElasticNetParam, p.Standardization))
	}
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
	if multi && !p.bounded() {
		centerMultinomial(m.CoefficientMatrix, m.InterceptVector, p.RegParam == 0, p.FitIntercept)
	}
	m.summary = &LogisticRegressionTrainingSummary{
		ObjectiveHistory: res.History, TotalIterations: res.Iterations,
		model: m, frame: f, labels: d.Y, weights: d.W,
	}
	return m, nil
}

// bounds returns the box for θ: coefficient bounds scaled to the
// standardized space (θ_j = β_j·σ_j), ±Inf where unset, and none for
// constant features, whose coefficient stays 0.
func (lp *linearProblem) bounds(p LogisticRegressionParams) ([]float64, []float64) {
	n := lp.numParams()
	lower, upper := make([]float64, n), make([]float64, n)
	for i := range lower {
		lower[i], upper[i] = math.Inf(-1), math.Inf(1)
	}
	for k := range lp.K {
		for j, s := range lp.std {
			if s == 0 {
				continue
			}
			if len(p.LowerBoundsOnCoefficients) > 0 {
				lower[k*lp.D+j] = p.LowerBoundsOnCoefficients[k][j] * s
			}
			if len(p.UpperBoundsOnCoefficients) > 0 {
				upper[k*lp.D+j] = p.UpperBoundsOnCoefficients[k][j] * s
			}
		}
		if lp.fitIntercept {
			if len(p.LowerBoundsOnIntercepts) > 0 {
				lower[lp.K*lp.D+k] = p.LowerBoundsOnIntercepts[k]
			}
			if len(p.UpperBoundsOnIntercepts) > 0 {
				upper[lp.K*lp.D+k] = p.UpperBoundsOnIntercepts[k]
			}
		}
	}
	return lower, upper
}

// minimize runs L-BFGS, or OWL-QN when some L1 weight is positive.
func minimize(ctx context.Context, fn optim.Func, theta []float64, maxIter int, tol float64, l1 []float64) (*optim.Result, error) {
	cfg := optim.Config{MaxIter: maxIter, Tol: tol, M: 10}
	for _, v := range l1 {
		if v > 0 {
			res, err := optim.OWLQN(ctx, fn, theta, l1, cfg)
			return res, explainNotFinite(err)
		}
	}
	res, err := optim.LBFGS(ctx, fn, theta, cfg)
	return res, explainNotFinite(err)
}

// explainNotFinite adds a hint to optim.ErrNotFinite.
func explainNotFinite(err error) error {
	if errors.Is(err, optim.ErrNotFinite) {
		return fmt.Errorf("%w; check the features for extreme values (or rescale them)", err)
	}
	return err
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
