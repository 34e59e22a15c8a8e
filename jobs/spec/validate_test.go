package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// errCase is a job file and the error it must produce.
type errCase struct {
	name string
	src  string
	pos  string // "line:col"
	msg  string // substring of Msg
	hint string // substring of Hint ("" : not checked)
}

// one task, for cases about the job's own keys.
const okTasks = "tasks:\n  - key: a\n    exec: {command: [echo]}\n"

var errCases = []errCase{
	// YAML and shape
	{"yaml syntax", "name: x\ntasks: [\n  - key: a\n", "2:0", "YAML syntax error", ""},
	{"yaml tab", "name: x\n\ttasks: []\n", "2:0", "YAML syntax error", ""},
	{"empty file", "", "0:0", "the file is empty", "name and tasks"},
	{"not a mapping", "- a\n- b\n", "1:1", "the job must be a mapping, not a list", ""},
	{"second document", "name: x\n" + okTasks + "---\nname: y\n", "5:1", "a second YAML document", "own file"},
	{"alias", "name: &n x\ndescription: *n\n" + okTasks, "2:14", "YAML aliases are not supported", ""},
	{"duplicate key", "name: x\nname: y\n" + okTasks, "2:1", `key "name" appears twice (first at line 1)`, ""},
	{"unknown job key", "name: x\ntimout: 1h\n" + okTasks, "2:1", `unknown key "timout" in the job`, `did you mean "timeout"?`},
	{"unknown key far", "name: x\nzzzzzz: 1\n" + okTasks, "2:1", `unknown key "zzzzzz"`, "known keys: name, description"},
	{"missing name", okTasks, "1:1", "the job has no name", "add name"},
	{"missing tasks", "name: x\n", "1:1", "the job has no tasks", ""},
	{"empty tasks", "name: x\ntasks: []\n", "2:8", "tasks is empty", ""},
	{"tasks not a list", "name: x\ntasks: {a: 1}\n", "2:8", "tasks must be a list, not a mapping", ""},
	{"name wrong type", "name: [x]\n" + okTasks, "1:7", "name must be a string, not a list", ""},
	{"name syntax", "name: 9lives\n" + okTasks, "1:7", `name "9lives" is not a valid job name`, "starting with a letter"},
	{"name spaces", "name: my job\n" + okTasks, "1:7", `is not a valid job name`, ""},
	// numbers, durations
	{"max_concurrent_runs type", "name: x\nmax_concurrent_runs: two\n" + okTasks, "2:22", "max_concurrent_runs must be an integer, not a string", ""},
	{"max_concurrent_runs zero", "name: x\nmax_concurrent_runs: 0\n" + okTasks, "2:22", "max_concurrent_runs must be at least 1, not 0", ""},
	{"bad duration", "name: x\ntimeout: 2 days\n" + okTasks, "2:10", `timeout: bad duration "2 days"`, "48h"},
	{"negative duration", "name: x\ntimeout: -5\n" + okTasks, "2:10", "timeout is negative (-5)", ""},
	{"duration float", "name: x\ntimeout: 1.5\n" + okTasks, "2:10", "bad duration", ""},
	// retries
	{"negative retries", "name: x\nretries: {count: -1}\n" + okTasks, "2:18", "retries.count is negative (-1)", "0 for no retries"},
	{"retries count type", "name: x\nretries: {count: many}\n" + okTasks, "2:18", "retries.count must be an integer", ""},
	{"backoff below 1", "name: x\nretries: {count: 1, backoff: 0.5}\n" + okTasks, "2:30", "retries.backoff must be at least 1, not 0.5", ""},
	{"retries unknown key", "name: x\nretries: {count: 1, dealy: 1s}\n" + okTasks, "2:21", `unknown key "dealy" in retries`, `did you mean "delay"?`},
	{"task retries negative", "name: x\ntasks:\n  - key: a\n    retries: {count: -2}\n    exec: {command: [echo]}\n", "4:22", `task "a" retries.count is negative`, ""},
	// schedule
	{"bad cron", "name: x\nschedule: {cron: \"0 25 * * *\"}\n" + okTasks, "2:21", `bad cron expression "0 25 * * *"`, "five fields"},
	{"bad cron plain", "name: x\nschedule:\n  cron: 0 2 * * mon-xyz\n" + okTasks, "3:21", "bad cron expression", ""},
	{"bad cron macro", "name: x\nschedule: {cron: \"@sometimes\"}\n" + okTasks, "2:19", "bad cron expression", ""},
	{"cron missing", "name: x\nschedule: {timezone: UTC}\n" + okTasks, "2:11", "schedule has no cron expression", ""},
	{"cron empty", "name: x\nschedule: {cron: \"\"}\n" + okTasks, "2:18", "schedule.cron is empty", ""},
	{"unknown timezone", "name: x\nschedule: {cron: \"@daily\", timezone: Europe/Pariss}\n" + okTasks, "2:38", `unknown time zone "Europe/Pariss"`, "IANA"},
	{"local timezone", "name: x\nschedule: {cron: \"@daily\", timezone: Local}\n" + okTasks, "2:38", "Local depends on the server", ""},
	{"paused type", "name: x\nschedule: {cron: \"@daily\", paused: yes}\n" + okTasks, "2:36", "schedule.paused must be true or false", ""},
	{"max_catch_up zero", "name: x\nschedule: {cron: \"@daily\", max_catch_up: 0}\n" + okTasks, "2:42", "max_catch_up must be at least 1", ""},
	{"schedule not mapping", "name: x\nschedule: \"@daily\"\n" + okTasks, "2:11", "schedule must be a mapping", ""},
	// on
	{"trigger bad table", "name: x\non: {table_updated: \"a.b.c\"}\n" + okTasks, "2:21", "more than two parts", ""},
	{"trigger unknown key", "name: x\non: {table_update: a}\n" + okTasks, "2:6", `unknown key "table_update" in on`, `did you mean "table_updated"?`},
	// parameters
	{"param name syntax", "name: x\nparameters: {1x: a}\n" + okTasks, "2:14", `parameter name "1x" is not valid`, ""},
	{"param reserved", "name: x\nparameters: {item: a}\n" + okTasks, "2:14", `parameter name "item" is reserved`, ""},
	{"param duplicate list", "name: x\nparameters:\n  - {name: a}\n  - {name: a}\n" + okTasks, "4:12", `parameter "a" is declared twice (first at line 3)`, ""},
	{"param list no name", "name: x\nparameters:\n  - {default: a}\n" + okTasks, "3:5", "parameters[0] has no name", ""},
	{"param list unknown key", "name: x\nparameters:\n  - {name: a, defualt: b}\n" + okTasks, "3:15", `unknown key "defualt"`, `did you mean "default"?`},
	{"param default list", "name: x\nparameters: {a: [1]}\n" + okTasks, "2:17", "parameters.a must be a string, not a list", ""},
	{"params scalar", "name: x\nparameters: 3\n" + okTasks, "2:13", "parameters must be a mapping or a list", ""},
	// notifications
	{"destination both", "name: x\nnotifications:\n  on_failure: [{webhook: \"http://a\", slack: \"http://b\"}]\n" + okTasks, "3:38", "has both webhook and slack", ""},
	{"destination none", "name: x\nnotifications:\n  on_failure: [{headers: {A: b}}]\n" + okTasks, "3:16", "has no webhook or slack URL", ""},
	{"destination bad url", "name: x\nnotifications:\n  on_success: [{webhook: \"ftp://a\"}]\n" + okTasks, "3:26", `is not an http(s) URL`, "http://"},
	{"destination no host", "name: x\nnotifications:\n  on_start: [{slack: \"https://\"}]\n" + okTasks, "3:22", "has no host", ""},
	{"headers on slack", "name: x\nnotifications:\n  on_failure: [{slack: \"https://a\", headers: {A: b}}]\n" + okTasks, "3:37", "headers apply to webhook destinations only", ""},
	{"notifications unknown", "name: x\nnotifications:\n  on_fail: []\n" + okTasks, "3:3", `unknown key "on_fail"`, `did you mean "on_failure"?`},
	{"notifications not list", "name: x\nnotifications:\n  on_failure: {webhook: \"http://a\"}\n" + okTasks, "3:15", "must be a list of destinations", ""},
	// tasks: keys, types
	{"task no key", "name: x\ntasks:\n  - exec: {command: [echo]}\n", "3:5", "tasks[0] has no key", "add key"},
	{"task key syntax", "name: x\ntasks:\n  - key: a.b\n    exec: {command: [echo]}\n", "3:10", `task key "a.b" is not valid`, ""},
	{"duplicate task key", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n  - key: a\n    exec: {command: [echo]}\n", "5:10", `duplicate task key "a" (first at line 3)`, ""},
	{"unknown task type", "name: x\ntasks:\n  - key: a\n    sqll: {query: x}\n", "4:5", `unknown key "sqll" in task "a"`, `did you mean "sql"? (task types: sql, ingest`},
	{"unknown task type far", "name: x\ntasks:\n  - key: a\n    python: {file: x.py}\n", "4:5", `unknown key "python"`, "one type: sql, ingest, ml_fit, ml_transform, models_predict, ml_recommend, exec, run_job, for_each"},
	{"task missing type", "name: x\ntasks:\n  - key: a\n    description: nothing\n", "3:5", `task "a" has no type`, "add one of: sql, ingest"},
	{"task two types", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n    sql: {query: SELECT 1}\n", "5:5", `task "a" has more than one type: exec (line 4) and sql`, ""},
	{"bad run_if", "name: x\ntasks:\n  - key: a\n    run_if: all_succes\n    exec: {command: [echo]}\n", "4:13", `run_if: "all_succes" is not one of`, `did you mean "all_success"?`},
	{"task timeout", "name: x\ntasks:\n  - key: a\n    timeout: soon\n    exec: {command: [echo]}\n", "4:14", `task "a" timeout: bad duration "soon"`, ""},
	// dependencies
	{"unknown dependency", "name: x\ntasks:\n  - key: ingest\n    exec: {command: [echo]}\n  - key: b\n    depends_on: [ingset]\n    exec: {command: [echo]}\n", "6:18", `task "b" depends on "ingset", which is not a task of this job`, `did you mean "ingest"?`},
	{"dependency listed twice", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n  - key: b\n    depends_on: [a, a]\n    exec: {command: [echo]}\n", "6:21", `lists "a" twice`, ""},
	{"depends_on scalar", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n  - key: b\n    depends_on: a\n    exec: {command: [echo]}\n", "6:17", "depends_on must be a list", "[a]"},
	{"cycle", "name: x\ntasks:\n  - key: a\n    depends_on: [b]\n    exec: {command: [echo]}\n  - key: b\n    depends_on: [a]\n    exec: {command: [echo]}\n", "7:18", "dependency cycle a → b → a", "remove one"},
	{"cycle of three", "name: x\ntasks:\n  - key: a\n    depends_on: [c]\n    exec: {command: [echo]}\n  - key: b\n    depends_on: [a]\n    exec: {command: [echo]}\n  - key: c\n    depends_on: [b]\n    exec: {command: [echo]}\n", "7:18", "dependency cycle a → c → b → a", ""},
	{"self dependency", "name: x\ntasks:\n  - key: a\n    depends_on: [a]\n    exec: {command: [echo]}\n", "4:18", "dependency cycle a → a", ""},
	// references
	{"unknown param in sql", "name: x\nparameters: {date: \"2026-01-01\"}\ntasks:\n  - key: a\n    sql: {query: \"SELECT * FROM t WHERE d = ${dat}\"}\n", "5:45", "sql.query: unknown parameter ${dat}", "did you mean ${date}?"},
	{"unknown param in block sql", "name: x\ntasks:\n  - key: a\n    sql:\n      query: |\n        SELECT 1;\n        SELECT * FROM t\n          WHERE d = ${nope}\n", "8:21", "unknown parameter ${nope}", "declare it under parameters:"},
	{"unknown param in exec arg", "name: x\nparameters: {date: x}\ntasks:\n  - key: a\n    exec: {command: [echo, \"day=${day}\"]}\n", "5:33", "exec.command[1]: unknown parameter ${day}", ""},
	{"unknown param in exec env", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo], env: {A: \"${zz}\"}}\n", "4:39", "exec.env.A: unknown parameter ${zz}", ""},
	{"unknown param in exec dir", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo], dir: \"${d}\"}\n", "4:35", "exec.dir: unknown parameter ${d}", ""},
	{"unknown param in ingest path", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [\"data/${day}/*.csv\"], table: t}\n", "4:28", "ingest.paths[0]: unknown parameter ${day}", ""},
	{"unknown param in ingest table", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: \"t_${sfx}\"}\n", "4:40", "ingest.table: unknown parameter ${sfx}", ""},
	{"unknown param in run_job", "name: x\ntasks:\n  - key: a\n    run_job: {job: other, parameters: {x: \"${y}\"}}\n", "4:44", "run_job.parameters.x: unknown parameter ${y}", ""},
	{"unknown param in ml_fit", "name: x\ntasks:\n  - key: a\n    ml_fit: {spec: \"${s}.yaml\"}\n", "4:21", "ml_fit.spec: unknown parameter ${s}", ""},
	{"unknown builtin", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${run.date}\"]}\n", "4:29", "unknown reference ${run.date}", "built-in references: job.name, run.id"},
	{"builtin typo", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${run.logical_dat}\"]}\n", "4:29", "unknown reference ${run.logical_dat}", `did you mean "run.logical_date"?`},
	{"ref in comment ok, string checked", "name: x\ntasks:\n  - key: a\n    sql: {query: \"SELECT '${q}' -- ${ok}\"}\n", "4:27", "unknown parameter ${q}", ""},
	{"unterminated ref", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${date\"]}\n", "4:29", "unterminated reference ${date", "$${"},
	{"malformed ref", "name: x\ntasks:\n  - key: a\n    exec: {command: [sh, -c, \"echo ${HOME:-/}\"]}\n", "4:36", "malformed reference ${HOME:-/", "$${HOME}"},
	{"empty ref", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"a${}\"]}\n", "4:30", "empty reference ${}", ""},
	{"ident outside sql", "name: x\nparameters: {t: x}\ntasks:\n  - key: a\n    exec: {command: [echo, \"${ident:t}\"]}\n", "5:29", "${ident:…} quotes a SQL identifier", "write ${t}"},
	{"ident in string", "name: x\nparameters: {t: x}\ntasks:\n  - key: a\n    sql: {query: \"SELECT '${ident:t}'\"}\n", "5:27", "is inside a string literal", ""},
	{"task value not upstream", "name: x\ntasks:\n  - key: a\n    sql: {query: SELECT 1 AS n, task_values: first_row}\n  - key: b\n    exec: {command: [echo, \"${tasks.a.values.n}\"]}\n", "6:29", `reads task "a", which task "b" does not depend on`, `add a to depends_on of task "b"`},
	{"task value unknown task", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${tasks.zz.values.n}\"]}\n", "4:29", `names task "zz", which is not a task`, ""},
	{"task value own", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${tasks.a.values.n}\"]}\n", "4:29", "refers to the task's own values", ""},
	{"task value malformed", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n  - key: b\n    depends_on: [a]\n    exec: {command: [echo, \"${tasks.a.n}\"]}\n", "7:29", "malformed task value reference ${tasks.a.n}", "${tasks.KEY.values.NAME}"},
	{"item outside for_each", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo, \"${item}\"]}\n", "4:29", "${item} is only defined inside a for_each's task", ""},
	{"item column outside for_each", "name: x\ntasks:\n  - key: a\n    sql: {query: \"SELECT ${item.id}\"}\n", "4:26", "${item.id} is only defined inside", ""},
	{"item in for_each items", "name: x\ntasks:\n  - key: a\n    for_each: {items: [\"${item}\"], task: {exec: {command: [echo]}}}\n", "4:25", "${item} is only defined inside", ""},
	// sql
	{"sql query and file", "name: x\ntasks:\n  - key: a\n    sql: {query: SELECT 1, file: a.sql}\n", "4:28", "has both query and file", ""},
	{"sql neither", "name: x\ntasks:\n  - key: a\n    sql: {task_values: first_row}\n", "4:10", `task "a" sql needs query or file`, ""},
	{"sql task_values", "name: x\ntasks:\n  - key: a\n    sql: {query: SELECT 1, task_values: all_rows}\n", "4:41", `sql.task_values: "all_rows" is not one of first_row`, ""},
	{"sql file missing", "name: x\ntasks:\n  - key: a\n    sql: {file: missing.sql}\n", "4:17", "file missing.sql not found", "relative to the job file"},
	{"sql empty query", "name: x\ntasks:\n  - key: a\n    sql: {query: \"  \"}\n", "4:18", "sql.query is empty", ""},
	{"sql not mapping", "name: x\ntasks:\n  - key: a\n    sql: SELECT 1\n", "4:10", `task "a" sql must be a mapping, not a string`, ""},
	// ingest
	{"ingest no paths", "name: x\ntasks:\n  - key: a\n    ingest: {table: t}\n", "4:13", "ingest needs paths", ""},
	{"ingest no table", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv]}\n", "4:13", "ingest needs table", ""},
	{"ingest bad mode", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: t, mode: replace}\n", "4:46", `ingest.mode: "replace" is not one of append, overwrite`, ""},
	{"ingest bad bad_rows", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: t, bad_rows: skip}\n", "4:50", `"skip" is not one of fail, quarantine`, ""},
	{"ingest bad format", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: t, format: xlsx}\n", "4:48", `"xlsx" is not one of csv, tsv`, ""},
	{"ingest bad table", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: 9t}\n", "4:37", `invalid character '9'`, ""},
	{"ingest paths scalar", "name: x\ntasks:\n  - key: a\n    ingest: {paths: a.csv, table: t}\n", "4:21", "ingest.paths must be a list", "[a.csv]"},
	{"ingest header type", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: t, header: 1}\n", "4:48", "ingest.header must be true or false", ""},
	{"ingest sample_size", "name: x\ntasks:\n  - key: a\n    ingest: {paths: [a.csv], table: t, sample_size: 0}\n", "4:53", "ingest.sample_size 0 is not valid", ""},
	// ml
	{"ml_fit no spec", "name: x\ntasks:\n  - key: a\n    ml_fit: {experiment: e}\n", "4:13", "ml_fit.spec is required", ""},
	{"ml_fit spec missing", "name: x\ntasks:\n  - key: a\n    ml_fit: {spec: nope.yaml}\n", "4:20", "file nope.yaml not found", ""},
	{"ml_fit alias without register", "name: x\ntasks:\n  - key: a\n    ml_fit: {spec: train.yaml, alias: champion}\n", "4:32", "alias needs register", ""},
	{"ml_transform no model", "name: x\ntasks:\n  - key: a\n    ml_transform: {table: t, into: u}\n", "4:19", "ml_transform.model is required", ""},
	{"ml_transform both inputs", "name: x\ntasks:\n  - key: a\n    ml_transform: {model: m, table: t, query: SELECT 1, into: u}\n", "4:40", "has both table and query", ""},
	{"ml_transform no input", "name: x\ntasks:\n  - key: a\n    ml_transform: {model: m, into: u}\n", "4:19", "needs table or query", ""},
	{"models_predict no into", "name: x\ntasks:\n  - key: a\n    models_predict: {model: m, table: t}\n", "4:21", "models_predict needs into", ""},
	{"models_predict bad mode", "name: x\ntasks:\n  - key: a\n    models_predict: {model: m, table: t, into: u, mode: merge}\n", "4:57", `"merge" is not one of overwrite, append`, ""},
	{"ml_recommend no into", "name: x\ntasks:\n  - key: a\n    ml_recommend: {model: m}\n", "4:19", "ml_recommend needs into", ""},
	{"ml_recommend no model", "name: x\ntasks:\n  - key: a\n    ml_recommend: {into: t}\n", "4:19", "ml_recommend.model", "ALS model"},
	{"ml_recommend bad k", "name: x\ntasks:\n  - key: a\n    ml_recommend: {model: m, into: t, k: 0}\n", "4:42", "ml_recommend.k is 0", "give 1 to 10000"},
	{"ml_recommend bad for", "name: x\ntasks:\n  - key: a\n    ml_recommend: {model: m, into: t, for: movies}\n", "4:44", `"movies" is not one of users, items`, ""},
	{"ml_recommend ids ref", "name: x\ntasks:\n  - key: a\n    ml_recommend: {model: m, into: t, ids: \"SELECT u FROM t WHERE s = ${s}\"}\n", "4:71", "ml_recommend.ids: unknown parameter ${s}", ""},
	{"ml_recommend unknown key", "name: x\ntasks:\n  - key: a\n    ml_recommend: {model: m, into: t, top: 5}\n", "4:39", `unknown key "top"`, ""},
	{"models_predict query ref", "name: x\ntasks:\n  - key: a\n    models_predict: {model: m, query: \"SELECT * FROM t WHERE s = ${s}\", into: u}\n", "4:66", "models_predict.query: unknown parameter ${s}", ""},
	// exec
	{"exec no command", "name: x\ntasks:\n  - key: a\n    exec: {dir: .}\n", "4:11", "exec needs command", ""},
	{"exec empty command", "name: x\ntasks:\n  - key: a\n    exec: {command: []}\n", "4:21", "exec.command is empty", ""},
	{"exec command string", "name: x\ntasks:\n  - key: a\n    exec: {command: \"echo hi\"}\n", "4:21", "exec.command must be a list", `[sh, -c, "echo hi"]`},
	{"exec empty program", "name: x\ntasks:\n  - key: a\n    exec: {command: [\"\", x]}\n", "4:22", "exec.command[0] is empty", ""},
	{"exec env name", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo], env: {\"A-B\": x}}\n", "4:35", `environment variable name "A-B" is not valid`, ""},
	{"exec env reserved", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo], env: {SLUICE_RUN_ID: x}}\n", "4:35", "names starting with SLUICE_ are Sluice's", ""},
	{"exec env value list", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo], env: {A: [x]}}\n", "4:38", "exec.env.A must be a string, not a list", ""},
	// run_job
	{"run_job no job", "name: x\ntasks:\n  - key: a\n    run_job: {parameters: {a: b}}\n", "4:14", "run_job.job is required", ""},
	{"run_job bad name", "name: x\ntasks:\n  - key: a\n    run_job: {job: \"a b\"}\n", "4:20", `is not a valid job name`, ""},
	// for_each
	{"for_each no input", "name: x\ntasks:\n  - key: a\n    for_each: {task: {exec: {command: [echo]}}}\n", "4:15", "needs items, param or query", ""},
	{"for_each two inputs", "name: x\nparameters: {p: a}\ntasks:\n  - key: a\n    for_each: {items: [a], param: p, task: {exec: {command: [echo]}}}\n", "5:28", "has both items and param", ""},
	{"for_each param undeclared", "name: x\nparameters: {regions: a}\ntasks:\n  - key: a\n    for_each: {param: region, task: {exec: {command: [echo]}}}\n", "5:23", `"region" is not a declared parameter`, `did you mean "regions"?`},
	{"for_each param as ref", "name: x\nparameters: {regions: a}\ntasks:\n  - key: a\n    for_each: {param: \"${regions}\", task: {exec: {command: [echo]}}}\n", "5:23", "is not a declared parameter", "without ${ }"},
	{"for_each concurrency", "name: x\ntasks:\n  - key: a\n    for_each: {items: [a], concurrency: 0, task: {exec: {command: [echo]}}}\n", "4:41", "for_each.concurrency must be at least 1, not 0", ""},
	{"for_each no task", "name: x\ntasks:\n  - key: a\n    for_each: {items: [a]}\n", "4:15", "for_each needs task", ""},
	{"nested for_each", "name: x\ntasks:\n  - key: a\n    for_each:\n      items: [a]\n      task:\n        for_each: {items: [b], task: {exec: {command: [echo]}}}\n", "7:9", "a for_each inside a for_each is not supported", "run_job"},
	{"nested depends_on", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n  - key: b\n    for_each:\n      items: [a]\n      task: {depends_on: [a], exec: {command: [echo]}}\n", "8:14", "the task of a for_each cannot have depends_on", "on the for_each task itself"},
	{"nested key", "name: x\ntasks:\n  - key: b\n    for_each:\n      items: [a]\n      task: {key: c, exec: {command: [echo]}}\n", "6:14", "the task of a for_each has no key", ""},
	{"nested no type", "name: x\ntasks:\n  - key: b\n    for_each:\n      items: [a]\n      task: {timeout: 1s}\n", "6:13", "for_each.task has no type", "add one of: sql, ingest, ml_fit, ml_transform, models_predict, ml_recommend, exec, run_job"},
	{"nested two types", "name: x\ntasks:\n  - key: b\n    for_each:\n      items: [a]\n      task: {exec: {command: [echo]}, sql: {query: x}}\n", "6:39", "has more than one type: exec (line 6) and sql", ""},
	{"nested unknown param", "name: x\ntasks:\n  - key: b\n    for_each:\n      items: [a]\n      task: {exec: {command: [echo, \"${item}\", \"${x}\"]}}\n", "6:49", "for_each.task.exec.command[2]: unknown parameter ${x}", ""},
	{"nested task value not upstream", "name: x\ntasks:\n  - key: a\n    exec: {command: [echo]}\n  - key: b\n    for_each:\n      items: [a]\n      task: {exec: {command: [echo, \"${tasks.a.values.v}\"]}}\n", "8:38", `which task "b" does not depend on`, ""},
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "train.yaml"), []byte("name: t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("job.yaml", []byte(tc.src), dir)
			if err == nil {
				t.Fatalf("Parse succeeded; want error %q at %s", tc.msg, tc.pos)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T %v; want ErrorList", err, err)
			}
			for _, e := range list {
				if strings.Contains(e.Msg, tc.msg) {
					if got := fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Col); got != tc.pos {
						t.Errorf("%q at %s, want %s\n%s", e.Msg, got, tc.pos, caret(tc.src, e.Pos))
					}
					if !strings.Contains(e.Hint, tc.hint) {
						t.Errorf("hint %q, want it to contain %q", e.Hint, tc.hint)
					}
					if e.File != "job.yaml" {
						t.Errorf("file %q, want job.yaml", e.File)
					}
					return
				}
			}
			t.Errorf("no error containing %q; got:\n%v", tc.msg, err)
		})
	}
}

// caret shows the source line of pos with a ^ under its column.
func caret(src string, pos Pos) string {
	lines := strings.Split(src, "\n")
	if pos.Line < 1 || pos.Line > len(lines) {
		return "(no line)"
	}
	return lines[pos.Line-1] + "\n" + strings.Repeat(" ", max(pos.Col-1, 0)) + "^"
}
