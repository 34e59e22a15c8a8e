#!/usr/bin/python3
"""Generate reference.json for the ml/classification Go tests.

Run with Debian's interpreter (python3-sklearn is installed for it):

    /usr/bin/python3 ml/classification/testdata/gen_reference.py > ml/classification/testdata/reference.json

Every case stores its data (rows, labels, optional weights), the Spark-style
params the Go side fits with, and what scikit-learn 1.2 fitted.

Penalty mapping. Spark (and Sluice) minimize
    (1/W) sum_i w_i loss_i + regParam * (a*|b|_1 + (1-a)/2*|b|_2^2),  W = sum_i w_i,
scikit-learn minimizes C * sum_i w_i loss_i + penalty(b). Dividing by C*W:
    C = 1 / (regParam * W)         (W = n with unit weights)
and for elastic net l1_ratio = elasticNetParam. The intercept is not
penalized by either (lbfgs / saga / libsvm; NOT liblinear, so liblinear is
not used).

standardization=true: Spark fits on x_j / s_j with s_j the sample standard
deviation (ddof=1), penalizing those coefficients, and reports b_j / s_j.
Here that is done literally: sklearn fits on X / s and the coefficients are
divided by s afterwards.

Multinomial: sklearn's multinomial lbfgs solution with an L2 penalty has
coefficient columns summing to 0 over classes; intercepts are centered here
to match Spark's centering.

LinearSVC: Spark minimizes the mean hinge loss plus regParam/2*|b|^2 with an
unpenalized intercept; sklearn.svm.SVC(kernel="linear") solves exactly that
dual QP (libsvm), with C as above. sklearn.svm.LinearSVC penalizes the
intercept, so it is not comparable. The objective value is stored too,
since hinge solutions are compared by objective.

Naive Bayes: theta (feature log probabilities) match sklearn's
feature_log_prob_ for multinomial, bernoulli and complement (norm=False)
with alpha = smoothing. Spark smooths the class priors
(pi_k = log((n_k + smoothing) / (n + K*smoothing))), sklearn does not, so
the priors are computed here and passed to sklearn as class_prior, after
which predict_proba is Spark's probability. Gaussian NB: Spark's variance
smoothing (1e-9 * largest population variance) and priors (n_k / n) are
sklearn's. rawPrediction for multinomial / bernoulli / gaussian is the joint
log likelihood (predict_joint_log_proba); for complement Spark returns it
normalized by its log-sum-exp, i.e. predict_log_proba.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB
from sklearn.svm import SVC

SEED = 20261121
warnings.filterwarnings("ignore")


def sample_std(X, w=None):
    if w is None:
        return X.std(axis=0, ddof=1)
    W = w.sum()
    mu = (w[:, None] * X).sum(axis=0) / W
    m2 = (w[:, None] * (X - mu) ** 2).sum(axis=0)
    return np.sqrt(m2 / (W - (w ** 2).sum() / W))


def binary_data(rng):
    n = 60
    X = np.column_stack([rng.normal(0, 1, n), rng.normal(5, 10, n), rng.uniform(-0.1, 0.1, n)])
    m = 0.8 * X[:, 0] - 0.05 * X[:, 1] + 6 * X[:, 2] + 0.3
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-m))).astype(float)
    w = rng.integers(1, 4, n).astype(float)
    return X, y, w


def multi_data(rng):
    n = 90
    y = np.repeat([0.0, 1.0, 2.0], n // 3)
    centers = np.array([[0, 0, 0], [1.5, -1, 20], [-1, 1.5, -10]])
    X = centers[y.astype(int)] + rng.normal(0, 1, (n, 3)) * [1.5, 1.5, 25]
    perm = rng.permutation(n)
    return X[perm], y[perm]


def polish(X, y, w, reg, fit_intercept, standardization, K, multi, coef, icpt):
    """Refine a smooth (L2 or unpenalized) fit to Spark's exact optimum.

    scikit-learn's lbfgs stops around 1e-5 relative on these badly scaled
    features, so its answer is polished here by minimizing Spark's objective
    itself with scipy's L-BFGS-B (ftol 0, gtol 1e-13) in the centered,
    standardized space, starting from scikit-learn's solution. The
    polished objective is never above scikit-learn's.
    """
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    n, D = X.shape
    ww = w if w is not None else np.ones(n)
    W = ww.sum()
    sd = sample_std(X, w)
    mu = (ww[:, None] * X).sum(axis=0) / W if fit_intercept else np.zeros(D)
    Z = (X - mu) / sd
    pen = np.ones(D) if standardization else 1 / sd ** 2
    rows = K if multi else 1
    Y = np.eye(K)[y.astype(int)] if multi else None

    def unpack(t):
        B = t[:rows * D].reshape(rows, D)
        b = t[rows * D:] if fit_intercept else np.zeros(rows)
        return B, b

    def f(t):
        B, b = unpack(t)
        M = Z @ B.T + b
        if multi:
            lse = logsumexp(M, axis=1)
            loss = (ww * (lse - (M * Y).sum(axis=1))).sum() / W
            R = (np.exp(M - lse[:, None]) - Y) * ww[:, None] / W
        else:
            m = M[:, 0]
            loss = (ww * (np.logaddexp(0, m) - y * m)).sum() / W
            R = ((1 / (1 + np.exp(-m)) - y) * ww / W)[:, None]
        gB = R.T @ Z + reg * pen * B
        loss += 0.5 * reg * (pen * B * B).sum()
        g = [gB.ravel()]
        if fit_intercept:
            g.append(R.sum(axis=0))
        return loss, np.concatenate(g)

    B0 = np.atleast_2d(coef) * sd
    b0 = np.atleast_1d(icpt) + (np.atleast_2d(coef) @ mu if fit_intercept else 0)
    t0 = np.concatenate([B0.ravel(), b0 if fit_intercept else []])
    res = minimize(f, t0, jac=True, method="L-BFGS-B",
                   options={"ftol": 0, "gtol": 1e-13, "maxiter": 100000, "maxcor": 30})
    B, b = unpack(res.x)
    coef = B / sd
    icpt = b - coef @ mu if fit_intercept else np.zeros(rows)
    return coef, icpt, f(t0)[0], res.fun


def lr_case(name, X, y, w, reg, enet, fit_intercept, standardization, multi):
    W = w.sum() if w is not None else len(y)
    s = sample_std(X, w) if standardization else np.ones(X.shape[1])
    Xs = X / s
    kw = dict(fit_intercept=fit_intercept, max_iter=100000, tol=1e-12, random_state=0)
    if reg == 0:
        kw.update(penalty=None, solver="lbfgs")
    elif enet == 0:
        kw.update(penalty="l2", C=1 / (reg * W), solver="lbfgs")
    elif enet == 1:
        kw.update(penalty="l1", C=1 / (reg * W), solver="saga")
    else:
        kw.update(penalty="elasticnet", C=1 / (reg * W), solver="saga", l1_ratio=enet)
    if multi:
        kw["multi_class"] = "multinomial"
    clf = LogisticRegression(**kw).fit(Xs, y, sample_weight=w)
    coef = clf.coef_ / s
    icpt = np.atleast_1d(clf.intercept_).astype(float)
    if not fit_intercept:
        icpt = np.zeros_like(icpt)
    if multi and len(clf.classes_) == 2:
        # sklearn keeps only class 1's row of the symmetric solution (w0 = -w1).
        coef = np.vstack([-coef[0], coef[0]])
        icpt = np.array([-icpt[0], icpt[0]])
    elif multi:
        icpt = icpt - icpt.mean()
    sk_obj = pol_obj = None
    if enet == 0:
        coef, icpt, sk_obj, pol_obj = polish(X, y, w, reg, fit_intercept, standardization,
                                             len(clf.classes_), multi, coef, icpt)
        assert pol_obj <= sk_obj + 1e-15, (name, sk_obj, pol_obj)
    params = {"regParam": reg, "elasticNetParam": enet, "fitIntercept": fit_intercept,
              "standardization": standardization, "family": "multinomial" if multi else "binomial",
              "maxIter": 5000, "tol": 1e-12}
    return {"name": name, "X": X.tolist(), "y": y.tolist(), "w": None if w is None else w.tolist(),
            "params": params, "coefficients": coef.tolist(), "intercepts": icpt.tolist(),
            "probability": probabilities(X, coef, icpt, multi), "sklearn": repr(clf),
            "sklearn_objective": sk_obj, "polished_objective": pol_obj}


def probabilities(X, coef, icpt, multi):
    M = X @ np.atleast_2d(coef).T + icpt
    if multi:
        E = np.exp(M - M.max(axis=1, keepdims=True))
        return (E / E.sum(axis=1, keepdims=True)).tolist()
    p = 1 / (1 + np.exp(-M[:, 0]))
    return np.column_stack([1 - p, p]).tolist()


def svc_case(name, X, y, w, reg, standardization):
    W = w.sum() if w is not None else len(y)
    C = 1 / (reg * W)
    s = sample_std(X, w) if standardization else np.ones(X.shape[1])
    clf = SVC(kernel="linear", C=C, tol=1e-12, shrinking=False).fit(X / s, y, sample_weight=w)
    coef, icpt = clf.coef_[0] / s, clf.intercept_[0]
    m = X @ coef + icpt
    ww = w if w is not None else np.ones(len(y))
    hinge = np.maximum(0, 1 - (2 * y - 1) * m)
    obj = (ww * hinge).sum() / W + reg / 2 * (coef * s) @ (coef * s)
    return {"name": name, "X": X.tolist(), "y": y.tolist(), "w": None if w is None else w.tolist(),
            "params": {"regParam": reg, "standardization": standardization, "fitIntercept": True,
                       "maxIter": 5000, "tol": 1e-12},
            "coefficients": [coef.tolist()], "intercepts": [float(icpt)], "objective": float(obj),
            "margin": m.tolist(), "sklearn": repr(clf)}


def nb_case(name, model_type, X, y, w, smoothing=1.0):
    K, D = int(y.max()) + 1, X.shape[1]
    ww = w if w is not None else np.ones(len(y))
    nk = np.array([ww[y == k].sum() for k in range(K)])
    if model_type == "gaussian":
        clf = GaussianNB(var_smoothing=1e-9).fit(X, y, sample_weight=w)
        theta, sigma = clf.theta_, clf.var_
        pi = np.log(nk / nk.sum())
    else:
        pi = np.log((nk + smoothing) / (nk.sum() + K * smoothing))
        cls = {"multinomial": MultinomialNB, "bernoulli": BernoulliNB, "complement": ComplementNB}[model_type]
        kw = {"alpha": smoothing, "class_prior": np.exp(pi)}
        if model_type == "bernoulli":
            kw["binarize"] = None
        if model_type == "complement":
            kw = {"alpha": smoothing, "norm": False}
        clf = cls(**kw).fit(X, y, sample_weight=w)
        theta, sigma = clf.feature_log_prob_, None
    if model_type == "complement":
        raw = clf.predict_log_proba(X)
    else:
        raw = clf.predict_joint_log_proba(X)
    return {"name": name, "modelType": model_type, "X": X.tolist(), "y": y.tolist(),
            "w": None if w is None else w.tolist(), "smoothing": smoothing,
            "pi": pi.tolist(), "theta": np.asarray(theta).tolist(),
            "sigma": None if sigma is None else sigma.tolist(),
            "raw": raw.tolist(), "probability": clf.predict_proba(X).tolist(),
            "prediction": clf.predict(X).tolist(), "sklearn": repr(clf)}


def mlp_case(rng):
    """A fixed network in Spark's weight layout, evaluated by scikit-learn.

    Per layer Spark stores the out x in matrix column-major (the weight of
    input i to unit o at i*out + o), then the out biases; that is sklearn's
    coefs_[l] (in x out, row-major) followed by intercepts_[l]. sklearn's
    MLPClassifier with logistic hidden units and 3 classes applies softmax
    at the output, as Spark does.
    """
    layers = [3, 4, 5, 3]
    X = rng.normal(0, 1, (12, 3))
    y = np.tile([0.0, 1.0, 2.0], 4)
    weights = rng.uniform(-1.5, 1.5, sum((layers[l - 1] + 1) * layers[l] for l in range(1, len(layers))))
    clf = MLPClassifier(hidden_layer_sizes=layers[1:-1], activation="logistic", max_iter=1)
    clf.fit(X, y)
    off = 0
    coefs, icpts = [], []
    for l in range(1, len(layers)):
        n_in, n_out = layers[l - 1], layers[l]
        coefs.append(weights[off:off + n_in * n_out].reshape(n_in, n_out))
        off += n_in * n_out
        icpts.append(weights[off:off + n_out])
        off += n_out
    clf.coefs_, clf.intercepts_ = coefs, icpts
    prob = clf.predict_proba(X)
    loss = -np.mean(np.log(prob[np.arange(len(y)), y.astype(int)]))
    return {"layers": layers, "X": X.tolist(), "y": y.tolist(), "weights": weights.tolist(),
            "probability": prob.tolist(), "loss": float(loss)}


def main():
    rng = np.random.default_rng(SEED)
    Xb, yb, wb = binary_data(rng)
    Xm, ym = multi_data(rng)
    lr = [
        lr_case("binomial_l2", Xb, yb, None, 0.05, 0.0, True, False, False),
        lr_case("binomial_l2_std", Xb, yb, None, 0.05, 0.0, True, True, False),
        lr_case("binomial_unregularized", Xb, yb, None, 0.0, 0.0, True, True, False),
        lr_case("binomial_no_intercept", Xb, yb, None, 0.05, 0.0, False, False, False),
        lr_case("binomial_weighted", Xb, yb, wb, 0.05, 0.0, True, True, False),
        lr_case("binomial_l1", Xb, yb, None, 0.02, 1.0, True, False, False),
        lr_case("binomial_elasticnet_std", Xb, yb, None, 0.05, 0.5, True, True, False),
        lr_case("multinomial_l2", Xm, ym, None, 0.02, 0.0, True, False, True),
        lr_case("multinomial_l2_std", Xm, ym, None, 0.02, 0.0, True, True, True),
        lr_case("multinomial_binary_l2", Xb, yb, None, 0.05, 0.0, True, True, True),
    ]
    svc = [
        svc_case("svc_l2", Xb, yb, None, 0.05, False),
        svc_case("svc_l2_std", Xb, yb, None, 0.05, True),
        # (wb itself makes the hinge optimum the trivial b = -1, w = 0.)
        svc_case("svc_l2_weighted", Xb, yb, np.ascontiguousarray(wb[::-1]), 0.05, False),
    ]
    nX = rng.poisson(2.0, (40, 4)).astype(float)
    ny = np.tile([0.0, 1.0, 2.0, 0.0], 10)
    nX[ny == 1, 0] += 3
    nX[ny == 2, 2] += 4
    nw = rng.integers(1, 3, 40).astype(float)
    bX = (rng.uniform(size=(40, 5)) < 0.4).astype(float)
    bX[ny == 1, 1] = 1
    gX = rng.normal(0, 1, (40, 3)) * [1, 10, 0.1] + ny[:, None] * [1, -5, 0.05]
    nb = [
        nb_case("multinomial", "multinomial", nX, ny, None),
        nb_case("multinomial_weighted_smoothing", "multinomial", nX, ny, nw, smoothing=0.5),
        nb_case("bernoulli", "bernoulli", bX, ny, None),
        nb_case("gaussian", "gaussian", gX, ny, None),
        nb_case("complement", "complement", nX, ny, None),
    ]
    mlp = mlp_case(rng)
    json.dump({"logistic": lr, "svc": svc, "naiveBayes": nb, "mlp": mlp}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
