package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// knownTaskState reports whether st is one of the TaskState constants.
func knownTaskState(st TaskState) bool {
	switch st {
	case TaskQueued, TaskRunning, TaskSucceeded, TaskFailed, TaskTimedOut, TaskCanceled, TaskUpstreamFailed, TaskSkipped:
		return true
	}
	return false
}

// checkTaskRun validates tr's identity and state.
func checkTaskRun(op string, tr *TaskRun) error {
	switch {
	case tr.RunID <= 0:
		return fmt.Errorf("%s: run ID %d is not a run's", op, tr.RunID)
	case tr.Key == "":
		return fmt.Errorf("%s of run %d: the task key is empty", op, tr.RunID)
	case tr.Attempt < 1:
		return fmt.Errorf("%s %s of run %d: attempt %d; attempts count from 1", op, tr.Key, tr.RunID, tr.Attempt)
	case !knownTaskState(tr.State):
		return fmt.Errorf("%s %s of run %d: unknown state %q", op, tr.Key, tr.RunID, tr.State)
	}
	return nil
}

// exitCode is tr's exit code, or NULL.
func exitCode(c *int) any {
	if c == nil {
		return nil
	}
	return int64(*c)
}

const insertTaskSQL = `INSERT INTO job_task_runs (run_id, task_key, attempt, repair, state, task_type, ready_at, started_at, ended_at,
	exit_code, message, host, pid, proc_start, log_path, executor)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, task_key, attempt) DO NOTHING`

// updateTaskSQL changes an attempt only while it is not terminal: that
// condition, checked by the database in the same statement, is what
// keeps a terminal attempt from ever changing again (a second executor
// or a replayed update after a crash finds no row to change).
const updateTaskSQL = `UPDATE job_task_runs SET state = ?, started_at = ?, ended_at = ?, exit_code = ?, message = ?,
	host = ?, pid = ?, proc_start = ?, log_path = ?, executor = ?
	WHERE run_id = ? AND task_key = ? AND attempt = ? AND state IN ('queued', 'running')`

