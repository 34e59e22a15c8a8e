package tuning

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// CrossValidatorParams are CrossValidator's simple params, with Spark's
// names and defaults. (Spark's estimator, evaluator and
// estimatorParamMaps params are fields of CrossValidator.)
type CrossValidatorParams struct {
	NumFolds         int    `param:"numFolds" doc:"number of folds, >= 2"`
	Seed             int    `param:"seed" doc:"random seed of the fold assignment"`
	Parallelism      int    `param:"parallelism" doc:"number of models fitted at once, >= 1"`
	FoldCol          string `param:"foldCol" doc:"integer column of fold ids in [0, numFolds) to use instead of random folds; empty: random"`
	CollectSubModels bool   `param:"collectSubModels" doc:"keep the model of every fold and param map (memory grows with both)"`
}

// Validate checks the params.
func (p CrossValidatorParams) Validate() error {
	switch {
	case p.NumFolds < 2:
		return fmt.Errorf("numFolds = %d; want 2 or more (3 is Spark's default)", p.NumFolds)
	case p.Parallelism < 1:
		return fmt.Errorf("parallelism = %d; want 1 or more", p.Parallelism)
	}
	return nil
}

// CrossValidator is Spark's CrossValidator: k-fold cross-validation of
// an estimator over a grid of param maps, picking the map with the best
// average metric and refitting it on all rows.
//
// Folds: without foldCol every row draws u uniform in [0, 1) from
// ml.NewRand(seed), in row order, and belongs to fold ⌊u·numFolds⌋, like
// Spark's kFold (random fold sizes, no stratification); the same seed and
// row order give the same folds. With foldCol the column's integer ids
// decide, and the column is dropped from the fold frames (as Spark).
//
// Fit fits numFolds × len(EstimatorParamMaps) models on copies of
// Estimator (Estimator itself is never changed), at most parallelism at a
// time; with parallelism > 1 the Estimator's Fit and the Evaluator must be
// safe for concurrent use (Sluice's are). Results do not depend on
// parallelism.
type CrossValidator struct {
	P CrossValidatorParams
	// Estimator is what is tuned: a Pipeline or a single estimator.
	Estimator ml.Estimator
	// EstimatorParamMaps are the param combinations to try (see
	// ParamGridBuilder); at least one.
	EstimatorParamMaps []ParamMap
	// Evaluator scores each fitted model on its validation fold.
	Evaluator ml.Evaluator

	reg *ml.Registry // set by Register; Load needs it for the evaluator
}

var _ ml.Estimator = (*CrossValidator)(nil)

// NewCrossValidator returns a CrossValidator with Spark's defaults:
// numFolds 3, seed -1191137437 (Spark's: the hash of its class name),
// parallelism 1, no foldCol, collectSubModels false. Set Estimator,
// EstimatorParamMaps and Evaluator before Fit.
func NewCrossValidator() *CrossValidator {
	return &CrossValidator{P: CrossValidatorParams{
		NumFolds: 3, Seed: javaHash("org.apache.spark.ml.tuning.CrossValidator"), Parallelism: 1,
	}}
}

// StageName returns "CrossValidator".
func (cv *CrossValidator) StageName() string { return "CrossValidator" }

// Params returns the params.
func (cv *CrossValidator) Params() any { return &cv.P }

func (cv *CrossValidator) grid() grid {
	return grid{est: cv.Estimator, maps: cv.EstimatorParamMaps, eval: cv.Evaluator}
}

// TransformSchema checks the params, the fold column and that every
// param map applies to the estimator and accepts the input; it returns
// the output schema of the first map's estimator.
func (cv *CrossValidator) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if err := cv.P.Validate(); err != nil {
		return nil, err
	}
	sc := in
	if cv.P.FoldCol != "" {
		f, err := ml.FieldOf(in, cv.P.FoldCol)
		if err != nil {
			return nil, fmt.Errorf("foldCol: %w", err)
		}
		if !isInteger(f.Type) {
			return nil, fmt.Errorf("foldCol %q has type %s; want an integer column of fold ids 0 … %d", cv.P.FoldCol, f.Type, cv.P.NumFolds-1)
		}
		if sc, err = dropField(in, cv.P.FoldCol); err != nil {
			return nil, err
		}
	}
	return cv.grid().check(sc)
}

