package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/sluice-dev/sluice/jobs/process"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// taskWork is what a task goroutine needs, copied from the loop.
type taskWork struct {
	key   string     // "KEY" or "KEY[i]"
	task  *spec.Task // as written (substituted per attempt)
	typ   string
	vars  map[string]string
	ready time.Time // dependencies met; zero when resuming
	rp    resumePoint
	retry *spec.Retry
}

// outcome is how an attempt's body ended.
type outcome struct {
	// state, when set, is the attempt's state (run_job follows its child
	// run); else it follows err and the attempt's context.
	state    state.TaskState
	err      error
	values   map[string]json.RawMessage
	exitCode *int
	// keepValues stores values whatever the state (run_job, for_each).
	keepValues bool
}

// needsSlot reports whether attempts of a task type take one of the
// engine's slots: everything but run_job and for_each, which only wait.
func needsSlot(typ string) bool { return typ != spec.TypeRunJob && typ != spec.TypeForEach }

// runAttempts runs a task's attempts until one succeeds, the retry
// policy gives up, or ctx ends, and reports the last attempt.
func (x *runExec) runAttempts(ctx context.Context, w taskWork) taskDone {
	rp := w.rp
	used, next := rp.used, rp.next
	ready := w.ready
	res := taskDone{key: w.key, attempt: next - 1}
	if rp.last != nil {
		res.state, res.message, res.attempt = rp.last.State, rp.last.Message, rp.last.Attempt
	}
	queued := rp.queued
	wait := time.Duration(0)
	if !rp.retryAt.IsZero() {
		wait = rp.retryAt.Sub(x.e.now())
	}
	for {
		if queued == nil {
			if wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					res.abandoned = isAbandon(context.Cause(ctx))
					return res
				}
			}
			if ctx.Err() != nil && res.state != "" {
				// Stopped between attempts: the last one stands.
				res.abandoned = isAbandon(context.Cause(ctx))
				return res
			}
			if ready.IsZero() || used > 0 {
				ready = x.e.now()
			}
		}
		var d taskDone
		if queued != nil {
			d = x.attempt(ctx, w, queued.Attempt, queued.ReadyAt, queued)
			queued = nil
		} else {
			d = x.attempt(ctx, w, next, ready, nil)
		}
		res = d
		used++
		next = d.attempt + 1
		if d.abandoned || ctx.Err() != nil {
			return res
		}
		if (d.state == state.TaskFailed || d.state == state.TaskTimedOut) && used < 1+retryCount(w.retry) {
			wait = w.retry.DelayBefore(used + 1)
			continue
		}
		return res
	}
}

// attemptRun is one attempt in progress.
type attemptRun struct {
	w  *taskWork
	tr *state.TaskRun
	// release gives the attempt's slot back (idempotent); bodies call it
	// as soon as the work is done, before recording the outcome.
	release func()
	// granted is when the attempt got its slot (or started waiting for
	// nothing, for types without one).
	granted time.Time
}

