package tasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/examples"
	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/tasks"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace"
)

// env is a workspace with an in-process tracking server and the runners
// over it, and a job directory holding the churn data and testdata.
type env struct {
	ws      *workspace.Workspace
	client  *mlflowclient.Client
	runners map[string]jobs.TaskRunner
	jobDir  string
}

// MustEnv opens a fresh workspace in tb.TempDir.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	cfg := workspace.DefaultConfig()
	cfg.Dir = filepath.Join(dir, "ws")
	ws, err := workspace.Open(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := ws.Close(); err != nil {
			tb.Error(err)
		}
	})
	api, err := server.NewAPI(ctx, ws, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cl, err := mlflowclient.New(server.LocalURL, mlflowclient.WithHTTPClient(server.LocalClient(api)))
	if err != nil {
		tb.Fatal(err)
	}
	jobDir := filepath.Join(dir, "job")
	if err := os.MkdirAll(filepath.Join(jobDir, "data"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(jobDir, "data", "churn.csv"), examples.ChurnCSV, 0o644); err != nil {
		tb.Fatal(err)
	}
	for _, name := range []string{"fit.yaml", "features.sql", "als.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(jobDir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return &env{
		ws:     ws,
		client: cl,
		runners: tasks.Runners(tasks.Config{
			Workspace: ws, Tracking: cl, Models: server.NewResolver(ws), SluiceVersion: "test",
		}),
		jobDir: jobDir,
	}
}

// run runs task as attempt 1 of run 7 of job "churn", returning its
// values (as JSON text) and log.
func (e *env) run(ctx context.Context, task *spec.Task, vars map[string]string) (map[string]string, string, error) {
	var log bytes.Buffer
	tc := &jobs.TaskContext{
		Job: "churn", RunID: 7, Key: task.Key, Attempt: 1, Task: task, Dir: e.jobDir, Vars: vars,
		LogicalTime: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Log: &log,
	}
	r, ok := e.runners[task.Type()]
	if !ok {
		return nil, "", errors.New("no runner for " + task.Type())
	}
	vals, err := r.Run(ctx, tc)
	var out map[string]string
	if vals != nil {
		out = make(map[string]string, len(vals))
		for k, v := range vals {
			out[k] = string(v)
		}
	}
	return out, log.String(), err
}

// MustRun runs task and fails the test on error.
func (e *env) MustRun(t *testing.T, task *spec.Task, vars map[string]string) (map[string]string, string) {
	t.Helper()
	vals, log, err := e.run(context.Background(), task, vars)
	if err != nil {
		t.Fatalf("task %s: %v\nlog:\n%s", task.Key, err, log)
	}
	return vals, log
}

// query runs a query through a sql task and returns its first row.
func (e *env) query(t *testing.T, q string) map[string]string {
	t.Helper()
	vals, _ := e.MustRun(t, &spec.Task{Key: "q", SQL: &spec.SQLTask{Query: q, TaskValues: "first_row"}}, nil)
	return vals
}

func wantValues(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("value %s: got %q (present %v), want %q", k, g, ok, w)
		}
	}
}

func wantContains(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, s)
		}
	}
}

