package ingest

import (
	"fmt"
	"path/filepath"
	"strings"
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
	// Progress, when set, is called with the rows read so far.
	Progress func(rows int64)
}

// CSVOptions are the CSV reader's options. Zero values mean "detect".
type CSVOptions struct {
	// Header says whether the first line holds column names. nil: detect.
	Header *bool
	// Delimiter separates fields (one character; "\t" for TSV). "": detect.
	Delimiter string
	// Quote encloses fields (one character). "": detect, usually ".
	Quote string
	// Escape escapes the quote inside quoted fields. "": detect.
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

// Validate checks the options and fills defaults.
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
	for name, v := range map[string]string{"delimiter": o.CSV.Delimiter, "quote": o.CSV.Quote, "escape": o.CSV.Escape} {
		if v == "" {
			continue
		}
		if v == `\t` {
			v = "\t"
		}
		if utf8.RuneCountInString(v) != 1 || v == "\n" || v == "\r" {
			return fmt.Errorf("ingest: --%s %q: want exactly one character other than a line break", name, v)
		}
	}
	if o.CSV.Delimiter == `\t` {
		o.CSV.Delimiter = "\t"
	}
	if o.CSV.Quote != "" && o.CSV.Quote == o.CSV.Delimiter {
		return fmt.Errorf("ingest: --quote and --delimiter are both %q; they must differ", o.CSV.Quote)
	}
	if o.CSV.SampleSize < -1 {
		return fmt.Errorf("ingest: --sample-size %d: use a positive number, or -1 for the whole file", o.CSV.SampleSize)
	}
	for _, f := range []string{o.CSV.DateFormat, o.CSV.TimestampFormat} {
		if f != "" && !strings.Contains(f, "%") {
			return fmt.Errorf("ingest: date/time format %q has no %% directive; write it like %%Y-%%m-%%d", f)
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
