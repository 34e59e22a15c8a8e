package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sluice-dev/sluice/apierr"
)

// VersionInfo describes one registered model version, as the model
// registry returns it.
type VersionInfo struct {
	Name    string
	Version string
	// Source is where the version's files are: runs:/…, an artifact URI
	// (mlflow-artifacts:/…, s3://…) or a local path.
	Source string
	// RunID is the run that produced the version, if any.
	RunID string
}

// Resolver looks models up in a model registry and tracking server and
// downloads artifacts. The server and the CLI implement it over the
// registry, tracking and artifact stores (or over the REST API). Methods
// return *apierr.Error RESOURCE_DOES_NOT_EXIST when the model, version,
// alias or run does not exist; ctx bounds each call. Implementations
// must be safe for concurrent use.
type Resolver interface {
	// ModelVersion returns version of registered model name.
	ModelVersion(ctx context.Context, name, version string) (VersionInfo, error)
	// ModelVersionByAlias returns the version alias points to.
	ModelVersionByAlias(ctx context.Context, name, alias string) (VersionInfo, error)
	// LatestModelVersion returns the highest version of name; with stage
	// set, the highest version in that stage.
	LatestModelVersion(ctx context.Context, name, stage string) (VersionInfo, error)
	// RunArtifactURI returns the artifact root URI of a run (its
	// artifact_uri, e.g. mlflow-artifacts:/1/<run>/artifacts).
	RunArtifactURI(ctx context.Context, runID string) (string, error)
	// Download copies the directory (or file) at artifactURI into
	// localDir, which exists and is empty.
	Download(ctx context.Context, artifactURI, localDir string) error
}

// Resolved is a model URI resolved to a local directory.
type Resolved struct {
	// URI is the parsed URI.
	URI URI
	// Dir is the local model directory (holding MLmodel).
	Dir string
	// Name and Version identify the registered model version, for
	// models:/ URIs.
	Name, Version string
	// Source is the artifact URI the model was downloaded from, if any.
	Source string
	// RunID is the run that produced the model, when known.
	RunID string
	// Cached reports whether Dir came from the cache without a download.
	Cached bool
}

// maxSourceDepth bounds chains of model version sources pointing at
// other model URIs.
const maxSourceDepth = 4

// Resolve turns a model URI into a local model directory. Local paths
// are returned as they are (nothing is copied); runs:/ and artifact URIs
// are downloaded through r; models:/ URIs are looked up through r and
// their source downloaded. Downloads are cached under cacheDir:
// models/NAME/VERSION for registered versions (reused while the
// version's source is unchanged; versions are immutable) and
// uris/HASH for other URIs (reused: run artifacts are written once).
// r may be nil when uri is local; cacheDir may be empty only then. ctx
// bounds lookups and downloads. Errors are *apierr.Error when the URI is
// malformed or names something that does not exist.
func Resolve(ctx context.Context, uri string, r Resolver, cacheDir string) (*Resolved, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return resolve(ctx, u, r, cacheDir, 0)
}

// ResolveVersion resolves the registered model version v (as a
// Resolver returned it), downloading it into the cache if needed.
func ResolveVersion(ctx context.Context, v VersionInfo, r Resolver, cacheDir string) (*Resolved, error) {
	u := URI{Kind: KindModel, Raw: "models:/" + v.Name + "/" + v.Version, Name: v.Name, Version: v.Version}
	return fetchVersion(ctx, u, v, r, cacheDir, 0)
}

func resolve(ctx context.Context, u URI, r Resolver, cacheDir string, depth int) (*Resolved, error) {
	if depth > maxSourceDepth {
		return nil, apierr.Invalid("model URI %s: model version sources point at each other more than %d times", u.Raw, maxSourceDepth)
	}
	if u.Kind == KindLocal {
		info, err := os.Stat(u.Path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, apierr.NotFound("model directory %s does not exist", u.Path)
			}
			return nil, fmt.Errorf("model directory %s: %w", u.Path, err)
		}
		if !info.IsDir() {
			return nil, apierr.Invalid("model %s is a file; give the model directory (the one holding MLmodel)", u.Path)
		}
		return &Resolved{URI: u, Dir: u.Path}, nil
	}
	if r == nil {
		return nil, apierr.New(apierr.NotImplemented, "model URI %s: resolving %s URIs needs a tracking server or workspace registry, and none is configured", u.Raw, schemeOf(u.Raw)).
			WithHint("use a local model directory, or run this where the workspace has a registry")
	}
	if cacheDir == "" {
		return nil, fmt.Errorf("resolve %s: no cache directory to download into", u.Raw)
	}
	switch u.Kind {
	case KindModel:
		var v VersionInfo
		var err error
		switch {
		case u.Alias != "":
			v, err = r.ModelVersionByAlias(ctx, u.Name, u.Alias)
		case u.Latest:
			v, err = r.LatestModelVersion(ctx, u.Name, u.Stage)
		default:
			v, err = r.ModelVersion(ctx, u.Name, u.Version)
		}
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", u.Raw, err)
		}
		if v.Name == "" {
			v.Name = u.Name
		}
		return fetchVersion(ctx, u, v, r, cacheDir, depth)
	case KindRun:
		root, err := r.RunArtifactURI(ctx, u.RunID)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", u.Raw, err)
		}
		src := strings.TrimRight(root, "/")
		if u.ArtifactPath != "" {
			src += "/" + u.ArtifactPath
		}
		dir, cached, err := download(ctx, r, src, filepath.Join(cacheDir, "uris", hashName(src)), "")
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", u.Raw, err)
		}
		return &Resolved{URI: u, Dir: dir, Source: src, RunID: u.RunID, Cached: cached}, nil
	default:
		dir, cached, err := download(ctx, r, u.Raw, filepath.Join(cacheDir, "uris", hashName(u.Raw)), "")
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", u.Raw, err)
		}
		return &Resolved{URI: u, Dir: dir, Source: u.Raw, Cached: cached}, nil
	}
}

