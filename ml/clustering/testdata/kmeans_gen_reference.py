#!/usr/bin/python3
"""Generate kmeans_reference.json for the ml/clustering and ml/evaluation Go tests.

Run with Debian's interpreter (python3-sklearn 1.2 is installed for it):

    /usr/bin/python3 ml/clustering/testdata/kmeans_gen_reference.py \
        > ml/clustering/testdata/kmeans_reference.json

Sections:

lloyd: Lloyd's iterations from given initial centres with Spark's rules
    (assign each row to the nearest centre, ties to the lower index; move each
    centre with rows to their weighted mean, keep a centre without rows; stop
    after maxIter iterations or once every centre moved at most tol, i.e.
    squared shift <= tol^2). "cost" is Spark's trainingCost: the weighted sum
    of squared distances of the LAST iteration's assignment (to the centres
    that iteration started from). For the euclidean cases the script checks
    that scikit-learn's KMeans(init=..., n_init=1, algorithm="lloyd", tol=0)
    ends at the same centres. Cosine cases follow Spark's
    CosineDistanceMeasure: rows are compared by 1 - cos, a centre is the
    normalized weighted mean of the normalized rows, convergence is cosine
    distance <= tol; scikit-learn has no cosine k-means, so numpy alone
    computes them.

optimum: well-separated blobs where scikit-learn's KMeans (k-means++,
    n_init=10) finds the global optimum; the Go test checks that Sluice's
    k-means|| fit finds the same centres (matched by sorting) and cost
    (inertia_, the cost at the final centres).

silhouette: Spark's ClusteringEvaluator silhouette, computed by brute force
    over all pairs: a_i = sum_{j in C_i, j != i} w_j d_ij / (W_{C_i} - w_i),
    b_i = min over other clusters C of sum_{j in C} w_j d_ij / W_C,
    s_i = (b_i - a_i) / max(a_i, b_i) (0 when a_i = b_i or C_i has only i),
    silhouette = sum_i w_i s_i / sum_i w_i, with d the squared euclidean
    distance ("squaredEuclidean") or 1 - cos ("cosine"). Unweighted cases are
    also checked against sklearn.metrics.silhouette_score(metric="sqeuclidean"
    or "cosine").
"""
import json
import sys

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

SEED = 20261121


def lloyd(X, w, C, max_iter, tol, cosine):
    C = np.array(C, dtype=float)
    if cosine:
        Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    cost, it = 0.0, 0
    for it in range(1, max_iter + 1):
        if cosine:
            D = 1 - Xn @ C.T
        else:
            D = ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
        lab = np.argmin(D, axis=1)
        cost = float((w * D[np.arange(len(X)), lab]).sum())
        converged = True
        for j in range(len(C)):
            m = lab == j
            ws = w[m].sum()
            if ws == 0:
                continue
            if cosine:
                c = (w[m, None] * Xn[m]).sum(axis=0) / ws
                c = c / np.linalg.norm(c)
                moved = 1 - c @ C[j] > tol
            else:
                c = (w[m, None] * X[m]).sum(axis=0) / ws
                moved = ((c - C[j]) ** 2).sum() > tol * tol
            if moved:
                converged = False
            C[j] = c
        if converged:
            break
    return C, cost, it


def blobs(rng, n, d, k, box, std, min_gap=0.0):
    while True:  # centres at least min_gap apart
        centers = rng.uniform(-box, box, (k, d))
        gaps = [np.linalg.norm(a - b) for i, a in enumerate(centers) for b in centers[:i]]
        if not gaps or min(gaps) >= min_gap:
            break
    lab = rng.integers(0, k, n)
    return centers[lab] + rng.normal(0, std, (n, d)), lab


