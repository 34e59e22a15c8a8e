package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// Reject is one bad input row.
type Reject struct {
	File   string
	Line   int64
	Column string // "" when the row as a whole is bad (e.g. too many fields)
	Reason string
	Raw    string
}

func (r Reject) String() string {
	loc := fmt.Sprintf("%s:%d", r.File, r.Line)
	if r.Column != "" {
		return fmt.Sprintf("%s: column %s: %s", loc, r.Column, r.Reason)
	}
	return fmt.Sprintf("%s: %s", loc, r.Reason)
}

// BadRowsError is returned when an ingest in "fail" mode meets bad rows.
// Nothing was committed.
type BadRowsError struct {
	Table Ident
	Total int64
	First []Reject
}

// Ident is a table name (an alias kept short for the error type).
type Ident = table.Ident

func (e *BadRowsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ingest into %s: %d bad row(s); nothing was committed", e.Table, e.Total)
	for _, r := range e.First {
		b.WriteString("\n  ")
		b.WriteString(r.String())
	}
	if e.Total > int64(len(e.First)) {
		fmt.Fprintf(&b, "\n  … and %d more", e.Total-int64(len(e.First)))
	}
	fmt.Fprintf(&b, "\nfix the input, or pass --bad-rows quarantine to load the good rows and keep the bad ones in %s__rejects", e.Table.Name)
	return b.String()
}

// Summary reports a finished ingest.
type Summary struct {
	Table        table.Ident
	Files        int
	Bytes        int64
	RowsRead     int64
	RowsWritten  int64
	RowsRejected int64
	RejectsTable string // set when rows were quarantined
	Version      int64
	Created      bool // the ingest created the table
	Duration     time.Duration
}

// ExpandPaths resolves paths and globs to a sorted list of files; a pattern
// that matches nothing is an error naming it.
func ExpandPaths(patterns []string) ([]string, int64, error) {
	var files []string
	var size int64
	seen := map[string]bool{}
	for _, p := range patterns {
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, 0, fmt.Errorf("ingest: bad pattern %q: %w", p, err)
		}
		if len(matches) == 0 {
			return nil, 0, fmt.Errorf("ingest: no file matches %q", p)
		}
		slices.Sort(matches)
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				return nil, 0, fmt.Errorf("ingest: %w", err)
			}
			if st.IsDir() {
				return nil, 0, fmt.Errorf("ingest: %s is a directory; give files or a glob like %s/*.csv", m, m)
			}
			abs, err := filepath.Abs(m)
			if err != nil {
				return nil, 0, err
			}
			if !seen[abs] {
				seen[abs] = true
				files = append(files, abs)
				size += st.Size()
			}
		}
	}
	return files, size, nil
}

// Run ingests the files matching patterns into opts.Table.
func Run(ctx context.Context, eng *sqlengine.Engine, patterns []string, opts Options) (*Summary, error) {
	start := time.Now()
	files, size, err := ExpandPaths(patterns)
	if err != nil {
		return nil, err
	}
	if err := opts.Validate(files); err != nil {
		return nil, err
	}
	sum := &Summary{Table: opts.Table, Files: len(files), Bytes: size}
	tbl, err := eng.Tables().Load(ctx, opts.Table)
	if err != nil && !errors.Is(err, table.ErrNotFound) {
		return nil, err
	}
	if opts.Format == "arrow" {
		err = ingestArrow(ctx, eng, files, opts, tbl, sum)
	} else {
		err = ingestSQL(ctx, eng, files, opts, tbl, sum)
	}
	if err != nil {
		return nil, err
	}
	sum.RowsRead = sum.RowsWritten + sum.RowsRejected
	sum.Duration = time.Since(start)
	return sum, nil
}

var runSeq atomic.Int64

