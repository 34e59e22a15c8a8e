package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/sluice-dev/sluice/jobs/process"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// Reconcile adopts runs whose executor died — its heartbeat older than
// LeaseTimeout, not registered, or an executor of this host whose
// process is gone — and resumes them in the background (owned by the
// engine; Close cancels them, Serve's end leaves them to the next
// executor). Resuming kills what is left of their attempts that were
// running on this host (whole process groups) and fails those attempts
// with "executor lost", so that only their retry policy reruns them;
// attempts that never started run in their turn. A run_job child run of
// a dead executor is canceled (its calling attempt failed with the
// executor). It returns the IDs of the adopted runs.
func (e *Engine) Reconcile(ctx context.Context) (adopted []int64, err error) {
	if err := e.ensureRegistered(ctx); err != nil {
		return nil, err
	}
	dead, err := e.deadExecutors(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := e.store.OrphanedRuns(ctx, e.now().Add(-e.cfg.LeaseTimeout), dead)
	if err != nil {
		return nil, fmt.Errorf("jobs: find orphaned runs: %w", err)
	}
	var errs []error
	// Runs this engine's Serve left running when its ctx ended.
	e.mu.Lock()
	mine := make([]int64, 0, len(e.abandoned))
	for id := range e.abandoned {
		mine = append(mine, id)
		delete(e.abandoned, id)
	}
	e.mu.Unlock()
	for _, id := range mine {
		r, err := e.store.GetRun(ctx, id)
		if err != nil || r.State != state.RunRunning || r.Executor != e.id || e.activeRun(id) != nil {
			continue
		}
		adopted = append(adopted, id)
		if err := e.startBackground(id); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range runs {
		if r.Executor == e.id || e.activeRun(r.ID) != nil {
			continue
		}
		if err := e.store.AdoptRun(ctx, r.ID, r.Executor, e.id); err != nil {
			if !errors.Is(err, state.ErrConflict) {
				errs = append(errs, fmt.Errorf("adopt run %d: %w", r.ID, err))
			}
			continue
		}
		e.log.Info("jobs: adopted run", "run", r.ID, "job", r.Job, "from", r.Executor)
		adopted = append(adopted, r.ID)
		if r.ParentRunID != 0 {
			e.abortOrphan(ctx, r.ID, fmt.Sprintf("canceled: the executor of calling run %d was lost", r.ParentRunID))
			continue
		}
		if err := e.startBackground(r.ID); err != nil {
			errs = append(errs, err)
		}
	}
	for _, id := range dead {
		if err := e.store.UnregisterExecutor(ctx, id); err != nil && !errors.Is(err, state.ErrNotFound) {
			e.log.Warn("jobs: unregister dead executor", "executor", id, "err", err)
		}
	}
	return adopted, errors.Join(errs...)
}

// deadExecutors lists the executors registered on this host whose
// process no longer exists.
func (e *Engine) deadExecutors(ctx context.Context) ([]string, error) {
	exs, err := e.store.Executors(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: list executors: %w", err)
	}
	var dead []string
	for _, x := range exs {
		if x.ID == e.id || x.Host != e.host || x.PID <= 0 {
			continue
		}
		if x.PID == os.Getpid() {
			continue // another engine in this process: alive
		}
		if !pidAlive(x.PID) {
			dead = append(dead, x.ID)
		}
	}
	return dead, nil
}

// pidAlive reports whether process pid exists and is not a zombie.
func pidAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) || !procMounted()
	}
	if st, ok := statField(b, 3); ok && (st == "Z" || st == "X") {
		return false
	}
	return true
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// statField returns field n (1-based, as in proc(5)) of /proc/PID/stat.
func statField(b []byte, n int) (string, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || n < 3 {
		return "", false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < n-2 {
		return "", false
	}
	return f[n-3], true
}

// markLost fails an attempt recorded running by an executor that is gone,
// first killing its process group when it ran on this host. It updates
// tr. conflict reports that the attempt had ended meanwhile (the store
// keeps that end; the caller reloads).
func (e *Engine) markLost(ctx context.Context, tr *state.TaskRun) (conflict bool) {
	msg := "executor lost (server restarted); attempt killed"
	switch {
	case tr.Host != "" && tr.Host != e.host:
		msg = fmt.Sprintf("executor lost on host %s; the attempt's process may still run there", tr.Host)
	case tr.Type != spec.TypeExec:
		msg = "executor lost (server restarted); the in-process attempt ended with it"
	default:
		killed := false
		if tr.PID > 0 {
			k, err := process.KillGroup(tr.PID, tr.ProcStart)
			if err != nil {
				e.log.Warn("jobs: kill a lost attempt's process group", "run", tr.RunID, "task", tr.Key, "pid", tr.PID, "err", err)
			}
			killed = k
		} else {
			killed = killByEnv(tr)
		}
		if !killed {
			msg = "executor lost (server restarted); the attempt's process was already gone"
		}
	}
	if tr.Type == spec.TypeRunJob {
		e.abortChildren(ctx, tr.RunID, tr.Key, "canceled: the calling task's executor was lost")
	}
	tr.State, tr.Message, tr.EndedAt = state.TaskFailed, msg, e.now()
	if err := e.store.UpdateTaskRun(ctx, *tr); err != nil {
		if errors.Is(err, state.ErrConflict) {
			return true
		}
		e.log.Error("jobs: record a lost attempt", "run", tr.RunID, "task", tr.Key, "err", err)
	}
	e.met.attempts.WithLabelValues(tr.Type, string(state.TaskFailed)).Inc()
	return false
}

// abortOrphan ends a run adopted from a dead executor without resuming
// it: its running attempts are killed and failed, queued ones canceled,
// its own run_job children aborted, and the run canceled with msg.
func (e *Engine) abortOrphan(ctx context.Context, runID int64, msg string) {
	trs, err := e.store.TaskRuns(ctx, runID)
	if err != nil {
		e.log.Error("jobs: load an orphaned run's attempts", "run", runID, "err", err)
	}
	for i := range trs {
		tr := &trs[i]
		switch tr.State {
		case state.TaskRunning:
			e.markLost(ctx, tr)
		case state.TaskQueued:
			tr.State, tr.Message, tr.EndedAt = state.TaskCanceled, msg, e.now()
			if err := e.store.UpdateTaskRun(ctx, *tr); err != nil && !errors.Is(err, state.ErrConflict) {
				e.log.Error("jobs: cancel a queued attempt", "run", runID, "task", tr.Key, "err", err)
			}
		}
	}
	if err := e.store.FinishRun(ctx, runID, state.RunCanceled, msg, e.now()); err != nil && !errors.Is(err, state.ErrConflict) {
		e.log.Error("jobs: cancel an orphaned run", "run", runID, "err", err)
	}
}

// abortChildren aborts the unfinished run_job child runs a task of a run
// started.
func (e *Engine) abortChildren(ctx context.Context, runID int64, task, msg string) {
	kids, err := e.store.ListRuns(ctx, state.RunFilter{ParentRunID: runID, States: []state.RunState{state.RunRunning, state.RunQueued}})
	if err != nil {
		e.log.Error("jobs: list child runs", "run", runID, "err", err)
		return
	}
	for _, k := range kids {
		if k.ParentTask != task || e.activeRun(k.ID) != nil {
			continue
		}
		e.abortOrphan(ctx, k.ID, msg)
	}
}

// killByEnv kills the process group of an exec attempt whose process
// identity was never recorded (the executor died between starting it and
// writing its PID): it finds the process by the SLUICE_TASK_LOG and
// SLUICE_ATTEMPT variables the engine gives every attempt. Linux only
// (/proc); it reports whether it killed anything.
func killByEnv(tr *state.TaskRun) bool {
	if tr.LogPath == "" {
		return false
	}
	want1 := []byte("\x00SLUICE_TASK_LOG=" + tr.LogPath + "\x00")
	want2 := []byte("\x00SLUICE_ATTEMPT=" + strconv.Itoa(tr.Attempt) + "\x00")
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	killed := false
	self := os.Getpid()
	for _, ent := range ents {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "environ"))
		if err != nil || len(env) == 0 {
			continue
		}
		env = append([]byte{0}, env...)
		if env[len(env)-1] != 0 {
			env = append(env, 0)
		}
		if !bytes.Contains(env, want1) || !bytes.Contains(env, want2) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "stat"))
		if err != nil {
			continue
		}
		pg, ok := statField(stat, 5)
		pgid, err := strconv.Atoi(pg)
		if !ok || err != nil || pgid <= 1 || pgid == syscall.Getpgrp() {
			continue
		}
		if syscall.Kill(-pgid, syscall.SIGKILL) == nil {
			killed = true
		}
	}
	return killed
}
