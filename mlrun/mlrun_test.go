package mlrun_test

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/mlrun"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// MustClient returns a client of the real MLflow API (tracking, registry
// and artifacts over SQLite and a directory in a temp dir, as the
// workspace wires them) served on loopback.
func MustClient(tb testing.TB) *mlflowclient.Client {
	tb.Helper()
	ctx := context.Background()
	st, err := stores.New(stores.Config{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	api, err := server.NewAPI(ctx, st, nil)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(api)
	tb.Cleanup(srv.Close)
	c, err := mlflowclient.New(srv.URL, mlflowclient.WithHTTPClient(srv.Client()))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// frameData serves every query the same frame.
type frameData struct{ f *ml.Frame }

func (d frameData) Frame(context.Context, string, map[string]string) (*ml.Frame, error) {
	return d.f, nil
}

// MustFrame returns n rows of x1, x2 and a 0/1 label that depends on them.
func MustFrame(tb testing.TB, n int) *ml.Frame {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	x1, x2, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x1[i], x2[i] = r.NormFloat64(), r.NormFloat64()
		if x1[i]+0.5*x2[i]+0.3*r.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	f64 := arrow.PrimitiveTypes.Float64
	f, err := ml.NewFrame(arrow.NewSchema([]arrow.Field{{Name: "x1", Type: f64}, {Name: "x2", Type: f64}, {Name: "label", Type: f64}}, nil),
		[]*arrow.Chunked{ml.Float64Column(x1), ml.Float64Column(x2), ml.Float64Column(y)})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

const cvSpec = `name: toy
input: {table: toy}
test: {table: toy_test}
stages:
  - stage: VectorAssembler
    inputCols: [x1]
    outputCol: f1
  - stage: VectorAssembler
    inputCols: [f1, x2]
    outputCol: features
  - stage: LogisticRegression
    name: lr
    maxIter: 25
tuning:
  method: CrossValidator
  numFolds: 2
  seed: 7
  grid:
    lr.regParam: [0.0, 0.1, 1.0]
  evaluator:
    evaluator: BinaryClassificationEvaluator
evaluate:
  - evaluator: BinaryClassificationEvaluator
    metricName: areaUnderROC
`

// MustFit parses and runs spec src written to dir/spec.yaml.
func MustFit(tb testing.TB, dir, src string) (*spec.Plan, *spec.Result) {
	tb.Helper()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	sp, err := spec.ParseFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	pl, err := sp.Build(stages.Registry(nil))
	if err != nil {
		tb.Fatal(err)
	}
	res, err := pl.Run(context.Background(), frameData{MustFrame(tb, 300)}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return pl, res
}

func tagsOf(r tracking.Run) map[string]string {
	m := map[string]string{}
	for _, t := range r.Data.Tags {
		m[t.Key] = t.Value
	}
	return m
}

func paramsOf(r tracking.Run) map[string]string {
	m := map[string]string{}
	for _, p := range r.Data.Params {
		m[p.Key] = p.Value
	}
	return m
}

func metricsOf(r tracking.Run) map[string]float64 {
	m := map[string]float64{}
	for _, x := range r.Data.Metrics {
		m[x.Key] = x.Value
	}
	return m
}

// TestLogFitCrossValidator logs a cross-validated fit inside a git work
// tree and registers it: a parent run and one child per grid point, with
// params, metrics, tags, datasets, the model directory and a registered
// version behind an alias.
func TestLogFitCrossValidator(t *testing.T) {
	ctx := context.Background()
	c := MustClient(t)
	dir := t.TempDir()
	commit := ""
	if _, err := exec.LookPath("git"); err == nil {
		git := func(args ...string) string {
			cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
			return strings.TrimSpace(string(out))
		}
		git("init", "-q")
		os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o644)
		git("add", "README")
		git("commit", "-q", "-m", "init")
		commit = git("rev-parse", "HEAD")
	}
	pl, res := MustFit(t, dir, cvSpec)

	lg, err := mlrun.LogFit(ctx, c, mlrun.Options{
		Experiment: "toy-cv", Plan: pl, Result: res, User: "ada", SluiceVersion: "9.9.9",
		RegisterModel: "toy", Alias: "champion",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lg.ChildRunIDs) != 3 {
		t.Fatalf("child runs = %d, want 3", len(lg.ChildRunIDs))
	}
	if lg.ModelURI != "runs:/"+lg.RunID+"/model" || lg.RegisteredURI != "models:/toy@champion" || lg.ModelVersion != "1" {
		t.Errorf("logged = %+v", lg)
	}

	got, err := c.GetRun(ctx, &tracking.GetRun{RunID: lg.RunID})
	if err != nil {
		t.Fatal(err)
	}
	parent := *got.Run
	if parent.Info.Status != tracking.Finished || parent.Info.RunName != "toy" || parent.Info.ExperimentID != lg.ExperimentID {
		t.Errorf("parent info = %+v", parent.Info)
	}
	tags := tagsOf(parent)
	wantTags := map[string]string{
		mlrun.TagSourceName:    filepath.Join(dir, "spec.yaml"),
		mlrun.TagSourceType:    "LOCAL",
		mlrun.TagUser:          "ada",
		mlrun.TagSluiceVersion: "9.9.9",
		mlrun.TagTuning:        "CrossValidator",
		mlrun.TagGitCommit:     commit,
	}
	for k, want := range wantTags {
		if got := tags[k]; got != want && !(want == "" && got == "") {
			t.Errorf("parent tag %s = %q, want %q", k, got, want)
		}
	}
	if h := tags[mlrun.TagLogModel]; !strings.Contains(h, `"artifact_path":"model"`) || !strings.Contains(h, `"model_class":"PipelineModel"`) || !strings.Contains(h, lg.RunID) {
		t.Errorf("log-model history tag = %s", tags[mlrun.TagLogModel])
	}
	params := paramsOf(parent)
	best := res.Tuning.Results[res.Tuning.BestIndex].Params["lr.regParam"]
	wantParams := map[string]string{
		// Two unnamed stages of one class are numbered, not merged.
		"VectorAssembler_1.inputCols": `["x1"]`,
		"VectorAssembler_1.outputCol": "f1",
		"VectorAssembler_2.inputCols": `["f1","x2"]`,
		"VectorAssembler_2.outputCol": "features",
		"lr.maxIter":                  "25",
		"lr.regParam":                 mlrun.ParamValue(best),
		"CrossValidator.numFolds":     "2",
		"CrossValidator.seed":         "7",
		"CrossValidator.evaluator":    "BinaryClassificationEvaluator",
	}
	for k, want := range wantParams {
		if got := params[k]; got != want {
			t.Errorf("parent param %s = %q, want %q", k, got, want)
		}
	}
	metrics := metricsOf(parent)
	for _, k := range []string{"test_areaUnderROC", "avg_areaUnderROC", "std_areaUnderROC", "train_rows", "test_rows", "fit_seconds"} {
		if _, ok := metrics[k]; !ok {
			t.Errorf("parent lacks metric %s (has %v)", k, metrics)
		}
	}
	if metrics["test_areaUnderROC"] != res.Metrics["areaUnderROC"] {
		t.Errorf("test_areaUnderROC = %v, want %v", metrics["test_areaUnderROC"], res.Metrics["areaUnderROC"])
	}
	if n := len(parent.Inputs.DatasetInputs); n != 2 {
		t.Errorf("dataset inputs = %d, want 2 (training, testing)", n)
	} else if d := parent.Inputs.DatasetInputs[0].Dataset; d.Name != "toy" || d.SourceType != mlrun.SourceTable || len(d.Digest) != 8 || !strings.Contains(d.Schema, `"x1"`) {
		t.Errorf("training dataset = %+v", d)
	}

	// The children, found the way the MLflow UI finds them.
	kids, err := c.SearchAllRuns(ctx, &tracking.SearchRuns{
		ExperimentIDs: []string{lg.ExperimentID},
		Filter:        "tags.mlflow.parentRunId = '" + lg.RunID + "'",
		OrderBy:       []string{"attributes.run_name ASC"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(kids) != 3 {
		t.Fatalf("search children: %d runs, want 3", len(kids))
	}
	for j, k := range kids {
		comb := res.Tuning.Results[j]
		if k.Info.RunName != "toy-"+string(rune('1'+j)) {
			t.Errorf("child %d name = %q", j, k.Info.RunName)
		}
		if got, want := paramsOf(k)["lr.regParam"], mlrun.ParamValue(comb.Params["lr.regParam"]); got != want {
			t.Errorf("child %d lr.regParam = %q, want %q", j, got, want)
		}
		m := metricsOf(k)
		if m["avg_areaUnderROC"] != comb.Mean || m["std_areaUnderROC"] != comb.Std {
			t.Errorf("child %d metrics = %v, want avg %v std %v", j, m, comb.Mean, comb.Std)
		}
		if k.Info.Status != tracking.Finished {
			t.Errorf("child %d status %s", j, k.Info.Status)
		}
		if (tagsOf(k)[mlrun.TagBest] == "true") != (j == res.Tuning.BestIndex) {
			t.Errorf("child %d best tag = %q, best index %d", j, tagsOf(k)[mlrun.TagBest], res.Tuning.BestIndex)
		}
	}

	// The model: logged as an MLflow model directory, registered, loadable.
	mv, err := c.GetModelVersionByAlias(ctx, &registry.GetModelVersionByAlias{Name: "toy", Alias: "champion"})
	if err != nil {
		t.Fatal(err)
	}
	if mv.ModelVersion.Version != "1" || mv.ModelVersion.RunID != lg.RunID {
		t.Errorf("champion = %+v", mv.ModelVersion)
	}
	dl, err := c.GetModelVersionDownloadURI(ctx, &registry.GetModelVersionDownloadURI{Name: "toy", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "model")
	if err := c.DownloadArtifacts(ctx, dl.ArtifactURI, "", local); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(ctx, local, stages.Registry(nil))
	if err != nil {
		t.Fatalf("load the registered model: %v", err)
	}
	_ = m
	mm, err := models.ReadMLmodel(local)
	if err != nil {
		t.Fatal(err)
	}
	if mm.RunID != lg.RunID || mm.Signature == nil || !strings.Contains(mm.Signature.Inputs, `"x1"`) || strings.Contains(mm.Signature.Inputs, `"label"`) {
		t.Errorf("MLmodel run_id %q, signature %+v", mm.RunID, mm.Signature)
	}
}

// TestLogFitPlain logs an untuned fit outside any git work tree, without
// a plan: every param of every fitted stage, no git tag, no children.
func TestLogFitPlain(t *testing.T) {
	ctx := context.Background()
	c := MustClient(t)
	src := strings.Replace(cvSpec, "tuning:", "unused_tuning:", 1)
	src = src[:strings.Index(src, "unused_tuning:")] + src[strings.Index(src, "evaluate:"):]
	pl, res := MustFit(t, t.TempDir(), src)
	_ = pl
	lg, err := mlrun.LogFit(ctx, c, mlrun.Options{Result: res, RunName: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	if lg.ExperimentID != "0" || len(lg.ChildRunIDs) != 0 || lg.RegisteredURI != "" {
		t.Errorf("logged = %+v; want the Default experiment (0), no children, no registration", lg)
	}
	got, err := c.GetRun(ctx, &tracking.GetRun{RunID: lg.RunID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tagsOf(*got.Run)[mlrun.TagGitCommit]; ok {
		t.Errorf("git commit tag outside a git work tree: %v", tagsOf(*got.Run))
	}
	params := paramsOf(*got.Run)
	if params["LogisticRegressionModel.maxIter"] != "25" && params["LogisticRegression.maxIter"] != "25" {
		t.Errorf("params without a plan: %v", params)
	}
	files, err := c.ListArtifacts(ctx, &mlflowclient.ListArtifacts{RunID: lg.RunID, Path: "model"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files.Files {
		names = append(names, f.Path)
	}
	if !strings.Contains(strings.Join(names, ","), "model/MLmodel") {
		t.Errorf("model artifacts = %v, want model/MLmodel among them", names)
	}

	if _, err := mlrun.LogFit(ctx, c, mlrun.Options{Result: res, Alias: "x"}); err == nil {
		t.Error("alias without a registered model name: want an error")
	}
}

// TestLogFitTrainValidationSplit: children carry avg_<metric> only (a
// single split has no std).
func TestLogFitTrainValidationSplit(t *testing.T) {
	ctx := context.Background()
	c := MustClient(t)
	src := strings.Replace(cvSpec, "method: CrossValidator\n  numFolds: 2", "method: TrainValidationSplit\n  trainRatio: 0.75", 1)
	pl, res := MustFit(t, t.TempDir(), src)
	lg, err := mlrun.LogFit(ctx, c, mlrun.Options{Experiment: "tvs", Plan: pl, Result: res})
	if err != nil {
		t.Fatal(err)
	}
	kids, err := c.SearchAllRuns(ctx, &tracking.SearchRuns{ExperimentIDs: []string{lg.ExperimentID}, Filter: "tags.mlflow.parentRunId = '" + lg.RunID + "'"})
	if err != nil || len(kids) != 3 {
		t.Fatalf("children: %d, %v; want 3", len(kids), err)
	}
	for _, k := range kids {
		m := metricsOf(k)
		if _, ok := m["avg_areaUnderROC"]; !ok || len(m) != 1 {
			t.Errorf("child metrics = %v, want avg_areaUnderROC only", m)
		}
		if got := tagsOf(k)[mlrun.TagTuning]; got != "TrainValidationSplit" {
			t.Errorf("child tuning tag = %q", got)
		}
	}
	got, err := c.GetRun(ctx, &tracking.GetRun{RunID: lg.RunID})
	if err != nil {
		t.Fatal(err)
	}
	if p := paramsOf(*got.Run)["TrainValidationSplit.trainRatio"]; p != "0.75" {
		t.Errorf("TrainValidationSplit.trainRatio = %q, want 0.75", p)
	}
}
