package evaluation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// MulticlassClassificationEvaluatorParams are
// MulticlassClassificationEvaluator's params, with Spark's names and
// defaults.
type MulticlassClassificationEvaluatorParams struct {
	PredictionCol  string  `param:"predictionCol" doc:"predicted class column"`
	LabelCol       string  `param:"labelCol" doc:"true class column"`
	WeightCol      string  `param:"weightCol" doc:"instance weight column; empty: every row weighs 1"`
	MetricName     string  `param:"metricName" doc:"f1, accuracy, weightedPrecision, weightedRecall, weightedTruePositiveRate, weightedFalsePositiveRate, weightedFMeasure, truePositiveRateByLabel, falsePositiveRateByLabel, precisionByLabel, recallByLabel, fMeasureByLabel, logLoss or hammingLoss"`
	MetricLabel    float64 `param:"metricLabel" doc:"the class the ...ByLabel metrics are computed for"`
	Beta           float64 `param:"beta" doc:"beta of weightedFMeasure and fMeasureByLabel (> 0)"`
	ProbabilityCol string  `param:"probabilityCol" doc:"vector column of class probabilities, for logLoss"`
	Eps            float64 `param:"eps" doc:"logLoss clips probabilities to [eps, 1-eps]; in (0, 0.5)"`
}

var multiclassMetricNames = []string{
	"f1", "accuracy", "weightedPrecision", "weightedRecall", "weightedTruePositiveRate",
	"weightedFalsePositiveRate", "weightedFMeasure", "truePositiveRateByLabel",
	"falsePositiveRateByLabel", "precisionByLabel", "recallByLabel", "fMeasureByLabel",
	"logLoss", "hammingLoss",
}

// Validate checks the params.
func (p MulticlassClassificationEvaluatorParams) Validate() error {
	switch {
	case p.PredictionCol == "" && p.MetricName != "logLoss":
		return errors.New("predictionCol is empty; name the predicted class column, e.g. prediction")
	case p.LabelCol == "":
		return errors.New("labelCol is empty; name the label column, e.g. label")
	case p.ProbabilityCol == "" && p.MetricName == "logLoss":
		return errors.New("probabilityCol is empty; logLoss needs the class probabilities, e.g. probability")
	case !(p.MetricLabel >= 0) || math.IsInf(p.MetricLabel, 1):
		return fmt.Errorf("metricLabel = %v; want a class index >= 0", p.MetricLabel)
	case !(p.Beta > 0) || math.IsInf(p.Beta, 1):
		return fmt.Errorf("beta = %v; want a finite number > 0 (1 gives F1)", p.Beta)
	case !(p.Eps > 0 && p.Eps < 0.5):
		return fmt.Errorf("eps = %v; want a number in (0, 0.5), e.g. 1e-15", p.Eps)
	}
	return checkMetricName(p.MetricName, multiclassMetricNames)
}

// MulticlassClassificationEvaluator is Spark's
// MulticlassClassificationEvaluator: a metric of predicted classes against
// labels (see Confusion for the definitions), or the log loss of the class
// probabilities.
//
// Labels and predictions are numbers; the label set is the labels with
// positive weight. The ...ByLabel metrics are computed for metricLabel,
// which must be one of the labels. logLoss reads probabilityCol (a vector
// per row) and needs labels that index it (0, 1, …).
//
// NULL or NaN predictions, labels, probabilities or weights, negative
// weights and an empty frame are errors naming the column and row. An
// evaluator is safe for concurrent use while its params are not changed.
type MulticlassClassificationEvaluator struct {
	P MulticlassClassificationEvaluatorParams
}

var _ ml.Evaluator = (*MulticlassClassificationEvaluator)(nil)

