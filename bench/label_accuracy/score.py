#!/usr/bin/env python3
"""Score a qcpass findings.json against the injected label errors of the benchmark dataset.

    python3 bench/label_accuracy/score.py --truth DATA/truth.json --findings OUT/findings.json
    python3 bench/label_accuracy/score.py ... --json OUT/score.json --cleanlab OUT/cleanlab.json

Only the standard library; always exits 0 (a missing findings file scores as "no findings").

Matching: a finding matches an injected error on the same image when their boxes overlap
with IoU >= 0.5 (--iou), one-to-one, findings taken by score, highest first, each to the
unmatched error it overlaps most:
  missing_box             <-> dropped_box                 finding box (the prediction) vs the TRUE box
  wrong_class             <-> class_swap                  finding box vs the box as labelled
  loose_box + tight_box   <-> scaled_up + scaled_down     finding box vs the box as labelled
  loose_box <-> scaled_up and tight_box <-> scaled_down   the same, direction must agree
precision = matched findings / findings of those kinds; recall = matched errors / errors.
"recall | predictable" counts only errors whose true box the simulated model detected with
its true class (truth.json `prediction`), the ceiling for a prediction-based check.

class_swap findings (dataset level, one per A<->B confusion) are not part of wrong_class:
they are listed on their own; one "names the pair" when the two systematic class names
both occur in its class/box/suggestion/message. "wrong_class recall + class_swap" then
counts the systematic swaps as found when such a finding exists.

Image-level AP: images ranked by their highest finding score over --ap-kinds (a finding
without score counts 0; images without such findings come last, tied), binary target
"the image has >= 1 injected error"; AP as sklearn's average_precision_score (ties
grouped). "flagged images" = images with any such finding.

--cleanlab FILE (written by cleanlab_baseline.py) adds the side-by-side table with the
targets: precision and recall >= 0.8 for missing_box, wrong_class and loose+tight, and
qcpass's image-level AP >= cleanlab's.
"""
import argparse
import json
import os
import sys

GROUPS = [
    # name, finding kinds, error kinds, error box field, indent
    ("missing_box", ("missing_box",), ("dropped_box",), "true_xyxy", 0),
    ("wrong_class", ("wrong_class",), ("class_swap",), "label_xyxy", 0),
    ("loose+tight", ("loose_box", "tight_box"), ("scaled_up", "scaled_down"), "label_xyxy", 0),
    ("loose_box", ("loose_box",), ("scaled_up",), "label_xyxy", 1),
    ("tight_box", ("tight_box",), ("scaled_down",), "label_xyxy", 1),
]
DEFAULT_AP_KINDS = ("missing_box", "wrong_class", "loose_box", "tight_box", "bad_box", "duplicate_box")
TARGET_PR = 0.8
TARGET_GROUPS = ("missing_box", "wrong_class", "loose+tight")


def iou(a, b):
    if a is None or b is None or any(v is None for v in a) or any(v is None for v in b):
        return 0.0
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1]) + max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def average_precision(scores, targets):
    """sklearn.metrics.average_precision_score for one binary target (ties grouped)."""
    pos = sum(1 for t in targets if t)
    if pos == 0:
        return None
    pairs = sorted(zip(scores, targets), key=lambda p: -p[0])
    ap, tp, fp, prev_r, i = 0.0, 0, 0, 0.0, 0
    while i < len(pairs):
        s = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == s:
            tp += 1 if pairs[i][1] else 0
            fp += 0 if pairs[i][1] else 1
            i += 1
        r = tp / pos
        ap += (r - prev_r) * (tp / (tp + fp))
        prev_r = r
    return ap


def ratio(a, b):
    return a / b if b else None


def load_findings(path):
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def image_key(path, root, known):
    """The finding's image as a path relative to the dataset root."""
    if not path:
        return None
    if path in known:
        return path
    if os.path.isabs(path) and root:
        rel = os.path.relpath(path, root)
        if rel in known:
            return rel
    norm = os.path.normpath(path)
    return norm if norm in known else path


