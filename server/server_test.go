package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/artifacts/artifactstest"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

// testServer is a server running on loopback for one test.
type testServer struct {
	URL  string
	srv  *Server
	logs *syncBuffer
}

// startServer opens a server with cfg (Dir defaults to a temp dir) and
// serves it on 127.0.0.1:0 until the test ends; wrap, when set, wraps its
// handler (test hooks).
func startServer(t *testing.T, cfg Config, wrap func(http.Handler) http.Handler) *testServer {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if wrap != nil {
		srv.handler = wrap(srv.handler)
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &testServer{URL: "http://" + ln.Addr().String(), srv: srv, logs: logs}
}

// do sends a request and returns the status and body.
func (s *testServer) do(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// mustJSON sends a request that must succeed and decodes its response.
func (s *testServer) mustJSON(t *testing.T, method, path string, body, resp any) {
	t.Helper()
	status, b := s.do(t, method, path, "", body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: got status %d %s, want 200", method, path, status, b)
	}
	if resp != nil {
		if err := json.Unmarshal(b, resp); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.Message == "" {
		t.Errorf("error body %s has no message", body)
	}
	return e.ErrorCode
}

func TestHealthVersionAndNotFound(t *testing.T) {
	s := startServer(t, Config{Version: "1.2.3"}, nil)
	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     string // exact, or error_code for JSON errors
	}{
		{"GET", "/health", 200, "OK"},
		{"GET", "/version", 200, "1.2.3"},
		{"GET", "/api/2.0/mlflow/no/such/endpoint", 404, "ENDPOINT_NOT_FOUND"},
		{"POST", "/ajax-api/2.0/mlflow/nope", 404, "ENDPOINT_NOT_FOUND"},
		{"GET", "/elsewhere", 404, "ENDPOINT_NOT_FOUND"},
		{"DELETE", "/api/2.0/mlflow/experiments/create", 404, "ENDPOINT_NOT_FOUND"},
	}
	for _, tt := range tests {
		status, body := s.do(t, tt.method, tt.path, "", nil)
		got := string(body)
		if status >= 400 {
			got = errorCode(t, body)
		}
		if status != tt.wantStatus || got != tt.wantBody {
			t.Errorf("%s %s: got %d %s, want %d %s", tt.method, tt.path, status, got, tt.wantStatus, tt.wantBody)
		}
	}
}

func TestAuth(t *testing.T) {
	const token = "s3cret-token"
	s := startServer(t, Config{Token: token}, nil)
	tests := []struct {
		name, path, token string
		wantStatus        int
	}{
		{"health is open", "/health", "", 200},
		{"no token", "/api/2.0/mlflow/experiments/search", "", 401},
		{"wrong token", "/api/2.0/mlflow/experiments/search", "s3cret-tokem", 401},
		{"prefix of token", "/api/2.0/mlflow/experiments/search", "s3cret", 401},
		{"right token", "/api/2.0/mlflow/experiments/search", token, 200},
		{"ajax prefix, no token", "/ajax-api/2.0/mlflow/experiments/search", "", 401},
		{"artifact proxy, no token", "/api/2.0/mlflow-artifacts/artifacts?path=0", "", 401},
		{"metrics, no token", "/metrics", "", 401},
		{"metrics, token", "/metrics", token, 200},
		{"version, no token", "/version", "", 401},
		{"unknown path, no token", "/nope", "", 401},
		{"unknown path, token", "/nope", token, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.do(t, "GET", tt.path, tt.token, nil)
			if status != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", status, body, tt.wantStatus)
			}
			if status == 401 {
				if code := errorCode(t, body); code != "UNAUTHENTICATED" {
					t.Errorf("got error_code %s, want UNAUTHENTICATED", code)
				}
			}
		})
	}
	// Lower-case scheme is accepted, as RFC 7235 says schemes are
	// case-insensitive.
	req, _ := http.NewRequest("GET", s.URL+"/api/2.0/mlflow/experiments/search", nil)
	req.Header.Set("Authorization", "bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("lower-case bearer: got %d, want 200", resp.StatusCode)
	}
}