// attempt runs one attempt: records it (queued, then running before
// anything starts), takes a slot, runs the body, records its end. An
// existing queued attempt (resumed) is used instead of a new row.
func (x *runExec) attempt(ctx context.Context, w taskWork, num int, ready time.Time, existing *state.TaskRun) taskDone {
	e := x.e
	res := taskDone{key: w.key, attempt: num}
	tr := state.TaskRun{
		RunID: x.id, Key: w.key, Attempt: num, Repair: x.gen, State: state.TaskQueued, Type: w.typ,
		ReadyAt: ready, LogPath: x.logPath(w.key, num),
	}
	if existing != nil {
		tr = *existing
		if tr.LogPath == "" {
			tr.LogPath = x.logPath(w.key, num)
		}
	}
	tr.Executor, tr.Host = e.id, e.host
	slot := needsSlot(w.typ)
	held := false
	release := func() {
		if held {
			e.slots.Release(1)
			held = false
		}
	}
	defer release()
	var granted time.Time
	running := func() {
		granted = time.Now()
		if slot {
			e.met.slotWait.WithLabelValues(w.typ).Observe(granted.Sub(tr.ReadyAt).Seconds())
		}
		tr.State = state.TaskRunning
		if w.typ != spec.TypeExec {
			tr.StartedAt = e.now()
			e.met.queueWait.WithLabelValues(w.typ).Observe(tr.StartedAt.Sub(tr.ReadyAt).Seconds())
		}
	}
	if w.typ == spec.TypeExec {
		// The log file's directory entry is made while no slot is held:
		// on a busy disk creating it costs more than starting a process.
		if f, err := openLog(tr.LogPath); err == nil {
			f.Close()
		}
	}
	if existing == nil {
		// Fast path: a free slot now means one write before the start.
		if !slot || (ctx.Err() == nil && e.slots.TryAcquire(1)) {
			held = slot
			running()
		}
		if err := e.store.InsertTaskRun(x.dbctx, tr); err != nil {
			return x.storeFailed(res, "record the attempt", err)
		}
	}
	if tr.State == state.TaskQueued {
		if slot {
			err := ctx.Err() // Acquire may succeed on a done ctx
			if err == nil {
				err = e.slots.Acquire(ctx, 1)
			}
			if err != nil {
				return x.endAttempt(ctx, nil, &tr, outcome{err: err})
			}
			held = true
		}
		running()
		if err := e.store.UpdateTaskRun(x.dbctx, tr); err != nil {
			return x.storeFailed(res, "record the attempt's start", err)
		}
	}

	actx := ctx
	var tcause error
	if d := w.task.Timeout.D; d > 0 {
		tcause = &taskTimeout{d: d}
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeoutCause(ctx, d, tcause)
		defer cancel()
	}
	a := &attemptRun{w: &w, tr: &tr, release: release, granted: granted}
	var out outcome
	switch w.typ {
	case spec.TypeExec:
		out = x.execBody(actx, a)
	case spec.TypeRunJob:
		out = x.runJobBody(actx, a)
	default:
		out = x.inProcessBody(actx, a)
	}
	release()
	return x.endAttempt(actx, tcause, &tr, out)
}

// endAttempt classifies an attempt's outcome and records it.
func (x *runExec) endAttempt(actx context.Context, tcause error, tr *state.TaskRun, out outcome) taskDone {
	e := x.e
	res := taskDone{key: tr.Key, attempt: tr.Attempt}
	st, msg := out.state, ""
	if out.err != nil {
		msg = out.err.Error()
	}
	if st == "" {
		st = state.TaskSucceeded
		if out.err != nil {
			st = state.TaskFailed
		}
	}
	if st != state.TaskSucceeded && actx.Err() != nil {
		cause := context.Cause(actx)
		switch {
		case tcause != nil && cause == tcause:
			st, msg = state.TaskTimedOut, cause.Error()
		case isAbandon(cause):
			res.abandoned = true
			return res
		case x.timeoutCause != nil && cause == x.timeoutCause:
			st, msg = state.TaskTimedOut, cause.Error()
		default:
			st, msg = state.TaskCanceled, cancelMessage(cause)
		}
		if tr.State == state.TaskQueued {
			if st == state.TaskTimedOut {
				st = state.TaskCanceled // never started: it did not time out
			}
			msg += " (before the attempt started)"
		}
	}
	if st != state.TaskSucceeded && msg != "" && tr.LogPath != "" && tr.State == state.TaskRunning && tr.Type != spec.TypeExec {
		appendLog(tr.LogPath, "sluice: attempt %d %s: %s\n", tr.Attempt, st, msg)
	}
	tr.State, tr.Message, tr.ExitCode = st, msg, out.exitCode
	tr.EndedAt = e.now()
	if len(out.values) > 0 && (st == state.TaskSucceeded || out.keepValues) {
		if err := e.store.SetTaskValues(x.dbctx, x.id, tr.Key, out.values); err != nil {
			x.e.log.Error("jobs: store task values", "run", x.id, "task", tr.Key, "err", err)
		} else {
			res.values = out.values
		}
	}
	if err := e.store.UpdateTaskRun(x.dbctx, *tr); err != nil {
		return x.storeFailed(res, "record the attempt's end", err)
	}
	res.state, res.message = st, msg
	e.met.attempts.WithLabelValues(tr.Type, string(st)).Inc()
	if !tr.StartedAt.IsZero() {
		e.met.taskDuration.WithLabelValues(x.run.Job, tr.Type, string(st)).Observe(tr.EndedAt.Sub(tr.StartedAt).Seconds())
	}
	return res
}

