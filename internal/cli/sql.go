package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"
)

func (a *app) sqlCmd() *cobra.Command {
	var file, output, out string
	cmd := &cobra.Command{
		Use:   "sql [STATEMENTS]",
		Short: "Run SQL over the workspace's tables and raw files (DuckDB)",
		Long: `Run one or more SQL statements (separated by ;) on embedded DuckDB.

Every table of the workspace is queryable by name (namespace.table, or just
table for the default namespace); raw files too ('data/*.csv', 'x.parquet').
Time travel: FROM t VERSION AS OF 3, FROM t TIMESTAMP AS OF '2026-11-20 10:00:00'.
Writes commit Iceberg versions: CREATE TABLE [AS], INSERT INTO, DELETE,
UPDATE, TRUNCATE, DROP TABLE.

The SQL comes from the argument, from -f FILE, or from standard input.`,
		Example: `  sluice sql "SELECT state, count(*) FROM churn GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
  sluice sql "SELECT * FROM churn VERSION AS OF 1 LIMIT 3" --output json
  sluice sql "CREATE TABLE big_spenders AS SELECT * FROM churn WHERE total_day_charge > 40"
  sluice sql "DELETE FROM churn WHERE state = 'CA'"
  sluice sql -f report.sql --output csv > report.csv
  sluice sql "SELECT * FROM 'data/*.csv'" --out result.parquet`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			var script string
			switch {
			case len(args) == 1 && file != "":
				return usage(cmd, fmt.Errorf("give the SQL as an argument or with -f, not both"))
			case len(args) == 1:
				script = args[0]
			case file != "":
				b, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				script = string(b)
			default:
				b, err := io.ReadAll(a.stdin)
				if err != nil {
					return err
				}
				script = string(b)
			}
			if strings.TrimSpace(script) == "" {
				return usage(cmd, fmt.Errorf("no SQL given"))
			}
			ws, err := a.open()
			if err != nil {
				return err
			}
			eng, err := ws.SQL(a.ctx)
			if err != nil {
				return err
			}
			if out != "" {
				n, err := eng.CopyTo(a.ctx, script, out)
				if err != nil {
					return prefixFile(file, err)
				}
				fmt.Fprintf(a.stderr, "wrote %s to %s\n", plural(n, "row"), out)
				return nil
			}
			first := true
			results, err := eng.Exec(a.ctx, script, func(_ string, rdr array.RecordReader) error {
				if !first && output == "table" {
					fmt.Fprintln(a.stdout)
				}
				first = false
				_, err := printRows(a.stdout, output, rdr)
				return err
			})
			for _, r := range results {
				if msg := r.Summary(); msg != "" {
					fmt.Fprintln(a.stderr, msg)
				}
			}
			return prefixFile(file, err)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the SQL from this file")
	addOutputFlag(cmd, &output)
	cmd.Flags().StringVar(&out, "out", "", "write the (single) query's result to this Parquet file instead")
	return cmd
}

func prefixFile(file string, err error) error {
	if err == nil || file == "" {
		return err
	}
	return fmt.Errorf("%s: %w", file, err)
}
