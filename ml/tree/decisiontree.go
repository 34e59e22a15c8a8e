package tree

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// newUID returns a uid in PySpark's form: the class name, "_" and 12 hex
// digits.
func newUID(class string) string {
	return fmt.Sprintf("%s_%012x", class, rand.Uint64()&(1<<48-1))
}

// trainingData loads features, label and weights and bins them.
type trainingData struct {
	d     *ml.Dataset
	b     *binned
	train []int32 // training rows (all unless validation rows are held out)
	total float64 // total training weight
}

func loadTraining(ctx context.Context, f *ml.Frame, cols ml.PredictorCols, tp TreeParams, train func(d *ml.Dataset) ([]int32, error), workers int) (*trainingData, error) {
	d, err := ml.LoadDataset(ctx, f, cols.FeaturesCol, cols.LabelCol, tp.WeightCol)
	if err != nil {
		return nil, err
	}
	if d.D == 0 {
		return nil, fmt.Errorf("featuresCol %q: the feature vectors are empty; assemble at least one feature", cols.FeaturesCol)
	}
	td := &trainingData{d: d}
	if train != nil {
		if td.train, err = train(d); err != nil {
			return nil, err
		}
	}
	rows := td.train
	if rows == nil {
		rows = allRows(d.N)
		td.train = rows
	}
	for _, r := range rows {
		td.total += d.Weight(int(r))
	}
	if td.total <= 0 {
		return nil, fmt.Errorf("weightCol %q: the training rows' weights sum to 0; give some rows a positive weight", tp.WeightCol)
	}
	td.b, err = binDataset(ctx, d, binOptions{maxBins: tp.MaxBins, categorical: d.Attrs.Categorical(), seed: int64(tp.Seed), train: td.train, workers: workers})
	if err != nil {
		return nil, err
	}
	return td, nil
}

func (td *trainingData) growConfig(tp TreeParams, subset int) growConfig {
	return growConfig{
		maxDepth:     tp.MaxDepth,
		minInstances: float64(tp.MinInstancesPerNode),
		minWeight:    tp.MinWeightFractionPerNode * td.total,
		minInfoGain:  tp.MinInfoGain,
		subset:       subset,
	}
}

// classLayoutFor picks the layout of a classification fit.
func classLayoutFor(impurityName string, k int, weighted bool) layout {
	imp := gini
	if impurityName == "entropy" {
		imp = entropy
	}
	return classLayout(imp, k, weighted)
}

// DecisionTreeClassifierParams are DecisionTreeClassifier's params
// (Spark's names and defaults).
type DecisionTreeClassifierParams struct {
	ml.ClassifierCols
	TreeParams
	Impurity   string    `param:"impurity" doc:"split criterion: gini or entropy"`
	Thresholds []float64 `param:"thresholds" doc:"per-class thresholds: the predicted class maximizes p/threshold; empty for argmax"`
}

// Validate checks the params and names the bad one.
func (p DecisionTreeClassifierParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if err := p.TreeParams.Validate(); err != nil {
		return err
	}
	return checkImpurity(p.Impurity, "gini", "entropy")
}

// DecisionTreeClassifier learns a classification tree (CART) on
// histograms of binned features, like Spark's DecisionTreeClassifier.
type DecisionTreeClassifier struct {
	P DecisionTreeClassifierParams
}

var _ ml.Estimator = (*DecisionTreeClassifier)(nil)

// NewDecisionTreeClassifier returns a DecisionTreeClassifier with Spark's
// defaults: maxDepth 5, maxBins 32, impurity gini, minInstancesPerNode 1.
func NewDecisionTreeClassifier() *DecisionTreeClassifier {
	return &DecisionTreeClassifier{P: DecisionTreeClassifierParams{
		ClassifierCols: ml.DefaultClassifierCols(), TreeParams: defaultTreeParams(seedDecisionTreeClassifier), Impurity: "gini",
		Thresholds: []float64{},
	}}
}

