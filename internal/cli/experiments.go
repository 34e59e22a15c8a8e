package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/tracking"
)

func (a *app) experimentsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "experiments",
		Aliases: []string{"experiment", "exp"},
		Short:   "MLflow experiments: list, show, create, rename, delete, restore",
		Long: `Manage the experiments of the tracking store — the workspace's, in
process, or a running server's with --tracking-uri (or SLUICE_TRACKING_URI).
An experiment is named by its ID or its name.`,
		Example: `  sluice experiments list
  sluice experiments create churn --tag team=growth
  sluice experiments show churn --output json
  sluice experiments rename churn churn-v2
  sluice experiments delete churn-v2
  sluice experiments list --view deleted --tracking-uri http://127.0.0.1:8080`,
	}
	conn := a.addTrackingFlag(c)
	c.AddCommand(expListCmd(conn), expShowCmd(conn), expCreateCmd(conn), expRenameCmd(conn),
		expDeleteCmd(conn), expRestoreCmd(conn))
	return c
}

// viewType parses a --view flag.
func viewType(s string) (tracking.ViewType, error) {
	switch strings.ToLower(s) {
	case "active", "":
		return tracking.ActiveOnly, nil
	case "deleted":
		return tracking.DeletedOnly, nil
	case "all":
		return tracking.All, nil
	}
	return "", fmt.Errorf("--view %q: use active, deleted or all", s)
}

