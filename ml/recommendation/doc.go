// Package recommendation has collaborative filtering: ALS (alternating
// least squares), shaped like Spark ML's ALS, for explicit ratings and
// implicit feedback, with top-k recommendation for all or some users and
// items.
package recommendation
