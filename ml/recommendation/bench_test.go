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
	p := makePlanted(1, 1, 1, 0, 0, 1, false) // for the helper types only
	_ = p
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
