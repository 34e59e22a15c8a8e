#!/usr/bin/python3
"""Generate gmm_reference.json for the GaussianMixture Go tests.

Run with Debian's interpreter (python3-sklearn 1.2 is installed for it):

    /usr/bin/python3 ml/clustering/testdata/gmm_gen_reference.py > ml/clustering/testdata/gmm_reference.json

Each case stores its rows X, k, and what scikit-learn's
GaussianMixture(covariance_type="full", reg_covar=1e-6, tol=1e-10,
max_iter=1000, n_init=1, init_params="kmeans") fitted: weights, means,
covariances, score (mean log-likelihood per row), score_samples and
predict_proba on X. The tolerance is tight so both sides run EM to its
fixed point; the data are well separated, so scikit-learn's k-means
initialisation and Sluice's reach the same optimum and the parameters
match up to the order of the components. The Go test also rebuilds a
model from scikit-learn's parameters and checks that Sluice's densities
and posteriors equal scikit-learn's on the same rows, which does not
depend on the initialisation at all.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture

SEED = 20261207
warnings.filterwarnings("ignore")


def mixture(rng, n, weights, means, covs):
    comp = rng.choice(len(weights), size=n, p=weights)
    X = np.empty((n, len(means[0])))
    for c in range(len(weights)):
        idx = np.flatnonzero(comp == c)
        X[idx] = rng.multivariate_normal(means[c], covs[c], size=len(idx))
    return X


def case(name, X, k):
    gm = GaussianMixture(n_components=k, covariance_type="full", reg_covar=1e-6, tol=1e-10,
                         max_iter=1000, n_init=1, init_params="kmeans", random_state=0).fit(X)
    return {
        "name": name, "k": k, "X": np.round(X, 6).tolist(),
        "weights": gm.weights_.tolist(), "means": gm.means_.tolist(),
        "covs": [c.ravel().tolist() for c in gm.covariances_],
        "score": float(gm.score(np.round(X, 6))),
        "scoreSamples": gm.score_samples(np.round(X, 6)).tolist(),
        "probability": gm.predict_proba(np.round(X, 6)).tolist(),
        "converged": bool(gm.converged_),
    }


def main():
    rng = np.random.default_rng(SEED)
    cases = []
    X = mixture(rng, 200, [0.3, 0.7], [[-4.0], [3.0]], [[[1.0]], [[2.25]]])
    cases.append(case("1d-two", np.round(X, 6), 2))
    X = mixture(rng, 300, [0.2, 0.3, 0.5], [[0, 0], [6, 1], [1, 7]],
                [[[1, 0.5], [0.5, 1]], [[2, -0.6], [-0.6, 0.5]], [[0.7, 0], [0, 1.5]]])
    cases.append(case("2d-three", np.round(X, 6), 3))
    A = rng.standard_normal((4, 4))
    B = rng.standard_normal((4, 4))
    X = mixture(rng, 400, [0.45, 0.55], [[0, 0, 0, 0], [5, -5, 5, -5]],
                [A @ A.T / 4 + 0.3 * np.eye(4), B @ B.T / 4 + 0.3 * np.eye(4)])
    cases.append(case("4d-two", np.round(X, 6), 2))
    json.dump({"gmm": cases}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
