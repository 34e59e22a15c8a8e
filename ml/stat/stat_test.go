package stat

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// reference mirrors testdata/reference.json (testdata/gen_reference.py).
type reference struct {
	Summarizer []struct {
		Name    string
		X       [][]float64
		Weights []float64
		Want    struct {
			Count       int64
			WeightSum   float64 `json:"weight_sum"`
			Mean        []float64
			Variance    []float64
			Std         []float64
			Min         []float64
			Max         []float64
			NumNonZeros []int64   `json:"num_non_zeros"`
			NormL1      []float64 `json:"norm_l1"`
			NormL2      []float64 `json:"norm_l2"`
			Sum         []float64
		}
	}
	Correlation []struct {
		Name     string
		X        [][]float64
		Pearson  [][]float64
		Spearman [][]float64
	}
	ChiSquare []struct {
		Name             string
		X                [][]float64
		Label            []float64
		PValues          []float64 `json:"p_values"`
		DegreesOfFreedom []int     `json:"degrees_of_freedom"`
		Statistics       []float64
	} `json:"chi_square"`
}

func loadReference(tb testing.TB) *reference {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		tb.Fatalf("read reference (regenerate with testdata/gen_reference.py): %v", err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatal(err)
	}
	if len(r.Summarizer) == 0 || len(r.Correlation) == 0 || len(r.ChiSquare) == 0 {
		tb.Fatal("reference.json has an empty section")
	}
	return &r
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func checkSlice(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s[%d]: got %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// MustFrame builds a frame with vector column "features" from rows (every
// third row stored sparse), and "label" and "weight" when given.
func MustFrame(tb testing.TB, rows [][]float64, label, weight []float64) *ml.Frame {
	tb.Helper()
	vs := make([]ml.Vector, len(rows))
	for i, r := range rows {
		vs[i] = ml.Dense(r...)
		if i%3 == 0 {
			var idx []int32
			var val []float64
			for j, x := range r {
				if x != 0 {
					idx, val = append(idx, int32(j)), append(val, x)
				}
			}
			vs[i] = ml.Sparse(len(r), idx, val)
		}
	}
	fields := []arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}
	cols := []*arrow.Chunked{ml.VectorsColumn(vs)}
	if label != nil {
		fields = append(fields, arrow.Field{Name: "label", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		cols = append(cols, ml.Float64Column(label))
	}
	if weight != nil {
		fields = append(fields, arrow.Field{Name: "weight", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		cols = append(cols, ml.Float64Column(weight))
	}
	f, err := ml.NewFrame(arrow.NewSchema(fields, nil), cols)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestSummarizeReference(t *testing.T) {
	for _, c := range loadReference(t).Summarizer {
		t.Run(c.Name, func(t *testing.T) {
			wcol := ""
			if c.Weights != nil {
				wcol = "weight"
			}
			s, err := Summarize(context.Background(), MustFrame(t, c.X, nil, c.Weights), "features", wcol)
			if err != nil {
				t.Fatal(err)
			}
			w := c.Want
			if s.Count != w.Count || !near(s.WeightSum, w.WeightSum, 1e-12) {
				t.Errorf("count %d weightSum %v, want %d %v", s.Count, s.WeightSum, w.Count, w.WeightSum)
			}
			checkSlice(t, "mean", s.Mean, w.Mean, 1e-12)
			checkSlice(t, "variance", s.Variance, w.Variance, 1e-11)
			checkSlice(t, "std", s.Std, w.Std, 1e-11)
			checkSlice(t, "min", s.Min, w.Min, 0)
			checkSlice(t, "max", s.Max, w.Max, 0)
			checkSlice(t, "normL1", s.NormL1, w.NormL1, 1e-12)
			checkSlice(t, "normL2", s.NormL2, w.NormL2, 1e-12)
			checkSlice(t, "sum", s.Sum, w.Sum, 1e-12)
			if !slices.Equal(s.NumNonZeros, w.NumNonZeros) {
				t.Errorf("numNonZeros %v, want %v", s.NumNonZeros, w.NumNonZeros)
			}
			if s.Names[0] != "feature 0" {
				t.Errorf("names %v", s.Names)
			}
		})
	}
}

func TestSummarizeByHand(t *testing.T) {
	// Rows [1 0] [3 -2] [0 0] with weights 1 2 0: the third row is skipped.
	f := MustFrame(t, [][]float64{{1, 0}, {3, -2}, {0, 0}}, nil, []float64{1, 2, 0})
	s, err := Summarize(context.Background(), f, "features", "weight")
	if err != nil {
		t.Fatal(err)
	}
	// W = 3, Σw² = 5, denominator 3 - 5/3 = 4/3. Feature 0: mean 7/3,
	// M2 = 1·(4/3)² + 2·(2/3)² = 8/3, variance 2. Feature 1: mean -4/3,
	// M2 = 1·(4/3)² + 2·(2/3)² = 8/3, variance 2.
	checkSlice(t, "mean", s.Mean, []float64{7.0 / 3, -4.0 / 3}, 1e-15)
	checkSlice(t, "variance", s.Variance, []float64{2, 2}, 1e-14)
	checkSlice(t, "min", s.Min, []float64{1, -2}, 0)
	checkSlice(t, "max", s.Max, []float64{3, 0}, 0) // implicit zero in row 1
	checkSlice(t, "normL1", s.NormL1, []float64{7, 4}, 0)
	checkSlice(t, "normL2", s.NormL2, []float64{math.Sqrt(19), math.Sqrt(8)}, 1e-15)
	checkSlice(t, "sum", s.Sum, []float64{7, -4}, 1e-15)
	if s.Count != 2 || s.WeightSum != 3 || !slices.Equal(s.NumNonZeros, []int64{2, 1}) {
		t.Errorf("count %d weightSum %v nnz %v", s.Count, s.WeightSum, s.NumNonZeros)
	}
	// One row: variance 0 (Spark), not NaN.
	one, err := Summarize(context.Background(), MustFrame(t, [][]float64{{5}}, nil, nil), "features", "")
	if err != nil {
		t.Fatal(err)
	}
	if one.Variance[0] != 0 || one.Mean[0] != 5 {
		t.Errorf("one row: %+v", one)
	}
	fr, err := s.Frame()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ml.ColumnNames(fr.Schema()), ","); got != "feature,mean,variance,std,min,max,numNonZeros,normL1,normL2,sum" || fr.NumRows() != 2 {
		t.Errorf("frame columns %s, %d rows", got, fr.NumRows())
	}
}

func TestCorrelationReference(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadReference(t).Correlation {
		t.Run(c.Name, func(t *testing.T) {
			f := MustFrame(t, c.X, nil, nil)
			for _, m := range []struct {
				method string
				want   [][]float64
			}{{Pearson, c.Pearson}, {Spearman, c.Spearman}, {"", c.Pearson}} {
				got, err := Correlation(ctx, f, "features", m.method)
				if err != nil {
					t.Fatal(err)
				}
				for i := range m.want {
					for j := range m.want[i] {
						if !near(got.At(i, j), m.want[i][j], 1e-12) {
							t.Errorf("%s[%d][%d]: got %.17g, want %.17g", m.method, i, j, got.At(i, j), m.want[i][j])
						}
					}
				}
			}
		})
	}
}

func TestCorrelationByHand(t *testing.T) {
	ctx := context.Background()
	// Column 1 is constant: NaN off the diagonal, 1 on it (Spark). Columns
	// 0 and 2 are monotone but not linear: spearman 1, pearson below 1.
	rows := [][]float64{{1, 7, 1}, {2, 7, 8}, {3, 7, 27}, {3, 7, 27}}
	f := MustFrame(t, rows, nil, nil)
	p, err := Correlation(ctx, f, "features", Pearson)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Correlation(ctx, f, "features", Spearman)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []interface{ At(i, j int) float64 }{p, s} {
		if m.At(1, 1) != 1 || !math.IsNaN(m.At(0, 1)) || !math.IsNaN(m.At(2, 1)) {
			t.Errorf("constant column: diag %v, off %v %v", m.At(1, 1), m.At(0, 1), m.At(2, 1))
		}
	}
	if !near(s.At(0, 2), 1, 1e-15) || p.At(0, 2) >= 0.99 {
		t.Errorf("spearman %v, pearson %v", s.At(0, 2), p.At(0, 2))
	}
	fr, err := CorrelationFrame(ctx, f, "features", Spearman)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ml.ColumnNames(fr.Schema()), ","); got != "feature,feature 0,feature 1,feature 2" || fr.NumRows() != 3 {
		t.Errorf("frame columns %s, %d rows", got, fr.NumRows())
	}
}

func TestChiSquareReference(t *testing.T) {
	for _, c := range loadReference(t).ChiSquare {
		t.Run(c.Name, func(t *testing.T) {
			r, err := ChiSquareTest(context.Background(), MustFrame(t, c.X, c.Label, nil), "features", "label")
			if err != nil {
				t.Fatal(err)
			}
			checkSlice(t, "statistics", r.Statistics, c.Statistics, 1e-12)
			checkSlice(t, "pValues", r.PValues, c.PValues, 1e-9)
			if !slices.Equal(r.DegreesOfFreedom, c.DegreesOfFreedom) {
				t.Errorf("degreesOfFreedom %v, want %v", r.DegreesOfFreedom, c.DegreesOfFreedom)
			}
			// The tiny p-value keeps its relative precision (Spark's 1 - CDF would be 0).
			for j, p := range c.PValues {
				if p > 0 && p < 1e-20 && math.Abs(r.PValues[j]-p)/p > 1e-6 {
					t.Errorf("tiny p-value %d: got %g, want %g", j, r.PValues[j], p)
				}
			}
			fr, err := r.Frame()
			if err != nil {
				t.Fatal(err)
			}
			if fr.NumRows() != int64(len(c.PValues)) || strings.Join(ml.ColumnNames(fr.Schema()), ",") != "featureIndex,feature,pValue,degreesOfFreedom,statistic" {
				t.Errorf("frame %v with %d rows", ml.ColumnNames(fr.Schema()), fr.NumRows())
			}
		})
	}
}

func TestChiSquareByHand(t *testing.T) {
	// 2×2 table [[3 1] [1 3]]: expected 2 everywhere, statistic 4·(1/2) = 2,
	// df 1, p = P(χ²₁ ≥ 2) = erfc(1).
	rows := [][]float64{{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}}
	label := []float64{0, 0, 0, 1, 0, 1, 1, 1}
	r, err := ChiSquareTest(context.Background(), MustFrame(t, rows, label, nil), "features", "label")
	if err != nil {
		t.Fatal(err)
	}
	if r.Statistics[0] != 2 || r.DegreesOfFreedom[0] != 1 || !near(r.PValues[0], math.Erfc(1), 1e-14) {
		t.Errorf("got stat %v df %d p %v, want 2 1 %v", r.Statistics[0], r.DegreesOfFreedom[0], r.PValues[0], math.Erfc(1))
	}
}

func TestStatErrors(t *testing.T) {
	ctx := context.Background()
	good := MustFrame(t, [][]float64{{1, 2}, {3, 4}, {5, 7}}, []float64{0, 1, 0}, []float64{1, 1, 1})
	nullVec := func() *ml.Frame {
		vb := ml.NewVectorBuilder(nil)
		vb.Append(ml.Dense(1))
		vb.AppendNull()
		a := vb.NewArray()
		f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil),
			[]*arrow.Chunked{arrow.NewChunked(ml.VectorType, []arrow.Array{a})})
		return f
	}()
	nullLabel := func() *ml.Frame {
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		b.AppendValues([]float64{0, 1}, nil)
		b.AppendNull()
		a := b.NewArray()
		f, _ := good.WithColumn(arrow.Field{Name: "label", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, arrow.NewChunked(a.DataType(), []arrow.Array{a}))
		return f
	}()
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"summarize missing column", func() error { _, err := Summarize(ctx, good, "feats", ""); return err }, `no column "feats"; columns are features, label, weight`},
		{"summarize not a vector", func() error { _, err := Summarize(ctx, good, "label", ""); return err }, `column "label" has type float64; want a vector column`},
		{"summarize NULL vector", func() error { _, err := Summarize(ctx, nullVec, "features", ""); return err }, "column features, row 2: vector is NULL"},
		{"summarize negative weight", func() error {
			f, _ := good.WithColumn(arrow.Field{Name: "weight", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column([]float64{1, -1, 1}))
			_, err := Summarize(ctx, f, "features", "weight")
			return err
		}, "column weight, row 2: weight -1; weights must be finite and >= 0"},
		{"summarize zero weights", func() error {
			f, _ := good.WithColumn(arrow.Field{Name: "weight", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column([]float64{0, 0, 0}))
			_, err := Summarize(ctx, f, "features", "weight")
			return err
		}, "has no rows with positive weight"},
		{"summarize ragged", func() error {
			_, err := Summarize(ctx, MustFrame(t, [][]float64{{1, 2}, {3}}, nil, nil), "features", "")
			return err
		}, "column features, row 2: vector has 1 features, row 1 has 2"},
		{"correlation method", func() error { _, err := Correlation(ctx, good, "features", "spearmann"); return err }, `method "spearmann" is not supported; did you mean "spearman"?`},
		{"correlation one row", func() error {
			_, err := Correlation(ctx, MustFrame(t, [][]float64{{1, 2}}, nil, nil), "features", "")
			return err
		}, "has 1 rows; correlation needs at least 2"},
		{"correlation NaN", func() error {
			_, err := Correlation(ctx, MustFrame(t, [][]float64{{1, 2}, {math.NaN(), 1}}, nil, nil), "features", "")
			return err
		}, "column features, row 2: feature 0 is NaN"},
		{"chi-square NULL label", func() error { _, err := ChiSquareTest(ctx, nullLabel, "features", "label"); return err }, "column label, row 3: label is NULL"},
		{"chi-square string label", func() error {
			b := array.NewStringBuilder(memory.DefaultAllocator)
			b.AppendValues([]string{"a", "b", "c"}, nil)
			a := b.NewArray()
			f, _ := good.WithColumn(arrow.Field{Name: "s", Type: arrow.BinaryTypes.String}, arrow.NewChunked(a.DataType(), []arrow.Array{a}))
			_, err := ChiSquareTest(ctx, f, "features", "s")
			return err
		}, `labelCol "s" has type utf8; want a number`},
		{"chi-square too many categories", func() error {
			n := MaxCategories + 1
			rows := make([][]float64, n)
			lab := make([]float64, n)
			for i := range rows {
				rows[i] = []float64{float64(i)}
				lab[i] = float64(i % 2)
			}
			_, err := ChiSquareTest(ctx, MustFrame(t, rows, lab, nil), "features", "label")
			return err
		}, "more than 10000 distinct values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := MustFrame(t, [][]float64{{1}, {2}}, []float64{0, 1}, nil)
	if _, err := Summarize(ctx, f, "features", ""); err == nil {
		t.Error("Summarize ignored a cancelled ctx")
	}
	if _, err := Correlation(ctx, f, "features", ""); err == nil {
		t.Error("Correlation ignored a cancelled ctx")
	}
	if _, err := ChiSquareTest(ctx, f, "features", "label"); err == nil {
		t.Error("ChiSquareTest ignored a cancelled ctx")
	}
}
