#!/usr/bin/python3
"""Reference values for ml/regression's tests, written to reference.json.

Run from this directory with the Debian interpreter (it has scikit-learn
1.2, numpy and scipy):

    /usr/bin/python3 gen_reference.py

Everything is deterministic (fixed seeds). Nothing here calls Spark; the
references are computed independently and mapped onto Spark's objectives
as explained per section. reference_test.go reads the JSON.

LinearRegression
----------------
Spark minimizes, with squared error (see linear.go):

    1/(2W) sum w (y - x.b - c)^2 + lam*(a*sum s_j|b_j| + (1-a)/(2*sy)*sum s_j^2 b_j^2)

W = sum of weights, s_j = std of feature j (1 without standardization),
sy = std of the label. The normal solver uses population stds
(sqrt(sum w (x - xbar)^2 / W)), the l-bfgs solver Spark's unbiased weighted
ones (divide by W - sum(w^2)/W instead). On features divided by s_j the
problem is scikit-learn's:

  * OLS: numpy.linalg.lstsq on sqrt(w)-scaled rows; standard errors from
    sigma^2 = RSS_w / (n - p - 1) and inv(X1' W X1), p values from
    scipy.stats.t (two-sided).
  * ridge (a = 0): sklearn Ridge (objective ||sqrt(w)(y - Xg)||^2 +
    alpha ||g||^2) with alpha = W * lam / sy.
  * lasso / elastic net (a > 0): sklearn ElasticNet (objective
    1/(2 sum w~) sum w~ r^2 + A*r*|g|_1 + A*(1-r)/2 |g|^2, sample weights
    rescaled to sum n, i.e. 1/(2W) sum w r^2) with
    A = lam*a + lam*(1-a)/sy and r = lam*a / A.
  * Huber: sklearn HuberRegressor (objective sum w (sigma + H(r/sigma) sigma)
    + alpha ||g||^2, which is Spark's objective times 2W) with alpha = lam*W
    on features divided by the unbiased weighted std, its solution polished
    by scipy's L-BFGS-B on sklearn's own loss with tight ftol/gtol.
  In every case b_j = g_j / s_j.

GeneralizedLinearRegression
---------------------------
Spark fits by IRLS; its fixed point (working label z = eta + (y - mu) g'(mu),
working weight w / (g'(mu)^2 V(mu)), each step a weighted least squares with
penalty regParam/2 ||b||^2 relative to the working-weight sum) is computed
here with a small numpy IRLS (irls below) iterated to 1e-13. Where
scikit-learn has the same model the script asserts agreement with it:
LogisticRegression(penalty='none') for binomial/logit, PoissonRegressor,
GammaRegressor and TweedieRegressor(link='log') with alpha=0, and
PoissonRegressor(alpha = regParam * weighted mean of y) for the penalized
Poisson case (at the IRLS fixed point with an intercept the working-weight
sum equals sum w*y). Summary statistics follow Spark's formulas, evaluated
with scipy.stats: dispersion (1 for the binomial and poisson family names,
else Pearson chi^2 / residual dof), deviance, null deviance (intercept-only
fit, with offset when there is one), AIC per family (gaussian: n(log(2 pi
dev/n)+1)+2-sum log w; binomial: binom.logpmf with rounded counts;
poisson: w*poisson.logpmf(int y); gamma: w*gamma.logpdf with shape 1/disp,
disp = dev/W, plus 2; tweedie: none), plus 2*rank, and standard errors
sqrt(diag(inv(X1' Wt X1 + W_t*lam*D)) * dispersion) at the fitted mu.

IsotonicRegression
------------------
sklearn IsotonicRegression (out_of_bounds='clip'): X_thresholds_ and
y_thresholds_ are Spark's boundaries and predictions (both keep the first
and last point of each pooled block); predictions at test points include
points outside the training range (clamped) and between boundaries
(linear interpolation).
"""
import json
import os
import warnings

