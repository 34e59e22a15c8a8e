package tracking_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
	"github.com/sluice-dev/sluice/tracking"
)

// MustOpen opens a Store on db whose clock starts at 1,700,000,000,000 ms
// and advances 1 ms per reading.
func MustOpen(tb testing.TB, db *metastore.DB) *tracking.Store {
	tb.Helper()
	var tick atomic.Int64
	cfg := tracking.DefaultConfig()
	cfg.Now = func() time.Time { return time.UnixMilli(1_700_000_000_000 + tick.Add(1)) }
	s, err := tracking.Open(context.Background(), db, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// wantCode fails t unless err has code and its message contains every
// part.
func wantCode(t *testing.T, err error, code apierr.Code, parts ...string) {
	t.Helper()
	if got := apierr.CodeOf(err); err == nil || got != code {
		t.Fatalf("got error %v (%s), want %s", err, got, code)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("got message %q, want it to contain %q", err.Error(), p)
		}
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestStore(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		s := MustOpen(t, db)
		for _, tc := range []struct {
			name string
			fn   func(*testing.T, *tracking.Store)
		}{
			{"Experiments", testExperiments},
			{"SearchExperiments", testSearchExperiments},
			{"Runs", testRuns},
			{"LogBatch", testLogBatch},
			{"Metrics", testMetrics},
			{"SearchRuns", testSearchRuns},
			{"Inputs", testInputs},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
		}
		// Open is idempotent: a second Open keeps the data.
		s2 := MustOpen(t, db)
		e := must[*tracking.GetExperimentResponse](t)(s2.GetExperiment(context.Background(), &tracking.GetExperiment{ExperimentID: "0"}))
		if e.Experiment.Name != "Default" {
			t.Errorf("got %q, want Default", e.Experiment.Name)
		}
	})
}

func testExperiments(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	def := must[*tracking.GetExperimentResponse](t)(s.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "0"}))
	if got := def.Experiment; got.Name != "Default" || got.ArtifactLocation != "mlflow-artifacts:/0" || got.LifecycleStage != "active" {
		t.Errorf("default experiment: got %+v", got)
	}
	_, err := s.CreateExperiment(ctx, &tracking.CreateExperiment{})
	wantCode(t, err, apierr.InvalidParameterValue, "'name'")
	c := must[*tracking.CreateExperimentResponse](t)(s.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "exp-a", Tags: []tracking.ExperimentTag{{Key: "team", Value: "x"}, {Key: "team", Value: "y"}}}))
	if c.ExperimentID == "" || c.ExperimentID == "0" {
		t.Fatalf("got id %q", c.ExperimentID)
	}
	_, err = s.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "exp-a"})
	wantCode(t, err, apierr.ResourceAlreadyExists, "exp-a")
	got := must[*tracking.GetExperimentByNameResponse](t)(s.GetExperimentByName(ctx, &tracking.GetExperimentByName{ExperimentName: "exp-a"})).Experiment
	want := &tracking.Experiment{ExperimentID: c.ExperimentID, Name: "exp-a", ArtifactLocation: "mlflow-artifacts:/" + c.ExperimentID,
		LifecycleStage: "active", CreationTime: got.CreationTime, LastUpdateTime: got.CreationTime,
		Tags: []tracking.ExperimentTag{{Key: "team", Value: "y"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	_, err = s.GetExperimentByName(ctx, &tracking.GetExperimentByName{ExperimentName: "nope"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "nope")
	_, err = s.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "999"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "999")
	_, err = s.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "x1"})
	wantCode(t, err, apierr.InvalidParameterValue, "experiment_id", "x1")

	// Custom artifact location, rename, tags.
	c2 := must[*tracking.CreateExperimentResponse](t)(s.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "exp-b", ArtifactLocation: "s3://b/p"}))
	_, err = s.UpdateExperiment(ctx, &tracking.UpdateExperiment{ExperimentID: c2.ExperimentID, NewName: "exp-a"})
	wantCode(t, err, apierr.ResourceAlreadyExists, "exp-a")
	must[*tracking.UpdateExperimentResponse](t)(s.UpdateExperiment(ctx, &tracking.UpdateExperiment{ExperimentID: c2.ExperimentID, NewName: "exp-b2"}))
	must[*tracking.SetExperimentTagResponse](t)(s.SetExperimentTag(ctx, &tracking.SetExperimentTag{ExperimentID: c2.ExperimentID, Key: "k", Value: "v"}))
	e2 := must[*tracking.GetExperimentResponse](t)(s.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: c2.ExperimentID})).Experiment
	if e2.Name != "exp-b2" || e2.ArtifactLocation != "s3://b/p" || len(e2.Tags) != 1 || e2.LastUpdateTime <= e2.CreationTime {
		t.Errorf("got %+v", e2)
	}
	must[*tracking.DeleteExperimentTagResponse](t)(s.DeleteExperimentTag(ctx, &tracking.DeleteExperimentTag{ExperimentID: c2.ExperimentID, Key: "k"}))
	_, err = s.DeleteExperimentTag(ctx, &tracking.DeleteExperimentTag{ExperimentID: c2.ExperimentID, Key: "k"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "k")
	_, err = s.SetExperimentTag(ctx, &tracking.SetExperimentTag{ExperimentID: c2.ExperimentID, Key: "bad key!", Value: "v"})
	wantCode(t, err, apierr.InvalidParameterValue, "bad key!")

	// Delete and restore, with runs.
	run := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: c2.ExperimentID})).Run
	gone := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: c2.ExperimentID})).Run
	must[*tracking.DeleteRunResponse](t)(s.DeleteRun(ctx, &tracking.DeleteRun{RunID: gone.Info.RunID}))
	_, err = s.DeleteExperiment(ctx, &tracking.DeleteExperiment{ExperimentID: "0"})
	wantCode(t, err, apierr.InvalidParameterValue, "default experiment")
	must[*tracking.DeleteExperimentResponse](t)(s.DeleteExperiment(ctx, &tracking.DeleteExperiment{ExperimentID: c2.ExperimentID}))
	if e := must[*tracking.GetExperimentResponse](t)(s.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: c2.ExperimentID})).Experiment; e.LifecycleStage != "deleted" {
		t.Errorf("got stage %q, want deleted", e.LifecycleStage)
	}
	if r := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: run.Info.RunID})).Run; r.Info.LifecycleStage != "deleted" {
		t.Errorf("run of deleted experiment: got stage %q, want deleted", r.Info.LifecycleStage)
	}
	_, err = s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: c2.ExperimentID})
	wantCode(t, err, apierr.InvalidParameterValue, "must be in the 'active' state")
	_, err = s.SetExperimentTag(ctx, &tracking.SetExperimentTag{ExperimentID: c2.ExperimentID, Key: "k", Value: "v"})
	wantCode(t, err, apierr.InvalidParameterValue, "active")
	_, err = s.DeleteExperiment(ctx, &tracking.DeleteExperiment{ExperimentID: c2.ExperimentID})
	wantCode(t, err, apierr.InvalidParameterValue)
	must[*tracking.RestoreExperimentResponse](t)(s.RestoreExperiment(ctx, &tracking.RestoreExperiment{ExperimentID: c2.ExperimentID}))
	if r := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: run.Info.RunID})).Run; r.Info.LifecycleStage != "active" {
		t.Errorf("restored with the experiment: got stage %q, want active", r.Info.LifecycleStage)
	}
	if r := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: gone.Info.RunID})).Run; r.Info.LifecycleStage != "deleted" {
		t.Errorf("run deleted before its experiment: got stage %q, want deleted", r.Info.LifecycleStage)
	}
	_, err = s.RestoreExperiment(ctx, &tracking.RestoreExperiment{ExperimentID: "12345"})
	wantCode(t, err, apierr.ResourceDoesNotExist)
}

