#!/usr/bin/python3
"""scikit-learn side of the GaussianMixture benchmark: one JSON line.

    /usr/bin/python3 bench/gmm/peer.py --data bench/gmm/data/gmm_200000x10_spread4.f64 \
        [--dim 10] [--k 8] [--max-iter 100] [--tol 1e-3] [--seed 0] [--repeat 1] [--n-jobs 2]

Fits GaussianMixture(n_components=k, covariance_type="full", max_iter, tol,
n_init=1, init_params="kmeans", reg_covar=1e-6, random_state=seed) and prints
{"side":"sklearn", "fit_s": median seconds, "fit_s_all": [...],
 "mean_loglik": score(X) (mean log-likelihood per row under the final model),
 "lower_bound": lower_bound_ (mean log-likelihood at the last E-step),
 "iterations": n_iter_, "converged": ..., "peak_rss_mb": ...}.

tol is scikit-learn's: the change of the mean log-likelihood per row. BLAS
and OpenMP threads are limited to --n-jobs before numpy loads.
"""
import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--dim", type=int, default=10)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--n-jobs", type=int, default=2)
    a = ap.parse_args()
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[v] = str(a.n_jobs)

    import resource
    import time
    import warnings

    import numpy as np
    import sklearn
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore")
    X = np.fromfile(a.data, dtype="<f8").reshape(-1, a.dim)
    times = []
    gm = None
    with threadpool_limits(limits=a.n_jobs):
        for _ in range(a.repeat):
            gm = GaussianMixture(n_components=a.k, covariance_type="full", max_iter=a.max_iter, tol=a.tol,
                                 n_init=1, init_params="kmeans", reg_covar=1e-6, random_state=a.seed)
            t0 = time.perf_counter()
            gm.fit(X)
            times.append(time.perf_counter() - t0)
        score = float(gm.score(X))
    times_sorted = sorted(times)
    out = {
        "side": "sklearn", "version": sklearn.__version__,
        "rows": int(X.shape[0]), "dim": int(X.shape[1]), "k": a.k,
        "fit_s": times_sorted[len(times) // 2], "fit_s_all": times,
        "mean_loglik": score, "lower_bound": float(gm.lower_bound_),
        "iterations": int(gm.n_iter_), "converged": bool(gm.converged_),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