func ingestSQL(ctx context.Context, eng *sqlengine.Engine, files []string, opts Options, tbl *table.Table, sum *Summary) error {
	n := runSeq.Add(1)
	rejTable, rejScan := fmt.Sprintf("__sluice_rejects_%d", n), fmt.Sprintf("__sluice_scans_%d", n)
	isCSV := opts.Format == "csv" || opts.Format == "tsv"
	return eng.Do(ctx, func(c *sqlengine.Conn) error {
		var types map[string]string
		if tbl != nil && len(opts.Schema) == 0 && opts.Format != "parquet" {
			// Read the table's columns with the table's types, so a value
			// that does not fit is a bad row, not a bad column.
			names, err := describeColumns(ctx, c, readSQL(files, opts, nil, "", ""))
			if err != nil {
				return err
			}
			types = map[string]string{}
			for _, name := range names {
				if f, ok := tbl.Schema().FindFieldByNameCaseInsensitive(name); ok {
					types[name] = table.SQLType(f.Type)
				}
			}
		}
		query := readSQL(files, opts, types, rejTable, rejScan)
		defer func() {
			if isCSV {
				_ = c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+rejTable)
				_ = c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+rejScan)
			}
		}()
		var rejects []Reject
		var total int64
		checkRejects := func() error {
			if !isCSV {
				return nil
			}
			var err error
			total, rejects, err = readRejects(ctx, c, rejTable, rejScan, opts.MaxReported)
			if err != nil {
				return err
			}
			if total > 0 && opts.BadRows == "fail" {
				return &BadRowsError{Table: opts.Table, Total: total, First: rejects}
			}
			return nil
		}
		err := c.Query(ctx, query, func(rdr array.RecordReader) error {
			cr := &counting{RecordReader: rdr, progress: opts.Progress}
			return write(ctx, eng, opts, &tbl, cr, checkRejects, sum)
		})
		if err != nil {
			return describeReadError(err, opts)
		}
		sum.RowsRejected = total
		if total > 0 && opts.BadRows == "quarantine" {
			return quarantine(ctx, eng, c, opts, rejTable, rejScan, sum)
		}
		return nil
	})
}

// write sends rdr to the table, creating it first when missing.
func write(ctx context.Context, eng *sqlengine.Engine, opts Options, tblp **table.Table, rdr array.RecordReader, before func() error, sum *Summary) error {
	tbl := *tblp
	if tbl == nil {
		sc, err := sqlengine.ArrowToSchema(rdr.Schema())
		if err != nil {
			return fmt.Errorf("ingest into %s: %w", opts.Table, err)
		}
		if len(opts.Schema) > 0 {
			// Keep NOT NULL and exact types from the given schema.
			if sc, err = table.NewSchema(opts.Schema); err != nil {
				return err
			}
		}
		tbl, err = eng.Tables().CreateTable(ctx, opts.Table, sc, table.CreateOptions{Partition: opts.Partition})
		if err != nil {
			return err
		}
		sum.Created = true
		*tblp = tbl
	}
	wopts := table.WriteOptions{MergeSchema: opts.MergeSchema, BeforeCommit: before, Operation: "INGEST", Summary: map[string]string{"sluice.source-files": fmt.Sprint(sum.Files)}}
	var info table.CommitInfo
	var err error
	if opts.Mode == "overwrite" {
		_, info, err = tbl.Overwrite(ctx, rdr, wopts)
	} else {
		_, info, err = tbl.Append(ctx, rdr, wopts)
	}
	if err != nil {
		if sum.Created {
			// Leave no empty table behind a failed first ingest.
			err = errors.Join(err, dropQuietly(ctx, eng, opts.Table))
		}
		return err
	}
	sum.RowsWritten, sum.Version = info.RowsWritten, info.Version
	return nil
}

func dropQuietly(ctx context.Context, eng *sqlengine.Engine, id table.Ident) error {
	err := eng.Tables().Drop(context.WithoutCancel(ctx), id, true)
	if errors.Is(err, table.ErrNotFound) {
		return nil
	}
	return err
}

// counting passes batches through and reports progress.
type counting struct {
	array.RecordReader
	rows     int64
	progress func(int64)
}

func (c *counting) Next() bool {
	if !c.RecordReader.Next() {
		return false
	}
	c.rows += c.RecordReader.RecordBatch().NumRows()
	if c.progress != nil {
		c.progress(c.rows)
	}
	return true
}

func describeColumns(ctx context.Context, c *sqlengine.Conn, query string) ([]string, error) {
	var names []string
	err := c.Query(ctx, "SELECT column_name FROM (DESCRIBE "+query+")", func(rdr array.RecordReader) error {
		for rdr.Next() {
			col := rdr.RecordBatch().Column(0).(*array.String)
			for i := 0; i < col.Len(); i++ {
				names = append(names, strings.Clone(col.Value(i)))
			}
		}
		return nil
	})
	return names, err
}

