package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/table"
)

func isNotFound(err error) bool { return errors.Is(err, table.ErrNotFound) }

func sortStrings(s []string) { slices.Sort(s) }
func sortInts(s []int64)     { slices.Sort(s) }

// parseSize reads sizes like 128MB, 1GiB, 5000.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a size like 128MB")
	}
	return int64(n * float64(mult)), nil
}

func parseTime(s string) (time.Time, error) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read time %q", s)
}

// serverGCPercent is the GC target of long-running servers (`sluice
// server`, `sluice models serve`) unless $GOGC is set.
const serverGCPercent = 400

// tuneServerGC raises the garbage collector's target for a server
// process: a scoring request allocates tens of KB of short-lived frames,
// and at thousands of requests per second the default (GOGC=100)
// collects so often that it shows in the tail latency (p99 at 5,000
// single-row requests/s fell from 3.9 to 2.3 ms in bench/serving). The
// heap may grow to about 5× the live data instead of 2×. $GOGC, when set,
// wins.
func tuneServerGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
}