func testSearchExperiments(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		c := must[*tracking.CreateExperimentResponse](t)(s.CreateExperiment(ctx, &tracking.CreateExperiment{
			Name: fmt.Sprintf("search-%d", i), Tags: []tracking.ExperimentTag{{Key: "parity", Value: []string{"even", "odd"}[i%2]}}}))
		ids = append(ids, c.ExperimentID)
	}
	must[*tracking.DeleteExperimentResponse](t)(s.DeleteExperiment(ctx, &tracking.DeleteExperiment{ExperimentID: ids[4]}))
	names := func(r *tracking.SearchExperimentsResponse) string {
		var n []string
		for _, e := range r.Experiments {
			n = append(n, e.Name)
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		req  tracking.SearchExperiments
		want string
	}{
		{tracking.SearchExperiments{Filter: "name LIKE 'search-%'"}, "search-3,search-2,search-1,search-0"},
		{tracking.SearchExperiments{Filter: "name LIKE 'SEARCH-%'"}, ""},
		{tracking.SearchExperiments{Filter: "name ILIKE 'SEARCH-%' AND tags.parity = 'even'"}, "search-2,search-0"},
		{tracking.SearchExperiments{Filter: "name LIKE 'search-%'", ViewType: tracking.DeletedOnly}, "search-4"},
		{tracking.SearchExperiments{Filter: "name LIKE 'search-%'", ViewType: tracking.All, OrderBy: []string{"name"}}, "search-0,search-1,search-2,search-3,search-4"},
		{tracking.SearchExperiments{Filter: "name != 'search-1' AND name LIKE 'search%'", OrderBy: []string{"name DESC"}}, "search-3,search-2,search-0"},
		{tracking.SearchExperiments{Filter: "tags.`parity` != 'even' AND name LIKE 'search%'", OrderBy: []string{"experiment_id"}}, "search-1,search-3"},
		{tracking.SearchExperiments{Filter: "name = 'Default'"}, "Default"},
	}
	for _, tt := range tests {
		got := must[*tracking.SearchExperimentsResponse](t)(s.SearchExperiments(ctx, &tt.req))
		if names(got) != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.req, names(got), tt.want)
		}
	}
	// creation_time filters.
	e1 := must[*tracking.GetExperimentResponse](t)(s.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: ids[1]})).Experiment
	got := must[*tracking.SearchExperimentsResponse](t)(s.SearchExperiments(ctx, &tracking.SearchExperiments{Filter: fmt.Sprintf("creation_time <= %d and name like 'search%%'", e1.CreationTime)}))
	if names(got) != "search-1,search-0" {
		t.Errorf("creation_time: got %s", names(got))
	}
	// Paging.
	var pages []string
	req := &tracking.SearchExperiments{Filter: "name LIKE 'search-%'", MaxResults: 3, ViewType: tracking.All, OrderBy: []string{"name"}}
	for {
		r := must[*tracking.SearchExperimentsResponse](t)(s.SearchExperiments(ctx, req))
		pages = append(pages, names(r))
		if r.NextPageToken == "" {
			break
		}
		req.PageToken = r.NextPageToken
	}
	if got := strings.Join(pages, "|"); got != "search-0,search-1,search-2|search-3,search-4" {
		t.Errorf("pages: got %s", got)
	}
	for _, bad := range []tracking.SearchExperiments{
		{Filter: "metrics.x > 1"},
		{Filter: "name < 'a'"},
		{Filter: "owner = 'a'"},
		{OrderBy: []string{"tags.x"}},
		{MaxResults: 50001},
		{PageToken: "!!"},
		{ViewType: "SOME"},
	} {
		_, err := s.SearchExperiments(ctx, &bad)
		wantCode(t, err, apierr.InvalidParameterValue)
	}
}

