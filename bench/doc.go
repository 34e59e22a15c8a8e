// Package bench compares Sluice with DuckDB on the same machine, data and
// engine build: analytical queries over a Sluice table against DuckDB
// reading the same Parquet files directly, ingest of a CSV file against
// DuckDB's COPY … TO 'x.parquet', and the peak RSS of both.
//
// The package holds what the harness's programs and benchmarks share: the
// query suite (Suite), a plain duckdb-go connection with no Sluice code in
// between (Duck), child-process resource usage (RunChild) and the report
// table (Report). The programs are cmd/tablebench, which runs the whole
// comparison, and cmd/duckpeer, the DuckDB side as a process of its own.
// run.sh fetches the data and runs them; README.md explains the figures.
//
// Go benchmarks over a small generated table (go test -tags duckdb_arrow
// -bench . ./bench/) time each query of the suite on both sides.
package bench
