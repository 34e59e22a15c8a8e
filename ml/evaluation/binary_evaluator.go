package evaluation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// BinaryClassificationEvaluatorParams are BinaryClassificationEvaluator's
// params, with Spark's names and defaults.
type BinaryClassificationEvaluatorParams struct {
	RawPredictionCol string `param:"rawPredictionCol" doc:"score column: a vector of 2 (element 1 is the positive class's score, as a classifier's rawPrediction or probability) or a number"`
	LabelCol         string `param:"labelCol" doc:"label column, 0 or 1"`
	WeightCol        string `param:"weightCol" doc:"instance weight column; empty: every row weighs 1"`
	MetricName       string `param:"metricName" doc:"areaUnderROC or areaUnderPR"`
	NumBins          int    `param:"numBins" doc:"down-sample the curves to about this many thresholds (Spark's rule); 0: no down-sampling"`
}

// binaryMetricNames are the metrics BinaryClassificationEvaluator computes.
var binaryMetricNames = []string{"areaUnderROC", "areaUnderPR"}

// Validate checks the params.
func (p BinaryClassificationEvaluatorParams) Validate() error {
	switch {
	case p.RawPredictionCol == "":
		return errors.New("rawPredictionCol is empty; name the score column, e.g. rawPrediction")
	case p.LabelCol == "":
		return errors.New("labelCol is empty; name the label column, e.g. label")
	case p.NumBins < 0:
		return fmt.Errorf("numBins = %d; want 0 (no down-sampling) or more (Spark's default is 1000)", p.NumBins)
	}
	return checkMetricName(p.MetricName, binaryMetricNames)
}

func checkMetricName(name string, valid []string) error {
	if slices.Contains(valid, name) {
		return nil
	}
	msg := fmt.Sprintf("metricName %q is not supported", name)
	if near := ml.Nearest(name, valid); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return fmt.Errorf("%s (supported: %s)", msg, strings.Join(valid, ", "))
}

// BinaryClassificationEvaluator is Spark's BinaryClassificationEvaluator:
// the area under the ROC or PR curve of a binary classifier's scores.
//
// The score column is a vector (the rawPrediction or probability a
// classifier writes; element 1 is used, as in Spark) or a numeric column.
// Labels must be 0 or 1 (Spark counts any label > 0.5 as positive; here
// other values are an error naming the row). The curves are down-sampled
// to about numBins thresholds exactly as Spark does on one partition (see
// BinaryMetrics); set numBins to 0 for the exact areas scikit-learn's
// roc_auc_score gives.
//
// NULL or NaN scores, labels or weights, negative weights, and a frame
// with only one class are errors naming the column and row. An evaluator
// is safe for concurrent use while its params are not changed.
type BinaryClassificationEvaluator struct {
	P BinaryClassificationEvaluatorParams
}

var _ ml.Evaluator = (*BinaryClassificationEvaluator)(nil)

// NewBinaryClassificationEvaluator returns an evaluator with Spark's
// defaults: rawPredictionCol "rawPrediction", labelCol "label", no weights,
// metricName "areaUnderROC", numBins 1000.
func NewBinaryClassificationEvaluator() *BinaryClassificationEvaluator {
	return &BinaryClassificationEvaluator{P: BinaryClassificationEvaluatorParams{
		RawPredictionCol: "rawPrediction", LabelCol: "label", MetricName: "areaUnderROC", NumBins: DefaultNumBins,
	}}
}

// StageName returns "BinaryClassificationEvaluator".
func (e *BinaryClassificationEvaluator) StageName() string { return "BinaryClassificationEvaluator" }

// Params returns the params.
func (e *BinaryClassificationEvaluator) Params() any { return &e.P }

// MetricName returns the metricName param.
func (e *BinaryClassificationEvaluator) MetricName() string { return e.P.MetricName }

// IsLargerBetter returns true: both areas grow with better models.
func (e *BinaryClassificationEvaluator) IsLargerBetter() bool { return true }

// Evaluate returns the metricName area for f. Errors are described at
// BinaryClassificationEvaluator; ctx cancels the column reads.
func (e *BinaryClassificationEvaluator) Evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	m, err := e.Metrics(ctx, f)
	if err != nil {
		return 0, err
	}
	if e.P.MetricName == "areaUnderPR" {
		return m.AreaUnderPR(), nil
	}
	return m.AreaUnderROC(), nil
}

// Metrics reads the score, label and weight columns of f and returns the
// down-sampled curves, from which Evaluate, ROCFrame and PRFrame read.
func (e *BinaryClassificationEvaluator) Metrics(ctx context.Context, f *ml.Frame) (*BinaryMetrics, error) {
	m, err := e.metrics(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.StageName(), err)
	}
	return m, nil
}

func (e *BinaryClassificationEvaluator) metrics(ctx context.Context, f *ml.Frame) (*BinaryMetrics, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	scores, err := readScores(ctx, f, "rawPredictionCol", e.P.RawPredictionCol)
	if err != nil {
		return nil, err
	}
	labels, err := readNumeric(ctx, f, "labelCol", e.P.LabelCol, false)
	if err != nil {
		return nil, err
	}
	if err := checkBinaryLabels(labels, e.P.LabelCol); err != nil {
		return nil, err
	}
	weights, err := readWeights(ctx, f, e.P.WeightCol)
	if err != nil {
		return nil, err
	}
	if len(scores) == 0 {
		return nil, errors.New("the frame has no rows; nothing to evaluate")
	}
	m, err := NewBinaryMetrics(scores, labels, weights, e.P.NumBins)
	if errors.Is(err, ErrSingleClass) || errors.Is(err, ErrEmpty) {
		return nil, fmt.Errorf("label column %s: %w; evaluate on data with both classes (check the split or the filter)", e.P.LabelCol, err)
	}
	return m, err
}

// ROCFrame returns the ROC curve of f as a frame with columns threshold,
// FPR and TPR (Spark's names for the last two), one row per point of
// BinaryMetrics.ROC: (0, 0) at threshold +Inf first, (1, 1) at -Inf last.
// Errors are Evaluate's.
func (e *BinaryClassificationEvaluator) ROCFrame(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	m, err := e.Metrics(ctx, f)
	if err != nil {
		return nil, err
	}
	pts := m.ROC()
	th, x, y := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		th[i], x[i], y[i] = p.Threshold, p.FPR, p.TPR
	}
	return float64Frame([]string{"threshold", "FPR", "TPR"}, th, x, y)
}

// PRFrame returns the precision-recall curve of f as a frame with columns
// threshold, recall and precision, one row per point of BinaryMetrics.PR:
// (recall 0, precision of the next point) at threshold +Inf first. Errors
// are Evaluate's.
func (e *BinaryClassificationEvaluator) PRFrame(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	m, err := e.Metrics(ctx, f)
	if err != nil {
		return nil, err
	}
	pts := m.PR()
	th, r, p := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, pt := range pts {
		th[i], r[i], p[i] = pt.Threshold, pt.Recall, pt.Precision
	}
	return float64Frame([]string{"threshold", "recall", "precision"}, th, r, p)
}

func float64Frame(names []string, cols ...[]float64) (*ml.Frame, error) {
	fields := make([]arrow.Field, len(names))
	chunks := make([]*arrow.Chunked, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64}
		chunks[i] = ml.Float64Column(cols[i])
	}
	return ml.NewFrame(arrow.NewSchema(fields, nil), chunks)
}
