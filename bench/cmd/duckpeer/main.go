// Command duckpeer is the DuckDB side of Sluice's benchmarks as a process
// of its own: it opens an in-memory DuckDB through duckdb-go (the engine
// build Sluice links, with no Sluice code), runs each SQL statement given
// on the command line in order, reads all rows of each, and prints one
// line per statement: its row count and milliseconds, tab-separated.
//
//	duckpeer [-threads N] SQL...
//	duckpeer -version
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sluice-dev/sluice/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("duckpeer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threads := fs.Int("threads", 0, "DuckDB worker threads (default: one per core, DuckDB's default)")
	version := fs.Bool("version", false, "print DuckDB's version and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: duckpeer [-threads N] SQL...\n       duckpeer -version")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !*version && fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	duck, err := bench.OpenDuck(ctx, *threads)
	if err != nil {
		fmt.Fprintf(stderr, "duckpeer: %v\n", err)
		return 1
	}
	defer duck.Close()
	if *version {
		v, err := duck.Version(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "duckpeer: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, v)
		return 0
	}
	for i, stmt := range fs.Args() {
		start := time.Now()
		n, err := duck.Drain(ctx, stmt)
		if err != nil {
			fmt.Fprintf(stderr, "duckpeer: statement %d: %v\n", i+1, err)
			return 1
		}
		fmt.Fprintf(stdout, "%d\t%.3f\n", n, float64(time.Since(start))/float64(time.Millisecond))
	}
	return 0
}
