package feature_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/feature"
)

func TestVarianceThresholdSelectorReference(t *testing.T) {
	ref := loadReference(t).Variance
	f := mkFrame(t, vcol("features", dense(ref.X)...))
	s := feature.NewVarianceThresholdSelector()
	s.P.OutputCol, s.P.VarianceThreshold = "selected", ref.Threshold
	m := mustFit(t, s, f).(*feature.VarianceThresholdSelectorModel)
	// Sample variances 5/3, 4/3, 0, 1/12: features 0 and 1 pass 1.0.
	// (scikit-learn's population variances 1.25, 1.0 keep only feature 0.)
	if got, want := fmt.Sprint(m.SelectedFeatures), fmt.Sprint(ref.SparkSelected); got != want {
		t.Errorf("selected %s, want %s", got, want)
	}
	out := mustTransform(t, m, f)
	for i, row := range vecs(t, out, "selected") {
		checkVec(t, fmt.Sprintf("row %d", i+1), row, []float64{ref.X[i][0], ref.X[i][1]}, 0)
	}
	roundTrip(t, m, f, "selected")

	// Default threshold 0 drops only the constant feature.
	s.P.VarianceThreshold = 0
	m = mustFit(t, s, f).(*feature.VarianceThresholdSelectorModel)
	if fmt.Sprint(m.SelectedFeatures) != "[0 1 3]" {
		t.Errorf("threshold 0: %v", m.SelectedFeatures)
	}
	// Nothing selected: empty vectors.
	s.P.VarianceThreshold = 100
	m = mustFit(t, s, f).(*feature.VarianceThresholdSelectorModel)
	if got := fmt.Sprint(vecs(t, mustTransform(t, m, f), "selected")[0]); got != "[]" {
		t.Errorf("nothing selected: %s", got)
	}
	roundTrip(t, m, f, "selected")

	_, err := s.Fit(context.Background(), mkFrame(t, vcol("features", ml.Dense(1), ml.Dense(math.NaN()))))
	wantErr(t, err, "column features, row 2", "NaN")
	_, err = s.Fit(context.Background(), mkFrame(t, vcol("features", ml.Dense(1), null)))
	wantErr(t, err, "row 2: feature vector is NULL")
	s.P.OutputCol = ""
	_, err = s.TransformSchema(f.Schema())
	wantErr(t, err, "set featuresCol and outputCol")
}

func ufsFrame(t testing.TB, x [][]float64, y []float64) *ml.Frame {
	return mkFrame(t, vcol("features", dense(x)...), fcol("label", y))
}

func TestUnivariateFeatureSelectorANOVA(t *testing.T) {
	ref := loadReference(t).Anova
	f := ufsFrame(t, ref.X, ref.Y)
	for _, tt := range []struct {
		mode string
		th   float64
		want []int
	}{
		{"numTopFeatures", 2, ref.SparkTop2},
		{"percentile", 0.5, ref.SparkPercent50},
		{"fpr", 0.05, ref.SklearnFpr}, // SelectFpr, SelectFdr, SelectFwe agree with Spark
		{"fdr", 0.05, ref.SklearnFdr},
		{"fwe", 0.05, ref.SklearnFwe},
		{"fwe", math.NaN(), ref.SklearnFwe}, // unset: 0.05
		{"fpr", 0.1, []int{0, 2, 3, 4}},     // p-values 0.0199 0.429 0.0918 0.0620 3e-11
		{"numTopFeatures", math.NaN(), []int{0, 1, 2, 3, 4}},
	} {
		s := feature.NewUnivariateFeatureSelector()
		s.P.FeatureType, s.P.LabelType, s.P.OutputCol = "continuous", "categorical", "sel"
		s.P.SelectionMode, s.P.SelectionThreshold = tt.mode, tt.th
		m := mustFit(t, s, f).(*feature.UnivariateFeatureSelectorModel)
		if got, want := fmt.Sprint(m.SelectedFeatures), fmt.Sprint(tt.want); got != want {
			t.Errorf("%s %v: selected %s, want %s", tt.mode, tt.th, got, want)
		}
		if tt.mode == "fdr" {
			roundTrip(t, m, f, "sel")
		}
	}
}