func expListCmd(conn *mlflowConn) *cobra.Command {
	var output, view, filter string
	var orderBy []string
	var limit int
	c := &cobra.Command{
		Use:   "list",
		Short: "List experiments",
		Long: `List experiments, newest first unless --order-by says otherwise. --filter
takes MLflow's search syntax over name, tags and times, e.g.
"name LIKE 'churn%'" or "tags.team = 'growth'".`,
		Example: `  sluice experiments list
  sluice experiments list --filter "name LIKE 'churn%'" --order-by "name ASC"
  sluice experiments list --view all --output json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			vt, err := viewType(view)
			if err != nil {
				return usage(cmd, err)
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			req := tracking.SearchExperiments{Filter: filter, OrderBy: orderBy, ViewType: vt, MaxResults: 1000}
			exps, err := mlflowclient.Collect("", limit, func(token string) ([]tracking.Experiment, string, error) {
				req.PageToken = token
				resp, err := cl.SearchExperiments(conn.ctx(), &req)
				if err != nil {
					return nil, "", err
				}
				return resp.Experiments, resp.NextPageToken, nil
			})
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, exps)
			}
			g := &grid{cols: []string{"experiment_id", "name", "lifecycle_stage", "created", "artifact_location"}}
			for _, e := range exps {
				g.rows = append(g.rows, []any{e.ExperimentID, e.Name, e.LifecycleStage, fmtMillis(e.CreationTime), e.ArtifactLocation})
			}
			return printGrid(conn.a.stdout, output, g)
		},
	}
	c.Flags().StringVar(&view, "view", "active", "which experiments: active, deleted or all")
	c.Flags().StringVar(&filter, "filter", "", "MLflow search filter, e.g. \"name LIKE 'churn%'\"")
	c.Flags().StringArrayVar(&orderBy, "order-by", nil, "order, e.g. \"name ASC\" or \"creation_time DESC\" (repeatable)")
	c.Flags().IntVar(&limit, "max", 0, "list at most this many (default all)")
	addOutputFlag(c, &output)
	return c
}

func expShowCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "show EXPERIMENT",
		Short: "Show an experiment's details and tags",
		Example: `  sluice experiments show churn
  sluice experiments show 1 --output json`,
		Args: exactArgs(1, "an experiment ID or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			e, err := findExperiment(conn, cl, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, e)
			}
			kv := [][2]string{
				{"experiment_id", e.ExperimentID}, {"name", e.Name}, {"lifecycle_stage", e.LifecycleStage},
				{"artifact_location", e.ArtifactLocation}, {"created", fmtMillis(e.CreationTime)}, {"last_updated", fmtMillis(e.LastUpdateTime)},
			}
			for _, t := range e.Tags {
				kv = append(kv, [2]string{"tags." + t.Key, t.Value})
			}
			return printKV(conn.a.stdout, output, kv)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func expCreateCmd(conn *mlflowConn) *cobra.Command {
	var output, location string
	var tags []string
	c := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an experiment",
		Example: `  sluice experiments create churn
  sluice experiments create churn --tag team=growth --tag owner=ana`,
		Args: exactArgs(1, "an experiment name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			req := tracking.CreateExperiment{Name: args[0], ArtifactLocation: location}
			for _, t := range tags {
				k, v, ok := strings.Cut(t, "=")
				if !ok || k == "" {
					return usage(cmd, fmt.Errorf("--tag %q: want KEY=VALUE", t))
				}
				req.Tags = append(req.Tags, tracking.ExperimentTag{Key: k, Value: v})
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			resp, err := cl.CreateExperiment(conn.ctx(), &req)
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, resp)
			}
			fmt.Fprintf(conn.a.stdout, "created experiment %s (id %s)\n", args[0], resp.ExperimentID)
			return nil
		},
	}
	c.Flags().StringArrayVar(&tags, "tag", nil, "tag KEY=VALUE (repeatable)")
	c.Flags().StringVar(&location, "artifact-location", "", "artifact root of the experiment's runs (default: the server's, mlflow-artifacts:/ID)")
	addOutputFlag(c, &output)
	return c
}

func expRenameCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "rename EXPERIMENT NEW_NAME",
		Short:   "Rename an experiment",
		Example: `  sluice experiments rename churn churn-2026`,
		Args:    exactArgs(2, "an experiment and its new name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, true)
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			e, err := findExperiment(conn, cl, args[0])
			if err != nil {
				return err
			}
			req := tracking.UpdateExperiment{ExperimentID: e.ExperimentID, NewName: args[1]}
			if _, err := cl.UpdateExperiment(conn.ctx(), &req); err != nil {
				return err
			}
			res.add(map[string]any{"experiment_id": e.ExperimentID, "old_name": e.Name, "name": args[1]},
				"renamed experiment %s (id %s) to %s\n", e.Name, e.ExperimentID, args[1])
			return res.done(nil)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func expDeleteCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "delete EXPERIMENT…",
		Short: "Delete experiments (restorable with 'experiments restore')",
		Long: `Mark experiments and their runs deleted. They stay in the store, hidden
from listings, until restored.`,
		Example: `  sluice experiments delete churn
  sluice experiments delete 3 4`,
		Args: minArgs(1, "an experiment ID or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return expLifecycle(cmd, conn, output, args, tracking.StageDeleted, func(cl *mlflowclient.Client, id string) error {
				_, err := cl.DeleteExperiment(conn.ctx(), &tracking.DeleteExperiment{ExperimentID: id})
				return err
			})
		},
	}
	addOutputFlag(c, &output)
	return c
}

func expRestoreCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "restore EXPERIMENT…",
		Short:   "Restore deleted experiments",
		Example: `  sluice experiments restore churn`,
		Args:    minArgs(1, "an experiment ID or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return expLifecycle(cmd, conn, output, args, tracking.StageActive, func(cl *mlflowclient.Client, id string) error {
				_, err := cl.RestoreExperiment(conn.ctx(), &tracking.RestoreExperiment{ExperimentID: id})
				return err
			})
		},
	}
	addOutputFlag(c, &output)
	return c
}

// expLifecycle applies op (delete or restore) to each referenced
// experiment, which then is in lifecycle stage stage.
func expLifecycle(cmd *cobra.Command, conn *mlflowConn, output string, refs []string, stage string, op func(cl *mlflowclient.Client, id string) error) error {
	res, err := newResults(cmd, conn, output, false)
	if err != nil {
		return err
	}
	cl, err := conn.Client()
	if err != nil {
		return err
	}
	verb := map[string]string{tracking.StageDeleted: "deleted", tracking.StageActive: "restored"}[stage]
	for _, ref := range refs {
		e, err := findExperiment(conn, cl, ref)
		if err != nil {
			return res.done(err)
		}
		if err := op(cl, e.ExperimentID); err != nil {
			return res.done(err)
		}
		res.add(map[string]any{"experiment_id": e.ExperimentID, "name": e.Name, "lifecycle_stage": stage},
			"%s experiment %s (id %s)\n", verb, e.Name, e.ExperimentID)
	}
	return res.done(nil)
}

// results is what a command that changes things reports: a line per
// change as it happens, or with --output json one JSON object (single) or
// a list of them, printed at the end — also when a later change fails.
type results struct {
	w      io.Writer
	json   bool
	single bool
	items  []map[string]any
}

// newResults checks --output and returns the command's results.
func newResults(cmd *cobra.Command, conn *mlflowConn, output string, single bool) (*results, error) {
	if err := checkOutput(output); err != nil {
		return nil, usage(cmd, err)
	}
	return &results{w: conn.a.stdout, json: output == "json", single: single}, nil
}

// add records a change: item for JSON, else the formatted line.
func (r *results) add(item map[string]any, format string, args ...any) {
	if r.json {
		r.items = append(r.items, item)
		return
	}
	fmt.Fprintf(r.w, format, args...)
}

// done prints the JSON results, if any, and returns err.
func (r *results) done(err error) error {
	if !r.json || (r.single && len(r.items) == 0) {
		return err
	}
	var v any = r.items
	if r.single {
		v = r.items[0]
	} else if r.items == nil {
		v = []any{}
	}
	if perr := printJSON(r.w, v); err == nil {
		err = perr
	}
	return err
}

// findExperiment resolves an experiment reference: an ID when ref is all
// digits and such an experiment exists, else a name.
func findExperiment(conn *mlflowConn, cl *mlflowclient.Client, ref string) (*tracking.Experiment, error) {
	if ref == "" {
		return nil, apierr.Invalid("empty experiment name")
	}
	if isDigits(ref) {
		resp, err := cl.GetExperiment(conn.ctx(), &tracking.GetExperiment{ExperimentID: ref})
		if err == nil && resp.Experiment != nil {
			return resp.Experiment, nil
		}
		if !apierr.IsNotFound(err) {
			return nil, err
		}
	}
	resp, err := cl.GetExperimentByName(conn.ctx(), &tracking.GetExperimentByName{ExperimentName: ref})
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil, apierr.NotFound("no experiment with ID or name %q", ref).WithHint("list them with 'sluice experiments list --view all'")
		}
		return nil, err
	}
	if resp.Experiment == nil {
		return nil, apierr.NotFound("no experiment with ID or name %q", ref)
	}
	return resp.Experiment, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usage(cmd, fmt.Errorf("want %s", what))
		}
		return nil
	}
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printKV prints key-value pairs: aligned lines for table, a two-column
// CSV for csv.
func printKV(w io.Writer, output string, kv [][2]string) error {
	if output == "csv" {
		g := &grid{cols: []string{"key", "value"}}
		for _, p := range kv {
			g.rows = append(g.rows, []any{p[0], p[1]})
		}
		return printGrid(w, output, g)
	}
	width := 0
	for _, p := range kv {
		width = max(width, len(p[0]))
	}
	for _, p := range kv {
		fmt.Fprintf(w, "%-*s  %s\n", width, p[0], strings.ReplaceAll(p[1], "\n", `\n`))
	}
	return nil
}

// fmtMillis formats ms since the epoch as local time; 0 is "".
func fmtMillis(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).Format("2006-01-02 15:04:05")
}
