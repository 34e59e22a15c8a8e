package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sluice-dev/sluice/jobs/cron"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// Trigger state kinds (state.Store.TriggerState).
const (
	triggerSchedule = "schedule"      // the last cron tick handled, RFC 3339
	triggerTable    = "table_updated" // the last table version seen
)

// defaultMaxCatchUp bounds the missed ticks run on catch-up when the
// schedule does not say.
const defaultMaxCatchUp = 100

// Serve reconciles orphaned runs, then until ctx ends: creates the runs
// of due cron ticks (catch-up per the schedule) and of table_updated
// triggers, claims queued runs (respecting each job's
// max_concurrent_runs, backfill group limits and MaxRuns) and executes
// them, polls cancel requests, and reconciles again every LeaseTimeout.
// When ctx ends it stops claiming and returns once its runs' goroutines
// have stopped; runs in progress are left running in the store, to be
// adopted on the next start (their attempts fail as "executor lost" and
// retry by policy) — Close, instead, cancels them. It returns ctx's
// error, ErrClosed after Close, or a fatal error (the executor could not
// be registered). One Serve per Engine at a time.
func (e *Engine) Serve(ctx context.Context) error {
	e.mu.Lock()
	switch {
	case e.closed:
		e.mu.Unlock()
		return ErrClosed
	case e.serving:
		e.mu.Unlock()
		return errors.New("jobs: Serve is already running on this engine")
	}
	e.serving = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.serving = false
		e.mu.Unlock()
	}()
	if err := e.ensureRegistered(ctx); err != nil {
		return err
	}
	defer e.abandonBackground()
	if _, err := e.Reconcile(ctx); err != nil {
		e.log.Error("jobs: reconcile", "err", err)
	}
	poll := time.NewTicker(e.cfg.PollInterval)
	defer poll.Stop()
	rec := time.NewTicker(e.cfg.LeaseTimeout)
	defer rec.Stop()
	e.servePass(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.ctx.Done():
			return ErrClosed
		case <-poll.C:
			e.servePass(ctx)
		case <-e.wake:
			e.claim(ctx)
		case <-rec.C:
			if _, err := e.Reconcile(ctx); err != nil && ctx.Err() == nil {
				e.log.Error("jobs: reconcile", "err", err)
			}
		}
	}
}

// servePass is one round of Serve's loop.
func (e *Engine) servePass(ctx context.Context) {
	if err := e.triggers(ctx); err != nil && ctx.Err() == nil {
		e.log.Error("jobs: scheduler", "err", err)
	}
	e.claim(ctx)
}

// startBackground executes a run claimed or adopted by this engine in a
// goroutine the engine owns.
func (e *Engine) startBackground(id int64) error {
	x, err := e.begin(e.ctx, id)
	if err != nil {
		return err
	}
	x.background = true
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		e.end(x)
		return ErrClosed
	}
	e.bg.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.bg.Done()
		defer func() {
			e.end(x)
			e.wakeServe() // capacity freed
		}()
		_, err := x.execute()
		switch {
		case errors.Is(err, errAbandoned):
			e.mu.Lock()
			e.abandoned[id] = true
			e.mu.Unlock()
		case err != nil && !isAbandon(err):
			e.log.Error("jobs: execute run", "run", id, "err", err)
		}
	}()
	return nil
}

// backgroundRuns returns the runs Serve executes.
func (e *Engine) backgroundRuns() []*runExec {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*runExec
	for _, x := range e.active {
		if x.background {
			out = append(out, x)
		}
	}
	return out
}

// abandonBackground stops the runs Serve executes without recording
// their end, and waits until their goroutines are done.
func (e *Engine) abandonBackground() {
	rs := e.backgroundRuns()
	for _, x := range rs {
		x.stop(errAbandoned)
	}
	for _, x := range rs {
		<-x.finished
	}
}

// claim claims queued runs up to MaxRuns and executes them.
func (e *Engine) claim(ctx context.Context) {
	free := e.cfg.MaxRuns - len(e.backgroundRuns())
	if free <= 0 || ctx.Err() != nil {
		return
	}
	mc, err := e.maxConcurrent(ctx, nil)
	if err != nil {
		e.log.Error("jobs: claim runs", "err", err)
		return
	}
	runs, err := e.store.ClaimRuns(ctx, e.id, free, mc)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("jobs: claim runs", "err", err)
		}
		return
	}
	for _, r := range runs {
		if err := e.startBackground(r.ID); err != nil {
			e.log.Error("jobs: execute a claimed run", "run", r.ID, "err", err)
		}
	}
}

// maxConcurrent maps every deployed job to its max_concurrent_runs
// (default 1). With only set, jobs not in it map to 0: none of their
// runs may be claimed.
func (e *Engine) maxConcurrent(ctx context.Context, only map[string]bool) (map[string]int, error) {
	jobs, err := e.store.ListJobs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	mc := make(map[string]int, len(jobs))
	for _, j := range jobs {
		var lite struct {
			MaxConcurrentRuns int `json:"max_concurrent_runs"`
		}
		_ = json.Unmarshal(j.SpecJSON, &lite)
		n := max(lite.MaxConcurrentRuns, 1)
		if only != nil && !only[j.Name] {
			n = -1 // not ours to claim (see state.Store.ClaimRuns)
		}
		mc[j.Name] = n
	}
	return mc, nil
}

