package feature

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// MinMaxScalerParams are MinMaxScaler's params (Spark's names).
type MinMaxScalerParams struct {
	InputCol  string  `param:"inputCol" doc:"vector column to rescale"`
	OutputCol string  `param:"outputCol" doc:"rescaled vector column"`
	Min       float64 `param:"min" doc:"lower bound of the output range"`
	Max       float64 `param:"max" doc:"upper bound of the output range"`
}

// Validate checks the params.
func (p MinMaxScalerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	if !(p.Min < p.Max) || math.IsInf(p.Min, 0) || math.IsInf(p.Max, 0) {
		return fmt.Errorf("min %v and max %v: want finite min < max", p.Min, p.Max)
	}
	return nil
}

// MinMaxScaler rescales each feature linearly to [min, max] using the
// feature's minimum and maximum in the fitting data, as Spark does: NaN
// is ignored when fitting and stays NaN; a feature that is constant in
// the fitting data maps to 0.5·(max+min). Output vectors are compressed
// (sparse when that is smaller), as in Spark.
type MinMaxScaler struct {
	P MinMaxScalerParams
}

var _ ml.Estimator = (*MinMaxScaler)(nil)

// NewMinMaxScaler returns a MinMaxScaler with Spark's defaults (min 0,
// max 1).
func NewMinMaxScaler() *MinMaxScaler {
	return &MinMaxScaler{P: MinMaxScalerParams{Min: 0, Max: 1}}
}

// StageName returns "MinMaxScaler".
func (s *MinMaxScaler) StageName() string { return "MinMaxScaler" }

// Params returns the params.
func (s *MinMaxScaler) Params() any { return &s.P }

// TransformSchema checks the input vector column and adds the output.
func (s *MinMaxScaler) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(s.P.Validate(), s.P.InputCol, s.P.OutputCol, in)
}

