package proc

import (
	"os"
	"syscall"
	"time"
)

// maxRSS returns a finished process's peak RSS in bytes; Linux reports
// ru_maxrss in KiB.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}

// SelfCPU returns the user plus system time this process (all its
// threads, DuckDB's included) has used so far.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