func testRuns(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	r := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{RunName: "first", UserID: "ann", StartTime: 42,
		Tags: []tracking.RunTag{{Key: "a", Value: "1"}}})).Run
	if len(r.Info.RunID) != 32 || r.Info.RunUUID != r.Info.RunID || r.Info.ExperimentID != "0" || r.Info.Status != tracking.Running ||
		r.Info.StartTime != 42 || r.Info.ArtifactURI != "mlflow-artifacts:/0/"+r.Info.RunID+"/artifacts" || r.Info.RunName != "first" {
		t.Errorf("got %+v", r.Info)
	}
	if want := []tracking.RunTag{{Key: "a", Value: "1"}, {Key: "mlflow.runName", Value: "first"}}; !reflect.DeepEqual(r.Data.Tags, want) {
		t.Errorf("tags: got %v, want %v", r.Data.Tags, want)
	}
	got := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunUUID: r.Info.RunID})).Run
	if !reflect.DeepEqual(got, r) {
		t.Errorf("get: got %+v, want %+v", got, r)
	}
	// Name from the tag; generated names.
	byTag := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{Tags: []tracking.RunTag{{Key: "mlflow.runName", Value: "tagged"}}})).Run
	if byTag.Info.RunName != "tagged" {
		t.Errorf("got name %q, want tagged", byTag.Info.RunName)
	}
	gen := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{})).Run
	if strings.Count(gen.Info.RunName, "-") != 2 {
		t.Errorf("generated name %q", gen.Info.RunName)
	}
	_, err := s.CreateRun(ctx, &tracking.CreateRun{RunName: "x", Tags: []tracking.RunTag{{Key: "mlflow.runName", Value: "y"}}})
	wantCode(t, err, apierr.InvalidParameterValue, "run_name='x'", "mlflow.runName='y'")
	_, err = s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: "777"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "777")

	// Update.
	up := must[*tracking.UpdateRunResponse](t)(s.UpdateRun(ctx, &tracking.UpdateRun{RunID: r.Info.RunID, Status: tracking.Finished, EndTime: 99, RunName: "renamed"})).RunInfo
	if up.Status != tracking.Finished || up.EndTime != 99 || up.RunName != "renamed" {
		t.Errorf("update: got %+v", up)
	}
	got = must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: r.Info.RunID})).Run
	if got.Data.Tags[1] != (tracking.RunTag{Key: "mlflow.runName", Value: "renamed"}) {
		t.Errorf("runName tag after update: got %v", got.Data.Tags)
	}
	must[*tracking.SetTagResponse](t)(s.SetTag(ctx, &tracking.SetTag{RunID: r.Info.RunID, Key: "mlflow.runName", Value: "by-tag"}))
	if got := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: r.Info.RunID})).Run; got.Info.RunName != "by-tag" {
		t.Errorf("name after set-tag: got %q", got.Info.RunName)
	}
	_, err = s.UpdateRun(ctx, &tracking.UpdateRun{RunID: r.Info.RunID, Status: "DONE"})
	wantCode(t, err, apierr.InvalidParameterValue, "DONE")
	_, err = s.UpdateRun(ctx, &tracking.UpdateRun{})
	wantCode(t, err, apierr.InvalidParameterValue, "'run_id'")

	// Delete, writes refused, restore.
	must[*tracking.DeleteRunResponse](t)(s.DeleteRun(ctx, &tracking.DeleteRun{RunID: r.Info.RunID}))
	for name, call := range map[string]func() error{
		"log-metric": func() error {
			_, err := s.LogMetric(ctx, &tracking.LogMetric{RunID: r.Info.RunID, Key: "m", Value: 1, Timestamp: 1})
			return err
		},
		"log-param": func() error {
			_, err := s.LogParam(ctx, &tracking.LogParam{RunID: r.Info.RunID, Key: "p", Value: "1"})
			return err
		},
		"set-tag": func() error {
			_, err := s.SetTag(ctx, &tracking.SetTag{RunID: r.Info.RunID, Key: "t", Value: "1"})
			return err
		},
		"update": func() error {
			_, err := s.UpdateRun(ctx, &tracking.UpdateRun{RunID: r.Info.RunID, Status: tracking.Failed})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), apierr.InvalidParameterValue, "The run "+r.Info.RunID+" must be in the 'active' state. Current state is deleted.")
		})
	}
	must[*tracking.RestoreRunResponse](t)(s.RestoreRun(ctx, &tracking.RestoreRun{RunID: r.Info.RunID}))
	must[*tracking.SetTagResponse](t)(s.SetTag(ctx, &tracking.SetTag{RunID: r.Info.RunID, Key: "t", Value: "1"}))
	must[*tracking.DeleteTagResponse](t)(s.DeleteTag(ctx, &tracking.DeleteTag{RunID: r.Info.RunID, Key: "t"}))
	_, err = s.DeleteTag(ctx, &tracking.DeleteTag{RunID: r.Info.RunID, Key: "t"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "t")
	_, err = s.GetRun(ctx, &tracking.GetRun{RunID: "0123456789abcdef0123456789abcdef"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "0123456789abcdef0123456789abcdef")
	_, err = s.DeleteRun(ctx, &tracking.DeleteRun{RunID: "nope"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "nope")
}

func testLogBatch(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	run := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{RunName: "batch"})).Run.Info.RunID
	n := func(k int, prefix string) []tracking.Metric {
		out := make([]tracking.Metric, k)
		for i := range out {
			out[i] = tracking.Metric{Key: fmt.Sprintf("%s%d", prefix, i), Value: float64(i), Timestamp: 1}
		}
		return out
	}
	params := func(k int) []tracking.Param {
		out := make([]tracking.Param, k)
		for i := range out {
			out[i] = tracking.Param{Key: fmt.Sprintf("p%d", i), Value: "v"}
		}
		return out
	}
	tags := func(k int) []tracking.RunTag {
		out := make([]tracking.RunTag, k)
		for i := range out {
			out[i] = tracking.RunTag{Key: fmt.Sprintf("t%d", i), Value: "v"}
		}
		return out
	}
	long := strings.Repeat("k", 251)
	for _, tt := range []struct {
		name string
		req  tracking.LogBatch
		want []string
	}{
		{"1001 metrics", tracking.LogBatch{Metrics: n(1001, "m")}, []string{"at most 1000 metrics", "Got 1001"}},
		{"101 params", tracking.LogBatch{Params: params(101)}, []string{"at most 100 params"}},
		{"101 tags", tracking.LogBatch{Tags: tags(101)}, []string{"at most 100 tags"}},
		{"1001 in total", tracking.LogBatch{Metrics: n(901, "m"), Params: params(50), Tags: tags(50)}, []string{"at most 1000 metrics, params, and tags in total", "Got 1001"}},
		{"long key", tracking.LogBatch{Metrics: []tracking.Metric{{Key: long}}}, []string{"metrics[0].key", "251", "250"}},
		{"empty key", tracking.LogBatch{Params: []tracking.Param{{Value: "x"}}}, []string{"params[0].key"}},
		{"long param value", tracking.LogBatch{Params: []tracking.Param{{Key: "big", Value: strings.Repeat("v", 6001)}}}, []string{"param value of 'big'", "6001", "6000"}},
		{"long tag value", tracking.LogBatch{Tags: []tracking.RunTag{{Key: "big", Value: strings.Repeat("v", 8001)}}}, []string{"tag value of 'big'", "8001", "8000"}},
		{"duplicate param keys", tracking.LogBatch{Params: []tracking.Param{{Key: "d", Value: "1"}, {Key: "d", Value: "2"}}}, []string{"'d'", "'1'", "'2'"}},
		{"bad key characters", tracking.LogBatch{Tags: []tracking.RunTag{{Key: "a\nb", Value: "1"}}}, []string{"tags[0].key"}},
		{"path key", tracking.LogBatch{Metrics: []tracking.Metric{{Key: "../x"}}}, []string{"'..'"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.RunID = run
			_, err := s.LogBatch(ctx, &tt.req)
			wantCode(t, err, apierr.InvalidParameterValue, tt.want...)
		})
	}
	// Exactly at the limits.
	must[*tracking.LogBatchResponse](t)(s.LogBatch(ctx, &tracking.LogBatch{RunID: run, Metrics: n(800, "m"), Params: params(100), Tags: tags(100)}))
	must[*tracking.LogBatchResponse](t)(s.LogBatch(ctx, &tracking.LogBatch{RunID: run, Metrics: n(1000, "x")}))
	// Params are write-once; the same value again is fine.
	must[*tracking.LogParamResponse](t)(s.LogParam(ctx, &tracking.LogParam{RunID: run, Key: "p1", Value: "v"}))
	_, err := s.LogParam(ctx, &tracking.LogParam{RunID: run, Key: "p1", Value: "w"})
	wantCode(t, err, apierr.InvalidParameterValue, "key='p1'", "value='v'", "'w'")
	_, err = s.LogBatch(ctx, &tracking.LogBatch{RunID: run, Params: []tracking.Param{{Key: "fresh", Value: "1"}, {Key: "p2", Value: "changed"}}, Metrics: n(1, "z")})
	wantCode(t, err, apierr.InvalidParameterValue, "p2")
	r := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: run})).Run
	for _, p := range r.Data.Params {
		if p.Key == "fresh" {
			t.Errorf("a refused batch wrote param %v", p)
		}
	}
	for _, m := range r.Data.Metrics {
		if m.Key == "z0" {
			t.Errorf("a refused batch wrote metric %v", m)
		}
	}
	if len(r.Data.Params) != 100 || len(r.Data.Metrics) != 1800 || len(r.Data.Tags) != 101 {
		t.Errorf("got %d params, %d metrics, %d tags; want 100, 1800, 101", len(r.Data.Params), len(r.Data.Metrics), len(r.Data.Tags))
	}
	// Repeated tag keys in one batch: the last wins.
	must[*tracking.LogBatchResponse](t)(s.LogBatch(ctx, &tracking.LogBatch{RunID: run, Tags: []tracking.RunTag{{Key: "t0", Value: "a"}, {Key: "t0", Value: "b"}}}))
	r = must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: run})).Run
	for _, tg := range r.Data.Tags {
		if tg.Key == "t0" && tg.Value != "b" {
			t.Errorf("t0: got %q, want b", tg.Value)
		}
	}
	_, err = s.LogBatch(ctx, &tracking.LogBatch{RunID: "missing", Metrics: n(1, "m")})
	wantCode(t, err, apierr.ResourceDoesNotExist, "missing")
	_, err = s.LogBatch(ctx, &tracking.LogBatch{})
	wantCode(t, err, apierr.InvalidParameterValue, "'run_id'")
}