import numpy as np
import scipy.stats as st
import sklearn
from sklearn.linear_model import (ElasticNet, GammaRegressor, HuberRegressor,
                                  LogisticRegression, PoissonRegressor, Ridge,
                                  TweedieRegressor)
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model._huber import _huber_loss_and_gradient
from scipy.optimize import minimize

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def wstd(x, w, sample):
    W = w.sum()
    mean = (w[:, None] * x).sum(0) / W if x.ndim == 2 else (w * x).sum() / W
    m2 = (w[:, None] * (x - mean) ** 2).sum(0) if x.ndim == 2 else (w * (x - mean) ** 2).sum()
    denom = W - (w ** 2).sum() / W if sample else W
    return np.sqrt(m2 / denom)


def spark_metrics(y, pred, w, fit_intercept, p):
    """Spark's LinearRegressionSummary metrics (RegressionMetrics)."""
    W = w.sum()
    r = y - pred
    mse = (w * r * r).sum() / W
    ybar = (w * y).sum() / W
    m2 = (w * (y - ybar) ** 2).sum()
    var = m2 / (W - (w ** 2).sum() / W)
    sstot = var * (W - 1)
    if fit_intercept:
        r2 = 1 - (w * r * r).sum() / sstot
    else:
        r2 = 1 - (w * r * r).sum() / (w * y * y).sum()
    n = len(y)
    k0 = 1 if fit_intercept else 0
    return dict(mse=mse, rmse=np.sqrt(mse), mae=(w * np.abs(r)).sum() / W, r2=r2,
                r2adj=1 - (1 - r2) * (n - k0) / (n - p - k0),
                explained_variance=(w * (pred - ybar) ** 2).sum() / W)


def linear_data():
    rng = np.random.default_rng(7)
    n, d = 120, 4
    z = rng.normal(size=(n, d))
    x = np.empty_like(z)
    x[:, 0] = 3 * z[:, 0] + 10
    x[:, 1] = 0.5 * z[:, 1] + 0.8 * z[:, 0]
    x[:, 2] = 20 * z[:, 2] - 5
    x[:, 3] = 0.1 * z[:, 3] + 0.3 * z[:, 2]
    y = 2.0 + 1.5 * x[:, 0] - 3 * x[:, 1] + 0.05 * x[:, 2] + 4 * x[:, 3] + rng.normal(scale=2.0, size=n)
    w = rng.uniform(0.5, 3.0, size=n)
    # Huber data: the same with a few gross outliers.
    yh = y.copy()
    yh[::17] += 40
    return x, y, yh, w


def ols(x, y, w, fit_intercept):
    n, d = x.shape
    X1 = np.hstack([x, np.ones((n, 1))]) if fit_intercept else x
    sw = np.sqrt(w)
    sol, *_ = np.linalg.lstsq(X1 * sw[:, None], y * sw, rcond=None)
    pred = X1 @ sol
    rss = (w * (y - pred) ** 2).sum()
    dof = n - X1.shape[1]
    cov = rss / dof * np.linalg.inv(X1.T @ (w[:, None] * X1))
    se = np.sqrt(np.diag(cov))
    t = sol / se
    p = 2 * st.t.sf(np.abs(t), dof)
    coef = sol[:d]
    icpt = sol[d] if fit_intercept else 0.0
    return coef, icpt, se, t, p, pred


