package clustering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// This file holds what KMeans and BisectingKMeans share: the matrix
// their passes read (kmData), the split of rows into ranges, and the
// parallel runner. Unexported names start with km so the package's other
// estimators (GaussianMixture, LDA) can name their own helpers freely.

// Distance measures, by Spark's names.
const (
	kmEuclidean = "euclidean"
	kmCosine    = "cosine"
)

// kmData is the matrix a clustering pass reads: dense rows (row-major,
// possibly aliasing the frame's Arrow buffer) or sparse rows in CSR form,
// with optional instance weights and, for the cosine measure, the
// inverse norm of every row.
type kmData struct {
	n, d int
	x    []float64 // dense n×d, read-only; nil when the rows are sparse
	ptr  []int     // sparse: row i is idx/val[ptr[i]:ptr[i+1]]
	idx  []int32
	val  []float64
	w    []float64 // nil: every weight is 1
	inv  []float64 // 1/‖x_i‖ (cosine only)
}

func (p *kmData) sparse() bool { return p.x == nil }

func (p *kmData) weight(i int) float64 {
	if p.w == nil {
		return 1
	}
	return p.w[i]
}

// row returns dense row i (aliased).
func (p *kmData) row(i int) []float64 { return p.x[i*p.d : (i+1)*p.d : (i+1)*p.d] }

// sparseRow returns the indices and values of sparse row i (aliased).
func (p *kmData) sparseRow(i int) ([]int32, []float64) {
	a, b := p.ptr[i], p.ptr[i+1]
	return p.idx[a:b:b], p.val[a:b:b]
}

// norm2 returns ‖x_i‖².
func (p *kmData) norm2(i int) float64 {
	var v []float64
	if p.sparse() {
		_, v = p.sparseRow(i)
	} else {
		v = p.row(i)
	}
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}

// dense returns row i as a new dense slice.
func (p *kmData) dense(i int) []float64 {
	if !p.sparse() {
		return append([]float64(nil), p.row(i)...)
	}
	out := make([]float64, p.d)
	idx, val := p.sparseRow(i)
	for t, j := range idx {
		out[j] = val[t]
	}
	return out
}

// kmLoadOpts says what kmLoad reads and checks.
type kmLoadOpts struct {
	featuresCol string
	weightCol   string // "" for none
	numFeatures int    // the model's number of features; -1 when fitting
	cosine      bool   // compute inverse norms; zero vectors are errors
	fit         bool   // an empty frame is an error
}

// kmLoad reads the features (and weights) of f. NULL, NaN or infinite
// features, vectors of different sizes, a size other than numFeatures,
// NULL/NaN/negative weights and, for the cosine measure, all-zero vectors
// are errors naming the column and the 1-based row. Dense columns are
// read without copying when their rows lie back to back; columns with
// sparse rows stay sparse (CSR) unless they are dense enough that a dense
// copy is faster.
func kmLoad(ctx context.Context, f *ml.Frame, o kmLoadOpts) (*kmData, error) {
	if err := ml.CheckVectorCol(f.Schema(), "featuresCol", o.featuresCol); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		if o.fit {
			return nil, fmt.Errorf("the training data has no rows; check the input table or the filter before fitting")
		}
		return &kmData{d: max(o.numFeatures, 0)}, nil
	}
	chunked, _ := f.Column(o.featuresCol)
	arr, err := ml.Flatten(chunked)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", o.featuresCol, err)
	}
	var p *kmData
	if kmAnySparse(arr) {
		if p, err = kmLoadSparse(ctx, vc, o); err != nil {
			return nil, err
		}
		if o.weightCol != "" {
			if p.w, err = kmWeights(f, o.weightCol); err != nil {
				return nil, err
			}
		}
	} else {
		ds, err := ml.LoadDataset(ctx, f, o.featuresCol, "", o.weightCol)
		if err != nil {
			return nil, err
		}
		p = &kmData{n: ds.N, d: ds.D, x: ds.X, w: ds.W}
	}
	if p.d == 0 {
		return nil, fmt.Errorf("column %s holds vectors of size 0; clustering needs at least one feature", o.featuresCol)
	}
	if o.numFeatures >= 0 && p.d != o.numFeatures {
		return nil, fmt.Errorf("column %s: vectors have %d features, the model was fitted on %d; transform data shaped like the training data", o.featuresCol, p.d, o.numFeatures)
	}
	if o.cosine {
		if err := p.computeInv(ctx, o.featuresCol); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// kmAnySparse reports whether any non-NULL row of a vector column is
// sparse (type 0), reading the type child directly.
func kmAnySparse(a arrow.Array) bool {
	s, ok := a.(*array.Struct)
	if !ok {
		return false
	}
	typ, ok := s.Field(0).(*array.Int8)
	if !ok {
		return false
	}
	for i, t := range typ.Int8Values() {
		if t == 0 && s.IsValid(i) {
			return true
		}
	}
	return false
}

// kmLoadSparse reads a column with sparse rows into CSR form (or a dense
// copy when at least a third of the entries are stored).
func kmLoadSparse(ctx context.Context, vc *ml.VectorColumn, o kmLoadOpts) (*kmData, error) {
	n := vc.Len()
	p := &kmData{n: n, d: -1, ptr: make([]int, 1, n+1)}
	for i := range n {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if vc.IsNull(i) {
			return nil, fmt.Errorf("column %s, row %d: feature vector is NULL; drop the row or use VectorAssembler's handleInvalid=skip", o.featuresCol, i+1)
		}
		v := vc.At(i)
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("column %s, row %d: %w", o.featuresCol, i+1, err)
		}
		if p.d < 0 {
			p.d = v.Size
		} else if v.Size != p.d {
			return nil, fmt.Errorf("column %s, row %d: vector has %d features, row 1 has %d", o.featuresCol, i+1, v.Size, p.d)
		}
		for t, x := range v.Values {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				j := t
				if v.IsSparse() {
					j = int(v.Indices[t])
				}
				return nil, fmt.Errorf("column %s, row %d: feature %d is %v; impute it (Imputer) or drop the row (VectorAssembler handleInvalid=skip)", o.featuresCol, i+1, j, x)
			}
			if x == 0 {
				continue
			}
			if v.IsSparse() {
				p.idx = append(p.idx, v.Indices[t])
			} else {
				p.idx = append(p.idx, int32(t))
			}
			p.val = append(p.val, x)
		}
		p.ptr = append(p.ptr, len(p.val))
	}
	if 3*len(p.val) >= n*p.d { // dense enough: the dense kernel is faster
		x := make([]float64, n*p.d)
		for i := range n {
			a, b := p.ptr[i], p.ptr[i+1]
			for t := a; t < b; t++ {
				x[i*p.d+int(p.idx[t])] = p.val[t]
			}
		}
		p.x, p.ptr, p.idx, p.val = x, nil, nil, nil
	}
	return p, nil
}

