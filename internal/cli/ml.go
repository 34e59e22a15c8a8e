package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/ml/tuning"
	"github.com/sluice-dev/sluice/mlrun"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

func (a *app) mlCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "ml",
		Short: "Fit, apply, evaluate and inspect ML pipelines",
		Long: `Machine learning with Spark ML's stages and params: write a pipeline in
YAML (see examples/churn/pipeline.yaml), fit it on a table, a query or a
file, tune it with CrossValidator, save the fitted model, and apply it to
new rows.`,
		Example: `  sluice ml fit examples/churn/pipeline.yaml --out /tmp/churn-model
  sluice ml describe /tmp/churn-model
  sluice ml transform /tmp/churn-model --table churn --into churn_scored
  sluice ml evaluate /tmp/churn-model --table churn --evaluator BinaryClassificationEvaluator`,
	}
	c.AddCommand(a.mlFitCmd(), a.mlTransformCmd(), a.mlEvaluateCmd(), a.mlDescribeCmd(), a.mlStagesCmd(), a.mlFramesCmd(), a.mlRecommendCmd(), a.mlPrefixSpanCmd())
	return c
}

func (a *app) mlRegistry() (*ml.Registry, *sqlengine.Engine, error) {
	ws, err := a.open()
	if err != nil {
		return nil, nil, err
	}
	eng, err := ws.SQL(a.ctx)
	if err != nil {
		return nil, nil, err
	}
	return stages.Registry(eng), eng, nil
}

func (a *app) mlFitCmd() *cobra.Command {
	var out, output string
	var overwrite bool
	var tr fitTracking
	c := &cobra.Command{
		Use:   "fit SPEC.yaml",
		Short: "Fit the pipeline a YAML spec describes, evaluate it, log it, and save the model",
		Long: `Read a pipeline spec (stages and params by their Spark names; optional
tuning block with grid, evaluator and folds; input and test data as a
table, a SQL query or a file), fit it, score the test rows with the
spec's evaluators and print the metrics — and, when tuning, every grid
combination's mean and std. --out saves the fitted model directory.

Every fit is logged as an MLflow run — into the workspace's tracking
store, or a server's with --tracking-uri (or $SLUICE_TRACKING_URI, token
in $SLUICE_TOKEN) — in the experiment --experiment (default "Default",
created when missing): the params the spec sets (as Stage.param), the
metrics (test_<metric> or train_<metric>, row counts, fit seconds), tags
(mlflow.source.name = the spec, mlflow.user, mlflow.source.git.commit
inside a git work tree, sluice.version), the input datasets, and the model
as an MLflow model directory under the run's artifact path "model". A
tuned fit logs a parent run and one child run per grid combination
(avg_<metric>, std_<metric>). --register NAME also registers the model as
a new version of NAME (created when missing) and --alias points an alias
at it. --no-track skips logging. When logging fails, the fit's results
are still printed; fit then fails — or only warns when logging was not
asked for (no tracking flag and no $SLUICE_TRACKING_URI).`,
		Example: `  sluice ml fit examples/churn/pipeline.yaml
  sluice ml fit examples/churn/pipeline.yaml --experiment churn --register churn --alias champion
  sluice ml fit examples/churn/pipeline.yaml --tracking-uri http://127.0.0.1:8080 --experiment churn
  sluice ml fit examples/churn/pipeline.yaml --out models/churn --output json --no-track`,
		Args: exactArgs(1, "a spec file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			if err := tr.check(cmd); err != nil {
				return usage(cmd, err)
			}
			sp, err := spec.ParseFile(args[0])
			if err != nil {
				return err
			}
			reg, _, err := a.mlRegistry()
			if err != nil {
				return err
			}
			plan, err := sp.Build(reg)
			if err != nil {
				return err
			}
			if out != "" {
				if _, err := os.Stat(out); err == nil && !overwrite {
					return fmt.Errorf("--out %s already exists; pass --overwrite to replace it", out)
				}
			}
			var progress func(string)
			if isTerminal(a.stderr) {
				progress = func(s string) { fmt.Fprintln(a.stderr, s) }
			}
			res, err := plan.Run(a.ctx, a.ws, progress)
			if err != nil {
				return err
			}
			if out != "" {
				if overwrite {
					if err := os.RemoveAll(out); err != nil {
						return err
					}
				}
				if err := ml.Save(out, res.Model); err != nil {
					return err
				}
				res.ModelDir = out
			}
			// Print the fit even when logging it failed, then report that.
			logged, logErr := a.logFit(cmd, &tr, plan, res)
			if err := printFitResult(a.stdout, output, res, logged); err != nil {
				return err
			}
			return logErr
		},
	}
	c.Flags().StringVar(&out, "out", "", "directory to save the fitted model to")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace --out if it exists")
	tr.flags(c)
	addOutputFlag(c, &output)
	return c
}

