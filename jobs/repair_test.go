package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

// Repair reruns the failed task b and its downstream c only, in the same
// run: a's and d's attempts are untouched and a's values are still
// visible to b.
func TestRepairRerunsFailedAndDownstream(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		env := newEnv(t, db, nil)
		fix := filepath.Join(env.dir, "fixed")
		seen := filepath.Join(env.dir, "seen")
		env.deploy(fmt.Sprintf(`name: rep
tasks:
  - key: a
    exec: {command: [sh, -c, 'echo token=abc > $SLUICE_TASK_VALUES']}
  - key: b
    depends_on: [a]
    exec: {command: [sh, -c, 'echo ${tasks.a.values.token} >> %s; test -e %s && echo out=ok > $SLUICE_TASK_VALUES']}
  - key: c
    depends_on: [b]
    exec: {command: [sh, -c, 'test "${tasks.b.values.out}" = ok']}
  - key: d
    exec: {command: ["true"]}
`, seen, fix))
		run := env.run("rep", nil)
		wantRun(t, run, state.RunFailed)
		first := env.latest(run.ID)
		if first["b"].State != state.TaskFailed || first["c"].State != state.TaskUpstreamFailed {
			t.Fatalf("first run: b %s, c %s", first["b"].State, first["c"].State)
		}

		ctx := testCtx(t)
		if _, err := env.e.Repair(ctx, run.ID, RepairOptions{Tasks: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "a, b, c, d") {
			t.Errorf("repair of an unknown task: got %v, want the known keys", err)
		}
		if err := os.WriteFile(fix, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		rr, err := env.e.Repair(ctx, run.ID, RepairOptions{Execute: true})
		if err != nil {
			t.Fatal(err)
		}
		if rr.Attempt != 1 || rr.State != state.RunRunning {
			t.Fatalf("repaired run: attempt %d state %s", rr.Attempt, rr.State)
		}
		final, err := env.e.Execute(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantRun(t, final, state.RunSucceeded)
		at := env.attempts(run.ID)
		for _, k := range []string{"a", "d"} {
			if len(at[k]) != 1 || !reflect.DeepEqual(at[k][0], first[k]) {
				t.Errorf("%s: attempts changed by the repair: %+v", k, at[k])
			}
		}
		for _, k := range []string{"b", "c"} {
			h := at[k]
			if len(h) != 2 || h[1].Attempt != 2 || h[1].Repair != 1 || h[1].State != state.TaskSucceeded || !reflect.DeepEqual(h[0], first[k]) {
				t.Errorf("%s: got %+v, want the first attempt kept and attempt 2 (repair 1) succeeded", k, h)
			}
		}
		b, _ := os.ReadFile(seen)
		if strings.Fields(string(b))[1] != "abc" {
			t.Errorf("b saw a's value %q on the repair", b)
		}
		if _, err := env.e.Repair(ctx, run.ID, RepairOptions{}); err == nil {
			t.Error("repair of a succeeded run without tasks: no error")
		}
		// A run in progress cannot be repaired.
		r2, err := env.e.Submit(ctx, "rep", SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.e.Repair(ctx, r2.ID, RepairOptions{}); !errors.Is(err, state.ErrConflict) {
			t.Errorf("repair of a queued run: got %v, want ErrConflict", err)
		}
	})
}

// A queued repair (without Execute) is claimed and executed by Serve;
// naming a task reruns it and its downstream even when it succeeded.
func TestRepairNamedTaskThroughServe(t *testing.T) {
	env := newEnv(t, nil, nil)
	count := filepath.Join(env.dir, "count")
	env.deploy(fmt.Sprintf(`name: rep2
tasks:
  - {key: a, exec: {command: [sh, -c, 'echo a >> %s']}}
  - {key: b, depends_on: [a], exec: {command: [sh, -c, 'echo b >> %s']}}
  - {key: c, exec: {command: [sh, -c, 'echo c >> %s']}}
`, count, count, count))
	run := env.run("rep2", nil)
	wantRun(t, run, state.RunSucceeded)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	serveDone := make(chan error, 1)
	go func() { serveDone <- env.e.Serve(ctx) }()
	if _, err := env.e.Repair(ctx, run.ID, RepairOptions{Tasks: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	final, err := env.e.Wait(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRun(t, final, state.RunSucceeded)
	cancel()
	if err := <-serveDone; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	b, _ := os.ReadFile(count)
	lines := strings.Fields(string(b))
	n := map[string]int{}
	for _, l := range lines {
		n[l]++
	}
	if n["a"] != 2 || n["b"] != 2 || n["c"] != 1 {
		t.Errorf("task runs: got %v, want a and b twice, c once", n)
	}
}
