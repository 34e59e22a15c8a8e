#!/usr/bin/env bash
# bench/als/run.sh — Sluice's ALS: quality on MovieLens latest-small beside
# numpy baselines on the very same split, and the time of one iteration on a
# synthetic 20M-rating set (MovieLens 20M's shape) at rank 64, explicit and
# implicit, with peak RSS. Prints two markdown tables with targets and
# verdicts; raw JSON lines go to bench/als/results/<stamp>/ (git-ignored).
# See bench/als/README.md.
#
# Environment:
#   SCALE=small        the speed cases on 1M ratings (MovieLens 1M's shape:
#                      6,040 users, 3,706 movies) instead of 20M; no verdict
#   RATINGS=FILE       MovieLens ratings CSV (default
#                      examples/movielens/data/ratings.csv, written by
#                      examples/movielens/get-data.sh)
#   SPLIT_SEED=42      seed of the 80/20 split (Frame.RandomSplit)
#   PEER_ALS=1         also fit numpy's Spark-style ALS (~20 s); 0 skips it
#   SOLVERS="auto cholesky"  solvers timed in the speed cases
#   ITERS=2            iterations per speed case (the table shows the last)
#   SKIP_QUALITY=1, SKIP_SPEED=1  leave a part out
#   BIAS_PARAMS="--rank 50 --reg 0.15 --iter 15 --bias-reg 2"  Sluice's bias case
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
SCALE=${SCALE:-full}
RATINGS=${RATINGS:-examples/movielens/data/ratings.csv}
SPLIT_SEED=${SPLIT_SEED:-42}
PEER_ALS=${PEER_ALS:-1}
SOLVERS=${SOLVERS:-auto cholesky}
ITERS=${ITERS:-2}
BIAS_PARAMS=${BIAS_PARAMS:---rank 50 --reg 0.15 --iter 15 --bias-reg 2}

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
log "building alsbench and rusage"
go build -o "$TMP/" ./bench/als/alsbench ./bench/cmd/rusage

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/als/results/$STAMP
mkdir -p "$OUT"
LINES=$OUT/results.jsonl
: >"$LINES"
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD_START on $(nproc) cores; wall times will be skewed (the CPU-time column is steadier)"
fi

if [ "${SKIP_QUALITY:-0}" != 1 ]; then
  if [ -f "$RATINGS" ]; then
    rows=$(($(wc -l <"$RATINGS") - 1))
    if [ "$rows" != 100004 ]; then
      log "warning: $RATINGS has $rows ratings, not MovieLens latest-small's 100,004 (synthetic data?); the RMSE targets are for the real set"
    fi
    log "MovieLens: Sluice side (split seed $SPLIT_SEED)"
    # shellcheck disable=SC2086
    "$TMP/alsbench" movielens --ratings "$RATINGS" --seed "$SPLIT_SEED" --split-dir "$TMP/split" $BIAS_PARAMS | tee -a "$LINES" >&2
    log "MovieLens: numpy side on the same split"
    peer_args=(--split-dir "$TMP/split")
    [ "$PEER_ALS" = 1 ] && peer_args+=(--als)
    "$PY" bench/als/peer.py "${peer_args[@]}" | tee -a "$LINES" >&2
  else
    log "no $RATINGS: run examples/movielens/get-data.sh (installs Debian's r-cran-dslabs and exports MovieLens latest-small), or set RATINGS=FILE; skipping the quality table"
  fi
fi

if [ "${SKIP_SPEED:-0}" != 1 ]; then
  if [ "$SCALE" = small ]; then
    scale_args=(--ratings-n 1000000 --users 6040 --items 3706)
    report_args=(--small)
  else
    scale_args=(--ratings-n 20000000 --users 138493 --items 27278)
    report_args=()
  fi
  for mode in explicit implicit; do
    for solver in $SOLVERS; do
      log "speed: $mode, solver $solver, ${scale_args[*]}"
      extra=()
      [ "$mode" = implicit ] && extra=(--implicit)
      if line=$("$TMP/rusage" "$TMP/usage.json" -- "$TMP/alsbench" scale "${scale_args[@]}" --rank 64 --solver "$solver" --iters "$ITERS" "${extra[@]}"); then
        # Merge the spawner's measurement (peak RSS seen from outside) into the line.
        line="${line%\}},\"usage\":$(cat "$TMP/usage.json")}"
      else
        line="{\"side\":\"sluice\",\"case\":\"$mode\",\"error\":\"alsbench failed\",\"iter_seconds\":[]}"
      fi
      echo "$line" | tee -a "$LINES" >&2
    done
  done
fi

LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
{
  echo "ALS benchmark $STAMP on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')): $(go version | cut -d' ' -f3); 1-minute load average $LOAD_START at the start, $LOAD_END at the end."
  echo
  "$TMP/alsbench" report "${report_args[@]}" <"$LINES"
} | tee "$OUT/table.md"
