package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/apierr"
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

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("registry: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		if isUniqueViolation(err) {
			return apierr.New(apierr.ResourceAlreadyExists, "registry: concurrent update; retry")
		}
		return fmt.Errorf("registry: commit: %w", err)
	}
	return nil
}

// isUniqueViolation reports whether err is a unique-constraint violation
// on either backend.
func isUniqueViolation(err error) bool {
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		return st.SQLState() == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// modelID returns the id of the registered model called name.
func (s *Store) modelID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, s.db.Rebind("SELECT id FROM registry_models WHERE name = ?"), name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, modelNotFound(name)
	}
	if err != nil {
		return 0, fmt.Errorf("registry: look up model %s: %w", name, err)
	}
	return id, nil
}

// versionKey identifies a model version row.
type versionKey struct{ model, version int64 }

// checkVersion returns the model id of name after checking that version
// exists.
func (s *Store) checkVersion(ctx context.Context, q querier, name string, version int64) (int64, error) {
	id, err := s.modelID(ctx, q, name)
	if err != nil {
		return 0, err
	}
	var one int
	err = q.QueryRowContext(ctx, s.db.Rebind("SELECT 1 FROM registry_versions WHERE model_id = ? AND version = ?"), id, version).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, versionNotFound(name, version)
	}
	if err != nil {
		return 0, fmt.Errorf("registry: look up %s version %d: %w", name, version, err)
	}
	return id, nil
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// chunkSize bounds the ids of one IN list.
const chunkSize = 500

// chunks calls fn with successive slices of at most chunkSize ids.
func chunks(ids []int64, fn func(part []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), chunkSize)
		part := make([]any, n)
		for i, id := range ids[:n] {
			part[i] = id
		}
		if err := fn(part); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
