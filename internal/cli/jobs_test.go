package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/cli"
	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
)

// writeJob writes a job file into dir and returns its path.
func writeJob(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type cliTimeline struct {
	RunID int64  `json:"run_id"`
	State string `json:"state"`
	Tasks []struct {
		Key     string `json:"key"`
		Attempt int    `json:"attempt"`
		State   string `json:"state"`
	} `json:"tasks"`
	Values map[string]map[string]any `json:"task_values"`
}

func decodeTimeline(t *testing.T, out string) cliTimeline {
	t.Helper()
	var tl cliTimeline
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatalf("timeline JSON %q: %v", out, err)
	}
	return tl
}

// attempts counts a timeline's attempts per task key.
func (tl cliTimeline) attempts() map[string]int {
	n := map[string]int{}
	for _, task := range tl.Tasks {
		n[task.Key]++
	}
	return n
}

func TestJobsValidateReportsPositions(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	p := writeJob(t, dir, "bad.yaml", `name: bad
schedule: {cron: "0 25 * * *"}
tasks:
  - key: a
    exec: {command: [echo, "${nope}"]}
  - key: b
    depends_on: [missing]
    exec: {command: ["true"]}
  - key: c
    notebook: {path: x}
`)
	_, stderr, code := run(t, ws, "", "jobs", "validate", p)
	if code != cli.ExitError {
		t.Fatalf("jobs validate bad.yaml: exit %d, want %d; stderr:\n%s", code, cli.ExitError, stderr)
	}
	for _, want := range []string{"bad.yaml:2:", "bad.yaml:5:", "nope", "bad.yaml:7:", "missing", "bad.yaml:10:", "notebook"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("jobs validate stderr lacks %q:\n%s", want, stderr)
		}
	}
	good := writeJob(t, dir, "good.yaml", "name: good\ntasks:\n  - key: a\n    exec: {command: [\"true\"]}\n")
	if out := mustRun(t, ws, "jobs", "validate", good); !strings.Contains(out, "good") {
		t.Errorf("jobs validate good.yaml:\n%s", out)
	}
	if out := mustRun(t, ws, "jobs", "schema"); !strings.Contains(out, `"$schema"`) {
		t.Errorf("jobs schema: %.200s", out)
	}
}

func TestJobsRunRetriesValuesLogsAndRepair(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	marker := filepath.Join(dir, "fixed")
	p := writeJob(t, dir, "demo.yaml", `name: demo
parameters: {greeting: hello}
tasks:
  - key: produce
    exec:
      command: [sh, -c, 'echo "producing ${greeting}"; echo "answer=42" >> "$SLUICE_TASK_VALUES"']
  - key: flaky
    retries: {count: 1, delay: 10ms}
    exec:
      command: [sh, -c, 'echo "attempt $SLUICE_ATTEMPT"; test "$SLUICE_ATTEMPT" = 2']
  - key: gated
    depends_on: [produce, flaky]
    exec:
      command: [sh, -c, 'echo "got ${tasks.produce.values.answer}"; test -f `+marker+`']
  - key: after
    depends_on: [gated]
    exec: {command: [echo, done]}
`)
	out, stderr, code := run(t, ws, "", "jobs", "run", p, "--wait", "--output", "json")
	if code != cli.ExitError {
		t.Fatalf("first run: exit %d, want %d (gated fails)\n%s\n%s", code, cli.ExitError, out, stderr)
	}
	tl := decodeTimeline(t, out)
	if tl.State != "failed" {
		t.Fatalf("run state %s, want failed", tl.State)
	}
	if n := tl.attempts(); n["flaky"] != 2 || n["produce"] != 1 || n["gated"] != 1 {
		t.Errorf("attempts %v: want flaky 2 (retried), produce 1, gated 1", n)
	}
	if v := tl.Values["produce"]["answer"]; v != float64(42) {
		t.Errorf("produce's task value answer = %v, want 42", v)
	}
	if !strings.Contains(stderr, "runs repair") {
		t.Errorf("failed run's error should point at 'runs repair':\n%s", stderr)
	}
	id := strconv.FormatInt(tl.RunID, 10)

	logs := mustRun(t, ws, "runs", "logs", id, "--task", "gated")
	if !strings.Contains(logs, "got 42") || !strings.Contains(logs, "==> gated attempt 1 (failed)") {
		t.Errorf("runs logs --task gated:\n%s", logs)
	}
	if logs = mustRun(t, ws, "runs", "logs", id, "--task", "flaky"); !strings.Contains(logs, "attempt 1") || !strings.Contains(logs, "attempt 2") {
		t.Errorf("runs logs --task flaky should hold both attempts:\n%s", logs)
	}
	if list := mustRun(t, ws, "runs", "list", "--job", "demo"); !strings.Contains(list, "failed") {
		t.Errorf("runs list --job demo:\n%s", list)
	}

	// Fix the cause, then repair: only gated and after rerun.
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, ws, "runs", "repair", id, "--wait", "--output", "json")
	tl = decodeTimeline(t, out)
	if tl.State != "succeeded" {
		t.Fatalf("repaired run state %s, want succeeded:\n%s", tl.State, out)
	}
	if n := tl.attempts(); n["produce"] != 1 || n["flaky"] != 2 || n["gated"] != 2 || n["after"] != 2 {
		t.Errorf("attempts after repair %v: want produce 1, flaky 2 (kept), gated 2 and after 2 (upstream_failed, then rerun)", n)
	}
	show := mustRun(t, ws, "runs", "show", id)
	if !strings.Contains(show, "succeeded") || !strings.Contains(show, "produce.answer = 42") {
		t.Errorf("runs show %s:\n%s", id, show)
	}
}

