// Package ingest loads files into Sluice tables: CSV (and TSV), JSON lines,
// Parquet and Arrow IPC, from paths or globs. CSV, JSON and Parquet are
// read by DuckDB's parallel readers (through sqlengine); Arrow IPC by
// arrow-go. Every ingest is one Iceberg commit. Run is the entry point;
// Options configures it.
//
// # Writing
//
// CSV, JSON and Parquet input into an unpartitioned table whose files are
// on the local file system is written by DuckDB itself: one COPY statement
// reads the input, casts every column to the table's type and writes
// Parquet files with the table's field ids (and Parquet column names, see
// iceberg.SanitizeColumnNames) into the table's data directory, reading
// and writing in parallel; table.AppendFiles (or OverwriteFiles) then
// commits them. The table's columns and the input's are compared first,
// with the same rules as table.Append, without reading any rows. Files of
// an ingest that fails are deleted. DuckDB's COPY reports no progress, so
// Options.Progress is called once, at the end.
//
// The other ingests go through Arrow batches and table.Append, which
// writes the files with iceberg-go: Arrow IPC input, partitioned tables,
// tables with NOT NULL or nested (list, map, struct) columns, ingests
// that evolve the schema (MergeSchema with new or wider columns), and
// warehouses that are not local directories.
//
// Bad rows never vanish. By default an ingest that meets any bad row fails
// and commits nothing (a table it would have created is not left behind),
// returning a *BadRowsError with file:line, column and reason for the first
// ones and their total. With BadRows "quarantine" the good rows land and
// every bad row goes, with its file, line, raw text and reason, into the
// table NAME__rejects, in the same run; Summary.RowsRead is always
// RowsWritten + RowsRejected.
//
// # CSV layout
//
// DuckDB's sniffer detects the dialect, header and column types from a
// sample of the first file that has data rows; the options given override
// what it found. The files are then read with detection off, so every row
// is parsed the same way. Three of the sniffer's habits would hide bad
// rows, and are overridden:
//   - It reads a file whose quote is never closed as unquoted (the quote
//     becomes text). Sluice quotes with " unless told otherwise, so the
//     unclosed quote is a bad row at the line where it opens; the rest of
//     the file after an unclosed quote belongs to that row.
//   - It gives up on, or reads as one column, small files with ragged
//     rows. Sluice sniffs with errors ignored and takes the columns from
//     the header line, so ragged rows are bad rows.
//   - With a quote and no escape it does not treat a doubled quote as an
//     escaped one. Sluice escapes the quote by doubling it (RFC 4180)
//     unless Escape says otherwise.
//
// All files of one ingest must start with the same header line.
// A CSV file that is empty is an error naming it; a header-only input
// loads zero rows into an existing table, and for a new table needs
// Options.Schema, since there are no values to infer types from. A UTF-8
// byte order mark is skipped.
//
// # Line numbers
//
// Reject.Line is the 1-based physical line of the file where the bad row
// starts, counting the header line and every line of a quoted field that
// spans lines, with "\n", "\r\n" and a lone "\r" each ending a line. DuckDB's
// own line number counts rows instead (it is off by one for every line
// break inside a quoted field before the bad row), so Sluice computes the
// line from DuckDB's byte position of the row, reading the file (after
// decompressing .gz or .zst) up to it. A bad row is counted once however
// many of its fields are bad; its reasons are joined with "; ".
//
// # What DuckDB does not detect
//
// These inputs load without a bad row, possibly changed:
//   - A number with a fraction in an INTEGER or BIGINT column is rounded
//     ("1.5" loads as 2), and a DECIMAL column rounds extra digits ("1.239"
//     into DECIMAL(10,2) loads as 1.24). Exponents ("1e3") are accepted.
//   - A timestamp with a UTC offset ("2024-01-01 10:00:00+02") in a
//     TIMESTAMP column loses the offset (it loads as 10:00); use
//     TIMESTAMPTZ to keep the instant.
//   - Blank lines are skipped, and a quoted empty field ("") is NULL, like
//     an empty one.
//   - A quote inside an unquoted field (5" pipe) is text.
//   - Spaces around a number are ignored.
//   - NUL bytes are kept in text fields.
//   - Duplicate header names are renamed (id, id_1).
//   - An invalid UTF-8 byte is reported, but the raw text in the rejects
//     table shows it as "?".
//
// Inferred types come from the sample (Options.CSV.SampleSize); in a new
// table, a later value that does not fit the inferred type is a bad row.
// Give Options.Schema, or sample the whole file, to avoid that.
package ingest
