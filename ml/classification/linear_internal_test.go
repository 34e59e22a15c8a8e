package classification

import (
	"context"
	"testing"

	"github.com/sluice-dev/sluice/ml"
)

// BenchmarkLogisticPass measures one objective and gradient evaluation
// over 400,000 × 20 rows: the cost of one L-BFGS iteration.
func BenchmarkLogisticPass(b *testing.B) {
	const n, dim = 400_000, 20
	r := ml.NewRand(1)
	d := &ml.Dataset{N: n, D: dim, X: make([]float64, n*dim), Y: make([]float64, n)}
	for i := range d.X {
		d.X[i] = r.NormFloat64()
	}
	for i := range d.Y {
		d.Y[i] = float64(r.IntN(2))
	}
	pool := newRowPool(n)
	defer pool.close()
	stats, err := computeStats(context.Background(), pool, d)
	if err != nil {
		b.Fatal(err)
	}
	lp := newLinearProblem(d, logistic, 1, true, true, stats, 1e-3, pool)
	theta := make([]float64, lp.numParams())
	for i := range theta {
		theta[i] = 0.1 * float64(i%5)
	}
	grad := make([]float64, len(theta))
	b.ReportAllocs()
	for b.Loop() {
		lp.eval(theta, grad)
	}
}
