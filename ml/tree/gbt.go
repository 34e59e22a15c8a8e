package tree

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// GBTClassifierParams are GBTClassifier's params (Spark's names and
// defaults).
type GBTClassifierParams struct {
	ml.ClassifierCols
	TreeParams
	BoostParams
	LossType   string    `param:"lossType" doc:"loss minimized: logistic (the only one)"`
	Thresholds []float64 `param:"thresholds" doc:"per-class thresholds: the predicted class maximizes p/threshold; empty for argmax"`
	// RegLambda is not a Spark param: Spark's boosting has no
	// regularization of leaf values.
	RegLambda float64 `param:"regLambda" doc:"L2 regularization of the Newton leaf values (xgboost's lambda): leaves hold -G/(H+regLambda); 0 turns it off (not a Spark param)"`
}

// Validate checks the params and names the bad one.
func (p GBTClassifierParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if err := p.TreeParams.Validate(); err != nil {
		return err
	}
	if err := p.BoostParams.Validate(); err != nil {
		return err
	}
	if p.LossType != "logistic" {
		return fmt.Errorf("lossType = %q; GBTClassifier supports logistic", p.LossType)
	}
	if !(p.RegLambda >= 0) || math.IsInf(p.RegLambda, 1) {
		return fmt.Errorf("regLambda = %v; use 0 or more", p.RegLambda)
	}
	return nil
}

// GBTClassifier learns gradient-boosted trees for binary labels 0 and 1
// with the logistic loss, named and parametrized like Spark's
// GBTClassifier.
//
// Each round fits a tree by Newton boosting, like xgboost and
// scikit-learn's HistGradientBoosting: splits maximize
// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) over gradient and hessian
// histograms and leaves hold −G/(H+λ), where λ is regLambda (default 1,
// xgboost's; not a Spark param). Boosting starts from the log-odds of the
// positive rate. The model keeps Spark's conventions: with margin
// F = Σ treeWeight·tree(x), rawPrediction is [−F, F] and
// P(1) = 1/(1+exp(−2F)) (Spark's LogLoss with labels ±1), so the margin
// is half the log-odds. The first tree has weight 1 and includes the
// initial score; the others have weight stepSize.
type GBTClassifier struct {
	P GBTClassifierParams
}

var _ ml.Estimator = (*GBTClassifier)(nil)

// NewGBTClassifier returns a GBTClassifier with Spark's defaults: maxIter
// 20, stepSize 0.1, maxDepth 5, maxBins 32, subsamplingRate 1,
// featureSubsetStrategy all, validationTol 0.01; and regLambda 1.
func NewGBTClassifier() *GBTClassifier {
	return &GBTClassifier{P: GBTClassifierParams{
		ClassifierCols: ml.DefaultClassifierCols(), TreeParams: defaultTreeParams(seedGBTClassifier),
		BoostParams: defaultBoostParams(), LossType: "logistic", Thresholds: []float64{}, RegLambda: 1,
	}}
}

// StageName returns "GBTClassifier".
func (e *GBTClassifier) StageName() string { return "GBTClassifier" }

// Params returns the params.
func (e *GBTClassifier) Params() any { return &e.P }

// TransformSchema checks the params and the features column and adds the
// prediction columns.
func (e *GBTClassifier) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.ClassifierSchema(in, e.P.ClassifierCols)
}

// Fit boosts the trees. Labels must be 0 or 1. With
// validationIndicatorCol set, rows marked true are held out and boosting
// stops when their error stops improving (Spark's rule), keeping the
// trees up to the best round. ctx cancels the fit between rounds.
func (e *GBTClassifier) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := e.P
	trees, weights, td, err := fitBoost(ctx, f, p.PredictorCols, p.TreeParams, p.BoostParams, logLoss, p.RegLambda, func(d *ml.Dataset) error {
		k, err := ml.ClassCount(f, p.LabelCol, d.Y)
		if err != nil {
			return err
		}
		if k > 2 {
			return fmt.Errorf("GBTClassifier supports binary labels 0 and 1 only, but label column %s has %d classes; use RandomForestClassifier or OneVsRest for more classes", p.LabelCol, k)
		}
		return ml.ValidateThresholds(p.Thresholds, 2)
	})
	if err != nil {
		return nil, err
	}
	return &GBTClassificationModel{P: p, UID: newUID(e.StageName()), Trees: trees, TreeWeights: weights, Features: td.d.D}, nil
}

