// Package compat holds Sluice's compatibility evidence with third-party
// MLflow clients: its test starts the real server (server.Open over a
// temporary workspace, on 127.0.0.1 with a free port) and drives it with
// the npm package `mlflow`, a Node.js MLflow REST client, through
// mlflow-npm/test.mjs — experiments, runs, params, metrics, tags, batches,
// search with filters, artifacts, registered models, versions and aliases,
// every answer checked.
//
// The client is pinned in mlflow-npm/package.json and package-lock.json
// and installed into mlflow-npm/node_modules (gitignored) by
// scripts/npm-mlflow.sh, which the test runs when the install is missing.
// Without node and npm the test skips, unless SLUICE_REQUIRE_NPM=1, when
// it fails.
package compat
