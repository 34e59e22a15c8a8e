package ingest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// DuckDB records one reject per error, so a row with two bad fields has
// two; a bad row is identified by its file and the byte offset where it
// starts. DuckDB's line column counts records, not lines, so it is wrong
// after a quoted field that spans lines; line_byte_position (1-based; for
// CRLF files it points at the "\n" of the line break before the row) is
// exact, and the physical line is counted from it.

// rejectsSQL lists the errors of one read in file and row order.
func rejectsSQL(rejTable, rejScan string) string {
	return fmt.Sprintf(`SELECT s.file_path, CAST(e.line_byte_position AS BIGINT), CAST(e.line AS BIGINT),
  CAST(e.column_name AS VARCHAR), CAST(e.error_type AS VARCHAR), e.error_message, e.csv_line
FROM %s e JOIN %s s ON e.scan_id = s.scan_id AND e.file_id = s.file_id
ORDER BY s.file_path, e.line_byte_position, e.line, e.column_idx`, rejTable, rejScan)
}

// countRejects returns the number of bad rows of one read.
func countRejects(ctx context.Context, c *sqlengine.Conn, rejTable string) (int64, error) {
	var n int64
	q := fmt.Sprintf("SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line_byte_position, line FROM %s)", rejTable)
	err := c.Query(ctx, q, func(rdr array.RecordReader) error {
		for rdr.Next() {
			if rec := rdr.RecordBatch(); rec.NumRows() > 0 {
				n = rec.Column(0).(*array.Int64).Value(0)
			}
		}
		return nil
	})
	return n, err
}

// rejectError is one error DuckDB recorded.
type rejectError struct {
	file      string
	pos       int64 // line_byte_position, 0 when unknown
	line      int64 // DuckDB's line
	column    string
	kind, msg string
	raw       string
}

// groupRejects reads the errors from rdr (rows of rejectsSQL) and yields
// one Reject per bad row, with its physical line number.
func groupRejects(rdr array.RecordReader) iter.Seq2[Reject, error] {
	return func(yield func(Reject, error) bool) {
		var cur []rejectError
		lines := map[string]*lineCounter{}
		defer func() {
			for _, lc := range lines {
				lc.close()
			}
		}()
		flush := func() bool {
			if len(cur) == 0 {
				return true
			}
			r := makeReject(cur, lines)
			cur = cur[:0]
			return yield(r, nil)
		}
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				e := rejectError{
					file:   strCol(rec, 0, i),
					pos:    intCol(rec, 1, i),
					line:   intCol(rec, 2, i),
					column: strCol(rec, 3, i),
					kind:   strCol(rec, 4, i),
					msg:    strCol(rec, 5, i),
					raw:    strCol(rec, 6, i),
				}
				if len(cur) > 0 && (cur[0].file != e.file || cur[0].pos != e.pos || cur[0].line != e.line) {
					if !flush() {
						return
					}
				}
				cur = append(cur, e)
			}
		}
		if err := rdr.Err(); err != nil {
			yield(Reject{}, err)
			return
		}
		flush()
	}
}

func intCol(rec arrow.RecordBatch, col, row int) int64 {
	c := rec.Column(col)
	if c.IsNull(row) {
		return 0
	}
	return c.(*array.Int64).Value(row)
}

