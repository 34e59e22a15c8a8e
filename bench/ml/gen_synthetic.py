#!/usr/bin/python3
"""Fixed generator for the synthetic ML benchmark data set.

Writes a 500,000 x 20 binary classification set made by scikit-learn's
make_classification with the fixed parameters below, split 80/20 into
bench/ml/data/synthetic_train.csv and bench/ml/data/synthetic_test.csv
(and .parquet copies when pyarrow is importable), then prints the SHA-256 of
every file written and stores them in bench/ml/data/SHA256SUMS so the Go side
can check it reads exactly the same bytes.

Columns: f0..f19 (float, written with "%.10g", i.e. 10 significant digits),
label (0/1 integer).  No index column, "\n" line endings, header row.
The CSV files are the canonical data: the Go benchmark and peer.py both read
them, so both sides see identical (rounded) values.

Determinism: make_classification(random_state=42) and
train_test_split(random_state=42, stratify=y).  The bytes depend on the
numpy / scikit-learn random streams; the digests recorded in README.md were
produced with Debian bookworm's scikit-learn 1.2.1 and numpy 1.24.2.

Run with the Debian interpreter:  /usr/bin/python3 bench/ml/gen_synthetic.py
"""
import argparse
import hashlib
import os
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

# The fixed recipe.  Changing any of these changes the data set; bump the
# README digests if you do.
PARAMS = dict(
    n_samples=500_000,
    n_features=20,
    n_informative=10,
    n_redundant=5,
    n_repeated=0,
    n_classes=2,
    n_clusters_per_class=2,
    weights=None,
    flip_y=0.01,
    class_sep=1.0,
    hypercube=True,
    shift=0.0,
    scale=1.0,
    shuffle=True,
    random_state=42,
)
TEST_SIZE = 0.2
SPLIT_SEED = 42
FLOAT_FORMAT = "%.10g"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "data"),
                    help="output directory (default: bench/ml/data)")
    ap.add_argument("--no-parquet", action="store_true",
                    help="skip the Parquet copies even if pyarrow is present")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    X, y = make_classification(**PARAMS)
    cols = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    df["label"] = y.astype(np.int64)
    train, test = train_test_split(df, test_size=TEST_SIZE,
                                   random_state=SPLIT_SEED, stratify=y)

    try:
        import pyarrow  # noqa: F401
        parquet = not args.no_parquet
    except ImportError:
        parquet = False

    written = []
    for name, part in (("train", train), ("test", test)):
        path = os.path.join(args.out, f"synthetic_{name}.csv")
        part.to_csv(path, index=False, float_format=FLOAT_FORMAT,
                    lineterminator="\n")
        written.append(path)
        if parquet:
            # Parquet copy holds the same rounded values as the CSV.
            back = pd.read_csv(path)
            ppath = os.path.join(args.out, f"synthetic_{name}.parquet")
            back.to_parquet(ppath, index=False)
            written.append(ppath)

    sums = [(sha256(p), os.path.basename(p)) for p in written]
    with open(os.path.join(args.out, "SHA256SUMS"), "w") as f:
        for digest, base in sums:
            f.write(f"{digest}  {base}\n")

    print(f"synthetic: {len(train)} train + {len(test)} test rows, "
          f"{X.shape[1]} features, positive rate "
          f"{y.mean():.4f}; sklearn {sklearn.__version__}, numpy {np.__version__}; "
          f"parquet {'yes' if parquet else 'no (pyarrow absent)'}; "
          f"{time.time() - t0:.1f}s", file=sys.stderr)
    for digest, base in sums:
        print(f"{digest}  {base}")


if __name__ == "__main__":
    main()
