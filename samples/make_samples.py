#!/usr/bin/env python3
"""Regenerate the sample datasets under samples/ (see samples/README.md).

    python3 samples/make_samples.py            # creates samples/.venv with a pinned Pillow, then runs in it
    python3 samples/make_samples.py --no-venv  # use the current interpreter's Pillow (bytes may differ)

Everything is drawn from fixed seeds and written without timestamps, so a re-run with
the pinned Pillow rewrites every file byte for byte. Each picture is a plain warehouse-ish
background with the objects drawn as filled shapes in class colours, so every label
corresponds to something visible. The planted problems are listed in samples/README.md
and, machine-readably, in samples/PLANTED.json (written by this script).
"""
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
# The JPEG encoder ships inside the Pillow wheel; pinning it pins the bytes.
PILLOW_PIN = "pillow==11.0.0"


def ensure_venv():
    """Re-exec inside samples/.venv (created on first use) unless --no-venv was given."""
    if "--no-venv" in sys.argv or os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", PILLOW_PIN])
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


ensure_venv()

from PIL import Image, ImageDraw  # noqa: E402  (imported after the venv switch)

NAMES = ["forklift", "person", "pallet"]
SIZES = [(320, 240), (320, 240), (320, 180), (240, 320)]
JPEG_OPTS = dict(quality=75, optimize=False, progressive=False, subsampling=2)

PALETTES = [  # floor / wall base colours
    (128, 128, 124), (150, 142, 128), (110, 118, 128), (140, 136, 110),
    (98, 104, 100), (160, 154, 146), (120, 110, 100), (132, 140, 150),
]
COLOURS = {
    "forklift": (235, 150, 20), "mast": (55, 55, 60), "window": (40, 50, 70),
    "person": (40, 90, 220), "head": (235, 200, 160), "vest": (210, 240, 40),
    "pallet": (150, 100, 50), "slat": (105, 68, 32), "cart": (90, 135, 90),
}


# ----------------------------------------------------------------------------- drawing

