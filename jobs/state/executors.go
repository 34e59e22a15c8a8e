package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// RegisterExecutor records an executor (or refreshes it). Zero StartedAt
// and HeartbeatAt mean now.
func (s *Store) RegisterExecutor(ctx context.Context, e Executor) error {
	if e.ID == "" {
		return errors.New("register executor: the ID is empty")
	}
	started, beat := s.orNow(e.StartedAt), s.orNow(e.HeartbeatAt)
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO job_executors (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`),
			e.ID, e.Host, e.PID, started.UnixMilli(), beat.UnixMilli())
		if err != nil {
			return fmt.Errorf("register executor %s: %w", e.ID, err)
		}
		return nil
	})
}

// Heartbeat refreshes an executor's HeartbeatAt. ErrNotFound when the
// executor is not registered (it was unregistered, or never was):
// register it again. A zero at means now.
func (s *Store) Heartbeat(ctx context.Context, id string, at time.Time) error {
	at = s.orNow(at)
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE job_executors SET heartbeat_at = ? WHERE id = ?"), at.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("heartbeat of executor %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("heartbeat of executor %s: not registered; register it again", id)
		}
		return nil
	})
}

// UnregisterExecutor removes an executor that stopped cleanly. Removing
// one that is not registered is not an error.
func (s *Store) UnregisterExecutor(ctx context.Context, id string) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM job_executors WHERE id = ?"), id); err != nil {
			return fmt.Errorf("unregister executor %s: %w", id, err)
		}
		return nil
	})
}

// Executors lists registered executors, by ID.
func (s *Store) Executors(ctx context.Context) ([]Executor, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, host, pid, started_at, heartbeat_at FROM job_executors")
	if err != nil {
		return nil, fmt.Errorf("list executors: %w", err)
	}
	defer rows.Close()
	var out []Executor
	for rows.Next() {
		var e Executor
		var started, beat int64
		if err := rows.Scan(&e.ID, &e.Host, &e.PID, &started, &beat); err != nil {
			return nil, fmt.Errorf("list executors: %w", err)
		}
		e.StartedAt, e.HeartbeatAt = time.UnixMilli(started).UTC(), time.UnixMilli(beat).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list executors: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// OrphanedRuns returns running runs whose executor is not alive: not
// registered, or registered with HeartbeatAt before staleBefore, or in
// deadExecutors (IDs the caller knows are dead, e.g. its own host's
// executors whose PID is gone). Oldest (lowest ID) first.
func (s *Store) OrphanedRuns(ctx context.Context, staleBefore time.Time, deadExecutors []string) ([]Run, error) {
	query := "SELECT " + runCols + ` FROM job_runs r WHERE r.state = 'running' AND (r.executor = ''
		OR NOT EXISTS (SELECT 1 FROM job_executors e WHERE e.id = r.executor AND e.heartbeat_at >= ?)`
	args := []any{staleBefore.UnixMilli()}
	if len(deadExecutors) > 0 {
		query += " OR r.executor IN (" + placeholders(len(deadExecutors)) + ")"
		for _, d := range deadExecutors {
			args = append(args, d)
		}
	}
	query += ") ORDER BY r.id"
	runs, err := s.queryRuns(ctx, s.db, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find orphaned runs: %w", err)
	}
	return runs, nil
}

// AdoptRun moves a running run from executor from to executor to
// (ErrConflict if another executor adopted it first, or the run is no
// longer running; ErrNotFound if it does not exist). The move is a
// compare-and-set on the run's executor, so of several executors adopting
// one orphan exactly one succeeds.
func (s *Store) AdoptRun(ctx context.Context, id int64, from, to string) error {
	if to == "" {
		return fmt.Errorf("adopt run %d: the adopting executor's ID is empty", id)
	}
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE job_runs SET executor = ? WHERE id = ? AND state = 'running' AND executor = ?"), to, id, from)
		if err != nil {
			return fmt.Errorf("adopt run %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		r, err := s.getRun(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if r.State != RunRunning {
			return conflict("adopt run %d: the run is %s, not running", id, r.State)
		}
		return conflict("adopt run %d from executor %s: executor %s has it", id, from, r.Executor)
	})
}

// TriggerState returns a job's stored trigger state for kind ("schedule":
// last tick handled, RFC3339; "table_updated": last table version seen).
func (s *Store) TriggerState(ctx context.Context, job, kind string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, s.q("SELECT value FROM job_trigger_state WHERE job = ? AND kind = ?"), job, kind).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s trigger state of job %s: %w", kind, job, err)
	}
	return value, true, nil
}

// SetTriggerState stores a job's trigger state for kind.
func (s *Store) SetTriggerState(ctx context.Context, job, kind, value string) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO job_trigger_state (job, kind, value, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (job, kind) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`), job, kind, value, s.nowMS())
		if err != nil {
			return fmt.Errorf("store %s trigger state of job %s: %w", kind, job, err)
		}
		return nil
	})
}
