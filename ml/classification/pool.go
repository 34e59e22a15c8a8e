package classification

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sluice-dev/sluice/ml"
)

const (
	// minRowsPerWorker keeps small fits on one goroutine, where fan-out
	// costs more than it saves.
	minRowsPerWorker = 8192
	// chunkRows is the target rows per chunk; there are at most
	// maxChunks chunks, each with its own accumulators.
	chunkRows = 4096
	maxChunks = 64
)

// rowPool runs a function over the row chunks of a dataset on persistent
// goroutines, so the many passes of an iterative fit start no goroutines
// and allocate nothing. Workers take chunks in turn from a shared
// counter, so a worker slowed by a busy machine does not hold up the
// pass. Callers keep one accumulator per chunk and add them up in chunk
// order, so results are bit-for-bit the same whatever GOMAXPROCS is or
// however the chunks were shared out. Worker 0 is the calling goroutine.
// A rowPool is used by one goroutine at a time; close waits for its
// goroutines to exit.
type rowPool struct {
	n, chunk, nchunks int
	next              atomic.Int64
	start             []chan struct{}
	fn                func(c, w, lo, hi int)
	wg                sync.WaitGroup // one pass
	exit              sync.WaitGroup // the goroutines
}

// newRowPool splits n rows into chunks for at most GOMAXPROCS workers.
func newRowPool(n int) *rowPool {
	nchunks := max(1, min(maxChunks, n/chunkRows))
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minRowsPerWorker, nchunks))
	p := &rowPool{n: n, chunk: (n + nchunks - 1) / nchunks, nchunks: nchunks, start: make([]chan struct{}, workers)}
	for w := 1; w < workers; w++ {
		p.start[w] = make(chan struct{})
		p.exit.Add(1)
		go func() {
			defer p.exit.Done()
			for range p.start[w] {
				p.work(w)
				p.wg.Done()
			}
		}()
	}
	return p
}

// workers is the number of goroutines a pass uses (scratch buffers).
func (p *rowPool) workers() int { return len(p.start) }

// chunks is the number of chunks (accumulators).
func (p *rowPool) chunks() int { return p.nchunks }

// run calls fn(c, w, lo, hi) for every chunk c (rows lo … hi-1), on
// worker w, and waits for all chunks.
func (p *rowPool) run(fn func(c, w, lo, hi int)) {
	p.fn = fn
	p.next.Store(0)
	p.wg.Add(len(p.start) - 1)
	for w := 1; w < len(p.start); w++ {
		p.start[w] <- struct{}{}
	}
	p.work(0)
	p.wg.Wait()
}

func (p *rowPool) work(w int) {
	for {
		c := int(p.next.Add(1) - 1)
		if c >= p.nchunks {
			return
		}
		lo := c * p.chunk
		p.fn(c, w, lo, min(lo+p.chunk, p.n))
	}
}

// sumChunks adds acc[1:] into acc[0] in chunk order and returns acc[0].
func sumChunks(acc [][]float64) []float64 {
	tot := acc[0]
	for _, a := range acc[1:] {
		for i, v := range a[:len(tot)] {
			tot[i] += v
		}
	}
	return tot
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
	var shift []float64
	if d.Sparse != nil {
		shift = make([]float64, D) // sparse rows: no shift, zeros stay zeros
	} else {
		shift = d.Row(0)
	}
	// per worker: Σw, Σw², Σw(x-s) [D], Σw(x-s)² [D]
	acc := make([][]float64, p.chunks())
	for c := range acc {
		acc[c] = make([]float64, 2+2*D)
	}
	p.run(func(c, _, lo, hi int) {
		a := acc[c]
		s1, s2 := a[2:2+D], a[2+D:]
		for i := lo; i < hi; i++ {
			wt := d.Weight(i)
			a[0] += wt
			a[1] += wt * wt
			if sp := d.Sparse; sp != nil {
				for k := sp.Ptr[i]; k < sp.Ptr[i+1]; k++ {
					j, x := sp.Idx[k], sp.Val[k]
					s1[j] += wt * x
					s2[j] += wt * x * x
				}
				continue
			}
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
	tot := sumChunks(acc)
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
