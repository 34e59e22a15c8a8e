// Command sluice is the Sluice data platform in one binary. See
// `sluice help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// Job schedules name IANA time zones; embed the database so they
	// resolve on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/sluice-dev/sluice/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
