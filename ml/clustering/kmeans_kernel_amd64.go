//go:build amd64 && !purego

package clustering

import "golang.org/x/sys/cpu"

// kmHasSIMD reports whether kmNearestAVX2 may run: the CPU (and OS) have
// AVX2 and FMA. It is read-only after package initialization.
var kmHasSIMD = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kmNearestAVX2 is implemented in kmeans_kernel_amd64.s.
//
//go:noescape
func kmNearestAVX2(x *float64, rows int, d int, ct *float64, kp int, n2 *float64, lab *int32, score *float64)
