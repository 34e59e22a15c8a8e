#!/usr/bin/python3
"""Turn bench/spam/run.sh's JSON lines into the markdown results table.

    compare.py results.jsonl [load-average]

Lines come in pairs (scikit-learn, then Sluice) per vocabulary size.
Targets (issue 6): accuracy within 0.5 points of scikit-learn's, fit time
at most 1.0x scikit-learn's.
"""

import json
import sys


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    load = sys.argv[2] if len(sys.argv) > 2 else "?"
    peers = [r for r in rows if r["side"] == "scikit-learn"]
    ours = [r for r in rows if r["side"] == "sluice"]
    print(f"Spam: TF-IDF + LogisticRegression on SpamAssassin ({peers[0]['train_rows']} train / "
          f"{peers[0]['test_rows']} test messages), scikit-learn {peers[0]['version']} vs Sluice "
          f"({ours[0]['threads']} threads); load average at start {load}.\n")
    print("| features | metric | scikit-learn | Sluice | Sluice vs scikit-learn | target | verdict |")
    print("|---:|---|---:|---:|---:|---|---|")
    for p, s in zip(peers, ours):
        v = p["features"]
        dacc = (s["accuracy"] - p["accuracy"]) * 100
        ok_acc = abs(dacc) <= 0.5 or dacc > 0
        print(f"| {v} | accuracy | {p['accuracy']:.4f} | {s['accuracy']:.4f} | {dacc:+.2f} points | "
              f"within 0.5 points | {'meets' if ok_acc else 'MISSES'} |")
        print(f"| {v} | areaUnderROC | {p['auc']:.4f} | {s['auc']:.4f} | {s['auc'] - p['auc']:+.4f} | — | |")
        ratio = s["fit_s"] / p["fit_s"]
        print(f"| {v} | fit seconds (wall, median) | {p['fit_s']:.2f} | {s['fit_s']:.2f} | {ratio:.2f}× | "
              f"≤ 1.0× | {'meets' if ratio <= 1.0 else 'MISSES'} |")
        print(f"| {v} | fit CPU seconds | {p['fit_cpu_s']:.2f} | {s['fit_cpu_s']:.2f} | "
              f"{s['fit_cpu_s'] / p['fit_cpu_s']:.2f}× | — | |")
        print(f"| {v} | LR iterations | {p['iterations']} | {s['iterations']} | | — | |")
        print(f"| {v} | peak RSS MB | {p['peak_rss_mb']:.0f} | {s['peak_rss_mb']:.0f} | "
              f"{s['peak_rss_mb'] / p['peak_rss_mb']:.2f}× | — | |")
    print()
    for p, s in zip(peers, ours):
        st = s.get("stage_s") or {}
        parts = ", ".join(f"{k} {st[k]:.2f}" for k in ["RegexTokenizer", "StopWordsRemover", "CountVectorizer",
                                                        "IDF", "Normalizer", "LogisticRegression"] if k in st)
        print(f"- {p['features']} features — scikit-learn: vectorize {p['vectorize_s']:.2f} s, "
              f"LogisticRegression {p['lr_s']:.2f} s; Sluice stages (s): {parts}")


if __name__ == "__main__":
    main()
