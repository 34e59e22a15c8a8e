package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/examples"
	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/state"
)

// quickstartAtRisk lists the test customers the new model scores most
// likely to churn.
const quickstartAtRisk = `SELECT customer_id, state, international_plan AS intl_plan,
       number_customer_service_calls AS service_calls,
       round(total_day_minutes) AS day_minutes,
       round(probability[2], 3) AS p_churn,
       CASE WHEN label = 1.0 THEN 'yes' ELSE 'no' END AS churned
FROM churn_scored ORDER BY p_churn DESC, customer_id LIMIT 10`

func (a *app) quickstartCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "quickstart",
		Short: "Create a workspace and run the churn pipeline job end to end",
		Long: `Create (or reuse) the workspace, write the churn example there
(examples/churn: the telecom churn data — 5,000 customers, MIT licence —
job.yaml and train.yaml), then deploy and run the job examples/churn/job.yaml
in this process:

  ingest    the CSV into the table churn
  features  SQL feature preparation into churn_features, split train/test
  fit       the Spark ML churn tutorial pipeline (a decision tree tuned by
            3-fold cross-validation), logged to tracking (experiment churn)
            and registered as the model churn with the alias champion
  score     batch-score the test customers into churn_scored
  report    publish the test AUC as a task value

It prints the test AUC, the ten customers most at risk and what to try
next. Running it again makes new table versions, a new run and a new
model version.`,
		Example: "  sluice quickstart\n  sluice --workspace /tmp/demo quickstart",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := a.open()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "workspace: %s\n\n", ws.Dir())
			dir := filepath.Join(ws.Dir(), "examples", "churn")
			for name, data := range map[string][]byte{
				"job.yaml": examples.ChurnJob, "train.yaml": examples.ChurnTrain, "pipeline.yaml": examples.ChurnPipeline,
				"request.json": examples.ChurnRequest, filepath.Join("data", "mlc_churn.csv"): examples.ChurnCSV,
			} {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					return err
				}
			}
			if err := copyFS(examples.Nightly, "nightly", filepath.Join(ws.Dir(), "examples", "nightly")); err != nil {
				return err
			}
			jobPath := filepath.Join(dir, "job.yaml")
			eng, err := a.jobsEngine(engineOptions{})
			if err != nil {
				return err
			}
			defer eng.Close()
			js, err := loadJobs([]string{jobPath})
			if err != nil {
				return err
			}
			dep, err := eng.Deploy(a.ctx, js)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "$ sluice jobs deploy %s\ndeployed job churn (version %d): ingest → features → fit → score → report\n\n", jobPath, dep[0].Version)
			st, err := a.jobsStore()
			if err != nil {
				return err
			}
			run, err := eng.Submit(a.ctx, "churn", jobs.SubmitOptions{Execute: true})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "$ sluice jobs run churn --wait\n")
			final, err := a.executeWithProgress(eng, st, run)
			if err != nil {
				return err
			}
			tl, err := eng.Timeline(a.ctx, final.ID)
			if err != nil {
				return err
			}
			printTimeline(a.stdout, tl)
			if final.State != state.RunSucceeded {
				return fmt.Errorf("the churn job's run %d %s: %s\nsee 'sluice --workspace %s runs logs %d'", final.ID, final.State, final.Message, ws.Dir(), final.ID)
			}
			fit, report := tl.Values["fit"], tl.Values["report"]
			auc, _ := strconv.ParseFloat(fmt.Sprint(report["test_auc"]), 64)
			fmt.Fprintf(a.stdout, "\nTest AUC (areaUnderROC on %v held-out customers): %.4f\n", report["test_customers"], auc)
			fmt.Fprintf(a.stdout, "Model: %v (tracking run %v), alias champion\n", fit["model_uri"], fit["run_id"])
			eng2, err := ws.SQL(a.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "\nThe ten test customers most at risk of churning:\n")
			if err := eng2.Query(a.ctx, quickstartAtRisk, func(rdr array.RecordReader) error {
				_, err := printRows(a.stdout, "table", rdr)
				return err
			}); err != nil {
				return fmt.Errorf("quickstart: customers at risk: %w", err)
			}
			fmt.Fprintf(a.stdout, `
Next:
  sluice --workspace %[1]s models serve models:/churn@champion --addr 127.0.0.1:5001
  curl -s 127.0.0.1:5001/invocations -H 'Content-Type: application/json' \
    -d @%[1]s/examples/churn/request.json
  sluice --workspace %[1]s runs show %[2]d                  # the job run: tasks, attempts, values
  sluice --workspace %[1]s runs logs %[2]d --task fit       # what the fit task printed
  sluice --workspace %[1]s runs list --experiment churn --order-by "metrics.areaUnderROC DESC"
  sluice --workspace %[1]s models show churn
  sluice --workspace %[1]s sql "SELECT * FROM churn_scored LIMIT 5"
  sluice --workspace %[1]s tables history churn
  sluice --workspace %[1]s server       # MLflow-compatible tracking, registry, serving, and the job scheduler on :8080
  sluice --workspace %[1]s jobs run %[1]s/examples/nightly/job.yaml --wait   # retries, task values, for_each, alerts
`, ws.Dir(), final.ID)
			return nil
		},
	}
}

// copyFS copies the files under dir of fsys into dst (executable when
// their names end in .sh or .py).
func copyFS(fsys fs.FS, dir, dst string) error {
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(p, ".sh") || strings.HasSuffix(p, ".py") {
			mode = 0o755
		}
		return os.WriteFile(out, data, mode)
	})
}
