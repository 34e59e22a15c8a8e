// Package proc runs the child processes of Sluice's benchmarks and
// measures them: wall time, CPU time and peak RSS. It is pure Go (no
// cgo), so bench/cmd/rusage, the small program that starts each measured
// child, stays small: its own memory is the floor of every RSS figure.
package proc