// triggers creates the runs of due cron ticks and table_updated
// triggers of every unpaused deployed job.
func (e *Engine) triggers(ctx context.Context) error {
	jobs, err := e.store.ListJobs(ctx)
	if err != nil {
		return fmt.Errorf("list jobs: %w", err)
	}
	now := e.now()
	var errs []error
	for i := range jobs {
		sj := &jobs[i]
		j, err := e.jobVersion(ctx, sj.Name, sj.Version)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if j.Schedule != nil {
			if err := e.scheduleJob(ctx, sj, j, now); err != nil {
				errs = append(errs, fmt.Errorf("job %s: schedule: %w", sj.Name, err))
			}
		}
		if j.On != nil && j.On.TableUpdated != "" && e.cfg.Tables != nil {
			if err := e.tableTrigger(ctx, sj, j); err != nil {
				errs = append(errs, fmt.Errorf("job %s: table_updated %s: %w", sj.Name, j.On.TableUpdated, err))
			}
		}
	}
	return errors.Join(errs...)
}

// scheduleKey is the trigger key of a cron tick's run, shared by the
// scheduler and backfills so that one tick never runs twice.
func scheduleKey(tick time.Time) string { return "schedule:" + tick.UTC().Format(time.RFC3339) }

// cronOf parses a job's schedule.
func cronOf(s *spec.Schedule) (*cron.Expr, *time.Location, error) {
	expr, err := cron.Parse(s.Cron)
	if err != nil {
		return nil, nil, fmt.Errorf("schedule: %w", err) // the cron error names the expression
	}
	loc := time.UTC
	if s.Timezone != "" {
		if loc, err = time.LoadLocation(s.Timezone); err != nil {
			return nil, nil, fmt.Errorf("timezone %q: %w", s.Timezone, err)
		}
	}
	return expr, loc, nil
}

// scheduleJob creates the runs of a job's cron ticks due since the last
// one handled (stored as trigger state "schedule"). The first time a
// schedule is seen it starts from now: the past is not caught up. With
// catch_up only the latest missed tick runs, else every missed tick up
// to max_catch_up (the latest ones). While paused, ticks pass without
// runs.
func (e *Engine) scheduleJob(ctx context.Context, sj *state.Job, j *spec.Job, now time.Time) error {
	expr, loc, err := cronOf(j.Schedule)
	if err != nil {
		return err
	}
	last, ok, err := e.store.TriggerState(ctx, sj.Name, triggerSchedule)
	if err != nil {
		return err
	}
	if !ok {
		return e.store.SetTriggerState(ctx, sj.Name, triggerSchedule, now.UTC().Format(time.RFC3339Nano))
	}
	lastT, err := time.Parse(time.RFC3339Nano, last)
	if err != nil {
		// Unreadable: start over from now.
		return e.store.SetTriggerState(ctx, sj.Name, triggerSchedule, now.UTC().Format(time.RFC3339Nano))
	}
	keep := 1
	if j.Schedule.CatchUp {
		keep = j.Schedule.MaxCatchUp
		if keep <= 0 {
			keep = defaultMaxCatchUp
		}
	}
	var due []time.Time
	for t := expr.Next(lastT, loc); !t.IsZero() && !t.After(now); t = expr.Next(t, loc) {
		due = append(due, t)
		if len(due) > keep {
			due = due[1:]
		}
	}
	if len(due) == 0 {
		return nil
	}
	latest := due[len(due)-1]
	if !sj.Paused {
		for _, tick := range due {
			_, created, err := e.submit(ctx, sj, j, SubmitOptions{
				Trigger:     "schedule",
				TriggerKey:  scheduleKey(tick),
				LogicalTime: tick,
			}, nil)
			if err != nil {
				return fmt.Errorf("tick %s: %w", tick.Format(time.RFC3339), err)
			}
			if created {
				e.met.schedulerLag.Observe(now.Sub(tick).Seconds())
				e.log.Info("jobs: scheduled run", "job", sj.Name, "tick", tick)
			}
		}
	}
	return e.store.SetTriggerState(ctx, sj.Name, triggerSchedule, latest.UTC().Format(time.RFC3339Nano))
}

// tableTrigger creates a run when the job's table has a version newer
// than the last one seen (trigger state "table_updated"); the first
// observation only records the version. While paused, versions are
// recorded without runs.
func (e *Engine) tableTrigger(ctx context.Context, sj *state.Job, j *spec.Job) error {
	table := j.On.TableUpdated
	v, ok, err := e.cfg.Tables.TableVersion(ctx, table)
	if err != nil || !ok {
		return err
	}
	stored, found, err := e.store.TriggerState(ctx, sj.Name, triggerTable)
	if err != nil {
		return err
	}
	if found {
		sv, perr := strconv.ParseInt(stored, 10, 64)
		if perr == nil && v <= sv {
			return nil
		}
		if perr == nil && !sj.Paused {
			_, created, err := e.submit(ctx, sj, j, SubmitOptions{
				Trigger:    "table_updated",
				TriggerKey: fmt.Sprintf("table:%s@%d", table, v),
			}, nil)
			if err != nil {
				return err
			}
			if created {
				e.log.Info("jobs: table trigger", "job", sj.Name, "table", table, "version", v)
			}
		}
	}
	return e.store.SetTriggerState(ctx, sj.Name, triggerTable, strconv.FormatInt(v, 10))
}