// Fit cross-validates and returns a CrossValidatorModel whose BestModel
// is the best map's estimator fitted on all of f. Errors name the fold
// and param map that failed; ctx cancels the fits in flight and those not
// started.
func (cv *CrossValidator) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	if _, err := cv.TransformSchema(f.Schema()); err != nil {
		return nil, fmt.Errorf("%s: %w", cv.StageName(), err)
	}
	splits, err := cv.splits(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cv.StageName(), err)
	}
	g := cv.grid()
	metrics, models, err := g.run(ctx, splits, cv.P.Parallelism, cv.P.CollectSubModels)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cv.StageName(), err)
	}
	avg, std := meanStd(metrics)
	bi, err := best(avg, g.eval)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cv.StageName(), err)
	}
	bm, err := g.fitBest(ctx, f, bi)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cv.StageName(), err)
	}
	return &CrossValidatorModel{
		P: cv.P, BestModel: bm, AvgMetrics: avg, StdMetrics: std, FoldMetrics: metrics, BestIndex: bi,
		SubModels: models, Estimator: cv.Estimator, EstimatorParamMaps: cv.EstimatorParamMaps,
		Evaluator: cv.Evaluator, reg: cv.reg,
	}, nil
}

// meanStd returns, per map, the mean over folds and the population
// standard deviation (divided by numFolds, as PySpark's stdMetrics).
func meanStd(metrics [][]float64) (avg, std []float64) {
	k := float64(len(metrics))
	avg, std = make([]float64, len(metrics[0])), make([]float64, len(metrics[0]))
	for j := range avg {
		for i := range metrics {
			avg[j] += metrics[i][j]
		}
		avg[j] /= k
		for i := range metrics {
			d := metrics[i][j] - avg[j]
			std[j] += d * d
		}
		std[j] = math.Sqrt(std[j] / k)
	}
	return avg, std
}

// FoldIDs returns the random fold (0 … numFolds-1) of each of n rows for
// seed, as CrossValidator assigns them without foldCol.
func FoldIDs(n, numFolds int, seed int64) []int {
	rng := ml.NewRand(seed)
	ids := make([]int, n)
	for i := range ids {
		ids[i] = min(int(rng.Float64()*float64(numFolds)), numFolds-1)
	}
	return ids
}

