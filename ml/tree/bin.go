package tree

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// maxBinsLimit is the largest maxBins the engine supports: bins are
// stored as uint8.
const maxBinsLimit = 256

// binned is the training matrix cut into bins once per fit: the input of
// every tree grown in that fit.
//
// Bins are column-major (feature j's bins are bins[j*n : (j+1)*n]) so
// building a histogram reads one byte array per feature. A continuous
// feature's bin of x is the smallest b with x <= splits[b] (len(splits)
// when x exceeds all of them), so "bin <= b" is exactly
// "x <= splits[b]" and a tree learned on bins predicts the same on raw
// values. A categorical feature's bin is its category.
type binned struct {
	n, d    int
	bins    []uint8
	nbins   []int       // bins per feature (1 for a constant feature)
	splits  [][]float64 // continuous thresholds (midpoints); nil for categorical features
	arity   []int       // number of categories; 0 for continuous features
	maxBins int         // max(nbins)
}

// binOf returns the bin of value x of continuous thresholds s.
func binOf(s []float64, x float64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// findSplits picks the thresholds of continuous feature values the way
// Spark's findSplitsForContinuousFeature does: weighted counts of the
// distinct values; all midpoints between neighbours when there are at
// most numSplits+1 distinct values, else midpoints at (weighted)
// quantile positions stride, 2·stride, … apart. vals and wts are sorted
// together by value (and overwritten).
func findSplits(vals, wts []float64, numSplits int) []float64 {
	if len(vals) == 0 || numSplits <= 0 {
		return nil
	}
	sortPairs(vals, wts)
	// Collapse into distinct values with summed weights, in place.
	k := 0
	total := 0.0
	for i := range vals {
		total += wts[i]
		if i > 0 && vals[i] == vals[k-1] {
			wts[k-1] += wts[i]
			continue
		}
		vals[k], wts[k] = vals[i], wts[i]
		k++
	}
	vals, wts = vals[:k], wts[:k]
	possible := k - 1
	if possible <= 0 {
		return nil
	}
	if possible <= numSplits {
		out := make([]float64, possible)
		for i := 1; i < k; i++ {
			out[i-1] = (vals[i-1] + vals[i]) / 2
		}
		return out
	}
	stride := total / float64(numSplits+1)
	out := make([]float64, 0, numSplits)
	cur := wts[0]
	target := stride
	for i := 1; i < k; i++ {
		prev := cur
		cur += wts[i]
		if math.Abs(prev-target) < math.Abs(cur-target) {
			out = append(out, (vals[i-1]+vals[i])/2)
			target += stride
		}
	}
	return out
}

// sortPairs sorts vals ascending, permuting wts alongside.
func sortPairs(vals, wts []float64) {
	type pair struct{ v, w float64 }
	ps := make([]pair, len(vals))
	for i := range ps {
		ps[i] = pair{vals[i], wts[i]}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	for i, p := range ps {
		vals[i], wts[i] = p.v, p.w
	}
}

// binOptions say how to bin a dataset.
type binOptions struct {
	maxBins     int
	categorical map[int]int // feature → number of categories
	seed        int64
	train       []int32 // rows thresholds are learned from; nil means all
	workers     int
}

// binDataset cuts d into bins. Thresholds come from the training rows
// (sampled like Spark: max(maxBins², 10000) rows when there are more);
// every row of d is binned. Categorical values must be whole numbers in
// [0, categories).
func binDataset(ctx context.Context, d *ml.Dataset, o binOptions) (*binned, error) {
	n, dim := d.N, d.D
	train := o.train
	if train == nil {
		train = make([]int32, n)
		for i := range train {
			train[i] = int32(i)
		}
	}
	numTrain := len(train)
	maxPossible := min(o.maxBins, numTrain)
	for j, k := range o.categorical {
		if j < 0 || j >= dim {
			continue
		}
		if k > maxPossible {
			return nil, fmt.Errorf("maxBins (= %d) must be at least as large as the number of values in each categorical feature, but categorical feature %d (%s) has %d values; increase maxBins (at most %d) or drop the feature",
				maxPossible, j, d.Attrs.Name(j), k, maxBinsLimit)
		}
	}
	b := &binned{n: n, d: dim, bins: make([]uint8, n*dim), nbins: make([]int, dim), splits: make([][]float64, dim), arity: make([]int, dim)}
	for j := range dim {
		if k, ok := o.categorical[j]; ok && k > 0 {
			b.arity[j] = k
		}
	}

	// Sample the rows thresholds are learned from, as Spark does.
	sample := train
	required := max(o.maxBins*o.maxBins, 10000)
	if required < numTrain {
		frac := float64(required) / float64(numTrain)
		rng := ml.NewRand(o.seed)
		sample = make([]int32, 0, required+required/8)
		for _, r := range train {
			if rng.Float64() < frac {
				sample = append(sample, r)
			}
		}
	}
	workers := max(1, o.workers)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for j := range dim {
		if b.arity[j] > 0 {
			b.nbins[j] = b.arity[j]
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			vals := make([]float64, len(sample))
			wts := make([]float64, len(sample))
			for i, r := range sample {
				vals[i] = d.X[int(r)*dim+j]
				wts[i] = d.Weight(int(r))
			}
			b.splits[j] = findSplits(vals, wts, maxPossible-1)
			b.nbins[j] = len(b.splits[j]) + 1
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, nb := range b.nbins {
		b.maxBins = max(b.maxBins, nb)
	}

	// Bin every row, in parallel over row ranges.
	const chunk = 8192
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			for j := range dim {
				col := b.bins[j*n : (j+1)*n]
				if k := b.arity[j]; k > 0 {
					for i := lo; i < hi; i++ {
						x := d.X[i*dim+j]
						if x < 0 || x >= float64(k) || x != math.Trunc(x) {
							return fmt.Errorf("features row %d: feature %d (%s) is categorical with %d categories (per the column's metadata) but has value %v; give it a value in 0 … %d (StringIndexer does) or drop its metadata",
								i+1, j, d.Attrs.Name(j), k, x, k-1)
						}
						col[i] = uint8(x)
					}
					continue
				}
				s := b.splits[j]
				for i := lo; i < hi; i++ {
					col[i] = uint8(binOf(s, d.X[i*dim+j]))
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return b, nil
}

// defaultWorkers is the bound on goroutines a fit uses.
func defaultWorkers() int { return max(1, runtime.GOMAXPROCS(0)) }