// StageName returns "DecisionTreeClassifier".
func (e *DecisionTreeClassifier) StageName() string { return "DecisionTreeClassifier" }

// Params returns the params.
func (e *DecisionTreeClassifier) Params() any { return &e.P }

// TransformSchema checks the params and the features column and adds the
// prediction columns.
func (e *DecisionTreeClassifier) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.ClassifierSchema(in, e.P.ClassifierCols)
}

// Fit grows the tree. Labels must be class indices 0, 1, …; NULL or NaN
// features, labels and weights are errors naming the row. ctx cancels
// the fit.
func (e *DecisionTreeClassifier) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	trees, k, td, err := fitClassForest(ctx, f, e.P.ClassifierCols, e.P.TreeParams, e.P.Impurity, e.P.Thresholds, 1, "all", 1, false)
	if err != nil {
		return nil, err
	}
	return &DecisionTreeClassificationModel{P: e.P, UID: newUID(e.StageName()), Tree: trees[0], Classes: k, Features: td.d.D}, nil
}

// fitClassForest is the shared fit of DecisionTreeClassifier and
// RandomForestClassifier.
func fitClassForest(ctx context.Context, f *ml.Frame, cols ml.ClassifierCols, tp TreeParams, imp string, thresholds []float64, numTrees int, strategy string, rate float64, bootstrap bool) ([]Tree, int, *trainingData, error) {
	workers := defaultWorkers()
	td, err := loadTraining(ctx, f, cols.PredictorCols, tp, nil, workers)
	if err != nil {
		return nil, 0, nil, err
	}
	k, err := ml.ClassCount(f, cols.LabelCol, td.d.Y)
	if err != nil {
		return nil, 0, nil, err
	}
	if err := ml.ValidateThresholds(thresholds, k); err != nil {
		return nil, 0, nil, err
	}
	subset, err := featuresPerNode(strategy, td.d.D, numTrees, true)
	if err != nil {
		return nil, 0, nil, err
	}
	lay := classLayoutFor(imp, k, td.d.W != nil)
	spec := forestSpec{lay: lay, cfg: td.growConfig(tp, subset), numTrees: numTrees, rate: rate, bootstrap: bootstrap, seed: int64(tp.Seed), workers: workers}
	trees, err := growForest(ctx, td.b, classStats(lay, td.d), td.train, spec)
	if err != nil {
		return nil, 0, nil, err
	}
	return trees, k, td, nil
}

// DecisionTreeClassificationModel is a fitted classification tree.
// Its rawPrediction is the weighted class counts of the leaf a row falls
// in, its probability those counts normalized. Safe for concurrent use.
type DecisionTreeClassificationModel struct {
	P        DecisionTreeClassifierParams
	UID      string
	Tree     Tree
	Classes  int // number of classes
	Features int // number of features
}

var (
	_ ml.Model            = (*DecisionTreeClassificationModel)(nil)
	_ ml.ClassifierKernel = (*DecisionTreeClassificationModel)(nil)
)

// StageName returns "DecisionTreeClassificationModel".
func (m *DecisionTreeClassificationModel) StageName() string {
	return "DecisionTreeClassificationModel"
}

// Params returns the params.
func (m *DecisionTreeClassificationModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the prediction
// columns.
func (m *DecisionTreeClassificationModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.ClassifierCols)
}

// Transform adds rawPrediction, probability and prediction.
func (m *DecisionTreeClassificationModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Tree.Nodes) == 0 {
		return nil, errNoModel
	}
	if err := ml.ValidateThresholds(m.P.Thresholds, m.Classes); err != nil {
		return nil, err
	}
	k := &treeKernel{trees: compileAll([]Tree{m.Tree}, m.Classes, leafCounts), classes: m.Classes, features: m.Features}
	return ml.TransformClassifier(ctx, f, m.P.ClassifierCols, m.P.Thresholds, k)
}

