// Package ingest loads files into Sluice tables: CSV (and TSV), JSON lines,
// Parquet and Arrow IPC, from paths or globs. CSV, JSON and Parquet are
// read by DuckDB's parallel readers (through sqlengine); Arrow IPC by
// arrow-go. Rows go straight from the reader, as Arrow batches, into one
// Iceberg commit.
//
// Bad rows never vanish. By default an ingest that meets any bad row fails
// and commits nothing, reporting file:line, column and reason for the first
// ones and their total. With BadRows "quarantine" the good rows land and
// every bad row goes, with its file, line, raw text and reason, into the
// table NAME__rejects, in the same run.
package ingest
