package tree

import "github.com/sluice-dev/sluice/ml"

// Register adds this package's estimators and models to r.
func Register(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewDecisionTreeClassifier() })
	r.Register(func() ml.HasParams { return &DecisionTreeClassificationModel{P: NewDecisionTreeClassifier().P} })
	r.Register(func() ml.HasParams { return NewDecisionTreeRegressor() })
	r.Register(func() ml.HasParams { return &DecisionTreeRegressionModel{P: NewDecisionTreeRegressor().P} })
	r.Register(func() ml.HasParams { return NewRandomForestClassifier() })
	r.Register(func() ml.HasParams { return &RandomForestClassificationModel{P: NewRandomForestClassifier().P} })
	r.Register(func() ml.HasParams { return NewRandomForestRegressor() })
	r.Register(func() ml.HasParams { return &RandomForestRegressionModel{P: NewRandomForestRegressor().P} })
	r.Register(func() ml.HasParams { return NewGBTClassifier() })
	r.Register(func() ml.HasParams { return &GBTClassificationModel{P: NewGBTClassifier().P} })
	r.Register(func() ml.HasParams { return NewGBTRegressor() })
	r.Register(func() ml.HasParams { return &GBTRegressionModel{P: NewGBTRegressor().P} })
}