// TestChurnPipeline runs the churn pipeline task by task: ingest → sql
// (with task values and parameters) → ml_fit (logged and registered) →
// models_predict → ml_transform.
func TestChurnPipeline(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()

	t.Run("ingest", func(t *testing.T) {
		vals, log := e.MustRun(t, &spec.Task{Key: "ingest", Ingest: &spec.IngestTask{
			Paths: []string{"data/*.csv"}, Table: "churn", Mode: "overwrite",
		}}, nil)
		wantValues(t, vals, map[string]string{"table": `"default.churn"`, "rows_written": "5000", "version": "1"})
		wantContains(t, "log", log, "created default.churn: version 1", "written   5000 rows")
	})

	t.Run("sql file with parameters", func(t *testing.T) {
		vals, log := e.MustRun(t, &spec.Task{Key: "features", SQL: &spec.SQLTask{File: "features.sql", TaskValues: "first_row"}},
			map[string]string{"train_rows": "3333"})
		// The last query's first row: the test split.
		wantValues(t, vals, map[string]string{"split": `"test"`, "customers": "1667"})
		wantContains(t, "log", log,
			"statement 1 (line 3): created default.churn_features with 5000 rows (version 1)",
			"statement 2 (line 10): query returned 2 rows",
			"split | customers | churn_rate", "train | 3333", "published 3 values")
	})

	t.Run("sql values and types", func(t *testing.T) {
		vals := e.query(t, `SELECT 42 AS answer, 'churn' AS name, true AS ok, NULL AS nothing, 2.5::DOUBLE AS half,
			1.50::DECIMAL(5,2) AS price, TIMESTAMP '2026-01-02 03:04:05' AS ts, DATE '2026-01-02' AS day,
			[1, 2] AS xs, {'a': 1, 'b': 'x'} AS obj, 'nan'::DOUBLE AS nan`)
		wantValues(t, vals, map[string]string{
			"answer": "42", "name": `"churn"`, "ok": "true", "nothing": "null", "half": "2.5", "price": "1.5",
			"ts": `"2026-01-02T03:04:05Z"`, "day": `"2026-01-02"`, "xs": "[1,2]", "obj": `{"a":1,"b":"x"}`, "nan": "null",
		})
	})

	t.Run("sql parameters cannot inject", func(t *testing.T) {
		evil := `x'; DROP TABLE churn; --`
		vars := map[string]string{"state": evil, "tbl": "churn"}
		vals, _ := e.MustRun(t, &spec.Task{Key: "inject", SQL: &spec.SQLTask{TaskValues: "first_row", Query: `
			SELECT count(*) AS n, ${state} AS literal, 'in ${state} quotes' AS quoted
			FROM ${ident:tbl} WHERE state = ${state}`}}, vars)
		wantValues(t, vals, map[string]string{"n": "0", "literal": mustJSON(t, evil), "quoted": mustJSON(t, "in "+evil+" quotes")})
		if got := e.query(t, "SELECT count(*) AS n FROM churn"); got["n"] != "5000" {
			t.Errorf("churn after the injection attempt: got %s rows, want 5000", got["n"])
		}
	})

	var fit map[string]string
	t.Run("ml_fit", func(t *testing.T) {
		vals, log := e.MustRun(t, &spec.Task{Key: "fit", MLFit: &spec.MLFitTask{
			Spec: "fit.yaml", Register: "churn", Alias: "champion",
		}}, nil)
		fit = vals
		t.Logf("log:\n%s", log)
		if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(vals["run_id"]) {
			t.Errorf("run_id: got %s, want a quoted 32-hex MLflow run ID", vals["run_id"])
		}
		wantValues(t, vals, map[string]string{"model_uri": `"models:/churn/1"`, "model_version": `"1"`, "train_rows": "3333", "test_rows": "1667"})
		var auc float64
		if err := json.Unmarshal([]byte(vals["areaUnderROC"]), &auc); err != nil || auc < 0.6 || auc > 1 {
			t.Errorf("areaUnderROC: got %s (%v), want a number in [0.6, 1]", vals["areaUnderROC"], err)
		}
		var best map[string]any
		if err := json.Unmarshal([]byte(vals["cv_best_params"]), &best); err != nil || len(best) != 1 {
			t.Errorf("cv_best_params: got %s (%v), want an object with the grid's one param", vals["cv_best_params"], err)
		}
		wantContains(t, "log", log, "CrossValidator over 2 combinations", "test areaUnderROC", "registered models:/churn/1", "alias models:/churn@champion")

		var runID string
		_ = json.Unmarshal([]byte(vals["run_id"]), &runID)
		run, err := e.client.GetRun(ctx, &tracking.GetRun{RunID: runID})
		if err != nil {
			t.Fatal(err)
		}
		tags := map[string]string{}
		for _, tg := range run.Run.Data.Tags {
			tags[tg.Key] = tg.Value
		}
		for k, want := range map[string]string{"sluice.job": "churn", "sluice.run_id": "7", "sluice.task": "fit", "mlflow.runName": "churn-run7-fit"} {
			if tags[k] != want {
				t.Errorf("run tag %s: got %q, want %q", k, tags[k], want)
			}
		}
		exp, err := e.client.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: run.Run.Info.ExperimentID})
		if err != nil {
			t.Fatal(err)
		}
		if exp.Experiment.Name != "churn_small" {
			t.Errorf("experiment: got %q, want the spec's name churn_small", exp.Experiment.Name)
		}
	})
	if fit == nil {
		t.Fatal("ml_fit failed; the scoring steps need its model")
	}

	t.Run("models_predict", func(t *testing.T) {
		vals, log := e.MustRun(t, &spec.Task{Key: "score", ModelsPredict: &spec.ModelsPredictTask{
			Model: "models:/churn@champion", Query: "SELECT * FROM churn_features WHERE split = ${split}", Into: "churn_scored",
		}}, map[string]string{"split": "test"})
		wantValues(t, vals, map[string]string{"rows": "1667", "model_version": `"1"`, "table": `"default.churn_scored"`, "version": "1"})
		wantContains(t, "log", log, "model models:/churn@champion is churn version 1", "wrote 1667 rows scored by models:/churn@champion to default.churn_scored (version 1)")
		cols := e.columns(t, "churn_scored")
		if !slices.Contains(cols, "customer_id") || !slices.Contains(cols, "split") || cols[len(cols)-2] != "prediction" || cols[len(cols)-1] != "probability" {
			t.Errorf("columns of churn_scored: got %v, want the input's, then prediction and probability", cols)
		}
		if slices.Contains(cols, "features") {
			t.Errorf("columns of churn_scored: got %v, want no intermediate columns", cols)
		}
		got := e.query(t, "SELECT count(*) AS n, count(DISTINCT prediction) AS classes, min(probability[2]) >= 0 AS p FROM churn_scored")
		wantValues(t, got, map[string]string{"n": "1667", "p": "true"})

		// Scoring again overwrites (the default mode): still 1667 rows.
		vals, _ = e.MustRun(t, &spec.Task{Key: "score", ModelsPredict: &spec.ModelsPredictTask{
			Model: "models:/churn/1", Table: "churn_features", Into: "churn_scored", Columns: []string{"rawPrediction"},
		}}, nil)
		wantValues(t, vals, map[string]string{"rows": "5000", "version": "2"})
		if cols := e.columns(t, "churn_scored"); !slices.Contains(cols, "rawPrediction") {
			t.Errorf("columns after Columns [rawPrediction]: got %v", cols)
		}
	})

	t.Run("missing input table", func(t *testing.T) {
		_, _, err := e.run(ctx, &spec.Task{Key: "score", ModelsPredict: &spec.ModelsPredictTask{
			Model: "models:/churn/1", Table: "missing_table", Into: "out",
		}}, nil)
		if err == nil {
			t.Fatal("got no error")
		}
		wantContains(t, "error", err.Error(), "models_predict: read table default.missing_table", "missing_table")
	})

	t.Run("ml_transform", func(t *testing.T) {
		var runID string
		_ = json.Unmarshal([]byte(fit["run_id"]), &runID)
		task := &spec.Task{Key: "transform", MLTransform: &spec.MLTransformTask{
			Model: "runs:/" + runID + "/model", Table: "churn_features", Into: "churn_transformed",
		}}
		vals, _ := e.MustRun(t, task, nil)
		wantValues(t, vals, map[string]string{"rows": "5000", "version": "1"})
		task.MLTransform.Mode = "append"
		vals, _ = e.MustRun(t, task, nil)
		wantValues(t, vals, map[string]string{"rows": "5000", "version": "2"})
		if got := e.query(t, "SELECT count(*) AS n FROM churn_transformed"); got["n"] != "10000" {
			t.Errorf("rows after overwrite then append: got %s, want 10000", got["n"])
		}
		if cols := e.columns(t, "churn_transformed"); !slices.Contains(cols, "features") || !slices.Contains(cols, "prediction") {
			t.Errorf("columns: got %v, want every column the pipeline produced", cols)
		}

		// A model directory saved by ml.Save (sluice ml fit --out), relative
		// to the job file.
		res, err := models.Resolve(ctx, "models:/churn/1", server.NewResolver(e.ws), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		m, err := models.Load(ctx, res.Dir, stages.Registry(nil))
		if err != nil {
			t.Fatal(err)
		}
		if err := ml.Save(filepath.Join(e.jobDir, "model"), m.Pipeline); err != nil {
			t.Fatal(err)
		}
		vals, _ = e.MustRun(t, &spec.Task{Key: "transform", MLTransform: &spec.MLTransformTask{
			Model: "model", Query: "SELECT * FROM churn_features WHERE customer_id <= ${n}", Into: "churn_raw",
		}}, map[string]string{"n": "10"})
		wantValues(t, vals, map[string]string{"rows": "10"})
		if _, ok := vals["model_version"]; ok {
			t.Errorf("model_version for a model directory: got %s, want none", vals["model_version"])
		}
	})
}

