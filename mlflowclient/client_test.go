package mlflowclient_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/mlflowapi"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/tracking"
)

// echoAPI is a real mlflowapi.API with a few endpoints that echo their
// decoded requests, to test the client's one call path.
func echoAPI(t *testing.T) (*httptest.Server, *[]string) {
	t.Helper()
	api := mlflowapi.New(nil)
	var mu sync.Mutex
	var auth []string
	api.Handle("runs/search", []string{"POST"}, func(r *http.Request) (any, error) {
		var req tracking.SearchRuns
		if err := mlflowapi.Decode(r, &req); err != nil {
			return nil, err
		}
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		run := tracking.Run{Info: tracking.RunInfo{RunID: strings.Join(req.ExperimentIDs, ","), RunName: req.Filter}}
		return &tracking.SearchRunsResponse{Runs: []tracking.Run{run}, NextPageToken: req.PageToken}, nil
	})
	api.Handle("metrics/get-history", []string{"GET"}, func(r *http.Request) (any, error) {
		var req tracking.GetMetricHistory
		if err := mlflowapi.Decode(r, &req); err != nil {
			return nil, err
		}
		if req.RunID == "missing" {
			return nil, apierr.NotFound("run 'missing' not found")
		}
		return &tracking.GetMetricHistoryResponse{Metrics: []tracking.Metric{{Key: req.MetricKey, Value: float64(req.MaxResults), Step: 3}}}, nil
	})
	api.Handle("experiments/get", []string{"GET"}, func(r *http.Request) (any, error) {
		return nil, io.ErrUnexpectedEOF // an internal error
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, &auth
}

func MustNew(tb testing.TB, url string, opts ...mlflowclient.Option) *mlflowclient.Client {
	tb.Helper()
	c, err := mlflowclient.New(url, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestCallPath(t *testing.T) {
	srv, auth := echoAPI(t)
	ctx := context.Background()
	c := MustNew(t, srv.URL+"/", mlflowclient.WithToken("s3cret"), mlflowclient.WithHTTPClient(srv.Client()))

	got, err := c.SearchRuns(ctx, &tracking.SearchRuns{ExperimentIDs: []string{"1", "2"}, Filter: "metrics.auc > 0.8", PageToken: "p2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Runs) != 1 || got.Runs[0].Info.RunID != "1,2" || got.Runs[0].Info.RunName != "metrics.auc > 0.8" || got.NextPageToken != "p2" {
		t.Errorf("search runs echo = %+v", got)
	}
	if len(*auth) != 1 || (*auth)[0] != "Bearer s3cret" {
		t.Errorf("Authorization headers = %q, want one \"Bearer s3cret\"", *auth)
	}

	// GET: the request travels as a query string, decoded by the server's
	// own decoder.
	h, err := c.GetMetricHistory(ctx, &tracking.GetMetricHistory{RunID: "r1", MetricKey: "loss/train a&b", MaxResults: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Metrics) != 1 || h.Metrics[0].Key != "loss/train a&b" || h.Metrics[0].Value != 7 || h.Metrics[0].Step != 3 {
		t.Errorf("get-history echo = %+v", h.Metrics)
	}

	tests := []struct {
		name string
		call func() error
		code apierr.Code
		msg  string
	}{
		{"mlflow error body", func() error {
			_, err := c.GetMetricHistory(ctx, &tracking.GetMetricHistory{RunID: "missing", MetricKey: "m"})
			return err
		}, apierr.ResourceDoesNotExist, "run 'missing' not found"},
		{"internal error", func() error {
			_, err := c.GetExperiment(ctx, &tracking.GetExperiment{ExperimentID: "1"})
			return err
		}, apierr.InternalError, "internal error serving GET /api/2.0/mlflow/experiments/get"},
		{"unknown endpoint", func() error {
			return c.Call(ctx, "POST", "no/such", nil, nil)
		}, apierr.EndpointNotFound, "no such endpoint"},
		{"bad value", func() error {
			return c.Call(ctx, "POST", "runs/search", map[string]any{"max_results": "many"}, nil)
		}, apierr.InvalidParameterValue, "max_results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			e := apierr.As(err)
			if e == nil {
				t.Fatalf("got %v (%T), want an *apierr.Error", err, err)
			}
			if e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", e.Code, e.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestNonMLflowErrorBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/2.0/mlflow/runs/get":
			http.Error(w, "go away", http.StatusUnauthorized)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	c := MustNew(t, srv.URL)
	ctx := context.Background()
	_, err := c.GetRun(ctx, &tracking.GetRun{RunID: "x"})
	if e := apierr.As(err); e == nil || e.Code != apierr.Unauthenticated || !strings.Contains(e.Message, "go away") {
		t.Errorf("401: got %v, want UNAUTHENTICATED with the body", err)
	}
	_, err = c.CreateRun(ctx, &tracking.CreateRun{})
	if e := apierr.As(err); e == nil || e.Code != apierr.InternalError || !strings.Contains(e.Message, "HTTP 502") {
		t.Errorf("502: got %v, want INTERNAL_ERROR naming HTTP 502", err)
	}
}

func TestNewRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "file:///tmp/x", "http://", "http://h/?q=1", "://x"} {
		if _, err := mlflowclient.New(u); apierr.CodeOf(err) != apierr.InvalidParameterValue {
			t.Errorf("New(%q) = %v, want INVALID_PARAMETER_VALUE", u, err)
		}
	}
}

func TestQuery(t *testing.T) {
	tests := []struct {
		req  any
		want string
	}{
		{nil, ""},
		{&tracking.GetRun{RunID: "a b"}, "run_id=a+b"},
		{&tracking.GetMetricHistoryBulkInterval{RunIDs: []string{"r1", "r2"}, MetricKey: "m", MaxResults: 5}, "max_results=5&metric_key=m&run_ids=r1&run_ids=r2"},
		{map[string]any{"flag": true, "x": 1.5, "nested": map[string]any{"a": 1}, "none": nil}, "flag=true&nested=%7B%22a%22%3A1%7D&x=1.5"},
	}
	for _, tt := range tests {
		got, err := mlflowclient.Query(tt.req)
		if err != nil || got != tt.want {
			t.Errorf("Query(%+v) = %q, %v; want %q", tt.req, got, err, tt.want)
		}
	}
	if _, err := mlflowclient.Query([]string{"x"}); err == nil {
		t.Error("Query of a list: want an error")
	}
}

// proxy is a minimal mlflow-artifacts proxy over a directory.
func proxy(t *testing.T) (*httptest.Server, string) {
	root := t.TempDir()
	api := mlflowapi.New(nil)
	api.HandleRaw("PUT /api/2.0/mlflow-artifacts/artifacts/{path...}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(root, filepath.FromSlash(r.PathValue("path")))
		os.MkdirAll(filepath.Dir(p), 0o755)
		b, _ := io.ReadAll(r.Body)
		os.WriteFile(p, b, 0o644)
		mlflowapi.WriteJSON(w, 200, struct{}{})
	}))
	api.HandleRaw("GET /api/2.0/mlflow-artifacts/artifacts/{path...}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(root, filepath.FromSlash(r.PathValue("path"))))
	}))
	api.HandleRaw("GET /api/2.0/mlflow-artifacts/artifacts", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ents, _ := os.ReadDir(filepath.Join(root, filepath.FromSlash(r.URL.Query().Get("path"))))
		var files []mlflowclient.ArtifactFile
		for _, e := range ents {
			fi, _ := e.Info()
			f := mlflowclient.ArtifactFile{Path: e.Name(), IsDir: e.IsDir()}
			if !e.IsDir() {
				f.FileSize = fi.Size()
			}
			files = append(files, f)
		}
		mlflowapi.WriteJSON(w, 200, map[string]any{"files": files})
	}))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, root
}

