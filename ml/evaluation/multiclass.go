package evaluation

import (
	"fmt"
	"math"
	"slices"
)

// classStats holds weighted counts for one class value.
type classStats struct {
	tp    float64 // label == prediction == class
	fp    float64 // prediction == class, label != class
	count float64 // label == class
}

// Confusion is a weighted multiclass confusion summary with the metrics of
// Spark's MulticlassMetrics (and MulticlassClassificationEvaluator).
//
// Class values are arbitrary non-NaN float64s. The label set (Labels) is the
// set of label values that carry positive weight; rows of weight 0 are
// ignored entirely. A prediction that is never a label counts as a false
// positive for that value but, as in Spark, that value is not a label.
//
// A Confusion is immutable after NewConfusion and safe for concurrent use.
type Confusion struct {
	labels   []float64 // ascending
	classes  map[float64]*classStats
	total    float64 // total weight
	correct  float64 // total weight with label == prediction
	weighted struct {
		precision, recall, fpr float64
	}
}

// NewConfusion builds a Confusion from parallel predictions and labels with
// optional weights (nil means every weight is 1).
//
// Errors wrap ErrLengthMismatch, ErrInvalidScore (NaN prediction),
// ErrInvalidLabel (NaN label), ErrInvalidWeight, or ErrEmpty when no row
// has positive weight. Inputs are not modified.
func NewConfusion(predictions, labels, weights []float64) (*Confusion, error) {
	const op = "multiclass confusion"
	n := len(predictions)
	if len(labels) != n {
		return nil, fmt.Errorf("%s: %d predictions but %d labels: %w", op, n, len(labels), ErrLengthMismatch)
	}
	if _, err := checkWeights(op, weights, n); err != nil {
		return nil, err
	}
	c := &Confusion{classes: make(map[float64]*classStats)}
	get := func(v float64) *classStats {
		s := c.classes[v]
		if s == nil {
			s = new(classStats)
			c.classes[v] = s
		}
		return s
	}
	for i, p := range predictions {
		l := labels[i]
		if math.IsNaN(p) {
			return nil, fmt.Errorf("%s: predictions[%d] is NaN: %w", op, i, ErrInvalidScore)
		}
		if math.IsNaN(l) {
			return nil, fmt.Errorf("%s: labels[%d] is NaN: %w", op, i, ErrInvalidLabel)
		}
		w := weightAt(weights, i)
		if w == 0 {
			continue
		}
		c.total += w
		ls := get(l)
		ls.count += w
		if p == l {
			ls.tp += w
			c.correct += w
		} else {
			get(p).fp += w
		}
	}
	if c.total == 0 {
		return nil, fmt.Errorf("%s: %w", op, ErrEmpty)
	}
	for v, s := range c.classes {
		if s.count > 0 {
			c.labels = append(c.labels, v)
		}
	}
	slices.Sort(c.labels)
	for _, l := range c.labels {
		s := c.classes[l]
		frac := s.count / c.total
		c.weighted.precision += c.precisionOf(s) * frac
		c.weighted.recall += s.tp / s.count * frac
		c.weighted.fpr += c.fprOf(s) * frac
	}
	return c, nil
}

func (c *Confusion) precisionOf(s *classStats) float64 {
	if s.tp+s.fp == 0 {
		return 0
	}
	return s.tp / (s.tp + s.fp)
}

// fprOf is Spark's falsePositiveRate: NaN when every row has this label.
func (c *Confusion) fprOf(s *classStats) float64 {
	return s.fp / (c.total - s.count)
}

func fMeasure(p, r, beta float64) float64 {
	if p+r == 0 {
		return 0
	}
	b2 := beta * beta
	return (1 + b2) * p * r / (b2*p + r)
}

func checkBeta(op string, beta float64) error {
	if !(beta > 0) || math.IsInf(beta, 1) {
		return fmt.Errorf("%s: beta = %v; beta must be finite and > 0: %w", op, beta, ErrInvalidParam)
	}
	return nil
}

// Labels returns the distinct labels with positive weight in ascending
// order, as Spark's MulticlassMetrics.labels. The slice is a copy.
func (c *Confusion) Labels() []float64 { return slices.Clone(c.labels) }

// WeightSum returns the total weight of the rows.
func (c *Confusion) WeightSum() float64 { return c.total }

// Accuracy returns the weighted fraction of rows whose prediction equals
// the label (Spark's "accuracy").
func (c *Confusion) Accuracy() float64 { return c.correct / c.total }

// HammingLoss returns the weighted fraction of misclassified rows (Spark's
// "hammingLoss"); it equals 1 - Accuracy up to rounding.
func (c *Confusion) HammingLoss() float64 { return (c.total - c.correct) / c.total }

// WeightedPrecision returns per-label precision averaged with label weight
// fractions as weights (Spark's "weightedPrecision"). A label never
// predicted has precision 0.
func (c *Confusion) WeightedPrecision() float64 { return c.weighted.precision }

// WeightedRecall returns per-label recall averaged with label weight
// fractions (Spark's "weightedRecall"); it equals Accuracy up to rounding.
func (c *Confusion) WeightedRecall() float64 { return c.weighted.recall }

// WeightedTruePositiveRate is WeightedRecall (Spark's
// "weightedTruePositiveRate").
func (c *Confusion) WeightedTruePositiveRate() float64 { return c.weighted.recall }

