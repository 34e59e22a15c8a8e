package cli

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/tracking"
)

func (a *app) runsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "runs",
		Aliases: []string{"run"},
		Short:   "Job runs (list, show, logs, cancel, repair) and MLflow runs (list -e, show, compare, …)",
		Long: `Two kinds of runs share this command, told apart by their IDs:

Job runs (numeric IDs, from 'sluice jobs run', schedules and triggers):
list (without --experiment), show, logs, cancel and repair. They live in
the workspace's metadata database.

MLflow runs (32-hex IDs, from 'ml fit --experiment', or any MLflow
client): list --experiment, show, compare, delete, restore and download,
on the workspace's tracking store in process, or a running server's with
--tracking-uri (or SLUICE_TRACKING_URI).`,
		Example: `  sluice runs list                                    # job runs, newest first
  sluice runs list --job churn --state failed
  sluice runs show 42                                 # a job run: tasks, attempts, task values
  sluice runs show 42 --output json                   # its timeline as JSON
  sluice runs logs 42 --task fit --follow
  sluice runs cancel 42
  sluice runs repair 42 --wait                        # rerun the failed tasks and what depends on them
  sluice runs list --experiment churn --order-by "metrics.areaUnderROC DESC"
  sluice runs list --experiment churn --filter "params.maxDepth = '5' and metrics.areaUnderROC > 0.8"
  sluice runs show 1f0c3a…
  sluice runs compare 1f0c3a… 7b22d9…
  sluice runs download 1f0c3a… --path model --dest ./churn-model`,
	}
	conn := a.addTrackingFlag(c)
	c.AddCommand(runsListCmd(conn), runsShowCmd(conn), runsCompareCmd(conn), runsDeleteCmd(conn),
		runsRestoreCmd(conn), runsDownloadCmd(conn), a.runsLogsCmd(), a.runsCancelCmd(), a.runsRepairCmd())
	return c
}

