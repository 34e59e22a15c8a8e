package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMLChurnPipeline runs the acceptance command: the churn
// tutorial spec, cross-validated, must reach a test AUC of at least 0.84,
// and the saved model must describe, transform and evaluate. The fit is
// logged to the workspace's tracking store (a parent run and one child
// per grid point) and registered with an alias.
func TestMLChurnPipeline(t *testing.T) {
	ws := t.TempDir()
	model := filepath.Join(ws, "model")
	out := mustRun(t, ws, "ml", "fit", "../../examples/churn/pipeline.yaml", "--out", model, "--output", "json",
		"--experiment", "churn", "--register", "churn", "--alias", "champion")
	var res struct {
		TrainRows int64              `json:"train_rows"`
		TestRows  int64              `json:"test_rows"`
		Metrics   map[string]float64 `json:"metrics"`
		Tuning    struct {
			Results []struct {
				Params map[string]any `json:"params"`
				Mean   float64        `json:"mean"`
				Std    float64        `json:"std"`
			} `json:"results"`
			BestIndex int `json:"best_index"`
		} `json:"tuning"`
		Confusion []struct{ Count int64 } `json:"confusion"`
		ModelText string                  `json:"model_text"`
		Tracking  struct {
			RunID         string   `json:"run_id"`
			ModelURI      string   `json:"model_uri"`
			ChildRunIDs   []string `json:"child_run_ids"`
			RegisteredURI string   `json:"registered_model_uri"`
		} `json:"tracking"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("fit --output json is not one JSON object: %v\n%s", err, out)
	}
	if auc := res.Metrics["areaUnderROC"]; auc < 0.84 {
		t.Errorf("test areaUnderROC = %.4f, want >= 0.84", auc)
	}
	if res.TestRows != 1667 {
		t.Errorf("test rows = %d, want 1667 (rows 3,334-5,000)", res.TestRows)
	}
	if res.TrainRows < 800 || res.TrainRows > 1100 {
		t.Errorf("train rows after the stratified sample = %d, want about 966", res.TrainRows)
	}
	if n := len(res.Tuning.Results); n != 6 {
		t.Fatalf("tuning results: %d combinations, want 6 (maxDepth 2..7)", n)
	}
	for i, r := range res.Tuning.Results {
		if r.Params["tree.maxDepth"] != float64(i+2) || r.Mean <= 0.5 || r.Std < 0 {
			t.Errorf("combination %d: %+v", i, r)
		}
	}
	var total int64
	for _, c := range res.Confusion {
		total += c.Count
	}
	if total != 1667 {
		t.Errorf("confusion counts sum to %d, want 1667", total)
	}
	if !strings.Contains(res.ModelText, "DecisionTreeClassificationModel") || !strings.Contains(res.ModelText, "If (feature") {
		t.Errorf("model text is not a Spark tree dump:\n%s", res.ModelText)
	}

	tr := res.Tracking
	if tr.RunID == "" || tr.ModelURI != "runs:/"+tr.RunID+"/model" || len(tr.ChildRunIDs) != 6 || tr.RegisteredURI != "models:/churn@champion" {
		t.Errorf("tracking = %+v; want a run, 6 child runs and models:/churn@champion", tr)
	}
	kids := mustRun(t, ws, "runs", "list", "--experiment", "churn", "--filter", "tags.mlflow.parentRunId = '"+tr.RunID+"'", "--output", "json")
	var runs []struct {
		Data struct {
			Params []struct{ Key, Value string } `json:"params"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(kids), &runs); err != nil || len(runs) != 6 {
		t.Errorf("child runs: %d (%v), want 6", len(runs), err)
	}
	for _, r := range runs {
		if len(r.Data.Params) != 1 || r.Data.Params[0].Key != "tree.maxDepth" {
			t.Errorf("child params = %+v, want tree.maxDepth only", r.Data.Params)
		}
	}
	_, stderr, code := run(t, ws, "", "ml", "fit", "../../examples/churn/pipeline.yaml", "--no-track", "--experiment", "x")
	if code != 2 || !strings.Contains(stderr, "--no-track cannot be combined") {
		t.Errorf("--no-track with --experiment: code %d, %s", code, stderr)
	}
	// A tracking server that is not there: the fit is printed, then fails.
	stdout, stderr, code := run(t, ws, "", "ml", "fit", "../../examples/churn/pipeline.yaml", "--tracking-uri", "http://127.0.0.1:1")
	if code != 1 || !strings.Contains(stdout, "test areaUnderROC") || !strings.Contains(stderr, "log the fit to tracking") {
		t.Errorf("unreachable tracking server: code %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	desc := mustRun(t, ws, "ml", "describe", model)
	for _, want := range []string{"CrossValidatorModel", "PipelineModel", "StringIndexerModel", "DecisionTreeClassificationModel", "maxDepth"} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe lacks %q:\n%s", want, desc)
		}
	}

	csv := filepath.Join(ws, "new.csv")
	if err := os.WriteFile(csv, []byte("account_length,international_plan,voice_mail_plan,number_vmail_messages,total_day_minutes,total_day_calls,total_eve_minutes,total_eve_calls,total_night_minutes,total_night_calls,total_intl_minutes,total_intl_calls,number_customer_service_calls,label\n"+
		"128,no,yes,25,265.1,110,197.4,99,244.7,91,10,3,1,0\n"+
		"100,yes,no,0,320.0,90,250.0,100,200.0,100,15,2,5,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ws, "ml", "transform", model, "--file", csv, "--into", "scored")
	got := mustRun(t, ws, "sql", "SELECT count(*), count(prediction), max(len(probability)) FROM scored", "--output", "csv")
	if !strings.Contains(got, "2,2,2") {
		t.Errorf("scored table: %s", got)
	}
	ev := mustRun(t, ws, "ml", "evaluate", model, "--file", csv, "--evaluator", "MulticlassClassificationEvaluator:accuracy", "--output", "csv")
	if !strings.Contains(ev, "MulticlassClassificationEvaluator,accuracy,") {
		t.Errorf("evaluate: %s", ev)
	}
}

func TestMLSpecErrors(t *testing.T) {
	ws := t.TempDir()
	spec := filepath.Join(ws, "bad.yaml")
	os.WriteFile(spec, []byte("input: {table: t}\nstages:\n  - stage: DecisionTreeClassifier\n    maxDepht: 3\n"), 0o644)
	_, stderr, code := run(t, ws, "", "ml", "fit", spec)
	if code != 1 || !strings.Contains(stderr, `bad.yaml:4:5: DecisionTreeClassifier has no param "maxDepht"; did you mean "maxDepth"?`) {
		t.Errorf("code %d, stderr %s", code, stderr)
	}
	_, stderr, code = run(t, ws, "", "ml", "describe", ws)
	if code != 1 || !strings.Contains(stderr, "not a Sluice model directory") {
		t.Errorf("describe of a non-model: code %d, %s", code, stderr)
	}
}
