#!/usr/bin/python3
"""Write the GaussianMixture benchmark data: a seeded mixture of 8 Gaussians.

    /usr/bin/python3 bench/gmm/gen_data.py [--rows 200000] [--dim 10] [--k 8] [--spread 4]
        [--seed 20261206] [--out bench/gmm/data]

Writes OUT/gmm_<rows>x<dim>_spread<spread>.f64 (row-major little-endian
float64, no header) and a .json beside it (rows, dim, k, spread, seed, the
true weights, means and covariances, the true mixture's mean log-likelihood
per row, and the file's sha256). Both sides of the benchmark read the same
file, so they fit exactly the same numbers.

The mixture: weights from Dirichlet(4·1), means from N(0, spread²·I),
covariances A·Aᵀ/dim + diag(U(0.3, 1.5)) with A standard normal (correlated,
different scales). With spread 4 the components are well apart
("separated"); with spread 2 neighbours overlap ("overlapping") and EM
needs more iterations.
"""
import argparse
import hashlib
import json
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=10)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--spread", type=float, default=4.0, help="standard deviation of the component means")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    k, d, n = a.k, a.dim, a.rows
    weights = rng.dirichlet(np.full(k, 4.0))
    means = rng.normal(0.0, a.spread, size=(k, d))
    covs = []
    for _ in range(k):
        A = rng.standard_normal((d, d))
        covs.append(A @ A.T / d + np.diag(rng.uniform(0.3, 1.5, size=d)))
    covs = np.array(covs)
    comp = rng.choice(k, size=n, p=weights)
    X = np.empty((n, d))
    for c in range(k):
        idx = np.flatnonzero(comp == c)
        X[idx] = rng.multivariate_normal(means[c], covs[c], size=len(idx))
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, f"gmm_{n}x{d}_spread{a.spread:g}")
    raw = np.ascontiguousarray(X, dtype="<f8").tobytes()
    with open(base + ".f64", "wb") as f:
        f.write(raw)
    from scipy.special import logsumexp
    from scipy.stats import multivariate_normal
    logp = np.stack([np.log(weights[c]) + multivariate_normal(means[c], covs[c]).logpdf(X) for c in range(k)], axis=1)
    meta = {
        "rows": n, "dim": d, "k": k, "spread": a.spread, "seed": a.seed,
        "true_mean_loglik": float(logsumexp(logp, axis=1).mean()),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "weights": weights.tolist(), "means": means.tolist(), "covs": covs.tolist(),
    }
    with open(base + ".json", "w") as f:
        json.dump(meta, f)
    print(f"wrote {base}.f64 ({n} x {d}, {len(raw) >> 20} MiB)")


if __name__ == "__main__":
    main()
