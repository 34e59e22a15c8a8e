#!/usr/bin/env bash
# Benchmarks Sluice's job engine (issue 5, "Speed"): builds bin/sluice and
# runs bench/jobs/cmd/jobbench — a job of 1,000 no-op exec tasks (100
# chains × 10) with `sluice jobs run --wait` in a fresh workspace, side by
# side with GNU make running the same DAG of the same processes — and
# prints one table: wall time, tasks/s, task start latency p50/p99
# (dependencies met → process started), targets and the ratio to make.
#
#   bench/jobs/run.sh                 # defaults
#   bench/jobs/run.sh -reps 5 -slots 64
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${GOPROXY:-}" ] || go env GOPROXY | grep -q ',direct$'; then
  export GOPROXY="$(go env GOPROXY | sed 's/,direct$//')"
fi
command -v make >/dev/null || { apt-get update -qq && apt-get install -y -qq make; }
echo "jobs/run.sh: building bin/sluice (-tags duckdb_arrow)" >&2
go build -tags duckdb_arrow -o bin/sluice ./cmd/sluice
go run ./bench/jobs/cmd/jobbench -sluice bin/sluice "$@"
