#!/usr/bin/env bash
# Benchmarks model serving (issue 4, "Speed"): the churn pipeline
# (examples/churn/pipeline.yaml) served by `sluice models serve` against the
# equivalent scikit-learn model served by Flask (bench/serving/flask_server.py),
# same machine, same run. Installs Debian's python3-flask, python3-sklearn,
# python3-pandas, python3-gunicorn and wrk when missing, builds bin/sluice,
# fits and registers the model (`sluice ml fit … --register churn`, which
# logs it in MLflow's format) in a temporary workspace, then runs
# bench/serving/cmd/servebench, which prints one table: requests/s and
# p50/p99 for each server under wrk, the Sluice/Flask ratio (target ≥ 10×),
# and Sluice's p99 at a fixed 5,000 requests/s (target ≤ 2 ms). Sluice serves
# models:/churn/1 with `sluice models serve`.
#
#   bench/serving/run.sh                  # defaults (10 s per run)
#   bench/serving/run.sh -duration 20s    # extra arguments go to servebench
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${GOPROXY:-}" ] || go env GOPROXY | grep -q ',direct$'; then
  export GOPROXY="$(go env GOPROXY | sed 's/,direct$//')"
fi
log() { echo "serving/run.sh: $*" >&2; }
PY=/usr/bin/python3

missing=()
for pair in flask:python3-flask sklearn:python3-sklearn pandas:python3-pandas gunicorn:python3-gunicorn; do
  mod=${pair%%:*} pkg=${pair#*:}
  [ -x "$PY" ] && "$PY" -c "import $mod" 2>/dev/null || missing+=("$pkg")
done
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "building bin/sluice (-tags duckdb_arrow) and servebench"
go build -tags duckdb_arrow -o bin/sluice ./cmd/sluice
mkdir -p bench/out/bin
go build -o bench/out/bin/servebench ./bench/serving/cmd/servebench

tmp=$(mktemp -d /tmp/sluice-bench-serving.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ws="$tmp/ws"
log "fitting and registering the churn pipeline: sluice ml fit examples/churn/pipeline.yaml --experiment churn --register churn"
bin/sluice --workspace "$ws" ml fit examples/churn/pipeline.yaml --experiment churn --register churn >&2
example=$(find "$ws" -path '*/model/input_example.json' -print -quit)
if [ -z "$example" ]; then
  log "sluice ml fit logged no MLflow model with an input_example.json under $ws"
  exit 1
fi
bench/out/bin/servebench -sluice bin/sluice -workspace "$ws" -model models:/churn/1 -example "$example" -python "$PY" "$@"
