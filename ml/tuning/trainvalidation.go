package tuning

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// TrainValidationSplitParams are TrainValidationSplit's simple params,
// with Spark's names and defaults.
type TrainValidationSplitParams struct {
	TrainRatio       float64 `param:"trainRatio" doc:"fraction of rows to train on, in (0, 1); the rest validate"`
	Seed             int     `param:"seed" doc:"random seed of the split"`
	Parallelism      int     `param:"parallelism" doc:"number of models fitted at once, >= 1"`
	CollectSubModels bool    `param:"collectSubModels" doc:"keep the model of every param map"`
}

// Validate checks the params.
func (p TrainValidationSplitParams) Validate() error {
	switch {
	case !(p.TrainRatio > 0 && p.TrainRatio < 1):
		return fmt.Errorf("trainRatio = %v; want a fraction in (0, 1), e.g. 0.75", p.TrainRatio)
	case p.Parallelism < 1:
		return fmt.Errorf("parallelism = %d; want 1 or more", p.Parallelism)
	}
	return nil
}

// TrainValidationSplit is Spark's TrainValidationSplit: one random split
// of the rows (Frame.RandomSplit with weights trainRatio and 1 -
// trainRatio and the seed, so reproducible), every param map fitted on
// the training part and scored on the validation part, and the best map
// refitted on all rows. Estimator itself is never changed; parallelism
// and concurrency are as for CrossValidator.
type TrainValidationSplit struct {
	P                  TrainValidationSplitParams
	Estimator          ml.Estimator
	EstimatorParamMaps []ParamMap
	Evaluator          ml.Evaluator

	reg *ml.Registry
}

var _ ml.Estimator = (*TrainValidationSplit)(nil)

// NewTrainValidationSplit returns a TrainValidationSplit with Spark's
// defaults: trainRatio 0.75, seed -1772833110 (Spark's: the hash of its
// class name), parallelism 1, collectSubModels false.
func NewTrainValidationSplit() *TrainValidationSplit {
	return &TrainValidationSplit{P: TrainValidationSplitParams{
		TrainRatio: 0.75, Seed: javaHash("org.apache.spark.ml.tuning.TrainValidationSplit"), Parallelism: 1,
	}}
}

// StageName returns "TrainValidationSplit".
func (t *TrainValidationSplit) StageName() string { return "TrainValidationSplit" }

// Params returns the params.
func (t *TrainValidationSplit) Params() any { return &t.P }

func (t *TrainValidationSplit) grid() grid {
	return grid{est: t.Estimator, maps: t.EstimatorParamMaps, eval: t.Evaluator}
}

// TransformSchema checks the params and that every param map applies to
// the estimator and accepts the input.
func (t *TrainValidationSplit) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := t.P.Validate(); err != nil {
		return nil, err
	}
	return t.grid().check(in)
}

// Fit splits f, scores every param map and returns a
// TrainValidationSplitModel. Errors name the param map that failed; ctx
// cancels the fits.
func (t *TrainValidationSplit) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := t.TransformSchema(f.Schema()); err != nil {
		return nil, fmt.Errorf("%s: %w", t.StageName(), err)
	}
	parts, err := f.RandomSplit(ctx, []float64{t.P.TrainRatio, 1 - t.P.TrainRatio}, int64(t.P.Seed))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.StageName(), err)
	}
	if parts[0].NumRows() == 0 || parts[1].NumRows() == 0 {
		return nil, fmt.Errorf("%s: the split of %d rows with trainRatio %v left %d to train on and %d to validate; both need rows (use more rows or another trainRatio)",
			t.StageName(), f.NumRows(), t.P.TrainRatio, parts[0].NumRows(), parts[1].NumRows())
	}
	g := t.grid()
	metrics, models, err := g.run(ctx, []split{{train: parts[0], valid: parts[1]}}, t.P.Parallelism, t.P.CollectSubModels)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.StageName(), err)
	}
	bi, err := best(metrics[0], g.eval)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.StageName(), err)
	}
	bm, err := g.fitBest(ctx, f, bi)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.StageName(), err)
	}
	m := &TrainValidationSplitModel{
		P: t.P, BestModel: bm, ValidationMetrics: metrics[0], BestIndex: bi,
		Estimator: t.Estimator, EstimatorParamMaps: t.EstimatorParamMaps, Evaluator: t.Evaluator, reg: t.reg,
	}
	if models != nil {
		m.SubModels = models[0]
	}
	return m, nil
}

// TrainValidationSplitModel is a fitted TrainValidationSplit. Transform
// delegates to BestModel.
type TrainValidationSplitModel struct {
	P TrainValidationSplitParams
	// BestModel is the best map's estimator fitted on all rows.
	BestModel ml.Model
	// ValidationMetrics[j] is map j's metric on the validation rows.
	ValidationMetrics []float64
	BestIndex         int
	// SubModels[j] is map j's model fitted on the training rows, when
	// collectSubModels was set; else nil.
	SubModels          []ml.Model
	Estimator          ml.Estimator
	EstimatorParamMaps []ParamMap
	Evaluator          ml.Evaluator

	reg *ml.Registry
}

var _ ml.Model = (*TrainValidationSplitModel)(nil)

// StageName returns "TrainValidationSplitModel".
func (m *TrainValidationSplitModel) StageName() string { return "TrainValidationSplitModel" }

// Params returns the params.
func (m *TrainValidationSplitModel) Params() any { return &m.P }

// TransformSchema is BestModel's.
func (m *TrainValidationSplitModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if m.BestModel == nil {
		return nil, errors.New("TrainValidationSplitModel has no best model; fit a TrainValidationSplit or load a saved model")
	}
	return m.BestModel.TransformSchema(in)
}

// Transform applies BestModel.
func (m *TrainValidationSplitModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	return m.BestModel.Transform(ctx, f)
}

// Results returns every param map's values and validation metric.
func (m *TrainValidationSplitModel) Results() Result {
	return newResult("TrainValidationSplit", m.Evaluator, m.Estimator, m.EstimatorParamMaps, m.ValidationMetrics, m.BestIndex)
}

// Children returns the best model (ml.StageContainer).
func (m *TrainValidationSplitModel) Children() []ml.Stage {
	if m.BestModel == nil {
		return nil
	}
	return []ml.Stage{m.BestModel}
}
