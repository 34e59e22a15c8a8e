package spec

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fullExample is the job of the package documentation, with every key.
const fullExample = `name: nightly_churn
description: Rebuild and retrain
schedule: {cron: "0 2 * * *", timezone: Europe/Paris, paused: true, catch_up: true, max_catch_up: 5}
on: {table_updated: default.churn}
parameters:
  date: "2026-01-01"
  rows: 100
  strict: true
max_concurrent_runs: 2
timeout: 1h
retries: {count: 2, delay: 10s, backoff: 3, max_delay: 10m}
notifications:
  on_failure: [{webhook: "https://hooks.example/x", headers: {X-Token: abc}}, {slack: "https://hooks.slack.com/services/T/B/X"}]
  on_success: [{webhook: "http://127.0.0.1:9/ok"}]
  on_start: []
tasks:
  - key: ingest
    ingest: {paths: [data/*.csv], table: churn, mode: overwrite, header: false, sample_size: -1}
  - key: prep
    depends_on: [ingest]
    sql: {query: "CREATE OR REPLACE TABLE x AS SELECT * FROM churn WHERE d = ${date}", task_values: first_row}
  - key: fit
    depends_on: [prep]
    run_if: all_done
    retries: {count: 1}
    timeout: 30m
    ml_fit: {spec: train.yaml, experiment: churn, register: churn, alias: champion}
  - key: each
    depends_on: [prep]
    for_each: {items: [a, 2], concurrency: 2, task: {exec: {command: [echo, "${item}", "${tasks.prep.values.n}"]}}}
  - key: hello
    exec: {command: [sh, -c, "echo hi"], env: {A: b, N: 1}, dir: .}
  - key: child
    run_job: {job: other, parameters: {x: "${date}"}}
  - key: score
    depends_on: [fit]
    models_predict: {model: "${tasks.fit.values.model_uri}", query: "SELECT * FROM x", into: scored, columns: [prediction]}
  - key: apply
    description: apply a model
    depends_on: [fit]
    ml_transform: {model: "models:/churn@champion", table: x, into: y, mode: append}
`

// MustParse parses src with dir as the job directory.
func MustParse(tb testing.TB, src, dir string) *Job {
	tb.Helper()
	j, err := Parse("job.yaml", []byte(src), dir)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return j
}