// InsertTaskRun records a new attempt (state queued or running, or a
// terminal state for skipped/upstream_failed tasks that never start).
// ErrConflict if (RunID, Key, Attempt) exists; ErrNotFound if the run
// does not.
func (s *Store) InsertTaskRun(ctx context.Context, tr TaskRun) error {
	if err := checkTaskRun("insert task attempt", &tr); err != nil {
		return err
	}
	return s.oneStatement(ctx, func(q querier, prepared func(*sql.Stmt) *sql.Stmt) error {
		res, err := prepared(s.insertTask).ExecContext(ctx, tr.RunID, tr.Key, tr.Attempt, tr.Repair, string(tr.State), tr.Type,
			ms(tr.ReadyAt), ms(tr.StartedAt), ms(tr.EndedAt), exitCode(tr.ExitCode), tr.Message,
			tr.Host, tr.PID, int64(tr.ProcStart), tr.LogPath, tr.Executor)
		if err != nil {
			if isFKViolation(err) {
				return notFound("insert task %s attempt %d: run %d does not exist", tr.Key, tr.Attempt, tr.RunID)
			}
			return fmt.Errorf("insert task %s attempt %d of run %d: %w", tr.Key, tr.Attempt, tr.RunID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return conflict("insert task %s attempt %d of run %d: the attempt exists", tr.Key, tr.Attempt, tr.RunID)
		}
		return nil
	})
}

// UpdateTaskRun writes tr's mutable fields (State, StartedAt, EndedAt,
// ExitCode, Message, Host, PID, ProcStart, LogPath, Executor) for
// (RunID, Key, Attempt). ErrConflict if the stored attempt is already
// terminal (a terminal attempt never changes); ErrNotFound if it does
// not exist.
func (s *Store) UpdateTaskRun(ctx context.Context, tr TaskRun) error {
	if err := checkTaskRun("update task", &tr); err != nil {
		return err
	}
	return s.oneStatement(ctx, func(q querier, prepared func(*sql.Stmt) *sql.Stmt) error {
		res, err := prepared(s.updateTask).ExecContext(ctx, string(tr.State), ms(tr.StartedAt), ms(tr.EndedAt), exitCode(tr.ExitCode), tr.Message,
			tr.Host, tr.PID, int64(tr.ProcStart), tr.LogPath, tr.Executor, tr.RunID, tr.Key, tr.Attempt)
		if err != nil {
			return fmt.Errorf("update task %s attempt %d of run %d: %w", tr.Key, tr.Attempt, tr.RunID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		// Nothing changed; say why.
		var st string
		err = q.QueryRowContext(ctx, s.q("SELECT state FROM job_task_runs WHERE run_id = ? AND task_key = ? AND attempt = ?"), tr.RunID, tr.Key, tr.Attempt).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("update task %s attempt %d of run %d: no such attempt", tr.Key, tr.Attempt, tr.RunID)
		}
		if err != nil {
			return fmt.Errorf("update task %s attempt %d of run %d: %w", tr.Key, tr.Attempt, tr.RunID, err)
		}
		return conflict("update task %s attempt %d of run %d to %s: the attempt already ended %s", tr.Key, tr.Attempt, tr.RunID, tr.State, st)
	})
}

// TaskRuns returns every attempt of a run's tasks, ordered by ReadyAt,
// then Key (bytewise), then Attempt. A run without attempts (or no run)
// gives none.
func (s *Store) TaskRuns(ctx context.Context, runID int64) ([]TaskRun, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT run_id, task_key, attempt, repair, state, task_type, ready_at, started_at, ended_at,
		exit_code, message, host, pid, proc_start, log_path, executor FROM job_task_runs WHERE run_id = ?`), runID)
	if err != nil {
		return nil, fmt.Errorf("read task attempts of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []TaskRun
	for rows.Next() {
		var tr TaskRun
		var st string
		var ready, started, ended, code sql.NullInt64
		var procStart int64
		if err := rows.Scan(&tr.RunID, &tr.Key, &tr.Attempt, &tr.Repair, &st, &tr.Type, &ready, &started, &ended,
			&code, &tr.Message, &tr.Host, &tr.PID, &procStart, &tr.LogPath, &tr.Executor); err != nil {
			return nil, fmt.Errorf("read task attempts of run %d: %w", runID, err)
		}
		tr.State = TaskState(st)
		tr.ReadyAt, tr.StartedAt, tr.EndedAt = fromMS(ready), fromMS(started), fromMS(ended)
		if code.Valid {
			c := int(code.Int64)
			tr.ExitCode = &c
		}
		tr.ProcStart = uint64(procStart)
		out = append(out, tr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read task attempts of run %d: %w", runID, err)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if !a.ReadyAt.Equal(b.ReadyAt) {
			return a.ReadyAt.Before(b.ReadyAt)
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Attempt < b.Attempt
	})
	return out, nil
}

// SetTaskValues stores a task's published values (replacing the task's
// previous ones). Each value must be valid JSON; its text is kept byte
// for byte. ErrNotFound if the run does not exist.
func (s *Store) SetTaskValues(ctx context.Context, runID int64, key string, values map[string]json.RawMessage) error {
	if key == "" {
		return fmt.Errorf("set task values of run %d: the task key is empty", runID)
	}
	names := make([]string, 0, len(values))
	for name, v := range values {
		if name == "" {
			return fmt.Errorf("set task values of task %s of run %d: a value has an empty name", key, runID)
		}
		if !json.Valid(v) {
			return fmt.Errorf("set task values of task %s of run %d: value %s is not valid JSON", key, runID, name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM job_task_values WHERE run_id = ? AND task_key = ?"), runID, key); err != nil {
			return fmt.Errorf("set task values of task %s of run %d: %w", key, runID, err)
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO job_task_values (run_id, task_key, name, value) VALUES (?, ?, ?, ?)"),
				runID, key, name, string(values[name])); err != nil {
				if isFKViolation(err) {
					return notFound("set task values of task %s: run %d does not exist", key, runID)
				}
				return fmt.Errorf("set task values of task %s of run %d: %w", key, runID, err)
			}
		}
		return nil
	})
}

// TaskValues returns a run's task values: task key → name → JSON value.
// A run without values gives an empty map.
func (s *Store) TaskValues(ctx context.Context, runID int64) (map[string]map[string]json.RawMessage, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT task_key, name, value FROM job_task_values WHERE run_id = ?"), runID)
	if err != nil {
		return nil, fmt.Errorf("read task values of run %d: %w", runID, err)
	}
	defer rows.Close()
	out := map[string]map[string]json.RawMessage{}
	for rows.Next() {
		var key, name, value string
		if err := rows.Scan(&key, &name, &value); err != nil {
			return nil, fmt.Errorf("read task values of run %d: %w", runID, err)
		}
		m := out[key]
		if m == nil {
			m = map[string]json.RawMessage{}
			out[key] = m
		}
		m[name] = json.RawMessage(value)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read task values of run %d: %w", runID, err)
	}
	return out, nil
}
