package classification

import (
	"context"
	"math"
	"runtime"
	"sync"

	"github.com/sluice-dev/sluice/ml"
)

// minRowsPerWorker keeps small fits on one goroutine, where fan-out costs
// more than it saves.
const minRowsPerWorker = 8192

// rowPool runs a function over fixed row ranges on persistent goroutines,
// one range per worker, so the many passes of an iterative fit start no
// goroutines and allocate nothing. Worker 0 is the calling goroutine.
// A rowPool is used by one goroutine at a time; close waits for its
// goroutines to exit.
type rowPool struct {
	bounds []int // worker w handles rows bounds[w] ≤ i < bounds[w+1]
	start  []chan struct{}
	fn     func(w, lo, hi int)
	wg     sync.WaitGroup // one pass
	exit   sync.WaitGroup // the goroutines
}

// newRowPool splits n rows between at most GOMAXPROCS workers.
func newRowPool(n int) *rowPool {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minRowsPerWorker))
	p := &rowPool{bounds: make([]int, workers+1), start: make([]chan struct{}, workers)}
	for w := range workers {
		p.bounds[w+1] = n * (w + 1) / workers
	}
	for w := 1; w < workers; w++ {
		p.start[w] = make(chan struct{})
		p.exit.Add(1)
		go func() {
			defer p.exit.Done()
			for range p.start[w] {
				p.fn(w, p.bounds[w], p.bounds[w+1])
				p.wg.Done()
			}
		}()
	}
	return p
}

func (p *rowPool) workers() int { return len(p.start) }

// run calls fn(w, lo, hi) for every worker's range and waits for all.
func (p *rowPool) run(fn func(w, lo, hi int)) {
	p.fn = fn
	p.wg.Add(len(p.start) - 1)
	for w := 1; w < len(p.start); w++ {
		p.start[w] <- struct{}{}
	}
	fn(0, p.bounds[0], p.bounds[1])
	p.wg.Wait()
}

// close stops the goroutines and waits for them. It is idempotent.
func (p *rowPool) close() {
	for w := 1; w < len(p.start); w++ {
		if p.start[w] != nil {
			close(p.start[w])
			p.start[w] = nil
		}
	}
	p.exit.Wait()
}

// featureStats are the weighted mean and standard deviation of each
// feature, with Spark's unbiased weighted variance
// Σw(x-μ)² / (Σw − Σw²/Σw) (n−1 for unit weights; 0 when the
// denominator is not positive).
type featureStats struct {
	mean, std []float64
	wsum      float64
}

// computeStats computes featureStats in one parallel pass, shifting by
// the first row for accuracy.
func computeStats(ctx context.Context, p *rowPool, d *ml.Dataset) (featureStats, error) {
	D := d.D
	shift := d.Row(0)
	// per worker: Σw, Σw², Σw(x-s) [D], Σw(x-s)² [D]
	acc := make([][]float64, p.workers())
	for w := range acc {
		acc[w] = make([]float64, 2+2*D)
	}
	p.run(func(w, lo, hi int) {
		a := acc[w]
		s1, s2 := a[2:2+D], a[2+D:]
		for i := lo; i < hi; i++ {
			wt := d.Weight(i)
			a[0] += wt
			a[1] += wt * wt
			row := d.X[i*D : (i+1)*D]
			for j, x := range row {
				v := x - shift[j]
				s1[j] += wt * v
				s2[j] += wt * v * v
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return featureStats{}, err
	}
	tot := make([]float64, 2+2*D)
	for _, a := range acc {
		for k, v := range a {
			tot[k] += v
		}
	}
	st := featureStats{mean: make([]float64, D), std: make([]float64, D), wsum: tot[0]}
	if st.wsum <= 0 {
		return st, nil
	}
	denom := st.wsum - tot[1]/st.wsum
	for j := range D {
		m := tot[2+j] / st.wsum
		st.mean[j] = shift[j] + m
		if denom > 0 {
			m2 := tot[2+D+j] - st.wsum*m*m
			st.std[j] = math.Sqrt(max(m2, 0) / denom)
		}
	}
	return st, nil
}
