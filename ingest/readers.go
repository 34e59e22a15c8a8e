package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = sqlString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// readSQL builds the DuckDB table function call that reads JSON lines or
// Parquet files (CSV: see csvSQL).
func readSQL(files []string, opts Options) string {
	var args []string
	add := func(k, v string) { args = append(args, k+" = "+v) }
	if opts.Format == "parquet" {
		add("union_by_name", "true")
		return fmt.Sprintf("SELECT * FROM read_parquet(%s, %s)", sqlList(files), strings.Join(args, ", "))
	}
	add("format", "'newline_delimited'")
	if len(opts.Schema) > 0 {
		parts := make([]string, len(opts.Schema))
		for i, c := range opts.Schema {
			parts[i] = sqlString(c.Name) + ": " + sqlString(table.SQLType(c.Type))
		}
		add("columns", "{"+strings.Join(parts, ", ")+"}")
	}
	if opts.CSV.DateFormat != "" {
		add("dateformat", sqlString(opts.CSV.DateFormat))
	}
	if opts.CSV.TimestampFormat != "" {
		add("timestampformat", sqlString(opts.CSV.TimestampFormat))
	}
	if opts.CSV.SampleSize != 0 {
		add("sample_size", fmt.Sprint(opts.CSV.SampleSize))
	}
	return fmt.Sprintf("SELECT * FROM read_json(%s)", strings.Join(append([]string{sqlList(files)}, args...), ", "))
}

// ingestArrow reads Arrow IPC files (file or stream format) with arrow-go
// and commits them in one snapshot.
func ingestArrow(ctx context.Context, eng *sqlengine.Engine, files []string, opts Options, tbl *table.Table, sum *Summary) error {
	var readers []array.RecordReader
	var closers []io.Closer
	defer func() {
		for _, r := range readers {
			r.Release()
		}
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, f := range files {
		r, c, err := openArrow(f)
		if err != nil {
			return fmt.Errorf("ingest %s: %w", f, err)
		}
		readers = append(readers, r)
		closers = append(closers, c)
	}
	if tbl == nil {
		sc, err := sqlengine.ArrowToSchema(readers[0].Schema())
		if err != nil {
			return fmt.Errorf("ingest into %s: %w", opts.Table, err)
		}
		if tbl, err = eng.Tables().CreateTable(ctx, opts.Table, sc, table.CreateOptions{Partition: opts.Partition}); err != nil {
			return err
		}
		sum.Created = true
	}
	var base int64
	var remove []string
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		return err
	}
	base = plan.Snapshot
	if opts.Mode == "overwrite" {
		for _, f := range plan.Files {
			remove = append(remove, f.Path)
		}
	}
	counted := make([]array.RecordReader, len(readers))
	var rows int64
	for i, r := range readers {
		counted[i] = &counting{RecordReader: r, rows: &rows, progress: opts.Progress}
	}
	_, info, err := tbl.Rewrite(ctx, base, remove, counted, table.WriteOptions{MergeSchema: opts.MergeSchema, Operation: "INGEST"})
	if err != nil {
		if sum.Created {
			err = errors.Join(err, dropQuietly(ctx, eng, opts.Table))
		}
		return err
	}
	sum.RowsWritten, sum.Version = info.RowsWritten, info.Version
	return nil
}

// openArrow opens an Arrow IPC file, in the random-access file format or
// the stream format.
func openArrow(path string) (array.RecordReader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if fr, err := ipc.NewFileReader(f); err == nil {
		return &fileReader{fr: fr}, f, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	sr, err := ipc.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("not an Arrow IPC file or stream: %w", err)
	}
	return sr, f, nil
}

// fileReader adapts an ipc.FileReader to array.RecordReader.
type fileReader struct {
	fr  *ipc.FileReader
	i   int
	cur arrow.RecordBatch
	err error
}

func (r *fileReader) Retain()                        {}
func (r *fileReader) Release()                       { r.release() }
func (r *fileReader) Schema() *arrow.Schema          { return r.fr.Schema() }
func (r *fileReader) Record() arrow.RecordBatch      { return r.cur }
func (r *fileReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *fileReader) Err() error                     { return r.err }

func (r *fileReader) release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *fileReader) Next() bool {
	r.release()
	if r.err != nil || r.i >= r.fr.NumRecords() {
		return false
	}
	rec, err := r.fr.RecordBatch(r.i)
	if err != nil {
		r.err = fmt.Errorf("record batch %d: %w", r.i, err)
		return false
	}
	r.i++
	r.cur = rec
	return true
}
