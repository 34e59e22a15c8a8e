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
	File string
	// Line is the 1-based physical line of the file where the row starts,
	// counting the header line and every line of a quoted field that spans
	// lines.
	Line int64
	// Column names the bad field(s), comma-separated; "" when the row as a
	// whole is bad (e.g. too many fields).
	Column string
	// Reason says what is wrong, e.g. `cannot convert "x" to INTEGER`.
	Reason string
	// Kind is DuckDB's error type: CAST, TOO MANY COLUMNS, MISSING
	// COLUMNS, UNQUOTED VALUE, INVALID ENCODING (comma-separated when the
	// row has several).
	Kind string
	// Raw is the row's text as read, without its line break.
	Raw string
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

// Run ingests the files matching patterns into opts.Table in one commit.
// ctx bounds the whole ingest, reading included. Errors: *BadRowsError
// when bad rows meet BadRows "fail" (nothing was committed, and a table
// the ingest would have created does not exist), *table.SchemaMismatchError
// when the input's columns do not fit an existing table, and errors naming
// the file for input that cannot be read at all (an empty CSV file, a
// header-only CSV for a table that does not exist yet). Run uses the
// engine's connection for its whole duration; calls on the same engine run
// one at a time.
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
	var reported int64
	if p := opts.Progress; p != nil {
		opts.Progress = func(rows int64) { reported = rows; p(rows) }
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
	if opts.Progress != nil && sum.RowsRead > reported {
		opts.Progress(sum.RowsRead)
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

var runSeq atomic.Int64

func ingestSQL(ctx context.Context, eng *sqlengine.Engine, files []string, opts Options, tbl *table.Table, sum *Summary) error {
	n := runSeq.Add(1)
	rejTable, rejScan := fmt.Sprintf("__sluice_rejects_%d", n), fmt.Sprintf("__sluice_scans_%d", n)
	isCSV := opts.Format == "csv" || opts.Format == "tsv"
	return eng.Do(ctx, func(c *sqlengine.Conn) error {
		var query, probe string
		if isCSV {
			l, err := detectCSV(ctx, c, files, opts)
			if err != nil {
				return err
			}
			if !l.HasRows && tbl == nil && len(opts.Schema) == 0 {
				return fmt.Errorf("ingest into %s: the input has a header but no rows, so there are no types to infer; pass --schema, or create the table first", opts.Table)
			}
			var types map[string]string
			if tbl != nil && len(opts.Schema) == 0 {
				// Read the table's columns with the table's types, so a value
				// that does not fit is a bad row, not a bad column.
				types = map[string]string{}
				for _, col := range l.Columns {
					if f, ok := tbl.Schema().FindFieldByNameCaseInsensitive(col.Name); ok {
						types[col.Name] = table.SQLType(f.Type)
					}
				}
			}
			query = csvSQL(files, opts, l, types, rejTable, rejScan)
			probe = csvSQL(files, opts, l, types, "", "")
			defer func() {
				_ = c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+rejTable)
				_ = c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+rejScan)
			}()
		} else {
			query = readSQL(files, opts)
			probe = query
		}
		var total int64
		checkRejects := func() error {
			if !isCSV {
				return nil
			}
			var err error
			if total, err = countRejects(ctx, c, rejTable); err != nil {
				return err
			}
			if total > 0 && opts.BadRows == "fail" {
				first, err := firstRejects(ctx, c, rejTable, rejScan, opts.MaxReported)
				if err != nil {
					return err
				}
				return &BadRowsError{Table: opts.Table, Total: total, First: first}
			}
			return nil
		}
		handled, err := copyIngest(ctx, eng, c, opts, &tbl, query, probe, checkRejects, sum)
		if !handled && err == nil {
			err = c.Query(ctx, query, func(rdr array.RecordReader) error {
				cr := &counting{RecordReader: rdr, rows: new(int64), progress: opts.Progress}
				return write(ctx, eng, opts, &tbl, cr, checkRejects, sum)
			})
		}
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

// counting passes batches through, adding their rows to *rows (which
// several readers may share, one after another) and reporting progress.
type counting struct {
	array.RecordReader
	rows     *int64
	progress func(int64)
}

func (c *counting) Next() bool {
	if !c.RecordReader.Next() {
		return false
	}
	*c.rows += c.RecordReader.RecordBatch().NumRows()
	if c.progress != nil {
		c.progress(*c.rows)
	}
	return true
}

func describeReadError(err error, opts Options) error {
	var bre *BadRowsError
	var sme *table.SchemaMismatchError
	if errors.As(err, &bre) || errors.As(err, &sme) {
		return err
	}
	return fmt.Errorf("ingest into %s: %w", opts.Table, err)
}

func strCol(rec arrow.RecordBatch, col, row int) string {
	c := rec.Column(col)
	if c.IsNull(row) {
		return ""
	}
	return strings.Clone(c.(*array.String).Value(row))
}
