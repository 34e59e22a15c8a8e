package classification_test

import (
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/mltest"
)

func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}

func nearSlice(tb testing.TB, what string, got, want []float64, tol float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !closeTo(got[i], want[i], tol) {
			tb.Errorf("%s[%d] = %.8g, want %.8g (tol %g)\n got %v\nwant %v", what, i, got[i], want[i], tol, got, want)
			return
		}
	}
}

// Shared helpers (package mltest).
var (
	vectors = mltest.Vectors
	floats  = mltest.Floats
)

// frameOf builds a frame with "features", "label" (always, even when
// empty) and, when w is not nil, "weight" columns.
func frameOf(tb testing.TB, X [][]float64, y, w []float64) *ml.Frame {
	tb.Helper()
	if y == nil {
		y = []float64{}
	}
	return mltest.Frame(tb, X, y, w, nil)
}
