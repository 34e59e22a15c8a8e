#!/usr/bin/python3
"""Generate ranking_reference.json for the RankingEvaluator tests.

Run with Debian's interpreter (numpy and python3-sklearn are installed for it):

    /usr/bin/python3 ml/evaluation/testdata/ranking_gen_reference.py > ml/evaluation/testdata/ranking_reference.json

"spark" holds random queries (predicted rankings with occasional duplicate
items, label sets with duplicates and some empty) and every metric computed
here from Spark 3.x RankingMetrics' definitions, written out independently:

  precisionAt(k)   = mean_q |{i < min(k, len p): p_i in L}| / k
  recallAt(k)      = mean_q |{i < min(k, len p): p_i in L}| / |L|
  MAP              = mean_q sum_{i: p_i in L} hits(i)/(i+1) / |L|
  MAP@k            = mean_q sum_{i < k: p_i in L} hits(i)/(i+1) / min(|L|, k)
  ndcgAt(k)        = mean_q DCG/IDCG over n = min(max(len p, |L|), k) positions
with L the set of labels and 0 for a query with an empty L.

"sklearn" cross-checks ndcgAt(k) with sklearn.metrics.ndcg_score on full
rankings (every item scored, binary relevance, non-empty label sets), where
the two definitions coincide.
"""
import json

import numpy as np
from sklearn.metrics import ndcg_score


def metrics(preds, labels, k):
    prec, rec, ap, apk, ndcg = [], [], [], [], []
    for p, l in zip(preds, labels):
        L = set(l)
        if not L:
            for m in (prec, rec, ap, apk, ndcg):
                m.append(0.0)
            continue
        top = p[:k]
        hits = sum(1 for x in top if x in L)
        prec.append(hits / k)
        rec.append(hits / len(L))

        def avg_prec(limit):
            h, s = 0, 0.0
            for i, x in enumerate(p[:limit]):
                if x in L:
                    h += 1
                    s += h / (i + 1)
            return s / min(len(L), limit)

        ap.append(avg_prec(max(len(p), len(L))))
        apk.append(avg_prec(k))
        n = min(max(len(p), len(L)), k)
        dcg = sum(1 / np.log(i + 2) for i in range(n) if i < len(p) and p[i] in L)
        idcg = sum(1 / np.log(i + 2) for i in range(min(n, len(L))))
        ndcg.append(dcg / idcg)
    return {
        "precisionAtK": float(np.mean(prec)), "recallAtK": float(np.mean(rec)),
        "meanAveragePrecision": float(np.mean(ap)), "meanAveragePrecisionAtK": float(np.mean(apk)),
        "ndcgAtK": float(np.mean(ndcg)),
    }


def main():
    rng = np.random.default_rng(11)
    preds, labels = [], []
    for q in range(60):
        n = int(rng.integers(0, 16))
        p = [int(x) for x in rng.choice(30, size=n, replace=False)]
        if q % 9 == 0 and n > 2:
            p[-1] = p[0]  # a duplicate in the ranking
        m = int(rng.integers(0, 9)) if q % 7 else 0
        l = [int(x) for x in rng.integers(0, 30, size=m)]  # may repeat
        preds.append(p)
        labels.append(l)
    spark = []
    for k in (1, 3, 5, 10, 20):
        spark.append({"k": k, "metrics": metrics(preds, labels, k)})

    # Full rankings of 12 items for sklearn's ndcg_score.
    items = 12
    scores = rng.random((25, items))
    rel = (rng.random((25, items)) < 0.3).astype(int)
    rel[rel.sum(axis=1) == 0, 0] = 1
    full_preds = [[int(i) for i in np.argsort(-s, kind="stable")] for s in scores]
    full_labels = [[int(i) for i in np.flatnonzero(r)] for r in rel]
    sk = []
    for k in (1, 4, 12):
        sk.append({"k": k, "ndcgAtK": float(ndcg_score(rel, scores, k=k)),
                   "spark": metrics(full_preds, full_labels, k)["ndcgAtK"]})
    print(json.dumps({"preds": preds, "labels": labels, "spark": spark,
                      "fullPreds": full_preds, "fullLabels": full_labels, "sklearn": sk}, indent=1))


if __name__ == "__main__":
    main()
