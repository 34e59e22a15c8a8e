package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
)

// csvLayout is how CSV input is read: its dialect and columns. DuckDB's
// sniffer finds them, the user's options override them, and the read then
// runs with auto-detection off, so that every file is parsed the same way
// and a malformed row is a bad row rather than a reason to guess another
// dialect.
type csvLayout struct {
	Delim, Quote, Escape        string
	Header                      bool
	Columns                     []csvColumn
	DateFormat, TimestampFormat string
	// HasRows is false when no file has a line after its header.
	HasRows bool
}

// csvColumn is one column of CSV input and its DuckDB type.
type csvColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// sniffed is what DuckDB's sniff_csv reports for one file.
type sniffed struct {
	Delim, Quote, Escape        string
	Header                      bool
	Columns                     []csvColumn
	DateFormat, TimestampFormat string
}

// sniffArgs overrides the dialect options passed to sniff_csv.
type sniffArgs struct {
	delim, quote, escape *string
}

func strp(s string) *string { return &s }

// sniffSQL builds the sniff_csv call for file with the user's options and
// the overrides in a.
func sniffSQL(file string, opts Options, a sniffArgs) string {
	c := opts.CSV
	args := []string{sqlString(file)}
	add := func(k, v string) { args = append(args, k+" = "+v) }
	pick := func(over *string, user string) (string, bool) {
		if over != nil {
			return *over, true
		}
		return user, user != ""
	}
	if v, ok := pick(a.delim, c.Delimiter); ok {
		add("delim", sqlString(v))
	}
	if v, ok := pick(a.quote, c.Quote); ok {
		add("quote", sqlString(v))
	}
	if v, ok := pick(a.escape, c.Escape); ok {
		add("escape", sqlString(v))
	}
	if h := headerOption(opts); h != nil {
		add("header", fmt.Sprint(*h))
	}
	if len(c.Nulls) > 0 {
		add("nullstr", sqlList(c.Nulls))
	}
	if c.DateFormat != "" {
		add("dateformat", sqlString(c.DateFormat))
	}
	if c.TimestampFormat != "" {
		add("timestampformat", sqlString(c.TimestampFormat))
	}
	if c.SampleSize != 0 {
		add("sample_size", fmt.Sprint(c.SampleSize))
	}
	// Bad rows in the sample must not make the sniffer give up or pick a
	// dialect that hides them (it reads ragged files as one column without
	// this); the read reports them.
	add("ignore_errors", "true")
	return "SELECT Delimiter, Quote, Escape, HasHeader, CAST(to_json(Columns) AS VARCHAR), DateFormat, TimestampFormat FROM sniff_csv(" + strings.Join(args, ", ") + ")"
}

// headerOption is the header flag the user set: CSV.Header, or true when a
// schema is given.
func headerOption(opts Options) *bool {
	if opts.CSV.Header != nil {
		return opts.CSV.Header
	}
	if len(opts.Schema) > 0 {
		t := true
		return &t
	}
	return nil
}

