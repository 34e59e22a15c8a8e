package models_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/models"
)

// fakeResolver serves model versions whose sources are directories in
// artifacts, addressed as mlflow-artifacts:/PATH.
type fakeResolver struct {
	mu        sync.Mutex
	versions  map[string]models.VersionInfo // "name/version"
	aliases   map[string]string             // "name@alias" → version
	runs      map[string]string             // run → artifact root
	artifacts string                        // local dir backing mlflow-artifacts:/
	downloads atomic.Int64
}

func (f *fakeResolver) ModelVersion(_ context.Context, name, version string) (models.VersionInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.versions[name+"/"+version]
	if !ok {
		return v, apierr.NotFound("model version %s/%s not found", name, version)
	}
	return v, nil
}

func (f *fakeResolver) ModelVersionByAlias(ctx context.Context, name, alias string) (models.VersionInfo, error) {
	f.mu.Lock()
	v, ok := f.aliases[name+"@"+alias]
	f.mu.Unlock()
	if !ok {
		return models.VersionInfo{}, apierr.NotFound("alias %s@%s not found", name, alias)
	}
	return f.ModelVersion(ctx, name, v)
}

func (f *fakeResolver) LatestModelVersion(_ context.Context, name, stage string) (models.VersionInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var best models.VersionInfo
	for k, v := range f.versions {
		if strings.HasPrefix(k, name+"/") && (best.Version == "" || v.Version > best.Version) {
			best = v
		}
	}
	if best.Version == "" {
		return best, apierr.NotFound("model %s has no versions", name)
	}
	return best, nil
}

func (f *fakeResolver) RunArtifactURI(_ context.Context, run string) (string, error) {
	if r, ok := f.runs[run]; ok {
		return r, nil
	}
	return "", apierr.NotFound("run %s not found", run)
}

func (f *fakeResolver) Download(_ context.Context, uri, dst string) error {
	f.downloads.Add(1)
	rel, ok := strings.CutPrefix(uri, "mlflow-artifacts:/")
	if !ok {
		return apierr.Invalid("unsupported artifact URI %s", uri)
	}
	return os.CopyFS(dst, os.DirFS(filepath.Join(f.artifacts, rel)))
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	art := t.TempDir()
	// A fake model directory per run.
	for _, run := range []string{"r1", "r2"} {
		d := filepath.Join(art, "1", run, "artifacts", "model")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "MLmodel"), []byte("run: "+run+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(art, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &fakeResolver{
		versions: map[string]models.VersionInfo{
			"churn/1": {Name: "churn", Version: "1", Source: "runs:/r1/model"},
			"churn/2": {Name: "churn", Version: "2", Source: "mlflow-artifacts:/1/r2/artifacts/model", RunID: "r2"},
			"loop/1":  {Name: "loop", Version: "1", Source: "models:/loop/1"},
			"bad/1":   {Name: "bad", Version: "1", Source: "mlflow-artifacts:/empty"},
		},
		aliases:   map[string]string{"churn@champion": "2"},
		runs:      map[string]string{"r1": "mlflow-artifacts:/1/r1/artifacts", "r2": "mlflow-artifacts:/1/r2/artifacts"},
		artifacts: art,
	}
	cache := t.TempDir()
	tests := []struct {
		uri, wantRun, wantVersion string
	}{
		{"models:/churn/1", "r1", "1"},
		{"models:/churn@champion", "r2", "2"},
		{"models:/churn/latest", "r2", "2"},
		{"runs:/r1/model", "r1", ""},
		{"mlflow-artifacts:/1/r2/artifacts/model", "r2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			res, err := models.Resolve(ctx, tt.uri, r, cache)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(res.Dir, "MLmodel"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(b)); got != "run: "+tt.wantRun {
				t.Errorf("got MLmodel %q, want run %s", got, tt.wantRun)
			}
			if res.Version != tt.wantVersion {
				t.Errorf("got version %q, want %q", res.Version, tt.wantVersion)
			}
			if !strings.HasPrefix(res.Dir, cache) {
				t.Errorf("got dir %s outside the cache %s", res.Dir, cache)
			}
		})
	}
	// Versions are cached: resolving again downloads nothing.
	before := r.downloads.Load()
	res, err := models.Resolve(ctx, "models:/churn/1", r, cache)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Cached || r.downloads.Load() != before {
		t.Errorf("got cached %v, %d downloads; want a cache hit", res.Cached, r.downloads.Load()-before)
	}
	// A version whose source changed (deleted and registered again) is fetched again.
	r.versions["churn/1"] = models.VersionInfo{Name: "churn", Version: "1", Source: "runs:/r2/model"}
	if res, err = models.Resolve(ctx, "models:/churn/1", r, cache); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(res.Dir, "MLmodel")); !strings.Contains(string(b), "r2") || res.Cached {
		t.Errorf("got %q (cached %v), want the new source's files", b, res.Cached)
	}

	errs := []struct {
		uri    string
		code   apierr.Code
		substr string
	}{
		{"models:/churn/9", apierr.ResourceDoesNotExist, "not found"},
		{"models:/churn@nope", apierr.ResourceDoesNotExist, "not found"},
		{"models:/loop/1", apierr.InvalidParameterValue, "point at each other"},
		{"models:/bad/1", apierr.InvalidParameterValue, "holds no MLmodel file"},
		{"runs:/zz/model", apierr.ResourceDoesNotExist, "run zz"},
		{filepath.Join(art, "nope"), apierr.ResourceDoesNotExist, "does not exist"},
	}
	for _, tt := range errs {
		t.Run("error "+tt.uri, func(t *testing.T) {
			_, err := models.Resolve(ctx, tt.uri, r, cache)
			if err == nil {
				t.Fatal("got no error")
			}
			if apierr.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("got %s %q, want %s containing %q", apierr.CodeOf(err), err, tt.code, tt.substr)
			}
		})
	}
	// Without a resolver only local paths resolve.
	if _, err := models.Resolve(ctx, "models:/churn/1", nil, cache); apierr.CodeOf(err) != apierr.NotImplemented {
		t.Errorf("nil resolver: got %v, want NOT_IMPLEMENTED", err)
	}
	local, err := models.Resolve(ctx, "file://"+art, nil, "")
	if err != nil || local.Dir != art {
		t.Errorf("got %+v, %v; want %s", local, err, art)
	}
}
