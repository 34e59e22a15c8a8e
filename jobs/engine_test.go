package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
)

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{LogDir: "x"}, "Store is required"},
		{Config{Store: &state.Store{}}, "LogDir is required"},
		{Config{Store: &state.Store{}, LogDir: "x", Slots: -1}, "Slots is -1"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): got %v, want %q", c.cfg, err, c.want)
		}
	}
}

// Close cancels the runs the engine executes and records them canceled,
// killing their processes.
func TestCloseCancelsRuns(t *testing.T) {
	env := newEnv(t, nil, nil)
	pidFile := filepath.Join(env.dir, "pid")
	env.deploy(fmt.Sprintf(`name: long
tasks:
  - {key: a, exec: {command: [sh, -c, 'echo $$ > %s; exec sleep 60']}}
`, pidFile))
	ctx := testCtx(t)
	r, err := env.e.Submit(ctx, "long", SubmitOptions{Execute: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *state.Run, 1)
	go func() {
		run, _ := env.e.Execute(ctx, r.ID)
		done <- run
	}()
	pid := readPID(t, pidFile)
	if err := env.e.Close(); err != nil {
		t.Fatal(err)
	}
	run := <-done
	wantRun(t, run, state.RunCanceled)
	if !processGone(pid) {
		t.Error("the task's process outlived Close")
	}
	if env.latest(r.ID)["a"].State != state.TaskCanceled {
		t.Errorf("task: %s", env.latest(r.ID)["a"].State)
	}
	if _, err := env.e.Execute(ctx, r.ID); err == nil {
		t.Error("Execute after Close: no error")
	}
}

// When Serve's ctx ends its runs stay running in the store (not failed);
// once the engine is closed another engine adopts them.
func TestServeEndLeavesRunsToAdopt(t *testing.T) {
	db, _ := openSQLite(t)
	a := newEnv(t, db, nil)
	pidFile := filepath.Join(a.dir, "pid")
	a.deploy(fmt.Sprintf(`name: long
tasks:
  - {key: a, retries: {count: 1, delay: 1ms}, exec: {command: [sh, -c, 'if [ $SLUICE_ATTEMPT = 1 ]; then echo $$ > %s; exec sleep 60; fi']}}
`, pidFile))
	ctx := testCtx(t)
	r, err := a.e.Submit(ctx, "long", SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	serveDone := make(chan error, 1)
	go func() { serveDone <- a.e.Serve(serveCtx) }()
	readPID(t, pidFile)
	stop()
	if err := <-serveDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	run, err := a.store.GetRun(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != state.RunRunning || a.latest(r.ID)["a"].State != state.TaskRunning {
		t.Fatalf("after Serve ended: run %s, task %s; want both still running", run.State, a.latest(r.ID)["a"].State)
	}
	if err := a.e.Close(); err != nil {
		t.Fatal(err)
	}
	b := newEnv(t, db, nil)
	adopted, err := b.e.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(adopted) != 1 || adopted[0] != r.ID {
		t.Fatalf("adopted %v, want [%d]", adopted, r.ID)
	}
	final, err := b.e.Wait(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRun(t, final, state.RunSucceeded)
	h := b.attempts(r.ID)["a"]
	if len(h) != 2 || !strings.Contains(h[0].Message, "executor lost") || h[1].State != state.TaskSucceeded {
		t.Errorf("attempts: %+v", h)
	}
}

// The timeline lists every attempt with its dependencies, times and
// decoded values.
func TestTimeline(t *testing.T) {
	env := newEnv(t, nil, nil)
	env.deploy(`name: tl
tasks:
  - {key: a, exec: {command: [sh, -c, 'echo "n=3" > $SLUICE_TASK_VALUES']}}
  - {key: b, depends_on: [a], exec: {command: ["false"]}}
  - {key: c, depends_on: [b], exec: {command: ["true"]}}
`)
	run := env.run("tl", nil)
	tl := env.timeline(run.ID)
	if tl.RunID != run.ID || tl.Job != "tl" || tl.State != state.RunFailed || tl.Trigger != "manual" || tl.StartedAt == nil || tl.EndedAt == nil {
		t.Errorf("timeline header: %+v", tl)
	}
	if len(tl.Tasks) != 3 {
		t.Fatalf("%d tasks, want 3", len(tl.Tasks))
	}
	byKey := map[string]TimelineTask{}
	for _, tt := range tl.Tasks {
		byKey[tt.Key] = tt
	}
	if b := byKey["b"]; b.State != state.TaskFailed || b.ExitCode == nil || *b.ExitCode != 1 || strings.Join(b.DependsOn, ",") != "a" || b.StartedAt == nil || b.QueueMillis < 0 {
		t.Errorf("b: %+v", b)
	}
	if c := byKey["c"]; c.State != state.TaskUpstreamFailed || c.StartedAt != nil || !strings.Contains(c.Message, "b failed") {
		t.Errorf("c: %+v", c)
	}
	js, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"task_values":{"a":{"n":3}}`) {
		t.Errorf("values in JSON: %s", js)
	}
}

// Wait returns when a run executed elsewhere ends, and gives up with ctx.
func TestWait(t *testing.T) {
	env := newEnv(t, nil, nil)
	env.deploy(`name: w
tasks: [{key: a, exec: {command: ["true"]}}]
`)
	ctx := testCtx(t)
	r, err := env.e.Submit(ctx, "w", SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := env.e.Wait(short, r.ID); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait on a queued run: got %v, want the deadline", err)
	}
	other := newEnv(t, env.db, nil)
	done := make(chan error, 1)
	go func() { done <- other.e.ExecuteQueued(ctx, []int64{r.ID}) }()
	final, err := env.e.Wait(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRun(t, final, state.RunSucceeded)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
