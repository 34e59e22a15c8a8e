package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
	"github.com/sluice-dev/sluice/metastore/metastoretest"
)

// Task values from an exec task (a JSON object and key=value lines) are
// consumed downstream through ${tasks.KEY.values.NAME}.
func TestTaskValuesFlowDownstream(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		env := newEnv(t, db, nil)
		out := filepath.Join(env.dir, "out.txt")
		env.deploy(fmt.Sprintf(`name: values
parameters: {greeting: hello}
tasks:
  - key: a
    exec: {command: [sh, -c, 'printf "{\"n\": 42, \"s\": \"x y\", \"o\": {\"k\": [1, 2]}, \"b\": true}" > "$SLUICE_TASK_VALUES"']}
  - key: b
    exec: {command: [sh, -c, 'printf "rows=7\nname=alpha\n" > "$SLUICE_TASK_VALUES"']}
  - key: c
    depends_on: [a, b]
    exec:
      command: [sh, -c, 'echo "$0|$1|$2|$3|$4|$5|$6|$SLUICE_PARAM_GREETING|$X" > %s', '${tasks.a.values.n}', '${tasks.a.values.s}', '${tasks.a.values.o}', '${tasks.a.values.b}', '${tasks.b.values.rows}', '${tasks.b.values.name}', '${greeting}']
      env: {X: '${tasks.b.values.name}-${run.id}'}
`, out))
		run := env.run("values", nil)
		wantRun(t, run, state.RunSucceeded)
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`42|x y|{"k":[1,2]}|true|7|alpha|hello|hello|alpha-%d`, run.ID)
		if strings.TrimSpace(string(got)) != want {
			t.Errorf("downstream saw %q, want %q", strings.TrimSpace(string(got)), want)
		}
		vals, err := env.store.TaskValues(context.Background(), run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(vals["b"]["rows"]) != "7" || string(vals["b"]["name"]) != `"alpha"` {
			t.Errorf("values of b: got %v", vals["b"])
		}
	})
}

// Every run_if rule against every pair of dependency outcomes
// (succeeded, failed, skipped).
func TestRunIfMatrix(t *testing.T) {
	env := newEnv(t, nil, nil)
	// s1/s2 succeed, f1/f2 fail, k1/k2 are skipped (at_least_one_failed
	// with nothing failed).
	var b strings.Builder
	b.WriteString(`name: runif
tasks:
  - {key: s1, exec: {command: ["true"]}}
  - {key: s2, exec: {command: ["true"]}}
  - {key: f1, exec: {command: ["false"]}}
  - {key: f2, exec: {command: ["false"]}}
  - {key: k1, depends_on: [s1], run_if: at_least_one_failed, exec: {command: ["true"]}}
  - {key: k2, depends_on: [s2], run_if: at_least_one_failed, exec: {command: ["true"]}}
`)
	const (
		ok   = state.TaskSucceeded
		upf  = state.TaskUpstreamFailed
		skip = state.TaskSkipped
	)
	cases := []struct {
		x, y string // dependency outcomes: s, f, k
		// expected state under all_success, all_done, none_failed, at_least_one_failed
		want [4]state.TaskState
	}{
		{"s", "s", [4]state.TaskState{ok, ok, ok, skip}},
		{"s", "f", [4]state.TaskState{upf, ok, upf, ok}},
		{"s", "k", [4]state.TaskState{skip, ok, ok, skip}},
		{"f", "s", [4]state.TaskState{upf, ok, upf, ok}},
		{"f", "f", [4]state.TaskState{upf, ok, upf, ok}},
		{"f", "k", [4]state.TaskState{upf, ok, upf, ok}},
		{"k", "s", [4]state.TaskState{skip, ok, ok, skip}},
		{"k", "f", [4]state.TaskState{upf, ok, upf, ok}},
		{"k", "k", [4]state.TaskState{skip, ok, ok, skip}},
	}
	rules := []string{"all_success", "all_done", "none_failed", "at_least_one_failed"}
	for _, c := range cases {
		for _, r := range rules {
			fmt.Fprintf(&b, "  - {key: %s_%s_%s, depends_on: [%s1, %s2], run_if: %s, exec: {command: [\"true\"]}}\n", r, c.x, c.y, c.x, c.y, r)
		}
	}
	env.deploy(b.String())
	run := env.run("runif", nil)
	wantRun(t, run, state.RunFailed) // f1 and f2 failed
	got := env.latest(run.ID)
	for _, k := range []string{"k1", "k2"} {
		if got[k].State != skip {
			t.Fatalf("%s: got %s, want skipped", k, got[k].State)
		}
	}
	for _, c := range cases {
		for i, r := range rules {
			key := fmt.Sprintf("%s_%s_%s", r, c.x, c.y)
			if got[key].State != c.want[i] {
				t.Errorf("%s with dependencies %s, %s: got %s (%q), want %s", r, c.x, c.y, got[key].State, got[key].Message, c.want[i])
			}
		}
	}
}

