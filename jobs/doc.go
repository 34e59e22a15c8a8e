// Package jobs is Sluice's job engine: it validates and deploys jobs
// (package jobs/spec), schedules their runs (cron with catch-up,
// table_updated triggers, backfills), executes them as DAGs of tasks and
// keeps every state change in the metadata database (package jobs/state)
// so that a run survives its executor.
//
// # Main types
//
// Engine does everything; Config configures it (DefaultConfig, then
// New). TaskRunner runs the in-process task types (sql, ingest, ml_fit,
// ml_transform, models_predict; package jobs/tasks); the engine runs
// exec (package jobs/process), run_job and for_each itself. RowsQuerier
// is the optional ability of the sql runner that for_each over a query
// needs. Timeline is a run's attempts for a Gantt view.
//
// # Executing a run
//
// Each run is executed by one goroutine owning its state; a task's
// goroutine runs its attempts (and waits out retry delays on timers) and
// reports its final state on a channel, and the tasks it unblocks start
// at once — nothing polls for readiness. A task whose dependencies all
// ended is evaluated against its run_if: unmet, it is recorded skipped or
// upstream_failed; met, its attempt is recorded (running when a slot is
// free at once, else queued until one is: slots are engine-wide and
// granted first come, first served), the exec process started, its PID
// and start time recorded, and its end recorded. Values a task publishes
// are visible to later tasks as ${tasks.KEY.values.NAME}.
//
// # Invariants
//
//   - An attempt is recorded running before its process starts, so no
//     attempt ever starts twice: an executor that dies leaves it running
//     in the store, and whoever adopts the run kills what is left of its
//     process group (on this host) and fails it "executor lost"; only
//     the task's retry policy runs it again.
//   - A terminal attempt never changes (the store refuses), and a write
//     refused because another executor took the run over makes this one
//     stop recording (the run is theirs).
//   - Every goroutine is owned: task goroutines by their run, runs by
//     Execute's caller or by the engine (Serve), notifications by the
//     engine; Close cancels the runs it executes, records them canceled,
//     and waits for everything. Serve's end instead leaves its runs
//     running for the next executor to adopt.
//   - Log files: LogDir/RUN/KEY.ATTEMPT.log; exec tasks' values files
//     LogDir/RUN/KEY.ATTEMPT.values.
package jobs
