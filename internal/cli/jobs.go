package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/cron"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/jobs/tasks"
	"github.com/sluice-dev/sluice/server"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

// engineOptions configure the jobs engine a command builds.
type engineOptions struct {
	slots   int
	logger  *slog.Logger
	metrics prometheus.Registerer
	// server names the engine as a server's executor (see liveServer).
	server bool
}

// jobsEngine builds the jobs engine over the workspace: its state store
// in the metadata database, attempt logs under DIR/logs, the in-process
// task runners (SQL, ingest, ML, batch scoring) and the workspace's
// tracking server, in process.
func (a *app) jobsEngine(opts engineOptions) (*jobs.Engine, error) {
	ws, err := a.open()
	if err != nil {
		return nil, err
	}
	st, err := ws.Jobs(a.ctx)
	if err != nil {
		return nil, err
	}
	cl, err := a.mlflowClient("")
	if err != nil {
		return nil, err
	}
	log := opts.logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	runners := tasks.Runners(tasks.Config{Workspace: ws, Tracking: cl, Models: server.NewResolver(ws), SluiceVersion: Version})
	host, _ := os.Hostname()
	kind := "cli"
	if opts.server {
		kind = "server"
	}
	return jobs.New(jobs.Config{
		ExecutorID: fmt.Sprintf("%s:%s:%d:%d", kind, host, os.Getpid(), time.Now().UnixNano()%1e6),
		Store:      st,
		Runners:    runners,
		Tables:     workspaceTables{ws},
		LogDir:     filepath.Join(ws.Dir(), "logs"),
		Slots:      opts.slots,
		Logger:     log,
		Metrics:    opts.metrics,
		Env:        sluiceBinEnv(),
	})
}

// sluiceBinEnv gives exec tasks SLUICE_BIN, the path of this binary, so a
// job can call the sluice that runs it ("$SLUICE_BIN" examples generate …)
// whether or not it is on PATH.
func sluiceBinEnv() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{"SLUICE_BIN=" + exe}
}

// workspaceTables answers table_updated triggers from the workspace's
// catalog.
type workspaceTables struct{ ws *workspace.Workspace }

func (t workspaceTables) TableVersion(ctx context.Context, name string) (int64, bool, error) {
	id, err := table.ParseIdent(name)
	if err != nil {
		return 0, false, err
	}
	tbl, err := t.ws.Tables().Load(ctx, id)
	if errors.Is(err, table.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return tbl.CurrentVersion(), true, nil
}

func (a *app) jobsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "jobs",
		Short: "Pipelines as DAGs of tasks: validate, deploy, run, schedule, backfill",
		Long: `A job is a YAML file: a DAG of tasks (sql, ingest, ml_fit, ml_transform,
models_predict, exec, run_job, for_each) with parameters, retries,
timeouts, a cron schedule or a table trigger, and notifications. The
reference is 'sluice jobs schema' (JSON Schema, for editors) and the
documentation of package jobs/spec; examples/churn/job.yaml and
examples/nightly/ show the moving parts.

'sluice jobs run NAME --wait' runs a job in this process, without a
server. 'sluice server' schedules deployed jobs (cron, catch-up, table
triggers) and executes queued runs; jobs run without --wait hands the run
to it. Runs, their tasks, logs, cancel and repair: 'sluice runs'.`,
		Example: `  sluice jobs validate examples/churn/job.yaml
  sluice jobs deploy examples/                 # every *.yaml job file in the directory
  sluice jobs list
  sluice jobs run churn --wait
  sluice jobs run nightly --param date=2026-11-20 --wait --output json
  sluice jobs backfill nightly --from 2026-11-01 --to 2026-11-08 --concurrency 2 --wait
  sluice jobs pause nightly && sluice jobs resume nightly
  sluice jobs schema > job.schema.json`,
	}
	c.AddCommand(a.jobsValidateCmd(), a.jobsDeployCmd(), a.jobsListCmd(), a.jobsShowCmd(), a.jobsRunCmd(),
		a.jobsBackfillCmd(), a.jobsPauseCmd(true), a.jobsPauseCmd(false), a.jobsSchemaCmd())
	return c
}

