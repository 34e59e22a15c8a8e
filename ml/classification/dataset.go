package classification

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// loadDataset is ml.LoadDataset with a zero-copy fast path: when the
// features column holds dense, non-NULL vectors of one size stored back
// to back in one values buffer (as VectorAssembler and ml.DenseVectors
// write them), Dataset.X aliases that buffer instead of copying it. Any
// other column, and any invalid value, goes through ml.LoadDataset, which
// densifies or reports the row and column at fault. X must not be
// modified; call release once the fit no longer reads X.
func loadDataset(ctx context.Context, f *ml.Frame, featuresCol, labelCol, weightCol string) (*ml.Dataset, func(), error) {
	slow := func() (*ml.Dataset, func(), error) {
		d, err := ml.LoadDataset(ctx, f, featuresCol, labelCol, weightCol)
		return d, func() {}, err
	}
	field, err := ml.FieldOf(f.Schema(), featuresCol)
	if err != nil || !ml.IsVector(field.Type) || f.NumRows() == 0 {
		return slow()
	}
	chunked, _ := f.Column(featuresCol)
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, nil, err
	}
	release := func() { arr.Release() }
	X, D, ok := denseValues(arr)
	if !ok || !allFinite(ctx, X) {
		release()
		return slow()
	}
	d := &ml.Dataset{N: arr.Len(), D: D, X: X, Attrs: ml.VectorAttrsOf(field)}
	if labelCol != "" {
		if d.Y, err = finiteColumn(f, "labelCol", labelCol); err != nil {
			release()
			return nil, nil, err
		}
	}
	if weightCol != "" {
		if d.W, err = finiteColumn(f, "weightCol", weightCol); err != nil {
			release()
			return nil, nil, err
		}
		for i, w := range d.W {
			if w < 0 {
				release()
				return nil, nil, fmt.Errorf("column %s, row %d: weight %v is negative; weights must be >= 0", weightCol, i+1, w)
			}
		}
	}
	return d, release, nil
}

// denseValues returns the row-major values of a vector column whose rows
// are all dense, non-NULL, of one positive size and contiguous.
func denseValues(arr arrow.Array) ([]float64, int, bool) {
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return nil, 0, false
	}
	n := vc.Len()
	if vc.IsNull(0) {
		return nil, 0, false
	}
	first := vc.At(0)
	D := first.Size
	if first.IsSparse() || D == 0 || cap(first.Values) < n*D {
		return nil, 0, false
	}
	base := first.Values[:n*D]
	for i := range n {
		if vc.IsNull(i) {
			return nil, 0, false
		}
		v := vc.At(i)
		if v.IsSparse() || v.Size != D || len(v.Values) != D || &v.Values[0] != &base[i*D] {
			return nil, 0, false
		}
	}
	return base, D, true
}

// allFinite reports whether x has no NaN or ±Inf, scanning in parallel.
func allFinite(ctx context.Context, x []float64) bool {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(x)/(1<<18)))
	g, _ := errgroup.WithContext(ctx)
	bad := make([]bool, workers)
	for w := range workers {
		lo, hi := len(x)*w/workers, len(x)*(w+1)/workers
		g.Go(func() error {
			var acc float64
			for _, v := range x[lo:hi] {
				acc += v - v // NaN for NaN and ±Inf, else 0
			}
			bad[w] = math.IsNaN(acc)
			return nil
		})
	}
	_ = g.Wait()
	for _, b := range bad {
		if b {
			return false
		}
	}
	return ctx.Err() == nil
}

// finiteColumn reads a numeric column, rejecting NULL, NaN and ±Inf with
// the row at fault, as ml.LoadDataset does.
func finiteColumn(f *ml.Frame, param, name string) ([]float64, error) {
	if err := ml.CheckNumericCol(f.Schema(), param, name); err != nil {
		return nil, err
	}
	chunked, _ := f.Column(name)
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vals, valid, err := ml.Float64s(arr)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			what := fmt.Sprint(v)
			if valid != nil && !valid[i] {
				what = "NULL"
			}
			return nil, fmt.Errorf("column %s, row %d: %s is %s; drop or fill the row before fitting", name, i+1, param, what)
		}
	}
	return vals, nil
}
