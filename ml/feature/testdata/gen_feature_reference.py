#!/usr/bin/python3
"""Reference values for ml/feature's tests (feature_reference_test.go).

Run from the repository root with the system Python, which has
scikit-learn 1.2, numpy, scipy and pandas:

    /usr/bin/python3 ml/feature/testdata/gen_feature_reference.py

It writes ml/feature/testdata/feature_reference.json. Every section says
where Spark (which Sluice follows) and scikit-learn differ; where they do,
the "spark" values are computed here with numpy from Spark's definition and
the scikit-learn values are kept alongside, so the difference stays
visible.

Spark's approxQuantile on small data (an exact summary) returns the
element of rank ceil(q*n) of the sorted values: numpy's
method="inverted_cdf". scikit-learn interpolates linearly between ranks
(numpy's default), so quantile-based values agree only when q*(n-1) is a
whole number.
"""

import json
import os
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd
import sklearn
from scipy.stats import chi2_contingency
from sklearn.decomposition import PCA
from sklearn.feature_selection import (
    SelectFdr,
    SelectFpr,
    SelectFwe,
    VarianceThreshold,
    chi2,
    f_classif,
    f_regression,
)
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    RobustScaler,
)


def tolist(a):
    return np.asarray(a, dtype=float).tolist()


def spark_quantile(x, q, rel_err=0.001):
    """Spark's approxQuantile with an exact summary."""
    s = np.sort(np.asarray(x, dtype=float))
    if q <= rel_err:
        return float(s[0])
    if q >= 1 - rel_err:
        return float(s[-1])
    return float(np.quantile(s, q, method="inverted_cdf"))


out = {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__}

# --- MinMaxScaler ----------------------------------------------------------
# Feature 2 is constant. scikit-learn maps a constant feature to the lower
# end of the range; Spark maps it to 0.5*(max+min). Other features agree.
X = np.array([[1, -2, 5], [3, 0, 5], [2, 4, 5], [7, 1, 5], [4, -1, 5]], dtype=float)
mm = {"x": tolist(X), "cases": []}
for lo, hi in [(0.0, 1.0), (-1.0, 2.0)]:
    sk = MinMaxScaler(feature_range=(lo, hi)).fit_transform(X)
    spark = sk.copy()
    spark[:, 2] = 0.5 * (lo + hi)
    mm["cases"].append({"min": lo, "max": hi, "sklearn": tolist(sk), "spark": tolist(spark)})
out["minmax"] = mm

# --- MaxAbsScaler (same definition in both) ---------------------------------
X = np.array([[1, -8, 0], [-3, 4, 0], [2, 2, 0], [0.5, -1, 0]], dtype=float)
out["maxabs"] = {"x": tolist(X), "sklearn": tolist(MaxAbsScaler().fit_transform(X))}

# --- RobustScaler ----------------------------------------------------------
# n = 5: q*(n-1) is whole for q in {0.25, 0.5, 0.75}, so Spark's rank rule
# and scikit-learn's interpolation agree; the test compares to sklearn.
X5 = np.array([[1, 10], [2, -4], [9, 0], [4, 3], [5, 100]], dtype=float)
rs = RobustScaler(with_centering=True, with_scaling=True).fit(X5)
robust = {
    "x5": tolist(X5),
    "x5_sklearn_center": tolist(rs.center_),
    "x5_sklearn_scale": tolist(rs.scale_),
    "x5_sklearn": tolist(rs.transform(X5)),
}
# n = 8: they differ; "spark" follows the rank rule.
X8 = np.array([[1, 3], [2, 1], [3, 4], [4, 1], [5, 5], [6, 9], [7, 2], [100, 6]], dtype=float)
rs8 = RobustScaler(with_centering=True).fit(X8)
med = [spark_quantile(X8[:, j], 0.5) for j in range(2)]
rng = [spark_quantile(X8[:, j], 0.75) - spark_quantile(X8[:, j], 0.25) for j in range(2)]
robust.update({
    "x8": tolist(X8),
    "x8_spark_median": med,
    "x8_spark_range": rng,
    "x8_spark": tolist((X8 - np.array(med)) / np.array(rng)),
    "x8_sklearn_center": tolist(rs8.center_),
    "x8_sklearn_scale": tolist(rs8.scale_),
})
out["robust"] = robust