func TestJobsCancelRunningRun(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	p := writeJob(t, dir, "slow.yaml", "name: slow\ntasks:\n  - key: sleep\n    exec: {command: [sleep, \"60\"]}\n")
	mustRun(t, ws, "jobs", "deploy", p)
	done := make(chan string, 1)
	go func() {
		out, _, _ := run(t, ws, "", "jobs", "run", "slow", "--wait", "--output", "json")
		done <- out
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if out, _, _ := run(t, ws, "", "runs", "list", "--state", "running", "--output", "json"); strings.Contains(out, `"slow"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run never showed up running")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := mustRun(t, ws, "runs", "cancel", "1"); !strings.Contains(out, "run 1") {
		t.Errorf("runs cancel: %s", out)
	}
	select {
	case out := <-done:
		if tl := decodeTimeline(t, out); tl.State != "canceled" {
			t.Errorf("canceled run ended %s:\n%s", tl.State, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("jobs run --wait did not return within 30s of the cancel")
	}
}

func TestServerRunsQueuedJobsAndServesMetrics(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	url := startCLIServer(t, ws)
	waitForServerExecutor(t, ws)
	p := writeJob(t, dir, "hello.yaml", "name: hello\ntasks:\n  - key: hi\n    exec: {command: [echo, hi]}\n")
	mustRun(t, ws, "jobs", "deploy", p)
	out := mustRun(t, ws, "jobs", "run", "hello")
	if !strings.Contains(out, "queued run 1 of hello for the running server") {
		t.Fatalf("jobs run without --wait beside a server: %s", out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out = mustRun(t, ws, "runs", "show", "1", "--output", "json")
		if decodeTimeline(t, out).State == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not run the queued run:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `sluice_job_runs_total{job="hello",state="succeeded"} 1`) {
		t.Errorf("/metrics lacks the job run counter:\n%.2000s", body)
	}
}

// TestNightlyExample runs examples/nightly/job.yaml as shipped, with its
// notification URLs pointed at a test receiver.
func TestNightlyExample(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	got := make(chan map[string]any, 10)
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		json.NewDecoder(r.Body).Decode(&v)
		v["_path"], v["_event"] = r.URL.Path, r.Header.Get("X-Sluice-Event")
		got <- v
	})
	for _, f := range []string{"job.yaml", "flaky.sh"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "nightly", f))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "http://127.0.0.1:8765", srv)
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := mustRun(t, ws, "jobs", "run", filepath.Join(dir, "job.yaml"), "--wait", "--output", "json")
	tl := decodeTimeline(t, out)
	if tl.State != "succeeded" {
		t.Fatalf("nightly run %s:\n%s", tl.State, out)
	}
	states := map[string]string{}
	for _, task := range tl.Tasks {
		states[task.Key] = task.State
	}
	if n := tl.attempts(); n["extract"] != 2 {
		t.Errorf("extract attempts %d, want 2 (fails once, then the retry succeeds)", n["extract"])
	}
	for key, want := range map[string]string{"load": "succeeded", "per_region[0]": "succeeded", "per_region[2]": "succeeded",
		"check": "succeeded", "cleanup_on_failure": "skipped"} {
		if states[key] != want {
			t.Errorf("task %s: %s, want %s (all: %v)", key, states[key], want, states)
		}
	}
	if v := tl.Values["load"]["rows_extracted"]; v != float64(1234) {
		t.Errorf("load's first row rows_extracted = %v, want 1234", v)
	}
	select {
	case ev := <-got:
		if ev["_path"] != "/sluice" || ev["event"] != "run.succeeded" || ev["_event"] != "run.succeeded" || ev["job"] != "nightly" {
			t.Errorf("webhook payload %v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no success notification received")
	}
}

// waitForServerExecutor waits until the server's jobs executor has
// registered in the workspace's metadata database.
func waitForServerExecutor(t *testing.T, ws string) {
	t.Helper()
	ctx := context.Background()
	db, err := metastore.OpenSQLite(ctx, filepath.Join(ws, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := state.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		exs, err := st.Executors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range exs {
			if strings.HasPrefix(e.ID, "server:") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the server's jobs executor did not register within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJobsForEachOverQuery(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	p := writeJob(t, dir, "fe.yaml", `name: fe
tasks:
  - key: make
    sql: {query: "CREATE TABLE regions AS SELECT * FROM (VALUES ('eu', 1), ('us', 2), ('apac', 3)) t(name, n)"}
  - key: each
    depends_on: [make]
    for_each:
      query: SELECT name, n FROM regions WHERE n >= 2 ORDER BY n
      concurrency: 2
      task:
        exec: {command: [sh, -c, 'echo "region $0 #$1"', "${item.name}", "${item.n}"]}
`)
	out := mustRun(t, ws, "jobs", "run", p, "--wait", "--output", "json")
	tl := decodeTimeline(t, out)
	if tl.State != "succeeded" {
		t.Fatalf("run %s:\n%s", tl.State, out)
	}
	n := tl.attempts()
	if n["each[0]"] != 1 || n["each[1]"] != 1 || n["each[2]"] != 0 {
		t.Errorf("iterations %v: want each[0] and each[1] only (two rows)", n)
	}
	logs := mustRun(t, ws, "runs", "logs", strconv.FormatInt(tl.RunID, 10), "--task", "each")
	if !strings.Contains(logs, "region us #2") || !strings.Contains(logs, "region apac #3") {
		t.Errorf("for_each logs:\n%s", logs)
	}
}
