package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/tracking"
)

func TestExperimentsCommands(t *testing.T) {
	ws := t.TempDir()
	out := mustRun(t, ws, "experiments", "create", "churn", "--tag", "team=growth")
	if !strings.Contains(out, "created experiment churn (id ") {
		t.Fatalf("create: %s", out)
	}
	var created struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, ws, "experiments", "create", "fraud", "-o", "json")), &created); err != nil || created.ExperimentID == "" {
		t.Fatalf("create -o json: %v %+v", err, created)
	}

	out = mustRun(t, ws, "experiments", "list")
	for _, want := range []string{"Default", "churn", "fraud", "mlflow-artifacts:/" + created.ExperimentID, "(3 rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, ws, "experiments", "list", "--filter", "name LIKE 'ch%'", "--output", "csv")
	if !strings.HasPrefix(out, "experiment_id,name,") || !strings.Contains(out, ",churn,") || strings.Contains(out, "fraud") {
		t.Errorf("list --filter -o csv:\n%s", out)
	}

	var e tracking.Experiment
	if err := json.Unmarshal([]byte(mustRun(t, ws, "experiments", "show", "churn", "--output", "json")), &e); err != nil {
		t.Fatal(err)
	}
	if e.Name != "churn" || len(e.Tags) != 1 || e.Tags[0] != (tracking.ExperimentTag{Key: "team", Value: "growth"}) {
		t.Errorf("show churn: %+v", e)
	}
	out = mustRun(t, ws, "experiments", "show", e.ExperimentID)
	if !hasKV(out, "name", "churn") || !hasKV(out, "tags.team", "growth") {
		t.Errorf("show by id:\n%s", out)
	}

	mustRun(t, ws, "experiments", "rename", "churn", "churn-2026")
	if out = mustRun(t, ws, "experiments", "show", e.ExperimentID); !strings.Contains(out, "churn-2026") {
		t.Errorf("after rename:\n%s", out)
	}
	if out = mustRun(t, ws, "experiments", "delete", "churn-2026"); !strings.Contains(out, "deleted experiment churn-2026") {
		t.Errorf("delete: %s", out)
	}
	if out = mustRun(t, ws, "experiments", "list"); strings.Contains(out, "churn-2026") {
		t.Errorf("deleted experiment listed:\n%s", out)
	}
	if out = mustRun(t, ws, "experiments", "list", "--view", "deleted"); !strings.Contains(out, "churn-2026") || strings.Contains(out, "fraud") {
		t.Errorf("--view deleted:\n%s", out)
	}
	var restored []map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, ws, "experiments", "restore", e.ExperimentID, "-o", "json")), &restored); err != nil ||
		len(restored) != 1 || restored[0]["name"] != "churn-2026" || restored[0]["lifecycle_stage"] != "active" {
		t.Errorf("restore -o json: %v %v", err, restored)
	}
	if out = mustRun(t, ws, "experiments", "list"); !strings.Contains(out, "churn-2026") {
		t.Errorf("restored experiment not listed:\n%s", out)
	}

	if _, errs, code := run(t, ws, "", "experiments", "show", "nosuch"); code != 1 || !strings.Contains(errs, `"nosuch"`) {
		t.Errorf("show nosuch: exit %d %q", code, errs)
	}
	if _, errs, code := run(t, ws, "", "experiments", "create", "fraud"); code != 1 || !strings.Contains(errs, "fraud") {
		t.Errorf("create existing: exit %d %q", code, errs)
	}
	for _, args := range [][]string{{"experiments", "create"}, {"experiments", "create", "x", "--tag", "novalue"}, {"experiments", "list", "--view", "x"}, {"experiments", "rename", "a"}} {
		if _, errs, code := run(t, ws, "", args...); code != 2 {
			t.Errorf("sluice %v: exit %d (%s), want 2", args, code, errs)
		}
	}
}

// hasKV reports whether a key-value listing has a line "key  value".
func hasKV(out, key, value string) bool {
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, " "); ok && k == key && strings.TrimSpace(v) == value {
			return true
		}
	}
	return false
}