func TestMetricsAndLogs(t *testing.T) {
	s := startServer(t, Config{}, nil)
	for range 3 {
		s.do(t, "GET", "/health", "", nil)
	}
	s.do(t, "POST", "/api/2.0/mlflow/experiments/search", "", map[string]any{})
	s.do(t, "GET", "/api/2.0/mlflow/nope", "", nil)
	status, body := s.do(t, "GET", "/metrics", "", nil)
	if status != 200 {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	text := string(body)
	for _, want := range []string{
		`sluice_http_requests_total{code="200",method="GET",route="/health"} 3`,
		`sluice_http_requests_total{code="200",method="POST",route="/api/2.0/mlflow/experiments/search"} 1`,
		`sluice_http_requests_total{code="404",method="GET",route="/"} 1`,
		`sluice_http_request_duration_seconds_count{method="GET",route="/health"} 3`,
		`sluice_http_request_duration_seconds_bucket{method="POST",route="/api/2.0/mlflow/experiments/search",le="+Inf"} 1`,
		`sluice_http_requests_in_flight 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, "/api/2.0/mlflow/nope") {
		t.Errorf("/metrics labels a raw path:\n%s", text)
	}
	// One JSON log record per request, with its route and status.
	var found bool
	for line := range strings.SplitSeq(s.logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "request" {
			continue
		}
		if rec["path"] == "/api/2.0/mlflow/experiments/search" {
			found = rec["status"] == float64(200) && rec["method"] == "POST" && rec["route"] == "/api/2.0/mlflow/experiments/search"
		}
	}
	if !found {
		t.Errorf("no request log for experiments/search in:\n%s", s.logs.String())
	}
}

// TestGracefulShutdown checks that a request in flight when the server is
// told to stop still gets its whole response.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	started, release := make(chan struct{}), make(chan struct{})
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				close(started)
				<-release
				io.WriteString(w, "done")
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := Open(ctx, Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.handler = wrap(srv.handler)
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel() // shut down with the request in flight
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v before the in-flight request finished", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "done" {
		t.Errorf("in-flight request: got %q, %v; want done", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after shutdown: %v, want nil", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/health"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// trackingRoundTrip creates an experiment and a run, logs to it and reads
// it back through the HTTP API.
func trackingRoundTrip(t *testing.T, s *testServer) {
	t.Helper()
	var exp struct {
		ExperimentID string `json:"experiment_id"`
	}
	s.mustJSON(t, "POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "churn"}, &exp)
	var run struct {
		Run struct {
			Info struct {
				RunID       string `json:"run_id"`
				ArtifactURI string `json:"artifact_uri"`
			} `json:"info"`
		} `json:"run"`
	}
	s.mustJSON(t, "POST", "/api/2.0/mlflow/runs/create", map[string]any{"experiment_id": exp.ExperimentID, "run_name": "r1"}, &run)
	id := run.Run.Info.RunID
	s.mustJSON(t, "POST", "/api/2.0/mlflow/runs/log-batch", map[string]any{
		"run_id":  id,
		"metrics": []map[string]any{{"key": "auc", "value": 0.91, "timestamp": 1, "step": 0}},
		"params":  []map[string]any{{"key": "maxDepth", "value": "5"}},
	}, nil)
	var found struct {
		Runs []json.RawMessage `json:"runs"`
	}
	s.mustJSON(t, "POST", "/api/2.0/mlflow/runs/search", map[string]any{
		"experiment_ids": []string{exp.ExperimentID}, "filter": "metrics.auc > 0.9 and params.maxDepth = '5'"}, &found)
	if len(found.Runs) != 1 || !strings.Contains(string(found.Runs[0]), id) {
		t.Errorf("runs/search: got %s, want run %s", found.Runs, id)
	}

	// Artifacts through the proxy, under the run's artifact root.
	root := strings.TrimPrefix(run.Run.Info.ArtifactURI, "mlflow-artifacts:")
	root = strings.TrimPrefix(root, "/")
	req, _ := http.NewRequest("PUT", s.URL+"/api/2.0/mlflow-artifacts/artifacts/"+root+"/model/MLmodel", strings.NewReader("flavors: {}\n"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload artifact: status %d", resp.StatusCode)
	}
	status, body := s.do(t, "GET", "/api/2.0/mlflow-artifacts/artifacts/"+root+"/model/MLmodel", "", nil)
	if status != 200 || string(body) != "flavors: {}\n" {
		t.Errorf("download artifact: got %d %q", status, body)
	}
	status, body = s.do(t, "GET", "/api/2.0/mlflow/artifacts/list?"+url.Values{"run_id": {id}}.Encode(), "", nil)
	if status != 200 || !strings.Contains(string(body), `"model"`) {
		t.Errorf("artifacts/list: got %d %s", status, body)
	}
	// A path escaping the artifact root is refused.
	status, _ = s.do(t, "GET", "/api/2.0/mlflow-artifacts/artifacts/"+root+"/../../../../etc/passwd", "", nil)
	if status == 200 {
		t.Errorf("download with ..: got 200")
	}
}

func TestBackends(t *testing.T) {
	t.Run("sqlite default", func(t *testing.T) {
		s := startServer(t, Config{}, nil)
		trackingRoundTrip(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s := startServer(t, Config{DB: newPostgresDB(t)}, nil)
		trackingRoundTrip(t, s)
	})
	t.Run("s3 artifacts", func(t *testing.T) {
		s := startServer(t, Config{Artifacts: artifactstest.NewS3URL(t, "sluice")}, nil)
		trackingRoundTrip(t, s)
	})
}

// newPostgresDB creates a database on the test PostgreSQL server, dropped
// at cleanup, and returns its URL (skips without a server).
func newPostgresDB(t *testing.T) string {
	t.Helper()
	admin := metastoretest.PostgresURL(t)
	ctx := context.Background()
	db, err := metastore.OpenPostgres(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "sluice_server_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := metastore.OpenPostgres(context.Background(), admin)
		if err == nil {
			a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			a.Close()
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // substring of the error; "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"bad addr", func(c *Config) { c.Addr = "8080" }, "Addr"},
		{"bad db", func(c *Config) { c.DB = "mysql://x" }, "DB"},
		{"zero poll", func(c *Config) { c.ServingPoll = 0 }, "ServingPoll"},
		{"token with space", func(c *Config) { c.Token = "a b" }, "Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestNewRejectsStoreURLs(t *testing.T) {
	if _, err := New(context.Background(), nil, Config{DB: "postgres://x"}); err == nil {
		t.Error("New with Config.DB: got nil error")
	}
}
