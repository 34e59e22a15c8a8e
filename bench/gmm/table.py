#!/usr/bin/python3
"""Print the markdown table of a bench/gmm run from its results.jsonl.

    /usr/bin/python3 bench/gmm/table.py bench/gmm/results/<stamp>/results.jsonl [--strict]

Each line is {"case", "label", "seed", "side": "sklearn"|"sluice", "true_mean_loglik",
"result": <peer.py or main.go JSON line, or {"error": ...}>}. Per case and seed the
table gives fit seconds, their ratio (Sluice / scikit-learn), EM iterations, the mean
log-likelihood per row of each fitted model on the data, the difference in percent of
scikit-learn's, peak RSS and the verdict:

  meets  fit time ratio <= 1.0 and Sluice's mean log-likelihood is at most 1 % below
         scikit-learn's (higher is better; a better optimum is noted, not a miss)
  misses otherwise; n/a when a side failed.

--strict exits 1 when any row misses or is n/a.
"""
import json
import sys
from collections import OrderedDict


def fmt_s(x):
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    strict = "--strict" in sys.argv
    rows = OrderedDict()
    for line in open(args[0]):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        key = (r["case"], r["seed"])
        rows.setdefault(key, {"label": r["label"], "true": r.get("true_mean_loglik")})[r["side"]] = r["result"]
    print("| case | seed | sklearn fit s | sluice fit s | ratio | iterations (sk / sluice) | sklearn mean loglik | sluice mean loglik | Δ loglik | true mixture | peak RSS MB (sk / sluice) | verdict |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    counts = {"meets": 0, "misses": 0, "n/a": 0}
    for (case, seed), r in rows.items():
        sk, sl = r.get("sklearn", {}), r.get("sluice", {})
        true = r["true"]
        if "fit_s" not in sk or "fit_s" not in sl:
            why = sk.get("error") or sl.get("error") or "missing"
            print(f"| {r['label']} | {seed} | | | | | | | | | | n/a: {why} |")
            counts["n/a"] += 1
            continue
        ratio = sl["fit_s"] / sk["fit_s"]
        a, b = sk["mean_loglik"], sl["mean_loglik"]
        delta = (b - a) / abs(a) * 100
        notes = []
        ok = True
        if ratio > 1.0:
            ok = False
            notes.append(f"time {ratio:.2f}× > 1.0×")
        if delta < -1.0:
            ok = False
            notes.append(f"loglik {delta:+.2f} % (more than 1 % below)")
        elif delta > 1.0:
            notes.append(f"Sluice found a better optimum ({delta:+.2f} %)")
        verdict = ("meets" if ok else "misses") + ("; " + "; ".join(notes) if notes else "")
        counts["meets" if ok else "misses"] += 1
        true_s = f"{true:.4f}" if true is not None else ""
        print(f"| {r['label']} | {seed} | {fmt_s(sk['fit_s'])} | {fmt_s(sl['fit_s'])} | {ratio:.2f}× | "
              f"{sk['iterations']} / {sl['iterations']} | {a:.4f} | {b:.4f} | {delta:+.3f} % | {true_s} | "
              f"{sk['peak_rss_mb']:.0f} / {sl['peak_rss_mb']:.0f} | {verdict} |")
    print()
    print(f"{counts['meets']} meet, {counts['misses']} miss, {counts['n/a']} n/a.")
    if strict and (counts["misses"] or counts["n/a"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
