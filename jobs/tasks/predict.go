package tasks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

// runMLTransform applies a model (a directory saved by `sluice ml fit
// --out`, an MLflow model directory or a model URI) to a table or query
// and writes every resulting column into a table. Values: table,
// version, rows, and model_version for registered models.
func (r *runners) runMLTransform(ctx context.Context, tc *jobs.TaskContext, out values) error {
	t := tc.Task.MLTransform
	into, mode, err := target(t.Into, t.Mode)
	if err != nil {
		return fmt.Errorf("ml_transform: %w", err)
	}
	eng, err := r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return err
	}
	st, res, err := r.loadStage(ctx, tc, "ml_transform", t.Model, stages.Registry(eng))
	if err != nil {
		return err
	}
	model, ok := st.(ml.Transformer)
	if !ok {
		return fmt.Errorf("ml_transform model %s holds an unfitted %s; fit it first (an ml_fit task, or sluice ml fit)", t.Model, st.StageName())
	}
	f, err := r.input(ctx, tc, "ml_transform", t.Table, t.Query)
	if err != nil {
		return err
	}
	start := time.Now()
	scored, err := model.Transform(ctx, f)
	if err != nil {
		return fmt.Errorf("ml_transform: apply %s: %w", t.Model, err)
	}
	return r.write(ctx, tc, out, "ml_transform", scored, into, mode, t.Model, res, start)
}

// runModelsPredict scores a table or query with an MLflow model (a
// models:/ or runs:/ URI, or a model directory) into a table holding the
// input's columns, the prediction and the Columns asked for (default:
// probability, when the model has it). Values: table, version, rows, and
// model_version for registered models.
func (r *runners) runModelsPredict(ctx context.Context, tc *jobs.TaskContext, out values) error {
	t := tc.Task.ModelsPredict
	into, mode, err := target(t.Into, t.Mode)
	if err != nil {
		return fmt.Errorf("models_predict: %w", err)
	}
	eng, err := r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return err
	}
	m, res, err := r.loadModel(ctx, tc, t.Model, stages.Registry(eng))
	if err != nil {
		return fmt.Errorf("models_predict: %w", err)
	}
	f, err := r.input(ctx, tc, "models_predict", t.Table, t.Query)
	if err != nil {
		return err
	}
	start := time.Now()
	scored, err := m.Score(ctx, f)
	if err != nil {
		return fmt.Errorf("models_predict: score with %s: %w", t.Model, err)
	}
	outputs := t.Columns
	if len(outputs) == 0 {
		if _, err := scored.Column("probability"); err == nil {
			outputs = []string{"probability"}
		}
	}
	if scored, err = models.SelectOutputs(f.Schema(), scored, m.PredictionCol, outputs); err != nil {
		return fmt.Errorf("models_predict columns: %w", err)
	}
	return r.write(ctx, tc, out, "models_predict", scored, into, mode, t.Model, res, start)
}

// target checks the table written to and the write mode (default
// overwrite).
func target(into, mode string) (table.Ident, string, error) {
	id, err := table.ParseIdent(into)
	if err != nil {
		return id, "", fmt.Errorf("into %q: %w", into, err)
	}
	switch mode {
	case "":
		mode = workspace.ModeOverwrite
	case workspace.ModeAppend, workspace.ModeOverwrite:
	default:
		return id, "", fmt.Errorf("mode %q: use overwrite (the default) or append", mode)
	}
	return id, mode, nil
}

// loadStage loads the fitted stage a task names: a directory saved by
// ml.Save (relative to the job file), or an MLflow model directory or URI
// (loadModel). Errors are prefixed with what, the task type.
func (r *runners) loadStage(ctx context.Context, tc *jobs.TaskContext, what, uri string, reg *ml.Registry) (ml.Stage, *models.Resolved, error) {
	if dir, ok := r.localRawModel(tc, uri); ok {
		st, err := ml.Load(dir, reg)
		if err != nil {
			return nil, nil, fmt.Errorf("%s model: %w", what, err)
		}
		return st, nil, nil
	}
	m, res, err := r.loadModel(ctx, tc, uri, reg)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return m.Pipeline, res, nil
}

