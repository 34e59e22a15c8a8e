package ml

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"
)

// Dataset is training data pulled out of a frame: a dense row-major
// feature matrix with labels and weights, the form fitting algorithms
// work on.
type Dataset struct {
	N, D int
	X    []float64 // row-major, N×D; read-only: it may alias the frame's Arrow buffer
	Y    []float64 // labels; nil when no label column was asked for
	W    []float64 // instance weights; nil means every weight is 1
	// Sparse holds the features instead of X when LoadDatasetSparse kept
	// them sparse (X is then nil).
	Sparse *CSR
	// Attrs describes the features (names, categorical arity) as far as
	// the vector column's metadata tells.
	Attrs VectorAttrs
}

// Row returns row i of X (aliased, do not modify).
func (d *Dataset) Row(i int) []float64 { return d.X[i*d.D : (i+1)*d.D] }

// Weight returns the weight of row i.
func (d *Dataset) Weight(i int) float64 {
	if d.W == nil {
		return 1
	}
	return d.W[i]
}

// LoadDataset reads featuresCol (a vector column) into a dense matrix,
// and labelCol and weightCol when not empty. NULL or NaN features,
// labels or weights, negative weights, vectors of different sizes and an
// empty frame are errors naming column and row (1-based) and saying how
// to fix them.
func LoadDataset(ctx context.Context, f *Frame, featuresCol, labelCol, weightCol string) (*Dataset, error) {
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("the training data has no rows; check the input table or the filter before fitting")
	}
	field, err := FieldOf(f.Schema(), featuresCol)
	if err != nil {
		return nil, fmt.Errorf("featuresCol: %w", err)
	}
	if !IsVector(field.Type) {
		return nil, fmt.Errorf("featuresCol %q has type %s; want a vector column (build it with VectorAssembler)", featuresCol, field.Type)
	}
	d := &Dataset{N: int(f.NumRows()), D: -1, Attrs: VectorAttrsOf(field)}
	chunked, _ := f.Column(featuresCol)
	arr, err := Flatten(chunked)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vc, err := NewVectorColumn(arr)
	if err != nil {
		return nil, err
	}
	if X, D, ok := contiguousDense(vc); ok && allFinite(ctx, X) {
		// Dense rows of one size back to back (as VectorAssembler and
		// DenseVectors write them): X aliases the values buffer, which is
		// Go memory the frame keeps alive, instead of copying it.
		d.X, d.D = X, D
	} else if err := d.copyRows(ctx, vc, featuresCol); err != nil {
		return nil, err
	}
	if err := d.loadLabelsAndWeights(f, labelCol, weightCol); err != nil {
		return nil, err
	}
	return d, nil
}

// copyRows densifies vc into d.X, checking every row.
// loadLabelsAndWeights reads the label column (when labelCol is set)
// into d.Y and the weight column (when weightCol is set) into d.W;
// negative weights are errors naming the row.
func (d *Dataset) loadLabelsAndWeights(f *Frame, labelCol, weightCol string) error {
	var err error
	if labelCol != "" {
		if d.Y, err = NumericColumn(f, "labelCol", labelCol); err != nil {
			return err
		}
	}
	if weightCol != "" {
		if d.W, err = NumericColumn(f, "weightCol", weightCol); err != nil {
			return err
		}
		for i, w := range d.W {
			if w < 0 {
				return fmt.Errorf("column %s, row %d: weight %v is negative; weights must be >= 0", weightCol, i+1, w)
			}
		}
	}
	return nil
}

func (d *Dataset) copyRows(ctx context.Context, vc *VectorColumn, featuresCol string) error {
	for i := 0; i < d.N; i++ {
		if i%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if vc.IsNull(i) {
			return fmt.Errorf("column %s, row %d: feature vector is NULL; drop the row or use VectorAssembler's handleInvalid=skip", featuresCol, i+1)
		}
		v := vc.At(i)
		if err := v.Validate(); err != nil {
			return fmt.Errorf("column %s, row %d: %w", featuresCol, i+1, err)
		}
		if d.D < 0 {
			d.D = v.Size
			d.X = make([]float64, 0, d.N*d.D)
		} else if v.Size != d.D {
			return fmt.Errorf("column %s, row %d: vector has %d features, row 1 has %d", featuresCol, i+1, v.Size, d.D)
		}
		start := len(d.X)
		d.X = v.AppendTo(d.X)
		for j, x := range d.X[start:] {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("column %s, row %d: feature %d (%s) is %v; impute it (Imputer) or drop the row (VectorAssembler handleInvalid=skip)", featuresCol, i+1, j, d.Attrs.Name(j), x)
			}
		}
	}
	return nil
}

// contiguousDense returns the row-major values of a vector column whose
// rows are all dense, non-NULL, of one positive size and stored back to
// back in one values buffer.
func contiguousDense(vc *VectorColumn) ([]float64, int, bool) {
	n := vc.Len()
	if n == 0 || vc.IsNull(0) {
		return nil, 0, false
	}
	first := vc.At(0)
	dim := first.Size
	if first.IsSparse() || dim == 0 || cap(first.Values) < n*dim {
		return nil, 0, false
	}
	base := first.Values[:n*dim]
	for i := range n {
		if vc.IsNull(i) {
			return nil, 0, false
		}
		v := vc.At(i)
		if v.IsSparse() || v.Size != dim || len(v.Values) != dim || &v.Values[0] != &base[i*dim] {
			return nil, 0, false
		}
	}
	return base, dim, true
}

// allFinite reports whether x has no NaN or ±Inf, scanning in parallel;
// false also when ctx is done.
func allFinite(ctx context.Context, x []float64) bool {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(x)/(1<<18)))
	bad := make([]bool, workers)
	var g errgroup.Group
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