// jobDir returns a directory holding train.yaml.
func jobDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "train.yaml"), []byte("name: t\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestParseFullExample(t *testing.T) {
	dir := jobDir(t)
	j := MustParse(t, fullExample, dir)

	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", what, got, want)
		}
	}
	check("Name", j.Name, "nightly_churn")
	check("Description", j.Description, "Rebuild and retrain")
	check("Dir", j.Dir, dir)
	check("Source", string(j.Source), fullExample)
	check("File", j.File, "job.yaml")
	check("Pos", j.Pos, Pos{1, 1})
	check("NamePos", j.NamePos, Pos{1, 7})
	check("Schedule", *j.Schedule, Schedule{Cron: "0 2 * * *", Timezone: "Europe/Paris", Paused: true, CatchUp: true, MaxCatchUp: 5, CronPos: Pos{3, 18}, TZPos: Pos{3, 41}})
	check("On", *j.On, Trigger{TableUpdated: "default.churn", Pos: Pos{4, 21}})
	check("Parameters", j.Parameters, []Parameter{
		{Name: "date", Default: "2026-01-01", Pos: Pos{6, 3}},
		{Name: "rows", Default: "100", Pos: Pos{7, 3}},
		{Name: "strict", Default: "true", Pos: Pos{8, 3}},
	})
	check("MaxConcurrentRuns", j.MaxConcurrentRuns, 2)
	check("Timeout", j.Timeout.D, time.Hour)
	check("Retries", *j.Retries, Retry{Count: 2, Delay: Duration{10 * time.Second}, Backoff: 3, MaxDelay: Duration{10 * time.Minute}, Pos: Pos{11, 10}})
	check("OnFailure", j.Notifications.OnFailure, []Destination{
		{Webhook: "https://hooks.example/x", Headers: map[string]string{"X-Token": "abc"}, Pos: Pos{13, 16}},
		{Slack: "https://hooks.slack.com/services/T/B/X", Pos: Pos{13, 79}},
	})
	check("OnSuccess", j.Notifications.OnSuccess, []Destination{{Webhook: "http://127.0.0.1:9/ok", Pos: Pos{14, 16}}})
	check("OnStart", len(j.Notifications.OnStart), 0)

	var keys []string
	for _, task := range j.Tasks {
		keys = append(keys, task.Key)
	}
	check("task keys", keys, []string{"ingest", "prep", "fit", "each", "hello", "child", "score", "apply"})

	ingest := j.Task("ingest")
	f := false
	check("ingest", *ingest.Ingest, IngestTask{Paths: []string{"data/*.csv"}, Table: "churn", Mode: "overwrite", Header: &f, SampleSize: -1, Pos: Pos{18, 13}})
	check("ingest Pos", ingest.Pos, Pos{17, 10})
	check("ingest TypePos", ingest.TypePos, Pos{18, 5})
	check("ingest RunIf (default)", ingest.RunIf, AllSuccess)
	check("ingest Type", ingest.Type(), TypeIngest)

	prep := j.Task("prep")
	check("prep deps", prep.DependsOn, []string{"ingest"})
	check("prep DepsPos", prep.DepsPos, []Pos{{20, 18}})
	check("prep sql", *prep.SQL, SQLTask{Query: "CREATE OR REPLACE TABLE x AS SELECT * FROM churn WHERE d = ${date}", TaskValues: "first_row", Pos: Pos{21, 18}})

	fit := j.Task("fit")
	check("fit RunIf", fit.RunIf, AllDone)
	check("fit RunIfPos", fit.RunIfPos, Pos{24, 13})
	check("fit Retries (defaults)", *fit.Retries, Retry{Count: 1, Delay: Duration{10 * time.Second}, Backoff: 2, MaxDelay: Duration{10 * time.Minute}, Pos: Pos{25, 14}})
	check("fit Timeout", fit.Timeout.D, 30*time.Minute)
	check("fit ml_fit", *fit.MLFit, MLFitTask{Spec: "train.yaml", Experiment: "churn", Register: "churn", Alias: "champion", Pos: Pos{27, 13}})
	check("TaskRetry(fit)", j.TaskRetry(fit), fit.Retries)
	check("TaskRetry(prep)", j.TaskRetry(prep), j.Retries)

	each := j.Task("each")
	fe := each.ForEach
	check("for_each items", fe.Items, []string{"a", "2"})
	check("for_each concurrency", fe.Concurrency, 2)
	check("for_each Pos", fe.Pos, Pos{30, 15})
	check("nested command", fe.Task.Exec.Command, []string{"echo", "${item}", "${tasks.prep.values.n}"})
	check("nested key", fe.Task.Key, "")
	check("nested Pos", fe.Task.Pos, Pos{30, 53})
	check("nested TypePos", fe.Task.TypePos, Pos{30, 54})

	hello := j.Task("hello")
	check("exec", *hello.Exec, ExecTask{Command: []string{"sh", "-c", "echo hi"}, Env: map[string]string{"A": "b", "N": "1"}, Dir: ".", Pos: Pos{32, 11}})
	child := j.Task("child")
	check("run_job", *child.RunJob, RunJobTask{Job: "other", Parameters: map[string]string{"x": "${date}"}, Pos: Pos{34, 14}})
	score := j.Task("score")
	check("models_predict", *score.ModelsPredict, ModelsPredictTask{Model: "${tasks.fit.values.model_uri}", Query: "SELECT * FROM x", Into: "scored", Columns: []string{"prediction"}, Pos: Pos{37, 21}})
	apply := j.Task("apply")
	check("ml_transform", *apply.MLTransform, MLTransformTask{Model: "models:/churn@champion", Table: "x", Into: "y", Mode: "append", Pos: Pos{41, 19}})
	check("apply description", apply.Description, "apply a model")

	// The JSON form round-trips (the state package stores it).
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	var back Job
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	check("JSON timeout", back.Timeout, j.Timeout)
	check("JSON retries", back.Retries.Delay, j.Retries.Delay)
	check("JSON tasks", len(back.Tasks), len(j.Tasks))
	check("JSON nested", back.Task("each").ForEach.Task.Exec.Command, fe.Task.Exec.Command)
}