// fitBoost is the shared fit of GBTClassifier and GBTRegressor; check
// vets the labels.
func fitBoost(ctx context.Context, f *ml.Frame, cols ml.PredictorCols, tp TreeParams, bp BoostParams, l loss, lambda float64, check func(d *ml.Dataset) error) ([]Tree, []float64, *trainingData, error) {
	workers := defaultWorkers()
	var valid []int32
	var split func(d *ml.Dataset) ([]int32, error)
	if bp.ValidationIndicatorCol != "" {
		split = func(d *ml.Dataset) ([]int32, error) {
			train, v, err := validationRows(f, bp.ValidationIndicatorCol)
			valid = v
			return train, err
		}
	}
	td, err := loadTraining(ctx, f, cols, tp, split, workers)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := check(td.d); err != nil {
		return nil, nil, nil, err
	}
	subset, err := featuresPerNode(bp.FeatureSubsetStrategy, td.d.D, 1, false)
	if err != nil {
		return nil, nil, nil, err
	}
	spec := boostSpec{
		loss: l, maxIter: bp.MaxIter, step: bp.StepSize, rate: bp.SubsamplingRate,
		cfg: td.growConfig(tp, subset), seed: int64(tp.Seed), validate: len(valid) > 0, tol: bp.ValidationTol, lambda: lambda, workers: workers,
	}
	trees, weights, err := boost(ctx, td, valid, spec)
	if err != nil {
		return nil, nil, nil, err
	}
	return trees, weights, td, nil
}

// GBTClassificationModel is a fitted boosted classifier: rawPrediction
// [−F, F] and probability [1−p, p] with p = 1/(1+exp(−2F)) for margin
// F = Σ TreeWeights[i]·Trees[i](x). Safe for concurrent use.
type GBTClassificationModel struct {
	P           GBTClassifierParams
	UID         string
	Trees       []Tree
	TreeWeights []float64
	Features    int
}

var (
	_ ml.Model            = (*GBTClassificationModel)(nil)
	_ ml.ClassifierKernel = (*GBTClassificationModel)(nil)
)

// StageName returns "GBTClassificationModel".
func (m *GBTClassificationModel) StageName() string { return "GBTClassificationModel" }

// Params returns the params.
func (m *GBTClassificationModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the prediction
// columns.
func (m *GBTClassificationModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.P.ClassifierCols)
}

// Transform adds rawPrediction, probability and prediction.
func (m *GBTClassificationModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Trees) == 0 {
		return nil, errNoModel
	}
	if err := ml.ValidateThresholds(m.P.Thresholds, 2); err != nil {
		return nil, err
	}
	if len(m.TreeWeights) != len(m.Trees) {
		return nil, fmt.Errorf("the model has %d trees and %d tree weights; refit or reload it", len(m.Trees), len(m.TreeWeights))
	}
	k := &treeKernel{trees: compileAll(m.Trees, 0, nil), weights: m.TreeWeights, classes: 2, features: m.Features, margin: true}
	return ml.TransformClassifier(ctx, f, m.P.ClassifierCols, m.P.Thresholds, k)
}

// NumClasses returns 2.
func (m *GBTClassificationModel) NumClasses() int { return 2 }

// NumFeatures returns the number of features.
func (m *GBTClassificationModel) NumFeatures() int { return m.Features }

// Margin returns F = Σ TreeWeights[i]·Trees[i](x), half the log-odds of
// class 1.
func (m *GBTClassificationModel) Margin(x []float64) float64 {
	return ensembleSum(m.Trees, m.TreeWeights, x)
}

func ensembleSum(trees []Tree, weights []float64, x []float64) float64 {
	s := 0.0
	for i := range trees {
		s += weights[i] * trees[i].Predict(x)
	}
	return s
}

// PredictRaw writes [−F, F].
func (m *GBTClassificationModel) PredictRaw(x, raw []float64) {
	f := m.Margin(x)
	raw[0], raw[1] = -f, f
}

// RawToProbability writes [1−p, p] with p = 1/(1+exp(−2F)).
func (m *GBTClassificationModel) RawToProbability(raw, prob []float64) bool {
	p := 1 / (1 + math.Exp(-2*raw[1]))
	prob[0], prob[1] = 1-p, p
	return true
}

// FeatureImportances returns Spark's boosted-tree importances: the trees'
// gain importances summed without per-tree normalization, then
// normalized.
func (m *GBTClassificationModel) FeatureImportances() ml.Vector {
	return ml.Dense(featureImportances(m.Trees, m.Features, false)...)
}

// TotalNumNodes returns the number of nodes over all trees.
func (m *GBTClassificationModel) TotalNumNodes() int { return totalNodes(m.Trees) }

// String returns Spark's toString summary.
func (m *GBTClassificationModel) String() string {
	return fmt.Sprintf("GBTClassificationModel: uid = %s, numTrees=%d, numClasses=2, numFeatures=%d", m.UID, len(m.Trees), m.Features)
}

// DebugString returns Spark's toDebugString: the summary and every tree
// with its weight.
func (m *GBTClassificationModel) DebugString() string {
	return ensembleDebugString(m.String(), m.Trees, m.TreeWeights)
}

// GBTRegressorParams are GBTRegressor's params.
type GBTRegressorParams struct {
	ml.PredictorCols
	TreeParams
	BoostParams
	LossType string `param:"lossType" doc:"loss minimized: squared or absolute"`
}

