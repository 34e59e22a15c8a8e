package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/bench"
	"github.com/sluice-dev/sluice/bench/proc"
	"github.com/sluice-dev/sluice/ingest"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/table"
	"github.com/sluice-dev/sluice/workspace"
)

// tableName is the Sluice table the data is ingested into.
var tableName = table.Ident{Namespace: table.DefaultNamespace, Name: "flights"}

// timings are the timed runs of one side of one query.
type timings struct {
	wall, cpu []time.Duration
}

func (t *timings) add(wall, cpu time.Duration) {
	t.wall = append(t.wall, wall)
	t.cpu = append(t.cpu, cpu)
}

// queryResult is one query of the suite, measured on every side.
type queryResult struct {
	q          bench.Query
	rows       int64
	sluice     timings
	duck       timings
	node       []time.Duration // nil: DuckDB 1.5 not run
	nodeRowsOK bool
}

// children are repeated runs of one child process.
type children struct {
	runs []proc.ChildResult
}

func (c *children) ok() bool { return len(c.runs) > 0 }

func (c *children) wall() time.Duration {
	ds := make([]time.Duration, len(c.runs))
	for i, r := range c.runs {
		ds[i] = r.Wall
	}
	return bench.Median(ds)
}

func (c *children) cpu() time.Duration {
	ds := make([]time.Duration, len(c.runs))
	for i, r := range c.runs {
		ds[i] = r.CPU
	}
	return bench.Median(ds)
}

func (c *children) rss() int64 {
	xs := make([]int64, len(c.runs))
	for i, r := range c.runs {
		xs[i] = r.MaxRSS
	}
	return bench.MedianInt64(xs)
}

// results is everything one run measured.
type results struct {
	cfg                 config
	machine             bench.Machine
	loadStart, loadEnd  string
	duckVersion         string
	nodeVersion         string
	nodeSkipped         string // why DuckDB 1.5 was not measured, if it was not
	rows                int64  // rows of the table
	tableFiles          int
	tableBytes          int64
	csvBytes            int64
	queries             []queryResult
	ingestSluice        children
	ingestDuck          children
	ingestNode          children
	sluiceReportedRates []float64 // rows/s printed by `sluice ingest` (excludes process start and workspace setup)
	suiteSluice         children  // the query suite as one child process
	suiteDuck           children
	suiteNode           children
}

func measure(ctx context.Context, cfg config, logf func(string, ...any)) (*results, error) {
	res := &results{cfg: cfg, machine: bench.ThisMachine(), loadStart: bench.LoadAverage()}
	if st, err := os.Stat(cfg.csv); err == nil {
		res.csvBytes = st.Size()
	}
	files, err := queriesInProcess(ctx, cfg, res, logf)
	if err != nil {
		return nil, err
	}
	if cfg.node != "" {
		if err := queriesNode(ctx, cfg, res, files, logf); err != nil {
			logf("DuckDB 1.5 (node) skipped: %v", err)
			res.nodeSkipped = firstLine(err.Error())
			cfg.node = ""
		}
	} else {
		res.nodeSkipped = "not requested (no -node)"
	}
	if err := suiteRSS(ctx, cfg, res, files, logf); err != nil {
		return nil, err
	}
	if err := ingestRuns(ctx, cfg, res, logf); err != nil {
		return nil, err
	}
	res.loadEnd = bench.LoadAverage()
	return res, nil
}