func (cv *CrossValidator) splits(ctx context.Context, f *ml.Frame) ([]split, error) {
	k := cv.P.NumFolds
	var ids []int
	src := f
	if cv.P.FoldCol == "" {
		ids = FoldIDs(int(f.NumRows()), k, int64(cv.P.Seed))
	} else {
		var err error
		if ids, err = foldColumn(f, cv.P.FoldCol, k); err != nil {
			return nil, err
		}
		names := ml.ColumnNames(f.Schema())
		keep := names[:0:0]
		for _, n := range names {
			if n != cv.P.FoldCol {
				keep = append(keep, n)
			}
		}
		if src, err = f.Select(keep...); err != nil {
			return nil, err
		}
	}
	counts := make([]int, k)
	for _, id := range ids {
		counts[id]++
	}
	out := make([]split, k)
	for fold := range k {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if counts[fold] == 0 || counts[fold] == len(ids) {
			what := "no rows"
			if counts[fold] != 0 {
				what = "every row, leaving none to train on"
			}
			hint := "use fewer folds or more rows"
			if cv.P.FoldCol != "" {
				hint = fmt.Sprintf("give column %s ids 0 … %d, each on some rows", cv.P.FoldCol, k-1)
			}
			return nil, fmt.Errorf("fold %d of %d has %s (%d rows in all); %s", fold, k, what, len(ids), hint)
		}
		inFold := make([]bool, len(ids))
		notIn := make([]bool, len(ids))
		for i, id := range ids {
			inFold[i], notIn[i] = id == fold, id != fold
		}
		var err error
		if out[fold].train, err = src.Filter(ctx, notIn); err != nil {
			return nil, err
		}
		if out[fold].valid, err = src.Filter(ctx, inFold); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func isInteger(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func dropField(sc *arrow.Schema, name string) (*arrow.Schema, error) {
	var fields []arrow.Field
	for _, f := range sc.Fields() {
		if f.Name != name {
			fields = append(fields, f)
		}
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// foldColumn reads integer fold ids, each in [0, k).
func foldColumn(f *ml.Frame, col string, k int) ([]int, error) {
	c, err := f.Column(col)
	if err != nil {
		return nil, fmt.Errorf("foldCol: %w", err)
	}
	arr, err := ml.Flatten(c)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	vals, _, err := ml.Float64s(arr)
	if err != nil {
		return nil, fmt.Errorf("foldCol %s: %w", col, err)
	}
	ids := make([]int, len(vals))
	for i, v := range vals {
		if arr.IsNull(i) {
			return nil, fmt.Errorf("column %s, row %d: fold id is NULL; give every row a fold id 0 … %d", col, i+1, k-1)
		}
		if v < 0 || v >= float64(k) {
			return nil, fmt.Errorf("column %s, row %d: fold id %v is outside [0, %d); numFolds is %d", col, i+1, v, k, k)
		}
		ids[i] = int(v)
	}
	return ids, nil
}

// CrossValidatorModel is a fitted CrossValidator: the best model, fitted
// on all rows, and the metrics of every param map. Transform delegates to
// BestModel.
type CrossValidatorModel struct {
	P CrossValidatorParams
	// BestModel is the estimator with EstimatorParamMaps[BestIndex], fitted
	// on all rows.
	BestModel ml.Model
	// AvgMetrics[j] is map j's metric averaged over the folds.
	AvgMetrics []float64
	// StdMetrics[j] is the population standard deviation of map j's fold
	// metrics (PySpark's stdMetrics).
	StdMetrics []float64
	// FoldMetrics[i][j] is map j's metric on fold i.
	FoldMetrics [][]float64
	BestIndex   int
	// SubModels[i][j] is map j's model fitted without fold i, when
	// collectSubModels was set; else nil.
	SubModels [][]ml.Model
	// What was tuned; kept for Results and saved with the model.
	Estimator          ml.Estimator
	EstimatorParamMaps []ParamMap
	Evaluator          ml.Evaluator

	reg *ml.Registry
}

var _ ml.Model = (*CrossValidatorModel)(nil)

// StageName returns "CrossValidatorModel".
func (m *CrossValidatorModel) StageName() string { return "CrossValidatorModel" }

// Params returns the params.
func (m *CrossValidatorModel) Params() any { return &m.P }

// TransformSchema is BestModel's.
func (m *CrossValidatorModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if m.BestModel == nil {
		return nil, errors.New("CrossValidatorModel has no best model; fit a CrossValidator or load a saved model")
	}
	return m.BestModel.TransformSchema(in)
}

// Transform applies BestModel.
func (m *CrossValidatorModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	if _, err := m.TransformSchema(f.Schema()); err != nil {
		return nil, err
	}
	return m.BestModel.Transform(ctx, f)
}

// Results returns every param map's values and metrics; see Result.
func (m *CrossValidatorModel) Results() Result {
	r := newResult("CrossValidator", m.Evaluator, m.Estimator, m.EstimatorParamMaps, m.AvgMetrics, m.BestIndex)
	r.NumFolds = len(m.FoldMetrics)
	for j := range r.Rows {
		if j < len(m.StdMetrics) {
			std := m.StdMetrics[j]
			r.Rows[j].Std = &std
		}
		for i := range m.FoldMetrics {
			r.Rows[j].FoldMetrics = append(r.Rows[j].FoldMetrics, m.FoldMetrics[i][j])
		}
	}
	return r
}

// Children returns the best model (ml.StageContainer).
func (m *CrossValidatorModel) Children() []ml.Stage {
	if m.BestModel == nil {
		return nil
	}
	return []ml.Stage{m.BestModel}
}
