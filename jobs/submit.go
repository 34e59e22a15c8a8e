package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// SubmitOptions are the options of Submit.
type SubmitOptions struct {
	// Params override the job's parameter defaults; unknown names are an
	// error.
	Params map[string]string
	// Trigger defaults to "manual".
	Trigger string
	// TriggerKey makes the submission idempotent: a second Submit with
	// the same key returns the first run. "" for none.
	TriggerKey string
	// LogicalTime defaults to now.
	LogicalTime time.Time
	// Group and GroupLimit bound the runs of one group running at once
	// (besides the job's max_concurrent_runs).
	Group      string
	GroupLimit int
	// Execute claims the run for this engine (state running), to be
	// passed to Execute; else it is queued for Serve.
	Execute bool
}

// Submit creates a run of a deployed job's current version with its
// parameters resolved (defaults plus opts.Params). Errors: the job is not
// deployed, an unknown parameter, the store failing.
func (e *Engine) Submit(ctx context.Context, job string, opts SubmitOptions) (*state.Run, error) {
	sj, j, err := e.currentJob(ctx, job)
	if err != nil {
		return nil, err
	}
	run, _, err := e.submit(ctx, sj, j, opts, nil)
	return run, err
}

// submit creates a run of job version sj (parsed: j). extra, when set,
// fills the run_job fields.
func (e *Engine) submit(ctx context.Context, sj *state.Job, j *spec.Job, opts SubmitOptions, extra func(*state.NewRun)) (*state.Run, bool, error) {
	params, err := j.ResolveParams(opts.Params)
	if err != nil {
		return nil, false, fmt.Errorf("run job %s: %w", j.Name, err)
	}
	nr := state.NewRun{
		Job:         sj.Name,
		JobVersion:  sj.Version,
		Trigger:     opts.Trigger,
		TriggerKey:  opts.TriggerKey,
		LogicalTime: opts.LogicalTime,
		Parameters:  params,
		Group:       opts.Group,
		GroupLimit:  opts.GroupLimit,
	}
	if nr.Trigger == "" {
		nr.Trigger = "manual"
	}
	if nr.LogicalTime.IsZero() {
		nr.LogicalTime = e.now()
	}
	if extra != nil {
		extra(&nr)
	}
	if opts.Execute {
		if err := e.ensureRegistered(ctx); err != nil {
			return nil, false, err
		}
		nr.Executor = e.id
	}
	run, created, err := e.store.CreateRun(ctx, nr)
	if err != nil {
		return nil, false, fmt.Errorf("create a run of job %s: %w", j.Name, err)
	}
	if created && !opts.Execute {
		e.wakeServe()
	}
	return run, created, nil
}

// Cancel requests a run's cancellation: a queued run is canceled at
// once; a running one by its executor (this engine at once, another
// within its PollInterval), which kills its running tasks (whole process
// groups) and marks the run canceled. It returns the run as the request
// left it. Errors: the run does not exist (state.ErrNotFound) or already
// finished (state.ErrConflict).
func (e *Engine) Cancel(ctx context.Context, runID int64) (*state.Run, error) {
	run, err := e.store.RequestCancel(ctx, runID)
	if err != nil {
		if errors.Is(err, state.ErrConflict) {
			if r, gerr := e.store.GetRun(ctx, runID); gerr == nil {
				return r, fmt.Errorf("cancel run %d: it already ended %s: %w", runID, r.State, err)
			}
		}
		return nil, fmt.Errorf("cancel run %d: %w", runID, err)
	}
	if x := e.activeRun(runID); x != nil {
		x.stop(errCancelRequested)
	}
	return run, nil
}

// Wait waits until a run (executed anywhere) is terminal, polling the
// store every 100ms (or PollInterval, when shorter), and returns it. ctx
// bounds the wait; the run is not affected when it ends.
func (e *Engine) Wait(ctx context.Context, runID int64) (*state.Run, error) {
	iv := min(100*time.Millisecond, e.cfg.PollInterval)
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		run, err := e.store.GetRun(ctx, runID)
		if err != nil {
			return nil, fmt.Errorf("wait for run %d: %w", runID, err)
		}
		if run.State.Terminal() {
			return run, nil
		}
		var done <-chan struct{}
		if x := e.activeRun(runID); x != nil {
			done = x.finished
		}
		select {
		case <-ctx.Done():
			return run, fmt.Errorf("wait for run %d: %w", runID, ctx.Err())
		case <-done:
		case <-t.C:
		}
	}
}