// fitTrackingFlags are the flags that ask ml fit to log.
var fitTrackingFlags = []string{"experiment", "register", "alias", "tracking-uri"}

// fitTracking holds ml fit's logging flags.
type fitTracking struct {
	experiment, register, alias, uri string
	off                              bool
}

func (t *fitTracking) flags(c *cobra.Command) {
	c.Flags().StringVar(&t.experiment, "experiment", "", `experiment to log the run to (default "`+mlrun.DefaultExperiment+`"; created when missing)`)
	c.Flags().StringVar(&t.register, "register", "", "register the model as a new version of this registered model")
	c.Flags().StringVar(&t.alias, "alias", "", "with --register: point this alias (e.g. champion) at the new version")
	c.Flags().StringVar(&t.uri, "tracking-uri", "", "tracking server to log to, e.g. http://127.0.0.1:8080 (default $"+EnvTrackingURI+", else the workspace, in-process)")
	c.Flags().BoolVar(&t.off, "no-track", false, "do not log the fit to tracking")
}

// explicit reports whether the user asked for logging: a tracking flag,
// or $SLUICE_TRACKING_URI.
func (t *fitTracking) explicit(cmd *cobra.Command) bool {
	for _, f := range fitTrackingFlags {
		if cmd.Flags().Changed(f) {
			return true
		}
	}
	return os.Getenv(EnvTrackingURI) != ""
}

func (t *fitTracking) check(cmd *cobra.Command) error {
	if t.off {
		for _, f := range fitTrackingFlags {
			if cmd.Flags().Changed(f) {
				return errors.New("--no-track cannot be combined with --experiment, --register, --alias or --tracking-uri")
			}
		}
	}
	if t.alias != "" && t.register == "" {
		return errors.New("--alias needs --register NAME")
	}
	return nil
}

// logFit logs res to tracking unless --no-track. When logging was not
// asked for explicitly, a failure is only a warning on stderr.
func (a *app) logFit(cmd *cobra.Command, t *fitTracking, plan *spec.Plan, res *spec.Result) (*mlrun.Logged, error) {
	if t.off {
		return nil, nil
	}
	logged, err := func() (*mlrun.Logged, error) {
		cl, err := a.mlflowClient(t.uri)
		if err != nil {
			return nil, err
		}
		return mlrun.LogFit(a.ctx, cl, mlrun.Options{
			Experiment: t.experiment, Result: res, Plan: plan, SluiceVersion: Version,
			RegisterModel: t.register, Alias: t.alias,
		})
	}()
	if err != nil {
		if t.explicit(cmd) {
			return nil, fmt.Errorf("log the fit to tracking: %w", err)
		}
		fmt.Fprintf(a.stderr, "warning: the fit was not logged to tracking: %v (pass --no-track to skip logging)\n", err)
		return nil, nil
	}
	return logged, nil
}