func fetchVersion(ctx context.Context, u URI, v VersionInfo, r Resolver, cacheDir string, depth int) (*Resolved, error) {
	if v.Source == "" {
		return nil, apierr.Invalid("resolve %s: model version %s/%s has no source", u.Raw, v.Name, v.Version)
	}
	su, err := ParseURI(v.Source)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: version %s source: %w", u.Raw, v.Version, err)
	}
	var src string
	switch su.Kind {
	case KindLocal:
		res, err := resolve(ctx, su, r, cacheDir, depth+1)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: version %s source: %w", u.Raw, v.Version, err)
		}
		res.URI, res.Name, res.Version, res.RunID = u, v.Name, v.Version, v.RunID
		return res, nil
	case KindModel:
		res, err := resolve(ctx, su, r, cacheDir, depth+1)
		if err != nil {
			return nil, err
		}
		res.URI, res.Name, res.Version = u, v.Name, v.Version
		return res, nil
	case KindRun:
		root, err := r.RunArtifactURI(ctx, su.RunID)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: version %s source %s: %w", u.Raw, v.Version, v.Source, err)
		}
		src = strings.TrimRight(root, "/")
		if su.ArtifactPath != "" {
			src += "/" + su.ArtifactPath
		}
		if v.RunID == "" {
			v.RunID = su.RunID
		}
	default:
		src = v.Source
	}
	dst := filepath.Join(cacheDir, "models", safeName(v.Name), safeName(v.Version))
	dir, cached, err := download(ctx, r, src, dst, v.Source)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", u.Raw, err)
	}
	return &Resolved{URI: u, Dir: dir, Name: v.Name, Version: v.Version, Source: src, RunID: v.RunID, Cached: cached}, nil
}

// sourceFile records, inside a cached model directory, the source it was
// downloaded from.
const sourceFile = ".sluice-source"

// download fetches src into dst unless dst already holds a complete copy
// of the same source (key). It downloads into a temporary sibling and
// renames it into place, so a crash or a concurrent download never
// leaves a half-written dst.
func download(ctx context.Context, r Resolver, src, dst, key string) (string, bool, error) {
	if key == "" {
		key = src
	}
	if b, err := os.ReadFile(filepath.Join(dst, sourceFile)); err == nil {
		if string(b) == key {
			return dst, true, nil
		}
		// The name and version were reused for another source (the
		// model was deleted and registered again): replace the copy.
		if err := os.RemoveAll(dst); err != nil {
			return "", false, err
		}
	}
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", false, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	if err := r.Download(ctx, src, tmp); err != nil {
		return "", false, fmt.Errorf("download %s: %w", src, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, MLmodelFile)); err != nil {
		return "", false, apierr.Invalid("%s holds no MLmodel file; it is not an MLflow model", src)
	}
	if err := writeFileSync(filepath.Join(tmp, sourceFile), []byte(key)); err != nil {
		return "", false, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		// Another download of the same model finished first.
		if b, rerr := os.ReadFile(filepath.Join(dst, sourceFile)); rerr == nil && string(b) == key {
			return dst, true, nil
		}
		return "", false, err
	}
	return dst, false, nil
}

var safeRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// safeName makes s a single safe path element: itself when it is plain,
// else its sanitized form plus a hash.
func safeName(s string) string {
	if safeRE.MatchString(s) && !strings.Contains(s, "..") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) > 40 {
		b = b[:40]
	}
	return string(b) + "-" + hashName(s)
}

func hashName(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

func schemeOf(s string) string {
	if i := strings.Index(s, ":"); i > 0 {
		return s[:i+1]
	}
	return s
}