func sniff(ctx context.Context, c *sqlengine.Conn, file string, opts Options, a sniffArgs) (*sniffed, error) {
	var out *sniffed
	err := c.Query(ctx, sniffSQL(file, opts, a), func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			if rec.NumRows() == 0 {
				continue
			}
			s := &sniffed{
				Delim:           nulChar(strCol(rec, 0, 0)),
				Quote:           nulChar(strCol(rec, 1, 0)),
				Escape:          nulChar(strCol(rec, 2, 0)),
				Header:          rec.Column(3).(*array.Boolean).Value(0),
				DateFormat:      strCol(rec, 5, 0),
				TimestampFormat: strCol(rec, 6, 0),
			}
			if err := json.Unmarshal([]byte(strCol(rec, 4, 0)), &s.Columns); err != nil {
				return fmt.Errorf("read the sniffer's columns: %w", err)
			}
			out = s
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil || len(out.Columns) == 0 {
		return nil, errors.New("the CSV sniffer found no columns")
	}
	return out, nil
}

// nulChar maps the ways sniff_csv says "no character" ("(empty)", NUL)
// to "".
func nulChar(s string) string {
	if s == "(empty)" || s == "\x00" {
		return ""
	}
	return s
}

// detectCSV works out the layout of the CSV files. It sniffs the first
// file that has data rows, then:
//   - keeps a delimiter that splits the header into several columns, and
//     otherwise takes the most frequent of , tab ; | in the first line
//     (DuckDB's sniffer gives up on small files with ragged rows and reads
//     every line as one column);
//   - quotes with " when the sniffer found no quoting (it reports none for
//     a file whose quote is never closed, reading the quote as text), and
//     escapes the quote by doubling it (RFC 4180) unless told otherwise;
//   - takes the columns from the header line, since a row with too many
//     fields makes the sniffer invent columns.
//
// Every file must start with the same header when there is one.
func detectCSV(ctx context.Context, c *sqlengine.Conn, files []string, opts Options) (*csvLayout, error) {
	heads := make([][]byte, len(files))
	for i, f := range files {
		h, err := peekInput(f)
		if err != nil {
			return nil, fmt.Errorf("ingest into %s: %w", opts.Table, err)
		}
		if len(strings.TrimSpace(string(h))) == 0 {
			return nil, fmt.Errorf("ingest into %s: %s is empty: it has no header and no rows; remove it from the input, or check what wrote it", opts.Table, f)
		}
		heads[i] = h
	}
	userHeader := headerOption(opts)
	dataAt := func(i int) bool {
		if userHeader != nil && !*userHeader {
			return true
		}
		_, end := firstRecord(heads[i], ",", `"`, `"`)
		return hasData(heads[i], end)
	}
	sample := 0
	for i := range files {
		if dataAt(i) {
			sample = i
			break
		}
	}
	file, head := files[sample], heads[sample]

	s1, err1 := sniff(ctx, c, file, opts, sniffArgs{})
	l := &csvLayout{Delim: opts.CSV.Delimiter, Quote: opts.CSV.Quote, Escape: opts.CSV.Escape}
	if l.Delim == "" {
		switch {
		case err1 == nil && len(s1.Columns) > 1:
			l.Delim = s1.Delim
		case guessDelimiter(head) != "":
			l.Delim = guessDelimiter(head)
		case err1 == nil && s1.Delim != "":
			l.Delim = s1.Delim
		default:
			l.Delim = ","
		}
	}
	same := err1 == nil && s1.Delim == l.Delim
	if l.Quote == "" {
		l.Quote = `"`
		if same && s1.Quote != "" {
			l.Quote = s1.Quote
		}
	}
	if l.Escape == "" {
		l.Escape = l.Quote
		if same && s1.Quote == l.Quote && s1.Escape != "" {
			l.Escape = s1.Escape
		}
	}
	s := s1
	if !same || s1.Quote != l.Quote || s1.Escape != l.Escape {
		var err2 error
		s, err2 = sniff(ctx, c, file, opts, sniffArgs{delim: &l.Delim, quote: &l.Quote, escape: &l.Escape})
		if err2 != nil {
			// An unclosed quote defeats the sniffer in quoted mode; learn the
			// header and types without quoting.
			s, err2 = sniff(ctx, c, file, opts, sniffArgs{delim: &l.Delim, quote: strp(""), escape: strp("")})
		}
		if err2 != nil {
			if len(opts.Schema) == 0 {
				return nil, fmt.Errorf("ingest into %s: cannot work out the CSV layout of %s: %w; pass --delimiter, --quote and --header, or --schema", opts.Table, file, errors.Join(err1, err2))
			}
			s = &sniffed{}
		}
	}
	l.Header = s.Header
	if userHeader != nil {
		l.Header = *userHeader
	}
	l.DateFormat, l.TimestampFormat = opts.CSV.DateFormat, opts.CSV.TimestampFormat
	if l.DateFormat == "" {
		l.DateFormat = s.DateFormat
	}
	if l.TimestampFormat == "" {
		l.TimestampFormat = s.TimestampFormat
	}
	var hdr []string
	hdrEnd := 0
	if l.Header {
		hdr, hdrEnd = firstRecord(head, l.Delim, l.Quote, l.Escape)
	}
	if len(opts.Schema) > 0 {
		for _, col := range opts.Schema {
			l.Columns = append(l.Columns, csvColumn{Name: col.Name, Type: table.SQLType(col.Type)})
		}
	} else {
		l.Columns = slices.Clone(s.Columns)
		if l.Header && len(hdr) < len(l.Columns) {
			l.Columns = l.Columns[:len(hdr)]
		}
		for i := len(l.Columns); l.Header && i < len(hdr); i++ {
			name := strings.TrimSpace(hdr[i])
			if name == "" {
				name = fmt.Sprintf("column%d", i)
			}
			l.Columns = append(l.Columns, csvColumn{Name: name, Type: "VARCHAR"})
		}
	}
	l.HasRows = hasData(head, hdrEnd)
	for i, f := range files {
		if i == sample {
			continue
		}
		end := 0
		if l.Header {
			var h []string
			h, end = firstRecord(heads[i], l.Delim, l.Quote, l.Escape)
			if !slices.Equal(h, hdr) {
				return nil, fmt.Errorf("ingest into %s: the header of %s (%s) differs from that of %s (%s); files ingested together need the same columns in the same order: ingest them separately", opts.Table, f, strings.Join(h, l.Delim), file, strings.Join(hdr, l.Delim))
			}
		}
		l.HasRows = l.HasRows || hasData(heads[i], end)
	}
	return l, nil
}

// csvSQL builds the read_csv call that reads files with layout l. types
// overrides the types of named columns; rejTable and rejScan, when set,
// make the reader store bad rows there instead of failing.
func csvSQL(files []string, opts Options, l *csvLayout, types map[string]string, rejTable, rejScan string) string {
	args := []string{sqlList(files), "auto_detect = false"}
	add := func(k, v string) { args = append(args, k+" = "+v) }
	add("header", fmt.Sprint(l.Header))
	add("delim", sqlString(l.Delim))
	add("quote", sqlString(l.Quote))
	add("escape", sqlString(l.Escape))
	cols := make([]string, len(l.Columns))
	for i, col := range l.Columns {
		typ := col.Type
		if t, ok := types[col.Name]; ok {
			typ = t
		}
		cols[i] = sqlString(col.Name) + ": " + sqlString(typ)
	}
	add("columns", "{"+strings.Join(cols, ", ")+"}")
	if len(opts.CSV.Nulls) > 0 {
		add("nullstr", sqlList(opts.CSV.Nulls))
	}
	if l.DateFormat != "" {
		add("dateformat", sqlString(l.DateFormat))
	}
	if l.TimestampFormat != "" {
		add("timestampformat", sqlString(l.TimestampFormat))
	}
	if rejTable != "" {
		add("store_rejects", "true")
		add("rejects_table", sqlString(rejTable))
		add("rejects_scan", sqlString(rejScan))
	}
	return "SELECT * FROM read_csv(" + strings.Join(args, ", ") + ")"
}