// NumClasses returns the number of classes.
func (m *DecisionTreeClassificationModel) NumClasses() int { return m.Classes }

// NumFeatures returns the number of features.
func (m *DecisionTreeClassificationModel) NumFeatures() int { return m.Features }

// PredictRaw writes the leaf's weighted class counts into raw.
func (m *DecisionTreeClassificationModel) PredictRaw(x, raw []float64) {
	copy(raw, m.Tree.Nodes[m.Tree.leaf(x)].Stats)
}

// RawToProbability normalizes the class counts.
func (m *DecisionTreeClassificationModel) RawToProbability(raw, prob []float64) bool {
	normalize(raw, prob)
	return true
}

func normalize(raw, prob []float64) {
	sum := 0.0
	for _, v := range raw {
		sum += v
	}
	for i, v := range raw {
		if sum > 0 {
			prob[i] = v / sum
		} else {
			prob[i] = 0
		}
	}
}

// Predict returns the class predicted for x (the leaf's majority class;
// thresholds are applied by Transform only).
func (m *DecisionTreeClassificationModel) Predict(x []float64) float64 { return m.Tree.Predict(x) }

// FeatureImportances returns Spark's impurity-gain importances: per
// feature, the gains of the splits on it weighted by the rows reaching
// them, normalized to sum to 1.
func (m *DecisionTreeClassificationModel) FeatureImportances() ml.Vector {
	return ml.Dense(featureImportances([]Tree{m.Tree}, m.Features, true)...)
}

// NumNodes returns the number of nodes, leaves included.
func (m *DecisionTreeClassificationModel) NumNodes() int { return m.Tree.NumNodes() }

// Depth returns the tree's depth (0 for a single leaf).
func (m *DecisionTreeClassificationModel) Depth() int { return m.Tree.Depth() }

// String returns Spark's toString summary.
func (m *DecisionTreeClassificationModel) String() string {
	return fmt.Sprintf("DecisionTreeClassificationModel: uid=%s, depth=%d, numNodes=%d, numClasses=%d, numFeatures=%d",
		m.UID, m.Depth(), m.NumNodes(), m.Classes, m.Features)
}

// DebugString returns Spark's toDebugString: the summary line and the
// tree as nested If/Else rules.
func (m *DecisionTreeClassificationModel) DebugString() string {
	return treeDebugString(m.String(), &m.Tree)
}

func treeDebugString(header string, t *Tree) string {
	var sb strings.Builder
	sb.WriteString(header + "\n")
	if len(t.Nodes) > 0 {
		t.writeSubtree(&sb, 0, 2)
	}
	return sb.String()
}

// DecisionTreeRegressorParams are DecisionTreeRegressor's params.
type DecisionTreeRegressorParams struct {
	ml.PredictorCols
	TreeParams
	Impurity string `param:"impurity" doc:"split criterion: variance (the only one)"`
}

// Validate checks the params and names the bad one.
func (p DecisionTreeRegressorParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if err := p.TreeParams.Validate(); err != nil {
		return err
	}
	return checkImpurity(p.Impurity, "variance")
}

// DecisionTreeRegressor learns a regression tree minimizing the weighted
// variance of the label, like Spark's DecisionTreeRegressor.
type DecisionTreeRegressor struct {
	P DecisionTreeRegressorParams
}

var _ ml.Estimator = (*DecisionTreeRegressor)(nil)

// NewDecisionTreeRegressor returns a DecisionTreeRegressor with Spark's
// defaults.
func NewDecisionTreeRegressor() *DecisionTreeRegressor {
	return &DecisionTreeRegressor{P: DecisionTreeRegressorParams{
		PredictorCols: ml.DefaultPredictorCols(), TreeParams: defaultTreeParams(seedDecisionTreeRegressor), Impurity: "variance",
	}}
}

// StageName returns "DecisionTreeRegressor".
func (e *DecisionTreeRegressor) StageName() string { return "DecisionTreeRegressor" }