func printFitResult(w io.Writer, output string, res *spec.Result, logged *mlrun.Logged) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		m := jsonSafeResult(res)
		if logged != nil {
			m["tracking"] = logged
		}
		return enc.Encode(m)
	}
	if res.Tuning != nil {
		t := res.Tuning
		fmt.Fprintf(w, "%s over %d combinations, %s (%s is better):\n", t.Method, len(t.Results), t.Metric, map[string]string{"better": "larger", "worse": "smaller"}[t.LargerIs])
		g := &grid{}
		keys := paramKeys(t.Results)
		g.cols = append(append([]string{"#"}, keys...), "mean", "std", "")
		for i, r := range t.Results {
			row := []string{fmt.Sprint(i + 1)}
			for _, k := range keys {
				row = append(row, fmt.Sprint(r.Params[k]))
			}
			best := ""
			if i == t.BestIndex {
				best = "best"
			}
			row = append(row, fmt.Sprintf("%.4f", r.Mean), fmt.Sprintf("%.4f", r.Std), best)
			g.add(row...)
		}
		if err := printGrid(w, output, g); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	if res.ModelText != "" {
		fmt.Fprintf(w, "%s\n", strings.TrimRight(res.ModelText, "\n"))
	}
	if len(res.Confusion) > 0 {
		fmt.Fprintf(w, "confusion counts on the %s rows:\n", res.MetricsOn)
		cg := &grid{cols: []string{"label", "prediction", "count"}}
		for _, c := range res.Confusion {
			cg.add(fmt.Sprint(c.Label), fmt.Sprint(c.Prediction), fmt.Sprint(c.Count))
		}
		if err := printGrid(w, output, cg); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	g := &grid{cols: []string{"metric", "value"}}
	g.add("input rows", fmt.Sprint(res.InputRows))
	g.add("training rows", fmt.Sprint(res.TrainRows))
	if res.MetricsOn == "test" {
		g.add("test rows", fmt.Sprint(res.TestRows))
	}
	g.add("fit seconds", fmt.Sprintf("%.2f", res.FitSeconds))
	names := make([]string, 0, len(res.Metrics))
	for k := range res.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		g.add(res.MetricsOn+" "+k, fmt.Sprintf("%.4f", res.Metrics[k]))
	}
	if res.ModelDir != "" {
		g.add("model", res.ModelDir)
	}
	if logged != nil {
		g.add("run", logged.RunID)
		g.add("experiment", fmt.Sprintf("%s (id %s)", logged.Experiment, logged.ExperimentID))
		if n := len(logged.ChildRunIDs); n > 0 {
			g.add("child runs", fmt.Sprint(n))
		}
		g.add("model uri", logged.ModelURI)
		if logged.ModelVersion != "" {
			g.add("registered", "models:/"+logged.ModelName+"/"+logged.ModelVersion)
		}
		if logged.RegisteredURI != "" && strings.Contains(logged.RegisteredURI, "@") {
			g.add("alias", logged.RegisteredURI)
		}
	}
	return printGrid(w, output, g)
}

