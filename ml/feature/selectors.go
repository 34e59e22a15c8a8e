package feature

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sluice-dev/sluice/ml"
)

// selectorSchema checks a selector's features column and output name and
// adds the output (with the selected attributes when sel is known).
func selectorSchema(in *arrow.Schema, featuresCol, outputCol string, sel []int) (*arrow.Schema, error) {
	if err := checkVectorInput(in, "featuresCol", featuresCol); err != nil {
		return nil, err
	}
	if outputCol == "" {
		return nil, errors.New("outputCol is empty; name the column of selected features")
	}
	field, _ := ml.FieldOf(in, featuresCol)
	if sel == nil {
		return ml.AddFields(in, vectorField(outputCol, ml.VectorAttrs{}))
	}
	if va := ml.VectorAttrsOf(field); va.NumAttrs > 0 {
		for _, j := range sel {
			if j >= va.NumAttrs {
				return nil, fmt.Errorf("featuresCol %s has %d features, the model selects feature %d; refit on this data", featuresCol, va.NumAttrs, j)
			}
		}
	}
	return ml.AddFields(in, sliceField(outputCol, field, sel))
}

// VarianceThresholdSelectorParams are VarianceThresholdSelector's params
// (Spark's names).
type VarianceThresholdSelectorParams struct {
	FeaturesCol       string  `param:"featuresCol" doc:"vector column of features"`
	OutputCol         string  `param:"outputCol" doc:"vector column of the selected features"`
	VarianceThreshold float64 `param:"varianceThreshold" doc:"keep features whose sample variance is above this"`
}

// Validate checks the params.
func (p VarianceThresholdSelectorParams) Validate() error {
	if p.FeaturesCol == "" || p.OutputCol == "" {
		return errors.New("set featuresCol and outputCol")
	}
	if !(p.VarianceThreshold >= 0) {
		return fmt.Errorf("varianceThreshold %v: want a value >= 0", p.VarianceThreshold)
	}
	return nil
}

// VarianceThresholdSelector keeps the features whose sample variance
// (n-1 denominator, as Spark) is above varianceThreshold; with the
// default 0 it drops the constant ones. A feature whose maximum equals its
// minimum counts as variance 0 whatever rounding says. scikit-learn's
// VarianceThreshold uses the population variance (n), so near the
// threshold the two can select differently. NULL or NaN features fail
// the fit naming the row.
type VarianceThresholdSelector struct {
	P VarianceThresholdSelectorParams
}

var _ ml.Estimator = (*VarianceThresholdSelector)(nil)

// NewVarianceThresholdSelector returns a VarianceThresholdSelector with
// Spark's defaults (featuresCol "features", varianceThreshold 0); set
// outputCol.
func NewVarianceThresholdSelector() *VarianceThresholdSelector {
	return &VarianceThresholdSelector{P: VarianceThresholdSelectorParams{FeaturesCol: "features"}}
}

// StageName returns "VarianceThresholdSelector".
func (s *VarianceThresholdSelector) StageName() string { return "VarianceThresholdSelector" }

// Params returns the params.
func (s *VarianceThresholdSelector) Params() any { return &s.P }

// TransformSchema checks the features column and adds the output.
func (s *VarianceThresholdSelector) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := s.P.Validate(); err != nil {
		return nil, err
	}
	return selectorSchema(in, s.P.FeaturesCol, s.P.OutputCol, nil)
}

// Fit computes the variances and selects.
func (s *VarianceThresholdSelector) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	d, err := loadDataset(ctx, f, s.P.FeaturesCol, "")
	if err != nil {
		return nil, err
	}
	sel := []int{}
	for j := 0; j < d.D; j++ {
		var mean, m2 float64
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < d.N; i++ {
			x := d.X[i*d.D+j]
			lo, hi = min(lo, x), max(hi, x)
			delta := x - mean
			mean += delta / float64(i+1)
			m2 += delta * (x - mean)
		}
		v := 0.0
		if d.N > 1 && lo != hi {
			v = m2 / float64(d.N-1)
		}
		if v > s.P.VarianceThreshold {
			sel = append(sel, j)
		}
	}
	return &VarianceThresholdSelectorModel{P: s.P, SelectedFeatures: sel}, nil
}