def linear_cases():
    x, y, yh, w = linear_data()
    n, d = x.shape
    ones = np.ones(n)
    cases = []

    def add(name, params, weights, coef, icpt, pred, yy, extra=None):
        c = dict(name=name, params=params, weighted=weights is not None,
                 coefficients=list(coef), intercept=float(icpt))
        ww = weights if weights is not None else ones
        c["metrics"] = spark_metrics(yy, pred, ww, params.get("fitIntercept", True), d)
        if extra:
            c.update(extra)
        cases.append(c)

    for name, ww, fi in [("ols", None, True), ("ols_weighted", w, True), ("ols_no_intercept", w, False)]:
        wv = ww if ww is not None else ones
        coef, icpt, se, t, p, pred = ols(x, y, wv, fi)
        add(name, dict(fitIntercept=fi, solver="normal"), ww, coef, icpt, pred, y,
            dict(std_errors=list(se), t_values=list(t), p_values=list(p)))

    # Ridge, normal solver (population stds), standardization on and off.
    for name, ww, fi, std in [("ridge", None, True, True), ("ridge_weighted", w, True, True),
                              ("ridge_unstandardized", w, True, False), ("ridge_no_intercept", w, False, True)]:
        lam = 0.7
        wv = ww if ww is not None else ones
        W = wv.sum()
        sx = wstd(x, wv, False)
        sy = wstd(y, wv, False)
        scale = sx if std else np.ones(d)
        m = Ridge(alpha=W * lam / sy, fit_intercept=fi, tol=1e-14, solver="cholesky")
        m.fit(x / scale, y, sample_weight=wv)
        coef = m.coef_ / scale
        icpt = m.intercept_ if fi else 0.0
        pred = x @ coef + icpt
        # Spark's standard errors for ridge: diag of the inverse of the
        # penalized (XtWX) with the residual variance of the fit.
        X1 = np.hstack([x, np.ones((n, 1))]) if fi else x
        pen = np.zeros(X1.shape[1])
        # In the standardized space the penalty is lam/sy on g = b*sx (standardization)
        # or lam/sy on b (no standardization): XtWX + W*lam/sy*diag(sx^2 or 1).
        pen[:d] = W * lam / sy * (sx ** 2 if std else np.ones(d))
        inv = np.linalg.inv(X1.T @ (wv[:, None] * X1) + np.diag(pen))
        rss = (wv * (y - pred) ** 2).sum()
        dof = n - X1.shape[1]
        se = np.sqrt(np.diag(inv) * rss / dof)
        t = np.append(coef, icpt)[:X1.shape[1]] / se
        add(name, dict(fitIntercept=fi, solver="normal", regParam=lam, standardization=std), ww, coef, icpt, pred, y,
            dict(std_errors=list(se), t_values=list(t), p_values=list(2 * st.t.sf(np.abs(t), dof))))

    # Ridge with the l-bfgs solver: unbiased weighted stds.
    lam = 0.7
    W = w.sum()
    sx, sy = wstd(x, w, True), wstd(y, w, True)
    m = Ridge(alpha=W * lam / sy, tol=1e-14, solver="cholesky").fit(x / sx, y, sample_weight=w)
    coef = m.coef_ / sx
    add("ridge_lbfgs", dict(solver="l-bfgs", regParam=lam), w, coef, m.intercept_, x @ coef + m.intercept_, y)

    # Lasso and elastic net.
    for name, ww, fi, std, lam, a, solver in [
        ("lasso", None, True, True, 0.3, 1.0, "normal"),
        ("elastic_net_weighted", w, True, True, 0.4, 0.5, "normal"),
        ("elastic_net_unstandardized", w, True, False, 0.4, 0.5, "normal"),
        ("elastic_net_no_intercept", w, False, True, 0.2, 0.7, "normal"),
        ("elastic_net_lbfgs", w, True, True, 0.4, 0.5, "l-bfgs"),
        ("lasso_zeroes", None, True, True, 2.0, 1.0, "normal"),
    ]:
        wv = ww if ww is not None else ones
        sample = solver == "l-bfgs"
        sx, sy = wstd(x, wv, sample), wstd(y, wv, sample)
        scale = sx if std else np.ones(d)
        A = lam * a + lam * (1 - a) / sy
        r = lam * a / A
        m = ElasticNet(alpha=A, l1_ratio=r, fit_intercept=fi, tol=1e-14, max_iter=1_000_000)
        m.fit(x / scale, y, sample_weight=wv)
        coef = m.coef_ / scale
        icpt = m.intercept_ if fi else 0.0
        add(name, dict(fitIntercept=fi, solver=solver, regParam=lam, elasticNetParam=a, standardization=std),
            ww, coef, icpt, x @ coef + icpt, y)

    # Huber.
    for name, ww, lam, fi in [("huber", None, 0.0, True), ("huber_weighted_l2", w, 0.5, True),
                              ("huber_no_intercept", None, 0.0, False)]:
        wv = ww if ww is not None else ones
        sx = wstd(x, wv, True)
        m = HuberRegressor(epsilon=1.35, alpha=lam * wv.sum(), fit_intercept=fi, max_iter=100000, tol=1e-12)
        m.fit(x / sx, yh, sample_weight=wv)
        # HuberRegressor's L-BFGS-B stops on its default ftol (~2e-9
        # relative) while the objective is still moving in the 5th digit of
        # the coefficients; polish its solution on the same objective.
        p0 = np.concatenate([m.coef_, [m.intercept_] if fi else [], [m.scale_]])
        res = minimize(_huber_loss_and_gradient, p0, jac=True, method="L-BFGS-B",
                       args=(x / sx, yh, 1.35, lam * wv.sum(), wv),
                       bounds=[(None, None)] * (len(p0) - 1) + [(np.finfo(float).tiny, None)],
                       options=dict(maxiter=100000, ftol=1e-16, gtol=1e-13))
        assert res.fun <= _huber_loss_and_gradient(p0, x / sx, yh, 1.35, lam * wv.sum(), wv)[0] + 1e-12
        coef = res.x[:d] / sx
        icpt = res.x[d] if fi else 0.0
        add(name, dict(loss="huber", regParam=lam, fitIntercept=fi), ww, coef, icpt, x @ coef + icpt, yh,
            dict(scale=res.x[-1]))
    return dict(x=x.tolist(), y=y.tolist(), y_huber=yh.tolist(), w=w.tolist(), cases=cases)


