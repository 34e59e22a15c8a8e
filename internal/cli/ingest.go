package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/table"
)

func (a *app) ingestCmd() *cobra.Command {
	var (
		tableName, format, mode, partition, badRows, schema string
		delim, quote, escape, dateFmt, tsFmt                string
		nulls                                               []string
		header, noHeader, merge, quiet                      bool
		sample                                              int
		output                                              string
	)
	cmd := &cobra.Command{
		Use:   "ingest PATH_OR_GLOB... --table NAME",
		Short: "Load CSV, JSON lines, Parquet or Arrow files into a table",
		Long: `Load files into a table in one commit, creating the table if needed.

Formats: csv, tsv, json (newline-delimited), parquet, arrow (IPC file or
stream); detected from the extension unless --format is given. CSV types are
inferred by sampling unless --schema fixes them.

Bad rows: by default the ingest fails and commits nothing, listing file:line,
column and reason of the first bad rows and their total. With --bad-rows
quarantine the good rows land and every bad row goes, with file, line, raw
text and reason, into the table NAME__rejects.`,
		Example: `  sluice ingest examples/churn/data/mlc_churn.csv --table churn
  sluice ingest 'logs/2026-*.jsonl' --table raw.events --partition-by 'day(ts)'
  sluice ingest orders.csv --table sales.orders --schema "id BIGINT NOT NULL, amount DECIMAL(18,2), ts TIMESTAMP"
  sluice ingest orders.csv --table sales.orders --bad-rows quarantine
  sluice ingest europe.csv --table sales.orders --delimiter ';' --date-format '%d/%m/%Y' --null NA
  sluice ingest snapshot.parquet --table sales.orders --mode overwrite --merge-schema`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" {
				return usage(cmd, fmt.Errorf("--output %q: use table or json", output))
			}
			if tableName == "" {
				return usage(cmd, fmt.Errorf("--table is required"))
			}
			id, err := parseIdent(tableName)
			if err != nil {
				return usage(cmd, err)
			}
			opts := ingest.Options{Table: id, Format: format, Mode: mode, BadRows: badRows, MergeSchema: merge}
			if opts.Partition, err = table.ParsePartitionSpec(partition); err != nil {
				return usage(cmd, err)
			}
			if schema != "" {
				if opts.Schema, err = table.ParseSchema(schema); err != nil {
					return usage(cmd, fmt.Errorf("--schema: %w", err))
				}
			}
			if header && noHeader {
				return usage(cmd, fmt.Errorf("--header and --no-header contradict each other"))
			}
			if header || noHeader {
				h := header
				opts.CSV.Header = &h
			}
			opts.CSV.Delimiter, opts.CSV.Quote, opts.CSV.Escape = delim, quote, escape
			opts.CSV.Nulls, opts.CSV.DateFormat, opts.CSV.TimestampFormat, opts.CSV.SampleSize = nulls, dateFmt, tsFmt, sample
			ws, err := a.open()
			if err != nil {
				return err
			}
			eng, err := ws.SQL(a.ctx)
			if err != nil {
				return err
			}
			var bar *progressbar.ProgressBar
			stopTicker := func() {}
			if !quiet && isTerminal(a.stderr) {
				bar = progressbar.NewOptions64(-1,
					progressbar.OptionSetWriter(a.stderr),
					progressbar.OptionSetDescription(fmt.Sprintf("ingesting %s (%s of input)", id, inputSize(args))),
					progressbar.OptionSetItsString("rows"),
					progressbar.OptionShowIts(),
					progressbar.OptionShowCount(),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish(),
				)
				var mu sync.Mutex
				var last int64
				opts.Progress = func(rows int64) {
					mu.Lock()
					defer mu.Unlock()
					bar.Add64(rows - last)
					last = rows
				}
				// DuckDB's COPY reports rows only at the end: keep the spinner
				// and elapsed time moving meanwhile.
				stop, done := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(done)
					t := time.NewTicker(200 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-stop:
							return
						case <-t.C:
							mu.Lock()
							bar.Add64(0)
							mu.Unlock()
						}
					}
				}()
				stopTicker = func() { close(stop); <-done }
			}
			sum, err := ingest.Run(a.ctx, eng, args, opts)
			stopTicker()
			if bar != nil {
				bar.Finish()
			}
			if err != nil {
				return err
			}
			secs := sum.Duration.Seconds()
			rate := 0.0
			if secs > 0 {
				rate = float64(sum.RowsRead) / secs
			}
			if output == "json" {
				return json.NewEncoder(a.stdout).Encode(map[string]any{
					"table": sum.Table.String(), "version": sum.Version, "created": sum.Created,
					"files": sum.Files, "bytes": sum.Bytes, "rows_read": sum.RowsRead,
					"rows_written": sum.RowsWritten, "rows_rejected": sum.RowsRejected,
					"rejects_table": sum.RejectsTable, "seconds": secs, "rows_per_second": rate,
				})
			}
			verb := "appended to"
			if sum.Created {
				verb = "created"
			} else if opts.Mode == "overwrite" {
				verb = "overwrote"
			}
			fmt.Fprintf(a.stdout, "%s %s: version %d\n", verb, sum.Table, sum.Version)
			fmt.Fprintf(a.stdout, "  files     %d (%.1f MB)\n", sum.Files, float64(sum.Bytes)/1e6)
			fmt.Fprintf(a.stdout, "  read      %d rows\n", sum.RowsRead)
			fmt.Fprintf(a.stdout, "  written   %d rows\n", sum.RowsWritten)
			if sum.RowsRejected > 0 {
				fmt.Fprintf(a.stdout, "  rejected  %d rows → %s (see: sluice sql \"SELECT * FROM %s\")\n", sum.RowsRejected, sum.RejectsTable, sum.RejectsTable)
			} else {
				fmt.Fprintf(a.stdout, "  rejected  0 rows\n")
			}
			fmt.Fprintf(a.stdout, "  time      %.2fs (%.0f rows/s)\n", secs, rate)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&tableName, "table", "t", "", "target table (namespace.name or name)")
	f.StringVar(&format, "format", "", "input format: csv, tsv, json, parquet or arrow (default: from the extension)")
	f.StringVar(&mode, "mode", "append", "append, or overwrite (replace all rows)")
	f.StringVar(&partition, "partition-by", "", "partition spec for a new table, e.g. 'day(ts), bucket(16, id)'")
	f.BoolVar(&merge, "merge-schema", false, "add new columns and widen int→bigint, float→double to fit the input")
	f.StringVar(&badRows, "bad-rows", "fail", "fail (commit nothing) or quarantine (bad rows to NAME__rejects)")
	f.StringVar(&schema, "schema", "", `column names and types instead of inference, e.g. "id BIGINT, name VARCHAR"`)
	f.BoolVar(&header, "header", false, "the first CSV line is a header (default: detect)")
	f.BoolVar(&noHeader, "no-header", false, "the CSV has no header line")
	f.StringVar(&delim, "delimiter", "", `CSV field delimiter, e.g. ';' or '\t' (default: detect)`)
	f.StringVar(&quote, "quote", "", `CSV quote character (default: ")`)
	f.StringVar(&escape, "escape", "", `CSV escape character inside quotes (default: the quote doubled, "")`)
	f.StringArrayVar(&nulls, "null", nil, "string read as NULL (repeatable; default: empty field)")
	f.StringVar(&dateFmt, "date-format", "", "strftime format of dates, e.g. '%d/%m/%Y' (default: ISO 8601)")
	f.StringVar(&tsFmt, "timestamp-format", "", "strftime format of timestamps (default: ISO 8601)")
	f.IntVar(&sample, "sample-size", 0, "rows sampled to infer CSV types (default 20480; -1: all)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	f.StringVarP(&output, "output", "o", "table", "summary format: table or json")
	return cmd
}

// inputSize sums the sizes of the files the patterns match, for the
// progress bar ("?" when unknown).
func inputSize(patterns []string) string {
	var n int64
	for _, p := range patterns {
		matches, _ := filepath.Glob(p)
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil {
				n += st.Size()
			}
		}
	}
	if n == 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
