package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/table"
)

func (a *app) tablesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tables",
		Short: "Create, inspect, change and maintain Iceberg tables",
		Example: `  sluice tables create sales.orders --schema "id BIGINT NOT NULL, amount DECIMAL(18,2), ts TIMESTAMP" --partition-by 'day(ts)'
  sluice tables list
  sluice tables describe sales.orders
  sluice tables history sales.orders
  sluice tables rollback sales.orders --to-version 3`,
	}
	cmd.AddCommand(a.tablesCreate(), a.tablesList(), a.tablesDescribe(), a.tablesDrop(), a.tablesHistory(),
		a.tablesRollback(), a.tablesAppend(), a.tablesOverwrite(), a.tablesDelete(), a.tablesCompact(),
		a.tablesExpire(), a.tablesOrphans())
	return cmd
}

func (a *app) loadTable(name string) (*table.Table, error) {
	id, err := parseIdent(name)
	if err != nil {
		return nil, err
	}
	ws, err := a.open()
	if err != nil {
		return nil, err
	}
	return ws.Tables().Load(a.ctx, id)
}

func (a *app) tablesCreate() *cobra.Command {
	var schema, partition string
	var props []string
	var ifNotExists bool
	cmd := &cobra.Command{
		Use:   "create NAME --schema COLUMNS",
		Short: "Create an empty table",
		Example: `  sluice tables create sales.orders --schema "id BIGINT NOT NULL, amount DECIMAL(18,2), ts TIMESTAMP"
  sluice tables create events --schema "ts TIMESTAMPTZ, user_id BIGINT, kind VARCHAR" --partition-by 'day(ts), bucket(16, user_id)'
  sluice tables create t --schema "x INT" --property write.target-file-size-bytes=134217728`,
		Args: exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseIdent(args[0])
			if err != nil {
				return usage(cmd, err)
			}
			if schema == "" {
				return usage(cmd, fmt.Errorf("--schema is required, e.g. --schema \"id BIGINT, name VARCHAR\""))
			}
			cols, err := table.ParseSchema(schema)
			if err != nil {
				return usage(cmd, fmt.Errorf("--schema: %w", err))
			}
			spec, err := table.ParsePartitionSpec(partition)
			if err != nil {
				return usage(cmd, err)
			}
			opts := table.CreateOptions{Partition: spec, IfNotExists: ifNotExists, Properties: map[string]string{}}
			for _, p := range props {
				k, v, ok := strings.Cut(p, "=")
				if !ok || k == "" {
					return usage(cmd, fmt.Errorf("--property %q: want key=value", p))
				}
				opts.Properties[k] = v
			}
			sc, err := table.NewSchema(cols)
			if err != nil {
				return err
			}
			ws, err := a.open()
			if err != nil {
				return err
			}
			if _, err := ws.Tables().CreateTable(a.ctx, id, sc, opts); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "created %s\n", id)
			return nil
		},
	}
	cmd.Flags().StringVar(&schema, "schema", "", `columns, e.g. "id BIGINT NOT NULL, name VARCHAR"`)
	cmd.Flags().StringVar(&partition, "partition-by", "", "partition spec: col, year|month|day|hour(col), bucket(n, col), truncate(w, col)")
	cmd.Flags().StringArrayVar(&props, "property", nil, "Iceberg table property key=value (repeatable)")
	cmd.Flags().BoolVar(&ifNotExists, "if-not-exists", false, "do nothing if the table exists")
	return cmd
}