// storeFailed ends an attempt the store would not record: another
// executor took the run (abandon it), or the store failed (the attempt
// fails; its row may still say queued/running until reconciled).
func (x *runExec) storeFailed(res taskDone, what string, err error) taskDone {
	if x.lost(err) {
		res.abandoned = true
		return res
	}
	x.e.log.Error("jobs: "+what, "run", x.id, "task", res.key, "attempt", res.attempt, "err", err)
	res.state, res.message = state.TaskFailed, fmt.Sprintf("%s: %v", what, err)
	return res
}

// logPath is an attempt's log file: LogDir/RUN/KEY.ATTEMPT.log.
func (x *runExec) logPath(key string, attempt int) string {
	return filepath.Join(x.e.cfg.LogDir, strconv.FormatInt(x.id, 10), key+"."+strconv.Itoa(attempt)+".log")
}

// valuesPath is the task values file of an exec attempt.
func (x *runExec) valuesPath(key string, attempt int) string {
	return filepath.Join(x.e.cfg.LogDir, strconv.FormatInt(x.id, 10), key+"."+strconv.Itoa(attempt)+".values")
}

// taskDir resolves an exec task's working directory against the job's.
func (x *runExec) taskDir(dir string) string {
	if dir == "" {
		return x.job.Dir
	}
	if !filepath.IsAbs(dir) && x.job.Dir != "" {
		return filepath.Join(x.job.Dir, dir)
	}
	return dir
}

// processRecordDelay is how long a started exec attempt's process may run
// before its identity is written (see execBody).
const processRecordDelay = 20 * time.Millisecond

// execBody runs an exec attempt's process.
func (x *runExec) execBody(ctx context.Context, a *attemptRun) outcome {
	e := x.e
	tr := a.tr
	t, err := a.w.task.Substituted(a.w.vars)
	if err != nil {
		appendLog(tr.LogPath, "sluice: %v\n", err)
		return outcome{state: state.TaskFailed, err: err}
	}
	if t.Exec == nil {
		return outcome{state: state.TaskFailed, err: errors.New("exec task has no command")}
	}
	vp := x.valuesPath(tr.Key, tr.Attempt)
	proc, err := process.Start(process.Cmd{
		Args:    t.Exec.Command,
		Env:     x.execEnv(t.Exec.Env, tr, vp),
		Dir:     x.taskDir(t.Exec.Dir),
		LogPath: tr.LogPath,
		Grace:   e.cfg.KillGrace,
	})
	if err != nil {
		appendLog(tr.LogPath, "sluice: %v\n", err)
		return outcome{state: state.TaskFailed, err: err}
	}
	tr.PID, tr.ProcStart, tr.StartedAt = proc.PID(), proc.StartTicks(), proc.StartedAt()
	e.met.queueWait.WithLabelValues(tr.Type).Observe(tr.StartedAt.Sub(tr.ReadyAt).Seconds())
	if e.startHook != nil {
		e.startHook(tr.ReadyAt, a.granted, tr.StartedAt)
	}
	// The process's identity (for killing its group after a crash) is
	// recorded while it runs, unless it exits within processRecordDelay:
	// then the end's write records it, and a short task costs one write
	// less. The write delays neither the start nor noticing the exit.
	// Until it lands, a crash is covered by finding the process by its
	// environment (killByEnv).
	exited := make(chan struct{})
	posted := make(chan error, 1)
	snapshot := *tr
	go func() {
		t := time.NewTimer(processRecordDelay)
		defer t.Stop()
		select {
		case <-exited:
			posted <- nil
		case <-t.C:
			posted <- e.store.UpdateTaskRun(x.dbctx, snapshot)
		}
	}()
	code, werr := proc.Wait(ctx)
	close(exited)
	a.release()
	if err := <-posted; err != nil && !x.lost(err) {
		e.log.Warn("jobs: record an attempt's process", "run", x.id, "task", tr.Key, "err", err)
	}
	out := outcome{exitCode: &code}
	if werr != nil {
		out.err = werr
		return out
	}
	if code != 0 {
		out.err = fmt.Errorf("exit status %d%s", code, logTail(tr.LogPath))
		return out
	}
	vals, err := process.ReadValues(vp)
	if err != nil {
		out.err = fmt.Errorf("task values: %w", err)
		return out
	}
	out.values = vals
	return out
}

