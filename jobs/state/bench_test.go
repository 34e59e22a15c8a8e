package state_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

var benchSink error

// BenchmarkTaskTransitions measures what the engine writes per task: an
// attempt inserted queued, updated to running (with its process
// identity), then to succeeded — from 1, 10 and 100 goroutines at once
// (the engine runs up to 100 tasks concurrently). One op is one task, so
// three transitions; ns/transition is the figure to compare.
func BenchmarkTaskTransitions(b *testing.B) {
	for _, dialect := range metastoretest.Backends {
		for _, g := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", dialect, g), func(b *testing.B) {
				benchTaskTransitions(b, metastoretest.Open(b, dialect), g)
			})
		}
	}
}

func benchTaskTransitions(b *testing.B, db *metastore.DB, goroutines int) {
	ctx := context.Background()
	s := MustOpen(b, db)
	run := MustCreate(b, s, state.NewRun{Job: "bench", Executor: "ex"})
	var next atomic.Int64
	now := time.Now()
	b.ReportAllocs()
	b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
	if goroutines == 1 {
		b.SetParallelism(1)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			tr := state.TaskRun{RunID: run.ID, Key: "t" + strconv.FormatInt(i, 10), Attempt: 1, State: state.TaskQueued, Type: "exec", ReadyAt: now}
			err := s.InsertTaskRun(ctx, tr)
			if err == nil {
				tr.State, tr.StartedAt, tr.Host, tr.PID, tr.ProcStart, tr.LogPath, tr.Executor = state.TaskRunning, now, "host", 1234, 99, "/logs/1/t/1.log", "ex"
				err = s.UpdateTaskRun(ctx, tr)
			}
			if err == nil {
				code := 0
				tr.State, tr.EndedAt, tr.ExitCode = state.TaskSucceeded, now, &code
				err = s.UpdateTaskRun(ctx, tr)
			}
			if err != nil {
				benchSink = err
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(3*b.N), "ns/transition")
}