// VarianceThresholdSelectorModel keeps the selected features.
type VarianceThresholdSelectorModel struct {
	P                VarianceThresholdSelectorParams
	SelectedFeatures []int // increasing
}

var _ ml.Model = (*VarianceThresholdSelectorModel)(nil)

// StageName returns "VarianceThresholdSelectorModel".
func (m *VarianceThresholdSelectorModel) StageName() string {
	return "VarianceThresholdSelectorModel"
}

// Params returns the params.
func (m *VarianceThresholdSelectorModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the output with
// the selected features' attributes.
func (m *VarianceThresholdSelectorModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return selectorSchema(in, m.P.FeaturesCol, m.P.OutputCol, nonNilInts(m.SelectedFeatures))
}

// Transform adds the selected features (NULL stays NULL, sparse stays
// sparse).
func (m *VarianceThresholdSelectorModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := m.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	field, _ := ml.FieldOf(sc, m.P.OutputCol)
	return sliceVectors(ctx, f, m.P.FeaturesCol, field, m.SelectedFeatures)
}

// UnivariateFeatureSelectorParams are UnivariateFeatureSelector's params
// (Spark's names).
type UnivariateFeatureSelectorParams struct {
	FeaturesCol        string  `param:"featuresCol" doc:"vector column of features"`
	LabelCol           string  `param:"labelCol" doc:"numeric label column"`
	OutputCol          string  `param:"outputCol" doc:"vector column of the selected features"`
	FeatureType        string  `param:"featureType" doc:"categorical or continuous (required)"`
	LabelType          string  `param:"labelType" doc:"categorical or continuous (required)"`
	SelectionMode      string  `param:"selectionMode" doc:"numTopFeatures, percentile, fpr, fdr or fwe"`
	SelectionThreshold float64 `param:"selectionThreshold" doc:"the mode's bound: a count for numTopFeatures, else a fraction in [0, 1]; NaN (unset) means 50, 0.1 for percentile, 0.05 for fpr/fdr/fwe"`
}

// Validate checks the params.
func (p UnivariateFeatureSelectorParams) Validate() error {
	if p.FeaturesCol == "" || p.LabelCol == "" || p.OutputCol == "" {
		return errors.New("set featuresCol, labelCol and outputCol")
	}
	for _, t := range []struct{ name, v string }{{"featureType", p.FeatureType}, {"labelType", p.LabelType}} {
		if t.v != "categorical" && t.v != "continuous" {
			return fmt.Errorf("%s %q: set it to categorical or continuous", t.name, t.v)
		}
	}
	if p.FeatureType == "categorical" && p.LabelType == "continuous" {
		return errors.New("featureType categorical with labelType continuous has no test (Spark has none either); treat the features as continuous or bucket the label")
	}
	th := p.SelectionThreshold
	switch p.SelectionMode {
	case "numTopFeatures":
		if !math.IsNaN(th) && (th < 1 || th != math.Trunc(th)) {
			return fmt.Errorf("selectionThreshold %v: numTopFeatures needs a whole number >= 1", th)
		}
	case "percentile", "fpr", "fdr", "fwe":
		if !math.IsNaN(th) && !(th >= 0 && th <= 1) {
			return fmt.Errorf("selectionThreshold %v: %s needs a value in [0, 1]", th, p.SelectionMode)
		}
	default:
		return fmt.Errorf("selectionMode %q: use numTopFeatures, percentile, fpr, fdr or fwe", p.SelectionMode)
	}
	return nil
}

func (p UnivariateFeatureSelectorParams) threshold() float64 {
	if !math.IsNaN(p.SelectionThreshold) {
		return p.SelectionThreshold
	}
	switch p.SelectionMode {
	case "numTopFeatures":
		return 50
	case "percentile":
		return 0.1
	}
	return 0.05
}

// UnivariateFeatureSelector selects features by a univariate test
// against the label, chosen by featureType and labelType as in Spark:
//
//   - categorical features, categorical label: Pearson's chi-squared test
//     of independence on the contingency table of feature value × label
//     (scipy's chi2_contingency without correction; not scikit-learn's
//     chi2, which treats features as counts);
//   - continuous features, categorical label: the ANOVA F-test
//     (scikit-learn's f_classif);
//   - continuous features, continuous label: the F-test of the
//     correlation (scikit-learn's f_regression).
//
// selectionMode then keeps the numTopFeatures features with the smallest
// p-values (ties to the lower index), a percentile of them, those with
// p < threshold (fpr), those passing Benjamini-Hochberg at threshold
// (fdr), or those with p < threshold/numFeatures (fwe). p-values are
// 1 - CDF(statistic), as Spark computes them; a feature with no variation
// has p-value NaN and is ranked last. NULL or NaN features or labels fail
// the fit naming the row.
type UnivariateFeatureSelector struct {
	P UnivariateFeatureSelectorParams
}

var _ ml.Estimator = (*UnivariateFeatureSelector)(nil)

// NewUnivariateFeatureSelector returns a UnivariateFeatureSelector with
// Spark's defaults (featuresCol "features", labelCol "label",
// selectionMode numTopFeatures, threshold unset); set featureType,
// labelType and outputCol.
func NewUnivariateFeatureSelector() *UnivariateFeatureSelector {
	return &UnivariateFeatureSelector{P: UnivariateFeatureSelectorParams{
		FeaturesCol: "features", LabelCol: "label", SelectionMode: "numTopFeatures", SelectionThreshold: math.NaN(),
	}}
}

// StageName returns "UnivariateFeatureSelector".
func (s *UnivariateFeatureSelector) StageName() string { return "UnivariateFeatureSelector" }

// Params returns the params.
func (s *UnivariateFeatureSelector) Params() any { return &s.P }

// TransformSchema checks the features and label columns and adds the
// output.
func (s *UnivariateFeatureSelector) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := s.P.Validate(); err != nil {
		return nil, err
	}
	if err := ml.CheckNumericCol(in, "labelCol", s.P.LabelCol); err != nil {
		return nil, err
	}
	return selectorSchema(in, s.P.FeaturesCol, s.P.OutputCol, nil)
}

