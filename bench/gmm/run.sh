#!/usr/bin/env bash
# bench/gmm/run.sh — Sluice's GaussianMixture side by side with scikit-learn
# 1.2's GaussianMixture(covariance_type="full") on the same 200,000 × 10
# mixture of 8 Gaussians: fit time, EM iterations, mean log-likelihood per
# row, peak RSS. Prints a markdown table (ratios and verdicts: log-likelihood
# within 1 %, time ≤ 1.0×) and keeps the raw JSON lines in
# bench/gmm/results/<stamp>/. See bench/gmm/README.md.
#
# Environment:
#   CASES="separated overlapping"  data sets: component means spread 4 or 2
#   SEEDS="0 1 2"      random_state / seed values, one row each
#   REPEAT=3           timed fits per side and seed (median reported)
#   ROWS=200000 DIM=10 K=8
#   MAX_ITER=100       EM iterations at most, both sides
#   TOL=1e-3           scikit-learn's tol (change of the mean log-likelihood
#                      per row); Sluice gets tol = TOL × ROWS (Spark's rule is
#                      on the total), so both stop at the same point
#   N_JOBS=2           cores each side may use (BLAS/OpenMP threads, GOMAXPROCS)
#   CASE_TIMEOUT=1800  seconds before one side of one run is stopped (n/a)
#   STRICT=1           exit 1 when a row misses its target or is n/a
set -euo pipefail
cd "$(dirname "$0")/../.."

B=bench/gmm
PY=/usr/bin/python3
CASES=${CASES:-separated overlapping}
SEEDS=${SEEDS:-0 1 2}
REPEAT=${REPEAT:-3}
ROWS=${ROWS:-200000}
DIM=${DIM:-10}
K=${K:-8}
MAX_ITER=${MAX_ITER:-100}
TOL=${TOL:-1e-3}
N_JOBS=${N_JOBS:-2}
CASE_TIMEOUT=${CASE_TIMEOUT:-1800}

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/ }
  s=${s//$'\r'/ }
  s=${s//$'\n'/ }
  printf '"%s"' "$s"
}

if ! $PY -c 'import sklearn, scipy, threadpoolctl' 2>/dev/null; then
  log "installing python3-sklearn for $PY (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y python3-sklearn >&2; else sudo apt-get install -y python3-sklearn >&2; fi
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
log "building the Sluice side"
go build -o "$TMP/gmm" ./$B

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD_START on $(nproc) cores; timings will be skewed"
fi
OUT=$B/results/$STAMP
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

run_side() { # CASE LABEL SEED SIDE TRUE CMD...
  local id=$1 label=$2 seed=$3 side=$4 true=$5
  shift 5
  local base=$OUT/$id.$seed.$side rc=0 result
  log "$id seed $seed: $side"
  timeout "$CASE_TIMEOUT" "$@" >"$base.out" 2>"$base.err" || rc=$?
  result=$(grep '^{' "$base.out" | tail -n 1 || true)
  if [ -z "$result" ]; then
    local why="exit $rc: $(tail -n 3 "$base.err" | tr '\n' ' ')"
    [ "$rc" = 124 ] && why="timed out after ${CASE_TIMEOUT}s"
    result="{\"error\":$(json_str "$why")}"
  fi
  printf '{"case":"%s","label":%s,"seed":%s,"side":"%s","true_mean_loglik":%s,"result":%s}\n' \
    "$id" "$(json_str "$label")" "$seed" "$side" "$true" "$result" >>"$RESULTS"
}

for id in $CASES; do
  case $id in
    separated) spread=4 ;;
    overlapping) spread=2 ;;
    *) log "unknown case $id (separated, overlapping)"; exit 2 ;;
  esac
  data=$B/data/gmm_${ROWS}x${DIM}_spread${spread}.f64
  if [ ! -f "$data" ]; then
    log "generating $data"
    $PY $B/gen_data.py --rows "$ROWS" --dim "$DIM" --k "$K" --spread "$spread" >&2
  fi
  true=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['true_mean_loglik'])" "${data%.f64}.json")
  label="$id ($ROWS × $DIM, k=$K, spread $spread)"
  for seed in $SEEDS; do
    run_side "$id" "$label" "$seed" sklearn "$true" \
      $PY $B/peer.py --data "$data" --dim "$DIM" --k "$K" --max-iter "$MAX_ITER" --tol "$TOL" \
      --seed "$seed" --repeat "$REPEAT" --n-jobs "$N_JOBS"
    run_side "$id" "$label" "$seed" sluice "$true" \
      "$TMP/gmm" --data "$data" --dim "$DIM" --k "$K" --max-iter "$MAX_ITER" --tol-per-row "$TOL" \
      --seed "$seed" --repeat "$REPEAT" --n-jobs "$N_JOBS"
  done
done

{
  echo "GaussianMixture benchmark $STAMP on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')):" \
    "$(go env GOVERSION), scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)'), n_jobs $N_JOBS," \
    "max_iter $MAX_ITER, tol $TOL per row, repeat $REPEAT (medians);" \
    "1-minute load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end."
  echo
  $PY $B/table.py "$RESULTS"
} | tee "$OUT/table.md"
log "raw JSON lines in $RESULTS"
if [ "${STRICT:-0}" = 1 ]; then
  $PY $B/table.py --strict "$RESULTS" >/dev/null
fi