func (a *app) tablesList() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list [NAMESPACE]",
		Short:   "List tables",
		Example: "  sluice tables list\n  sluice tables list sales --output json",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			ws, err := a.open()
			if err != nil {
				return err
			}
			ns := ""
			if len(args) == 1 {
				ns = args[0]
			}
			ids, err := ws.Tables().List(a.ctx, ns)
			if err != nil {
				return err
			}
			g := &grid{cols: []string{"table", "version", "rows", "files", "size_bytes", "last_updated"}}
			for _, id := range ids {
				t, err := ws.Tables().Load(a.ctx, id)
				if err != nil {
					return err
				}
				d := t.Describe()
				g.rows = append(g.rows, []any{id.String(), d.CurrentVersion, d.Rows, d.Files, d.SizeBytes, d.LastUpdated.Format(time.RFC3339)})
			}
			return printGrid(a.stdout, output, g)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func (a *app) tablesDescribe() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "describe NAME",
		Short:   "Show a table's schema, partitioning, properties, version and size",
		Example: "  sluice tables describe sales.orders\n  sluice tables describe sales.orders --output json",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			t, err := a.loadTable(args[0])
			if err != nil {
				return err
			}
			d := t.Describe()
			var parts []string
			for _, p := range d.Partition {
				parts = append(parts, p.String())
			}
			cols := &grid{cols: []string{"column", "type", "nullable", "field_id"}}
			for _, f := range d.Schema.Fields() {
				cols.rows = append(cols.rows, []any{f.Name, table.SQLType(f.Type), !f.Required, f.ID})
			}
			if output == "json" {
				fmt.Fprintf(a.stdout, "{\"table\": %q, \"location\": %q, \"format_version\": %d, \"current_version\": %d, \"snapshot_id\": %d, \"rows\": %d, \"files\": %d, \"size_bytes\": %d, \"versions\": %d, \"partition_by\": %q, \"schema\": ",
					d.Table.String(), d.Location, d.FormatVersion, d.CurrentVersion, d.SnapshotID, d.Rows, d.Files, d.SizeBytes, d.Versions, strings.Join(parts, ", "))
				if err := writeJSONRows(a.stdout, cols); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "}")
				return nil
			}
			w := a.stdout
			fmt.Fprintf(w, "table           %s\n", d.Table)
			fmt.Fprintf(w, "location        %s\n", d.Location)
			fmt.Fprintf(w, "format          Iceberg v%d\n", d.FormatVersion)
			fmt.Fprintf(w, "version         %d (snapshot %d, %d versions kept)\n", d.CurrentVersion, d.SnapshotID, d.Versions)
			fmt.Fprintf(w, "rows            %d\n", d.Rows)
			fmt.Fprintf(w, "files           %d (%.2f MB)\n", d.Files, float64(d.SizeBytes)/1e6)
			if len(parts) == 0 {
				parts = []string{"(unpartitioned)"}
			}
			fmt.Fprintf(w, "partitioned by  %s\n", strings.Join(parts, ", "))
			fmt.Fprintf(w, "last updated    %s\n\n", d.LastUpdated.Format(time.RFC3339))
			if err := printGrid(w, output, cols); err != nil {
				return err
			}
			fmt.Fprintln(w, "\nproperties")
			keys := make([]string, 0, len(d.Properties))
			for k := range d.Properties {
				keys = append(keys, k)
			}
			sortStrings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "  %s = %s\n", k, d.Properties[k])
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func (a *app) tablesDrop() *cobra.Command {
	var purge, ifExists bool
	cmd := &cobra.Command{
		Use:     "drop NAME",
		Short:   "Remove a table from the catalog (--purge also deletes its files)",
		Example: "  sluice tables drop scratch.tmp\n  sluice tables drop scratch.tmp --purge",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseIdent(args[0])
			if err != nil {
				return usage(cmd, err)
			}
			ws, err := a.open()
			if err != nil {
				return err
			}
			err = ws.Tables().Drop(a.ctx, id, purge)
			if err != nil && !(ifExists && isNotFound(err)) {
				return err
			}
			fmt.Fprintf(a.stdout, "dropped %s\n", id)
			return nil
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "also delete the table's data and metadata files")
	cmd.Flags().BoolVar(&ifExists, "if-exists", false, "do nothing if the table does not exist")
	return cmd
}

func (a *app) tablesHistory() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "history NAME",
		Short:   "List a table's versions: time, operation, rows and files added and removed",
		Example: "  sluice tables history sales.orders\n  sluice tables history sales.orders --output json",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			t, err := a.loadTable(args[0])
			if err != nil {
				return err
			}
			g := &grid{cols: []string{"version", "current", "snapshot_id", "time", "operation", "rows_added", "rows_removed", "files_added", "files_removed", "total_rows"}}
			for _, v := range t.History() {
				op := v.Operation
				if s := v.Summary["sluice.operation"]; s != "" {
					op = strings.ToLower(s)
				}
				g.rows = append(g.rows, []any{v.Version, v.Current, strconv.FormatInt(v.SnapshotID, 10), v.Time.Format("2006-01-02 15:04:05.000"), op, v.AddedRows, v.DeletedRows, v.AddedFiles, v.RemovedFiles, v.TotalRows})
			}
			return printGrid(a.stdout, output, g)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func (a *app) tablesRollback() *cobra.Command {
	var version int64
	cmd := &cobra.Command{
		Use:     "rollback NAME --to-version N",
		Short:   "Make an earlier (or later) version current again",
		Example: "  sluice tables rollback sales.orders --to-version 3",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version <= 0 {
				return usage(cmd, fmt.Errorf("--to-version N is required (see sluice tables history)"))
			}
			t, err := a.loadTable(args[0])
			if err != nil {
				return err
			}
			if _, err := t.Rollback(a.ctx, version); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s is at version %d\n", t.Ident(), version)
			return nil
		},
	}
	cmd.Flags().Int64Var(&version, "to-version", 0, "the version to make current")
	return cmd
}