// NumericColumn reads column name (the value of param, e.g. "labelCol")
// as float64 values. A missing or non-numeric column, and NULL, NaN or
// infinite values, are errors naming the column and row.
func NumericColumn(f *Frame, param, name string) ([]float64, error) {
	if err := CheckNumericCol(f.Schema(), param, name); err != nil {
		return nil, err
	}
	chunked, _ := f.Column(name)
	arr, err := Flatten(chunked)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vals, _, err := Float64s(arr)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			what := "NaN"
			if arr.IsNull(i) {
				what = "NULL"
			} else if math.IsInf(v, 0) {
				what = strconv.FormatFloat(v, 'g', -1, 64)
			}
			return nil, fmt.Errorf("column %s, row %d: %s is %s; drop or fill the row", name, i+1, param, what)
		}
	}
	return vals, nil
}

// ClassCount checks classifier labels — whole numbers 0, 1, … — and
// returns the number of classes: the label column's nominal metadata
// (StringIndexer) when present, else the largest label + 1. Fewer than
// two distinct labels is an error, since there is nothing to separate.
func ClassCount(f *Frame, labelCol string, y []float64) (int, error) {
	maxLabel := -1.0
	seen := map[float64]int{}
	for i, v := range y {
		if v < 0 || v != math.Trunc(v) || v > 1<<20 {
			return 0, fmt.Errorf("column %s, row %d: label %v is not a class index 0, 1, 2, …; index string labels with StringIndexer", labelCol, i+1, v)
		}
		seen[v]++
		maxLabel = max(maxLabel, v)
	}
	n := int(maxLabel) + 1
	if field, err := FieldOf(f.Schema(), labelCol); err == nil {
		if vals := NominalValues(field); len(vals) > n {
			n = len(vals)
		}
	}
	if len(seen) < 2 {
		for v, c := range seen {
			return 0, fmt.Errorf("label column %s has one class only (%v, all %d rows); a classifier needs at least two — check the filter or the sampling", labelCol, v, c)
		}
	}
	return n, nil
}

// NominalValues returns the values of a nominal attribute stored in a
// field's ml_attr metadata (as StringIndexer writes it), or nil.
func NominalValues(f arrow.Field) []string {
	v, ok := f.Metadata.GetValue("ml_attr")
	if !ok {
		return nil
	}
	var md struct {
		Attr struct {
			Type string   `json:"type"`
			Vals []string `json:"vals"`
		} `json:"ml_attr"`
	}
	if json.Unmarshal([]byte(v), &md) != nil || md.Attr.Type != "nominal" {
		return nil
	}
	return md.Attr.Vals
}

// Attr describes one feature of a vector column: its name and, for a
// categorical feature, its values (the feature holds 0 … len(Vals)-1).
type Attr struct {
	Idx  int      `json:"idx"`
	Name string   `json:"name,omitempty"`
	Vals []string `json:"vals,omitempty"`
	// NumVals is the number of categories when the values have no names.
	NumVals int `json:"num_vals,omitempty"`
}

// VectorAttrs is Spark's attribute group for a vector column, stored in
// the field metadata under "ml_attr" as
// {"ml_attr":{"num_attrs":n,"attrs":{"numeric":[…],"nominal":[…]}}}.
type VectorAttrs struct {
	NumAttrs int
	Numeric  []Attr
	Nominal  []Attr
}

// Name returns the name of feature j, or "feature j" when unnamed.
func (va VectorAttrs) Name(j int) string {
	for _, group := range [][]Attr{va.Numeric, va.Nominal} {
		for _, a := range group {
			if a.Idx == j && a.Name != "" {
				return a.Name
			}
		}
	}
	return "feature " + strconv.Itoa(j)
}

// Names returns the names of features 0 … d-1.
func (va VectorAttrs) Names(d int) []string {
	out := make([]string, d)
	for j := range out {
		out[j] = va.Name(j)
	}
	return out
}

// Categorical maps each categorical feature index to its number of
// categories.
func (va VectorAttrs) Categorical() map[int]int {
	out := map[int]int{}
	for _, a := range va.Nominal {
		n := len(a.Vals)
		if a.NumVals > n {
			n = a.NumVals
		}
		if n > 0 {
			out[a.Idx] = n
		}
	}
	return out
}

type vectorAttrsJSON struct {
	Attr struct {
		NumAttrs int `json:"num_attrs"`
		Attrs    struct {
			Numeric []Attr `json:"numeric,omitempty"`
			Nominal []Attr `json:"nominal,omitempty"`
		} `json:"attrs"`
	} `json:"ml_attr"`
}

// VectorAttrsOf reads a vector field's attribute group; a field without
// one gives the zero VectorAttrs.
func VectorAttrsOf(f arrow.Field) VectorAttrs {
	v, ok := f.Metadata.GetValue("ml_attr")
	if !ok {
		return VectorAttrs{}
	}
	var md vectorAttrsJSON
	if json.Unmarshal([]byte(v), &md) != nil {
		return VectorAttrs{}
	}
	return VectorAttrs{NumAttrs: md.Attr.NumAttrs, Numeric: md.Attr.Attrs.Numeric, Nominal: md.Attr.Attrs.Nominal}
}

// Metadata encodes va as field metadata.
func (va VectorAttrs) Metadata() arrow.Metadata {
	var md vectorAttrsJSON
	md.Attr.NumAttrs = va.NumAttrs
	md.Attr.Attrs.Numeric = slices.Clone(va.Numeric)
	md.Attr.Attrs.Nominal = slices.Clone(va.Nominal)
	b, _ := json.Marshal(md)
	return arrow.NewMetadata([]string{"ml_attr"}, []string{string(b)})
}
