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

	// wmu serializes this process's write transactions on SQLite, which
	// admits one writer at a time: waiting here is cheaper than SQLite's
	// busy-handler sleeps. Other processes still wait on busy_timeout.
	wmu sync.Mutex
	// created counts runs created by this Store (see maybeAnalyze).
	created atomic.Int64
	// qmu guards queue, the writes waiting for the next group commit.
	qmu   sync.Mutex
	queue []*writeReq

	closeOnce sync.Once
}

// write runs fn in a write transaction, committing when fn returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.db.Dialect == metastore.SQLite {
		return s.groupWrite(ctx, fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
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

// writeReq is one caller's write waiting for a group commit.
type writeReq struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error // buffered, receives the outcome once
}

// groupWrite runs fn in a transaction shared with the writes queued
// meanwhile by other goroutines (group commit): SQLite commits one
// transaction at a time and each commit writes the changed pages to the
// WAL, so under concurrent logging one commit for many requests is what
// raises throughput (log-batch from about 2,000 to many thousands of
// requests/s). Each write runs inside its own SAVEPOINT, so a failing
// one rolls back alone and the others commit; a failed commit fails them
// all. The first waiter to get the write lock commits the queue; the
// others find their result delivered.
func (s *Store) groupWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.qmu.Lock()
	s.queue = append(s.queue, req)
	s.qmu.Unlock()

	s.wmu.Lock()
	defer s.wmu.Unlock()
	select {
	case err := <-req.done: // a previous leader committed it
		return err
	default:
	}
	s.qmu.Lock()
	batch := s.queue
	s.queue = nil
	s.qmu.Unlock()
	s.commitGroup(batch)
	return <-req.done
}

// commitGroup runs batch's writes in one transaction and delivers each
// outcome. The transaction is not bound to any caller's context, so one
// caller giving up does not fail the others.
func (s *Store) commitGroup(batch []*writeReq) {
	bg := context.Background()
	tx, err := s.db.BeginTx(bg, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	errs := make([]error, len(batch))
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if len(batch) == 1 {
			errs[i] = r.fn(tx)
		} else {
			errs[i] = s.inSavepoint(bg, tx, r.fn)
		}
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		tx.Rollback()
	} else if err := tx.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// inSavepoint runs fn so that its changes are undone when it fails.
func (s *Store) inSavepoint(ctx context.Context, tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); rerr != nil {
			return errors.Join(err, rerr)
		}
		tx.ExecContext(ctx, "RELEASE SAVEPOINT w")
		return err
	}
	_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT w")
	return err
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
	s := &Store{db: db, cfg: cfg}
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
