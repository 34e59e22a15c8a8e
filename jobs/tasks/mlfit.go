package tasks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sluice-dev/sluice/jobs"
	mlspec "github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/mlrun"
)

// Tags ml_fit puts on the runs it logs.
const (
	TagJob   = "sluice.job"
	TagRunID = "sluice.run_id"
	TagTask  = "sluice.task"
)

// runMLFit fits a pipeline spec, logs it to tracking and publishes the
// run and model. Values: run_id, experiment_id, model_uri
// (models:/NAME/VERSION when registered, else runs:/RUN_ID/model),
// model_version (when registered), every metric by name (e.g.
// areaUnderROC; NaN as null), train_rows, test_rows, and cv_best_params
// (an object) when tuned. Without Config.Tracking the fit is not logged
// and only the metrics, row counts and cv_best_params are published.
func (r *runners) runMLFit(ctx context.Context, tc *jobs.TaskContext, out values) error {
	t := tc.Task.MLFit
	if t.Alias != "" && t.Register == "" {
		return errors.New("ml_fit alias needs register: NAME (the registered model the alias belongs to)")
	}
	if t.Register != "" && r.cfg.Tracking == nil {
		return fmt.Errorf("ml_fit register %s: no tracking server is configured to register the model in", t.Register)
	}
	path := abs(tc.Dir, t.Spec)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ml_fit spec %s: %s does not exist; the path is relative to the job file's directory", t.Spec, path)
	}
	sp, err := mlspec.ParseFile(path)
	if err != nil {
		return fmt.Errorf("ml_fit spec: %w", err)
	}
	eng, err := r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return err
	}
	plan, err := sp.Build(stages.Registry(eng))
	if err != nil {
		return err
	}
	logf(tc.Log, "fitting %s (%s)", t.Spec, specName(sp))
	var mu sync.Mutex // in case steps report from several goroutines
	res, err := plan.Run(ctx, r.cfg.Workspace, func(s string) {
		mu.Lock()
		defer mu.Unlock()
		logf(tc.Log, "  %s", s)
	})
	if err != nil {
		return fmt.Errorf("ml_fit %s: %w", t.Spec, err)
	}
	logFitResult(tc, res)

	out.set("train_rows", res.TrainRows)
	out.set("test_rows", res.TestRows)
	for name, v := range res.Metrics {
		out.set(name, finite(v))
	}
	if res.Tuning != nil && res.Tuning.BestIndex >= 0 && res.Tuning.BestIndex < len(res.Tuning.Results) {
		out.set("cv_best_params", res.Tuning.Results[res.Tuning.BestIndex].Params)
	}
	if r.cfg.Tracking == nil {
		logf(tc.Log, "not logged: no tracking server is configured")
		return nil
	}

	experiment := t.Experiment
	if experiment == "" {
		experiment = specName(sp)
	}
	runName := t.RunName
	if runName == "" {
		runName = fmt.Sprintf("%s-run%d-%s", tc.Job, tc.RunID, tc.Key)
	}
	logged, err := mlrun.LogFit(ctx, r.cfg.Tracking, mlrun.Options{
		Experiment: experiment, RunName: runName, Result: res, Plan: plan,
		SluiceVersion: r.cfg.SluiceVersion, RegisterModel: t.Register, Alias: t.Alias,
		Tags: map[string]string{TagJob: tc.Job, TagRunID: strconv.FormatInt(tc.RunID, 10), TagTask: tc.Key},
	})
	if err != nil {
		return fmt.Errorf("ml_fit: log the fit to tracking (experiment %s): %w", experiment, err)
	}
	out.set("run_id", logged.RunID)
	out.set("experiment_id", logged.ExperimentID)
	modelURI := logged.ModelURI
	if logged.ModelVersion != "" {
		modelURI = "models:/" + logged.ModelName + "/" + logged.ModelVersion
		out.set("model_version", logged.ModelVersion)
	}
	out.set("model_uri", modelURI)
	logf(tc.Log, "logged run %s in experiment %s (id %s)", logged.RunID, logged.Experiment, logged.ExperimentID)
	if n := len(logged.ChildRunIDs); n > 0 {
		logf(tc.Log, "  %d child runs, one per grid combination", n)
	}
	logf(tc.Log, "  model %s", logged.ModelURI)
	if logged.ModelVersion != "" {
		logf(tc.Log, "  registered %s", modelURI)
		if t.Alias != "" {
			logf(tc.Log, "  alias models:/%s@%s → version %s", logged.ModelName, t.Alias, logged.ModelVersion)
		}
	}
	return nil
}

// specName is the spec's name, else its file name without extension.
func specName(sp *mlspec.Spec) string {
	if sp.Name != "" {
		return sp.Name
	}
	base := filepath.Base(sp.File)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// finite is v, or nil (JSON null) for NaN and ±Inf.
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// logFitResult writes the fit's summary: the grid, the rows and metrics.
func logFitResult(tc *jobs.TaskContext, res *mlspec.Result) {
	if t := res.Tuning; t != nil {
		logf(tc.Log, "%s over %d combinations, %s (%s is better):", t.Method, len(t.Results), t.Metric,
			map[string]string{"better": "larger", "worse": "smaller"}[t.LargerIs])
		for i, c := range t.Results {
			keys := make([]string, 0, len(c.Params))
			for k := range c.Params {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			parts := make([]string, len(keys))
			for j, k := range keys {
				parts[j] = fmt.Sprintf("%s=%v", k, c.Params[k])
			}
			best := ""
			if i == t.BestIndex {
				best = "  best"
			}
			logf(tc.Log, "  %2d  %s  mean %.4f  std %.4f%s", i+1, strings.Join(parts, " "), c.Mean, c.Std, best)
		}
	}
	logf(tc.Log, "input rows %d, training rows %d, test rows %d, fit %.2fs", res.InputRows, res.TrainRows, res.TestRows, res.FitSeconds)
	names := make([]string, 0, len(res.Metrics))
	for k := range res.Metrics {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		logf(tc.Log, "  %s %s = %.4f", res.MetricsOn, k, res.Metrics[k])
	}
}
