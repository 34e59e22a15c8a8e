// Package table manages Sluice's Apache Iceberg tables: create, list,
// describe and drop; append, overwrite and row-level rewrites; schema
// enforcement and opt-in evolution; versions (time travel, history,
// rollback); and maintenance (compaction, snapshot expiry, orphan files).
//
// Tables live in an Iceberg SQL catalog (iceberg-go's catalog/sql) whose
// database is owned by the caller, normally the workspace's SQLite file, and
// their files under a warehouse location (a file:// or any URL iceberg-go's
// IO registry knows). Every table is written in format v2 with copy-on-write
// deletes, so the data files of a snapshot are the whole truth about it and
// any engine, DuckDB included, can scan them directly.
//
// # Files written elsewhere
//
// Append and Rewrite write data files with iceberg-go. Another program
// (DuckDB's COPY, for Sluice's ingest) can write them instead: it writes
// Parquet files carrying the table's field ids to a path from
// NewDataLocation, and AppendFiles, RewriteFiles or OverwriteFiles commit
// them with statistics read from their footers. Those calls own the
// files: a write that fails before committing deletes them.
//
// # Versions
//
// A table's version number is its snapshot's sequence number: 1 for the first
// commit, then one more for every commit, in commit order. Version numbers
// never change, so "VERSION AS OF 3" means the same data before and after a
// rollback; a rolled-back-to version simply becomes current again.
//
// # Concurrency
//
// A *Catalog is safe for concurrent use. Writers in the same or in other
// processes commit optimistically through the catalog's compare-and-swap of
// the metadata location: appends write their data files once, then reload
// the table and commit the same files again when another writer committed
// first (as the table's commit.retry.* properties allow; iceberg-go's own
// retry does not cover the SQL catalog's requirement checks); rewrites
// (overwrite with a predicate, delete, update), compaction, expiry and
// rollback fail with ErrConflict when another commit touched the table
// since they planned. A writer killed at any moment leaves the table at
// its last commit; the files it wrote are orphans for RemoveOrphans.
package table