// WeightedFalsePositiveRate returns per-label false positive rates averaged
// with label weight fractions (Spark's "weightedFalsePositiveRate"). It is
// NaN when only one label is present, as in Spark.
func (c *Confusion) WeightedFalsePositiveRate() float64 { return c.weighted.fpr }

// WeightedFMeasure returns per-label F-beta averaged with label weight
// fractions (Spark's "weightedFMeasure"). It returns an error wrapping
// ErrInvalidParam unless beta is finite and > 0.
func (c *Confusion) WeightedFMeasure(beta float64) (float64, error) {
	if err := checkBeta("weighted F-measure", beta); err != nil {
		return 0, err
	}
	var f float64
	for _, l := range c.labels {
		s := c.classes[l]
		f += fMeasure(c.precisionOf(s), s.tp/s.count, beta) * s.count / c.total
	}
	return f, nil
}

// F1 returns WeightedFMeasure(1), Spark's "f1" metric.
func (c *Confusion) F1() float64 {
	f, _ := c.WeightedFMeasure(1)
	return f
}

func (c *Confusion) label(op string, label float64) (*classStats, error) {
	s := c.classes[label]
	if s == nil || s.count == 0 {
		return nil, fmt.Errorf("%s: label %v has no rows with positive weight; use one of Labels(): %w",
			op, label, ErrUnknownLabel)
	}
	return s, nil
}

// Precision returns the weighted precision of label (Spark's
// "precisionByLabel"): 0 when the label is never predicted. It returns an
// error wrapping ErrUnknownLabel when label is not in Labels().
func (c *Confusion) Precision(label float64) (float64, error) {
	s, err := c.label("precision", label)
	if err != nil {
		return 0, err
	}
	return c.precisionOf(s), nil
}

// Recall returns the weighted recall of label (Spark's "recallByLabel").
// Errors are as for Precision.
func (c *Confusion) Recall(label float64) (float64, error) {
	s, err := c.label("recall", label)
	if err != nil {
		return 0, err
	}
	return s.tp / s.count, nil
}

// TruePositiveRate is Recall (Spark's "truePositiveRateByLabel").
func (c *Confusion) TruePositiveRate(label float64) (float64, error) {
	return c.Recall(label)
}

// FalsePositiveRate returns the weight of rows predicted as label whose
// label differs, over the weight of rows whose label differs (Spark's
// "falsePositiveRateByLabel"); NaN when every row has this label. Errors
// are as for Precision.
func (c *Confusion) FalsePositiveRate(label float64) (float64, error) {
	s, err := c.label("false positive rate", label)
	if err != nil {
		return 0, err
	}
	return c.fprOf(s), nil
}

// FMeasure returns the F-beta measure of label (Spark's "fMeasureByLabel"):
// 0 when precision and recall are both 0. Errors wrap ErrUnknownLabel or
// ErrInvalidParam.
func (c *Confusion) FMeasure(label, beta float64) (float64, error) {
	if err := checkBeta("F-measure", beta); err != nil {
		return 0, err
	}
	s, err := c.label("F-measure", label)
	if err != nil {
		return 0, err
	}
	return fMeasure(c.precisionOf(s), s.tp/s.count, beta), nil
}

// DefaultLogLossEps is Spark's default eps for LogLoss.
const DefaultLogLossEps = 1e-15

// LogLoss returns the weighted mean cross-entropy, as Spark's
// MulticlassMetrics.logLoss(eps): for each row, -log(p) where p is
// probabilities[i][labels[i]] clipped to [eps, 1-eps]. Rows are not
// renormalized. weights may be nil (every weight 1).
//
// Errors wrap ErrInvalidParam (eps outside (0, 0.5)), ErrLengthMismatch,
// ErrInvalidLabel (a label that is not a non-negative integer index into
// its probability row), ErrInvalidScore (a NaN probability),
// ErrInvalidWeight, or ErrEmpty (total weight 0). Inputs are not modified.
func LogLoss(probabilities [][]float64, labels, weights []float64, eps float64) (float64, error) {
	const op = "log loss"
	if !(eps > 0 && eps < 0.5) {
		return 0, fmt.Errorf("%s: eps = %v; eps must be in (0, 0.5), e.g. DefaultLogLossEps: %w", op, eps, ErrInvalidParam)
	}
	n := len(probabilities)
	if len(labels) != n {
		return 0, fmt.Errorf("%s: %d probability rows but %d labels: %w", op, n, len(labels), ErrLengthMismatch)
	}
	wsum, err := checkWeights(op, weights, n)
	if err != nil {
		return 0, err
	}
	if wsum == 0 {
		return 0, fmt.Errorf("%s: %w", op, ErrEmpty)
	}
	loss1, loss2 := -math.Log(eps), -math.Log1p(-eps)
	var sum float64
	for i, row := range probabilities {
		l := labels[i]
		if !(l >= 0) || l != math.Trunc(l) || l >= float64(len(row)) {
			return 0, fmt.Errorf("%s: labels[%d] = %v; want an integer class index in [0, %d): %w",
				op, i, l, len(row), ErrInvalidLabel)
		}
		p := row[int(l)]
		var loss float64
		switch {
		case math.IsNaN(p):
			return 0, fmt.Errorf("%s: probabilities[%d][%d] is NaN: %w", op, i, int(l), ErrInvalidScore)
		case p < eps:
			loss = loss1
		case p > 1-eps:
			loss = loss2
		default:
			loss = -math.Log(p)
		}
		sum += loss * weightAt(weights, i)
	}
	return sum / wsum, nil
}
