package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/examples"
	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/spec"
	"github.com/sluice-dev/sluice/mlrun"
	"github.com/sluice-dev/sluice/table"
)

// quickstartQueries are the queries the quickstart runs, with a title each.
var quickstartQueries = []struct{ title, sql string }{
	{"How many customers churned?", `SELECT churn, count(*) AS customers, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM churn GROUP BY churn ORDER BY customers DESC`},
	{"Churn rate by international plan", `SELECT international_plan, count(*) AS customers,
       round(100.0 * avg(CASE WHEN churn = 'yes' THEN 1 ELSE 0 END), 1) AS churn_pct
FROM churn GROUP BY 1 ORDER BY 1`},
	{"Customer-service calls are a warning sign", `SELECT number_customer_service_calls AS service_calls, count(*) AS customers,
       round(100.0 * avg(CASE WHEN churn = 'yes' THEN 1 ELSE 0 END), 1) AS churn_pct
FROM churn GROUP BY 1 ORDER BY 1`},
	{"States with the highest churn (at least 80 customers)", `SELECT state, count(*) AS customers,
       round(100.0 * avg(CASE WHEN churn = 'yes' THEN 1 ELSE 0 END), 1) AS churn_pct
FROM churn GROUP BY state HAVING count(*) >= 80 ORDER BY churn_pct DESC LIMIT 5`},
}

func (a *app) quickstartCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "quickstart",
		Short: "Create a workspace, ingest the churn example, query it and fit a model",
		Long: `Create (or reuse) the workspace, load the bundled telecom churn data
(5,000 customers, MIT licence) into the table churn, run a few queries
over it, and fit the Spark ML churn tutorial pipeline (a decision tree
tuned by cross-validation, examples/churn/pipeline.yaml), saving the model
under models/churn in the workspace. The fit is logged to the workspace's
tracking store (experiment churn: a parent run and one child run per grid
combination) and the model is registered as churn with the alias
champion, ready for 'sluice models serve models:/churn@champion'. Running
it again replaces the table's rows with a new version, refits the model
and registers a new version.`,
		Example: "  sluice quickstart\n  sluice --workspace /tmp/demo quickstart",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := a.open()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "workspace: %s\n\n", ws.Dir())
			dir := filepath.Join(ws.Dir(), "examples", "churn")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			csvPath := filepath.Join(dir, "mlc_churn.csv")
			if err := os.WriteFile(csvPath, examples.ChurnCSV, 0o644); err != nil {
				return err
			}
			eng, err := ws.SQL(a.ctx)
			if err != nil {
				return err
			}
			id := table.Ident{Namespace: table.DefaultNamespace, Name: "churn"}
			mode := "append"
			if ok, err := ws.Tables().Exists(a.ctx, id); err != nil {
				return err
			} else if ok {
				mode = "overwrite"
			}
			sum, err := ingest.Run(a.ctx, eng, []string{csvPath}, ingest.Options{Table: id, Mode: mode})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "$ sluice ingest %s --table churn\ningested %s into %s (version %d) in %.2fs\n",
				csvPath, plural(sum.RowsWritten, "row"), id, sum.Version, sum.Duration.Seconds())
			for _, q := range quickstartQueries {
				fmt.Fprintf(a.stdout, "\n-- %s\n", q.title)
				if err := eng.Query(a.ctx, q.sql, func(rdr array.RecordReader) error {
					_, err := printRows(a.stdout, "table", rdr)
					return err
				}); err != nil {
					return fmt.Errorf("quickstart query %q: %w", q.title, err)
				}
			}
			if err := a.quickstartML(dir); err != nil {
				return fmt.Errorf("quickstart ML step: %w", err)
			}
			fmt.Fprintf(a.stdout, `
Next:
  sluice --workspace %[1]s runs list --experiment churn --order-by "metrics.avg_areaUnderROC DESC"
  sluice --workspace %[1]s models show churn
  sluice --workspace %[1]s models serve models:/churn@champion --addr 127.0.0.1:5001
  curl -s 127.0.0.1:5001/invocations -H 'Content-Type: application/json' \
    -d @%[1]s/examples/churn/request.json
  sluice --workspace %[1]s server            # MLflow-compatible tracking server and model registry on :8080
  sluice --workspace %[1]s ml describe %[1]s/models/churn
  sluice --workspace %[1]s ml transform %[1]s/models/churn --table churn --into churn_scored
  sluice --workspace %[1]s sql "SELECT state, churn, probability[2] AS p_churn FROM churn_scored ORDER BY p_churn DESC LIMIT 10"
  sluice --workspace %[1]s sql "SELECT * FROM churn LIMIT 5"
  sluice --workspace %[1]s tables describe churn
  sluice --workspace %[1]s tables history churn
  sluice --workspace %[1]s sql "SELECT count(*) FROM churn VERSION AS OF 1"
`, ws.Dir())
			return nil
		},
	}
}

// quickstartML fits the churn tutorial pipeline (decision tree tuned by
// cross-validation) and saves the model under the workspace.
func (a *app) quickstartML(dir string) error {
	ws, err := a.open()
	if err != nil {
		return err
	}
	dataDir := filepath.Join(dir, "data")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dataDir, "mlc_churn.csv"), examples.ChurnCSV, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "request.json"), examples.ChurnRequest, 0o644); err != nil {
		return err
	}
	specPath := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(specPath, examples.ChurnPipeline, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\n$ sluice ml fit %s --out %s\n", specPath, filepath.Join(ws.Dir(), "models", "churn"))
	sp, err := spec.ParseFile(specPath)
	if err != nil {
		return err
	}
	reg, _, err := a.mlRegistry()
	if err != nil {
		return err
	}
	plan, err := sp.Build(reg)
	if err != nil {
		return err
	}
	res, err := plan.Run(a.ctx, ws, nil)
	if err != nil {
		return err
	}
	out := filepath.Join(ws.Dir(), "models", "churn")
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := ml.Save(out, res.Model); err != nil {
		return err
	}
	best := res.Tuning.Results[res.Tuning.BestIndex]
	var params []string
	for k, v := range best.Params {
		params = append(params, fmt.Sprintf("%s=%v", k, v))
	}
	sortStrings(params)
	fmt.Fprintf(a.stdout, "decision tree tuned by 3-fold cross-validation: best %s (CV areaUnderROC %.3f ± %.3f)\n", strings.Join(params, ", "), best.Mean, best.Std)
	fmt.Fprintf(a.stdout, "test set (%d customers): areaUnderROC %.3f, accuracy %.3f; model saved to %s\n",
		res.TestRows, res.Metrics["areaUnderROC"], res.Metrics["accuracy"], out)

	// Log the fit (a parent run, one child run per grid combination) and
	// register the model as churn@champion in the workspace's tracking
	// server, in-process.
	cl, err := a.mlflowClient("")
	if err != nil {
		return err
	}
	logged, err := mlrun.LogFit(a.ctx, cl, mlrun.Options{
		Experiment: "churn", RunName: "quickstart", Result: res, Plan: plan, SluiceVersion: Version,
		RegisterModel: "churn", Alias: "champion",
	})
	if err != nil {
		return fmt.Errorf("log the fit to tracking: %w", err)
	}
	fmt.Fprintf(a.stdout, "logged run %s (experiment churn, %d child runs, one per combination); registered %s (models:/churn/%s)\n",
		logged.RunID, len(logged.ChildRunIDs), logged.RegisteredURI, logged.ModelVersion)
	return nil
}
