package regression_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/regression"
)

var (
	benchOnce  sync.Once
	benchFrame *ml.Frame
	benchSink  float64
)

// benchData is 500,000 rows × 20 features: correlated Gaussian features
// with different means and scales, a linear label with noise, and
// weights in [0.5, 1.5).
func benchData() *ml.Frame {
	benchOnce.Do(func() {
		const n, d = 500_000, 20
		rng := ml.NewRand(1)
		flat := make([]float64, n*d)
		y := make([]float64, n)
		w := make([]float64, n)
		for i := range n {
			row := flat[i*d : (i+1)*d]
			base := rng.NormFloat64()
			for j := range row {
				row[j] = float64(j+1)*(rng.NormFloat64()+0.3*base) + float64(j)
				y[i] += float64(j%5-2) * row[j] / float64(j+1)
			}
			y[i] += rng.NormFloat64()
			w[i] = 0.5 + rng.Float64()
		}
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "features", Type: ml.VectorType, Nullable: true},
			{Name: "label", Type: arrow.PrimitiveTypes.Float64},
			{Name: "weight", Type: arrow.PrimitiveTypes.Float64},
		}, nil)
		f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.DenseVectors(flat, d), ml.Float64Column(y), ml.Float64Column(w)})
		if err != nil {
			panic(err)
		}
		benchFrame = f
	})
	return benchFrame
}

// BenchmarkLinearRegressionFit fits 500,000 × 20 with each solver; the
// time includes reading the vector column into a dense matrix.
func BenchmarkLinearRegressionFit(b *testing.B) {
	f := benchData()
	ctx := context.Background()
	for _, bc := range []struct {
		name   string
		params map[string]any
	}{
		{"normal", nil},
		{"normal-weighted", map[string]any{"weightCol": "weight"}},
		{"ridge", map[string]any{"regParam": 0.1}},
		{"elasticnet", map[string]any{"regParam": 0.1, "elasticNetParam": 0.5}},
		{"l-bfgs", map[string]any{"solver": "l-bfgs"}},
		{"huber", map[string]any{"loss": "huber"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			lr := regression.NewLinearRegression()
			setParams(b, lr, bc.params)
			b.ReportAllocs()
			iters := 0
			for b.Loop() {
				m, err := lr.Fit(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				lm := m.(*regression.LinearRegressionModel)
				benchSink = lm.Intercept
				iters = lm.Summary.TotalIterations
			}
			b.ReportMetric(float64(iters), "iters")
		})
	}
}

// BenchmarkLinearRegressionTransform predicts 500,000 rows.
func BenchmarkLinearRegressionTransform(b *testing.B) {
	f := benchData()
	ctx := context.Background()
	m, err := regression.NewLinearRegression().Fit(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.Transform(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = float64(out.NumRows())
	}
}

func BenchmarkLinearRegressionFitSizes(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 50_000} {
		for _, d := range []int{5, 100} {
			b.Run(fmt.Sprintf("n=%d/d=%d", n, d), func(b *testing.B) {
				rng := ml.NewRand(2)
				flat := make([]float64, n*d)
				y := make([]float64, n)
				for i := range flat {
					flat[i] = rng.NormFloat64()
				}
				for i := range y {
					y[i] = flat[i*d] + rng.NormFloat64()
				}
				schema := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}, {Name: "label", Type: arrow.PrimitiveTypes.Float64}}, nil)
				f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.DenseVectors(flat, d), ml.Float64Column(y)})
				if err != nil {
					b.Fatal(err)
				}
				lr := regression.NewLinearRegression()
				b.ReportAllocs()
				for b.Loop() {
					m, err := lr.Fit(ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					benchSink = m.(*regression.LinearRegressionModel).Intercept
				}
			})
		}
	}
}

// BenchmarkGLMFit fits Poisson (log link) and binomial (logit) GLMs by
// IRLS on 500,000 × 20, labels drawn from the models.
func BenchmarkGLMFit(b *testing.B) {
	const n, d = 500_000, 20
	rng := ml.NewRand(3)
	flat := make([]float64, n*d)
	counts, binary := make([]float64, n), make([]float64, n)
	for i := range n {
		row := flat[i*d : (i+1)*d]
		eta := 0.2
		for j := range row {
			row[j] = rng.NormFloat64()
			eta += 0.05 * float64(j%5-2) * row[j]
		}
		mu := math.Exp(eta)
		k, p, u := 0.0, math.Exp(-mu), rng.Float64()
		for c := p; u > c && k < 100; c += p {
			k++
			p *= mu / k
		}
		counts[i] = k
		if rng.Float64() < 1/(1+math.Exp(-eta)) {
			binary[i] = 1
		}
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "counts", Type: arrow.PrimitiveTypes.Float64},
		{Name: "binary", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.DenseVectors(flat, d), ml.Float64Column(counts), ml.Float64Column(binary)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, bc := range []struct{ family, label string }{{"poisson", "counts"}, {"binomial", "binary"}} {
		b.Run(bc.family, func(b *testing.B) {
			glr := regression.NewGeneralizedLinearRegression()
			glr.P.Family, glr.P.LabelCol = bc.family, bc.label
			b.ReportAllocs()
			iters := 0
			for b.Loop() {
				m, err := glr.Fit(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				gm := m.(*regression.GeneralizedLinearRegressionModel)
				benchSink = gm.Intercept
				iters = gm.Summary.NumIterations
			}
			b.ReportMetric(float64(iters), "iters")
		})
	}
}

// BenchmarkIsotonicFit fits 500,000 points.
func BenchmarkIsotonicFit(b *testing.B) {
	const n = 500_000
	rng := ml.NewRand(4)
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rng.Float64() * 100
		y[i] = math.Sqrt(x[i]) + rng.NormFloat64()
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "features", Type: arrow.PrimitiveTypes.Float64}, {Name: "label", Type: arrow.PrimitiveTypes.Float64}}, nil)
	f, err := ml.NewFrame(schema, []*arrow.Chunked{ml.Float64Column(x), ml.Float64Column(y)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ir := regression.NewIsotonicRegression()
	b.ReportAllocs()
	for b.Loop() {
		m, err := ir.Fit(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = float64(len(m.(*regression.IsotonicRegressionModel).Boundaries))
	}
}
