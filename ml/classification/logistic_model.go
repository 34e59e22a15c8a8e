package classification

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

// LogisticRegressionModel is a fitted logistic regression. Binomial
// models have one coefficient row and rawPrediction [-m, m] for margin
// m = β·x + b; multinomial models one row per class and rawPrediction the
// K margins. Probabilities are the sigmoid / softmax of the margins.
//
// A model is safe for concurrent use once built; do not change its fields
// while it transforms.
type LogisticRegressionModel struct {
	P LogisticRegressionParams
	// CoefficientMatrix holds the coefficients on the original feature
	// scale: one row for a binomial model, NumClasses rows for a
	// multinomial one, NumFeatures columns.
	CoefficientMatrix [][]float64
	// InterceptVector holds one intercept per row of CoefficientMatrix
	// (0 when fitIntercept is false).
	InterceptVector []float64
	IsMultinomial   bool

	numClasses int
	summary    *LogisticRegressionTrainingSummary
}

var (
	_ ml.Model            = (*LogisticRegressionModel)(nil)
	_ ml.ClassifierKernel = (*LogisticRegressionModel)(nil)
)

// StageName returns "LogisticRegressionModel".
func (m *LogisticRegressionModel) StageName() string { return "LogisticRegressionModel" }

// Params returns the params.
func (m *LogisticRegressionModel) Params() any { return &m.P }

// NumClasses returns the number of classes.
func (m *LogisticRegressionModel) NumClasses() int { return m.numClasses }

// NumFeatures returns the number of features the model was fitted on.
func (m *LogisticRegressionModel) NumFeatures() int {
	if len(m.CoefficientMatrix) == 0 {
		return 0
	}
	return len(m.CoefficientMatrix[0])
}

// ErrMultinomial is returned by Coefficients and Intercept for a
// multinomial model, which has a matrix and a vector instead.
var ErrMultinomial = errors.New("the model is multinomial; use CoefficientMatrix and InterceptVector")

// Coefficients returns the coefficient vector of a binomial model.
func (m *LogisticRegressionModel) Coefficients() ([]float64, error) {
	if m.IsMultinomial || len(m.CoefficientMatrix) != 1 {
		return nil, ErrMultinomial
	}
	return m.CoefficientMatrix[0], nil
}

// Intercept returns the intercept of a binomial model.
func (m *LogisticRegressionModel) Intercept() (float64, error) {
	if m.IsMultinomial || len(m.InterceptVector) != 1 {
		return 0, ErrMultinomial
	}
	return m.InterceptVector[0], nil
}

// PredictRaw writes the raw scores of x: [-m, m] for a binomial model,
// the K margins for a multinomial one.
func (m *LogisticRegressionModel) PredictRaw(x, raw []float64) {
	if !m.IsMultinomial {
		v := m.InterceptVector[0] + dotRow(m.CoefficientMatrix[0], x)
		raw[0], raw[1] = -v, v
		return
	}
	for k, c := range m.CoefficientMatrix {
		raw[k] = m.InterceptVector[k] + dotRow(c, x)
	}
}

// RawToProbability writes the sigmoid (binomial) or softmax (multinomial)
// of raw into prob and reports true.
func (m *LogisticRegressionModel) RawToProbability(raw, prob []float64) bool {
	if !m.IsMultinomial {
		p1 := sigmoid(raw[1])
		prob[0], prob[1] = 1-p1, p1
		return true
	}
	softmax(raw, prob)
	return true
}

func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + expNeg(-v))
	}
	e := expNeg(v)
	return e / (1 + e)
}

// softmax writes exp(raw)/Σexp(raw) into prob, stably.
func softmax(raw, prob []float64) {
	mx := math.Inf(-1)
	for _, v := range raw {
		mx = max(mx, v)
	}
	var s float64
	for k, v := range raw {
		prob[k] = expNeg(v - mx)
		s += prob[k]
	}
	for k := range prob {
		prob[k] /= s
	}
}

// binaryThresholds returns the thresholds param, or for two classes
// [1−threshold, threshold], which makes "largest p/t" mean
// P(1) > threshold, Spark's binary rule.
func binaryThresholds(thresholds []float64, threshold float64, numClasses int) []float64 {
	if len(thresholds) > 0 || numClasses != 2 {
		return thresholds
	}
	return []float64{1 - threshold, threshold}
}

// TransformSchema checks the features column and adds the outputs.
func (m *LogisticRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.ClassifierCols)
}

// Transform adds rawPrediction, probability and prediction (those whose
// column param is not empty). A NULL vector or one of the wrong size
// fails naming the row.
func (m *LogisticRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	th := binaryThresholds(m.P.Thresholds, m.P.Threshold, m.numClasses)
	if err := ml.ValidateThresholds(th, m.numClasses); err != nil {
		return nil, fmt.Errorf("LogisticRegressionModel: %w", err)
	}
	out, err := ml.TransformClassifier(ctx, f, m.P.ClassifierCols, th, m)
	if err != nil {
		return nil, fmt.Errorf("LogisticRegressionModel: %w", err)
	}
	return out, nil
}

