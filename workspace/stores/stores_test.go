package stores_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/artifacts/artifactstest"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

func TestDefaultsAreLazyAndInTheWorkspace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := stores.New(stores.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stores.MetaDBPath(dir)); !os.IsNotExist(err) {
		t.Errorf("meta.db exists before first use: %v", err)
	}
	tr, err := st.Tracking(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "meta.db")); err != nil {
		t.Errorf("meta.db after Tracking: %v", err)
	}
	if again, _ := st.Tracking(ctx); again != tr {
		t.Error("second Tracking call opened another store")
	}
	if _, err := tr.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "0"}); err != nil {
		t.Errorf("default experiment: %v", err)
	}
	if _, err := st.Registry(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := st.Artifacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "0/x/artifacts/f.txt", strings.NewReader("hi")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(stores.ArtifactsDir(dir), "0", "x", "artifacts", "f.txt")); err != nil || string(b) != "hi" {
		t.Errorf("artifact file: %q, %v", b, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := st.Tracking(ctx); err == nil {
		t.Error("Tracking after Close: nil error")
	}
}

func TestConfiguredBackends(t *testing.T) {
	ctx := context.Background()
	st, err := stores.New(stores.Config{DB: filepath.Join(t.TempDir(), "other.db"), Artifacts: artifactstest.NewS3URL(t, "p")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Registry(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Artifacts(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := stores.New(stores.Config{DB: "x.db"}); err == nil || !strings.Contains(err.Error(), "Dir") {
		t.Errorf("no Dir, no Artifacts: got %v, want an error naming Dir", err)
	}
	st, err := stores.New(stores.Config{Dir: t.TempDir(), Artifacts: "ftp://nowhere"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Artifacts(context.Background()); err == nil {
		t.Error("ftp:// artifacts: nil error")
	}
}
