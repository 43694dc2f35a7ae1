#!/usr/bin/env python3
"""The hashing benchmark's table: medians, same-round ratios, targets.

    report.py --out DIR [--header TEXT]

Reads DIR/throughput.jsonl and DIR/index.jsonl (one JSON line per run, each with a
"round"), and DIR/accuracy.json (score.py --json). Throughput ratios are taken within a
round (the same warm cache, the same neighbours on the machine) and the median over
rounds is reported. Writes DIR/hashing.txt; exits 1 when a target is missed.
"""
import argparse
import collections
import json
import os
import statistics
import sys


def lines(path):
    if not os.path.exists(path):
        return []
    return [json.loads(x) for x in open(path) if x.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--header", default="")
    ap.add_argument("--at", type=int, default=10)
    a = ap.parse_args()
    rows, failed = [], False

    def row(label, value, target, ok):
        nonlocal failed
        result = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        failed |= ok is False
        rows.append((label, value, target, result))

    runs = collections.defaultdict(dict)  # round -> name -> images/s
    for r in lines(os.path.join(a.out, "throughput.jsonl")):
        runs[r["round"]][r["name"]] = r["images_per_s"]
    names = sorted({n for v in runs.values() for n in v})
    for name in names:
        values = [v[name] for v in runs.values() if name in v]
        row("images/s %s" % name, "%.0f (median of %d; %s)" % (statistics.median(values), len(values),
                                                               " ".join("%.0f" % x for x in values)), "-", None)

    def ratio(label, num, den, target):
        values = [v[num] / v[den] for v in runs.values() if num in v and den in v]
        if not values:
            return
        med = statistics.median(values)
        row(label, "%.2fx (rounds: %s)" % (med, " ".join("%.2f" % x for x in values)),
            ">= %gx" % target if target else "-", med >= target if target else None)

    ratio("qcpass --jobs 1 vs ImageHash phash, plain PIL", "qcpass_j1", "imagehash_plain", 3.0)
    ratio("qcpass --jobs 1 vs ImageHash phash, PIL draft", "qcpass_j1", "imagehash_draft", 1.2)
    ratio("qcpass --jobs 1 vs C decode floor (1/8, gray)", "qcpass_j1", "decode_floor", 0.8)
    all_cores = [n for n in names if n.startswith("qcpass_j") and n != "qcpass_j1"]
    for name in all_cores:
        ratio("speed-up %s vs --jobs 1" % name.replace("qcpass_j", "--jobs "), name, "qcpass_j1", None)

    index = collections.defaultdict(list)
    for r in lines(os.path.join(a.out, "index.jsonl")):
        index[(r["method"], r["count"], r["jobs"])].append(r)
    medians = {}
    for key in sorted(index, key=lambda k: (k[0], k[1], k[2])):
        method, count, jobs = key
        seconds = [r["seconds"] for r in index[key]]
        medians[key] = statistics.median(seconds)
        plan = index[key][0].get("plan", "")
        ok = medians[key] <= 10.0 if method == "auto" and count == 1_000_000 else None
        row("index r=8 %s n=%d jobs=%d (%s; %d pairs)" % (method, count, jobs, plan, index[key][0]["pairs"]),
            "%.3f s (median of %d)" % (medians[key], len(seconds)), "<= 10 s" if ok is not None else "-", ok)
    for jobs in sorted({k[2] for k in medians if k[0] == "auto"}):
        big, small = medians.get(("auto", 1_000_000, jobs)), medians.get(("auto", 100_000, jobs))
        if big and small:
            row("index t(1M)/t(100k), jobs=%d" % jobs, "%.1f" % (big / small), "<= 20", big / small <= 20)

    accuracy = os.path.join(a.out, "accuracy.json")
    if os.path.exists(accuracy):
        scores = json.load(open(accuracy))
        for name, s in scores.items():
            at = s["rows"][a.at]
            ok = at["recall"] >= 0.9 and at["precision"] >= 0.95 if name == "qcpass" else None
            row("accuracy %s at distance %d" % (name, a.at),
                "recall %.3f, precision %.3f (%d/%d true pairs, %d false)" % (at["recall"], at["precision"], at["tp"],
                                                                           s["true_pairs"], at["fp"]),
                "recall >= 0.9 at precision >= 0.95" if ok is not None else "-", ok)

    widths = [max(len(str(r[i])) for r in rows + [("measure", "value", "target", "result")]) for i in range(4)]
    text = [a.header.rstrip(), ""] if a.header else []
    for r in [("measure", "value", "target", "result")] + rows:
        text.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    text.insert(len(text) - len(rows), "-" * len(text[-len(rows) - 1]))
    out = "\n".join(text) + "\n"
    sys.stdout.write(out)
    with open(os.path.join(a.out, "hashing.txt.part"), "w") as f:
        f.write(out)
    os.replace(os.path.join(a.out, "hashing.txt.part"), os.path.join(a.out, "hashing.txt"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