// Validate checks the params and names the bad one.
func (p GBTRegressorParams) Validate() error {
	if err := p.PredictorCols.Validate(); err != nil {
		return err
	}
	if err := p.TreeParams.Validate(); err != nil {
		return err
	}
	if err := p.BoostParams.Validate(); err != nil {
		return err
	}
	if p.LossType != "squared" && p.LossType != "absolute" {
		return fmt.Errorf("lossType = %q; use squared or absolute", p.LossType)
	}
	return nil
}

// GBTRegressor learns gradient-boosted regression trees, named and
// parametrized like Spark's GBTRegressor. Boosting starts from the
// weighted mean (squared loss) or median (absolute loss) label. Each
// tree fits the residuals (squared) or their signs (absolute) with
// variance splits; squared-loss leaves step by the mean residual (Spark's
// tree fits the gradient 2·residual, so the same stepSize moves twice as
// far there) and absolute-loss leaves by the weighted median residual
// (as scikit-learn does; Spark uses the mean sign).
type GBTRegressor struct {
	P GBTRegressorParams
}

var _ ml.Estimator = (*GBTRegressor)(nil)

// NewGBTRegressor returns a GBTRegressor with Spark's defaults (lossType
// squared).
func NewGBTRegressor() *GBTRegressor {
	return &GBTRegressor{P: GBTRegressorParams{
		PredictorCols: ml.DefaultPredictorCols(), TreeParams: defaultTreeParams(seedGBTRegressor),
		BoostParams: defaultBoostParams(), LossType: "squared",
	}}
}

// StageName returns "GBTRegressor".
func (e *GBTRegressor) StageName() string { return "GBTRegressor" }

// Params returns the params.
func (e *GBTRegressor) Params() any { return &e.P }

// TransformSchema checks the params and features column and adds the
// prediction column.
func (e *GBTRegressor) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := e.P.Validate(); err != nil {
		return nil, err
	}
	return ml.RegressorSchema(in, e.P.PredictorCols)
}

// Fit boosts the trees; see GBTClassifier.Fit for early stopping. ctx
// cancels the fit between rounds.
func (e *GBTRegressor) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := e.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	p := e.P
	l := squaredLoss
	if p.LossType == "absolute" {
		l = absoluteLoss
	}
	trees, weights, td, err := fitBoost(ctx, f, p.PredictorCols, p.TreeParams, p.BoostParams, l, 0, func(*ml.Dataset) error { return nil })
	if err != nil {
		return nil, err
	}
	return &GBTRegressionModel{P: p, UID: newUID(e.StageName()), Trees: trees, TreeWeights: weights, Features: td.d.D}, nil
}

// GBTRegressionModel is a fitted boosted regressor predicting
// Σ TreeWeights[i]·Trees[i](x). Safe for concurrent use.
type GBTRegressionModel struct {
	P           GBTRegressorParams
	UID         string
	Trees       []Tree
	TreeWeights []float64
	Features    int
}

var _ ml.Model = (*GBTRegressionModel)(nil)

// StageName returns "GBTRegressionModel".
func (m *GBTRegressionModel) StageName() string { return "GBTRegressionModel" }

// Params returns the params.
func (m *GBTRegressionModel) Params() any { return &m.P }

// TransformSchema checks the features column and adds the prediction.
func (m *GBTRegressionModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.RegressorSchema(in, m.P.PredictorCols)
}

// Transform adds the prediction column.
func (m *GBTRegressionModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if len(m.Trees) == 0 {
		return nil, errNoModel
	}
	if len(m.TreeWeights) != len(m.Trees) {
		return nil, fmt.Errorf("the model has %d trees and %d tree weights; refit or reload it", len(m.Trees), len(m.TreeWeights))
	}
	return ml.TransformRegressor(ctx, f, m.P.PredictorCols, m.Features, sumOf(compileAll(m.Trees, 0, nil), m.TreeWeights))
}

// Predict returns Σ TreeWeights[i]·Trees[i](x).
func (m *GBTRegressionModel) Predict(x []float64) float64 {
	return ensembleSum(m.Trees, m.TreeWeights, x)
}

// NumFeatures returns the number of features.
func (m *GBTRegressionModel) NumFeatures() int { return m.Features }

// FeatureImportances returns Spark's boosted-tree importances.
func (m *GBTRegressionModel) FeatureImportances() ml.Vector {
	return ml.Dense(featureImportances(m.Trees, m.Features, false)...)
}

// TotalNumNodes returns the number of nodes over all trees.
func (m *GBTRegressionModel) TotalNumNodes() int { return totalNodes(m.Trees) }

// String returns Spark's toString summary.
func (m *GBTRegressionModel) String() string {
	return fmt.Sprintf("GBTRegressionModel: uid=%s, numTrees=%d, numFeatures=%d", m.UID, len(m.Trees), m.Features)
}

// DebugString returns Spark's toDebugString.
func (m *GBTRegressionModel) DebugString() string {
	return ensembleDebugString(m.String(), m.Trees, m.TreeWeights)
}