# ---------------------------------------------------------------------------
# GLM families and links, Spark's definitions.

EPS = 1e-16
DELTA = 0.1


class Link:
    def __init__(self, name, power=None):
        self.name, self.power = name, power

    def link(self, mu):
        n = self.name
        if n == "identity": return mu
        if n == "log": return np.log(mu)
        if n == "logit": return np.log(mu / (1 - mu))
        if n == "probit": return st.norm.ppf(mu)
        if n == "cloglog": return np.log(-np.log(1 - mu))
        if n == "inverse": return 1 / mu
        if n == "sqrt": return np.sqrt(mu)
        if n == "power": return mu ** self.power

    def unlink(self, eta):
        n = self.name
        if n == "identity": return eta
        if n == "log": return np.exp(eta)
        if n == "logit": return 1 / (1 + np.exp(-eta))
        if n == "probit": return st.norm.cdf(eta)
        if n == "cloglog": return 1 - np.exp(-np.exp(eta))
        if n == "inverse": return 1 / eta
        if n == "sqrt": return eta * eta
        if n == "power": return eta ** (1 / self.power)

    def deriv(self, mu):
        n = self.name
        if n == "identity": return np.ones_like(mu)
        if n == "log": return 1 / mu
        if n == "logit": return 1 / (mu * (1 - mu))
        if n == "probit": return 1 / st.norm.pdf(st.norm.ppf(mu))
        if n == "cloglog": return 1 / ((mu - 1) * np.log(1 - mu))
        if n == "inverse": return -1 / (mu * mu)
        if n == "sqrt": return 1 / (2 * np.sqrt(mu))
        if n == "power": return self.power * mu ** (self.power - 1)


class Family:
    def __init__(self, name, p=None):
        self.name, self.p = name, p

    def variance(self, mu):
        n = self.name
        if n == "gaussian": return np.ones_like(mu)
        if n == "binomial": return mu * (1 - mu)
        if n == "poisson": return mu
        if n == "gamma": return mu * mu
        return mu ** self.p

    def project(self, mu):
        if self.name == "gaussian": return mu
        if self.name == "binomial": return np.clip(mu, EPS, 1 - EPS)
        return np.where(mu < EPS, EPS, np.where(np.isinf(mu), np.finfo(float).max, mu))

    def initialize(self, y, w):
        if self.name == "binomial": return (w * y + 0.5) / (w + 1)
        if self.name in ("gaussian", "gamma"): return y
        if self.name == "poisson": return np.maximum(y, DELTA)
        return np.where(y == 0, DELTA, y)

    def deviance(self, y, mu, w):
        n = self.name

        def ylogy(a, b):
            return np.where(a == 0, 0.0, a * np.log(np.where(a == 0, 1, a) / b))
        if n == "gaussian": return w * (y - mu) ** 2
        if n == "binomial": return 2 * w * (ylogy(y, mu) + ylogy(1 - y, 1 - mu))
        if n == "poisson": return 2 * w * (ylogy(y, mu) - (y - mu))
        if n == "gamma": return -2 * w * (np.log(y / mu) - (y - mu) / mu)
        p = self.p
        y1 = np.maximum(y, DELTA) if 1 <= p < 2 else y
        return 2 * w * (y * y1 ** (1 - p) / (1 - p) - y * mu ** (1 - p) / (1 - p)
                        - y ** (2 - p) / (2 - p) + mu ** (2 - p) / (2 - p))