func TestParseDefaults(t *testing.T) {
	j := MustParse(t, `name: d
schedule: {cron: "@daily"}
retries: {count: 1}
tasks:
  - key: a
    for_each: {items: [x], task: {exec: {command: [echo, "${item}"]}}}
`, "")
	if j.MaxConcurrentRuns != 1 {
		t.Errorf("MaxConcurrentRuns %d, want 1", j.MaxConcurrentRuns)
	}
	if j.Schedule.Timezone != "UTC" || j.Schedule.MaxCatchUp != 100 || j.Schedule.Paused || j.Schedule.CatchUp {
		t.Errorf("schedule %+v, want UTC, max_catch_up 100, not paused, no catch-up", *j.Schedule)
	}
	want := Retry{Count: 1, Delay: Duration{10 * time.Second}, Backoff: 2, MaxDelay: Duration{10 * time.Minute}, Pos: Pos{3, 10}}
	if *j.Retries != want {
		t.Errorf("retries %+v, want %+v", *j.Retries, want)
	}
	a := j.Tasks[0]
	if a.RunIf != AllSuccess || a.ForEach.Concurrency != 1 || a.Timeout.D != 0 || a.Retries != nil {
		t.Errorf("task defaults: run_if %q concurrency %d timeout %v retries %v", a.RunIf, a.ForEach.Concurrency, a.Timeout, a.Retries)
	}
	if a.ForEach.Task.RunIf != AllSuccess {
		t.Errorf("nested run_if %q, want all_success", a.ForEach.Task.RunIf)
	}
	if j.Dir != "" || j.Timeout.D != 0 || j.On != nil || j.Notifications != nil {
		t.Errorf("unset fields: dir %q timeout %v on %v notifications %v", j.Dir, j.Timeout, j.On, j.Notifications)
	}
}