// columns returns a table's column names.
func (e *env) columns(t *testing.T, table string) []string {
	t.Helper()
	eng, err := e.ws.SQL(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	if _, err := eng.Exec(context.Background(), "SELECT * FROM "+table+" LIMIT 0", nil); err != nil {
		t.Fatal(err)
	}
	f, err := e.ws.Frame(context.Background(), "SELECT * FROM "+table+" LIMIT 0", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, fld := range f.Schema().Fields() {
		cols = append(cols, fld.Name)
	}
	return cols
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestErrors checks that failures say what failed, where and what to do.
func TestErrors(t *testing.T) {
	e := MustEnv(t)
	e.MustRun(t, &spec.Task{Key: "setup", SQL: &spec.SQLTask{Query: "CREATE TABLE small AS SELECT 1 AS x"}}, nil)
	for _, tc := range []struct {
		name string
		task *spec.Task
		vars map[string]string
		want []string
	}{
		{"sql missing table", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT 1;\n\nSELECT * FROM nope"}},
			nil, []string{"sql query: statement 2 at line 3", "nope"}},
		{"sql bad syntax", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT 1;\nSELEC 2"}},
			nil, []string{"statement 2 at line 2", "syntax error"}},
		{"sql unterminated string", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT 1;\nSELECT 'oops"}},
			nil, []string{"sql query: line 2, column 8: unterminated string literal"}},
		{"sql file missing", &spec.Task{Key: "k", SQL: &spec.SQLTask{File: "nope.sql"}},
			nil, []string{"sql file nope.sql", "no such file", "relative to the job file"}},
		{"sql unknown parameter", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT ${nope}"}},
			nil, []string{"nope"}},
		{"sql first_row without rows", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT 1 AS a;\nSELECT x FROM small WHERE x > 1", TaskValues: "first_row"}},
			nil, []string{"last query (statement 2, line 2) returned no rows"}},
		{"sql first_row without query", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "INSERT INTO small VALUES (2)", TaskValues: "first_row"}},
			nil, []string{"no statement is a query"}},
		{"sql first_row too big", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT repeat('x', 70000) AS big", TaskValues: "first_row"}},
			nil, []string{"68 KiB, over the 64 KiB"}},
		{"sql bad task_values", &spec.Task{Key: "k", SQL: &spec.SQLTask{Query: "SELECT 1", TaskValues: "all_rows"}},
			nil, []string{`task_values "all_rows"`, "first_row"}},
		{"ingest missing file", &spec.Task{Key: "k", Ingest: &spec.IngestTask{Paths: []string{"data/nope*.csv"}, Table: "t"}},
			nil, []string{"nope"}},
		{"ingest bad table", &spec.Task{Key: "k", Ingest: &spec.IngestTask{Paths: []string{"data/churn.csv"}, Table: "a.b.c"}},
			nil, []string{`ingest table "a.b.c"`}},
		{"ml_fit missing spec", &spec.Task{Key: "k", MLFit: &spec.MLFitTask{Spec: "nope.yaml"}},
			nil, []string{"ml_fit spec nope.yaml", "does not exist", "relative to the job file"}},
		{"ml_fit alias without register", &spec.Task{Key: "k", MLFit: &spec.MLFitTask{Spec: "fit.yaml", Alias: "x"}},
			nil, []string{"alias needs register"}},
		{"ml_fit missing table", &spec.Task{Key: "k", MLFit: &spec.MLFitTask{Spec: "fit.yaml"}},
			nil, []string{"ml_fit fit.yaml", "churn_features"}},
		{"predict unknown model", &spec.Task{Key: "k", ModelsPredict: &spec.ModelsPredictTask{Model: "models:/nope@champion", Table: "small", Into: "out"}},
			nil, []string{"models_predict: model models:/nope@champion", "nope"}},
		{"predict bad uri", &spec.Task{Key: "k", ModelsPredict: &spec.ModelsPredictTask{Model: "models:/", Table: "small", Into: "out"}},
			nil, []string{`model "models:/"`}},
		{"predict missing dir", &spec.Task{Key: "k", ModelsPredict: &spec.ModelsPredictTask{Model: "models/none", Table: "small", Into: "out"}},
			nil, []string{"does not exist", "relative to the job file"}},
		{"predict bad mode", &spec.Task{Key: "k", ModelsPredict: &spec.ModelsPredictTask{Model: "m", Table: "small", Into: "out", Mode: "merge"}},
			nil, []string{`mode "merge"`}},
		{"transform missing model", &spec.Task{Key: "k", MLTransform: &spec.MLTransformTask{Model: "runs:/0123456789abcdef0123456789abcdef/model", Table: "small", Into: "out"}},
			nil, []string{"ml_transform: model runs:/0123456789abcdef0123456789abcdef/model"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals, log, err := e.run(context.Background(), tc.task, tc.vars)
			if err == nil {
				t.Fatalf("got values %v and no error\nlog:\n%s", vals, log)
			}
			t.Logf("error: %v", err)
			wantContains(t, "error", err.Error(), tc.want...)
		})
	}
}

// TestCancelLongQuery: a long query stops when the attempt's ctx ends,
// with an error wrapping ctx's, and the engine stays usable.
func TestCancelLongQuery(t *testing.T) {
	e := MustEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := e.run(ctx, &spec.Task{Key: "long", SQL: &spec.SQLTask{
		Query: "SELECT count(*) FROM range(1000000000000) t(i) WHERE hash(i) % 7 = 3"}}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the query stopped %s after start, want soon after the 300ms deadline", d)
	}
	if got := e.query(t, "SELECT 1 AS one"); got["one"] != "1" {
		t.Errorf("engine after the interrupt: got %v", got)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	if err := (tasks.Config{}).Validate(); err == nil {
		t.Error("Validate of an empty Config: got no error")
	}
	rs := tasks.Runners(tasks.Config{})
	for _, typ := range []string{spec.TypeSQL, spec.TypeIngest, spec.TypeMLFit, spec.TypeMLTransform, spec.TypeModelsPredict} {
		r, ok := rs[typ]
		if !ok {
			t.Fatalf("no runner for %s", typ)
		}
		_, err := r.Run(context.Background(), &jobs.TaskContext{Key: "k", Task: &spec.Task{SQL: &spec.SQLTask{Query: "SELECT 1"}}, Log: io.Discard})
		if err == nil || !strings.Contains(err.Error(), "Workspace is required") {
			t.Errorf("%s runner without a workspace: got %v", typ, err)
		}
	}
}

func TestWrongTaskType(t *testing.T) {
	e := MustEnv(t)
	_, err := e.runners[spec.TypeIngest].Run(context.Background(), &jobs.TaskContext{Key: "k", Task: &spec.Task{SQL: &spec.SQLTask{Query: "SELECT 1"}}})
	if err == nil || !strings.Contains(err.Error(), `task k is a "sql" task, not ingest`) {
		t.Errorf("got %v", err)
	}
}
