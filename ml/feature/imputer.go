package feature

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/ml"
)

// ImputerParams are Imputer's params (Spark's names). Use
// inputCol/outputCol for one column or inputCols/outputCols for several.
type ImputerParams struct {
	InputCols     []string `param:"inputCols" doc:"numeric columns to impute"`
	OutputCols    []string `param:"outputCols" doc:"one output per inputCols entry; the names must not exist yet"`
	InputCol      string   `param:"inputCol" doc:"one column to impute, instead of inputCols"`
	OutputCol     string   `param:"outputCol" doc:"output of inputCol"`
	Strategy      string   `param:"strategy" doc:"what replaces missing values: mean, median or mode (the most frequent value; ties go to the smallest)"`
	MissingValue  float64  `param:"missingValue" doc:"the value that marks a missing entry, besides NULL; NaN by default"`
	RelativeError float64  `param:"relativeError" doc:"Spark's approximation bound for the median, in [0, 1]; Sluice computes the median exactly"`
}

// Validate checks the params.
func (p ImputerParams) Validate() error {
	if _, _, err := ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols); err != nil {
		return err
	}
	switch p.Strategy {
	case "mean", "median", "mode":
	default:
		return fmt.Errorf("strategy %q: use mean, median or mode", p.Strategy)
	}
	if !(p.RelativeError >= 0 && p.RelativeError <= 1) {
		return fmt.Errorf("relativeError %v: want a value in [0, 1]", p.RelativeError)
	}
	return nil
}

func (p ImputerParams) cols() (ins, outs []string) {
	ins, outs, _ = ioCols(p.InputCol, p.OutputCol, p.InputCols, p.OutputCols)
	return ins, outs
}

// Imputer fills missing values of numeric columns with each column's
// mean, median or most frequent value (Spark's Imputer). When fitting, a
// value is missing if it is NULL, NaN or equal to missingValue; a column
// with nothing else is an error. When transforming, NULL and values equal
// to missingValue are replaced (NaN counts as equal to a NaN
// missingValue, as in Spark SQL); the output keeps the input's type, so an
// integer column gets the surrogate truncated toward zero.
//
// The median is exact, taken as Spark's approxQuantile takes it on exact
// summaries: the lower of the two middle values for an even count
// (scikit-learn's SimpleImputer averages them).
type Imputer struct {
	P ImputerParams
}

var _ ml.Estimator = (*Imputer)(nil)

// NewImputer returns an Imputer with Spark's defaults (strategy mean,
// missingValue NaN, relativeError 0.001).
func NewImputer() *Imputer {
	return &Imputer{P: ImputerParams{InputCols: []string{}, OutputCols: []string{}, Strategy: "mean", MissingValue: math.NaN(), RelativeError: 0.001}}
}

// StageName returns "Imputer".
func (e *Imputer) StageName() string { return "Imputer" }

// Params returns the params.
func (e *Imputer) Params() any { return &e.P }

// TransformSchema checks the inputs and adds the outputs.
func (e *Imputer) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return imputerSchema(e.P, in)
}

func imputerSchema(p ImputerParams, in *arrow.Schema) (*arrow.Schema, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ins, outs := p.cols()
	if err := checkOutputs(in, outs); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(ins))
	for k, c := range ins {
		field, err := ml.FieldOf(in, c)
		if err != nil {
			return nil, fmt.Errorf("input column: %w", err)
		}
		switch field.Type.ID() {
		case arrow.FLOAT64, arrow.FLOAT32, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
			arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		default:
			return nil, fmt.Errorf("input column %q has type %s; Imputer needs a floating-point or integer column (cast it to DOUBLE)", c, field.Type)
		}
		fields[k] = arrow.Field{Name: outs[k], Type: field.Type, Nullable: true}
	}
	return ml.AddFields(in, fields...)
}

// Fit computes each column's surrogate.
func (e *Imputer) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	ins, _ := e.P.cols()
	sur := make([]float64, len(ins))
	for k, c := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		vals, valid, err := scalarColumn(f, c)
		if err != nil {
			return nil, err
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("column %s: no rows to fit on; check the input table or the filter", c)
		}
		present := make([]float64, 0, len(vals))
		for i, x := range vals {
			if !isNull(valid, i) && !math.IsNaN(x) && x != e.P.MissingValue {
				present = append(present, x)
			}
		}
		if len(present) == 0 {
			return nil, fmt.Errorf("column %s: all %d values are NULL, NaN or missingValue (%v), so there is nothing to impute from; drop the column or fill it upstream", c, len(vals), e.P.MissingValue)
		}
		switch e.P.Strategy {
		case "mean":
			var s float64
			for _, x := range present {
				s += x
			}
			sur[k] = s / float64(len(present))
		case "median":
			slices.Sort(present)
			sur[k] = quantileSorted(present, 0.5, e.P.RelativeError)
		case "mode":
			sur[k] = mode(present)
		}
	}
	return &ImputerModel{P: e.P, Columns: slices.Clone(ins), Surrogates: sur}, nil
}

