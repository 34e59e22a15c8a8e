package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/registry"
)

func TestModelsRegistryCommands(t *testing.T) {
	ws := t.TempDir()
	s := seedRuns(t, ws)

	out := mustRun(t, ws, "models", "register", "runs:/"+s.best+"/model", "--name", "churn", "--alias", "champion")
	if !strings.Contains(out, "registered churn version 1 from mlflow-artifacts:/") || !strings.Contains(out, "models:/churn@champion") {
		t.Errorf("register:\n%s", out)
	}
	var v registry.ModelVersion
	if err := json.Unmarshal([]byte(mustRun(t, ws, "models", "register", "runs:/"+s.other+"/model", "--name", "churn", "-o", "json")), &v); err != nil || v.Version != "2" || v.RunID != s.other {
		t.Fatalf("register -o json: %v %+v", err, v)
	}
	if !strings.HasSuffix(v.Source, "/"+s.other+"/artifacts/model") {
		t.Errorf("version 2 source %q, want the run's artifact root + /model", v.Source)
	}

	out = mustRun(t, ws, "models", "list")
	if !strings.Contains(out, "churn") || !strings.Contains(out, "champion=1") || !strings.Contains(out, "(1 row)") {
		t.Errorf("list:\n%s", out)
	}
	var set map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, ws, "models", "set-alias", "churn", "challenger", "2", "-o", "json")), &set); err != nil || set["model_uri"] != "models:/churn@challenger" {
		t.Errorf("set-alias -o json: %v %v", err, set)
	}
	out = mustRun(t, ws, "models", "show", "churn")
	if !hasKV(out, "aliases", "challenger=2, champion=1") {
		t.Errorf("show lacks the aliases:\n%s", out)
	}
	for _, want := range []string{s.best, s.other, "READY"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	var shown struct {
		RegisteredModel *registry.RegisteredModel `json:"registered_model"`
		ModelVersions   []registry.ModelVersion   `json:"model_versions"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, ws, "models", "show", "churn", "-o", "json")), &shown); err != nil || len(shown.ModelVersions) != 2 || shown.ModelVersions[0].Version != "2" {
		t.Errorf("show -o json: %v %+v", err, shown)
	}

	if out = mustRun(t, ws, "models", "transition", "churn", "1", "production"); !strings.Contains(out, "stage Production") {
		t.Errorf("transition: %s", out)
	}
	mustRun(t, ws, "models", "delete-alias", "churn", "challenger")
	if out = mustRun(t, ws, "models", "show", "churn"); strings.Contains(out, "challenger") {
		t.Errorf("alias still shown after delete-alias:\n%s", out)
	}
	mustRun(t, ws, "models", "delete", "churn", "--version", "2")
	if _, errs, code := run(t, ws, "", "models", "set-alias", "churn", "x", "2"); code != 1 || !strings.Contains(errs, "2") {
		t.Errorf("alias to deleted version: exit %d %q", code, errs)
	}
	mustRun(t, ws, "models", "delete", "churn")
	if out = mustRun(t, ws, "models", "list"); strings.Contains(out, "churn") {
		t.Errorf("deleted model listed:\n%s", out)
	}
	if _, errs, code := run(t, ws, "", "models", "show", "churn"); code != 1 || !strings.Contains(errs, "churn") {
		t.Errorf("show deleted model: exit %d %q", code, errs)
	}
	for _, args := range [][]string{{"models", "register", "runs:/x/model"}, {"models", "set-alias", "churn", "a"}, {"models", "transition", "churn", "1"}} {
		if _, errs, code := run(t, ws, "", args...); code != 2 {
			t.Errorf("sluice %v: exit %d (%s), want 2", args, code, errs)
		}
	}
}