// makeReject merges the errors of one row.
func makeReject(errs []rejectError, lines map[string]*lineCounter) Reject {
	first := errs[0]
	r := Reject{File: first.file, Line: first.line, Raw: cleanRaw(first.raw)}
	if first.pos > 0 {
		lc, ok := lines[first.file]
		if !ok {
			var err error
			if lc, err = newLineCounter(first.file); err != nil {
				lc = &lineCounter{err: err}
			}
			lines[first.file] = lc
		}
		if lc.r != nil {
			if n, err := lc.lineAt(first.pos - 1); err == nil {
				r.Line = n
			}
		}
	}
	var cols, kinds, reasons []string
	for _, e := range errs {
		if e.column != "" && !contains(cols, e.column) {
			cols = append(cols, e.column)
		}
		if !contains(kinds, e.kind) {
			kinds = append(kinds, e.kind)
		}
		why := reason(e.kind, e.msg)
		if e.kind == "TOO MANY COLUMNS" && len(reasons) > 0 && strings.HasPrefix(reasons[len(reasons)-1], "too many fields") {
			// DuckDB records each extra field; the last says how many there are.
			reasons[len(reasons)-1] = why
		} else if !contains(reasons, why) {
			reasons = append(reasons, why)
		}
	}
	r.Column = strings.Join(cols, ", ")
	r.Kind = strings.Join(kinds, ", ")
	r.Reason = strings.Join(reasons, "; ")
	return r
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cleanRaw drops the line break DuckDB keeps around a row of a CRLF file.
func cleanRaw(s string) string {
	s = strings.TrimPrefix(s, "\n")
	return strings.TrimRight(s, "\r\n")
}

var (
	columnsRe = regexp.MustCompile(`Expected Number of Columns: (\d+) Found: (\d+)`)
	castRe    = regexp.MustCompile(`(?s)Could not convert string "(.*)" to '([^']*)'`)
)

// reason turns a DuckDB reject into a short statement of the problem.
func reason(kind, msg string) string {
	msg = oneLine(msg)
	switch kind {
	case "TOO MANY COLUMNS", "MISSING COLUMNS":
		what := "too many fields"
		if kind == "MISSING COLUMNS" {
			what = "too few fields"
		}
		if m := columnsRe.FindStringSubmatch(msg); m != nil {
			return fmt.Sprintf("%s: want %s, found %s", what, m[1], m[2])
		}
		return what + ": " + msg
	case "CAST":
		if m := castRe.FindStringSubmatch(msg); m != nil {
			return fmt.Sprintf("cannot convert %q to %s", m[1], m[2])
		}
		return "bad value: " + msg
	case "UNQUOTED VALUE":
		if strings.Contains(msg, "unterminated quote") {
			return "unclosed quote: a quoted field starts here and is never closed"
		}
		return "text after a closing quote: " + msg
	case "INVALID ENCODING", "INVALID UNICODE":
		return "invalid UTF-8: the row has bytes that are not UTF-8 (convert the file, e.g. iconv -f latin1 -t utf-8)"
	case "LINE SIZE OVER MAXIMUM":
		return "line too long: " + msg
	}
	if msg == "" {
		return strings.ToLower(kind)
	}
	return strings.ToLower(kind) + ": " + msg
}

// oneLine shows line breaks inside a message as \n and \r.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// firstRejects returns the first max bad rows of a read.
func firstRejects(ctx context.Context, c *sqlengine.Conn, rejTable, rejScan string, max int) ([]Reject, error) {
	var out []Reject
	err := c.Query(ctx, rejectsSQL(rejTable, rejScan), func(rdr array.RecordReader) error {
		for r, err := range groupRejects(rdr) {
			if err != nil {
				return err
			}
			out = append(out, r)
			if len(out) >= max {
				break
			}
		}
		return nil
	})
	return out, err
}

// rejectsSchema is the schema of NAME__rejects.
var rejectsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "column", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "reason", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "error_type", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ingested_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "table_version", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// rejectReader turns grouped rejects into record batches of rejectsSchema.
type rejectReader struct {
	refs    int64
	next    func() (Reject, error, bool)
	stop    func()
	at      time.Time
	version int64
	cur     arrow.RecordBatch
	err     error
	rows    int64
}

const rejectBatch = 4096

func newRejectReader(seq iter.Seq2[Reject, error], at time.Time, version int64) *rejectReader {
	next, stop := iter.Pull2(seq)
	return &rejectReader{refs: 1, next: next, stop: stop, at: at, version: version}
}

func (r *rejectReader) Retain()                        { atomic.AddInt64(&r.refs, 1) }
func (r *rejectReader) Schema() *arrow.Schema          { return rejectsSchema }
func (r *rejectReader) Record() arrow.RecordBatch      { return r.cur }
func (r *rejectReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *rejectReader) Err() error                     { return r.err }

func (r *rejectReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.stop()
	}
}

func (r *rejectReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, rejectsSchema)
	defer b.Release()
	ts, _ := arrow.TimestampFromTime(r.at, arrow.Microsecond)
	n := 0
	for n < rejectBatch {
		rj, err, ok := r.next()
		if !ok {
			break
		}
		if err != nil {
			r.err = err
			return false
		}
		b.Field(0).(*array.StringBuilder).Append(rj.File)
		b.Field(1).(*array.Int64Builder).Append(rj.Line)
		b.Field(2).(*array.StringBuilder).Append(rj.Column)
		b.Field(3).(*array.StringBuilder).Append(rj.Reason)
		b.Field(4).(*array.StringBuilder).Append(rj.Raw)
		b.Field(5).(*array.StringBuilder).Append(rj.Kind)
		b.Field(6).(*array.TimestampBuilder).Append(ts)
		b.Field(7).(*array.Int64Builder).Append(r.version)
		n++
	}
	if n == 0 {
		return false
	}
	r.rows += int64(n)
	r.cur = b.NewRecordBatch()
	return true
}

// quarantine appends every bad row of the read to NAME__rejects.
func quarantine(ctx context.Context, eng *sqlengine.Engine, c *sqlengine.Conn, opts Options, rejTable, rejScan string, sum *Summary) error {
	id := table.Ident{Namespace: opts.Table.Namespace, Name: opts.Table.Name + "__rejects"}
	sum.RejectsTable = id.String()
	return c.Query(ctx, rejectsSQL(rejTable, rejScan), func(rdr array.RecordReader) error {
		rt, err := eng.Tables().Load(ctx, id)
		if errors.Is(err, table.ErrNotFound) {
			sc, err2 := sqlengine.ArrowToSchema(rejectsSchema)
			if err2 != nil {
				return err2
			}
			if rt, err = eng.Tables().CreateTable(ctx, id, sc, table.CreateOptions{IfNotExists: true}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		rr := newRejectReader(groupRejects(rdr), time.Now(), sum.Version)
		defer rr.Release()
		_, info, err := rt.Append(ctx, rr, table.WriteOptions{MergeSchema: true, Operation: "QUARANTINE"})
		if err != nil {
			return fmt.Errorf("ingest into %s: %d good rows were committed (version %d), but writing the %d bad rows to %s failed: %w", opts.Table, sum.RowsWritten, sum.Version, sum.RowsRejected, id, err)
		}
		if info.RowsWritten != sum.RowsRejected {
			return fmt.Errorf("ingest into %s: wrote %d of %d bad rows to %s", opts.Table, info.RowsWritten, sum.RowsRejected, id)
		}
		return nil
	})
}
