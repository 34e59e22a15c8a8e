package jobs

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
)

type received struct {
	path, event string
	body        map[string]any
}

// Notifications reach a webhook receiver with the documented payload:
// run.started on the first start, run.failed / run.succeeded at the end
// with every task's outcome, and a Slack-compatible body.
func TestNotifications(t *testing.T) {
	got := make(chan received, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("%s: body is not JSON: %s", r.URL.Path, b)
		}
		if r.Header.Get("X-Team") != "data" && r.URL.Path != "/slack" {
			t.Errorf("%s: header X-Team missing", r.URL.Path)
		}
		got <- received{r.URL.Path, r.Header.Get("X-Sluice-Event"), body}
	}))
	defer srv.Close()
	env := newEnv(t, nil, func(c *Config) {
		c.RunURL = func(id int64) string { return fmt.Sprintf("http://sluice.example/runs/%d", id) }
	})
	env.deploy(fmt.Sprintf(`name: noisy
parameters: {fail: "1"}
notifications:
  on_start: [{webhook: "%[1]s/start", headers: {X-Team: data}}]
  on_success: [{webhook: "%[1]s/success", headers: {X-Team: data}}]
  on_failure: [{webhook: "%[1]s/failure", headers: {X-Team: data}}, {slack: "%[1]s/slack"}]
tasks:
  - {key: a, exec: {command: ["true"]}}
  - {key: b, depends_on: [a], exec: {command: [sh, -c, 'echo boom; exit ${fail}']}}
  - {key: c, depends_on: [b], exec: {command: ["true"]}}
`, srv.URL))
	next := func() received {
		t.Helper()
		select {
		case r := <-got:
			return r
		case <-time.After(20 * time.Second):
			t.Fatal("no notification")
			return received{}
		}
	}
	run := env.run("noisy", nil)
	wantRun(t, run, state.RunFailed)
	seen := map[string]received{}
	for range 3 {
		r := next()
		seen[r.path] = r
	}
	start, fail, slack := seen["/start"], seen["/failure"], seen["/slack"]
	if start.event != "run.started" || start.body["state"] != "running" || start.body["job"] != "noisy" || start.body["run_id"] != float64(run.ID) {
		t.Errorf("start: %s %v", start.event, start.body)
	}
	if fail.event != "run.failed" || fail.body["state"] != "failed" || fail.body["trigger"] != "manual" || fail.body["run_url"] != fmt.Sprintf("http://sluice.example/runs/%d", run.ID) {
		t.Errorf("failure: %s %v", fail.event, fail.body)
	}
	if p, _ := fail.body["parameters"].(map[string]any); p["fail"] != "1" {
		t.Errorf("failure parameters: %v", fail.body["parameters"])
	}
	tasks, _ := fail.body["tasks"].([]any)
	want := []string{"a succeeded 1", "b failed 1", "c upstream_failed 0"}
	if len(tasks) != len(want) {
		t.Fatalf("tasks: %v", tasks)
	}
	for i, w := range want {
		m := tasks[i].(map[string]any)
		if g := fmt.Sprintf("%s %s %v", m["key"], m["state"], m["attempts"]); g != w {
			t.Errorf("task %d: got %s, want %s", i, g, w)
		}
	}
	if _, ok := slack.body["text"].(string); !ok {
		t.Errorf("slack body: %v", slack.body)
	}

	ok := env.run("noisy", map[string]string{"fail": "0"})
	wantRun(t, ok, state.RunSucceeded)
	for range 2 {
		r := next()
		seen[r.path] = r
	}
	if s := seen["/success"]; s.event != "run.succeeded" || s.body["run_id"] != float64(ok.ID) || s.body["duration_seconds"] == nil {
		t.Errorf("success: %s %v", s.event, s.body)
	}
	select {
	case r := <-got:
		t.Errorf("unexpected notification %s %s", r.path, r.event)
	default:
	}
}