func runsListCmd(conn *mlflowConn) *cobra.Command {
	var output, filter, view, job string
	var exps, orderBy, states []string
	var limit int
	c := &cobra.Command{
		Use:   "list [--job NAME | --experiment EXPERIMENT]",
		Short: "List job runs, or an experiment's MLflow runs",
		Long: `Without --experiment: list job runs, newest first, optionally of one job
(--job) and in some states (--state queued|running|succeeded|failed|
canceled|timed_out).

With --experiment: list the MLflow runs of one or more experiments (by ID
or name). --filter takes
MLflow's search grammar over metrics.*, params.*, tags.* and attributes
(status, run_name, start_time, …); --order-by sorts by any of them.
Metrics and params named in --order-by become columns.`,
		Example: `  sluice runs list
  sluice runs list --job churn --state failed --max 5
  sluice runs list --experiment churn
  sluice runs list --experiment churn --order-by "metrics.areaUnderROC DESC" --max 5
  sluice runs list --experiment churn --filter "metrics.areaUnderROC > 0.8 and status = 'FINISHED'"
  sluice runs list --experiment 1 --experiment 2 --view all --output json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			if len(exps) == 0 {
				if filter != "" || len(orderBy) > 0 || cmd.Flags().Changed("view") {
					return usage(cmd, fmt.Errorf("--filter, --order-by and --view select MLflow runs: add --experiment"))
				}
				return conn.a.listJobRuns(job, states, limit, output)
			}
			if job != "" || len(states) > 0 {
				return usage(cmd, fmt.Errorf("--job and --state select job runs; --experiment selects MLflow runs: use one or the other"))
			}
			vt, err := viewType(view)
			if err != nil {
				return usage(cmd, err)
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			req := tracking.SearchRuns{Filter: filter, OrderBy: orderBy, RunViewType: vt, MaxResults: 1000}
			for _, ref := range exps {
				e, err := findExperiment(conn, cl, ref)
				if err != nil {
					return err
				}
				req.ExperimentIDs = append(req.ExperimentIDs, e.ExperimentID)
			}
			runs, err := mlflowclient.Collect(req.PageToken, limit, func(token string) ([]tracking.Run, string, error) {
				req.PageToken = token
				resp, err := cl.SearchRuns(conn.ctx(), &req)
				if err != nil {
					return nil, "", err
				}
				return resp.Runs, resp.NextPageToken, nil
			})
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, runs)
			}
			extra := orderColumns(orderBy)
			g := &grid{cols: []string{"run_id", "run_name", "experiment_id", "status", "started", "duration"}}
			g.cols = append(g.cols, extra...)
			for _, r := range runs {
				row := []any{r.Info.RunID, r.Info.RunName, r.Info.ExperimentID, string(r.Info.Status), fmtMillis(r.Info.StartTime), fmtDuration(r.Info.StartTime, r.Info.EndTime)}
				for _, k := range extra {
					row = append(row, runValue(&r, k))
				}
				g.rows = append(g.rows, row)
			}
			return printGrid(conn.a.stdout, output, g)
		},
	}
	c.Flags().StringArrayVarP(&exps, "experiment", "e", nil, "experiment ID or name (repeatable): list MLflow runs")
	c.Flags().StringVar(&job, "job", "", "job runs of this job only")
	c.Flags().StringArrayVar(&states, "state", nil, "job runs in this state (repeatable)")
	c.Flags().StringVar(&filter, "filter", "", "MLflow search filter, e.g. \"metrics.rmse < 0.5 and params.lr = '0.1'\"")
	c.Flags().StringArrayVar(&orderBy, "order-by", nil, "order, e.g. \"metrics.rmse ASC\" or \"start_time DESC\" (repeatable)")
	c.Flags().StringVar(&view, "view", "active", "which runs: active, deleted or all")
	c.Flags().IntVar(&limit, "max", 0, "list at most this many (default all)")
	addOutputFlag(c, &output)
	return c
}

// orderColumns returns the metrics.X and params.X keys named in order-by
// clauses, in order, without duplicates.
func orderColumns(orderBy []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range orderBy {
		f := strings.Fields(o)
		if len(f) == 0 {
			continue
		}
		k := strings.Trim(f[0], "`\"")
		if (strings.HasPrefix(k, "metrics.") || strings.HasPrefix(k, "params.")) && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// runValue returns a run's metrics.X or params.X value, or nil.
func runValue(r *tracking.Run, key string) any {
	if k, ok := strings.CutPrefix(key, "metrics."); ok {
		for _, m := range r.Data.Metrics {
			if m.Key == k {
				return jsonNumber(m.Value)
			}
		}
		return nil
	}
	k := strings.TrimPrefix(key, "params.")
	for _, p := range r.Data.Params {
		if p.Key == k {
			return p.Value
		}
	}
	return nil
}

// jsonNumber returns x, or its name when JSON cannot carry it.
func jsonNumber(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return x
}

func fmtDuration(start, end int64) string {
	if start == 0 || end == 0 || end < start {
		return ""
	}
	d := time.Duration(end-start) * time.Millisecond
	if d >= time.Second {
		d = d.Round(100 * time.Millisecond)
	}
	return d.String()
}

// getRun fetches a run by ID.
func getRun(conn *mlflowConn, id string) (*tracking.Run, error) {
	cl, err := conn.Client()
	if err != nil {
		return nil, err
	}
	resp, err := cl.GetRun(conn.ctx(), &tracking.GetRun{RunID: id})
	if err != nil {
		return nil, err
	}
	if resp.Run == nil {
		return nil, apierr.NotFound("run %s not found", id)
	}
	return resp.Run, nil
}

func runsShowCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "show RUN_ID",
		Short: "Show a job run (tasks, attempts, values) or an MLflow run (params, metrics, tags)",
		Long: `Show a run. A numeric ID is a job run: its state, each task attempt with
start, duration and message, and the task values; --output json prints
its timeline (every attempt with ready, start and end times, for a Gantt
view). A 32-hex ID is an MLflow run: status, params, latest metrics,
tags and inputs.`,
		Example: `  sluice runs show 42
  sluice runs show 42 --output json
  sluice runs show 1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0
  sluice runs show 1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0 --output json`,
		Args: exactArgs(1, "a run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			if id, ok := jobRunID(args[0]); ok {
				return conn.a.showJobRun(id, output)
			}
			r, err := getRun(conn, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, r)
			}
			in := r.Info
			kv := [][2]string{
				{"run_id", in.RunID}, {"run_name", in.RunName}, {"experiment_id", in.ExperimentID},
				{"status", string(in.Status)}, {"lifecycle_stage", in.LifecycleStage}, {"user_id", in.UserID},
				{"started", fmtMillis(in.StartTime)}, {"ended", fmtMillis(in.EndTime)},
				{"duration", fmtDuration(in.StartTime, in.EndTime)}, {"artifact_uri", in.ArtifactURI},
			}
			params := append([]tracking.Param(nil), r.Data.Params...)
			sort.Slice(params, func(i, j int) bool { return params[i].Key < params[j].Key })
			for _, p := range params {
				kv = append(kv, [2]string{"params." + p.Key, p.Value})
			}
			metrics := append([]tracking.Metric(nil), r.Data.Metrics...)
			sort.Slice(metrics, func(i, j int) bool { return metrics[i].Key < metrics[j].Key })
			for _, m := range metrics {
				kv = append(kv, [2]string{"metrics." + m.Key, display(jsonNumber(m.Value))})
			}
			tags := append([]tracking.RunTag(nil), r.Data.Tags...)
			sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
			for _, t := range tags {
				kv = append(kv, [2]string{"tags." + t.Key, t.Value})
			}
			for _, d := range r.Inputs.DatasetInputs {
				if d.Dataset != nil {
					kv = append(kv, [2]string{"inputs." + d.Dataset.Name, d.Dataset.SourceType + " " + d.Dataset.Source + " (digest " + d.Dataset.Digest + ")"})
				}
			}
			return printKV(conn.a.stdout, output, kv)
		},
	}
	addOutputFlag(c, &output)
	return c
}

