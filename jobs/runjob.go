package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/jobs/state"
)

// maxRunJobDepth bounds nested run_job calls: a run at this depth (the
// root run is 1) may not start another.
const maxRunJobDepth = 10

// runJobBody runs a run_job attempt: it creates a child run of the
// target job (Trigger run_job, idempotent per attempt), executes it in
// this engine (no slot while waiting) and follows its state. Stopping
// the attempt (cancel, timeout) cancels the child. Values: run_id and
// state of the child.
func (x *runExec) runJobBody(ctx context.Context, a *attemptRun) outcome {
	e := x.e
	tr := a.tr
	t, err := a.w.task.Substituted(a.w.vars)
	if err != nil {
		return outcome{state: state.TaskFailed, err: err}
	}
	rj := t.RunJob
	chain, err := x.callChain()
	if err != nil {
		return outcome{state: state.TaskFailed, err: err}
	}
	if len(chain) >= maxRunJobDepth {
		return outcome{state: state.TaskFailed, err: fmt.Errorf("run_job depth limit %d reached: %s → %s; a job that calls itself (directly or through others) never ends — break the cycle",
			maxRunJobDepth, strings.Join(chain, " → "), rj.Job)}
	}
	sj, j, err := e.currentJob(x.dbctx, rj.Job)
	if err != nil {
		return outcome{state: state.TaskFailed, err: err}
	}
	child, _, err := e.submit(x.dbctx, sj, j, SubmitOptions{
		Params:      rj.Parameters,
		Trigger:     "run_job",
		TriggerKey:  fmt.Sprintf("run_job:%d:%s:%d", x.id, tr.Key, tr.Attempt),
		LogicalTime: x.run.LogicalTime,
		Execute:     true,
	}, func(nr *state.NewRun) {
		nr.ParentRunID = x.id
		nr.ParentTask = tr.Key
	})
	if err != nil {
		return outcome{state: state.TaskFailed, err: err}
	}
	appendLog(tr.LogPath, "sluice: run %d of job %s\n", child.ID, child.Job)

	// The child stops with a cause naming this task, so that it is
	// canceled (not timed out) when this attempt times out, and abandoned
	// when this run is.
	cctx, ccancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer ccancel(nil)
	stopChild := context.AfterFunc(ctx, func() {
		ccancel(&callerStopped{task: tr.Key, run: x.id, cause: context.Cause(ctx)})
	})
	defer stopChild()
	final, err := e.Execute(cctx, child.ID)
	if errors.Is(err, ErrClosed) {
		_ = e.store.FinishRun(x.dbctx, child.ID, state.RunCanceled, "canceled: the executor was closed before the run started", e.now())
		return outcome{state: state.TaskCanceled, err: err}
	}
	if final == nil {
		if err == nil {
			err = fmt.Errorf("run %d did not end", child.ID)
		}
		return outcome{state: state.TaskFailed, err: err}
	}
	vals := map[string]json.RawMessage{
		"run_id": json.RawMessage(strconv.FormatInt(final.ID, 10)),
		"state":  mustJSON(string(final.State)),
	}
	out := outcome{values: vals, keepValues: true}
	appendLog(tr.LogPath, "sluice: run %d of job %s ended %s %s\n", final.ID, final.Job, final.State, final.Message)
	switch final.State {
	case state.RunSucceeded:
		out.state = state.TaskSucceeded
	case state.RunTimedOut:
		out.state, out.err = state.TaskTimedOut, fmt.Errorf("run %d of job %s timed out: %s", final.ID, final.Job, final.Message)
	case state.RunCanceled:
		out.state, out.err = state.TaskCanceled, fmt.Errorf("run %d of job %s was canceled: %s", final.ID, final.Job, final.Message)
	case state.RunFailed:
		out.state, out.err = state.TaskFailed, fmt.Errorf("run %d of job %s failed: %s", final.ID, final.Job, final.Message)
	default:
		// Left running (abandoned with this run).
		out.state = ""
		if err == nil {
			err = fmt.Errorf("run %d of job %s is still %s", final.ID, final.Job, final.State)
		}
		out.err = err
	}
	return out
}

// callerStopped is why a run_job child stops: its calling attempt
// stopped (canceled, timed out, its run abandoned — Unwrap tells).
type callerStopped struct {
	task  string
	run   int64
	cause error
}

func (c *callerStopped) Error() string {
	return fmt.Sprintf("the calling task %s of run %d stopped: %v", c.task, c.run, c.cause)
}

func (c *callerStopped) Unwrap() error { return c.cause }

// callChain returns the job names of the run_job chain ending at this
// run, root first.
func (x *runExec) callChain() ([]string, error) {
	chain := []string{x.run.Job}
	pid := x.run.ParentRunID
	for pid != 0 && len(chain) <= maxRunJobDepth {
		r, err := x.e.store.GetRun(x.dbctx, pid)
		if err != nil {
			return nil, fmt.Errorf("load calling run %d: %w", pid, err)
		}
		chain = append(chain, r.Job)
		pid = r.ParentRunID
	}
	slices.Reverse(chain)
	return chain, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with strings
	}
	return b
}