def wls(X, z, wt, fit_intercept, lam):
    """min 1/(2 sum wt) sum wt (z - Xb - c)^2 + lam/2 |b|^2."""
    W = wt.sum()
    n, d = X.shape
    if fit_intercept:
        xm = (wt[:, None] * X).sum(0) / W
        zm = (wt * z).sum() / W
        Xc, zc = X - xm, z - zm
    else:
        Xc, zc = X, z
    if d:
        A = Xc.T @ (wt[:, None] * Xc) / W + lam * np.eye(d)
        b = np.linalg.solve(A, Xc.T @ (wt * zc) / W)
    else:
        b = np.zeros(0)
    c = (zm - xm @ b) if fit_intercept else 0.0
    return b, c


def irls(X, y, w, off, fam, link, fit_intercept, lam, tol=1e-13, maxit=500):
    mu = fam.initialize(y, w)
    b, c = wls(X, link.link(mu) - off, w, fit_intercept, 0.0)
    for it in range(maxit):
        eta = X @ b + c + off
        mu = fam.project(link.unlink(eta))
        g = link.deriv(mu)
        z = eta - off + (y - mu) * g
        wt = w / (g * g * fam.variance(mu))
        nb, nc = wls(X, z, wt, fit_intercept, lam)
        delta = max(np.max(np.abs(nb - b), initial=0), abs(nc - c))
        b, c = nb, nc
        if delta < tol:
            break
    else:
        raise RuntimeError("IRLS did not converge")
    return b, c


def glm_case(name, X, y, w, off, family, link, fit_intercept=True, lam=0.0, family_param="", p=None,
             link_power=None, xcheck=None):
    fam = Family(family if family != "tweedie" else ({0: "gaussian", 1: "poisson", 2: "gamma"}.get(p, "tweedie")), p)
    lk = link
    b, c = irls(X, y, w, off, fam, lk, fit_intercept, lam)
    n, d = X.shape
    eta = X @ b + c + off
    mu = fam.project(lk.unlink(eta))
    rank = d + (1 if fit_intercept else 0)
    rdof = n - rank
    fam_name = family
    if fam_name in ("binomial", "poisson"):
        disp = 1.0
    else:
        disp = (w * (y - mu) ** 2 / fam.variance(mu)).sum() / rdof
    dev = fam.deviance(y, mu, w).sum()
    if fit_intercept:
        if off.any():
            b0, c0 = irls(np.zeros((n, 0)), y, w, off, fam, lk, True, 0.0)
            mu0 = lk.unlink(c0 + off)
        else:
            mu0 = np.full(n, (w * y).sum() / w.sum())
    else:
        mu0 = lk.unlink(off)  # Spark does not project here
    null_dev = fam.deviance(y, mu0, w).sum()
    W = w.sum()
    fn = fam.name
    if fn == "gaussian":
        aic = n * (np.log(dev / n * 2 * np.pi) + 1) + 2 - np.log(w).sum()
    elif fn == "binomial":
        wt = np.round(w).astype(int)
        k = np.round(y * w).astype(int)
        aic = -2 * sum(st.binom.logpmf(ki, wi, mi) for ki, wi, mi in zip(k, wt, mu) if wi != 0)
    elif fn == "poisson":
        aic = -2 * (w * st.poisson.logpmf(y.astype(int), mu)).sum()
    elif fn == "gamma":
        dd = dev / W
        aic = -2 * (w * st.gamma.logpdf(y, a=1 / dd, scale=mu * dd)).sum() + 2
    else:
        aic = None
    if aic is not None:
        aic += 2 * rank
    # Standard errors at the fitted mu (Spark uses the last IRLS step's
    # weights, equal at convergence).
    g = lk.deriv(mu)
    wt = w / (g * g * fam.variance(mu))
    X1 = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    pen = np.zeros(X1.shape[1])
    pen[:d] = wt.sum() * lam
    if family == "gaussian" and link.name == "identity" and lam > 0:
        raise ValueError("use the LinearRegression ridge references for this case")
    inv = np.linalg.inv(X1.T @ (wt[:, None] * X1) + np.diag(pen))
    se = np.sqrt(np.diag(inv) * disp)
    coefs = np.append(b, c)[:X1.shape[1]]
    t = coefs / se
    if family in ("binomial", "poisson"):
        pv = 2 * st.norm.sf(np.abs(t))
    else:
        pv = 2 * st.t.sf(np.abs(t), rdof)
    if xcheck is not None:
        xb, xc = xcheck
        assert np.allclose(b, xb, rtol=1e-5, atol=1e-7), (name, b, xb)
        assert abs(c - xc) < 1e-5 * max(1, abs(c)), (name, c, xc)
    params = dict(family=family, fitIntercept=fit_intercept, regParam=lam)
    if family != "tweedie":
        params["link"] = link.name
    else:
        params["variancePower"] = p
        if link_power is not None:
            params["linkPower"] = link_power
    return dict(name=name, params=params, x=X.tolist(), y=y.tolist(), w=w.tolist(),
                offset=off.tolist() if off.any() else None,
                coefficients=list(b), intercept=float(c), dispersion=disp, deviance=dev,
                null_deviance=null_dev, aic=aic, residual_dof=rdof, std_errors=list(se),
                t_values=list(t), p_values=list(pv))