// queriesInProcess ingests the Parquet file into a fresh workspace and
// times the suite on Sluice's engine and on a plain DuckDB over the same
// files. It returns the table's data files.
func queriesInProcess(ctx context.Context, cfg config, res *results, logf func(string, ...any)) ([]string, error) {
	wsDir := filepath.Join(cfg.work, "queries-ws")
	if err := os.RemoveAll(wsDir); err != nil {
		return nil, err
	}
	ecfg := sqlengine.DefaultConfig()
	ecfg.Threads = cfg.threads
	ws, err := workspace.Open(ctx, workspace.Config{Dir: wsDir, Engine: ecfg})
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	eng, err := ws.SQL(ctx)
	if err != nil {
		return nil, err
	}
	logf("ingesting %s into a Sluice table", cfg.parquet)
	sum, err := ingest.Run(ctx, eng, []string{cfg.parquet}, ingest.Options{Table: tableName})
	if err != nil {
		return nil, err
	}
	tbl, err := ws.Tables().Load(ctx, tableName)
	if err != nil {
		return nil, err
	}
	plan, err := tbl.Plan(ctx, nil)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range plan.Files {
		files = append(files, strings.TrimPrefix(f.Path, "file://"))
		res.rows += f.Records
		res.tableBytes += f.Size
	}
	res.tableFiles = len(files)
	if res.rows != sum.RowsWritten {
		return nil, fmt.Errorf("table %s: plan has %d rows, ingest wrote %d", tableName, res.rows, sum.RowsWritten)
	}

	duck, err := bench.OpenDuck(ctx, cfg.threads)
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	if res.duckVersion, err = duck.Version(ctx); err != nil {
		return nil, err
	}
	direct := bench.ReadParquet(files)
	sluiceRun := func(q string) (int64, error) {
		var n int64
		err := eng.Query(ctx, q, func(rdr array.RecordReader) error {
			var err error
			n, err = bench.Drain(rdr)
			return err
		})
		return n, err
	}
	duckRun := func(q string) (int64, error) { return duck.Drain(ctx, q) }
	for _, q := range bench.Suite() {
		logf("query %s: 1 warm-up + %d timed runs on each side", q.Name, cfg.runs)
		qr := queryResult{q: q}
		sq, dq := q.On(tableName.Name), q.On(direct)
		ns, err := sluiceRun(sq)
		if err != nil {
			return nil, fmt.Errorf("sluice: query %s: %w", q.Name, err)
		}
		nd, err := duckRun(dq)
		if err != nil {
			return nil, fmt.Errorf("duckdb: query %s: %w", q.Name, err)
		}
		if ns != nd {
			return nil, fmt.Errorf("query %s: Sluice returned %d rows, DuckDB %d", q.Name, ns, nd)
		}
		qr.rows = ns
		for i := range cfg.runs {
			// Alternate which side goes first, so neither always runs
			// on caches the other warmed.
			sides := []func() error{
				func() error { return timeOne(&qr.sluice, func() (int64, error) { return sluiceRun(sq) }, ns) },
				func() error { return timeOne(&qr.duck, func() (int64, error) { return duckRun(dq) }, nd) },
			}
			if i%2 == 1 {
				sides[0], sides[1] = sides[1], sides[0]
			}
			for _, side := range sides {
				if err := side(); err != nil {
					return nil, fmt.Errorf("query %s: %w", q.Name, err)
				}
			}
		}
		res.queries = append(res.queries, qr)
	}
	return files, nil
}

// timeOne runs fn once, checks its row count and records its wall and CPU
// time (CPU of the whole process: one query runs at a time).
func timeOne(t *timings, fn func() (int64, error), want int64) error {
	cpu0, start := proc.SelfCPU(), time.Now()
	n, err := fn()
	wall, cpu := time.Since(start), proc.SelfCPU()-cpu0
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("returned %d rows, then %d", want, n)
	}
	t.add(wall, cpu)
	return nil
}

// nodeSpec and nodeOut are the JSON protocol of duckdb15.mjs's "queries"
// mode.
type nodeSpec struct {
	Threads int         `json:"threads"`
	Warmups int         `json:"warmups"`
	Runs    int         `json:"runs"`
	Queries []nodeQuery `json:"queries"`
}

type nodeQuery struct {
	Name string    `json:"name"`
	SQL  string    `json:"sql"`
	Rows int64     `json:"rows,omitempty"`
	Ms   []float64 `json:"ms,omitempty"`
}

type nodeOut struct {
	Version string      `json:"version"`
	Queries []nodeQuery `json:"queries"`
}

// queriesNode times the suite on DuckDB 1.5 through node, over the same
// files, in a process of its own.
func queriesNode(ctx context.Context, cfg config, res *results, files []string, logf func(string, ...any)) error {
	logf("DuckDB 1.5 (node): the query suite")
	spec := nodeSpec{Threads: cfg.threads, Warmups: 1, Runs: cfg.runs}
	direct := bench.ReadParquet(files)
	for _, q := range bench.Suite() {
		spec.Queries = append(spec.Queries, nodeQuery{Name: q.Name, SQL: q.On(direct)})
	}
	in, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "node", cfg.node, "queries")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node %s queries: %w: %s", cfg.node, err, strings.TrimSpace(stderr.String()))
	}
	var out nodeOut
	if err := json.Unmarshal(outb, &out); err != nil {
		return fmt.Errorf("node %s queries: bad output: %w", cfg.node, err)
	}
	if len(out.Queries) != len(res.queries) {
		return fmt.Errorf("node %s queries: %d results for %d queries", cfg.node, len(out.Queries), len(res.queries))
	}
	res.nodeVersion = out.Version
	for i, q := range out.Queries {
		qr := &res.queries[i]
		for _, ms := range q.Ms {
			qr.node = append(qr.node, time.Duration(ms*float64(time.Millisecond)))
		}
		qr.nodeRowsOK = q.Rows == qr.rows
		if !qr.nodeRowsOK {
			logf("DuckDB 1.5: query %s returned %d rows, Sluice %d", q.Name, q.Rows, qr.rows)
		}
	}
	return nil
}

