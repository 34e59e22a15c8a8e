package regression

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// IsotonicRegressionParams are IsotonicRegression's params, with Spark's
// names and defaults (see NewIsotonicRegression).
type IsotonicRegressionParams struct {
	ml.PredictorCols
	WeightCol    string `param:"weightCol" doc:"instance weight column (>= 0; rows of weight 0 are ignored); empty for weight 1"`
	Isotonic     bool   `param:"isotonic" doc:"true for a non-decreasing fit, false for non-increasing (antitonic)"`
	FeatureIndex int    `param:"featureIndex" doc:"which element of a vector featuresCol to use (>= 0); ignored for a numeric featuresCol"`
}

// Validate checks the params.
func (p IsotonicRegressionParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if p.FeatureIndex < 0 {
		return fmt.Errorf("featureIndex is %d; set it to 0 or more", p.FeatureIndex)
	}
	return nil
}

// IsotonicRegression fits a monotone step function of one feature by
// pool adjacent violators, as Spark's IsotonicRegression: rows are sorted
// by feature, rows with equal features are pooled into their weighted
// mean label, and adjacent blocks that violate the order (including equal
// means) are merged into their weighted mean until the sequence is
// increasing (decreasing with isotonic=false). The feature is featuresCol
// itself when it is numeric, or its element featureIndex when it is a
// vector.
type IsotonicRegression struct {
	P IsotonicRegressionParams
}

var _ ml.Estimator = (*IsotonicRegression)(nil)

// NewIsotonicRegression returns an IsotonicRegression with Spark's
// defaults: isotonic true, featureIndex 0, no weight column.
func NewIsotonicRegression() *IsotonicRegression {
	return &IsotonicRegression{P: IsotonicRegressionParams{PredictorCols: ml.DefaultPredictorCols(), Isotonic: true}}
}

// StageName returns "IsotonicRegression".
func (e *IsotonicRegression) StageName() string { return "IsotonicRegression" }

// Params returns the params.
func (e *IsotonicRegression) Params() any { return &e.P }

// TransformSchema checks that featuresCol is numeric or a vector and adds
// the prediction column.
func (e *IsotonicRegression) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return isotonicSchema(in, e.P)
}

func isotonicSchema(in *arrow.Schema, p IsotonicRegressionParams) (*arrow.Schema, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	f, err := ml.FieldOf(in, p.FeaturesCol)
	if err != nil {
		return nil, fmt.Errorf("featuresCol: %w", err)
	}
	if !ml.IsVector(f.Type) && !ml.IsNumeric(f.Type) {
		return nil, fmt.Errorf("featuresCol %q has type %s; want a number or a vector", p.FeaturesCol, f.Type)
	}
	return ml.AddFields(in, arrow.Field{Name: p.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
}

// isotonicFeature reads the feature of every row: the numeric column, or
// element featureIndex of the vector column. NULL and NaN values are
// errors naming the row; with allowNaN a NaN feature is returned as is.
func isotonicFeature(ctx context.Context, f *ml.Frame, p IsotonicRegressionParams, allowNaN bool) ([]float64, error) {
	field, err := ml.FieldOf(f.Schema(), p.FeaturesCol)
	if err != nil {
		return nil, fmt.Errorf("featuresCol: %w", err)
	}
	if !ml.IsVector(field.Type) {
		c, _ := f.Column(p.FeaturesCol)
		arr, err := ml.Flatten(c)
		if err != nil {
			return nil, err
		}
		defer arr.Release()
		v, _, err := ml.Float64s(arr)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", p.FeaturesCol, err)
		}
		for i, x := range v {
			if arr.IsNull(i) {
				return nil, fmt.Errorf("column %s, row %d: feature is NULL; drop or fill the row", p.FeaturesCol, i+1)
			}
			if !allowNaN && (math.IsNaN(x) || math.IsInf(x, 0)) {
				return nil, fmt.Errorf("column %s, row %d: feature is %v; drop or fill the row", p.FeaturesCol, i+1, x)
			}
		}
		return v, nil
	}
	out := make([]float64, f.NumRows())
	short := make([]bool, len(out)) // each row written by one worker only
	err = ml.ForEachRow(ctx, f, p.FeaturesCol, -1, func(i int, x []float64) {
		if p.FeatureIndex >= len(x) {
			short[i] = true
			return
		}
		out[i] = x[p.FeatureIndex]
	})
	if err != nil {
		return nil, err
	}
	if row := slices.Index(short, true); row >= 0 {
		return nil, fmt.Errorf("column %s, row %d: featureIndex %d is out of range for a vector of size %d; set featureIndex below the vector size", p.FeaturesCol, row+1, p.FeatureIndex, vectorSize(f, p.FeaturesCol, row))
	}
	if !allowNaN {
		for i, x := range out {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("column %s, row %d: feature %d is %v; drop or fill the row", p.FeaturesCol, i+1, p.FeatureIndex, x)
			}
		}
	}
	return out, nil
}

func vectorSize(f *ml.Frame, col string, row int) int {
	c, err := f.Column(col)
	if err != nil {
		return -1
	}
	arr, err := ml.Flatten(c)
	if err != nil {
		return -1
	}
	defer arr.Release()
	vc, err := ml.NewVectorColumn(arr)
	if err != nil {
		return -1
	}
	return vc.At(row).Size
}

