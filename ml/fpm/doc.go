// Package fpm has frequent pattern mining, shaped like Spark ML's:
// FPGrowth (frequent item sets and association rules) and PrefixSpan
// (frequent sequential patterns).
package fpm
