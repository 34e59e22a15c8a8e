package tuning

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/ml"
)

// javaHash is Java's String.hashCode, which Spark's default seeds use.
func javaHash(s string) int {
	var h int32
	for _, c := range s {
		h = 31*h + int32(c)
	}
	return int(h)
}

// split is one train/validation pair.
type split struct {
	train, valid *ml.Frame
}

// grid is what CrossValidator and TrainValidationSplit share: the
// estimator, the maps to try and the evaluator.
type grid struct {
	est  ml.Estimator
	maps []ParamMap
	eval ml.Evaluator
}

// check validates the grid without fitting: every map applies to the
// estimator, and every resulting estimator accepts schema sc. It returns
// the output schema of the first.
func (g grid) check(sc *arrow.Schema) (*arrow.Schema, error) {
	switch {
	case g.est == nil:
		return nil, errors.New("no Estimator set; set the estimator (a Pipeline or a single stage) to tune")
	case g.eval == nil:
		return nil, errors.New("no Evaluator set; set one, e.g. evaluation.NewBinaryClassificationEvaluator()")
	case len(g.maps) == 0:
		return nil, errors.New("estimatorParamMaps is empty; build them with NewParamGridBuilder (a grid with an empty value list builds none; Build() with no grids gives one map, the estimator as it is)")
	}
	if v, ok := g.eval.Params().(ml.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("evaluator %s: %w", g.eval.StageName(), err)
		}
	}
	var first *arrow.Schema
	for i, pm := range g.maps {
		est, err := pm.Apply(g.est)
		if err != nil {
			return nil, fmt.Errorf("estimatorParamMaps[%d]: %w", i, err)
		}
		out, err := est.TransformSchema(sc)
		if err != nil {
			return nil, fmt.Errorf("estimatorParamMaps[%d] %s: %w", i, pm, err)
		}
		if i == 0 {
			first = out
		}
	}
	return first, nil
}

// run fits every map on every split's training frame and evaluates it on
// the validation frame, at most parallelism fits at a time. It returns
// metrics[split][map] and, when collect is set, the models likewise.
// Results do not depend on parallelism.
func (g grid) run(ctx context.Context, splits []split, parallelism int, collect bool) ([][]float64, [][]ml.Model, error) {
	metrics := make([][]float64, len(splits))
	var models [][]ml.Model
	if collect {
		models = make([][]ml.Model, len(splits))
	}
	for i := range splits {
		metrics[i] = make([]float64, len(g.maps))
		if collect {
			models[i] = make([]ml.Model, len(g.maps))
		}
	}
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(max(1, parallelism))
	for i, sp := range splits {
		for j, pm := range g.maps {
			if ctx.Err() != nil {
				break
			}
			eg.Go(func() error {
				if err := ctx.Err(); err != nil {
					return err
				}
				where := fmt.Sprintf("estimatorParamMaps[%d] %s", j, pm)
				if len(splits) > 1 {
					where = fmt.Sprintf("fold %d, %s", i, where)
				}
				est, err := pm.Apply(g.est)
				if err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
				m, err := est.Fit(ctx, sp.train)
				if err != nil {
					return fmt.Errorf("%s: fit: %w", where, err)
				}
				pred, err := m.Transform(ctx, sp.valid)
				if err != nil {
					return fmt.Errorf("%s: transform the validation rows: %w", where, err)
				}
				v, err := g.eval.Evaluate(ctx, pred)
				if err != nil {
					return fmt.Errorf("%s: evaluate: %w", where, err)
				}
				metrics[i][j] = v
				if collect {
					models[i][j] = m
				}
				return nil
			})
		}
	}
	if err := eg.Wait(); err != nil {
		return nil, nil, err
	}
	return metrics, models, nil
}

// best returns the index of the best metric: the largest or smallest as
// the evaluator says, the first on ties (Spark's maxBy/minBy). NaN counts
// as worst (Spark would pick it when larger is better); all NaN is an error.
func best(metrics []float64, eval ml.Evaluator) (int, error) {
	bi := -1
	for i, m := range metrics {
		if math.IsNaN(m) {
			continue
		}
		if bi < 0 || (eval.IsLargerBetter() && m > metrics[bi]) || (!eval.IsLargerBetter() && m < metrics[bi]) {
			bi = i
		}
	}
	if bi < 0 {
		return 0, fmt.Errorf("every param map scored NaN with %s %s; pick a metric defined on this data (e.g. weightedFalsePositiveRate is NaN with a single label)", eval.StageName(), eval.MetricName())
	}
	return bi, nil
}

// fitBest fits the estimator with map pm on all of f.
func (g grid) fitBest(ctx context.Context, f *ml.Frame, idx int) (ml.Model, error) {
	est, err := g.maps[idx].Apply(g.est)
	if err != nil {
		return nil, fmt.Errorf("best estimatorParamMaps[%d]: %w", idx, err)
	}
	m, err := est.Fit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("fit the best estimatorParamMaps[%d] %s on all rows: %w", idx, g.maps[idx], err)
	}
	return m, nil
}
