package ml_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

func floatFrame(t *testing.T, name string, vals ...float64) *ml.Frame {
	t.Helper()
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues(vals, nil)
	arr := b.NewArray()
	sc := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{arrow.NewChunked(arr.DataType(), []arrow.Array{arr})})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVectorRoundTrip(t *testing.T) {
	vb := ml.NewVectorBuilder(nil)
	in := []ml.Vector{ml.Dense(1, 2, 3), ml.Sparse(5, []int32{1, 4}, []float64{7, 9}), ml.Sparse(3, nil, nil)}
	for _, v := range in {
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
		vb.Append(v)
	}
	vb.AppendNull()
	arr := vb.NewArray()
	if !ml.IsVector(arr.DataType()) {
		t.Fatalf("type %s is not VectorType", arr.DataType())
	}
	col, err := ml.NewVectorColumn(arr)
	if err != nil {
		t.Fatal(err)
	}
	if col.Len() != 4 || !col.IsNull(3) {
		t.Fatalf("len %d, null(3) %v", col.Len(), col.IsNull(3))
	}
	for i, want := range in {
		got := col.At(i)
		if got.Size != want.Size || got.IsSparse() != want.IsSparse() {
			t.Errorf("row %d: got %+v, want %+v", i, got, want)
		}
		dense := got.AppendTo(nil)
		wantDense := want.AppendTo(nil)
		if len(dense) != len(wantDense) {
			t.Fatalf("row %d: dense %v, want %v", i, dense, wantDense)
		}
		for k := range dense {
			if dense[k] != wantDense[k] || got.At(k) != wantDense[k] {
				t.Errorf("row %d elem %d: got %v / %v, want %v", i, k, dense[k], got.At(k), wantDense[k])
			}
		}
	}
	if err := ml.Sparse(3, []int32{2, 1}, []float64{1, 1}).Validate(); err == nil {
		t.Error("unordered sparse indices passed Validate")
	}
	if err := ml.Sparse(3, []int32{3}, []float64{1}).Validate(); err == nil {
		t.Error("out-of-range sparse index passed Validate")
	}
}

// scaler is a toy estimator: it learns the mean of a column and its model
// subtracts it, writing outputCol.
type scalerParams struct {
	InputCol  string  `param:"inputCol" doc:"column to center"`
	OutputCol string  `param:"outputCol" doc:"centered column"`
	Scale     float64 `param:"scale" doc:"factor"`
	Steps     int     `param:"steps" doc:"unused"`
	Names     []string
}

func (p scalerParams) Validate() error {
	if p.Scale == 0 {
		return errors.New("scale must not be 0")
	}
	return nil
}

type scaler struct {
	P    scalerParams
	fits *int
}

func (s *scaler) StageName() string { return "Centerer" }
func (s *scaler) Params() any       { return &s.P }
func (s *scaler) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if len(in.FieldIndices(s.P.InputCol)) == 0 {
		return nil, errors.New("no column " + s.P.InputCol)
	}
	return arrow.NewSchema(append(in.Fields(), arrow.Field{Name: s.P.OutputCol, Type: arrow.PrimitiveTypes.Float64}), nil), nil
}
func (s *scaler) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	*s.fits++
	col, err := f.Column(s.P.InputCol)
	if err != nil {
		return nil, err
	}
	arr, _ := ml.Flatten(col)
	vals, _, err := ml.Float64s(arr)
	if err != nil {
		return nil, err
	}
	var mean float64
	for _, v := range vals {
		mean += v / float64(len(vals))
	}
	return &centered{s: s, mean: mean}, nil
}

type centered struct {
	s    *scaler
	mean float64
}

func (c *centered) StageName() string { return "CentererModel" }
func (c *centered) Params() any       { return &c.s.P }
func (c *centered) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return c.s.TransformSchema(in)
}
func (c *centered) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	col, err := f.Column(c.s.P.InputCol)
	if err != nil {
		return nil, err
	}
	arr, _ := ml.Flatten(col)
	vals, _, _ := ml.Float64s(arr)
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	for _, v := range vals {
		b.Append((v - c.mean) * c.s.P.Scale)
	}
	out := b.NewArray()
	return f.WithColumn(arrow.Field{Name: c.s.P.OutputCol, Type: arrow.PrimitiveTypes.Float64}, arrow.NewChunked(out.DataType(), []arrow.Array{out}))
}