// NewMulticlassClassificationEvaluator returns an evaluator with Spark's
// defaults: predictionCol "prediction", labelCol "label", no weights,
// metricName "f1", metricLabel 0, beta 1, probabilityCol "probability",
// eps 1e-15.
func NewMulticlassClassificationEvaluator() *MulticlassClassificationEvaluator {
	return &MulticlassClassificationEvaluator{P: MulticlassClassificationEvaluatorParams{
		PredictionCol: "prediction", LabelCol: "label", MetricName: "f1", Beta: 1,
		ProbabilityCol: "probability", Eps: DefaultLogLossEps,
	}}
}

// StageName returns "MulticlassClassificationEvaluator".
func (e *MulticlassClassificationEvaluator) StageName() string {
	return "MulticlassClassificationEvaluator"
}

// Params returns the params.
func (e *MulticlassClassificationEvaluator) Params() any { return &e.P }

// MetricName returns the metricName param.
func (e *MulticlassClassificationEvaluator) MetricName() string { return e.P.MetricName }

// IsLargerBetter is false for weightedFalsePositiveRate,
// falsePositiveRateByLabel, logLoss and hammingLoss, true otherwise (Spark).
func (e *MulticlassClassificationEvaluator) IsLargerBetter() bool {
	switch e.P.MetricName {
	case "weightedFalsePositiveRate", "falsePositiveRateByLabel", "logLoss", "hammingLoss":
		return false
	}
	return true
}

// Evaluate returns the metricName metric for f. Errors are described at
// MulticlassClassificationEvaluator; ctx cancels the column reads.
func (e *MulticlassClassificationEvaluator) Evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	v, err := e.evaluate(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", e.StageName(), err)
	}
	return v, nil
}

func (e *MulticlassClassificationEvaluator) evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	if err := e.P.Validate(); err != nil {
		return 0, err
	}
	if e.P.MetricName == "logLoss" {
		return e.logLoss(ctx, f)
	}
	c, err := e.confusion(ctx, f)
	if err != nil {
		return 0, err
	}
	l, beta := e.P.MetricLabel, e.P.Beta
	var v float64
	switch e.P.MetricName {
	case "f1":
		v = c.F1()
	case "accuracy":
		v = c.Accuracy()
	case "hammingLoss":
		v = c.HammingLoss()
	case "weightedPrecision":
		v = c.WeightedPrecision()
	case "weightedRecall":
		v = c.WeightedRecall()
	case "weightedTruePositiveRate":
		v = c.WeightedTruePositiveRate()
	case "weightedFalsePositiveRate":
		v = c.WeightedFalsePositiveRate()
	case "weightedFMeasure":
		v, err = c.WeightedFMeasure(beta)
	case "truePositiveRateByLabel":
		v, err = c.TruePositiveRate(l)
	case "falsePositiveRateByLabel":
		v, err = c.FalsePositiveRate(l)
	case "precisionByLabel":
		v, err = c.Precision(l)
	case "recallByLabel":
		v, err = c.Recall(l)
	case "fMeasureByLabel":
		v, err = c.FMeasure(l, beta)
	}
	if errors.Is(err, ErrUnknownLabel) {
		return 0, fmt.Errorf("metricLabel %v is not among the labels of column %s (%v); set metricLabel to one of them", l, e.P.LabelCol, c.Labels())
	}
	return v, err
}

// Confusion reads the prediction, label and weight columns of f and
// returns the Confusion behind every metric but logLoss.
func (e *MulticlassClassificationEvaluator) Confusion(ctx context.Context, f *ml.Frame) (*Confusion, error) {
	c, err := e.confusion(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.StageName(), err)
	}
	return c, nil
}

func (e *MulticlassClassificationEvaluator) confusion(ctx context.Context, f *ml.Frame) (*Confusion, error) {
	if f.NumRows() == 0 {
		return nil, errors.New("the frame has no rows; nothing to evaluate")
	}
	preds, err := readNumeric(ctx, f, "predictionCol", e.P.PredictionCol, true)
	if err != nil {
		return nil, err
	}
	labels, err := readNumeric(ctx, f, "labelCol", e.P.LabelCol, true)
	if err != nil {
		return nil, err
	}
	weights, err := readWeights(ctx, f, e.P.WeightCol)
	if err != nil {
		return nil, err
	}
	c, err := NewConfusion(preds, labels, weights)
	if errors.Is(err, ErrEmpty) {
		return nil, fmt.Errorf("every row of weight column %s is 0; nothing to evaluate", e.P.WeightCol)
	}
	return c, err
}

