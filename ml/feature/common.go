package feature

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// ioCols resolves Spark's two ways of naming columns: inputCol/outputCol
// for one column, inputCols/outputCols for several. Exactly one way must
// be used; checkOutputs checks the output names against the schema.
func ioCols(inCol, outCol string, inCols, outCols []string) (ins, outs []string, err error) {
	single := inCol != "" || outCol != ""
	multi := len(inCols) > 0 || len(outCols) > 0
	switch {
	case single && multi:
		return nil, nil, errors.New("both inputCol/outputCol and inputCols/outputCols are set; use one pair")
	case single:
		if inCol == "" || outCol == "" {
			return nil, nil, errors.New("set both inputCol and outputCol")
		}
		ins, outs = []string{inCol}, []string{outCol}
	case multi:
		if len(inCols) != len(outCols) {
			return nil, nil, fmt.Errorf("inputCols has %d columns and outputCols %d; give one output per input", len(inCols), len(outCols))
		}
		ins, outs = inCols, outCols
	default:
		return nil, nil, errors.New("set inputCol and outputCol (or inputCols and outputCols)")
	}
	for i, c := range ins {
		if c == "" || outs[i] == "" {
			return nil, nil, fmt.Errorf("entry %d of inputCols/outputCols is empty; name every column", i+1)
		}
	}
	return ins, outs, nil
}

// checkNumericInputs checks that every named column exists and is numeric
// (integer, floating point, decimal or boolean).
func checkNumericInputs(in *arrow.Schema, cols []string) error {
	for _, c := range cols {
		if err := ml.CheckNumericCol(in, "input column", c); err != nil {
			return err
		}
	}
	return nil
}

// checkVectorInput checks that column name exists and holds vectors.
func checkVectorInput(in *arrow.Schema, param, name string) error {
	return ml.CheckVectorCol(in, param, name)
}

// scalarColumn reads a numeric column as float64 values; valid is nil
// when there are no NULLs (NULL reads as NaN).
func scalarColumn(f *ml.Frame, name string) (vals []float64, valid []bool, err error) {
	col, err := f.Column(name)
	if err != nil {
		return nil, nil, err
	}
	arr, err := ml.Flatten(col)
	if err != nil {
		return nil, nil, err
	}
	defer arr.Release()
	vals, valid, err = ml.Float64s(arr)
	if err != nil {
		return nil, nil, fmt.Errorf("column %s: %w", name, err)
	}
	return vals, valid, nil
}

func isNull(valid []bool, i int) bool { return valid != nil && !valid[i] }

// vectorInput is a flattened vector column, safe for concurrent reads.
type vectorInput struct {
	name string
	arr  arrow.Array
	vc   *ml.VectorColumn
}

func openVectors(f *ml.Frame, name string) (*vectorInput, error) {
	col, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	arr, err := ml.Flatten(col)
	if err != nil {
		return nil, err
	}
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		arr.Release()
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	return &vectorInput{name: name, arr: arr, vc: vc}, nil
}

func (v *vectorInput) Release() { v.arr.Release() }

// firstSize returns the size of the first non-NULL vector, or -1.
func (v *vectorInput) firstSize() int {
	for i := 0; i < v.vc.Len(); i++ {
		if !v.vc.IsNull(i) {
			return v.vc.At(i).Size
		}
	}
	return -1
}

// fitRows reads every vector of a column for fitting: NULL vectors and
// vectors whose size differs from the first are errors naming the row.
// fn gets each vector in dense form (dense is reused between calls).
func fitRows(ctx context.Context, f *ml.Frame, name string, fn func(row int, dense []float64) error) (size int, err error) {
	in, err := openVectors(f, name)
	if err != nil {
		return 0, err
	}
	defer in.Release()
	n := in.vc.Len()
	if n == 0 {
		return 0, fmt.Errorf("column %s: no rows to fit on; check the input table or the filter", name)
	}
	size = -1
	var dense []float64
	for i := 0; i < n; i++ {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if in.vc.IsNull(i) {
			return 0, fmt.Errorf("column %s, row %d: NULL vector; drop the row or use VectorAssembler's handleInvalid=skip before fitting", name, i+1)
		}
		v := in.vc.At(i)
		if err := v.Validate(); err != nil {
			return 0, fmt.Errorf("column %s, row %d: malformed vector: %v", name, i+1, err)
		}
		if size < 0 {
			size = v.Size
		} else if v.Size != size {
			return 0, fmt.Errorf("column %s, row %d: vector of size %d, row 1 has %d", name, i+1, v.Size, size)
		}
		dense = v.AppendTo(dense[:0])
		if err := fn(i, dense); err != nil {
			return 0, err
		}
	}
	return size, nil
}

