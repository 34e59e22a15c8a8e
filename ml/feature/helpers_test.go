package feature_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// column is one column for mkFrame.
type column struct {
	field arrow.Field
	data  arrow.Array
}

// fcol is a float64 column; NaN entries listed in nulls are NULL.
func fcol(name string, vals []float64, nulls ...int) column {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	var valid []bool
	if len(nulls) > 0 {
		valid = make([]bool, len(vals))
		for i := range valid {
			valid[i] = true
		}
		for _, i := range nulls {
			valid[i] = false
		}
	}
	b.AppendValues(vals, valid)
	return column{arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, b.NewArray()}
}

// icol is an int64 column; rows listed in nulls are NULL.
func icol(name string, vals []int64, nulls ...int) column {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i, v := range vals {
		if contains(nulls, i) {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return column{arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true}, b.NewArray()}
}

// scol is a string column.
func scol(name string, vals ...string) column {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	return column{arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}, b.NewArray()}
}

// null is a NULL vector for vcol.
var null = ml.Vector{Size: -1}

// vcol is a vector column; the null vector makes a NULL row.
func vcol(name string, vs ...ml.Vector) column {
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	for _, v := range vs {
		if v.Size < 0 {
			vb.AppendNull()
		} else {
			vb.Append(v)
		}
	}
	return column{arrow.Field{Name: name, Type: ml.VectorType, Nullable: true}, vb.NewArray()}
}

// dense turns rows into dense vectors.
func dense(rows [][]float64) []ml.Vector {
	out := make([]ml.Vector, len(rows))
	for i, r := range rows {
		out[i] = ml.Dense(append([]float64(nil), r...)...)
	}
	return out
}

// withMeta returns c with ml_attr metadata md.
func withMeta(c column, md string) column {
	c.field.Metadata = arrow.NewMetadata([]string{"ml_attr"}, []string{md})
	return c
}

func mkFrame(t testing.TB, cols ...column) *ml.Frame {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	chunks := make([]*arrow.Chunked, len(cols))
	for i, c := range cols {
		fields[i] = c.field
		chunks[i] = arrow.NewChunked(c.data.DataType(), []arrow.Array{c.data})
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), chunks)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// stringFrameExample is a frame with one string column, product.
func stringFrameExample(vals []string) *ml.Frame {
	c := scol("product", vals...)
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{c.field}, nil), []*arrow.Chunked{arrow.NewChunked(c.data.DataType(), []arrow.Array{c.data})})
	if err != nil {
		panic(err)
	}
	return f
}

func contains(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// vecs reads a vector column: dense values per row, nil for NULL.
func vecs(t testing.TB, f *ml.Frame, col string) [][]float64 {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	arr, err := ml.Flatten(c)
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, vc.Len())
	for i := range out {
		if !vc.IsNull(i) {
			v := vc.At(i)
			if err := v.Validate(); err != nil {
				t.Fatalf("column %s row %d: %v", col, i+1, err)
			}
			out[i] = v.AppendTo([]float64{})
		}
	}
	return out
}

// rawVecs reads a vector column as stored (sparse stays sparse).
func rawVecs(t testing.TB, f *ml.Frame, col string) []ml.Vector {
	t.Helper()
	c, _ := f.Column(col)
	arr, _ := ml.Flatten(c)
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]ml.Vector, vc.Len())
	for i := range out {
		out[i] = vc.At(i)
	}
	return out
}

// colString renders any column for comparisons.
func colString(t testing.TB, f *ml.Frame, col string) string {
	t.Helper()
	c, err := f.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	arr, _ := ml.Flatten(c)
	defer arr.Release()
	return arr.String()
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func checkRows(t testing.TB, what string, got, want [][]float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		checkVec(t, fmt.Sprintf("%s row %d", what, i+1), got[i], want[i], tol)
	}
}

func checkVec(t testing.TB, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
		return
	}
	for j := range want {
		if !near(got[j], want[j], tol) {
			t.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
	}
}

func wantErr(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want one containing %q", parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q lacks %q", err, p)
		}
	}
}