func (e *MulticlassClassificationEvaluator) logLoss(ctx context.Context, f *ml.Frame) (float64, error) {
	if f.NumRows() == 0 {
		return 0, errors.New("the frame has no rows; nothing to evaluate")
	}
	labels, err := readNumeric(ctx, f, "labelCol", e.P.LabelCol, false)
	if err != nil {
		return 0, err
	}
	weights, err := readWeights(ctx, f, e.P.WeightCol)
	if err != nil {
		return 0, err
	}
	probs := make([][]float64, len(labels))
	err = readVectors(ctx, f, "probabilityCol", e.P.ProbabilityCol, func(i int, v ml.Vector) error {
		l := labels[i]
		if l < 0 || l != math.Trunc(l) || l >= float64(v.Size) {
			return fmt.Errorf("column %s, row %d: label %v is not a class index into the %d probabilities of column %s; index labels 0, 1, … with StringIndexer", e.P.LabelCol, i+1, l, v.Size, e.P.ProbabilityCol)
		}
		if p := v.At(int(l)); math.IsNaN(p) {
			return fmt.Errorf("column %s, row %d: probability of class %v is NaN; drop the row before evaluating", e.P.ProbabilityCol, i+1, l)
		}
		// Only the label's probability is read; keep a one-hot-sized row.
		row := make([]float64, int(l)+1)
		row[int(l)] = v.At(int(l))
		probs[i] = row
		return nil
	})
	if err != nil {
		return 0, err
	}
	ll, err := LogLoss(probs, labels, weights, e.P.Eps)
	if errors.Is(err, ErrEmpty) {
		return 0, fmt.Errorf("every row of weight column %s is 0; nothing to evaluate", e.P.WeightCol)
	}
	return ll, err
}

// ConfusionFrame returns the confusion matrix of predictionCol against
// labelCol in long form: columns label, prediction (float64) and count
// (int64), one row per (label, prediction) pair that occurs, sorted by
// label then prediction. Pairs that never occur have no row; pivot on
// prediction for the square layout. NULL or NaN values are errors naming
// the row; ctx cancels the reads.
func ConfusionFrame(ctx context.Context, f *ml.Frame, predictionCol, labelCol string) (*ml.Frame, error) {
	preds, err := readNumeric(ctx, f, "predictionCol", predictionCol, true)
	if err != nil {
		return nil, fmt.Errorf("confusion matrix: %w", err)
	}
	labels, err := readNumeric(ctx, f, "labelCol", labelCol, true)
	if err != nil {
		return nil, fmt.Errorf("confusion matrix: %w", err)
	}
	type pair struct{ label, pred float64 }
	counts := map[pair]int64{}
	for i, p := range preds {
		counts[pair{labels[i] + 0, p + 0}]++ // + 0 folds -0 into 0
	}
	keys := make([]pair, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b pair) int {
		if c := cmp.Compare(a.label, b.label); c != 0 {
			return c
		}
		return cmp.Compare(a.pred, b.pred)
	})
	ls, ps := make([]float64, len(keys)), make([]float64, len(keys))
	cb := array.NewInt64Builder(memory.DefaultAllocator)
	defer cb.Release()
	for i, k := range keys {
		ls[i], ps[i] = k.label, k.pred
		cb.Append(counts[k])
	}
	ca := cb.NewArray()
	defer ca.Release()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
		{Name: "prediction", Type: arrow.PrimitiveTypes.Float64},
		{Name: "count", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	return ml.NewFrame(sc, []*arrow.Chunked{
		ml.Float64Column(ls), ml.Float64Column(ps), arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{ca}),
	})
}