func describeReadError(err error, opts Options) error {
	var bre *BadRowsError
	var sme *table.SchemaMismatchError
	if errors.As(err, &bre) || errors.As(err, &sme) {
		return err
	}
	return fmt.Errorf("ingest into %s: %w", opts.Table, err)
}

// readRejects returns the count and the first max rejects DuckDB recorded.
func readRejects(ctx context.Context, c *sqlengine.Conn, rejTable, rejScan string, max int) (int64, []Reject, error) {
	var total int64
	err := c.Query(ctx, "SELECT count(*) FROM "+rejTable, func(rdr array.RecordReader) error {
		for rdr.Next() {
			total = rdr.RecordBatch().Column(0).(*array.Int64).Value(0)
		}
		return nil
	})
	if err != nil || total == 0 {
		return total, nil, err
	}
	rows, err := rejectRows(ctx, c, rejTable, rejScan, fmt.Sprintf("LIMIT %d", max))
	return total, rows, err
}

func rejectsQuery(rejTable, rejScan, tail string) string {
	return fmt.Sprintf(`SELECT s.file_path AS file, CAST(e.line AS BIGINT) AS line, CAST(e.column_name AS VARCHAR) AS "column",
  CAST(e.error_type AS VARCHAR) AS error_type, e.error_message AS reason, e.csv_line AS raw
FROM %s e JOIN %s s ON e.scan_id = s.scan_id AND e.file_id = s.file_id
ORDER BY s.file_path, e.line, e.column_idx %s`, rejTable, rejScan, tail)
}

func rejectRows(ctx context.Context, c *sqlengine.Conn, rejTable, rejScan, tail string) ([]Reject, error) {
	var out []Reject
	err := c.Query(ctx, rejectsQuery(rejTable, rejScan, tail), func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				out = append(out, Reject{
					File:   strCol(rec, 0, i),
					Line:   rec.Column(1).(*array.Int64).Value(i),
					Column: strCol(rec, 2, i),
					Reason: cleanReason(strCol(rec, 3, i), strCol(rec, 4, i)),
					Raw:    strCol(rec, 5, i),
				})
			}
		}
		return nil
	})
	return out, err
}

func strCol(rec arrow.RecordBatch, col, row int) string {
	c := rec.Column(col)
	if c.IsNull(row) {
		return ""
	}
	return strings.Clone(c.(*array.String).Value(row))
}

// cleanReason shortens DuckDB's reject messages to their first line.
func cleanReason(kind, msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return strings.ToLower(strings.ReplaceAll(kind, "_", " "))
	}
	return msg
}

// quarantine appends every reject to NAME__rejects.
func quarantine(ctx context.Context, eng *sqlengine.Engine, c *sqlengine.Conn, opts Options, rejTable, rejScan string, sum *Summary) error {
	id := table.Ident{Namespace: opts.Table.Namespace, Name: opts.Table.Name + "__rejects"}
	sum.RejectsTable = id.String()
	q := fmt.Sprintf(`SELECT file, line, "column", reason, raw, error_type, now() AS ingested_at, CAST(%d AS BIGINT) AS table_version FROM (%s)`, sum.Version, rejectsQuery(rejTable, rejScan, ""))
	return c.Query(ctx, q, func(rdr array.RecordReader) error {
		rt, err := eng.Tables().Load(ctx, id)
		if errors.Is(err, table.ErrNotFound) {
			sc, err2 := sqlengine.ArrowToSchema(rdr.Schema())
			if err2 != nil {
				return err2
			}
			if rt, err = eng.Tables().CreateTable(ctx, id, sc, table.CreateOptions{IfNotExists: true}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		_, info, err := rt.Append(ctx, rdr, table.WriteOptions{MergeSchema: true, Operation: "QUARANTINE"})
		if err != nil {
			return fmt.Errorf("ingest into %s: %d good rows were committed (version %d), but writing the %d bad rows to %s failed: %w", opts.Table, sum.RowsWritten, sum.Version, sum.RowsRejected, id, err)
		}
		if info.RowsWritten != sum.RowsRejected {
			return fmt.Errorf("ingest into %s: wrote %d of %d bad rows to %s", opts.Table, info.RowsWritten, sum.RowsRejected, id)
		}
		return nil
	})
}
