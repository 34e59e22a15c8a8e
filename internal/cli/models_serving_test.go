package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/internal/cli"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/models/modelstest"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace"
)

// logModel saves the churn model as an MLflow model directory and logs it
// as the "model" artifact of a new run in workspace ws; it returns the
// local directory and the run ID.
func logModel(t *testing.T, ws string) (dir, runID string) {
	t.Helper()
	ctx := context.Background()
	c := modelstest.MustChurn(t)
	dir = filepath.Join(t.TempDir(), "churn-model")
	if err := models.Save(ctx, dir, c.Model, c.Train.Schema(), models.Options{Example: c.Train}); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(ctx, workspace.Config{Dir: ws})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ts, err := w.Tracking(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, err := ts.CreateRun(ctx, &tracking.CreateRun{RunName: "churn"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := artifacts.KeyForURI(run.Run.Info.ArtifactURI + "/model")
	if err != nil {
		t.Fatal(err)
	}
	as, err := w.Artifacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := as.UploadDir(ctx, dir, key); err != nil {
		t.Fatal(err)
	}
	return dir, run.Run.Info.RunID
}

func TestModelsPredictAndServe(t *testing.T) {
	ws := t.TempDir()
	dir, runID := logModel(t, ws)
	data := modelstest.DataPath()
	mustRun(t, ws, "models", "register", "runs:/"+runID+"/model", "--name", "churn", "--alias", "champion")

	// Batch scoring from a registered model into a file, and printed.
	out := mustRun(t, ws, "models", "predict", "models:/churn@champion", "--file", data, "--out-file", filepath.Join(t.TempDir(), "scored.parquet"))
	if !strings.Contains(out, "wrote 5000 rows") {
		t.Errorf("predict --out-file: %s", out)
	}
	out = mustRun(t, ws, "models", "predict", "models:/churn/1", "--file", data, "--limit", "2", "--outputs", "probability", "--output", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("predict --output json: %v\n%s", err, out)
	}
	for _, k := range []string{"state", "churn", "prediction", "probability"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("predicted row lacks %s: %v", k, rows[0])
		}
	}
	if _, ok := rows[0]["features"]; ok {
		t.Errorf("predicted row has features without --outputs features: %v", rows[0])
	}

	// From a local directory, table to table.
	mustRun(t, ws, "ingest", data, "--table", "churn.raw")
	out = mustRun(t, ws, "models", "predict", dir, "--table", "churn.raw", "--into", "churn.scored")
	if !strings.Contains(out, "wrote 5000 rows to churn.scored") {
		t.Errorf("predict --into: %s", out)
	}
	out = mustRun(t, ws, "sql", "SELECT count(*) AS n FROM churn.scored WHERE prediction IN (0, 1)", "--output", "csv")
	if out != "n\n5000\n" {
		t.Errorf("scored rows: %q", out)
	}
	if _, errs, code := run(t, ws, "", "models", "predict", dir, "--sql", "SELECT 1 AS x"); code != cli.ExitError || !strings.Contains(errs, "lack column(s) account_length") {
		t.Errorf("missing columns: exit %d, %s", code, errs)
	}
	if _, errs, code := run(t, ws, "", "models", "predict", "models:/churn/x", "--table", "churn.raw"); code != cli.ExitUsage || !strings.Contains(errs, "neither a version number") {
		t.Errorf("bad URI: exit %d, %s", code, errs)
	}
	if _, errs, code := run(t, ws, "", "models", "predict", "models:/nope/1", "--table", "churn.raw"); code != cli.ExitError || !strings.Contains(errs, "nope") {
		t.Errorf("unknown model: exit %d, %s", code, errs)
	}

	// Serving: start, score one row, stop on cancel.
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- cli.Main(ctx, []string{"--workspace", ws, "models", "serve", "models:/churn@champion", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve printed nothing (%v); stderr: %s", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	i, j := strings.Index(line, "http://"), strings.Index(line, "/invocations")
	if i < 0 || j < i {
		cancel()
		t.Fatalf("serve: %q", line)
	}
	url := line[i:j]
	body := `{"dataframe_split": {"columns": ["account_length", "international_plan", "voice_mail_plan", "number_vmail_messages", "total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls", "total_intl_minutes", "total_intl_calls", "number_customer_service_calls"],
		"data": [[128, false, true, 25, 265.1, 110, 197.4, 99, 244.7, 91, 10.0, 3, 1]]}}`
	resp, err := http.Post(url+"/invocations", "application/json", strings.NewReader(body))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), `{"predictions": [`) {
		t.Errorf("invocations: %d %s", resp.StatusCode, b)
	}
	cancel()
	if code := <-exit; code != 0 {
		t.Errorf("serve exited %d; stderr: %s", code, stderr.String())
	}

	help := mustRun(t, ws, "help", "models", "serve")
	if !strings.Contains(help, "sluice models serve models:/churn@champion --addr 127.0.0.1:5001") {
		t.Errorf("help models serve lacks the example:\n%s", help)
	}
}