def glm_cases():
    rng = np.random.default_rng(11)
    n = 150
    X = np.column_stack([rng.uniform(0, 2, n), rng.normal(size=n), rng.integers(0, 2, n).astype(float)])
    w = rng.uniform(0.5, 2.0, n).round(2)
    ones = np.ones(n)
    zero = np.zeros(n)
    expo = rng.uniform(0.5, 3.0, n)
    off = np.log(expo)
    cases = []
    L = Link
    F = Family

    # gaussian
    y = 1 + 0.5 * X[:, 0] - 0.8 * X[:, 1] + 0.3 * X[:, 2] + rng.normal(scale=0.5, size=n)
    cases.append(glm_case("gaussian_identity", X, y, w, zero, "gaussian", L("identity")))
    cases.append(glm_case("gaussian_identity_offset", X, y, w, 0.1 * off, "gaussian", L("identity")))
    cases.append(glm_case("gaussian_identity_offset_no_intercept", X, y, ones, 0.1 * off, "gaussian", L("identity"), fit_intercept=False))
    ypos = np.exp(0.5 + 0.3 * X[:, 0] - 0.2 * X[:, 1]) + rng.normal(scale=0.1, size=n)
    cases.append(glm_case("gaussian_log", X, ypos, w, zero, "gaussian", L("log")))
    cases.append(glm_case("gaussian_inverse", X, ypos, ones, zero, "gaussian", L("inverse")))

    # binomial
    eta = -0.5 + 0.8 * X[:, 0] - 0.6 * X[:, 1] + 0.4 * X[:, 2]
    yb = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    lr = LogisticRegression(penalty="none", solver="newton-cg", tol=1e-12, max_iter=100000).fit(X, yb, sample_weight=ones)
    cases.append(glm_case("binomial_logit", X, yb, ones, zero, "binomial", L("logit"), xcheck=(lr.coef_[0], lr.intercept_[0])))
    cases.append(glm_case("binomial_probit_weighted", X, yb, w, zero, "binomial", L("probit")))
    cases.append(glm_case("binomial_cloglog", X, yb, ones, zero, "binomial", L("cloglog")))
    cases.append(glm_case("binomial_logit_offset_no_intercept", X, yb, w, 0.2 * off, "binomial", L("logit"), fit_intercept=False))
    # binomial with fractional labels and integer weights (counts)
    cnt = rng.integers(1, 6, n).astype(float)
    yfrac = rng.binomial(cnt.astype(int), 1 / (1 + np.exp(-eta))) / cnt
    cases.append(glm_case("binomial_logit_proportions", X, yfrac, cnt, zero, "binomial", L("logit")))

    # poisson
    mu = np.exp(0.2 + 0.5 * X[:, 0] - 0.3 * X[:, 1] + 0.2 * X[:, 2])
    yp = rng.poisson(mu).astype(float)
    pr = PoissonRegressor(alpha=0, tol=1e-12, max_iter=100000).fit(X, yp, sample_weight=w)
    cases.append(glm_case("poisson_log", X, yp, w, zero, "poisson", L("log"), xcheck=(pr.coef_, pr.intercept_)))
    ype = rng.poisson(mu * expo).astype(float)
    cases.append(glm_case("poisson_log_offset", X, ype, ones, off, "poisson", L("log")))
    ypi = rng.poisson(2 + 1.0 * X[:, 0] + 0.5 * X[:, 2]).astype(float)
    Xi = X[:, [0, 2]]
    cases.append(glm_case("poisson_identity", Xi, ypi, ones, zero, "poisson", L("identity")))
    cases.append(glm_case("poisson_sqrt", Xi, ypi, w, zero, "poisson", L("sqrt")))
    lam = 0.05
    pr2 = PoissonRegressor(alpha=lam * (w * yp).sum() / w.sum(), tol=1e-12, max_iter=100000).fit(X, yp, sample_weight=w)
    cases.append(glm_case("poisson_log_l2", X, yp, w, zero, "poisson", L("log"), lam=lam, xcheck=(pr2.coef_, pr2.intercept_)))

    # gamma
    mug = np.exp(0.5 + 0.4 * X[:, 0] - 0.2 * X[:, 1])
    shape = 4.0
    yg = rng.gamma(shape, mug / shape)
    gr = GammaRegressor(alpha=0, tol=1e-12, max_iter=100000).fit(X, yg, sample_weight=w)
    cases.append(glm_case("gamma_log", X, yg, w, zero, "gamma", L("log"), xcheck=(gr.coef_, gr.intercept_)))
    cases.append(glm_case("gamma_inverse", X, yg, ones, zero, "gamma", L("inverse")))
    ygi = rng.gamma(shape, (1 + X[:, 0] + 0.5 * X[:, 2]) / shape)
    cases.append(glm_case("gamma_identity", Xi, ygi, ones, zero, "gamma", L("identity")))

    # tweedie (compound Poisson-gamma)
    npois = rng.poisson(mu)
    yt = np.array([rng.gamma(2.0, m / 2.0, k).sum() if k else 0.0 for k, m in zip(npois, mu)])
    tr = TweedieRegressor(power=1.5, link="log", alpha=0, tol=1e-12, max_iter=100000).fit(X, yt, sample_weight=w)
    cases.append(glm_case("tweedie_1.5_log", X, yt, w, zero, "tweedie", L("log"), p=1.5, link_power=0.0,
                          xcheck=(tr.coef_, tr.intercept_)))
    ytp = yt + 0.5  # strictly positive, so the default link mu^(1-p) starts well
    cases.append(glm_case("tweedie_1.5_default_link", X, ytp, ones, zero, "tweedie", L("power", -0.5), p=1.5))
    cases.append(glm_case("tweedie_1_is_poisson_family", X, yp, w, zero, "tweedie", L("log"), p=1.0))
    return cases