// Fit runs the tests and selects.
func (s *UnivariateFeatureSelector) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := s.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	d, err := loadDataset(ctx, f, s.P.FeaturesCol, s.P.LabelCol)
	if err != nil {
		return nil, err
	}
	var res []testResult
	switch {
	case s.P.FeatureType == "categorical":
		res, err = chiSquareTest(ctx, d)
	case s.P.LabelType == "categorical":
		res, err = anovaTest(ctx, d)
	default:
		res, err = fValueTest(ctx, d)
	}
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", s.P.FeaturesCol, s.P.LabelCol, err)
	}
	p := make([]float64, len(res))
	for j, r := range res {
		p[j] = r.PValue
	}
	return &UnivariateFeatureSelectorModel{P: s.P, SelectedFeatures: selectByPValue(p, s.P.SelectionMode, s.P.threshold())}, nil
}

// selectByPValue applies Spark's selection modes; the result is sorted.
func selectByPValue(p []float64, mode string, th float64) []int {
	n := len(p)
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	// Ascending p-value, NaN last (as Spark SQL sorts), ties by index.
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := p[a], p[b]
		switch {
		case math.IsNaN(pa) && math.IsNaN(pb):
			return 0
		case math.IsNaN(pa):
			return 1
		case math.IsNaN(pb):
			return -1
		}
		return cmp.Compare(pa, pb)
	})
	var sel []int
	switch mode {
	case "numTopFeatures":
		sel = order[:min(n, int(th))]
	case "percentile":
		sel = order[:min(n, int(float64(n)*th))]
	case "fpr":
		for j, v := range p {
			if v < th {
				sel = append(sel, j)
			}
		}
	case "fwe":
		for j, v := range p {
			if v < th/float64(n) {
				sel = append(sel, j)
			}
		}
	case "fdr":
		maxIdx := -1
		for k, j := range order {
			if p[j] <= th/float64(n)*float64(k+1) {
				maxIdx = k
			}
		}
		sel = order[:maxIdx+1]
	}
	sel = slices.Clone(sel)
	slices.Sort(sel)
	if sel == nil {
		sel = []int{}
	}
	return sel
}

