package ingest

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/table"
)

// Options configures an ingest.
type Options struct {
	// Table receives the rows. It is created when missing, with the
	// inferred (or given) schema and Partition.
	Table table.Ident
	// Format is csv, tsv, json (newline-delimited), parquet or arrow.
	// Default: from the first file's extension.
	Format string
	// Mode is "append" (default) or "overwrite" (replace all rows, in one
	// commit).
	Mode string
	// Partition is the partition spec for a table the ingest creates.
	Partition []table.PartitionField
	// MergeSchema lets the ingest add new columns and widen types.
	MergeSchema bool
	// BadRows is "fail" (default: commit nothing if any row is bad) or
	// "quarantine" (commit the good rows, bad ones to NAME__rejects).
	BadRows string
	// MaxReported bounds the bad rows listed in an error. Default 10.
	MaxReported int
	// CSV holds the CSV reader's options.
	CSV CSVOptions
	// Schema, when set, fixes the columns and types of CSV and JSON input
	// instead of inferring them.
	Schema []table.Column
	// Progress, when set, is called with the rows read so far, in
	// increasing order from the goroutine reading the input; its last call
	// reports Summary.RowsRead. It must not block for long. When DuckDB
	// writes the data files itself (CSV, JSON and Parquet input into an
	// unpartitioned table; see the package documentation), its COPY
	// reports no progress, and Progress is called once, at the end.
	Progress func(rows int64)
}

// CSVOptions are the CSV reader's options. Zero values mean "detect"; see
// the package documentation for how detection works.
type CSVOptions struct {
	// Header says whether the first line holds column names. nil: detect
	// (true when Options.Schema is set).
	Header *bool
	// Delimiter separates fields: one character, not a line break or other
	// control character ("\t" or `\t` for TSV). "": detect.
	Delimiter string
	// Quote encloses fields: one printable ASCII character, not the
	// delimiter. "": detect, and " when the sniffer finds none.
	Quote string
	// Escape escapes the quote inside quoted fields: one printable ASCII
	// character. "": detect, and the quote itself (a doubled quote, as in
	// RFC 4180) when the sniffer finds none.
	Escape string
	// Nulls are the strings read as NULL (default: the empty field).
	Nulls []string
	// DateFormat and TimestampFormat are strftime formats such as
	// "%d/%m/%Y" and "%Y-%m-%d %H:%M:%S". "": detect ISO 8601.
	DateFormat      string
	TimestampFormat string
	// SampleSize is the number of rows sampled to infer types
	// (default 20480; -1 samples the whole file).
	SampleSize int
}

// Validate checks the options and fills defaults (Mode, BadRows,
// MaxReported, Format from the first file's extension, the tab delimiter
// of TSV). Its errors name the bad option and say what it accepts.
func (o *Options) Validate(files []string) error {
	if o.Table.Name == "" {
		return fmt.Errorf("ingest: no table; pass --table NAME")
	}
	switch o.Mode {
	case "":
		o.Mode = "append"
	case "append", "overwrite":
	default:
		return fmt.Errorf("ingest: --mode %q: use append or overwrite", o.Mode)
	}
	switch o.BadRows {
	case "":
		o.BadRows = "fail"
	case "fail", "quarantine":
	default:
		return fmt.Errorf("ingest: --bad-rows %q: use fail or quarantine", o.BadRows)
	}
	if o.MaxReported <= 0 {
		o.MaxReported = 10
	}
	if o.Format == "" && len(files) > 0 {
		o.Format = FormatOf(files[0])
		if o.Format == "" {
			return fmt.Errorf("ingest: cannot tell the format of %s from its extension; pass --format csv|tsv|json|parquet|arrow", files[0])
		}
	}
	switch o.Format {
	case "csv", "tsv", "json", "parquet", "arrow":
	default:
		return fmt.Errorf("ingest: --format %q: use csv, tsv, json, parquet or arrow", o.Format)
	}
	if o.Format == "tsv" && o.CSV.Delimiter == "" {
		o.CSV.Delimiter = "\t"
	}
	if o.CSV.Delimiter == `\t` {
		o.CSV.Delimiter = "\t"
	}
	if d := o.CSV.Delimiter; d != "" && (utf8.RuneCountInString(d) != 1 || !utf8.ValidString(d) || (d != "\t" && unicode.IsControl([]rune(d)[0]))) {
		return fmt.Errorf("ingest: --delimiter %q: want exactly one character, not a line break or other control character", d)
	}
	for _, opt := range []struct{ name, v string }{{"quote", o.CSV.Quote}, {"escape", o.CSV.Escape}} {
		if v := opt.v; v != "" && (len(v) != 1 || v[0] < 0x21 || v[0] > 0x7e) {
			return fmt.Errorf("ingest: --%s %q: want one printable ASCII character, such as \" or '", opt.name, v)
		}
	}
	if o.CSV.Delimiter != "" && (o.CSV.Delimiter == o.CSV.Quote || o.CSV.Delimiter == o.CSV.Escape) {
		return fmt.Errorf("ingest: --delimiter %q is also the quote or escape character; they must differ", o.CSV.Delimiter)
	}
	for _, n := range o.CSV.Nulls {
		if strings.ContainsAny(n, "\x00\r\n") || !utf8.ValidString(n) {
			return fmt.Errorf("ingest: --null %q: a null string cannot hold a line break, a NUL byte or invalid UTF-8", n)
		}
	}
	if o.CSV.SampleSize < -1 {
		return fmt.Errorf("ingest: --sample-size %d: use a positive number, or -1 for the whole file", o.CSV.SampleSize)
	}
	for _, f := range []string{o.CSV.DateFormat, o.CSV.TimestampFormat} {
		if f != "" && !strings.Contains(f, "%") {
			return fmt.Errorf("ingest: date/time format %q has no %% directive; write it like %%Y-%%m-%%d", f)
		}
		if strings.ContainsAny(f, "\x00\r\n") || !utf8.ValidString(f) {
			return fmt.Errorf("ingest: date/time format %q: a format cannot hold a line break, a NUL byte or invalid UTF-8", f)
		}
	}
	if o.BadRows == "quarantine" && o.Format != "csv" && o.Format != "tsv" {
		return fmt.Errorf("ingest: --bad-rows quarantine works for CSV and TSV; %s input is all-or-nothing", o.Format)
	}
	return nil
}

// FormatOf guesses a file's format from its extension ("" if unknown).
func FormatOf(path string) string {
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".zst")))
	switch ext {
	case ".csv", ".txt":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	case ".parquet", ".pq":
		return "parquet"
	case ".arrow", ".ipc", ".feather", ".arrows":
		return "arrow"
	}
	return ""
}
