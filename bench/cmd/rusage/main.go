// Command rusage starts one process and measures it for Sluice's
// benchmarks: it runs NAME with ARGS (standard streams passed through)
// and writes its wall time, CPU time and peak RSS as JSON to USAGE_FILE.
// It is small and pure Go on purpose: a child's peak RSS as Linux reports
// it is never below its starter's (see proc.Run).
//
//	rusage USAGE_FILE -- NAME [ARGS...]
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sluice-dev/sluice/bench/proc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := proc.Spawn(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
