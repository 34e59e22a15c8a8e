#!/usr/bin/python3
"""scikit-learn side of the KMeans benchmark (bench/kmeans/README.md).

    /usr/bin/python3 bench/kmeans/peer.py --case blobs --data FILE --d 20 \
        --k 16 --max-iter 20 --tol 1e-4 --seed 42 --repeat 3

Reads the raw float64 file kmbench gen wrote (numpy.fromfile, untimed) and
times KMeans.fit: n_init=1, init="k-means++" (scikit-learn's greedy
k-means++), algorithm="lloyd" (the default of scikit-learn 1.2), max_iter as
given.

Tolerance. Spark (and Sluice) stop once every centre moved at most tol
(squared shift <= tol^2). scikit-learn stops once the sum over centres of the
squared shifts is at most tol_sk * mean(per-feature variance of X), or when
no label changed. Passing tol_sk = tol^2 / mean(var(X)) makes scikit-learn's
rule "sum of squared shifts <= tol^2": at least as strict as Spark's
(the sum is >= the largest term), so scikit-learn never stops earlier.

Prints one JSON line with kmbench's keys: fit_seconds is the median of
--repeat fits (cpu_seconds the median user + system CPU time of the
process during a fit), cost is inertia_ (scikit-learn computes it after a final
assignment to the final centres), iterations is n_iter_, peak_rss_mb is
getrusage(RUSAGE_SELF).ru_maxrss / 1024 of the whole process.
"""
import argparse
import json
import resource
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="blobs")
    ap.add_argument("--data", required=True)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--max-iter", type=int, default=20)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    X = np.fromfile(a.data, dtype="<f8")
    if X.size % a.d:
        sys.exit(f"{a.data}: {X.size} values are not rows of {a.d}")
    X = X.reshape(-1, a.d)
    mean_var = float(np.mean(np.var(X, axis=0)))
    tol_sk = a.tol ** 2 / mean_var if mean_var > 0 else 0.0
    params = {"n_clusters": a.k, "init": "k-means++", "n_init": 1, "max_iter": a.max_iter,
              "tol": tol_sk, "algorithm": "lloyd", "random_state": a.seed}

    times, cpus, km = [], [], None
    for _ in range(max(1, a.repeat)):
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        km = KMeans(**params).fit(X)
        times.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)

    threads = max((i.get("num_threads", 1) for i in threadpool_info()), default=1)
    print(json.dumps({
        "side": "peer", "case": a.case, "impl": f"sklearn {sklearn.__version__} KMeans lloyd",
        "rows": int(X.shape[0]), "features": int(X.shape[1]),
        "fit_seconds": statistics.median(times), "fit_seconds_all": times,
        "cpu_seconds": statistics.median(cpus), "cpu_seconds_all": cpus,
        "cost": float(km.inertia_), "iterations": int(km.n_iter_),
        "clusters": int(km.cluster_centers_.shape[0]),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": int(threads), "params": params,
    }))


if __name__ == "__main__":
    main()
