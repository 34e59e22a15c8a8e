// Package examples ships the data of Sluice's examples inside the binary,
// so `sluice quickstart` works from any directory.
package examples

import "embed"

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

// ChurnJob is examples/churn/job.yaml, the churn pipeline as a job
// (ingest → features → fit → score → report) that `sluice quickstart`
// deploys and runs; it reads data/mlc_churn.csv and train.yaml relative
// to itself.
//
//go:embed churn/job.yaml
var ChurnJob []byte

// ChurnTrain is examples/churn/train.yaml, the pipeline spec the churn
// job's fit task uses (reading the table churn_features).
//
//go:embed churn/train.yaml
var ChurnTrain []byte

// Nightly holds examples/nightly: a scheduled job (job.yaml) with a flaky
// task (flaky.sh) retried with backoff, and a notification receiver
// (receiver.py). `sluice quickstart` copies it into the workspace.
//
//go:embed nightly/job.yaml nightly/flaky.sh nightly/receiver.py nightly/README.md
var Nightly embed.FS

// FS holds the examples `sluice quickstart` copies into the workspace
// besides churn and nightly: movielens (ALS recommendations) and spam
// (TF-IDF + LogisticRegression), whose data their get-data.sh fetches, and
// anomaly (KMeans on generated network connections).
//
//go:embed movielens/job.yaml movielens/train.yaml movielens/README.md movielens/get-data.sh
//go:embed spam/job.yaml spam/train.yaml spam/README.md spam/get-data.sh
//go:embed anomaly/job.yaml anomaly/train.yaml anomaly/README.md
var FS embed.FS
