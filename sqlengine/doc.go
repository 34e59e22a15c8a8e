// Package sqlengine runs SQL over Sluice's tables on an embedded DuckDB. It
// is the only package that imports DuckDB (and so cgo); build with
// -tags duckdb_arrow.
//
// Reads: before a statement runs, every table name in it that the catalog
// knows is replaced by read_parquet over the data files of the wanted
// version (the current one, or the one a VERSION AS OF n or TIMESTAMP AS
// OF '…' clause names), aliased to the table's name, so DuckDB scans the
// Parquet files itself, in parallel, with projection and filter pushdown.
// (When files need renamed, cast or missing columns — after schema
// evolution — a subquery over read_parquet does that; DESCRIBE, SUMMARIZE
// and SHOW see views instead.) Each statement reads the latest commit: one
// indexed catalog lookup per table, with metadata and file lists cached by
// metadata location and snapshot. Names the catalog does not know, quoted
// file paths ('data/*.csv') and table functions pass through to DuckDB
// untouched.
//
// Writes: CREATE TABLE [AS], INSERT INTO, DELETE, UPDATE, TRUNCATE and DROP
// TABLE on catalog tables are computed by DuckDB and committed by package
// table as Iceberg snapshots (copy-on-write for DELETE and UPDATE: only the
// files holding affected rows are rewritten).
//
// An Engine serializes statements; DuckDB parallelizes each one over
// Config.Threads cores.
package sqlengine
