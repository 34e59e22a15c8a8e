package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/metastore"
)

// NewRun describes a run to create.
type NewRun struct {
	Job         string
	JobVersion  int64
	Trigger     string
	TriggerKey  string // "" for none; else (Job, TriggerKey) is unique
	LogicalTime time.Time
	Parameters  map[string]string
	Group       string
	GroupLimit  int
	ParentRunID int64
	ParentTask  string
	// Executor, when set, creates the run already claimed by that
	// executor, in state running (CLI --wait); else it is queued.
	Executor string
}

// runCols are the job_runs columns scanRun reads, in its order.
const runCols = "id, job, job_version, state, trigger_kind, trigger_key, logical_time, parameters, run_group, group_limit, parent_run_id, parent_task, executor, attempt, cancel_requested, message, queued_at, started_at, ended_at"

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var state, params string
	var key sql.NullString
	var logical, parent, started, ended sql.NullInt64
	var cancel int
	var queued int64
	if err := sc.Scan(&r.ID, &r.Job, &r.JobVersion, &state, &r.Trigger, &key, &logical, &params, &r.Group, &r.GroupLimit,
		&parent, &r.ParentTask, &r.Executor, &r.Attempt, &cancel, &r.Message, &queued, &started, &ended); err != nil {
		return Run{}, err
	}
	r.State = RunState(state)
	r.TriggerKey = key.String
	r.LogicalTime = fromMS(logical)
	if err := json.Unmarshal([]byte(params), &r.Parameters); err != nil {
		return Run{}, fmt.Errorf("run %d: parameters: %w", r.ID, err)
	}
	r.ParentRunID = parent.Int64
	r.CancelRequested = cancel != 0
	r.QueuedAt = time.UnixMilli(queued).UTC()
	r.StartedAt = fromMS(started)
	r.EndedAt = fromMS(ended)
	return r, nil
}

