#!/usr/bin/python3
"""Flask + scikit-learn reference server for Sluice's serving benchmark.

Fits the scikit-learn equivalent of examples/churn/pipeline.yaml and serves
it the way MLflow's pyfunc scoring server does: POST /invocations with
MLflow's JSON bodies (dataframe_split, dataframe_records) answering
{"predictions": [...]}, plus GET /ping and /health.

The pipeline, as in the spec: rows 1-3,333 of the churn data train (the
charge columns, state and area code dropped), the majority class is
downsampled with fraction 0.1695 (seed 42), the two yes/no plan columns are
indexed (OrdinalEncoder, where the spec has StringIndexer), 13 features are
assembled and a decision tree's max_depth is chosen from 2..7 by 3-fold
cross-validation on ROC AUC. Rows 3,334-5,000 are held out and its AUC is
printed at start so the two models can be compared.

  /usr/bin/python3 bench/serving/flask_server.py --port 5001 [--gunicorn-app]

Needs Debian's python3-flask, python3-sklearn and python3-pandas.
"""

import argparse
import logging
import os
import sys

import numpy as np
import pandas as pd
from flask import Flask, jsonify, request
from sklearn.compose import ColumnTransformer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "examples", "churn", "data", "mlc_churn.csv")

PLANS = ["international_plan", "voice_mail_plan"]
NUMERIC = [
    "account_length", "number_vmail_messages",
    "total_day_minutes", "total_day_calls", "total_eve_minutes", "total_eve_calls",
    "total_night_minutes", "total_night_calls", "total_intl_minutes",
    "total_intl_calls", "number_customer_service_calls",
]
FEATURES = ["account_length"] + PLANS + NUMERIC[1:]


def yes_no(col):
    """DuckDB reads the yes/no columns as BOOLEAN; so does this server."""
    if col.dtype == bool:
        return col
    return col.map(lambda v: v if isinstance(v, (bool, np.bool_)) else str(v).strip().lower() in ("yes", "true", "1"))


def load():
    df = pd.read_csv(DATA)
    for c in PLANS:
        df[c] = yes_no(df[c])
    df["label"] = (df["churn"] == "yes").astype(float)
    return df.iloc[:3333], df.iloc[3333:]


def fit():
    train, test = load()
    rng = np.random.default_rng(42)
    keep = (train["label"] == 1.0) | (rng.random(len(train)) < 0.1695)
    train = train[keep]
    pre = ColumnTransformer(
        [("plans", OrdinalEncoder(), PLANS)],
        remainder="passthrough",
    )
    pipe = Pipeline([("index", pre), ("tree", DecisionTreeClassifier(random_state=42))])
    search = GridSearchCV(
        pipe,
        {"tree__max_depth": [2, 3, 4, 5, 6, 7]},
        scoring="roc_auc",
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=42),
    )
    search.fit(train[FEATURES], train["label"])
    model = search.best_estimator_
    auc = roc_auc_score(test["label"], model.predict_proba(test[FEATURES])[:, 1])
    print(
        f"flask_server: fitted on {len(train)} rows, max_depth={search.best_params_['tree__max_depth']}, "
        f"test AUC {auc:.4f}",
        file=sys.stderr, flush=True,
    )
    return model


def bad_request(msg, status=400):
    resp = jsonify({"error_code": "BAD_REQUEST", "message": msg})
    resp.status_code = status
    return resp


def make_app(model):
    app = Flask("sluice-bench-flask")

    @app.get("/ping")
    @app.get("/health")
    def ping():
        return "\n"

    @app.post("/invocations")
    def invocations():
        if request.mimetype != "application/json":
            return bad_request(f"unsupported content type {request.mimetype}", 415)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return bad_request("request body must be a JSON object")
        if "dataframe_split" in body:
            split = body["dataframe_split"]
            df = pd.DataFrame(split.get("data", []), columns=split.get("columns"))
        elif "dataframe_records" in body:
            df = pd.DataFrame(body["dataframe_records"])
        else:
            return bad_request("want dataframe_split or dataframe_records")
        missing = [c for c in FEATURES if c not in df.columns]
        if missing:
            return bad_request(f"missing columns {missing}")
        for c in PLANS:
            df[c] = yes_no(df[c])
        pred = model.predict(df[FEATURES])
        return jsonify({"predictions": pred.tolist()})

    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5001)
    args = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = make_app(fit())
    app.run(host=args.host, port=args.port, threaded=True)


# gunicorn entry point: gunicorn --chdir bench/serving flask_server:app
if __name__ != "__main__" and os.environ.get("SLUICE_BENCH_GUNICORN"):
    app = make_app(fit())

if __name__ == "__main__":
    main()
