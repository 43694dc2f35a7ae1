#!/usr/bin/env python3
"""The cleanlab baseline of the label-accuracy benchmark: cleanlab's object_detection on the
same labels and predictions qcpass gets, scored on the same target.

    python3 bench/label_accuracy/cleanlab_baseline.py --data bench/data/label_accuracy --out bench/out/label_accuracy

Reads the dataset as a user would: image sizes from the JPEG headers, the (noisy) YOLO
labels, and the predictions in save_txt + save_conf form (predictions/labels/<stem>.txt,
"cls cx cy w h conf"; --predictions-json reads the COCO results list instead). Builds
cleanlab's inputs:
  labels[i]      = {"bboxes": (L,4) float xyxy px, "labels": (L,) int, "image_name": path}
  predictions[i] = K arrays, predictions[i][k] = (M_k,5) [x1,y1,x2,y2,conf] for class k
then runs
  cleanlab.object_detection.rank.get_label_quality_scores(labels, predictions)   -> image scores
  cleanlab.object_detection.filter.find_label_issues(labels, predictions)        -> flagged images
and reports the image-level AP of ranking images by 1 - label quality score for the target
"image has >= 1 injected error", plus precision/recall of the flagged images.
(find_label_issues is called with return_indices_ranked_by_score=False: with True,
cleanlab 2.9.0 calls np.in1d, which numpy 2.4 removed; its ranked output is only the
flagged images sorted by the same quality scores, which the AP already uses.)

Per kind, for context: find_label_issues' own per-box decisions (the overlooked, swap and
badloc scores against its per-class thresholds, reproduced from cleanlab's filter module)
become pseudo-findings - overlooked -> missing_box (the predicted box), swap ->
wrong_class, badloc -> loose_box or tight_box (larger or smaller than the best-overlapping
prediction) - scored by score.py's rules. Writes OUT/cleanlab.json (scores, timings) and
OUT/cleanlab_findings.json (the pseudo-findings).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
VENV = os.path.join(BENCH, ".venv")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")


def ensure_venv():
    """Re-exec inside bench/.venv (created from bench/label_accuracy/requirements.txt on first use)."""
    if "--no-venv" in sys.argv or os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    if subprocess.call([py, "-c", "import numpy, PIL, cleanlab"], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", REQUIREMENTS])
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


if __name__ == "__main__":
    ensure_venv()

import numpy as np  # noqa: E402

sys.path.insert(0, HERE)
import score as scoring  # noqa: E402


def read_names(data_yaml):
    """names: from our own generated data.yaml (a map `  i: name`)."""
    names, inside = {}, False
    for line in open(data_yaml):
        if line.startswith("names:"):
            inside = True
            continue
        if inside:
            if not line.startswith(" "):
                break
            k, _, v = line.strip().partition(":")
            names[int(k)] = v.strip()
    return [names[i] for i in range(len(names))]


def load(data, pred_json=None):
    from PIL import Image
    names = read_names(os.path.join(data, "data.yaml"))
    K = len(names)
    images = []
    for split in ("train", "val"):
        d = os.path.join(data, "images", split)
        for fn in sorted(os.listdir(d)):
            if fn.lower().endswith((".jpg", ".jpeg", ".png")):
                images.append(("images/%s/%s" % (split, fn), split, os.path.splitext(fn)[0]))
    by_stem = {}
    if pred_json:
        for r in json.load(open(pred_json)):
            by_stem.setdefault(str(r["image_id"]), []).append(r)
    labels, predictions, sizes = [], [], []
    for rel, split, stem in images:
        with Image.open(os.path.join(data, rel)) as im:  # header only
            W, H = im.size
        sizes.append((W, H))
        lb, lc = [], []
        lf = os.path.join(data, "labels", split, stem + ".txt")
        if os.path.exists(lf):
            for line in open(lf):
                v = line.split()
                if len(v) < 5:
                    continue
                c, cx, cy, w, h = int(v[0]), *map(float, v[1:5])
                lb.append([(cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H])
                lc.append(c)
        labels.append({"bboxes": np.array(lb, dtype=np.float64).reshape(-1, 4),
                       "labels": np.array(lc, dtype=np.int64), "image_name": rel})
        per = [[] for _ in range(K)]
        if pred_json:
            for r in by_stem.get(stem, []):
                x, y, w, h = r["bbox"]
                per[int(r["category_id"]) - 1].append([x, y, x + w, y + h, float(r["score"])])
        else:
            pf = os.path.join(data, "predictions", "labels", stem + ".txt")
            if os.path.exists(pf):
                for line in open(pf):
                    v = line.split()
                    if len(v) < 6:
                        continue
                    c, cx, cy, w, h, conf = int(v[0]), *map(float, v[1:6])
                    per[c].append([(cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H, conf])
        predictions.append([np.array(p, dtype=np.float64).reshape(-1, 5) for p in per])
    return names, images, sizes, labels, predictions


def per_box_findings(labels, predictions, images, names):
    """find_label_issues' per-box decisions as qcpass-shaped findings (cleanlab 2.9.0 internals)."""
    from cleanlab.internal.constants import (ALPHA, HIGH_PROBABILITY_THRESHOLD, LOW_PROBABILITY_THRESHOLD,
                                             OVERLOOKED_THRESHOLD_FACTOR, BADLOC_THRESHOLD_FACTOR,
                                             SWAP_THRESHOLD_FACTOR)
    from cleanlab.object_detection import filter as clf
    from cleanlab.object_detection.rank import (_get_valid_inputs_for_compute_scores, _separate_label,
                                                _separate_prediction, compute_badloc_box_scores,
                                                compute_overlooked_box_scores, compute_swap_box_scores)
    aux = _get_valid_inputs_for_compute_scores(ALPHA, labels, predictions)
    per_class_ap = clf._get_per_class_ap(labels, predictions)
    lab_list = [_separate_label(lab)[1] for lab in labels]
    pred_list = [_separate_prediction(p)[1] for p in predictions]
    pred_thr = clf._process_class_list(pred_list, per_class_ap)
    lab_thr = clf._process_class_list(lab_list, per_class_ap)
    over = compute_overlooked_box_scores(alpha=ALPHA, high_probability_threshold=HIGH_PROBABILITY_THRESHOLD,
                                         auxiliary_inputs=aux)
    badloc = compute_badloc_box_scores(alpha=ALPHA, low_probability_threshold=LOW_PROBABILITY_THRESHOLD,
                                       auxiliary_inputs=aux)
    swap = compute_swap_box_scores(alpha=ALPHA, high_probability_threshold=HIGH_PROBABILITY_THRESHOLD,
                                   overlapping_label_check=True, auxiliary_inputs=aux)
    # copies: _find_label_issues_per_box writes 1.0 over NaN in place
    over_issue = clf._find_label_issues_per_box([s.copy() for s in over], pred_thr, OVERLOOKED_THRESHOLD_FACTOR)
    badloc_issue = clf._find_label_issues_per_box([s.copy() for s in badloc], lab_thr, BADLOC_THRESHOLD_FACTOR)
    swap_issue = clf._find_label_issues_per_box([s.copy() for s in swap], lab_thr, SWAP_THRESHOLD_FACTOR)
    findings = []

    def add(kind, rel, cls, box, s):
        s = 1.0 if s is None or np.isnan(s) else float(s)
        findings.append({"check": "cleanlab", "kind": kind, "severity": "warning", "image": rel,
                         "box": {"class": names[int(cls)], "class_id": int(cls), "xyxy": [float(v) for v in box]},
                         "score": min(1.0, max(0.0, 1.0 - s)), "message": "cleanlab " + kind})

    for i, a in enumerate(aux):
        rel = images[i][0]
        pb, pl = a["pred_bboxes"], a["pred_labels"]
        lb, ll = a["lab_bboxes"], a["lab_labels"]
        for j, flag in enumerate(over_issue[i]):
            if flag and j < len(pb):
                add("missing_box", rel, pl[j], pb[j], over[i][j])
        for j, flag in enumerate(swap_issue[i]):
            if flag and j < len(lb):
                add("wrong_class", rel, ll[j], lb[j], swap[i][j])
        for j, flag in enumerate(badloc_issue[i]):
            if flag and j < len(lb):
                # direction: against the prediction overlapping it most (same class preferred)
                kind = "loose_box"
                if len(pb):
                    ious = [scoring.iou(list(lb[j]), list(p)) for p in pb]
                    same = [k for k in range(len(pb)) if pl[k] == ll[j] and ious[k] > 0]
                    k = max(same, key=lambda k: ious[k]) if same else int(np.argmax(ious))
                    la = (lb[j][2] - lb[j][0]) * (lb[j][3] - lb[j][1])
                    pa = (pb[k][2] - pb[k][0]) * (pb[k][3] - pb[k][1])
                    kind = "loose_box" if la >= pa else "tight_box"
                add(kind, rel, ll[j], lb[j], badloc[i][j])
    return findings


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(BENCH, "data", "label_accuracy"))
    ap.add_argument("--out", default=os.path.join(BENCH, "out", "label_accuracy"))
    ap.add_argument("--predictions-json", action="store_true", help="read predictions/predictions.json instead of the txt files")
    ap.add_argument("--no-per-kind", action="store_true", help="skip the per-box pass (image level only)")
    ap.add_argument("--no-venv", action="store_true", help="run with the current interpreter")
    args = ap.parse_args()
    import cleanlab
    from cleanlab.object_detection.filter import find_label_issues
    from cleanlab.object_detection.rank import get_label_quality_scores

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.data, "truth.json")) as f:
        truth = json.load(f)
    t0 = time.perf_counter()
    pj = os.path.join(args.data, "predictions", "predictions.json") if args.predictions_json else None
    names, images, sizes, labels, predictions = load(args.data, pj)
    timing = {"load": time.perf_counter() - t0}

    t0 = time.perf_counter()
    q = get_label_quality_scores(labels, predictions, verbose=False)
    timing["get_label_quality_scores"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    mask = find_label_issues(labels, predictions, return_indices_ranked_by_score=False)
    timing["find_label_issues"] = time.perf_counter() - t0

    target = {e["image"] for e in truth["errors"]}
    rels = [im[0] for im in images]
    tgt = [r in target for r in rels]
    ap_ = scoring.average_precision([1.0 - float(s) for s in q], tgt)
    flagged = {rels[i] for i in np.nonzero(mask)[0].tolist()}
    tp = len(flagged & target)
    ranked = [rels[i] for i in np.argsort(q, kind="stable").tolist() if rels[i] in flagged]
    res = {
        "tool": "cleanlab %s (object_detection, objectlab), numpy %s" % (cleanlab.__version__, np.__version__),
        "images": len(images), "labels": int(sum(len(l["labels"]) for l in labels)),
        "predictions": int(sum(len(c) for p in predictions for c in p)),
        "image": {"ap": ap_, "prevalence": len(target) / max(1, len(rels)), "with_errors": len(target),
                  "flagged": len(flagged), "flagged_precision": scoring.ratio(tp, len(flagged)),
                  "flagged_recall": scoring.ratio(tp, len(target)),
                  "precision_at_100_ranked": scoring.ratio(sum(r in target for r in ranked[:100]), min(100, len(ranked)))},
        "timing_s": {k: round(v, 2) for k, v in timing.items()},
    }
    if not args.no_per_kind:
        t0 = time.perf_counter()
        fs = per_box_findings(labels, predictions, images, names)
        res["timing_s"]["per_box_pass"] = round(time.perf_counter() - t0, 2)
        doc = {"schema": "qcpass.findings/1", "tool": {"name": "cleanlab"}, "dataset": {"root": os.path.abspath(args.data)},
               "findings": fs}
        with open(os.path.join(args.out, "cleanlab_findings.json"), "w") as f:
            json.dump(doc, f)
        res["per_kind"] = scoring.score(truth, doc, dataset_root=os.path.abspath(args.data))
    with open(os.path.join(args.out, "cleanlab.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")

    im = res["image"]
    print("cleanlab baseline: %s" % res["tool"])
    print("  %d images, %d label boxes, %d predictions; time %s" % (res["images"], res["labels"], res["predictions"],
                                                                   ", ".join("%s %.1f s" % kv for kv in res["timing_s"].items())))
    print("  image level: AP %s (rank by 1 - label quality score; prevalence %.3f); flagged %d images: precision %s, recall %s"
          % (scoring.fmt(im["ap"]), im["prevalence"], im["flagged"], scoring.fmt(im["flagged_precision"]),
             scoring.fmt(im["flagged_recall"])))
    if "per_kind" in res:
        print()
        scoring.print_table(res["per_kind"], "cleanlab per-box issues as findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