func testMetrics(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	run := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{RunName: "metrics"})).Run.Info.RunID
	log := func(key string, v float64, ts, step int64) {
		t.Helper()
		must[*tracking.LogMetricResponse](t)(s.LogMetric(ctx, &tracking.LogMetric{RunID: run, Key: key, Value: tracking.Float(v), Timestamp: ts, Step: step}))
	}
	log("loss", 3, 10, 0)
	log("loss", 2, 20, 1)
	log("loss", 5, 5, 2)  // largest step wins though older
	log("loss", 4, 5, 2)  // same step and time: larger value wins
	log("loss", 1, 30, 1) // older step: not latest
	log("loss", 1, 30, 1) // identical values are stored once
	log("acc", math.NaN(), 1, 0)
	log("inf", math.Inf(1), 1, 0)
	// A batch with one key twice keeps the later one.
	must[*tracking.LogBatchResponse](t)(s.LogBatch(ctx, &tracking.LogBatch{RunID: run, Metrics: []tracking.Metric{
		{Key: "b", Value: 1, Timestamp: 1, Step: 5}, {Key: "b", Value: 2, Timestamp: 1, Step: 4}}}))
	r := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: run})).Run
	got := map[string]tracking.Metric{}
	for _, m := range r.Data.Metrics {
		got[m.Key] = m
	}
	if m := got["loss"]; m.Value != 5 || m.Step != 2 || m.Timestamp != 5 {
		t.Errorf("latest loss: got %+v, want value 5 at step 2", m)
	}
	if m := got["acc"]; !math.IsNaN(m.Value) {
		t.Errorf("acc: got %v, want NaN", m.Value)
	}
	if m := got["inf"]; !math.IsInf(m.Value, 1) {
		t.Errorf("inf: got %v, want +Inf", m.Value)
	}
	if m := got["b"]; m.Value != 1 || m.Step != 5 {
		t.Errorf("b: got %+v, want value 1 at step 5", m)
	}
	h := must[*tracking.GetMetricHistoryResponse](t)(s.GetMetricHistory(ctx, &tracking.GetMetricHistory{RunID: run, MetricKey: "loss"}))
	var vals []float64
	for _, m := range h.Metrics {
		vals = append(vals, m.Value)
	}
	if want := []float64{3, 2, 1, 4, 5}; !reflect.DeepEqual(vals, want) || h.NextPageToken != "" {
		t.Errorf("history: got %v (token %q), want %v", vals, h.NextPageToken, want)
	}
	// Paged.
	var paged []float64
	req := &tracking.GetMetricHistory{RunID: run, MetricKey: "loss", MaxResults: 2}
	for pages := 0; ; pages++ {
		h := must[*tracking.GetMetricHistoryResponse](t)(s.GetMetricHistory(ctx, req))
		for _, m := range h.Metrics {
			paged = append(paged, m.Value)
		}
		if h.NextPageToken == "" {
			if pages != 2 {
				t.Errorf("got %d pages, want 3", pages+1)
			}
			break
		}
		req.PageToken = h.NextPageToken
	}
	if !reflect.DeepEqual(paged, vals) {
		t.Errorf("paged history: got %v, want %v", paged, vals)
	}
	_, err := s.GetMetricHistory(ctx, &tracking.GetMetricHistory{RunID: run})
	wantCode(t, err, apierr.InvalidParameterValue, "'metric_key'")
	_, err = s.GetMetricHistory(ctx, &tracking.GetMetricHistory{RunID: "nope", MetricKey: "x"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "nope")

	// Bulk interval: 100 steps on two runs, sampled.
	run2 := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{RunName: "metrics2"})).Run.Info.RunID
	for _, id := range []string{run, run2} {
		ms := make([]tracking.Metric, 100)
		for i := range ms {
			ms[i] = tracking.Metric{Key: "curve", Value: float64(i), Timestamp: int64(i), Step: int64(i)}
		}
		must[*tracking.LogBatchResponse](t)(s.LogBatch(ctx, &tracking.LogBatch{RunID: id, Metrics: ms}))
	}
	bulk := must[*tracking.GetMetricHistoryBulkIntervalResponse](t)(s.GetMetricHistoryBulkInterval(ctx, &tracking.GetMetricHistoryBulkInterval{
		RunIDs: []string{run, run2}, MetricKey: "curve", MaxResults: 5}))
	var steps []string
	for _, m := range bulk.Metrics {
		steps = append(steps, fmt.Sprint(m.RunID == run, m.Step))
	}
	first := "true 0,true 24,true 49,true 74,true 99,"
	second := strings.ReplaceAll(first, "true", "false")
	if got := strings.Join(steps, ",") + ","; got != first+second && got != second+first {
		t.Errorf("bulk: got %s", got)
	}
	start, end := int32(10), int32(20)
	bulk = must[*tracking.GetMetricHistoryBulkIntervalResponse](t)(s.GetMetricHistoryBulkInterval(ctx, &tracking.GetMetricHistoryBulkInterval{
		RunIDs: []string{run}, MetricKey: "curve", StartStep: &start, EndStep: &end}))
	if len(bulk.Metrics) != 11 || bulk.Metrics[0].Step != 10 || bulk.Metrics[10].Step != 20 {
		t.Errorf("bulk steps 10..20: got %d values", len(bulk.Metrics))
	}
	_, err = s.GetMetricHistoryBulkInterval(ctx, &tracking.GetMetricHistoryBulkInterval{RunIDs: []string{run}, MetricKey: "curve", StartStep: &start})
	wantCode(t, err, apierr.InvalidParameterValue, "both")
	_, err = s.GetMetricHistoryBulkInterval(ctx, &tracking.GetMetricHistoryBulkInterval{RunIDs: []string{run, "nope"}, MetricKey: "curve"})
	wantCode(t, err, apierr.ResourceDoesNotExist, "nope")
}

