#!/usr/bin/python3
"""Generate reference.json for the ml/stat Go tests.

Run with Debian's interpreter (numpy, scipy and pandas are installed for it):

    /usr/bin/python3 ml/stat/testdata/gen_reference.py > ml/stat/testdata/reference.json

* summarizer: Spark's Summarizer metrics computed with numpy. Rows with
  weight 0 are skipped entirely (Spark's SummarizerBuffer.add returns early),
  so count, numNonZeros, min and max ignore them. variance is Spark's
  unbiased weighted variance sum(w*(x-mean)^2) / (W - sum(w^2)/W), which is
  numpy's var(ddof=1) for unit weights. normL1 = sum(w*|x|), normL2 =
  sqrt(sum(w*x^2)), sum = sum(w*x).
* correlation: numpy.corrcoef (pearson) and scipy.stats.spearmanr (average
  ranks for ties), on columns with ties and without constant columns (Spark
  puts 1 on the diagonal of a constant column where numpy gives NaN; the Go
  tests check that case by hand).
* chi_square: per feature, scipy.stats.chi2_contingency of the feature's
  value x label contingency table with correction=False (Spark applies no
  Yates correction); a constant feature has 0 degrees of freedom, statistic
  0 and p-value 1 in both.
"""
import json
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import stats

SEED = 20261122


def summary(X, w):
    keep = w > 0
    Xk, wk = X[keep], w[keep]
    W = wk.sum()
    mean = (wk[:, None] * Xk).sum(axis=0) / W
    m2 = (wk[:, None] * (Xk - mean) ** 2).sum(axis=0)
    var = m2 / (W - (wk ** 2).sum() / W)
    return {
        "count": int(keep.sum()),
        "weight_sum": float(W),
        "mean": mean.tolist(),
        "variance": var.tolist(),
        "std": np.sqrt(var).tolist(),
        "min": Xk.min(axis=0).tolist(),
        "max": Xk.max(axis=0).tolist(),
        "num_non_zeros": (Xk != 0).sum(axis=0).tolist(),
        "norm_l1": (wk[:, None] * np.abs(Xk)).sum(axis=0).tolist(),
        "norm_l2": np.sqrt((wk[:, None] * Xk ** 2).sum(axis=0)).tolist(),
        "sum": (wk[:, None] * Xk).sum(axis=0).tolist(),
    }


def summarizer_cases(rng):
    n, d = 200, 5
    X = np.round(rng.normal(1.0, 2.0, size=(n, d)), 2)
    X[rng.random((n, d)) < 0.4] = 0.0  # many zeros: sparse rows and numNonZeros
    X[:, 3] = -np.abs(X[:, 3])  # non-positive column: max is 0 through implicit zeros
    X[:, 4] = 0.0
    X[::7, 4] = 3.0
    w = np.round(rng.uniform(0.0, 2.0, size=n), 2)
    w[rng.random(n) < 0.1] = 0.0
    return [
        {"name": "unweighted", "x": X.tolist(), "weights": None, "want": summary(X, np.ones(n))},
        {"name": "weighted", "x": X.tolist(), "weights": w.tolist(), "want": summary(X, w)},
    ]


def correlation_cases(rng):
    n = 150
    a = rng.normal(size=n)
    X = np.column_stack([
        a,
        np.round(a + rng.normal(scale=0.5, size=n), 0),  # heavy ties
        rng.integers(0, 4, size=n).astype(float),  # categorical-like ties
        np.exp(a) + rng.normal(scale=0.1, size=n),  # monotone, non-linear
    ])
    rho = stats.spearmanr(X).correlation
    return [{
        "name": "ties",
        "x": X.tolist(),
        "pearson": np.corrcoef(X, rowvar=False).tolist(),
        "spearman": np.asarray(rho).tolist(),
    }]


def chi_square_cases(rng):
    n = 300
    label = rng.integers(0, 3, size=n).astype(float)
    f0 = (label + rng.integers(0, 2, size=n)) % 4  # depends on the label
    f1 = rng.integers(0, 3, size=n)  # independent
    f2 = np.full(n, 5.0)  # constant: df 0
    f3 = np.where(rng.random(n) < 0.5, 1.5, -2.0)  # two non-integer values
    X = np.column_stack([f0, f1, f2, f3]).astype(float)
    p, dof, stat = [], [], []
    for j in range(X.shape[1]):
        table = pd.crosstab(X[:, j], label).to_numpy()
        s, pv, df, _ = stats.chi2_contingency(table, correction=False)
        p.append(float(pv))
        dof.append(int(df))
        stat.append(float(s))
    return [{"name": "mixed", "x": X.tolist(), "label": label.tolist(),
             "p_values": p, "degrees_of_freedom": dof, "statistics": stat}]


def main():
    rng = np.random.default_rng(SEED)
    ref = {
        "generator": "gen_reference.py",
        "seed": SEED,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "summarizer": summarizer_cases(rng),
        "correlation": correlation_cases(rng),
        "chi_square": chi_square_cases(rng),
    }
    json.dump(ref, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
