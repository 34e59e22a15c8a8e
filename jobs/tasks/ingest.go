package tasks

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/table"
)

// runIngest loads files into a table as `sluice ingest` does. Values:
// table, version, rows_written, and rows_rejected and rejects_table when
// rows were quarantined.
func (r *runners) runIngest(ctx context.Context, tc *jobs.TaskContext, out values) error {
	t := tc.Task.Ingest
	id, err := table.ParseIdent(t.Table)
	if err != nil {
		return fmt.Errorf("ingest table %q: %w", t.Table, err)
	}
	if len(t.Paths) == 0 {
		return fmt.Errorf("ingest into %s: no paths given", id)
	}
	opts := ingest.Options{Table: id, Format: t.Format, Mode: t.Mode, BadRows: t.BadRows, MergeSchema: t.MergeSchema}
	if len(t.PartitionBy) > 0 {
		if opts.Partition, err = table.ParsePartitionSpec(strings.Join(t.PartitionBy, ", ")); err != nil {
			return fmt.Errorf("ingest partition_by: %w", err)
		}
	}
	opts.CSV.Header = t.Header
	opts.CSV.Delimiter = t.Delimiter
	patterns := make([]string, len(t.Paths))
	for i, p := range t.Paths {
		patterns[i] = abs(tc.Dir, p)
	}
	eng, err := r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return err
	}
	logf(tc.Log, "ingesting %s into %s", strings.Join(t.Paths, ", "), id)
	sum, err := ingest.Run(ctx, eng, patterns, opts)
	if err != nil {
		return err
	}
	verb := "appended to"
	if sum.Created {
		verb = "created"
	} else if opts.Mode == "overwrite" {
		verb = "overwrote"
	}
	logf(tc.Log, "%s %s: version %d", verb, sum.Table, sum.Version)
	logf(tc.Log, "  files     %d (%.1f MB)", sum.Files, float64(sum.Bytes)/1e6)
	logf(tc.Log, "  read      %d rows", sum.RowsRead)
	logf(tc.Log, "  written   %d rows", sum.RowsWritten)
	logf(tc.Log, "  rejected  %d rows", sum.RowsRejected)
	logf(tc.Log, "  time      %s", seconds(sum.Duration))
	out.set("table", sum.Table.String())
	out.set("version", sum.Version)
	out.set("rows_written", sum.RowsWritten)
	if sum.RowsRejected > 0 {
		out.set("rows_rejected", sum.RowsRejected)
		out.set("rejects_table", sum.RejectsTable)
	}
	return nil
}
