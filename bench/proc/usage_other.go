//go:build !linux

package proc

import (
	"os"
	"time"
)

// maxRSS is not measured outside Linux (units and availability differ).
func maxRSS(*os.ProcessState) int64 { return 0 }

// SelfCPU is not measured outside Linux.
func SelfCPU() time.Duration { return 0 }
