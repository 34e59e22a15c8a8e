#!/usr/bin/python3
"""Reference AUCs for ml/tree's churn test, computed with scikit-learn.

Features as the Go test builds them: every numeric churn column except the
*_charge ones, then international_plan and voice_mail_plan as 0/1 (the
Go side indexes them with StringIndexer: "no" is the frequent value, so
no=0, yes=1).  Label churn == "yes".  Rows 1-3,333 train, 3,334-5,000
test.  Writes testdata/reference.json.

Run: /usr/bin/python3 ml/tree/testdata/gen_reference.py
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = "/work/shared/data/churn/mlc_churn.csv"
NUMERIC = ["account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
           "total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
           "total_intl_minutes", "total_intl_calls", "number_customer_service_calls"]

df = pd.read_csv(CSV)
X = df[NUMERIC].astype(np.float64).copy()
for c in ("international_plan", "voice_mail_plan"):
    X[c] = (df[c] == "yes").astype(np.float64)
X = X.to_numpy()
y = (df["churn"] == "yes").to_numpy(dtype=np.int64)
Xtr, ytr, Xte, yte = X[:3333], y[:3333], X[3333:], y[3333:]

out = {"sklearn_version": sklearn.__version__, "features": NUMERIC + ["international_plan", "voice_mail_plan"]}
models = {
    "dt_depth5": DecisionTreeClassifier(max_depth=5, random_state=42),
    "rf_100": RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=2),
    "gbt_100_depth3": GradientBoostingClassifier(n_estimators=100, learning_rate=0.1, max_depth=3, random_state=42),
}
for name, m in models.items():
    m.fit(Xtr, ytr)
    out[name] = round(float(roc_auc_score(yte, m.predict_proba(Xte)[:, 1])), 6)
# The forest's AUC moves with the seed; record the spread.
rf = []
for seed in range(5):
    m = RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=2).fit(Xtr, ytr)
    rf.append(round(float(roc_auc_score(yte, m.predict_proba(Xte)[:, 1])), 6))
out["rf_100_seeds_0_4"] = rf
with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out))