func testSearchRuns(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	exp := must[*tracking.CreateExperimentResponse](t)(s.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "search-runs"})).ExperimentID
	other := must[*tracking.CreateExperimentResponse](t)(s.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "search-runs-2"})).ExperimentID
	type spec struct {
		name   string
		exp    string
		start  int64
		rmse   float64
		hasAUC bool
		model  string
		tag    string
	}
	specs := []spec{
		{"r1", exp, 100, 0.5, true, "tree", "Ann"},
		{"r2", exp, 200, 0.3, true, "linear", "bob"},
		{"r3", exp, 300, 0.9, false, "tree", "ann"},
		{"r4", exp, 400, math.NaN(), true, "forest", ""},
		{"r5", other, 500, 0.1, true, "tree", "x%y"},
	}
	ids := map[string]string{}
	for _, sp := range specs {
		r := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: sp.exp, RunName: sp.name, StartTime: sp.start})).Run
		ids[sp.name] = r.Info.RunID
		b := &tracking.LogBatch{RunID: r.Info.RunID,
			Metrics: []tracking.Metric{{Key: "rmse", Value: sp.rmse, Timestamp: 1}},
			Params:  []tracking.Param{{Key: "model", Value: sp.model}, {Key: "my param", Value: sp.name}}}
		if sp.hasAUC {
			b.Metrics = append(b.Metrics, tracking.Metric{Key: "auc", Value: 1 - sp.rmse, Timestamp: 1})
		}
		if sp.tag != "" {
			b.Tags = []tracking.RunTag{{Key: "owner-name", Value: sp.tag}}
		}
		must[*tracking.LogBatchResponse](t)(s.LogBatch(ctx, b))
	}
	must[*tracking.UpdateRunResponse](t)(s.UpdateRun(ctx, &tracking.UpdateRun{RunID: ids["r2"], Status: tracking.Finished, EndTime: 250}))
	deleted := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: exp, RunName: "gone", StartTime: 50})).Run
	must[*tracking.DeleteRunResponse](t)(s.DeleteRun(ctx, &tracking.DeleteRun{RunID: deleted.Info.RunID}))

	both := []string{exp, other}
	names := func(r *tracking.SearchRunsResponse) string {
		var n []string
		for _, run := range r.Runs {
			n = append(n, run.Info.RunName)
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		filter  string
		orderBy []string
		view    tracking.ViewType
		exps    []string
		want    string
	}{
		{"", nil, "", nil, "r4,r3,r2,r1"},
		{"", nil, "", both, "r5,r4,r3,r2,r1"},
		{"", nil, tracking.DeletedOnly, nil, "gone"},
		{"", nil, tracking.All, nil, "r4,r3,r2,r1,gone"},
		{"metrics.rmse < 0.6", nil, "", nil, "r2,r1"},
		{"metrics.rmse <= 0.5 AND metrics.rmse > 0.3", nil, "", nil, "r1"},
		{"metrics.rmse >= 0.3", []string{"metrics.rmse DESC"}, "", nil, "r3,r1,r2"},
		{"metrics.rmse != 0.5", nil, "", nil, "r4,r3,r2"},
		{"metrics.auc > 0", []string{"metrics.auc"}, "", both, "r1,r2,r5"},
		{"", []string{"metrics.auc DESC"}, "", nil, "r2,r1,r4,r3"},
		{"params.model = 'tree'", nil, "", nil, "r3,r1"},
		{"params.model != 'tree'", nil, "", nil, "r4,r2"},
		{"params.model LIKE 'f%'", nil, "", nil, "r4"},
		{"params.model LIKE 'T%'", nil, "", nil, ""},
		{"params.model ILIKE 'T%'", nil, "", nil, "r3,r1"},
		{"params.`my param` = 'r2'", nil, "", nil, "r2"},
		{"params.model IN ('linear', 'forest')", nil, "", nil, "r4,r2"},
		{"tags.`owner-name` = 'ann'", nil, "", nil, "r3"},
		{`tags."owner-name" ILIKE 'ann'`, nil, "", nil, "r3,r1"},
		{"tags.`owner-name` LIKE '%\\%%'", nil, "", both, "r5"},
		{"tags.`owner-name` IS NULL", nil, "", nil, "r4"},
		{"tags.mlflow.runName = 'r1'", nil, "", nil, "r1"},
		{"attributes.status = 'FINISHED'", nil, "", nil, "r2"},
		{"status IN ('RUNNING') AND start_time >= 300", nil, "", nil, "r4,r3"},
		{"attributes.run_name LIKE 'r%' and attributes.start_time < 250", nil, "", nil, "r2,r1"},
		{"run_name ILIKE 'R1'", nil, "", nil, "r1"},
		{"attributes.run_id IN ('" + ids["r1"] + "', '" + ids["r3"] + "')", nil, "", nil, "r3,r1"},
		{"attributes.run_id NOT IN ('" + ids["r1"] + "')", nil, "", nil, "r4,r3,r2"},
		{"end_time > 0", nil, "", nil, "r2"},
		{"", []string{"params.model", "attributes.start_time"}, "", nil, "r4,r2,r1,r3"},
		{"", []string{"attributes.run_name DESC"}, "", nil, "r4,r3,r2,r1"},
		{"", []string{"start_time"}, "", nil, "r1,r2,r3,r4"},
		{"", []string{"tags.`owner-name` DESC"}, "", nil, "r2,r3,r1,r4"},
	}
	for _, tt := range tests {
		exps := tt.exps
		if exps == nil {
			exps = []string{exp}
		}
		got, err := s.SearchRuns(ctx, &tracking.SearchRuns{ExperimentIDs: exps, Filter: tt.filter, OrderBy: tt.orderBy, RunViewType: tt.view})
		if err != nil {
			t.Errorf("%s %v: %v", tt.filter, tt.orderBy, err)
			continue
		}
		if names(got) != tt.want {
			t.Errorf("%s %v: got %s, want %s", tt.filter, tt.orderBy, names(got), tt.want)
		}
	}
	// Runs come with their data.
	got := must[*tracking.SearchRunsResponse](t)(s.SearchRuns(ctx, &tracking.SearchRuns{ExperimentIDs: []string{exp}, Filter: "params.model = 'linear'"}))
	if r := got.Runs[0]; len(r.Data.Metrics) != 2 || len(r.Data.Params) != 2 || len(r.Data.Tags) != 2 || r.Info.EndTime != 250 {
		t.Errorf("run data: got %+v", r)
	}
	// Paging.
	var pages []string
	req := &tracking.SearchRuns{ExperimentIDs: both, MaxResults: 2}
	for {
		r := must[*tracking.SearchRunsResponse](t)(s.SearchRuns(ctx, req))
		pages = append(pages, names(r))
		if r.NextPageToken == "" {
			break
		}
		req.PageToken = r.NextPageToken
	}
	if got := strings.Join(pages, "|"); got != "r5,r4|r3,r2|r1" {
		t.Errorf("pages: got %s", got)
	}
	for _, bad := range []struct {
		req  tracking.SearchRuns
		want string
	}{
		{tracking.SearchRuns{Filter: "metrics.rmse = 'a'"}, "number"},
		{tracking.SearchRuns{Filter: "metrics.rmse LIKE 1"}, "LIKE"},
		{tracking.SearchRuns{Filter: "params.model = 1"}, "quoted string"},
		{tracking.SearchRuns{Filter: "params.model < 'a'"}, "<"},
		{tracking.SearchRuns{Filter: "attributes.colour = 'a'"}, "colour"},
		{tracking.SearchRuns{Filter: "start_time = 'a'"}, "number"},
		{tracking.SearchRuns{Filter: "datasets.size = 'a'"}, "size"},
		{tracking.SearchRuns{Filter: "metrics.rmse < 1 OR metrics.rmse > 2"}, "OR"},
		{tracking.SearchRuns{Filter: "metrics.rmse <"}, "position 15"},
		{tracking.SearchRuns{OrderBy: []string{"attributes.colour"}}, "colour"},
		{tracking.SearchRuns{OrderBy: []string{"metrics.rmse SIDEWAYS"}}, "SIDEWAYS"},
		{tracking.SearchRuns{MaxResults: 50001}, "max_results"},
		{tracking.SearchRuns{MaxResults: -1}, "max_results"},
		{tracking.SearchRuns{PageToken: "zzz"}, "page_token"},
		{tracking.SearchRuns{RunViewType: "NONE"}, "run_view_type"},
		{tracking.SearchRuns{ExperimentIDs: []string{"x"}}, "experiment_ids[0]"},
	} {
		if bad.req.ExperimentIDs == nil {
			bad.req.ExperimentIDs = []string{exp}
		}
		_, err := s.SearchRuns(ctx, &bad.req)
		wantCode(t, err, apierr.InvalidParameterValue, bad.want)
	}
}

