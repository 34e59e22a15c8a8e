package spec_test

import (
	"fmt"

	"github.com/sluice-dev/sluice/jobs/spec"
)

func ExampleParse() {
	src := []byte(`name: nightly
parameters: {day: "2026-01-01"}
tasks:
  - key: load
    sql: {query: "SELECT * FROM events WHERE day = ${day}"}
  - key: notify
    depends_on: [load]
    exec: {command: [echo, "loaded ${day}"]}
`)
	job, err := spec.Parse("nightly.yaml", src, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range job.TopoOrder() {
		fmt.Println(t.Key, t.Type(), t.Pos)
	}
	// Output:
	// load sql 4:10
	// notify exec 6:10
}

func ExampleParse_errors() {
	src := []byte(`name: nightly
tasks:
  - key: load
    depends_on: [notify]
    sql: {query: "SELECT ${dya}"}
  - key: notify
    depends_on: [laod]
    exec: {command: [echo]}
`)
	_, err := spec.Parse("nightly.yaml", src, "")
	fmt.Println(err)
	// Output:
	// nightly.yaml:5:26: task "load" sql.query: unknown parameter ${dya}; declare it under parameters:, or write $${ for a literal ${
	// nightly.yaml:7:18: task "notify" depends on "laod", which is not a task of this job; did you mean "load"?
}

func ExampleSubstituteSQL() {
	vars := map[string]string{"day": "2026-01-01", "n": "10", "name": "O'Brien'; DROP TABLE t; --", "tbl": "sales.orders"}
	sql, err := spec.SubstituteSQL("SELECT * FROM ${ident:tbl} WHERE day = ${day} AND name = ${name} LIMIT ${n} -- ${day}", vars)
	fmt.Println(sql, err)
	// Output:
	// SELECT * FROM "sales"."orders" WHERE day = '2026-01-01' AND name = 'O''Brien''; DROP TABLE t; --' LIMIT 10 -- ${day} <nil>
}

func ExampleTask_Substituted() {
	job, err := spec.Parse("j.yaml", []byte(`name: j
parameters: {region: eu}
tasks:
  - key: sync
    exec: {command: [sync.sh, "--region=${region}", "--run=${run.id}"]}
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	vars, _ := job.ResolveParams(map[string]string{"region": "us"})
	vars["run.id"] = "42"
	t, err := job.Task("sync").Substituted(vars)
	fmt.Println(t.Exec.Command, err)
	// Output:
	// [sync.sh --region=us --run=42] <nil>
}
