#!/usr/bin/env python3
"""Generate the label-accuracy benchmark dataset: clean YOLO labels, then known injected
errors (recorded in truth.json), plus simulated model predictions (never committed).

    python3 bench/label_accuracy/gen_label_errors.py                    # 2,000 images -> bench/data/label_accuracy
    python3 bench/label_accuracy/gen_label_errors.py --images 500 --out /tmp/la500

Layout of DIR:

    data.yaml                          YOLO (path: ., train/val, 10 class names)
    images/{train,val}/img_NNNNN.jpg   real JPEG files (templates + a unique COM segment); stems unique
    labels/{train,val}/img_NNNNN.txt   the labels WITH the injected errors (no file for background images)
    predictions/labels/img_NNNNN.txt   "cls cx cy w h conf" (%g), as a detector's save_txt + save_conf
                                       writes them; no file for an image without detections
    predictions/predictions.json       the same predictions as a COCO results list:
                                       {image_id: stem, file_name, category_id: class index + 1, bbox xywh px, score}
    truth.json                         every injected error, the systematic swap, dataset statistics

The model: 10 classes with their own typical size and aspect (person tall, car wide,
sign and traffic_light small, bus large, bench very wide...), ~6 boxes per image (same-
image boxes overlap by IoU <= 0.3), 5% background images, 75%/25% of images 640x480 and
480x640 ... (see SIZES). Labels are made clean first, then each box receives at most one
error:
  class_swap   systematic: ~30% of bicycle boxes labelled motorcycle and vice versa;
               scattered: 2% of the other boxes labelled a random other class
  dropped_box  3% of boxes removed from the label file
  scaled_up    2.5%: each side x1.3-1.7 around the center, clipped to the image
               (a candidate whose clipped box grows by < 1.25x in area is skipped)
  scaled_down  2.5%: each side x0.55-0.8 around the center
Predictions are made from the CLEAN labels: a box is detected with p 0.93 (sqrt area >= 32
px), 0.82 (16-32 px), 0.55 (< 16 px); coordinates jittered by N(0, 3%) of the box's size
each; confidence ~ Beta(7, 1.6) squeezed into 0.05-0.99 (lower for small boxes); 3% of
detections get another class (a look-alike when the class has one) at 0.45-0.85x the
confidence; Poisson(0.3) false positives per image at 0.05-0.70. Predictions below 0.05 are
dropped (as a detector run with conf=0.05 would). --conf-power P raises every confidence to
the power P afterwards (P < 1 makes the model look more confident, as softmax detectors do).

Deterministic for a given --images/--seed and numpy version.
"""
import argparse
import io
import json
import math
import os
import shutil
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
    if subprocess.call([py, "-c", "import numpy, PIL"], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", REQUIREMENTS])
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


if __name__ == "__main__":
    ensure_venv()

import numpy as np  # noqa: E402

# name, share of boxes, median sqrt(area) as a fraction of sqrt(W*H), median aspect w/h, look-alike
CLASSES = [
    ("person", 0.28, 0.17, 0.42, None),
    ("car", 0.22, 0.15, 1.70, "truck"),
    ("truck", 0.07, 0.24, 1.40, "car"),
    ("bus", 0.04, 0.32, 1.50, "truck"),
    ("bicycle", 0.05, 0.13, 1.50, "motorcycle"),
    ("motorcycle", 0.05, 0.13, 1.30, "bicycle"),
    ("dog", 0.07, 0.12, 1.25, None),
    ("traffic_light", 0.07, 0.045, 0.40, "sign"),
    ("sign", 0.09, 0.045, 1.00, "traffic_light"),
    ("bench", 0.06, 0.12, 2.40, None),
]
NAMES = [c[0] for c in CLASSES]
SYSTEMATIC = ("bicycle", "motorcycle")
SIZES = [(640, 480, 0.55), (480, 640, 0.25), (640, 640, 0.10), (640, 427, 0.10)]
VARIANTS = 8  # 4 sizes x 8 contents = 32 templates

RATES = {
    "systematic_swap": 0.30,   # of the boxes of each class of the pair
    "class_swap": 0.02,        # scattered swaps, of all boxes
    "dropped_box": 0.03,
    "scaled_up": 0.025,
    "scaled_down": 0.025,
}
BACKGROUND = 0.05
MAX_BOXES = 30


# ----------------------------------------------------------------------------- images

def make_templates(seed):
    from PIL import Image, ImageDraw
    rng = np.random.default_rng([seed, 1])
    out = []
    for w, h, weight in SIZES:
        for _ in range(VARIANTS):
            top, bottom = rng.integers(40, 220, 3), rng.integers(40, 220, 3)
            img = Image.new("RGB", (w, h))
            d = ImageDraw.Draw(img)
            for y in range(h):
                t = y / max(1, h - 1)
                d.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
            for _ in range(3):
                x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
                d.rectangle([x0, y0, x0 + int(rng.integers(30, w // 2)), y0 + int(rng.integers(30, h // 2))],
                            fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=50, optimize=False, progressive=False, subsampling=2)
            data = buf.getvalue()
            assert data[:2] == b"\xff\xd8"
            out.append({"w": w, "h": h, "weight": weight / VARIANTS, "bytes": data})
    return out


def with_comment(template, text):
    """SOI, then a COM segment carrying `text`, then the rest of the template."""
    payload = text.encode("ascii")
    return template[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload + template[2:]


# ----------------------------------------------------------------------------- geometry

def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def area(b):
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def yolo_line(cls, b, W, H, fmt="%.6f"):
    cx, cy = (b[0] + b[2]) / 2 / W, (b[1] + b[3]) / 2 / H
    w, h = (b[2] - b[0]) / W, (b[3] - b[1]) / H
    return ("%d " + " ".join([fmt] * 4)) % (cls, cx, cy, w, h)


def from_yolo(vals, W, H):
    """Pixel xyxy of a written line's normalised cx cy w h (what a reader sees)."""
    cx, cy, w, h = vals
    return [(cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H]


def r2(b):
    return [round(float(v), 2) + 0.0 for v in b]  # + 0.0: no "-0.0"


def draw_box(rng, cls, W, H):
    _, _, side, aspect, _ = CLASSES[cls]
    s = math.exp(rng.normal(math.log(side), 0.45)) * math.sqrt(W * H)
    a = aspect * math.exp(rng.normal(0.0, 0.15))
    bw = min(max(s * math.sqrt(a), 4.0), 0.95 * W)
    bh = min(max(s / math.sqrt(a), 4.0), 0.95 * H)
    x0 = rng.uniform(0, W - bw)
    y0 = rng.uniform(0, H - bh)
    return [x0, y0, x0 + bw, y0 + bh]


def scale_box(b, sx, sy, W, H):
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    hw, hh = (b[2] - b[0]) * sx / 2, (b[3] - b[1]) * sy / 2
    return [max(0.0, cx - hw), max(0.0, cy - hh), min(float(W), cx + hw), min(float(H), cy + hh)]


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--val", type=float, default=0.2, help="share of images in val (default 0.2)")
    ap.add_argument("--out", default=os.path.join(BENCH, "data", "label_accuracy"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--conf-power", type=float, default=1.0,
                    help="raise every prediction confidence to this power (< 1: more confident, as softmax "
                         "detectors are; cleanlab only trusts predictions >= 0.95 for missing and swapped boxes)")
    ap.add_argument("--no-venv", action="store_true", help="run with the current interpreter")
    args = ap.parse_args()
    t0 = time.time()
    n = args.images
    n_val = int(round(n * args.val))
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    for sub in ("images/train", "images/val", "labels/train", "labels/val", "predictions/labels"):
        os.makedirs(os.path.join(out, sub))

    rng = np.random.default_rng(args.seed)
    templates = make_templates(args.seed)
    weights = np.array([t["weight"] for t in templates])
    freq = np.array([c[1] for c in CLASSES])
    freq = freq / freq.sum()
    K = len(CLASSES)
    cid = {nm: i for i, nm in enumerate(NAMES)}

    # ---- clean labels
    images = []  # {path, stem, split, W, H, tmpl}
    boxes = []   # {img, cls, xyxy}   (clean; img = index into images)
    order = rng.permutation(n)       # image i -> val when order[i] < n_val
    for i in range(n):
        t = int(rng.choice(len(templates), p=weights / weights.sum()))
        W, H = templates[t]["w"], templates[t]["h"]
        split = "val" if order[i] < n_val else "train"
        stem = "img_%05d" % (i + 1)
        images.append({"path": "images/%s/%s.jpg" % (split, stem), "stem": stem, "split": split,
                       "W": W, "H": H, "tmpl": t, "boxes": []})
        if rng.uniform() < BACKGROUND:
            continue
        count = min(MAX_BOXES, 1 + int(rng.negative_binomial(2, 2 / (2 + 5.6))))
        mine = []
        for _ in range(count):
            cls = int(rng.choice(K, p=freq))
            for _attempt in range(20):
                b = draw_box(rng, cls, W, H)
                if all(iou(b, o) <= 0.3 for o in mine):
                    break
            else:
                continue
            mine.append(b)
            images[i]["boxes"].append(len(boxes))
            boxes.append({"img": i, "cls": cls, "xyxy": b})
    N = len(boxes)

    # ---- errors (each box at most one)
    kind = [None] * N
    label_cls = [b["cls"] for b in boxes]
    label_box = [list(b["xyxy"]) for b in boxes]
    scale = [None] * N
    systematic = [False] * N
    a, b_ = cid[SYSTEMATIC[0]], cid[SYSTEMATIC[1]]
    for j, bx in enumerate(boxes):
        if bx["cls"] in (a, b_) and rng.uniform() < RATES["systematic_swap"]:
            kind[j], systematic[j] = "class_swap", True
            label_cls[j] = b_ if bx["cls"] == a else a
    want = {k: int(round(RATES[k] * N)) for k in ("dropped_box", "class_swap", "scaled_up", "scaled_down")}
    got = {k: 0 for k in want}
    for j in rng.permutation(N).tolist():
        if kind[j] is not None:
            continue
        todo = [k for k in ("dropped_box", "class_swap", "scaled_up", "scaled_down") if got[k] < want[k]]
        if not todo:
            break
        k = todo[int(rng.integers(len(todo)))]
        img = images[boxes[j]["img"]]
        tb = boxes[j]["xyxy"]
        if k == "class_swap":
            others = [c for c in range(K) if c != boxes[j]["cls"]]
            label_cls[j] = int(rng.choice(others))
        elif k == "scaled_up":
            sx, sy = rng.uniform(1.3, 1.7, 2)
            nb = scale_box(tb, sx, sy, img["W"], img["H"])
            if area(nb) < 1.25 * area(tb):
                continue  # no room to grow: leave the box clean
            label_box[j], scale[j] = nb, [round(float(sx), 3), round(float(sy), 3)]
        elif k == "scaled_down":
            sx, sy = rng.uniform(0.55, 0.8, 2)
            label_box[j], scale[j] = scale_box(tb, sx, sy, img["W"], img["H"]), [round(float(sx), 3), round(float(sy), 3)]
        kind[j] = k
        got[k] += 1

    # ---- predictions from the CLEAN labels
    pred_of_box = [None] * N
    preds = [[] for _ in range(n)]   # (cls, xyxy, conf, source box or -1)
    for j, bx in enumerate(boxes):
        img = images[bx["img"]]
        W, H = img["W"], img["H"]
        tb = bx["xyxy"]
        bw, bh = tb[2] - tb[0], tb[3] - tb[1]
        side = math.sqrt(bw * bh)
        p_det = 0.93 if side >= 32 else (0.82 if side >= 16 else 0.55)
        if rng.uniform() >= p_det:
            continue
        jit = rng.normal(0, 0.03, 4) * np.array([bw, bh, bw, bh])
        pb = [min(max(0.0, tb[0] + jit[0]), W - 1.0), min(max(0.0, tb[1] + jit[1]), H - 1.0),
              min(max(1.0, tb[2] + jit[2]), float(W)), min(max(1.0, tb[3] + jit[3]), float(H))]
        if pb[2] - pb[0] < 1 or pb[3] - pb[1] < 1:
            pb = list(tb)
        size_a = 7.0 if side >= 32 else (4.5 if side >= 16 else 3.0)
        conf = 0.05 + 0.94 * float(rng.beta(size_a, 1.6))
        pc = bx["cls"]
        if rng.uniform() < 0.03:
            partner = CLASSES[pc][4]
            if partner is not None and rng.uniform() < 0.7:
                pc = cid[partner]
            else:
                pc = int(rng.choice([c for c in range(K) if c != bx["cls"]]))
            conf = max(0.05, conf * float(rng.uniform(0.45, 0.85)))
        if conf < 0.05:
            continue
        preds[bx["img"]].append((pc, pb, conf, j))
        pred_of_box[j] = {"class_id": pc, "class": NAMES[pc], "conf": round(conf, 4), "xyxy": r2(pb),
                          "iou_true": round(iou(pb, tb), 3)}
    n_fp = 0
    for i, img in enumerate(images):
        for _ in range(int(rng.poisson(0.3))):
            c = int(rng.choice(K, p=freq))
            fb = draw_box(rng, c, img["W"], img["H"])
            conf = 0.05 + 0.65 * float(rng.beta(2.0, 4.0))
            preds[i].append((c, fb, conf, -1))
            n_fp += 1

    if args.conf_power != 1.0:  # monotone: rankings by confidence stay the same
        for ps in preds:
            ps[:] = [(c, pb, conf ** args.conf_power, j) for c, pb, conf, j in ps]
        for p in pred_of_box:
            if p is not None:
                p["conf"] = round(p["conf"] ** args.conf_power, 4)

    # ---- write
    truth_errors = []
    n_lines = 0
    n_pred = 0
    coco_results = []
    per_class = np.zeros(K, dtype=int)
    for i, img in enumerate(images):
        W, H = img["W"], img["H"]
        with open(os.path.join(out, img["path"]), "wb") as f:
            f.write(with_comment(templates[img["tmpl"]]["bytes"], "qcpass-label-accuracy %s" % img["stem"]))
        label_rel = "labels/%s/%s.txt" % (img["split"], img["stem"])
        lines = []
        for j in img["boxes"]:
            per_class[boxes[j]["cls"]] += 1
            line_no = None
            if kind[j] != "dropped_box":
                text = yolo_line(label_cls[j], label_box[j], W, H)
                lines.append(text)
                line_no = len(lines)
                written = from_yolo([float(v) for v in text.split()[1:]], W, H)
            if kind[j] is None:
                continue
            truth_errors.append({
                "image": img["path"], "split": img["split"], "kind": kind[j],
                "true_xyxy": r2(boxes[j]["xyxy"]),
                "label_xyxy": None if kind[j] == "dropped_box" else r2(written),
                "true_class": NAMES[boxes[j]["cls"]], "true_class_id": boxes[j]["cls"],
                "label_class": None if kind[j] == "dropped_box" else NAMES[label_cls[j]],
                "label_class_id": None if kind[j] == "dropped_box" else label_cls[j],
                "label_file": label_rel,
                "line": line_no,
                "systematic": systematic[j],
                "scale": scale[j],
                "iou_true_label": None if kind[j] in ("dropped_box", "class_swap") else round(iou(boxes[j]["xyxy"], written), 3),
                "prediction": pred_of_box[j],
            })
        if img["boxes"]:  # a box list emptied by drops leaves an empty file
            n_lines += len(lines)
            with open(os.path.join(out, label_rel), "w") as f:
                f.write("".join(l + "\n" for l in lines))
        if preds[i]:
            with open(os.path.join(out, "predictions", "labels", img["stem"] + ".txt"), "w") as f:
                for c, pb, conf, _ in preds[i]:
                    n_pred += 1
                    cx, cy = (pb[0] + pb[2]) / 2 / W, (pb[1] + pb[3]) / 2 / H
                    f.write("%d %g %g %g %g %g\n" % (c, cx, cy, (pb[2] - pb[0]) / W, (pb[3] - pb[1]) / H, round(conf, 5)))
                    coco_results.append({"image_id": img["stem"], "file_name": img["path"], "category_id": c + 1,
                                         "bbox": [round(pb[0], 3), round(pb[1], 3), round(pb[2] - pb[0], 3),
                                                  round(pb[3] - pb[1], 3)], "score": round(conf, 5)})
    with open(os.path.join(out, "predictions", "predictions.json"), "w") as f:
        json.dump(coco_results, f, separators=(",", ":"))
    with open(os.path.join(out, "data.yaml"), "w") as f:
        f.write("# qcpass label-accuracy benchmark (synthetic); made by bench/label_accuracy/gen_label_errors.py\n"
                "path: .\ntrain: images/train\nval: images/val\nnames:\n")
        f.write("".join("  %d: %s\n" % (i, nm) for i, nm in enumerate(NAMES)))

    # ---- statistics and truth.json
    confs_tp = np.array([p[2] for ps in preds for p in ps if p[3] >= 0 and p[0] == boxes[p[3]]["cls"]])
    confs_fp = np.array([p[2] for ps in preds for p in ps if p[3] < 0])
    by_kind = {}
    for e in truth_errors:
        k = e["kind"] + ("/systematic" if e["systematic"] else "")
        by_kind[k] = by_kind.get(k, 0) + 1
    detectable = {}
    for e in truth_errors:
        p = e["prediction"]
        ok = p is not None and p["class_id"] == e["true_class_id"]
        d = detectable.setdefault(e["kind"], [0, 0])
        d[0] += ok
        d[1] += 1
    err_images = sorted({e["image"] for e in truth_errors})
    n_bg = sum(1 for img in images if not img["boxes"])
    stats = {
        "images": {"train": sum(im["split"] == "train" for im in images), "val": sum(im["split"] == "val" for im in images)},
        "background_images": n_bg,
        "images_without_label_lines": sum(1 for img in images if not any(kind[j] != "dropped_box" for j in img["boxes"])),
        "clean_boxes": N,
        "label_lines": n_lines,
        "mean_boxes_per_image": round(N / max(1, n), 3),
        "instances_per_class_clean": {NAMES[c]: int(per_class[c]) for c in range(K)},
        "errors": by_kind,
        "errors_total": len(truth_errors),
        "images_with_errors": len(err_images),
        "errors_with_correct_prediction": {k: {"predicted": v[0], "of": v[1]} for k, v in detectable.items()},
        "predictions": n_pred,
        "predictions_true_positive_correct_class": int(len(confs_tp)),
        "predictions_false_positive": n_fp,
        "recall_of_predictions": round(sum(p is not None for p in pred_of_box) / max(1, N), 4),
        "tp_conf_quantiles_10_50_90": [round(float(q), 3) for q in np.quantile(confs_tp, [0.1, 0.5, 0.9])] if len(confs_tp) else None,
        "tp_conf_share_at_least_0_95": round(float((confs_tp >= 0.95).mean()), 4) if len(confs_tp) else None,
        "fp_conf_quantiles_10_50_90": [round(float(q), 3) for q in np.quantile(confs_fp, [0.1, 0.5, 0.9])] if len(confs_fp) else None,
        "templates": len(templates),
    }
    truth = {
        "schema": "qcpass.bench.label_truth/1",
        "generator": "bench/label_accuracy/gen_label_errors.py",
        "seed": args.seed,
        "conf_power": args.conf_power,
        "names": NAMES,
        "systematic_swap": {"a": SYSTEMATIC[0], "b": SYSTEMATIC[1], "a_id": a, "b_id": b_,
                            "rate": RATES["systematic_swap"]},
        "rates": RATES,
        "stats": stats,
        "image_list": [img["path"] for img in images],
        "errors": truth_errors,
    }
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")

    print("images        %d (train %d, val %d), background %d (%d without any label line after drops)"
          % (n, stats["images"]["train"], stats["images"]["val"], n_bg, stats["images_without_label_lines"]))
    print("boxes         %d clean (%.2f/image), %d label lines" % (N, N / max(1, n), n_lines))
    print("classes       " + ", ".join("%s %d" % (NAMES[c], per_class[c]) for c in range(K)))
    print("errors        %d on %d images: %s" % (len(truth_errors), len(err_images),
                                                ", ".join("%s %d" % kv for kv in sorted(by_kind.items()))))
    print("predictable   " + ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in sorted(detectable.items()))
          + "  (true box detected with its true class)")
    print("predictions   %d: recall %.3f, %d false positives; TP conf p10/p50/p90 %s, >=0.95 %.1f%%"
          % (n_pred, stats["recall_of_predictions"], n_fp, stats["tp_conf_quantiles_10_50_90"],
             100 * (stats["tp_conf_share_at_least_0_95"] or 0)))
    print("out           %s  (%.1f s)" % (out, time.time() - t0))


if __name__ == "__main__":
    main()