func TestUnivariateFeatureSelectorChi2AndRegression(t *testing.T) {
	ref := loadReference(t)
	// chi²: p-values 4.9e-6, 0.517, 5.5e-4, 0.925 → top 2 are 0 and 2.
	f := ufsFrame(t, ref.Chi2.X, ref.Chi2.Y)
	s := feature.NewUnivariateFeatureSelector()
	s.P.FeatureType, s.P.LabelType, s.P.OutputCol = "categorical", "categorical", "sel"
	s.P.SelectionThreshold = 2
	m := mustFit(t, s, f).(*feature.UnivariateFeatureSelectorModel)
	if fmt.Sprint(m.SelectedFeatures) != "[0 2]" {
		t.Errorf("chi2 top 2: %v", m.SelectedFeatures)
	}
	out := mustTransform(t, m, f)
	for i, row := range vecs(t, out, "sel") {
		checkVec(t, "sliced", row, []float64{ref.Chi2.X[i][0], ref.Chi2.X[i][2]}, 0)
	}

	// F-regression: the label is 2·feature 0 + noise; feature 4 tracks
	// feature 0's class structure too.
	g := ufsFrame(t, ref.FRegression.X, ref.FRegression.Y)
	s.P.FeatureType, s.P.LabelType, s.P.SelectionThreshold = "continuous", "continuous", 1
	m = mustFit(t, s, g).(*feature.UnivariateFeatureSelectorModel)
	best := 0
	for j, p := range ref.FRegression.P {
		if p < ref.FRegression.P[best] {
			best = j
		}
	}
	if fmt.Sprint(m.SelectedFeatures) != fmt.Sprint([]int{best}) {
		t.Errorf("f_regression top 1: %v, want [%d]", m.SelectedFeatures, best)
	}
}

func TestUnivariateFeatureSelectorBadInput(t *testing.T) {
	f := ufsFrame(t, [][]float64{{1, 2}, {2, 2}, {3, 2}}, []float64{0, 1, 0})
	for _, tt := range []struct {
		edit func(p *feature.UnivariateFeatureSelectorParams)
		want string
	}{
		{func(p *feature.UnivariateFeatureSelectorParams) { p.FeatureType = "" }, `featureType "": set it to categorical or continuous`},
		{func(p *feature.UnivariateFeatureSelectorParams) {
			p.FeatureType = "categorical"
			p.LabelType = "continuous"
		}, "has no test"},
		{func(p *feature.UnivariateFeatureSelectorParams) { p.SelectionThreshold = 1.5 }, "numTopFeatures needs a whole number >= 1"},
		{func(p *feature.UnivariateFeatureSelectorParams) { p.SelectionMode = "fdr"; p.SelectionThreshold = 2 }, "fdr needs a value in [0, 1]"},
		{func(p *feature.UnivariateFeatureSelectorParams) { p.SelectionMode = "best" }, `selectionMode "best"`},
		{func(p *feature.UnivariateFeatureSelectorParams) { p.LabelCol = "nope" }, `labelCol: no column "nope"`},
	} {
		s := feature.NewUnivariateFeatureSelector()
		s.P.FeatureType, s.P.LabelType, s.P.OutputCol = "continuous", "categorical", "sel"
		tt.edit(&s.P)
		_, err := s.TransformSchema(f.Schema())
		wantErr(t, err, tt.want)
	}
	s := feature.NewUnivariateFeatureSelector()
	s.P.FeatureType, s.P.LabelType, s.P.OutputCol = "continuous", "categorical", "sel"
	_, err := s.Fit(context.Background(), mkFrame(t, vcol("features", ml.Dense(1), ml.Dense(2)), fcol("label", []float64{0, math.NaN()})))
	wantErr(t, err, "column label, row 2: labelCol is NaN")
	_, err = s.Fit(context.Background(), ufsFrame(t, [][]float64{{1}, {2}}, []float64{1, 1}))
	wantErr(t, err, "one value only")
	// A constant feature has p-value NaN and ranks last.
	s.P.SelectionThreshold = 1
	m := mustFit(t, s, mkFrame(t, vcol("features", dense([][]float64{{5, 1}, {5, 2}, {5, 8}, {5, 9}})...), fcol("label", []float64{0, 0, 1, 1})))
	if fmt.Sprint(m.(*feature.UnivariateFeatureSelectorModel).SelectedFeatures) != "[1]" {
		t.Errorf("constant feature selected: %v", m.(*feature.UnivariateFeatureSelectorModel).SelectedFeatures)
	}
}

