package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/state"
)

// A for_each runs at most Concurrency iterations at once; the parent
// succeeds when every iteration does and publishes count and failed.
func TestForEachConcurrencyLimit(t *testing.T) {
	p := &probe{hold: 30 * time.Millisecond}
	env := newEnv(t, nil, func(c *Config) { c.Runners = map[string]TaskRunner{"sql": p} })
	out := filepath.Join(env.dir, "out.txt")
	env.deploy(fmt.Sprintf(`name: fe
tasks:
  - key: each
    for_each:
      items: [a, b, c, d, e, f, g, h]
      concurrency: 3
      task: {sql: {query: "SELECT 1"}}
  - key: after
    depends_on: [each]
    exec: {command: [sh, -c, 'echo ${tasks.each.values.count}/${tasks.each.values.failed} > %s']}
`, out))
	run := env.run("fe", nil)
	wantRun(t, run, state.RunSucceeded)
	if m := p.maxConcurrent(); m > 3 || m < 2 {
		t.Errorf("at most %d iterations ran at once, want 3 (≤ concurrency)", m)
	}
	if p.count() != 8 {
		t.Errorf("%d iterations ran, want 8", p.count())
	}
	got := env.latest(run.ID)
	if got["each"].State != state.TaskSucceeded || got["each"].Type != "for_each" {
		t.Errorf("parent: got %+v", got["each"])
	}
	for i := range 8 {
		k := fmt.Sprintf("each[%d]", i)
		if got[k].State != state.TaskSucceeded || got[k].Type != "sql" {
			t.Errorf("%s: got %s %s", k, got[k].Type, got[k].State)
		}
	}
	b, _ := os.ReadFile(out)
	if strings.TrimSpace(string(b)) != "8/0" {
		t.Errorf("downstream saw count/failed %q, want 8/0", b)
	}
}

// A failing iteration (after its retries) fails the parent with the count;
// the others still run; items from a JSON parameter give ${item.COL}.
func TestForEachFailureAndParamItems(t *testing.T) {
	env := newEnv(t, nil, nil)
	out := filepath.Join(env.dir, "out")
	env.deploy(fmt.Sprintf(`name: fe2
parameters:
  rows: '[{"id": 1, "name": "one"}, {"id": 2, "name": "two"}, {"id": 3, "name": "three"}]'
  list: "x, y ,z"
tasks:
  - key: objs
    for_each:
      param: rows
      concurrency: 2
      task:
        retries: {count: 1, delay: 1ms}
        exec: {command: [sh, -c, 'echo "${item.name}" > %s.${item.id}; test ${item.id} != 2']}
  - key: plain
    for_each:
      param: list
      task: {exec: {command: [sh, -c, 'echo "$0" >> %s.list', '${item}']}}
`, out, out))
	run := env.run("fe2", nil)
	wantRun(t, run, state.RunFailed)
	at := env.attempts(run.ID)
	if p := at["objs"]; len(p) != 1 || p[0].State != state.TaskFailed || !strings.Contains(p[0].Message, "1 of 3 iterations") {
		t.Errorf("parent: got %+v, want failed naming 1 of 3", p)
	}
	if n := len(at["objs[1]"]); n != 2 {
		t.Errorf("objs[1]: %d attempts, want 2 (1 retry)", n)
	}
	for i, name := range []string{"one", "two", "three"} {
		b, err := os.ReadFile(fmt.Sprintf("%s.%d", out, i+1))
		if err != nil || strings.TrimSpace(string(b)) != name {
			t.Errorf("item %d: got %q %v, want %s", i+1, b, err, name)
		}
	}
	b, _ := os.ReadFile(out + ".list")
	lines := strings.Fields(string(b))
	slices.Sort(lines)
	if strings.Join(lines, ",") != "x,y,z" {
		t.Errorf("plain items: got %q", lines)
	}
	if !strings.Contains(run.Message, "objs") || strings.Contains(run.Message, "plain") {
		t.Errorf("run message %q", run.Message)
	}
	vals := env.timeline(run.ID).Values["objs"]
	if fmt.Sprint(vals["count"]) != "3" || fmt.Sprint(vals["failed"]) != "1" {
		t.Errorf("parent values: got %v, want count 3 failed 1", vals)
	}
}

func (env *testEnv) timeline(runID int64) *Timeline {
	env.t.Helper()
	tl, err := env.e.Timeline(testCtx(env.t), runID)
	if err != nil {
		env.t.Fatal(err)
	}
	return tl
}

// rowsProbe is a sql runner that answers for_each queries with fixed rows
// and runs iterations as probe does.
type rowsProbe struct {
	probe
	gotQuery string
	gotVars  map[string]string
}

func (r *rowsProbe) QueryRows(ctx context.Context, tc *TaskContext, query string) ([]map[string]any, error) {
	r.gotQuery, r.gotVars = query, tc.Vars
	fmt.Fprintln(tc.Log, "query:", query)
	return []map[string]any{{"id": 1, "region": "eu"}, {"id": 2, "region": "us"}}, nil
}

// A for_each over a query gets its items from the sql runner's
// RowsQuerier; ${item.COL} reaches each iteration.
func TestForEachQuery(t *testing.T) {
	rp := &rowsProbe{}
	env := newEnv(t, nil, func(c *Config) { c.Runners = map[string]TaskRunner{"sql": rp} })
	out := filepath.Join(env.dir, "out")
	env.deploy(fmt.Sprintf(`name: feq
parameters: {min: "0"}
tasks:
  - key: each
    for_each:
      query: "SELECT id, region FROM regions WHERE id > ${min}"
      concurrency: 2
      task: {exec: {command: [sh, -c, 'echo "$0" >> %s', '${item.id}=${item.region} ${item}']}}
`, out))
	run := env.run("feq", nil)
	wantRun(t, run, state.RunSucceeded)
	if rp.gotQuery != "SELECT id, region FROM regions WHERE id > ${min}" || rp.gotVars["min"] != "0" {
		t.Errorf("query %q vars %v: want the text as written and the run's vars", rp.gotQuery, rp.gotVars)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(lines)
	want := []string{`1=eu {"id":1,"region":"eu"}`, `2=us {"id":2,"region":"us"}`}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("iterations wrote %q, want %q", lines, want)
	}
}