// kmWeights reads and checks a weight column.
func kmWeights(f *ml.Frame, weightCol string) ([]float64, error) {
	w, err := ml.NumericColumn(f, "weightCol", weightCol)
	if err != nil {
		return nil, err
	}
	for i, v := range w {
		if v < 0 {
			return nil, fmt.Errorf("column %s, row %d: weight %v is negative; weights must be >= 0", weightCol, i+1, v)
		}
	}
	return w, nil
}

// computeInv fills p.inv with 1/‖x_i‖; an all-zero row is an error (the
// cosine distance is not defined for it, as in Spark).
func (p *kmData) computeInv(ctx context.Context, featuresCol string) error {
	p.inv = make([]float64, p.n)
	rs := kmSplit(p.n, 0)
	bad := make([]int, rs.nr)
	err := kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		lo, hi := rs.bounds(r)
		bad[r] = -1
		for i := lo; i < hi; i++ {
			s := p.norm2(i)
			if s == 0 {
				bad[r] = i
				return nil
			}
			p.inv[i] = 1 / math.Sqrt(s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, i := range bad {
		if i >= 0 {
			return fmt.Errorf("column %s, row %d: the vector is all zeros and the cosine distance is not defined for it; drop the row or use distanceMeasure euclidean", featuresCol, i+1)
		}
	}
	return nil
}

// kmRanges splits n rows into nr contiguous ranges. The split depends only
// on n and the accumulator size, never on GOMAXPROCS, and per-range
// results are combined in range order, so fits give the same bits on any
// machine.
type kmRanges struct{ n, nr int }

// Row-range sizing: ranges of at least kmMinRangeRows rows, at most
// kmMaxRanges of them, and per-range accumulators of at most
// kmAccBudget bytes in all (but always at least 4 ranges when there are
// rows enough, for parallelism).
const (
	kmMinRangeRows = 4096
	kmMaxRanges    = 64
	kmAccBudget    = 64 << 20
)

// kmSplit splits n rows; accFloats is the size of one range's
// accumulator in float64s (0 for passes without one).
func kmSplit(n, accFloats int) kmRanges {
	nr := min(kmMaxRanges, n/kmMinRangeRows)
	if accFloats > 0 {
		nr = min(nr, max(4, kmAccBudget/(8*accFloats)))
	}
	nr = max(1, min(nr, n))
	return kmRanges{n: n, nr: nr}
}

func (r kmRanges) bounds(i int) (lo, hi int) {
	return int(int64(i) * int64(r.n) / int64(r.nr)), int(int64(i+1) * int64(r.n) / int64(r.nr))
}

// kmParallel runs fn for ranges 0 … nr-1 on at most GOMAXPROCS
// goroutines and returns the first error, or ctx's.
func kmParallel(ctx context.Context, nr int, fn func(ctx context.Context, r int) error) error {
	if nr == 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(ctx, 0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for r := range nr {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return fn(gctx, r)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// kmBlock is the number of rows the nearest-centre kernel handles at once.
const kmBlock = 256

// kmScratch is one goroutine's reusable buffers for a pass.
type kmScratch struct {
	lab   []int32
	score []float64
}

// kmPool lends scratch buffers to the goroutines of passes, so a fit
// allocates one set per goroutine that ever ran at once, not per range.
// It is safe for concurrent use.
type kmPool struct {
	mu   sync.Mutex
	free []*kmScratch
}

func (sp *kmPool) get() *kmScratch {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if n := len(sp.free); n > 0 {
		s := sp.free[n-1]
		sp.free = sp.free[:n-1]
		return s
	}
	return &kmScratch{lab: make([]int32, kmBlock), score: make([]float64, kmBlock)}
}

func (sp *kmPool) put(s *kmScratch) {
	sp.mu.Lock()
	sp.free = append(sp.free, s)
	sp.mu.Unlock()
}

// kmCheckMeasure checks a distanceMeasure param.
func kmCheckMeasure(m string) error {
	switch m {
	case kmEuclidean, kmCosine:
		return nil
	}
	return fmt.Errorf("distanceMeasure %q: use euclidean or cosine", m)
}

// kmCopyCenters returns a deep copy of centres (ClusterCenters).
func kmCopyCenters(centers [][]float64) [][]float64 {
	out := make([][]float64, len(centers))
	for j, c := range centers {
		out[j] = append([]float64(nil), c...)
	}
	return out
}

// kmNumFeatures is the size of the centres' vectors (NumFeatures).
func kmNumFeatures(centers [][]float64) int {
	if len(centers) == 0 {
		return 0
	}
	return len(centers[0])
}

// kmSchema checks the features and weight columns and adds the
// prediction (int32) and, when set, the distance (float64) columns.
func kmSchema(in *arrow.Schema, featuresCol, predictionCol, distanceCol, weightCol string) (*arrow.Schema, error) {
	if err := ml.CheckVectorCol(in, "featuresCol", featuresCol); err != nil {
		return nil, err
	}
	if weightCol != "" {
		if err := ml.CheckNumericCol(in, "weightCol", weightCol); err != nil {
			return nil, err
		}
	}
	return kmModelSchema(in, featuresCol, predictionCol, distanceCol)
}

// kmModelSchema is kmSchema for a fitted model, which reads no weights.
func kmModelSchema(in *arrow.Schema, featuresCol, predictionCol, distanceCol string) (*arrow.Schema, error) {
	if featuresCol == "" || predictionCol == "" {
		return nil, errors.New("featuresCol and predictionCol must be set")
	}
	if distanceCol != "" && distanceCol == predictionCol {
		return nil, fmt.Errorf("distanceCol and predictionCol are both %q; give them different names", distanceCol)
	}
	if err := ml.CheckVectorCol(in, "featuresCol", featuresCol); err != nil {
		return nil, err
	}
	add := []arrow.Field{{Name: predictionCol, Type: arrow.PrimitiveTypes.Int32, Nullable: true}}
	if distanceCol != "" {
		add = append(add, arrow.Field{Name: distanceCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	return ml.AddFields(in, add...)
}

// kmAssignFunc assigns rows lo … hi-1 of p (at most kmBlock): it writes
// their clusters to lab and, when dist is not nil, their distances to
// the assigned centres. sc is the caller's scratch.
type kmAssignFunc func(p *kmData, lo, hi int, sc *kmScratch, lab []int32, dist []float64)

// kmTransform reads the features of f (d per row) and returns f with
// predictionCol and, when distanceCol is set, distanceCol added, filled
// by assign in parallel over row ranges.
func kmTransform(ctx context.Context, f *ml.Frame, featuresCol, predictionCol, distanceCol string, d int, cosine bool, assign kmAssignFunc) (*ml.Frame, error) {
	p, err := kmLoad(ctx, f, kmLoadOpts{featuresCol: featuresCol, numFeatures: d, cosine: cosine})
	if err != nil {
		return nil, err
	}
	lab := make([]int32, p.n)
	var dist []float64
	if distanceCol != "" {
		dist = make([]float64, p.n)
	}
	rs := kmSplit(p.n, 0)
	var pool kmPool
	err = kmParallel(ctx, rs.nr, func(ctx context.Context, r int) error {
		sc := pool.get()
		defer pool.put(sc)
		lo, hi := rs.bounds(r)
		for b := lo; b < hi; b += kmBlock {
			if err := ctx.Err(); err != nil {
				return err
			}
			e := min(b+kmBlock, hi)
			var ds []float64
			if dist != nil {
				ds = dist[b:e]
			}
			assign(p, b, e, sc, lab[b:e], ds)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := f.WithColumn(arrow.Field{Name: predictionCol, Type: arrow.PrimitiveTypes.Int32, Nullable: true}, kmInt32Column(lab))
	if err != nil || distanceCol == "" {
		return out, err
	}
	return out.WithColumn(arrow.Field{Name: distanceCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column(dist))
}

// kmInt32Column wraps vals as a one-chunk int32 column.
func kmInt32Column(vals []int32) *arrow.Chunked {
	b := array.NewInt32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(arrow.PrimitiveTypes.Int32, []arrow.Array{a})
}

// kmInt64Column wraps vals as a one-chunk int64 column.
func kmInt64Column(vals []int64) *arrow.Chunked {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{a})
}
