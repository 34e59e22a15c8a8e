#!/usr/bin/env bash
# bench/algos.sh — issue 6's side-by-side benchmarks in one run: ALS on
# MovieLens and at 20M-rating scale (bench/als), KMeans and GaussianMixture
# vs scikit-learn (bench/kmeans, bench/gmm), and the spam TF-IDF +
# LogisticRegression pipeline vs scikit-learn (bench/spam). Each part prints
# a markdown table with ratios and verdicts; this script runs them one after
# the other (never two at once) and collects the tables in
# bench/out/algos-<stamp>.md.
#
#   make bench-algos                 # everything (about 10–20 minutes on 2 cores)
#   PARTS="kmeans gmm" make bench-algos
#
# Each part's own README says what it measures and its variables.
set -uo pipefail
cd "$(dirname "$0")/.."
PARTS=${PARTS:-"als kmeans gmm spam"}
mkdir -p bench/out
OUT=bench/out/algos-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "# Issue 6 benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(go version | cut -d' ' -f3)"
  echo
} >"$OUT"
status=0
for p in $PARTS; do
  script=bench/$p/run.sh
  if [ ! -x "$script" ]; then
    echo "bench/algos.sh: $script is missing" >&2
    status=1
    continue
  fi
  echo "## $p" >>"$OUT"
  echo >>"$OUT"
  echo "bench/algos.sh: running $script (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  if ! "$script" | tee -a "$OUT"; then
    echo "bench/algos.sh: $script failed" >&2
    echo "($script failed; see its output above)" >>"$OUT"
    status=1
  fi
  echo >>"$OUT"
done
echo "bench/algos.sh: tables in $OUT" >&2
exit $status
