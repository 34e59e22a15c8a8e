package tuning

import (
	"context"
	"fmt"

	"github.com/sluice-dev/sluice/ml/evaluation"
)

func ExampleCrossValidator() {
	// TestRidge is a one-feature ridge regression (test-only); the grid
	// tries three penalties, addressed by Spark-style class name.
	f, err := regressionFrame(90, 1) // features [x], label 2x + noise
	if err != nil {
		fmt.Println(err)
		return
	}
	cv := NewCrossValidator()
	cv.Estimator = newRidge()
	cv.Evaluator = evaluation.NewRegressionEvaluator() // rmse
	cv.EstimatorParamMaps = NewParamGridBuilder().
		AddGrid("TestRidge", "regParam", []any{0.0, 100.0, 10000.0}).
		Build()
	cv.P.Seed = 7
	m, err := cv.Fit(context.Background(), f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.(*CrossValidatorModel).Results().Table())
	// Output:
	// CrossValidator, 3 folds: RegressionEvaluator rmse (smaller is better), best is #0
	//    #  TestRidge.regParam  mean rmse  std
	// *  0  0                   3.06301    0.324187
	//    1  100                 3.08732    0.0980137
	//    2  10000               10.2141    0.539648
}