def score(truth, findings_doc, iou_thr=0.5, ap_kinds=DEFAULT_AP_KINDS, dataset_root=None):
    """Everything score.py reports, as a dict. findings_doc None = no findings file."""
    images = truth["image_list"]
    known = set(images)
    errors = truth["errors"]
    findings = (findings_doc or {}).get("findings", [])
    root = dataset_root or (findings_doc or {}).get("dataset", {}).get("root")
    for f in findings:
        f["_image"] = image_key(f.get("image"), root, known)
    err_by_img = {}
    for e in errors:
        err_by_img.setdefault(e["image"], []).append(e)

    res = {"iou": iou_thr, "findings_file": findings_doc is not None, "findings": len(findings),
           "kinds": {}, "groups": {}, "unknown_images": 0}
    for f in findings:
        res["kinds"][f.get("kind", "?")] = res["kinds"].get(f.get("kind", "?"), 0) + 1
        if f.get("image") and f["_image"] not in known:
            res["unknown_images"] += 1

    for name, fkinds, ekinds, field, _ in GROUPS:
        fs = [f for f in findings if f.get("kind") in fkinds]
        es = [e for e in errors if e["kind"] in ekinds]
        matched_e = set()
        matched_f = 0
        no_box = 0
        fp_on_other = {}
        for f in sorted(fs, key=lambda f: -(f.get("score") or 0.0)):
            box = (f.get("box") or {}).get("xyxy")
            if box is None:
                no_box += 1
                continue
            best, best_iou = None, iou_thr
            for e in err_by_img.get(f["_image"], []):
                if e["kind"] not in ekinds or id(e) in matched_e:
                    continue
                v = iou(box, e[field])
                if v >= best_iou:
                    best, best_iou = e, v
            if best is not None:
                matched_e.add(id(best))
                matched_f += 1
                continue
            # unmatched: does it sit on another injected error (true or labelled box)?
            for e in err_by_img.get(f["_image"], []):
                if e["kind"] in ekinds:
                    continue
                if max(iou(box, e["true_xyxy"]), iou(box, e["label_xyxy"])) >= iou_thr:
                    k = e["kind"] + ("/systematic" if e.get("systematic") else "")
                    fp_on_other[k] = fp_on_other.get(k, 0) + 1
                    break
        pred_ok = [e for e in es if e.get("prediction") and e["prediction"]["class_id"] == e["true_class_id"]]
        g = {
            "findings": len(fs), "matched_findings": matched_f, "findings_without_box": no_box,
            "precision": ratio(matched_f, len(fs)),
            "errors": len(es), "found": len(matched_e), "recall": ratio(len(matched_e), len(es)),
            "predictable": len(pred_ok),
            "recall_predictable": ratio(sum(1 for e in pred_ok if id(e) in matched_e), len(pred_ok)),
            "unmatched_on_other_errors": fp_on_other,
        }
        if name == "wrong_class":
            sys_e = [e for e in es if e.get("systematic")]
            g["recall_systematic"] = ratio(sum(1 for e in sys_e if id(e) in matched_e), len(sys_e))
            g["recall_scattered"] = ratio(sum(1 for e in es if not e.get("systematic") and id(e) in matched_e),
                                          len(es) - len(sys_e))
            g["_matched_ids"] = matched_e
        if name in ("loose+tight", "loose_box", "tight_box"):
            lo = [e for e in es if e.get("iou_true_label") is not None and e["iou_true_label"] < 0.5]
            g["errors_iou_true_label_below_0_5"] = len(lo)
            g["recall_iou_true_label_below_0_5"] = ratio(sum(1 for e in lo if id(e) in matched_e), len(lo))
        res["groups"][name] = g

    # class_swap findings (dataset level)
    sw = truth["systematic_swap"]
    cs = [f for f in findings if f.get("kind") == "class_swap"]

    def names_in(f):
        text = json.dumps({k: f.get(k) for k in ("class", "box", "suggestion", "message", "related")}).lower()
        return sw["a"].lower() in text and sw["b"].lower() in text

    hits = [f for f in cs if names_in(f)]
    res["class_swap"] = {"findings": len(cs), "name_true_pair": len(hits), "with_image": sum(1 for f in cs if f.get("image")),
                         "true_pair": "%s<->%s" % (sw["a"], sw["b"])}
    wc = res["groups"]["wrong_class"]
    wrong = [e for e in errors if e["kind"] == "class_swap"]
    covered = sum(1 for e in wrong if id(e) in wc["_matched_ids"] or (hits and e.get("systematic")))
    wc["recall_with_class_swap"] = ratio(covered, len(wrong))
    del wc["_matched_ids"]

    # image level
    ap_set = set(ap_kinds)
    best = {}
    for f in findings:
        if f.get("kind") in ap_set and f.get("_image") in known:
            s = f.get("score")
            s = float(s) if isinstance(s, (int, float)) else 0.0
            best[f["_image"]] = max(best.get(f["_image"], -1.0), s)
    target = {e["image"] for e in errors}
    scores = [best.get(im, -1.0) for im in images]  # -1: no finding, ranked last
    tgt = [im in target for im in images]
    flagged = set(best)
    tp = len(flagged & target)
    res["image"] = {
        "images": len(images), "with_errors": len(target), "ap_kinds": list(ap_kinds),
        "ap": average_precision(scores, tgt) if findings_doc is not None else None,
        "prevalence": ratio(len(target), len(images)),
        "flagged": len(flagged), "flagged_precision": ratio(tp, len(flagged)), "flagged_recall": ratio(tp, len(target)),
    }
    for f in findings:
        f.pop("_image", None)
    return res


def fmt(v, digits=3):
    return "-" if v is None else ("%.*f" % (digits, v))


