// Command jobbench measures Sluice's job engine (issue 5, "Speed"): a job
// of WIDTH×DEPTH no-op exec tasks (WIDTH independent chains, each DEPTH
// tasks long, every task `/bin/true`) run with `sluice jobs run --wait`
// in a fresh workspace, against GNU make running the same DAG of the same
// processes with the same parallelism — the floor of what starting 1,000
// processes costs on this machine. It prints one table: wall time, tasks
// per second, and the task start latency (dependencies met → process
// started, from the run's timeline) p50/p99, with the targets and ratios.
//
//	go run ./bench/jobs/cmd/jobbench -sluice bin/sluice
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

type task struct {
	Key       string     `json:"key"`
	State     string     `json:"state"`
	ReadyAt   *time.Time `json:"ready_at"`
	StartedAt *time.Time `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	QueueMS   float64    `json:"queue_ms"`
}

type timeline struct {
	RunID     int64      `json:"run_id"`
	State     string     `json:"state"`
	StartedAt *time.Time `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	Tasks     []task     `json:"tasks"`
}

type result struct {
	name          string
	wall          time.Duration // whole command, process start to exit
	runWall       time.Duration // run started → ended (sluice only)
	p50, p99, max time.Duration // start latency (sluice only)
	tasks         int
}

func main() {
	sluice := flag.String("sluice", "bin/sluice", "the sluice binary")
	width := flag.Int("width", 100, "independent chains (fan-out)")
	depth := flag.Int("depth", 10, "tasks per chain")
	slots := flag.Int("slots", 0, "sluice --slots (0: its default, 32)")
	jobsN := flag.Int("j", 32, "make -j (the same parallelism as sluice's slots)")
	reps := flag.Int("reps", 3, "repetitions; the median is reported")
	out := flag.String("out", "bench/out/jobs", "scratch directory")
	flag.Parse()
	if err := run(*sluice, *out, *width, *depth, *slots, *jobsN, *reps); err != nil {
		fmt.Fprintln(os.Stderr, "jobbench:", err)
		os.Exit(1)
	}
}

func run(sluice, out string, width, depth, slots, jobsN, reps int) error {
	bin, err := filepath.Abs(sluice)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	jobFile := filepath.Join(out, "noop.yaml")
	if err := os.WriteFile(jobFile, jobYAML(width, depth), 0o644); err != nil {
		return err
	}
	mk := filepath.Join(out, "noop.mk")
	if err := os.WriteFile(mk, makefile(width, depth), 0o644); err != nil {
		return err
	}
	n := width * depth
	var sl, mkr []result
	for i := 0; i < reps; i++ {
		r, err := runSluice(bin, out, jobFile, slots, n)
		if err != nil {
			return err
		}
		sl = append(sl, r)
		m, err := runMake(mk, jobsN, n)
		if err != nil {
			return err
		}
		mkr = append(mkr, m)
		fmt.Fprintf(os.Stderr, "rep %d: sluice %.2fs (run %.2fs, start p50 %s p99 %s), make %.2fs\n", i+1,
			r.wall.Seconds(), r.runWall.Seconds(), r.p50, r.p99, m.wall.Seconds())
	}
	s, m := median(sl), median(mkr)
	fmt.Printf("\nJobs engine — %d no-op exec tasks (%d chains × %d), %d reps, median; %d CPUs (%s)\n\n", n, width, depth, reps, runtime.NumCPU(), runtime.GOARCH)
	fmt.Println("| runner | wall s | run s | tasks/s | start p50 | start p99 | start max | target | verdict |")
	fmt.Println("|---|--:|--:|--:|--:|--:|--:|---|---|")
	verdict := "meets"
	if s.runWall > 5*time.Second || s.p50 > 10*time.Millisecond {
		verdict = "MISSES"
	}
	slotsText := "32"
	if slots > 0 {
		slotsText = fmt.Sprint(slots)
	}
	fmt.Printf("| sluice jobs run --wait (SQLite, %s slots) | %.2f | %.2f | %.0f | %s | %s | %s | ≤ 5 s, p50 ≤ 10 ms | %s |\n",
		slotsText, s.wall.Seconds(), s.runWall.Seconds(), float64(n)/s.runWall.Seconds(), ms(s.p50), ms(s.p99), ms(s.max), verdict)
	fmt.Printf("| GNU make -j%d (same DAG and processes) | %.2f | | %.0f | | | | (process-start floor) | |\n",
		jobsN, m.wall.Seconds(), float64(n)/m.wall.Seconds())
	fmt.Printf("\nsluice/make wall ratio: %.2f× (whole command), %.2f× (run only)\n", s.wall.Seconds()/m.wall.Seconds(), s.runWall.Seconds()/m.wall.Seconds())
	fmt.Println("start latency = a task's dependencies all met (ready_at) → its process started (started_at), from `sluice runs show RUN --output json`.")
	fmt.Println("Airflow's scheduler (for reference, not run here: no PyPI) checks about 500–1,000 task instances per second.")
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func median(rs []result) result {
	slices.SortFunc(rs, func(a, b result) int { return int(a.wall - b.wall) })
	return rs[len(rs)/2]
}

func jobYAML(width, depth int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "name: noop_bench\ndescription: %d chains of %d no-op exec tasks\ntasks:\n", width, depth)
	for c := 0; c < width; c++ {
		for d := 0; d < depth; d++ {
			fmt.Fprintf(&b, "  - key: c%d_%d\n", c, d)
			if d > 0 {
				fmt.Fprintf(&b, "    depends_on: [c%d_%d]\n", c, d-1)
			}
			b.WriteString("    exec: {command: [/bin/true]}\n")
		}
	}
	return b.Bytes()
}

