package ml

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"
)

// PredictorCols are the column params every predictor shares, with Spark's
// names. Embed it in a params struct; ParamList and SetParam see its fields
// as the stage's own.
type PredictorCols struct {
	FeaturesCol   string `param:"featuresCol" doc:"vector column of features"`
	LabelCol      string `param:"labelCol" doc:"numeric label column (0, 1, … for classifiers)"`
	PredictionCol string `param:"predictionCol" doc:"column the prediction is written to"`
}

// DefaultPredictorCols returns Spark's defaults: features, label, prediction.
func DefaultPredictorCols() PredictorCols {
	return PredictorCols{FeaturesCol: "features", LabelCol: "label", PredictionCol: "prediction"}
}

// Validate checks that the column names are set.
func (c PredictorCols) Validate() error {
	switch {
	case c.FeaturesCol == "":
		return errors.New("featuresCol is empty")
	case c.LabelCol == "":
		return errors.New("labelCol is empty")
	case c.PredictionCol == "":
		return errors.New("predictionCol is empty")
	}
	return nil
}

// ClassifierCols adds the probabilistic classifier outputs to
// PredictorCols. An empty RawPredictionCol or ProbabilityCol is not
// written (as in Spark).
type ClassifierCols struct {
	PredictorCols
	RawPredictionCol string `param:"rawPredictionCol" doc:"vector column of raw scores (margins, votes); empty to skip"`
	ProbabilityCol   string `param:"probabilityCol" doc:"vector column of class probabilities; empty to skip"`
}

// DefaultClassifierCols returns Spark's defaults.
func DefaultClassifierCols() ClassifierCols {
	return ClassifierCols{PredictorCols: DefaultPredictorCols(), RawPredictionCol: "rawPrediction", ProbabilityCol: "probability"}
}

// FieldOf returns the field called name, or an error listing the columns.
func FieldOf(sc *arrow.Schema, name string) (arrow.Field, error) {
	idx := sc.FieldIndices(name)
	if len(idx) == 0 {
		return arrow.Field{}, fmt.Errorf("no column %q; columns are %s", name, strings.Join(ColumnNames(sc), ", "))
	}
	return sc.Field(idx[0]), nil
}

// CheckVectorCol checks that column name exists and is a vector column.
func CheckVectorCol(sc *arrow.Schema, param, name string) error {
	f, err := FieldOf(sc, name)
	if err != nil {
		return fmt.Errorf("%s: %w", param, err)
	}
	if !IsVector(f.Type) {
		return fmt.Errorf("%s %q has type %s; want a vector column (build it with VectorAssembler)", param, name, f.Type)
	}
	return nil
}

// CheckNumericCol checks that column name exists and is numeric.
func CheckNumericCol(sc *arrow.Schema, param, name string) error {
	f, err := FieldOf(sc, name)
	if err != nil {
		return fmt.Errorf("%s: %w", param, err)
	}
	if !IsNumeric(f.Type) {
		return fmt.Errorf("%s %q has type %s; want a number (index strings with StringIndexer first)", param, name, f.Type)
	}
	return nil
}

// AddFields returns in with fields appended, failing if one already exists.
func AddFields(in *arrow.Schema, fields ...arrow.Field) (*arrow.Schema, error) {
	out := in.Fields()
	for _, f := range fields {
		if len(in.FieldIndices(f.Name)) > 0 {
			return nil, fmt.Errorf("output column %q already exists; choose another name", f.Name)
		}
		out = append(out, f)
	}
	md := in.Metadata()
	return arrow.NewSchema(out, &md), nil
}

