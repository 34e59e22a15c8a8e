package jobs_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
	"github.com/sluice-dev/sluice/metastore"
)

// An engine over a SQLite metadata database deploys a job and runs it in
// this process, the way 'sluice jobs run NAME --wait' does; the second
// task reads the value the first one published.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jobs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := metastore.OpenSQLite(ctx, filepath.Join(dir, "meta.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := state.Open(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	eng, err := jobs.New(jobs.Config{Store: store, LogDir: filepath.Join(dir, "logs")})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	job, err := spec.Parse(filepath.Join(dir, "hello.yaml"), []byte(`name: hello
parameters: {who: world}
tasks:
  - key: greet
    exec: {command: [sh, -c, 'echo "greeting=hello ${who}" > $SLUICE_TASK_VALUES']}
  - key: check
    depends_on: [greet]
    exec: {command: [test, "${tasks.greet.values.greeting}", "=", "hello world"]}
`), dir)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := eng.Deploy(ctx, []*spec.Job{job}); err != nil {
		log.Fatal(err)
	}
	run, err := eng.Submit(ctx, "hello", jobs.SubmitOptions{Execute: true})
	if err != nil {
		log.Fatal(err)
	}
	run, err = eng.Execute(ctx, run.ID)
	if err != nil {
		log.Fatal(err)
	}
	tl, err := eng.Timeline(ctx, run.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("run:", run.State)
	for _, t := range tl.Tasks {
		fmt.Println(t.Key, t.State)
	}
	fmt.Println("greeting:", tl.Values["greet"]["greeting"])
	// Output:
	// run: succeeded
	// greet succeeded
	// check succeeded
	// greeting: hello world
}
