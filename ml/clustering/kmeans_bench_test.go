package clustering

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// kmBlobs returns n rows of d features drawn around k random centres in
// [-10, 10]^d with per-cluster standard deviations in [0.5, 2], and the
// true cluster of each row.
func kmBlobs(n, d, k int, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	centers := make([]float64, k*d)
	for i := range centers {
		centers[i] = rng.Float64()*20 - 10
	}
	std := make([]float64, k)
	for j := range std {
		std[j] = 0.5 + 1.5*rng.Float64()
	}
	x := make([]float64, n*d)
	lab := make([]int, n)
	for i := range n {
		j := rng.IntN(k)
		lab[i] = j
		for t := range d {
			x[i*d+t] = centers[j*d+t] + std[j]*rng.NormFloat64()
		}
	}
	return x, lab
}

// kmFrame wraps row-major x as a frame with a dense "features" column.
func kmFrame(tb testing.TB, x []float64, d int) *ml.Frame {
	tb.Helper()
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil),
		[]*arrow.Chunked{ml.DenseVectors(x, d)})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

var kmSink any

func BenchmarkKMeansFit(b *testing.B) {
	for _, c := range []struct{ n, d, k int }{{10_000, 20, 16}, {100_000, 20, 16}, {1_000_000, 20, 16}} {
		x, _ := kmBlobs(c.n, c.d, c.k, 1)
		f := kmFrame(b, x, c.d)
		b.Run(fmt.Sprintf("n=%d/d=%d/k=%d", c.n, c.d, c.k), func(b *testing.B) {
			b.ReportAllocs()
			km := NewKMeans()
			km.P.K = c.k
			for b.Loop() {
				m, err := km.Fit(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				kmSink = m
			}
			m := kmSink.(*KMeansModel)
			b.ReportMetric(float64(m.NumIter), "iters")
			b.ReportMetric(m.TrainingCost, "cost")
		})
	}
}

func BenchmarkKMeansTransform(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		x, _ := kmBlobs(n, 20, 16, 1)
		f := kmFrame(b, x, 20)
		km := NewKMeans()
		km.P.K = 16
		km.P.DistanceCol = "distance"
		m, err := km.Fit(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := m.(*KMeansModel).Transform(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				kmSink = out
			}
		})
	}
}

func BenchmarkBisectingKMeansFit(b *testing.B) {
	for _, c := range []struct{ n, d, k int }{{10_000, 20, 16}, {100_000, 20, 16}} {
		x, _ := kmBlobs(c.n, c.d, c.k, 1)
		f := kmFrame(b, x, c.d)
		b.Run(fmt.Sprintf("n=%d/d=%d/k=%d", c.n, c.d, c.k), func(b *testing.B) {
			b.ReportAllocs()
			bk := NewBisectingKMeans()
			bk.P.K = c.k
			for b.Loop() {
				m, err := bk.Fit(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				kmSink = m
			}
		})
	}
}

// BenchmarkKMeansFitSparse clusters 2% dense rows of 1,000 features.
func BenchmarkKMeansFitSparse(b *testing.B) {
	n, d := 50_000, 1000
	rng := rand.New(rand.NewPCG(5, 6))
	vs := make([]ml.Vector, n)
	for i := range vs {
		g := i % 8
		var idx []int32
		var val []float64
		for j := g * 100; j < g*100+100; j++ {
			if rng.Float64() < 0.2 {
				idx, val = append(idx, int32(j)), append(val, 1+rng.Float64())
			}
		}
		vs[i] = ml.Sparse(d, idx, val)
	}
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil),
		[]*arrow.Chunked{ml.VectorsColumn(vs)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	km := NewKMeans()
	km.P.K = 8
	for b.Loop() {
		m, err := km.Fit(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		kmSink = m
	}
}
