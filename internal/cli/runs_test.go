package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// seeded is what seedRuns logged.
type seeded struct {
	expID       string
	best, other string // run IDs: auc 0.91 and 0.85
}

// seedRuns logs two runs into experiment "churn" of workspace ws through
// the in-process API, with params, metrics and, on the best run, a model
// artifact.
func seedRuns(t *testing.T, ws string) seeded {
	t.Helper()
	ctx := context.Background()
	st, err := stores.New(stores.Config{Dir: ws})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	api, err := server.NewAPI(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := mlflowclient.New(server.LocalURL, mlflowclient.WithHTTPClient(server.LocalClient(api)))
	if err != nil {
		t.Fatal(err)
	}
	var s seeded
	if s.expID, err = cl.GetOrCreateExperiment(ctx, "churn"); err != nil {
		t.Fatal(err)
	}
	logRun := func(name, depth string, auc float64) *tracking.Run {
		r, err := cl.CreateRun(ctx, &tracking.CreateRun{ExperimentID: s.expID, RunName: name, StartTime: 1_700_000_000_000})
		if err != nil {
			t.Fatal(err)
		}
		id := r.Run.Info.RunID
		_, err = cl.LogBatch(ctx, &tracking.LogBatch{RunID: id,
			Params:  []tracking.Param{{Key: "maxDepth", Value: depth}, {Key: "maxIter", Value: "20"}},
			Metrics: []tracking.Metric{{Key: "auc", Value: auc - 0.1, Timestamp: 1, Step: 0}, {Key: "auc", Value: auc, Timestamp: 2, Step: 1}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.UpdateRun(ctx, &tracking.UpdateRun{RunID: id, Status: "FINISHED", EndTime: 1_700_000_002_500}); err != nil {
			t.Fatal(err)
		}
		return r.Run
	}
	best := logRun("deep", "5", 0.91)
	s.best = best.Info.RunID
	s.other = logRun("shallow", "3", 0.85).Info.RunID
	for p, body := range map[string]string{"model/MLmodel": "flavors: {}\n", "model/model/stages.json": "[]\n", "notes.txt": "hi\n"} {
		if err := cl.UploadArtifact(ctx, best.Info.ArtifactURI, p, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestRunsCommands(t *testing.T) {
	ws := t.TempDir()
	s := seedRuns(t, ws)

	out := mustRun(t, ws, "runs", "list", "--experiment", "churn", "--order-by", "metrics.auc DESC")
	if i, j := strings.Index(out, s.best), strings.Index(out, s.other); i < 0 || j < 0 || i > j {
		t.Errorf("runs list ordered by auc DESC: want %s before %s:\n%s", s.best, s.other, out)
	}
	for _, want := range []string{"metrics.auc", "0.91", "FINISHED", "2.5s", "(2 rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs list lacks %q:\n%s", want, out)
		}
	}

	var runs []tracking.Run
	out = mustRun(t, ws, "runs", "list", "-e", s.expID, "--filter", "params.maxDepth = '3'", "--output", "json")
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 1 || runs[0].Info.RunID != s.other {
		t.Errorf("runs list --filter: got %d runs (%v), want only %s:\n%s", len(runs), err, s.other, out)
	}

	out = mustRun(t, ws, "runs", "show", s.best)
	for _, want := range [][2]string{{"run_name", "deep"}, {"params.maxDepth", "5"}, {"metrics.auc", "0.91"}, {"status", "FINISHED"}, {"duration", "2.5s"}} {
		if !hasKV(out, want[0], want[1]) {
			t.Errorf("runs show lacks %s = %s:\n%s", want[0], want[1], out)
		}
	}

	out = mustRun(t, ws, "runs", "compare", s.best, s.other)
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		for _, k := range []string{"params.maxDepth", "params.maxIter", "metrics.auc"} {
			if len(f) > 0 && (f[0] == k || (len(f) > 1 && f[1] == k)) {
				lines[k] = l
			}
		}
	}
	if l := lines["params.maxDepth"]; !strings.HasPrefix(l, "*") || !strings.Contains(l, "5") || !strings.Contains(l, "3") {
		t.Errorf("compare: maxDepth row %q, want marked * with 5 and 3:\n%s", l, out)
	}
	if l := lines["params.maxIter"]; strings.HasPrefix(l, "*") || l == "" {
		t.Errorf("compare: maxIter row %q, want unmarked:\n%s", l, out)
	}
	if l := lines["metrics.auc"]; !strings.HasPrefix(l, "*") || !strings.Contains(l, "0.91") || !strings.Contains(l, "0.85") {
		t.Errorf("compare: auc row %q, want the final values 0.91 and 0.85, marked:\n%s", l, out)
	}
	if !strings.Contains(out, "deep") || !strings.Contains(out, "shallow") {
		t.Errorf("compare: columns not named after the runs:\n%s", out)
	}
	var cmp struct {
		Rows []struct {
			Kind, Key string
			Values    []any
			Differs   bool
		}
	}
	out = mustRun(t, ws, "runs", "compare", s.best, s.other, "--diff", "--output", "json")
	if err := json.Unmarshal([]byte(out), &cmp); err != nil || len(cmp.Rows) != 2 {
		t.Fatalf("compare --diff json: %v, %d rows, want 2:\n%s", err, len(cmp.Rows), out)
	}
	if cmp.Rows[0].Key != "maxDepth" || cmp.Rows[1].Key != "auc" || cmp.Rows[1].Values[0] != 0.91 {
		t.Errorf("compare --diff json rows: %+v", cmp.Rows)
	}

	dest := filepath.Join(t.TempDir(), "model")
	mustRun(t, ws, "runs", "download", s.best, "--path", "model", "--dest", dest)
	if b, err := os.ReadFile(filepath.Join(dest, "model", "stages.json")); err != nil || string(b) != "[]\n" {
		t.Errorf("downloaded model/model/stages.json: %q, %v", b, err)
	}
	all := t.TempDir()
	mustRun(t, ws, "runs", "download", s.best, "--dest", all)
	if b, err := os.ReadFile(filepath.Join(all, "notes.txt")); err != nil || string(b) != "hi\n" {
		t.Errorf("downloaded notes.txt: %q, %v", b, err)
	}

	mustRun(t, ws, "runs", "delete", s.other)
	out = mustRun(t, ws, "runs", "list", "-e", "churn")
	if strings.Contains(out, s.other) {
		t.Errorf("deleted run still listed:\n%s", out)
	}
	if out = mustRun(t, ws, "runs", "list", "-e", "churn", "--view", "deleted"); !strings.Contains(out, s.other) {
		t.Errorf("--view deleted lacks the deleted run:\n%s", out)
	}
	mustRun(t, ws, "runs", "restore", s.other)
	if out = mustRun(t, ws, "runs", "list", "-e", "churn"); !strings.Contains(out, s.other) {
		t.Errorf("restored run not listed:\n%s", out)
	}

	for _, args := range [][]string{
		{"runs", "list", "--filter", "metrics.auc > 0"}, // MLflow-only flags without --experiment
		{"runs", "list", "-e", "churn", "--job", "x"},   // job-run flags with --experiment
		{"runs", "logs", s.best},                        // job-run commands take numeric IDs
		{"runs", "compare", s.best},
		{"runs", "download", s.best},
		{"runs", "list", "-e", "churn", "--view", "some"},
	} {
		if _, errs, code := run(t, ws, "", args...); code != 2 {
			t.Errorf("sluice %v: exit %d (%s), want 2", args, code, errs)
		}
	}
	if _, errs, code := run(t, ws, "", "runs", "show", "0123456789abcdef0123456789abcdef"); code != 1 || !strings.Contains(errs, "0123456789abcdef0123456789abcdef") {
		t.Errorf("runs show unknown: exit %d %q, want 1 naming the run", code, errs)
	}
	if _, errs, code := run(t, ws, "", "runs", "list", "-e", "nosuch"); code != 1 || !strings.Contains(errs, "nosuch") {
		t.Errorf("runs list unknown experiment: exit %d %q", code, errs)
	}
}
