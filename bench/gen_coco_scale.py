#!/usr/bin/env python3
"""Generate a COCO-scale detection label set for the benchmarks (never committed).

    python3 bench/gen_coco_scale.py                         # 118,287 images -> bench/data/coco_scale
    python3 bench/gen_coco_scale.py --images 5000 --out /tmp/cs5k
    python3 bench/gen_coco_scale.py --predictions           # also predictions/<split>/*.txt with conf

One folder holds both forms over the same image files:

    DIR/data.yaml                      YOLO (path: ., names: the 80 COCO class names)
    DIR/images/{train,val}/*.jpg       shared
    DIR/labels/{train,val}/*.txt       YOLO labels (crowd regions left out, as converters do)
    DIR/annotations/instances_{train,val}.json   COCO (real COCO category ids 1..90 with gaps)
    DIR/predictions/{train,val}/*.txt  --predictions: "cls cx cy w h conf", ~10 per image

Pass data.yaml for the YOLO form and annotations/instances_<split>.json for the COCO
form (pass a file, not the folder: the folder holds both forms).

Shape of the data, COCO 2017-like: 118,287 images (113,287 train / 5,000 val by
default), ~1% background, long-tailed box count per image (mean ~7.3, capped at 100),
80 long-tailed classes (person ~30% of instances, rarest ~200), box sizes ~40% small /
35% medium / 24% large (by mask area), ~1% iscrowd with an uncompressed RLE mask, polygons of
6-48 vertices. The images are ~40 small JPEG templates (q50, a few KB, real headers),
each file a template copy with a unique COM segment after SOI, so every file differs
and stays decodable. Content is NOT realistic: only headers and labels are meant to
be read (a duplicates check on it would find 40 groups).

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
VENV = os.path.join(HERE, ".venv")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")


def ensure_venv():
    """Re-exec inside bench/.venv (created from bench/requirements.txt on first use)."""
    if "--no-venv" in sys.argv or os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", REQUIREMENTS])
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


if __name__ == "__main__":
    ensure_venv()

import numpy as np  # noqa: E402
from multiprocessing import Pool  # noqa: E402

COCO_NAMES = [
    (1, "person"), (2, "bicycle"), (3, "car"), (4, "motorcycle"), (5, "airplane"), (6, "bus"), (7, "train"),
    (8, "truck"), (9, "boat"), (10, "traffic light"), (11, "fire hydrant"), (13, "stop sign"),
    (14, "parking meter"), (15, "bench"), (16, "bird"), (17, "cat"), (18, "dog"), (19, "horse"), (20, "sheep"),
    (21, "cow"), (22, "elephant"), (23, "bear"), (24, "zebra"), (25, "giraffe"), (27, "backpack"),
    (28, "umbrella"), (31, "handbag"), (32, "tie"), (33, "suitcase"), (34, "frisbee"), (35, "skis"),
    (36, "snowboard"), (37, "sports ball"), (38, "kite"), (39, "baseball bat"), (40, "baseball glove"),
    (41, "skateboard"), (42, "surfboard"), (43, "tennis racket"), (44, "bottle"), (46, "wine glass"),
    (47, "cup"), (48, "fork"), (49, "knife"), (50, "spoon"), (51, "bowl"), (52, "banana"), (53, "apple"),
    (54, "sandwich"), (55, "orange"), (56, "broccoli"), (57, "carrot"), (58, "hot dog"), (59, "pizza"),
    (60, "donut"), (61, "cake"), (62, "chair"), (63, "couch"), (64, "potted plant"), (65, "bed"),
    (67, "dining table"), (70, "toilet"), (72, "tv"), (73, "laptop"), (74, "mouse"), (75, "remote"),
    (76, "keyboard"), (77, "cell phone"), (78, "microwave"), (79, "oven"), (80, "toaster"), (81, "sink"),
    (82, "refrigerator"), (84, "book"), (85, "clock"), (86, "vase"), (87, "scissors"), (88, "teddy bear"),
    (89, "hair drier"), (90, "toothbrush"),
]
SUPER = "object"

# (width, height, weight): the common COCO shapes
TEMPLATE_SIZES = [
    (640, 480, 30), (640, 427, 14), (480, 640, 9), (500, 375, 6), (640, 428, 5), (640, 426, 5),
    (427, 640, 4), (640, 424, 4), (375, 500, 3), (612, 612, 3), (640, 360, 3), (640, 425, 3),
    (640, 512, 2), (333, 500, 2), (500, 333, 2), (424, 640, 2), (640, 640, 1), (480, 360, 1),
    (640, 383, 1), (360, 640, 1),
]
VARIANTS = 2  # 20 sizes x 2 contents = 40 templates
MAX_BOXES = 100
CHUNK = 2000


# ----------------------------------------------------------------------------- templates

def make_templates(seed):
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(seed)
    out = []
    for w, h, weight in TEMPLATE_SIZES:
        for v in range(VARIANTS):
            top = rng.integers(40, 220, 3)
            bottom = rng.integers(40, 220, 3)
            img = Image.new("RGB", (w, h))
            d = ImageDraw.Draw(img)
            for y in range(h):
                t = y / max(1, h - 1)
                d.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
            for _ in range(2):
                x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
                d.ellipse([x0, y0, x0 + int(rng.integers(40, w // 2)), y0 + int(rng.integers(40, h // 2))],
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


# ----------------------------------------------------------------------------- class / size model

def class_probabilities(seed):
    """person ~30%; the other 79 decay geometrically (in a shuffled order) to ~0.023%."""
    rng = np.random.default_rng(seed + 1)
    tail = 0.05 * 0.934 ** np.arange(79)
    tail = tail / tail.sum() * 0.70
    rng.shuffle(tail)
    return np.concatenate([[0.30], tail])


def draw_boxes(rng, w, h, probs):
    """One box per entry of the w/h arrays: (cls, x0, y0, bw, bh), pixels rounded to 0.01."""
    n = len(w)
    cls = rng.choice(len(probs), size=n, p=probs)
    side = np.exp(rng.normal(math.log(0.105), 1.15, n)) * np.sqrt(w * h)  # sqrt(area) in px
    aspect = np.exp(rng.normal(0.0, 0.55, n))                           # w/h
    bw = np.clip(side * np.sqrt(aspect), 2.0, w)
    bh = np.clip(side / np.sqrt(aspect), 2.0, h)
    x0 = rng.uniform(0, 1, n) * (w - bw)
    y0 = rng.uniform(0, 1, n) * (h - bh)
    return cls, np.round(x0, 2), np.round(y0, 2), np.round(bw, 2), np.round(bh, 2)


def polygons(rng, x0, y0, bw, bh):
    """Star-ish polygons (6-48 vertices, mean ~27 like COCO's) whose bounding boxes are
    exactly the boxes. Returns (vertex coordinate strings, start offset per box, areas)."""
    n = len(x0)
    k = rng.integers(6, 49, n)
    seg = np.repeat(np.arange(n), k)
    start = np.concatenate([[0], np.cumsum(k)[:-1]])
    ang = rng.uniform(0, 2 * math.pi, len(seg))
    ang = ang[np.lexsort((ang, seg))]
    rad = rng.uniform(0.55, 1.0, len(seg))
    px, py = np.cos(ang) * rad, np.sin(ang) * rad
    lo_x, hi_x = np.minimum.reduceat(px, start), np.maximum.reduceat(px, start)
    lo_y, hi_y = np.minimum.reduceat(py, start), np.maximum.reduceat(py, start)
    px = np.round((px - lo_x[seg]) / np.maximum(1e-9, (hi_x - lo_x)[seg]) * bw[seg] + x0[seg], 2)
    py = np.round((py - lo_y[seg]) / np.maximum(1e-9, (hi_y - lo_y)[seg]) * bh[seg] + y0[seg], 2)
    nxt = np.arange(1, len(seg) + 1)
    nxt[np.cumsum(k) - 1] = start
    area = 0.5 * np.abs(np.add.reduceat(px * py[nxt] - py * px[nxt], start))
    flat = np.empty(2 * len(seg))
    flat[0::2], flat[1::2] = px, py
    return list(map(str, flat.tolist())), 2 * start, 2 * k, area


def rle_rect(x0, y0, bw, bh, w, h):
    """Uncompressed column-major RLE of the box's pixels, as COCO crowd annotations carry."""
    a, b = int(x0), min(w, int(math.ceil(x0 + bw)))
    t, u = int(y0), min(h, int(math.ceil(y0 + bh)))
    counts = [a * h + t]
    for _ in range(a, b - 1):
        counts += [u - t, h - u + t]
    counts += [u - t, (h - u) + (w - b) * h]
    return "{\"size\":[%d,%d],\"counts\":[%s]}" % (h, w, ",".join(map(str, counts)))


# ----------------------------------------------------------------------------- worker

def work(job):
    """Write one chunk of images (+ labels, predictions) and its annotations' JSON fragment."""
    (out, split, chunk_index, rows, ann_start, seed, with_preds, probs) = job
    rng = np.random.default_rng([seed, 7, chunk_index])
    img_dir = os.path.join(out, "images", split)
    lab_dir = os.path.join(out, "labels", split)
    pred_dir = os.path.join(out, "predictions", split)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    tix = np.array([r[1] for r in rows], dtype=np.int64)
    cnt = np.array([r[2] for r in rows], dtype=np.int64)
    tw = np.array([t["w"] for t in TEMPLATES], dtype=float)[tix]
    th = np.array([t["h"] for t in TEMPLATES], dtype=float)[tix]
    owner = np.repeat(np.arange(len(rows)), cnt)           # image index of every box
    W, H = tw[owner], th[owner]
    cls, x0, y0, bw, bh = draw_boxes(rng, W, H, probs)
    crowd = rng.uniform(0, 1, len(owner)) < 0.009
    per_class = np.bincount(cls, minlength=len(probs))
    coords, cstart, clen, area = polygons(rng, x0, y0, bw, bh)
    area = np.where(crowd, bw * bh, area)
    catid = np.array([c for c, _ in COCO_NAMES])[cls]
    # YOLO lines for every non-crowd box
    yolo = ["%d %.6f %.6f %.6f %.6f" % t for t in zip(cls.tolist(), ((x0 + bw / 2) / W).tolist(),
                                                        ((y0 + bh / 2) / H).tolist(), (bw / W).tolist(),
                                                        (bh / H).tolist())]
    L = zip(x0.tolist(), y0.tolist(), bw.tolist(), bh.tolist(), area.tolist(), catid.tolist(),
            ids[owner].tolist(), crowd.tolist(), cstart.tolist(), clen.tolist())
    parts = []
    for j, (a, b, c, d, ar, cat, iid, cr, cs, cl) in enumerate(L):
        if cr:
            seg = rle_rect(a, b, c, d, int(W[j]), int(H[j]))
        else:
            seg = "[[" + ",".join(coords[cs:cs + cl]) + "]]"
        parts.append('{"segmentation":%s,"area":%.2f,"iscrowd":%d,"image_id":%d,"bbox":[%.2f,%.2f,%.2f,%.2f],'
                     '"category_id":%d,"id":%d}' % (seg, ar, cr, iid, a, b, c, d, cat, ann_start + j))
    preds = None
    if with_preds:
        preds = predictions(rng, owner, cls, x0, y0, bw, bh, W, H, tw, th, probs)
    first = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    n_lines = n_preds = 0
    for r, (image_id, t, n) in enumerate(rows):
        stem = "%012d" % image_id
        with open(os.path.join(img_dir, stem + ".jpg"), "wb") as f:
            f.write(with_comment(TEMPLATES[t]["bytes"], "qcpass-bench %s %d" % (split, image_id)))
        lines = [yolo[j] for j in range(first[r], first[r] + n) if not crowd[j]]
        if lines:
            n_lines += len(lines)
            with open(os.path.join(lab_dir, stem + ".txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
        if preds is not None:
            n_preds += len(preds[r])
            with open(os.path.join(pred_dir, stem + ".txt"), "w") as f:
                f.write("".join(preds[r]))
    with open(os.path.join(out, ".tmp", "%s_%05d.json" % (split, chunk_index)), "w") as f:
        f.write(",\n".join(parts))
    return split, chunk_index, len(parts), int(crowd.sum()), n_lines, n_preds, len(parts) > 0, per_class


def predictions(rng, owner, cls, x0, y0, bw, bh, W, H, tw, th, probs):
    """Per image: ~85% of the boxes found again (jittered, conf 0.45-0.97, 3% with a wrong
    class) plus low-confidence false positives up to 10. Lines of "cls cx cy w h conf"."""
    keep = rng.uniform(0, 1, len(owner)) < 0.85
    jx = rng.normal(0, 0.04, len(owner)) * bw
    jy = rng.normal(0, 0.04, len(owner)) * bh
    cw = np.minimum(W, bw * np.exp(rng.normal(0, 0.06, len(owner))))
    ch = np.minimum(H, bh * np.exp(rng.normal(0, 0.06, len(owner))))
    cx = np.clip(x0 + bw / 2 + jx, cw / 2, W - cw / 2)
    cy = np.clip(y0 + bh / 2 + jy, ch / 2, H - ch / 2)
    pc = np.where(rng.uniform(0, 1, len(owner)) < 0.03, rng.integers(0, len(probs), len(owner)), cls)
    conf = rng.uniform(0.45, 0.97, len(owner))
    out = [[] for _ in range(len(tw))]
    for j in np.nonzero(keep)[0].tolist():
        out[owner[j]].append("%d %.6f %.6f %.6f %.6f %.4f\n"
                             % (pc[j], cx[j] / W[j], cy[j] / H[j], cw[j] / W[j], ch[j] / H[j], conf[j]))
    extra = np.array([max(0, 10 - len(o)) for o in out])
    fo = np.repeat(np.arange(len(tw)), extra)
    fc, fx, fy, fw, fh = draw_boxes(rng, tw[fo], th[fo], probs)
    fconf = rng.uniform(0.01, 0.4, len(fo))
    for j, i in enumerate(fo.tolist()):
        out[i].append("%d %.6f %.6f %.6f %.6f %.4f\n" % (fc[j], (fx[j] + fw[j] / 2) / tw[i], (fy[j] + fh[j] / 2) / th[i],
                                                         fw[j] / tw[i], fh[j] / th[i], fconf[j]))
    return out


TEMPLATES = None


def init_worker(templates):
    global TEMPLATES
    TEMPLATES = templates


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=118287)
    ap.add_argument("--val", type=int, default=None, help="val images (default: 5000 scaled to --images)")
    ap.add_argument("--out", default=os.path.join(HERE, "data", "coco_scale"))
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--predictions", action="store_true", help="also write predictions/<split>/*.txt")
    ap.add_argument("--no-venv", action="store_true", help="run with the current interpreter")
    args = ap.parse_args()
    t0 = time.time()
    n = args.images
    n_val = args.val if args.val is not None else max(1, round(n * 5000 / 118287))
    n_val = min(n_val, n - 1) if n > 1 else 0
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    for sub in ("images/train", "images/val", "labels/train", "labels/val", "annotations", ".tmp"):
        os.makedirs(os.path.join(out, sub))
    if args.predictions:
        os.makedirs(os.path.join(out, "predictions", "train"))
        os.makedirs(os.path.join(out, "predictions", "val"))

    rng = np.random.default_rng(args.seed)
    templates = make_templates(args.seed)
    weights = np.array([t["weight"] for t in templates], dtype=float)
    probs = class_probabilities(args.seed)

    # image ids sparse in 1..581929 like COCO's; order shuffled; first n_val go to val
    ids = rng.choice(581929, size=n, replace=False) + 1
    tmpl = rng.choice(len(templates), size=n, p=weights / weights.sum())
    counts = 1 + rng.negative_binomial(1.1, 1.1 / (1.1 + 6.36), size=n)
    counts = np.minimum(counts, MAX_BOXES)
    counts[rng.uniform(0, 1, n) < 0.0095] = 0  # background images, ~1% like COCO
    splits = {"val": np.arange(0, n_val), "train": np.arange(n_val, n)}

    jobs, ann_next, chunk_index = [], 1, 0
    split_images = {}
    for split in ("train", "val"):
        idx = splits[split]
        idx = idx[np.argsort(ids[idx])]  # files listed by id, as in COCO's own files
        split_images[split] = idx
        for s in range(0, len(idx), CHUNK):
            part = idx[s:s + CHUNK]
            rows = [(int(ids[i]), int(tmpl[i]), int(counts[i])) for i in part]
            jobs.append((out, split, chunk_index, rows, ann_next, args.seed, args.predictions, probs))
            ann_next += int(counts[part].sum())
            chunk_index += 1

    totals = {"train": [0, 0, 0, 0], "val": [0, 0, 0, 0]}
    frags = {"train": [], "val": []}
    per_class = np.zeros(len(probs), dtype=np.int64)
    with Pool(max(1, args.jobs), initializer=init_worker, initargs=(templates,)) as pool:
        for split, ci, nb, nc, nl, np_, nonempty, pc in pool.imap(work, jobs, chunksize=1):
            per_class += pc
            t = totals[split]
            t[0] += nb
            t[1] += nc
            t[2] += nl
            t[3] += np_
            if nonempty:
                frags[split].append(ci)

    cats = ",".join('{"supercategory":"%s","id":%d,"name":"%s"}' % (SUPER, i, nm) for i, nm in COCO_NAMES)
    for split in ("train", "val"):
        path = os.path.join(out, "annotations", "instances_%s.json" % split)
        with open(path + ".part", "w") as f:
            f.write('{"info":{"description":"qcpass benchmark corpus (synthetic, COCO-shaped)","version":"1.0",'
                    '"year":2017},"licenses":[{"id":1,"name":"synthetic"}],"images":[\n')
            f.write(",\n".join('{"license":1,"file_name":"%012d.jpg","height":%d,"width":%d,"id":%d}'
                               % (ids[i], templates[tmpl[i]]["h"], templates[tmpl[i]]["w"], ids[i])
                               for i in split_images[split]))
            f.write('],\n"annotations":[\n')
            first = True
            for ci in sorted(frags[split]):
                frag = os.path.join(out, ".tmp", "%s_%05d.json" % (split, ci))
                with open(frag) as g:
                    if not first:
                        f.write(",\n")
                    shutil.copyfileobj(g, f)
                first = False
            f.write('],\n"categories":[' + cats + "]}\n")
        os.replace(path + ".part", path)
    shutil.rmtree(os.path.join(out, ".tmp"))

    with open(os.path.join(out, "data.yaml"), "w") as f:
        f.write("# qcpass benchmark corpus (synthetic, COCO-shaped); made by bench/gen_coco_scale.py\n"
                "path: .\ntrain: images/train\nval: images/val\nnames:\n")
        f.write("".join("  %d: %s\n" % (i, nm) for i, (_, nm) in enumerate(COCO_NAMES)))

    # summary
    n_bg = int((counts == 0).sum())
    boxes = totals["train"][0] + totals["val"][0]
    summary = {
        "images": {"train": int(len(splits["train"])), "val": int(len(splits["val"]))},
        "annotations": {s: totals[s][0] for s in totals},
        "crowd": {s: totals[s][1] for s in totals},
        "yolo_lines": {s: totals[s][2] for s in totals},
        "predictions": {s: totals[s][3] for s in totals} if args.predictions else None,
        "background_images": n_bg,
        "mean_boxes_per_image": round(boxes / max(1, n), 3),
        "max_boxes_per_image": int(counts.max()) if n else 0,
        "instances_per_class": {nm: int(per_class[i]) for i, (_, nm) in enumerate(COCO_NAMES)},
        "templates": len(templates),
        "seed": args.seed,
    }
    with open(os.path.join(out, "corpus.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    mb = lambda p: os.path.getsize(p) / 1e6  # noqa: E731
    print("images        %d (train %d, val %d), background %d" % (n, len(splits["train"]), len(splits["val"]), n_bg))
    print("annotations   %d (train %d, val %d), crowd %d, mean %.2f/image, max %d"
          % (boxes, totals["train"][0], totals["val"][0], totals["train"][1] + totals["val"][1],
             boxes / max(1, n), summary["max_boxes_per_image"]))
    print("yolo lines    %d" % (totals["train"][2] + totals["val"][2]))
    if args.predictions:
        print("predictions   %d" % (totals["train"][3] + totals["val"][3]))
    order = np.argsort(per_class)
    print("classes       80; person %d (%.1f%%), rarest %s %d, median %d"
          % (per_class[0], 100 * per_class[0] / max(1, boxes), COCO_NAMES[order[0]][1], per_class[order[0]],
             int(np.median(per_class))))
    print("json          train %.0f MB, val %.1f MB"
          % (mb(os.path.join(out, "annotations/instances_train.json")),
             mb(os.path.join(out, "annotations/instances_val.json"))))
    print("out           %s  (%.1f s)" % (out, time.time() - t0))


if __name__ == "__main__":
    main()
