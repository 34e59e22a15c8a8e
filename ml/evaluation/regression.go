package evaluation

import (
	"fmt"
	"math"
)

// RegressionMetrics holds Spark's RegressionMetrics for one set of
// predictions; R2 is for throughOrigin = false, R2ThroughOrigin for true.
type RegressionMetrics struct {
	// MSE is the weighted mean squared error, Σw(y-ŷ)² / Σw.
	MSE float64
	// RMSE is sqrt(MSE).
	RMSE float64
	// MAE is the weighted mean absolute error, Σw|y-ŷ| / Σw.
	MAE float64
	// R2 is 1 - SSerr/SStot with Spark's SStot = variance(y)·(Σw - 1), where
	// variance is Spark's weighted sample variance M2 / (Σw - Σw²/Σw) and
	// M2 = Σw(y-ȳ)². With unit weights SStot = M2 and R2 is the usual
	// coefficient of determination; with other weights it differs from
	// scikit-learn's r2_score by the factor on SStot. R2 is -Inf or NaN when
	// SStot is 0 (for example constant labels), as in Spark.
	R2 float64
	// R2ThroughOrigin is Spark's r2 with throughOrigin = true (for models
	// fitted without an intercept): 1 - SSerr/Σw·y².
	R2ThroughOrigin float64
	// ExplainedVariance is Spark's "var": Σw(ŷ-ȳ)² / Σw, the weighted mean
	// squared deviation of predictions from the label mean. It is not
	// scikit-learn's explained_variance_score.
	ExplainedVariance float64
	// WeightSum is Σw.
	WeightSum float64
}

// Regression computes RegressionMetrics for predictions against labels with
// optional weights (nil means every weight is 1); rows of weight 0 do not
// contribute.
//
// Errors wrap ErrLengthMismatch, ErrInvalidScore (a prediction that is not
// finite), ErrInvalidLabel (a label that is not finite), ErrInvalidWeight,
// or ErrEmpty. Inputs are not modified; it is safe for concurrent use.
func Regression(predictions, labels, weights []float64) (RegressionMetrics, error) {
	const op = "regression metrics"
	n := len(predictions)
	if len(labels) != n {
		return RegressionMetrics{}, fmt.Errorf("%s: %d predictions but %d labels: %w", op, n, len(labels), ErrLengthMismatch)
	}
	W, err := checkWeights(op, weights, n)
	if err != nil {
		return RegressionMetrics{}, err
	}
	if W == 0 {
		return RegressionMetrics{}, fmt.Errorf("%s: %w", op, ErrEmpty)
	}
	var sy, w2 float64
	for i, p := range predictions {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return RegressionMetrics{}, fmt.Errorf("%s: predictions[%d] = %v; want a finite number: %w", op, i, p, ErrInvalidScore)
		}
		y := labels[i]
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return RegressionMetrics{}, fmt.Errorf("%s: labels[%d] = %v; want a finite number: %w", op, i, y, ErrInvalidLabel)
		}
		w := weightAt(weights, i)
		sy += w * y
		w2 += w * w
	}
	mean := sy / W
	var ssErr, sae, m2, ssReg, ssY float64
	for i, p := range predictions {
		w, y := weightAt(weights, i), labels[i]
		e := y - p
		ssErr += w * e * e
		sae += w * math.Abs(e)
		d := y - mean
		m2 += w * d * d
		r := p - mean
		ssReg += w * r * r
		ssY += w * y * y
	}
	var ssTot float64
	if denom := W - w2/W; denom > 0 {
		ssTot = m2 / denom * (W - 1)
	}
	mse := ssErr / W
	return RegressionMetrics{
		MSE:               mse,
		RMSE:              math.Sqrt(mse),
		MAE:               sae / W,
		R2:                1 - ssErr/ssTot,
		R2ThroughOrigin:   1 - ssErr/ssY,
		ExplainedVariance: ssReg / W,
		WeightSum:         W,
	}, nil
}
