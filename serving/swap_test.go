package serving_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/ml/stages"
	"github.com/sluice-dev/sluice/models"
	"github.com/sluice-dev/sluice/serving"
)

// hammer sends body to url from n clients until stop is closed, counting
// responses; any non-200 fails the test.
func hammer(t *testing.T, g *errgroup.Group, n int, url, body string, stop <-chan struct{}, done *atomic.Int64) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	t.Cleanup(client.CloseIdleConnections)
	for range n {
		g.Go(func() error {
			for {
				select {
				case <-stop:
					return nil
				default:
				}
				resp, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					return err
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return errors.New(resp.Status + ": " + string(b))
				}
				done.Add(1)
			}
		})
	}
}

// waitFor yields until done passed n (no sleeping).
func waitFor(done *atomic.Int64, n int64, failed *atomic.Bool) {
	for done.Load() < n && !failed.Load() {
		runtime.Gosched()
	}
}

// Swapping the model while clients send requests drops none.
func TestSwapUnderLoad(t *testing.T) {
	cols, rows, _ := testRows(t, 1)
	body := `{"dataframe_records": [` + record(cols, rows[0]) + `]}`
	a, b := mustLoad(t), mustLoad(t)
	h := serving.NewHandler(a, serving.Options{})
	srv := newServer(t, h)
	stop := make(chan struct{})
	var done atomic.Int64
	var failed atomic.Bool
	g := &errgroup.Group{}
	hammer(t, g, 8, srv.URL+"/invocations", body, stop, &done)
	wait := make(chan error, 1)
	go func() { err := g.Wait(); failed.Store(true); wait <- err }()
	for i := range 30 {
		waitFor(&done, int64(i+1)*20, &failed)
		next := a
		if i%2 == 0 {
			next = b
		}
		h.Swap(next)
	}
	close(stop)
	if err := <-wait; err != nil {
		t.Fatalf("a request failed during swaps: %v", err)
	}
	if done.Load() < 600 {
		t.Errorf("got %d requests, want at least 600", done.Load())
	}
}

// fakeRegistry resolves model versions to local directories.
type fakeRegistry struct {
	mu       sync.Mutex
	versions map[string]string // version → local dir
	alias    map[string]string // alias → version
	lookups  atomic.Int64
}

func (f *fakeRegistry) ModelVersion(_ context.Context, name, version string) (models.VersionInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups.Add(1)
	dir, ok := f.versions[version]
	if name != "churn" || !ok {
		return models.VersionInfo{}, apierr.NotFound("model version %s/%s does not exist", name, version)
	}
	return models.VersionInfo{Name: name, Version: version, Source: dir}, nil
}

func (f *fakeRegistry) ModelVersionByAlias(ctx context.Context, name, alias string) (models.VersionInfo, error) {
	f.mu.Lock()
	v, ok := f.alias[alias]
	f.mu.Unlock()
	if name != "churn" || !ok {
		return models.VersionInfo{}, apierr.NotFound("registered model %s has no alias %s", name, alias)
	}
	return f.ModelVersion(ctx, name, v)
}

func (f *fakeRegistry) LatestModelVersion(ctx context.Context, name, stage string) (models.VersionInfo, error) {
	f.mu.Lock()
	best := ""
	for v := range f.versions {
		if v > best {
			best = v
		}
	}
	f.mu.Unlock()
	if name != "churn" || best == "" {
		return models.VersionInfo{}, apierr.NotFound("registered model %s does not exist", name)
	}
	return f.ModelVersion(ctx, name, best)
}

func (f *fakeRegistry) RunArtifactURI(context.Context, string) (string, error) {
	return "", apierr.NotFound("no runs")
}

func (f *fakeRegistry) Download(context.Context, string, string) error {
	return errors.New("no downloads")
}

func (f *fakeRegistry) setAlias(alias, version string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.alias[alias] = version
}

// swapLog signals every "model swapped" log record.
type swapLog struct {
	slog.Handler
	swapped chan string
}

func (s *swapLog) Enabled(context.Context, slog.Level) bool { return true }

