#!/usr/bin/env bash
# bench/ml/run.sh — Sluice's ML library side by side with scikit-learn 1.2 and
# xgboost 1.7: same data, same hyperparameters, same machine, one run. Prints
# one markdown table (fit-time ratios, AUC, peak RSS, verdict per case) on
# stdout and keeps the raw JSON lines in bench/ml/results/<stamp>/.
# See bench/ml/README.md for the cases and the hyperparameter mapping.
#
# Environment:
#   QUICK=1            churn cases only (seconds instead of minutes)
#   CASES="a b"        run only these case ids (e.g. "churn-dt synthetic-gbt")
#   CHURN_REPEAT=3     timed fits per churn case (median reported)
#   SYNTH_REPEAT=1     timed fits per synthetic case
#   N_JOBS=2           cores each side may use (peer --n-jobs, Go GOMAXPROCS)
#   RF_MAX_DEPTH=      give both synthetic forests this depth limit (default:
#                      scikit-learn unlimited, Sluice 30 = Spark's maximum)
#   CASE_TIMEOUT=3600  seconds before one side of one case is stopped (n/a)
#   SKIP_SETUP=1       do not run setup.sh (peers already installed)
#   SLUICEBENCH=path   use this sluicebench binary instead of building one
#   STRICT=1           exit 1 when a case misses its target or is n/a
set -euo pipefail
cd "$(dirname "$0")/../.."

