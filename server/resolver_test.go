package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

func TestResolver(t *testing.T) {
	ctx := context.Background()
	st, err := stores.New(stores.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := st.Tracking(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := st.Artifacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, err := tr.CreateRun(ctx, &tracking.CreateRun{ExperimentID: "0"})
	if err != nil {
		t.Fatal(err)
	}
	root := run.Run.Info.ArtifactURI // mlflow-artifacts:/0/<run>/artifacts
	key := strings.TrimPrefix(root, "mlflow-artifacts:/")
	for i, body := range []string{"v1", "v2"} {
		if err := arts.Put(ctx, key+"/model"+string(rune('1'+i))+"/MLmodel", strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "churn"}); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"runs:/" + run.Run.Info.RunID + "/model1", root + "/model2"} {
		if _, err := reg.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "churn", Source: src, RunID: run.Run.Info.RunID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "churn", Alias: "champion", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "churn", Version: "1", Stage: "Production"}); err != nil {
		t.Fatal(err)
	}

	r := NewResolver(st)
	cache := t.TempDir()
	tests := []struct {
		uri, want string
	}{
		{"models:/churn@champion", "v1"},
		{"models:/churn/2", "v2"},
		{"models:/churn/latest", "v2"},
		{"models:/churn/Production", "v1"},
		{"runs:/" + run.Run.Info.RunID + "/model2", "v2"},
		{root + "/model1", "v1"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			res, err := models.Resolve(ctx, tt.uri, r, cache)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(res.Dir, "MLmodel"))
			if err != nil || string(b) != tt.want {
				t.Errorf("got %q, %v; want %q", b, err, tt.want)
			}
		})
	}
	for _, uri := range []string{"models:/churn@nope", "models:/churn/9", "models:/nope/1", "models:/churn/Staging", "runs:/0123456789abcdef0123456789abcdef/model"} {
		if _, err := models.Resolve(ctx, uri, r, cache); apierr.CodeOf(err) != apierr.ResourceDoesNotExist {
			t.Errorf("%s: got %v, want RESOURCE_DOES_NOT_EXIST", uri, err)
		}
	}
	if err := r.Download(ctx, "s3://elsewhere/x", t.TempDir()); apierr.CodeOf(err) != apierr.InvalidParameterValue {
		t.Errorf("download s3://: got %v, want INVALID_PARAMETER_VALUE", err)
	}
}
