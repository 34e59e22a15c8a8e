package classification

import (
	"context"
	"math"
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

// TestGradientsMatchFiniteDifferences checks every objective's analytic
// gradient against central differences.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	r := ml.NewRand(3)
	const n, dim = 40, 3
	d := &ml.Dataset{N: n, D: dim, X: make([]float64, n*dim), Y: make([]float64, n), W: make([]float64, n)}
	for i := range d.X {
		d.X[i] = r.NormFloat64()*2 + float64(i%dim)
	}
	for i := range d.Y {
		d.Y[i] = float64(r.IntN(3))
		d.W[i] = 0.5 + r.Float64()
	}
	pool := newRowPool(n)
	defer pool.close()
	stats, err := computeStats(context.Background(), pool, d)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, fn func(x, g []float64) float64, size int) {
		t.Helper()
		x := make([]float64, size)
		for i := range x {
			x[i] = r.NormFloat64() * 0.5
		}
		g := make([]float64, size)
		fn(x, g)
		tmp := make([]float64, size)
		for i := range x {
			const h = 1e-6
			old := x[i]
			x[i] = old + h
			fp := fn(x, tmp)
			x[i] = old - h
			fm := fn(x, tmp)
			x[i] = old
			if num := (fp - fm) / (2 * h); math.Abs(num-g[i]) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("%s: d/dx[%d] = %.9g, finite difference %.9g", name, i, g[i], num)
			}
		}
	}
	for _, std := range []bool{true, false} {
		for _, fi := range []bool{true, false} {
			bin := &ml.Dataset{N: n, D: dim, X: d.X, Y: make([]float64, n), W: d.W}
			for i, y := range d.Y {
				bin.Y[i] = math.Min(y, 1)
			}
			lp := newLinearProblem(bin, logistic, 1, fi, std, stats, 0.3, pool)
			check("logistic", lp.eval, lp.numParams())
			lp = newLinearProblem(d, multinomial, 3, fi, std, stats, 0.3, pool)
			check("multinomial", lp.eval, lp.numParams())
		}
	}
	for _, layers := range [][]int{{dim, 3}, {dim, 4, 3}, {dim, 5, 2, 3}} {
		mp := newMLPProblem(d, layers, pool)
		check("mlp", mp.eval, numWeights(layers))
	}
}