ML=bench/ml
PY=/usr/bin/python3
QUICK=${QUICK:-0}
CHURN_REPEAT=${CHURN_REPEAT:-3}
SYNTH_REPEAT=${SYNTH_REPEAT:-1}
N_JOBS=${N_JOBS:-2}
RF_MAX_DEPTH=${RF_MAX_DEPTH:-}
CASE_TIMEOUT=${CASE_TIMEOUT:-3600}
CASES=${CASES:-}

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# json_str escapes $1 as a JSON string (for error text from stderr).
json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/ }
  s=${s//$'\r'/ }
  s=${s//$'\n'/ }
  printf '"%s"' "$s"
}

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  log "checking the peers (setup.sh)"
  $ML/setup.sh >&2
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
log "building sluicebench and compare"
go build -o "$TMP/" ./$ML/sluicebench ./$ML/compare
SLUICEBENCH=${SLUICEBENCH:-$TMP/sluicebench}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD_START on $(nproc) cores; timings will be skewed (xgboost's OpenMP threads most)"
fi
OUT=$ML/results/$STAMP
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

# Case table: id | label | task | peer model | peer params | sluice model |
# sluice params | target ratio | AUC tolerance | AUC rule.
RF_PEER='{"n_estimators":50}'
RF_SLUICE='{"numTrees":50}'
if [ -n "$RF_MAX_DEPTH" ]; then
  RF_PEER="{\"n_estimators\":50,\"max_depth\":$RF_MAX_DEPTH}"
  RF_SLUICE="{\"numTrees\":50,\"maxDepth\":$RF_MAX_DEPTH}"
fi
CASE_TABLE=(
  "churn-dt|churn DecisionTree (depth 5)|churn|dt|{\"max_depth\":5}|dt|{\"maxDepth\":5}|1.0|0.01|below"
  "churn-rf|churn RandomForest (100 trees)|churn|rf|{\"n_estimators\":100}|rf|{\"numTrees\":100}|1.0|0.01|below"
  "churn-gbt|churn GBT (100 rounds)|churn|gbt|{\"n_estimators\":100}|gbt|{\"maxIter\":100}|1.0|0.01|below"
  "churn-lr|churn LogisticRegression|churn|lr|{}|lr|{}|1.0|0.01|below"
  "synthetic-lr|synthetic LogisticRegression|synthetic|lr|{}|lr|{}|1.0|0.005|within"
  "synthetic-dt|synthetic DecisionTree (depth 10)|synthetic|dt|{\"max_depth\":10}|dt|{\"maxDepth\":10}|1.0|0.005|within"
  "synthetic-rf|synthetic RandomForest (50 trees${RF_MAX_DEPTH:+, depth $RF_MAX_DEPTH})|synthetic|rf|$RF_PEER|rf|$RF_SLUICE|1.0|0.005|within"
  "synthetic-gbt|synthetic GBT (100 rounds) vs xgboost hist|synthetic|xgb-hist|{}|gbt|{}|1.5|0.005|within"
)

selected() {
  local id=$1 task=$2
  if [ -n "$CASES" ]; then
    [[ " $CASES " == *" $id "* ]]
    return
  fi
  [ "$QUICK" != 1 ] || [ "$task" = churn ]
}

need_synthetic=0
for row in "${CASE_TABLE[@]}"; do
  IFS='|' read -r id _ task _ <<<"$row"
  if selected "$id" "$task" && [ "$task" = synthetic ]; then need_synthetic=1; fi
done
if [ "$need_synthetic" = 1 ]; then
  if [ ! -f $ML/data/synthetic_train.csv ] || [ ! -f $ML/data/synthetic_test.csv ]; then
    log "generating the synthetic data (gen_synthetic.py, ~10 s)"
    $PY $ML/gen_synthetic.py >&2
  fi
  if [ -f $ML/data/SHA256SUMS ] && ! (cd $ML/data && sha256sum --quiet -c SHA256SUMS >&2); then
    log "warning: synthetic data does not match data/SHA256SUMS; regenerate it"
  fi
fi

# run_side ID LABEL SIDE TARGET TOL RULE CMD... runs one side of one case and
# appends its wrapped JSON line to $RESULTS.
run_side() {
  local id=$1 label=$2 side=$3 target=$4 tol=$5 rule=$6
  shift 6
  local base=$OUT/$id.$side rc=0 result
  log "$id: $side"
  timeout "$CASE_TIMEOUT" "$@" >"$base.out" 2>"$base.err" || rc=$?
  result=$(grep '^{' "$base.out" | tail -n 1 || true)
  if [ -z "$result" ]; then
    local why
    if [ "$rc" = 124 ]; then
      why="timed out after ${CASE_TIMEOUT}s"
    else
      why="exit $rc: $(tail -n 3 "$base.err" | tr '\n' ' ')"
    fi
    result="{\"error\":$(json_str "$why")}"
  fi
  printf '{"case":"%s","label":%s,"side":"%s","target":%s,"auc_tol":%s,"auc_rule":"%s","result":%s}\n' \
    "$id" "$(json_str "$label")" "$side" "$target" "$tol" "$rule" "$result" >>"$RESULTS"
}

for row in "${CASE_TABLE[@]}"; do
  IFS='|' read -r id label task pmodel pparams smodel sparams target tol rule <<<"$row"
  selected "$id" "$task" || continue
  repeat=$CHURN_REPEAT
  [ "$task" = churn ] || repeat=$SYNTH_REPEAT
  run_side "$id" "$label" peer "$target" "$tol" "$rule" \
    $PY $ML/peer.py --task "$task" --model "$pmodel" --params "$pparams" --n-jobs "$N_JOBS" --repeat "$repeat"
  run_side "$id" "$label" sluice "$target" "$tol" "$rule" \
    "$SLUICEBENCH" --task "$task" --model "$smodel" --params "$sparams" --n-jobs "$N_JOBS" --repeat "$repeat"
done

{
  echo "ML benchmark $STAMP on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')):" \
    "$(go env GOVERSION), n_jobs $N_JOBS, repeat churn $CHURN_REPEAT / synthetic $SYNTH_REPEAT (medians);" \
    "1-minute load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end."
  echo
  "$TMP/compare" "$RESULTS"
} | tee "$OUT/table.md"
log "raw JSON lines in $RESULTS"
if [ "${STRICT:-0}" = 1 ]; then
  "$TMP/compare" --strict "$RESULTS" >/dev/null
fi
