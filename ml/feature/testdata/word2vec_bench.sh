#!/usr/bin/env bash
# Side-by-side Word2Vec benchmark: Sluice's Word2Vec against gensim's
# skip-gram with negative sampling (Debian's python3-gensim) on one
# synthetic corpus with planted synonym groups (50 groups of 10 words
# sharing context words, in sentences padded with Zipf background words).
# Prints a markdown table: fit time, words/s, planted-synonym precision@5
# and the time ratio against gensim with the same parallelism.
#
#   bash ml/feature/testdata/word2vec_bench.sh [SENTENCES]   # default 200000 (~2.5M words)
#
# Run from the repository root. Installs python3-gensim when it is
# missing (needs root).
set -euo pipefail
sentences=${1:-200000}
if ! /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
	apt-get install -y python3-gensim >/dev/null
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
SLUICE_W2V_BENCH_DIR=$dir SLUICE_W2V_BENCH_SENTENCES=$sentences \
	go test -count=1 -run '^TestWord2VecPeerBench$' -timeout 60m ./ml/feature/ >/dev/null
/usr/bin/python3 "$(dirname "$0")/word2vec_gensim.py" "$dir" >/dev/null
/usr/bin/python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
s = json.load(open(os.path.join(d, "sluice.json")))
g = json.load(open(os.path.join(d, "gensim.json")))
print("| system | config | words | vocabulary | fit s | words/s | precision@5 | time vs gensim |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for i, r in enumerate(s + g):
    peer = g[i % len(g)] if i < len(s) else r
    print("| %s | %s | %d | %d | %.2f | %.0f | %.3f | %.2f× |" % (
        r["system"], r["config"], r["tokens"], r["vocabulary"], r["seconds"], r["words_per_sec"],
        r["precision_at_5"], r["seconds"] / peer["seconds"]))
PY
