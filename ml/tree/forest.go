package tree

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// RandomForestClassifierParams are RandomForestClassifier's params
// (Spark's names and defaults).
type RandomForestClassifierParams struct {
	ml.ClassifierCols
	TreeParams
	ForestParams
	Impurity   string    `param:"impurity" doc:"split criterion: gini or entropy"`
	Thresholds []float64 `param:"thresholds" doc:"per-class thresholds: the predicted class maximizes p/threshold; empty for argmax"`
}

// Validate checks the params and names the bad one.
func (p RandomForestClassifierParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if err := p.TreeParams.Validate(); err != nil {
		return err
	}
	if err := p.ForestParams.Validate(); err != nil {
		return err
	}
	return checkImpurity(p.Impurity, "gini", "entropy")
}

// RandomForestClassifier learns a forest of classification trees, each
// on a bootstrap sample of the rows and choosing each split among a random
// subset of the features, like Spark's RandomForestClassifier. Trees are
// grown in parallel (GOMAXPROCS at a time).
type RandomForestClassifier struct {
	P RandomForestClassifierParams
}

var _ ml.Estimator = (*RandomForestClassifier)(nil)

// NewRandomForestClassifier returns a RandomForestClassifier with Spark's
// defaults: 20 trees, featureSubsetStrategy auto (sqrt), bootstrap,
// subsamplingRate 1, maxDepth 5, maxBins 32, impurity gini.
func NewRandomForestClassifier() *RandomForestClassifier {
	return &RandomForestClassifier{P: RandomForestClassifierParams{
		ClassifierCols: ml.DefaultClassifierCols(), TreeParams: defaultTreeParams(seedRandomForestClassifier),
		ForestParams: defaultForestParams(), Impurity: "gini", Thresholds: []float64{},
	}}
}

// StageName returns "RandomForestClassifier".
func (e *RandomForestClassifier) StageName() string { return "RandomForestClassifier" }

// Params returns the params.
func (e *RandomForestClassifier) Params() any { return &e.P }

// TransformSchema checks the params and the features column and adds the
// prediction columns.
func (e *RandomForestClassifier) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.ClassifierSchema(in, e.P.ClassifierCols)
}

// Fit grows the forest. ctx cancels the fit.
func (e *RandomForestClassifier) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := e.P
	trees, k, td, err := fitClassForest(ctx, f, p.ClassifierCols, p.TreeParams, p.Impurity, p.Thresholds, p.NumTrees, p.FeatureSubsetStrategy, p.SubsamplingRate, p.Bootstrap)
	if err != nil {
		return nil, err
	}
	return &RandomForestClassificationModel{P: p, UID: newUID(e.StageName()), Trees: trees, Classes: k, Features: td.d.D}, nil
}

// RandomForestClassificationModel is a fitted forest of classification
// trees. Its rawPrediction is the sum over trees of the leaf class
// distributions (each normalized), its probability their average, as in
// Spark. Safe for concurrent use.
type RandomForestClassificationModel struct {
	P        RandomForestClassifierParams
	UID      string
	Trees    []Tree
	Classes  int
	Features int
}

var (
	_ ml.Model            = (*RandomForestClassificationModel)(nil)
	_ ml.ClassifierKernel = (*RandomForestClassificationModel)(nil)
)

// StageName returns "RandomForestClassificationModel".
func (m *RandomForestClassificationModel) StageName() string {
	return "RandomForestClassificationModel"
}

// Params returns the params.
func (m *RandomForestClassificationModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the prediction
// columns.
func (m *RandomForestClassificationModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.ClassifierCols)
}

// Transform adds rawPrediction, probability and prediction.
func (m *RandomForestClassificationModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Trees) == 0 {
		return nil, errNoModel
	}
	if err := ml.ValidateThresholds(m.P.Thresholds, m.Classes); err != nil {
		return nil, err
	}
	k := &treeKernel{trees: compileAll(m.Trees, m.Classes, leafDistribution), classes: m.Classes, features: m.Features}
	return ml.TransformClassifier(ctx, f, m.P.ClassifierCols, m.P.Thresholds, k)
}

// NumClasses returns the number of classes.
func (m *RandomForestClassificationModel) NumClasses() int { return m.Classes }

// NumFeatures returns the number of features.
func (m *RandomForestClassificationModel) NumFeatures() int { return m.Features }

// PredictRaw writes the sum of the trees' normalized leaf class counts.
func (m *RandomForestClassificationModel) PredictRaw(x, raw []float64) {
	clear(raw)
	for i := range m.Trees {
		t := &m.Trees[i]
		st := t.Nodes[t.leaf(x)].Stats
		total := 0.0
		for _, v := range st {
			total += v
		}
		if total == 0 {
			continue
		}
		for c, v := range st {
			raw[c] += v / total
		}
	}
}

// RawToProbability normalizes the votes.
func (m *RandomForestClassificationModel) RawToProbability(raw, prob []float64) bool {
	normalize(raw, prob)
	return true
}

// FeatureImportances returns Spark's forest importances: each tree's
// normalized impurity-gain importances, summed and normalized.
func (m *RandomForestClassificationModel) FeatureImportances() ml.Vector {
	return ml.Dense(featureImportances(m.Trees, m.Features, true)...)
}

// TotalNumNodes returns the number of nodes over all trees.
func (m *RandomForestClassificationModel) TotalNumNodes() int { return totalNodes(m.Trees) }

