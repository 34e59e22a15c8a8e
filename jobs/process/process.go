//go:build unix

package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultGrace is the default Cmd.Grace.
const DefaultGrace = 5 * time.Second

// ErrUnsupported is returned by KillGroup on platforms where a process's
// start time cannot be read (everything but Linux).
var ErrUnsupported = errors.New("process: start-time verification needs Linux /proc")

// Cmd describes a program to run.
type Cmd struct {
	// Args is the argv. Args[0] is looked up in PATH when it has no slash
	// (the PATH of Env when Env sets one, else this process's); a name
	// with a slash is used as is, relative to Dir.
	Args []string
	// Env is the full environment (KEY=VALUE); nil: the current one.
	Env []string
	// Dir is the working directory; "": the current one.
	Dir string
	// LogPath is the file stdout and stderr are appended to (created with
	// parents, mode 0644). Both streams go to the file directly (the child
	// holds the descriptor), so output survives the executor dying.
	// "": output is discarded.
	LogPath string
	// Grace is how long Wait waits after SIGTERM to the group before
	// SIGKILL. Default 5s (DefaultGrace); negative: SIGKILL at once.
	Grace time.Duration
}

// Proc is a started process group. Its methods are safe for concurrent
// use. Wait must be called (once or more) to release its resources.
type Proc struct {
	cmd     *exec.Cmd
	pid     int
	ticks   uint64
	started time.Time
	grace   time.Duration

	done    chan struct{} // closed when the waiter goroutine has reaped the leader
	waitErr error         // cmd.Wait's error, set before done is closed

	mu     sync.Mutex
	result *waitResult // the first Wait's outcome, returned by later calls
}

type waitResult struct {
	code int
	err  error
}

// Start starts cmd in a new process group (its PID is the group ID).
// Errors name the program and say why it could not start (not found,
// not executable, bad directory, log file not writable).
func Start(cmd Cmd) (*Proc, error) {
	if len(cmd.Args) == 0 || cmd.Args[0] == "" {
		return nil, errors.New("start process: empty command; give the program and its arguments")
	}
	name := cmd.Args[0]
	if cmd.Dir != "" {
		fi, err := os.Stat(cmd.Dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("start %s: working directory %s does not exist", name, cmd.Dir)
		case err != nil:
			return nil, fmt.Errorf("start %s: working directory: %w", name, err)
		case !fi.IsDir():
			return nil, fmt.Errorf("start %s: working directory %s is not a directory", name, cmd.Dir)
		}
	}
	path, err := lookPath(name, cmd.Env)
	if err != nil {
		return nil, err
	}

	c := &exec.Cmd{
		Path:        path,
		Args:        cmd.Args,
		Env:         cmd.Env,
		Dir:         cmd.Dir,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	if cmd.LogPath != "" {
		if err := os.MkdirAll(filepath.Dir(cmd.LogPath), 0o755); err != nil {
			return nil, fmt.Errorf("start %s: log directory: %w", name, err)
		}
		f, err := os.OpenFile(cmd.LogPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("start %s: open log file: %w", name, err)
		}
		// The child gets its own copy of the descriptor; ours is not
		// needed once it runs.
		defer f.Close()
		c.Stdout, c.Stderr = f, f
	}
	if err := c.Start(); err != nil {
		return nil, startError(name, path, cmd.Dir, err)
	}
	p := &Proc{
		cmd:     c,
		pid:     c.Process.Pid,
		started: time.Now(),
		grace:   cmd.Grace,
		done:    make(chan struct{}),
	}
	if p.grace == 0 {
		p.grace = DefaultGrace
	}
	// The leader is not reaped before the waiter goroutine starts, so its
	// /proc entry is there even if it has already exited.
	if st, err := readStat(p.pid); err == nil {
		p.ticks = st.startTicks
	}
	go func() {
		p.waitErr = c.Wait()
		close(p.done)
	}()
	return p, nil
}

// lookPath resolves a program name without a slash against the PATH the
// child will see. Like os/exec it ignores relative PATH entries.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathEnv, ok := envValue(env, "PATH")
	if !ok {
		pathEnv = os.Getenv("PATH")
	}
	var notExec string
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 == 0 {
			if notExec == "" {
				notExec = p
			}
			continue
		}
		return p, nil
	}
	if notExec != "" {
		return "", fmt.Errorf("start %s: %s is not executable; chmod +x it or run it through its interpreter", name, notExec)
	}
	if pathEnv == "" {
		return "", fmt.Errorf("start %s: program not found: PATH is empty; give its absolute path", name)
	}
	return "", fmt.Errorf("start %s: program not found in PATH (%s); install it or give its absolute path", name, pathEnv)
}

