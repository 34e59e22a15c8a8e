#!/usr/bin/python3
"""Generate reference.json for the ml/evaluation Go tests.

Run with Debian's interpreter (python3-sklearn is installed for it):

    /usr/bin/python3 ml/evaluation/testdata/gen_reference.py > ml/evaluation/testdata/reference.json

Where Spark ML and scikit-learn define a metric the same way, the value comes
from scikit-learn. Where they differ, the value is computed here with numpy
following Spark's definition, and the key says so ("spark_..."):

* ROC AUC: Spark's areaUnderROC (one point per distinct score, trapezoids,
  (0,0) and (1,1) added) equals sklearn.metrics.roc_auc_score.
* PR AUC: Spark's areaUnderPR integrates (recall, precision) with the
  trapezoidal rule starting at (0, precision of the first point).
  sklearn.metrics.average_precision_score is a step-function sum starting at
  (0, 1), so it is NOT comparable; spark_pr_auc below is computed here.
  (sklearn's value is stored as sklearn_average_precision for information.)
* Multiclass: accuracy, hamming loss, per-class precision/recall/F-beta and
  the "weighted" averages coincide with sklearn (average="weighted" weighs
  by weighted support, as Spark weighs by label weight fraction). Per-class
  false positive rate has no sklearn function and is computed here.
* Log loss: Spark clips to [eps, 1-eps] and does not renormalize rows;
  sklearn renormalizes. The probability rows here sum to 1 and stay away
  from 0 and 1, so the two coincide.
* Binary with numBins: Spark down-samples the curve when there are at
  least 2 * numBins distinct scores (spark_downsample below, one partition);
  the binned areas are computed here.
* Regression: MSE, RMSE, MAE coincide with sklearn (weighted too). R2
  coincides with sklearn's r2_score only for unit weights: Spark's SStot is
  variance * (sum(w) - 1) with the weighted sample variance
  M2 / (sum(w) - sum(w^2)/sum(w)), so weighted R2 is computed here
  (spark_r2). Spark's explainedVariance ("var") is sum(w*(pred - mean(y))^2)
  / sum(w), not sklearn's explained_variance_score; it is computed here.
"""
import json
import sys

import numpy as np
from sklearn import metrics

SEED = 20261121


def spark_binary_points(scores, labels, weights):
    """Cumulative (tp, fp) per distinct score, descending, as Spark."""
    order = np.argsort(-scores, kind="mergesort")
    s, y, w = scores[order], labels[order], weights[order]
    tp = np.cumsum(w * y)
    fp = np.cumsum(w * (1 - y))
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each tie group
    return s[last], tp[last], fp[last]


def spark_downsample(s, tp, fp, num_bins):
    """Spark's numBins rule on one partition: runs of d // num_bins distinct
    scores merge into their last (lowest) score; cumulative counts make
    that keeping each run's last point (and the very last point)."""
    grouping = len(s) // num_bins if num_bins > 0 else 0
    if grouping < 2:
        return s, tp, fp
    keep = list(range(grouping - 1, len(s), grouping))
    if keep[-1] != len(s) - 1:
        keep.append(len(s) - 1)
    return s[keep], tp[keep], fp[keep]


def spark_roc_auc(scores, labels, weights, num_bins=0):
    s, tp, fp = spark_downsample(*spark_binary_points(scores, labels, weights), num_bins)
    x = np.r_[0.0, fp / fp[-1], 1.0]
    y = np.r_[0.0, tp / tp[-1], 1.0]
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))


def spark_pr_auc(scores, labels, weights, num_bins=0):
    _, tp, fp = spark_downsample(*spark_binary_points(scores, labels, weights), num_bins)
    recall = tp / tp[-1]
    with np.errstate(invalid="ignore"):
        precision = np.where(tp + fp == 0, 1.0, tp / (tp + fp))
    x = np.r_[0.0, recall]
    y = np.r_[precision[0], precision]
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))


def binary_case(name, rng, n, weighted):
    scores = np.round(rng.normal(size=n), 1)  # coarse rounding -> many ties
    labels = (rng.random(n) < 1 / (1 + np.exp(-1.5 * scores))).astype(float)
    if weighted:
        weights = np.round(rng.uniform(0.0, 3.0, size=n), 2)
        weights[rng.random(n) < 0.05] = 0.0
    else:
        weights = np.ones(n)
    fpr, tpr, thr = metrics.roc_curve(labels, scores, sample_weight=weights, drop_intermediate=False)
    return {
        "name": name,
        "scores": scores.tolist(),
        "labels": labels.tolist(),
        "weights": weights.tolist() if weighted else None,
        "roc_auc": float(metrics.roc_auc_score(labels, scores, sample_weight=weights)),
        # sklearn's curve: (0,0) then one point per distinct score; thr[0] is a sentinel.
        "roc_fpr": fpr.tolist(),
        "roc_tpr": tpr.tolist(),
        "roc_thresholds": thr[1:].tolist(),
        "spark_pr_auc": spark_pr_auc(scores, labels, weights),
        # BinaryClassificationEvaluator with numBins > 0 (Spark's down-sampling).
        "spark_binned": [
            {"num_bins": b, "roc_auc": spark_roc_auc(scores, labels, weights, b),
             "pr_auc": spark_pr_auc(scores, labels, weights, b),
             "thresholds": len(spark_downsample(*spark_binary_points(scores, labels, weights), b)[0])}
            for b in (5, 10, 20, 1000)],
        "sklearn_average_precision": float(
            metrics.average_precision_score(labels, scores, sample_weight=weights)),
    }