// ClassifierSchema checks the features column and adds the prediction,
// rawPrediction and probability columns that are set in cols.
func ClassifierSchema(in *arrow.Schema, cols ClassifierCols) (*arrow.Schema, error) {
	if err := CheckVectorCol(in, "featuresCol", cols.FeaturesCol); err != nil {
		return nil, err
	}
	var add []arrow.Field
	if cols.RawPredictionCol != "" {
		add = append(add, arrow.Field{Name: cols.RawPredictionCol, Type: VectorType, Nullable: true})
	}
	if cols.ProbabilityCol != "" {
		add = append(add, arrow.Field{Name: cols.ProbabilityCol, Type: VectorType, Nullable: true})
	}
	if cols.PredictionCol != "" {
		add = append(add, arrow.Field{Name: cols.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	return AddFields(in, add...)
}

// RegressorSchema checks the features column and adds the prediction.
func RegressorSchema(in *arrow.Schema, cols PredictorCols) (*arrow.Schema, error) {
	if err := CheckVectorCol(in, "featuresCol", cols.FeaturesCol); err != nil {
		return nil, err
	}
	return AddFields(in, arrow.Field{Name: cols.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
}

// ClassifierKernel is the per-row part of a fitted classification model.
// Its methods must be safe for concurrent use.
type ClassifierKernel interface {
	NumClasses() int
	NumFeatures() int
	// PredictRaw writes the NumClasses raw scores of x into raw.
	PredictRaw(x, raw []float64)
	// RawToProbability writes class probabilities computed from raw into
	// prob and reports true, or reports false when the model has none
	// (LinearSVC).
	RawToProbability(raw, prob []float64) bool
}

// PredictClass picks the class from probabilities (or raw scores when the
// model has no probabilities) the way Spark does: the largest p/threshold
// when thresholds are set, else the largest value. Ties go to the lowest
// class.
func PredictClass(scores, thresholds []float64) float64 {
	best, bestV := 0, math.Inf(-1)
	for k, v := range scores {
		if len(thresholds) == len(scores) {
			if thresholds[k] == 0 {
				v = math.Inf(1)
			} else {
				v /= thresholds[k]
			}
		}
		if v > bestV {
			best, bestV = k, v
		}
	}
	return float64(best)
}

// ValidateThresholds checks Spark's thresholds param against numClasses
// (an empty list means "none").
func ValidateThresholds(th []float64, numClasses int) error {
	if len(th) == 0 {
		return nil
	}
	if len(th) != numClasses {
		return fmt.Errorf("thresholds has %d values for %d classes; give one per class", len(th), numClasses)
	}
	zeros := 0
	for i, t := range th {
		if t < 0 || math.IsNaN(t) {
			return fmt.Errorf("thresholds[%d] = %v; thresholds must be >= 0", i, t)
		}
		if t == 0 {
			zeros++
		}
	}
	if zeros > 1 {
		return errors.New("thresholds: at most one may be 0")
	}
	return nil
}

// TransformClassifier adds the columns named in cols, computing each row
// with k, in parallel over row ranges (GOMAXPROCS at most). A NULL
// feature vector or one of the wrong size fails naming the row.
func TransformClassifier(ctx context.Context, f *Frame, cols ClassifierCols, thresholds []float64, k ClassifierKernel) (*Frame, error) {
	if _, err := ClassifierSchema(f.Schema(), cols); err != nil {
		return nil, err
	}
	nc := k.NumClasses()
	n := int(f.NumRows())
	raw := make([]float64, n*nc)
	prob := make([]float64, n*nc)
	pred := make([]float64, n)
	hasProb := k.RawToProbability(make([]float64, nc), make([]float64, nc))
	err := ForEachRow(ctx, f, cols.FeaturesCol, k.NumFeatures(), func(i int, x []float64) {
		r, p := raw[i*nc:(i+1)*nc], prob[i*nc:(i+1)*nc]
		k.PredictRaw(x, r)
		if hasProb {
			k.RawToProbability(r, p)
			pred[i] = PredictClass(p, thresholds)
		} else {
			pred[i] = PredictClass(r, thresholds)
		}
	})
	if err != nil {
		return nil, err
	}
	out := f
	if cols.RawPredictionCol != "" {
		if out, err = out.WithColumn(arrow.Field{Name: cols.RawPredictionCol, Type: VectorType, Nullable: true}, DenseVectors(raw, nc)); err != nil {
			return nil, err
		}
	}
	if cols.ProbabilityCol != "" && hasProb {
		if out, err = out.WithColumn(arrow.Field{Name: cols.ProbabilityCol, Type: VectorType, Nullable: true}, DenseVectors(prob, nc)); err != nil {
			return nil, err
		}
	}
	if cols.PredictionCol != "" {
		if out, err = out.WithColumn(arrow.Field{Name: cols.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, Float64Column(pred)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TransformRegressor adds cols.PredictionCol computed by predict, which
// must be safe for concurrent use.
func TransformRegressor(ctx context.Context, f *Frame, cols PredictorCols, numFeatures int, predict func(x []float64) float64) (*Frame, error) {
	if _, err := RegressorSchema(f.Schema(), cols); err != nil {
		return nil, err
	}
	pred := make([]float64, f.NumRows())
	if err := ForEachRow(ctx, f, cols.FeaturesCol, numFeatures, func(i int, x []float64) { pred[i] = predict(x) }); err != nil {
		return nil, err
	}
	return f.WithColumn(arrow.Field{Name: cols.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, Float64Column(pred))
}

// ForEachRow calls fn with the dense values of vector column col for every
// row, in parallel over row ranges (GOMAXPROCS workers); x is reused
// between calls of one worker. numFeatures < 0 skips the size check. A
// NULL vector or a size other than numFeatures is an error naming the row.
func ForEachRow(ctx context.Context, f *Frame, col string, numFeatures int, fn func(i int, x []float64)) error {
	chunked, err := f.Column(col)
	if err != nil {
		return err
	}
	arr, err := Flatten(chunked)
	if err != nil {
		return err
	}
	defer arr.Release()
	vc, err := NewVectorColumn(arr)
	if err != nil {
		return fmt.Errorf("column %s: %w", col, err)
	}
	n := vc.Len()
	rows := func(ctx context.Context, lo, hi int) error {
		var x []float64
		for i := lo; i < hi; i++ {
			if (i-lo)%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if vc.IsNull(i) {
				return fmt.Errorf("column %s, row %d: vector is NULL; drop or impute the row before this stage", col, i+1)
			}
			v := vc.At(i)
			if err := v.Validate(); err != nil {
				return fmt.Errorf("column %s, row %d: %w", col, i+1, err)
			}
			if numFeatures >= 0 && v.Size != numFeatures {
				return fmt.Errorf("column %s, row %d: vector has %d features, the model was fitted on %d", col, i+1, v.Size, numFeatures)
			}
			x = v.AppendTo(x[:0])
			fn(i, x)
		}
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, n/2048))
	if workers == 1 { // a few rows (serving): no goroutine
		return rows(ctx, 0, n)
	}
	g, ctx := errgroup.WithContext(ctx)
	per := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min(n, (w+1)*per)
		g.Go(func() error { return rows(ctx, lo, hi) })
	}
	return g.Wait()
}

// Float64Column wraps vals as a one-chunk float64 column.
func Float64Column(vals []float64) *arrow.Chunked {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	a := b.NewArray()
	defer a.Release()
	return arrow.NewChunked(arrow.PrimitiveTypes.Float64, []arrow.Array{a})
}

// DenseVectors wraps flat (row-major, dim values per row) as a one-chunk
// vector column of dense vectors.
func DenseVectors(flat []float64, dim int) *arrow.Chunked {
	vb := NewVectorBuilder(nil)
	defer vb.Release()
	if dim == 0 {
		a := vb.NewArray()
		defer a.Release()
		return arrow.NewChunked(VectorType, []arrow.Array{a})
	}
	for i := 0; i+dim <= len(flat); i += dim {
		vb.Append(Dense(flat[i : i+dim]...))
	}
	a := vb.NewArray()
	defer a.Release()
	return arrow.NewChunked(VectorType, []arrow.Array{a})
}

// VectorsColumn wraps vs as a one-chunk vector column.
func VectorsColumn(vs []Vector) *arrow.Chunked {
	vb := NewVectorBuilder(nil)
	defer vb.Release()
	for _, v := range vs {
		vb.Append(v)
	}
	a := vb.NewArray()
	defer a.Release()
	return arrow.NewChunked(VectorType, []arrow.Array{a})
}