def lloyd_cases(rng):
    out = []
    specs = [
        ("euclidean 2-D", 60, 2, 3, False, False, 20, 1e-4),
        ("euclidean weighted", 80, 3, 4, True, False, 20, 1e-4),
        ("euclidean few iterations", 200, 5, 6, False, False, 3, 1e-4),
        ("euclidean overlapping tol 0", 150, 4, 5, True, False, 50, 0.0),
        ("cosine", 90, 3, 3, False, True, 20, 1e-6),
        ("cosine weighted", 120, 4, 4, True, True, 20, 1e-6),
    ]
    for name, n, d, k, weighted, cosine, max_iter, tol in specs:
        box = 1.5 if "overlapping" in name else 5
        X, _ = blobs(rng, n, d, k, box, 1.0)
        if cosine:
            X = X + 6  # keep rows away from the origin
        w = rng.uniform(0.2, 3, n) if weighted else np.ones(n)
        init = X[rng.choice(n, k, replace=False)].copy()
        if cosine:
            init = init / np.linalg.norm(init, axis=1, keepdims=True)
        C, cost, it = lloyd(X, w, init, max_iter, tol, cosine)
        if not cosine:
            sk = KMeans(k, init=init, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd").fit(X, sample_weight=w)
            assert np.allclose(np.sort(sk.cluster_centers_, axis=0), np.sort(C, axis=0), atol=1e-9), name
        out.append({"name": name, "X": X.tolist(), "w": w.tolist() if weighted else None, "init": init.tolist(),
                    "maxIter": max_iter, "tol": tol, "measure": "cosine" if cosine else "euclidean",
                    "centers": C.tolist(), "cost": cost, "iterations": it})
    return out


def optimum_cases(rng):
    out = []
    for name, n, d, k in [("blobs k=3", 300, 2, 3), ("blobs k=8 d=6", 2000, 6, 8)]:
        X, _ = blobs(rng, n, d, k, 10, 0.7, min_gap=8)
        sk = KMeans(k, n_init=10, random_state=0, algorithm="lloyd", tol=0, max_iter=300).fit(X)
        order = np.lexsort(sk.cluster_centers_.T[::-1])
        out.append({"name": name, "X": X.tolist(), "k": k, "centers": sk.cluster_centers_[order].tolist(),
                    "cost": float(sk.inertia_)})
    return out


def brute_silhouette(X, lab, w, measure):
    if measure == "cosine":
        Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
        D = 1 - Xn @ Xn.T
    else:
        D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    clusters = np.unique(lab)
    s = np.zeros(len(X))
    for i in range(len(X)):
        own = lab == lab[i]
        W_own = w[own].sum()
        if W_own == w[i]:
            continue
        mask = own.copy()
        mask[i] = False
        a = (w[mask] * D[i, mask]).sum() / (W_own - w[i])
        b = min((w[lab == c] * D[i, lab == c]).sum() / w[lab == c].sum() for c in clusters if c != lab[i])
        if a < b:
            s[i] = 1 - a / b
        elif a > b:
            s[i] = b / a - 1
    return float((w * s).sum() / w.sum())


def silhouette_cases(rng):
    out = []
    specs = [("sqeuclidean 3 clusters", 90, 2, 3, False, "squaredEuclidean"),
             ("sqeuclidean weighted", 70, 3, 4, True, "squaredEuclidean"),
             ("sqeuclidean with singleton", 40, 2, 3, False, "squaredEuclidean"),
             ("cosine 3 clusters", 80, 3, 3, False, "cosine"),
             ("cosine weighted", 60, 4, 3, True, "cosine"),
             ("noisy labels", 100, 5, 4, False, "squaredEuclidean")]
    for name, n, d, k, weighted, measure in specs:
        X, lab = blobs(rng, n, d, k, 4, 1.0)
        if measure == "cosine":
            X = X + rng.uniform(-3, 3, d)
        if "singleton" in name:
            lab = lab.copy()
            lab[0] = k  # a cluster of one row
        if "noisy" in name:
            flip = rng.random(n) < 0.3
            lab = np.where(flip, rng.integers(0, k, n), lab)
        w = rng.uniform(0.1, 2, n) if weighted else np.ones(n)
        v = brute_silhouette(X, lab, w, measure)
        if not weighted:
            sk = silhouette_score(X, lab, metric="sqeuclidean" if measure == "squaredEuclidean" else "cosine")
            assert abs(sk - v) < 1e-9, (name, sk, v)
        out.append({"name": name, "X": X.tolist(), "labels": lab.tolist(), "w": w.tolist() if weighted else None,
                    "distanceMeasure": measure, "silhouette": v})
    return out


def main():
    rng = np.random.default_rng(SEED)
    ref = {"lloyd": lloyd_cases(rng), "optimum": optimum_cases(rng), "silhouette": silhouette_cases(rng)}
    json.dump(ref, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
