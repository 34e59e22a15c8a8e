package stat

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"

	"github.com/sluice-dev/sluice/ml"
)

// Correlation methods, Spark's names.
const (
	Pearson  = "pearson"
	Spearman = "spearman"
)

// Correlation returns the correlation matrix of the features of vector
// column col, as Spark's Correlation.corr: method "pearson" (also for "")
// or "spearman" (Pearson on ranks, ties getting their average rank). As in
// Spark, a feature whose variance is at most 1e-12 correlates NaN with
// every other feature, and the diagonal is always 1.
//
// Errors: a missing or non-vector column, fewer than 2 rows, a NULL
// vector, a NaN or infinite value or vectors of different sizes (naming
// column and row), and an unknown method (suggesting the nearest). ctx
// cancels the scan. The result is newly allocated.
func Correlation(ctx context.Context, f *ml.Frame, col, method string) (*mat.SymDense, error) {
	c, _, err := correlation(ctx, f, col, method)
	return c, err
}

func correlation(ctx context.Context, f *ml.Frame, col, method string) (*mat.SymDense, []string, error) {
	if method == "" {
		method = Pearson
	}
	if method != Pearson && method != Spearman {
		msg := fmt.Sprintf("correlation: method %q is not supported", method)
		if near := ml.Nearest(method, []string{Pearson, Spearman}); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		return nil, nil, fmt.Errorf("%s (supported: pearson, spearman)", msg)
	}
	x, n, d, names, err := denseColumn(ctx, f, col)
	if err != nil {
		return nil, nil, fmt.Errorf("correlation: %w", err)
	}
	if n < 2 {
		return nil, nil, fmt.Errorf("correlation: column %s has %d rows; correlation needs at least 2", col, n)
	}
	if method == Spearman {
		if err := rankColumns(ctx, x, n, d); err != nil {
			return nil, nil, err
		}
	}
	return pearson(x, n, d), names, nil
}

// denseColumn reads vector column col into a row-major n×d matrix.
func denseColumn(ctx context.Context, f *ml.Frame, col string) (x []float64, n, d int, names []string, err error) {
	field, err := ml.FieldOf(f.Schema(), col)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	if !ml.IsVector(field.Type) {
		return nil, 0, 0, nil, fmt.Errorf("column %q has type %s; want a vector column (build it with VectorAssembler)", col, field.Type)
	}
	d = -1
	err = eachVector(ctx, f, col, func(i int, v ml.Vector) error {
		if d < 0 {
			d = v.Size
			x = make([]float64, 0, int(f.NumRows())*d)
		} else if v.Size != d {
			return fmt.Errorf("column %s, row %d: vector has %d features, row 1 has %d", col, i+1, v.Size, d)
		}
		start := len(x)
		x = v.AppendTo(x)
		for j, val := range x[start:] {
			if math.IsNaN(val) || math.IsInf(val, 0) {
				return fmt.Errorf("column %s, row %d: feature %d is %v; impute it or drop the row", col, i+1, j, val)
			}
		}
		n++
		return nil
	})
	if err != nil {
		return nil, 0, 0, nil, err
	}
	return x, n, max(d, 0), ml.VectorAttrsOf(field).Names(max(d, 0)), nil
}

// rankColumns replaces each column of row-major x by its 1-based ranks,
// ties getting the average of the ranks they span. Columns are ranked in
// parallel (GOMAXPROCS at most).
func rankColumns(ctx context.Context, x []float64, n, d int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for j := range d {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			type entry struct {
				v float64
				i int
			}
			col := make([]entry, n)
			for i := range col {
				col[i] = entry{x[i*d+j], i}
			}
			slices.SortFunc(col, func(a, b entry) int { return cmp.Compare(a.v, b.v) })
			for lo := 0; lo < n; {
				hi := lo + 1
				for hi < n && col[hi].v == col[lo].v {
					hi++
				}
				r := float64(lo+hi+1) / 2 // average of ranks lo+1 … hi
				for _, e := range col[lo:hi] {
					x[e.i*d+j] = r
				}
				lo = hi
			}
			return nil
		})
	}
	return g.Wait()
}

// pearson returns the Pearson correlation of the columns of row-major x
// (modified: it is centered in place), with Spark's rules for constant
// columns.
func pearson(x []float64, n, d int) *mat.SymDense {
	if d == 0 {
		return &mat.SymDense{}
	}
	out := mat.NewSymDense(d, nil)
	means := make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			means[j] += v
		}
	}
	for j := range means {
		means[j] /= float64(n)
	}
	for i := range n {
		for j := range d {
			x[i*d+j] -= means[j]
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), mat.NewDense(n, d, x).T())
	sigma := make([]float64, d)
	for j := range d {
		if v := cov.At(j, j); math.Abs(v) > 1e-12 {
			sigma[j] = math.Sqrt(v)
		}
	}
	for i := range d {
		out.SetSym(i, i, 1)
		for j := i + 1; j < d; j++ {
			c := math.NaN()
			if sigma[i] != 0 && sigma[j] != 0 {
				c = cov.At(i, j) / (sigma[i] * sigma[j])
			}
			out.SetSym(i, j, c)
		}
	}
	return out
}

// CorrelationFrame is Correlation as a square frame: a string column
// feature with the feature names, then one float64 column per feature,
// named after it, holding its correlations.
func CorrelationFrame(ctx context.Context, f *ml.Frame, col, method string) (*ml.Frame, error) {
	c, names, err := correlation(ctx, f, col, method)
	if err != nil {
		return nil, err
	}
	nb := array.NewStringBuilder(memory.DefaultAllocator)
	defer nb.Release()
	nb.AppendValues(names, nil)
	na := nb.NewArray()
	defer na.Release()
	fields := []arrow.Field{{Name: "feature", Type: arrow.BinaryTypes.String}}
	cols := []*arrow.Chunked{arrow.NewChunked(arrow.BinaryTypes.String, []arrow.Array{na})}
	for j, name := range names {
		if strings.EqualFold(name, "feature") {
			name += "_"
		}
		v := make([]float64, len(names))
		for i := range v {
			v[i] = c.At(i, j)
		}
		fields = append(fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, ml.Float64Column(v))
	}
	return ml.NewFrame(arrow.NewSchema(fields, nil), cols)
}
