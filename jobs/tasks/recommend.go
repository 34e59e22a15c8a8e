package tasks

import (
	"context"

	"fmt"
	"github.com/apache/arrow-go/v18/arrow/array"
	"time"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/recommendation"
	"github.com/sluice-dev/sluice/ml/stages"
)

// runMLRecommend writes the top K recommendations of the ALS model in a
// model (a directory or URI) for all users or items, or those the ids
// query selects, into a table. Values: table, version, rows, users (or
// items), and model_version for registered models.
func (r *runners) runMLRecommend(ctx context.Context, tc *jobs.TaskContext, out values) error {
	t := tc.Task.MLRecommend
	into, mode, err := target(t.Into, t.Mode)
	if err != nil {
		return fmt.Errorf("ml_recommend: %w", err)
	}
	eng, err := r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return err
	}
	root, res, err := r.loadStage(ctx, tc, "ml_recommend", t.Model, stages.Registry(eng))
	if err != nil {
		return err
	}
	als, ok := ml.Find[*recommendation.ALSModel](root)
	if !ok {
		return fmt.Errorf("ml_recommend: model %s (%s) holds no ALS model; fit one with the ALS stage", t.Model, root.StageName())
	}
	opts := recommendation.RecommendOptions{K: t.K, ForItems: t.For == "items"}
	if opts.K == 0 {
		opts.K = 10
	}
	who := "users"
	if opts.ForItems {
		who = "items"
	}
	if t.IDs != "" {
		f, err := r.input(ctx, tc, "ml_recommend ids", "", t.IDs)
		if err != nil {
			return err
		}
		if opts.IDs, err = recommendation.IDColumn(ctx, f, ""); err != nil {
			return fmt.Errorf("ml_recommend ids: %w", err)
		}
	}
	start := time.Now()
	recs, err := als.Recommend(ctx, opts)
	if err != nil {
		return fmt.Errorf("ml_recommend: %w", err)
	}
	if err := r.write(ctx, tc, out, "ml_recommend", recs, into, mode, t.Model, res, start); err != nil {
		return err
	}
	n, err := distinctLeading(recs)
	if err != nil {
		return fmt.Errorf("ml_recommend: %w", err)
	}
	out.set(who, n)
	return nil
}

// distinctLeading counts the runs of equal values in recs's first column
// (Recommend groups the rows of each user or item together).
func distinctLeading(recs *ml.Frame) (int64, error) {
	col, err := recs.Column(recs.Schema().Field(0).Name)
	if err != nil {
		return 0, err
	}
	var n int64
	var prev int32
	for _, ch := range col.Chunks() {
		a, ok := ch.(*array.Int32)
		if !ok {
			return 0, fmt.Errorf("recommendations' first column is %s, want int32", ch.DataType())
		}
		for i, v := range a.Int32Values() {
			if (n == 0 && i == 0) || v != prev {
				n++
			}
			prev = v
		}
	}
	return n, nil
}
