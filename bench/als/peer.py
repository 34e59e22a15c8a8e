#!/usr/bin/python3
"""numpy peer of bench/als: test RMSE of simple MovieLens baselines on the
split alsbench wrote (train.csv / test.csv with userId,movieId,rating).

Run with Debian's interpreter (numpy is installed for it):

    /usr/bin/python3 bench/als/peer.py --split-dir DIR [--als]

Prints one JSON line per case, like alsbench:
  mean       the training mean for every test row
  bias       damped user+item bias baseline mu + b_u + b_i: alternately
             b_i = sum(r - mu - b_u) / (n_i + 3) and b_u = sum(r - mu - b_i) /
             (n_u + 3), 10 rounds (ridge-regularized biases; damping 3 was
             the best of 3, 5, 10, 25 on this split, so the baseline is not
             a straw man; one pass with Koren's damping 25/10 gives ~0.90)
  spark      (--als) ALS as Spark fits it: rank 10, regParam 0.15 scaled by
             each row's rating count, 15 iterations (items then users), unit
             Gaussian initial factors, exact normal equations
  residual   (--als) the same ALS fitted to the residuals r - (mu + b_u + b_i)
             of the bias baseline, added back to it

Test rows whose user or item does not occur in train.csv are skipped
everywhere, as Sluice's ALS with coldStartStrategy drop skips them.
"""
import argparse
import json
import os
import time

import numpy as np

DAMPING = 3.0
ROUNDS = 10


def load(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    return d[:, 0].astype(np.int64), d[:, 1].astype(np.int64), d[:, 2]


def rmse(pred, r):
    return float(np.sqrt(np.mean((pred - r) ** 2)))


def emit(case, value, seconds, n, **extra):
    line = {"side": "numpy", "case": case, "rmse": value, "fit_seconds": seconds, "test_rows": n}
    line.update(extra)
    print(json.dumps(line), flush=True)


def als(users, items, r, n_users, n_items, rank=10, reg=0.15, iters=15, seed=0):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n_users, rank))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    V = rng.standard_normal((n_items, rank))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    by_user = [np.flatnonzero(users == u) for u in range(n_users)]
    by_item = [np.flatnonzero(items == i) for i in range(n_items)]
    eye = np.eye(rank)

    def half(dst, src, groups, other):
        for j, g in enumerate(groups):
            Y = src[other[g]]
            A = Y.T @ Y + reg * len(g) * eye
            dst[j] = np.linalg.solve(A, Y.T @ r[g])

    for _ in range(iters):
        half(V, U, by_item, users)
        half(U, V, by_user, items)
    return U, V


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split-dir", required=True)
    ap.add_argument("--als", action="store_true", help="also fit the numpy ALS cases (a few seconds to a minute)")
    args = ap.parse_args()
    tu, ti, tr = load(os.path.join(args.split_dir, "train.csv"))
    su, si, sr = load(os.path.join(args.split_dir, "test.csv"))
    uid, tu_idx = np.unique(tu, return_inverse=True)
    iid, ti_idx = np.unique(ti, return_inverse=True)
    umap = {u: k for k, u in enumerate(uid)}
    imap = {i: k for k, i in enumerate(iid)}
    keep = np.array([u in umap and i in imap for u, i in zip(su, si)])
    su_idx = np.array([umap[u] for u in su[keep]], dtype=np.int64)
    si_idx = np.array([imap[i] for i in si[keep]], dtype=np.int64)
    sr = sr[keep]
    n = int(len(sr))

    t = time.perf_counter()
    mu = float(tr.mean())
    emit("mean", rmse(np.full(n, mu), sr), time.perf_counter() - t, n)

    t = time.perf_counter()
    n_i = np.bincount(ti_idx, minlength=len(iid))
    n_u = np.bincount(tu_idx, minlength=len(uid))
    b_u = np.zeros(len(uid))
    for _ in range(ROUNDS):
        b_i = np.bincount(ti_idx, weights=tr - mu - b_u[tu_idx], minlength=len(iid)) / (n_i + DAMPING)
        b_u = np.bincount(tu_idx, weights=tr - mu - b_i[ti_idx], minlength=len(uid)) / (n_u + DAMPING)
    base_test = mu + b_u[su_idx] + b_i[si_idx]
    emit("bias", rmse(base_test, sr), time.perf_counter() - t, n, params={"damping": DAMPING, "rounds": ROUNDS})

    if not args.als:
        return
    t = time.perf_counter()
    U, V = als(tu_idx, ti_idx, tr, len(uid), len(iid))
    pred = np.sum(U[su_idx] * V[si_idx], axis=1)
    emit("spark", rmse(pred, sr), time.perf_counter() - t, n, params={"rank": 10, "regParam": 0.15, "maxIter": 15})

    t = time.perf_counter()
    resid = tr - (mu + b_u[tu_idx] + b_i[ti_idx])
    U, V = als(tu_idx, ti_idx, resid, len(uid), len(iid))
    pred = base_test + np.sum(U[su_idx] * V[si_idx], axis=1)
    emit("residual", rmse(pred, sr), time.perf_counter() - t, n, params={"rank": 10, "regParam": 0.15, "maxIter": 15})


if __name__ == "__main__":
    main()