func (a *app) tablesAppend() *cobra.Command {
	var query string
	var merge bool
	cmd := &cobra.Command{
		Use:   "append NAME (FILE... | --query SQL)",
		Short: "Append the rows of files or of a query to a table",
		Example: `  sluice tables append sales.orders new_orders.csv
  sluice tables append sales.orders --query "SELECT * FROM staging.orders WHERE ok"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeRows(cmd, args, query, "", merge, "append")
		},
	}
	cmd.Flags().StringVar(&query, "query", "", "SQL whose rows to append")
	cmd.Flags().BoolVar(&merge, "merge-schema", false, "add new columns and widen types to fit")
	return cmd
}

func (a *app) tablesOverwrite() *cobra.Command {
	var query, where string
	var merge bool
	cmd := &cobra.Command{
		Use:   "overwrite NAME (FILE... | --query SQL) [--where PREDICATE]",
		Short: "Replace all rows, or the rows matching a predicate, in one commit",
		Example: `  sluice tables overwrite sales.orders snapshot.parquet
  sluice tables overwrite sales.orders --query "SELECT * FROM staging.orders" --where "ts >= DATE '2026-11-01'"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeRows(cmd, args, query, where, merge, "overwrite")
		},
	}
	cmd.Flags().StringVar(&query, "query", "", "SQL whose rows replace the old ones")
	cmd.Flags().StringVar(&where, "where", "", "replace only the rows matching this SQL predicate")
	cmd.Flags().BoolVar(&merge, "merge-schema", false, "add new columns and widen types to fit")
	return cmd
}

func (a *app) writeRows(cmd *cobra.Command, args []string, query, where string, merge bool, mode string) error {
	id, err := parseIdent(args[0])
	if err != nil {
		return usage(cmd, err)
	}
	files := args[1:]
	if (query == "") == (len(files) == 0) {
		return usage(cmd, fmt.Errorf("give input files or --query, one of the two"))
	}
	ws, err := a.open()
	if err != nil {
		return err
	}
	eng, err := ws.SQL(a.ctx)
	if err != nil {
		return err
	}
	if len(files) > 0 && where == "" {
		sum, err := ingest.Run(a.ctx, eng, files, ingest.Options{Table: id, Mode: mode, MergeSchema: merge})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s %s into %s (version %d)\n", verbed(mode), plural(sum.RowsWritten, "row"), id, sum.Version)
		return nil
	}
	if len(files) > 0 {
		quoted := make([]string, len(files))
		for i, f := range files {
			quoted[i] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
		}
		query = "SELECT * FROM " + strings.Join(quoted, " UNION ALL BY NAME SELECT * FROM ")
	}
	if mode == "append" {
		if _, err := ws.Tables().Load(a.ctx, id); err != nil {
			return err
		}
		res, err := eng.Exec(a.ctx, "INSERT INTO "+id.String()+" "+query, nil)
		if err != nil {
			return err
		}
		r := res[len(res)-1]
		fmt.Fprintf(a.stdout, "appended %s into %s (version %d)\n", plural(r.Rows, "row"), id, r.Version)
		return nil
	}
	r, err := eng.Overwrite(a.ctx, id, query, where, merge)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "overwrote %s with %s (version %d)\n", id, plural(r.Rows, "row"), r.Version)
	return nil
}

func verbed(mode string) string {
	if mode == "overwrite" {
		return "overwrote with"
	}
	return "appended"
}

func (a *app) tablesDelete() *cobra.Command {
	var where string
	var all bool
	cmd := &cobra.Command{
		Use:     "delete NAME --where PREDICATE",
		Short:   "Delete the rows matching a SQL predicate (copy-on-write)",
		Example: "  sluice tables delete sales.orders --where \"status = 'test'\"\n  sluice tables delete scratch.tmp --all",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseIdent(args[0])
			if err != nil {
				return usage(cmd, err)
			}
			if where == "" && !all {
				return usage(cmd, fmt.Errorf("give --where PREDICATE, or --all to delete every row"))
			}
			ws, err := a.open()
			if err != nil {
				return err
			}
			if _, err := ws.Tables().Load(a.ctx, id); err != nil {
				return err
			}
			eng, err := ws.SQL(a.ctx)
			if err != nil {
				return err
			}
			stmt := "DELETE FROM " + id.String()
			if where != "" {
				stmt += " WHERE " + where
			}
			res, err := eng.Exec(a.ctx, stmt, nil)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, res[0].Summary())
			return nil
		},
	}
	cmd.Flags().StringVar(&where, "where", "", "SQL predicate over the table's columns")
	cmd.Flags().BoolVar(&all, "all", false, "delete every row")
	return cmd
}