func TestPipelineFitsInOrderAndChecksSchemasFirst(t *testing.T) {
	ctx := context.Background()
	fits := 0
	s1 := &scaler{P: scalerParams{InputCol: "x", OutputCol: "x1", Scale: 1}, fits: &fits}
	s2 := &scaler{P: scalerParams{InputCol: "x1", OutputCol: "x2", Scale: 2}, fits: &fits}
	p := &ml.Pipeline{Stages: []ml.Stage{s1, s2}}
	f := floatFrame(t, "x", 1, 2, 3, 6)
	m, err := p.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	col, _ := out.Column("x2")
	arr, _ := ml.Flatten(col)
	got, _, _ := ml.Float64s(arr)
	want := []float64{-4, -2, 0, 6} // x1 = x - 3 (mean 0), x2 = (x1 - 0) * 2
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("x2 = %v, want %v", got, want)
		}
	}
	if fits != 2 {
		t.Errorf("fits = %d, want 2", fits)
	}
	// A bad last stage fails before anything is fitted.
	fits = 0
	bad := &scaler{P: scalerParams{InputCol: "nope", OutputCol: "y", Scale: 1}, fits: &fits}
	_, err = (&ml.Pipeline{Stages: []ml.Stage{s1, bad}}).Fit(ctx, f)
	if err == nil || !strings.Contains(err.Error(), "stage 2 (Centerer)") || fits != 0 {
		t.Errorf("bad pipeline: err %v, fits %d", err, fits)
	}
	// Params are validated up front too.
	zero := &scaler{P: scalerParams{InputCol: "x", OutputCol: "y"}, fits: &fits}
	if _, err := (&ml.Pipeline{Stages: []ml.Stage{zero}}).Fit(ctx, f); err == nil || !strings.Contains(err.Error(), "scale must not be 0") {
		t.Errorf("invalid params: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Fit(cctx, f); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: %v", err)
	}
}

func TestSetParam(t *testing.T) {
	s := &scaler{}
	tests := []struct {
		name  string
		value any
		err   string
	}{
		{"scale", 2.5, ""},
		{"scale", 3, ""},
		{"steps", float64(7), ""},
		{"steps", 7.5, "whole number"},
		{"inputCol", "x", ""},
		{"inputCol", 3, "a string"},
		{"scael", 1.0, `did you mean "scale"`},
		{"zzz", 1.0, "no param"},
	}
	for _, tt := range tests {
		err := ml.SetParam(s, tt.name, tt.value)
		if tt.err == "" && err != nil {
			t.Errorf("SetParam(%s, %v): %v", tt.name, tt.value, err)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("SetParam(%s, %v) = %v, want error with %q", tt.name, tt.value, err, tt.err)
		}
	}
	if s.P.Scale != 3 || s.P.Steps != 7 || s.P.InputCol != "x" {
		t.Errorf("params = %+v", s.P)
	}
	names := []string{}
	for _, p := range ml.ParamList(s) {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "inputCol,outputCol,scale,steps" {
		t.Errorf("ParamList = %v", names)
	}
}

func TestFrame(t *testing.T) {
	f := floatFrame(t, "a", 1, 2)
	if _, err := f.Column("b"); err == nil || !strings.Contains(err.Error(), "columns are a") {
		t.Errorf("missing column error: %v", err)
	}
	g := floatFrame(t, "b", 3, 4)
	col, _ := g.Column("b")
	h, err := f.WithColumn(arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, col)
	if err != nil {
		t.Fatal(err)
	}
	if h.Schema().NumFields() != 2 || f.Schema().NumFields() != 1 {
		t.Errorf("WithColumn changed the receiver or missed: %d, %d", h.Schema().NumFields(), f.Schema().NumFields())
	}
	s, err := h.Select("b")
	if err != nil || s.Schema().Field(0).Name != "b" || s.NumRows() != 2 {
		t.Errorf("Select: %v", err)
	}
	if h.Table().NumRows() != 2 {
		t.Error("Table rows")
	}
}

func TestLoadDatasetAliasesDenseVectors(t *testing.T) {
	ctx := context.Background()
	flat := []float64{1, 2, 3, 4, 5, 6}
	sc := arrow.NewSchema([]arrow.Field{{Name: "features", Type: ml.VectorType, Nullable: true}}, nil)
	f, err := ml.NewFrame(sc, []*arrow.Chunked{ml.DenseVectors(flat, 2)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ml.LoadDataset(ctx, f, "features", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 3 || d.D != 2 || len(d.X) != 6 || d.X[5] != 6 {
		t.Fatalf("dataset %+v", d)
	}
	col, _ := f.Column("features")
	vc, _ := ml.NewVectorColumn(col.Chunk(0))
	if &vc.At(0).Values[0] != &d.X[0] {
		t.Error("contiguous dense vectors were copied, want X to alias the frame's buffer")
	}
	// A NaN still fails, naming the row, through the copying path.
	flat[3] = math.NaN()
	f, _ = ml.NewFrame(sc, []*arrow.Chunked{ml.DenseVectors(flat, 2)})
	if _, err := ml.LoadDataset(ctx, f, "features", "", ""); err == nil || !strings.Contains(err.Error(), "row 2: feature 1") {
		t.Errorf("NaN: err = %v", err)
	}
}

func TestFindReachesNestedStages(t *testing.T) {
	fits := 0
	inner := &centered{s: &scaler{P: scalerParams{InputCol: "x", OutputCol: "y", Scale: 1}, fits: &fits}, mean: 2}
	pm := &ml.PipelineModel{Stages: []ml.Transformer{&ml.PipelineModel{}, &ml.PipelineModel{Stages: []ml.Transformer{inner}}}}
	got, ok := ml.Find[*centered](pm)
	if !ok || got != inner {
		t.Fatalf("Find in nested pipelines: got %v, %v; want the inner model", got, ok)
	}
	if _, ok := ml.Find[*scaler](pm); ok {
		t.Fatal("Find found a *scaler in a pipeline that holds none")
	}
	if got, ok := ml.Find[*ml.PipelineModel](pm); !ok || got != pm {
		t.Fatalf("Find of the root's own type: got %v, %v; want the root", got, ok)
	}
}
