package cli

import (
	"fmt"
	"io"
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
	var movielens bool
	var mlData string
	c := &cobra.Command{
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
model version.

It also copies the other examples into the workspace (nightly, movielens,
spam, anomaly). When MovieLens data is at hand (examples/movielens/get-data.sh)
it offers the recommendation pipeline next — asking on a terminal — and
--movielens runs that job directly: ingest movies ∥ ratings, fit ALS on
80 % of the ratings (RMSE on the rest, registered movielens@champion) and
write every user's top 10 unseen movies into movielens.recommendations.`,
		Example: "  sluice quickstart\n  sluice --workspace /tmp/demo quickstart\n  sluice quickstart --movielens      # after examples/movielens/get-data.sh",
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
			for _, ex := range []string{"movielens", "spam", "anomaly"} {
				if err := copyFS(examples.FS, ex, filepath.Join(ws.Dir(), "examples", ex)); err != nil {
					return err
				}
			}
			if movielens {
				return a.quickstartMovieLens(ws.Dir(), mlData)
			}
			final, tl, err := a.runExampleJob(filepath.Join(dir, "job.yaml"), "churn", "ingest → features → fit → score → report", ws.Dir())
			if err != nil {
				return err
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
  sluice --workspace %[1]s jobs run %[1]s/examples/anomaly/job.yaml --wait   # KMeans anomaly detection
`, ws.Dir(), final.ID)
			return a.offerMovieLens(ws.Dir(), mlData)
		},
	}
	c.Flags().BoolVar(&movielens, "movielens", false, "run the MovieLens recommendation job (examples/movielens) instead of the churn one")
	c.Flags().StringVar(&mlData, "movielens-data", "", "directory holding MovieLens ratings.csv and movies.csv (default: examples/movielens/data here, else in the workspace)")
	return c
}

// runExampleJob deploys the job file jobPath and runs it here, with a
// progress bar on a terminal, printing the run's tasks and values; a run
// that did not succeed is an error saying where its logs are.
func (a *app) runExampleJob(jobPath, name, shape, wsDir string) (*state.Run, *jobs.Timeline, error) {
	eng, err := a.jobsEngine(engineOptions{})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	js, err := loadJobs([]string{jobPath})
	if err != nil {
		return nil, nil, err
	}
	dep, err := eng.Deploy(a.ctx, js)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(a.stdout, "$ sluice jobs deploy %s\ndeployed job %s (version %d): %s\n\n", jobPath, name, dep[0].Version, shape)
	st, err := a.jobsStore()
	if err != nil {
		return nil, nil, err
	}
	run, err := eng.Submit(a.ctx, name, jobs.SubmitOptions{Execute: true})
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(a.stdout, "$ sluice jobs run %s --wait\n", name)
	final, err := a.executeWithProgress(eng, st, run)
	if err != nil {
		return nil, nil, err
	}
	tl, err := eng.Timeline(a.ctx, final.ID)
	if err != nil {
		return nil, nil, err
	}
	printTimeline(a.stdout, tl)
	if final.State != state.RunSucceeded {
		return nil, nil, fmt.Errorf("the %s job's run %d %s: %s\nsee 'sluice --workspace %s runs logs %d'", name, final.ID, final.State, final.Message, wsDir, final.ID)
	}
	return final, tl, nil
}

// movieLensData returns the directory holding MovieLens's ratings.csv and
// movies.csv: dir when given, else examples/movielens/data under the
// current directory (a source checkout after get-data.sh), else the
// workspace's copy of the example; "" when there is none.
func movieLensData(dir, wsDir string) string {
	cands := []string{dir}
	if dir == "" {
		cands = []string{filepath.Join("examples", "movielens", "data"), filepath.Join(wsDir, "examples", "movielens", "data")}
	}
	for _, d := range cands {
		if fileExists(filepath.Join(d, "ratings.csv")) && fileExists(filepath.Join(d, "movies.csv")) {
			return d
		}
	}
	return ""
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// offerMovieLens follows the churn quickstart: with MovieLens data at
// hand it offers to run the recommendation job (asking on a terminal),
// else it says how to get the data.
func (a *app) offerMovieLens(wsDir, dataDir string) error {
	data := movieLensData(dataDir, wsDir)
	if data == "" {
		fmt.Fprintf(a.stdout, `
Recommendations next: get MovieLens (latest-small, from Debian's r-cran-dslabs) with
  examples/movielens/get-data.sh          # or: get-data.sh --synthetic 1000000
then run the ALS recommendation job with
  sluice --workspace %s quickstart --movielens
`, wsDir)
		return nil
	}
	fmt.Fprintf(a.stdout, "\nMovieLens ratings found in %s: the recommendation pipeline (ALS, RMSE, top-10 per user) runs with\n  sluice --workspace %s quickstart --movielens\n", data, wsDir)
	in, ok := a.stdin.(*os.File)
	if !ok || !isTerminal(in) || !isTerminal(a.stdout) {
		return nil
	}
	fmt.Fprint(a.stdout, "Run it now? [y/N] ")
	var answer string
	fmt.Fscanln(a.stdin, &answer)
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return nil
	}
	fmt.Fprintln(a.stdout)
	return a.quickstartMovieLens(wsDir, data)
}

// quickstartMovieLens copies the MovieLens data next to the workspace's
// copy of examples/movielens and runs its job: ingest, ALS fit (logged,
// registered movielens@champion), top-10 recommendations per user.
func (a *app) quickstartMovieLens(wsDir, dataDir string) error {
	data := movieLensData(dataDir, wsDir)
	if data == "" {
		where := dataDir
		if where == "" {
			where = "examples/movielens/data (here or in the workspace)"
		}
		return fmt.Errorf("quickstart --movielens: no ratings.csv and movies.csv in %s; run examples/movielens/get-data.sh (MovieLens latest-small from Debian's r-cran-dslabs) or 'sluice examples generate movielens --out examples/movielens/data', or give --movielens-data DIR", where)
	}
	dir := filepath.Join(wsDir, "examples", "movielens")
	dst := filepath.Join(dir, "data")
	if abs1, _ := filepath.Abs(data); abs1 != dst {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		for _, f := range []string{"ratings.csv", "movies.csv"} {
			if err := copyFile(filepath.Join(data, f), filepath.Join(dst, f)); err != nil {
				return fmt.Errorf("quickstart --movielens: %w", err)
			}
		}
	}
	final, tl, err := a.runExampleJob(filepath.Join(dir, "job.yaml"), "movielens", "namespace → movies ∥ ratings → fit → recommend → recommendations → show", wsDir)
	if err != nil {
		return err
	}
	fit, recs := tl.Values["fit"], tl.Values["recommendations"]
	rmse, _ := strconv.ParseFloat(fmt.Sprint(fit["rmse"]), 64)
	fmt.Fprintf(a.stdout, "\nTest RMSE (ALS on 80 %% of the ratings, the rest held out): %.4f\n", rmse)
	fmt.Fprintf(a.stdout, "Model: %v (tracking run %v), alias champion; %v users got %v recommendations\n", fit["model_uri"], fit["run_id"], recs["users"], recs["recommendations"])
	eng, err := a.ws.SQL(a.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nUser 1's top 10:\n")
	if err := eng.Query(a.ctx, "SELECT rank, movieId, title, round(score, 2) AS score FROM movielens.recommendations WHERE userId = 1 ORDER BY rank", func(rdr array.RecordReader) error {
		_, err := printRows(a.stdout, "table", rdr)
		return err
	}); err != nil {
		return fmt.Errorf("quickstart: user 1's recommendations: %w", err)
	}
	fmt.Fprintf(a.stdout, `
Next:
  sluice --workspace %[1]s runs show %[2]d
  sluice --workspace %[1]s sql "SELECT * FROM movielens.recommendations WHERE userId = 42"
  sluice --workspace %[1]s ml recommend models:/movielens@champion --for items --k 5 --ids "SELECT 1"
  sluice --workspace %[1]s ml frames models:/movielens@champion itemFactors --into movielens.item_factors
  sluice --workspace %[1]s jobs run %[1]s/examples/movielens/job.yaml --wait --param user=42
`, wsDir, final.ID)
	return nil
}

// copyFile copies src to dst through a temporary file renamed into place.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
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
