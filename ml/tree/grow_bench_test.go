package tree

import (
	"context"
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/ml"
)

// benchBinned is n rows × d features of random bins (32 per feature) with
// labels from a rule on a few features, plus logistic gradient stats.
func benchBinned(n, d int) (*binned, []float64, []float64) {
	rng := ml.NewRand(1)
	b := &binned{n: n, d: d, bins: make([]uint8, n*d), nbins: make([]int, d), splits: make([][]float64, d), arity: make([]int, d), maxBins: 32}
	for j := range d {
		b.nbins[j] = 32
		b.splits[j] = make([]float64, 31)
		for k := range b.splits[j] {
			b.splits[j][k] = float64(k)
		}
	}
	y := make([]float64, n)
	for i := range n {
		for j := range d {
			b.bins[j*n+i] = uint8(rng.IntN(32))
		}
		s := float64(b.bins[i]) + float64(b.bins[n+i]) - 31 + 4*rng.NormFloat64()
		if s > 0 {
			y[i] = 1
		}
	}
	return b, y, make([]float64, n)
}

var sinkTree Tree

// cpuTime returns the CPU time the process has used (user + system): on
// a shared machine it says more about the work than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGrow grows one tree on 400,000 × 20 pre-binned rows: the hot
// loop of every learner (histograms, split search, partitioning).
func BenchmarkGrow(b *testing.B) {
	const n, d = 400_000, 20
	bn, y, _ := benchBinned(n, d)
	for _, c := range []struct {
		name  string
		lay   layout
		depth int
	}{
		{"newton_depth6", newtonLayout(false, false, 1), 6},
		{"gini_depth10", classLayout(gini, 2, false), 10},
	} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s_workers%d", c.name, workers), func(b *testing.B) {
				s := c.lay.s
				stats := make([]float64, n*s)
				for i := range n {
					if c.lay.imp == newton {
						p := 0.5 + 0.1*math.Sin(float64(i))
						stats[i*s], stats[i*s+1] = p-y[i], p*(1-p)
						if s > 2 {
							stats[i*s+2] = 1
						}
					} else {
						stats[i*s+int(y[i])] = 1
					}
				}
				g := newGrower(bn, c.lay, growConfig{maxDepth: c.depth, minInstances: 1, subset: d, workers: workers})
				rows := make([]int32, n)
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					for i := range rows {
						rows[i] = int32(i)
					}
					t, err := g.grow(context.Background(), rows, stats, 1)
					if err != nil {
						b.Fatal(err)
					}
					sinkTree = t
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
