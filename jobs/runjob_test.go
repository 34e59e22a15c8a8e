package jobs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

// run_job runs another job inline and follows its state; its values are
// the child run's id and state, and the child gets the parameters.
func TestRunJob(t *testing.T) {
	env := newEnv(t, nil, nil)
	env.deploy(`name: child
parameters: {code: "0"}
tasks:
  - key: work
    exec: {command: [sh, -c, 'echo "n=$SLUICE_PARAM_CODE" > $SLUICE_TASK_VALUES; exit ${code}']}
`, `name: parent
tasks:
  - key: ok
    run_job: {job: child}
  - key: bad
    run_job: {job: child, parameters: {code: "4"}}
  - key: after
    depends_on: [ok]
    exec: {command: [sh, -c, 'test "${tasks.ok.values.state}" = succeeded']}
`)
	run := env.run("parent", nil)
	wantRun(t, run, state.RunFailed)
	got := env.latest(run.ID)
	if got["ok"].State != state.TaskSucceeded || got["after"].State != state.TaskSucceeded {
		t.Errorf("ok %s, after %s: want succeeded", got["ok"].State, got["after"].State)
	}
	if got["bad"].State != state.TaskFailed || !strings.Contains(got["bad"].Message, "exit status 4") {
		t.Errorf("bad: got %s %q, want failed with the child's message", got["bad"].State, got["bad"].Message)
	}
	kids, err := env.store.ListRuns(context.Background(), state.RunFilter{ParentRunID: run.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(kids) != 2 {
		t.Fatalf("got %d child runs, want 2", len(kids))
	}
	for _, k := range kids {
		if k.Trigger != "run_job" || k.Job != "child" {
			t.Errorf("child run %d: trigger %s job %s", k.ID, k.Trigger, k.Job)
		}
		want := state.RunSucceeded
		if k.ParentTask == "bad" {
			want = state.RunFailed
			if k.Parameters["code"] != "4" {
				t.Errorf("child parameters: got %v", k.Parameters)
			}
		}
		if k.State != want {
			t.Errorf("child of %s: got %s, want %s", k.ParentTask, k.State, want)
		}
	}
	vals := env.timeline(run.ID).Values["ok"]
	if vals["state"] != "succeeded" || fmt.Sprint(vals["run_id"]) == "" {
		t.Errorf("values of ok: got %v", vals)
	}
}

// Nested run_job calls stop at depth 10 with an error naming the chain.
func TestRunJobDepthLimit(t *testing.T) {
	env := newEnv(t, nil, nil)
	var srcs []string
	for i := range 12 {
		if i == 11 {
			srcs = append(srcs, fmt.Sprintf("name: j%d\ntasks:\n  - {key: t, exec: {command: [\"true\"]}}\n", i))
			continue
		}
		srcs = append(srcs, fmt.Sprintf("name: j%d\ntasks:\n  - {key: t, run_job: {job: j%d}}\n", i, i+1))
	}
	// Deploy leaves first so every target exists.
	for i := len(srcs) - 1; i >= 0; i-- {
		env.deploy(srcs[i])
	}
	run := env.run("j0", nil)
	wantRun(t, run, state.RunFailed)
	// Walk down to the deepest run: its task names the chain.
	id := run.ID
	for depth := 1; ; depth++ {
		kids, err := env.store.ListRuns(context.Background(), state.RunFilter{ParentRunID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(kids) == 0 {
			if depth != 10 {
				t.Fatalf("the chain stopped at depth %d, want 10", depth)
			}
			msg := env.latest(id)["t"].Message
			if !strings.Contains(msg, "depth limit 10") || !strings.Contains(msg, "j0 → j1") || !strings.Contains(msg, "j9 → j10") {
				t.Errorf("message %q should name the limit and the chain", msg)
			}
			break
		}
		id = kids[0].ID
	}
}

// Validate refuses unknown run_job targets, run_job cycles, task types
// without a runner and duplicate names, at the right positions.
func TestValidateAcrossJobs(t *testing.T) {
	env := newEnv(t, nil, nil)
	env.deploy(`name: deployed
tasks:
  - {key: t, exec: {command: ["true"]}}
`)
	jobs := []*spec.Job{
		MustParseJob(t, env.dir, `name: a
tasks:
  - key: x
    run_job: {job: b}
  - key: y
    run_job: {job: nowhere}
`),
		MustParseJob(t, env.dir, `name: b
tasks:
  - key: z
    run_job: {job: a}
  - key: q
    sql: {query: "SELECT 1"}
`),
	}
	err := env.e.Validate(testCtx(t), jobs)
	var el spec.ErrorList
	if !errors.As(err, &el) {
		t.Fatalf("got %v, want a spec.ErrorList", err)
	}
	text := err.Error()
	for _, want := range []string{
		"a.yaml:6:14: task y: run_job: job \"nowhere\" is not deployed",
		"a.yaml:4:14: run_job cycle: a → b → a",
		"b.yaml:4:14: run_job cycle: b → a → b",
		"b.yaml:6:5: task q: no runner for task type \"sql\"",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("errors:\n%s\nwant a line with %q", text, want)
		}
	}
	if _, err := env.e.Deploy(testCtx(t), jobs); err == nil {
		t.Error("Deploy of invalid jobs: no error")
	}
	if _, err := env.store.GetJob(context.Background(), "a"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("job a was deployed although validation failed: %v", err)
	}
	// A deployed job closing a cycle counts too.
	env.deploy(`name: c
tasks:
  - {key: t, run_job: {job: deployed}}
`)
	redeploy := MustParseJob(t, env.dir, `name: deployed
tasks:
  - {key: t, run_job: {job: c}}
`)
	if err := env.e.Validate(testCtx(t), []*spec.Job{redeploy}); err == nil || !strings.Contains(err.Error(), "deployed → c → deployed") {
		t.Errorf("got %v, want the cycle through the deployed job c", err)
	}
}

// Canceling the calling run cancels its run_job child and kills the
// child's processes.
func TestRunJobCancelPropagates(t *testing.T) {
	env := newEnv(t, nil, nil)
	pidFile := filepath.Join(env.dir, "pid")
	env.deploy(fmt.Sprintf(`name: slowchild
tasks:
  - {key: s, exec: {command: [sh, -c, 'echo $$ > %s; exec sleep 60']}}
`, pidFile), `name: caller
tasks:
  - {key: call, run_job: {job: slowchild}}
`)
	ctx := testCtx(t)
	r, err := env.e.Submit(ctx, "caller", SubmitOptions{Execute: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *state.Run, 1)
	go func() {
		run, err := env.e.Execute(ctx, r.ID)
		if err != nil {
			t.Error(err)
		}
		done <- run
	}()
	pid := readPID(t, pidFile)
	if _, err := env.e.Cancel(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	run := <-done
	wantRun(t, run, state.RunCanceled)
	kids, err := env.store.ListRuns(ctx, state.RunFilter{ParentRunID: r.ID})
	if err != nil || len(kids) != 1 {
		t.Fatalf("children: %v %v", kids, err)
	}
	if kids[0].State != state.RunCanceled || !strings.Contains(kids[0].Message, "calling task call") {
		t.Errorf("child: %s %q, want canceled naming the calling task", kids[0].State, kids[0].Message)
	}
	if st := env.latest(r.ID)["call"].State; st != state.TaskCanceled {
		t.Errorf("call: %s, want canceled", st)
	}
	waitFor(t, "the child's process to be gone", func() bool { return processGone(pid) })
}
