package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
)

// BackfillOptions are the options of Backfill.
type BackfillOptions struct {
	From, To    time.Time // ticks t with From ≤ t < To
	Concurrency int       // runs of the backfill at once; default 1
	Params      map[string]string
	Max         int // refuse more ticks than this; default 1000
}

// Backfill creates one run per cron tick of the job's schedule in
// [From, To), queued (Trigger "backfill", LogicalTime the tick) in one
// group "backfill:<random>" limited to Concurrency runs at once (the
// job's max_concurrent_runs applies too). It is idempotent: a tick that
// already has a scheduled or backfill run (trigger key
// "schedule:<tick>") is skipped. It returns the runs created, oldest
// tick first; Serve or ExecuteQueued executes them. Errors: the job is
// not deployed or has no schedule, From is not before To, more ticks
// than Max.
func (e *Engine) Backfill(ctx context.Context, job string, opts BackfillOptions) ([]*state.Run, error) {
	sj, j, err := e.currentJob(ctx, job)
	if err != nil {
		return nil, err
	}
	if j.Schedule == nil {
		return nil, fmt.Errorf("backfill %s: the job has no schedule; backfill creates one run per cron tick, so add schedule: {cron: …} or run it with sluice jobs run", job)
	}
	if !opts.From.Before(opts.To) {
		return nil, fmt.Errorf("backfill %s: --from %s is not before --to %s", job, opts.From.Format(time.RFC3339), opts.To.Format(time.RFC3339))
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 1
	}
	if opts.Max <= 0 {
		opts.Max = 1000
	}
	expr, loc, err := cronOf(j.Schedule)
	if err != nil {
		return nil, fmt.Errorf("backfill %s: %w", job, err)
	}
	ticks, err := expr.Ticks(opts.From, opts.To, loc, opts.Max)
	if err != nil {
		return nil, fmt.Errorf("backfill %s: %w; narrow --from/--to or raise the limit", job, err)
	}
	if _, err := j.ResolveParams(opts.Params); err != nil {
		return nil, fmt.Errorf("backfill %s: %w", job, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	group := "backfill:" + hex.EncodeToString(b[:])
	var out []*state.Run
	for _, tick := range ticks {
		run, created, err := e.submit(ctx, sj, j, SubmitOptions{
			Params:      opts.Params,
			Trigger:     "backfill",
			TriggerKey:  scheduleKey(tick),
			LogicalTime: tick,
			Group:       group,
			GroupLimit:  opts.Concurrency,
		}, nil)
		if err != nil {
			return out, fmt.Errorf("backfill %s: tick %s: %w", job, tick.Format(time.RFC3339), err)
		}
		if created {
			out = append(out, run)
		}
	}
	return out, nil
}

// ExecuteQueued executes queued runs (e.g. a backfill's) in this process
// until none of ids is left unfinished: it claims queued runs of their
// jobs as the jobs' max_concurrent_runs and the runs' group limits allow
// (runs of other jobs are left to a server) and executes them. ctx
// bounds it: when it ends, the runs executing here are canceled and its
// error returned.
func (e *Engine) ExecuteQueued(ctx context.Context, ids []int64) error {
	if err := e.ensureRegistered(ctx); err != nil {
		return err
	}
	jobsOf := map[string]bool{}
	for _, id := range ids {
		r, err := e.store.GetRun(ctx, id)
		if err != nil {
			return fmt.Errorf("execute run %d: %w", id, err)
		}
		jobsOf[r.Job] = true
	}
	ended := make(chan struct{}, 1)
	var running []*runExec
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(e.cfg.PollInterval)
	defer t.Stop()
	for {
		left := 0
		for _, id := range ids {
			r, err := e.store.GetRun(ctx, id)
			if err != nil {
				return fmt.Errorf("execute run %d: %w", id, err)
			}
			if !r.State.Terminal() {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		busy := 0
		for _, x := range running {
			select {
			case <-x.finished:
			default:
				busy++
			}
		}
		if free := e.cfg.MaxRuns - busy; free > 0 {
			mc, err := e.maxConcurrent(ctx, jobsOf)
			if err != nil {
				return err
			}
			claimed, err := e.store.ClaimRuns(ctx, e.id, free, mc)
			if err != nil {
				return fmt.Errorf("claim runs: %w", err)
			}
			for _, r := range claimed {
				x, err := e.begin(ctx, r.ID)
				if err != nil {
					return err
				}
				running = append(running, x)
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() {
						e.end(x)
						select {
						case ended <- struct{}{}:
						default:
						}
					}()
					if _, err := x.execute(); err != nil {
						e.log.Error("jobs: execute run", "run", x.id, "err", err)
					}
				}()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ended:
		case <-t.C:
		}
	}
}
