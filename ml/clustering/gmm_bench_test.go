package clustering_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/ml/clustering"
	"github.com/sluice-dev/sluice/ml/mltest"
)

var gmmSink any

// gmmBenchData is a mixture of k well-apart Gaussians in d dimensions.
func gmmBenchData(n, d, k int) [][]float64 {
	weights := make([]float64, k)
	means := make([][]float64, k)
	sds := make([][]float64, k)
	for c := range weights {
		weights[c] = 1 / float64(k)
		means[c] = make([]float64, d)
		sds[c] = make([]float64, d)
		for j := range means[c] {
			means[c][j] = float64((c*7+j*3)%11) * 2
			sds[c][j] = 0.5 + float64((c+j)%3)*0.25
		}
	}
	return gmmPlanted(42, n, weights, means, sds)
}

func BenchmarkGaussianMixtureFit(b *testing.B) {
	for _, sz := range []struct{ n, d, k int }{{10_000, 10, 8}, {50_000, 10, 8}, {20_000, 30, 4}} {
		b.Run(fmt.Sprintf("n=%d,d=%d,k=%d", sz.n, sz.d, sz.k), func(b *testing.B) {
			f := mltest.Frame(b, gmmBenchData(sz.n, sz.d, sz.k), nil, nil, nil)
			g := clustering.NewGaussianMixture()
			g.P.K, g.P.MaxIter, g.P.Tol = sz.k, 10, 0 // exactly 10 EM iterations
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m, err := g.Fit(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				gmmSink = m
			}
		})
	}
}

func BenchmarkGaussianMixtureTransform(b *testing.B) {
	x := gmmBenchData(50_000, 10, 8)
	f := mltest.Frame(b, x, nil, nil, nil)
	g := clustering.NewGaussianMixture()
	g.P.K, g.P.MaxIter = 8, 5
	m, err := g.Fit(context.Background(), f)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := m.Transform(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		gmmSink = out
	}
}
