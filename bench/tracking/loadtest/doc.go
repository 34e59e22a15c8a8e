// Package loadtest holds what Sluice's HTTP benchmarks (bench/tracking and
// bench/serving) share: latency summaries, a child-process server started
// on a free loopback port and stopped gracefully, closed- and open-loop
// request drivers, and a plain-text table.
//
// It sends traffic only to the URL it is given (loopback in every
// benchmark here); every loop is bounded by a duration or a count.
package loadtest