// suiteRSS runs the whole query suite as one child process per side, for
// peak RSS.
func suiteRSS(ctx context.Context, cfg config, res *results, files []string, logf func(string, ...any)) error {
	var sluiceSQL []string
	var directSQL []string
	direct := bench.ReadParquet(files)
	for _, q := range bench.Suite() {
		sluiceSQL = append(sluiceSQL, q.On(tableName.Name))
		directSQL = append(directSQL, q.On(direct))
	}
	script := filepath.Join(cfg.work, "suite.sql")
	if err := os.WriteFile(script, []byte(strings.Join(sluiceSQL, ";\n")+";\n"), 0o644); err != nil {
		return err
	}
	wsDir := filepath.Join(cfg.work, "queries-ws")
	env := []string{fmt.Sprintf("GOMAXPROCS=%d", cfg.threads)}
	for i := range cfg.ingestRuns {
		logf("query suite as child processes, peak RSS: run %d of %d", i+1, cfg.ingestRuns)
		r, err := proc.Run(ctx, cfg.rusage, env, cfg.sluice, "--workspace", wsDir, "sql", "-f", script, "--output", "csv")
		if err != nil {
			return err
		}
		res.suiteSluice.runs = append(res.suiteSluice.runs, r)
		r, err = proc.Run(ctx, cfg.rusage, nil, cfg.duckpeer, append([]string{"-threads", strconv.Itoa(cfg.threads)}, directSQL...)...)
		if err != nil {
			return err
		}
		res.suiteDuck.runs = append(res.suiteDuck.runs, r)
		if cfg.node != "" {
			r, err := proc.Run(ctx, cfg.rusage, nil, "node", append([]string{cfg.node, "exec", strconv.Itoa(cfg.threads)}, directSQL...)...)
			if err != nil {
				logf("DuckDB 1.5 (node) query suite: %v", err)
			} else {
				res.suiteNode.runs = append(res.suiteNode.runs, r)
			}
		}
	}
	return nil
}

var (
	writtenRe = regexp.MustCompile(`(?m)^\s*written\s+(\d+) rows`)
	rateRe    = regexp.MustCompile(`\(([0-9.]+) rows/s\)`)
)

// ingestRuns times `sluice ingest` of the CSV file against DuckDB's COPY
// to Parquet, each as a child process, interleaved.
func ingestRuns(ctx context.Context, cfg config, res *results, logf func(string, ...any)) error {
	env := []string{fmt.Sprintf("GOMAXPROCS=%d", cfg.threads)}
	for i := range cfg.ingestRuns {
		logf("ingest %s: run %d of %d", filepath.Base(cfg.csv), i+1, cfg.ingestRuns)
		wsDir := filepath.Join(cfg.work, fmt.Sprintf("ingest-ws-%d", i))
		if err := os.RemoveAll(wsDir); err != nil {
			return err
		}
		r, err := proc.Run(ctx, cfg.rusage, env, cfg.sluice, "--workspace", wsDir, "ingest", cfg.csv, "--table", tableName.Name, "-q")
		if err != nil {
			return err
		}
		m := writtenRe.FindStringSubmatch(r.Stdout)
		if m == nil || m[1] != strconv.FormatInt(res.rows, 10) {
			return fmt.Errorf("sluice ingest: want %d rows written, got output:\n%s", res.rows, r.Stdout)
		}
		if m := rateRe.FindStringSubmatch(r.Stdout); m != nil {
			if v, err := strconv.ParseFloat(m[1], 64); err == nil {
				res.sluiceReportedRates = append(res.sluiceReportedRates, v)
			}
		}
		res.ingestSluice.runs = append(res.ingestSluice.runs, r)
		if err := os.RemoveAll(wsDir); err != nil {
			return err
		}

		out := filepath.Join(cfg.work, fmt.Sprintf("ingest-duck-%d.parquet", i))
		r, err = proc.Run(ctx, cfg.rusage, nil, cfg.duckpeer, "-threads", strconv.Itoa(cfg.threads), bench.CopyCSVToParquet(cfg.csv, out))
		if err != nil {
			return err
		}
		if err := checkRows(ctx, out, res.rows); err != nil {
			return fmt.Errorf("duckdb ingest: %w", err)
		}
		res.ingestDuck.runs = append(res.ingestDuck.runs, r)
		if err := os.Remove(out); err != nil {
			return err
		}

		if cfg.node != "" {
			out := filepath.Join(cfg.work, fmt.Sprintf("ingest-node-%d.parquet", i))
			r, err := proc.Run(ctx, cfg.rusage, nil, "node", cfg.node, "exec", strconv.Itoa(cfg.threads), bench.CopyCSVToParquet(cfg.csv, out))
			if err == nil {
				err = checkRows(ctx, out, res.rows)
			}
			if err != nil {
				logf("DuckDB 1.5 (node) ingest: %v", err)
			} else {
				res.ingestNode.runs = append(res.ingestNode.runs, r)
			}
			os.Remove(out)
		}
	}
	return nil
}

// checkRows checks that the Parquet file at path holds want rows.
func checkRows(ctx context.Context, path string, want int64) error {
	duck, err := bench.OpenDuck(ctx, 1)
	if err != nil {
		return err
	}
	defer duck.Close()
	var got int64
	err = duck.Query(ctx, "SELECT count(*) FROM "+bench.ReadParquet([]string{path}), func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			if rec.NumRows() > 0 {
				c, ok := rec.Column(0).(*array.Int64)
				if !ok {
					return errors.New("count(*) is not BIGINT")
				}
				got = c.Value(0)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%s holds %d rows, want %d", path, got, want)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