def print_table(res, title, out=sys.stdout):
    w = out.write
    w("%s (IoU >= %g)\n" % (title, res["iou"]))
    if not res["findings_file"]:
        w("  no findings file: every figure below is for zero findings\n")
    w("  %-14s %8s %8s %9s  %7s %6s %7s  %s\n" % ("kind", "findings", "matched", "precision", "errors", "found",
                                                  "recall", "recall | predictable"))
    for name, _, _, _, indent in GROUPS:
        g = res["groups"][name]
        w("  %-14s %8d %8d %9s  %7d %6d %7s  %s (%d)\n" % (("  " * indent) + name, g["findings"], g["matched_findings"],
                                                          fmt(g["precision"]), g["errors"], g["found"], fmt(g["recall"]),
                                                          fmt(g["recall_predictable"]), g["predictable"]))
    wc = res["groups"]["wrong_class"]
    w("  wrong_class recall: systematic %s, scattered %s, with class_swap findings %s\n"
      % (fmt(wc["recall_systematic"]), fmt(wc["recall_scattered"]), fmt(wc["recall_with_class_swap"])))
    lt = res["groups"]["loose+tight"]
    w("  loose+tight recall where IoU(true, labelled) < 0.5: %s (%d errors)\n"
      % (fmt(lt["recall_iou_true_label_below_0_5"]), lt["errors_iou_true_label_below_0_5"]))
    cs = res["class_swap"]
    w("  class_swap findings: %d, naming the systematic pair %s: %d%s\n"
      % (cs["findings"], cs["true_pair"], cs["name_true_pair"],
         (" (%d carry an image; not scored as wrong_class)" % cs["with_image"]) if cs["with_image"] else ""))
    for name, _, _, _, _ in GROUPS[:3]:
        o = res["groups"][name]["unmatched_on_other_errors"]
        if o:
            w("  unmatched %s findings sitting on other injected errors: %s\n"
              % (name, ", ".join("%s %d" % kv for kv in sorted(o.items()))))
    im = res["image"]
    w("  image level: AP %s (prevalence %s; %d of %d images have errors); flagged %d images: precision %s, recall %s\n"
      % (fmt(im["ap"]), fmt(im["prevalence"]), im["with_errors"], im["images"], im["flagged"],
         fmt(im["flagged_precision"]), fmt(im["flagged_recall"])))
    if res["unknown_images"]:
        w("  warning: %d findings name images not in the dataset's list\n" % res["unknown_images"])
    other = {k: v for k, v in res["kinds"].items()}
    if other:
        w("  findings by kind: %s\n" % ", ".join("%s %d" % kv for kv in sorted(other.items())))


def compare(q, c, out=sys.stdout):
    """Side-by-side table with the targets; returns True when every target passes."""
    w = out.write
    rows = []
    ok_all = True
    for name in TARGET_GROUPS:
        for m in ("precision", "recall"):
            qv = q["groups"][name][m] if q["findings_file"] else None
            cv = ((c or {}).get("per_kind") or {}).get("groups", {}).get(name, {}).get(m)
            ok = qv is not None and qv >= TARGET_PR
            ok_all &= ok
            rows.append(("%s %s" % (name, m), fmt(qv), fmt(cv), ">= %.1f" % TARGET_PR, "PASS" if ok else "FAIL"))
    qap = q["image"]["ap"] if q["findings_file"] else None
    cap = (c or {}).get("image", {}).get("ap")
    ok = qap is not None and cap is not None and qap >= cap
    ok_all &= ok
    rows.append(("image-level AP", fmt(qap), fmt(cap), ">= cleanlab", "PASS" if ok else "FAIL"))
    for m in ("flagged_precision", "flagged_recall"):
        rows.append(("image %s" % m.replace("_", " "), fmt(q["image"][m] if q["findings_file"] else None),
                     fmt((c or {}).get("image", {}).get(m)), "", ""))
    w("%-28s %8s %9s  %-12s %s\n" % ("measure", "qcpass", "cleanlab", "target", "result"))
    for r in rows:
        w("%-28s %8s %9s  %-12s %s\n" % r)
    if c and c.get("timing_s"):
        w("cleanlab time: %s\n" % ", ".join("%s %.1f s" % kv for kv in c["timing_s"].items()))
    w("%s\n" % ("ALL TARGETS PASS" if ok_all else "SOME TARGETS FAIL"))
    return ok_all


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True, help="the dataset's truth.json")
    ap.add_argument("--findings", help="qcpass findings.json (missing = no findings)")
    ap.add_argument("--iou", type=float, default=0.5)
    ap.add_argument("--ap-kinds", default=",".join(DEFAULT_AP_KINDS), help="finding kinds that rank images")
    ap.add_argument("--dataset-root", help="dataset root for absolute image paths (default: findings' dataset.root)")
    ap.add_argument("--json", help="write the scores here")
    ap.add_argument("--cleanlab", help="cleanlab_baseline.py's JSON: print the side-by-side table with targets")
    ap.add_argument("--title", default="qcpass")
    args = ap.parse_args()
    with open(args.truth) as f:
        truth = json.load(f)
    doc = load_findings(args.findings)
    if args.findings and doc is None:
        print("note: %s not found; scoring zero findings" % args.findings)
    res = score(truth, doc, args.iou, tuple(k for k in args.ap_kinds.split(",") if k),
                args.dataset_root or os.path.dirname(os.path.abspath(args.truth)))
    print_table(res, args.title)
    if args.cleanlab:
        c = load_findings(args.cleanlab)
        print()
        res["all_targets_pass"] = compare(res, c)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
