package state

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/metastore"
)

// Store keeps jobs, runs, task attempts, task values, executors and
// trigger state in the metadata database (SQLite or PostgreSQL). It is
// safe for concurrent use by many goroutines and by several processes
// sharing the database.
//
// Writes go through the database's shared metastore.Writer: on SQLite
// concurrent writes (of this Store and of the other components on the
// same database) group-commit; on PostgreSQL each is its own transaction.
// Every method's ctx bounds its database work.
type Store struct {
	db *metastore.DB
	w  *metastore.Writer
	// now is the clock for times the Store sets itself (DeployedAt,
	// QueuedAt, …).
	now func() time.Time
	// forUpdate is appended to a SELECT that reads rows the transaction
	// will change: row locks on PostgreSQL; nothing on SQLite, whose
	// write transaction already excludes every other writer.
	forUpdate string
	// claimLock is the PostgreSQL advisory lock key ClaimRuns holds.
	claimLock int64

	// Statements of the hot path (task attempt transitions), prepared
	// once: SQLite compiles a statement on every unprepared exec.
	insertTask, updateTask *sql.Stmt

	closeOnce sync.Once
	closeErr  error
}

// Open migrates the "jobs" component's schema and returns a Store. The
// caller keeps ownership of db; Close releases the Store's prepared
// statements (closing db releases them too). ctx bounds the migration.
func Open(ctx context.Context, db *metastore.DB) (*Store, error) {
	if err := metastore.Migrate(ctx, db, component, migrations); err != nil {
		return nil, fmt.Errorf("open jobs state: %w", err)
	}
	s := &Store{db: db, w: db.Writer(), now: time.Now}
	if db.Dialect == metastore.Postgres {
		s.forUpdate = " FOR UPDATE"
		h := fnv.New64a()
		h.Write([]byte("sluice_jobs_claim"))
		s.claimLock = int64(h.Sum64() >> 1)
	}
	var err error
	if s.insertTask, err = db.PrepareContext(ctx, db.Rebind(insertTaskSQL)); err != nil {
		return nil, fmt.Errorf("open jobs state: prepare: %w", err)
	}
	if s.updateTask, err = db.PrepareContext(ctx, db.Rebind(updateTaskSQL)); err != nil {
		s.insertTask.Close()
		return nil, fmt.Errorf("open jobs state: prepare: %w", err)
	}
	return s, nil
}

// Close releases the Store's prepared statements (not the database). It
// is idempotent; the Store must not be used afterwards.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.insertTask.Close(), s.updateTask.Close())
	})
	return s.closeErr
}

// DB returns the database the Store works on.
func (s *Store) DB() *metastore.DB { return s.db }

// stateError is a sentinel (ErrNotFound, ErrConflict) with a message of
// its own: errors.Is matches the sentinel, Error reads as a sentence.
type stateError struct {
	kind error
	msg  string
}

func (e *stateError) Error() string { return e.msg }
func (e *stateError) Unwrap() error { return e.kind }

func notFound(format string, args ...any) error {
	return &stateError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &stateError{kind: ErrConflict, msg: fmt.Sprintf(format, args...)}
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// oneStatement runs fn, whose only change to the database is a single
// statement (so a failing fn changed nothing): on SQLite inside a
// group-committed write transaction; on PostgreSQL on its own, in
// autocommit mode, which saves the BEGIN and COMMIT round trips. fn runs
// its statements on q and its prepared statements through prepared.
func (s *Store) oneStatement(ctx context.Context, fn func(q querier, prepared func(*sql.Stmt) *sql.Stmt) error) error {
	if s.db.Dialect == metastore.Postgres {
		return fn(s.db, func(st *sql.Stmt) *sql.Stmt { return st })
	}
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		return fn(tx, func(st *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, st) })
	})
}

// q rebinds a query for the store's dialect.
func (s *Store) q(query string) string { return s.db.Rebind(query) }

// ms is t as unix milliseconds, or NULL for the zero time.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS reads a time written by ms (UTC).
func fromMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// nowMS is the Store's clock truncated to milliseconds.
func (s *Store) nowMS() int64 { return s.now().UnixMilli() }

