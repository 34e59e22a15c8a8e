package tuning

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/evaluation"
	"github.com/sluice-dev/sluice/ml/feature"
)

// This file holds test-only stages, so the tuning tests do not depend on
// the real algorithms: TestRidge, a one-feature ridge regression through
// the origin (beta = Σxy / (Σx² + regParam)), and TestScale, a
// transformer multiplying a vector column by factor.

type ridgeParams struct {
	ml.PredictorCols
	RegParam float64 `param:"regParam" doc:"L2 penalty, >= 0"`
	MaxIter  int     `param:"maxIter" doc:"unused; an int param for grids"`
}

func (p ridgeParams) Validate() error {
	if p.RegParam < 0 {
		return fmt.Errorf("regParam = %v; want >= 0", p.RegParam)
	}
	return p.PredictorCols.Validate()
}

type ridge struct{ P ridgeParams }

func newRidge() *ridge {
	return &ridge{P: ridgeParams{PredictorCols: ml.DefaultPredictorCols(), MaxIter: 100}}
}

func (r *ridge) StageName() string { return "TestRidge" }
func (r *ridge) Params() any       { return &r.P }
func (r *ridge) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := r.P.Validate(); err != nil {
		return nil, err
	}
	return ml.RegressorSchema(in, r.P.PredictorCols)
}

func (r *ridge) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if err := r.P.Validate(); err != nil {
		return nil, err
	}
	d, err := ml.LoadDataset(ctx, f, r.P.FeaturesCol, r.P.LabelCol, "")
	if err != nil {
		return nil, err
	}
	var sxy, sxx float64
	for i := range d.N {
		x := d.Row(i)[0]
		sxy += x * d.Y[i]
		sxx += x * x
	}
	return &ridgeModel{P: r.P, Beta: sxy / (sxx + r.P.RegParam)}, nil
}

type ridgeModel struct {
	P    ridgeParams
	Beta float64
}

func (m *ridgeModel) StageName() string { return "TestRidgeModel" }
func (m *ridgeModel) Params() any       { return &m.P }
func (m *ridgeModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.RegressorSchema(in, m.P.PredictorCols)
}
func (m *ridgeModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	return ml.TransformRegressor(ctx, f, m.P.PredictorCols, 1, func(x []float64) float64 { return m.Beta * x[0] })
}
func (m *ridgeModel) SaveData(w *ml.DataWriter) error { return w.WriteJSON("beta", m.Beta) }
func (m *ridgeModel) LoadData(r *ml.DataReader) error { return r.ReadJSON("beta", &m.Beta) }

type scaleParams struct {
	InputCol  string  `param:"inputCol" doc:"vector column"`
	OutputCol string  `param:"outputCol" doc:"scaled vector column"`
	Factor    float64 `param:"factor" doc:"multiplier"`
}

type scale struct{ P scaleParams }

func newScale(in, out string) *scale {
	return &scale{P: scaleParams{InputCol: in, OutputCol: out, Factor: 1}}
}

func (s *scale) StageName() string { return "TestScale" }
func (s *scale) Params() any       { return &s.P }
func (s *scale) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if s.P.InputCol == "" || s.P.OutputCol == "" {
		return nil, errors.New("set inputCol and outputCol")
	}
	if err := ml.CheckVectorCol(in, "inputCol", s.P.InputCol); err != nil {
		return nil, err
	}
	return ml.AddFields(in, arrow.Field{Name: s.P.OutputCol, Type: ml.VectorType, Nullable: true})
}
func (s *scale) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	var flat []float64
	dim := -1
	err := ml.ForEachRow(ctx, f, s.P.InputCol, -1, func(i int, x []float64) {
		if dim < 0 {
			dim = len(x)
			flat = make([]float64, int(f.NumRows())*dim)
		}
		for j, v := range x {
			flat[i*dim+j] = v * s.P.Factor
		}
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: s.P.OutputCol, Type: ml.VectorType, Nullable: true}, ml.DenseVectors(flat, max(dim, 0)))
}

// schemaSpy is a transformer recording whether it saw a frame without
// the "fold" column (the pointer survives CopyStage).
type schemaSpy struct {
	sawFoldless *atomic.Bool
}

func (s *schemaSpy) StageName() string { return "TestSpy" }
func (s *schemaSpy) Params() any       { return nil }
func (s *schemaSpy) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return in, nil
}
func (s *schemaSpy) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if s.sawFoldless == nil {
		return nil, errors.New("schemaSpy: use &schemaSpy{sawFoldless: new(atomic.Bool)}")
	}
	if len(f.Schema().FieldIndices("fold")) == 0 {
		s.sawFoldless.Store(true)
	}
	return f, nil
}

func testRegistry() *ml.Registry {
	r := ml.NewRegistry()
	Register(r)
	evaluation.Register(r)
	feature.Register(r)
	r.Register(func() ml.HasParams { return newRidge() })
	r.Register(func() ml.HasParams { return &ridgeModel{P: newRidge().P} })
	r.Register(func() ml.HasParams { return newScale("", "") })
	return r
}

// MustRegressionFrame returns n rows of features [x] and label 2x + noise,
// x in [0, 10), plus an int64 column "fold" = row % 3 and a string column.
func MustRegressionFrame(tb testing.TB, n int, seed int64) *ml.Frame {
	tb.Helper()
	f, err := regressionFrame(n, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func regressionFrame(n int, seed int64) (*ml.Frame, error) {
	rng := ml.NewRand(seed)
	vs := make([]ml.Vector, n)
	y := make([]float64, n)
	fb := array.NewInt64Builder(memory.DefaultAllocator)
	defer fb.Release()
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	for i := range n {
		x := rng.Float64() * 10
		vs[i] = ml.Dense(x)
		y[i] = 2*x + rng.NormFloat64()*3
		fb.Append(int64(i % 3))
		sb.Append(fmt.Sprint("r", i))
	}
	fa, sa := fb.NewArray(), sb.NewArray()
	defer fa.Release()
	defer sa.Release()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: ml.VectorType, Nullable: true},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "fold", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	return ml.NewFrame(sc, []*arrow.Chunked{
		ml.VectorsColumn(vs), ml.Float64Column(y),
		arrow.NewChunked(fa.DataType(), []arrow.Array{fa}), arrow.NewChunked(sa.DataType(), []arrow.Array{sa}),
	})
}

// manualRMSE fits a ridge with regParam on rows where train is true and
// returns the RMSE on the others.
func manualRMSE(tb testing.TB, f *ml.Frame, train []bool, regParam float64) float64 {
	tb.Helper()
	d, err := ml.LoadDataset(context.Background(), f, "features", "label", "")
	if err != nil {
		tb.Fatal(err)
	}
	var sxy, sxx float64
	for i := range d.N {
		if train[i] {
			x := d.Row(i)[0]
			sxy += x * d.Y[i]
			sxx += x * x
		}
	}
	beta := sxy / (sxx + regParam)
	var se, n float64
	for i := range d.N {
		if !train[i] {
			e := d.Y[i] - beta*d.Row(i)[0]
			se += e * e
			n++
		}
	}
	return math.Sqrt(se / n)
}