// comparison is runs compare's JSON output.
type comparison struct {
	Runs []comparedRun    `json:"runs"`
	Rows []comparisonItem `json:"rows"`
}

type comparedRun struct {
	RunID   string `json:"run_id"`
	RunName string `json:"run_name"`
}

type comparisonItem struct {
	Kind    string `json:"kind"` // "param" or "metric"
	Key     string `json:"key"`
	Values  []any  `json:"values"` // one per run, null where absent
	Differs bool   `json:"differs"`
}

func runsCompareCmd(conn *mlflowConn) *cobra.Command {
	var output string
	var onlyDiff bool
	c := &cobra.Command{
		Use:   "compare RUN_ID RUN_ID…",
		Short: "Compare runs side by side: params and final metrics",
		Long: `Print the params and the final (latest) metric values of two or more
runs side by side, one column per run. Rows whose values differ between
the runs are marked with * (in JSON: "differs": true); --diff keeps only
those.`,
		Example: `  sluice runs compare 1f0c3a… 7b22d9…
  sluice runs compare 1f0c3a… 7b22d9… 9e41aa… --diff
  sluice runs compare 1f0c3a… 7b22d9… --output json`,
		Args: minArgs(2, "two or more run IDs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			runs := make([]*tracking.Run, len(args))
			for i, id := range args {
				r, err := getRun(conn, id)
				if err != nil {
					return err
				}
				runs[i] = r
			}
			cmp := compareRuns(runs)
			if onlyDiff {
				rows := cmp.Rows[:0]
				for _, r := range cmp.Rows {
					if r.Differs {
						rows = append(rows, r)
					}
				}
				cmp.Rows = rows
			}
			if output == "json" {
				return printJSON(conn.a.stdout, cmp)
			}
			g := &grid{cols: []string{"", "key"}}
			for _, r := range cmp.Runs {
				g.cols = append(g.cols, runLabel(r, cmp.Runs))
			}
			for _, it := range cmp.Rows {
				mark := ""
				if it.Differs {
					mark = "*"
				}
				row := []any{mark, it.Kind + "s." + it.Key}
				for _, v := range it.Values {
					if v == nil && output == "table" {
						v = "-"
					}
					row = append(row, v)
				}
				g.rows = append(g.rows, row)
			}
			return printGrid(conn.a.stdout, output, g)
		},
	}
	c.Flags().BoolVar(&onlyDiff, "diff", false, "show only the rows whose values differ")
	addOutputFlag(c, &output)
	return c
}

// runLabel names a run's column: its name when the names are unique,
// else its name and the start of its ID.
func runLabel(r comparedRun, all []comparedRun) string {
	short := r.RunID
	if len(short) > 8 {
		short = short[:8]
	}
	if r.RunName == "" {
		return short
	}
	n := 0
	for _, o := range all {
		if o.RunName == r.RunName {
			n++
		}
	}
	if n == 1 {
		return r.RunName
	}
	return r.RunName + " (" + short + ")"
}

