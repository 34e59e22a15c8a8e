package evaluation

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors returned (wrapped, with the offending index or value) by
// the kernels in this package. Callers branch on them with errors.Is.
var (
	// ErrLengthMismatch: the input slices do not have the same length.
	ErrLengthMismatch = errors.New("input lengths differ")
	// ErrEmpty: there are no rows, or every row has weight 0.
	ErrEmpty = errors.New("no rows with positive weight")
	// ErrInvalidScore: a score, prediction or probability is NaN (or, for
	// regression, not finite).
	ErrInvalidScore = errors.New("invalid score")
	// ErrInvalidLabel: a label is NaN or outside the allowed set (0/1 for
	// binary metrics, a non-negative integer index for LogLoss).
	ErrInvalidLabel = errors.New("invalid label")
	// ErrInvalidWeight: a weight is negative, NaN or infinite.
	ErrInvalidWeight = errors.New("invalid weight")
	// ErrSingleClass: only one of the two binary classes has positive
	// weight, so ROC and PR areas are undefined.
	ErrSingleClass = errors.New("only one class present")
	// ErrUnknownLabel: a per-label metric was asked for a label that does
	// not occur (with positive weight) among the labels.
	ErrUnknownLabel = errors.New("unknown label")
	// ErrInvalidParam: a parameter such as beta or eps is out of range.
	ErrInvalidParam = errors.New("invalid parameter")
)

// checkWeights validates that weights is nil or as long as n, and that every
// weight is finite and non-negative. It returns the total weight.
func checkWeights(op string, weights []float64, n int) (float64, error) {
	if weights == nil {
		return float64(n), nil
	}
	if len(weights) != n {
		return 0, fmt.Errorf("%s: %d weights for %d rows; pass nil for unit weights or one weight per row: %w",
			op, len(weights), n, ErrLengthMismatch)
	}
	var sum float64
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return 0, fmt.Errorf("%s: weights[%d] = %v; weights must be finite and >= 0: %w",
				op, i, w, ErrInvalidWeight)
		}
		sum += w
	}
	return sum, nil
}

// weightAt returns weights[i], or 1 when weights is nil.
func weightAt(weights []float64, i int) float64 {
	if weights == nil {
		return 1
	}
	return weights[i]
}
