package evaluation

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/ml"
)

// RegressionEvaluatorParams are RegressionEvaluator's params, with Spark's
// names and defaults.
type RegressionEvaluatorParams struct {
	PredictionCol string `param:"predictionCol" doc:"predicted value column"`
	LabelCol      string `param:"labelCol" doc:"true value column"`
	WeightCol     string `param:"weightCol" doc:"instance weight column; empty: every row weighs 1"`
	MetricName    string `param:"metricName" doc:"rmse, mse, r2, mae or var"`
	ThroughOrigin bool   `param:"throughOrigin" doc:"r2 for a model without intercept: 1 - SSerr/Σy²"`
}

var regressionMetricNames = []string{"rmse", "mse", "r2", "mae", "var"}

// Validate checks the params.
func (p RegressionEvaluatorParams) Validate() error {
	switch {
	case p.PredictionCol == "":
		return errors.New("predictionCol is empty; name the prediction column, e.g. prediction")
	case p.LabelCol == "":
		return errors.New("labelCol is empty; name the label column, e.g. label")
	}
	return checkMetricName(p.MetricName, regressionMetricNames)
}

// RegressionEvaluator is Spark's RegressionEvaluator: rmse, mse, r2, mae
// or var (explained variance) of predictions against labels; see
// RegressionMetrics for the definitions (Spark's, which for weighted r2
// and var differ from scikit-learn's).
//
// NULL, NaN or infinite predictions, labels or weights, negative weights
// and an empty frame are errors naming the column and row. An evaluator
// is safe for concurrent use while its params are not changed.
type RegressionEvaluator struct {
	P RegressionEvaluatorParams
}

var _ ml.Evaluator = (*RegressionEvaluator)(nil)

// NewRegressionEvaluator returns an evaluator with Spark's defaults:
// predictionCol "prediction", labelCol "label", no weights, metricName
// "rmse", throughOrigin false.
func NewRegressionEvaluator() *RegressionEvaluator {
	return &RegressionEvaluator{P: RegressionEvaluatorParams{PredictionCol: "prediction", LabelCol: "label", MetricName: "rmse"}}
}

// StageName returns "RegressionEvaluator".
func (e *RegressionEvaluator) StageName() string { return "RegressionEvaluator" }

// Params returns the params.
func (e *RegressionEvaluator) Params() any { return &e.P }

// MetricName returns the metricName param.
func (e *RegressionEvaluator) MetricName() string { return e.P.MetricName }

// IsLargerBetter is true for r2 and var, false for the errors (Spark).
func (e *RegressionEvaluator) IsLargerBetter() bool {
	return e.P.MetricName == "r2" || e.P.MetricName == "var"
}

// Evaluate returns the metricName metric for f. Errors are described at
// RegressionEvaluator; ctx cancels the column reads.
func (e *RegressionEvaluator) Evaluate(ctx context.Context, f *ml.Frame) (float64, error) {
	m, err := e.Metrics(ctx, f)
	if err != nil {
		return 0, err
	}
	switch e.P.MetricName {
	case "mse":
		return m.MSE, nil
	case "r2":
		if e.P.ThroughOrigin {
			return m.R2ThroughOrigin, nil
		}
		return m.R2, nil
	case "mae":
		return m.MAE, nil
	case "var":
		return m.ExplainedVariance, nil
	}
	return m.RMSE, nil
}

// Metrics reads the prediction, label and weight columns of f and returns
// every regression metric at once.
func (e *RegressionEvaluator) Metrics(ctx context.Context, f *ml.Frame) (RegressionMetrics, error) {
	m, err := e.metrics(ctx, f)
	if err != nil {
		return RegressionMetrics{}, fmt.Errorf("%s: %w", e.StageName(), err)
	}
	return m, nil
}

func (e *RegressionEvaluator) metrics(ctx context.Context, f *ml.Frame) (RegressionMetrics, error) {
	if err := e.P.Validate(); err != nil {
		return RegressionMetrics{}, err
	}
	if f.NumRows() == 0 {
		return RegressionMetrics{}, errors.New("the frame has no rows; nothing to evaluate")
	}
	preds, err := readNumeric(ctx, f, "predictionCol", e.P.PredictionCol, false)
	if err != nil {
		return RegressionMetrics{}, err
	}
	labels, err := readNumeric(ctx, f, "labelCol", e.P.LabelCol, false)
	if err != nil {
		return RegressionMetrics{}, err
	}
	weights, err := readWeights(ctx, f, e.P.WeightCol)
	if err != nil {
		return RegressionMetrics{}, err
	}
	m, err := Regression(preds, labels, weights)
	if errors.Is(err, ErrEmpty) {
		return RegressionMetrics{}, fmt.Errorf("every row of weight column %s is 0; nothing to evaluate", e.P.WeightCol)
	}
	return m, err
}
