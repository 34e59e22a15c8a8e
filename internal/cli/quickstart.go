package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/examples"
	"github.com/sluice-dev/sluice/ingest"
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
		Short: "Create a workspace, ingest the churn example and query it",
		Long: `Create (or reuse) the workspace, load the bundled telecom churn data
(5,000 customers, MIT licence) into the table churn, and run a few queries
over it. Running it again replaces the table's rows with a new version.`,
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
			fmt.Fprintf(a.stdout, `
Next:
  sluice --workspace %[1]s sql "SELECT * FROM churn LIMIT 5"
  sluice --workspace %[1]s tables describe churn
  sluice --workspace %[1]s tables history churn
  sluice --workspace %[1]s sql "SELECT count(*) FROM churn VERSION AS OF 1"
`, ws.Dir())
			return nil
		},
	}
}