func envValue(env []string, key string) (string, bool) {
	if env == nil {
		return "", false
	}
	val, ok := "", false
	for _, kv := range env {
		if k, v, found := strings.Cut(kv, "="); found && k == key {
			val, ok = v, true // the last one wins, as in os/exec
		}
	}
	return val, ok
}

// startError turns exec.Cmd.Start's error into one that says what to do.
func startError(name, path, dir string, err error) error {
	where := path
	if !filepath.IsAbs(path) && dir != "" {
		where = path + " (relative to " + dir + ")"
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("start %s: program %s not found: %w", name, where, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("start %s: permission denied running %s; chmod +x it or check the directory's permissions: %w", name, where, err)
	case errors.Is(err, syscall.ENOEXEC):
		return fmt.Errorf("start %s: %s is not a program this system can run; add a #! line or run it through its interpreter: %w", name, where, err)
	}
	return fmt.Errorf("start %s: %w", name, err)
}

// PID returns the process (and group) ID.
func (p *Proc) PID() int { return p.pid }

// StartTicks returns the process start time in clock ticks since boot
// (/proc/PID/stat field 22), identifying it against PID reuse. It is 0
// off Linux, or when the process was gone before it could be read.
func (p *Proc) StartTicks() uint64 { return p.ticks }

// StartedAt returns when Start returned the running process.
func (p *Proc) StartedAt() time.Time { return p.started }

// Wait waits for the process to exit and returns its exit code (-1 when
// killed by a signal). When ctx ends first, it signals the whole group
// SIGTERM, then SIGKILL after Grace, waits for the exit, and returns
// ctx's error (wrapped, with its cause when it has one) with the exit
// code. After the leader has exited, however it ended, the rest of its
// group is killed with SIGKILL and Wait returns once no process of the
// group is left (Linux; elsewhere once the signal is sent).
//
// Wait may be called more than once, also concurrently; every call
// returns the first call's result.
func (p *Proc) Wait(ctx context.Context) (exitCode int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.result != nil {
		return p.result.code, p.result.err
	}
	code, err := p.wait(ctx)
	p.result = &waitResult{code, err}
	return code, err
}

func (p *Proc) wait(ctx context.Context) (int, error) {
	var ctxErr error
	select {
	case <-p.done:
	case <-ctx.Done():
		select {
		case <-p.done: // exited on its own at the same time: not a kill
		default:
			ctxErr = ctx.Err()
			if cause := context.Cause(ctx); cause != nil && cause != ctxErr {
				ctxErr = fmt.Errorf("%w (%w)", ctxErr, cause)
			}
			p.terminate()
		}
	}
	// Stragglers: processes of the group that ignored SIGTERM, or that the
	// leader left behind when it exited.
	reapGroup(p.pid, p.ticks)

	code := -1
	if st := p.cmd.ProcessState; st != nil {
		code = st.ExitCode()
	}
	if ctxErr != nil {
		return code, fmt.Errorf("process %d (%s) killed: %w", p.pid, p.cmd.Args[0], ctxErr)
	}
	var exitErr *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &exitErr) {
		return code, fmt.Errorf("wait for process %d (%s): %w", p.pid, p.cmd.Args[0], p.waitErr)
	}
	return code, nil
}

// terminate sends SIGTERM to the group, SIGKILL after the grace period,
// and returns when the leader has been reaped.
func (p *Proc) terminate() {
	if p.grace > 0 {
		_ = syscall.Kill(-p.pid, syscall.SIGTERM)
		t := time.NewTimer(p.grace)
		defer t.Stop()
		select {
		case <-p.done:
			return
		case <-t.C:
		}
	}
	_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	<-p.done
}

// KillGroup kills process group pid with SIGKILL if process pid still
// exists and started at startTicks (so a reused PID is never killed).
// When the leader has exited but processes of its group remain (a group
// ID is not reused while any member lives), those are killed. It reports
// whether it signaled anything. Off Linux it returns ErrUnsupported.
func KillGroup(pid int, startTicks uint64) (bool, error) {
	if pid <= 1 {
		return false, fmt.Errorf("kill process group %d: not a task's process group", pid)
	}
	return killGroup(pid, startTicks)
}

// Alive reports whether process pid exists, has not exited (a zombie
// has), and started at startTicks. Off Linux the start time is not
// checked.
func Alive(pid int, startTicks uint64) bool {
	if pid <= 0 {
		return false
	}
	return alive(pid, startTicks)
}
