package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluice-dev/sluice/ml"
)

// fakeTree stands in for DecisionTreeClassifier so the harness is tested
// without the tree package: its "model" scores a row by one feature.
type fakeTree struct{ P fakeParams }

type fakeParams struct {
	ml.ClassifierCols
	MaxDepth int `param:"maxDepth"`
	Seed     int `param:"seed"`
	Feature  int `param:"feature"`
}

func (e *fakeTree) StageName() string { return "DecisionTreeClassifier" }
func (e *fakeTree) Params() any       { return &e.P }
func (e *fakeTree) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, e.P.ClassifierCols)
}
func (e *fakeTree) Fit(ctx context.Context, f *ml.Frame) (ml.Model, error) {
	return &fakeModel{p: e.P}, nil
}

type fakeModel struct{ p fakeParams }

func (m *fakeModel) StageName() string { return "DecisionTreeClassificationModel" }
func (m *fakeModel) Params() any       { return &m.p }
func (m *fakeModel) TransformSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return ml.ClassifierSchema(in, m.p.ClassifierCols)
}
func (m *fakeModel) Transform(ctx context.Context, f *ml.Frame) (*ml.Frame, error) {
	return ml.TransformClassifier(ctx, f, m.p.ClassifierCols, nil, m)
}
func (m *fakeModel) NumClasses() int  { return 2 }
func (m *fakeModel) NumFeatures() int { return 20 }
func (m *fakeModel) PredictRaw(x, raw []float64) {
	raw[0], raw[1] = -x[m.p.Feature], x[m.p.Feature]
}
func (m *fakeModel) RawToProbability(raw, prob []float64) bool {
	prob[1] = 1 / (1 + math.Exp(-raw[1]))
	prob[0] = 1 - prob[1]
	return true
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestLoadChurnMatchesPeerEncoding(t *testing.T) {
	csv := filepath.Join(repoRoot(t), "examples", "churn", "data", "mlc_churn.csv")
	train, test, err := loadChurn(csv, csv)
	if err != nil {
		t.Fatal(err)
	}
	if train.rows() != 3333 || test.rows() != 1667 {
		t.Fatalf("got %d train / %d test rows, want 3333 / 1667", train.rows(), test.rows())
	}
	// peer.py's column order: the file's columns without state, area_code
	// and churn, then the area-code one-hots.
	want := []string{"account_length", "international_plan", "voice_mail_plan", "number_vmail_messages",
		"total_day_minutes", "total_day_calls", "total_day_charge", "total_eve_minutes", "total_eve_calls",
		"total_eve_charge", "total_night_minutes", "total_night_calls", "total_night_charge",
		"total_intl_minutes", "total_intl_calls", "total_intl_charge", "number_customer_service_calls",
		"area_code_408", "area_code_415", "area_code_510"}
	if !slices.Equal(train.names, want) {
		t.Fatalf("got features %v, want %v", train.names, want)
	}
	// First data row: "KS",128,"area_code_415","no","yes",25,265.1,110,45.07,…,1,"no"
	row := train.x[:20]
	if row[0] != 128 || row[1] != 0 || row[2] != 1 || row[3] != 25 || row[4] != 265.1 || row[16] != 1 ||
		row[17] != 0 || row[18] != 1 || row[19] != 0 || train.y[0] != 0 {
		t.Errorf("got first row %v label %v", row, train.y[0])
	}
	pos := 0.0
	for _, y := range append(slices.Clone(train.y), test.y...) {
		pos += y
	}
	if got := pos / 5000; math.Abs(got-0.1414) > 0.001 {
		t.Errorf("positive rate %.4f, want 0.1414", got)
	}
}

func TestLoadChurnRejectsUnknownAreaCode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.csv")
	data := "state,account_length,area_code,international_plan,voice_mail_plan,churn\nKS,1,area_code_999,no,no,no\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := loadChurn(p, p+".missing")
	if err == nil || !strings.Contains(err.Error(), "area_code_999") {
		t.Fatalf("got %v, want an error naming area_code_999", err)
	}
}

func TestDefaultParams(t *testing.T) {
	lr := defaultParams("churn", "lr", 20, 3333)
	if got := lr["regParam"].(float64); math.Abs(got*3333-1) > 1e-12 {
		t.Errorf("lr regParam %v, want 1/3333", got)
	}
	if got := defaultParams("churn", "rf", 20, 1)["featureSubsetStrategy"]; got != "4" {
		t.Errorf("rf featureSubsetStrategy %v, want 4 (scikit-learn's int(sqrt(20)))", got)
	}
	if got := defaultParams("synthetic", "dt", 20, 1)["maxDepth"]; got != 10 {
		t.Errorf("synthetic dt maxDepth %v, want 10", got)
	}
}

func TestBenchEndToEndWithFakeStage(t *testing.T) {
	reg := ml.NewRegistry()
	reg.Register(func() ml.HasParams { return &fakeTree{P: fakeParams{ClassifierCols: ml.DefaultClassifierCols()}} })
	// Feature 16 is number_customer_service_calls, which predicts churn.
	cfg := &config{task: "churn", model: "dt", repeat: 2, nJobs: 2, repoRoot: repoRoot(t),
		extraParams: map[string]any{"feature": 16.0}}
	res, err := bench(context.Background(), cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if res.NTrain != 3333 || res.NTest != 1667 || res.NFeatures != 20 || res.Repeat != 2 {
		t.Errorf("got %+v", res)
	}
	if !(res.AUC > 0.55 && res.AUC < 0.8) {
		t.Errorf("AUC of customer service calls alone: got %v, want about 0.6–0.7", res.AUC)
	}
	if res.Params["maxDepth"] != 5 || res.Params["feature"] != 16.0 {
		t.Errorf("params: got %v", res.Params)
	}
	if res.FitSeconds < 0 || res.PeakRSSMB <= 0 {
		t.Errorf("got fit %v s, peak RSS %v MB", res.FitSeconds, res.PeakRSSMB)
	}
}

func TestRunUnknownStagePrintsErrorAndExitsZero(t *testing.T) {
	var out, errb bytes.Buffer
	// ml.NewRegistry is what stages.Registry returns before a package
	// registers GBTClassifier; run uses stages.Registry, so this checks
	// bench directly and run's exit code via a stage no registry has.
	_, err := bench(context.Background(), &config{task: "churn", model: "gbt", repeat: 1, nJobs: 1, repoRoot: repoRoot(t)}, ml.NewRegistry())
	if !errors.Is(err, errUnknownStage) {
		t.Fatalf("got %v, want errUnknownStage", err)
	}
	code := run(context.Background(), []string{"--task", "churn", "--model", "nope"}, &out, &errb)
	if code != 2 {
		t.Errorf("bad --model: got exit %d, want 2", code)
	}
}

func TestRunPrintsOneJSONLine(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--task", "churn", "--model", "gbt", "--params", `{"maxIter": 2}`, "--root", repoRoot(t)}, &out, &errb)
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("stdout %q is not one JSON object: %v", out.String(), err)
	}
	if code != 0 && m["error"] == nil {
		t.Fatalf("exit %d without an error key: %s", code, out.String())
	}
	for _, k := range []string{"task", "model", "peak_rss_mb", "go_version"} {
		if _, ok := m[k]; !ok {
			t.Errorf("line lacks %q: %s", k, out.String())
		}
	}
}