// Fit pools adjacent violators. NULL or NaN features, labels or weights,
// negative weights, an empty frame or one whose weights are all 0 are
// errors naming the column and row. ctx cancels while reading.
func (e *IsotonicRegression) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, errors.New("the training data has no rows; check the input table or the filter before fitting")
	}
	x, err := isotonicFeature(ctx, f, e.P, false)
	if err != nil {
		return nil, err
	}
	y, err := ml.NumericColumn(f, "labelCol", e.P.LabelCol)
	if err != nil {
		return nil, err
	}
	var w []float64
	if e.P.WeightCol != "" {
		if w, err = ml.NumericColumn(f, "weightCol", e.P.WeightCol); err != nil {
			return nil, err
		}
		for i, v := range w {
			if v < 0 {
				return nil, fmt.Errorf("column %s, row %d: weight %v is negative; weights must be >= 0", e.P.WeightCol, i+1, v)
			}
		}
	}
	b, p := poolAdjacentViolators(x, y, w, e.P.Isotonic)
	if len(b) == 0 {
		return nil, fmt.Errorf("weightCol %s: every weight is 0; give some rows a positive weight", e.P.WeightCol)
	}
	return &IsotonicRegressionModel{P: e.P, Boundaries: b, Predictions: p}, nil
}

// poolAdjacentViolators returns Spark's boundaries and predictions for
// points (x, y) with weights w (nil for 1). Points of weight 0 are
// dropped.
func poolAdjacentViolators(x, y, w []float64, isotonic bool) (boundaries, predictions []float64) {
	idx := make([]int, 0, len(x))
	for i := range x {
		if w == nil || w[i] > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	sign := 1.0
	if !isotonic {
		sign = -1 // antitonic: fit −y increasingly, negate back
	}
	// Pool equal features into their weighted mean label.
	type point struct{ x, wy, w float64 }
	var pts []point
	for _, i := range idx {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if n := len(pts); n > 0 && pts[n-1].x == x[i] {
			pts[n-1].wy += wi * sign * y[i]
			pts[n-1].w += wi
			continue
		}
		pts = append(pts, point{x: x[i], wy: wi * sign * y[i], w: wi})
	}
	// Blocks of consecutive points; merge while the order is violated
	// (a block's mean >= the next one's, as Spark).
	type block struct {
		start, end int
		wy, w      float64
	}
	var blocks []block
	for k, pt := range pts {
		blocks = append(blocks, block{start: k, end: k, wy: pt.wy, w: pt.w})
		for n := len(blocks); n >= 2 && blocks[n-2].wy/blocks[n-2].w >= blocks[n-1].wy/blocks[n-1].w; n = len(blocks) {
			prev, last := blocks[n-2], blocks[n-1]
			blocks[n-2] = block{start: prev.start, end: last.end, wy: prev.wy + last.wy, w: prev.w + last.w}
			blocks = blocks[:n-1]
		}
	}
	// A block over several features keeps its first and last point.
	for _, b := range blocks {
		v := sign * b.wy / b.w
		boundaries = append(boundaries, pts[b.start].x)
		predictions = append(predictions, v)
		if pts[b.end].x > pts[b.start].x {
			boundaries = append(boundaries, pts[b.end].x)
			predictions = append(predictions, v)
		}
	}
	return boundaries, predictions
}

// IsotonicRegressionModel is a fitted monotone piecewise-linear function.
type IsotonicRegressionModel struct {
	P IsotonicRegressionParams
	// Boundaries are increasing features; Predictions the fitted values
	// there (monotone in the direction of P.Isotonic).
	Boundaries  []float64
	Predictions []float64
}

var _ ml.Model = (*IsotonicRegressionModel)(nil)

// StageName returns "IsotonicRegressionModel".
func (m *IsotonicRegressionModel) StageName() string { return "IsotonicRegressionModel" }

// Params returns the params.
func (m *IsotonicRegressionModel) Params() any { return &m.P }

// NumFeatures returns 1, as Spark's model.
func (m *IsotonicRegressionModel) NumFeatures() int { return 1 }

// Predict returns the prediction at feature x, as Spark: the boundary's
// prediction on an exact match, linear interpolation between the
// neighbouring boundaries, and the first (last) prediction below (above)
// the boundaries. NaN sorts above every number, as in Java, so it gets
// the last prediction. It is safe for concurrent use; a model without
// boundaries predicts NaN.
func (m *IsotonicRegressionModel) Predict(x float64) float64 {
	b, p := m.Boundaries, m.Predictions
	if len(b) == 0 {
		return math.NaN()
	}
	if math.IsNaN(x) {
		return p[len(p)-1]
	}
	i, found := slices.BinarySearch(b, x)
	switch {
	case found:
		return p[i]
	case i == 0:
		return p[0]
	case i == len(b):
		return p[len(p)-1]
	}
	return p[i-1] + (p[i]-p[i-1])*(x-b[i-1])/(b[i]-b[i-1])
}

// TransformSchema checks featuresCol and adds the prediction column.
func (m *IsotonicRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return isotonicSchema(in, m.P)
}

// Transform adds predictionCol. A NULL feature, or a vector too short
// for featureIndex, is an error naming the row.
func (m *IsotonicRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	x, err := isotonicFeature(ctx, f, m.P, true)
	if err != nil {
		return nil, err
	}
	pred := make([]float64, len(x))
	for i, v := range x {
		pred[i] = m.Predict(v)
	}
	return f.WithColumn(arrow.Field{Name: m.P.PredictionCol, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, ml.Float64Column(pred))
}
