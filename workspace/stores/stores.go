// Package stores opens the MLflow-side stores of a workspace — the
// tracking store, the model registry and the artifact store — lazily, on
// first use, and closes them together. It is what workspace.Workspace and
// server.Open use, and it imports neither the SQL engine nor DuckDB, so
// the server and its tests link without cgo.
//
// Defaults, for a workspace directory DIR:
//
//	DIR/meta.db     SQLite: tracking and registry tables (one file, each
//	                component in its own tables and migrations)
//	DIR/artifacts/  artifact files, keyed <experiment_id>/<run_id>/artifacts/…
//
// The metadata lives in meta.db rather than in the Iceberg catalog's
// catalog.db so that tracking's write load (thousands of small log-batch
// commits a second) and table commits take separate SQLite write locks.
// Config.DB = postgres://… puts both components on PostgreSQL instead;
// Config.Artifacts = s3://bucket/prefix puts artifacts on S3.
package stores

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/sluice-dev/sluice/artifacts"
	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
)

// Config says where the stores live.
type Config struct {
	// Dir is the workspace directory holding the defaults. Required unless
	// both DB and Artifacts are set.
	Dir string
	// DB is the metadata database: "" for the SQLite file Dir/meta.db, a
	// SQLite file path, or a postgres:// URL.
	DB string
	// Artifacts is the artifact store: "" for the directory Dir/artifacts,
	// a directory, file:///dir, or s3://bucket/prefix?endpoint=…&region=….
	Artifacts string
	// Tracking configures the tracking store. Default
	// tracking.DefaultConfig(): artifacts proxied through the server
	// (artifact root "mlflow-artifacts:").
	Tracking *tracking.Config
}

// Validate reports the first invalid field of c, by name.
func (c Config) Validate() error {
	if c.Dir == "" && (c.DB == "" || c.Artifacts == "") {
		return errors.New("stores config: Dir is required unless DB and Artifacts are both set")
	}
	return nil
}

// MetaDBPath returns the SQLite file holding the metadata by default.
func MetaDBPath(dir string) string { return filepath.Join(dir, "meta.db") }

// ArtifactsDir returns the directory holding artifacts by default.
func ArtifactsDir(dir string) string { return filepath.Join(dir, "artifacts") }

// Stores opens and holds a workspace's tracking store, registry and
// artifact store. Each accessor opens what it needs on first call (the
// database and its migrations, the artifact bucket); a failed open is not
// remembered, so a later call retries. Stores is safe for concurrent use.
type Stores struct {
	cfg Config

	mu        sync.Mutex
	closed    bool
	db        *metastore.DB
	tracking  *tracking.Store
	registry  *registry.Store
	artifacts *artifacts.Store
	jobs      *state.Store
}

// New returns Stores for cfg; it opens nothing yet.
func New(cfg Config) (*Stores, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Dir != "" {
		d, err := filepath.Abs(cfg.Dir)
		if err != nil {
			return nil, fmt.Errorf("stores: %s: %w", cfg.Dir, err)
		}
		cfg.Dir = d
	}
	return &Stores{cfg: cfg}, nil
}

// errClosed is returned by accessors after Close.
var errClosed = errors.New("workspace stores are closed")

// DB returns the metadata database, opening it on first use. ctx bounds
// the open.
func (s *Stores) DB(ctx context.Context) (*metastore.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dbLocked(ctx)
}

func (s *Stores) dbLocked(ctx context.Context) (*metastore.DB, error) {
	if s.closed {
		return nil, errClosed
	}
	if s.db != nil {
		return s.db, nil
	}
	dsn := s.cfg.DB
	if dsn == "" {
		dsn = MetaDBPath(s.cfg.Dir)
	}
	db, err := metastore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s.db = db
	return db, nil
}

// Tracking returns the tracking store, opening the database and applying
// the tracking migrations on first use. ctx bounds the open.
func (s *Stores) Tracking(ctx context.Context) (*tracking.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.trackingLocked(ctx)
}

func (s *Stores) trackingLocked(ctx context.Context) (*tracking.Store, error) {
	if s.tracking != nil && !s.closed {
		return s.tracking, nil
	}
	db, err := s.dbLocked(ctx)
	if err != nil {
		return nil, err
	}
	cfg := tracking.DefaultConfig()
	if s.cfg.Tracking != nil {
		cfg = *s.cfg.Tracking
	}
	t, err := tracking.Open(ctx, db, cfg)
	if err != nil {
		return nil, err
	}
	s.tracking = t
	return t, nil
}

// Registry returns the model registry, opening the database and applying
// the registry migrations on first use; it resolves runs:/ sources through
// the tracking store. ctx bounds the open.
func (s *Stores) Registry(ctx context.Context) (*registry.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.registry != nil && !s.closed {
		return s.registry, nil
	}
	t, err := s.trackingLocked(ctx)
	if err != nil {
		return nil, err
	}
	cfg := registry.DefaultConfig()
	cfg.Runs = registry.RunArtifactURIFunc(func(ctx context.Context, runID string) (string, error) {
		r, err := t.GetRun(ctx, &tracking.GetRun{RunID: runID})
		if err != nil {
			return "", err
		}
		return r.Run.Info.ArtifactURI, nil
	})
	r, err := registry.Open(ctx, s.db, cfg)
	if err != nil {
		return nil, err
	}
	s.registry = r
	return r, nil
}

// Jobs returns the jobs state store (deployed jobs, runs, task attempts),
// opening the database and applying the jobs migrations on first use.
// ctx bounds the open.
func (s *Stores) Jobs(ctx context.Context) (*state.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jobs != nil && !s.closed {
		return s.jobs, nil
	}
	db, err := s.dbLocked(ctx)
	if err != nil {
		return nil, err
	}
	j, err := state.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	s.jobs = j
	return j, nil
}

// Artifacts returns the artifact store, opening it on first use. ctx
// bounds the open.
func (s *Stores) Artifacts(ctx context.Context) (*artifacts.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if s.artifacts != nil {
		return s.artifacts, nil
	}
	u := s.cfg.Artifacts
	if u == "" {
		u = ArtifactsDir(s.cfg.Dir)
	}
	a, err := artifacts.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	s.artifacts = a
	return a, nil
}

// Close closes whatever was opened. It is idempotent; accessors fail
// after it. Callers must not use the stores returned earlier afterwards.
func (s *Stores) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	// Close the stores that have a Close (checked at run time, so a store
	// gaining one later is closed without changes here), then the database.
	var open []any
	if s.jobs != nil {
		open = append(open, s.jobs)
	}
	if s.registry != nil {
		open = append(open, s.registry)
	}
	if s.tracking != nil {
		open = append(open, s.tracking)
	}
	if s.artifacts != nil {
		open = append(open, s.artifacts)
	}
	var errs []error
	for _, c := range open {
		if c, ok := c.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}
