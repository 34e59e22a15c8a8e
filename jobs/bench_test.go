package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
// chains of 10) against a real SQLite store with the default 32 slots,
// and reports the run's wall time and the task start latency
// (dependencies met → process started) p50 and p99 from its attempts.
func BenchmarkThousandNoopTasks(b *testing.B) {
	const width, depth = 100, 10
	env := newEnv(b, nil, nil)
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
	slices.Sort(lat)
	slices.Sort(walls)
	pct := func(p float64) time.Duration { return lat[min(int(p*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(float64(walls[len(walls)/2].Milliseconds()), "wall-ms")
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "start-p50-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "start-p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "start-max-ms")
}