// checkVectors fails naming the row when column name holds a malformed
// vector (a sparse index out of order or past the size), which
// ml.LoadDataset does not check.
func checkVectors(ctx context.Context, f *ml.Frame, name string) error {
	in, err := openVectors(f, name)
	if err != nil {
		return err
	}
	defer in.Release()
	for i := 0; i < in.vc.Len(); i++ {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if in.vc.IsNull(i) {
			continue
		}
		if err := in.vc.At(i).Validate(); err != nil {
			return fmt.Errorf("column %s, row %d: malformed vector: %v", name, i+1, err)
		}
	}
	return nil
}

// loadDataset is ml.LoadDataset after checkVectors.
func loadDataset(ctx context.Context, f *ml.Frame, featuresCol, labelCol string) (*ml.Dataset, error) {
	if err := checkVectors(ctx, f, featuresCol); err != nil {
		return nil, err
	}
	return ml.LoadDataset(ctx, f, featuresCol, labelCol, "")
}

// rowRanges splits n rows into at most GOMAXPROCS ranges of at least
// minRows rows each.
func rowRanges(n, minRows int) [][2]int {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minRows))
	per := (n + workers - 1) / workers
	var out [][2]int
	for lo := 0; lo < n; lo += per {
		out = append(out, [2]int{lo, min(n, lo+per)})
	}
	if len(out) == 0 {
		out = append(out, [2]int{0, 0})
	}
	return out
}