func (s *swapLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "serving: model swapped" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "to" {
				s.swapped <- a.Value.String()
			}
			return true
		})
	}
	return nil
}

func copyModel(t *testing.T, dst string) string {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(mustChurnDir(t))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestRegistryHandler(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	reg := &fakeRegistry{
		versions: map[string]string{"1": copyModel(t, filepath.Join(root, "v1")), "2": copyModel(t, filepath.Join(root, "v2"))},
		alias:    map[string]string{"champion": "1"},
	}
	sl := &swapLog{swapped: make(chan string, 4)}
	load := func(ctx context.Context, dir string) (*models.Model, error) {
		return models.Load(ctx, dir, stages.Registry(nil))
	}
	h, err := serving.NewRegistryHandler(reg, load, serving.RegistryConfig{CacheDir: filepath.Join(root, "cache"), Logger: slog.New(sl)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	srv := newServer(t, h)
	cols, rows, preds := testRows(t, 1)
	body := `{"dataframe_records": [` + record(cols, rows[0]) + `]}`
	want := `{"predictions": [` + preds[0] + "]}\n"

	if status, got := post(t, srv.URL+"/serving/churn/invocations", "application/json", body); status != 200 || got != want {
		t.Fatalf("got %d %s, want 200 %s", status, got, want)
	}
	if v := h.Version("churn"); v != "1" {
		t.Errorf("got version %q, want 1 (the champion)", v)
	}
	if status, _ := get(t, srv.URL+"/serving/churn/ping"); status != 200 {
		t.Errorf("ping: got %d", status)
	}
	if status, got := get(t, srv.URL+"/serving/nope/ping"); status != 404 || !strings.Contains(got, "RESOURCE_DOES_NOT_EXIST") {
		t.Errorf("unknown model: got %d %s", status, got)
	}
	if status, _ := get(t, srv.URL+"/serving/churn"); status != 404 {
		t.Errorf("no endpoint: got %d", status)
	}

	// Move the alias while clients send requests: Run swaps version 2 in
	// on Refresh, and no request fails.
	runCtx, stopRun := context.WithCancel(ctx)
	g := &errgroup.Group{}
	g.Go(func() error { return h.Run(runCtx) })
	stop := make(chan struct{})
	var done atomic.Int64
	load2 := &errgroup.Group{}
	hammer(t, load2, 6, srv.URL+"/serving/churn/invocations", body, stop, &done)
	reg.setAlias("champion", "2")
	h.Refresh("churn")
	if got := <-sl.swapped; got != "2" {
		t.Errorf("swapped to %q, want 2", got)
	}
	var failed atomic.Bool
	waitFor(&done, done.Load()+50, &failed)
	close(stop)
	if err := load2.Wait(); err != nil {
		t.Fatalf("a request failed during the swap: %v", err)
	}
	stopRun()
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if v := h.Version("churn"); v != "2" {
		t.Errorf("got version %q, want 2", v)
	}

	// Sync does the same synchronously; without the alias, latest is served.
	reg.mu.Lock()
	delete(reg.alias, "champion")
	reg.versions["3"] = reg.versions["1"]
	reg.mu.Unlock()
	if err := h.Sync(ctx, "churn"); err != nil {
		t.Fatal(err)
	}
	if v := h.Version("churn"); v != "3" {
		t.Errorf("got version %q, want 3 (latest)", v)
	}
}

func TestRegistryConfigValidate(t *testing.T) {
	tests := []struct {
		cfg    serving.RegistryConfig
		substr string
	}{
		{serving.RegistryConfig{}, "CacheDir is empty"},
		{serving.RegistryConfig{CacheDir: "x", Prefix: "serving"}, "Prefix"},
		{serving.RegistryConfig{CacheDir: "x", PollInterval: -1}, "PollInterval"},
		{serving.RegistryConfig{CacheDir: "x", Targets: map[string]string{"m": "dev"}}, `Targets["m"]`},
	}
	for _, tt := range tests {
		_, err := serving.NewRegistryHandler(&fakeRegistry{}, nil, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.substr) {
			t.Errorf("%+v: got %v, want an error containing %q", tt.cfg, err, tt.substr)
		}
	}
}
