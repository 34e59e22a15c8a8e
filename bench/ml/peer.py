#!/usr/bin/python3
"""scikit-learn / xgboost peer for Sluice's ML benchmarks.

Fits one model on one task and prints ONE JSON line on stdout:

  {"task", "model", "params", "n_train", "n_test", "n_features", "n_jobs",
   "repeat", "fit_seconds", "predict_seconds", "auc", "accuracy",
   "peak_rss_mb", "sklearn_version", "xgboost_version", "python_version"}

fit_seconds / predict_seconds are wall-clock (time.perf_counter) medians over
--repeat runs and cover only estimator.fit / estimator.predict_proba (plus the
StandardScaler for lr, which is part of that model's pipeline) - not CSV
parsing or encoding.  auc is roc_auc_score on the test set, accuracy uses a
0.5 threshold on the positive-class probability.  peak_rss_mb is
getrusage(RUSAGE_SELF).ru_maxrss / 1024 for the whole process (Linux reports
KiB), so it includes the interpreter, the imported libraries and the loaded
data, not just the model.

Tasks
  churn      examples/churn/data/mlc_churn.csv: data rows 1-3,333 train,
             3,334-5,000 test (file order, no shuffling).  Features: every
             column except `state` and `churn`.  Encoding (same matrix for all
             models): international_plan and voice_mail_plan yes/no -> 1/0;
             area_code one-hot into area_code_408/415/510 (3 columns, fixed
             category order).  With only three unordered codes one-hot is the
             honest encoding for lr and costs trees nothing.  Label: churn=="yes".
  synthetic  bench/ml/data/synthetic_{train,test}.csv from gen_synthetic.py:
             columns f0..f19, label (0/1).

Models (defaults; --params JSON overrides/extends them, keys are passed to the
estimator constructor as is)
  dt       DecisionTreeClassifier(max_depth=5, random_state=42)
  rf       RandomForestClassifier(n_estimators=100, max_depth=None,
                                  n_jobs=N, random_state=42)
  gbt      GradientBoostingClassifier(n_estimators=100, learning_rate=0.1,
                                      max_depth=3, random_state=42)
  lr       StandardScaler() + LogisticRegression(max_iter=1000)
  xgb-hist XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6,
                         learning_rate=0.3, n_jobs=N, random_state=42)

Threads: --n-jobs N (default 2) goes to rf and xgb-hist, and is also exported
as OMP/OPENBLAS/MKL_NUM_THREADS before numpy loads, so BLAS (lr) and OpenMP
cannot use more cores than the Go side is given.  dt and gbt are
single-threaded in scikit-learn.

Run with the Debian interpreter: /usr/bin/python3 bench/ml/peer.py ...
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHURN_CSV = os.path.join(ROOT, "examples", "churn", "data", "mlc_churn.csv")
CHURN_TRAIN_ROWS = 3333
AREA_CODES = ["area_code_408", "area_code_415", "area_code_510"]

DEFAULTS = {
    "dt": {"max_depth": 5, "random_state": 42},
    "rf": {"n_estimators": 100, "max_depth": None, "random_state": 42},
    "gbt": {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3,
            "random_state": 42},
    "lr": {"max_iter": 1000},
    "xgb-hist": {"tree_method": "hist", "n_estimators": 100, "max_depth": 6,
                 "learning_rate": 0.3, "random_state": 42},
}
THREADED = {"rf", "xgb-hist"}


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Fit one scikit-learn/xgboost model and print one JSON line.")
    ap.add_argument("--task", required=True, choices=["churn", "synthetic"])
    ap.add_argument("--model", required=True, choices=sorted(DEFAULTS))
    ap.add_argument("--train", help="training CSV (churn: defaults to "
                    "mlc_churn.csv rows 1-3,333; synthetic: data/synthetic_train.csv)")
    ap.add_argument("--test", help="test CSV (churn: defaults to mlc_churn.csv "
                    "rows 3,334-5,000; synthetic: data/synthetic_test.csv)")
    ap.add_argument("--params", default="{}",
                    help="JSON object of estimator hyperparameters")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1,
                    help="fit/predict this many times; report the medians")
    return ap.parse_args(argv)


def load_churn(train_path, test_path):
    import numpy as np
    import pandas as pd

    def encode(df):
        y = (df["churn"] == "yes").to_numpy(dtype=np.int64)
        X = df.drop(columns=["state", "churn"]).copy()
        for c in ("international_plan", "voice_mail_plan"):
            X[c] = (X[c] == "yes").astype(np.float64)
        unknown = set(X["area_code"]) - set(AREA_CODES)
        if unknown:
            raise SystemExit(f"peer: unexpected area codes {sorted(unknown)}")
        for code in AREA_CODES:
            X[code] = (X["area_code"] == code).astype(np.float64)
        X = X.drop(columns=["area_code"])
        return X.to_numpy(dtype=np.float64), y, list(X.columns)

    if train_path == test_path:
        df = pd.read_csv(train_path)
        tr, te = df.iloc[:CHURN_TRAIN_ROWS], df.iloc[CHURN_TRAIN_ROWS:]
    else:
        tr, te = pd.read_csv(train_path), pd.read_csv(test_path)
    Xtr, ytr, cols = encode(tr)
    Xte, yte, _ = encode(te)
    return Xtr, ytr, Xte, yte, cols


def load_synthetic(train_path, test_path):
    import numpy as np
    import pandas as pd

    def read(path):
        if path.endswith(".parquet"):
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, dtype=np.float64)
        y = df["label"].to_numpy().astype(np.int64)
        X = df.drop(columns=["label"])
        return X.to_numpy(dtype=np.float64), y, list(X.columns)

    Xtr, ytr, cols = read(train_path)
    Xte, yte, _ = read(test_path)
    return Xtr, ytr, Xte, yte, cols


def build(model, params, n_jobs):
    if model == "dt":
        from sklearn.tree import DecisionTreeClassifier
        return DecisionTreeClassifier(**params)
    if model == "rf":
        from sklearn.ensemble import RandomForestClassifier
        return RandomForestClassifier(**params)
    if model == "gbt":
        from sklearn.ensemble import GradientBoostingClassifier
        return GradientBoostingClassifier(**params)
    if model == "lr":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        return make_pipeline(StandardScaler(), LogisticRegression(**params))
    if model == "xgb-hist":
        from xgboost import XGBClassifier
        return XGBClassifier(**params)
    raise ValueError(model)


def main(argv):
    args = parse_args(argv)
    if args.repeat < 1 or args.n_jobs < 1:
        raise SystemExit("peer: --repeat and --n-jobs must be >= 1")
    # Cap native thread pools before numpy / xgboost are imported.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.n_jobs)

    import resource
    import sklearn
    import xgboost
    from sklearn.metrics import accuracy_score, roc_auc_score

    params = dict(DEFAULTS[args.model])
    if args.model in THREADED:
        params["n_jobs"] = args.n_jobs
    try:
        extra = json.loads(args.params)
    except json.JSONDecodeError as e:
        raise SystemExit(f"peer: --params is not JSON: {e}")
    if not isinstance(extra, dict):
        raise SystemExit("peer: --params must be a JSON object")
    params.update(extra)

    if args.task == "churn":
        train = args.train or CHURN_CSV
        test = args.test or CHURN_CSV
        Xtr, ytr, Xte, yte, cols = load_churn(train, test)
    else:
        train = args.train or os.path.join(HERE, "data", "synthetic_train.csv")
        test = args.test or os.path.join(HERE, "data", "synthetic_test.csv")
        for p in (train, test):
            if not os.path.exists(p):
                raise SystemExit(f"peer: {p} missing; run gen_synthetic.py first")
        Xtr, ytr, Xte, yte, cols = load_synthetic(train, test)

    fit_times, pred_times = [], []
    for _ in range(args.repeat):
        est = build(args.model, params, args.n_jobs)
        t0 = time.perf_counter()
        est.fit(Xtr, ytr)
        fit_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        proba = est.predict_proba(Xte)[:, 1]
        pred_times.append(time.perf_counter() - t0)

    out = {
        "task": args.task,
        "model": args.model,
        "params": params,
        "n_train": int(Xtr.shape[0]),
        "n_test": int(Xte.shape[0]),
        "n_features": int(Xtr.shape[1]),
        "n_jobs": args.n_jobs,
        "repeat": args.repeat,
        "fit_seconds": round(statistics.median(fit_times), 6),
        "predict_seconds": round(statistics.median(pred_times), 6),
        "auc": round(float(roc_auc_score(yte, proba)), 6),
        "accuracy": round(float(accuracy_score(yte, (proba >= 0.5).astype(int))), 6),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "sklearn_version": sklearn.__version__,
        "xgboost_version": xgboost.__version__,
        "python_version": sys.version.split()[0],
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