// loadJobs parses every job file named by paths (files or directories).
func loadJobs(paths []string) ([]*spec.Job, error) {
	var all []*spec.Job
	var errs []error
	for _, p := range paths {
		js, err := spec.LoadPath(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, js...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no job files (*.yaml, *.yml) in %s", strings.Join(paths, ", "))
	}
	return all, nil
}

func (a *app) jobsValidateCmd() *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check job files without deploying them",
		Long: `Parse and check job files (or directories of them): YAML, unknown keys,
types, dependencies and cycles, parameters and task-value references,
cron expressions and time zones, task types, and run_job targets. Every
problem is reported with file:line:column.`,
		Example: `  sluice jobs validate examples/churn/job.yaml
  sluice jobs validate examples/ --output json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			js, err := loadJobs(args)
			if err != nil {
				return err
			}
			eng, err := a.jobsEngine(engineOptions{})
			if err != nil {
				return err
			}
			defer eng.Close()
			if err := eng.Validate(a.ctx, js); err != nil {
				return err
			}
			g := &grid{cols: []string{"job", "file", "tasks", "schedule"}}
			for _, j := range js {
				g.rows = append(g.rows, []any{j.Name, j.File, int64(len(j.Tasks)), scheduleText(j)})
			}
			return printGrid(a.stdout, output, g)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func scheduleText(j *spec.Job) string {
	var parts []string
	if j.Schedule != nil {
		s := j.Schedule.Cron
		if j.Schedule.Timezone != "" && j.Schedule.Timezone != "UTC" {
			s += " (" + j.Schedule.Timezone + ")"
		}
		parts = append(parts, s)
	}
	if j.On != nil && j.On.TableUpdated != "" {
		parts = append(parts, "on update of "+j.On.TableUpdated)
	}
	return strings.Join(parts, "; ")
}

func (a *app) jobsDeployCmd() *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "deploy PATH...",
		Short: "Validate and deploy job files to the workspace",
		Long: `Validate job files (or directories of them) and store them in the
workspace's metadata database, all or none. A changed file becomes the
job's next version; an unchanged one is left alone. A running 'sluice
server' picks up new schedules within a second.`,
		Example: `  sluice jobs deploy examples/churn/job.yaml
  sluice jobs deploy jobs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			js, err := loadJobs(args)
			if err != nil {
				return err
			}
			eng, err := a.jobsEngine(engineOptions{})
			if err != nil {
				return err
			}
			defer eng.Close()
			res, err := eng.Deploy(a.ctx, js)
			if err != nil {
				return err
			}
			g := &grid{cols: []string{"job", "version", "changed", "schedule"}}
			for i, r := range res {
				g.rows = append(g.rows, []any{r.Job, r.Version, r.Changed, scheduleText(js[i])})
			}
			return printGrid(a.stdout, output, g)
		},
	}
	addOutputFlag(c, &output)
	return c
}

// jobInfo is a deployed job with its parsed spec.
type jobInfo struct {
	state.Job
	spec *spec.Job
}

func (a *app) deployedJob(ctx context.Context, st *state.Store, name string) (*jobInfo, error) {
	j, err := st.GetJob(ctx, name)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("job %q is not deployed; deploy it with 'sluice jobs deploy FILE' (list deployed jobs with 'sluice jobs list')", name)
	}
	if err != nil {
		return nil, err
	}
	sp, err := spec.Parse(j.SourcePath, j.Spec, filepath.Dir(j.SourcePath))
	if err != nil {
		return nil, fmt.Errorf("job %s (version %d): %w", name, j.Version, err)
	}
	return &jobInfo{Job: *j, spec: sp}, nil
}

// nextTick returns the job's next scheduled time, zero when it has none.
func nextTick(sp *spec.Job, now time.Time) time.Time {
	if sp == nil || sp.Schedule == nil {
		return time.Time{}
	}
	e, err := cron.Parse(sp.Schedule.Cron)
	if err != nil {
		return time.Time{}
	}
	loc, err := time.LoadLocation(sp.Schedule.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return e.Next(now, loc)
}

func (a *app) jobsStore() (*state.Store, error) {
	ws, err := a.open()
	if err != nil {
		return nil, err
	}
	return ws.Jobs(a.ctx)
}

func (a *app) jobsListCmd() *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "list",
		Short:   "List deployed jobs with their schedules and last runs",
		Example: "  sluice jobs list\n  sluice jobs list --output json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			list, err := st.ListJobs(a.ctx)
			if err != nil {
				return err
			}
			g := &grid{cols: []string{"job", "version", "schedule", "paused", "next_run", "last_run", "last_state", "last_started"}}
			now := time.Now()
			for _, j := range list {
				sp, _ := spec.Parse(j.SourcePath, j.Spec, filepath.Dir(j.SourcePath))
				var sched string
				var next any
				if sp != nil {
					sched = scheduleText(sp)
					if t := nextTick(sp, now); !t.IsZero() && !j.Paused {
						next = fmtTime(t)
					}
				}
				row := []any{j.Name, j.Version, sched, j.Paused, next, nil, nil, nil}
				runs, err := st.ListRuns(a.ctx, state.RunFilter{Job: j.Name, Limit: 1})
				if err != nil {
					return err
				}
				if len(runs) > 0 {
					row[5], row[6], row[7] = runs[0].ID, string(runs[0].State), fmtTimeOrNil(runs[0].StartedAt)
				}
				g.rows = append(g.rows, row)
			}
			return printGrid(a.stdout, output, g)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func fmtTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") }

func fmtTimeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

func (a *app) jobsShowCmd() *cobra.Command {
	var output string
	var source bool
	c := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a deployed job: schedule, parameters, tasks and recent runs",
		Example: `  sluice jobs show churn
  sluice jobs show churn --source        # the YAML as deployed
  sluice jobs show churn --output json`,
		Args: exactArgs(1, "a job name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			j, err := a.deployedJob(a.ctx, st, args[0])
			if err != nil {
				return err
			}
			if source {
				_, err := a.stdout.Write(j.Spec)
				return err
			}
			runs, err := st.ListRuns(a.ctx, state.RunFilter{Job: j.Name, Limit: 10})
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(a.stdout, map[string]any{
					"name": j.Name, "version": j.Version, "paused": j.Paused, "source": j.SourcePath,
					"deployed_at": j.DeployedAt, "spec": j.SpecJSON, "next_run": timeOrNil(nextTick(j.spec, time.Now())),
					"recent_runs": runs,
				})
			}
			w := a.stdout
			fmt.Fprintf(w, "job:         %s (version %d, deployed %s from %s)\n", j.Name, j.Version, fmtTime(j.DeployedAt), j.SourcePath)
			if j.spec.Description != "" {
				fmt.Fprintf(w, "description: %s\n", strings.TrimSpace(j.spec.Description))
			}
			if s := scheduleText(j.spec); s != "" {
				state := "active"
				if j.Paused {
					state = "paused"
				}
				fmt.Fprintf(w, "schedule:    %s, %s", s, state)
				if t := nextTick(j.spec, time.Now()); !t.IsZero() && !j.Paused {
					fmt.Fprintf(w, ", next run %s", fmtTime(t))
				}
				fmt.Fprintln(w)
			}
			for _, p := range j.spec.Parameters {
				fmt.Fprintf(w, "parameter:   %s = %q\n", p.Name, p.Default)
			}
			fmt.Fprintln(w)
			g := &grid{cols: []string{"task", "type", "depends_on", "run_if"}}
			for _, t := range j.spec.Tasks {
				g.rows = append(g.rows, []any{t.Key, t.Type(), strings.Join(t.DependsOn, ", "), string(t.RunIf)})
			}
			writeTable(w, g)
			if len(runs) > 0 {
				fmt.Fprintln(w)
				writeTable(w, runsGrid(runs))
			}
			return nil
		},
	}
	c.Flags().BoolVar(&source, "source", false, "print the job file as deployed")
	addOutputFlag(c, &output)
	return c
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// parseParams reads repeated --param name=value flags.
func parseParams(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--param %q: want name=value", kv)
		}
		out[k] = v
	}
	return out, nil
}

func (a *app) jobsRunCmd() *cobra.Command {
	var output string
	var params []string
	var wait bool
	var slots int
	c := &cobra.Command{
		Use:   "run NAME|FILE",
		Short: "Run a job now",
		Long: `Run a deployed job now, or a job file (deployed first, as 'jobs deploy'
does). With --wait the run executes in this process and the command
returns when it ends: exit code 0 when it succeeded, 1 otherwise. Without
--wait the run is queued for a running 'sluice server'; when no server is
running, it executes here as with --wait.

Each task's output goes to its log ('sluice runs logs RUN'); on a terminal
a progress bar counts finished tasks.`,
		Example: `  sluice jobs run examples/churn/job.yaml --wait
  sluice jobs run churn --wait --output json
  sluice jobs run nightly --param date=2026-11-20`,
		Args: exactArgs(1, "a job name or job file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			pm, err := parseParams(params)
			if err != nil {
				return usage(cmd, err)
			}
			eng, err := a.jobsEngine(engineOptions{slots: slots})
			if err != nil {
				return err
			}
			defer eng.Close()
			name, err := a.resolveJobArg(eng, args[0])
			if err != nil {
				return err
			}
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			if !wait {
				live, err := liveServer(a.ctx, st)
				if err != nil {
					return err
				}
				if live {
					run, err := eng.Submit(a.ctx, name, jobs.SubmitOptions{Params: pm})
					if err != nil {
						return err
					}
					if output == "json" {
						return printJSON(a.stdout, run)
					}
					fmt.Fprintf(a.stdout, "queued run %d of %s for the running server; follow it with 'sluice runs logs %d --follow'\n", run.ID, name, run.ID)
					return nil
				}
			}
			run, err := eng.Submit(a.ctx, name, jobs.SubmitOptions{Params: pm, Execute: true})
			if err != nil {
				return err
			}
			if output != "json" {
				fmt.Fprintf(a.stderr, "run %d of %s started\n", run.ID, name)
			}
			final, err := a.executeWithProgress(eng, st, run)
			if err != nil {
				return err
			}
			return a.reportRun(eng, final, output)
		},
	}
	c.Flags().StringArrayVarP(&params, "param", "p", nil, "parameter value name=value (repeatable)")
	c.Flags().BoolVar(&wait, "wait", false, "execute the run in this process and wait for it")
	c.Flags().IntVar(&slots, "slots", 0, "tasks running at once (default 32)")
	addOutputFlag(c, &output)
	return c
}

// resolveJobArg returns the job name of arg: a deployed job's name, or a
// job file, which is deployed first.
func (a *app) resolveJobArg(eng *jobs.Engine, arg string) (string, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, os.PathSeparator) {
		if _, err := os.Stat(arg); err == nil {
			js, err := loadJobs([]string{arg})
			if err != nil {
				return "", err
			}
			if len(js) != 1 {
				return "", fmt.Errorf("%s holds %d jobs; name one of them", arg, len(js))
			}
			if _, err := eng.Deploy(a.ctx, js); err != nil {
				return "", err
			}
			return js[0].Name, nil
		}
	}
	return arg, nil
}

// liveServer reports whether an executor other than a CLI's heartbeats:
// a running 'sluice server' that will execute queued runs.
func liveServer(ctx context.Context, st *state.Store) (bool, error) {
	exs, err := st.Executors(ctx)
	if err != nil {
		return false, err
	}
	for _, e := range exs {
		if strings.HasPrefix(e.ID, "server:") && time.Since(e.HeartbeatAt) < 30*time.Second {
			return true, nil
		}
	}
	return false, nil
}

// executeWithProgress executes a run claimed by eng, showing a progress
// bar of finished tasks on a terminal.
func (a *app) executeWithProgress(eng *jobs.Engine, st *state.Store, run *state.Run) (*state.Run, error) {
	if !isTerminal(a.stderr) {
		return eng.Execute(a.ctx, run.ID)
	}
	total := 0
	if j, err := st.JobVersion(a.ctx, run.Job, run.JobVersion); err == nil {
		if sp, err := spec.Parse(j.SourcePath, j.Spec, filepath.Dir(j.SourcePath)); err == nil {
			total = len(sp.Tasks)
		}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("run %d of %s", run.ID, run.Job)),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetItsString("tasks"))
	ctx, cancel := context.WithCancel(a.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			trs, err := st.TaskRuns(ctx, run.ID)
			if err != nil {
				continue
			}
			n := 0
			for _, tr := range latestAttempts(trs) {
				if !strings.Contains(tr.Key, "[") && tr.State.Terminal() {
					n++
				}
			}
			bar.Set(n)
		}
	}()
	final, err := eng.Execute(a.ctx, run.ID)
	cancel()
	<-done
	bar.Finish()
	return final, err
}

// latestAttempts keeps the last attempt of each task key, in first-seen
// order.
func latestAttempts(trs []state.TaskRun) []state.TaskRun {
	idx := map[string]int{}
	var out []state.TaskRun
	for _, tr := range trs {
		if i, ok := idx[tr.Key]; ok {
			if tr.Attempt > out[i].Attempt {
				out[i] = tr
			}
			continue
		}
		idx[tr.Key] = len(out)
		out = append(out, tr)
	}
	return out
}

// reportRun prints a finished run and returns an error when it did not
// succeed (exit code 1).
func (a *app) reportRun(eng *jobs.Engine, run *state.Run, output string) error {
	tl, err := eng.Timeline(a.ctx, run.ID)
	if err != nil {
		return err
	}
	if output == "json" {
		if err := printJSON(a.stdout, tl); err != nil {
			return err
		}
	} else {
		printTimeline(a.stdout, tl)
	}
	if run.State != state.RunSucceeded {
		msg := run.Message
		if msg == "" {
			msg = string(run.State)
		}
		return fmt.Errorf("run %d of %s %s: %s\nsee 'sluice runs logs %d', fix, then 'sluice runs repair %d --wait' reruns only the failed tasks",
			run.ID, run.Job, run.State, msg, run.ID, run.ID)
	}
	return nil
}

func printTimeline(w io.Writer, tl *jobs.Timeline) {
	dur := ""
	if tl.StartedAt != nil && tl.EndedAt != nil {
		dur = " in " + tl.EndedAt.Sub(*tl.StartedAt).Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "run %d of %s: %s%s (trigger %s", tl.RunID, tl.Job, tl.State, dur, tl.Trigger)
	if tl.Repair > 0 {
		fmt.Fprintf(w, ", repair %d", tl.Repair)
	}
	fmt.Fprintln(w, ")")
	if tl.Message != "" {
		fmt.Fprintf(w, "  %s\n", tl.Message)
	}
	g := &grid{cols: []string{"task", "attempt", "state", "started", "duration", "message"}}
	for _, t := range tl.Tasks {
		var started, d any
		if t.StartedAt != nil {
			started = t.StartedAt.Local().Format("15:04:05.000")
			d = (time.Duration(t.DurationMillis * float64(time.Millisecond))).Round(time.Millisecond).String()
		}
		g.rows = append(g.rows, []any{t.Key, int64(t.Attempt), string(t.State), started, d, firstLine(t.Message)})
	}
	writeTable(w, g)
	if len(tl.Values) > 0 {
		keys := make([]string, 0, len(tl.Values))
		for k := range tl.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(w, "task values:")
		for _, k := range keys {
			names := make([]string, 0, len(tl.Values[k]))
			for n := range tl.Values[k] {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(w, "  %s.%s = %s\n", k, n, display(tl.Values[k][n]))
			}
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func (a *app) jobsBackfillCmd() *cobra.Command {
	var output, from, to string
	var params []string
	var concurrency int
	var wait bool
	c := &cobra.Command{
		Use:   "backfill NAME --from TIME --to TIME",
		Short: "Create one run per scheduled time in a past window",
		Long: `Create a run of a scheduled job for every cron tick t with FROM ≤ t < TO
(in the schedule's time zone), each with its logical time set to the
tick (${run.logical_date} in tasks), at most --concurrency running at
once. Ticks that already have a scheduled or backfilled run are skipped,
so a backfill can be rerun safely. With --wait the runs execute in this
process; otherwise a running 'sluice server' executes them.`,
		Example: `  sluice jobs backfill nightly --from 2026-11-01 --to 2026-11-08 --concurrency 2 --wait
  sluice jobs backfill nightly --from "2026-11-20 00:00" --to "2026-11-21 00:00"`,
		Args: exactArgs(1, "a job name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			if from == "" || to == "" {
				return usage(cmd, errors.New("--from and --to are required"))
			}
			ft, err := parseTime(from)
			if err != nil {
				return usage(cmd, fmt.Errorf("--from: %w; use 2026-11-01 or 2026-11-01 02:00", err))
			}
			tt, err := parseTime(to)
			if err != nil {
				return usage(cmd, fmt.Errorf("--to: %w; use 2026-11-08 or 2026-11-08 02:00", err))
			}
			if !tt.After(ft) {
				return usage(cmd, errors.New("--to must be after --from"))
			}
			pm, err := parseParams(params)
			if err != nil {
				return usage(cmd, err)
			}
			eng, err := a.jobsEngine(engineOptions{})
			if err != nil {
				return err
			}
			defer eng.Close()
			runs, err := eng.Backfill(a.ctx, args[0], jobs.BackfillOptions{From: ft, To: tt, Concurrency: concurrency, Params: pm})
			if err != nil {
				return err
			}
			if len(runs) == 0 {
				fmt.Fprintln(a.stderr, "no ticks to backfill in that window (each already has a run)")
			}
			if wait && len(runs) > 0 {
				ids := make([]int64, len(runs))
				for i, r := range runs {
					ids[i] = r.ID
				}
				if err := eng.ExecuteQueued(a.ctx, ids); err != nil {
					return err
				}
				st, err := a.jobsStore()
				if err != nil {
					return err
				}
				for i, r := range runs {
					if runs[i], err = st.GetRun(a.ctx, r.ID); err != nil {
						return err
					}
				}
			}
			if output == "json" {
				return printJSON(a.stdout, runs)
			}
			vals := make([]state.Run, len(runs))
			for i, r := range runs {
				vals[i] = *r
			}
			writeTable(a.stdout, runsGrid(vals))
			for _, r := range runs {
				if wait && r.State != state.RunSucceeded {
					return fmt.Errorf("backfill run %d (%s) %s: %s", r.ID, r.LogicalTime.Format(time.RFC3339), r.State, r.Message)
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&from, "from", "", "first time of the window (inclusive), e.g. 2026-11-01")
	c.Flags().StringVar(&to, "to", "", "end of the window (exclusive), e.g. 2026-11-08")
	c.Flags().IntVar(&concurrency, "concurrency", 1, "backfill runs running at once")
	c.Flags().StringArrayVarP(&params, "param", "p", nil, "parameter value name=value (repeatable)")
	c.Flags().BoolVar(&wait, "wait", false, "execute the runs in this process and wait for them")
	addOutputFlag(c, &output)
	return c
}

func (a *app) jobsPauseCmd(pause bool) *cobra.Command {
	use, short, verb := "pause NAME", "Pause a job's schedule and triggers", "paused"
	if !pause {
		use, short, verb = "resume NAME", "Resume a paused job's schedule and triggers", "resumed"
	}
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    short + ". Manual runs work either way; missed ticks are not caught up on resume unless the schedule has catch_up: true.",
		Example: "  sluice jobs " + strings.Fields(use)[0] + " nightly",
		Args:    exactArgs(1, "a job name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			if err := st.SetPaused(a.ctx, args[0], pause); err != nil {
				if errors.Is(err, state.ErrNotFound) {
					return fmt.Errorf("job %q is not deployed; see 'sluice jobs list'", args[0])
				}
				return err
			}
			fmt.Fprintf(a.stdout, "%s %s\n", verb, args[0])
			return nil
		},
	}
}

func (a *app) jobsSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of job files, for editors",
		Long: `Print the JSON Schema (draft 2020-12) of job files. Point your editor's
YAML support at it, e.g. with a first line
  # yaml-language-server: $schema=./job.schema.json`,
		Example: "  sluice jobs schema > job.schema.json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := a.stdout.Write(spec.Schema())
			return err
		},
	}
}
