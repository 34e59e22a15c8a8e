#!/usr/bin/env bash
# Fuzzes every Fuzz* target of the module for $1 (default 60s) each.
# `make test` already runs each target's seed corpus; this explores further.
set -euo pipefail
cd "$(dirname "$0")/.."
time_each="${1:-60s}"
for pkg in $(go list -tags duckdb_arrow ./...); do
  dir=$(go list -tags duckdb_arrow -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "== $pkg $target ($time_each)"
    go test -tags duckdb_arrow "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time_each"
  done
done
