package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/bench"
)

// Targets.
const (
	queryTarget  = 1.10 // Sluice's query time ≤ 1.10 × DuckDB's
	ingestTarget = 0.80 // Sluice's ingest rows/s ≥ 0.8 × DuckDB's
	rssTarget    = 1.50 // Sluice's peak RSS ≤ 1.5 × DuckDB's
)

func secs(d time.Duration) float64 { return d.Seconds() }

// markdown renders the report: the summary table, how it was measured,
// and the details behind each figure.
func (r *results) markdown() string {
	var b strings.Builder
	duck := "DuckDB " + r.duckVersion
	node := "DuckDB " + r.nodeVersion + ", node"
	haveNode := r.nodeVersion != ""
	fmt.Fprintf(&b, "## Sluice vs DuckDB: %s, %d rows\n\n", r.cfg.dataset, r.rows)
	fmt.Fprintf(&b, "- Machine: %s\n", r.machine)
	fmt.Fprintf(&b, "- Date: %s; 1-minute load average %s at start, %s at end (%d CPUs)\n",
		r.machine.Date.UTC().Format("2006-01-02 15:04 MST"), r.loadStart, r.loadEnd, r.machine.CPUs)
	rev := ""
	if r.cfg.rev != "" {
		rev = " at " + r.cfg.rev
	}
	fmt.Fprintf(&b, "- Sluice%s links %s (duckdb-go v2.5.4); the DuckDB side is the same build with no Sluice code (bench.Duck in-process, bench/cmd/duckpeer as a process)\n", rev, duck)
	if haveNode {
		fmt.Fprintf(&b, "- Reference: %s through @duckdb/node-api\n", node)
	} else {
		fmt.Fprintf(&b, "- Reference DuckDB 1.5 (node): skipped: %s\n", r.nodeSkipped)
	}
	fmt.Fprintf(&b, "- Threads: %d on every side. Table: %d Parquet file(s), %.1f MB, written by Sluice's ingest; CSV: %.1f MB\n\n",
		r.cfg.threads, r.tableFiles, float64(r.tableBytes)/1e6, float64(r.csvBytes)/1e6)

	if busy(r.loadStart, r.machine.CPUs) || busy(r.loadEnd, r.machine.CPUs) {
		b.WriteString("**Busy machine:** the load average exceeded the CPU count, so other processes competed for the cores and wall times are noisy. The CPU column (Sluice's CPU time over DuckDB's, user + system) is less sensitive to that.\n\n")
	}
	t := bench.Table{Header: []string{"measure", "Sluice", duck, "Sluice / DuckDB", "target", "met", "CPU"}}
	if haveNode {
		t.Header = append(t.Header, node+" (Sluice / it), reference")
	}
	for _, q := range r.queries {
		s, d := bench.Median(q.sluice.wall), bench.Median(q.duck.wall)
		row := []string{"(a) " + q.q.What, bench.Ms(s), bench.Ms(d), bench.Ratio(secs(s), secs(d)),
			fmt.Sprintf("≤ %.2f×", queryTarget), bench.Verdict(secs(s) <= queryTarget*secs(d)),
			bench.Ratio(secs(bench.Median(q.sluice.cpu)), secs(bench.Median(q.duck.cpu)))}
		if haveNode {
			row = append(row, nodeCell(q.node, func(n time.Duration) string {
				return bench.Ms(n) + " (" + bench.Ratio(secs(s), secs(n)) + ")"
			}))
		}
		t.Add(row...)
	}
	rows := float64(r.rows)
	if r.ingestSluice.ok() && r.ingestDuck.ok() {
		s, d := rows/secs(r.ingestSluice.wall()), rows/secs(r.ingestDuck.wall())
		row := []string{"(b) ingest CSV, rows/s", bench.Rate(s), bench.Rate(d), bench.Ratio(s, d),
			fmt.Sprintf("≥ %.2f×", ingestTarget), bench.Verdict(s >= ingestTarget*d),
			bench.Ratio(rows/secs(r.ingestSluice.cpu()), rows/secs(r.ingestDuck.cpu()))}
		if haveNode {
			cell := "failed"
			if r.ingestNode.ok() {
				n := rows / secs(r.ingestNode.wall())
				cell = bench.Rate(n) + " (" + bench.Ratio(s, n) + ")"
			}
			row = append(row, cell)
		}
		t.Add(row...)
	}
	rssRow := func(name string, s, d, n *children) {
		if !s.ok() || !d.ok() {
			return
		}
		row := []string{name, bench.MB(s.rss()), bench.MB(d.rss()), bench.Ratio(float64(s.rss()), float64(d.rss())),
			fmt.Sprintf("≤ %.2f×", rssTarget), bench.Verdict(float64(s.rss()) <= rssTarget*float64(d.rss())), "–"}
		if haveNode {
			cell := "failed"
			if n.ok() {
				cell = bench.MB(n.rss()) + " (" + bench.Ratio(float64(s.rss()), float64(n.rss())) + ")"
			}
			row = append(row, cell)
		}
		t.Add(row...)
	}
	rssRow("(c) peak RSS, ingest", &r.ingestSluice, &r.ingestDuck, &r.ingestNode)
	rssRow("(c) peak RSS, query suite", &r.suiteSluice, &r.suiteDuck, &r.suiteNode)
	b.WriteString(t.Markdown())

	b.WriteString("\nHow it was measured:\n\n")
	fmt.Fprintf(&b, "- (a) Median of %d timed runs after 1 warm-up, Sluice and DuckDB interleaved in one process, every row read through duckdb-go's Arrow interface on both sides. Sluice runs the SQL as written, so its time includes resolving the table name to its current snapshot (a catalog lookup) and writing read_parquet of its files into the statement; DuckDB runs it with the table replaced by read_parquet of the table's files.\n", r.cfg.runs)
	fmt.Fprintf(&b, "- (b) Wall time of the whole child process, start-up included, median of %d: `sluice ingest flights.csv --table flights` into a new workspace against `COPY (SELECT * FROM read_csv('flights.csv')) TO 'x.parquet'`.\n", r.cfg.ingestRuns)
	fmt.Fprintf(&b, "- (c) Peak RSS (ru_maxrss) of those ingest processes, and of the query suite run as one process per side (`sluice sql -f suite.sql --output csv` against duckpeer over read_parquet), median of %d.\n", r.cfg.ingestRuns)
	b.WriteString("- CPU: Sluice / DuckDB of the process's user + system time: the median per query for (a), rows per CPU-second for (b).\n")
	if haveNode {
		b.WriteString("- The DuckDB 1.5 column is a reference, not a target: a newer DuckDB release, in a node process (its RSS includes V8's).\n")
	}

	b.WriteString("\n### Details\n\nQueries (wall: median [min–max]; CPU: median, user + system of the process):\n\n")
	dt := bench.Table{Header: []string{"query", "rows out", "Sluice wall", duck + " wall", "Sluice CPU", "DuckDB CPU", "CPU ratio", "SQL (Sluice side)"}}
	for _, q := range r.queries {
		sc, dc := bench.Median(q.sluice.cpu), bench.Median(q.duck.cpu)
		dt.Add(q.q.Name, fmt.Sprint(q.rows), spread(q.sluice.wall), spread(q.duck.wall), bench.Ms(sc), bench.Ms(dc),
			bench.Ratio(secs(sc), secs(dc)), "`"+shortSQL(q.q.On(tableName.Name), 200)+"`")
	}
	b.WriteString(dt.Markdown())

	b.WriteString("\nChild processes (median of runs; wall and CPU in seconds):\n\n")
	ct := bench.Table{Header: []string{"run", "side", "wall", "CPU", "peak RSS", "runs (wall)"}}
	childRow := func(run, side string, c *children) {
		if !c.ok() {
			return
		}
		var walls []string
		for _, x := range c.runs {
			walls = append(walls, fmt.Sprintf("%.2f", x.Wall.Seconds()))
		}
		ct.Add(run, side, fmt.Sprintf("%.2f s", c.wall().Seconds()), fmt.Sprintf("%.2f s", c.cpu().Seconds()), bench.MB(c.rss()), strings.Join(walls, ", "))
	}
	childRow("ingest", "Sluice", &r.ingestSluice)
	childRow("ingest", duck, &r.ingestDuck)
	childRow("ingest", node, &r.ingestNode)
	childRow("query suite", "Sluice", &r.suiteSluice)
	childRow("query suite", duck, &r.suiteDuck)
	childRow("query suite", node, &r.suiteNode)
	b.WriteString(ct.Markdown())
	if len(r.sluiceReportedRates) > 0 {
		var parts []string
		for _, v := range r.sluiceReportedRates {
			parts = append(parts, fmt.Sprintf("%.2f M", v/1e6))
		}
		fmt.Fprintf(&b, "\n`sluice ingest` reported %s rows/s itself (ingest only, without process start-up and workspace creation).\n", strings.Join(parts, ", "))
	}
	if r.ingestSluice.ok() && r.ingestDuck.ok() {
		s, d := rows/secs(r.ingestSluice.cpu()), rows/secs(r.ingestDuck.cpu())
		fmt.Fprintf(&b, "Ingest per CPU-second: Sluice %s, DuckDB %s (%s).\n", bench.Rate(s), bench.Rate(d), bench.Ratio(s, d))
	}
	return b.String()
}

// busy reports whether a load average is above the CPU count.
func busy(load string, cpus int) bool {
	l, err := strconv.ParseFloat(load, 64)
	return err == nil && l > float64(cpus)
}

// spread formats the median and range of ds.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		lo, hi = min(lo, d), max(hi, d)
	}
	return fmt.Sprintf("%s [%s–%s]", bench.Ms(bench.Median(ds)), strings.TrimSuffix(bench.Ms(lo), " ms"), bench.Ms(hi))
}

func nodeCell(ds []time.Duration, f func(time.Duration) string) string {
	if len(ds) == 0 {
		return "–"
	}
	return f(bench.Median(ds))
}
