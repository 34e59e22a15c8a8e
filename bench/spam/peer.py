#!/usr/bin/python3
"""The scikit-learn side of the spam benchmark (bench/spam/run.sh).

Reads the SpamAssassin corpus examples/spam/get-data.sh wrote, splits it by
the file's split column (a hash of each message id), writes the test ids
for the Sluice side (--write-test-ids), fits TfidfVectorizer +
LogisticRegression on the training messages, scores the test messages and
prints one JSON line with the keys of bench/spam/spambench.

The features match the Sluice pipeline (examples/spam/train.yaml) as far
as the two libraries allow:

  tokens      token_pattern (?a)\\b\\w\\w+\\b after lowercasing: ASCII word
              runs of 2+ characters = RegexTokenizer(pattern \\w+, gaps
              false, minTokenLength 2, toLowercase true)
  stop words  Spark's English list (StopWordsRemover's default), read from
              ml/feature/testdata/text_english_stopwords.txt
  vocabulary  max_features / min_df = CountVectorizer vocabSize / minDF:
              the most frequent terms over the corpus among those in at
              least min_df messages
  weights     smooth idf ln((1+n)/(1+df)) + 1 and L2 row normalization;
              Spark's IDF is ln((m+1)/(df+1)), without the + 1, and the
              Sluice pipeline normalizes with Normalizer(p=2)
  model       LogisticRegression(C = 1/(regParam * n_train), lbfgs,
              max_iter) = Sluice's LogisticRegression(regParam,
              standardization false, maxIter): the same objective, mean log
              loss + regParam/2 * |w|^2 with an unpenalized intercept

fit_s is the wall-clock time of fit_transform + LogisticRegression.fit
(median of --repeat), reading the file excluded; vectorize_s and lr_s
split it. peak_rss_mb is the process's peak resident set.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "examples/spam/data/spam.jsonl"))
    ap.add_argument("--write-test-ids", default="", help="write the test message ids here")
    ap.add_argument("--vocab-size", type=int, default=20000)
    ap.add_argument("--min-df", type=float, default=2)
    ap.add_argument("--reg-param", type=float, default=2e-5)
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    stop = open(os.path.join(ROOT, "ml/feature/testdata/text_english_stopwords.txt")).read().split()
    rows = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    if a.write_test_ids:
        with open(a.write_test_ids, "w") as f:
            for r in test:
                f.write(r["id"] + "\n")
    xtr, ytr = [r["text"] for r in train], np.array([r["label"] for r in train])
    xte, yte = [r["text"] for r in test], np.array([r["label"] for r in test])
    min_df = int(a.min_df) if a.min_df >= 1 else a.min_df
    C = 1.0 / (a.reg_param * len(train))

    fits, vecs, lrs = [], [], []
    for _ in range(max(1, a.repeat)):
        t0 = time.perf_counter()
        vec = TfidfVectorizer(token_pattern=r"(?a)\b\w\w+\b", lowercase=True, stop_words=stop,
                              max_features=a.vocab_size, min_df=min_df, smooth_idf=True, norm="l2")
        X = vec.fit_transform(xtr)
        t1 = time.perf_counter()
        lr = LogisticRegression(C=C, solver="lbfgs", max_iter=a.max_iter)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lr.fit(X, ytr)
        t2 = time.perf_counter()
        fits.append(t2 - t0)
        vecs.append(t1 - t0)
        lrs.append(t2 - t1)
    p = lr.predict_proba(vec.transform(xte))[:, 1]
    out = {
        "side": "scikit-learn",
        "version": sklearn.__version__,
        "train_rows": len(train),
        "test_rows": len(test),
        "features": len(vec.vocabulary_),
        "fit_s": statistics.median(fits),
        "fit_s_all": fits,
        "vectorize_s": statistics.median(vecs),
        "lr_s": statistics.median(lrs),
        "accuracy": float(accuracy_score(yte, (p > 0.5).astype(float))),
        "auc": float(roc_auc_score(yte, p)),
        "iterations": int(lr.n_iter_[0]),
        "C": C,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": 1,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
