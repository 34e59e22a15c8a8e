#!/usr/bin/env bash
# Side-by-side benchmark of Sluice against DuckDB on this machine: queries,
# ingest and peak RSS, printed as one table with ratios and written to
# bench/out/results.md. See bench/README.md. Takes a few minutes on 2 cores.
#
# Environment:
#   VEGA_TGZ   an already downloaded vega-datasets-$VEGA_VERSION.tgz to use
#              instead of `npm pack` (e.g. an offline copy)
#   NODE_REF=0 skip the DuckDB 1.5 (node) reference column
#   RUNS, INGEST_RUNS, THREADS  passed to tablebench (-runs, -ingest-runs, -threads)
set -euo pipefail
cd "$(dirname "$0")/.."

VEGA_VERSION=3.2.1
DATA=bench/data
OUT=bench/out
BIN=$OUT/bin
PARQUET=$DATA/flights-3m.parquet
CSV=$DATA/flights-3m.csv

export GOFLAGS="${GOFLAGS:-} -tags=duckdb_arrow"
if go env GOPROXY | grep -q ',direct$'; then
  export GOPROXY="$(go env GOPROXY | sed 's/,direct$//')"
fi
log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$DATA" "$BIN"

# Binaries: a private sluice build, so a concurrent `make build` cannot
# swap bin/sluice mid-run, and the harness's own programs.
log "building sluice, duckpeer, rusage and tablebench"
go build -o "$BIN/" ./cmd/sluice ./bench/cmd/duckpeer ./bench/cmd/rusage ./bench/cmd/tablebench

# Data: data/flights-3m.parquet from the npm package vega-datasets.
if [ ! -f "$PARQUET" ]; then
  tgz=$DATA/vega-datasets-$VEGA_VERSION.tgz
  if [ ! -f "$tgz" ]; then
    if [ -n "${VEGA_TGZ:-}" ]; then
      log "using $VEGA_TGZ"
      cp "$VEGA_TGZ" "$tgz.tmp" && mv "$tgz.tmp" "$tgz"
    else
      command -v npm >/dev/null || { echo "run.sh: npm is needed to fetch vega-datasets (or set VEGA_TGZ)" >&2; exit 1; }
      log "npm pack vega-datasets@$VEGA_VERSION"
      (cd "$DATA" && npm pack --silent "vega-datasets@$VEGA_VERSION" >/dev/null)
    fi
  fi
  tar -xzf "$tgz" -C "$DATA" --strip-components=2 package/data/flights-3m.parquet
fi

# The same data as CSV, once, written by DuckDB itself.
if [ ! -f "$CSV" ]; then
  log "exporting $CSV"
  "$BIN/duckpeer" "COPY (SELECT * FROM read_parquet('$PARQUET')) TO '$CSV.tmp' (HEADER, FORMAT csv)" >/dev/null
  mv "$CSV.tmp" "$CSV"
fi

# Optional reference: DuckDB 1.5 through node (bench/node/package.json pins it).
node_args=()
if [ "${NODE_REF:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
  if [ -d bench/node/node_modules/@duckdb/node-api ] ||
     (log "npm install in bench/node (DuckDB 1.5 reference)"; cd bench/node && timeout 300 npm install --no-package-lock --no-audit --no-fund --silent >/dev/null 2>&1); then
    node_args=(-node bench/node/duckdb15.mjs)
  else
    log "npm install in bench/node failed: no DuckDB 1.5 reference column"
  fi
fi

rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git diff --quiet HEAD 2>/dev/null; then rev="$rev+uncommitted"; fi

log "running tablebench (sluice $rev)"
rm -rf "$OUT/work"
"$BIN/tablebench" \
  -parquet "$PARQUET" -csv "$CSV" -dataset "vega-datasets $VEGA_VERSION data/flights-3m.parquet" -rev "$rev" \
  -sluice "$BIN/sluice" -duckpeer "$BIN/duckpeer" -rusage "$BIN/rusage" "${node_args[@]}" \
  -runs "${RUNS:-5}" -ingest-runs "${INGEST_RUNS:-3}" -threads "${THREADS:-$(nproc)}" \
  -work "$OUT/work" -out "$OUT/results.md"
rm -rf "$OUT/work"