func TestParseScalarsAndForms(t *testing.T) {
	j := MustParse(t, `name: forms
parameters:
  - name: date
    default: 2026-01-01
    description: the day
  - name: n
    default: 5
  - name: empty
timeout: 90
tasks:
  - key: a
    retries: {count: 0, delay: 0, backoff: 1, max_delay: 1m}
    exec:
      command: [python, -c, 1.5, true]
      env: {X: 007, Y: null, Z: 1e3}
`, "")
	want := []Parameter{{Name: "date", Default: "2026-01-01", Description: "the day", Pos: Pos{3, 11}}, {Name: "n", Default: "5", Pos: Pos{6, 11}}, {Name: "empty", Pos: Pos{8, 11}}}
	if !reflect.DeepEqual(j.Parameters, want) {
		t.Errorf("parameters %+v, want %+v", j.Parameters, want)
	}
	if j.Timeout.D != 90*time.Second {
		t.Errorf("timeout %v, want 90s (a bare integer is seconds)", j.Timeout)
	}
	x := j.Tasks[0].Exec
	if !reflect.DeepEqual(x.Command, []string{"python", "-c", "1.5", "true"}) {
		t.Errorf("command %q", x.Command)
	}
	if !reflect.DeepEqual(x.Env, map[string]string{"X": "007", "Y": "", "Z": "1e3"}) {
		t.Errorf("env %q: numbers keep their text", x.Env)
	}
	r := j.Tasks[0].Retries
	if r.Count != 0 || r.Delay.D != 0 || r.Backoff != 1 || r.MaxDelay.D != time.Minute {
		t.Errorf("retries %+v: explicit zero delay and backoff 1 are kept", *r)
	}

	// The mapping form with {default, description}.
	j = MustParse(t, "name: m\nparameters:\n  a: {default: x, description: d}\n  b: 1\n"+okTasks, "")
	want = []Parameter{{Name: "a", Default: "x", Description: "d", Pos: Pos{3, 3}}, {Name: "b", Default: "1", Pos: Pos{4, 3}}}
	if !reflect.DeepEqual(j.Parameters, want) {
		t.Errorf("parameters %+v, want %+v", j.Parameters, want)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := `name: bad name
tasks:
  - key: a
    depends_on: [b]
    sql: {query: "SELECT ${nope}"}
  - key: b
    depends_on: [a]
    exec: {command: []}
  - key: c
    shell: {}
schedule: {cron: "61 * * * *", timezone: Mars/Base}
`
	_, err := Parse("j.yaml", []byte(src), "")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v, want ErrorList", err)
	}
	want := []string{
		`j.yaml:1:7: name "bad name" is not a valid job name; use letters, digits, _ . -, starting with a letter`,
		`j.yaml:5:26: task "a" sql.query: unknown parameter ${nope}; declare it under parameters:, or write $${ for a literal ${`,
		`j.yaml:7:18: dependency cycle a → b → a; each arrow is a depends_on; remove one of them`,
		`j.yaml:8:21: task "b" exec.command is empty; list the program and its arguments, as in [python, train.py]`,
		`j.yaml:9:5: task "c" has no type; add one of: sql, ingest, ml_fit, ml_transform, models_predict, ml_recommend, exec, run_job, for_each`,
		`j.yaml:10:5: unknown key "shell" in task "c": not a task field or type; a task has key, description, depends_on, run_if, retries, timeout and one type: sql, ingest, ml_fit, ml_transform, models_predict, ml_recommend, exec, run_job, for_each`,
		`j.yaml:11:19: bad cron expression "61 * * * *": minute field "61": value 61 out of range 0-59; five fields: minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly`,
		`j.yaml:11:42: unknown time zone "Mars/Base"; use an IANA zone name such as UTC, Europe/Paris or America/New_York`,
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var one *Error
	if !errors.As(err, &one) || one.Pos != (Pos{1, 7}) {
		t.Errorf("errors.As(*Error) = %v", one)
	}
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Pos: Pos{3, 4}, Msg: "m", Hint: "h"}, "a.yaml:3:4: m; h"},
		{Error{File: "a.yaml", Pos: Pos{3, 0}, Msg: "m"}, "a.yaml:3: m"},
		{Error{File: "a.yaml", Msg: "m"}, "a.yaml: m"},
		{Error{Pos: Pos{1, 2}, Msg: "m"}, "1:2: m"},
		{Error{Msg: "m", Hint: "h"}, "m; h"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestParseCustomCron(t *testing.T) {
	calls := 0
	cron := func(expr string) (int, error) {
		calls++
		if expr == "never" {
			return 3, errors.New("no such schedule")
		}
		return 0, nil
	}
	src := "name: c\nschedule: {cron: never}\n" + okTasks
	_, err := ParseWithOptions("c.yaml", []byte(src), "", ParseOptions{Cron: cron})
	if err == nil || !strings.Contains(err.Error(), `c.yaml:2:20: bad cron expression "never": no such schedule`) {
		t.Errorf("error %v", err)
	}
	if calls != 1 {
		t.Errorf("cron parser called %d times, want 1", calls)
	}
}

func TestParseSQLFileAndPositionsInBlocks(t *testing.T) {
	dir := jobDir(t)
	if err := os.WriteFile(filepath.Join(dir, "q.sql"), []byte("SELECT 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	j := MustParse(t, "name: f\nparameters: {v: x}\ntasks:\n  - key: a\n    sql: {file: q.sql}\n  - key: b\n    sql: {file: \"${v}.sql\"}\n", dir)
	if j.Tasks[0].SQL.File != "q.sql" || j.Tasks[0].SQL.Pos != (Pos{5, 17}) {
		t.Errorf("sql %+v", *j.Tasks[0].SQL)
	}
	// A directory is not a file.
	if err := os.Mkdir(filepath.Join(dir, "d.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("j.yaml", []byte("name: f\ntasks:\n  - key: a\n    sql: {file: d.sql}\n"), dir)
	if err == nil || !strings.Contains(err.Error(), "j.yaml:4:17: task \"a\" sql.file: d.sql is a directory") {
		t.Errorf("error %v", err)
	}
	// Quoted, literal and indented block scalars map references to their
	// column; folded ones fall back to the value's position.
	for _, tc := range []struct{ src, pos string }{
		{"    exec: {command: ['it''s ${x}']}", "4:22"},   // '' shifts columns: the value's position
		{"    exec: {command: [\"a\\tb ${x}\"]}", "4:22"}, // an escape: the value's position
		{"    exec:\n      command:\n        - a ${x}", "6:13"},
		{"    exec:\n      command:\n        - |\n          line one\n            ${x} indented", "8:13"},
		{"    exec:\n      command:\n        - >\n          line one\n          ${x}", "6:11"},
	} {
		_, err := Parse("j.yaml", []byte("name: f\ntasks:\n  - key: a\n"+tc.src+"\n"), "")
		var list ErrorList
		if !errors.As(err, &list) || len(list) != 1 {
			t.Errorf("%s: error %v, want one", tc.src, err)
			continue
		}
		if got := list[0].Pos; got.String() != tc.pos {
			t.Errorf("%s: at %s, want %s (%s)", tc.src, got, tc.pos, list[0].Msg)
		}
	}
}
