package bench

import (
	"strings"
)

// TablePlaceholder marks where a query of the suite reads the table.
const TablePlaceholder = "{table}"

// Query is one query of the suite.
type Query struct {
	// Name is short and stable; benchmarks and reports use it.
	Name string
	// What describes what the query exercises.
	What string
	// SQL reads the table through TablePlaceholder.
	SQL string
}

// On returns the query reading from source: a table name for Sluice, or a
// table function such as ReadParquet(files) for DuckDB.
func (q Query) On(source string) string {
	return strings.ReplaceAll(q.SQL, TablePlaceholder, source)
}

// Suite returns the five analytical queries, over the columns of
// vega-datasets' flights data (date TIMESTAMP, delay BIGINT, distance
// BIGINT, origin VARCHAR, destination VARCHAR). Each call returns a new
// slice.
func Suite() []Query {
	return []Query{
		{Name: "count", What: "count(*)", SQL: "SELECT count(*) AS n FROM {table}"},
		{Name: "filter_agg", What: "filtered aggregate",
			SQL: "SELECT count(*) AS n, avg(delay) AS avg_delay, sum(distance) AS miles FROM {table} WHERE delay > 15 AND distance BETWEEN 500 AND 1500"},
		{Name: "group_by", What: "group by date (high cardinality)",
			SQL: "SELECT date, count(*) AS n, avg(delay) AS avg_delay FROM {table} GROUP BY date"},
		{Name: "top_n", What: "top-N sort",
			SQL: "SELECT date, origin, destination, delay FROM {table} ORDER BY delay DESC, date, origin, destination LIMIT 100"},
		{Name: "window", What: "window: top 3 delays per origin",
			SQL: "SELECT origin, date, delay, rn FROM (SELECT origin, date, delay, row_number() OVER (PARTITION BY origin ORDER BY delay DESC, date, destination) AS rn FROM {table}) WHERE rn <= 3"},
	}
}

// ReadParquet returns DuckDB's read_parquet over paths: the "DuckDB reads
// the files directly" side of the comparison. file:// prefixes are
// stripped, so paths can come straight from a table's scan plan. One file
// is passed as a plain string, as a DuckDB user would write it (DuckDB
// binds that a little faster than a one-element list).
func ReadParquet(paths []string) string {
	if len(paths) == 1 {
		return "read_parquet(" + QuoteString(strings.TrimPrefix(paths[0], "file://")) + ")"
	}
	var b strings.Builder
	b.WriteString("read_parquet([")
	for i, p := range paths {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteString(strings.TrimPrefix(p, "file://")))
	}
	b.WriteString("])")
	return b.String()
}

// QuoteString quotes s as an SQL string literal.
func QuoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// CopyCSVToParquet is DuckDB's way to ingest a CSV file: the statement the
// ingest comparison runs on the DuckDB side.
func CopyCSVToParquet(csvPath, parquetPath string) string {
	return "COPY (SELECT * FROM read_csv(" + QuoteString(csvPath) + ")) TO " + QuoteString(parquetPath) + " (FORMAT parquet)"
}