func (a *app) tablesCompact() *cobra.Command {
	var target string
	var minFiles int
	cmd := &cobra.Command{
		Use:     "compact NAME",
		Short:   "Rewrite small data files into larger ones (rows unchanged)",
		Example: "  sluice tables compact sales.orders\n  sluice tables compact sales.orders --target-file-size 256MB",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			size, err := parseSize(target)
			if err != nil {
				return usage(cmd, fmt.Errorf("--target-file-size: %w", err))
			}
			t, err := a.loadTable(args[0])
			if err != nil {
				return err
			}
			_, res, err := t.Compact(a.ctx, table.CompactOptions{TargetFileSize: size, MinInputFiles: minFiles})
			if err != nil {
				return err
			}
			if res.FilesRemoved == 0 {
				fmt.Fprintf(a.stdout, "%s: nothing to compact\n", t.Ident())
				return nil
			}
			fmt.Fprintf(a.stdout, "%s: %d files → %d (%.2f MB → %.2f MB), version %d\n", t.Ident(), res.FilesRemoved, res.FilesAdded, float64(res.BytesBefore)/1e6, float64(res.BytesAfter)/1e6, res.Version)
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "target-file-size", "128MB", "size of the files to write (e.g. 64MB, 1GB)")
	cmd.Flags().IntVar(&minFiles, "min-input-files", 2, "least number of small files in a partition worth rewriting")
	return cmd
}

func (a *app) tablesExpire() *cobra.Command {
	var olderThan string
	var retain int
	cmd := &cobra.Command{
		Use:   "expire NAME [--older-than AGE|TIME] [--retain-last N]",
		Short: "Remove old versions and the files only they use",
		Example: `  sluice tables expire sales.orders --retain-last 10
  sluice tables expire sales.orders --older-than 168h
  sluice tables expire sales.orders --older-than '2026-11-01 00:00:00' --retain-last 3`,
		Args: exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts table.ExpireOptions
			opts.RetainLast = retain
			if olderThan != "" {
				if d, err := time.ParseDuration(olderThan); err == nil {
					opts.OlderThan = time.Now().Add(-d)
				} else if ts, err := parseTime(olderThan); err == nil {
					opts.OlderThan = ts
				} else {
					return usage(cmd, fmt.Errorf("--older-than %q: give an age like 168h or a time like '2026-11-01 00:00:00'", olderThan))
				}
			}
			if opts.OlderThan.IsZero() && opts.RetainLast <= 0 {
				return usage(cmd, fmt.Errorf("give --older-than, --retain-last, or both"))
			}
			t, err := a.loadTable(args[0])
			if err != nil {
				return err
			}
			_, removed, err := t.Expire(a.ctx, opts)
			if err != nil {
				return err
			}
			sortInts(removed)
			fmt.Fprintf(a.stdout, "%s: expired %s %v\n", t.Ident(), plural(int64(len(removed)), "version"), removed)
			return nil
		},
	}
	cmd.Flags().StringVar(&olderThan, "older-than", "", "expire versions older than this age (168h) or time")
	cmd.Flags().IntVar(&retain, "retain-last", 0, "always keep this many newest versions")
	return cmd
}

func (a *app) tablesOrphans() *cobra.Command {
	var olderThan time.Duration
	var dryRun bool
	cmd := &cobra.Command{
		Use:     "remove-orphans NAME",
		Short:   "Delete files in the table's location that no version references",
		Example: "  sluice tables remove-orphans sales.orders --dry-run\n  sluice tables remove-orphans sales.orders --older-than 24h",
		Args:    exactArgs(1, "the table name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := a.loadTable(args[0])
			if err != nil {
				return err
			}
			res, err := t.RemoveOrphans(a.ctx, olderThan, dryRun)
			if err != nil {
				return err
			}
			verb := "removed"
			if dryRun {
				verb = "would remove"
			}
			fmt.Fprintf(a.stdout, "%s: %s %s (%.2f MB)\n", t.Ident(), verb, plural(int64(len(res.Files)), "orphan file"), float64(res.SizeBytes)/1e6)
			for _, f := range res.Files {
				fmt.Fprintf(a.stdout, "  %s\n", f)
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&olderThan, "older-than", time.Hour, "only files older than this (protects writes in flight)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the files without deleting them")
	return cmd
}