// UnivariateFeatureSelectorModel keeps the selected features.
type UnivariateFeatureSelectorModel struct {
	P                UnivariateFeatureSelectorParams
	SelectedFeatures []int // increasing
}

var _ ml.Model = (*UnivariateFeatureSelectorModel)(nil)

// StageName returns "UnivariateFeatureSelectorModel".
func (m *UnivariateFeatureSelectorModel) StageName() string {
	return "UnivariateFeatureSelectorModel"
}

// Params returns the params.
func (m *UnivariateFeatureSelectorModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the output (the
// label is not needed).
func (m *UnivariateFeatureSelectorModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := m.P.Validate(); err != nil {
		return nil, err
	}
	return selectorSchema(in, m.P.FeaturesCol, m.P.OutputCol, nonNilInts(m.SelectedFeatures))
}

// Transform adds the selected features (NULL stays NULL, sparse stays
// sparse).
func (m *UnivariateFeatureSelectorModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	sc, err := m.TransformSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	field, _ := ml.FieldOf(sc, m.P.OutputCol)
	return sliceVectors(ctx, f, m.P.FeaturesCol, field, m.SelectedFeatures)
}

// testResult is one feature's univariate test.
type testResult struct {
	Statistic        float64
	PValue           float64
	DegreesOfFreedom float64 // chi-squared: (values-1)·(labels-1); F: numerator df
}

// maxCategories bounds the distinct values of a categorical feature or
// label in chiSquareTest, as in Spark.
const maxCategories = 10000

// chiSquareTest runs Pearson's chi-squared test of independence between
// each feature of d and its label, both taken as categories (any distinct
// values, at most 10000 each). A feature or label with one value gives
// statistic 0 and p-value 1.
func chiSquareTest(ctx context.Context, d *ml.Dataset) ([]testResult, error) {
	labels := map[float64]int{}
	ly := make([]int, d.N)
	for i, y := range d.Y {
		k, ok := labels[y]
		if !ok {
			if len(labels) == maxCategories {
				return nil, fmt.Errorf("the label has more than %d distinct values; the chi-squared test needs categories (set labelType continuous for a numeric label)", maxCategories)
			}
			k = len(labels)
			labels[y] = k
		}
		ly[i] = k
	}
	nl := len(labels)
	out := make([]testResult, d.D)
	for j := 0; j < d.D; j++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		vals := map[float64]int{}
		var counts []float64 // row per feature value, nl columns
		for i := 0; i < d.N; i++ {
			x := d.X[i*d.D+j]
			r, ok := vals[x]
			if !ok {
				if len(vals) == maxCategories {
					return nil, fmt.Errorf("feature %d (%s) has more than %d distinct values; the chi-squared test needs categories (set featureType continuous, or bucket it with QuantileDiscretizer)", j, d.Attrs.Name(j), maxCategories)
				}
				r = len(vals)
				vals[x] = r
				counts = append(counts, make([]float64, nl)...)
			}
			counts[r*nl+ly[i]]++
		}
		nv := len(vals)
		df := (nv - 1) * (nl - 1)
		if df == 0 {
			out[j] = testResult{Statistic: 0, PValue: 1, DegreesOfFreedom: 0}
			continue
		}
		rowSum, colSum := make([]float64, nv), make([]float64, nl)
		for r := 0; r < nv; r++ {
			for c := 0; c < nl; c++ {
				rowSum[r] += counts[r*nl+c]
				colSum[c] += counts[r*nl+c]
			}
		}
		total := float64(d.N)
		var stat float64
		for r := 0; r < nv; r++ {
			for c := 0; c < nl; c++ {
				e := rowSum[r] * colSum[c] / total
				diff := counts[r*nl+c] - e
				stat += diff * diff / e
			}
		}
		p := 1 - distuv.ChiSquared{K: float64(df)}.CDF(stat)
		out[j] = testResult{Statistic: stat, PValue: p, DegreesOfFreedom: float64(df)}
	}
	return out, nil
}

// fPValue is 1 - CDF of the F(d1, d2) distribution at f.
func fPValue(f, d1, d2 float64) float64 {
	switch {
	case math.IsNaN(f) || d1 <= 0 || d2 <= 0:
		return math.NaN()
	case math.IsInf(f, 1):
		return 0
	}
	return 1 - distuv.F{D1: d1, D2: d2}.CDF(f)
}

// anovaTest runs the one-way ANOVA F-test of each feature of d across the
// label's classes (any distinct label values). F is NaN when a feature
// does not vary at all.
func anovaTest(ctx context.Context, d *ml.Dataset) ([]testResult, error) {
	classes := map[float64]int{}
	cy := make([]int, d.N)
	for i, y := range d.Y {
		k, ok := classes[y]
		if !ok {
			k = len(classes)
			classes[y] = k
		}
		cy[i] = k
	}
	k := len(classes)
	if k < 2 {
		return nil, errors.New("the label has one value only; the ANOVA F-test needs at least two classes")
	}
	if d.N <= k {
		return nil, fmt.Errorf("%d rows for %d classes; the ANOVA F-test needs more rows than classes", d.N, k)
	}
	dfb, dfw := float64(k-1), float64(d.N-k)
	out := make([]testResult, d.D)
	sum, cnt := make([]float64, k), make([]float64, k)
	for _, c := range cy {
		cnt[c]++
	}
	for j := 0; j < d.D; j++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		clear(sum)
		var total float64
		for i := 0; i < d.N; i++ {
			x := d.X[i*d.D+j]
			sum[cy[i]] += x
			total += x
		}
		grand := total / float64(d.N)
		var ssb, ssw float64
		for c := 0; c < k; c++ {
			m := sum[c] / cnt[c]
			ssb += cnt[c] * (m - grand) * (m - grand)
		}
		for i := 0; i < d.N; i++ {
			m := sum[cy[i]] / cnt[cy[i]]
			diff := d.X[i*d.D+j] - m
			ssw += diff * diff
		}
		f := (ssb / dfb) / (ssw / dfw)
		out[j] = testResult{Statistic: f, PValue: fPValue(f, dfb, dfw), DegreesOfFreedom: dfb}
	}
	return out, nil
}

// fValueTest runs the F-test of the correlation between each feature of d
// and its (continuous) label: F = r²/(1-r²)·(n-2).
func fValueTest(ctx context.Context, d *ml.Dataset) ([]testResult, error) {
	if d.N < 3 {
		return nil, fmt.Errorf("%d rows; the F-test of a correlation needs at least 3", d.N)
	}
	n := float64(d.N)
	var ym float64
	for _, y := range d.Y {
		ym += y
	}
	ym /= n
	var syy float64
	for _, y := range d.Y {
		syy += (y - ym) * (y - ym)
	}
	df := n - 2
	out := make([]testResult, d.D)
	for j := 0; j < d.D; j++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var xm float64
		for i := 0; i < d.N; i++ {
			xm += d.X[i*d.D+j]
		}
		xm /= n
		var sxx, sxy float64
		for i, y := range d.Y {
			dx := d.X[i*d.D+j] - xm
			sxx += dx * dx
			sxy += dx * (y - ym)
		}
		r := sxy / math.Sqrt(sxx*syy)
		f := r * r / (1 - r*r) * df
		out[j] = testResult{Statistic: f, PValue: fPValue(f, 1, df), DegreesOfFreedom: 1}
	}
	return out, nil
}