# --- Normalizer ------------------------------------------------------------
X = np.array([[3, -4, 0], [1, 1, 1], [-2, 0.5, 7], [0, 0, 0]], dtype=float)
norm = {"x": tolist(X)}
for name, p in [("l1", 1.0), ("l2", 2.0), ("max", "inf")]:
    norm[name] = {"p": p, "sklearn": tolist(Normalizer(norm=name).fit_transform(X))}
n3 = np.sum(np.abs(X) ** 3, axis=1) ** (1 / 3)
n3[n3 == 0] = 1
norm["p3"] = {"p": 3.0, "numpy": tolist(X / n3[:, None])}
out["normalizer"] = norm

# --- Imputer ---------------------------------------------------------------
# Column a has 5 present values (odd), so the medians agree. Column b has 4
# (even): scikit-learn averages the two middle values, Spark takes the
# lower one (rank ceil(0.5*n)). Mode ties go to the smallest value in both.
nan = float("nan")
a = [1.0, nan, 3.0, 3.0, 10.0, nan, 4.0]
b = [2.0, 8.0, nan, 4.0, nan, 1.0, nan]
X = np.array([a, b]).T
imp = {"a": [None if np.isnan(v) else v for v in a], "b": [None if np.isnan(v) else v for v in b]}
for strat in ["mean", "median", "most_frequent"]:
    imp[strat] = tolist(SimpleImputer(strategy=strat).fit(X).statistics_)
imp["spark_median"] = [spark_quantile(np.array(c)[~np.isnan(c)], 0.5) for c in (a, b)]
out["imputer"] = imp

# --- QuantileDiscretizer ----------------------------------------------------
# Spark: splits are the quantiles i/numBuckets (rank rule), outer ones
# replaced by -inf/+inf, duplicates removed. KBinsDiscretizer interpolates
# and keeps min/max as outer edges, so its edges differ; kept for reference.
x = np.array([5, 1, 9, 3, 3, 7, 2, 8, 6, 4, 10, 0], dtype=float)
qd = {"x": tolist(x), "cases": []}
for nb in [2, 3, 4]:
    s = [spark_quantile(x, i / nb) for i in range(nb + 1)]
    s[0], s[-1] = -np.inf, np.inf
    s = sorted(set(s))
    inner = np.array(s[1:-1])
    buckets = np.searchsorted(inner, x, side="right")  # [s_i, s_{i+1})
    kb = KBinsDiscretizer(n_bins=nb, encode="ordinal", strategy="quantile").fit(x[:, None])
    qd["cases"].append({
        "num_buckets": nb,
        "spark_inner_splits": tolist(inner),
        "spark_buckets": tolist(buckets),
        "sklearn_edges": tolist(kb.bin_edges_[0]),
        "sklearn_buckets": tolist(kb.transform(x[:, None])[:, 0]),
    })
out["quantile_discretizer"] = qd


# --- PolynomialExpansion ----------------------------------------------------
# scikit-learn orders terms by degree; Spark by its recursion
# f([a..c], d) = f([a..b], d) ++ f([a..b], d-1)*c ++ ... ++ c^d.
# The values come from sklearn, reordered into Spark's order via powers_.
def spark_order(n, d):
    """Exponent tuples in Spark's order (without the constant term)."""

    def rec(k, deg):  # monomials of the first k features with degree <= deg
        if k == 0:
            return [()]
        res = []
        for i in range(deg + 1):
            res += [t + (i,) for t in rec(k - 1, deg - i)]
        return res

    return [t for t in rec(n, d) if sum(t) > 0]


