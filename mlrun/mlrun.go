package mlrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
)

// DefaultExperiment is the experiment runs go to when Options.Experiment
// is empty: MLflow's "Default" (id 0).
const DefaultExperiment = "Default"

// ModelArtifactPath is the artifact path the model directory is logged
// under, as MLflow's log_model default.
const ModelArtifactPath = "model"

// MLflow's system tags.
const (
	TagSourceName = "mlflow.source.name"
	TagSourceType = "mlflow.source.type"
	TagUser       = "mlflow.user"
	TagGitCommit  = "mlflow.source.git.commit"
	TagRunName    = "mlflow.runName"
	TagParentRun  = "mlflow.parentRunId"
	TagLogModel   = "mlflow.log-model.history"
	TagDataCtx    = "mlflow.data.context"

	TagSluiceVersion = "sluice.version"
	TagSpecName      = "sluice.spec"
	TagTuning        = "sluice.tuning.method"
	TagBest          = "sluice.tuning.best"
)

// Options says what LogFit logs and where.
type Options struct {
	// Experiment is the experiment's name (default DefaultExperiment); it
	// is created when missing.
	Experiment string
	// RunName names the run (default: the spec's name, else its file name
	// without extension, else "fit").
	RunName string
	// Result is what fitting produced: the model, metrics and tuning
	// results. Required.
	Result *spec.Result
	// Plan is the built spec; when set, params are the ones the spec sets
	// explicitly ("Stage.param"), the grid's keys follow the stage names,
	// and the input and test sources are logged as datasets. Without it,
	// every param of every fitted stage is logged.
	Plan *spec.Plan
	// InputSchema is the schema of the rows the model takes, for the
	// model's signature and the datasets' schema (default: derived from
	// Result.Predictions by dropping the columns the model adds).
	InputSchema *arrow.Schema
	// Tags are extra run tags (they win over the system tags).
	Tags map[string]string
	// User is mlflow.user and the run's user_id (default: the OS user).
	User string
	// SluiceVersion is logged as the sluice.version tag when set.
	SluiceVersion string
	// RegisterModel, when set, registers the logged model under this name
	// (created when missing) as a new version.
	RegisterModel string
	// Alias, with RegisterModel, points this alias (e.g. "champion") at
	// the new version.
	Alias string
	// Model tunes the saved model directory (models.Save's options);
	// RunID, ArtifactPath and, when unset, SluiceVersion and Example (the
	// first scored rows' input columns) are filled in by LogFit.
	Model models.Options
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Logged is what LogFit created.
type Logged struct {
	Experiment   string   `json:"experiment"`
	ExperimentID string   `json:"experiment_id"`
	RunID        string   `json:"run_id"`
	ArtifactURI  string   `json:"artifact_uri"`
	ModelURI     string   `json:"model_uri"` // runs:/RUN_ID/model
	ChildRunIDs  []string `json:"child_run_ids,omitempty"`
	// Set when the model was registered.
	ModelName    string `json:"registered_model,omitempty"`
	ModelVersion string `json:"model_version,omitempty"`
	// RegisteredURI is models:/NAME/VERSION (or models:/NAME@ALIAS with
	// an alias).
	RegisteredURI string `json:"registered_model_uri,omitempty"`
}

// LogFit logs a fitted spec to the tracking server c talks to: a run in
// opts.Experiment with params, metrics, tags, input datasets and the
// model directory (artifact path "model"); for a tuned fit the run is a
// parent with one child run per grid combination (params of the
// combination, metrics avg_<metric> and, for CrossValidator,
// std_<metric>). With RegisterModel, the model becomes a new registered
// version (and Alias points at it).
//
// The run ends FINISHED; if logging fails midway, LogFit marks the runs
// it created FAILED (best effort) and returns the error, with what was
// created so far in Logged. ctx bounds every call. Errors from the server
// are *apierr.Error.
func LogFit(ctx context.Context, c *mlflowclient.Client, opts Options) (*Logged, error) {
	res := opts.Result
	if res == nil || res.Model == nil {
		return nil, apierr.Invalid("log fit: no fitted model to log")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.Alias != "" && opts.RegisterModel == "" {
		return nil, apierr.Invalid("log fit: alias %q needs a registered model name", opts.Alias).WithHint("pass --register NAME with --alias")
	}
	expName := opts.Experiment
	if expName == "" {
		expName = DefaultExperiment
	}
	expID, err := c.GetOrCreateExperiment(ctx, expName)
	if err != nil {
		return nil, fmt.Errorf("experiment %q: %w", expName, err)
	}
	lg := &Logged{Experiment: expName, ExperimentID: expID}
	input := opts.InputSchema
	if input == nil {
		input = deriveInputSchema(res)
	}
	l := &logger{c: c, opts: opts, now: now, lg: lg, input: input}
	if err := l.log(ctx, expID); err != nil {
		l.failOpen()
		return lg, err
	}
	return lg, nil
}

// logger holds one LogFit's state.
type logger struct {
	c     *mlflowclient.Client
	opts  Options
	now   func() time.Time
	lg    *Logged
	input *arrow.Schema
	open  []string // runs created and not yet ended
}

func (l *logger) ms() int64 { return l.now().UnixMilli() }

func (l *logger) log(ctx context.Context, expID string) error {
	res, pl := l.opts.Result, l.opts.Plan
	runName := l.runName()
	tags := l.systemTags(ctx)
	if res.Tuning != nil {
		tags = append(tags, tracking.RunTag{Key: TagTuning, Value: res.Tuning.Method})
	}
	tags = withExtra(tags, l.opts.Tags)
	run, err := l.createRun(ctx, expID, runName, tags)
	if err != nil {
		return err
	}
	l.lg.RunID, l.lg.ArtifactURI = run.Info.RunID, run.Info.ArtifactURI
	l.lg.ModelURI = "runs:/" + run.Info.RunID + "/" + ModelArtifactPath

	var ps *params
	if pl != nil {
		ps = specParams(pl)
	} else {
		ps = modelParams(res.Model)
	}
	keys := gridKeys(pl)
	if t := res.Tuning; t != nil && t.BestIndex >= 0 && t.BestIndex < len(t.Results) {
		for label, v := range t.Results[t.BestIndex].Params {
			ps.set(keyFor(keys, label), v)
		}
	}
	metrics := l.metrics(res)
	if err := l.c.LogBatchChunked(ctx, run.Info.RunID, metrics, toParams(ps), nil); err != nil {
		return fmt.Errorf("log params and metrics of run %s: %w", run.Info.RunID, err)
	}
	if ds := l.datasets(); len(ds) > 0 {
		if _, err := l.c.LogInputs(ctx, &tracking.LogInputs{RunID: run.Info.RunID, Datasets: ds}); err != nil {
			return fmt.Errorf("log inputs of run %s: %w", run.Info.RunID, err)
		}
	}
	if res.Tuning != nil {
		if err := l.children(ctx, expID, runName, run.Info.RunID, keys); err != nil {
			return err
		}
	}
	if err := l.logModel(ctx, run); err != nil {
		return err
	}
	if err := l.endRun(ctx, run.Info.RunID, tracking.Finished); err != nil {
		return err
	}
	if l.opts.RegisterModel != "" {
		return l.register(ctx, run)
	}
	return nil
}

func (l *logger) runName() string {
	if l.opts.RunName != "" {
		return l.opts.RunName
	}
	if n := l.opts.Result.Name; n != "" {
		return n
	}
	if f := l.opts.Result.Spec; f != "" {
		return strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
	}
	return "fit"
}

// systemTags are the mlflow.* and sluice.* tags every run gets.
func (l *logger) systemTags(ctx context.Context) []tracking.RunTag {
	var tags []tracking.RunTag
	add := func(k, v string) {
		if v != "" {
			tags = append(tags, tracking.RunTag{Key: k, Value: truncate(v, MaxTagValueLen)})
		}
	}
	src := l.opts.Result.Spec
	if src != "" {
		if abs, err := filepath.Abs(src); err == nil {
			src = abs
		}
	}
	add(TagSourceName, src)
	add(TagSourceType, "LOCAL")
	add(TagUser, l.user())
	if src != "" {
		add(TagGitCommit, gitCommit(ctx, filepath.Dir(src)))
	}
	add(TagSluiceVersion, l.opts.SluiceVersion)
	add(TagSpecName, l.opts.Result.Name)
	return tags
}

func (l *logger) user() string {
	if l.opts.User != "" {
		return l.opts.User
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// withExtra appends extra tags, replacing system tags of the same key.
func withExtra(tags []tracking.RunTag, extra map[string]string) []tracking.RunTag {
	if len(extra) == 0 {
		return tags
	}
	out := tags[:0:0]
	for _, t := range tags {
		if _, ok := extra[t.Key]; !ok {
			out = append(out, t)
		}
	}
	for _, k := range sortedKeys(extra) {
		out = append(out, tracking.RunTag{Key: k, Value: truncate(extra[k], MaxTagValueLen)})
	}
	return out
}

func (l *logger) createRun(ctx context.Context, expID, name string, tags []tracking.RunTag) (*tracking.Run, error) {
	tags = append(tags, tracking.RunTag{Key: TagRunName, Value: name})
	resp, err := l.c.CreateRun(ctx, &tracking.CreateRun{
		ExperimentID: expID, UserID: l.user(), RunName: name, StartTime: l.ms(), Tags: tags,
	})
	if err != nil {
		return nil, fmt.Errorf("create run %q: %w", name, err)
	}
	if resp.Run == nil || resp.Run.Info.RunID == "" {
		return nil, fmt.Errorf("create run %q: the server returned no run", name)
	}
	l.open = append(l.open, resp.Run.Info.RunID)
	return resp.Run, nil
}

func (l *logger) endRun(ctx context.Context, runID string, status tracking.RunStatus) error {
	if _, err := l.c.UpdateRun(ctx, &tracking.UpdateRun{RunID: runID, Status: status, EndTime: l.ms()}); err != nil {
		return fmt.Errorf("end run %s: %w", runID, err)
	}
	for i, id := range l.open {
		if id == runID {
			l.open = append(l.open[:i], l.open[i+1:]...)
			break
		}
	}
	return nil
}

// failOpen marks the runs still open FAILED, with a fresh context so a
// cancelled ctx still records the failure.
func (l *logger) failOpen() {
	if len(l.open) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range append([]string(nil), l.open...) {
		_ = l.endRun(ctx, id, tracking.Failed)
	}
}

// metrics are the evaluate list's metrics on the test (or training) rows
// as "<on>_<metric>", the best combination's avg_/std_ metric for a tuned
// fit, and row counts and fit time. Non-finite values are kept (the
// server stores NaN and ±Inf).
func (l *logger) metrics(res *spec.Result) []tracking.Metric {
	ts := l.ms()
	var out []tracking.Metric
	add := func(k string, v float64) {
		out = append(out, tracking.Metric{Key: Key(k), Value: v, Timestamp: ts})
	}
	on := res.MetricsOn
	if on == "" {
		on = "train"
	}
	for _, k := range sortedKeys(res.Metrics) {
		add(on+"_"+k, res.Metrics[k])
	}
	if t := res.Tuning; t != nil && t.BestIndex >= 0 && t.BestIndex < len(t.Results) {
		b := t.Results[t.BestIndex]
		add("avg_"+t.Metric, b.Mean)
		if t.Method == "CrossValidator" {
			add("std_"+t.Metric, b.Std)
		}
	}
	add("input_rows", float64(res.InputRows))
	add("train_rows", float64(res.TrainRows))
	if res.MetricsOn == "test" {
		add("test_rows", float64(res.TestRows))
	}
	add("fit_seconds", res.FitSeconds)
	return out
}

// children logs one child run per grid combination.
func (l *logger) children(ctx context.Context, expID, parentName, parentID string, keys map[string]string) error {
	t := l.opts.Result.Tuning
	base := l.systemTags(ctx)
	for j, comb := range t.Results {
		tags := append(append([]tracking.RunTag(nil), base...),
			tracking.RunTag{Key: TagParentRun, Value: parentID},
			tracking.RunTag{Key: TagTuning, Value: t.Method})
		if j == t.BestIndex {
			tags = append(tags, tracking.RunTag{Key: TagBest, Value: "true"})
		}
		run, err := l.createRun(ctx, expID, fmt.Sprintf("%s-%d", parentName, j+1), tags)
		if err != nil {
			return err
		}
		l.lg.ChildRunIDs = append(l.lg.ChildRunIDs, run.Info.RunID)
		ps := &params{}
		for _, label := range sortedKeys(comb.Params) {
			ps.set(keyFor(keys, label), comb.Params[label])
		}
		ts := l.ms()
		ms := []tracking.Metric{{Key: Key("avg_" + t.Metric), Value: comb.Mean, Timestamp: ts}}
		if t.Method == "CrossValidator" {
			ms = append(ms, tracking.Metric{Key: Key("std_" + t.Metric), Value: comb.Std, Timestamp: ts})
		}
		if err := l.c.LogBatchChunked(ctx, run.Info.RunID, ms, toParams(ps), nil); err != nil {
			return fmt.Errorf("log child run %d of %s: %w", j+1, parentID, err)
		}
		if err := l.endRun(ctx, run.Info.RunID, tracking.Finished); err != nil {
			return err
		}
	}
	return nil
}

// logModel saves the model (a tuning model's best model) as an MLflow
// model directory (models.Save) and uploads it under the run's artifact path "model", then records it
// in the run's mlflow.log-model.history tag as MLflow's log_model does.
func (l *logger) logModel(ctx context.Context, run *tracking.Run) error {
	tmp, err := os.MkdirTemp("", "sluice-model-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, ModelArtifactPath)
	mo := l.opts.Model
	mo.RunID, mo.ArtifactPath = run.Info.RunID, ModelArtifactPath
	if mo.SluiceVersion == "" {
		mo.SluiceVersion = l.opts.SluiceVersion
	}
	if mo.Now.IsZero() {
		mo.Now = l.now()
	}
	if mo.Example == nil && l.input != nil && l.opts.Result.Predictions != nil {
		if ex, err := l.opts.Result.Predictions.Select(ml.ColumnNames(l.input)...); err == nil {
			mo.Example = ex
		}
	}
	// A tuning model is logged as its best model: what serving needs,
	// without the sub-models and fold metrics (those are in the runs).
	var m ml.Model = l.opts.Result.Model
	if pm, ok := bestPipeline(m); ok {
		m = pm
	}
	if err := models.Save(ctx, dir, m, l.input, mo); err != nil {
		return fmt.Errorf("save model of run %s: %w", run.Info.RunID, err)
	}
	if err := l.c.LogArtifacts(ctx, run.Info.ArtifactURI, dir, ModelArtifactPath); err != nil {
		return fmt.Errorf("upload model of run %s: %w", run.Info.RunID, err)
	}
	hist, err := logModelHistory(dir)
	if err == nil {
		_, err = l.c.SetTag(ctx, &tracking.SetTag{RunID: run.Info.RunID, Key: TagLogModel, Value: hist})
	}
	if err != nil {
		return fmt.Errorf("tag model of run %s: %w", run.Info.RunID, err)
	}
	return nil
}

// register creates the registered model when missing, a version from
// the run's model, and the alias.
func (l *logger) register(ctx context.Context, run *tracking.Run) error {
	name := l.opts.RegisterModel
	_, err := l.c.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: name})
	if err != nil && apierr.CodeOf(err) != apierr.ResourceAlreadyExists {
		return fmt.Errorf("register model %q: %w", name, err)
	}
	source := strings.TrimRight(run.Info.ArtifactURI, "/") + "/" + ModelArtifactPath
	if run.Info.ArtifactURI == "" {
		source = l.lg.ModelURI
	}
	mv, err := l.c.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: name, Source: source, RunID: run.Info.RunID})
	if err != nil {
		return fmt.Errorf("register model %q version from run %s: %w", name, run.Info.RunID, err)
	}
	if mv.ModelVersion == nil {
		return errors.New("register model " + name + ": the server returned no version")
	}
	l.lg.ModelName, l.lg.ModelVersion = name, mv.ModelVersion.Version
	l.lg.RegisteredURI = "models:/" + name + "/" + mv.ModelVersion.Version
	if l.opts.Alias != "" {
		if _, err := l.c.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: name, Alias: l.opts.Alias, Version: mv.ModelVersion.Version}); err != nil {
			return fmt.Errorf("set alias %q of model %q: %w", l.opts.Alias, name, err)
		}
		l.lg.RegisteredURI = "models:/" + name + "@" + l.opts.Alias
	}
	return nil
}

func keyFor(keys map[string]string, label string) string {
	if k, ok := keys[label]; ok {
		return k
	}
	return label
}

func toParams(p *params) []tracking.Param {
	out := make([]tracking.Param, len(p.list))
	for i, x := range p.list {
		out[i] = tracking.Param{Key: x.Key, Value: x.Value}
	}
	return out
}