func paramKeys(rs []spec.Combination) []string {
	seen := map[string]bool{}
	var keys []string
	for _, r := range rs {
		for k := range r.Params {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// jsonSafeResult replaces NaN/Inf metrics, which JSON cannot encode, by
// null.
func jsonSafeResult(res *spec.Result) map[string]any {
	type out spec.Result
	o := out(*res)
	m := map[string]any{}
	for k, v := range res.Metrics {
		m[k] = jsonFloat(v)
	}
	b, _ := json.Marshal(struct {
		out
		Metrics map[string]any `json:"metrics"`
	}{o, m})
	var generic map[string]any
	_ = json.Unmarshal(b, &generic)
	return generic
}

func jsonFloat(v float64) any {
	if v != v || v > 1e308 || v < -1e308 {
		return nil
	}
	return v
}

type mlSource struct {
	table, sql, file string
}

func (s *mlSource) flags(c *cobra.Command) {
	c.Flags().StringVar(&s.table, "table", "", "read rows from this table")
	c.Flags().StringVar(&s.sql, "sql", "", "read rows from this query")
	c.Flags().StringVar(&s.file, "file", "", "read rows from this file (csv, parquet, json)")
}

func (s *mlSource) frame(ctx context.Context, cmd *cobra.Command, ws *workspace.Workspace) (*ml.Frame, error) {
	n := 0
	for _, v := range []string{s.table, s.sql, s.file} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return nil, usage(cmd, errors.New("give exactly one of --table, --sql or --file"))
	}
	query, files := s.sql, map[string]string{}
	switch {
	case s.table != "":
		id, err := parseIdent(s.table)
		if err != nil {
			return nil, usage(cmd, err)
		}
		query = "SELECT * FROM " + table.QuoteIdent(id.Namespace) + "." + table.QuoteIdent(id.Name)
	case s.file != "":
		files["__file"] = s.file
		query = "SELECT * FROM __file"
	}
	return ws.Frame(ctx, query, files)
}

func (a *app) loadModel(dir string, reg *ml.Registry) (ml.Transformer, error) {
	st, err := ml.Load(dir, reg)
	if err != nil {
		return nil, err
	}
	t, ok := st.(ml.Transformer)
	if !ok {
		return nil, fmt.Errorf("%s holds an unfitted %s; fit it first (sluice ml fit)", dir, st.StageName())
	}
	return t, nil
}

func (a *app) mlTransformCmd() *cobra.Command {
	var src mlSource
	var sink frameSink
	c := &cobra.Command{
		Use:   "transform MODEL_DIR (--table T | --sql Q | --file F) [--into T2 | --out-file F]",
		Short: "Apply a fitted model to rows and store or print the result",
		Long: `Load a fitted model directory, apply it to the rows of a table, a query
or a file, and write the result (all columns plus the model's outputs)
into a table (--into, created if missing; --mode append|overwrite) or a
file (--out-file: .parquet or .csv), or print the first rows. Vector
columns (features, probability) are stored as arrays of doubles.`,
		Example: `  sluice ml transform models/churn --table churn --into churn_scored
  sluice ml transform models/churn --file new_customers.csv --out-file scored.parquet
  sluice ml transform models/churn --sql "SELECT * FROM churn LIMIT 5"`,
		Args: exactArgs(1, "a model directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sink.check(); err != nil {
				return usage(cmd, err)
			}
			reg, eng, err := a.mlRegistry()
			if err != nil {
				return err
			}
			model, err := a.loadModel(args[0], reg)
			if err != nil {
				return err
			}
			f, err := src.frame(a.ctx, cmd, a.ws)
			if err != nil {
				return err
			}
			out, err := model.Transform(a.ctx, f)
			if err != nil {
				return err
			}
			if out, err = out.StorableColumns(); err != nil {
				return err
			}
			return a.emitFrame(cmd, eng, out, sink)
		},
	}
	src.flags(c)
	sink.flags(c, "the result", "append", 20)
	return c
}

// frameSink is where ml transform and models predict put their result:
// a table (--into, --mode), a file (--out-file), else the first rows
// printed (--limit, --output).
type frameSink struct {
	into, outFile, mode string
	limit               int
	output              string
}

// flags registers the sink's flags on c: --into, --out-file, --mode
// (default mode), --limit (default limit) and --output; what names the
// rows written, e.g. "the scored rows".
func (s *frameSink) flags(c *cobra.Command, what, mode string, limit int) {
	other := map[string]string{"append": "overwrite", "overwrite": "append"}[mode]
	c.Flags().StringVar(&s.into, "into", "", "table to write "+what+" to")
	c.Flags().StringVar(&s.outFile, "out-file", "", "file to write "+what+" to (.parquet or .csv)")
	c.Flags().StringVar(&s.mode, "mode", mode, "with --into: "+mode+" or "+other)
	c.Flags().IntVar(&s.limit, "limit", limit, "without --into/--out-file: rows to print")
	addOutputFlag(c, &s.output)
}

// check validates the sink's flags: --output, --into and --out-file not
// both, --mode.
func (s frameSink) check() error {
	if err := checkOutput(s.output); err != nil {
		return err
	}
	if s.into != "" && s.outFile != "" {
		return errors.New("give --into or --out-file, not both")
	}
	if s.mode != "append" && s.mode != "overwrite" {
		return fmt.Errorf("--mode %q: use append or overwrite", s.mode)
	}
	return nil
}

// emitFrame writes f to the sink's table or file, or prints its first
// rows.
func (a *app) emitFrame(cmd *cobra.Command, eng *sqlengine.Engine, f *ml.Frame, to frameSink) error {
	switch {
	case to.into != "":
		id, err := parseIdent(to.into)
		if err != nil {
			return usage(cmd, err)
		}
		info, err := a.ws.WriteFrame(a.ctx, id, f, to.mode)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote %s to %s (version %d)\n", plural(f.NumRows(), "row"), id, info.Version)
		return nil
	case to.outFile != "":
		return writeFrameFile(a.ctx, eng, f, to.outFile, a.stdout)
	}
	tbl := f.Table()
	defer tbl.Release()
	n := min(int64(to.limit), tbl.NumRows())
	rdr := array.NewTableReader(tbl, max(n, 1))
	defer rdr.Release()
	var recs []arrow.RecordBatch
	if rdr.Next() && n > 0 {
		recs = append(recs, rdr.RecordBatch().NewSlice(0, n))
	}
	out, err := array.NewRecordReader(tbl.Schema(), recs)
	if err != nil {
		return err
	}
	_, err = printRows(a.stdout, to.output, out)
	return err
}

func writeFrameFile(ctx context.Context, eng *sqlengine.Engine, f *ml.Frame, path string, w io.Writer) error {
	format := ""
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet":
		format = "parquet"
	case ".csv":
		format = "csv, header true"
	default:
		return fmt.Errorf("--out-file %s: use a .parquet or .csv name", path)
	}
	t := f.Table()
	defer t.Release()
	rdr := array.NewTableReader(t, 64*1024)
	defer rdr.Release()
	q := fmt.Sprintf("COPY (SELECT * FROM __frame) TO '%s' (FORMAT %s)", strings.ReplaceAll(path, "'", "''"), format)
	err := eng.QueryWith(ctx, q, sqlengine.Relations{Arrow: map[string]array.RecordReader{"__frame": rdr}}, func(r array.RecordReader) error {
		for r.Next() {
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(w, "wrote %s to %s\n", plural(f.NumRows(), "row"), path)
	return nil
}

func (a *app) mlEvaluateCmd() *cobra.Command {
	var src mlSource
	var evaluators []string
	var output string
	c := &cobra.Command{
		Use:   "evaluate MODEL_DIR (--table T | --sql Q | --file F) --evaluator NAME[:metric] ...",
		Short: "Score a fitted model on labelled rows",
		Long: `Apply a fitted model to labelled rows and compute metrics with Spark's
evaluators. Each --evaluator is NAME or NAME:metricName, e.g.
BinaryClassificationEvaluator:areaUnderPR. Columns are the evaluators'
defaults (label, prediction, rawPrediction); to use others, evaluate with
a spec's evaluate: block instead.`,
		Example: `  sluice ml evaluate models/churn --table churn_test --evaluator BinaryClassificationEvaluator
  sluice ml evaluate models/churn --table churn_test --evaluator MulticlassClassificationEvaluator:accuracy --evaluator MulticlassClassificationEvaluator:f1`,
		Args: exactArgs(1, "a model directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			if len(evaluators) == 0 {
				return usage(cmd, errors.New("give at least one --evaluator"))
			}
			reg, _, err := a.mlRegistry()
			if err != nil {
				return err
			}
			var evs []ml.Evaluator
			for _, e := range evaluators {
				name, metric, _ := strings.Cut(e, ":")
				obj, err := reg.New(name)
				if err != nil {
					return usage(cmd, fmt.Errorf("--evaluator %s: %w", e, err))
				}
				ev, ok := obj.(ml.Evaluator)
				if !ok {
					return usage(cmd, fmt.Errorf("--evaluator %s: %s is not an evaluator", e, name))
				}
				if metric != "" {
					if err := ml.SetParam(ev, "metricName", metric); err != nil {
						return usage(cmd, fmt.Errorf("--evaluator %s: %w", e, err))
					}
					if v, ok := ev.Params().(ml.Validator); ok {
						if err := v.Validate(); err != nil {
							return usage(cmd, fmt.Errorf("--evaluator %s: %w", e, err))
						}
					}
				}
				evs = append(evs, ev)
			}
			model, err := a.loadModel(args[0], reg)
			if err != nil {
				return err
			}
			f, err := src.frame(a.ctx, cmd, a.ws)
			if err != nil {
				return err
			}
			scored, err := model.Transform(a.ctx, f)
			if err != nil {
				return err
			}
			g := &grid{cols: []string{"evaluator", "metric", "value"}}
			for _, ev := range evs {
				v, err := ev.Evaluate(a.ctx, scored)
				if err != nil {
					return fmt.Errorf("%s: %w", ev.StageName(), err)
				}
				g.add(ev.StageName(), ev.MetricName(), fmt.Sprintf("%.6g", v))
			}
			return printGrid(a.stdout, output, g)
		},
	}
	src.flags(c)
	c.Flags().StringArrayVar(&evaluators, "evaluator", nil, "evaluator NAME or NAME:metricName (repeatable)")
	addOutputFlag(c, &output)
	return c
}

// DebugStringer is implemented by models with a textual dump (trees).
type debugStringer interface{ DebugString() string }

func (a *app) mlDescribeCmd() *cobra.Command {
	ref := &modelRef{a: a}
	var output string
	c := &cobra.Command{
		Use:   "describe MODEL",
		Short: "Show a saved model's stages, params and learned state",
		Long: `Show a model's stages, their params and what they learned (trees, cluster
centres, topics, vocabulary sizes …). MODEL is a directory saved by
'sluice ml fit --out' or an MLflow model: models:/NAME@ALIAS,
models:/NAME/VERSION, runs:/RUN_ID/model or its directory.`,
		Example: `  sluice ml describe models/churn
  sluice ml describe models:/churn@champion --output json`,
		Args: exactArgs(1, "a model directory or URI"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			st, err := a.loadStage(ref, args[0], stages.Registry(nil))
			if err != nil {
				return err
			}
			desc := describeStage(st)
			if output == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(desc)
			}
			printDescription(a.stdout, desc, "")
			return nil
		},
	}
	ref.flags(c)
	addOutputFlag(c, &output)
	return c
}

type stageDescription struct {
	Class  string             `json:"class"`
	Params map[string]any     `json:"params,omitempty"`
	Debug  string             `json:"debug,omitempty"`
	Stages []stageDescription `json:"stages,omitempty"`
}

func describeStage(st ml.Stage) stageDescription {
	d := stageDescription{Class: st.StageName(), Params: map[string]any{}}
	for _, p := range ml.ParamList(st) {
		if v := reflect.ValueOf(p.Value); v.Kind() == reflect.Float64 && (v.Float() != v.Float()) {
			d.Params[p.Name] = "NaN"
			continue
		}
		d.Params[p.Name] = p.Value
	}
	if ds, ok := st.(debugStringer); ok {
		d.Debug = ds.DebugString()
	}
	switch m := st.(type) {
	case *ml.PipelineModel:
		for _, s := range m.Stages {
			d.Stages = append(d.Stages, describeStage(s))
		}
	case *ml.Pipeline:
		for _, s := range m.Stages {
			d.Stages = append(d.Stages, describeStage(s))
		}
	}
	switch m := st.(type) {
	case *tuning.CrossValidatorModel:
		d.Stages = append(d.Stages, describeStage(m.BestModel))
	case *tuning.TrainValidationSplitModel:
		d.Stages = append(d.Stages, describeStage(m.BestModel))
	}
	return d
}

func printDescription(w io.Writer, d stageDescription, indent string) {
	fmt.Fprintf(w, "%s%s\n", indent, d.Class)
	keys := make([]string, 0, len(d.Params))
	for k := range d.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s  %s = %v\n", indent, k, d.Params[k])
	}
	if d.Debug != "" {
		for _, line := range strings.Split(strings.TrimRight(d.Debug, "\n"), "\n") {
			fmt.Fprintf(w, "%s  | %s\n", indent, line)
		}
	}
	for i, s := range d.Stages {
		fmt.Fprintf(w, "%s stage %d:\n", indent, i+1)
		printDescription(w, s, indent+"  ")
	}
}

func (a *app) mlStagesCmd() *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "stages [NAME]",
		Short: "List the stages and evaluators a spec can use, or one stage's params",
		Example: `  sluice ml stages
  sluice ml stages DecisionTreeClassifier`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			reg := stages.Registry(nil)
			if len(args) == 0 {
				g := &grid{cols: []string{"stage"}}
				for _, n := range reg.Names() {
					g.add(n)
				}
				return printGrid(a.stdout, output, g)
			}
			obj, err := reg.New(args[0])
			if err != nil {
				return usage(cmd, err)
			}
			g := &grid{cols: []string{"param", "type", "default", "doc"}}
			for _, p := range ml.ParamList(obj) {
				g.add(p.Name, p.Type, fmt.Sprint(p.Value), p.Doc)
			}
			return printGrid(a.stdout, output, g)
		},
	}
	addOutputFlag(c, &output)
	return c
}

// add appends a row of text cells.
func (g *grid) add(cells ...string) {
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = c
	}
	g.rows = append(g.rows, row)
}
