package feature

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

	"github.com/sluice-dev/sluice/ml"
)

// Locality-sensitive hashing, shaped like Spark's LSH and LSHModel:
// BucketedRandomProjectionLSH (Euclidean distance) and MinHashLSH
// (Jaccard distance). The pieces both models share live here.
//
// Hash column: Spark writes array<vector>, one single-element dense
// vector per hash table. Sluice writes array<double>, one value per hash
// table (hashes[i] is table i's bucket), which tables and SQL store and
// read directly; the values are the same.

// lshHashType is the Arrow type of the hash column.
var lshHashType = arrow.ListOf(arrow.PrimitiveTypes.Float64)

// lshFamily is what differs between the LSH models.
type lshFamily interface {
	numTables() int
	// hash writes the vector's bucket in every table into out
	// (len numTables), or says why the vector cannot be hashed.
	hash(v ml.Vector, out []float64) error
	// distance is the key distance (Euclidean or Jaccard).
	distance(a, b ml.Vector) (float64, error)
}

// lshSchema checks the input vector column and adds the hash column.
func lshSchema(in *arrow.Schema, inCol, outCol string) (*arrow.Schema, error) {
	if err := ml.CheckVectorCol(in, "inputCol", inCol); err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: outCol, Type: lshHashType, Nullable: true})
}

// lshFirstSize returns the size of the first non-NULL vector of column
// name, which fixes the dimension of the model (Spark reads the first
// row), or an error when there is none.
func lshFirstSize(f *ml.Frame, name string) (int, error) {
	in, err := openVectors(f, name)
	if err != nil {
		return 0, err
	}
	defer in.Release()
	size := in.firstSize()
	if size < 0 {
		return 0, fmt.Errorf("column %s has no vectors (no rows, or all NULL) to fit on; check the input table or the filter", name)
	}
	if size == 0 {
		return 0, fmt.Errorf("column %s holds vectors of size 0; hash vectors with at least one feature", name)
	}
	return size, nil
}

