package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/models/modelstest"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
)

// TestServing registers the churn model twice (predicting the class, then
// the class probabilities), serves it under /serving/churn/ at its
// champion alias, and moves the alias.
func TestServing(t *testing.T) {
	ctx := context.Background()
	c := modelstest.MustChurn(t)
	local := t.TempDir()
	for _, v := range []struct{ dir, pred string }{{"v1", ""}, {"v2", "probability"}} {
		err := models.Save(ctx, filepath.Join(local, v.dir), c.Model, nil, models.Options{Example: c.Test, ExampleRows: 3, PredictionCol: v.pred})
		if err != nil {
			t.Fatal(err)
		}
	}
	example, err := os.ReadFile(filepath.Join(local, "v1", "input_example.json"))
	if err != nil {
		t.Fatal(err)
	}

	s := startServer(t, Config{}, nil)
	cl, err := mlflowclient.New(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	run, err := cl.CreateRun(ctx, &tracking.CreateRun{ExperimentID: "0"})
	if err != nil {
		t.Fatal(err)
	}
	uri := run.Run.Info.ArtifactURI
	for _, v := range []string{"v1", "v2"} {
		if err := cl.LogArtifacts(ctx, uri, filepath.Join(local, v), v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cl.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "churn"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v1", "v2"} {
		if _, err := cl.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "churn", Source: uri + "/" + v, RunID: run.Run.Info.RunID}); err != nil {
			t.Fatal(err)
		}
	}
	setAlias := func(version string) {
		t.Helper()
		if _, err := cl.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "churn", Alias: "champion", Version: version}); err != nil {
			t.Fatal(err)
		}
	}
	setAlias("1")

	invoke := func() []json.RawMessage {
		t.Helper()
		body := `{"dataframe_split": ` + string(example) + `}`
		resp, err := http.Post(s.URL+"/serving/churn/invocations", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("invocations: %d %s", resp.StatusCode, b)
		}
		var out struct {
			Predictions []json.RawMessage `json:"predictions"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Predictions) != 3 {
			t.Fatalf("invocations: %s (%v), want 3 predictions", b, err)
		}
		return out.Predictions
	}
	for _, p := range invoke() {
		if p := string(p); p != "0" && p != "1" && p != "0.0" && p != "1.0" {
			t.Errorf("version 1 prediction %s, want a class", p)
		}
	}

	// Move the alias: the server re-resolves at once (Refresh) or at its
	// next poll; Sync waits for the swap deterministically.
	setAlias("2")
	if err := s.srv.serving.reg.Sync(ctx, "churn"); err != nil {
		t.Fatal(err)
	}
	if got := s.srv.serving.reg.Version("churn"); got != "2" {
		t.Errorf("served version %q after moving the alias, want 2", got)
	}
	for _, p := range invoke() {
		if !bytes.HasPrefix(p, []byte("[")) {
			t.Errorf("version 2 prediction %s, want a probability vector", p)
		}
	}

	tests := []struct {
		method, path, ctype, body string
		want                      int
	}{
		{"GET", "/serving/churn/ping", "", "", 200},
		{"GET", "/serving/churn/version", "", "", 200},
		{"GET", "/serving/nope/ping", "", "", 404},
		{"POST", "/serving/churn/invocations", "text/plain", "x", 415},
		{"POST", "/serving/churn/invocations", "application/json", `{"dataframe_split": {"columns": ["account_length"], "data": [[1]]}}`, 400},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, s.URL+tt.path, strings.NewReader(tt.body))
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: got %d %s, want %d", tt.method, tt.path, resp.StatusCode, b, tt.want)
		}
	}
}