// localRawModel reports whether uri is a local directory saved by ml.Save
// (no MLmodel file), returning its path.
func (r *runners) localRawModel(tc *jobs.TaskContext, uri string) (string, bool) {
	u, err := models.ParseURI(uri)
	if err != nil || u.Kind != models.KindLocal {
		return "", false
	}
	dir := abs(tc.Dir, u.Path)
	if _, err := os.Stat(filepath.Join(dir, models.MLmodelFile)); err == nil {
		return "", false
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", false // loadModel reports it
	}
	return dir, true
}

// loadModel resolves an MLflow model URI (local directories relative to
// the job file) and loads it.
func (r *runners) loadModel(ctx context.Context, tc *jobs.TaskContext, uri string, reg *ml.Registry) (*models.Model, *models.Resolved, error) {
	u, err := models.ParseURI(uri)
	if err != nil {
		return nil, nil, fmt.Errorf("model %q: %w", uri, err)
	}
	var res *models.Resolved
	if u.Kind == models.KindLocal {
		dir := abs(tc.Dir, u.Path)
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("model %s: directory %s does not exist; give a model URI (models:/NAME@ALIAS, runs:/RUN_ID/model) or a directory relative to the job file", uri, dir)
		}
		res = &models.Resolved{URI: u, Dir: dir}
	} else {
		if r.cfg.Models == nil {
			return nil, nil, fmt.Errorf("model %s: no model registry is configured to resolve it; give a model directory instead", uri)
		}
		if res, err = models.Resolve(ctx, uri, r.cfg.Models, r.cfg.modelCache()); err != nil {
			return nil, nil, fmt.Errorf("model %s: %w", uri, err)
		}
	}
	m, err := models.Load(ctx, res.Dir, reg)
	if err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", uri, err)
	}
	if res.Version != "" {
		logf(tc.Log, "model %s is %s version %s", uri, res.Name, res.Version)
	}
	return m, res, nil
}

// input reads the rows of a table or a query (substituted safely).
func (r *runners) input(ctx context.Context, tc *jobs.TaskContext, what, tableName, query string) (*ml.Frame, error) {
	switch {
	case tableName != "" && query != "":
		return nil, fmt.Errorf("%s: give table or query, not both", what)
	case tableName != "":
		id, err := table.ParseIdent(tableName)
		if err != nil {
			return nil, fmt.Errorf("%s table %q: %w", what, tableName, err)
		}
		f, err := r.cfg.Workspace.Frame(ctx, "SELECT * FROM "+table.QuoteIdent(id.Namespace)+"."+table.QuoteIdent(id.Name), nil)
		if err != nil {
			return nil, fmt.Errorf("%s: read table %s: %w", what, id, err)
		}
		return f, nil
	case query != "":
		q, err := spec.SubstituteSQL(query, tc.Vars)
		if err != nil {
			return nil, fmt.Errorf("%s query: %w", what, err)
		}
		f, err := r.cfg.Workspace.Frame(ctx, q, nil)
		if err != nil {
			return nil, fmt.Errorf("%s query: %w", what, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("%s: give the rows to score as table: NAME or query: SELECT …", what)
}

// write stores the scored rows and publishes the values.
func (r *runners) write(ctx context.Context, tc *jobs.TaskContext, out values, what string, scored *ml.Frame, into table.Ident, mode, model string, res *models.Resolved, start time.Time) error {
	scored, err := scored.StorableColumns()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	info, err := r.cfg.Workspace.WriteFrame(ctx, into, scored, mode)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	verb := "appended"
	if mode == workspace.ModeOverwrite {
		verb = "wrote"
	}
	logf(tc.Log, "%s %s scored by %s to %s (version %d) in %s", verb, plural(scored.NumRows(), "row"), model, into, info.Version, seconds(time.Since(start)))
	out.set("table", into.String())
	out.set("version", info.Version)
	out.set("rows", scored.NumRows())
	if res != nil && res.Version != "" {
		out.set("model_version", res.Version)
	}
	return nil
}