// A failing task is retried by its policy, each attempt after its
// backoff delay; a task failing only on attempt 1 succeeds on attempt 2.
func TestRetriesWithBackoff(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		env := newEnv(t, db, nil)
		env.deploy(`name: retries
retries: {count: 1, delay: 10ms}
tasks:
  - key: always
    retries: {count: 2, delay: 60ms, backoff: 2}
    exec: {command: [sh, -c, 'echo attempt $SLUICE_ATTEMPT; exit 3']}
  - key: flaky
    exec: {command: [sh, -c, 'test "$SLUICE_ATTEMPT" -ge 2']}
  - key: after
    depends_on: [flaky]
    exec: {command: ["true"]}
`)
		run := env.run("retries", nil)
		wantRun(t, run, state.RunFailed)
		at := env.attempts(run.ID)
		always := at["always"]
		if len(always) != 3 {
			t.Fatalf("always: got %d attempts, want 3 (1 + 2 retries)", len(always))
		}
		for i, want := range []time.Duration{60 * time.Millisecond, 120 * time.Millisecond} {
			prev, next := always[i], always[i+1]
			if gap := next.ReadyAt.Sub(prev.EndedAt); gap < want-time.Millisecond {
				t.Errorf("attempt %d ready %s after attempt %d ended, want ≥ %s", next.Attempt, gap, prev.Attempt, want)
			}
			if prev.State != state.TaskFailed || !strings.Contains(prev.Message, "exit status 3") || !strings.Contains(prev.Message, fmt.Sprintf("attempt %d", prev.Attempt)) {
				t.Errorf("attempt %d: got %s %q, want failed with exit status 3 and the log's last line", prev.Attempt, prev.State, prev.Message)
			}
		}
		if c := always[2].ExitCode; c == nil || *c != 3 {
			t.Errorf("exit code: got %v, want 3", c)
		}
		flaky := at["flaky"]
		if len(flaky) != 2 || flaky[0].State != state.TaskFailed || flaky[1].State != state.TaskSucceeded {
			t.Fatalf("flaky: got %+v, want failed then succeeded", flaky)
		}
		if at["after"][0].State != state.TaskSucceeded {
			t.Errorf("after: got %s, want succeeded", at["after"][0].State)
		}
		if !strings.Contains(run.Message, "always") || strings.Contains(run.Message, "flaky") {
			t.Errorf("run message %q should name always only", run.Message)
		}
	})
}

// An attempt over its timeout is timed out and its whole process group
// killed, grandchildren included; the timeout is retried by policy.
func TestTaskTimeoutKillsProcessGroup(t *testing.T) {
	env := newEnv(t, nil, nil)
	pidFile := filepath.Join(env.dir, "grandchild")
	env.deploy(fmt.Sprintf(`name: timeout
tasks:
  - key: slow
    timeout: 300ms
    retries: {count: 1, delay: 1ms}
    exec: {command: [sh, -c, 'sleep 60 & echo $! > %s.$SLUICE_ATTEMPT; wait']}
`, pidFile))
	start := time.Now()
	run := env.run("timeout", nil)
	wantRun(t, run, state.RunFailed)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("run took %s; the timeout should end it after about 600ms", el)
	}
	slow := env.attempts(run.ID)["slow"]
	if len(slow) != 2 {
		t.Fatalf("got %d attempts, want 2 (a timed-out attempt is retried)", len(slow))
	}
	for _, a := range slow {
		if a.State != state.TaskTimedOut || !strings.Contains(a.Message, "timed out after 300ms") {
			t.Errorf("attempt %d: got %s %q, want timed_out", a.Attempt, a.State, a.Message)
		}
		pid := readPID(t, fmt.Sprintf("%s.%d", pidFile, a.Attempt))
		waitFor(t, "the grandchild sleep to be gone", func() bool { return processGone(pid) })
	}
}