def isotonic_cases():
    rng = np.random.default_rng(3)
    cases = []

    def add(name, x, y, w, increasing, test):
        m = IsotonicRegression(increasing=increasing, out_of_bounds="clip")
        m.fit(x, y, sample_weight=w)
        cases.append(dict(name=name, x=list(map(float, x)), y=list(map(float, y)),
                          w=None if w is None else list(map(float, w)), isotonic=increasing,
                          boundaries=list(map(float, m.X_thresholds_)),
                          predictions=list(map(float, m.y_thresholds_)),
                          test=list(map(float, test)), test_predictions=list(map(float, m.predict(test)))))

    add("spark_doc", [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 1, 6, 17, 16], None, True, [0, 1.5, 3.5, 6.5, 8])
    add("ties_in_x", [1, 1, 2, 2, 3, 4, 4, 5], [3, 1, 2, 0, 5, 4, 8, 6], None, True, [0.5, 1, 1.5, 2.5, 4.2, 9])
    add("weighted", [1, 2, 3, 4, 5], [5, 1, 4, 3, 7], [1, 3, 0.5, 2, 1], True, [1, 2.5, 4.5, 5])
    add("antitonic", [1, 2, 3, 4, 5, 6], [6, 7, 3, 4, 1, 2], [1, 1, 2, 1, 1, 0.5], False, [0, 1.5, 3.3, 7])
    x = rng.uniform(0, 10, 200).round(1)
    y = np.sin(x / 3) + x / 5 + rng.normal(scale=0.3, size=200)
    w = rng.uniform(0.2, 2, 200)
    add("random_weighted", x, y, w, True, np.linspace(-1, 11, 25))
    return cases


