//go:build linux

package process_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sluice-dev/sluice/jobs/process"
)

// An exec task's attempt: the program runs in its own process group with
// its output appended to the attempt's log, bounded by the task's
// timeout, and publishes values through a file.
func ExampleStart() {
	dir, _ := os.MkdirTemp("", "attempt")
	defer os.RemoveAll(dir)
	log := filepath.Join(dir, "logs", "1", "report", "1.log")
	valuesFile := filepath.Join(dir, "values")

	p, err := process.Start(process.Cmd{
		Args:    []string{"sh", "-c", `echo "rows: 42"; echo "rows=42" > "$SLUICE_TASK_VALUES"`},
		Env:     append(os.Environ(), "SLUICE_TASK_VALUES="+valuesFile),
		LogPath: log,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, err := p.Wait(ctx)
	fmt.Println("exit code", code, err)

	out, _ := os.ReadFile(log)
	fmt.Print("log: ", string(out))
	vals, _ := process.ReadValues(valuesFile)
	fmt.Println("rows value:", string(vals["rows"]))
	// Output:
	// exit code 0 <nil>
	// log: rows: 42
	// rows value: 42
}
