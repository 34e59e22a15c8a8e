// Package examples ships the data of Sluice's examples inside the binary,
// so `sluice quickstart` works from any directory.
package examples

import _ "embed"

// ChurnCSV is examples/churn/data/mlc_churn.csv: 5,000 telecom customers
// (MIT licence, see examples/churn/data/LICENSE).
//
//go:embed churn/data/mlc_churn.csv
var ChurnCSV []byte
