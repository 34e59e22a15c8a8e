// Command tablebench compares Sluice with DuckDB on one machine, in one
// run, and prints the figures side by side with their ratios:
//
//   - (a) the query suite (bench.Suite) over a Sluice table against DuckDB
//     reading the table's own Parquet files directly, both in this
//     process with the same thread count: one warm-up and -runs timed runs
//     of each query, interleaved, median;
//   - (b) ingest of a CSV file by `sluice ingest` against DuckDB's
//     COPY (SELECT * FROM read_csv(…)) TO 'x.parquet' run by duckpeer, each
//     a child process: rows per second of wall time, median of -ingest-runs;
//   - (c) the peak RSS of those ingest processes, and of the query suite
//     run as one child process on each side (`sluice sql -f` against
//     duckpeer over read_parquet).
//
// With -node, DuckDB 1.5 (bench/node/duckdb15.mjs) is timed too, as a
// reference column. bench/run.sh fetches the data, builds the binaries and
// runs this; see bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config holds the command line.
type config struct {
	parquet    string // source data, ingested into the Sluice table for (a)
	csv        string // the same data as CSV, for (b)
	sluice     string // the sluice binary
	duckpeer   string // the duckpeer binary
	node       string // bench/node/duckdb15.mjs, or "" to skip DuckDB 1.5
	work       string // scratch directory (workspaces, Parquet outputs)
	out        string // Markdown report file, or ""
	dataset    string // the data's name in the report
	rev        string // Sluice's source revision, for the report
	runs       int    // timed runs per query
	ingestRuns int    // runs per ingest and per RSS measurement
	threads    int    // DuckDB threads on every side
	rusage     string // bench/cmd/rusage, which starts and measures each child (see proc.Run)
}

func (c *config) validate() error {
	for _, f := range []struct{ name, path string }{{"-parquet", c.parquet}, {"-csv", c.csv}, {"-sluice", c.sluice}, {"-duckpeer", c.duckpeer}} {
		if f.path == "" {
			return fmt.Errorf("%s is required", f.name)
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if c.node != "" {
		if _, err := os.Stat(c.node); err != nil {
			return fmt.Errorf("-node: %w", err)
		}
	}
	if c.runs < 1 || c.ingestRuns < 1 {
		return fmt.Errorf("-runs = %d and -ingest-runs = %d: want at least 1", c.runs, c.ingestRuns)
	}
	if c.threads < 1 {
		return fmt.Errorf("-threads = %d: want at least 1", c.threads)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := config{}
	fs := flag.NewFlagSet("tablebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.parquet, "parquet", "", "Parquet file with the data (required)")
	fs.StringVar(&cfg.csv, "csv", "", "the same data as CSV, for the ingest comparison (required)")
	fs.StringVar(&cfg.sluice, "sluice", "bin/sluice", "sluice binary")
	fs.StringVar(&cfg.duckpeer, "duckpeer", "", "duckpeer binary (required)")
	fs.StringVar(&cfg.rusage, "rusage", "", "rusage binary (bench/cmd/rusage) to start and measure child processes (default: the one next to this program; without it peak RSS includes this process's own)")
	fs.StringVar(&cfg.node, "node", "", "path of bench/node/duckdb15.mjs to add DuckDB 1.5 as a reference (default: skip)")
	fs.StringVar(&cfg.work, "work", "", "scratch directory (default: a new temporary directory, removed at the end)")
	fs.StringVar(&cfg.out, "out", "", "also write the report to this Markdown file")
	fs.StringVar(&cfg.dataset, "dataset", "", "the data's name in the report (default: the Parquet file's name)")
	fs.StringVar(&cfg.rev, "rev", "", "Sluice's source revision to name in the report (e.g. a commit hash)")
	fs.IntVar(&cfg.runs, "runs", 5, "timed runs per query (after one warm-up)")
	fs.IntVar(&cfg.ingestRuns, "ingest-runs", 3, "runs per ingest and per query-suite RSS measurement")
	fs.IntVar(&cfg.threads, "threads", runtime.GOMAXPROCS(0), "DuckDB threads on every side (Sluice's children get GOMAXPROCS=threads)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "tablebench: %v\n", err)
		return 2
	}
	if cfg.dataset == "" {
		cfg.dataset = filepath.Base(cfg.parquet)
	}
	if cfg.rusage == "" {
		if self, err := os.Executable(); err == nil {
			if p := filepath.Join(filepath.Dir(self), "rusage"); fileExists(p) {
				cfg.rusage = p
			}
		}
	}
	if cfg.rusage == "" {
		fmt.Fprintln(stderr, "tablebench: warning: no rusage binary (-rusage): child processes' peak RSS will include this process's own peak")
	}
	for _, p := range []*string{&cfg.parquet, &cfg.csv, &cfg.sluice, &cfg.duckpeer, &cfg.node, &cfg.rusage} {
		if *p != "" {
			abs, err := filepath.Abs(*p)
			if err != nil {
				fmt.Fprintf(stderr, "tablebench: %v\n", err)
				return 1
			}
			*p = abs
		}
	}
	if cfg.work == "" {
		dir, err := os.MkdirTemp("", "tablebench-")
		if err != nil {
			fmt.Fprintf(stderr, "tablebench: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cfg.work = dir
	} else if err := os.MkdirAll(cfg.work, 0o755); err != nil {
		fmt.Fprintf(stderr, "tablebench: %v\n", err)
		return 1
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s tablebench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	res, err := measure(ctx, cfg, logf)
	if err != nil {
		fmt.Fprintf(stderr, "tablebench: %v\n", err)
		return 1
	}
	md := res.markdown()
	fmt.Fprint(stdout, md)
	if cfg.out != "" {
		if err := writeFile(cfg.out, []byte(md)); err != nil {
			fmt.Fprintf(stderr, "tablebench: %v\n", err)
			return 1
		}
		logf("wrote %s", cfg.out)
	}
	return 0
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// writeFile writes data to path through a temporary file, fsync and rename.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// shortSQL shortens a statement for the report.
func shortSQL(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