// Params returns the params.
func (e *DecisionTreeRegressor) Params() any { return &e.P }

// TransformSchema checks the params and features column and adds the
// prediction column.
func (e *DecisionTreeRegressor) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.RegressorSchema(in, e.P.PredictorCols)
}

// Fit grows the tree. ctx cancels the fit.
func (e *DecisionTreeRegressor) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	trees, td, err := fitRegForest(ctx, f, e.P.PredictorCols, e.P.TreeParams, 1, "all", 1, false)
	if err != nil {
		return nil, err
	}
	return &DecisionTreeRegressionModel{P: e.P, UID: newUID(e.StageName()), Tree: trees[0], Features: td.d.D}, nil
}

func fitRegForest(ctx context.Context, f *ml.Frame, cols ml.PredictorCols, tp TreeParams, numTrees int, strategy string, rate float64, bootstrap bool) ([]Tree, *trainingData, error) {
	workers := defaultWorkers()
	td, err := loadTraining(ctx, f, cols, tp, nil, workers)
	if err != nil {
		return nil, nil, err
	}
	subset, err := featuresPerNode(strategy, td.d.D, numTrees, false)
	if err != nil {
		return nil, nil, err
	}
	lay := regLayout(td.d.W != nil)
	spec := forestSpec{lay: lay, cfg: td.growConfig(tp, subset), numTrees: numTrees, rate: rate, bootstrap: bootstrap, seed: int64(tp.Seed), workers: workers}
	trees, err := growForest(ctx, td.b, regStats(lay, td.d, td.d.Y), td.train, spec)
	if err != nil {
		return nil, nil, err
	}
	return trees, td, nil
}

// DecisionTreeRegressionModel is a fitted regression tree; it predicts
// the weighted mean label of the leaf a row falls in. Safe for concurrent
// use.
type DecisionTreeRegressionModel struct {
	P        DecisionTreeRegressorParams
	UID      string
	Tree     Tree
	Features int
}

var _ ml.Model = (*DecisionTreeRegressionModel)(nil)

// StageName returns "DecisionTreeRegressionModel".
func (m *DecisionTreeRegressionModel) StageName() string { return "DecisionTreeRegressionModel" }

// Params returns the params.
func (m *DecisionTreeRegressionModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the prediction.
func (m *DecisionTreeRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.RegressorSchema(in, m.P.PredictorCols)
}

// Transform adds the prediction column.
func (m *DecisionTreeRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Tree.Nodes) == 0 {
		return nil, errNoModel
	}
	return ml.TransformRegressor(ctx, f, m.P.PredictorCols, m.Features, sumOf(compileAll([]Tree{m.Tree}, 0, nil), nil))
}

// Predict returns the prediction for x.
func (m *DecisionTreeRegressionModel) Predict(x []float64) float64 { return m.Tree.Predict(x) }

// NumFeatures returns the number of features.
func (m *DecisionTreeRegressionModel) NumFeatures() int { return m.Features }

// FeatureImportances returns Spark's impurity-gain importances.
func (m *DecisionTreeRegressionModel) FeatureImportances() ml.Vector {
	return ml.Dense(featureImportances([]Tree{m.Tree}, m.Features, true)...)
}

// NumNodes returns the number of nodes, leaves included.
func (m *DecisionTreeRegressionModel) NumNodes() int { return m.Tree.NumNodes() }

// Depth returns the tree's depth.
func (m *DecisionTreeRegressionModel) Depth() int { return m.Tree.Depth() }

// String returns Spark's toString summary.
func (m *DecisionTreeRegressionModel) String() string {
	return fmt.Sprintf("DecisionTreeRegressionModel: uid=%s, depth=%d, numNodes=%d, numFeatures=%d", m.UID, m.Depth(), m.NumNodes(), m.Features)
}

// DebugString returns Spark's toDebugString.
func (m *DecisionTreeRegressionModel) DebugString() string {
	return treeDebugString(m.String(), &m.Tree)
}