X = np.array([[2, 3, 0], [-1, 0.5, 4]], dtype=float)
poly = {"x": tolist(X), "cases": []}
for d in [2, 3]:
    pf = PolynomialFeatures(degree=d, include_bias=False).fit(X)
    vals = pf.transform(X)
    col = {tuple(p): j for j, p in enumerate(pf.powers_)}
    order = spark_order(X.shape[1], d)
    poly["cases"].append({
        "degree": d,
        "spark_powers": [list(t) for t in order],
        "spark": tolist(vals[:, [col[t] for t in order]]),
    })
out["polynomial"] = poly

# --- UnivariateFeatureSelector ---------------------------------------------
# categorical/categorical: Spark runs Pearson's chi-squared independence
# test on the contingency table of feature value x label (scipy's
# chi2_contingency, no continuity correction). scikit-learn's chi2 instead
# treats features as counts, a different statistic; kept for reference.
rng_ = np.random.default_rng(7)
y_cat = np.array([0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1])
Xc = np.array([
    y_cat,                                        # depends on y
    rng_.integers(0, 2, size=len(y_cat)),         # noise
    (y_cat == 2).astype(int),                     # partly
    rng_.integers(0, 3, size=len(y_cat)),         # noise
], dtype=float).T
chi = {"x": tolist(Xc), "y": tolist(y_cat), "stat": [], "p": [], "dof": []}
for j in range(Xc.shape[1]):
    tab = pd.crosstab(Xc[:, j], y_cat).to_numpy()
    st, p, dof, _ = chi2_contingency(tab, correction=False)
    chi["stat"].append(float(st))
    chi["p"].append(float(p))
    chi["dof"].append(int(dof))
chi["sklearn_chi2_stat"] = tolist(chi2(Xc, y_cat)[0])
out["chi2"] = chi

# continuous/categorical: ANOVA F (sklearn's f_classif, same as Spark).
Xf = np.column_stack([
    y_cat * 1.5 + rng_.normal(0, 1, len(y_cat)),
    rng_.normal(0, 1, len(y_cat)),
    y_cat * 0.3 + rng_.normal(0, 1, len(y_cat)),
    rng_.normal(5, 2, len(y_cat)),
    y_cat * 3.0 + rng_.normal(0, 0.5, len(y_cat)),
])
F, p = f_classif(Xf, y_cat)
anova = {"x": tolist(Xf), "y": tolist(y_cat), "f": tolist(F), "p": tolist(p)}
for name, sel in [("fpr", SelectFpr(f_classif, alpha=0.05)),
                  ("fdr", SelectFdr(f_classif, alpha=0.05)),
                  ("fwe", SelectFwe(f_classif, alpha=0.05))]:
    anova["sklearn_" + name] = np.flatnonzero(sel.fit(Xf, y_cat).get_support()).tolist()
order = sorted(range(len(p)), key=lambda j: (p[j], j))
anova["spark_top2"] = sorted(order[:2])
anova["spark_percentile_0.5"] = sorted(order[: int(len(p) * 0.5)])
out["anova"] = anova

# continuous/continuous: F-value regression (sklearn's f_regression, same
# as Spark's FValueTest).
y_reg = Xf[:, 0] * 2 + rng_.normal(0, 1, len(y_cat))
F, p = f_regression(Xf, y_reg)
out["fregression"] = {"x": tolist(Xf), "y": tolist(y_reg), "f": tolist(F), "p": tolist(p)}

# --- VarianceThresholdSelector ----------------------------------------------
# Spark uses the sample variance (n-1); scikit-learn's VarianceThreshold the
# population variance (n). Selection (variance > threshold) can differ near
# the threshold; here threshold 1.0 separates them on feature 1.
X = np.array([[1, 0, 3, 7], [2, 2, 3, 7.5], [3, 0, 3, 7], [4, 2, 3, 7.5]], dtype=float)
vt = VarianceThreshold(threshold=1.0).fit(X)
var1 = np.var(X, axis=0, ddof=1)
out["variance"] = {
    "x": tolist(X),
    "threshold": 1.0,
    "sample_variance": tolist(var1),
    "spark_selected": np.flatnonzero(var1 > 1.0).tolist(),
    "sklearn_variances": tolist(vt.variances_),
    "sklearn_selected": np.flatnonzero(vt.get_support()).tolist(),
}