// String returns Spark's toString summary.
func (m *RandomForestClassificationModel) String() string {
	return fmt.Sprintf("RandomForestClassificationModel: uid=%s, numTrees=%d, numClasses=%d, numFeatures=%d", m.UID, len(m.Trees), m.Classes, m.Features)
}

// DebugString returns Spark's toDebugString: the summary and every tree.
func (m *RandomForestClassificationModel) DebugString() string {
	return ensembleDebugString(m.String(), m.Trees, unitWeights(len(m.Trees)))
}

func totalNodes(trees []Tree) int {
	n := 0
	for i := range trees {
		n += trees[i].NumNodes()
	}
	return n
}

func unitWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// ensembleDebugString is Spark's TreeEnsembleModel.toDebugString.
func ensembleDebugString(header string, trees []Tree, weights []float64) string {
	var sb strings.Builder
	sb.WriteString(header + "\n")
	for i := range trees {
		fmt.Fprintf(&sb, "  Tree %d (weight %s):\n", i, javaDouble(weights[i]))
		if len(trees[i].Nodes) > 0 {
			trees[i].writeSubtree(&sb, 0, 4)
		}
	}
	return sb.String()
}

// RandomForestRegressorParams are RandomForestRegressor's params.
type RandomForestRegressorParams struct {
	ml.PredictorCols
	TreeParams
	ForestParams
	Impurity string `param:"impurity" doc:"split criterion: variance (the only one)"`
}

// Validate checks the params and names the bad one.
func (p RandomForestRegressorParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if err := p.TreeParams.Validate(); err != nil {
		return err
	}
	if err := p.ForestParams.Validate(); err != nil {
		return err
	}
	return checkImpurity(p.Impurity, "variance")
}

// RandomForestRegressor learns a forest of regression trees, like Spark's
// RandomForestRegressor; the prediction is the trees' mean.
type RandomForestRegressor struct {
	P RandomForestRegressorParams
}

var _ ml.Estimator = (*RandomForestRegressor)(nil)

// NewRandomForestRegressor returns a RandomForestRegressor with Spark's
// defaults (featureSubsetStrategy auto means onethird).
func NewRandomForestRegressor() *RandomForestRegressor {
	return &RandomForestRegressor{P: RandomForestRegressorParams{
		PredictorCols: ml.DefaultPredictorCols(), TreeParams: defaultTreeParams(seedRandomForestRegressor),
		ForestParams: defaultForestParams(), Impurity: "variance",
	}}
}

// StageName returns "RandomForestRegressor".
func (e *RandomForestRegressor) StageName() string { return "RandomForestRegressor" }

// Params returns the params.
func (e *RandomForestRegressor) Params() any { return &e.P }

// TransformSchema checks the params and features column and adds the
// prediction column.
func (e *RandomForestRegressor) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.RegressorSchema(in, e.P.PredictorCols)
}

// Fit grows the forest. ctx cancels the fit.
func (e *RandomForestRegressor) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := e.P
	trees, td, err := fitRegForest(ctx, f, p.PredictorCols, p.TreeParams, p.NumTrees, p.FeatureSubsetStrategy, p.SubsamplingRate, p.Bootstrap)
	if err != nil {
		return nil, err
	}
	return &RandomForestRegressionModel{P: p, UID: newUID(e.StageName()), Trees: trees, Features: td.d.D}, nil
}

// RandomForestRegressionModel is a fitted forest of regression trees.
// Safe for concurrent use.
type RandomForestRegressionModel struct {
	P        RandomForestRegressorParams
	UID      string
	Trees    []Tree
	Features int
}

var _ ml.Model = (*RandomForestRegressionModel)(nil)

// StageName returns "RandomForestRegressionModel".
func (m *RandomForestRegressionModel) StageName() string { return "RandomForestRegressionModel" }

// Params returns the params.
func (m *RandomForestRegressionModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the prediction.
func (m *RandomForestRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.RegressorSchema(in, m.P.PredictorCols)
}

// Transform adds the prediction column.
func (m *RandomForestRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Trees) == 0 {
		return nil, errNoModel
	}
	return ml.TransformRegressor(ctx, f, m.P.PredictorCols, m.Features, sumOf(compileAll(m.Trees, 0, nil), nil))
}

// Predict returns the mean of the trees' predictions for x.
func (m *RandomForestRegressionModel) Predict(x []float64) float64 {
	s := 0.0
	for i := range m.Trees {
		s += m.Trees[i].Predict(x)
	}
	return s / float64(len(m.Trees))
}

// NumFeatures returns the number of features.
func (m *RandomForestRegressionModel) NumFeatures() int { return m.Features }

// FeatureImportances returns Spark's forest importances.
func (m *RandomForestRegressionModel) FeatureImportances() ml.Vector {
	return ml.Dense(featureImportances(m.Trees, m.Features, true)...)
}

// TotalNumNodes returns the number of nodes over all trees.
func (m *RandomForestRegressionModel) TotalNumNodes() int { return totalNodes(m.Trees) }

// String returns Spark's toString summary.
func (m *RandomForestRegressionModel) String() string {
	return fmt.Sprintf("RandomForestRegressionModel: uid=%s, numTrees=%d, numFeatures=%d", m.UID, len(m.Trees), m.Features)
}

// DebugString returns Spark's toDebugString.
func (m *RandomForestRegressionModel) DebugString() string {
	return ensembleDebugString(m.String(), m.Trees, unitWeights(len(m.Trees)))
}