// A run over the job's timeout ends timed_out: running tasks timed out
// (process killed), tasks not started canceled.
func TestRunTimeout(t *testing.T) {
	env := newEnv(t, nil, nil)
	pidFile := filepath.Join(env.dir, "pid")
	env.deploy(fmt.Sprintf(`name: runtimeout
timeout: 300ms
tasks:
  - key: a
    exec: {command: [sh, -c, 'echo $$ > %s; exec sleep 60']}
  - key: b
    depends_on: [a]
    exec: {command: ["true"]}
`, pidFile))
	run := env.run("runtimeout", nil)
	wantRun(t, run, state.RunTimedOut)
	if !strings.Contains(run.Message, "timed out after 300ms") {
		t.Errorf("message %q", run.Message)
	}
	got := env.latest(run.ID)
	if got["a"].State != state.TaskTimedOut || got["b"].State != state.TaskCanceled {
		t.Errorf("got a %s, b %s; want timed_out, canceled", got["a"].State, got["b"].State)
	}
	pid := readPID(t, pidFile)
	waitFor(t, "the task's process to be gone", func() bool { return processGone(pid) })
}

// Cancel — from another goroutine of this process, or requested in the
// store as another process would — kills the running task's process
// group and ends the run canceled, with tasks not started canceled.
func TestCancel(t *testing.T) {
	metastoretest.ForEach(t, func(t *testing.T, db *metastore.DB) {
		for _, how := range []string{"Cancel", "store"} {
			t.Run(how, func(t *testing.T) { testCancel(t, db, how) })
		}
	})
}

func testCancel(t *testing.T, db *metastore.DB, how string) {
	env := newEnv(t, db, nil)
	pidFile := filepath.Join(env.dir, "pid")
	env.deploy(fmt.Sprintf(`name: cancel
tasks:
  - key: a
    retries: {count: 3, delay: 1ms}
    exec: {command: [sh, -c, 'sleep 60 & echo $! > %s; wait']}
  - key: b
    depends_on: [a]
    exec: {command: ["true"]}
`, pidFile))
	ctx := testCtx(t)
	r, err := env.e.Submit(ctx, "cancel", SubmitOptions{Execute: true})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		run *state.Run
		err error
	}
	done := make(chan result, 1)
	go func() {
		run, err := env.e.Execute(ctx, r.ID)
		done <- result{run, err}
	}()
	pid := readPID(t, pidFile)
	switch how {
	case "Cancel":
		if _, err := env.e.Cancel(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	case "store":
		if _, err := env.store.RequestCancel(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	wantRun(t, res.run, state.RunCanceled)
	at := env.attempts(r.ID)
	if len(at["a"]) != 1 || at["a"][0].State != state.TaskCanceled {
		t.Errorf("a: got %+v, want one canceled attempt (cancel is never retried)", at["a"])
	}
	if len(at["b"]) != 1 || at["b"][0].State != state.TaskCanceled {
		t.Errorf("b: got %+v, want canceled", at["b"])
	}
	waitFor(t, "the task's grandchild to be gone", func() bool { return processGone(pid) })
	if _, err := env.e.Cancel(ctx, r.ID); err == nil {
		t.Error("canceling a finished run: no error")
	}
}

// Config.Env reaches exec tasks, and the task's own env overrides it.
func TestConfigEnvReachesExecTasks(t *testing.T) {
	env := newEnv(t, nil, func(c *Config) { c.Env = []string{"SLUICE_BIN=/opt/sluice", "Y=engine"} })
	out := filepath.Join(env.dir, "env.txt")
	env.deploy(fmt.Sprintf(`name: envs
tasks:
  - key: a
    exec:
      command: [sh, -c, 'echo "$SLUICE_BIN|$Y" > %s']
      env: {Y: task}
`, out))
	wantRun(t, env.run("envs", nil), state.RunSucceeded)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(got)) != "/opt/sluice|task" {
		t.Errorf("exec task saw %q, want /opt/sluice|task", strings.TrimSpace(string(got)))
	}
}
