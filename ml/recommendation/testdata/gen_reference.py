#!/usr/bin/python3
"""Generate reference.json for the ml/recommendation Go tests.

Run with Debian's interpreter (numpy and scipy are installed for it):

    /usr/bin/python3 ml/recommendation/testdata/gen_reference.py > ml/recommendation/testdata/reference.json

Each case is a small rating set, the initial factors (float32 values, rows
in increasing id order), the params, and the factors after maxIter ALS
iterations computed here from the definitions in the package doc — not
from Sluice's code:

  * an iteration solves every item given the users, then every user given
    the items (Spark's order); factors are rounded to float32 after each
    half-step, as Spark and Sluice store them;
  * explicit:  minimize sum_j (r_uj - mu - c_j - b_u - x.y_j)^2
               + regParam * n_u * |x|^2 + biasRegParam * b_u^2
    where mu is the mean rating (biasMode global, user+item; else 0), c_j
    the source side's bias and b_u the row's own bias (user+item only),
    n_u the number of ratings of the row;
  * implicit:  minimize sum_j c_uj (p_uj - x.y_j)^2 over ALL source rows j,
    c_uj = 1 + alpha*|r_uj| for rated j and 1 otherwise, p_uj = 1 if
    r_uj > 0 else 0, plus regParam * n+_u * |x|^2 with n+_u the number of
    positive ratings (Spark's numExplicits);
  * nonnegative: the same normal equations solved under x >= 0 with
    scipy.optimize.nnls.
"""
import json

import numpy as np
from scipy.optimize import nnls


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def solve_side(dst, dst_bias, src, src_bias, rows, p):
    """rows[u] = list of (src index, rating). Returns new dst (and bias)."""
    k = src.shape[1]
    mu = p["mu"]
    bias = dst_bias is not None
    out = np.zeros_like(dst)
    out_b = np.zeros_like(dst_bias) if bias else None
    yty = src.T @ src
    for u, rs in enumerate(rows):
        d = k + (1 if bias else 0)
        A = np.zeros((d, d))
        b = np.zeros(d)
        n = 0
        if p["implicit"]:
            A[:k, :k] += yty
            for j, r in rs:
                y = src[j]
                c1 = p["alpha"] * abs(r)
                A[:k, :k] += c1 * np.outer(y, y)
                if r > 0:
                    b[:k] += (1 + c1) * y
                    n += 1
        else:
            for j, r in rs:
                a = np.concatenate([src[j], [1.0]]) if bias else src[j]
                t = r - mu - (src_bias[j] if src_bias is not None else 0.0)
                A += np.outer(a, a)
                b += t * a
                n += 1
        A[np.arange(k), np.arange(k)] += p["regParam"] * n
        if bias:
            A[k, k] += p["biasRegParam"]
        if p["nonnegative"]:
            R = np.linalg.cholesky(A).T  # A = R^T R
            z = np.linalg.solve(R.T, b)
            x, _ = nnls(R, z, maxiter=1000)
        else:
            x = np.linalg.solve(A, b)
        out[u] = x[:k]
        if bias:
            out_b[u] = x[k]
    return f32(out), (f32(out_b) if bias else None)


def run_case(name, users, items, ratings, rank, params, seed):
    rng = np.random.default_rng(seed)
    uid = sorted(set(users))
    iid = sorted(set(items))
    U = f32(rng.standard_normal((len(uid), rank)))
    U = f32(U / np.linalg.norm(U, axis=1, keepdims=True))
    V = f32(rng.standard_normal((len(iid), rank)))
    V = f32(V / np.linalg.norm(V, axis=1, keepdims=True))
    U0, V0 = U.copy(), V.copy()
    r32 = f32(ratings)
    p = dict(params)
    p.setdefault("implicit", False)
    p.setdefault("nonnegative", False)
    p.setdefault("alpha", 1.0)
    p.setdefault("biasRegParam", 0.0)
    bias_mode = p.get("biasMode", "none")
    p["mu"] = float(np.mean(r32)) if bias_mode != "none" else 0.0
    ub = np.zeros(len(uid)) if bias_mode == "user+item" else None
    ib = np.zeros(len(iid)) if bias_mode == "user+item" else None
    by_user = [[] for _ in uid]
    by_item = [[] for _ in iid]
    for u, i, r in zip(users, items, r32):
        by_user[uid.index(u)].append((iid.index(i), r))
        by_item[iid.index(i)].append((uid.index(u), r))
    for _ in range(p["maxIter"]):
        V, ib = solve_side(V, ib, U, ub, by_item, p)
        U, ub = solve_side(U, ub, V, ib, by_user, p)
    pred = {}
    for a, u in enumerate(uid):
        for b_, i in enumerate(iid):
            v = float(np.float32(np.dot(U[a], V[b_])))
            if bias_mode != "none":
                v += p["mu"]
            if ub is not None:
                v += ub[a] + ib[b_]
            pred[f"{u},{i}"] = v
    case = {
        "name": name, "users": users, "items": items, "ratings": ratings, "rank": rank,
        "params": {k: v for k, v in params.items()},
        "userIds": uid, "itemIds": iid,
        "initUser": U0.tolist(), "initItem": V0.tolist(),
        "userFactors": U.tolist(), "itemFactors": V.tolist(),
        "userBias": ub.tolist() if ub is not None else None,
        "itemBias": ib.tolist() if ib is not None else None,
        "globalMean": p["mu"],
        "predictions": pred,
    }
    return case


def main():
    # 5 users (sparse ids) x 4 items, 12 ratings.
    users = [10, 10, 10, 20, 20, 30, 30, 30, 40, 40, 50, 50]
    items = [7, 3, 100, 7, 42, 3, 100, 42, 7, 3, 100, 42]
    ratings = [4.0, 3.5, 1.0, 5.0, 2.0, 3.0, 1.5, 4.0, 4.5, 2.5, 2.0, 3.5]
    # implicit: counts, one zero and one negative interaction.
    counts = [3.0, 1.0, 0.0, 5.0, 2.0, 1.0, -1.0, 4.0, 2.0, 1.0, 3.0, 1.0]
    cases = [
        run_case("explicit", users, items, ratings, 2, {"regParam": 0.1, "maxIter": 3}, 1),
        run_case("explicit-rank3", users, items, ratings, 3, {"regParam": 0.05, "maxIter": 2}, 2),
        run_case("global", users, items, ratings, 2, {"regParam": 0.1, "maxIter": 3, "biasMode": "global"}, 3),
        run_case("user+item", users, items, ratings, 2,
                 {"regParam": 0.1, "maxIter": 3, "biasMode": "user+item", "biasRegParam": 1.0}, 4),
        run_case("implicit", users, items, counts, 2,
                 {"regParam": 0.1, "maxIter": 3, "implicit": True, "alpha": 2.0}, 5),
        run_case("nonnegative", users, items, ratings, 2,
                 {"regParam": 0.1, "maxIter": 3, "nonnegative": True}, 6),
    ]
    print(json.dumps({"cases": cases}, indent=1))


if __name__ == "__main__":
    main()
