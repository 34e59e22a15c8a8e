package ml

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Filter returns the rows of f where keep is true, in order.
func (f *Frame) Filter(ctx context.Context, keep []bool) (*Frame, error) {
	if len(keep) != int(f.rows) {
		return nil, fmt.Errorf("frame filter: %d flags for %d rows", len(keep), f.rows)
	}
	bb := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer bb.Release()
	bb.AppendValues(keep, nil)
	mask := bb.NewArray()
	defer mask.Release()
	cols := make([]*arrow.Chunked, len(f.cols))
	for i, c := range f.cols {
		arr, err := Flatten(c)
		if err != nil {
			return nil, err
		}
		kept, err := compute.FilterArray(ctx, arr, mask, *compute.DefaultFilterOptions())
		arr.Release()
		if err != nil {
			return nil, fmt.Errorf("filter column %s: %w", f.schema.Field(i).Name, err)
		}
		cols[i] = arrow.NewChunked(kept.DataType(), []arrow.Array{kept})
		kept.Release()
	}
	return NewFrame(f.schema, cols)
}

// Take returns the rows of f at the given 0-based indices, in that order
// (an index may repeat, as in bootstrap samples).
func (f *Frame) Take(ctx context.Context, rows []int) (*Frame, error) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	defer ib.Release()
	for _, r := range rows {
		if r < 0 || int64(r) >= f.rows {
			return nil, fmt.Errorf("frame take: row %d out of range [0, %d)", r, f.rows)
		}
		ib.Append(int64(r))
	}
	idx := ib.NewArray()
	defer idx.Release()
	cols := make([]*arrow.Chunked, len(f.cols))
	for i, c := range f.cols {
		arr, err := Flatten(c)
		if err != nil {
			return nil, err
		}
		taken, err := compute.TakeArray(ctx, arr, idx)
		arr.Release()
		if err != nil {
			return nil, fmt.Errorf("take column %s: %w", f.schema.Field(i).Name, err)
		}
		cols[i] = arrow.NewChunked(taken.DataType(), []arrow.Array{taken})
		taken.Release()
	}
	return NewFrame(f.schema, cols)
}

// RandomSplit splits f into len(weights) frames, each row going to split
// i with probability weights[i]/sum(weights), like Spark's randomSplit.
// The same seed and input give the same split. Weights must be >= 0 with
// a positive sum.
func (f *Frame) RandomSplit(ctx context.Context, weights []float64, seed int64) ([]*Frame, error) {
	if len(weights) == 0 {
		return nil, errors.New("randomSplit: no weights; give e.g. [0.8, 0.2]")
	}
	sum := 0.0
	for i, w := range weights {
		if w < 0 || math.IsNaN(w) {
			return nil, fmt.Errorf("randomSplit: weight %d is %v; weights must be >= 0", i, w)
		}
		sum += w
	}
	if sum <= 0 {
		return nil, errors.New("randomSplit: the weights sum to 0")
	}
	bounds := make([]float64, len(weights))
	acc := 0.0
	for i, w := range weights {
		acc += w / sum
		bounds[i] = acc
	}
	bounds[len(bounds)-1] = 1
	rng := NewRand(seed)
	parts := make([][]int, len(weights))
	for r := 0; r < int(f.rows); r++ {
		u := rng.Float64()
		k, _ := slices.BinarySearch(bounds, u)
		if k < len(bounds) && bounds[k] == u {
			k++
		}
		k = min(k, len(bounds)-1)
		parts[k] = append(parts[k], r)
	}
	out := make([]*Frame, len(parts))
	for i, p := range parts {
		var err error
		if out[i], err = f.Take(ctx, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SampleBy returns a stratified sample without replacement, like Spark's
// DataFrame.stat.sampleBy: each row is kept with the probability given
// for its value of col. fractions is keyed by the value's text (for a
// double label 1.0 write "1" or "1.0"); rows whose value has no entry are
// dropped, as in Spark. The same seed gives the same sample.
func (f *Frame) SampleBy(ctx context.Context, col string, fractions map[string]float64, seed int64) (*Frame, error) {
	for k, p := range fractions {
		if p < 0 || p > 1 || math.IsNaN(p) {
			return nil, fmt.Errorf("sampleBy: fraction for %q is %v; want a number in [0, 1]", k, p)
		}
	}
	keys, err := f.KeyStrings(col)
	if err != nil {
		return nil, fmt.Errorf("sampleBy: %w", err)
	}
	norm := map[string]float64{}
	for k, p := range fractions {
		norm[canonicalKey(k)] = p
	}
	rng := NewRand(seed)
	keep := make([]bool, len(keys))
	for i, k := range keys {
		p, ok := norm[canonicalKey(k)]
		keep[i] = rng.Float64() < p && ok
	}
	return f.Filter(ctx, keep)
}

// canonicalKey makes "1", "1.0" and "1e0" the same key.
func canonicalKey(s string) string {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return s
}

// KeyStrings returns the values of column col as text (NULL as ""), for
// grouping: strings as they are, numbers in Go's shortest form.
func (f *Frame) KeyStrings(col string) ([]string, error) {
	c, err := f.Column(col)
	if err != nil {
		return nil, err
	}
	arr, err := Flatten(c)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	out := make([]string, arr.Len())
	if IsNumeric(arr.DataType()) {
		vals, _, err := Float64s(arr)
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			if arr.IsValid(i) {
				out[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		return out, nil
	}
	for i := range out {
		if arr.IsValid(i) {
			out[i] = arr.ValueStr(i)
		}
	}
	return out, nil
}

// NewRand returns the random source every seeded step uses: PCG seeded
// from seed, so results are reproducible across runs and platforms.
func NewRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9E3779B97F4A7C15))
}