func makefile(width, depth int) []byte {
	var b bytes.Buffer
	var all []string
	for c := 0; c < width; c++ {
		all = append(all, fmt.Sprintf("c%d_%d", c, depth-1))
	}
	fmt.Fprintf(&b, ".PHONY: all %s\nall: %s\n", strings.Join(all, " "), strings.Join(all, " "))
	for c := 0; c < width; c++ {
		for d := 0; d < depth; d++ {
			dep := ""
			if d > 0 {
				dep = fmt.Sprintf("c%d_%d", c, d-1)
			}
			fmt.Fprintf(&b, ".PHONY: c%d_%d\nc%d_%d: %s\n\t@/bin/true\n", c, d, c, d, dep)
		}
	}
	return b.Bytes()
}

func runSluice(bin, out, jobFile string, slots, n int) (result, error) {
	ws, err := os.MkdirTemp(out, "ws-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(ws)
	args := []string{"--workspace", ws, "jobs", "run", jobFile, "--wait", "--output", "json"}
	if slots > 0 {
		args = append(args, "--slots", fmt.Sprint(slots))
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, stderr.String())
	}
	wall := time.Since(t0)
	var tl timeline
	if err := json.Unmarshal(stdout.Bytes(), &tl); err != nil {
		return result{}, fmt.Errorf("read the run's timeline: %v", err)
	}
	if tl.State != "succeeded" || len(tl.Tasks) != n || tl.StartedAt == nil || tl.EndedAt == nil {
		return result{}, fmt.Errorf("run %d: state %s with %d tasks, want succeeded with %d", tl.RunID, tl.State, len(tl.Tasks), n)
	}
	lat := make([]time.Duration, 0, n)
	for _, t := range tl.Tasks {
		if t.ReadyAt == nil || t.StartedAt == nil {
			return result{}, fmt.Errorf("task %s has no ready/start time", t.Key)
		}
		lat = append(lat, t.StartedAt.Sub(*t.ReadyAt))
	}
	slices.Sort(lat)
	return result{name: "sluice", wall: wall, runWall: tl.EndedAt.Sub(*tl.StartedAt), tasks: n,
		p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], max: lat[len(lat)-1]}, nil
}

func runMake(mk string, j, n int) (result, error) {
	cmd := exec.Command("make", "-s", "-f", mk, fmt.Sprintf("-j%d", j))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("make: %v\n%s", err, stderr.String())
	}
	return result{name: "make", wall: time.Since(t0), tasks: n}, nil
}
