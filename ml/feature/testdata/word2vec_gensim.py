#!/usr/bin/python3
"""Peer side of word2vec_bench.sh: gensim's skip-gram with negative
sampling on the corpus TestWord2VecPeerBench wrote, with the params
Sluice's Word2Vec uses (Spark's defaults: vectorSize 100, minCount 5,
windowSize 5, stepSize 0.025 decaying to 0.0001 of it, maxIter 1; 5
negative samples, no subsampling of frequent words).

Needs Debian's python3-gensim (apt-get install -y python3-gensim).
Usage: /usr/bin/python3 word2vec_gensim.py DIR  (writes DIR/gensim.json)
"""
import json
import os
import sys
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import FAST_VERSION


def main(d):
    with open(os.path.join(d, "corpus.txt")) as f:
        sentences = [line.split() for line in f]
    planted = json.load(open(os.path.join(d, "planted.json")))
    group = dict(zip(planted["words"], planted["group"]))
    tokens = sum(len(s) for s in sentences)
    results = []
    for workers in (1, os.cpu_count() or 1):
        start = time.perf_counter()
        m = Word2Vec(sentences, vector_size=100, window=5, min_count=5, sg=1, hs=0, negative=5,
                     sample=0, alpha=0.025, min_alpha=0.025 * 0.0001, epochs=1, workers=workers, seed=1)
        sec = time.perf_counter() - start
        hits, n = 0.0, 0
        for w, g in group.items():
            if w not in m.wv:
                continue
            syn = m.wv.most_similar(w, topn=5)
            hits += sum(1 for s, _ in syn if group.get(s) == g) / 5
            n += 1
        results.append({"system": "gensim %s" % __import__("gensim").__version__, "config": "workers=%d" % workers,
                        "tokens": tokens, "seconds": sec, "words_per_sec": tokens / sec,
                        "precision_at_5": round(hits / max(n, 1), 4), "vocabulary": len(m.wv),
                        "fast_version": FAST_VERSION})
    with open(os.path.join(d, "gensim.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