func TestPCAReference(t *testing.T) {
	ref := loadReference(t).PCA
	f := mkFrame(t, vcol("x", dense(ref.X)...))
	p := feature.NewPCA()
	p.P.InputCol, p.P.OutputCol, p.P.K = "x", "pc", ref.K
	m := mustFit(t, p, f).(*feature.PCAModel)
	checkVec(t, "explained variance", m.ExplainedVariance, ref.Ratio, 1e-10)
	out := vecs(t, mustTransform(t, m, f), "pc")
	for c := range ref.Components {
		// Same component up to sign; the projection flips with it.
		sign := 1.0
		if dot(m.Components[c], ref.Components[c]) < 0 {
			sign = -1
		}
		for j := range ref.Components[c] {
			if !near(sign*m.Components[c][j], ref.Components[c][j], 1e-9) {
				t.Errorf("component %d: %v, sklearn %v", c, m.Components[c], ref.Components[c])
				break
			}
		}
		for i := range out {
			if !near(sign*out[i][c], ref.SparkProjection[i][c], 1e-9) {
				t.Errorf("row %d component %d: %v, want %v", i+1, c, sign*out[i][c], ref.SparkProjection[i][c])
			}
		}
		// Sign convention: the largest entry is positive.
		big := 0
		for j, x := range m.Components[c] {
			if math.Abs(x) > math.Abs(m.Components[c][big]) {
				big = j
			}
		}
		if m.Components[c][big] < 0 {
			t.Errorf("component %d's largest entry is negative", c)
		}
	}
	// Properties: orthonormal components; all k ratios sum to 1.
	for a := range m.Components {
		for b := range m.Components {
			want := 0.0
			if a == b {
				want = 1
			}
			if got := dot(m.Components[a], m.Components[b]); !near(got, want, 1e-10) {
				t.Errorf("component %d · %d = %v, want %v", a, b, got, want)
			}
		}
	}
	p.P.K = 4
	all := mustFit(t, p, f).(*feature.PCAModel)
	var sum float64
	for _, r := range all.ExplainedVariance {
		sum += r
	}
	checkVec(t, "all ratios", all.ExplainedVariance, ref.AllExplainedVarR, 1e-10)
	if !near(sum, 1, 1e-12) {
		t.Errorf("ratios sum to %v", sum)
	}
	roundTrip(t, m, f, "pc")

	// Sparse input projects like dense; NULL stays NULL.
	g := mkFrame(t, vcol("x", ml.Sparse(4, []int32{1}, []float64{2}), ml.Dense(0, 2, 0, 0), null))
	got := vecs(t, mustTransform(t, m, g), "pc")
	checkVec(t, "sparse", got[0], got[1], 1e-15)
	if got[2] != nil {
		t.Error("NULL row not NULL")
	}
}

func TestPCABadInput(t *testing.T) {
	ctx := context.Background()
	p := feature.NewPCA()
	p.P.InputCol, p.P.OutputCol, p.P.K = "x", "pc", 3
	f := mkFrame(t, vcol("x", ml.Dense(1, 2), ml.Dense(3, 1)))
	_, err := p.Fit(ctx, f)
	wantErr(t, err, "k 3 is more than the 2 features")
	p.P.K = 1
	_, err = p.Fit(ctx, mkFrame(t, vcol("x", ml.Dense(1, 2))))
	wantErr(t, err, "the covariance needs at least 2")
	_, err = p.Fit(ctx, mkFrame(t, vcol("x", ml.Dense(1, 2), ml.Dense(math.NaN(), 1))))
	wantErr(t, err, "column x, row 2")
	m := mustFit(t, p, f)
	_, err = m.Transform(ctx, mkFrame(t, vcol("x", ml.Dense(1, 2, 3))))
	wantErr(t, err, "row 1: vector of size 3, the model was fitted on size 2")
	p.P.K = 0
	_, err = p.TransformSchema(f.Schema())
	wantErr(t, err, "k 0: want at least 1")
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
