package fpm_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/fpm"
)

// baskets makes n market baskets over nItems items with power-law
// popularity (item k drawn with weight 1/(k+1)) and about avg items each.
func baskets(n, nItems, avg int, seed int64) [][]string {
	rng := ml.NewRand(seed)
	names := make([]string, nItems)
	cum := make([]float64, nItems)
	total := 0.0
	for k := range nItems {
		names[k] = fmt.Sprintf("item%04d", k)
		total += 1 / float64(k+1)
		cum[k] = total
	}
	out := make([][]string, n)
	seen := map[int]bool{}
	for i := range out {
		size := 1 + rng.IntN(2*avg-1)
		clear(seen)
		tx := make([]string, 0, size)
		for len(tx) < size && len(tx) < nItems {
			u := rng.Float64() * total
			lo, hi := 0, nItems-1
			for lo < hi {
				mid := (lo + hi) / 2
				if cum[mid] < u {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			if !seen[lo] {
				seen[lo] = true
				tx = append(tx, names[lo])
			}
		}
		out[i] = tx
	}
	return out
}

var sinkFrame *ml.Frame

func BenchmarkFPGrowthFit(b *testing.B) {
	for _, c := range []struct {
		n          int
		minSupport float64
	}{{10_000, 0.01}, {100_000, 0.005}} {
		f := itemsFrame(b, baskets(c.n, 1000, 10, 1)...)
		b.Run(fmt.Sprintf("n=%d/minSupport=%v", c.n, c.minSupport), func(b *testing.B) {
			b.ReportAllocs()
			var sets int
			for b.Loop() {
				e := fpm.NewFPGrowth()
				e.P.MinSupport = c.minSupport
				m, err := e.Fit(context.Background(), f)
				if err != nil {
					b.Fatal(err)
				}
				sets = m.(*fpm.FPGrowthModel).NumItemsets()
			}
			b.ReportMetric(float64(sets), "itemsets")
		})
	}
}

func BenchmarkFPGrowthTransform(b *testing.B) {
	f := itemsFrame(b, baskets(100_000, 1000, 10, 2)...)
	e := fpm.NewFPGrowth()
	e.P.MinSupport, e.P.MinConfidence = 0.002, 0.1
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		b.Fatal(err)
	}
	rules := m.(*fpm.FPGrowthModel).AssociationRules().NumRows()
	b.ReportAllocs()
	for b.Loop() {
		if sinkFrame, err = m.Transform(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rules), "rules")
}

func BenchmarkPrefixSpan(b *testing.B) {
	rng := ml.NewRand(3)
	var seqs [][][]string
	for range 10_000 {
		var s [][]string
		for range 1 + rng.IntN(8) {
			var set []string
			for range 1 + rng.IntN(3) {
				set = append(set, fmt.Sprintf("e%d", int(math.Floor(50*rng.Float64()*rng.Float64()))))
			}
			s = append(s, set)
		}
		seqs = append(seqs, s)
	}
	f := seqFrame(b, seqs...)
	b.ReportAllocs()
	for b.Loop() {
		ps := fpm.NewPrefixSpan()
		ps.P.MinSupport = 0.01
		out, err := ps.FindFrequentSequentialPatterns(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		sinkFrame = out
	}
	b.ReportMetric(float64(sinkFrame.NumRows()), "patterns")
}
