//go:build unix && !linux

package process

import "syscall"

type stat struct{ startTicks uint64 }

// readStat has no /proc to read off Linux.
func readStat(int) (stat, error) { return stat{}, ErrUnsupported }

// reapGroup kills what is left of group pgid; without /proc it cannot
// wait for the processes to go.
func reapGroup(pgid int, _ uint64) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

func killGroup(int, uint64) (bool, error) { return false, ErrUnsupported }

func alive(pid int, _ uint64) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
