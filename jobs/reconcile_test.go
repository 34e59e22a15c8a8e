package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
)

// TestMain runs an engine's Serve instead of the tests when
// JOBS_TEST_HELPER=serve: the reconcile tests start this binary as a
// server they can kill -9.
func TestMain(m *testing.M) {
	if os.Getenv("JOBS_TEST_HELPER") == "serve" {
		os.Exit(serveHelper())
	}
	os.Exit(m.Run())
}

// serveHelper serves the database JOBS_TEST_DB with logs under
// JOBS_TEST_LOGDIR until killed.
func serveHelper() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	db, err := metastore.OpenSQLite(ctx, os.Getenv("JOBS_TEST_DB"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	st, err := state.Open(ctx, db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	e, err := New(Config{Store: st, LogDir: os.Getenv("JOBS_TEST_LOGDIR"), PollInterval: 20 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer e.Close()
	if err := e.Serve(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// A server killed with SIGKILL mid-run leaves its run running and its
// exec task's process group orphaned; the next engine adopts the run,
// kills the orphaned group, fails the lost attempt "executor lost" and
// finishes the run — rerunning the lost task only through its retry
// policy.
func TestReconcileAfterKill(t *testing.T) {
	for _, retries := range []int{0, 1} {
		t.Run(fmt.Sprintf("retries=%d", retries), func(t *testing.T) {
			db, dbPath := openSQLite(t)
			env := newEnv(t, db, func(c *Config) { c.LeaseTimeout = 2 * time.Second })
			pidFile := filepath.Join(env.dir, "sleep.pid")
			marker := filepath.Join(env.dir, "marker")
			env.deploy(fmt.Sprintf(`name: crash
tasks:
  - key: sleeper
    retries: {count: %d, delay: 1ms}
    exec: {command: [sh, -c, 'if [ "$SLUICE_ATTEMPT" = 1 ]; then sleep 60 & echo $! > %s; wait; fi']}
  - key: marker
    exec: {command: [sh, -c, 'echo done > %s']}
  - key: after
    depends_on: [marker]
    exec: {command: ["true"]}
`, retries, pidFile, marker))

			server := exec.Command(os.Args[0], "-test.run=^$")
			server.Env = append(os.Environ(), "JOBS_TEST_HELPER=serve", "JOBS_TEST_DB="+dbPath, "JOBS_TEST_LOGDIR="+filepath.Join(env.dir, "logs"))
			server.Stderr = os.Stderr
			if err := server.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			t.Cleanup(func() {
				if !killed {
					server.Process.Kill()
					server.Wait()
				}
			})
			ctx := testCtx(t)
			run, err := env.e.Submit(ctx, "crash", SubmitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the server to run sleeper and finish after", func() bool {
				l := env.latest(run.ID)
				return l["sleeper"].State == state.TaskRunning && l["sleeper"].PID > 0 && l["after"].State == state.TaskSucceeded
			})
			sleepPID := readPID(t, pidFile)
			if err := server.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			server.Wait()
			killed = true
			if processGone(sleepPID) {
				t.Fatal("the sleep died with the server; the test needs it orphaned")
			}
			r, err := env.store.GetRun(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != state.RunRunning {
				t.Fatalf("after the kill the run is %s, want still running", r.State)
			}

			// A second engine (this process) adopts the run.
			serveCtx, stopServe := context.WithCancel(ctx)
			serveDone := make(chan error, 1)
			go func() { serveDone <- env.e.Serve(serveCtx) }()
			final, err := env.e.Wait(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			stopServe()
			<-serveDone
			waitFor(t, "the orphaned sleep to be killed", func() bool { return processGone(sleepPID) })
			at := env.attempts(run.ID)
			first := at["sleeper"][0]
			if first.State != state.TaskFailed || !strings.Contains(first.Message, "executor lost") {
				t.Errorf("lost attempt: got %s %q, want failed with executor lost", first.State, first.Message)
			}
			for key, h := range at {
				limit := 1
				if key == "sleeper" {
					limit = 1 + retries
				}
				if len(h) > limit {
					t.Errorf("%s ran %d times, more than its retry policy allows (%d)", key, len(h), limit)
				}
			}
			if final.Executor != env.e.ExecutorID() {
				t.Errorf("run executor %q, want the adopting engine", final.Executor)
			}
			switch retries {
			case 0:
				wantRun(t, final, state.RunFailed)
				if len(at["sleeper"]) != 1 {
					t.Errorf("sleeper: %d attempts, want 1", len(at["sleeper"]))
				}
			case 1:
				wantRun(t, final, state.RunSucceeded)
				if h := at["sleeper"]; len(h) != 2 || h[1].State != state.TaskSucceeded {
					t.Errorf("sleeper: got %+v, want a second, succeeded attempt", h)
				}
			}
			if h := at["after"]; len(h) != 1 || h[0].State != state.TaskSucceeded {
				t.Errorf("after: got %+v, want its one attempt kept", h)
			}
		})
	}
}

// An adopted run resumes from what its dead executor recorded: succeeded
// tasks are kept, a queued attempt runs as that attempt, a for_each in
// progress continues with its stored items (done iterations kept, the
// lost one retried by policy, the rest started).
func TestResumeFromRecordedState(t *testing.T) {
	env := newEnv(t, nil, nil)
	count := filepath.Join(env.dir, "count")
	env.deploy(fmt.Sprintf(`name: resume
tasks:
  - {key: a, exec: {command: [sh, -c, 'echo a >> %[1]s']}}
  - {key: q, depends_on: [a], exec: {command: [sh, -c, 'echo q >> %[1]s']}}
  - key: fe
    retries: {count: 1, delay: 1ms}
    for_each: {items: [x, y, z], concurrency: 3, task: {exec: {command: [sh, -c, 'echo ${item} >> %[1]s']}}}
  - {key: after, depends_on: [q, fe], exec: {command: [sh, -c, 'echo after >> %[1]s']}}
`, count))
	ctx := testCtx(t)
	sj, err := env.store.GetJob(ctx, "resume")
	if err != nil {
		t.Fatal(err)
	}
	run, _, err := env.store.CreateRun(ctx, state.NewRun{Job: "resume", JobVersion: sj.Version, Trigger: "manual", Executor: "gone:1:x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.StartRun(ctx, run.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tr := range []state.TaskRun{
		{Key: "a", State: state.TaskSucceeded, Type: "exec", StartedAt: now, EndedAt: now},
		{Key: "q", State: state.TaskQueued, Type: "exec"},
		{Key: "fe", State: state.TaskRunning, Type: "for_each", StartedAt: now},
		{Key: "fe[0]", State: state.TaskSucceeded, Type: "exec", StartedAt: now, EndedAt: now},
		{Key: "fe[1]", State: state.TaskRunning, Type: "exec", Host: env.e.host, Executor: "gone:1:x", LogPath: filepath.Join(env.dir, "nowhere.log")},
	} {
		tr.RunID, tr.Attempt, tr.ReadyAt = run.ID, 1, now
		if err := env.store.InsertTaskRun(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.store.SetTaskValues(ctx, run.ID, "fe", map[string]json.RawMessage{"items": json.RawMessage(`["x", "y", "z"]`)}); err != nil {
		t.Fatal(err)
	}
	adopted, err := env.e.Reconcile(ctx)
	if err != nil || len(adopted) != 1 {
		t.Fatalf("Reconcile: %v %v", adopted, err)
	}
	final, err := env.e.Wait(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRun(t, final, state.RunSucceeded)
	b, _ := os.ReadFile(count)
	lines := strings.Fields(string(b))
	slices.Sort(lines)
	if got := strings.Join(lines, " "); got != "after q y z" {
		t.Errorf("tasks run on resume: %q, want after q y z", got)
	}
	at := env.attempts(run.ID)
	if h := at["q"]; len(h) != 1 || h[0].State != state.TaskSucceeded {
		t.Errorf("q: %+v, want its queued attempt run", h)
	}
	if h := at["fe[1]"]; len(h) != 2 || !strings.Contains(h[0].Message, "executor lost") || h[1].State != state.TaskSucceeded {
		t.Errorf("fe[1]: %+v", h)
	}
	if h := at["fe"]; len(h) != 1 || h[0].State != state.TaskSucceeded {
		t.Errorf("fe: %+v, want its one attempt continued", h)
	}
	vals := env.timeline(run.ID).Values["fe"]
	if fmt.Sprintf("%v %v", vals["count"], vals["failed"]) != "3 0" {
		t.Errorf("fe values: %v", vals)
	}
}