// minMaxOf computes each feature's minimum and maximum over a vector
// column, ignoring NaN. A NULL vector, a size change or a feature that is
// NaN in every row is an error.
func minMaxOf(ctx context.Context, f *ml.Frame, col string) (lo, hi []float64, err error) {
	_, err = fitRows(ctx, f, col, func(row int, x []float64) error {
		if lo == nil {
			lo, hi = make([]float64, len(x)), make([]float64, len(x))
			for j := range lo {
				lo[j], hi[j] = math.Inf(1), math.Inf(-1)
			}
		}
		for j, v := range x {
			if v < lo[j] {
				lo[j] = v
			}
			if v > hi[j] {
				hi[j] = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for j := range lo {
		if lo[j] > hi[j] {
			return nil, nil, fmt.Errorf("column %s: feature %d is NaN in every row; impute it first (Imputer) or drop it (VectorSlicer)", col, j)
		}
	}
	return lo, hi, nil
}

// Fit computes each feature's minimum and maximum.
func (s *MinMaxScaler) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	lo, hi, err := minMaxOf(ctx, f, s.P.InputCol)
	if err != nil {
		return nil, err
	}
	return &MinMaxScalerModel{P: s.P, OriginalMin: lo, OriginalMax: hi}, nil
}

// MinMaxScalerModel holds each feature's fitted minimum and maximum.
type MinMaxScalerModel struct {
	P           MinMaxScalerParams
	OriginalMin []float64
	OriginalMax []float64
}

var _ ml.Model = (*MinMaxScalerModel)(nil)

// StageName returns "MinMaxScalerModel".
func (m *MinMaxScalerModel) StageName() string { return "MinMaxScalerModel" }

// Params returns the params.
func (m *MinMaxScalerModel) Params() any { return &m.P }

// TransformSchema checks the input vector column and adds the output.
func (m *MinMaxScalerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(m.P.Validate(), m.P.InputCol, m.P.OutputCol, in)
}

// Transform rescales every vector: (x-min)/(max-min)·(Max-Min)+Min. NULL
// vectors stay NULL, NaN stays NaN; a vector of another size than the
// fitted one is an error naming the row.
func (m *MinMaxScalerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	d := len(m.OriginalMin)
	if len(m.OriginalMax) != d {
		return nil, fmt.Errorf("model has %d minimums and %d maximums; refit it", d, len(m.OriginalMax))
	}
	scale := make([]float64, d)
	for j := range scale {
		if r := m.OriginalMax[j] - m.OriginalMin[j]; r != 0 {
			scale[j] = (m.P.Max - m.P.Min) / r
		}
	}
	constant := 0.5 * (m.P.Max + m.P.Min)
	in, err := openVectors(f, m.P.InputCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	col, err := mapVectors(ctx, in, func(row int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		if v.Size != d {
			return ml.Vector{}, sizeErr(m.P.InputCol, row, v.Size, d)
		}
		out := v.AppendTo(sc.a[:0])
		sc.a = out
		for j, x := range out {
			switch {
			case math.IsNaN(x):
			case scale[j] != 0:
				out[j] = (x-m.OriginalMin[j])*scale[j] + m.P.Min
			default:
				out[j] = constant
			}
		}
		return compressed(ml.Dense(out...), sc), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(m.P.OutputCol, ml.VectorAttrs{}), col)
}

func sizeErr(col string, row, got, want int) error {
	return fmt.Errorf("column %s, row %d: vector of size %d, the model was fitted on size %d", col, row+1, got, want)
}

// MaxAbsScalerParams are MaxAbsScaler's params (Spark's names).
type MaxAbsScalerParams struct {
	InputCol  string `param:"inputCol" doc:"vector column to rescale"`
	OutputCol string `param:"outputCol" doc:"rescaled vector column"`
}

// Validate checks the params.
func (p MaxAbsScalerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	return nil
}

// MaxAbsScaler divides each feature by its largest absolute value in the
// fitting data, so features land in [-1, 1] without shifting (sparse
// vectors stay sparse). NaN is ignored when fitting and stays NaN; a
// feature that is 0 throughout is left as is.
type MaxAbsScaler struct {
	P MaxAbsScalerParams
}

var _ ml.Estimator = (*MaxAbsScaler)(nil)

// NewMaxAbsScaler returns a MaxAbsScaler.
func NewMaxAbsScaler() *MaxAbsScaler { return &MaxAbsScaler{} }

// StageName returns "MaxAbsScaler".
func (s *MaxAbsScaler) StageName() string { return "MaxAbsScaler" }

// Params returns the params.
func (s *MaxAbsScaler) Params() any { return &s.P }

// TransformSchema checks the input vector column and adds the output.
func (s *MaxAbsScaler) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(s.P.Validate(), s.P.InputCol, s.P.OutputCol, in)
}

// Fit computes each feature's largest absolute value.
func (s *MaxAbsScaler) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	lo, hi, err := minMaxOf(ctx, f, s.P.InputCol)
	if err != nil {
		return nil, err
	}
	maxAbs := make([]float64, len(lo))
	for j := range maxAbs {
		maxAbs[j] = math.Max(math.Abs(lo[j]), math.Abs(hi[j]))
	}
	return &MaxAbsScalerModel{P: s.P, MaxAbs: maxAbs}, nil
}

// MaxAbsScalerModel holds each feature's largest absolute value.
type MaxAbsScalerModel struct {
	P      MaxAbsScalerParams
	MaxAbs []float64
}

var _ ml.Model = (*MaxAbsScalerModel)(nil)

// StageName returns "MaxAbsScalerModel".
func (m *MaxAbsScalerModel) StageName() string { return "MaxAbsScalerModel" }

// Params returns the params.
func (m *MaxAbsScalerModel) Params() any { return &m.P }

// TransformSchema checks the input vector column and adds the output.
func (m *MaxAbsScalerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(m.P.Validate(), m.P.InputCol, m.P.OutputCol, in)
}

// Transform divides every feature by its maximum absolute value. NULL
// vectors stay NULL; sparse vectors stay sparse.
func (m *MaxAbsScalerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	scale := make([]float64, len(m.MaxAbs))
	for j, a := range m.MaxAbs {
		scale[j] = 1
		if a != 0 {
			scale[j] = 1 / a
		}
	}
	return scaleVectors(ctx, f, m.P.InputCol, m.P.OutputCol, nil, scale)
}

// scaleVectors computes (x - shift)·scale per feature (Spark's
// StandardScalerModel.getTransformFunc): shift nil means no centering and
// keeps sparse vectors sparse; scale nil means no scaling.
func scaleVectors(ctx context.Context, f *ml.Frame, inCol, outCol string, shift, scale []float64) (*ml.Frame, error) {
	d := max(len(shift), len(scale))
	in, err := openVectors(f, inCol)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	col, err := mapVectors(ctx, in, func(row int, v ml.Vector, sc *scratch) (ml.Vector, error) {
		if v.Size != d {
			return ml.Vector{}, sizeErr(inCol, row, v.Size, d)
		}
		if v.IsSparse() && shift == nil {
			vals := grow(sc.a, len(v.Values))
			sc.a = vals
			for k, i := range v.Indices {
				vals[k] = v.Values[k]
				if scale != nil {
					vals[k] *= scale[i]
				}
			}
			return ml.Sparse(v.Size, v.Indices, vals), nil
		}
		out := v.AppendTo(sc.a[:0])
		sc.a = out
		for j := range out {
			if shift != nil {
				out[j] -= shift[j]
			}
			if scale != nil {
				out[j] *= scale[j]
			}
		}
		return ml.Dense(out...), nil
	})
	if err != nil {
		return nil, err
	}
	return f.WithColumn(vectorField(outCol, ml.VectorAttrs{}), col)
}
