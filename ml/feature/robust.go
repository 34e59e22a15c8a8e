package feature

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// RobustScalerParams are RobustScaler's params (Spark's names).
type RobustScalerParams struct {
	InputCol      string  `param:"inputCol" doc:"vector column to scale"`
	OutputCol     string  `param:"outputCol" doc:"scaled vector column"`
	Lower         float64 `param:"lower" doc:"lower quantile of the range, in [0, 1)"`
	Upper         float64 `param:"upper" doc:"upper quantile of the range, in (lower, 1]"`
	WithCentering bool    `param:"withCentering" doc:"subtract the median before scaling (output is dense)"`
	WithScaling   bool    `param:"withScaling" doc:"divide by the quantile range"`
	RelativeError float64 `param:"relativeError" doc:"Spark's approximation bound for quantiles, in [0, 1]; Sluice computes them exactly and uses it only for the extreme quantiles (q <= relativeError gives the minimum, q >= 1-relativeError the maximum)"`
}

// Validate checks the params.
func (p RobustScalerParams) Validate() error {
	switch {
	case p.InputCol == "" || p.OutputCol == "":
		return errors.New("set inputCol and outputCol")
	case !(p.Lower >= 0 && p.Lower < 1):
		return fmt.Errorf("lower %v: want 0 <= lower < 1", p.Lower)
	case !(p.Upper > 0 && p.Upper <= 1):
		return fmt.Errorf("upper %v: want 0 < upper <= 1", p.Upper)
	case !(p.Lower < p.Upper):
		return fmt.Errorf("lower %v >= upper %v; want lower < upper", p.Lower, p.Upper)
	case !(p.RelativeError >= 0 && p.RelativeError <= 1):
		return fmt.Errorf("relativeError %v: want a value in [0, 1]", p.RelativeError)
	}
	return nil
}

// RobustScaler removes the median and scales by the range between the
// lower and upper quantiles (the interquartile range by default), so
// outliers weigh less than with StandardScaler. NaN is ignored when
// fitting (as in Spark) and stays NaN; a feature whose range is 0 scales
// to 0 (with withScaling).
//
// Quantiles are exact, taken as Spark's approxQuantile takes them when
// its summary is exact (small data): the element of rank ceil(q·n) of the
// sorted values. scikit-learn's RobustScaler interpolates linearly
// between ranks instead, so the two agree when q·(n-1) is a whole number
// and differ slightly otherwise.
type RobustScaler struct {
	P RobustScalerParams
}

var _ ml.Estimator = (*RobustScaler)(nil)

// NewRobustScaler returns a RobustScaler with Spark's defaults (lower
// 0.25, upper 0.75, withCentering false, withScaling true, relativeError
// 0.001).
func NewRobustScaler() *RobustScaler {
	return &RobustScaler{P: RobustScalerParams{Lower: 0.25, Upper: 0.75, WithScaling: true, RelativeError: 0.001}}
}

// StageName returns "RobustScaler".
func (s *RobustScaler) StageName() string { return "RobustScaler" }

// Params returns the params.
func (s *RobustScaler) Params() any { return &s.P }

// TransformSchema checks the input vector column and adds the output.
func (s *RobustScaler) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(s.P.Validate(), s.P.InputCol, s.P.OutputCol, in)
}

// Fit computes each feature's median and quantile range. It holds the
// column's values in memory (8 bytes per value).
func (s *RobustScaler) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	var cols [][]float64
	_, err := fitRows(ctx, f, s.P.InputCol, func(row int, x []float64) error {
		if cols == nil {
			cols = make([][]float64, len(x))
		}
		for j, v := range x {
			if !math.IsNaN(v) {
				cols[j] = append(cols[j], v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rng, med := make([]float64, len(cols)), make([]float64, len(cols))
	for j, c := range cols {
		if len(c) == 0 {
			return nil, fmt.Errorf("column %s: feature %d is NaN in every row; impute it first (Imputer) or drop it (VectorSlicer)", s.P.InputCol, j)
		}
		slices.Sort(c)
		rng[j] = quantileSorted(c, s.P.Upper, s.P.RelativeError) - quantileSorted(c, s.P.Lower, s.P.RelativeError)
		med[j] = quantileSorted(c, 0.5, s.P.RelativeError)
	}
	return &RobustScalerModel{P: s.P, Range: rng, Median: med}, nil
}

// RobustScalerModel holds each feature's quantile range and median.
type RobustScalerModel struct {
	P      RobustScalerParams
	Range  []float64
	Median []float64
}

var _ ml.Model = (*RobustScalerModel)(nil)

// StageName returns "RobustScalerModel".
func (m *RobustScalerModel) StageName() string { return "RobustScalerModel" }

// Params returns the params.
func (m *RobustScalerModel) Params() any { return &m.P }

// TransformSchema checks the input vector column and adds the output.
func (m *RobustScalerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return vectorToVectorSchema(m.P.Validate(), m.P.InputCol, m.P.OutputCol, in)
}

// Transform computes (x - median)/range per feature (each part as the
// params say). NULL vectors stay NULL; without centering sparse vectors
// stay sparse.
func (m *RobustScalerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if len(m.Range) != len(m.Median) {
		return nil, fmt.Errorf("model has %d ranges and %d medians; refit it", len(m.Range), len(m.Median))
	}
	var shift, scale []float64
	if m.P.WithCentering {
		shift = m.Median
	}
	if m.P.WithScaling {
		scale = make([]float64, len(m.Range))
		for j, r := range m.Range {
			if r != 0 {
				scale[j] = 1 / r
			}
		}
	}
	if shift == nil && scale == nil {
		scale = make([]float64, len(m.Range))
		for j := range scale {
			scale[j] = 1
		}
	}
	return scaleVectors(ctx, f, m.P.InputCol, m.P.OutputCol, shift, scale)
}
