package mlflowclient_test

import (
	"bytes"
	"context"
	"math"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/tracking"
	"github.com/sluice-dev/sluice/workspace/stores"
)

// MustServer serves the real MLflow API (tracking, registry, artifacts
// over SQLite and a temp directory) on loopback.
func MustServer(tb testing.TB) *mlflowclient.Client {
	tb.Helper()
	st, err := stores.New(stores.Config{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	api, err := server.NewAPI(context.Background(), st, nil)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(api)
	tb.Cleanup(srv.Close)
	return MustNew(tb, srv.URL)
}

// TestRoundTrip drives every typed method against the real handlers and
// stores.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := MustServer(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Experiments.
	id, err := c.GetOrCreateExperiment(ctx, "churn")
	must(err)
	if again, err := c.GetOrCreateExperiment(ctx, "churn"); err != nil || again != id {
		t.Errorf("GetOrCreateExperiment again = %q, %v; want %q", again, err, id)
	}
	_, err = c.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "churn"})
	if apierr.CodeOf(err) != apierr.ResourceAlreadyExists {
		t.Errorf("create a duplicate experiment: %v, want RESOURCE_ALREADY_EXISTS", err)
	}
	_, err = c.SetExperimentTag(ctx, &tracking.SetExperimentTag{ExperimentID: id, Key: "team", Value: "growth"})
	must(err)
	_, err = c.UpdateExperiment(ctx, &tracking.UpdateExperiment{ExperimentID: id, NewName: "churn-v2"})
	must(err)
	got, err := c.GetExperimentByName(ctx, &tracking.GetExperimentByName{ExperimentName: "churn-v2"})
	must(err)
	if got.Experiment.ExperimentID != id || len(got.Experiment.Tags) != 1 || got.Experiment.Tags[0].Value != "growth" {
		t.Errorf("experiment = %+v", got.Experiment)
	}
	_, err = c.DeleteExperimentTag(ctx, &tracking.DeleteExperimentTag{ExperimentID: id, Key: "team"})
	must(err)
	exps, err := c.SearchExperiments(ctx, &tracking.SearchExperiments{Filter: "name LIKE 'churn%'"})
	must(err)
	if len(exps.Experiments) != 1 {
		t.Errorf("search experiments: %d, want 1", len(exps.Experiments))
	}

	// Runs.
	cr, err := c.CreateRun(ctx, &tracking.CreateRun{ExperimentID: id, RunName: "r1", Tags: []tracking.RunTag{{Key: "k", Value: "v"}}})
	must(err)
	run := cr.Run.Info.RunID
	_, err = c.LogParam(ctx, &tracking.LogParam{RunID: run, Key: "lr", Value: "0.1"})
	must(err)
	_, err = c.LogParam(ctx, &tracking.LogParam{RunID: run, Key: "lr", Value: "0.2"})
	if apierr.CodeOf(err) != apierr.InvalidParameterValue {
		t.Errorf("changing a param: %v, want INVALID_PARAMETER_VALUE", err)
	}
	for step := range 3 {
		_, err = c.LogMetric(ctx, &tracking.LogMetric{RunID: run, Key: "loss", Value: tracking.Float(1 / float64(step+1)), Timestamp: int64(step), Step: int64(step)})
		must(err)
	}
	_, err = c.LogMetric(ctx, &tracking.LogMetric{RunID: run, Key: "odd", Value: tracking.Float(math.NaN()), Timestamp: 1})
	must(err)
	_, err = c.SetTag(ctx, &tracking.SetTag{RunID: run, Key: "stage", Value: "dev"})
	must(err)
	_, err = c.DeleteTag(ctx, &tracking.DeleteTag{RunID: run, Key: "k"})
	must(err)
	must(c.LogBatchChunked(ctx, run, []tracking.Metric{{Key: "auc", Value: 0.9, Timestamp: 5}}, []tracking.Param{{Key: "depth", Value: "4"}}, []tracking.RunTag{{Key: "b", Value: "1"}}))
	_, err = c.LogInputs(ctx, &tracking.LogInputs{RunID: run, Datasets: []tracking.DatasetInput{{
		Dataset: &tracking.Dataset{Name: "churn", Digest: "abcd1234", SourceType: "local", Source: `{"uri":"file:///x.csv"}`},
		Tags:    []tracking.InputTag{{Key: "mlflow.data.context", Value: "training"}},
	}}})
	must(err)
	h, err := c.GetMetricHistory(ctx, &tracking.GetMetricHistory{RunID: run, MetricKey: "loss"})
	must(err)
	if len(h.Metrics) != 3 || h.Metrics[2].Value != 1.0/3 {
		t.Errorf("loss history = %+v", h.Metrics)
	}
	bulk, err := c.GetMetricHistoryBulkInterval(ctx, &tracking.GetMetricHistoryBulkInterval{RunIDs: []string{run}, MetricKey: "loss"})
	must(err)
	if len(bulk.Metrics) != 3 || bulk.Metrics[2].Value != 1.0/3 {
		t.Errorf("bulk history = %+v", bulk.Metrics)
	}
	// tracking.MetricWithRunID decodes through the embedded Metric's
	// UnmarshalJSON, which drops run_id; check the wire form directly.
	var raw struct {
		Metrics []struct {
			RunID string `json:"run_id"`
		} `json:"metrics"`
	}
	must(c.Call(ctx, "GET", "metrics/get-history-bulk-interval", &tracking.GetMetricHistoryBulkInterval{RunIDs: []string{run}, MetricKey: "loss"}, &raw))
	if len(raw.Metrics) != 3 || raw.Metrics[0].RunID != run {
		t.Errorf("bulk history run ids = %+v, want %s", raw.Metrics, run)
	}
	_, err = c.UpdateRun(ctx, &tracking.UpdateRun{RunID: run, Status: tracking.Finished, EndTime: 10})
	must(err)
	gr, err := c.GetRun(ctx, &tracking.GetRun{RunID: run})
	must(err)
	r := gr.Run
	if r.Info.Status != tracking.Finished || len(r.Data.Params) != 2 || len(r.Inputs.DatasetInputs) != 1 {
		t.Errorf("run = %+v", r)
	}
	for _, m := range r.Data.Metrics {
		if m.Key == "odd" && !math.IsNaN(m.Value) {
			t.Errorf("NaN metric came back as %v", m.Value)
		}
	}
	found, err := c.SearchAllRuns(ctx, &tracking.SearchRuns{ExperimentIDs: []string{id}, Filter: "metrics.auc > 0.5 and params.lr = '0.1'"})
	must(err)
	if len(found) != 1 || found[0].Info.RunID != run {
		t.Errorf("search runs = %d runs", len(found))
	}
	_, err = c.DeleteRun(ctx, &tracking.DeleteRun{RunID: run})
	must(err)
	_, err = c.RestoreRun(ctx, &tracking.RestoreRun{RunID: run})
	must(err)

	// Artifacts through the proxy, and listed by run.
	uri := r.Info.ArtifactURI
	must(c.UploadArtifact(ctx, uri, "model/MLmodel", strings.NewReader("flavors: {}\n")))
	must(c.UploadArtifact(ctx, uri, "notes.txt", strings.NewReader("hi")))
	la, err := c.ListArtifacts(ctx, &mlflowclient.ListArtifacts{RunID: run})
	must(err)
	if len(la.Files) != 2 || la.RootURI != uri {
		t.Errorf("list artifacts = %+v", la)
	}
	var buf bytes.Buffer
	must(c.DownloadArtifact(ctx, uri, "model/MLmodel", &buf))
	if buf.String() != "flavors: {}\n" {
		t.Errorf("download = %q", buf.String())
	}
	err = c.UploadArtifact(ctx, "mlflow-artifacts:/"+id+"/"+run+"/artifacts/../../x", "f", strings.NewReader("x"))
	if apierr.CodeOf(err) != apierr.InvalidParameterValue {
		t.Errorf("upload outside the run: %v, want INVALID_PARAMETER_VALUE", err)
	}

	// Registry.
	_, err = c.CreateRegisteredModel(ctx, &registry.CreateRegisteredModel{Name: "churn", Description: "d"})
	must(err)
	mv, err := c.CreateModelVersion(ctx, &registry.CreateModelVersion{Name: "churn", Source: uri + "/model", RunID: run})
	must(err)
	if mv.ModelVersion.Version != "1" {
		t.Errorf("first version = %q", mv.ModelVersion.Version)
	}
	_, err = c.SetRegisteredModelAlias(ctx, &registry.SetRegisteredModelAlias{Name: "churn", Alias: "champion", Version: "1"})
	must(err)
	ba, err := c.GetModelVersionByAlias(ctx, &registry.GetModelVersionByAlias{Name: "churn", Alias: "champion"})
	must(err)
	if ba.ModelVersion.Version != "1" || ba.ModelVersion.RunID != run {
		t.Errorf("champion = %+v", ba.ModelVersion)
	}
	tr, err := c.TransitionModelVersionStage(ctx, &registry.TransitionModelVersionStage{Name: "churn", Version: "1", Stage: "production"})
	must(err)
	if tr.ModelVersion.CurrentStage != registry.StageProduction {
		t.Errorf("stage = %q", tr.ModelVersion.CurrentStage)
	}
	dl, err := c.GetModelVersionDownloadURI(ctx, &registry.GetModelVersionDownloadURI{Name: "churn", Version: "1"})
	must(err)
	if dl.ArtifactURI != uri+"/model" {
		t.Errorf("download uri = %q, want %q", dl.ArtifactURI, uri+"/model")
	}
	rm, err := c.GetRegisteredModel(ctx, &registry.GetRegisteredModel{Name: "churn"})
	must(err)
	if len(rm.RegisteredModel.Aliases) != 1 || rm.RegisteredModel.Description != "d" {
		t.Errorf("registered model = %+v", rm.RegisteredModel)
	}
	sv, err := c.SearchModelVersions(ctx, &registry.SearchModelVersions{Filter: "name = 'churn'"})
	must(err)
	if len(sv.ModelVersions) != 1 {
		t.Errorf("search versions = %d", len(sv.ModelVersions))
	}
	sm, err := c.SearchRegisteredModels(ctx, &registry.SearchRegisteredModels{Filter: "name LIKE 'ch%'"})
	must(err)
	if len(sm.RegisteredModels) != 1 {
		t.Errorf("search models = %d", len(sm.RegisteredModels))
	}
	_, err = c.GetModelVersion(ctx, &registry.GetModelVersion{Name: "churn", Version: "9"})
	if !apierr.IsNotFound(err) {
		t.Errorf("missing version: %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
	_, err = c.DeleteRegisteredModelAlias(ctx, &registry.DeleteRegisteredModelAlias{Name: "churn", Alias: "champion"})
	must(err)

	// Experiment lifecycle last: a deleted experiment's name is reported.
	_, err = c.DeleteExperiment(ctx, &tracking.DeleteExperiment{ExperimentID: id})
	must(err)
	if _, err := c.GetOrCreateExperiment(ctx, "churn-v2"); apierr.CodeOf(err) != apierr.InvalidState {
		t.Errorf("GetOrCreateExperiment of a deleted name: %v, want INVALID_STATE", err)
	}
	_, err = c.RestoreExperiment(ctx, &tracking.RestoreExperiment{ExperimentID: id})
	must(err)
	ge, err := c.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: id})
	must(err)
	if ge.Experiment.LifecycleStage != tracking.StageActive {
		t.Errorf("restored experiment stage = %q", ge.Experiment.LifecycleStage)
	}
}

// TestToken checks the bearer token reaches a server that wants one.
func TestToken(t *testing.T) {
	st, err := stores.New(stores.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := server.DefaultConfig()
	cfg.Token = "s3cret"
	s, err := server.New(context.Background(), st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx := context.Background()
	if _, err := MustNew(t, srv.URL).GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "0"}); apierr.CodeOf(err) != apierr.Unauthenticated {
		t.Errorf("without a token: %v, want UNAUTHENTICATED", err)
	}
	got, err := MustNew(t, srv.URL, mlflowclient.WithToken("s3cret")).GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "0"})
	if err != nil || got.Experiment.Name != "Default" {
		t.Errorf("with the token: %+v, %v", got, err)
	}
}
