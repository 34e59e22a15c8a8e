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
  model       LogisticRegression(lbfgs, max_iter) = Sluice's (and Spark's)
              LogisticRegression(regParam, maxIter): the same objective,
              mean log loss + regParam/2 * |w|^2 with an unpenalized
              intercept, so C = 1/(regParam * n_train). With
              standardization (Spark's default, --standardization 1) the
              penalty applies to the coefficients of the features scaled to
              unit standard deviation; the peer scales them with
              StandardScaler(with_mean=False) first. StandardScaler divides
              by the population deviation (ddof 0), Spark by the sample one
              (ddof 1), so C is corrected by (n-1)/n to give the same
              optimum.

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
import warnings

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "examples/spam/data/spam.jsonl"))
    ap.add_argument("--write-test-ids", default="", help="write the test message ids here")
    ap.add_argument("--vocab-size", type=int, default=20000)
    ap.add_argument("--min-df", type=float, default=2)
    ap.add_argument("--reg-param", type=float, default=0.01)
    ap.add_argument("--standardization", type=int, default=1)
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
    n = len(train)
    C = 1.0 / (a.reg_param * n)
    if a.standardization:
        C *= (n - 1) / n

    fits, vecs, lrs, cpus = [], [], [], []
    for _ in range(max(1, a.repeat)):
        c0 = time.process_time()
        t0 = time.perf_counter()
        vec = TfidfVectorizer(token_pattern=r"(?a)\b\w\w+\b", lowercase=True, stop_words=stop,
                              max_features=a.vocab_size, min_df=min_df, smooth_idf=True, norm="l2")
        X = vec.fit_transform(xtr)
        if a.standardization:
            scaler = StandardScaler(with_mean=False)
            X = scaler.fit_transform(X)
        t1 = time.perf_counter()
        lr = LogisticRegression(C=C, solver="lbfgs", max_iter=a.max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lr.fit(X, ytr)
        t2 = time.perf_counter()
        cpus.append(time.process_time() - c0)
        fits.append(t2 - t0)
        vecs.append(t1 - t0)
        lrs.append(t2 - t1)
    Xte = vec.transform(xte)
    if a.standardization:
        Xte = scaler.transform(Xte)
    p = lr.predict_proba(Xte)[:, 1]
    out = {
        "side": "scikit-learn",
        "version": sklearn.__version__,
        "train_rows": len(train),
        "test_rows": len(test),
        "features": len(vec.vocabulary_),
        "fit_s": statistics.median(fits),
        "fit_cpu_s": cpus[sorted(range(len(fits)), key=fits.__getitem__)[len(fits) // 2]],
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