def multiclass_case(name, rng, n, weighted):
    k = 4
    labels = rng.integers(0, k, size=n).astype(float)
    probs = rng.dirichlet(np.ones(k) * 2, size=n)
    probs[np.arange(n), labels.astype(int)] += 0.5  # make the model informative
    probs /= probs.sum(axis=1, keepdims=True)
    probs = np.clip(probs, 1e-6, None)
    probs /= probs.sum(axis=1, keepdims=True)
    preds = probs.argmax(axis=1).astype(float)
    preds[rng.random(n) < 0.03] = 7.0  # a predicted value that is never a label
    if weighted:
        weights = np.round(rng.uniform(0.0, 3.0, size=n), 2)
        weights[rng.random(n) < 0.05] = 0.0
    else:
        weights = np.ones(n)
    classes = [0.0, 1.0, 2.0, 3.0]
    out = {
        "name": name,
        "predictions": preds.tolist(),
        "labels": labels.tolist(),
        "weights": weights.tolist() if weighted else None,
        "probabilities": probs.tolist(),
        "classes": classes,
        "accuracy": float(metrics.accuracy_score(labels, preds, sample_weight=weights)),
        "hamming_loss": float(metrics.hamming_loss(labels, preds, sample_weight=weights)),
        "log_loss": float(metrics.log_loss(labels, probs, sample_weight=weights, labels=[0, 1, 2, 3])),
    }
    for beta in (1.0, 0.5):
        p, r, f, _ = metrics.precision_recall_fscore_support(
            labels, preds, beta=beta, labels=classes, average=None, sample_weight=weights, zero_division=0)
        wp, wr, wf, _ = metrics.precision_recall_fscore_support(
            labels, preds, beta=beta, average="weighted", sample_weight=weights, zero_division=0)
        key = "beta%g" % beta
        out[key] = {
            "beta": beta,
            "precision": p.tolist(), "recall": r.tolist(), "f": f.tolist(),
            "weighted_precision": float(wp), "weighted_recall": float(wr), "weighted_f": float(wf),
        }
    fpr = []
    for c in classes:
        neg = labels != c
        fpr.append(float(np.sum(weights[neg & (preds == c)]) / np.sum(weights[neg])))
    out["spark_fpr"] = fpr
    frac = np.array([np.sum(weights[labels == c]) for c in classes]) / np.sum(weights)
    out["spark_weighted_fpr"] = float(np.dot(fpr, frac))
    return out


def regression_case(name, rng, n, weighted):
    labels = rng.normal(3.0, 2.0, size=n)
    preds = labels * 0.8 + rng.normal(0.5, 1.0, size=n)
    if weighted:
        weights = np.round(rng.uniform(0.0, 3.0, size=n), 2)
        weights[rng.random(n) < 0.05] = 0.0
    else:
        weights = np.ones(n)
    W = weights.sum()
    mean = np.dot(weights, labels) / W
    m2 = np.dot(weights, (labels - mean) ** 2)
    ss_tot = m2 / (W - np.dot(weights, weights) / W) * (W - 1)
    ss_err = np.dot(weights, (labels - preds) ** 2)
    return {
        "name": name,
        "predictions": preds.tolist(),
        "labels": labels.tolist(),
        "weights": weights.tolist() if weighted else None,
        "mse": float(metrics.mean_squared_error(labels, preds, sample_weight=weights)),
        "rmse": float(np.sqrt(metrics.mean_squared_error(labels, preds, sample_weight=weights))),
        "mae": float(metrics.mean_absolute_error(labels, preds, sample_weight=weights)),
        "sklearn_r2": float(metrics.r2_score(labels, preds, sample_weight=weights)),
        "spark_r2": float(1 - ss_err / ss_tot),
        "spark_explained_variance": float(np.dot(weights, (preds - mean) ** 2) / W),
        # RegressionEvaluator throughOrigin=true: 1 - SSerr / sum(w * y^2).
        "spark_r2_through_origin": float(1 - ss_err / np.dot(weights, labels ** 2)),
        "sklearn_explained_variance_score": float(
            metrics.explained_variance_score(labels, preds, sample_weight=weights)),
    }


def main():
    rng = np.random.default_rng(SEED)
    ref = {
        "generator": "gen_reference.py",
        "seed": SEED,
        "sklearn_version": __import__("sklearn").__version__,
        "binary": [binary_case("unweighted", rng, 400, False), binary_case("weighted", rng, 400, True)],
        "multiclass": [multiclass_case("unweighted", rng, 300, False), multiclass_case("weighted", rng, 300, True)],
        "regression": [regression_case("unweighted", rng, 300, False), regression_case("weighted", rng, 300, True)],
    }
    json.dump(ref, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
