#!/usr/bin/env bash
# bench/kmeans/run.sh — Sluice KMeans side by side with scikit-learn 1.2's
# KMeans on the same 1,000,000 × 20 Gaussian blobs, k = 16: fit time, cost
# (inertia), iterations and peak RSS, one markdown table on stdout. Raw JSON
# lines go to bench/kmeans/results/<stamp>/results.jsonl. See README.md.
#
# Environment:
#   QUICK=1          100,000 rows instead of 1,000,000 (seconds, not a minute)
#   CASES="a b"      cases to run: blobs (the issue's target) and overlap
#   N=1000000 D=20 K=16 MAX_ITER=20 TOL=1e-4 SEED=42   the problem
#   REPEAT=3         timed fits per side and case (medians reported)
#   N_JOBS=2         cores per side: GOMAXPROCS for Go, OpenMP/BLAS threads
#                    for scikit-learn
#   DATA_DIR=bench/kmeans/data   where the generated data files are kept
#   STRICT=1         exit 1 when a case misses its target
set -euo pipefail
cd "$(dirname "$0")/../.."

KM=bench/kmeans
PY=/usr/bin/python3
QUICK=${QUICK:-0}
N=${N:-1000000}
[ "$QUICK" = 1 ] && N=100000
D=${D:-20}
K=${K:-16}
MAX_ITER=${MAX_ITER:-20}
TOL=${TOL:-1e-4}
SEED=${SEED:-42}
REPEAT=${REPEAT:-3}
N_JOBS=${N_JOBS:-2}
CASES=${CASES:-blobs overlap}
DATA_DIR=${DATA_DIR:-$KM/data}

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if ! $PY -c 'import numpy, sklearn, threadpoolctl' 2>/dev/null; then
  log "scikit-learn is missing for $PY; install it with: apt-get install -y python3-sklearn"
  exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
log "building kmbench"
go build -o "$TMP/kmbench" ./$KM

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$KM/results/$STAMP
mkdir -p "$OUT" "$DATA_DIR"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD_START on $(nproc) cores; timings will be skewed (scikit-learn's OpenMP threads most)"
fi

# case → centre box (blobs are well separated; overlap makes Lloyd run to
# maxIter) and data seed.
case_box() { case $1 in blobs) echo 10 ;; overlap) echo 1.5 ;; *) return 1 ;; esac; }
case_seed() { case $1 in blobs) echo "$SEED" ;; overlap) echo $((SEED + 1)) ;; esac; }

export GOMAXPROCS=$N_JOBS OMP_NUM_THREADS=$N_JOBS OPENBLAS_NUM_THREADS=$N_JOBS MKL_NUM_THREADS=$N_JOBS
for c in $CASES; do
  box=$(case_box "$c") || { log "unknown case $c (use blobs or overlap)"; exit 1; }
  dseed=$(case_seed "$c")
  data=$DATA_DIR/$c-n$N-d$D-k$K-box$box-s$dseed.f64
  if [ ! -s "$data" ]; then
    log "generating $data"
    "$TMP/kmbench" gen --out "$data" --n "$N" --d "$D" --k "$K" --box "$box" --seed "$dseed"
  fi
  log "$c: scikit-learn"
  $PY $KM/peer.py --case "$c" --data "$data" --d "$D" --k "$K" --max-iter "$MAX_ITER" --tol "$TOL" \
    --seed "$SEED" --repeat "$REPEAT" >>"$RESULTS"
  log "$c: sluice"
  "$TMP/kmbench" fit --case "$c" --data "$data" --d "$D" --repeat "$REPEAT" \
    --params "{\"k\":$K,\"maxIter\":$MAX_ITER,\"tol\":$TOL,\"seed\":$SEED}" >>"$RESULTS"
done
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)

{
  echo "KMeans benchmark $STAMP on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')): $(go version | cut -d' ' -f3), $N_JOBS threads per side, median of $REPEAT fits; 1-minute load average $LOAD_START at the start, $LOAD_END at the end."
  echo
  "$TMP/kmbench" table --target-ratio 1.0 --cost-tol 0.01 <"$RESULTS"
} | tee "$OUT/table.md"

if [ "${STRICT:-0}" = 1 ] && grep -q 'misses' "$OUT/table.md"; then
  exit 1
fi
