// Package process runs a task's program the way the jobs engine needs it:
// in its own process group, with stdout and stderr appended to a log file,
// bounded by a context, and killable as a whole after the executor that
// started it has crashed.
//
// # Process groups
//
// Start puts the program in a new process group whose ID is its PID
// (setpgid), so everything it starts — shells' children, backgrounded
// jobs, grandchildren — shares the group unless it leaves it on purpose
// (setsid). Proc.Wait signals the whole group: on ctx's end SIGTERM, then
// SIGKILL after Cmd.Grace. When the leader has exited, for any reason,
// Wait also sends SIGKILL to the group, so no process the task started
// outlives it (as CI runners clean up orphans after a step). A program
// that wants a daemon to outlive its task must detach it into another
// session (setsid).
//
// Parent death signals (Pdeathsig) are not used: Go delivers them when the
// OS thread that started the child exits, not the process, which would
// kill tasks at random. Instead the engine records each process's PID and
// start time (Proc.StartTicks) and, after a crash, calls KillGroup, which
// verifies the start time so a reused PID is never signaled.
//
// # Logs
//
// The log file is opened O_APPEND and handed to the child as both stdout
// and stderr; the parent copies nothing. Output is therefore written even
// while (or after) the executor is gone, and lines of the two streams
// interleave in the order the program wrote them.
//
// # Task values
//
// ReadValues reads the small file an exec task writes its values to (the
// path in SLUICE_TASK_VALUES): a JSON object, or key=value lines.
//
// # Platforms
//
// The package builds on Unix systems. Start-time verification reads
// /proc/PID/stat and so works on Linux only; elsewhere StartTicks is 0,
// Alive checks only that the PID exists and KillGroup refuses to act
// (ErrUnsupported), since it could not tell a reused PID apart.
package process