// mode returns the most frequent value, the smallest among ties.
func mode(vals []float64) float64 {
	counts := map[float64]int{}
	for _, x := range vals {
		counts[x]++
	}
	keys := make([]float64, 0, len(counts))
	for x := range counts {
		keys = append(keys, x)
	}
	sort.Float64s(keys)
	best := keys[0]
	for _, x := range keys[1:] {
		if counts[x] > counts[best] {
			best = x
		}
	}
	return best
}

// ImputerModel holds the surrogate of each fitted column.
type ImputerModel struct {
	P          ImputerParams
	Columns    []string  // fitted input columns
	Surrogates []float64 // surrogate of Columns[i]
}

var _ ml.Model = (*ImputerModel)(nil)

// StageName returns "ImputerModel".
func (m *ImputerModel) StageName() string { return "ImputerModel" }

// Params returns the params.
func (m *ImputerModel) Params() any { return &m.P }

// TransformSchema checks the inputs, which must have been fitted, and
// adds the outputs.
func (m *ImputerModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	sc, err := imputerSchema(m.P, in)
	if err != nil {
		return nil, err
	}
	ins, _ := m.P.cols()
	for _, c := range ins {
		if _, err := m.surrogate(c); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

func (m *ImputerModel) surrogate(col string) (float64, error) {
	if i := slices.Index(m.Columns, col); i >= 0 && i < len(m.Surrogates) {
		return m.Surrogates[i], nil
	}
	return 0, fmt.Errorf("input column %q was not fitted (the model knows %s); refit the Imputer with it", col, abbreviate(m.Columns, 8))
}

// Transform adds the imputed columns.
func (m *ImputerModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := m.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	ins, outs := m.P.cols()
	out := f
	for k, c := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, _ := m.surrogate(c)
		col, _ := f.Column(c)
		arr, err := ml.Flatten(col)
		if err != nil {
			return nil, err
		}
		res, err := impute(arr, m.P.MissingValue, s)
		arr.Release()
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c, err)
		}
		field, _ := ml.FieldOf(sc, outs[k])
		out, err = out.WithColumn(field, arrow.NewChunked(res.DataType(), []arrow.Array{res}))
		res.Release()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

type appender[T any] interface {
	Append(T)
	Reserve(int)
	NewArray() arrow.Array
	Release()
}

// imputeValues replaces NULLs and values equal to missing (NaN matching
// NaN) by sur.
func imputeValues[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](arr arrow.Array, vals []T, missing float64, sur T, b appender[T]) arrow.Array {
	defer b.Release()
	b.Reserve(len(vals))
	nanMissing := math.IsNaN(missing)
	for i, v := range vals {
		x := float64(v)
		if arr.IsNull(i) || x == missing || (nanMissing && math.IsNaN(x)) {
			b.Append(sur)
		} else {
			b.Append(v)
		}
	}
	return b.NewArray()
}

func impute(arr arrow.Array, missing, sur float64) (arrow.Array, error) {
	mem := memory.DefaultAllocator
	t := math.Trunc(sur)
	switch a := arr.(type) {
	case *array.Float64:
		return imputeValues(arr, a.Float64Values(), missing, sur, array.NewFloat64Builder(mem)), nil
	case *array.Float32:
		return imputeValues(arr, a.Float32Values(), missing, float32(sur), array.NewFloat32Builder(mem)), nil
	case *array.Int64:
		return imputeValues(arr, a.Int64Values(), missing, int64(t), array.NewInt64Builder(mem)), nil
	case *array.Int32:
		return imputeValues(arr, a.Int32Values(), missing, int32(t), array.NewInt32Builder(mem)), nil
	case *array.Int16:
		return imputeValues(arr, a.Int16Values(), missing, int16(t), array.NewInt16Builder(mem)), nil
	case *array.Int8:
		return imputeValues(arr, a.Int8Values(), missing, int8(t), array.NewInt8Builder(mem)), nil
	case *array.Uint64:
		return imputeValues(arr, a.Uint64Values(), missing, uint64(t), array.NewUint64Builder(mem)), nil
	case *array.Uint32:
		return imputeValues(arr, a.Uint32Values(), missing, uint32(t), array.NewUint32Builder(mem)), nil
	case *array.Uint16:
		return imputeValues(arr, a.Uint16Values(), missing, uint16(t), array.NewUint16Builder(mem)), nil
	case *array.Uint8:
		return imputeValues(arr, a.Uint8Values(), missing, uint8(t), array.NewUint8Builder(mem)), nil
	}
	return nil, fmt.Errorf("type %s cannot be imputed; cast it to DOUBLE", arr.DataType())
}
