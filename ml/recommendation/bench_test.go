package recommendation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/ml"
)

// benchRatings is a power-law-ish synthetic rating set: user u rates
// about perUser items drawn with popularity skew.
func benchRatings(tb testing.TB, nUsers, nItems, perUser int) *ml.Frame {
	tb.Helper()
	rng := ml.NewRand(3)
	var us, is []int32
	var rs []float32
	seen := make([]int32, nItems)
	for u := 0; u < nUsers; u++ {
		n := 1 + rng.IntN(2*perUser)
		for range n {
			// skewed item: square of a uniform
			f := rng.Float64()
			i := int32(f * f * float64(nItems))
			if seen[i] == int32(u+1) {
				continue
			}
			seen[i] = int32(u + 1)
			us, is, rs = append(us, int32(u)), append(is, i), append(rs, float32(1+rng.IntN(5)))
		}
	}
	return ratingsFrame(tb, us, is, rs)
}

var sinkModel *ALSModel

// BenchmarkALSIteration times one ALS iteration (both half-steps) after
// the set-up, by size, feedback type and solver; ns/op is one iteration.
func BenchmarkALSIteration(b *testing.B) {
	sizes := []struct {
		name                  string
		users, items, perUser int
	}{
		{"100k", 2000, 1000, 50},
		{"1M", 8000, 2000, 125},
	}
	for _, sz := range sizes {
		f := benchRatings(b, sz.users, sz.items, sz.perUser)
		for _, implicit := range []bool{false, true} {
			for _, solver := range []string{SolverCholesky, SolverCG} {
				for _, rank := range []int{10, 64} {
					name := fmt.Sprintf("%s/implicit=%v/%s/rank=%d", sz.name, implicit, solver, rank)
					b.Run(name, func(b *testing.B) {
						a := NewALS()
						a.P.Rank, a.P.ImplicitPrefs, a.P.Solver, a.P.MaxIter = rank, implicit, solver, 1
						var iter time.Duration
						a.OnIteration = func(_ int, d time.Duration) { iter += d }
						b.ReportAllocs()
						for b.Loop() {
							m, err := a.Fit(context.Background(), f)
							if err != nil {
								b.Fatal(err)
							}
							sinkModel = m.(*ALSModel)
						}
						b.ReportMetric(float64(iter.Nanoseconds())/float64(b.N), "ns/iter")
						b.ReportMetric(float64(iter.Nanoseconds())/float64(b.N)/float64(f.NumRows()), "ns/rating-iter")
					})
				}
			}
		}
	}
}

// BenchmarkKernels times the solver's inner kernels at rank 64: one
// eight-rating Gram update, one 64×64 Cholesky solve, one CG dot+axpy.
func BenchmarkKernels(b *testing.B) {
	const k = 64
	rng := ml.NewRand(1)
	var rows [8][]float64
	var w [8]float64
	for l := range rows {
		rows[l] = make([]float64, k)
		for j := range rows[l] {
			rows[l][j] = rng.Float64()
		}
		w[l] = 1
	}
	b.Run("gram8", func(b *testing.B) {
		a := make([]float64, k*k)
		b.ReportAllocs()
		for b.Loop() {
			gramAdd(a, k, k, &rows, &w, 8)
		}
	})
	b.Run("cholesky", func(b *testing.B) {
		a0 := make([]float64, k*k)
		for i := range k {
			for j := i; j < k; j++ {
				a0[i*k+j] = 0.01 * rng.Float64()
			}
			a0[i*k+i] += 10
		}
		a, rhs := make([]float64, k*k), make([]float64, k)
		b.ReportAllocs()
		for b.Loop() {
			copy(a, a0)
			for i := range rhs {
				rhs[i] = 1
			}
			cholSolve(a, rhs, k)
		}
	})
	b.Run("dotaxpy", func(b *testing.B) {
		y, p, out := make([]float32, k), make([]float32, k), make([]float32, k)
		for j := range y {
			y[j], p[j] = rng.Float32(), rng.Float32()
		}
		b.ReportAllocs()
		for b.Loop() {
			axpyF32(1e-3*dotF32(y, p), y, out)
		}
	})
}

var sinkFrame *ml.Frame

// BenchmarkRecommend times top-10 recommendation for all users, by rank.
func BenchmarkRecommend(b *testing.B) {
	f := benchRatings(b, 4000, 3000, 40)
	for _, rank := range []int{10, 64} {
		a := NewALS()
		a.P.Rank, a.P.MaxIter = rank, 2
		m := mustFit(b, a, f)
		b.Run(fmt.Sprintf("users=4000/items=3000/rank=%d", rank), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := m.Recommend(context.Background(), RecommendOptions{K: 10})
				if err != nil {
					b.Fatal(err)
				}
				sinkFrame = out
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m.NumUsers()*m.NumItems()), "ns/score")
		})
	}
}

// BenchmarkTransform times predictions for the training rows.
func BenchmarkTransform(b *testing.B) {
	f := benchRatings(b, 8000, 2000, 125)
	a := NewALS()
	a.P.MaxIter = 1
	m := mustFit(b, a, f)
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.Transform(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		sinkFrame = out
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.NumRows()), "ns/row")
}