// lshHashes computes the hashes of every row of column inCol: flat
// (n × tables), with valid[i] false for NULL vectors. It runs in
// parallel over row ranges; errors name the column and row (1-based).
func lshHashes(ctx context.Context, f *ml.Frame, inCol string, fam lshFamily) (flat []float64, valid []bool, err error) {
	in, err := openVectors(f, inCol)
	if err != nil {
		return nil, nil, err
	}
	defer in.Release()
	n, L := in.vc.Len(), fam.numTables()
	flat, valid = make([]float64, n*L), make([]bool, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, r := range rowRanges(n, 1024) {
		g.Go(func() error {
			for i := r[0]; i < r[1]; i++ {
				if (i-r[0])%4096 == 0 {
					if err := gctx.Err(); err != nil {
						return err
					}
				}
				if in.vc.IsNull(i) {
					continue
				}
				v := in.vc.At(i)
				if err := v.Validate(); err != nil {
					return fmt.Errorf("column %s, row %d: malformed vector: %v", inCol, i+1, err)
				}
				if err := fam.hash(v, flat[i*L:(i+1)*L]); err != nil {
					return fmt.Errorf("column %s, row %d: %w", inCol, i+1, err)
				}
				valid[i] = true
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return flat, valid, nil
}

// lshHashColumn builds the hash column: one list of L doubles per row,
// NULL where valid is false.
func lshHashColumn(flat []float64, valid []bool, L int) *arrow.Chunked {
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.Float64Builder)
	vb.Reserve(len(flat))
	for i, ok := range valid {
		if !ok {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		vb.AppendValues(flat[i*L:(i+1)*L], nil)
	}
	a := lb.NewArray()
	defer a.Release()
	return arrow.NewChunked(lshHashType, []arrow.Array{a})
}

// lshTransform adds the hash column outCol.
func lshTransform(ctx context.Context, f *ml.Frame, inCol, outCol string, fam lshFamily) (*ml.Frame, error) {
	if _, err := lshSchema(f.Schema(), inCol, outCol); err != nil {
		return nil, err
	}
	flat, valid, err := lshHashes(ctx, f, inCol, fam)
	if err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: outCol, Type: lshHashType, Nullable: true}, lshHashColumn(flat, valid, fam.numTables()))
}

// lshHashed returns f with its hash column and the hashes: as Spark,
// an existing outCol (from an earlier Transform) is used as it is,
// otherwise the hashes are computed and the column added.
func lshHashed(ctx context.Context, f *ml.Frame, inCol, outCol string, fam lshFamily) (*ml.Frame, []float64, []bool, error) {
	if err := ml.CheckVectorCol(f.Schema(), "inputCol", inCol); err != nil {
		return nil, nil, nil, err
	}
	L := fam.numTables()
	if len(f.Schema().FieldIndices(outCol)) == 0 {
		flat, valid, err := lshHashes(ctx, f, inCol, fam)
		if err != nil {
			return nil, nil, nil, err
		}
		out, err := f.WithColumn(arrow.Field{Name: outCol, Type: lshHashType, Nullable: true}, lshHashColumn(flat, valid, L))
		return out, flat, valid, err
	}
	col, _ := f.Column(outCol)
	if !arrow.TypeEqual(col.DataType(), lshHashType) {
		return nil, nil, nil, fmt.Errorf("outputCol %q is %s, want array<double> hashes from this model's Transform; drop the column to hash again", outCol, col.DataType())
	}
	n := int(f.NumRows())
	flat, valid := make([]float64, n*L), make([]bool, n)
	row := 0
	for _, ch := range col.Chunks() {
		l := ch.(*array.List)
		vals := l.ListValues().(*array.Float64)
		for i := 0; i < l.Len(); i, row = i+1, row+1 {
			if l.IsNull(i) {
				continue
			}
			lo, hi := l.ValueOffsets(i)
			if int(hi-lo) != L {
				return nil, nil, nil, fmt.Errorf("column %s, row %d: %d hashes, the model has %d hash tables; drop the column to hash again", outCol, row+1, hi-lo, L)
			}
			for j := lo; j < hi; j++ {
				if vals.IsNull(int(j)) {
					return nil, nil, nil, fmt.Errorf("column %s, row %d: a hash is NULL; drop the column to hash again", outCol, row+1)
				}
			}
			copy(flat[row*L:(row+1)*L], vals.Float64Values()[lo:hi])
			valid[row] = true
		}
	}
	return f, flat, valid, nil
}

// lshNearest is Spark's approxNearestNeighbors (single probe): the rows
// of f sharing a bucket with key in at least one hash table, with their
// distance to key in distCol, nearest first (ties in input order), at
// most numNearest of them. Rows with NULL vectors are never candidates.
func lshNearest(ctx context.Context, f *ml.Frame, key ml.Vector, numNearest int, distCol, inCol, outCol string, fam lshFamily) (*ml.Frame, error) {
	if numNearest < 1 {
		return nil, fmt.Errorf("numNearest is %d; ask for at least 1 neighbor", numNearest)
	}
	if distCol == "" {
		return nil, fmt.Errorf("distCol is empty; name the distance column (Spark's default is %q)", "distCol")
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	L := fam.numTables()
	keyHash := make([]float64, L)
	if err := fam.hash(key, keyHash); err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	hf, flat, valid, err := lshHashed(ctx, f, inCol, outCol, fam)
	if err != nil {
		return nil, err
	}
	if len(hf.Schema().FieldIndices(distCol)) > 0 {
		return nil, fmt.Errorf("distCol %q is already a column; choose another name", distCol)
	}
	in, err := openVectors(hf, inCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	type cand struct {
		row  int
		dist float64
	}
	ranges := rowRanges(len(valid), 4096)
	parts := make([][]cand, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, r := range ranges {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			for i := r[0]; i < r[1]; i++ {
				if !valid[i] {
					continue
				}
				same := false
				for t := range L {
					if flat[i*L+t] == keyHash[t] {
						same = true
						break
					}
				}
				if !same {
					continue
				}
				d, err := fam.distance(in.vc.At(i), key)
				if err != nil {
					return fmt.Errorf("column %s, row %d: %w", inCol, i+1, err)
				}
				parts[k] = append(parts[k], cand{i, d})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []cand
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.SortStableFunc(all, func(a, b cand) int { return cmp.Compare(a.dist, b.dist) })
	all = all[:min(len(all), numNearest)]
	rows, dists := make([]int, len(all)), make([]float64, len(all))
	for i, c := range all {
		rows[i], dists[i] = c.row, c.dist
	}
	out, err := hf.Take(ctx, rows)
	if err != nil {
		return nil, err
	}
	return out.WithColumn(arrow.Field{Name: distCol, Type: arrow.PrimitiveTypes.Float64}, ml.Float64Column(dists))
}

// lshKey is one bucket: a hash table and a hash value.
type lshKey struct {
	table int32
	hash  float64
}

// lshJoin is Spark's approxSimilarityJoin: every pair of a row of a and a
// row of b that share a bucket in at least one hash table and whose
// distance is below threshold, as columns datasetA and datasetB (structs
// holding the whole rows, hash column included) and distCol. Pairs come
// in order of a's row, then b's row. Rows with NULL vectors never pair.
func lshJoin(ctx context.Context, a, b *ml.Frame, threshold float64, distCol, inCol, outCol string, fam lshFamily) (*ml.Frame, error) {
	if math.IsNaN(threshold) {
		return nil, fmt.Errorf("threshold is NaN; give the largest distance to join on")
	}
	if distCol == "" {
		return nil, fmt.Errorf("distCol is empty; name the distance column (Spark's default is %q)", "distCol")
	}
	if distCol == "datasetA" || distCol == "datasetB" {
		return nil, fmt.Errorf("distCol %q clashes with the joined columns datasetA and datasetB; choose another name", distCol)
	}
	ha, fa, va, err := lshHashed(ctx, a, inCol, outCol, fam)
	if err != nil {
		return nil, fmt.Errorf("datasetA: %w", err)
	}
	hb, fb, vb, err := lshHashed(ctx, b, inCol, outCol, fam)
	if err != nil {
		return nil, fmt.Errorf("datasetB: %w", err)
	}
	L := fam.numTables()
	// The buckets of b.
	index := map[lshKey][]int32{}
	for j, ok := range vb {
		if !ok {
			continue
		}
		for t := range L {
			k := lshKey{int32(t), fb[j*L+t]}
			index[k] = append(index[k], int32(j))
		}
	}
	inA, err := openVectors(ha, inCol)
	if err != nil {
		return nil, err
	}
	defer inA.Release()
	inB, err := openVectors(hb, inCol)
	if err != nil {
		return nil, err
	}
	defer inB.Release()
	type pair struct {
		a, b int
		dist float64
	}
	ranges := rowRanges(len(va), 256)
	parts := make([][]pair, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, r := range ranges {
		g.Go(func() error {
			stamp := make([]int32, len(vb))
			var cands []int32
			for i := r[0]; i < r[1]; i++ {
				if (i-r[0])%256 == 0 {
					if err := gctx.Err(); err != nil {
						return err
					}
				}
				if !va[i] {
					continue
				}
				cands = cands[:0]
				for t := range L {
					for _, j := range index[lshKey{int32(t), fa[i*L+t]}] {
						if stamp[j] != int32(i+1) {
							stamp[j] = int32(i + 1)
							cands = append(cands, j)
						}
					}
				}
				slices.Sort(cands)
				x := inA.vc.At(i)
				for _, j := range cands {
					d, err := fam.distance(x, inB.vc.At(int(j)))
					if err != nil {
						return fmt.Errorf("row %d of datasetA, row %d of datasetB: %w", i+1, j+1, err)
					}
					if d < threshold {
						parts[k] = append(parts[k], pair{i, int(j), d})
					}
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var ai, bi []int
	var dists []float64
	for _, p := range parts {
		for _, q := range p {
			ai, bi, dists = append(ai, q.a), append(bi, q.b), append(dists, q.dist)
		}
	}
	sa, err := lshStructColumn(ctx, ha, ai)
	if err != nil {
		return nil, err
	}
	sb, err := lshStructColumn(ctx, hb, bi)
	if err != nil {
		return nil, err
	}
	fields := []arrow.Field{
		{Name: "datasetA", Type: sa.DataType()}, {Name: "datasetB", Type: sb.DataType()},
		{Name: distCol, Type: arrow.PrimitiveTypes.Float64},
	}
	return ml.NewFrame(arrow.NewSchema(fields, nil), []*arrow.Chunked{sa, sb, ml.Float64Column(dists)})
}

// lshStructColumn returns the given rows of f as one struct column whose
// fields are f's columns.
func lshStructColumn(ctx context.Context, f *ml.Frame, rows []int) (*arrow.Chunked, error) {
	t, err := f.Take(ctx, rows)
	if err != nil {
		return nil, err
	}
	fields := t.Schema().Fields()
	arrs := make([]arrow.Array, len(fields))
	for i, fl := range fields {
		col, _ := t.Column(fl.Name)
		if arrs[i], err = ml.Flatten(col); err != nil {
			return nil, err
		}
		defer arrs[i].Release()
	}
	s, err := array.NewStructArrayWithFields(arrs, fields)
	if err != nil {
		return nil, err
	}
	defer s.Release()
	return arrow.NewChunked(s.DataType(), []arrow.Array{s}), nil
}

// lshNonZero iterates over the (index, value) pairs of v with value != 0.
func lshNonZero(v ml.Vector, fn func(i int, x float64)) {
	if v.IsSparse() {
		for k, i := range v.Indices {
			if x := v.Values[k]; x != 0 {
				fn(int(i), x)
			}
		}
		return
	}
	for i, x := range v.Values {
		if x != 0 {
			fn(i, x)
		}
	}
}

// lshSqDist returns the squared Euclidean distance of two vectors of the
// same size, dense or sparse.
func lshSqDist(a, b ml.Vector) float64 {
	if !a.IsSparse() && !b.IsSparse() {
		s := 0.0
		for i, x := range a.Values {
			d := x - b.Values[i]
			s += d * d
		}
		return s
	}
	if !a.IsSparse() { // make a the sparse one
		a, b = b, a
	}
	if !b.IsSparse() {
		s, k := 0.0, 0
		for i, y := range b.Values {
			x := 0.0
			if k < len(a.Indices) && int(a.Indices[k]) == i {
				x = a.Values[k]
				k++
			}
			d := x - y
			s += d * d
		}
		return s
	}
	s, i, j := 0.0, 0, 0
	for i < len(a.Indices) || j < len(b.Indices) {
		switch {
		case j == len(b.Indices) || i < len(a.Indices) && a.Indices[i] < b.Indices[j]:
			s += a.Values[i] * a.Values[i]
			i++
		case i == len(a.Indices) || b.Indices[j] < a.Indices[i]:
			s += b.Values[j] * b.Values[j]
			j++
		default:
			d := a.Values[i] - b.Values[j]
			s += d * d
			i, j = i+1, j+1
		}
	}
	return s
}

// lshJavaRandom is java.util.Random, which Spark's LSH uses (through
// scala.util.Random) to draw its hash functions: the same seed gives the
// same functions as Spark.
type lshJavaRandom struct {
	seed         int64
	nextGaussian float64
	haveGaussian bool
}

func newLSHJavaRandom(seed int64) *lshJavaRandom {
	return &lshJavaRandom{seed: (seed ^ 0x5DEECE66D) & (1<<48 - 1)}
}

func (r *lshJavaRandom) next(bits uint) int32 {
	r.seed = (r.seed*0x5DEECE66D + 0xB) & (1<<48 - 1)
	return int32(uint64(r.seed) >> (48 - bits))
}

// Int is Random.nextInt().
func (r *lshJavaRandom) Int() int32 { return r.next(32) }

// IntN is Random.nextInt(bound), bound > 0.
func (r *lshJavaRandom) IntN(bound int32) int32 {
	x := r.next(31)
	m := bound - 1
	if bound&m == 0 {
		return int32((int64(bound) * int64(x)) >> 31)
	}
	for u := x; ; u = r.next(31) {
		x = u % bound
		if u-x+m >= 0 { // int32 overflow means a biased draw: retry
			return x
		}
	}
}

// Float64 is Random.nextDouble().
func (r *lshJavaRandom) Float64() float64 {
	return float64(int64(r.next(26))<<27+int64(r.next(27))) * (1.0 / (1 << 53))
}

// NormFloat64 is Random.nextGaussian() (Marsaglia's polar method).
func (r *lshJavaRandom) NormFloat64() float64 {
	if r.haveGaussian {
		r.haveGaussian = false
		return r.nextGaussian
	}
	for {
		v1, v2 := 2*r.Float64()-1, 2*r.Float64()-1
		s := v1*v1 + v2*v2
		if s < 1 && s != 0 {
			mul := math.Sqrt(-2 * math.Log(s) / s)
			r.nextGaussian, r.haveGaussian = v2*mul, true
			return v1 * mul
		}
	}
}

// sparkClassSeed is Spark's default seed of a stage: the Java hash code
// of its class name.
func sparkClassSeed(class string) int {
	var h int32
	for _, c := range class {
		h = 31*h + int32(c)
	}
	return int(h)
}

func lshDebug(name string, tables int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d hash table(s)", name, tables)
	if extra != "" {
		b.WriteString(", " + extra)
	}
	b.WriteString("\n")
	return b.String()
}
