#!/usr/bin/env bash
# Benchmarks Sluice's MLflow tracking server (issue 4, "Speed"): builds
# bin/sluice, starts `sluice server` on a loopback port with SQLite and then
# with PostgreSQL (scripts/postgres.sh starts a throwaway one unless
# $SLUICE_TEST_POSTGRES is set; NO_PG=1 skips it), drives it with
# bench/tracking/cmd/loadgen and prints one table: log-batch p50/p99 and
# requests/s with 20 clients, search-runs p50 over 30,000 runs, targets,
# pass/fail, and mlflow-go's and MLflow's published figures.
#
#   bench/tracking/run.sh                      # defaults
#   bench/tracking/run.sh -duration 20s -runs 30000
#
# Extra arguments go to loadgen (see `go run ./bench/tracking/cmd/loadgen -h`).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${GOPROXY:-}" ] || go env GOPROXY | grep -q ',direct$'; then
  export GOPROXY="$(go env GOPROXY | sed 's/,direct$//')"
fi
log() { echo "tracking/run.sh: $*" >&2; }

log "building bin/sluice (-tags duckdb_arrow) and loadgen"
go build -tags duckdb_arrow -o bin/sluice ./cmd/sluice
mkdir -p bench/out/bin
go build -o bench/out/bin/loadgen ./bench/tracking/cmd/loadgen

backends=sqlite
started_pg=0
if [ "${NO_PG:-0}" != 1 ]; then
  backends=sqlite,postgres
  if [ -z "${SLUICE_TEST_POSTGRES:-}" ]; then
    log "starting PostgreSQL (scripts/postgres.sh)"
    eval "$(scripts/postgres.sh start)"
    trap 'scripts/postgres.sh stop "$SLUICE_PG_DIR"' EXIT
    started_pg=1
  fi
fi
bench/out/bin/loadgen -sluice bin/sluice -backends "$backends" "$@"
if [ "$started_pg" = 1 ]; then
  echo "PostgreSQL: $(psql --version 2>/dev/null || echo 'Debian postgresql') started by scripts/postgres.sh on loopback (fsync=off, shared_buffers=128MB)."
fi
