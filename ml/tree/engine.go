package tree

import (
	"context"
	"math"
	"math/rand/v2"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// classStats returns the per-row stats of a classification layout: the
// row's weight in its class slot (and a raw count of 1).
func classStats(lay layout, d *ml.Dataset) []float64 {
	s := lay.s
	st := make([]float64, d.N*s)
	for i := range d.N {
		st[i*s+int(d.Y[i])] = d.Weight(i)
		if lay.cIdx >= 0 {
			st[i*s+lay.cIdx] = 1
		}
	}
	return st
}

// regStats returns the per-row stats of a variance layout for labels y.
func regStats(lay layout, d *ml.Dataset, y []float64) []float64 {
	s := lay.s
	st := make([]float64, d.N*s)
	for i := range d.N {
		w := d.Weight(i)
		st[i*s], st[i*s+1], st[i*s+2] = w, w*y[i], w*y[i]*y[i]
		if lay.cIdx >= 0 {
			st[i*s+lay.cIdx] = 1
		}
	}
	return st
}

// forestSpec says how to grow a set of trees on one binned dataset.
type forestSpec struct {
	lay       layout
	cfg       growConfig
	numTrees  int
	rate      float64 // subsampling rate
	bootstrap bool    // with replacement (Poisson counts)
	seed      int64
	workers   int
}

// allRows returns 0 … n-1.
func allRows(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = int32(i)
	}
	return r
}

// poissonCDF returns the cumulative probabilities of Poisson(lambda)
// (lambda <= 1 here) up to where they reach 1 within rounding.
func poissonCDF(lambda float64) []float64 {
	var cdf []float64
	p, acc := math.Exp(-lambda), 0.0
	for k := 1; acc < 1-1e-15 && k < 64; k++ {
		acc += p
		cdf = append(cdf, acc)
		p *= lambda / float64(k)
	}
	return cdf
}

// poisson draws from the distribution with cumulative probabilities cdf
// by inversion: one uniform draw.
func poisson(rng *rand.Rand, cdf []float64) int {
	u := rng.Float64()
	for k, c := range cdf {
		if u < c {
			return k
		}
	}
	return len(cdf)
}

// growForest grows spec.numTrees trees in parallel (at most spec.workers
// at once) on the rows train of b, with per-row stats base for a row
// counted once. Each tree gets its own row sample (Poisson counts with
// bootstrap, else Bernoulli when rate < 1) and seed, derived from
// spec.seed in tree order, so the result does not depend on scheduling.
func growForest(ctx context.Context, b *binned, base []float64, train []int32, spec forestSpec) ([]Tree, error) {
	workers := max(1, spec.workers)
	seeds := make([]int64, spec.numTrees)
	rng := ml.NewRand(spec.seed)
	for i := range seeds {
		seeds[i] = rng.Int64()
	}
	inner := 1
	if spec.numTrees < workers {
		inner = max(1, workers/spec.numTrees)
	}
	cfg := spec.cfg
	cfg.workers = inner
	pool := make(chan *forestWorker, workers)
	for range min(workers, spec.numTrees) {
		pool <- &forestWorker{g: newGrower(b, spec.lay, cfg)}
	}
	sampled := spec.numTrees > 1 && spec.bootstrap || spec.rate < 1
	trees := make([]Tree, spec.numTrees)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for t := range spec.numTrees {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			fw := <-pool
			defer func() { pool <- fw }()
			rows, stats := fw.sample(base, train, spec, sampled, seeds[t])
			tr, err := fw.g.grow(gctx, rows, stats, seeds[t]^0x5DEECE66D)
			trees[t] = tr
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return trees, nil
}

// forestWorker is one goroutine's grower and sampling buffers.
type forestWorker struct {
	g     *grower
	rows  []int32
	stats []float64
}

// sample returns the rows and per-row stats of one tree.
func (fw *forestWorker) sample(base []float64, train []int32, spec forestSpec, sampled bool, seed int64) ([]int32, []float64) {
	fw.rows = append(fw.rows[:0], train...)
	if !sampled {
		return fw.rows, base
	}
	if len(fw.stats) != len(base) {
		fw.stats = make([]float64, len(base))
	}
	s := spec.lay.s
	rng := ml.NewRand(seed)
	rows := fw.rows[:0]
	bootstrap := spec.bootstrap && spec.numTrees > 1
	var cdf []float64
	if bootstrap {
		cdf = poissonCDF(spec.rate)
	}
	for _, r := range train {
		var m int
		if bootstrap {
			m = poisson(rng, cdf)
		} else if rng.Float64() < spec.rate {
			m = 1
		}
		if m == 0 {
			continue
		}
		rows = append(rows, r)
		i := int(r) * s
		fm := float64(m)
		for k := i; k < i+s; k++ {
			fw.stats[k] = base[k] * fm
		}
	}
	fw.rows = rows
	return rows, fw.stats
}
