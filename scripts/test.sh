#!/usr/bin/env bash
# Runs every test of the project: gofmt, go vet, staticcheck, and go test
# with the race detector over all packages (which also runs every fuzz
# target on its seed corpus). Needs only Go (cgo with gcc) on the machine;
# staticcheck comes through the Go module proxy, pinned. PostgreSQL (for
# the suites run against both metadata backends) is installed from Debian
# when missing and started on a loopback port by scripts/postgres.sh; the
# npm mlflow client (for compat/) is installed by scripts/npm-mlflow.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:-} -tags=duckdb_arrow"
if [ -n "${GOPROXY:-}" ] || go env GOPROXY | grep -q ',direct$'; then
  export GOPROXY="$(go env GOPROXY | sed 's/,direct$//')"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== PostgreSQL for the metadata-store suites"
if [ -z "${SLUICE_TEST_POSTGRES:-}" ]; then
  eval "$(./scripts/postgres.sh start)"
  trap './scripts/postgres.sh stop "$SLUICE_PG_DIR"' EXIT
fi
export SLUICE_REQUIRE_POSTGRES=1

echo "== npm mlflow client for the compatibility test"
if [ ! -d compat/mlflow-npm/node_modules/mlflow ]; then
  ./scripts/npm-mlflow.sh
fi
export SLUICE_REQUIRE_NPM=1

echo "== go test (race)"
go test -race -count=1 -timeout 30m ./...