// getRun reads run id through q (ErrNotFound).
func (s *Store) getRun(ctx context.Context, q querier, id int64, lock bool) (*Run, error) {
	query := "SELECT " + runCols + " FROM job_runs WHERE id = ?"
	if lock {
		query += s.forUpdate
	}
	r, err := scanRun(q.QueryRowContext(ctx, s.q(query), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("run %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read run %d: %w", id, err)
	}
	return &r, nil
}

// queryRuns runs a query returning runCols.
func (s *Store) queryRuns(ctx context.Context, q querier, query string, args ...any) ([]Run, error) {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// nullIfEmpty is s, or NULL for "".
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullIfZero is n, or NULL for 0.
func nullIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// CreateRun creates a run. With a TriggerKey that already exists for the
// job, it returns the existing run and created=false (concurrent
// creators of one key, in any process, get one run). A zero LogicalTime
// is set to the creation time; QueuedAt is the creation time.
func (s *Store) CreateRun(ctx context.Context, r NewRun) (run *Run, created bool, err error) {
	if r.Job == "" {
		return nil, false, errors.New("create run: the job name is empty")
	}
	params := r.Parameters
	if params == nil {
		params = map[string]string{}
	}
	pj, err := json.Marshal(params)
	if err != nil {
		return nil, false, fmt.Errorf("create run of job %s: parameters: %w", r.Job, err)
	}
	state := RunQueued
	if r.Executor != "" {
		state = RunRunning
	}
	now := s.now()
	logical := r.LogicalTime
	if logical.IsZero() {
		logical = now
	}
	err = s.w.Write(ctx, func(tx *sql.Tx) error {
		run, created = nil, false
		var id int64
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO job_runs (job, job_version, state, trigger_kind, trigger_key, logical_time,
			parameters, run_group, group_limit, parent_run_id, parent_task, executor, queued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job, trigger_key) DO NOTHING RETURNING id`),
			r.Job, r.JobVersion, string(state), r.Trigger, nullIfEmpty(r.TriggerKey), logical.UnixMilli(),
			string(pj), r.Group, r.GroupLimit, nullIfZero(r.ParentRunID), r.ParentTask, r.Executor, now.UnixMilli()).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows): // the trigger key exists
			runs, err := s.queryRuns(ctx, tx, "SELECT "+runCols+" FROM job_runs WHERE job = ? AND trigger_key = ?", r.Job, r.TriggerKey)
			if err != nil {
				return err
			}
			if len(runs) != 1 {
				return fmt.Errorf("run with trigger key %q: found %d runs, want 1", r.TriggerKey, len(runs))
			}
			run = &runs[0]
			return nil
		case err != nil:
			return err
		}
		run, err = s.getRun(ctx, tx, id, false)
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("create run of job %s: %w", r.Job, err)
	}
	return run, created, nil
}

// GetRun returns a run (ErrNotFound).
func (s *Store) GetRun(ctx context.Context, id int64) (*Run, error) {
	return s.getRun(ctx, s.db, id, false)
}

// RunFilter selects runs for ListRuns. Zero fields match everything.
type RunFilter struct {
	Job         string
	States      []RunState
	Trigger     string
	ParentRunID int64
	BeforeID    int64 // runs with ID < BeforeID (paging)
	Limit       int   // default 100
}

// ListRuns returns matching runs, newest (highest ID) first.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	var where []string
	var args []any
	if f.Job != "" {
		where, args = append(where, "job = ?"), append(args, f.Job)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if f.Trigger != "" {
		where, args = append(where, "trigger_kind = ?"), append(args, f.Trigger)
	}
	if f.ParentRunID != 0 {
		where, args = append(where, "parent_run_id = ?"), append(args, f.ParentRunID)
	}
	if f.BeforeID != 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	query := "SELECT " + runCols + " FROM job_runs"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	runs, err := s.queryRuns(ctx, s.db, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// claimPage is how many queued runs ClaimRuns reads at a time.
const claimPage = 256

// ClaimRuns moves up to limit queued runs to running under executor,
// oldest first, skipping runs whose job already has MaxConcurrentRuns
// runs running (maxConcurrent maps job → limit; missing: 1) and runs
// whose Group already has GroupLimit runs running. Atomic across
// processes: a run is claimed by exactly one executor.
//
// A limit of 0 in maxConcurrent counts as 1; a negative one means "do
// not claim this job's runs" (an executor working on other jobs' runs
// only, such as a CLI backfill); a GroupLimit of 0 (or a
// run without Group) leaves the group unbounded. On PostgreSQL the claim
// holds a transaction-scoped advisory lock, so that the running counts
// it checks cannot change under it, and reads the queued rows FOR UPDATE
// SKIP LOCKED; on SQLite the write transaction excludes every other
// writer.
func (s *Store) ClaimRuns(ctx context.Context, executor string, limit int, maxConcurrent map[string]int) ([]Run, error) {
	if executor == "" {
		return nil, errors.New("claim runs: the executor ID is empty")
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []Run
	err := s.w.Write(ctx, func(tx *sql.Tx) error {
		out = nil
		if s.db.Dialect == metastore.Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", s.claimLock); err != nil {
				return err
			}
		}
		jobs, groups, err := s.runningCounts(ctx, tx)
		if err != nil {
			return err
		}
		jobLimit := func(job string) int {
			if n := maxConcurrent[job]; n > 1 {
				return n
			}
			return 1
		}
		fullJobs, fullGroups := map[string]bool{}, map[string]bool{}
		for job, n := range maxConcurrent {
			if n < 0 {
				fullJobs[job] = true
			}
		}
		for job, n := range jobs {
			if n >= jobLimit(job) {
				fullJobs[job] = true
			}
		}
		var ids []int64
		after := int64(0)
		for len(ids) < limit {
			query := "SELECT id, job, run_group, group_limit FROM job_runs WHERE state = 'queued' AND id > ?"
			args := []any{after}
			if len(fullJobs) > 0 {
				query += " AND job NOT IN (" + placeholders(len(fullJobs)) + ")"
				for j := range fullJobs {
					args = append(args, j)
				}
			}
			if len(fullGroups) > 0 {
				query += " AND run_group NOT IN (" + placeholders(len(fullGroups)) + ")"
				for g := range fullGroups {
					args = append(args, g)
				}
			}
			query += " ORDER BY id LIMIT ?"
			args = append(args, claimPage)
			if s.db.Dialect == metastore.Postgres {
				query += " FOR UPDATE SKIP LOCKED"
			}
			type cand struct {
				id         int64
				job, group string
				groupLimit int
			}
			var page []cand
			rows, err := tx.QueryContext(ctx, s.q(query), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var c cand
				if err := rows.Scan(&c.id, &c.job, &c.group, &c.groupLimit); err != nil {
					rows.Close()
					return err
				}
				page = append(page, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, c := range page {
				after = c.id
				if fullJobs[c.job] || fullGroups[c.group] {
					continue
				}
				if c.group != "" && c.groupLimit > 0 && groups[c.group] >= c.groupLimit {
					fullGroups[c.group] = true
					continue
				}
				ids = append(ids, c.id)
				jobs[c.job]++
				if jobs[c.job] >= jobLimit(c.job) {
					fullJobs[c.job] = true
				}
				if c.group != "" {
					groups[c.group]++
				}
				if len(ids) == limit {
					break
				}
			}
			if len(page) < claimPage {
				break
			}
		}
		if len(ids) == 0 {
			return nil
		}
		args := make([]any, 0, len(ids)+1)
		args = append(args, executor)
		for _, id := range ids {
			args = append(args, id)
		}
		in := "(" + placeholders(len(ids)) + ")"
		res, err := tx.ExecContext(ctx, s.q("UPDATE job_runs SET state = 'running', executor = ? WHERE state = 'queued' AND id IN "+in), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != int64(len(ids)) {
			return fmt.Errorf("claimed %d of %d runs; the queue changed under the claim", n, len(ids))
		}
		out, err = s.queryRuns(ctx, tx, "SELECT "+runCols+" FROM job_runs WHERE id IN "+in+" ORDER BY id", args[1:]...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim runs for %s: %w", executor, err)
	}
	return out, nil
}

// runningCounts returns how many runs are running per job and per group.
func (s *Store) runningCounts(ctx context.Context, tx *sql.Tx) (jobs, groups map[string]int, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT job, run_group, count(*) FROM job_runs WHERE state = 'running' GROUP BY job, run_group")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	jobs, groups = map[string]int{}, map[string]int{}
	for rows.Next() {
		var job, group string
		var n int
		if err := rows.Scan(&job, &group, &n); err != nil {
			return nil, nil, err
		}
		jobs[job] += n
		if group != "" {
			groups[group] += n
		}
	}
	return jobs, groups, rows.Err()
}

// StartRun sets StartedAt of a claimed run (first start only): ErrNotFound
// for no such run, ErrConflict unless it is running; a later call keeps
// the first time. A zero at means now.
func (s *Store) StartRun(ctx context.Context, id int64, at time.Time) error {
	at = s.orNow(at)
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE job_runs SET started_at = ? WHERE id = ? AND state = 'running' AND started_at IS NULL"), at.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("start run %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		r, err := s.getRun(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if r.State != RunRunning {
			return conflict("start run %d: the run is %s, not running", id, r.State)
		}
		return nil // started before
	})
}

// FinishRun moves a run to a terminal state with a message
// (ErrConflict if already terminal, ErrNotFound if missing). st must be
// terminal. A zero at means now.
func (s *Store) FinishRun(ctx context.Context, id int64, st RunState, message string, at time.Time) error {
	if !st.Terminal() {
		return fmt.Errorf("finish run %d: state %q is not a final state; use succeeded, failed, canceled or timed_out", id, st)
	}
	at = s.orNow(at)
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE job_runs SET state = ?, message = ?, ended_at = ? WHERE id = ? AND state IN ('queued', 'running')"),
			string(st), message, at.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("finish run %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		r, err := s.getRun(ctx, tx, id, false)
		if err != nil {
			return err
		}
		return conflict("finish run %d as %s: the run already ended %s", id, st, r.State)
	})
}

// RequestCancel flags a run for cancellation (a queued run is canceled
// at once; a running one by its executor, which polls CancelRequested).
// ErrConflict for a terminal run, ErrNotFound for a missing one. It
// returns the run as changed; asking twice is harmless.
func (s *Store) RequestCancel(ctx context.Context, id int64) (*Run, error) {
	var run *Run
	err := s.w.Write(ctx, func(tx *sql.Tx) error {
		r, err := s.getRun(ctx, tx, id, true)
		if err != nil {
			return err
		}
		switch r.State {
		case RunQueued:
			_, err = tx.ExecContext(ctx, s.q("UPDATE job_runs SET state = 'canceled', cancel_requested = 1, ended_at = ?, message = ? WHERE id = ?"),
				s.nowMS(), "canceled before it started", id)
		case RunRunning:
			_, err = tx.ExecContext(ctx, s.q("UPDATE job_runs SET cancel_requested = 1 WHERE id = ?"), id)
		default:
			return conflict("cancel run %d: the run already ended %s", id, r.State)
		}
		if err != nil {
			return fmt.Errorf("cancel run %d: %w", id, err)
		}
		run, err = s.getRun(ctx, tx, id, false)
		return err
	})
	return run, err
}

// CancelRequested returns which of ids have a pending cancel request (the
// run is still running or queued), in ascending order.
func (s *Store) CancelRequested(ctx context.Context, ids []int64) ([]int64, error) {
	var out []int64
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, s.q("SELECT id FROM job_runs WHERE cancel_requested = 1 AND state IN ('queued', 'running') AND id IN ("+placeholders(len(chunk))+")"), args...)
		if err != nil {
			return nil, fmt.Errorf("read cancel requests: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read cancel requests: %w", err)
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read cancel requests: %w", err)
		}
	}
	slices.Sort(out)
	return out, nil
}

// BeginRepair puts a terminal run back to queued for a repair: Attempt
// (the repair generation) +1, EndedAt and Message cleared, executor
// cleared (or set to executor, state running, when executor != "").
// ErrConflict unless the run is terminal.
//
// A pending cancel request is cleared; QueuedAt and StartedAt keep the
// run's first values.
func (s *Store) BeginRepair(ctx context.Context, id int64, executor string) (*Run, error) {
	state := RunQueued
	if executor != "" {
		state = RunRunning
	}
	var run *Run
	err := s.w.Write(ctx, func(tx *sql.Tx) error {
		r, err := s.getRun(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !r.State.Terminal() {
			return conflict("repair run %d: the run is still %s; wait for it to end or cancel it", id, r.State)
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE job_runs SET state = ?, executor = ?, attempt = attempt + 1, ended_at = NULL, message = '', cancel_requested = 0 WHERE id = ?"),
			string(state), executor, id); err != nil {
			return fmt.Errorf("repair run %d: %w", id, err)
		}
		run, err = s.getRun(ctx, tx, id, false)
		return err
	})
	return run, err
}

// CountRunning returns how many runs of job are running.
func (s *Store) CountRunning(ctx context.Context, job string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT count(*) FROM job_runs WHERE job = ? AND state = 'running'"), job).Scan(&n); err != nil {
		return 0, fmt.Errorf("count running runs of job %s: %w", job, err)
	}
	return n, nil
}
