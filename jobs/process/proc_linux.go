package process

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// reapTimeout bounds how long Wait and KillGroup wait for a killed
// group's processes to disappear.
const reapTimeout = 10 * time.Second

// stat is what the package needs from /proc/PID/stat.
type stat struct {
	state      byte   // field 3: R, S, D, Z, T, …
	pgrp       int    // field 5
	startTicks uint64 // field 22
}

// readStat reads /proc/PID/stat.
func readStat(pid int) (stat, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	return parseStat(data)
}

// parseStat parses the text of /proc/PID/stat. The second field, the
// command name in parentheses, may itself hold spaces and parentheses, so
// the fields are read after the last ')'.
func parseStat(data []byte) (stat, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return stat{}, errors.New("proc stat: no command name")
	}
	f := bytes.Fields(data[i+1:])
	// f[0] is field 3 (state); field n is f[n-3].
	if len(f) < 22-2 {
		return stat{}, fmt.Errorf("proc stat: %d fields after the command name, want at least 20", len(f))
	}
	if len(f[0]) != 1 {
		return stat{}, fmt.Errorf("proc stat: bad state %q", f[0])
	}
	pgrp, err := strconv.Atoi(string(f[5-3]))
	if err != nil {
		return stat{}, fmt.Errorf("proc stat: process group: %w", err)
	}
	ticks, err := strconv.ParseUint(string(f[22-3]), 10, 64)
	if err != nil {
		return stat{}, fmt.Errorf("proc stat: start time: %w", err)
	}
	return stat{state: f[0][0], pgrp: pgrp, startTicks: ticks}, nil
}

// groupMembers lists the live (not zombie) processes of group pgid that
// started at or after minTicks.
func groupMembers(pgid int, minTicks uint64) ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil || st.pgrp != pgid || st.state == 'Z' || st.startTicks < minTicks {
			continue
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// reapGroup kills what is left of group pgid after its leader was reaped
// and waits until no live process of it remains (killed processes are
// reaped by init or a subreaper; zombies left unreaped are harmless and
// not waited for). It gives up after reapTimeout.
func reapGroup(pgid int, minTicks uint64) {
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil {
		return // ESRCH: the group is empty
	}
	_ = waitGroupGone(pgid, minTicks)
}

// waitGroupGone polls until no live process of group pgid is left.
func waitGroupGone(pgid int, minTicks uint64) error {
	deadline := time.Now().Add(reapTimeout)
	delay := 100 * time.Microsecond
	for {
		if syscall.Kill(-pgid, 0) == syscall.ESRCH {
			return nil
		}
		left, err := groupMembers(pgid, minTicks)
		if err != nil {
			return err
		}
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v of group %d still running %s after SIGKILL", left, pgid, reapTimeout)
		}
		// A process in uninterruptible sleep (D) ignores SIGKILL until the
		// sleep ends; send it again in case one was forked meanwhile.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		time.Sleep(delay)
		delay = min(2*delay, 10*time.Millisecond)
	}
}

func killGroup(pid int, startTicks uint64) (bool, error) {
	if startTicks == 0 {
		return false, fmt.Errorf("kill process group %d: start time unknown, refusing to signal a PID that may have been reused", pid)
	}
	st, err := readStat(pid)
	switch {
	case err == nil:
		if st.startTicks != startTicks {
			return false, nil // the PID now names another process
		}
		// The leader may have moved to another group (setsid): kill it
		// by PID too.
		_ = syscall.Kill(pid, syscall.SIGKILL)
	case errors.Is(err, os.ErrNotExist):
		// The leader is gone. Its group ID cannot be reused while members
		// live, so remaining members are the task's.
		left, err := groupMembers(pid, startTicks)
		if err != nil {
			return false, fmt.Errorf("kill process group %d: %w", pid, err)
		}
		if len(left) == 0 {
			return false, nil
		}
	default:
		return false, fmt.Errorf("kill process group %d: %w", pid, err)
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return false, fmt.Errorf("kill process group %d: %w", pid, err)
	}
	if err := waitGroupGone(pid, startTicks); err != nil {
		return true, fmt.Errorf("kill process group %d: %w", pid, err)
	}
	return true, nil
}

func alive(pid int, startTicks uint64) bool {
	st, err := readStat(pid)
	if err != nil || st.state == 'Z' {
		return false
	}
	return startTicks == 0 || st.startTicks == startTicks
}
