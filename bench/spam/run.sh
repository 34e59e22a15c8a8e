#!/usr/bin/env bash
# bench/spam/run.sh — the spam classifier of examples/spam side by side with
# scikit-learn 1.2: the same SpamAssassin messages, the same train/test
# split, the same tokens, stop words, vocabulary size and regularization.
# Prints one markdown table (accuracy, AUC, fit time, peak RSS, ratios and
# verdicts) on stdout and keeps it, with the raw JSON lines, in
# bench/spam/out/<stamp>/. See bench/spam/README.md.
#
# Environment:
#   VOCAB_SIZES="5000 20000"  CountVectorizer vocabSize = max_features (one row group each)
#   REPEAT=3                  timed fits per side (median reported)
#   REG_PARAM=0.01            LogisticRegression regParam (C = 1/(regParam·n))
#   MIN_DF=2                  CountVectorizer minDF = min_df
#   MAX_ITER=100              LogisticRegression maxIter = max_iter
#   N_JOBS=                   GOMAXPROCS of the Sluice side (default: all cores)
#   SPAMBENCH=path            use this spambench binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
VOCAB_SIZES=${VOCAB_SIZES:-"5000 20000"}
REPEAT=${REPEAT:-3}
REG_PARAM=${REG_PARAM:-0.01}
MIN_DF=${MIN_DF:-2}
MAX_ITER=${MAX_ITER:-100}

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

$PY -c 'import sklearn, numpy' 2>/dev/null || {
  echo "run.sh: $PY cannot import scikit-learn; apt-get install -y python3-sklearn" >&2
  exit 1
}
if [ ! -s examples/spam/data/spam.jsonl ]; then
  log "fetching the corpus (examples/spam/get-data.sh)"
  examples/spam/get-data.sh >&2
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/spam/out/$STAMP
mkdir -p "$OUT"
if [ -z "${SPAMBENCH:-}" ]; then
  log "building spambench"
  go build -o "$OUT/spambench" ./bench/spam/spambench
  SPAMBENCH=$OUT/spambench
fi
LOAD=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD on $(nproc) cores; wall times will be skewed (compare fit CPU too)"
fi

for v in $VOCAB_SIZES; do
  common=(--vocab-size "$v" --min-df "$MIN_DF" --reg-param "$REG_PARAM" --max-iter "$MAX_ITER" --repeat "$REPEAT")
  log "vocabulary $v: scikit-learn"
  $PY bench/spam/peer.py "${common[@]}" --write-test-ids "$OUT/test_ids.txt" >>"$OUT/results.jsonl" 2>"$OUT/peer-$v.log"
  log "vocabulary $v: Sluice"
  GOMAXPROCS=${N_JOBS:-$(nproc)} "$SPAMBENCH" "${common[@]}" --data examples/spam/data/spam.jsonl \
    --test-ids "$OUT/test_ids.txt" --breakdown >>"$OUT/results.jsonl" 2>"$OUT/sluice-$v.log"
done
$PY bench/spam/compare.py "$OUT/results.jsonl" "$LOAD" | tee "$OUT/results.md"
log "results in $OUT"