// check verifies the model's shape (a model built by hand or loaded).
func (m *LogisticRegressionModel) check() error {
	rows := 1
	if m.IsMultinomial {
		rows = m.numClasses
	}
	if m.numClasses < 2 || len(m.CoefficientMatrix) != rows || len(m.InterceptVector) != rows {
		return fmt.Errorf("LogisticRegressionModel: %d classes with %d coefficient rows and %d intercepts; the model is not fitted or is corrupt", m.numClasses, len(m.CoefficientMatrix), len(m.InterceptVector))
	}
	for k, c := range m.CoefficientMatrix {
		if len(c) != m.NumFeatures() {
			return fmt.Errorf("LogisticRegressionModel: coefficient row %d has %d values, row 0 has %d", k, len(c), m.NumFeatures())
		}
	}
	return nil
}

// Summary returns the training summary, or false for a model that was
// loaded rather than fitted (Spark's hasSummary).
func (m *LogisticRegressionModel) Summary() (*LogisticRegressionTrainingSummary, bool) {
	return m.summary, m.summary != nil
}

// LogisticRegressionTrainingSummary describes a fit: the objective per
// iteration and, computed on first use from the training frame (which the
// summary keeps a reference to, as Spark's does), the metrics on the
// training data. Its methods are safe for concurrent use.
type LogisticRegressionTrainingSummary struct {
	// ObjectiveHistory is the objective (mean loss plus penalty) at the
	// start and after each iteration.
	ObjectiveHistory []float64
	// TotalIterations is len(ObjectiveHistory) − 1.
	TotalIterations int

	model           *LogisticRegressionModel
	frame           *ml.Frame
	labels, weights []float64

	mu          sync.Mutex
	scores      []float64 // P(class 1) for binary models
	predictions []float64
}

// predict computes (once) the training predictions; ctx bounds the pass.
func (s *LogisticRegressionTrainingSummary) predict(ctx context.Context) ([]float64, []float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.predictions != nil {
		return s.scores, s.predictions, nil
	}
	m := s.model
	k := m.numClasses
	th := binaryThresholds(m.P.Thresholds, m.P.Threshold, k)
	n := int(s.frame.NumRows())
	buf := make([]float64, 2*n*k)
	scores, preds := make([]float64, n), make([]float64, n)
	err := ml.ForEachRow(ctx, s.frame, m.P.FeaturesCol, m.NumFeatures(), func(i int, x []float64) {
		raw, prob := buf[2*i*k:(2*i+1)*k], buf[(2*i+1)*k:(2*i+2)*k]
		m.PredictRaw(x, raw)
		m.RawToProbability(raw, prob)
		if k == 2 {
			scores[i] = prob[1]
		}
		preds[i] = ml.PredictClass(prob, th)
	})
	if err != nil {
		return nil, nil, err
	}
	s.scores, s.predictions = scores, preds
	return scores, preds, nil
}

func (s *LogisticRegressionTrainingSummary) binary(ctx context.Context, what string) ([]float64, error) {
	if s.model.numClasses != 2 {
		return nil, fmt.Errorf("%s is defined for binary models; this one has %d classes (use Accuracy)", what, s.model.numClasses)
	}
	scores, _, err := s.predict(ctx)
	return scores, err
}

// ROC returns the ROC curve of P(class 1) on the training data (binary
// models only), weighted by weightCol, as Spark's summary.roc.
func (s *LogisticRegressionTrainingSummary) ROC(ctx context.Context) ([]evaluation.ROCPoint, error) {
	scores, err := s.binary(ctx, "ROC")
	if err != nil {
		return nil, err
	}
	return evaluation.ROCCurve(scores, s.labels, s.weights)
}

// AreaUnderROC returns the area under the training ROC curve (binary
// models only).
func (s *LogisticRegressionTrainingSummary) AreaUnderROC(ctx context.Context) (float64, error) {
	scores, err := s.binary(ctx, "areaUnderROC")
	if err != nil {
		return 0, err
	}
	return evaluation.AreaUnderROC(scores, s.labels, s.weights)
}

// Accuracy returns the weighted share of training rows predicted right.
func (s *LogisticRegressionTrainingSummary) Accuracy(ctx context.Context) (float64, error) {
	_, preds, err := s.predict(ctx)
	if err != nil {
		return 0, err
	}
	c, err := evaluation.NewConfusion(preds, s.labels, s.weights)
	if err != nil {
		return 0, err
	}
	return c.Accuracy(), nil
}
