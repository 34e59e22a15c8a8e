package main

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/workspace"
)

// TestSameNumbersAsSpec checks that the Go program and pipeline.yaml give
// the same test AUC, and that it meets the tutorial's 0.84.
func TestSameNumbersAsSpec(t *testing.T) {
	ctx := context.Background()
	goAUC, err := run(ctx, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg := workspace.DefaultConfig()
	cfg.Dir = t.TempDir()
	ws, err := workspace.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	eng, err := ws.SQL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spec.ParseFile(filepath.Join("..", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := sp.Build(stages.Registry(eng))
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	specAUC := res.Metrics["areaUnderROC"]
	if math.Abs(goAUC-specAUC) > 1e-12 {
		t.Errorf("Go program AUC %.6f, pipeline.yaml AUC %.6f: they must agree", goAUC, specAUC)
	}
	if goAUC < 0.84 {
		t.Errorf("test AUC %.4f < 0.84", goAUC)
	}
}
