// Package examples ships the data of Sluice's examples inside the binary,
// so `sluice quickstart` works from any directory.
package examples

import _ "embed"

// ChurnCSV is examples/churn/data/mlc_churn.csv: 5,000 telecom customers
// (MIT licence, see examples/churn/data/LICENSE).
//
//go:embed churn/data/mlc_churn.csv
var ChurnCSV []byte

// ChurnPipeline is examples/churn/pipeline.yaml, the Spark ML churn
// tutorial as a spec; it reads data/mlc_churn.csv relative to itself.
//
//go:embed churn/pipeline.yaml
var ChurnPipeline []byte

// ChurnRequest is examples/churn/request.json: an MLflow /invocations
// body (dataframe_split) with two customers, for the served churn model.
//
//go:embed churn/request.json
var ChurnRequest []byte
