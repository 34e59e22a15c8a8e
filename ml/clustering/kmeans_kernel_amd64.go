//go:build amd64 && !purego

package clustering

import "golang.org/x/sys/cpu"

// kmHasSIMD reports whether kmScoresAVX2 may run: the CPU (and OS) have
// AVX2 and FMA. It is read-only after package initialization.
var kmHasSIMD = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kmScoresAVX2 is implemented in kmeans_kernel_amd64.s.
//
//go:noescape
func kmScoresAVX2(x *float64, rows int, d int, ct *float64, kp int, n2 *float64, out *float64)
