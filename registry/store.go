package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/metastore"
)

// RunArtifacts resolves a run's artifact root URI (for example
// "mlflow-artifacts:/1/<run>/artifacts"). The server wires it from the
// tracking store; a registry without one returns "runs:/" sources as they
// are.
type RunArtifacts interface {
	// RunArtifactURI returns runID's artifact_uri; a missing run is an
	// *apierr.Error with code RESOURCE_DOES_NOT_EXIST.
	RunArtifactURI(ctx context.Context, runID string) (string, error)
}

// RunArtifactURIFunc adapts a function to RunArtifacts.
type RunArtifactURIFunc func(ctx context.Context, runID string) (string, error)

// RunArtifactURI calls f.
func (f RunArtifactURIFunc) RunArtifactURI(ctx context.Context, runID string) (string, error) {
	return f(ctx, runID)
}

// Config configures a Store.
type Config struct {
	// Runs resolves "runs:/RUN_ID/path" sources in GetModelVersionDownloadURI.
	// Default nil: such sources are returned unchanged.
	Runs RunArtifacts
	// Now is the clock stamping creation and update times. Default
	// time.Now.
	Now func() time.Time
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config { return Config{Now: time.Now} }

// Validate reports a configuration error; the zero Config is valid.
func (c Config) Validate() error { return nil }

// Store is the model registry on a metadata database. It is safe for
// concurrent use; it does not own the database (Close is not needed).
type Store struct {
	db   *metastore.DB
	runs RunArtifacts
	now  func() time.Time
}

// Open applies the registry's migrations to db and returns a Store on it.
// ctx bounds the migrations.
func Open(ctx context.Context, db *metastore.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("registry: open: nil database")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("registry: open: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := metastore.Migrate(ctx, db, "registry", migrations); err != nil {
		return nil, fmt.Errorf("registry: open: %w", err)
	}
	return &Store{db: db, runs: cfg.Runs, now: cfg.Now}, nil
}

// millis returns the clock's time in ms since the epoch.
func (s *Store) millis() int64 { return s.now().UnixMilli() }
