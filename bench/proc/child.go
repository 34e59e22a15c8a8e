package proc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Usage is what one run cost.
type Usage struct {
	Wall time.Duration
	// CPU is user plus system time. It moves less than Wall when other
	// work shares the machine.
	CPU time.Duration
	// MaxRSS is the peak resident set size in bytes (0 where the OS does
	// not report it).
	MaxRSS int64
}

// ChildResult is a finished child process.
type ChildResult struct {
	Usage
	Stdout string
}

// Run runs name with args, and env added to this process's
// environment; waits for it and returns its wall time, CPU time, peak RSS
// and standard output. A non-zero exit is an error carrying its standard
// error. ctx kills the child when done.
//
// Peak RSS comes from the kernel's rusage for the child, which on Linux
// is at least the parent's own peak RSS: Go starts children with vfork,
// sharing the parent's memory map, and exec keeps that map's high-water
// mark. So when spawner is set (the path of bench/cmd/rusage, or another
// small program that calls Spawn) the child is started by that process
// instead, which measures it and reports back; the figure then carries
// only the spawner's own few MB as a floor. An empty spawner runs the
// child directly.
func Run(ctx context.Context, spawner string, env []string, name string, args ...string) (ChildResult, error) {
	if spawner == "" {
		return runDirect(ctx, env, name, args...)
	}
	f, err := os.CreateTemp("", "bench-usage-*.json")
	if err != nil {
		return ChildResult{}, err
	}
	f.Close()
	defer os.Remove(f.Name())
	res, err := runDirect(ctx, env, spawner, append([]string{f.Name(), "--", name}, args...)...)
	if err != nil {
		return res, err
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return res, fmt.Errorf("spawn %s: %w", name, err)
	}
	var u Usage
	if err := json.Unmarshal(b, &u); err != nil {
		return res, fmt.Errorf("spawn %s: bad usage report: %w", name, err)
	}
	res.Usage = u
	return res, nil
}

func runDirect(ctx context.Context, env []string, name string, args ...string) (ChildResult, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := ChildResult{Usage: Usage{Wall: time.Since(start)}, Stdout: stdout.String()}
	if cmd.ProcessState != nil {
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		res.MaxRSS = maxRSS(cmd.ProcessState)
	}
	if err != nil {
		return res, fmt.Errorf("%s %s: %w\n%s", name, shorten(strings.Join(args, " "), 300), err, strings.TrimSpace(stderr.String()))
	}
	return res, nil
}

// Spawn is the spawner side of Run: args are USAGE_FILE -- NAME
// ARGS...; it runs NAME with ARGS (standard streams passed through),
// writes its Usage as JSON to USAGE_FILE and returns the exit code to
// exit with.
func Spawn(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 3 || args[1] != "--" {
		fmt.Fprintln(stderr, "usage: spawn USAGE_FILE -- NAME [ARGS...]")
		return 2
	}
	cmd := exec.CommandContext(ctx, args[2], args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	start := time.Now()
	err := cmd.Run()
	u := Usage{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		u.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		u.MaxRSS = maxRSS(cmd.ProcessState)
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() > 0 {
			return ee.ExitCode()
		}
		fmt.Fprintf(stderr, "spawn: %v\n", err)
		return 1
	}
	b, err := json.Marshal(u)
	if err == nil {
		err = os.WriteFile(args[0], b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "spawn: %v\n", err)
		return 1
	}
	return 0
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
