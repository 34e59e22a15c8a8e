package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-dev/sluice/metastore"
)

// Config configures a Store.
type Config struct {
	// ArtifactRoot is the root under which new experiments' artifact
	// locations are made: "<ArtifactRoot>/<experiment_id>". Default
	// "mlflow-artifacts:" (giving "mlflow-artifacts:/1"), which MLflow
	// clients resolve through the server's artifact proxy.
	ArtifactRoot string

	// Now returns the current time; default time.Now. Tests set it to get
	// reproducible timestamps.
	Now func() time.Time
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{ArtifactRoot: "mlflow-artifacts:", Now: time.Now}
}

// Validate reports a bad field of c.
func (c Config) Validate() error {
	if strings.TrimSpace(c.ArtifactRoot) == "" {
		return errors.New("tracking config: ArtifactRoot is blank; leave it empty for the default (mlflow-artifacts:) or name a root")
	}
	return nil
}

// Store is the tracking store: experiments, runs, metrics, params, tags
// and dataset inputs in a metadata database. Its methods are named after
// MLflow's RPCs, take the request message and return the response message;
// errors caused by the request are *apierr.Error with MLflow's codes.
// A Store is safe for concurrent use; ctx bounds each call's database work.
type Store struct {
	db  *metastore.DB
	cfg Config

	// w runs write transactions: group commit on SQLite, shared with
	// the other components writing to db (metastore.DB.Writer).
	w *metastore.Writer
	// created counts runs created by this Store (see maybeAnalyze).
	created atomic.Int64

	closeOnce sync.Once
}

// write runs fn in a write transaction, committing when fn returns nil
// (see metastore.Writer.Write).
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.w.Write(ctx, fn)
}

// analyzeEvery is how many created runs make a PostgreSQL Store refresh
// the planner's statistics of the search tables.
const analyzeEvery = 5000

// maybeAnalyze runs ANALYZE on the tables search-runs joins, on
// PostgreSQL, every analyzeEvery created runs. Right after a bulk load
// (before autovacuum's analyze) the planner has no statistics for the new
// rows and picks a plan that compares every metric row with every run:
// a search over 30,000 fresh runs ran for more than a minute, and 92 ms
// once analyzed. Best effort: an error only delays the refresh.
func (s *Store) maybeAnalyze(ctx context.Context) {
	if s.db.Dialect != metastore.Postgres || s.created.Add(1)%analyzeEvery != 0 {
		return
	}
	s.db.ExecContext(ctx, "ANALYZE runs, latest_metrics, params, tags")
}

// q rebinds a query for the store's dialect.
func (s *Store) q(query string) string { return s.db.Rebind(query) }

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Open applies the tracking schema to db (migration component "tracking")
// and returns a Store over it. The "Default" experiment (id "0") is created
// when missing, as MLflow does. The caller keeps ownership of db; Close
// does not close it.
func Open(ctx context.Context, db *metastore.DB, cfg Config) (*Store, error) {
	if cfg.ArtifactRoot == "" {
		cfg.ArtifactRoot = DefaultConfig().ArtifactRoot
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := metastore.Migrate(ctx, db, "tracking", migrations); err != nil {
		return nil, fmt.Errorf("open tracking store: %w", err)
	}
	s := &Store{db: db, cfg: cfg, w: db.Writer()}
	if err := s.ensureDefaultExperiment(ctx); err != nil {
		return nil, fmt.Errorf("open tracking store: %w", err)
	}
	return s, nil
}

// Close releases the Store's resources (not the database). It is
// idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {})
	return nil
}

// DB returns the database the Store works on.
func (s *Store) DB() *metastore.DB { return s.db }

// DefaultExperimentID is the id of the "Default" experiment.
const DefaultExperimentID = "0"

// DefaultExperimentName is the name of experiment "0".
const DefaultExperimentName = "Default"

func (s *Store) now() int64 { return s.cfg.Now().UnixMilli() }

// ensureDefaultExperiment creates experiment 0 when missing.
func (s *Store) ensureDefaultExperiment(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM experiments WHERE experiment_id = 0").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	now := s.now()
	q := "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), DefaultExperimentName, s.artifactLocation("0"), StageActive, now, now)
	return err
}

// artifactLocation is an experiment's default artifact location.
func (s *Store) artifactLocation(id string) string {
	return strings.TrimRight(s.cfg.ArtifactRoot, "/") + "/" + id
}
