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

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-dev/sluice/jobs/spec"
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

// Deploy stores each job once per change; a new job's schedule starts
// paused as its spec says, and a redeploy keeps the paused state.
func TestDeployPausedAndVersions(t *testing.T) {
	env := newEnv(t, nil, nil)
	src := `name: sched
schedule: {cron: "@daily", paused: true}
tasks: [{key: a, exec: {command: ["true"]}}]
`
	ctx := testCtx(t)
	j := MustParseJob(t, env.dir, src)
	res, err := env.e.Deploy(ctx, []*spec.Job{j})
	if err != nil || len(res) != 1 || res[0].Version != 1 || !res[0].Changed {
		t.Fatalf("first deploy: %+v %v", res, err)
	}
	sj, err := env.store.GetJob(ctx, "sched")
	if err != nil || !sj.Paused {
		t.Fatalf("after the first deploy: paused %v, %v; want paused", sj != nil && sj.Paused, err)
	}
	if sj.SourcePath != filepath.Join(env.dir, "sched.yaml") || string(sj.Spec) != src {
		t.Errorf("stored source %q %q", sj.SourcePath, sj.Spec)
	}
	if res, err := env.e.Deploy(ctx, []*spec.Job{j}); err != nil || res[0].Changed || res[0].Version != 1 {
		t.Errorf("same text again: %+v %v, want unchanged version 1", res, err)
	}
	if err := env.store.SetPaused(ctx, "sched", false); err != nil {
		t.Fatal(err)
	}
	j2 := MustParseJob(t, env.dir, strings.Replace(src, "@daily", "@hourly", 1))
	if res, err := env.e.Deploy(ctx, []*spec.Job{j2}); err != nil || !res[0].Changed || res[0].Version != 2 {
		t.Fatalf("changed: %+v %v, want version 2", res, err)
	}
	if sj, _ := env.store.GetJob(ctx, "sched"); sj.Paused {
		t.Error("a redeploy paused the job again; the paused state is kept")
	}
	noSource := *j2
	noSource.Source = nil
	if _, err := env.e.Deploy(ctx, []*spec.Job{&noSource}); err == nil {
		t.Error("deploying a job without source text: no error")
	}
}

// The engine's metrics count runs and attempts and observe durations and
// waits on the registry it is given.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	env := newEnv(t, nil, func(c *Config) { c.Metrics = reg })
	env.deploy(`name: m
tasks:
  - {key: a, exec: {command: ["true"]}}
  - {key: b, depends_on: [a], exec: {command: ["false"]}}
  - {key: c, depends_on: [b], exec: {command: ["true"]}}
`)
	env.run("m", nil)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				got[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				got[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				got[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	for k, want := range map[string]float64{
		"sluice_job_runs_total{job=m,state=failed}":                         1,
		"sluice_job_runs_active{}":                                          0,
		"sluice_job_task_attempts_total{state=succeeded,type=exec}":         1,
		"sluice_job_task_attempts_total{state=failed,type=exec}":            1,
		"sluice_job_task_attempts_total{state=upstream_failed,type=exec}":   1,
		"sluice_job_task_duration_seconds{job=m,state=succeeded,type=exec}": 1,
		"sluice_job_task_queue_wait_seconds{type=exec}":                     2,
		"sluice_job_task_slot_wait_seconds{type=exec}":                      2,
	} {
		if got[k] != want {
			t.Errorf("%s: got %v, want %v", k, got[k], want)
		}
	}
}

// A run Serve left when its ctx ended is resumed by the next Serve of the
// same engine.
func TestServeAgainResumesLeftRuns(t *testing.T) {
	env := newEnv(t, nil, nil)
	pidFile := filepath.Join(env.dir, "pid")
	env.deploy(fmt.Sprintf(`name: again
tasks:
  - {key: a, retries: {count: 1, delay: 1ms}, exec: {command: [sh, -c, 'if [ $SLUICE_ATTEMPT = 1 ]; then echo $$ > %s; exec sleep 60; fi']}}
`, pidFile))
	ctx := testCtx(t)
	r, err := env.e.Submit(ctx, "again", SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(ctx context.Context) chan error {
		done := make(chan error, 1)
		go func() { done <- env.e.Serve(ctx) }()
		return done
	}
	c1, stop1 := context.WithCancel(ctx)
	d1 := serve(c1)
	readPID(t, pidFile)
	stop1()
	<-d1
	c2, stop2 := context.WithCancel(ctx)
	defer stop2()
	d2 := serve(c2)
	final, err := env.e.Wait(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRun(t, final, state.RunSucceeded)
	stop2()
	<-d2
	if h := env.attempts(r.ID)["a"]; len(h) != 2 || !strings.Contains(h[0].Message, "executor lost") {
		t.Errorf("attempts: %+v", h)
	}
}