func mustFit(t testing.TB, e ml.Estimator, f *ml.Frame) ml.Model {
	t.Helper()
	m, err := e.Fit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustTransform(t testing.TB, tr ml.Transformer, f *ml.Frame) *ml.Frame {
	t.Helper()
	out, err := tr.Transform(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.TransformSchema(f.Schema()); err != nil {
		t.Fatalf("TransformSchema fails where Transform works: %v", err)
	}
	return out
}

// roundTrip saves s, loads it with this package's registry, and checks
// that the loaded stage transforms f into the same columns.
func roundTrip(t testing.TB, s ml.Transformer, f *ml.Frame, cols ...string) ml.Transformer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "stage")
	if err := ml.Save(dir, s); err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(dir, registry())
	if err != nil {
		t.Fatal(err)
	}
	lt, ok := loaded.(ml.Transformer)
	if !ok {
		t.Fatalf("loaded %s is not a Transformer", loaded.StageName())
	}
	if loaded.StageName() != s.StageName() {
		t.Fatalf("loaded %s, saved %s", loaded.StageName(), s.StageName())
	}
	want := mustTransform(t, s, f)
	got := mustTransform(t, lt, f)
	for _, c := range cols {
		if g, w := colString(t, got, c), colString(t, want, c); g != w {
			t.Errorf("%s: loaded model gives %s, saved one %s", c, g, w)
		}
		gf, _ := ml.FieldOf(got.Schema(), c)
		wf, _ := ml.FieldOf(want.Schema(), c)
		if !gf.Equal(wf) {
			t.Errorf("%s: loaded model's field %v, saved one's %v", c, gf, wf)
		}
	}
	return lt
}

// reference is testdata/feature_reference.json (gen_feature_reference.py).
type reference struct {
	MinMax struct {
		X     [][]float64
		Cases []struct {
			Min, Max float64
			Sklearn  [][]float64
			Spark    [][]float64
		}
	}
	MaxAbs struct {
		X       [][]float64
		Sklearn [][]float64
	}
	Robust struct {
		X5              [][]float64
		X5SklearnCenter []float64   `json:"x5_sklearn_center"`
		X5SklearnScale  []float64   `json:"x5_sklearn_scale"`
		X5Sklearn       [][]float64 `json:"x5_sklearn"`
		X8              [][]float64
		X8SparkMedian   []float64   `json:"x8_spark_median"`
		X8SparkRange    []float64   `json:"x8_spark_range"`
		X8Spark         [][]float64 `json:"x8_spark"`
	}
	Normalizer map[string]json.RawMessage
	Imputer    struct {
		A, B         []*float64
		Mean         []float64
		Median       []float64
		MostFrequent []float64 `json:"most_frequent"`
		SparkMedian  []float64 `json:"spark_median"`
	}
	QuantileDiscretizer struct {
		X     []float64
		Cases []struct {
			NumBuckets   int       `json:"num_buckets"`
			InnerSplits  []float64 `json:"spark_inner_splits"`
			SparkBuckets []float64 `json:"spark_buckets"`
		}
	} `json:"quantile_discretizer"`
	Polynomial struct {
		X     [][]float64
		Cases []struct {
			Degree int
			Spark  [][]float64
		}
	}
	Chi2 struct {
		X    [][]float64
		Y    []float64
		Stat []float64
		P    []float64
		DOF  []int
	}
	Anova struct {
		X              [][]float64
		Y              []float64
		F, P           []float64
		SklearnFpr     []int `json:"sklearn_fpr"`
		SklearnFdr     []int `json:"sklearn_fdr"`
		SklearnFwe     []int `json:"sklearn_fwe"`
		SparkTop2      []int `json:"spark_top2"`
		SparkPercent50 []int `json:"spark_percentile_0.5"`
	}
	FRegression struct {
		X    [][]float64
		Y    []float64
		F, P []float64
	}
	Variance struct {
		X              [][]float64
		Threshold      float64
		SampleVariance []float64 `json:"sample_variance"`
		SparkSelected  []int     `json:"spark_selected"`
	}
	PCA struct {
		X                [][]float64
		K                int
		Ratio            []float64   `json:"explained_variance_ratio"`
		Components       [][]float64 `json:"components"`
		SparkProjection  [][]float64 `json:"spark_projection"`
		AllExplainedVarR []float64   `json:"all_explained_variance_ratio"`
	}
}

func loadReference(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "feature_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}
