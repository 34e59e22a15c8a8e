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

// RepairOptions are the options of Repair.
type RepairOptions struct {
	// Tasks to rerun; default: every task whose latest attempt did not
	// succeed (failed, timed_out, upstream_failed, canceled, or never
	// recorded; skipped tasks rerun only downstream of a rerun task).
	// Their downstream tasks rerun too; the other tasks keep their
	// latest attempts and values.
	Tasks []string
	// Execute claims the repaired run for this engine (see Execute);
	// else it is queued for Serve.
	Execute bool
}

// repairKind is the trigger state kind holding a run's rerun set:
// "repair:RUN" → {"generation": G, "tasks": [...]}.
func repairKind(runID int64) string { return "repair:" + strconv.FormatInt(runID, 10) }

type repairPlan struct {
	Generation int      `json:"generation"`
	Tasks      []string `json:"tasks"`
}

// Repair reruns the failed part of a terminal run in the same run: the
// chosen tasks and everything downstream of them get new attempts
// (numbers continue, TaskRun.Repair = the new generation), the run's
// Attempt (repair generation) goes up by one, and succeeded upstream
// tasks keep their attempts and values, which the rerun tasks see. The
// run is the same job version. Errors: the run is not terminal, an
// unknown task key (the known ones are listed), nothing to rerun.
func (e *Engine) Repair(ctx context.Context, runID int64, opts RepairOptions) (*state.Run, error) {
	run, err := e.store.GetRun(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("repair run %d: %w", runID, err)
	}
	if !run.State.Terminal() {
		return nil, fmt.Errorf("repair run %d: it is %s; wait for it to end or cancel it first (sluice runs cancel %d): %w", runID, run.State, runID, state.ErrConflict)
	}
	job, err := e.jobVersion(ctx, run.Job, run.JobVersion)
	if err != nil {
		return nil, fmt.Errorf("repair run %d: %w", runID, err)
	}
	trs, err := e.store.TaskRuns(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("repair run %d: %w", runID, err)
	}
	latest := map[string]state.TaskRun{}
	for _, tr := range trs {
		if l, ok := latest[tr.Key]; !ok || tr.Attempt > l.Attempt {
			latest[tr.Key] = tr
		}
	}
	var chosen []string
	if len(opts.Tasks) > 0 {
		known := make([]string, len(job.Tasks))
		for i, t := range job.Tasks {
			known[i] = t.Key
		}
		for _, k := range opts.Tasks {
			if job.Task(k) == nil {
				return nil, fmt.Errorf("repair run %d: job %s has no task %q; its tasks are %s", runID, job.Name, k, strings.Join(known, ", "))
			}
		}
		chosen = slices.Clone(opts.Tasks)
	}
	for _, t := range job.Tasks {
		l, ok := latest[t.Key]
		switch {
		case !ok:
			chosen = append(chosen, t.Key) // never recorded: cannot be kept
		case len(opts.Tasks) == 0 && l.State != state.TaskSucceeded && l.State != state.TaskSkipped:
			chosen = append(chosen, t.Key)
		}
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("repair run %d: every task succeeded or was skipped; name the tasks to rerun (--task KEY)", runID)
	}
	rerun := job.Downstream(chosen)
	plan, _ := json.Marshal(repairPlan{Generation: run.Attempt + 1, Tasks: rerun})
	if err := e.store.SetTriggerState(ctx, run.Job, repairKind(runID), string(plan)); err != nil {
		return nil, fmt.Errorf("repair run %d: record the tasks to rerun: %w", runID, err)
	}
	executor := ""
	if opts.Execute {
		if err := e.ensureRegistered(ctx); err != nil {
			return nil, err
		}
		executor = e.id
	}
	// Values of rerun tasks go: downstream tasks must not see stale ones.
	for _, k := range rerun {
		if err := e.store.SetTaskValues(ctx, runID, k, nil); err != nil {
			return nil, fmt.Errorf("repair run %d: clear the values of task %s: %w", runID, k, err)
		}
	}
	nr, err := e.store.BeginRepair(ctx, runID, executor)
	if err != nil {
		return nil, fmt.Errorf("repair run %d: %w", runID, err)
	}
	if !opts.Execute {
		e.wakeServe()
	}
	e.log.Info("jobs: repair", "run", runID, "generation", nr.Attempt, "tasks", rerun)
	return nr, nil
}

// rerunSet returns the tasks a repaired run reruns in its current
// generation, nil for a first run (every task runs).
func (x *runExec) rerunSet() (map[string]bool, error) {
	if x.gen == 0 {
		return nil, nil
	}
	raw, ok, err := x.e.store.TriggerState(x.dbctx, x.run.Job, repairKind(x.id))
	if err != nil {
		return nil, fmt.Errorf("load the repair's tasks: %w", err)
	}
	var plan repairPlan
	if ok && json.Unmarshal([]byte(raw), &plan) == nil && plan.Generation == x.gen {
		set := make(map[string]bool, len(plan.Tasks))
		for _, k := range plan.Tasks {
			set[k] = true
		}
		return set, nil
	}
	// No plan recorded for this generation (repaired by another tool):
	// rerun what did not succeed in earlier generations, and downstream.
	var chosen []string
	for _, t := range x.job.Tasks {
		h := x.history[t.Key]
		var last *state.TaskRun
		for i := range h {
			if h[i].Repair < x.gen {
				last = &h[i]
			} else {
				chosen = append(chosen, t.Key) // already rerun in this generation
				last = nil
				break
			}
		}
		if last == nil && len(h) == 0 || last != nil && last.State != state.TaskSucceeded && last.State != state.TaskSkipped {
			chosen = append(chosen, t.Key)
		}
	}
	if len(chosen) == 0 {
		return nil, errors.New("a repaired run with nothing to rerun")
	}
	set := map[string]bool{}
	for _, k := range x.job.Downstream(chosen) {
		set[k] = true
	}
	return set, nil
}
