package tuning

import (
	"context"
	"strconv"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
)

var benchModel ml.Model

// BenchmarkCrossValidator measures the tuning overhead (copies, folds,
// evaluation) around a trivially cheap estimator: 3 folds × 8 maps.
func BenchmarkCrossValidator(b *testing.B) {
	f := MustRegressionFrame(b, 100_000, 1)
	maps := NewParamGridBuilder().AddGrid("TestRidge", "regParam", []any{0.0, 1.0, 10.0, 100.0}).
		AddGrid("TestRidge", "maxIter", []any{1, 2}).Build()
	for _, par := range []int{1, 2} {
		b.Run("n=100000/parallelism="+strconv.Itoa(par), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cv := NewCrossValidator()
				cv.Estimator, cv.Evaluator, cv.EstimatorParamMaps = newRidge(), evaluation.NewRegressionEvaluator(), maps
				cv.P.Parallelism = par
				m, err := cv.Fit(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				benchModel = m
			}
		})
	}
}