# --- PCA ----------------------------------------------------------------------
# Explained variance ratios agree with scikit-learn. Components agree up to
# sign. Spark's PCAModel projects the raw (uncentered) vectors, so the
# expected projection is X @ components.T, not sklearn's transform.
X = np.array([
    [2.5, 2.4, 0.5, 1.0], [0.5, 0.7, 1.5, 0.0], [2.2, 2.9, 0.2, 1.1], [1.9, 2.2, 0.9, 0.4],
    [3.1, 3.0, 0.1, 1.5], [2.3, 2.7, 0.8, 0.9], [2.0, 1.6, 1.1, 0.2], [1.0, 1.1, 1.9, 0.1],
    [1.5, 1.6, 1.2, 0.6], [1.1, 0.9, 1.7, 0.3],
])
pca = PCA(n_components=2, svd_solver="full").fit(X)
full = PCA(svd_solver="full").fit(X)
out["pca"] = {
    "x": tolist(X),
    "k": 2,
    "explained_variance_ratio": tolist(pca.explained_variance_ratio_),
    "all_explained_variance_ratio": tolist(full.explained_variance_ratio_),
    "components": tolist(pca.components_),
    "spark_projection": tolist(X @ pca.components_.T),
}

# --- churn (real data) ---------------------------------------------------------
# /work/shared/data/churn/mlc_churn.csv, 5,000 rows. Numeric predictors and
# the three categorical ones; label churn (yes = 1). Checks at scale:
# f_classif and chi-squared selections, MinMaxScaler, PCA explained variance
# on the min-max scaled numerics, QuantileDiscretizer splits (rank rule).
CHURN = "/work/shared/data/churn/mlc_churn.csv"
if os.path.exists(CHURN):
    df = pd.read_csv(CHURN)
    num_cols = [c for c in df.columns if c not in ("state", "area_code", "international_plan", "voice_mail_plan", "churn")]
    cat_cols = ["area_code", "international_plan", "voice_mail_plan"]
    y = (df["churn"] == "yes").astype(int).to_numpy()
    Xn = df[num_cols].to_numpy(dtype=float)
    F, p = f_classif(Xn, y)
    top5 = sorted(sorted(range(len(p)), key=lambda j: (p[j], j))[:5])
    cat_p = []
    for c in cat_cols:
        cat_p.append(float(chi2_contingency(pd.crosstab(df[c], y).to_numpy(), correction=False)[1]))
    scaled = MinMaxScaler().fit_transform(Xn)
    pca_c = PCA(n_components=3, svd_solver="full").fit(scaled)
    tdm = df["total_day_minutes"].to_numpy(dtype=float)
    splits = sorted(set([-np.inf] + [spark_quantile(tdm, i / 5) for i in range(1, 5)] + [np.inf]))
    out["churn"] = {
        "numeric_columns": num_cols,
        "categorical_columns": cat_cols,
        "f_classif_p": tolist(p),
        "f_classif_top5": top5,
        "sklearn_fpr_0.01": np.flatnonzero(SelectFpr(f_classif, alpha=0.01).fit(Xn, y).get_support()).tolist(),
        "chi2_p": cat_p,
        "minmax_row1": tolist(scaled[0]),
        "minmax_row5000": tolist(scaled[-1]),
        "pca_ratio": tolist(pca_c.explained_variance_ratio_),
        "day_minutes_splits_5": tolist(splits[1:-1]),
    }

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "feature_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
    f.write("\n")
print("wrote", path)
