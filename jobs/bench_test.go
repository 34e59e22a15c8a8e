package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
)

// noopJob is a job of width independent chains of depth /bin/true exec
// tasks.
func noopJob(name string, width, depth int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ntasks:\n", name)
	for w := range width {
		for d := range depth {
			fmt.Fprintf(&b, "  - {key: c%d_%d, ", w, d)
			if d > 0 {
				fmt.Fprintf(&b, "depends_on: [c%d_%d], ", w, d-1)
			}
			b.WriteString("exec: {command: [/bin/true]}}\n")
		}
	}
	return b.String()
}

// BenchmarkThousandNoopTasks runs a job of 1,000 no-op exec tasks (100
// chains of 10, /bin/true) against a real SQLite store, and reports the
// run's wall time, the task start latency (dependencies met → process
// started) p50 and p99 from the run's attempts, and the engine's own
// start overhead (slot granted → process started) p50 and p99. With the
// default 32 slots most of the start latency is waiting for a slot: 100
// chains are ready at once. The other sizes separate the two: 128 slots
// (no slot is ever waited for) and 32 chains of 32 tasks.
func BenchmarkThousandNoopTasks(b *testing.B) {
	for _, c := range []struct {
		name                string
		width, depth, slots int
	}{
		{"100x10/slots=32", 100, 10, 32},
		{"100x10/slots=128", 100, 10, 128},
		{"32x32/slots=32", 32, 32, 32},
	} {
		b.Run(c.name, func(b *testing.B) { benchNoop(b, c.width, c.depth, c.slots) })
	}
}

func benchNoop(b *testing.B, width, depth, slots int) {
	env := newEnv(b, nil, func(c *Config) { c.Slots = slots })
	var mu sync.Mutex
	var overhead []time.Duration
	env.e.startHook = func(ready, granted, started time.Time) {
		mu.Lock()
		overhead = append(overhead, started.Sub(granted))
		mu.Unlock()
	}
	env.deploy(noopJob("noop", width, depth))
	ctx := context.Background()
	var walls []time.Duration
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		r, err := env.e.Submit(ctx, "noop", SubmitOptions{Execute: true})
		if err != nil {
			b.Fatal(err)
		}
		run, err := env.e.Execute(ctx, r.ID)
		if err != nil {
			b.Fatal(err)
		}
		walls = append(walls, time.Since(start))
		b.StopTimer()
		if run.State != state.RunSucceeded {
			b.Fatalf("run %s: %s", run.State, run.Message)
		}
		trs, err := env.store.TaskRuns(ctx, r.ID)
		if err != nil {
			b.Fatal(err)
		}
		if len(trs) != width*depth {
			b.Fatalf("%d attempts, want %d", len(trs), width*depth)
		}
		for _, tr := range trs {
			lat = append(lat, tr.StartedAt.Sub(tr.ReadyAt))
		}
		b.StartTimer()
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	slices.Sort(walls)
	b.ReportMetric(ms(walls[len(walls)/2]), "wall-ms")
	b.ReportMetric(ms(quantile(lat, 0.50)), "start-p50-ms")
	b.ReportMetric(ms(quantile(lat, 0.99)), "start-p99-ms")
	mu.Lock()
	b.ReportMetric(ms(quantile(overhead, 0.50)), "overhead-p50-ms")
	b.ReportMetric(ms(quantile(overhead, 0.99)), "overhead-p99-ms")
	mu.Unlock()
}

// quantile returns the q-quantile of ds (sorting ds).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(int(q*float64(len(ds))), len(ds)-1)]
}
