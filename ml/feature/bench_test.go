package feature_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

var benchSink *ml.Frame

var benchSizes = []int{1_000, 100_000}

func benchVectors(tb testing.TB, n, d int) *ml.Frame {
	r := rand.New(rand.NewPCG(1, 2))
	vs := make([]ml.Vector, n)
	for i := range vs {
		x := make([]float64, d)
		for j := range x {
			x[j] = r.NormFloat64()
		}
		vs[i] = ml.Dense(x...)
	}
	return mkFrame(tb, vcol("x", vs...), fcol("c", func() []float64 {
		c := make([]float64, n)
		for i := range c {
			c[i] = float64(r.IntN(20))
		}
		return c
	}()))
}

func benchTransform(b *testing.B, tr ml.Transformer, f *ml.Frame) {
	b.Helper()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := tr.Transform(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = out
	}
}

func BenchmarkOneHotEncoderModel(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := benchVectors(b, n, 1)
			e := feature.NewOneHotEncoder()
			e.P.InputCol, e.P.OutputCol = "c", "v"
			benchTransform(b, mustFit(b, e, f), f)
		})
	}
}

func BenchmarkMinMaxScalerModel(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := benchVectors(b, n, 20)
			s := feature.NewMinMaxScaler()
			s.P.InputCol, s.P.OutputCol = "x", "y"
			benchTransform(b, mustFit(b, s, f), f)
		})
	}
}

func BenchmarkBucketizer(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := benchVectors(b, n, 1)
			q := feature.NewQuantileDiscretizer()
			q.P.InputCol, q.P.OutputCol, q.P.NumBuckets = "c", "b", 10
			benchTransform(b, mustFit(b, q, f), f)
		})
	}
}

func BenchmarkPolynomialExpansion(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := benchVectors(b, n, 10)
			e := feature.NewPolynomialExpansion()
			e.P.InputCol, e.P.OutputCol = "x", "p"
			benchTransform(b, e, f)
		})
	}
}

func BenchmarkPCAFit(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := benchVectors(b, n, 20)
			p := feature.NewPCA()
			p.P.InputCol, p.P.OutputCol, p.P.K = "x", "pc", 5
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Fit(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUnivariateFeatureSelectorANOVA(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := benchVectors(b, n, 20)
			s := feature.NewUnivariateFeatureSelector()
			s.P.FeaturesCol, s.P.LabelCol, s.P.OutputCol = "x", "c", "sel"
			s.P.FeatureType, s.P.LabelType = "continuous", "categorical"
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Fit(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
