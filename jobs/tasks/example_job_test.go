package tasks_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/examples"
	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/spec"
)

// TestChurnExampleJob runs every task of examples/churn/job.yaml (what
// `sluice quickstart` runs) through the runners, in dependency order,
// passing task values downstream the way the engine does.
func TestChurnExampleJob(t *testing.T) {
	if testing.Short() {
		t.Skip("fits the full churn pipeline")
	}
	e := MustEnv(t)
	// The job's files, laid out as in examples/churn.
	for name, data := range map[string][]byte{"job.yaml": examples.ChurnJob, "train.yaml": examples.ChurnTrain} {
		if err := os.WriteFile(filepath.Join(e.jobDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.jobDir, "data", "mlc_churn.csv"), examples.ChurnCSV, 0o644); err != nil {
		t.Fatal(err)
	}
	job, err := spec.ParseFile(filepath.Join(e.jobDir, "job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	vars, err := job.ResolveParams(nil)
	if err != nil {
		t.Fatal(err)
	}
	vars["job.name"], vars["run.id"] = job.Name, "7"
	ctx := context.Background()
	var last map[string]json.RawMessage
	for _, task := range job.TopoOrder() {
		sub, err := task.Substituted(vars)
		if err != nil {
			t.Fatalf("task %s: %v", task.Key, err)
		}
		r, ok := e.runners[sub.Type()]
		if !ok {
			t.Fatalf("task %s: no runner for %s", task.Key, sub.Type())
		}
		var log strings.Builder
		vals, err := r.Run(ctx, &jobs.TaskContext{Job: job.Name, RunID: 7, Key: task.Key, Attempt: 1, Task: sub, Dir: job.Dir, Vars: vars, Log: &log})
		if err != nil {
			t.Fatalf("task %s: %v\nlog:\n%s", task.Key, err, log.String())
		}
		t.Logf("task %s:\n%s", task.Key, log.String())
		for name, v := range vals {
			var s string
			if json.Unmarshal(v, &s) != nil {
				s = string(v)
			}
			vars["tasks."+task.Key+".values."+name] = s
		}
		last = vals
	}
	var report struct {
		AUC     float64 `json:"test_auc"`
		Test    int64   `json:"test_customers"`
		Correct int64   `json:"correct"`
	}
	b, _ := json.Marshal(last)
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatalf("report values %s: %v", b, err)
	}
	if report.AUC < 0.8 || report.Test != 1667 || report.Correct < 1000 {
		t.Errorf("report: got %s, want an AUC ≥ 0.8 over 1667 test customers, most predicted right", b)
	}
}
