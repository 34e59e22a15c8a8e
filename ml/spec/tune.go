package spec

import (
	"context"
	"fmt"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/tuning"
)

// tuner builds the tuning estimator of a plan: CrossValidator or
// TrainValidationSplit over the pipeline, with the spec's params set.
func (s *Spec) tuner(tp *TuningPlan, est ml.Estimator) (ml.Estimator, error) {
	b := tuning.NewParamGridBuilder()
	for _, a := range tp.Grid {
		b.AddGrid(a.Stage, a.Param, a.Values)
	}
	maps := b.Build()
	var obj ml.Estimator
	switch tp.Method {
	case "CrossValidator":
		cv := tuning.NewCrossValidator()
		cv.Estimator, cv.EstimatorParamMaps, cv.Evaluator = est, maps, tp.Evaluator
		obj = cv
	case "TrainValidationSplit":
		tv := tuning.NewTrainValidationSplit()
		tv.Estimator, tv.EstimatorParamMaps, tv.Evaluator = est, maps, tp.Evaluator
		obj = tv
	default:
		return nil, fmt.Errorf("tuning method %q: use CrossValidator or TrainValidationSplit", tp.Method)
	}
	for k, v := range tp.Params {
		if err := ml.SetParam(obj, k, v); err != nil {
			return nil, s.errAt(tp.ParamPos[k], "tuning: "+err.Error())
		}
	}
	if v, ok := obj.Params().(ml.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, s.errAt(s.Tuning.Pos, fmt.Sprintf("tuning (%s): %v", tp.Method, err))
		}
	}
	return obj, nil
}

// tune fits the pipeline under the tuning block and reports every grid
// combination.
func tune(ctx context.Context, pl *Plan, train *ml.Frame) (ml.Model, *TuningResult, error) {
	tp := pl.Tuning
	est, err := pl.Spec.tuner(tp, pl.Pipeline)
	if err != nil {
		return nil, nil, err
	}
	m, err := est.Fit(ctx, train)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tp.Method, err)
	}
	tr := &TuningResult{Method: tp.Method, Metric: tp.Evaluator.MetricName(), LargerIs: "better"}
	if !tp.Evaluator.IsLargerBetter() {
		tr.LargerIs = "worse"
	}
	var mean, std []float64
	var maps []tuning.ParamMap
	switch m := m.(type) {
	case *tuning.CrossValidatorModel:
		mean, std, maps, tr.BestIndex = m.AvgMetrics, m.StdMetrics, m.EstimatorParamMaps, m.BestIndex
		tr.Folds = len(m.FoldMetrics)
	case *tuning.TrainValidationSplitModel:
		mean, maps, tr.BestIndex = m.ValidationMetrics, m.EstimatorParamMaps, m.BestIndex
	default:
		return nil, nil, fmt.Errorf("%s returned a %s", tp.Method, m.StageName())
	}
	for j, pm := range maps {
		c := Combination{Params: map[string]any{}, Mean: mean[j]}
		if std != nil {
			c.Std = std[j]
		}
		for k, pair := range pm {
			if k < len(tp.Grid) {
				c.Params[tp.Grid[k].Label] = pair.Value
			}
		}
		tr.Results = append(tr.Results, c)
	}
	return m, tr, nil
}
