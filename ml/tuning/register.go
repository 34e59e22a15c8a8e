package tuning

import "github.com/sluice-dev/sluice/ml"

// Register adds CrossValidator, CrossValidatorModel, TrainValidationSplit
// and TrainValidationSplitModel, with Spark's defaults, to r. The stages
// it creates remember r, since loading them restores their evaluator by
// class name; register the evaluators' package (evaluation.Register) and
// every stage class the tuned estimators use in the same registry.
func Register(r *ml.Registry) {
	r.Register(func() ml.HasParams {
		cv := NewCrossValidator()
		cv.reg = r
		return cv
	})
	r.Register(func() ml.HasParams { return &CrossValidatorModel{P: NewCrossValidator().P, reg: r} })
	r.Register(func() ml.HasParams {
		t := NewTrainValidationSplit()
		t.reg = r
		return t
	})
	r.Register(func() ml.HasParams { return &TrainValidationSplitModel{P: NewTrainValidationSplit().P, reg: r} })
}
