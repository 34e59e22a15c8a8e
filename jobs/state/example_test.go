package state_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
)

// A run's life in the store: deploy a job, queue a run, claim it, record
// a task attempt, finish the run.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "state-example")
	defer os.RemoveAll(dir)
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "meta.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	s, err := state.Open(ctx, db)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	job, changed, _ := s.Deploy(ctx, "nightly", []byte("name: nightly\n"), nil, "jobs/nightly.yaml", nil)
	fmt.Println("deployed", job.Name, "version", job.Version, "changed", changed)

	run, created, _ := s.CreateRun(ctx, state.NewRun{Job: "nightly", JobVersion: job.Version, Trigger: "schedule", TriggerKey: "schedule:2026-03-29T02:00:00Z"})
	_, again, _ := s.CreateRun(ctx, state.NewRun{Job: "nightly", TriggerKey: "schedule:2026-03-29T02:00:00Z"})
	fmt.Println("run", run.ID, run.State, "created", created, "created again", again)

	claimed, _ := s.ClaimRuns(ctx, "server-1", 10, map[string]int{"nightly": 1})
	fmt.Println("claimed", len(claimed), "by", claimed[0].Executor)

	tr := state.TaskRun{RunID: run.ID, Key: "extract", Attempt: 1, State: state.TaskRunning}
	_ = s.InsertTaskRun(ctx, tr)
	tr.State = state.TaskSucceeded
	_ = s.UpdateTaskRun(ctx, tr)
	tr.State = state.TaskFailed
	fmt.Println("late update:", s.UpdateTaskRun(ctx, tr))

	_ = s.FinishRun(ctx, run.ID, state.RunSucceeded, "", claimed[0].QueuedAt)
	run, _ = s.GetRun(ctx, run.ID)
	fmt.Println("run", run.ID, run.State)
	// Output:
	// deployed nightly version 1 changed true
	// run 1 queued created true created again false
	// claimed 1 by server-1
	// late update: update task extract attempt 1 of run 1 to failed: the attempt already ended succeeded
	// run 1 succeeded
}