// orNow returns t, or the Store's clock when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isFKViolation reports whether err is a foreign-key violation on either
// backend.
func isFKViolation(err error) bool {
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		return st.SQLState() == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// --- jobs -----------------------------------------------------------------

// Deployment is one job to store with DeployAll; the fields are
// Deploy's parameters.
type Deployment struct {
	Name       string
	Spec       []byte
	SpecJSON   json.RawMessage
	SourcePath string
	SetPaused  *bool
}

// Deployed is DeployAll's outcome for one Deployment.
type Deployed struct {
	Job     *Job
	Changed bool // a new version was stored
}

// Deploy stores a job version. When the job exists and spec is unchanged
// (same bytes), nothing changes and changed is false. Deploy keeps every
// version (JobVersion reads old ones). Paused is kept from the previous
// version unless setPaused is non-nil.
//
// setPaused is applied even when spec is unchanged (changed stays false:
// it reports whether a new version was stored). A job deployed again
// after DeleteJob continues its version numbers after the highest one
// its remaining runs reference, so old runs never name a version of
// different content.
func (s *Store) Deploy(ctx context.Context, name string, spec []byte, specJSON json.RawMessage, sourcePath string, setPaused *bool) (job *Job, changed bool, err error) {
	out, err := s.DeployAll(ctx, []Deployment{{Name: name, Spec: spec, SpecJSON: specJSON, SourcePath: sourcePath, SetPaused: setPaused}})
	if err != nil {
		return nil, false, err
	}
	return out[0].Job, out[0].Changed, nil
}

// DeployAll deploys several jobs in one transaction: all are stored or,
// on error, none. Each Deployment behaves as Deploy; the results are in
// the order given.
func (s *Store) DeployAll(ctx context.Context, ds []Deployment) ([]Deployed, error) {
	seen := make(map[string]bool, len(ds))
	for _, d := range ds {
		if d.Name == "" {
			return nil, errors.New("deploy job: the name is empty")
		}
		if seen[d.Name] {
			return nil, fmt.Errorf("deploy jobs: job %s is given twice; deploy each job once", d.Name)
		}
		seen[d.Name] = true
		if len(d.SpecJSON) > 0 && !json.Valid(d.SpecJSON) {
			return nil, fmt.Errorf("deploy job %s: SpecJSON is not valid JSON", d.Name)
		}
	}
	var out []Deployed
	err := s.w.Write(ctx, func(tx *sql.Tx) error {
		out = make([]Deployed, 0, len(ds))
		for _, d := range ds {
			job, changed, err := s.deploy(ctx, tx, d)
			if err != nil {
				return fmt.Errorf("deploy job %s: %w", d.Name, err)
			}
			out = append(out, Deployed{Job: job, Changed: changed})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) deploy(ctx context.Context, tx *sql.Tx, d Deployment) (*Job, bool, error) {
	now := s.nowMS()
	// A placeholder row (version 0) for a new job, so that the row lock
	// below serializes concurrent deployers of one name on PostgreSQL.
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO jobs (name, version, paused, created_at) VALUES (?, 0, 0, ?) ON CONFLICT (name) DO NOTHING"), d.Name, now); err != nil {
		return nil, false, err
	}
	var version int64
	var paused int
	if err := tx.QueryRowContext(ctx, s.q("SELECT version, paused FROM jobs WHERE name = ?"+s.forUpdate), d.Name).Scan(&version, &paused); err != nil {
		return nil, false, err
	}
	newPaused := paused != 0
	if d.SetPaused != nil {
		newPaused = *d.SetPaused
	}
	if version > 0 {
		var cur []byte
		if err := tx.QueryRowContext(ctx, s.q("SELECT spec FROM job_versions WHERE name = ? AND version = ?"), d.Name, version).Scan(&cur); err != nil {
			return nil, false, err
		}
		if bytes.Equal(cur, d.Spec) {
			if newPaused != (paused != 0) {
				if _, err := tx.ExecContext(ctx, s.q("UPDATE jobs SET paused = ? WHERE name = ?"), boolInt(newPaused), d.Name); err != nil {
					return nil, false, err
				}
			}
			job, err := s.getJob(ctx, tx, d.Name, 0)
			return job, false, err
		}
	} else {
		// New, or deployed again after DeleteJob: continue after the
		// versions its runs reference.
		if err := tx.QueryRowContext(ctx, s.q("SELECT COALESCE(MAX(job_version), 0) FROM job_runs WHERE job = ?"), d.Name).Scan(&version); err != nil {
			return nil, false, err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE jobs SET created_at = ? WHERE name = ?"), now, d.Name); err != nil {
			return nil, false, err
		}
	}
	version++
	specJSON := string(d.SpecJSON)
	if specJSON == "" {
		specJSON = "null"
	}
	spec := d.Spec
	if spec == nil {
		spec = []byte{}
	}
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO job_versions (name, version, spec, spec_json, source_path, deployed_at) VALUES (?, ?, ?, ?, ?, ?)"),
		d.Name, version, spec, specJSON, d.SourcePath, now); err != nil {
		return nil, false, err
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE jobs SET version = ?, paused = ? WHERE name = ?"), version, boolInt(newPaused), d.Name); err != nil {
		return nil, false, err
	}
	job, err := s.getJob(ctx, tx, d.Name, 0)
	return job, true, err
}

const jobCols = "j.name, v.version, j.paused, j.created_at, v.spec, v.spec_json, v.source_path, v.deployed_at"

func scanJob(sc interface{ Scan(...any) error }) (*Job, error) {
	var j Job
	var paused int
	var created, deployed int64
	var specJSON string
	if err := sc.Scan(&j.Name, &j.Version, &paused, &created, &j.Spec, &specJSON, &j.SourcePath, &deployed); err != nil {
		return nil, err
	}
	j.Paused = paused != 0
	j.CreatedAt = time.UnixMilli(created).UTC()
	j.DeployedAt = time.UnixMilli(deployed).UTC()
	j.SpecJSON = json.RawMessage(specJSON)
	return &j, nil
}

// getJob reads version (0: the current one) of job name.
func (s *Store) getJob(ctx context.Context, q querier, name string, version int64) (*Job, error) {
	var row *sql.Row
	if version == 0 {
		row = q.QueryRowContext(ctx, s.q("SELECT "+jobCols+" FROM jobs j JOIN job_versions v ON v.name = j.name AND v.version = j.version WHERE j.name = ?"), name)
	} else {
		row = q.QueryRowContext(ctx, s.q("SELECT "+jobCols+" FROM jobs j JOIN job_versions v ON v.name = j.name WHERE j.name = ? AND v.version = ?"), name, version)
	}
	j, err := scanJob(row)
	if errors.Is(err, sql.ErrNoRows) {
		if version == 0 {
			return nil, notFound("job %s is not deployed", name)
		}
		return nil, notFound("job %s has no version %d", name, version)
	}
	if err != nil {
		return nil, fmt.Errorf("read job %s: %w", name, err)
	}
	return j, nil
}

// GetJob returns the current version of a job (ErrNotFound).
func (s *Store) GetJob(ctx context.Context, name string) (*Job, error) {
	return s.getJob(ctx, s.db, name, 0)
}

// JobVersion returns one version of a job (ErrNotFound). Paused and
// CreatedAt are the job's, as of now.
func (s *Store) JobVersion(ctx context.Context, name string, version int64) (*Job, error) {
	if version <= 0 {
		return nil, notFound("job %s has no version %d", name, version)
	}
	return s.getJob(ctx, s.db, name, version)
}

// ListJobs returns the current version of every job, by name.
func (s *Store) ListJobs(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+jobCols+" FROM jobs j JOIN job_versions v ON v.name = j.name AND v.version = j.version")
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		out = append(out, *j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// SetPaused pauses or resumes a job's schedule and triggers (ErrNotFound).
func (s *Store) SetPaused(ctx context.Context, name string, paused bool) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE jobs SET paused = ? WHERE name = ? AND version > 0"), boolInt(paused), name)
		if err != nil {
			return fmt.Errorf("pause job %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("pause job %s: %w", name, err)
		} else if n == 0 {
			return notFound("job %s is not deployed", name)
		}
		return nil
	})
}

// DeleteJob removes a job, its versions and its trigger state; its runs
// stay (ErrNotFound).
func (s *Store) DeleteJob(ctx context.Context, name string) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM jobs WHERE name = ?"), name)
		if err != nil {
			return fmt.Errorf("delete job %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("delete job %s: %w", name, err)
		} else if n == 0 {
			return notFound("job %s is not deployed", name)
		}
		for _, q := range []string{"DELETE FROM job_versions WHERE name = ?", "DELETE FROM job_trigger_state WHERE job = ?"} {
			if _, err := tx.ExecContext(ctx, s.q(q), name); err != nil {
				return fmt.Errorf("delete job %s: %w", name, err)
			}
		}
		return nil
	})
}