CHURN_CSV = "/work/shared/data/churn/mlc_churn.csv"
CHURN_NUMERIC = ["account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
                 "total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
                 "total_intl_minutes", "total_intl_calls", "number_customer_service_calls"]


def churn_cases():
    """Real data: the 5,000-row churn table (see /work/shared/data/churn).

    Features are the columns listed (in order), then international_plan
    and voice_mail_plan as 0/1 (StringIndexer alphabetAsc in the Go test).
      * linear: total_day_charge on every numeric column but itself,
        charges included, so minutes/charge pairs are nearly collinear
        (charges are minutes times a rate, rounded to cents): OLS by
        lstsq, and elastic net (lam 0.05, a 0.5) by sklearn ElasticNet.
      * binomial: churn (yes = 1) by IRLS, checked against
        LogisticRegression(penalty='none').
      * poisson: number_customer_service_calls on the others by IRLS,
        checked against PoissonRegressor(alpha=0).
    """
    import pandas as pd
    df = pd.read_csv(CHURN_CSV)
    plans = np.column_stack([(df.international_plan == "yes").astype(float), (df.voice_mail_plan == "yes").astype(float)])
    out = {}
    lin_cols = [c for c in df.columns if c not in ("state", "area_code", "international_plan", "voice_mail_plan", "churn", "total_day_charge")]
    x = df[lin_cols].to_numpy(float)
    y = df.total_day_charge.to_numpy(float)
    n = len(y)
    coef, icpt, se, t, p, pred = ols(x, y, np.ones(n), True)
    out["linear_columns"] = lin_cols
    out["ols"] = dict(coefficients=list(coef), intercept=float(icpt), std_errors=list(se))
    lam, a = 0.05, 0.5
    sx, sy = wstd(x, np.ones(n), False), wstd(y, np.ones(n), False)
    A = lam * a + lam * (1 - a) / sy
    m = ElasticNet(alpha=A, l1_ratio=lam * a / A, tol=1e-14, max_iter=1_000_000).fit(x / sx, y)
    out["elastic_net"] = dict(regParam=lam, elasticNetParam=a, coefficients=list(m.coef_ / sx), intercept=float(m.intercept_))

    X = np.hstack([df[CHURN_NUMERIC].to_numpy(float), plans])
    yb = (df.churn == "yes").to_numpy(float)
    lr = LogisticRegression(penalty="none", solver="newton-cg", tol=1e-12, max_iter=100000).fit(X, yb)
    out["binomial"] = glm_case("churn_binomial", X, yb, np.ones(n), np.zeros(n), "binomial", Link("logit"),
                               xcheck=(lr.coef_[0], lr.intercept_[0]))
    calls = CHURN_NUMERIC.index("number_customer_service_calls")
    Xp = np.delete(X, calls, axis=1)
    yp = X[:, calls]
    pr = PoissonRegressor(alpha=0, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(Xp, yp)
    out["poisson"] = glm_case("churn_poisson", Xp, yp, np.ones(n), np.zeros(n), "poisson", Link("log"),
                              xcheck=(pr.coef_, pr.intercept_))
    for k in ("binomial", "poisson"):
        del out[k]["x"], out[k]["y"], out[k]["w"]
    return out


def main():
    out = dict(sklearn_version=sklearn.__version__, numpy_version=np.__version__,
               linear=linear_cases(), glm=glm_cases(), isotonic=isotonic_cases())
    if os.path.exists(CHURN_CSV):
        out["churn"] = churn_cases()
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