// inProcessBody runs an attempt through the task type's runner.
func (x *runExec) inProcessBody(ctx context.Context, a *attemptRun) (out outcome) {
	tr := a.tr
	r := x.e.cfg.Runners[a.w.typ]
	if r == nil {
		return outcome{state: state.TaskFailed, err: fmt.Errorf("no runner for task type %q in this engine; run the job where %s tasks are supported (sluice server, sluice jobs run)", a.w.typ, a.w.typ)}
	}
	t, err := a.w.task.Substituted(a.w.vars)
	if err != nil {
		return outcome{state: state.TaskFailed, err: err}
	}
	f, err := openLog(tr.LogPath)
	if err != nil {
		return outcome{state: state.TaskFailed, err: err}
	}
	defer f.Close()
	tc := &TaskContext{
		Job:         x.job.Name,
		RunID:       x.id,
		Key:         tr.Key,
		Attempt:     tr.Attempt,
		Task:        t,
		Dir:         x.job.Dir,
		Vars:        a.w.vars,
		LogicalTime: x.run.LogicalTime,
		Log:         f,
		Logger:      slog.New(slog.NewTextHandler(f, nil)),
	}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(f, "sluice: task runner panicked: %v\n%s", p, debug.Stack())
			out = outcome{state: state.TaskFailed, err: fmt.Errorf("%s task runner panicked: %v (a bug; the stack is in the attempt's log)", a.w.typ, p)}
		}
	}()
	vals, err := r.Run(ctx, tc)
	return outcome{err: err, values: vals}
}

// openLog opens an attempt's log file for appending, with parents.
func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create the attempt's log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open the attempt's log: %w", err)
	}
	return f, nil
}

// appendLog appends a line to an attempt's log, best effort.
func appendLog(path, format string, args ...any) {
	if path == "" {
		return
	}
	f, err := openLog(path)
	if err != nil {
		return
	}
	fmt.Fprintf(f, format, args...)
	f.Close()
}

// Bounds of the log tail quoted in a failed attempt's message.
const (
	tailLines = 20
	tailBytes = 2 << 10
)

// logTail returns the last lines of a log (at most tailLines lines and
// tailBytes bytes) prefixed for an error message, or "".
func logTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return ""
	}
	off := max(fi.Size()-tailBytes, 0)
	buf := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	buf = bytes.TrimRight(buf, "\n")
	if off > 0 {
		// Drop the partial first line.
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			buf = buf[i+1:]
		}
	}
	lines := bytes.Split(buf, []byte("\n"))
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	if len(lines) == 0 || (len(lines) == 1 && len(lines[0]) == 0) {
		return ""
	}
	return "; last lines of the log:\n" + string(bytes.Join(lines, []byte("\n")))
}
