// Package process starts a task's program in its own process group with
// its output appended to a log file, waits for it, and kills the whole
// group on timeout, cancellation or after an executor crash.
package process

// CONTRACT SKELETON — the process helper replaces the bodies.

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

var errTODO = errors.New("jobs/process: not implemented yet")

// Cmd describes a program to run.
type Cmd struct {
	Args []string // argv; Args[0] is looked up in PATH when it has no slash
	Env  []string // full environment (KEY=VALUE); nil: the current one
	Dir  string   // working directory
	// LogPath is the file stdout and stderr are appended to (created with
	// parents). Both streams go to the file directly (the child holds the
	// descriptor), so output survives the executor dying.
	LogPath string
	// Grace is how long Wait waits after SIGTERM to the group before
	// SIGKILL. Default 5s.
	Grace time.Duration
}

// Proc is a started process group.
type Proc struct{}

// Start starts cmd in a new process group (its PID is the group ID).
// Errors name the program and say why it could not start (not found,
// not executable, bad directory).
func Start(cmd Cmd) (*Proc, error) { return nil, errTODO }

// PID returns the process (and group) ID.
func (p *Proc) PID() int { return 0 }

// StartTicks returns the process start time in clock ticks since boot
// (/proc/PID/stat field 22), identifying it against PID reuse.
func (p *Proc) StartTicks() uint64 { return 0 }

// StartedAt returns when Start returned the running process.
func (p *Proc) StartedAt() time.Time { return time.Time{} }

// Wait waits for the process to exit and returns its exit code (-1 when
// killed by a signal). When ctx ends first, it signals the whole group
// SIGTERM, then SIGKILL after Grace, waits for the exit, and returns
// ctx's error (wrapped) with the exit code. Every process of the group is
// gone when Wait returns after a kill.
func (p *Proc) Wait(ctx context.Context) (exitCode int, err error) { return -1, errTODO }

// KillGroup kills process group pid with SIGKILL if process pid still
// exists and started at startTicks (so a reused PID is never killed).
// It reports whether it killed anything.
func KillGroup(pid int, startTicks uint64) (bool, error) { return false, errTODO }

// Alive reports whether process pid exists and started at startTicks.
func Alive(pid int, startTicks uint64) bool { return false }

// MaxValuesSize bounds a task values file.
const MaxValuesSize = 64 << 10

// ReadValues reads a task values file written by a task: a JSON object,
// or lines "key=value" (value used as JSON when it parses as JSON, else
// as a string; blank lines and lines starting with # ignored). A missing
// or empty file gives no values. Errors give the line and say how to fix
// it; a file over MaxValuesSize is an error.
func ReadValues(path string) (map[string]json.RawMessage, error) { return nil, errTODO }
