//go:build linux

package process_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/jobs/process"
)

// MustStart starts cmd or fails the test.
func MustStart(tb testing.TB, cmd process.Cmd) *process.Proc {
	tb.Helper()
	p, err := process.Start(cmd)
	if err != nil {
		tb.Fatalf("Start(%q): %v", cmd.Args, err)
	}
	tb.Cleanup(func() { _, _ = p.Wait(context.Background()) })
	return p
}

// waitForPID polls (with a deadline: the file is written by another
// process) until path holds a PID, and returns it.
func waitForPID(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && strings.HasSuffix(string(b), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no PID in %s after 10s", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"kill -9 $$", -1},
	} {
		t.Run(tc.script, func(t *testing.T) {
			t.Parallel()
			p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", tc.script}})
			got, err := p.Wait(context.Background())
			if err != nil {
				t.Fatalf("Wait: %v", err)
			}
			if got != tc.want {
				t.Errorf("exit code: got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWaitTwice(t *testing.T) {
	t.Parallel()
	p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", "exit 5"}})
	c1, err1 := p.Wait(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c2, err2 := p.Wait(ctx)
	if c1 != 5 || c2 != 5 || err1 != nil || err2 != nil {
		t.Errorf("got (%d, %v) then (%d, %v), want (5, nil) twice", c1, err1, c2, err2)
	}
}

func TestLogAppended(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "run", "1", "task", "1.log") // parents created
	for i, script := range []string{"echo out1; echo err1 >&2", "echo out2; echo err2 >&2"} {
		p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", script}, LogPath: log})
		if code, err := p.Wait(context.Background()); code != 0 || err != nil {
			t.Fatalf("run %d: got (%d, %v), want (0, nil)", i, code, err)
		}
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if want := "out1\nerr1\nout2\nerr2\n"; string(got) != want {
		t.Errorf("log: got %q, want %q", got, want)
	}
}

func TestEnvAndDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "out.log")
	p := MustStart(t, process.Cmd{
		Args:    []string{"sh", "-c", `echo "$GREETING"; pwd`},
		Env:     []string{"PATH=" + os.Getenv("PATH"), "GREETING=hello there"},
		Dir:     dir,
		LogPath: log,
	})
	if code, err := p.Wait(context.Background()); code != 0 || err != nil {
		t.Fatalf("got (%d, %v), want (0, nil)", code, err)
	}
	got, _ := os.ReadFile(log)
	real, _ := filepath.EvalSymlinks(dir)
	if want := "hello there\n" + real + "\n"; string(got) != want {
		t.Errorf("log: got %q, want %q", got, want)
	}
}

func TestPathFromEnvAndRelativeToDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho ran \"$0\"\n"
	if err := os.WriteFile(filepath.Join(bin, "hello-sluice"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "out.log")
	// Found through the child's PATH, which this process does not have.
	p := MustStart(t, process.Cmd{Args: []string{"hello-sluice"}, Env: []string{"PATH=/nonexistent:" + bin}, LogPath: log})
	if code, err := p.Wait(context.Background()); code != 0 || err != nil {
		t.Fatalf("PATH lookup: got (%d, %v), want (0, nil)", code, err)
	}
	// A relative name with a slash resolves against Dir.
	p = MustStart(t, process.Cmd{Args: []string{"./bin/hello-sluice"}, Dir: dir, LogPath: log})
	if code, err := p.Wait(context.Background()); code != 0 || err != nil {
		t.Fatalf("relative path: got (%d, %v), want (0, nil)", code, err)
	}
	got, _ := os.ReadFile(log)
	if want := "ran " + filepath.Join(bin, "hello-sluice") + "\nran ./bin/hello-sluice\n"; string(got) != want {
		t.Errorf("log: got %q, want %q", got, want)
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("\x00\x01\x02 not a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cmd  process.Cmd
		want []string
	}{
		{"empty", process.Cmd{}, []string{"empty command"}},
		{"not in PATH", process.Cmd{Args: []string{"no-such-program-sluice"}, Env: []string{"PATH=/nonexistent/bin"}},
			[]string{"no-such-program-sluice", "not found in PATH (/nonexistent/bin)", "absolute path"}},
		{"empty PATH", process.Cmd{Args: []string{"ls"}, Env: []string{"PATH="}}, []string{"PATH is empty"}},
		{"not executable in PATH", process.Cmd{Args: []string{"noexec"}, Env: []string{"PATH=" + dir}},
			[]string{noexec + " is not executable", "chmod +x"}},
		{"absolute missing", process.Cmd{Args: []string{filepath.Join(dir, "missing")}},
			[]string{"program " + filepath.Join(dir, "missing") + " not found"}},
		{"relative missing", process.Cmd{Args: []string{"./missing"}, Dir: dir},
			[]string{"./missing (relative to " + dir + ") not found"}},
		{"absolute not executable", process.Cmd{Args: []string{noexec}}, []string{"permission denied", "chmod +x"}},
		{"not a program", process.Cmd{Args: []string{garbage}}, []string{"not a program", "#!"}},
		{"missing dir", process.Cmd{Args: []string{"true"}, Dir: filepath.Join(dir, "nope")},
			[]string{"working directory " + filepath.Join(dir, "nope") + " does not exist"}},
		{"dir is a file", process.Cmd{Args: []string{"true"}, Dir: noexec}, []string{"is not a directory"}},
		{"log not writable", process.Cmd{Args: []string{"true"}, LogPath: filepath.Join(noexec, "x.log")}, []string{"log directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := process.Start(tc.cmd)
			if err == nil {
				_, _ = p.Wait(context.Background())
				t.Fatal("Start: got no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// groupScript starts, in the background, a grandchild that ignores
// SIGTERM and writes its PID to gc.pid, then waits for it.
const groupScript = `sh -c 'trap "" TERM; echo $$ > gc.pid; while :; do sleep 1; done' & wait`

func TestCancelKillsWholeGroup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", groupScript}, Dir: dir, Grace: 50 * time.Millisecond})
	if !process.Alive(p.PID(), p.StartTicks()) {
		t.Fatal("Alive: got false for a running process")
	}
	gc := waitForPID(t, filepath.Join(dir, "gc.pid"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	code, err := p.Wait(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Wait error: got %v, want context.Canceled", err)
	}
	if code != -1 {
		t.Errorf("exit code: got %d, want -1", code)
	}
	if process.Alive(gc, 0) {
		t.Errorf("grandchild %d survived the cancel", gc)
	}
	if process.Alive(p.PID(), p.StartTicks()) {
		t.Errorf("leader %d survived the cancel", p.PID())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Wait took %s after cancel, want about the 50ms grace", d)
	}
}

func TestTimeoutKillsWholeGroup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", groupScript}, Dir: dir, Grace: 20 * time.Millisecond})
	gc := waitForPID(t, filepath.Join(dir, "gc.pid"))
	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, errors.New("task timeout 50ms"))
	defer cancel()
	_, err := p.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "task timeout 50ms") {
		t.Errorf("Wait error: got %v, want DeadlineExceeded with its cause", err)
	}
	if process.Alive(gc, 0) {
		t.Errorf("grandchild %d survived the timeout", gc)
	}
}

func TestSIGTERMHandledInGrace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := MustStart(t, process.Cmd{
		Args:  []string{"sh", "-c", `trap 'echo bye; exit 7' TERM; echo $$ > gc.pid; while :; do sleep 1; done`},
		Dir:   dir,
		Grace: time.Minute, LogPath: filepath.Join(dir, "log"),
	})
	waitForPID(t, filepath.Join(dir, "gc.pid"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, err := p.Wait(ctx)
	if code != 7 || !errors.Is(err, context.Canceled) {
		t.Errorf("got (%d, %v), want (7, context.Canceled)", code, err)
	}
	// sh may first report its sleep's death ("Terminated").
	if got, _ := os.ReadFile(filepath.Join(dir, "log")); !strings.HasSuffix(string(got), "bye\n") {
		t.Errorf("log: got %q, want it to end with %q", got, "bye\n")
	}
}

func TestLeaderExitReapsStragglers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", "sleep 1000 & echo $! > gc.pid"}, Dir: dir})
	code, err := p.Wait(context.Background())
	if code != 0 || err != nil {
		t.Fatalf("got (%d, %v), want (0, nil)", code, err)
	}
	gc := waitForPID(t, filepath.Join(dir, "gc.pid"))
	if process.Alive(gc, 0) {
		t.Errorf("background child %d outlived its task", gc)
	}
}

func TestKillGroupChecksStartTicks(t *testing.T) {
	t.Parallel()
	p := MustStart(t, process.Cmd{Args: []string{"sleep", "1000"}})
	if p.StartTicks() == 0 {
		t.Fatal("StartTicks: got 0")
	}
	if process.Alive(p.PID(), p.StartTicks()+1) {
		t.Error("Alive with a wrong start time: got true")
	}
	killed, err := process.KillGroup(p.PID(), p.StartTicks()+1)
	if killed || err != nil {
		t.Fatalf("KillGroup with a wrong start time: got (%v, %v), want (false, nil)", killed, err)
	}
	if !process.Alive(p.PID(), p.StartTicks()) {
		t.Fatal("process died after KillGroup with a wrong start time")
	}
	if _, err := process.KillGroup(p.PID(), 0); err == nil {
		t.Error("KillGroup with start time 0: got no error")
	}
	killed, err = process.KillGroup(p.PID(), p.StartTicks())
	if !killed || err != nil {
		t.Fatalf("KillGroup: got (%v, %v), want (true, nil)", killed, err)
	}
	if code, err := p.Wait(context.Background()); code != -1 || err != nil {
		t.Errorf("Wait after KillGroup: got (%d, %v), want (-1, nil)", code, err)
	}
	if process.Alive(p.PID(), p.StartTicks()) {
		t.Error("Alive after KillGroup: got true")
	}
	if killed, err := process.KillGroup(p.PID(), p.StartTicks()); killed || err != nil {
		t.Errorf("KillGroup of a finished group: got (%v, %v), want (false, nil)", killed, err)
	}
}

// TestKillGroupAfterLeaderExit is the reconcile case: the leader is gone
// but a process it started still runs in its group.
func TestKillGroupAfterLeaderExit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := MustStart(t, process.Cmd{Args: []string{"sh", "-c", "sleep 1000 & echo $! > gc.pid"}, Dir: dir})
	gc := waitForPID(t, filepath.Join(dir, "gc.pid"))
	deadline := time.Now().Add(10 * time.Second)
	for process.Alive(p.PID(), p.StartTicks()) { // the leader exits at once
		if time.Now().After(deadline) {
			t.Fatal("leader still alive after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !process.Alive(gc, 0) {
		t.Fatal("background child already gone")
	}
	killed, err := process.KillGroup(p.PID(), p.StartTicks())
	if !killed || err != nil {
		t.Fatalf("KillGroup: got (%v, %v), want (true, nil)", killed, err)
	}
	if process.Alive(gc, 0) {
		t.Errorf("background child %d survived KillGroup", gc)
	}
}

func BenchmarkStartWait(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p, err := process.Start(process.Cmd{Args: []string{"/bin/true"}})
		if err != nil {
			b.Fatal(err)
		}
		if code, err := p.Wait(context.Background()); code != 0 || err != nil {
			b.Fatalf("got (%d, %v)", code, err)
		}
	}
}

func BenchmarkStartWaitLog(b *testing.B) {
	b.ReportAllocs()
	log := filepath.Join(b.TempDir(), "1.log")
	for b.Loop() {
		p, err := process.Start(process.Cmd{Args: []string{"/bin/true"}, LogPath: log})
		if err != nil {
			b.Fatal(err)
		}
		if code, err := p.Wait(context.Background()); code != 0 || err != nil {
			b.Fatalf("got (%d, %v)", code, err)
		}
	}
}
