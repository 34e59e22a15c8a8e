// Package sqlengine runs SQL over Sluice's tables on an embedded DuckDB. It
// is the only package that imports DuckDB (and so cgo); build with
// -tags duckdb_arrow.
//
// Reads: before a statement runs, every table name in it that the catalog
// knows is bound to a DuckDB view over read_parquet of the data files of
// the wanted version (the current one, or the one a VERSION AS OF n or
// TIMESTAMP AS OF '…' clause names), so DuckDB scans the Parquet files
// itself, in parallel, with projection and filter pushdown. Names the
// catalog does not know, quoted file paths ('data/*.csv') and table
// functions pass through to DuckDB untouched.
//
// Writes: CREATE TABLE [AS], INSERT INTO, DELETE, UPDATE, TRUNCATE and DROP
// TABLE on catalog tables are computed by DuckDB and committed by package
// table as Iceberg snapshots (copy-on-write for DELETE and UPDATE: only the
// files holding affected rows are rewritten).
//
// An Engine serializes statements; DuckDB parallelizes each one over
// Config.Threads cores.
package sqlengine