def background(rng, w, h):
    """Low-frequency mottling + gradient + a few racks: distinct enough per image that
    perceptual hashes of unrelated pictures stay far apart."""
    base = rng.choice(PALETTES)
    gw, gh = rng.randint(3, 6), rng.randint(3, 5)
    small = Image.new("RGB", (gw, gh))
    for y in range(gh):
        for x in range(gw):
            d = rng.randint(-55, 55)
            small.putpixel((x, y), tuple(max(0, min(255, c + d + rng.randint(-8, 8))) for c in base))
    img = small.resize((w, h), Image.BICUBIC)
    draw = ImageDraw.Draw(img)
    # racks / lane markings at random places
    for _ in range(rng.randint(1, 3)):
        shade = tuple(max(0, c - rng.randint(35, 70)) for c in base)
        if rng.random() < 0.5:
            x = rng.randint(0, w - 8)
            draw.rectangle([x, 0, x + rng.randint(3, 8), h - 1], fill=shade)
        else:
            y = rng.randint(0, h - 6)
            draw.rectangle([0, y, w - 1, y + rng.randint(2, 5)], fill=shade)
    # faint grain at quarter resolution keeps files small but the picture not flat
    gw, gh = max(1, w // 4), max(1, h // 4)
    grain = Image.frombytes("L", (gw, gh), bytes(rng.randint(0, 24) for _ in range(gw * gh)))
    grain = grain.resize((w, h), Image.BILINEAR).convert("RGB")
    return Image.blend(img, Image.eval(grain, lambda v: v * 6), 0.08)


def draw_object(draw, kind, box):
    """Draw `kind` so that its pixels touch all four sides of box = (x0, y0, x1, y1),
    end-exclusive: the label and the visible extent agree."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    X1, Y1 = x1 - 1, y1 - 1  # Pillow's rectangle/ellipse include their end pixel
    if kind == "forklift":
        mw = max(3, w // 7)
        body_top = y0 + int(h * 0.42)
        draw.rectangle([x0, body_top, X1 - mw, Y1], fill=COLOURS["forklift"])
        draw.rectangle([X1 - mw + 1, y0, X1, Y1], fill=COLOURS["mast"])
        draw.rectangle([x0 + w // 5, y0 + int(h * 0.15), x0 + w // 2, body_top], fill=COLOURS["forklift"])
        draw.rectangle([x0 + w // 5 + 2, y0 + int(h * 0.15) + 2, x0 + w // 2 - 2, body_top - 1],
                       fill=COLOURS["window"])
    elif kind == "person":
        hh = max(6, int(h * 0.28))
        draw.ellipse([x0, y0 + hh - 2, X1, Y1], fill=COLOURS["person"])
        draw.rectangle([x0 + w // 4, y0 + hh + h // 8, X1 - w // 4, y0 + hh + h // 4], fill=COLOURS["vest"])
        draw.ellipse([x0 + w // 4, y0, X1 - w // 4, y0 + hh], fill=COLOURS["head"])
    elif kind == "pallet":
        draw.rectangle([x0, y0, X1, Y1], fill=COLOURS["pallet"])
        for sx in range(x0 + 4, X1 - 2, 9):
            draw.rectangle([sx, y0 + 2, sx + 2, Y1 - 2], fill=COLOURS["slat"])
    elif kind == "cart":
        draw.rectangle([x0, y0, X1, Y1], fill=COLOURS["cart"])
        draw.rectangle([x0 + 3, y0 + 3, X1 - 3, y0 + h // 3], fill=(60, 95, 60))
    else:
        raise ValueError(kind)


def object_size(rng, kind, scale=1.0):
    if kind == "forklift":
        w = rng.randint(42, 86)
        h = int(w * rng.uniform(0.8, 1.15))
    elif kind == "person":
        h = rng.randint(38, 68)
        w = int(h * rng.uniform(0.34, 0.45))
    elif kind == "pallet":
        w = rng.randint(40, 68)
        h = rng.randint(13, 21)
    else:  # cart
        w, h = rng.randint(34, 50), rng.randint(26, 36)
    return max(12, int(w * scale)), max(12, int(h * scale))


def place(rng, kinds, w, h, margin=3, gap=3):
    """Non-overlapping integer boxes for `kinds`, fully inside the picture."""
    for attempt in range(400):
        scale = 1.0 if attempt < 200 else 0.75
        boxes = []
        for kind in kinds:
            ok = False
            for _ in range(60):
                bw, bh = object_size(rng, kind, scale)
                if bw + 2 * margin >= w or bh + 2 * margin >= h:
                    continue
                x0 = rng.randint(margin, w - margin - bw)
                y0 = rng.randint(margin, h - margin - bh)
                b = (x0, y0, x0 + bw, y0 + bh)
                if all(b[2] + gap <= o[0] or o[2] + gap <= b[0] or b[3] + gap <= o[1] or o[3] + gap <= b[1]
                       for _, o in boxes):
                    boxes.append((kind, b))
                    ok = True
                    break
            if not ok:
                break
        if len(boxes) == len(kinds):
            return boxes
    raise RuntimeError("cannot place %r in %dx%d" % (kinds, w, h))


def save_jpeg(img, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, "JPEG", **JPEG_OPTS)


def yolo_line(cls, box, w, h):
    x0, y0, x1, y1 = box
    return "%d %.6f %.6f %.6f %.6f" % (cls, (x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (x1 - x0) / w, (y1 - y0) / h)


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


def write_yaml(root, names):
    write_text(os.path.join(root, "data.yaml"),
               "path: .\ntrain: images/train\nval: images/val\nnames: [%s]\n" % ", ".join(names))


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    write_text(path, "\n".join(lines) + "\n")


def letters(i):
    """0 -> 'aa', 1 -> 'ab', ...: picture names that do not end in a frame number."""
    return "abcdefghijklmnopqrstuvwxyz"[i // 26] + "abcdefghijklmnopqrstuvwxyz"[i % 26]


def dhash(img):
    g = img.convert("L").resize((9, 8), Image.BILINEAR)
    px = list(g.getdata())
    return sum(1 << i for i, (r, c) in enumerate((r, c) for r in range(8) for c in range(8))
               if px[r * 9 + c] < px[r * 9 + c + 1])


def hamming(a, b):
    return bin(a ^ b).count("1")


# ----------------------------------------------------------------------------- yolo_forklift

# scene -> (split(s), camera, day, image count per split)
FORKLIFT_SCENES = [
    ("dock_a", "cam2", "2026-03-02", {"train": 9}),
    ("aisle_n", "cam1", "2026-03-03", {"train": 9}),
    ("aisle_s", "cam3", "2026-03-03", {"train": 8}),
    ("yard", "cam4", "2026-03-04", {"train": 8}),
    ("office", "cam5", "2026-03-04", {"train": 7}),
    ("dock_b", "cam6", "2026-03-05", {"train": 4, "val": 3}),  # planted leak
    ("bay", "cam7", "2026-03-09", {"val": 6}),
    ("aisle_e", "cam8", "2026-03-10", {"val": 6}),
]


def make_yolo_forklift(root, planted):
    rng = random.Random(20260301)
    shutil.rmtree(root, ignore_errors=True)
    # 1. the picture list: name, split, scene
    images = []
    for scene, camera, day, per_split in FORKLIFT_SCENES:
        k = 0
        for split in ("train", "val"):
            for _ in range(per_split.get(split, 0)):
                images.append({"name": "%s_%s" % (scene, letters(k)), "split": split, "scene": scene,
                               "camera": camera, "day": day})
                k += 1
    # video-like frames and camera-roll names inside scene aisle_n / office
    aisle_n = [im for im in images if im["scene"] == "aisle_n"]
    for i, im in enumerate(aisle_n[:4]):
        im["name"] = "cam1_%06d" % (101 + i)
        im["frame"] = i
    office = [im for im in images if im["scene"] == "office"]
    office[0]["name"], office[1]["name"] = "IMG_0042", "IMG_0044"
    for im in images:
        im["size"] = rng.choice(SIZES)
    frames = [im for im in images if "frame" in im]
    for im in frames:
        im["size"] = (320, 240)

    # 2. background pictures: 9 train + 3 val; 6 without a label file, 6 with an empty one
    candidates = {s: [im for im in images if im["split"] == s and "frame" not in im
                      and not im["name"].startswith("IMG_")] for s in ("train", "val")}
    bg = rng.sample(candidates["train"], 9) + rng.sample(candidates["val"], 3)
    for i, im in enumerate(bg):
        im["background"] = "no_file" if i in (0, 1, 2, 3, 4, 9) else "empty_file"
    labeled = {s: [im for im in images if im["split"] == s and "background" not in im] for s in ("train", "val")}

    # 3. class instances: forklift 90, person 60, pallet 6, split in matching shares
    #    (the four video frames hold 2 forklifts + 1 person each)
    for im in frames:
        im["kinds"] = ["forklift", "forklift", "person"]
    pools = {"train": ["forklift"] * (68 - 8) + ["person"] * (45 - 4) + ["pallet"] * 4,
             "val": ["forklift"] * 22 + ["person"] * 15 + ["pallet"] * 2}
    for split in ("train", "val"):
        pool = pools[split]
        rng.shuffle(pool)
        targets = [im for im in labeled[split] if "frame" not in im]
        counts = [1] * len(targets)
        for _ in range(len(pool) - len(targets)):
            while True:
                j = rng.randrange(len(targets))
                if counts[j] < 6:
                    counts[j] += 1
                    break
        it = iter(pool)
        for im, n in zip(targets, counts):
            im["kinds"] = sorted((next(it) for _ in range(n)), key=NAMES.index)

    # 4. pictures and valid label lines
    frame_bg_seed = rng.randrange(1 << 30)
    frame_boxes = None
    for im in images:
        w, h = im["size"]
        if "frame" in im:
            brng = random.Random(frame_bg_seed)
            img = background(brng, w, h)
            if frame_boxes is None:
                frame_boxes = place(random.Random(frame_bg_seed + 1), im["kinds"], w, h, margin=12)
            d = 2 * im["frame"]  # the scene barely moves between frames
            im["objects"] = [(k, (b[0] + d, b[1], b[2] + d, b[3])) for k, b in frame_boxes]
        else:
            img = background(rng, w, h)
            im["objects"] = place(rng, im.get("kinds", []), w, h)
        im["img"] = img
        im["lines"] = [yolo_line(NAMES.index(k), b, w, h) for k, b in im["objects"]]

    def pick(split, pred, exclude=()):
        for im in labeled[split]:
            if pred(im) and im["name"] not in exclude and "planted" not in im and "frame" not in im:
                return im
        raise RuntimeError("no image for planted problem")

    def label_rel(im):
        return "labels/%s/%s.txt" % (im["split"], im["name"])

    # 5. planted problems
    # 5a. out-of-bounds forklift: its right half hangs 50 px past the right edge
    im = pick("train", lambda im: im["size"] == (320, 240) and "forklift" in im["kinds"])
    im["planted"] = "out_of_bounds"
    w, h = im["size"]
    idx = im["kinds"].index("forklift")
    oob = (w - 50, 60, w + 50, 150)
    # the other objects keep their classes but move left of the overhanging forklift
    kinds_rest = [k for i, (k, _) in enumerate(im["objects"]) if i != idx]
    rest = place(random.Random(77), kinds_rest, w - 60, h)
    im["img"] = background(random.Random(78), w, h)
    im["objects"] = [("forklift", oob)] + rest
    im["lines"] = [yolo_line(NAMES.index(k), b, w, h) for k, b in im["objects"]]
    planted.append({"dataset": "yolo_forklift", "check": "box_fit", "kind": "bad_box",
                    "place": label_rel(im) + ":1", "image": "images/train/%s.jpg" % im["name"],
                    "note": "forklift x from %d to %d px in a %d px wide picture (x2 = %.4f normalised)"
                            % (oob[0], oob[2], w, oob[2] / w)})

    # 5b. unknown class id 7 on a valid line (a drawn cart), appended as the last line
    im = pick("train", lambda im: len(im["kinds"]) <= 3 and im["size"] == (320, 240))
    im["planted"] = "unknown_class"
    w, h = im["size"]
    objs = place(random.Random(79), im["kinds"] + ["cart"], w, h)
    im["img"] = background(random.Random(80), w, h)
    im["objects"] = objs[:-1]
    im["lines"] = [yolo_line(NAMES.index(k), b, w, h) for k, b in im["objects"]]
    im["lines"].append(yolo_line(7, objs[-1][1], w, h))
    for k, b in objs:
        draw_object(ImageDraw.Draw(im["img"]), k, b)
    im["drawn"] = True
    planted.append({"dataset": "yolo_forklift", "check": "wrong_classes", "kind": "unknown_class",
                    "place": "%s:%d" % (label_rel(im), len(im["lines"])), "image": "images/train/%s.jpg" % im["name"],
                    "note": "class id 7; names has 3 entries (a grey-green cart is drawn there)"})

    # 5c. three malformed lines in three files (the lines draw nothing)
    im = pick("train", lambda im: len(im["lines"]) >= 2)
    im["planted"] = "garbage"
    im["lines"].insert(1, "1 0.41 0.5x 0.08 0.2")
    planted.append({"dataset": "yolo_forklift", "check": "input", "kind": "invalid_label",
                    "place": label_rel(im) + ":2", "line": "1 0.41 0.5x 0.08 0.2", "note": "garbage token"})
    im = pick("train", lambda im: len(im["lines"]) >= 2)
    im["planted"] = "field_count"
    im["lines"].append("1 0.52 0.47 0.09")
    planted.append({"dataset": "yolo_forklift", "check": "input", "kind": "invalid_label",
                    "place": "%s:%d" % (label_rel(im), len(im["lines"])), "line": "1 0.52 0.47 0.09",
                    "note": "four fields"})
    im = pick("val", lambda im: len(im["lines"]) >= 1)
    im["planted"] = "nan"
    im["lines"].insert(0, "0 nan 0.5 0.2 0.2")
    planted.append({"dataset": "yolo_forklift", "check": "input", "kind": "invalid_label",
                    "place": label_rel(im) + ":1", "line": "0 nan 0.5 0.2 0.2", "note": "NaN coordinate"})

    # 5d. valid file with a UTF-8 BOM and CRLF line endings
    im = pick("val", lambda im: len(im["lines"]) >= 2)
    im["planted"] = "bom_crlf"
    planted.append({"dataset": "yolo_forklift", "check": "input", "kind": None, "place": label_rel(im),
                    "note": "UTF-8 BOM + CRLF; all %d lines valid, must load without findings" % len(im["lines"])})

    # 6. write pictures and labels
    for im in images:
        if not im.get("drawn"):
            d = ImageDraw.Draw(im["img"])
            for k, b in im["objects"]:
                draw_object(d, k, b)
        save_jpeg(im["img"], os.path.join(root, "images", im["split"], im["name"] + ".jpg"))
        lp = os.path.join(root, label_rel(im))
        if im.get("background") == "no_file":
            continue
        if im.get("background") == "empty_file":
            write_bytes(lp, b"")
        elif im.get("planted") == "bom_crlf":
            write_bytes(lp, b"\xef\xbb\xbf" + ("\r\n".join(im["lines"]) + "\r\n").encode())
        else:
            write_text(lp, "\n".join(im["lines"]) + "\n")

    # 7. orphan label file (its picture was deleted)
    write_text(os.path.join(root, "labels/train/dock_a_zz.txt"), "0 0.500000 0.500000 0.250000 0.300000\n")
    planted.append({"dataset": "yolo_forklift", "check": "input", "kind": "orphan_label",
                    "place": "labels/train/dock_a_zz.txt", "note": "no images/train/dock_a_zz.*"})

    write_yaml(root, NAMES)
    write_csv(os.path.join(root, "metadata.csv"), ["image", "camera", "day", "scene"],
              [("images/%s/%s.jpg" % (im["split"], im["name"]), im["camera"], im["day"], im["scene"])
               for im in sorted(images, key=lambda im: (im["split"] != "train", im["name"]))])

    # summary
    per = {s: {n: 0 for n in NAMES} for s in ("train", "val")}
    per_img = {s: {n: 0 for n in NAMES} for s in ("train", "val")}
    for im in images:
        for n in NAMES:
            c = sum(1 for k, _ in im["objects"] if k == n)
            per[im["split"]][n] += c
            per_img[im["split"]][n] += 1 if c else 0
    bgs = [im for im in images if "background" in im]
    planted.append({"dataset": "yolo_forklift", "check": "background", "kind": "background_ratio",
                    "note": "%d of %d pictures are background (%.0f%%): %d without a label file, %d with an empty one"
                            % (len(bgs), len(images), 100 * len(bgs) / len(images),
                               sum(im["background"] == "no_file" for im in bgs),
                               sum(im["background"] == "empty_file" for im in bgs)),
                    "no_label_file": sorted("images/%s/%s.jpg" % (im["split"], im["name"]) for im in bgs
                                            if im["background"] == "no_file"),
                    "empty_label_file": sorted(label_rel(im) for im in bgs if im["background"] == "empty_file")})
    planted.append({"dataset": "yolo_forklift", "check": "class_balance", "kind": "rare_class",
                    "note": "valid boxes per class (train+val): " + ", ".join(
                        "%s %d" % (n, per["train"][n] + per["val"][n]) for n in NAMES),
                    "instances": per, "images": per_img})
    leak = sorted("images/%s/%s.jpg" % (im["split"], im["name"]) for im in images if im["scene"] == "dock_b")
    planted.append({"dataset": "yolo_forklift", "check": "split_leakage", "kind": "group_leak",
                    "note": "scene dock_b (cam6, 2026-03-05): 4 train + 3 val pictures", "images": leak})
    planted.append({"dataset": "yolo_forklift", "check": "duplicates", "kind": "static_frames",
                    "note": "cam1_000101..000104: one scene, objects shifted 2 px per frame; a run of 4 unchanged frames",
                    "images": ["images/train/cam1_%06d.jpg" % (101 + i) for i in range(4)]})
    plant_duplicates(root, images, planted)
    return images


def plant_duplicates(root, images, planted):
    """Copies made after every picture is written, from their own random state, so the
    rest of the sample (and its counts) stays as it was. Backgrounds are copied because
    they carry no labels; the same-label pair keeps its class counts."""
    def path(im):
        return os.path.join(root, "images", im["split"], im["name"] + ".jpg")

    def rel(im):
        return "images/%s/%s.jpg" % (im["split"], im["name"])

    def backgrounds(split, exclude_scene=None):
        return sorted((im for im in images if "background" in im and im["split"] == split
                       and im["scene"] != exclude_scene), key=lambda im: im["name"])

    train_bg = backgrounds("train")
    # exact: one background picture saved twice under two names
    original, copy = train_bg[0], train_bg[1]
    shutil.copyfile(path(original), path(copy))
    copy["size"] = original["size"]
    planted.append({"dataset": "yolo_forklift", "check": "duplicates", "kind": "exact_duplicate",
                    "image": rel(copy), "related": [rel(original)],
                    "note": "byte-identical copy of %s" % rel(original)})
    # near: the same picture resized to 80%% and re-encoded at quality 40
    near = train_bg[2]
    with Image.open(path(original)) as img:
        w, h = img.size
        small = img.resize((w * 4 // 5, h * 4 // 5), Image.LANCZOS)
    os.remove(path(near))
    small.save(path(near), "JPEG", quality=40, optimize=False, progressive=False, subsampling=2)
    near["size"] = small.size
    planted.append({"dataset": "yolo_forklift", "check": "duplicates", "kind": "near_duplicate",
                    "image": rel(near), "related": [rel(original)],
                    "note": "%s resized to 80%% and re-encoded at JPEG quality 40" % rel(original)})
    # across splits: a val background (outside the leaking dock_b scene) is a train one
    val_copy, train_original = backgrounds("val", exclude_scene="dock_b")[0], train_bg[3]
    shutil.copyfile(path(train_original), path(val_copy))
    val_copy["size"] = train_original["size"]
    planted.append({"dataset": "yolo_forklift", "check": "split_leakage", "kind": "cross_split_duplicate",
                    "image": rel(val_copy), "related": [rel(train_original)],
                    "note": "byte-identical copy of a train picture in val (also an exact_duplicate)"})
    # same labels, different pixels: a second picture gets the first one's objects at the
    # same relative places on its own background
    plain = [im for im in images if im["split"] == "train" and "background" not in im and "planted" not in im
             and "frame" not in im and not im["name"].startswith("IMG_") and len(im["objects"]) >= 2]
    pair = next((a, b) for i, a in enumerate(plain) for b in plain[i + 1:]
                if sorted(k for k, _ in a["objects"]) == sorted(k for k, _ in b["objects"]))
    first, second = pair
    (w1, h1), (w2, h2) = first["size"], second["size"]
    second["objects"] = [(k, (round(b[0] * w2 / w1), round(b[1] * h2 / h1), round(b[2] * w2 / w1), round(b[3] * h2 / h1)))
                         for k, b in first["objects"]]
    img = background(random.Random(20261129), w2, h2)
    d = ImageDraw.Draw(img)
    for k, b in second["objects"]:
        draw_object(d, k, b)
    save_jpeg(img, path(second))
    second["lines"] = [yolo_line(NAMES.index(k), b, w2, h2) for k, b in second["objects"]]
    write_text(os.path.join(root, "labels", second["split"], second["name"] + ".txt"), "\n".join(second["lines"]) + "\n")
    planted.append({"dataset": "yolo_forklift", "check": "duplicates", "kind": "same_labels",
                    "image": rel(second), "related": [rel(first)],
                    "note": "%d boxes (%s) at the same relative places as %s, drawn on another background"
                            % (len(second["objects"]), ", ".join(k for k, _ in second["objects"]), rel(first))})


# ----------------------------------------------------------------------------- coco_forklift

COCO_CATS = [(1, "forklift"), (3, "person"), (7, "pallet")]


def coco_rle_rect(box, w, h):
    """Uncompressed RLE (column-major) of a rectangle mask, as iscrowd=1 annotations use."""
    x0, y0, x1, y1 = box
    counts, zeros = [], 0
    for x in range(w):
        if x0 <= x < x1:
            counts += [zeros + y0, y1 - y0]
            zeros = h - y1
        else:
            zeros += h
    counts.append(zeros)
    return {"size": [h, w], "counts": counts}


def make_coco_forklift(root, planted):
    rng = random.Random(20260302)
    shutil.rmtree(root, ignore_errors=True)
    cat_id = {n: i for i, n in COCO_CATS}
    out = {}
    counts = {"train": 22, "val": 8}
    next_ann = {"train": 1001, "val": 2001}
    next_img = {"train": 101, "val": 201}
    for split in ("train", "val"):
        n = counts[split]
        bg_idx = {5} if split == "train" else {3}
        pool = (["forklift"] * (34 if split == "train" else 12) + ["person"] * (22 if split == "train" else 8)
                + ["pallet"] * (3 if split == "train" else 1))
        rng.shuffle(pool)
        labeled = [i for i in range(n) if i not in bg_idx]
        per = [1] * len(labeled)
        for _ in range(len(pool) - len(labeled)):
            per[rng.randrange(len(per))] += 1
        it = iter(pool)
        kinds_of = {i: sorted((next(it) for _ in range(c)), key=NAMES.index) for i, c in zip(labeled, per)}
        imgs, anns = [], []
        for i in range(n):
            name = "%s_%s" % ("wh" if split == "train" else "whv", letters(i))
            w, h = rng.choice(SIZES)
            if split == "train" and i == 2:
                w, h = 240, 320  # planted: the JSON below claims 320x240
            img = background(rng, w, h)
            d = ImageDraw.Draw(img)
            kinds = kinds_of.get(i, [])
            extra = []
            if split == "train" and i == 0:
                extra = ["crowd"]
            if split == "val" and i == 1:
                extra = ["cart"]
            objs = place(rng, kinds + [("cart" if e == "cart" else "forklift") for e in extra], w, h)
            image_id = next_img[split]
            next_img[split] += 1
            listed_w, listed_h = w, h
            if split == "train" and i == 2:
                listed_w, listed_h = 320, 240
                planted.append({"dataset": "coco_forklift", "check": "input", "kind": "invalid_annotation",
                                "place": "annotations/instances_train.json#image_id=%d" % image_id,
                                "image": "images/train/%s.jpg" % name,
                                "note": "JSON says width 320, height 240; the file is 240x320 (portrait)"})
            imgs.append({"id": image_id, "file_name": name + ".jpg", "width": listed_w, "height": listed_h})
            for j, (k, b) in enumerate(objs):
                x0, y0, x1, y1 = b
                ann_id = next_ann[split]
                next_ann[split] += 1
                is_crowd_slot = extra == ["crowd"] and j == len(objs) - 1
                if is_crowd_slot:
                    # a huddle of four people, labelled as one crowd region
                    cw, ch = x1 - x0, y1 - y0
                    pw = max(12, cw // 3)
                    for p in range(4):
                        px = x0 + p * (cw - pw) // 3
                        draw_object(d, "person", (px, y0 + (p % 2) * 4, px + pw, y1 - ((p + 1) % 2) * 4))
                    anns.append({"id": ann_id, "image_id": image_id, "category_id": cat_id["person"],
                                 "bbox": [float(x0), float(y0), float(cw), float(ch)], "area": float(cw * ch),
                                 "iscrowd": 1, "segmentation": coco_rle_rect(b, w, h)})
                    planted.append({"dataset": "coco_forklift", "check": "input", "kind": None,
                                    "place": "annotations/instances_train.json#id=%d" % ann_id,
                                    "note": "iscrowd=1 person crowd with an uncompressed RLE mask (valid)"})
                    continue
                draw_object(d, k, b)
                bw, bh = x1 - x0, y1 - y0
                ann = {"id": ann_id, "image_id": image_id,
                       "category_id": cat_id.get(k, 5),
                       "bbox": [float(x0), float(y0), float(bw), float(bh)], "area": float(bw * bh),
                       "iscrowd": 0,
                       "segmentation": [[float(x0), float(y0), float(x1), float(y0), float(x1), float(y1),
                                         float(x0), float(y1)]]}
                if k == "cart":
                    planted.append({"dataset": "coco_forklift", "check": "input", "kind": "invalid_annotation",
                                    "place": "annotations/instances_val.json#id=%d" % ann_id,
                                    "note": "category_id 5 is not among the categories (1, 3, 7); a cart is drawn"})
                if split == "train" and i == 7 and j == 0:
                    ann["bbox"] = ann["bbox"][:3]
                    planted.append({"dataset": "coco_forklift", "check": "input", "kind": "invalid_annotation",
                                    "place": "annotations/instances_train.json#id=%d" % ann_id,
                                    "note": "bbox has 3 numbers (%s)" % ann["bbox"]})
                anns.append(ann)
            save_jpeg(img, os.path.join(root, "images", split, name + ".jpg"))
        out[split] = {"info": {"description": "qcpass sample: coco_forklift", "version": "1.0"},
                      "licenses": [],
                      "images": imgs, "annotations": anns,
                      "categories": [{"id": i, "name": n, "supercategory": "warehouse"} for i, n in COCO_CATS]}
        write_text(os.path.join(root, "annotations", "instances_%s.json" % split),
                   json.dumps(out[split], indent=1, sort_keys=False) + "\n")
    summary = {}
    for split in ("train", "val"):
        c = {n: 0 for _, n in COCO_CATS}
        for a in out[split]["annotations"]:
            n = dict(COCO_CATS).get(a["category_id"])
            if n and len(a["bbox"]) == 4:
                c[n] += 1
        summary[split] = c
        summary[split + "_background"] = sorted(
            im["file_name"] for im in out[split]["images"]
            if not any(a["image_id"] == im["id"] for a in out[split]["annotations"]))
    planted.append({"dataset": "coco_forklift", "check": "class_balance", "kind": "rare_class",
                    "note": "usable annotations per category (crowd included): " + json.dumps(
                        {"train": summary["train"], "val": summary["val"]}),
                    "background": {"train": summary["train_background"], "val": summary["val_background"]}})
    return out


# ----------------------------------------------------------------------------- clean_yolo

def make_clean_yolo(root, planted):
    rng = random.Random(20260303)
    shutil.rmtree(root, ignore_errors=True)
    scenes = [("north", "cam1", "2026-04-01", "train", 5), ("south", "cam2", "2026-04-02", "train", 5),
              ("east", "cam3", "2026-04-03", "train", 5), ("west", "cam4", "2026-04-04", "val", 5)]
    images = []
    for scene, cam, day, split, n in scenes:
        for i in range(n):
            images.append({"name": "%s_%s" % (scene, letters(i)), "split": split, "scene": scene,
                           "camera": cam, "day": day, "size": rng.choice(SIZES)})
    # one background picture (5%), label file absent
    images[7]["background"] = True
    # each labelled picture holds k of every class: shares are exactly 1/3 in both splits
    ks = {"train": [1, 2, 1, 2, 1, 1, 2, 1, 2, 1, 1, 2, 1, 2], "val": [1, 2, 1, 2, 1]}
    for split in ("train", "val"):
        for im, k in zip([im for im in images if im["split"] == split and not im.get("background")], ks[split]):
            im["kinds"] = ["forklift"] * k + ["person"] * k + ["pallet"] * k
    hashes = []
    for im in images:
        w, h = im["size"]
        img = background(rng, w, h)
        objs = place(rng, im.get("kinds", []), w, h, margin=4, gap=6)
        d = ImageDraw.Draw(img)
        for k, b in objs:
            draw_object(d, k, b)
        save_jpeg(img, os.path.join(root, "images", im["split"], im["name"] + ".jpg"))
        if not im.get("background"):
            write_text(os.path.join(root, "labels", im["split"], im["name"] + ".txt"),
                       "\n".join(yolo_line(NAMES.index(k), b, w, h) for k, b in objs) + "\n")
        im["objects"] = objs
        hashes.append((im["name"], dhash(img)))
    closest = min(hamming(a[1], b[1]) for i, a in enumerate(hashes) for b in hashes[i + 1:])
    write_yaml(root, NAMES)
    write_csv(os.path.join(root, "metadata.csv"), ["image", "camera", "day", "scene"],
              [("images/%s/%s.jpg" % (im["split"], im["name"]), im["camera"], im["day"], im["scene"])
               for im in images])
    per = {s: {n: sum(1 for im in images if im["split"] == s for k, _ in im["objects"] if k == n) for n in NAMES}
           for s in ("train", "val")}
    planted.append({"dataset": "clean_yolo", "check": None, "kind": None,
                    "note": "no planted problems; 1 of 20 pictures is background (images/train/south_ac.jpg, "
                            "no label file); smallest pairwise 64-bit dHash distance %d" % closest,
                    "instances": per})
    return images


def main():
    planted = []
    make_yolo_forklift(os.path.join(HERE, "yolo_forklift"), planted)
    make_coco_forklift(os.path.join(HERE, "coco_forklift"), planted)
    make_clean_yolo(os.path.join(HERE, "clean_yolo"), planted)
    write_text(os.path.join(HERE, "PLANTED.json"), json.dumps(planted, indent=1) + "\n")
    for p in planted:
        print("%-14s %-14s %-18s %s %s" % (p["dataset"], p["check"], p["kind"], p.get("place", ""), p["note"]))


if __name__ == "__main__":
    main()