// buildVectors builds a vector column of n rows in parallel over row
// ranges; fill appends rows lo … hi-1 to vb in order. Each range becomes
// one chunk of the result. ctx is checked every 4096 rows.
func buildVectors(ctx context.Context, n int, fill func(ctx context.Context, lo, hi int, vb *ml.VectorBuilder) error) (*arrow.Chunked, error) {
	ranges := rowRanges(n, 4096)
	chunks := make([]arrow.Array, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, r := range ranges {
		g.Go(func() error {
			vb := ml.NewVectorBuilder(nil)
			defer vb.Release()
			for lo := r[0]; lo < r[1]; lo += 4096 {
				if err := gctx.Err(); err != nil {
					return err
				}
				if err := fill(gctx, lo, min(r[1], lo+4096), vb); err != nil {
					return err
				}
			}
			chunks[k] = vb.NewArray()
			return nil
		})
	}
	err := g.Wait()
	defer func() {
		for _, c := range chunks {
			if c != nil {
				c.Release()
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	return arrow.NewChunked(ml.VectorType, chunks), nil
}

// scratch holds one worker's reusable buffers for building output
// vectors; VectorBuilder.Append copies, so a vector built in scratch
// is dead once appended.
type scratch struct {
	a, b []float64
	idx  []int32
}

// grow returns s resized to n, reallocating only when it is too small.
// The contents are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, max(n, 2*cap(s)))
	}
	return s[:n]
}

// mapVectors applies fn to every non-NULL vector of column in, in
// parallel; NULL vectors stay NULL. fn must be safe for concurrent use,
// must not keep v (a view into the column), and may build its result in
// sc, which belongs to the calling worker and is reused for the next row.
func mapVectors(ctx context.Context, in *vectorInput, fn func(row int, v ml.Vector, sc *scratch) (ml.Vector, error)) (*arrow.Chunked, error) {
	return buildVectors(ctx, in.vc.Len(), func(_ context.Context, lo, hi int, vb *ml.VectorBuilder) error {
		var sc scratch
		for i := lo; i < hi; i++ {
			if in.vc.IsNull(i) {
				vb.AppendNull()
				continue
			}
			v := in.vc.At(i)
			if err := v.Validate(); err != nil {
				return fmt.Errorf("column %s, row %d: malformed vector: %v", in.name, i+1, err)
			}
			out, err := fn(i, v, &sc)
			if err != nil {
				return err
			}
			vb.Append(out)
		}
		return nil
	})
}

// float64Column builds a float64 column; rows with valid[i] false are
// NULL (valid nil: none).
func float64Column(vals []float64, valid []bool) *arrow.Chunked {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, valid)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(arrow.PrimitiveTypes.Float64, []arrow.Array{a})
}

// compressed returns v in the form that stores it in less space, as
// Spark's Vector.compressed does: sparse when 1.5·(nnz+1) < size. A
// converted vector is built in sc.b and sc.idx, so v must not live there
// (sc.a is fine); v itself is returned when its form is right.
func compressed(v ml.Vector, sc *scratch) ml.Vector {
	nnz := 0
	for _, x := range v.Values {
		if x != 0 {
			nnz++
		}
	}
	if 1.5*(float64(nnz)+1) < float64(v.Size) {
		if v.IsSparse() && nnz == len(v.Values) {
			return v
		}
		idx, vals := grow(sc.idx, nnz)[:0], grow(sc.b, nnz)[:0]
		for k, x := range v.Values {
			if x == 0 {
				continue
			}
			if v.IsSparse() {
				idx = append(idx, v.Indices[k])
			} else {
				idx = append(idx, int32(k))
			}
			vals = append(vals, x)
		}
		sc.idx, sc.b = idx, vals
		return ml.Sparse(v.Size, idx, vals)
	}
	if !v.IsSparse() {
		return v
	}
	sc.b = v.AppendTo(sc.b[:0])
	return ml.Dense(sc.b...)
}

// nominalAttr is what a scalar column's ml_attr metadata says about it.
type nominalAttr struct {
	kind string   // "nominal", "binary", "numeric" or "" (none)
	vals []string // category names, when given
	n    int      // number of categories (0: unknown)
}

// scalarAttr parses a scalar field's ml_attr metadata (Spark's
// Attribute: {"ml_attr":{"type":"nominal","vals":[…]|"num_vals":n}}, or
// type "binary" with two values, or "numeric"). Unreadable metadata
// counts as none.
func scalarAttr(f arrow.Field) nominalAttr {
	v, ok := f.Metadata.GetValue("ml_attr")
	if !ok {
		return nominalAttr{}
	}
	return parseScalarAttr(v)
}

func parseScalarAttr(s string) nominalAttr {
	var md struct {
		Attr struct {
			Type    string   `json:"type"`
			Vals    []string `json:"vals"`
			NumVals int      `json:"num_vals"`
		} `json:"ml_attr"`
	}
	if json.Unmarshal([]byte(s), &md) != nil {
		return nominalAttr{}
	}
	if md.Attr.NumVals < 0 || md.Attr.NumVals > maxAttrValues || len(md.Attr.Vals) > maxAttrValues {
		return nominalAttr{} // not a plausible attribute; ignore it
	}
	a := nominalAttr{kind: md.Attr.Type, vals: md.Attr.Vals, n: max(len(md.Attr.Vals), md.Attr.NumVals)}
	switch a.kind {
	case "nominal":
	case "binary":
		if len(a.vals) != 2 {
			a.vals = []string{"0", "1"}
		}
		a.n = 2
	case "numeric":
		a.vals, a.n = nil, 0
	default:
		return nominalAttr{}
	}
	return a
}

// maxAttrValues bounds the categories metadata may declare.
const maxAttrValues = 1 << 24

// names returns the category names, "0", "1", … when unnamed.
func (a nominalAttr) names() []string {
	if len(a.vals) >= a.n {
		return a.vals[:a.n]
	}
	out := make([]string, a.n)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// vectorField is a vector output field, with attribute metadata when va
// describes at least one feature.
func vectorField(name string, va ml.VectorAttrs) arrow.Field {
	f := arrow.Field{Name: name, Type: ml.VectorType, Nullable: true}
	if va.NumAttrs > 0 {
		f.Metadata = va.Metadata()
	}
	return f
}

// attrsAt returns the attribute of feature j in va (Numeric, Nominal) and
// whether va names it at all.
func attrAt(va ml.VectorAttrs, j int) (ml.Attr, bool, bool) {
	for _, a := range va.Nominal {
		if a.Idx == j {
			return a, true, true
		}
	}
	for _, a := range va.Numeric {
		if a.Idx == j {
			return a, false, true
		}
	}
	return ml.Attr{Idx: j}, false, false
}

// selectAttrs is the attribute group of features picked from va, in the
// order of picked; unknown attributes stay unnamed.
func selectAttrs(va ml.VectorAttrs, picked []int) ml.VectorAttrs {
	out := ml.VectorAttrs{NumAttrs: len(picked)}
	for k, j := range picked {
		a, nominal, _ := attrAt(va, j)
		a.Idx = k
		a.Vals = slices.Clone(a.Vals)
		if nominal {
			out.Nominal = append(out.Nominal, a)
		} else {
			out.Numeric = append(out.Numeric, a)
		}
	}
	return out
}

// sparkDouble formats x as Scala's Double.toString does for the values
// that occur in splits: 1.0, -0.5, Infinity, -Infinity.
func sparkDouble(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case math.IsNaN(x):
		return "NaN"
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// quantileSorted returns the q-quantile of sorted (ascending, no NaN) the
// way Spark's approxQuantile answers when its summary is exact: q at most
// relErr gives the minimum, q at least 1-relErr the maximum, otherwise
// the element of rank ceil(q·n) (numpy's method="inverted_cdf").
func quantileSorted(sorted []float64, q, relErr float64) float64 {
	n := len(sorted)
	switch {
	case q <= relErr:
		return sorted[0]
	case q >= 1-relErr:
		return sorted[n-1]
	}
	r := int(math.Ceil(q * float64(n)))
	return sorted[min(max(r, 1), n)-1]
}

// checkOutputs fails when an output column exists in the input or two
// outputs share a name.
func checkOutputs(in *arrow.Schema, outs []string) error {
	seen := map[string]bool{}
	for _, o := range outs {
		if len(in.FieldIndices(o)) > 0 {
			return fmt.Errorf("output column %q already exists; choose another name", o)
		}
		if seen[o] {
			return fmt.Errorf("output column %q is named twice; give each output its own name", o)
		}
		seen[o] = true
	}
	return nil
}

// nonNilInts turns a nil slice into an empty one: params are
// saved as JSON, where a nil slice becomes null, which ml.Load cannot set
// back into a slice param.

func nonNilInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}