func TestArtifactsRoundTrip(t *testing.T) {
	srv, root := proxy(t)
	c := MustNew(t, srv.URL)
	ctx := context.Background()
	const uri = "mlflow-artifacts:/1/run1/artifacts"

	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "model", "data"), 0o755)
	os.WriteFile(filepath.Join(src, "model", "MLmodel"), []byte("flavors: {}\n"), 0o644)
	os.WriteFile(filepath.Join(src, "model", "data", "a b.json"), []byte(`{"x":1}`), 0o644)
	if err := c.LogArtifacts(ctx, uri, filepath.Join(src, "model"), "model"); err != nil {
		t.Fatal(err)
	}
	if err := c.UploadArtifact(ctx, uri, "notes.txt", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "1", "run1", "artifacts", "model", "data", "a b.json")); err != nil || string(b) != `{"x":1}` {
		t.Errorf("uploaded file = %q, %v", b, err)
	}

	files, err := c.ListProxyArtifacts(ctx, uri, "model")
	if err != nil || len(files) != 2 {
		t.Fatalf("list model = %+v, %v; want MLmodel and data", files, err)
	}
	var buf bytes.Buffer
	if err := c.DownloadArtifact(ctx, uri, "notes.txt", &buf); err != nil || buf.String() != "hello" {
		t.Errorf("download notes.txt = %q, %v", buf.String(), err)
	}
	dst := t.TempDir()
	if err := c.DownloadArtifacts(ctx, uri, "model", dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "data", "a b.json")); err != nil || string(b) != `{"x":1}` {
		t.Errorf("downloaded tree: %q, %v", b, err)
	}

	for _, bad := range []struct{ uri, path string }{
		{uri, "../escape"},
		{uri, "/abs"},
		{uri, "a/./b"},
		{"s3://bucket/x", "f"},
		{"mlflow-artifacts:/1/../2", "f"},
	} {
		if err := c.UploadArtifact(ctx, bad.uri, bad.path, strings.NewReader("x")); apierr.CodeOf(err) != apierr.InvalidParameterValue {
			t.Errorf("upload %s %s: got %v, want INVALID_PARAMETER_VALUE", bad.uri, bad.path, err)
		}
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(src, "model", "link")); err == nil {
		if err := c.LogArtifacts(ctx, uri, filepath.Join(src, "model"), "m2"); apierr.CodeOf(err) != apierr.InvalidParameterValue {
			t.Errorf("LogArtifacts with a symlink: got %v, want INVALID_PARAMETER_VALUE", err)
		}
	}
}

