#!/usr/bin/env python3
"""Scores perceptual hashes against the accuracy set's truth.

    score.py --truth truth.json --hashes NAME=DUMP.tsv [NAME=DUMP.tsv ...] [--at 10] [--json OUT]

A dump has "path<TAB>hash hex" per line (qcpass-bench --dump or pil_phash.py --dump;
extra columns ignored; an empty hash = the file could not be hashed: it matches
nothing). Every pair of files is scored: same group = true near-duplicate, same scene
but another group = not scored, otherwise a true non-duplicate. For each tool and
Hamming threshold t, pairs with distance <= t are "found": recall = found true pairs /
true pairs, precision = found true pairs / found pairs. Prints a sweep table, the
figures at --at, and per copy kind the recall at --at. Standard library only.
"""
import argparse
import itertools
import json
import sys


def load(path):
    out = {}
    for line in open(path):
        cols = line.rstrip("\n").split("\t")
        out[cols[0]] = int(cols[1], 16) if len(cols) > 1 and cols[1] else None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--hashes", nargs="+", required=True)
    ap.add_argument("--at", type=int, default=10)
    ap.add_argument("--max", type=int, default=20)
    ap.add_argument("--json")
    a = ap.parse_args()
    files = json.load(open(a.truth))["files"]
    tools = [h.split("=", 1) for h in a.hashes]
    result = {}
    for name, dump in tools:
        hashes = load(dump)
        pos = [0] * 65
        neg = [0] * 65
        kind_pos = {}
        kind_total = {}
        total_pos = 0
        missing = sum(1 for f in files if hashes.get(f["path"]) is None)
        for x, y in itertools.combinations(files, 2):
            same_group = x["group"] == y["group"]
            if not same_group and x["scene"] == y["scene"]:
                continue
            hx, hy = hashes.get(x["path"]), hashes.get(y["path"])
            d = bin(hx ^ hy).count("1") if hx is not None and hy is not None else 64 + 1
            if same_group:
                total_pos += 1
                kind = y["copy"] if x["copy"] == "base" else (x["copy"] if y["copy"] == "base" else "copy-copy")
                kind_total[kind] = kind_total.get(kind, 0) + 1
                if d <= 64:
                    pos[d] += 1
                    if d <= a.at:
                        kind_pos[kind] = kind_pos.get(kind, 0) + 1
            elif d <= 64:
                neg[d] += 1
        rows = []
        tp = fp = 0
        for t in range(0, a.max + 1):
            tp += pos[t]
            fp += neg[t]
            recall = tp / total_pos if total_pos else 0.0
            precision = tp / (tp + fp) if tp + fp else 1.0
            rows.append({"t": t, "recall": recall, "precision": precision, "tp": tp, "fp": fp})
        result[name] = {"rows": rows, "true_pairs": total_pos, "unhashed": missing,
                        "per_copy_recall": {k: kind_pos.get(k, 0) / v for k, v in sorted(kind_total.items())}}
    names = [n for n, _ in tools]
    print("threshold  " + "  ".join("%-24s" % (n + " recall/precision") for n in names))
    for t in range(0, a.max + 1):
        cells = ["%.3f / %.3f" % (result[n]["rows"][t]["recall"], result[n]["rows"][t]["precision"]) for n in names]
        print("%9d  %s" % (t, "  ".join("%-24s" % c for c in cells)))
    for n in names:
        r = result[n]
        at = r["rows"][a.at]
        print("%s at distance %d: recall %.3f, precision %.3f (%d true pairs, %d false pairs found; %d true pairs; %d files unhashed)"
              % (n, a.at, at["recall"], at["precision"], at["tp"], at["fp"], r["true_pairs"], r["unhashed"]))
        print("  recall per copy kind: " + ", ".join("%s %.2f" % kv for kv in r["per_copy_recall"].items()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
