//go:build !linux

package main

// peakRSSMB is not measured outside Linux.
func peakRSSMB() float64 { return 0 }

// cpuSeconds is not measured outside Linux.
func cpuSeconds() float64 { return 0 }