// compareRuns lines up the params and latest metrics of runs by key:
// params first, then metrics, each sorted by key.
func compareRuns(runs []*tracking.Run) comparison {
	var c comparison
	params := map[string][]any{}
	metrics := map[string][]any{}
	for i, r := range runs {
		c.Runs = append(c.Runs, comparedRun{RunID: r.Info.RunID, RunName: r.Info.RunName})
		for _, p := range r.Data.Params {
			if params[p.Key] == nil {
				params[p.Key] = make([]any, len(runs))
			}
			params[p.Key][i] = p.Value
		}
		for _, m := range r.Data.Metrics {
			if metrics[m.Key] == nil {
				metrics[m.Key] = make([]any, len(runs))
			}
			metrics[m.Key][i] = jsonNumber(m.Value)
		}
	}
	add := func(kind string, m map[string][]any) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals := m[k]
			differs := false
			for _, v := range vals[1:] {
				if display(v) != display(vals[0]) || (v == nil) != (vals[0] == nil) {
					differs = true
				}
			}
			c.Rows = append(c.Rows, comparisonItem{Kind: kind, Key: k, Values: vals, Differs: differs})
		}
	}
	add("param", params)
	add("metric", metrics)
	if c.Rows == nil {
		c.Rows = []comparisonItem{}
	}
	return c
}

func runsDeleteCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "delete RUN_ID…",
		Short: "Delete runs (restorable with 'runs restore')",
		Example: `  sluice runs delete 1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0
  sluice runs delete $(sluice runs list -e churn --filter "status = 'FAILED'" -o json | jq -r '.[].info.run_id')`,
		Args: minArgs(1, "one or more run IDs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, false)
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			for _, id := range args {
				if _, err := cl.DeleteRun(conn.ctx(), &tracking.DeleteRun{RunID: id}); err != nil {
					return res.done(err)
				}
				res.add(map[string]any{"run_id": id, "lifecycle_stage": tracking.StageDeleted}, "deleted run %s\n", id)
			}
			return res.done(nil)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func runsRestoreCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "restore RUN_ID…",
		Short:   "Restore deleted runs",
		Example: `  sluice runs restore 1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0`,
		Args:    minArgs(1, "one or more run IDs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, false)
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			for _, id := range args {
				if _, err := cl.RestoreRun(conn.ctx(), &tracking.RestoreRun{RunID: id}); err != nil {
					return res.done(err)
				}
				res.add(map[string]any{"run_id": id, "lifecycle_stage": tracking.StageActive}, "restored run %s\n", id)
			}
			return res.done(nil)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func runsDownloadCmd(conn *mlflowConn) *cobra.Command {
	var path, dest, output string
	c := &cobra.Command{
		Use:   "download RUN_ID --dest DIR",
		Short: "Download a run's artifacts (all, or those under --path)",
		Long: `Copy a run's artifacts into --dest, recreating their tree. --path picks a
file or a directory under the run's artifact root (for example the logged
model, "model").`,
		Example: `  sluice runs download 1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0 --dest ./run-artifacts
  sluice runs download 1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0 --path model --dest ./churn-model`,
		Args: exactArgs(1, "a run ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, true)
			if err != nil {
				return err
			}
			if dest == "" {
				return usage(cmd, fmt.Errorf("--dest is required"))
			}
			r, err := getRun(conn, args[0])
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			p := strings.Trim(path, "/")
			if err := cl.DownloadArtifacts(conn.ctx(), r.Info.ArtifactURI, p, dest); err != nil {
				return err
			}
			what := "artifacts"
			if p != "" {
				what = p
			}
			res.add(map[string]any{"run_id": r.Info.RunID, "path": p, "dest": dest}, "downloaded %s of run %s to %s\n", what, r.Info.RunID, dest)
			return res.done(nil)
		},
	}
	c.Flags().StringVar(&path, "path", "", "artifact path under the run's root (default: everything)")
	c.Flags().StringVar(&dest, "dest", "", "local directory to write to (created if missing)")
	addOutputFlag(c, &output)
	return c
}