func testInputs(t *testing.T, s *tracking.Store) {
	ctx := context.Background()
	exp := must[*tracking.CreateExperimentResponse](t)(s.CreateExperiment(ctx, &tracking.CreateExperiment{Name: "inputs"})).ExperimentID
	r1 := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: exp, RunName: "i1"})).Run.Info.RunID
	r2 := must[*tracking.CreateRunResponse](t)(s.CreateRun(ctx, &tracking.CreateRun{ExperimentID: exp, RunName: "i2"})).Run.Info.RunID
	iris := &tracking.Dataset{Name: "iris", Digest: "abc123", SourceType: "local", Source: `{"uri": "/data/iris.csv"}`, Schema: `{"mlflow_colspec": []}`}
	in := tracking.DatasetInput{Dataset: iris, Tags: []tracking.InputTag{{Key: "mlflow.data.context", Value: "training"}}}
	for _, id := range []string{r1, r2, r1} {
		must[*tracking.LogInputsResponse](t)(s.LogInputs(ctx, &tracking.LogInputs{RunID: id, Datasets: []tracking.DatasetInput{in}}))
	}
	must[*tracking.LogInputsResponse](t)(s.LogInputs(ctx, &tracking.LogInputs{RunID: r2, Datasets: []tracking.DatasetInput{{Dataset: &tracking.Dataset{Name: "iris", Digest: "def", SourceType: "local", Source: "x"},
		Tags: []tracking.InputTag{{Key: "mlflow.data.context", Value: "eval"}}}}}))
	got := must[*tracking.GetRunResponse](t)(s.GetRun(ctx, &tracking.GetRun{RunID: r1})).Run.Inputs
	want := tracking.RunInputs{DatasetInputs: []tracking.DatasetInput{in}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inputs: got %+v, want %+v", got, want)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM datasets WHERE name = 'iris'").Scan(&n); err != nil || n != 2 {
		t.Errorf("datasets stored: got %d (%v), want 2 (deduplicated by name and digest)", n, err)
	}
	names := func(filter string) string {
		r := must[*tracking.SearchRunsResponse](t)(s.SearchRuns(ctx, &tracking.SearchRuns{ExperimentIDs: []string{exp}, Filter: filter, OrderBy: []string{"run_name"}}))
		var out []string
		for _, run := range r.Runs {
			out = append(out, run.Info.RunName)
		}
		return strings.Join(out, ",")
	}
	for filter, want := range map[string]string{
		"datasets.name = 'iris'":           "i1,i2",
		"datasets.digest = 'def'":          "i2",
		"datasets.context = 'eval'":        "i2",
		"datasets.context IN ('training')": "i1,i2",
	} {
		if got := names(filter); got != want {
			t.Errorf("%s: got %s, want %s", filter, got, want)
		}
	}
	_, err := s.LogInputs(ctx, &tracking.LogInputs{RunID: r1, Datasets: []tracking.DatasetInput{{Dataset: &tracking.Dataset{Name: "x"}}}})
	wantCode(t, err, apierr.InvalidParameterValue, "datasets[0].dataset.digest")
	_, err = s.LogInputs(ctx, &tracking.LogInputs{RunID: r1, Datasets: []tracking.DatasetInput{{}}})
	wantCode(t, err, apierr.InvalidParameterValue, "datasets[0].dataset")
}

var _ = errors.New