func TestProxyPath(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"mlflow-artifacts:/1/r/artifacts", "1/r/artifacts"},
		{"mlflow-artifacts:/1/r/artifacts/", "1/r/artifacts"},
		{"mlflow-artifacts://localhost:5000/0/r/artifacts", "0/r/artifacts"},
		{"mlflow-artifacts:", ""},
	}
	for _, tt := range tests {
		if got, err := mlflowclient.ProxyPath(tt.uri); err != nil || got != tt.want {
			t.Errorf("ProxyPath(%q) = %q, %v; want %q", tt.uri, got, err, tt.want)
		}
	}
}

func FuzzProxyPath(f *testing.F) {
	for _, s := range []string{"mlflow-artifacts:/1/r/artifacts", "mlflow-artifacts://h/0/x", "mlflow-artifacts:/../x", "s3://b/k", "mlflow-artifacts:/a//b", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		if len(uri) > 4096 {
			return
		}
		p, err := mlflowclient.ProxyPath(uri)
		if err != nil {
			return
		}
		for _, el := range strings.Split(p, "/") {
			if p != "" && (el == "" || el == "." || el == "..") {
				t.Fatalf("ProxyPath(%q) = %q: has an empty, . or .. element", uri, p)
			}
		}
	})
}

func TestLogBatchChunked(t *testing.T) {
	api := mlflowapi.New(nil)
	var mu sync.Mutex
	var batches []tracking.LogBatch
	api.Handle("runs/log-batch", []string{"POST"}, func(r *http.Request) (any, error) {
		var req tracking.LogBatch
		if err := mlflowapi.Decode(r, &req); err != nil {
			return nil, err
		}
		mu.Lock()
		batches = append(batches, req)
		mu.Unlock()
		return &tracking.LogBatchResponse{}, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	c := MustNew(t, srv.URL)
	metrics := make([]tracking.Metric, 2500)
	params := make([]tracking.Param, 250)
	tags := make([]tracking.RunTag, 120)
	for i := range metrics {
		metrics[i] = tracking.Metric{Key: "m", Value: float64(i), Step: int64(i)}
	}
	for i := range params {
		params[i] = tracking.Param{Key: "p" + strings.Repeat("x", i%3), Value: "v"}
	}
	if err := c.LogBatchChunked(context.Background(), "r1", metrics, params, tags); err != nil {
		t.Fatal(err)
	}
	var nm, np, nt int
	var step int64
	for i, b := range batches {
		if b.RunID != "r1" || len(b.Metrics) > mlflowclient.MaxBatchMetrics || len(b.Params) > mlflowclient.MaxBatchParams ||
			len(b.Tags) > mlflowclient.MaxBatchTags || len(b.Metrics)+len(b.Params)+len(b.Tags) > mlflowclient.MaxBatchItems {
			t.Errorf("batch %d over MLflow's limits: %d metrics, %d params, %d tags", i, len(b.Metrics), len(b.Params), len(b.Tags))
		}
		for _, m := range b.Metrics {
			if m.Step != step {
				t.Fatalf("batch %d: metric step %d, want %d (order kept)", i, m.Step, step)
			}
			step++
		}
		nm, np, nt = nm+len(b.Metrics), np+len(b.Params), nt+len(b.Tags)
	}
	if nm != 2500 || np != 250 || nt != 120 {
		t.Errorf("logged %d metrics, %d params, %d tags; want 2500, 250, 120", nm, np, nt)
	}
	if len(batches) != 3 {
		t.Errorf("%d calls, want 3", len(batches))
	}
}
