package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// StandardScalerParams are StandardScaler's params (Spark's names).
type StandardScalerParams struct {
	InputCol  string `param:"inputCol" doc:"vector column to scale"`
	OutputCol string `param:"outputCol" doc:"scaled vector column"`
	WithMean  bool   `param:"withMean" doc:"center to mean 0 before scaling (output is dense)"`
	WithStd   bool   `param:"withStd" doc:"scale to unit (sample) standard deviation"`
}

// Validate checks the params.
func (p StandardScalerParams) Validate() error {
	if p.InputCol == "" || p.OutputCol == "" {
		return errors.New("set inputCol and outputCol")
	}
	return nil
}

// StandardScaler standardizes vector features with the mean and the
// unbiased sample standard deviation (n-1) of each feature, as Spark does;
// a feature with zero deviation scales to 0.
type StandardScaler struct {
	P StandardScalerParams
}

var _ ml.Estimator = (*StandardScaler)(nil)

// NewStandardScaler returns a StandardScaler with Spark's defaults
// (withMean false, withStd true).
func NewStandardScaler() *StandardScaler {
	return &StandardScaler{P: StandardScalerParams{WithStd: true}}
}

// StageName returns "StandardScaler".
func (s *StandardScaler) StageName() string { return "StandardScaler" }

// Params returns the params.
func (s *StandardScaler) Params() any { return &s.P }

// TransformSchema checks the input vector column and adds the output.
func (s *StandardScaler) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(s.P.Validate(), s.P.InputCol, s.P.OutputCol, in)
}

func vectorToVectorSchema(perr error, inCol, outCol string, in *arrow.Schema) (*arrow.Schema, error) {
	if perr != nil {
		return nil, perr
	}
	idx := in.FieldIndices(inCol)
	if len(idx) == 0 {
		return nil, fmt.Errorf("no input column %q; columns are %s", inCol, strings.Join(ml.ColumnNames(in), ", "))
	}
	if t := in.Field(idx[0]).Type; !ml.IsVector(t) {
		return nil, fmt.Errorf("input column %q has type %s; want a vector (assemble it with VectorAssembler)", inCol, t)
	}
	if len(in.FieldIndices(outCol)) > 0 {
		return nil, fmt.Errorf("output column %q already exists", outCol)
	}
	return arrow.NewSchema(append(in.Fields(), arrow.Field{Name: outCol, Type: ml.VectorType, Nullable: true}), nil), nil
}

// eachVector calls fn for every row of a vector column (NULL rows: ok false).
func eachVector(ctx context.Context, col *arrow.Chunked, fn func(row int, v ml.Vector, ok bool) error) error {
	row := 0
	for _, c := range col.Chunks() {
		vc, err := ml.NewVectorColumn(c)
		if err != nil {
			return err
		}
		for i := 0; i < vc.Len(); i++ {
			if row%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if vc.IsNull(i) {
				err = fn(row, ml.Vector{}, false)
			} else {
				err = fn(row, vc.At(i), true)
			}
			if err != nil {
				return err
			}
			row++
		}
	}
	return nil
}

// Fit computes each feature's mean and sample standard deviation (Welford).
func (s *StandardScaler) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	col, _ := f.Column(s.P.InputCol)
	var mean, m2 []float64
	var n float64
	size := -1
	dense := make([]float64, 0, 64)
	err := eachVector(ctx, col, func(row int, v ml.Vector, ok bool) error {
		if !ok {
			return fmt.Errorf("column %s, row %d: NULL vector; filter it out first", s.P.InputCol, row+1)
		}
		if size < 0 {
			size = v.Size
			mean, m2 = make([]float64, size), make([]float64, size)
		} else if v.Size != size {
			return fmt.Errorf("column %s, row %d: vector of size %d, earlier rows have %d", s.P.InputCol, row+1, v.Size, size)
		}
		dense = v.AppendTo(dense[:0])
		n++
		for j, x := range dense {
			d := x - mean[j]
			mean[j] += d / n
			m2[j] += d * (x - mean[j])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("column %s: no rows to fit on", s.P.InputCol)
	}
	std := make([]float64, size)
	if n > 1 {
		for j := range std {
			std[j] = math.Sqrt(m2[j] / (n - 1))
		}
	}
	return &StandardScalerModel{P: s.P, Mean: mean, Std: std}, nil
}

// StandardScalerModel holds the fitted means and standard deviations.
type StandardScalerModel struct {
	P    StandardScalerParams
	Mean []float64
	Std  []float64
}

var _ ml.Model = (*StandardScalerModel)(nil)

// StageName returns "StandardScalerModel".
func (m *StandardScalerModel) StageName() string { return "StandardScalerModel" }

// Params returns the params.
func (m *StandardScalerModel) Params() any { return &m.P }

// TransformSchema checks the input vector column and adds the output.
func (m *StandardScalerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(m.P.Validate(), m.P.InputCol, m.P.OutputCol, in)
}

// Transform scales every vector. NULL vectors stay NULL.
func (m *StandardScalerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	col, _ := f.Column(m.P.InputCol)
	vb := ml.NewVectorBuilder(nil)
	defer vb.Release()
	err := eachVector(ctx, col, func(row int, v ml.Vector, ok bool) error {
		if !ok {
			vb.AppendNull()
			return nil
		}
		if v.Size != len(m.Mean) {
			return fmt.Errorf("column %s, row %d: vector of size %d, the model was fitted on size %d", m.P.InputCol, row+1, v.Size, len(m.Mean))
		}
		if v.IsSparse() && !m.P.WithMean {
			vals := make([]float64, len(v.Values))
			for k, i := range v.Indices {
				vals[k] = m.scale(int(i), v.Values[k])
			}
			vb.Append(ml.Sparse(v.Size, append([]int32(nil), v.Indices...), vals))
			return nil
		}
		out := v.AppendTo(make([]float64, 0, v.Size))
		for j := range out {
			if m.P.WithMean {
				out[j] -= m.Mean[j]
			}
			out[j] = m.scale(j, out[j])
		}
		vb.Append(ml.Dense(out...))
		return nil
	})
	if err != nil {
		return nil, err
	}
	arr := vb.NewArray()
	defer arr.Release()
	return f.WithColumn(arrow.Field{Name: m.P.OutputCol, Type: ml.VectorType, Nullable: true}, arrow.NewChunked(ml.VectorType, []arrow.Array{arr}))
}

func (m *StandardScalerModel) scale(j int, x float64) float64 {
	if !m.P.WithStd {
		return x
	}
	if m.Std[j] == 0 {
		return 0
	}
	return x / m.Std[j]
}
