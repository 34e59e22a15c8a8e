package feature_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
	"github.com/sluice-dev/sluice/ml/mltest"
)

func stringFrame(t testing.TB, vals []string, valid []bool, nums []float64) *ml.Frame {
	t.Helper()
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	sb.AppendValues(vals, valid)
	fb := array.NewFloat64Builder(memory.DefaultAllocator)
	fb.AppendValues(nums, nil)
	s, n := sb.NewArray(), fb.NewArray()
	sc := arrow.NewSchema([]arrow.Field{{Name: "plan", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{arrow.NewChunked(s.DataType(), []arrow.Array{s}), arrow.NewChunked(n.DataType(), []arrow.Array{n})})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestStringIndexerOrders(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"b", "a", "c", "a", "b", "a", "c"}, nil, make([]float64, 7))
	tests := []struct {
		order string
		want  string
	}{
		{"frequencyDesc", "[a b c]"}, // a:3, then b and c tie at 2: alphabetical
		{"frequencyAsc", "[b c a]"},
		{"alphabetAsc", "[a b c]"},
		{"alphabetDesc", "[c b a]"},
	}
	for _, tt := range tests {
		si := feature.NewStringIndexer()
		si.P.InputCol, si.P.OutputCol, si.P.StringOrderType = "plan", "idx", tt.order
		m, err := si.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(m.(*feature.StringIndexerModel).Labels); got != tt.want {
			t.Errorf("%s: labels %s, want %s", tt.order, got, tt.want)
		}
	}
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "idx"
	m, _ := si.Fit(ctx, f)
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(floats(t, out, "idx")); got != "[1 0 2 0 1 0 2]" {
		t.Errorf("indices = %s", got)
	}
	field, _ := out.Schema().FieldsByName("idx")
	if vals := ml.NominalValues(field[0]); fmt.Sprint(vals) != "[a b c]" {
		t.Errorf("ml_attr vals = %v", vals)
	}
}

func TestStringIndexerHandleInvalid(t *testing.T) {
	ctx := context.Background()
	train := stringFrame(t, []string{"yes", "no", "no"}, nil, []float64{1, 2, 3})
	test := stringFrame(t, []string{"no", "maybe", "", "yes"}, []bool{true, true, false, true}, []float64{4, 5, 6, 7})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "idx"
	m, err := si.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Transform(ctx, test); err == nil || !strings.Contains(err.Error(), `row 2: unseen label "maybe"`) {
		t.Errorf("error mode: %v", err)
	}
	m.(*feature.StringIndexerModel).P.HandleInvalid = "skip"
	out, err := m.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(floats(t, out, "idx"), floats(t, out, "x")); got != "[0 1] [4 7]" {
		t.Errorf("skip: %s", got)
	}
	m.(*feature.StringIndexerModel).P.HandleInvalid = "keep"
	out, err = m.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(floats(t, out, "idx")); got != "[0 2 2 1]" {
		t.Errorf("keep: %s", got)
	}
}

func TestStandardScaler(t *testing.T) {
	ctx := context.Background()
	mem := memory.DefaultAllocator
	vb := ml.NewVectorBuilder(mem)
	for _, v := range []ml.Vector{ml.Dense(1, 5), ml.Dense(2, 5), ml.Sparse(2, []int32{0}, []float64{3}), ml.Dense(4, 5)} {
		vb.Append(v)
	}
	arr := vb.NewArray()
	f, _ := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil), []*arrow.Chunked{arrow.NewChunked(ml.VectorType, []arrow.Array{arr})})
	ss := feature.NewStandardScaler()
	ss.P.InputCol, ss.P.OutputCol = "features", "scaled"
	m, err := ss.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	sm := m.(*feature.StandardScalerModel)
	// Feature 0: 1,2,3,4: mean 2.5, sample std sqrt(5/3). Feature 1: 5,5,0,5:
	// mean 3.75, sample std sqrt((3*1.5625+14.0625)/3) = 2.5.
	wantStd := []float64{math.Sqrt(5.0 / 3), 2.5}
	for j := range wantStd {
		if math.Abs(sm.Std[j]-wantStd[j]) > 1e-12 {
			t.Errorf("std[%d] = %v, want %v", j, sm.Std[j], wantStd[j])
		}
	}
	if sm.Mean[0] != 2.5 || sm.Mean[1] != 3.75 {
		t.Errorf("mean = %v", sm.Mean)
	}
	sm.P.WithMean = true
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got := vectors(t, out, "scaled")
	if math.Abs(got[0][0]-(1-2.5)/math.Sqrt(5.0/3)) > 1e-12 || math.Abs(got[2][1]-(0-3.75)/2.5) > 1e-12 {
		t.Errorf("scaled = %v", got)
	}
	// Round trip: scaled * std + mean gives the input back.
	for i, row := range got {
		for j, x := range row {
			back := x*sm.Std[j] + sm.Mean[j]
			want := [][]float64{{1, 5}, {2, 5}, {3, 0}, {4, 5}}[i][j]
			if math.Abs(back-want) > 1e-12 {
				t.Errorf("row %d feature %d: inverse %v, want %v", i, j, back, want)
			}
		}
	}
}

// The churn tutorial's first stages, as a Pipeline.
func TestIndexAssembleScalePipeline(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"no", "yes", "no", "no"}, nil, []float64{10, 20, 30, 40})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "plan_idx"
	va := feature.NewVectorAssembler()
	va.P.InputCols = []string{"plan_idx", "x"}
	ss := feature.NewStandardScaler()
	ss.P.InputCol, ss.P.OutputCol = "features", "scaled"
	p := &ml.Pipeline{Stages: []ml.Stage{si, va, ss}}
	m, err := p.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(vectors(t, out, "features")); got != "[[0 10] [1 20] [0 30] [0 40]]" {
		t.Errorf("features = %s", got)
	}
	// A typo in a later stage's column fails before anything is fitted.
	ss.P.InputCol = "featurez"
	if _, err := p.Fit(ctx, f); err == nil || !strings.Contains(err.Error(), `stage 3 (StandardScaler): no input column "featurez"`) {
		t.Errorf("typo: %v", err)
	}
}

var floats = mltest.Floats

// Like Spark's, a fitted indexer skips a missing input column, so a
// pipeline indexing its label scores unlabelled rows; a stage that reads
// the skipped output still fails naming it.
func TestStringIndexerModelSkipsMissingInput(t *testing.T) {
	ctx := context.Background()
	f := stringFrame(t, []string{"yes", "no", "no"}, nil, []float64{1, 2, 3})
	si := feature.NewStringIndexer()
	si.P.InputCol, si.P.OutputCol = "plan", "label"
	m, err := si.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	unlabelled, err := f.Select("x")
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, unlabelled)
	if err != nil {
		t.Fatalf("missing input column: %v, want the frame passed through", err)
	}
	if got := ml.ColumnNames(out.Schema()); fmt.Sprint(got) != "[x]" {
		t.Errorf("columns = %v, want [x]", got)
	}
	va := feature.NewVectorAssembler()
	va.P.InputCols, va.P.OutputCol = []string{"x", "label"}, "features"
	pm := &ml.PipelineModel{Stages: []ml.Transformer{m, va}}
	if _, err := pm.TransformSchema(unlabelled.Schema()); err == nil || !strings.Contains(err.Error(), `"label"`) {
		t.Errorf("downstream use of the skipped column: got %v, want an error naming label", err)
	}
}
