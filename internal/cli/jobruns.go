package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/state"
)

// jobRunID reports whether s is a job run ID (a positive integer); MLflow
// run IDs are 32 hex characters.
func jobRunID(s string) (int64, bool) {
	if len(s) >= 32 {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// parseJobRunID reads a job run ID argument.
func parseJobRunID(cmd *cobra.Command, s string) (int64, error) {
	id, ok := jobRunID(s)
	if !ok {
		return 0, usage(cmd, fmt.Errorf("%q is not a job run ID: job runs have numeric IDs (see 'sluice runs list')", s))
	}
	return id, nil
}

func runsGrid(runs []state.Run) *grid {
	g := &grid{cols: []string{"run", "job", "state", "trigger", "logical_time", "started", "duration", "repair", "message"}}
	for _, r := range runs {
		var dur any
		if !r.StartedAt.IsZero() {
			end := r.EndedAt
			if end.IsZero() {
				end = time.Now()
			}
			dur = end.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		g.rows = append(g.rows, []any{r.ID, r.Job, string(r.State), r.Trigger, fmtTimeOrNil(r.LogicalTime),
			fmtTimeOrNil(r.StartedAt), dur, int64(r.Attempt), firstLine(r.Message)})
	}
	return g
}

func (a *app) listJobRuns(job string, states []string, limit int, output string) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	st, err := a.jobsStore()
	if err != nil {
		return err
	}
	f := state.RunFilter{Job: job, Limit: limit}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	for _, s := range states {
		rs := state.RunState(s)
		switch rs {
		case state.RunQueued, state.RunRunning, state.RunSucceeded, state.RunFailed, state.RunCanceled, state.RunTimedOut:
		default:
			return fmt.Errorf("--state %q: use queued, running, succeeded, failed, canceled or timed_out", s)
		}
		f.States = append(f.States, rs)
	}
	runs, err := st.ListRuns(a.ctx, f)
	if err != nil {
		return err
	}
	if output == "json" {
		return printJSON(a.stdout, runs)
	}
	return printGrid(a.stdout, output, runsGrid(runs))
}

func (a *app) getJobRun(id int64) (*state.Run, error) {
	st, err := a.jobsStore()
	if err != nil {
		return nil, err
	}
	r, err := st.GetRun(a.ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("job run %d does not exist; see 'sluice runs list'", id)
	}
	return r, err
}

func (a *app) showJobRun(id int64, output string) error {
	if _, err := a.getJobRun(id); err != nil {
		return err
	}
	eng, err := a.jobsEngine(engineOptions{})
	if err != nil {
		return err
	}
	defer eng.Close()
	tl, err := eng.Timeline(a.ctx, id)
	if err != nil {
		return err
	}
	if output == "json" {
		return printJSON(a.stdout, tl)
	}
	printTimeline(a.stdout, tl)
	return nil
}

func (a *app) runsLogsCmd() *cobra.Command {
	var task string
	var attempt int
	var follow bool
	c := &cobra.Command{
		Use:   "logs RUN",
		Short: "Print a job run's task logs, or follow them while it runs",
		Long: `Print the logs of a job run's task attempts (stdout and stderr of exec
tasks; statements, rows and results of SQL, ingest and ML tasks), each
under a header naming the task, attempt and state. --task keeps one task
(for_each iterations are KEY[0], KEY[1], …; --task KEY includes them),
--attempt one attempt. --follow keeps printing new output until the run
ends.`,
		Example: `  sluice runs logs 42
  sluice runs logs 42 --task fit
  sluice runs logs 42 --task score --attempt 2
  sluice runs logs 42 --follow`,
		Args: exactArgs(1, "a job run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseJobRunID(cmd, args[0])
			if err != nil {
				return err
			}
			if _, err := a.getJobRun(id); err != nil {
				return err
			}
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			return followLogs(a.ctx, st, a.stdout, id, task, attempt, follow)
		},
	}
	c.Flags().StringVar(&task, "task", "", "only this task's logs")
	c.Flags().IntVar(&attempt, "attempt", 0, "only this attempt (default all)")
	c.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new output until the run ends")
	return c
}

// followLogs prints the logs of a run's attempts matching task/attempt;
// with follow it polls for new attempts and output until the run is
// terminal and every log is drained.
func followLogs(ctx context.Context, st *state.Store, w io.Writer, runID int64, task string, attempt int, follow bool) error {
	type cursor struct {
		off    int64
		header bool
		done   bool
	}
	seen := map[string]*cursor{}
	var order []string
	match := func(tr state.TaskRun) bool {
		if task != "" && tr.Key != task && !strings.HasPrefix(tr.Key, task+"[") {
			return false
		}
		return attempt == 0 || tr.Attempt == attempt
	}
	for {
		run, err := st.GetRun(ctx, runID)
		if err != nil {
			return err
		}
		trs, err := st.TaskRuns(ctx, runID)
		if err != nil {
			return err
		}
		for _, tr := range trs {
			if !match(tr) {
				continue
			}
			k := fmt.Sprintf("%s#%d", tr.Key, tr.Attempt)
			cur, ok := seen[k]
			if !ok {
				cur = &cursor{}
				seen[k] = cur
				order = append(order, k)
			}
			if cur.done {
				continue
			}
			if !cur.header && (tr.LogPath != "" || tr.State.Terminal()) {
				fmt.Fprintf(w, "==> %s attempt %d (%s) <==\n", tr.Key, tr.Attempt, tr.State)
				cur.header = true
			}
			if tr.LogPath != "" {
				n, err := copyFrom(w, tr.LogPath, cur.off)
				if err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				cur.off += n
			}
			if tr.State.Terminal() {
				if tr.Message != "" && tr.State != state.TaskSucceeded {
					fmt.Fprintf(w, "--- %s: %s\n", tr.State, tr.Message)
				}
				cur.done = true
			}
		}
		if !follow || run.State.Terminal() {
			if task != "" && len(order) == 0 {
				return fmt.Errorf("run %d has no attempts of task %q", runID, task)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// copyFrom copies path's bytes from offset off to w and returns how many.
func copyFrom(w io.Writer, path string, off int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, f)
}

func (a *app) runsCancelCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cancel RUN",
		Short: "Cancel a queued or running job run",
		Long: `Cancel a job run. A queued run is canceled at once; a running one is
canceled by the process executing it (a 'sluice server' or a 'jobs run
--wait') within a second: running tasks are stopped (exec tasks' whole
process groups get SIGTERM, then SIGKILL) and the run ends canceled.`,
		Example: "  sluice runs cancel 42",
		Args:    exactArgs(1, "a job run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseJobRunID(cmd, args[0])
			if err != nil {
				return err
			}
			if _, err := a.getJobRun(id); err != nil {
				return err
			}
			eng, err := a.jobsEngine(engineOptions{})
			if err != nil {
				return err
			}
			defer eng.Close()
			r, err := eng.Cancel(a.ctx, id)
			if errors.Is(err, state.ErrConflict) {
				return fmt.Errorf("run %d has already ended; nothing to cancel", id)
			}
			if err != nil {
				return err
			}
			if r.State == state.RunCanceled {
				fmt.Fprintf(a.stdout, "canceled run %d\n", id)
			} else {
				fmt.Fprintf(a.stdout, "cancel requested for run %d; its executor stops it within a second\n", id)
			}
			return nil
		},
	}
}

func (a *app) runsRepairCmd() *cobra.Command {
	var taskKeys []string
	var wait bool
	var output string
	c := &cobra.Command{
		Use:   "repair RUN",
		Short: "Rerun a finished job run's failed tasks and what depends on them",
		Long: `Repair a finished job run: rerun its failed, timed-out, canceled and
upstream-failed tasks (or the tasks named with --task) and every task
downstream of them, in the same run. Tasks that succeeded keep their
results and task values; rerun tasks get new attempts. With --wait the
repair executes in this process; otherwise a running 'sluice server'
executes it (or this process, when none runs).`,
		Example: `  sluice runs repair 42 --wait
  sluice runs repair 42 --task score --wait`,
		Args: exactArgs(1, "a job run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			id, err := parseJobRunID(cmd, args[0])
			if err != nil {
				return err
			}
			if _, err := a.getJobRun(id); err != nil {
				return err
			}
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			eng, err := a.jobsEngine(engineOptions{})
			if err != nil {
				return err
			}
			defer eng.Close()
			execute := wait
			if !wait {
				live, err := liveServer(a.ctx, st)
				if err != nil {
					return err
				}
				execute = !live
			}
			r, err := eng.Repair(a.ctx, id, jobs.RepairOptions{Tasks: taskKeys, Execute: execute})
			if err != nil {
				return err
			}
			if !execute {
				fmt.Fprintf(a.stdout, "repair %d of run %d queued for the running server; follow it with 'sluice runs logs %d --follow'\n", r.Attempt, id, id)
				return nil
			}
			final, err := a.executeWithProgress(eng, st, r)
			if err != nil {
				return err
			}
			return a.reportRun(eng, final, output)
		},
	}
	c.Flags().StringArrayVar(&taskKeys, "task", nil, "rerun this task (repeatable; default every task that did not succeed)")
	c.Flags().BoolVar(&wait, "wait", false, "execute the repair in this process and wait for it")
	addOutputFlag(c, &output)
	return c
}
